"""A SPARQL 1.1 endpoint as a kg target: queries and updates through SPARQLWrapper, whole-graph
uploads through the Graph Store HTTP Protocol (requests) where the endpoint has one. New graphs go to
Oxigraph as one POST of N-Quads per batch (graphs, shared facts and manifest entries: one transaction
there), elsewhere as one INSERT DATA per batch.

Every request is a POST, in bounded batches, tried again as :mod:`kg.store.transport` says (which
also has the credentials and the timeout). Known server quirks are handled by a dialect: Virtuoso needs
Digest auth for writes, ``define sql:big-data-const 1`` and small subject-grouped ``INSERT DATA``
batches, and cuts results at ``ResultSetMaxRows`` (kg pages instead of returning a truncated answer).
Credentials written in the endpoint URL are taken out of it: kg names and logs the URL without them.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import pyoxigraph as ox
import requests
from requests.auth import AuthBase, HTTPBasicAuth, HTTPDigestAuth
from SPARQLWrapper import BASIC, DIGEST, JSON, POST, URLENCODED, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import EndPointNotFound, QueryBadFormed, SPARQLWrapperException

from kg import __version__
from kg.errors import EndpointError, EndpointUnavailable
from kg.rdf.bindings import with_bindings
from kg.rdf.graphs import ENTITIES_GRAPH, INDEX_UPDATE, MANIFEST_GRAPH, unshare_update
from kg.rdf.nquads import GraphLines
from kg.store.base import (
    MANIFEST_QUERY,
    ManifestEntry,
    Row,
    Term,
    manifest_nquads,
    manifest_quads,
    parse_manifest,
)
from kg.store.transport import (
    HttpStatus,
    credentials,
    hint,
    reason,
    retry,
    short,
    split_credentials,
    timeout_from_env,
)

log = logging.getLogger(__name__)
USER_AGENT = f"kg/{__version__} (https://w3id.org/kg-news; SPARQL loader)"
T = TypeVar("T")
_DISTINCT = re.compile(r"^\s*SELECT\s+DISTINCT\b", re.I | re.M)
_ORDER_BY = re.compile(r"\bORDER\s+BY\b", re.I)
_LIMIT = re.compile(r"\bLIMIT\s+\d+\s*(OFFSET\s+\d+\s*)?$", re.I)


@dataclass(frozen=True)
class Dialect:
    """What a kind of server needs: batch sizes, an update prefix, where writes go."""

    name: str = "generic"
    insert_batch: int = 10_000
    upload_batch: int = 100_000
    update_prefix: str = ""
    union_parameter: str = ""  # asks for the union of all graphs as the default graph
    dedupe_distinct: bool = False
    post_quads: bool = False  # the graph store takes a POST of N-Quads, each graph named in it


GENERIC = Dialect()
VIRTUOSO_ANONYMOUS = Dialect("virtuoso", insert_batch=1_000, dedupe_distinct=True)
OXIGRAPH = Dialect("oxigraph", union_parameter="union-default-graph", post_quads=True)
VIRTUOSO = Dialect("virtuoso", insert_batch=2_000, upload_batch=100_000, update_prefix="define sql:big-data-const 1\n",
                   dedupe_distinct=True)



def _base(url: str) -> str:
    return re.sub(r"/(query|sparql|sparql-auth|update)/?$", "", url.rstrip("/"))


def _unique(rows: Iterator[Row]) -> Iterator[Row]:
    seen: set[Row] = set()
    for row in rows:
        if row not in seen:
            seen.add(row)
            yield row


def _term(binding: Mapping[str, Any]) -> Term:
    kind = binding["type"]
    value = binding["value"]
    if kind == "uri":
        return ox.NamedNode(value)
    if kind == "bnode":
        return ox.BlankNode(re.sub(r"\W", "_", value))
    if "xml:lang" in binding:
        return ox.Literal(value, language=binding["xml:lang"])
    if "datatype" in binding:  # also Virtuoso's SPARQL 1.0-draft "typed-literal"
        return ox.Literal(value, datatype=ox.NamedNode(binding["datatype"]))
    return ox.Literal(value)


class EndpointStore:
    """A SPARQL 1.1 endpoint (query + update, optionally Graph Store Protocol) as a kg target."""

    def __init__(self, query_url: str, update_url: str | None = None, graph_store_url: str | None = None, *,
                 timeout: float | None = None, retries: int = 4) -> None:
        # credentials written in a URL become HTTP auth; the URLs kept (and shown) are without them
        query_url, given = split_credentials(query_url)
        if update_url is not None:
            update_url, update_given = split_credentials(update_url)
            given = given or update_given
        if graph_store_url is not None and graph_store_url != "none":
            graph_store_url, store_given = split_credentials(graph_store_url)
            given = given or store_given
        self.name = query_url
        self.query_url = query_url
        self.timeout = timeout_from_env() if timeout is None else timeout
        self.retries = retries
        self.session = requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT
        self.session.trust_env = False  # credentials only as documented, never picked up implicitly
        self.creds = (given.user, given.password) if given is not None else credentials(query_url)
        self.dialect, server = self._detect()
        base = _base(query_url)
        no_graph_store = graph_store_url == "none"  # force SPARQL Update even where GSP exists
        if no_graph_store:
            graph_store_url = None
        if self.dialect is OXIGRAPH:
            update_url = update_url or f"{base}/update"
            graph_store_url = graph_store_url or f"{base}/store"
        elif self.dialect is VIRTUOSO and self.creds:
            update_url = update_url or f"{base}/sparql-auth"
            graph_store_url = graph_store_url or f"{base}/sparql-graph-crud-auth"
        elif self.dialect is VIRTUOSO:
            # anonymous /sparql forces 'define sql:big-data-const 0': about 1,200 triples per request at most
            self.dialect = VIRTUOSO_ANONYMOUS
        self.update_url = update_url or query_url
        self.graph_store_url = None if no_graph_store else graph_store_url
        self.auth_kind = self._auth_kind()
        self._upload_auth = self._requests_auth()
        self._nonce_primed = False
        log.info("endpoint %s (%s, server %s); updates to %s; graph store %s", query_url, self.dialect.name,
                 server or "?", self.update_url, self.graph_store_url or "none")

    # --- connection -------------------------------------------------------------------------------

    def _detect(self) -> tuple[Dialect, str]:
        def ask() -> requests.Response:
            return self.session.get(self.query_url, params={"query": "ASK {}"}, timeout=self.timeout,
                                    headers={"Accept": "application/sparql-results+json"})

        try:
            response = self._retry("connection", ask)
        except EndpointUnavailable as exc:
            cause = reason(exc.__cause__) if exc.__cause__ is not None else "no answer"
            raise EndpointUnavailable(f"{self.query_url}: cannot connect ({cause}) - is the server running and the "
                                      "URL right?") from None
        if response.status_code == 404:
            raise EndpointError(f"{self.query_url}: not found (404) - give the SPARQL query URL, e.g. "
                                "http://host:7878/query or http://host:8890/sparql")
        server = response.headers.get("Server", "")
        if "virtuoso" in server.lower():
            return VIRTUOSO, server
        if "oxigraph" in server.lower():
            return OXIGRAPH, server
        return GENERIC, server

    def _auth_kind(self) -> str | None:
        if self.creds is None:
            return None
        try:
            response = self.session.get(self.update_url, params={"query": "ASK {}"}, timeout=self.timeout)
        except requests.RequestException:
            return "basic"
        challenge = response.headers.get("WWW-Authenticate", "").lower()
        return "digest" if challenge.startswith("digest") else "basic"

    def _requests_auth(self) -> AuthBase | None:
        if self.creds is None:
            return None
        return HTTPDigestAuth(*self.creds) if self.auth_kind == "digest" else HTTPBasicAuth(*self.creds)

    def _retry(self, what: str, call: Callable[[], T]) -> T:
        return retry(self.name, what, call, retries=self.retries, timeout=self.timeout)


    def _wrapper(self, url: str) -> SPARQLWrapper:
        wrapper = SPARQLWrapper(url, updateEndpoint=url, agent=USER_AGENT)
        wrapper.setMethod(POST)
        wrapper.timeout = self.timeout  # type: ignore[assignment]  # setTimeout() takes whole seconds
        if self.creds is not None:
            wrapper.setHTTPAuth(DIGEST if self.auth_kind == "digest" else BASIC)
            wrapper.setCredentials(*self.creds)
        return wrapper

    # --- reading ----------------------------------------------------------------------------------

    def _select_once(self, text: str) -> tuple[list[str], list[Row], int | None]:
        wrapper = self._wrapper(self.query_url)
        wrapper.setRequestMethod(URLENCODED)
        wrapper.setReturnFormat(JSON)
        if self.dialect.union_parameter:
            wrapper.addParameter(self.dialect.union_parameter, "")
        wrapper.setQuery(text)

        def fetch() -> tuple[bytes, dict[str, str]]:
            response = wrapper.query().response
            try:  # read inside the retry: a reply may stall or break off in its body too
                return response.read(), {k.lower(): v for k, v in response.info().items()}
            finally:
                response.close()

        try:
            body, headers = self._retry("query", fetch)
        except (QueryBadFormed, EndPointNotFound, SPARQLWrapperException) as exc:
            raise EndpointError(f"{self.name}: query refused ({short(exc)}) - check the query and the URL") from None
        variables, rows = self._results(body, headers.get("content-type", ""))
        cap = headers.get("x-sparql-maxrows")
        return variables, rows, int(cap) if cap and cap.isdigit() else None

    def graph_query(self, text: str, bindings: Mapping[str, Term], form: str) -> bool | list[ox.Triple]:
        """An ``ASK`` (its answer) or a ``CONSTRUCT``/``DESCRIBE`` (its triples) over the union of all graphs."""
        accept = "application/sparql-results+json" if form == "ASK" else "application/n-triples, text/turtle;q=0.5"
        params = {self.dialect.union_parameter: ""} if self.dialect.union_parameter else {}
        data = {"query": with_bindings(text, bindings)}

        def fetch() -> requests.Response:
            reply = self.session.post(self.query_url, params=params, data=data, headers={"Accept": accept},
                                      timeout=self.timeout, auth=self.creds)
            if reply.status_code >= 300:
                raise HttpStatus(reply.status_code, reply.text, reply.headers.get("Retry-After"))
            return reply

        reply = self._retry("query", fetch)
        kind = reply.headers.get("Content-Type", "").split(";")[0].strip()
        try:
            if form == "ASK":
                return bool(reply.json()["boolean"])
            return [quad.triple for quad in ox.parse(reply.content, format=ox.RdfFormat.from_media_type(kind)
                                                     or ox.RdfFormat.N_TRIPLES)]
        except (ValueError, KeyError, SyntaxError) as exc:
            raise EndpointError(f"{self.name}: the {form} answer is not {'SPARQL results' if form == 'ASK' else 'RDF'} ({short(exc)}) - "
                                "check that the URL is a SPARQL endpoint") from None

    def _results(self, body: bytes, content_type: str) -> tuple[list[str], list[Row]]:
        """Variables and rows of a SPARQL JSON results document; EndpointError for anything else."""
        def refuse(why: str) -> EndpointError:
            ends = short(body[-120:].decode("utf-8", "replace"), 120)
            return EndpointError(f"{self.name}: the answer is not SPARQL JSON results ({why}; it ends: {ends!r}) - "
                                 "the query may have failed on the server mid-answer (e.g. a SERVICE call): see "
                                 "the server log; else check that the URL is a SPARQL query endpoint")
        try:
            data = json.loads(body)
        except ValueError as exc:
            kind = content_type.partition(";")[0].strip() or "no content type"
            raise refuse(f"{kind}, {exc}") from None
        if not isinstance(data, dict) or not isinstance(data.get("head"), dict):
            raise refuse("no head")
        try:
            variables = [str(v) for v in data["head"]["vars"]]
            return variables, [tuple(_term(b[v]) if v in b else None for v in variables)
                               for b in data["results"]["bindings"]]
        except (KeyError, TypeError, ValueError) as exc:
            raise refuse(f"no {exc}" if isinstance(exc, KeyError) else short(exc)) from None

    def select(self, text: str, bindings: Mapping[str, Term]) -> tuple[list[str], list[Row]]:
        """Run a SELECT with bound values; pages through a server's row cap instead of truncating."""
        variables, rows = self.stream(text, bindings)
        return variables, list(rows)

    def stream(self, text: str, bindings: Mapping[str, Term]) -> tuple[list[str], Iterator[Row]]:
        """Like :meth:`select`, the rows fetched a page (the server's row cap) at a time as they are read."""
        variables, rows = self._pages(with_bindings(text, bindings))
        if self.dialect.dedupe_distinct and _DISTINCT.search(text):
            # Virtuoso repeats DISTINCT rows when a matched triple sits in several graphs of the union
            return variables, _unique(rows)
        return variables, rows

    def _pages(self, bound: str) -> tuple[list[str], Iterator[Row]]:
        variables, first, cap = self._select_once(bound)
        if cap is None or len(first) < cap:
            return variables, iter(first)
        if _LIMIT.search(bound.strip()):
            raise EndpointError(f"{self.name}: the answer was cut at {cap} rows by the server - raise its "
                                "row limit (Virtuoso: ResultSetMaxRows) or lower the query's LIMIT")

        def pages(bound: str, page: list[Row], offset: int) -> Iterator[Row]:
            while True:
                yield from page
                if len(page) < cap:
                    return
                _, page, _ = self._select_once(f"{bound}\nLIMIT {cap} OFFSET {offset}")
                offset += cap

        if not _ORDER_BY.search(bound):
            # pages of an unordered answer may overlap or miss rows: order by every column, start again
            ordered = f"{bound}\nORDER BY {' '.join('?' + v for v in variables)}"
            _, page, _ = self._select_once(f"{ordered}\nLIMIT {cap} OFFSET 0")
            return variables, pages(ordered, page, cap)
        return variables, pages(bound, first, cap)

    def manifest(self) -> dict[str, ManifestEntry]:
        """Every loaded article graph, by graph IRI."""
        _, rows = self.select(MANIFEST_QUERY, {})
        return parse_manifest(rows)

    # --- writing ----------------------------------------------------------------------------------

    def update(self, text: str) -> None:
        """Run one SPARQL 1.1 Update request (POST)."""
        wrapper = self._wrapper(self.update_url)
        wrapper.setRequestMethod(URLENCODED)
        # setQuery() would run SPARQLWrapper's query-type regexes over megabytes of data (measured: 0.8 s of
        # a 1.3 s request), and a Virtuoso 'define' prefix hides the operation from them anyway
        wrapper.queryString = self.dialect.update_prefix + text
        wrapper.queryType = "INSERT"
        try:
            self._retry("update", wrapper.query)
        except (QueryBadFormed, EndPointNotFound, SPARQLWrapperException) as exc:
            raise EndpointError(f"{self.update_url}: update refused ({short(exc)}) - {hint(exc)}") from None

    def replace_graph(self, data: GraphLines, entry: ManifestEntry) -> None:
        """Replace one article graph and its shared facts: forget its manifest entry, take out of the
        entities graph what only the old graph stated, replace the graph, add its shared facts back,
        record the new entry.

        Loads are not atomic on most servers, so the manifest entry goes first and comes back last:
        an interrupted load is simply redone by the next run.
        """
        graph = data.graph
        name = ox.NamedNode(graph)
        forget = f"DELETE WHERE {{ GRAPH <{MANIFEST_GRAPH}> {{ {name} ?p ?o }} }} ;\n{unshare_update(graph)}"
        if self.graph_store_url is not None:
            self.update(forget)
            self._upload(data)
        else:
            batches = list(_batches(data.statements(), self.dialect.insert_batch)) or [[]]
            self.update(f"{forget} ; DROP SILENT GRAPH {name} ; {_insert(graph, batches[0])}")
            for batch in batches[1:]:
                self.update(_insert(graph, batch))
        for batch in _batches(data.shared(), self.dialect.insert_batch):
            self.update(_insert(ENTITIES_GRAPH, batch))
        self.update(_insert(MANIFEST_GRAPH, _statements(manifest_quads(entry))))

    def batch_limit(self, *, empty: bool) -> int:
        """New graphs go together in one request of at most the dialect's batch size: N-Quads to a
        graph store that takes them (Oxigraph), else one INSERT DATA."""
        return self.dialect.upload_batch if self.posts_quads else self.dialect.insert_batch

    @property
    def posts_quads(self) -> bool:
        """Whether new graphs go as one POST of N-Quads per batch (a graph store that takes datasets)."""
        return self.dialect.post_quads and self.graph_store_url is not None

    def add_graphs(self, batch: Sequence[tuple[GraphLines, ManifestEntry]]) -> None:
        """Add several new article graphs and their manifest entries in one request.

        Each graph is dropped first (with what only it stated in the entities graph), so leftovers of
        an interrupted load never survive.
        """
        drops = " ;\n".join([unshare_update([entry.graph for _, entry in batch]),
                              *(f"DROP SILENT GRAPH {ox.NamedNode(entry.graph)}" for _, entry in batch)])
        shared = list(dict.fromkeys(s for data, _ in batch for s in data.shared()))
        if self.posts_quads:
            self.update(drops)
            body = b"".join([*(data.nquads() for data, _ in batch), *(s + _ENTITIES_END for s in shared),
                             manifest_nquads(entry for _, entry in batch)])
            self._send("POST", f"upload of {len(batch)} graphs", body, "application/n-quads", {})
            return
        blocks = [_graph_block(data.graph, data.statements()) for data, _ in batch]
        if shared:
            blocks.append(_graph_block(ENTITIES_GRAPH, shared))
        blocks.append(_graph_block(MANIFEST_GRAPH, _statements(q for _, entry in batch for q in manifest_quads(entry))))
        self.update(f"{drops} ;\nINSERT DATA {{\n{''.join(blocks)}}}")

    def _upload(self, data: GraphLines) -> None:
        chunks = list(_batches(data.statements(), self.dialect.upload_batch))
        for n, chunk in enumerate(chunks or [[]]):
            body = b"".join(s + b" .\n" for s in chunk)
            self._send("PUT" if n == 0 else "POST", f"upload of {data.graph}", body, "application/n-triples",
                       {"graph": data.graph})

    def _send(self, method: str, what: str, body: bytes, content_type: str, params: dict[str, str]) -> None:
        """One request to the graph store, on the session's kept-alive connection, tried again as needed."""
        assert self.graph_store_url is not None
        url = self.graph_store_url
        auth = self._upload_auth
        if isinstance(auth, HTTPDigestAuth) and not self._nonce_primed:
            # get the nonce first (from a graph that is never there: an empty answer), or a big body is
            # sent twice; the same auth object then reuses it for every upload
            self.session.get(url, params={"graph": "urn:kg:nonce"}, auth=auth, timeout=self.timeout)
            self._nonce_primed = True

        def send() -> None:
            response = self.session.request(method, url, params=params, data=body, auth=auth, timeout=self.timeout,
                                            headers={"Content-Type": content_type})
            if response.status_code >= 300:
                raise HttpStatus(response.status_code, response.text, response.headers.get("Retry-After"))

        self._retry(what, send)

    def drop_graph(self, graph: str) -> None:
        """Remove a graph, what only it stated in the entities graph, and its manifest entry."""
        name = ox.NamedNode(graph)
        self.update(f"{unshare_update(graph)} ;\nDROP SILENT GRAPH {name} ; DELETE WHERE {{ GRAPH <{MANIFEST_GRAPH}> {{ {name} ?p ?o }} }}")

    def reindex(self) -> None:
        """Rebuild the entities graph from every graph the endpoint holds."""
        self.update(INDEX_UPDATE)

    def close(self) -> None:
        """Close the HTTP session."""
        self.session.close()



_ENTITIES_END = f" <{ENTITIES_GRAPH}> .\n".encode()


def _statements(quads: Iterable[ox.Quad]) -> list[bytes]:
    return [f"{q.subject} {q.predicate} {q.object}".encode() for q in quads]


def _batches(statements: Sequence[bytes], size: int) -> Iterator[Sequence[bytes]]:
    # statements arrive sorted by subject, so each batch keeps a subject's triples together
    for start in range(0, len(statements), size):
        yield statements[start : start + size]


def _graph_block(graph: str, statements: Sequence[bytes]) -> str:
    text = b" .\n".join(statements).decode("utf-8")
    return f"GRAPH <{graph}> {{\n{text}{' .' if statements else ''}\n}}\n"


def _insert(graph: str, statements: Sequence[bytes]) -> str:
    return f"INSERT DATA {{ {_graph_block(graph, statements)}}}"
