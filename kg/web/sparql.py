"""The SPARQL editor page (``/sparql``) and the SPARQL 1.1 Protocol endpoints (``/query``, ``/update``).

Queries run over the union of the named graphs (kg keeps one per article, and its saved queries have
no ``GRAPH`` clauses), as ``oxigraph serve --union-default-graph`` did. Over a SPARQL endpoint
(``kg serve --endpoint URL``) the request is passed on to it as it came.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

from pyoxigraph import QueryBoolean, QueryResultsFormat, QuerySolutions, QueryTriples, RdfFormat, Store
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from kg.errors import one_line
from kg.rdf.namespaces import PREFIXES
from kg.web.pages import saved_queries
from kg.web.templating import templates

__all__ = ["RESULT_TYPES", "editor", "negotiate", "protocol", "update"]

RESULT_TYPES: dict[str, QueryResultsFormat] = {
    "application/sparql-results+json": QueryResultsFormat.JSON,
    "application/sparql-results+xml": QueryResultsFormat.XML,
    "text/csv": QueryResultsFormat.CSV,
    "text/tab-separated-values": QueryResultsFormat.TSV,
}
GRAPH_TYPES: dict[str, RdfFormat] = {
    "text/turtle": RdfFormat.TURTLE,
    "application/n-triples": RdfFormat.N_TRIPLES,
}
_ALIASES = {"application/json": "application/sparql-results+json", "application/xml":
            "application/sparql-results+xml", "text/plain": "application/n-triples"}
_READ_ONLY = ("The server is read-only - restart it with 'kg serve --read-write' to accept SPARQL updates\n")
_FORM = "application/x-www-form-urlencoded"
_DEFAULT_QUERY = "SELECT ?article ?title ?date WHERE {\n  ?article a schema:NewsArticle ; schema:headline ?title .\n" \
                 "  OPTIONAL { ?article schema:datePublished ?date }\n}\nORDER BY DESC(?date)\nLIMIT 20\n"


def negotiate(accept: str, offered: list[str]) -> str:
    """The first type of ``offered`` the ``Accept`` header takes, by its q-values (the first offered
    when nothing fits, as most SPARQL servers do).

    >>> negotiate("text/csv;q=0.5, application/sparql-results+xml", list(RESULT_TYPES))
    'application/sparql-results+xml'
    >>> negotiate("*/*", list(RESULT_TYPES))
    'application/sparql-results+json'
    """
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(accept.split(",")):
        kind, *options = (item.strip() for item in part.split(";"))
        quality = 1.0
        for option in options:
            name, _, value = option.partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        kind = _ALIASES.get(kind.lower(), kind.lower())
        for candidate in offered:
            if quality > 0 and (kind in (candidate, "*/*") or (kind.endswith("/*") and
                                                                candidate.startswith(kind[:-1]))):
                ranked.append((-quality, position, candidate))
    return min(ranked)[2] if ranked else offered[0]


async def _form(request: Request) -> dict[str, list[str]]:
    body = (await request.body()).decode("utf-8", errors="replace")
    return parse_qs(body, keep_blank_values=True)


async def _operation(request: Request, field: str) -> tuple[str | None, str]:
    """The query (or update) text of a protocol request, and its content type ('' for GET)."""
    if request.method == "GET":
        return request.query_params.get(field), ""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == f"application/sparql-{field}":
        return (await request.body()).decode("utf-8", errors="replace"), content_type
    if content_type == _FORM:
        values = (await _form(request)).get(field)
        return (values[0] if values else None), content_type
    return None, content_type


def _run(store: Store, text: str, accept: str) -> tuple[bytes, str]:
    result = store.query(text, use_default_graph_as_union=True)
    if isinstance(result, QueryTriples):
        kind = negotiate(accept, list(GRAPH_TYPES))
        return result.serialize(format=GRAPH_TYPES[kind]) or b"", kind
    assert isinstance(result, (QuerySolutions, QueryBoolean))
    kind = negotiate(accept, list(RESULT_TYPES))
    return result.serialize(format=RESULT_TYPES[kind]) or b"", kind


def _forward(target: Any, url: str, field: str, text: str, accept: str) -> Response:
    answer = target.session.post(url, data={field: text}, headers={"Accept": accept}, timeout=target.timeout,
                                 auth=target.creds)
    return Response(answer.content, status_code=answer.status_code,
                    media_type=answer.headers.get("Content-Type", "text/plain"))


async def protocol(request: Request) -> Response:
    """``/query``: SPARQL 1.1 Protocol queries (GET ``?query=``, POST form or ``application/sparql-query``).

    Answers SELECT and ASK as SPARQL JSON (default), XML, CSV or TSV, and CONSTRUCT and DESCRIBE as
    Turtle (default) or N-Triples, by the ``Accept`` header; a query that fails is a 400 with its
    one-line message.
    """
    text, content_type = await _operation(request, "query")
    if text is None:
        if request.method == "POST" and content_type == _FORM and "update" in await _form(request):
            return await update(request)
        return PlainTextResponse("Give a SPARQL query as ?query=…, as a 'query' form field, or as an "
                                 "application/sparql-query body\n", status_code=400)
    accept = request.headers.get("accept", "*/*")
    source = request.app.state.source
    if not isinstance(source, Store):
        return await run_in_threadpool(_forward, source, source.query_url, "query", text, accept)
    try:
        body, kind = await run_in_threadpool(_run, source, text, accept)
    except (SyntaxError, ValueError, OSError, RuntimeError) as error:
        return PlainTextResponse(f"SPARQL query failed: {one_line(error)}\n", status_code=400)
    return Response(body, media_type=kind)


async def update(request: Request) -> Response:
    """``/update``: SPARQL 1.1 updates, only when the app was made ``read_write`` (405 otherwise)."""
    if not request.app.state.read_write:
        return PlainTextResponse(_READ_ONLY, status_code=405)
    if request.method != "POST":
        return PlainTextResponse("Send SPARQL updates with POST\n", status_code=405)
    text, _ = await _operation(request, "update")
    if text is None:
        return PlainTextResponse("Give the SPARQL update as an 'update' form field or an "
                                 "application/sparql-update body\n", status_code=400)
    source = request.app.state.source
    if not isinstance(source, Store):
        return await run_in_threadpool(_forward, source, source.update_url, "update", text, "*/*")
    try:
        await run_in_threadpool(source.update, text)
    except (SyntaxError, ValueError, OSError, RuntimeError) as error:
        return PlainTextResponse(f"SPARQL update failed: {one_line(error)}\n", status_code=400)
    return Response(status_code=204)


async def editor(request: Request) -> Response:
    """``/sparql``: a SPARQL editor with kg's prefixes, its answers in a table; ``?query=NAME`` opens
    saved query NAME."""
    name = request.query_params.get("query", "")
    saved = saved_queries().get(name)
    if name and saved is None:
        raise HTTPException(404, f"no saved query '{name}' - see /queries for the list")
    text = saved.text if saved is not None else (
        "".join(f"PREFIX {prefix}: <{iri}>\n" for prefix, iri in PREFIXES.items()) + "\n" + _DEFAULT_QUERY)
    return templates.TemplateResponse(request, "sparql.html", {"text": text, "name": name})
