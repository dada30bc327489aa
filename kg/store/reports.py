"""Which event nodes report the same real-world event, and what their incident says (pure; no I/O).

Two reports are of one incident when all of these hold:

* **class**: the same event class, or one is the other's superclass (``kg:Attack`` and ``kg:Bombing``);
* **place**: they share a location entity (kg knows no containment between places, so a city and its
  province stay apart);
* **date**: both are dated at Day, Week or Month precision and their periods, each widened by one
  day, overlap: Day dates at most one day apart ("yesterday" read against two publication dates), a
  Month date with any day of that month. An undated report, or one dated only to the year, joins
  nothing: the window would take in every event at the place;
* **actors**: their agents do not contradict (one names none, or they name one in common).

An incident is a connected component of that relation, so it does not depend on the order reports
were loaded in; its IRI is minted from its smallest report IRI, under the base the articles were
minted under.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib.namespace import RDF, RDFS, XSD

from kg.model import FACTUALITIES
from kg.rdf.graphs import INCIDENTS_GRAPH
from kg.rdf.terms import Terms
from kg.rdf.vocab import KG

_KG, _RDF, _RDFS, _XSD = Terms(KG), Terms(RDF), Terms(RDFS), Terms(XSD)

EVENT_CLASSES = ("SearchOperation", "MilitaryOperation", "Attack", "RocketAttack", "Bombing", "Assassination",
                 "Airstrike", "Clash", "Arrest", "Raid", "Meeting")
"""The event classes whose nodes are grouped into incidents (the ontology is not in the store)."""
# the subclasses of another event class (ontology/kg.ttl); every other pair of classes differs
_PARENT = {"RocketAttack": "Attack", "Bombing": "Attack", "Assassination": "Attack"}
_WINDOW = dt.timedelta(days=1)
_MERGED_PRECISIONS = ("Day", "Week", "Month")  # finest first
REACH = dt.timedelta(days=32)
"""How far before a report's date another report of its incident may be dated (a Month date's period
is at most 31 days, and the window adds one)."""


@dataclass(frozen=True)
class Report:
    """One event node as the incident rule reads it."""

    event: str
    cls: str
    label: str = ""
    locations: frozenset[str] = frozenset()
    agents: frozenset[str] = frozenset()
    targets: frozenset[str] = frozenset()
    start: dt.date | None = None
    end: dt.date | None = None
    precision: str | None = None
    killed: int | None = None
    killed_lower_bound: bool = False
    injured: int | None = None
    injured_lower_bound: bool = False
    factuality: str = "Asserted"

    @property
    def article(self) -> str:
        """The IRI of the article the event node belongs to (``…/article/ID/event/…``)."""
        return self.event[: self.event.rfind("/event/")]

    @property
    def period(self) -> tuple[dt.date, dt.date] | None:
        """The days the report may be about, window included; None when it joins no other report."""
        if self.start is None or self.precision not in _MERGED_PRECISIONS:
            return None
        return self.start - _WINDOW, (self.end or self.start) + _WINDOW


def body_hash(text: str) -> str:
    """The hash two articles share when their bodies differ only in case, white space or Unicode forms
    (NFKC: typographic ligatures, full-width letters, non-breaking spaces).

    Datelines and bylines are kept: a wire story re-run with another dateline may be another day's
    report, and folding it would hide an event. Any other change of wording makes another body.

    >>> body_hash("Two  killed in\\nMosul.") == body_hash("two killed in Mosul. ")
    True
    """
    folded = " ".join(unicodedata.normalize("NFKC", text).casefold().split())
    return hashlib.sha256(folded.encode("utf-8")).hexdigest()


def compatible(a: Report, b: Report) -> bool:
    """Whether two reports may tell of one incident (the rule in this module's docstring).

    >>> day = dt.date(2025, 3, 6)
    >>> a = Report("x/event/1", "Bombing", locations=frozenset({"mosul"}), start=day, precision="Day")
    >>> compatible(a, Report("y/event/2", "Attack", locations=frozenset({"mosul"}), start=day + dt.timedelta(days=1),
    ...                      precision="Day"))
    True
    >>> compatible(a, Report("y/event/2", "Bombing", locations=frozenset({"mosul"}), start=day + dt.timedelta(days=2),
    ...                      precision="Day"))
    False
    """
    one, other = a.period, b.period
    if one is None or other is None or not (one[0] <= other[1] - _WINDOW and other[0] <= one[1] - _WINDOW):
        return False
    if not (a.cls == b.cls or _PARENT.get(a.cls) == b.cls or _PARENT.get(b.cls) == a.cls):
        return False
    if not a.locations & b.locations:
        return False
    return not (a.agents and b.agents and not a.agents & b.agents)


def components(reports: Iterable[Report]) -> list[list[Report]]:
    """The incidents among ``reports``: groups of reports linked by :func:`compatible`, each sorted by
    event IRI, the groups by their first IRI."""
    ordered = sorted({r.event: r for r in reports}.values(), key=lambda r: r.event)
    parent = list(range(len(ordered)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    by_place: dict[str, list[int]] = {}
    for i, report in enumerate(ordered):
        if report.period is not None:
            for place in report.locations:
                by_place.setdefault(place, []).append(i)
    for members in by_place.values():
        members.sort(key=lambda i: ordered[i].period or (dt.date.min, dt.date.min))
        for n, i in enumerate(members):
            last = (ordered[i].period or (dt.date.min, dt.date.min))[1]
            for j in members[n + 1:]:
                if (ordered[j].period or (dt.date.max, dt.date.max))[0] > last:
                    break
                if compatible(ordered[i], ordered[j]):
                    a, b = root(i), root(j)
                    parent[max(a, b)] = min(a, b)
    groups: dict[int, list[Report]] = {}
    for i, report in enumerate(ordered):
        groups.setdefault(root(i), []).append(report)
    return sorted(groups.values(), key=lambda g: g[0].event)


def incident_iri(reports: Sequence[Report]) -> str:
    """The incident's IRI: ``{base}incident/{hash of its smallest report IRI}``.

    >>> incident_iri([Report("https://e.org/id/article/a1/event/3-9", "Attack")])
    'https://e.org/id/incident/a2ee06b2765b7e97'
    """
    first = min(r.event for r in reports)
    article = first[: first.rfind("/event/")]
    base = article[: article.rfind("article/")]
    return f"{base}incident/{hashlib.sha256(first.encode('utf-8')).hexdigest()[:16]}"


def _best(values: Iterable[str]) -> list[str]:
    """The values named by the most reports, sorted (all of them on a tie)."""
    counts = Counter(values)
    top = max(counts.values(), default=0)
    return sorted(v for v, n in counts.items() if n == top)


def incident_quads(reports: Sequence[Report]) -> list[ox.Quad]:
    """The incidents graph's description of one incident: its reports, their numbers, and the attributes
    they best support.

    * class: the most specific class among the reports, then the one most reports give;
    * agents, targets, locations, label: the values named by the most reports (all of them on a tie);
    * date: the finest precision reported, then the date most reports give, then the earliest;
    * killed, injured: the highest figure reported (tolls are revised upwards as bodies are found, and an
      early report undercounts), a lower bound only if every report of that figure says so;
    * factuality: Asserted if any report asserts the event, else the one most reports give.
    """
    node = ox.NamedNode(incident_iri(reports))
    triples: list[tuple[ox.NamedNode, ox.NamedNode | ox.Literal]] = [
        (_RDF.type, _KG.Incident),
        (_KG.reportCount, _integer(len(reports))),
        (_KG.articleCount, _integer(len({r.article for r in reports}))),
    ]
    triples += [(_KG.report, ox.NamedNode(r.event)) for r in reports]
    classes = Counter(r.cls for r in reports)
    cls = min(classes, key=lambda c: (c not in _PARENT, -classes[c], c))
    triples.append((_KG.eventClass, _KG[cls]))
    for prop, values in ((_KG.agent, [v for r in reports for v in r.agents]),
                         (_KG.target, [v for r in reports for v in r.targets]),
                         (_KG.location, [v for r in reports for v in r.locations])):
        triples += [(prop, ox.NamedNode(v)) for v in _best(values)]
    triples += [(_RDFS.label, ox.Literal(v)) for v in _best(r.label for r in reports if r.label)[:1]]
    dated = [r for r in reports if r.start is not None and r.precision is not None]
    if dated:
        finest = min(dated, key=lambda r: _precision_rank(r.precision)).precision
        same = [r for r in dated if r.precision == finest]
        starts = Counter(r.start for r in same)
        when = min(same, key=lambda r: (-starts[r.start], r.start, r.end or r.start))
        assert when.start is not None and when.precision is not None
        triples += [(_KG.date, ox.Literal(when.start.isoformat(), datatype=_XSD.date)),
                    (_KG.datePrecision, _KG[when.precision])]
        if when.end is not None and when.end != when.start:
            triples.append((_KG.endDate, ox.Literal(when.end.isoformat(), datatype=_XSD.date)))
    for prop, flag, figures in ((_KG.killed, _KG.killedLowerBound, [(r.killed, r.killed_lower_bound) for r in reports]),
                                (_KG.injured, _KG.injuredLowerBound,
                                 [(r.injured, r.injured_lower_bound) for r in reports])):
        known = [(n, bound) for n, bound in figures if n is not None]
        if known:
            top = max(n for n, _ in known)
            triples.append((prop, _integer(top)))
            if all(bound for n, bound in known if n == top):
                triples.append((flag, ox.Literal("true", datatype=_XSD.boolean)))
    told = Counter(r.factuality for r in reports)
    factuality = "Asserted" if "Asserted" in told else min(
        told, key=lambda f: (-told[f], FACTUALITIES.index(f) if f in FACTUALITIES else len(FACTUALITIES)))
    triples.append((_KG.factuality, _KG[factuality]))
    graph = ox.NamedNode(INCIDENTS_GRAPH)
    return [ox.Quad(node, p, o, graph) for p, o in triples]


def _precision_rank(precision: str | None) -> int:
    return _MERGED_PRECISIONS.index(precision) if precision in _MERGED_PRECISIONS else len(_MERGED_PRECISIONS)


def _integer(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=_XSD.integer)
