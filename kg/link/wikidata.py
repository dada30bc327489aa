"""Wikidata as a :class:`~kg.link.candidates.CandidateSource`: names are looked up in batches on a SPARQL
endpoint (the Wikidata Query Service, or any store holding Wikidata-shaped triples).

A name matches an item whose English ``rdfs:label`` or ``skos:altLabel`` is exactly the name as
written or its title-cased form (``kirkuk`` -> ``Kirkuk``). Labels in ``mul`` (Wikidata's
language-neutral labels, which replace identical English labels on many items) count as labels too.
Each candidate carries its English label, description, sitelink count, coordinates (``wdt:P625``),
country (``wdt:P17``) and coarse kinds, computed from the classes its ``wdt:P31/wdt:P279*`` chain
reaches (:data:`KIND_CLASSES`). Disambiguation pages and categories are never candidates.

Every batch is one POST; the JSON answer is cached on disk per (endpoint, query) by requests-cache (SQLite,
``responses.sqlite`` in the cache folder), so a second run needs no network. Retries are urllib3's (``Retry`` through a requests ``HTTPAdapter``): 429 and 503 answers
after their ``Retry-After`` (capped), other 5xx answers, timeouts and lost connections with exponential
backoff. Failures become one-line
:class:`~kg.errors.EndpointError` messages naming the endpoint and the fix.
"""

from __future__ import annotations

import email.utils
import json
import logging
import os
import re
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import requests
from requests.adapters import HTTPAdapter
from requests_cache import NEVER_EXPIRE, CachedSession
from urllib3 import BaseHTTPResponse
from urllib3.exceptions import ReadTimeoutError
from urllib3.util.retry import Retry

from kg import __version__
from kg.errors import EndpointError
from kg.link.candidates import Candidate

log = logging.getLogger(__name__)

WIKIDATA_SPARQL = "https://query.wikidata.org/sparql"
USER_AGENT = f"kg/{__version__} (https://w3id.org/kg-news; linking)"
ENTITY = "http://www.wikidata.org/entity/"
EARTH = ENTITY + "Q2"
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"  # GeoSPARQL's default: longitude, latitude on Earth
WKT_LITERAL = "http://www.opengis.net/ont/geosparql#wktLiteral"
LABEL_LANGUAGES = ("en", "mul")

# Wikidata class QID -> coarse kind. An item gets every kind whose class its wdt:P31/wdt:P279* chain
# reaches. Only classes whose QID is known for certain are listed (the comment is the class's label);
# broader classes catch what narrower ones miss, because the chain is followed to any depth.
KIND_CLASSES: dict[str, str] = {
    "Q5": "human",  # human
    "Q6256": "country",  # country
    "Q3624078": "country",  # sovereign state
    "Q56061": "admin",  # administrative territorial entity
    "Q10864048": "admin",  # first-level administrative country subdivision
    "Q486972": "settlement",  # human settlement
    "Q515": "settlement",  # city
    "Q3957": "settlement",  # town
    "Q532": "settlement",  # village
    "Q13226383": "facility",  # facility
    "Q41176": "facility",  # building
    "Q811979": "facility",  # architectural structure
    "Q1248784": "facility",  # airport
    "Q12323": "facility",  # dam
    "Q35145263": "natural",  # natural geographic object
    "Q271669": "natural",  # landform
    "Q4022": "natural",  # river
    "Q46831": "natural",  # mountain range
    "Q8502": "natural",  # mountain
    "Q39816": "natural",  # valley
    "Q23397": "natural",  # lake
    "Q23442": "natural",  # island
    "Q82794": "area",  # geographic region
    "Q17149090": "armed",  # armed organization
    "Q17127659": "armed",  # terrorist organization
    "Q8473": "force",  # military (a state's armed forces)
    "Q176799": "force",  # military unit
    "Q35535": "force",  # police
    "Q327333": "government",  # government agency
    "Q2659904": "government",  # government organization
    "Q7278": "political",  # political party
    "Q7210356": "political",  # political organization
    "Q484652": "international",  # international organization
    "Q245065": "international",  # intergovernmental organization
    "Q192283": "media",  # news agency
    "Q11032": "media",  # newspaper
    "Q1616075": "media",  # television station
    "Q14350": "media",  # radio station
    "Q15265344": "media",  # broadcaster
    "Q43229": "organization",  # organization
}
# items that name pages, not things: never candidates
EXCLUDED_CLASSES = (
    "Q4167410",  # Wikimedia disambiguation page
    "Q4167836",  # Wikimedia category
)

_PREFIXES = """PREFIX wd: <http://www.wikidata.org/entity/>
PREFIX wdt: <http://www.wikidata.org/prop/direct/>
PREFIX wikibase: <http://wikiba.se/ontology#>
PREFIX schema: <http://schema.org/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""
# One row per (name, item). The class path starts from the bound item (FILTER, not VALUES, on ?class)
# so that WDQS walks up from the item instead of down from broad classes such as Q43229.
_QUERY = _PREFIXES + """SELECT ?name ?item (SAMPLE(COALESCE(?enLabel, ?mulLabel)) AS ?label)
  (SAMPLE(?itemDescription) AS ?description) (MAX(?links) AS ?sitelinks) (SAMPLE(?coord) AS ?coordinates)
  (SAMPLE(?itemCountry) AS ?country) (GROUP_CONCAT(DISTINCT STR(?class); separator=" ") AS ?classes)
  (MAX(?onLabel) AS ?exact)
WHERE {
  VALUES ?name { %(names)s }
  { ?item rdfs:label ?name . BIND(1 AS ?onLabel) }
  UNION
  { ?item skos:altLabel ?name . BIND(0 AS ?onLabel) }
  FILTER(STRSTARTS(STR(?item), "http://www.wikidata.org/entity/Q"))
  FILTER NOT EXISTS { ?item wdt:P31 ?skip . FILTER(?skip IN (%(excluded)s)) }
  OPTIONAL { ?item rdfs:label ?enLabel . FILTER(LANG(?enLabel) = "en") }
  OPTIONAL { ?item rdfs:label ?mulLabel . FILTER(LANG(?mulLabel) = "mul") }
  OPTIONAL { ?item schema:description ?itemDescription . FILTER(LANG(?itemDescription) = "en") }
  OPTIONAL { ?item wikibase:sitelinks ?links }
  OPTIONAL { ?item wdt:P625 ?coord }
  OPTIONAL { ?item wdt:P17 ?itemCountry }
  OPTIONAL { ?item wdt:P31/wdt:P279* ?class . FILTER(?class IN (%(classes)s)) }
}
GROUP BY ?name ?item
"""
_POINT = re.compile(r"^\s*(?:<([^>]*)>\s*)?Point\s*\(\s*(\S+)\s+(\S+)\s*\)\s*$", re.I)
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
# 429: rate limited; 502-504: gateway or backend busy; 500: WDQS also answers its 60 s timeout so
_RETRIED_STATUS = frozenset({429, 500, 502, 503, 504})
_ERRNO = re.compile(r"\[Errno -?\d+\] [^'\")>]*")


def default_cache_dir() -> Path:
    """``$KG_CACHE_DIR/wikidata`` if set, else ``$XDG_CACHE_HOME/kg/wikidata`` (``~/.cache/kg/wikidata``)."""
    root = os.environ.get("KG_CACHE_DIR")
    if root:
        return Path(root).expanduser() / "wikidata"
    base = os.environ.get("XDG_CACHE_HOME")
    return (Path(base) if base else Path.home() / ".cache") / "kg" / "wikidata"


def title_case(name: str) -> str:
    """The name with each word capitalised and the rest lower-cased; apostrophes do not split words.

    >>> title_case("kirkuk"), title_case("ISIS"), title_case("al-qaeda"), title_case("people's army")
    ('Kirkuk', 'Isis', 'Al-Qaeda', "People's Army")
    """
    return _WORD.sub(lambda m: m[0][:1].upper() + m[0][1:].lower(), name)


def parse_point(wkt: str) -> tuple[float, float] | None:
    """``(longitude, latitude)`` of a WKT point as WDQS writes ``wdt:P625``; None for other globes or shapes.

    >>> parse_point("Point(44.39 35.47)")
    (44.39, 35.47)
    >>> parse_point("<http://www.wikidata.org/entity/Q405> Point(10 20)") is None  # on the Moon
    True
    """
    match = _POINT.match(wkt)
    if match is None or match[1] not in (None, EARTH, CRS84):
        return None
    try:
        return float(match[2]), float(match[3])
    except ValueError:
        return None


def retry_after(value: str | None, cap: float, now: datetime | None = None) -> float | None:
    """Seconds to wait for a ``Retry-After`` header (delta-seconds or HTTP date), at most ``cap``.

    >>> retry_after("5", 60), retry_after("600", 60), retry_after(None, 60), retry_after("soon", 60)
    (5.0, 60, None, None)
    """
    if value is None or not value.strip():
        return None
    text = value.strip()
    if text.isdigit():
        seconds = float(text)
    else:
        try:
            when = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
    return min(max(seconds, 0.0), cap)


def build_query(names: Sequence[str]) -> str:
    """The lookup query for one batch of names (each already in every form to try)."""
    literals = [str(ox.Literal(name, language=lang)) for name in names for lang in LABEL_LANGUAGES]
    return _QUERY % {
        "names": " ".join(literals),
        "excluded": ", ".join(f"wd:{q}" for q in EXCLUDED_CLASSES),
        "classes": ", ".join(f"wd:{q}" for q in KIND_CLASSES),
    }


class WikidataSource:
    """Candidates from Wikidata (or a Wikidata-shaped SPARQL endpoint), cached on disk.

    ``backoff`` is the first pause between retries (doubled each time); ``max_wait`` caps every
    pause, including one a server asks for with ``Retry-After``.
    """

    name = "wikidata"

    def __init__(self, endpoint: str = WIKIDATA_SPARQL, cache_dir: Path | str | None = None, *, batch_size: int = 50,
                 timeout: float = 60, retries: int = 4, backoff: float = 1.0, max_wait: float = 60.0) -> None:
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        self.endpoint = endpoint
        self.cache_dir = Path(cache_dir) if cache_dir is not None else default_cache_dir()
        self.batch_size = batch_size
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.max_wait = max_wait
        self._http: requests.Session | None = None

    def candidates(self, names: Sequence[str]) -> dict[str, list[Candidate]]:
        """Candidates per name (keys as given; names without candidates are left out).

        Candidates are ordered label matches first, then by sitelinks.
        """
        given: dict[str, list[str]] = {}
        for name in names:
            key = " ".join(name.split())
            if key:
                given.setdefault(key, []).append(name)
        found: dict[str, dict[str, Candidate]] = {}
        # sorted, so the same set of names makes the same batches (and cache keys) in any order
        for batch in _chunks(sorted(given), self.batch_size):
            forms: dict[str, set[str]] = {}
            for name in batch:
                for form in (name, title_case(name)):
                    forms.setdefault(form, set()).add(name)
            result = self._fetch(build_query(list(forms)))
            for row in result["results"]["bindings"]:
                candidate = _candidate(row)
                if candidate is None:
                    continue
                for name in forms.get(row["name"]["value"], ()):
                    known = found.setdefault(name, {})
                    before = known.get(candidate.qid)
                    if before is None or (candidate.exact and not before.exact):
                        known[candidate.qid] = candidate
        answer: dict[str, list[Candidate]] = {}
        for key, by_qid in found.items():
            ranked = sorted(by_qid.values(), key=lambda c: (not c.exact, -c.sitelinks, _qid_number(c.qid)))
            for original in given[key]:
                answer[original] = list(ranked)
        return answer

    # --- one query: the cache, then the network ------------------------------------------------------------

    def _session(self) -> requests.Session:
        """One session per source: requests-cache's SQLite cache of the good answers (per endpoint and
        query, kept until removed), over urllib3's retries: 429 and 503 after their ``Retry-After`` (capped),
        the other retried statuses, timeouts and lost connections with backoff."""
        if self._http is None:
            retries = _Retry(total=self.retries, backoff_factor=self.backoff, backoff_max=self.max_wait,
                             status_forcelist=_RETRIED_STATUS, allowed_methods=frozenset({"POST"}),
                             raise_on_status=False)
            self._http = _cached_session(self.cache_dir)
            self._http.headers.update({"User-Agent": USER_AGENT, "Accept": "application/sparql-results+json"})
            for scheme in ("http://", "https://"):
                self._http.mount(scheme, HTTPAdapter(max_retries=retries))
        return self._http

    def _fetch(self, query: str) -> dict[str, Any]:
        tries = f"after {self.retries + 1} tries" if self.retries else "(no retries)"
        try:
            response = self._session().post(self.endpoint, data={"query": query}, timeout=self.timeout)
        except requests.RequestException as exc:
            problem = _network_problem(exc, self.timeout)
            hint = "try again later"
            if problem.startswith("no answer"):
                hint = "lower batch_size or raise timeout, or try again later"
            elif problem.startswith("cannot connect"):
                hint = f"check the URL and the network (Wikidata's endpoint is {WIKIDATA_SPARQL})"
            raise EndpointError(f"{self.endpoint}: Wikidata lookup failed {tries} ({problem}) - {hint}") from None
        with response:
            status, body = response.status_code, response.text
        if status in _RETRIED_STATUS:
            hint = "lower batch_size or raise timeout, or try again later" if "timeout" in body.lower() else \
                "try again later"
            raise EndpointError(f"{self.endpoint}: Wikidata lookup failed {tries} (HTTP {status}: {_short(body, 80)}) "
                                f"- {hint}")
        if status != 200:
            raise EndpointError(f"{self.endpoint}: {_refused(status, body)}")
        try:
            data = json.loads(body)
        except ValueError:
            data = None
        if not _is_results(data):
            raise EndpointError(f"{self.endpoint}: the answer is not SPARQL JSON results - give the SPARQL "
                                f"endpoint URL, e.g. {WIKIDATA_SPARQL}")
        result: dict[str, Any] = data
        return result


def _cached_session(folder: Path) -> requests.Session:
    """A session that keeps SPARQL JSON answers in ``folder/responses.sqlite`` (a plain session, with a
    warning, when the folder cannot be written)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if not os.access(folder, os.W_OK):
            raise PermissionError(f"no write permission on {folder}")
        return CachedSession(str(folder / "responses"), backend="sqlite", serializer="json", expire_after=NEVER_EXPIRE,
                             allowable_methods=("POST",), allowable_codes=(200,), filter_fn=_holds_results)
    except (OSError, sqlite3.Error) as exc:
        log.warning("cannot write the Wikidata cache in %s (%s); set KG_CACHE_DIR to a writable folder", folder, exc)
        return requests.Session()


def _holds_results(response: requests.Response) -> bool:
    """Only SPARQL JSON results are cached: a busy server's HTML page is asked again next time."""
    try:
        return _is_results(response.json())
    except ValueError:
        return False


class _Retry(Retry):
    """urllib3's retries, with the wait a server asks for (``Retry-After``) capped at ``backoff_max``."""

    def get_retry_after(self, response: BaseHTTPResponse) -> float | None:
        """Seconds the server asked to wait, at most ``backoff_max`` (None: it did not ask)."""
        return retry_after(response.headers.get("Retry-After"), self.backoff_max)


def _refused(status: int, body: str) -> str:
    """What an answer that is not worth retrying means, and the fix.

    >>> _refused(404, "")
    'not found (HTTP 404) - give the SPARQL endpoint URL, e.g. https://query.wikidata.org/sparql'
    """
    if status == 400:
        return f"the lookup query was refused as malformed ({_short(body)}) - is this a SPARQL 1.1 endpoint?"
    if status == 404:
        return f"not found (HTTP 404) - give the SPARQL endpoint URL, e.g. {WIKIDATA_SPARQL}"
    if status == 401:
        return f"unauthorised (HTTP 401) - use a public SPARQL endpoint such as {WIKIDATA_SPARQL}"
    if status == 414:
        return "request too long (HTTP 414) - lower batch_size"
    return f"Wikidata lookup failed (HTTP {status}: {_short(body)}) - {_status_hint(status)}"


def _chunks(items: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _is_results(data: object) -> bool:
    return (isinstance(data, dict) and isinstance(data.get("head"), dict) and isinstance(data.get("results"), dict)
            and isinstance(data["results"].get("bindings"), list))


def _qid_number(qid: str) -> int:
    return int(qid[1:]) if qid[1:].isdigit() else 0


def _qid(iri: str) -> str | None:
    if not iri.startswith(ENTITY):
        return None
    qid = iri[len(ENTITY):]
    return qid if qid[:1] == "Q" and qid[1:].isdigit() else None


def _candidate(row: Mapping[str, Any]) -> Candidate | None:
    """The candidate of one result row (None if the row is not about an item)."""
    if "name" not in row or "item" not in row:
        return None
    qid = _qid(row["item"]["value"])
    if qid is None:
        return None

    def text(var: str) -> str:
        value = row.get(var, {}).get("value", "")
        return str(value)

    kinds = frozenset(KIND_CLASSES[q] for q in (_qid(c) for c in text("classes").split()) if q in KIND_CLASSES)
    try:
        sitelinks = int(text("sitelinks") or 0)
    except ValueError:
        sitelinks = 0
    country = _qid(text("country"))
    return Candidate(
        qid=qid,
        label=text("label") or row["name"]["value"],
        kinds=kinds,
        description=text("description"),
        sitelinks=sitelinks,
        coordinates=parse_point(text("coordinates")) if "coordinates" in row else None,
        country=country,
        exact=text("exact").strip() not in ("", "0"),
    )


def _network_problem(error: requests.RequestException, timeout: float) -> str:
    """A failed connection in a few words: the timeout, or the system's reason for no connection."""
    cause = error.args[0] if error.args else error
    reason = getattr(cause, "reason", cause)  # urllib3's MaxRetryError wraps the last failure
    if (isinstance(error, requests.Timeout) and not isinstance(error, requests.ConnectTimeout)) or \
            isinstance(reason, ReadTimeoutError):
        return f"no answer within the {timeout:g} s timeout"
    system = _ERRNO.search(str(reason))
    return f"cannot connect: {_short(system.group(0) if system else reason, 80)}"


def _status_hint(status: int) -> str:
    if status == 403:
        return ("the endpoint refuses this client (Wikidata blocks clients over its rate limits or without a "
                "descriptive User-Agent); wait before retrying")
    if status == 405:
        return "the endpoint does not take POST queries; give its SPARQL query URL"
    return f"check the endpoint URL (Wikidata's is {WIKIDATA_SPARQL})"


def _short(error: object, limit: int = 160) -> str:
    """One line of an error, cut short."""
    text = " ".join(str(error).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
