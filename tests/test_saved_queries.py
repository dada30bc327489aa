"""Every saved query over a graph extracted (with the real model) from the project's test articles."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from spacy.language import Language

from kg.extract.from_doc import extract
from kg.query.saved import ResultTable, list_queries, load_query, run_query
from kg.rdf.graphs import index_store
from kg.rdf.mapping import to_quads
from kg.read.articles import read_articles
from kg.store.incidents import index_incidents
from tests.helpers import ARTICLES, DATELINE

KG = "https://w3id.org/kg-news/ns#"
FILES = ["operation.txt", "policy.txt", "statements.txt"]


@pytest.fixture(scope="module")
def store(nlp: Language) -> ox.Store:
    store = ox.Store()
    for x in extract(read_articles([ARTICLES / f for f in FILES], date=DATELINE), nlp):
        store.extend(to_quads(x))
    return index_incidents(index_store(store))


def rows(store: ox.Store, name: str, **params: str) -> list[dict[str, str | None]]:
    result: ResultTable = run_query(load_query(name), store, params)
    return [dict(zip(result.columns, row, strict=False)) for row in result.rows]


def test_every_saved_query_runs_on_extracted_data(store: ox.Store) -> None:
    names = {q.name for q in list_queries()}
    assert {"mentions", "entities", "events", "policies", "relations", "statements", "articles"} <= names
    for query in list_queries():
        result = run_query(query, store)
        if query.name != "map":  # coordinates arrive with Wikidata linking
            assert result.rows, query.name


def test_mentions_offsets_index_the_article_text(store: ox.Store) -> None:
    texts = {str(s.subject.value): s.object.value
             for s in store.quads_for_pattern(None, ox.NamedNode(
                 "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#isString"), None)}
    found = rows(store, "mentions")
    assert len(found) > 30
    for row in found:
        text = texts[row["article"]]  # type: ignore[index]
        assert text[int(row["start"]):int(row["end"])] == row["text"]  # type: ignore[arg-type]
        assert row["category"] in {"Person", "Organization", "Location"}


def test_entities(store: ox.Store) -> None:
    by_label = {r["label"]: r for r in rows(store, "entities")}
    assert by_label["Islamic State"]["class"] == KG + "ArmedGroup"
    assert by_label["Islamic State"]["category"] == "Organization"
    assert by_label["Saladin"]["category"] == "Location"
    assert by_label["Jalal Hamdani"]["category"] == "Person"
    assert int(by_label["Popular Mobilization Forces"]["mentions"]) >= 3  # type: ignore[arg-type]
    people = rows(store, "entities", category="person")
    assert people and all(r["category"] == "Person" for r in people)


def test_events_and_their_filters(store: ox.Store) -> None:
    diyala = rows(store, "events", place="diyala")
    assert {r["class"] for r in diyala} == {KG + "SearchOperation"}
    assert "5th Division of the Iraqi Army" in {label for r in diyala for label in (r["agentLabel"] or "").split("; ")}
    assert {r["date"] for r in diyala} == {"2025-03-04"}
    kirkuk = rows(store, "events", place="Kirkuk")
    assert {(r["class"], r["targetLabel"]) for r in kirkuk} == {(KG + "RocketAttack", "K1 military base")}


def test_policies(store: ox.Store) -> None:
    found = rows(store, "policies", target="Syria")
    assert (KG + "Ban", "oil", KG + "InForce") in {(r["class"], r["sector"], r["status"]) for r in found}
    proposed = rows(store, "policies", status="Proposed")
    assert proposed and all(r["status"] == KG + "Proposed" for r in proposed)
    designations = rows(store, "policies", issuer="United Nations")
    assert {r["targetLabel"] for r in designations} == {"Hayat Tahrir al-Sham"}


def test_relations_and_statements(store: ox.Store) -> None:
    leaders = rows(store, "relations", predicate="leaderOf")
    assert ("Jalal Hamdani", "Unity of Iraq Alliance") in {(r["subjectLabel"], r["objectLabel"]) for r in leaders}
    varga = rows(store, "statements", speaker="helena varga")
    assert [r["quote"] for r in varga] == ["Violence must not decide the future of Iraq"]
    by = rows(store, "statements-by", speaker="Faleh al-Obeidi")
    assert [(r["quote"], r["date"]) for r in by] == [("that the state must control all weapons", "2025-03-03")]


def test_articles(store: ox.Store) -> None:
    found = rows(store, "articles")
    assert len(found) == 3
    assert all(r["date"] == "2025-03-06" and int(r["mentions"]) > 3 for r in found)  # type: ignore[arg-type]


def test_analyst_queries(store: ox.Store) -> None:
    by_place = rows(store, "operations-by-place", place="Tuz Khurmatu")
    assert [r["class"] for r in by_place] == [KG + "Arrest"]
    assert rows(store, "operations-by-place", place="Tuz Khurmatu", to="2024-12-31") == []
    pairs = {(r["agentLabel"], r["targetLabel"]) for r in rows(store, "who-against-whom")}
    assert ("5th Division of the Iraqi Army", "Islamic State") in pairs
    sanctions = rows(store, "sanctions-on", country="Syria")
    assert {r["class"] for r in sanctions} == {KG + "Ban"}  # the proposed easing is not in force
    timeline = rows(store, "timeline", place="Diyala")
    assert [(r["date"], r["kind"], r["label"]) for r in timeline] == [("2025-03-04", "event", "search operation")]
