"""Incidents: reports of one real-world event in several articles linked to one kg:Incident, kept exact on
load, replacement and retraction (embedded store and a real Oxigraph server), near-duplicate articles
counted once, and the analyst queries counting incidents of asserted events."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator, Sequence
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph
from rdflib.compare import graph_diff, isomorphic
from spacy.language import Language

from kg.extract.from_doc import extract
from kg.model import Article
from kg.query.saved import load_query, run_query
from kg.rdf.graphs import INCIDENTS_GRAPH, index_store
from kg.rdf.mapping import to_quads
from kg.store.base import Target
from kg.store.embedded import EmbeddedStore, files_store
from kg.store.endpoint import EndpointStore
from kg.store.incidents import index_incidents
from kg.store.loading import LoadReport, load_graphs, reindex, retract
from kg.store.reports import Report, components, incident_quads
from tests.servers import OxigraphServer

KG = "https://w3id.org/kg-news/ns#"
BAQUBAH = "https://w3id.org/kg-news/id/entity/settlement/baqubah"
TIKRIT = "https://w3id.org/kg-news/id/entity/settlement/tikrit"
ISIS = "https://w3id.org/kg-news/id/entity/organization/islamic-state"
GEO = "http://www.opengis.net/ont/geosparql#"
# invented wire reports; "Tuesday" is 4 March 2025 against a dateline of 5 March
WEDNESDAY = dt.date(2025, 3, 5)
TEXTS = {
    "wire-a": ("Islamic State fighters attacked the Iraqi army at a checkpoint in Baqubah on Tuesday.", WEDNESDAY),
    "wire-b": ("Gunmen from Islamic State attacked Iraqi army soldiers in Baqubah on Tuesday night.", WEDNESDAY),
    # the same body as wire-a under another id and title, in other case and spacing
    "wire-a-copy": ("Islamic State fighters  attacked the Iraqi army at A checkpoint in Baqubah on Tuesday.\n",
                    WEDNESDAY),
    # another place, the same day
    "other-town": ("Islamic State fighters attacked the Iraqi army in Tikrit on Tuesday.", WEDNESDAY),
    # the same place a week later: beyond the one-day window
    "next-week": ("Islamic State fighters attacked the Iraqi army in Baqubah again on Tuesday.", dt.date(2025, 3, 12)),
}


@pytest.fixture(scope="module")
def graphs(nlp: Language) -> dict[str, tuple[str, list[ox.Quad]]]:
    """Each test article's graph, extracted once with the real pipeline."""
    articles = [Article(id=name, text=text, date=date, title=name.upper()) for name, (text, date) in TEXTS.items()]
    found = {}
    for x in extract(articles, nlp):
        quads = to_quads(x)
        found[x.article.id] = (quads[0].graph_name.value, quads)
    return found


@pytest.fixture
def store(tmp_path: Path) -> Iterator[EmbeddedStore]:
    opened = EmbeddedStore(tmp_path / "store")
    yield opened
    opened.close()


def load(target: Target, graphs: dict[str, tuple[str, list[ox.Quad]]], *names: str) -> LoadReport:
    report = LoadReport()
    for _ in load_graphs(target, [graphs[n] for n in names], report):
        pass
    assert not report.problems
    return report


def incidents(target: Target) -> list[tuple[int, int, list[str]]]:
    """(reports, articles, sorted article ids) of each incident, sorted."""
    _, rows = target.select(f"""SELECT ?i ?reports ?articles ?event WHERE {{ GRAPH <{INCIDENTS_GRAPH}> {{
        ?i a <{KG}Incident> ; <{KG}reportCount> ?reports ; <{KG}articleCount> ?articles ; <{KG}report> ?event }} }}""", {})
    found: dict[str, tuple[int, int, set[str]]] = {}
    for i, reports, articles, event in rows:
        assert i is not None and reports is not None and articles is not None and event is not None
        found.setdefault(i.value, (int(reports.value), int(articles.value), set()))[2].add(
            event.value.split("/article/")[1].split("/")[0])
    return sorted((r, a, sorted(ids)) for r, a, ids in found.values())


def incidents_graph(target: Target) -> Graph:
    _, rows = target.select(f"SELECT ?s ?p ?o WHERE {{ GRAPH <{INCIDENTS_GRAPH}> {{ ?s ?p ?o }} }}", {})
    graph = Graph()
    graph.parse(data="\n".join(f"{s} {p} {o} ." for s, p, o in rows), format="nt")
    return graph


def assert_isomorphic(one: Graph, other: Graph) -> None:
    if not isomorphic(one, other):
        _, first, second = graph_diff(one, other)
        pytest.fail(f"only in first:\n{first.serialize(format='nt')}\nonly in second:\n{second.serialize(format='nt')}")


def duplicates(target: Target) -> list[tuple[str, str]]:
    _, rows = target.select(f"SELECT ?a ?o WHERE {{ GRAPH <{INCIDENTS_GRAPH}> {{ ?a <{KG}duplicateOf> ?o }} }}", {})
    return sorted((a.value.rsplit("/", 1)[1], o.value.rsplit("/", 1)[1]) for a, o in rows  # type: ignore[union-attr]
                  if a is not None and o is not None)


def test_two_reports_of_one_attack_are_one_incident(store: EmbeddedStore, graphs: dict) -> None:  # type: ignore[type-arg]
    load(store, graphs, "wire-a", "wire-b")
    assert incidents(store) == [(2, 2, ["wire-a", "wire-b"])]
    _, rows = store.select(f"""SELECT ?location ?agent ?date ?factuality WHERE {{ GRAPH <{INCIDENTS_GRAPH}> {{
        ?i <{KG}location> ?location ; <{KG}agent> ?agent ; <{KG}date> ?date ; <{KG}factuality> ?factuality }} }}""", {})
    assert [tuple(t.value for t in row if t is not None) for row in rows] == [
        (BAQUBAH, ISIS, "2025-03-04", KG + "Asserted")]


def test_the_evidence_of_an_incident_is_reached_through_its_reports(store: EmbeddedStore, graphs: dict) -> None:  # type: ignore[type-arg]
    load(store, graphs, "wire-a", "wire-b")
    _, rows = store.select(f"""SELECT ?text WHERE {{ GRAPH <{INCIDENTS_GRAPH}> {{ ?i <{KG}report> ?r }}
        ?r <{KG}evidence>/<http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#anchorOf> ?text }}""", {})
    assert sorted(r[0].value for r in rows if r[0] is not None) == sorted([TEXTS["wire-b"][0], TEXTS["wire-a"][0]])


@pytest.mark.parametrize("other", ["other-town", "next-week"])
def test_another_place_or_a_date_beyond_the_window_is_another_incident(store: EmbeddedStore, graphs: dict,  # type: ignore[type-arg]
                                                                       other: str) -> None:
    load(store, graphs, "wire-a", other)
    assert incidents(store) == sorted([(1, 1, ["wire-a"]), (1, 1, [other])])


def test_a_retitled_copy_is_marked_and_counted_once(store: EmbeddedStore, graphs: dict,  # type: ignore[type-arg]
                                                    caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="kg"):
        load(store, graphs, "wire-a-copy", "wire-b", "wire-a")
    assert duplicates(store) == [("wire-a-copy", "wire-a")]
    assert incidents(store) == [(2, 2, ["wire-a", "wire-b"])]
    assert "article wire-a-copy repeats article wire-a (same body): counted once" in caplog.messages
    # the copy is still loaded: nothing is lost
    assert "https://w3id.org/kg-news/id/article/wire-a-copy" in store.manifest()


def test_retracting_the_original_promotes_its_copy(store: EmbeddedStore, graphs: dict) -> None:  # type: ignore[type-arg]
    load(store, graphs, "wire-a", "wire-a-copy", "wire-b")
    retract(store, ["wire-a"])
    assert duplicates(store) == []
    assert incidents(store) == [(2, 2, ["wire-a-copy", "wire-b"])]


@pytest.mark.parametrize("batches", [[["wire-b"], ["wire-a-copy"], ["wire-a"], ["other-town", "next-week"]],
                                     [["next-week", "wire-a", "other-town", "wire-b", "wire-a-copy"]]],
                         ids=["one-by-one", "together"])
def test_incidents_do_not_depend_on_load_order(tmp_path: Path, graphs: dict,  # type: ignore[type-arg]
                                               batches: Sequence[Sequence[str]]) -> None:
    reference = EmbeddedStore(tmp_path / "reference")
    load(reference, graphs, "wire-a", "wire-a-copy", "wire-b", "other-town", "next-week")
    expected = incidents_graph(reference)
    reference.close()
    store = EmbeddedStore(tmp_path / "store")
    for batch in batches:
        load(store, graphs, *batch)
    assert_isomorphic(incidents_graph(store), expected)
    # the incremental updates leave what a whole pass gives
    reindex(store)
    assert_isomorphic(incidents_graph(store), expected)
    store.close()


def test_ingest_joins_an_existing_incident_and_retract_undoes_it(store: EmbeddedStore, graphs: dict) -> None:  # type: ignore[type-arg]
    load(store, graphs, "wire-a", "other-town")
    load(store, graphs, "wire-b")
    assert incidents(store) == [(1, 1, ["other-town"]), (2, 2, ["wire-a", "wire-b"])]
    retract(store, ["wire-a"])
    assert incidents(store) == [(1, 1, ["other-town"]), (1, 1, ["wire-b"])]
    retract(store, ["wire-b", "other-town"])
    assert incidents(store) == []


@pytest.mark.server
def test_an_endpoint_keeps_the_same_incidents(fresh_oxigraph: OxigraphServer, tmp_path: Path,
                                              graphs: dict) -> None:  # type: ignore[type-arg]
    endpoint = EndpointStore(fresh_oxigraph.query_url)
    load(endpoint, graphs, "wire-b", "wire-a-copy")
    load(endpoint, graphs, "wire-a", "other-town")
    assert incidents(endpoint) == [(1, 1, ["other-town"]), (2, 2, ["wire-a", "wire-b"])]
    assert duplicates(endpoint) == [("wire-a-copy", "wire-a")]
    reference = EmbeddedStore(tmp_path / "reference")
    load(reference, graphs, "wire-a", "wire-b", "wire-a-copy", "other-town")
    assert_isomorphic(incidents_graph(endpoint), incidents_graph(reference))
    retract(endpoint, ["wire-a", "wire-b"])
    assert incidents(endpoint) == [(1, 1, ["other-town"]), (1, 1, ["wire-a-copy"])]
    reference.close()
    endpoint.close()


def negated(quads: list[ox.Quad]) -> list[ox.Quad]:
    """The graph with its events negated (as a denial would give them)."""
    factuality = ox.NamedNode(KG + "factuality")
    return [ox.Quad(q.subject, q.predicate, ox.NamedNode(KG + "Negated"), q.graph_name) if q.predicate == factuality
            and "/event/" in q.subject.value else q for q in quads]


def test_analyst_queries_count_incidents_of_asserted_events(store: EmbeddedStore, graphs: dict) -> None:  # type: ignore[type-arg]
    graph, quads = graphs["other-town"]
    load(store, graphs, "wire-a", "wire-b", "wire-a-copy")
    for _ in load_graphs(store, [(graph, negated(quads))], LoadReport()):
        pass
    memory = ox.Store()
    memory.extend(q for q in store.store)

    def who(**params: str) -> list[tuple[str | None, ...]]:
        return [row[4:] for row in run_query(load_query("who-against-whom"), memory, params).rows]

    # two articles and a copy of one of them: one operation, two reports in two articles
    assert who() == [("1", "2", "2")]
    assert who(factuality="Negated") == [("1", "1", "1")]
    assert who(factuality="kg:Negated") == who(factuality="negated")
    assert who(factuality="any") == [("2", "3", "3")]
    assert who(factuality="Planned") == []
    places = run_query(load_query("operations-by-place"), memory, {}).rows
    assert [(row[1], row[-2], row[-1]) for row in places] == [("Baqubah", "2", "2")]
    entities = ox.NamedNode("https://w3id.org/kg-news/entities")
    for place, point in ((BAQUBAH, "POINT(44.6 33.7)"), (TIKRIT, "POINT(43.7 34.6)")):
        geometry = ox.NamedNode(place + "/geometry")
        memory.add(ox.Quad(ox.NamedNode(place), ox.NamedNode(GEO + "hasGeometry"), geometry, entities))
        memory.add(ox.Quad(geometry, ox.NamedNode(GEO + "asWKT"), ox.Literal(point, datatype=ox.NamedNode(GEO + "wktLiteral")),
                           entities))

    def on_map(**params: str) -> list[tuple[str | None, ...]]:
        return [(row[1], row[-1]) for row in run_query(load_query("map"), memory, params).rows]

    assert on_map() == [("Baqubah", "1"), ("Tikrit", "0")]
    assert on_map(factuality="any") == [("Baqubah", "1"), ("Tikrit", "1")]
    assert on_map(factuality="denied") == []


def test_query_data_builds_incidents_in_memory(tmp_path: Path, graphs: dict) -> None:  # type: ignore[type-arg]
    path = tmp_path / "reports.nq"
    path.write_bytes(ox.serialize([q for name in ("wire-a", "wire-b") for q in graphs[name][1]],
                                  format=ox.RdfFormat.N_QUADS) or b"")
    memory = files_store([path])
    rows = run_query(load_query("who-against-whom"), memory, {}).rows
    assert [row[4:] for row in rows] == [("1", "2", "2")]
    loaded = ox.Store()
    loaded.extend(q for name in ("wire-b", "wire-a") for q in graphs[name][1])
    same = index_incidents(index_store(loaded))
    quads = lambda s: {q for q in s if q.graph_name == ox.NamedNode(INCIDENTS_GRAPH)}  # noqa: E731
    assert quads(same) == quads(memory)


# --- the rule and the attributes, on hand-made reports ---------------------------------------------------------------

A = "https://w3id.org/kg-news/id/article/"
DAY = dt.date(2025, 3, 4)


def report(article: str, cls: str = "Attack", *, agents: tuple[str, ...] = (), when: dt.date | None = DAY,
           precision: str = "Day", end: dt.date | None = None, **values: object) -> Report:
    return Report(f"{A}{article}/event/0-8", cls, locations=frozenset({BAQUBAH}), agents=frozenset(agents),
                  start=when, end=end, precision=precision, **values)  # type: ignore[arg-type]


@pytest.mark.parametrize(("other", "together"), [
    (report("b", "Bombing"), True),  # a subclass of the other's class
    (report("b", "Airstrike"), False),
    (report("b", agents=("army",)), True),  # one side names no agent
    (report("b", agents=("police",)), False),  # contradicting agents
    (report("b", when=DAY + dt.timedelta(days=1)), True),
    (report("b", when=DAY - dt.timedelta(days=2)), False),
    (report("b", when=dt.date(2025, 3, 1), end=dt.date(2025, 3, 31), precision="Month"), True),
    (report("b", when=dt.date(2025, 1, 1), end=dt.date(2025, 12, 31), precision="Year"), False),
    (report("b", when=None), False),  # undated joins nothing
], ids=["subclass", "other-class", "agent-unnamed", "agents-contradict", "next-day", "two-days", "month", "year",
        "undated"])
def test_the_incident_rule(other: Report, together: bool) -> None:
    one = report("a", agents=("army",))
    assert (len(components([one, other])) == 1) is together


def test_an_incident_takes_the_best_supported_attributes() -> None:
    reports = [report("a", "Attack", killed=4, factuality="Negated", label="attack"),
               report("b", "Bombing", killed=7, killed_lower_bound=True, factuality="Asserted", label="bombing"),
               report("c", "Attack", killed=7, killed_lower_bound=False, injured=15, injured_lower_bound=True,
                      factuality="Possible", label="attack")]
    (group,) = components(reports)
    said = {(q.predicate.value.rsplit("#", 1)[-1], q.object.value.rsplit("#", 1)[-1]) for q in incident_quads(group)}
    assert {("eventClass", "Bombing"), ("killed", "7"), ("injured", "15"), ("injuredLowerBound", "true"),
            ("factuality", "Asserted"), ("reportCount", "3"), ("articleCount", "3"), ("label", "attack")} <= said
    # one report of the highest toll does not call it a minimum
    assert not any(p == "killedLowerBound" for p, _ in said)
    doubted = incident_quads([report("a", factuality="Possible"), report("b", factuality="Possible"),
                              report("c", factuality="Negated")])
    assert {q.object.value for q in doubted if q.predicate.value == KG + "factuality"} == {KG + "Possible"}
