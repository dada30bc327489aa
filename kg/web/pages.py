"""The pages of the web app and their JSON: home, saved queries (form, rows, downloads, suggestions),
the list of articles, an article with its spans marked, and an entity.

Pages show one page of rows at a time (``?page=N``), read with a limit, so that a store of any size
answers at once.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from typing import Any
from urllib.parse import quote, urlencode

from pyoxigraph import Literal, RdfFormat, Store, Variable
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from kg.query.formats import format_result
from kg.query.saved import SavedQuery, list_queries, stream_terms
from kg.rdf.namespaces import PREFIXES
from kg.resources import ontology_path
from kg.web.data import Page, Windows, fetch, internal, page, stream_lines
from kg.web.highlight import Span, highlight
from kg.web.templating import templates

__all__ = ["article", "articles", "entity", "home", "page_url", "queries", "query_form", "query_rows", "suggest"]

PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
SUGGESTIONS = 20
_CONTROL_PARAMS = {"page", "size", "format"}
_ARTICLE_IRI = re.compile(r".*/article/([^/#?]+)")
_ENTITY_IRI = re.compile(r".*/entity/[^#?]+")
_TERM_PARAMS = {"class", "predicate", "status"}
_NO_SUGGESTIONS = {"from", "to"}
_CATEGORIES = ("Location", "Organization", "Person", "Population")
_DOWNLOADS = {"csv": "text/csv; charset=utf-8", "json": "application/json"}
_NIF_SENTENCE = PREFIXES["nif"] + "Sentence"


def page_url(iri: str | None) -> str | None:
    """The app's page for a kg IRI (an entity or an article), None for any other value.

    >>> page_url("https://w3id.org/kg-news/id/entity/person/ali")
    '/entity?iri=https%3A%2F%2Fw3id.org%2Fkg-news%2Fid%2Fentity%2Fperson%2Fali'
    >>> page_url("https://w3id.org/kg-news/id/article/t1"), page_url("Diyala")
    ('/article/t1', None)
    """
    if iri is None or not iri.startswith(("http://", "https://", "urn:")):
        return None
    if _ENTITY_IRI.fullmatch(iri):
        return "/entity?" + urlencode({"iri": iri})
    found = _ARTICLE_IRI.fullmatch(iri)
    return None if found is None else "/article/" + found.group(1)


templates.env.filters["page_url"] = page_url


def _number(request: Request, name: str, default: int, top: int | None = None) -> int:
    text = request.query_params.get(name, "")
    if not text:
        return default
    if not text.isdigit() or int(text) < 1 or (top is not None and int(text) > top):
        limit = f" and at most {top}" if top is not None else ""
        raise HTTPException(400, f"?{name}={text!r}: give a whole number from 1{limit}")
    return int(text)


def _source(request: Request) -> Any:
    return request.app.state.source


def _pager(request: Request, result: Page, number: int, key: str = "page") -> dict[str, str | None]:
    def at(n: int) -> str:
        return str(request.url.include_query_params(**{key: n}))

    return {"prev": at(number - 1) if number > 1 else None, "next": at(number + 1) if result.more else None,
            "number": str(number)}


async def home(request: Request) -> Response:
    """``/``: what the store holds, and a link to every view."""
    counts = (await fetch(_source(request), internal("counts"))).records()
    return templates.TemplateResponse(request, "home.html", {"counts": counts[0] if counts else {}})


@cache
def saved_queries() -> dict[str, SavedQuery]:
    """The saved queries (``queries/*.rq``) by name."""
    return {query.name: query for query in list_queries()}


def _saved(name: str) -> SavedQuery:
    query = saved_queries().get(name)
    if query is None:
        raise HTTPException(404, f"no saved query '{name}' - see /queries for the list")
    return query


async def queries(request: Request) -> Response:
    """``/queries``: every saved query with its title and description."""
    return templates.TemplateResponse(request, "queries.html", {"queries": list(saved_queries().values())})


async def query_form(request: Request) -> Response:
    """``/queries/{name}``: the query's parameters as a form, and its rows as a table."""
    query = _saved(request.path_params["name"])
    given = {param.name: request.query_params.get(param.name, "") for param in query.params}
    return templates.TemplateResponse(request, "query.html", {"query": query, "given": given,
                                                              "data_url": f"/api/queries/{quote(query.name)}"})


def _params(request: Request) -> dict[str, str]:
    """The query's parameters given in the URL, empty ones left out (an empty form field is no value)."""
    return {name: value for name, value in request.query_params.items() if name not in _CONTROL_PARAMS and value}


async def query_rows(request: Request) -> Response:
    """``/api/queries/{name}?PARAM=…``: one page of rows as JSON (``page``, ``size``), or with
    ``format=csv|json`` the whole answer as ``kg query NAME --format csv|json`` writes it."""
    query = _saved(request.path_params["name"])
    params = _params(request)
    fmt = request.query_params.get("format")
    if fmt is not None:
        if fmt not in _DOWNLOADS:
            raise HTTPException(400, f"?format={fmt!r}: use csv or json")
        source = _source(request)
        body = await stream_lines(lambda: format_result(stream_terms(query, source, params), fmt))
        return StreamingResponse(body, media_type=_DOWNLOADS[fmt], headers={
            "Content-Disposition": f'attachment; filename="{query.name}.{fmt}"'})
    number = _number(request, "page", 1)
    size = _number(request, "size", PAGE_SIZE, MAX_PAGE_SIZE)
    windows: Windows | None = request.app.state.windows
    if windows is None:
        result = await fetch(_source(request), query, params, offset=(number - 1) * size, size=size)
    else:
        result = await run_in_threadpool(windows.page, _source(request), query, params, offset=(number - 1) * size,
                                         size=size)
    return JSONResponse({"columns": list(result.columns), "data": result.records(), "page": number,
                         "last_page": number + 1 if result.more else number})


@cache
def _ontology() -> Store:
    store = Store()
    store.load(path=str(ontology_path()), format=RdfFormat.TURTLE)
    return store


def _suggestions(source: Any, param: str, prefix: str) -> list[str]:
    if param in _NO_SUGGESTIONS:
        return []
    if param == "category":
        return [name for name in _CATEGORIES if name.lower().startswith(prefix.lower())]
    if param in _TERM_PARAMS:
        # the ontology is a file, not a kg store: queried as it is, the value bound all the same
        answer = _ontology().query(internal("suggest-term").text,
                                   substitutions={Variable("param_prefix"): Literal(prefix.removeprefix("kg:"))})
        return [solution["value"].value for solution in answer]  # type: ignore[union-attr]
    name = "suggest-article" if param == "article" else "suggest-label"
    rows = page(source, internal(name), {"prefix": prefix}, size=SUGGESTIONS).rows
    return [row[0] for row in rows if row[0] is not None]


async def suggest(request: Request) -> Response:
    """``/api/suggest/{param}?q=PREFIX``: up to 20 values for a query parameter that start with
    ``PREFIX``: entity labels, article ids, or ontology terms for ``class``, ``predicate`` and ``status``."""
    found = await run_in_threadpool(_suggestions, _source(request), request.path_params["param"],
                                    request.query_params.get("q", ""))
    return JSONResponse(found)


async def articles(request: Request) -> Response:
    """``/articles``: the articles, newest first, a page at a time."""
    number = _number(request, "page", 1)
    result = await fetch(_source(request), internal("articles-page"), offset=(number - 1) * PAGE_SIZE,
                         size=PAGE_SIZE)
    return templates.TemplateResponse(request, "articles.html", {"rows": result.records(),
                                                                 "pager": _pager(request, result, number)})


def _spans(rows: list[tuple[str | None, ...]]) -> list[Span]:
    spans: list[Span] = []
    for start, end, entity, kind in rows:
        if start is None or end is None or not (start.isdigit() and end.isdigit()):
            continue
        if entity is not None:
            spans.append(Span(int(start), int(end), entity))
        elif kind == _NIF_SENTENCE:
            spans.append(Span(int(start), int(end)))
    return sorted(set(spans))


async def article(request: Request) -> Response:
    """``/article/{id}``: the body as stored, mentions and evidence sentences marked."""
    article_id = request.path_params["article_id"]
    found = (await fetch(_source(request), internal("article"), {"id": Literal(article_id)}, size=1)).records()
    if not found:
        raise HTTPException(404, f"no article with id '{article_id}' in the store - see /articles")
    record = found[0]
    rows = (await fetch(_source(request), internal("spans"), {"article": f"<{record['article']}>"})).rows
    spans = _spans(rows)
    mentions = [span for span in spans if span.entity is not None]
    body = highlight(record["body"] or "", spans)
    return templates.TemplateResponse(request, "article.html", {
        "article": record, "article_id": article_id, "body": body, "mentions": len(mentions),
        "evidence": len(spans) - len(mentions), "entities": len({span.entity for span in mentions})})


def _collect(rows: list[dict[str, str | None]]) -> Mapping[str, list[str]]:
    found: dict[str, list[str]] = {"label": [], "altLabel": [], "class": [], "wikidata": [], "wkt": []}
    for row in rows:
        for key, values in found.items():
            value = row.get(key)
            if value is not None and value not in values:
                values.append(value)
    return {key: sorted(values) for key, values in found.items()}


async def entity(request: Request) -> Response:
    """``/entity?iri=IRI``: labels, classes, Wikidata link, coordinates, the facts the entity takes part
    in and the articles that mention it (each list a page at a time)."""
    iri = request.query_params.get("iri", "")
    if not iri:
        raise HTTPException(400, "give the entity as /entity?iri=IRI")
    bound = {"entity": f"<{iri}>"}
    facts_page = _number(request, "page", 1)
    articles_page = _number(request, "articles", 1)
    source = _source(request)
    about = _collect((await fetch(source, internal("entity"), bound)).records())
    facts = await fetch(source, internal("entity-facts"), bound, offset=(facts_page - 1) * PAGE_SIZE,
                        size=PAGE_SIZE)
    mentioned = await fetch(source, internal("entity-articles"), bound, offset=(articles_page - 1) * PAGE_SIZE,
                            size=PAGE_SIZE)
    if not any(about.values()) and not facts.rows and not mentioned.rows:
        raise HTTPException(404, f"the store knows nothing about <{iri}>")
    return templates.TemplateResponse(request, "entity.html", {
        "iri": iri, "about": about, "facts": facts.records(), "facts_pager": _pager(request, facts, facts_page),
        "mentioned": mentioned.records(), "articles_pager": _pager(request, mentioned, articles_page, "articles")})

