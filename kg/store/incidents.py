"""Keep the incidents graph exact on every load, replacement and retraction (the rule: :mod:`kg.store.reports`).

After a load or a retraction only what the touched articles can change is recomputed: their body
hashes and those of the articles sharing one (near-duplicates), then the incidents their events were
in and every report linked to them, found by SPARQL over place-and-date blocks, step by step until
nothing new turns up. That set is a union of whole incidents, so recomputing it gives what a pass over
the whole store would; ``reindex`` (and a store without an incidents graph) does that whole pass.

An article whose body repeats another's (:func:`~kg.store.reports.body_hash`) stays loaded but is
marked ``kg:duplicateOf`` the smallest article IRI of its body, and its events report no incident.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from typing import Protocol
from urllib.parse import unquote

import pyoxigraph as ox
from rdflib.namespace import RDFS

from kg.rdf.bindings import values_block
from kg.rdf.graphs import INCIDENTS_GRAPH
from kg.rdf.namespaces import NIF, SCHEMA
from kg.rdf.terms import Terms
from kg.rdf.vocab import KG
from kg.store.base import Row, Term, ntriples
from kg.store.reports import EVENT_CLASSES, REACH, Report, body_hash, components, incident_quads

log = logging.getLogger("kg")
_KG, _RDFS = Terms(KG), Terms(RDFS)
_GRAPH = ox.NamedNode(INCIDENTS_GRAPH)
_CHUNK = 500  # values per VALUES block: endpoints refuse requests of many thousands
_WRITE = 5_000  # triples per INSERT DATA
_PREFIXES = (f"PREFIX kg: <{KG._NS}>\nPREFIX nif: <{NIF}>\nPREFIX schema: <{SCHEMA}>\n"
             "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n")
_CLASSES = "VALUES ?class { " + " ".join(f"kg:{c}" for c in EVENT_CLASSES) + " }"


class Writable(Protocol):
    """What the incidents need of a target: SELECT over the union of graphs, and SPARQL Update."""

    def select(self, text: str, bindings: Mapping[str, Term]) -> tuple[list[str], list[Row]]:
        """Run a SELECT with variables bound; (variables, rows)."""

    def update(self, text: str) -> None:
        """Run a SPARQL Update."""


class MemoryTarget:
    """An in-memory pyoxigraph store as a :class:`Writable` (``kg query --data``)."""

    def __init__(self, store: ox.Store) -> None:
        self.store = store

    def select(self, text: str, bindings: Mapping[str, Term]) -> tuple[list[str], list[Row]]:
        """Run a SELECT over the union of the store's graphs."""
        result = self.store.query(text, use_default_graph_as_union=True,
                                  substitutions={ox.Variable(k): v for k, v in bindings.items()})
        assert isinstance(result, ox.QuerySolutions)
        width = len(result.variables)
        return [v.value for v in result.variables], [tuple(s[i] for i in range(width)) for s in result]

    def update(self, text: str) -> None:
        """Run a SPARQL Update."""
        self.store.update(text)


def _values(variable: str, terms: Iterable[Term]) -> str:
    return values_block([variable], ([t] for t in terms))


def _chunks(items: Collection[str]) -> Iterator[list[str]]:
    ordered = sorted(items)
    for start in range(0, len(ordered), _CHUNK):
        yield ordered[start: start + _CHUNK]


def _rows(target: Writable, template: str, variable: str, items: Collection[str],
          make: type[ox.NamedNode] | type[ox.Literal] = ox.NamedNode) -> Iterator[Row]:
    """The rows of ``template`` (a query with ``$values`` in it) with ``?variable`` bound to ``items``,
    a block at a time."""
    for chunk in _chunks(items):
        yield from target.select(_PREFIXES + template.replace("$values", _values(variable, map(make, chunk))), {})[1]


_BODIES = "SELECT ?article ?text WHERE { $values ?article a schema:NewsArticle ; nif:isString ?text }"
_HASHES = f"SELECT ?article ?hash WHERE {{ $values GRAPH <{INCIDENTS_GRAPH}> {{ ?article kg:bodyHash ?hash }} }}"
_DUPLICATES = f"SELECT ?article WHERE {{ GRAPH <{INCIDENTS_GRAPH}> {{ ?article kg:duplicateOf ?original }} }}"
_EVENTS = f"SELECT ?event WHERE {{ $values GRAPH ?article {{ ?event a ?class }} {_CLASSES} }}"
_READ = ("kg:agent", "kg:target", "kg:location", "kg:date", "kg:endDate", "kg:datePrecision", "kg:killed",
         "kg:killedLowerBound", "kg:injured", "kg:injuredLowerBound", "kg:factuality", "rdfs:label")
_RECORDS = (f"SELECT ?event ?class ?p ?o WHERE {{ $values {_CLASSES} ?event a ?class "
            f"OPTIONAL {{ ?event ?p ?o FILTER(?p IN ({', '.join(_READ)})) }} }}")
# the article is cut from the report's IRI (…/article/ID/event/…): the incidents graph names no article
_REPORTED = (f"SELECT ?incident ?event WHERE {{ GRAPH <{INCIDENTS_GRAPH}> {{ ?incident kg:report ?event }} "
             'BIND(STRBEFORE(STR(?event), "/event/") AS ?article) $values }')
_MEMBERS = f"SELECT ?incident ?event WHERE {{ $values GRAPH <{INCIDENTS_GRAPH}> {{ ?incident kg:report ?event }} }}"
_OF = f"SELECT ?incident WHERE {{ $values GRAPH <{INCIDENTS_GRAPH}> {{ ?incident kg:report ?event }} }}"
_NEAR = (f"SELECT DISTINCT ?event WHERE {{ $values GRAPH ?g {{ ?event kg:location ?location ; kg:date ?date }} "
         f"FILTER(?g != <{INCIDENTS_GRAPH}> && STR(?date) >= ?from && STR(?date) <= ?to) }}")
_HAS_INCIDENTS = f"SELECT ?s WHERE {{ GRAPH <{INCIDENTS_GRAPH}> {{ ?s ?p ?o }} }} LIMIT 1"
_HAS_ARTICLES = "SELECT ?a WHERE { ?a a <https://schema.org/NewsArticle> } LIMIT 1"


def _local(term: Term | None) -> str:
    return term.value.rsplit("#", 1)[-1] if term is not None else ""


def _date(term: Term | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(term.value[:10]) if term is not None else None
    except ValueError:
        return None


def _reports(rows: Iterable[Row]) -> dict[str, Report]:
    """Reports from the rows of :data:`_RECORDS` (event, class, property, value)."""
    found: dict[str, dict[str, object]] = {}
    for event, cls, p, o in rows:
        if event is None or cls is None:
            continue
        fields = found.setdefault(event.value, {"cls": _local(cls), "locations": set(), "agents": set(),
                                                "targets": set()})
        if p is None or o is None:
            continue
        name = p.value
        if name in _SETS:
            fields[_SETS[name]].add(o.value)  # type: ignore[attr-defined]
        elif name in _DATES:
            fields[_DATES[name]] = _date(o)
        elif name in _COUNTS and o.value.lstrip("-").isdigit():
            fields[_COUNTS[name]] = int(o.value)
        elif name in _FLAGS:
            fields[_FLAGS[name]] = o.value in ("true", "1")
        elif name == _KG.datePrecision.value:
            fields["precision"] = _local(o)
        elif name == _KG.factuality.value:
            fields["factuality"] = _local(o)
        elif name == _RDFS.label.value:
            fields["label"] = o.value
    return {event: Report(event, **{k: frozenset(v) if isinstance(v, set) else v  # type: ignore[arg-type]
                                    for k, v in fields.items()})
            for event, fields in found.items()}


_SETS = {_KG.agent.value: "agents", _KG.target.value: "targets", _KG.location.value: "locations"}
_DATES = {_KG.date.value: "start", _KG.endDate.value: "end"}
_COUNTS = {_KG.killed.value: "killed", _KG.injured.value: "injured"}
_FLAGS = {_KG.killedLowerBound.value: "killed_lower_bound", _KG.injuredLowerBound.value: "injured_lower_bound"}


def _write(target: Writable, quads: Sequence[ox.Quad], *, whole: bool = False) -> None:
    store = getattr(target, "store", None)
    if isinstance(store, ox.Store):
        # a pyoxigraph store takes the quads as they are, without SPARQL text to write and parse; a whole
        # pass, which starts from nothing anyway, through the bulk loader (measured: twice as fast)
        (store.bulk_extend if whole else store.extend)(quads)
        return
    for start in range(0, len(quads), _WRITE):
        target.update(f"INSERT DATA {{ GRAPH <{INCIDENTS_GRAPH}> {{ {ntriples(quads[start: start + _WRITE], ' ')} }} }}")


def _delete(target: Writable, nodes: Collection[str]) -> None:
    """Remove what the incidents graph says of ``nodes`` (incidents, or articles' hashes and duplicate marks)."""
    for chunk in _chunks(nodes):
        target.update(f"DELETE {{ GRAPH <{INCIDENTS_GRAPH}> {{ ?node ?p ?o }} }} WHERE {{ "
                      f"{_values('node', map(ox.NamedNode, chunk))} GRAPH <{INCIDENTS_GRAPH}> {{ ?node ?p ?o }} }}")


def _article_quads(hashes: Mapping[str, str], duplicates: Mapping[str, str]) -> list[ox.Quad]:
    quads = [ox.Quad(ox.NamedNode(a), _KG.bodyHash, ox.Literal(h), _GRAPH) for a, h in sorted(hashes.items())]
    return quads + [ox.Quad(ox.NamedNode(a), _KG.duplicateOf, ox.NamedNode(o), _GRAPH)
                    for a, o in sorted(duplicates.items())]


def _originals(groups: Mapping[str, Collection[str]]) -> dict[str, str]:
    """Each duplicate article and its original: the smallest article IRI of its body."""
    return {a: min(members) for members in groups.values() for a in members if a != min(members)}


def _tell(duplicates: Mapping[str, str], touched: Collection[str] | None = None) -> None:
    for copy, original in sorted(duplicates.items()):
        if touched is None or copy in touched or original in touched:
            log.warning("article %s repeats article %s (same body): counted once", _name(copy), _name(original))


def _name(article: str) -> str:
    return unquote(article.rsplit("/article/", 1)[-1])


def rebuild_incidents(target: Writable, *, tell: bool = False) -> None:
    """Recompute the whole incidents graph of ``target`` (``reindex``, ``kg query --data``, a first
    load); ``tell`` logs each duplicate article (a load does, a query does not)."""
    target.update(f"DROP SILENT GRAPH <{INCIDENTS_GRAPH}>")
    hashes = {a.value: body_hash(t.value) for a, t in target.select(_PREFIXES + _BODIES.replace("$values", ""), {})[1]
              if a is not None and t is not None}
    groups: dict[str, set[str]] = {}
    for article, digest in hashes.items():
        groups.setdefault(digest, set()).add(article)
    duplicates = _originals(groups)
    if tell:
        _tell(duplicates)
    reports = [r for r in _reports(target.select(_PREFIXES + _RECORDS.replace("$values", ""), {})[1]).values()
               if r.article not in duplicates]
    _write(target, _article_quads(hashes, duplicates)
           + [q for incident in components(reports) for q in incident_quads(incident)], whole=True)


def index_incidents(store: ox.Store) -> ox.Store:
    """Build the incidents graph of an in-memory store holding kg's files (after
    :func:`~kg.rdf.graphs.index_store`), and return the store.

    >>> len(store_quads := list(index_incidents(ox.Store()))), store_quads
    (0, [])
    """
    rebuild_incidents(MemoryTarget(store))
    return store


def update_incidents(target: Writable, articles: Collection[str]) -> None:
    """Bring the incidents graph up to date after ``articles`` (graph IRIs) were loaded, replaced or
    retracted, recomputing only what they can change (see the module docstring)."""
    if not articles:
        return
    if not target.select(_HAS_INCIDENTS, {})[1]:
        if target.select(_HAS_ARTICLES, {})[1]:
            rebuild_incidents(target, tell=True)
        return
    hashes = {a.value: body_hash(t.value) for a, t in _rows(target, _BODIES, "article", articles)
              if a is not None and t is not None}
    old = {a.value: h.value for a, h in _rows(target, _HASHES, "article", articles) if a is not None and h is not None}
    groups: dict[str, set[str]] = {}
    for other, same in _rows(target, _HASHES, "hash", {*hashes.values(), *old.values()}, ox.Literal):
        if other is not None and same is not None and other.value not in articles:
            groups.setdefault(same.value, set()).add(other.value)
    for article, digest in hashes.items():
        groups.setdefault(digest, set()).add(article)
    affected = set(articles) | {a for members in groups.values() for a in members}
    kept = {a: h for h, members in groups.items() for a in members}
    duplicates = _originals(groups)
    before = {a.value for (a,) in target.select(_PREFIXES + _DUPLICATES, {})[1] if a is not None}
    counted_out = (before - affected) | set(duplicates)
    _delete(target, affected)
    _write(target, _article_quads(kept, duplicates))
    _tell(duplicates, articles)
    _recount(target, affected, counted_out)


def _recount(target: Writable, articles: Collection[str], counted_out: Collection[str]) -> None:
    """Recompute the incidents that the events of ``articles`` (new, replaced, retracted, or whose
    duplicate status changed) were in or can join; events of ``counted_out`` articles report none."""
    gone: dict[str, str] = {}  # report -> incident, of the old reports of these articles
    for incident, event in _rows(target, _REPORTED, "article", articles, ox.Literal):
        if incident is not None and event is not None:
            gone[event.value] = incident.value
    stale = set(gone.values())
    seeds = {e.value for (e,) in _rows(target, _EVENTS, "article", set(articles) - set(counted_out)) if e is not None}
    seeds |= {e.value for _, e in _rows(target, _MEMBERS, "incident", stale) if e is not None} - gone.keys()
    known: dict[str, Report] = {}
    seen, frontier = set(seeds), seeds
    while frontier:
        found = {e: r for e, r in _reports(_rows(target, _RECORDS, "event", frontier)).items()
                 if r.article not in counted_out}
        known.update(found)
        blocks = {(place, r.start - REACH, (r.end or r.start) + dt.timedelta(days=1))
                  for r in found.values() if r.start is not None and r.period is not None for place in r.locations}
        near = {e.value for (e,) in _near(target, blocks) if e is not None}
        frontier = near - seen
        seen |= near
    stale |= {i.value for (i,) in _rows(target, _OF, "event", known.keys()) if i is not None}
    _delete(target, stale)
    _write(target, [q for incident in components(known.values()) for q in incident_quads(incident)])


def _near(target: Writable, blocks: Collection[tuple[str, dt.date, dt.date]]) -> Iterator[Row]:
    """Event nodes at a block's place dated within its days (a superset of the reports that may join)."""
    ordered = sorted(blocks)
    for start in range(0, len(ordered), _CHUNK):
        rows = [(ox.NamedNode(p), ox.Literal(lo.isoformat()), ox.Literal(hi.isoformat()))
                for p, lo, hi in ordered[start: start + _CHUNK]]
        yield from target.select(_PREFIXES + _NEAR.replace("$values", values_block(["location", "from", "to"], rows)),
                                 {})[1]
