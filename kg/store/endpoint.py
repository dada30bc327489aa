"""A SPARQL 1.1 endpoint as a kg target: queries and updates through SPARQLWrapper, whole-graph
uploads through the Graph Store HTTP Protocol (requests) where the endpoint has one.

Every request is a POST, in bounded batches, retried with backoff on connection errors, 5xx gateway
errors and deadlocks, after ``Retry-After`` on 429, and once on a timeout (``KG_ENDPOINT_TIMEOUT``
seconds, default 120). A connection that cannot be made or a refusal of the credentials raises
:class:`~kg.errors.EndpointUnavailable`: nothing after it can pass either, so loads stop there. Known server quirks are handled by a dialect: Virtuoso needs Digest auth for
writes, ``define sql:big-data-const 1`` and small subject-grouped ``INSERT DATA`` batches, and cuts
results at ``ResultSetMaxRows`` (kg pages instead of returning a truncated answer). Credentials come
from ``user:password@`` in the endpoint URL, ``KG_ENDPOINT_USER``/``KG_ENDPOINT_PASSWORD`` or ``~/.netrc``
(in that order); they are sent as HTTP auth and never shown: kg names the URL without them.
"""

from __future__ import annotations

import email.utils
import http.client
import json
import logging
import netrc
import os
import re
import time
import urllib.error
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import unquote, urlsplit, urlunsplit

import pyoxigraph as ox
import requests
from requests.auth import AuthBase, HTTPBasicAuth, HTTPDigestAuth
from SPARQLWrapper import BASIC, DIGEST, JSON, POST, URLENCODED, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import (
    EndPointInternalError,
    EndPointNotFound,
    QueryBadFormed,
    SPARQLWrapperException,
    Unauthorized,
)

from kg import __version__
from kg.errors import EndpointError, EndpointUnavailable
from kg.rdf.graphs import ENTITIES_GRAPH, INDEX_UPDATE, MANIFEST_GRAPH, shared_quads, unshare_update
from kg.store.base import (
    MANIFEST_QUERY,
    ManifestEntry,
    Row,
    Term,
    manifest_quads,
    ntriples,
    parse_manifest,
)

log = logging.getLogger(__name__)
USER_AGENT = f"kg/{__version__} (https://w3id.org/kg-news; SPARQL loader)"
T = TypeVar("T")
_DISTINCT = re.compile(r"^\s*SELECT\s+DISTINCT\b", re.I | re.M)
_ORDER_BY = re.compile(r"\bORDER\s+BY\b", re.I)
_LIMIT = re.compile(r"\bLIMIT\s+\d+\s*(OFFSET\s+\d+\s*)?$", re.I)
_TRANSIENT = ("40001", "SR172", "deadlock", "timed out", "Temporary")
TIMEOUT_VARIABLE = "KG_ENDPOINT_TIMEOUT"
DEFAULT_TIMEOUT = 120.0
MAX_RETRY_AFTER = 60.0  # a server asking for longer is reported instead of waited for
_FIRST_DELAY = 0.25  # connection retries wait 0.25 + 0.5 + 1 + 2 s: a restart gets a few seconds, no more
_CREDENTIALS_FIX = ("give the credentials of an account allowed to do it: user:password@ in the endpoint URL, "
                    "KG_ENDPOINT_USER/KG_ENDPOINT_PASSWORD, or ~/.netrc")


@dataclass(frozen=True)
class Dialect:
    """What a kind of server needs: batch sizes, an update prefix, where writes go."""

    name: str = "generic"
    insert_batch: int = 10_000
    upload_batch: int = 100_000
    update_prefix: str = ""
    union_parameter: str = ""  # asks for the union of all graphs as the default graph
    dedupe_distinct: bool = False


GENERIC = Dialect()
VIRTUOSO_ANONYMOUS = Dialect("virtuoso", insert_batch=1_000, dedupe_distinct=True)
OXIGRAPH = Dialect("oxigraph", union_parameter="union-default-graph")
VIRTUOSO = Dialect("virtuoso", insert_batch=2_000, upload_batch=100_000, update_prefix="define sql:big-data-const 1\n",
                   dedupe_distinct=True)


@dataclass(frozen=True)
class Credentials:
    """A user and password for an endpoint; the password is left out of the repr.

    >>> Credentials("analyst", "s3cret")
    Credentials(user='analyst')
    """

    user: str
    password: str = field(repr=False)


def split_credentials(url: str) -> tuple[str, Credentials | None]:
    """``url`` without its ``user:password@`` part, and that part (percent-decoded), if any.

    >>> split_credentials("http://analyst:p%40ss@host:8890/sparql")
    ('http://host:8890/sparql', Credentials(user='analyst'))
    >>> split_credentials("http://host/sparql")
    ('http://host/sparql', None)
    """
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url, None
    userinfo, _, host = parts.netloc.rpartition("@")
    user, _, password = userinfo.partition(":")
    return urlunsplit(parts._replace(netloc=host)), Credentials(unquote(user), unquote(password))


def timeout_from_env() -> float:
    """Seconds to wait for an endpoint's answer: ``KG_ENDPOINT_TIMEOUT``, else 120.

    Raises:
        EndpointError: the variable is set to something that is not a positive number.
    """
    text = os.environ.get(TIMEOUT_VARIABLE, "").strip()
    if not text:
        return DEFAULT_TIMEOUT
    try:
        seconds = float(text)
    except ValueError:
        seconds = 0.0
    if not 0 < seconds < float("inf"):
        raise EndpointError(f"{TIMEOUT_VARIABLE}={text!r} is not a number of seconds - set it to e.g. 30, or unset "
                            "it for the default of 120")
    return seconds


def credentials(url: str) -> tuple[str, str] | None:
    """``KG_ENDPOINT_USER``/``KG_ENDPOINT_PASSWORD``, else the ``~/.netrc`` entry for the host, else None."""
    user, password = os.environ.get("KG_ENDPOINT_USER"), os.environ.get("KG_ENDPOINT_PASSWORD")
    if user and password is not None:
        return user, password
    try:
        found = netrc.netrc().authenticators(urlsplit(url).hostname or "")
    except (FileNotFoundError, netrc.NetrcParseError):
        return None
    if found and found[0] and found[2] is not None:
        return found[0], found[2]
    return None


def _base(url: str) -> str:
    return re.sub(r"/(query|sparql|sparql-auth|update)/?$", "", url.rstrip("/"))


def with_bindings(text: str, bindings: Mapping[str, Term]) -> str:
    """The query with a ``VALUES`` block binding the given variables, at the top of each WHERE clause
    that uses one of them.

    Terms are written in their escaped N-Triples form by pyoxigraph, so a value can never change the
    query's structure. Sub-selects get the block too, not only the outer WHERE: a sub-select is
    evaluated on its own, and the saved queries narrow their rows by a parameter inside one (the
    embedded store's substitutions replace the variable everywhere, to the same effect).

    >>> with_bindings("SELECT ?x WHERE { ?x ?p ?param_n }", {"param_n": ox.Literal('a" } DROP ALL #')})
    'SELECT ?x WHERE { VALUES (?param_n) { ("a\\\\" } DROP ALL #") } ?x ?p ?param_n }'
    """
    if not bindings:
        return text
    code = _code_only(text)
    inserts: list[tuple[int, str]] = []
    for start, end in _where_clauses(code):
        names = sorted(n for n in bindings if re.search(rf"[?$]{re.escape(n)}\b", code[start:end]))
        if names:
            values = " ".join(str(bindings[n]) for n in names)
            inserts.append((start, f" VALUES ({' '.join('?' + n for n in names)}) {{ ({values}) }}"))
    if not inserts:
        raise EndpointError("query has no WHERE { ... } clause using the parameters to bind them into")
    for at, block in sorted(inserts, reverse=True):
        text = text[:at] + block + text[at:]
    return text


_TOKENS = re.compile("|".join([
    r'"""(?:[^"\\]|\\.|"(?!""))*"""', r"'''(?:[^'\\]|\\.|'(?!''))*'''",  # long strings
    r'"(?:[^"\\\n]|\\.)*"', r"'(?:[^'\\\n]|\\.)*'",  # strings
    r'<[^<>"{}|^`\\\x00-\x20]*>',  # IRIs, which may hold a '#'
    r"#[^\n]*",  # comments
]))


def _code_only(text: str) -> str:
    """``text`` with comments and the insides of strings and IRIs blanked, offsets kept."""
    def blank(match: re.Match[str]) -> str:
        token = match.group(0)
        if token.startswith("#"):
            return " " * len(token)
        if len(token) > 1:
            return token[0] + " " * (len(token) - 2) + token[-1]
        return token
    return _TOKENS.sub(blank, text)


def _where_clauses(code: str) -> list[tuple[int, int]]:
    """(just after the opening brace, the closing brace) of each ``WHERE {`` group in ``code``."""
    spans: list[tuple[int, int]] = []
    open_braces: list[tuple[int, bool]] = []
    for match in re.finditer(r"\bWHERE\s*\{|[{}]", code, re.IGNORECASE):
        token = match.group(0)
        if token == "}":
            if open_braces:
                start, is_where = open_braces.pop()
                if is_where:
                    spans.append((start, match.start()))
        else:
            open_braces.append((match.end(), token != "{"))
    return spans


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
            cause = _reason(exc.__cause__) if exc.__cause__ is not None else "no answer"
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
        """``call()``, tried again after what may pass: connection errors (with backoff, a few seconds in
        all), 502/503/504 and deadlocks (backoff), 429 (after its ``Retry-After``), a timeout (once).

        Raises:
            EndpointUnavailable: no connection after the retries, or HTTP 401/403; the cause of a
                connection failure is kept as ``__cause__``.
            EndpointError: any other failure, or the retries ran out.
        """
        delay = _FIRST_DELAY
        timeouts = 0
        for attempt in range(self.retries + 1):
            wait = delay
            try:
                return call()
            except Unauthorized:
                raise EndpointUnavailable(f"{self.name}: {what} refused (HTTP 401) - the endpoint needs "
                                          f"credentials: {_CREDENTIALS_FIX}") from None
            except urllib.error.HTTPError as exc:
                body = _read_quietly(exc)
                error: Exception = _HttpStatus(exc.code, body, exc.headers.get("Retry-After"))
            except _HttpStatus as exc:
                error = exc
            except EndPointInternalError as exc:
                if not any(mark in str(exc) for mark in _TRANSIENT):
                    raise EndpointError(f"{self.name}: {what} failed ({_short(exc)}) - {_hint(exc)}") from None
                error = exc
            except (OSError, requests.RequestException, http.client.HTTPException) as exc:
                if _timed_out(exc):
                    timeouts += 1
                    if timeouts > 1:
                        raise EndpointError(f"{self.name}: {what} timed out twice (no answer within "
                                            f"{self.timeout:g} s) - set {TIMEOUT_VARIABLE} to more seconds, or "
                                            "lighten the request") from None
                    error = TimeoutError(f"no answer within {self.timeout:g} s")
                else:
                    error = exc
                    if attempt == self.retries:
                        raise EndpointUnavailable(f"{self.name}: {what} failed: no connection after {attempt + 1} "
                                                  f"tries ({_short(_reason(exc))}) - is the server up?") from exc
            if isinstance(error, _HttpStatus):
                wait = self._status_wait(what, error, delay)
            if attempt == self.retries:
                raise EndpointError(f"{self.name}: {what} failed after {attempt + 1} tries ({_short(error)}) - "
                                    "is the server up?") from None
            log.warning("%s: %s failed (%s); retrying in %.1f s", self.name, what, _short(error), wait)
            time.sleep(wait)
            delay *= 2
        raise AssertionError("unreachable")

    def _status_wait(self, what: str, error: _HttpStatus, delay: float) -> float:
        """How long to wait before trying a request again that got ``error``; raises when it must not be."""
        status, body = error.status, error.body
        if status == 401:
            raise EndpointUnavailable(f"{self.name}: {what} refused (HTTP 401) - the endpoint needs credentials: "
                                      f"{_CREDENTIALS_FIX}") from None
        if status == 403:
            if "read-only" in body.lower():
                raise EndpointUnavailable(f"{self.name}: {what} refused (HTTP 403: {_short(body)}) - the server "
                                          "is read-only: restart it with --read-write ('kg serve --read-write') "
                                          "to write to it") from None
            raise EndpointUnavailable(f"{self.name}: {what} refused (HTTP 403: {_short(body)}) - the account is "
                                      f"not allowed to: {_CREDENTIALS_FIX}") from None
        if status == 429:
            wait = _retry_after(error.retry_after, delay)
            if wait > MAX_RETRY_AFTER:
                raise EndpointError(f"{self.name}: {what} refused (HTTP 429: too many requests, retry after "
                                    f"{wait:.0f} s) - try again later") from None
            return wait
        if status in {502, 503, 504} or (status == 500 and any(m in body for m in _TRANSIENT)):
            return delay
        raise EndpointError(f"{self.name}: {what} failed (HTTP {status}: {_short(body)}) - "
                            f"{_hint(Exception(f'HTTP {status} {body[:200]}'))}") from None

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
            raise EndpointError(f"{self.name}: query refused ({_short(exc)}) - check the query and the URL") from None
        variables, rows = self._results(body, headers.get("content-type", ""))
        cap = headers.get("x-sparql-maxrows")
        return variables, rows, int(cap) if cap and cap.isdigit() else None

    def _results(self, body: bytes, content_type: str) -> tuple[list[str], list[Row]]:
        """Variables and rows of a SPARQL JSON results document; EndpointError for anything else."""
        def refuse(why: str) -> EndpointError:
            ends = _short(body[-120:].decode("utf-8", "replace"), 120)
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
            raise refuse(f"no {exc}" if isinstance(exc, KeyError) else _short(exc)) from None

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
            raise EndpointError(f"{self.update_url}: update refused ({_short(exc)}) - {_hint(exc)}") from None

    def replace_graph(self, graph: str, quads: Sequence[ox.Quad], entry: ManifestEntry) -> None:
        """Replace one article graph and its shared facts: forget its manifest entry, take out of the
        entities graph what only the old graph stated, replace the graph, add its shared facts back,
        record the new entry.

        Loads are not atomic on most servers, so the manifest entry goes first and comes back last:
        an interrupted load is simply redone by the next run.
        """
        name = ox.NamedNode(graph)
        forget = f"DELETE WHERE {{ GRAPH <{MANIFEST_GRAPH}> {{ {name} ?p ?o }} }} ;\n{unshare_update(graph)}"
        if self.graph_store_url is not None:
            self.update(forget)
            self._upload(graph, quads)
        else:
            batches = list(_batches(quads, self.dialect.insert_batch)) or [[]]
            self.update(f"{forget} ; DROP SILENT GRAPH {name} ; {_insert(graph, batches[0])}")
            for batch in batches[1:]:
                self.update(_insert(graph, batch))
        for batch in _batches(shared_quads(graph, quads), self.dialect.insert_batch):
            self.update(_insert(ENTITIES_GRAPH, batch))
        self.update(_insert(MANIFEST_GRAPH, manifest_quads(entry)))

    def batch_limit(self, *, empty: bool) -> int:
        """New graphs go together in one INSERT DATA request of at most the dialect's batch size."""
        return self.dialect.insert_batch

    def add_graphs(self, batch: Sequence[tuple[Sequence[ox.Quad], ManifestEntry]]) -> None:
        """Add several new article graphs and their manifest entries in one update request.

        Each graph is dropped first (with what only it stated in the entities graph), so leftovers of
        an interrupted load never survive.
        """
        drops = " ;\n".join([unshare_update([entry.graph for _, entry in batch]),
                              *(f"DROP SILENT GRAPH {ox.NamedNode(entry.graph)}" for _, entry in batch)])
        blocks = [_graph_block(entry.graph, quads) for quads, entry in batch]
        shared = {q: None for quads, entry in batch for q in shared_quads(entry.graph, quads)}
        if shared:
            blocks.append(_graph_block(ENTITIES_GRAPH, list(shared)))
        blocks.append(_graph_block(MANIFEST_GRAPH, [q for _, entry in batch for q in manifest_quads(entry)]))
        self.update(f"{drops} ;\nINSERT DATA {{\n{''.join(blocks)}}}")

    def _upload(self, graph: str, quads: Sequence[ox.Quad]) -> None:
        assert self.graph_store_url is not None
        auth = self._upload_auth
        if isinstance(auth, HTTPDigestAuth) and not self._nonce_primed:
            # get the nonce first (from a graph that is never there: an empty answer), or a big body is
            # sent twice; the same auth object then reuses it for every upload
            self.session.get(self.graph_store_url, params={"graph": "urn:kg:nonce"}, auth=auth, timeout=self.timeout)
            self._nonce_primed = True
        chunks = list(_batches(quads, self.dialect.upload_batch))
        for n, chunk in enumerate(chunks or [[]]):
            body = (ntriples(chunk) + "\n").encode("utf-8")
            method = "PUT" if n == 0 else "POST"

            def send(method: str = method, body: bytes = body) -> None:
                response = self.session.request(method, self.graph_store_url,  # type: ignore[arg-type]
                                                params={"graph": graph}, data=body, auth=auth,
                                                timeout=self.timeout,
                                                headers={"Content-Type": "application/n-triples"})
                if response.status_code >= 300:
                    raise _HttpStatus(response.status_code, response.text, response.headers.get("Retry-After"))

            self._retry(f"upload of {graph}", send)

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


class _HttpStatus(Exception):
    def __init__(self, status: int, body: str, retry_after: str | None = None) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status
        self.body = body
        self.retry_after = retry_after


def _timed_out(error: BaseException) -> bool:
    if isinstance(error, (TimeoutError, requests.Timeout)):
        return not isinstance(error, requests.ConnectTimeout)  # a connect timeout is no connection
    return isinstance(error, urllib.error.URLError) and isinstance(error.reason, TimeoutError)


def _reason(error: BaseException) -> str:
    """What went wrong with a connection, without the URL (requests puts it, credentials and all, in its
    messages)."""
    if isinstance(error, urllib.error.URLError) and isinstance(error.reason, BaseException):
        error = error.reason
    if isinstance(error, requests.ConnectionError):
        return type(error).__name__
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__


def _retry_after(header: str | None, default: float) -> float:
    """Seconds to wait from a ``Retry-After`` header (seconds, or an HTTP date); ``default`` without one.

    >>> _retry_after("3", 0.5), _retry_after(None, 0.5), _retry_after("soon", 0.5)
    (3.0, 0.5, 0.5)
    """
    if not header:
        return default
    if header.strip().isdigit():
        return float(header.strip())
    try:
        when = email.utils.parsedate_to_datetime(header)
    except (TypeError, ValueError):
        return default
    return max(0.0, when.timestamp() - time.time())


def _read_quietly(error: urllib.error.HTTPError) -> str:
    """The body of an HTTP error response, then closed (it must not leak its socket)."""
    try:
        return error.read().decode("utf-8", "replace")
    except OSError:
        return ""
    finally:
        error.close()


def _hint(error: Exception) -> str:
    """What to do about an endpoint's refusal, from its message.

    >>> _hint(Exception("Virtuoso 42000 Error The estimated execution time 2182 (sec) exceeds the limit of 400"))
    "give the query a parameter, or raise Virtuoso's MaxQueryCostEstimationTime ([SPARQL] in virtuoso.ini)"
    """
    text = str(error)
    if isinstance(error, Unauthorized) or any(code in text for code in ("SR186", "SR619", "HTTP 401", "HTTP 403")):
        return "set KG_ENDPOINT_USER/KG_ENDPOINT_PASSWORD (or ~/.netrc) for an account allowed to write"
    if "estimated execution time" in text:
        return "give the query a parameter, or raise Virtuoso's MaxQueryCostEstimationTime ([SPARQL] in virtuoso.ini)"
    if "SR353" in text:
        # kg pages through ResultSetMaxRows with OFFSET, and a sorted page past MaxSortedTopRows is refused
        return ("give the query a parameter or --limit, or raise Virtuoso's ResultSetMaxRows ([SPARQL]) or "
                "MaxSortedTopRows ([Parameters]) in virtuoso.ini")
    return "check the request and the server log"


def _short(error: object, limit: int = 160) -> str:
    """One line of an error, cut short: Virtuoso echoes whole 1 MB queries in its messages."""
    text = " ".join(str(error).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _batches(quads: Sequence[ox.Quad], size: int) -> Iterator[Sequence[ox.Quad]]:
    # quads arrive sorted by subject, so each batch keeps a subject's triples together
    for start in range(0, len(quads), size):
        yield quads[start : start + size]


def _graph_block(graph: str, quads: Sequence[ox.Quad]) -> str:
    return f"GRAPH <{graph}> {{\n{ntriples(quads)}\n}}\n"


def _insert(graph: str, quads: Sequence[ox.Quad]) -> str:
    return f"INSERT DATA {{ {_graph_block(graph, quads)}}}"

