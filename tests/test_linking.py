"""Wikidata linking: the shipped gazetteer on the project's own articles, the endpoint path against a
real Oxigraph server holding Wikidata-shaped data (with confusers), NIL, the RDF it adds, re-linking a
store with ``kg link`` and ``kg eval elevant``."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Literal, URIRef
from rdflib.namespace import OWL, XSD
from spacy.language import Language

from kg.cli import cli
from kg.extract.from_doc import extract
from kg.link.candidates import Candidate
from kg.link.gazetteer import Gazetteer
from kg.link.linker import Linker
from kg.link.sources import default_linker
from kg.link.wikidata import WikidataSource
from kg.model import Entity, Extraction
from kg.rdf.mapping import to_graph
from kg.rdf.namespaces import GEO, KG
from tests.helpers import ARTICLES, article, load_fixture
from tests.servers import OxigraphServer

WD = "http://www.wikidata.org/entity/"


def linked(nlp: Language, text: str, linker: Linker) -> dict[str, str]:
    x = linker.link(next(extract([article(text)], nlp)))
    labels = {e.ref: e.label for e in x.entities}
    return {labels[link.entity]: link.qid for link in x.links}


@pytest.fixture(scope="module")
def wikidata(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphServer]:
    with OxigraphServer(tmp_path_factory.mktemp("wikidata")) as server:
        load_fixture(server)
        yield server


def test_gazetteer_links_on_the_test_articles(extract_file) -> None:  # type: ignore[no-untyped-def]
    linker = default_linker()
    links = {}
    for name in ("operation.txt", "policy.txt", "statements.txt"):
        x = linker.link(extract_file(name))
        labels = {e.ref: e.label for e in x.entities}
        links.update({labels[link.entity]: (link.qid, link.source) for link in x.links})
        assert all(0.6 <= link.confidence <= 1 for link in x.links)
    assert links["Diyala"] == ("Q217075", "gazetteer")
    assert links["Saladin"] == ("Q190131", "gazetteer")  # the governorate, never the sultan
    assert links["Kirkuk"] == ("Q173310", "gazetteer")  # "in Kirkuk": the city
    assert links["Islamic State"] == ("Q2429253", "gazetteer")
    assert links["Syria"][0] == "Q858" and links["European Union"][0] == "Q458"
    assert links["United Nations"][0] == "Q1065" and links["Reuters"][0] == "Q130879"
    assert "Jalal Hamdani" not in links  # an invented person stays unlinked (NIL)


@pytest.mark.server
def test_endpoint_links_with_type_constraints(nlp: Language, wikidata: OxigraphServer, tmp_path: Path) -> None:
    source = WikidataSource(wikidata.query_url, cache_dir=tmp_path / "cache")
    found = linked(nlp, "Troops searched the desert between Kirkuk, Saladin and Diyala for ISIS cells, "
                        "and the Iraqi Army said Iraq would not rest.", Linker([source]))
    assert found["Saladin"] == "Q190131"  # not the sultan (human)
    assert found["Diyala"] == "Q217075"  # not the river
    assert found["Kirkuk"] == "Q193268"  # listed with governorates: the governorate
    assert found["Islamic State"] == "Q2429253"  # not the goddess
    assert found["Iraq"] == "Q796"


@pytest.mark.server
def test_person_links_only_to_a_human(nlp: Language, wikidata: OxigraphServer, tmp_path: Path) -> None:
    source = WikidataSource(wikidata.query_url, cache_dir=tmp_path / "cache")
    entity = Entity("person", "saladin", "Saladin", "Person")
    x = Linker([source]).link(Extraction(article("x"), "m", entities=(entity,)))
    assert [link.qid for link in x.links] == ["Q900000001"]


@pytest.mark.server
def test_gazetteer_first_then_endpoint(nlp: Language, wikidata: OxigraphServer, tmp_path: Path) -> None:
    linker = Linker([Gazetteer(), WikidataSource(wikidata.query_url, cache_dir=tmp_path / "cache")])
    x = linker.link(next(extract([article("The Iraqi Army moved into Diyala.")], nlp)))
    sources = {link.qid: link.source for link in x.links}
    assert sources["Q217075"] == "gazetteer"
    assert sources["Q900000004"] == "wikidata"  # the gazetteer has no forces; the endpoint does


class Fixed:
    """A candidate source with canned answers, for the decision rules alone."""

    name = "fixed"

    def __init__(self, answers: dict[str, list[Candidate]]) -> None:
        self.answers = answers

    def candidates(self, names: list[str]) -> dict[str, list[Candidate]]:  # type: ignore[override]
        return {n: self.answers.get(n, []) for n in names}


def test_two_equally_good_readings_stay_unlinked() -> None:
    twins = [Candidate("Q1", "Hamra", frozenset({"settlement"}), sitelinks=10),
             Candidate("Q2", "Hamra", frozenset({"settlement"}), sitelinks=12)]
    entity = Entity("settlement", "hamra", "Hamra", "Settlement")
    x = Linker([Fixed({"Hamra": twins})]).link(Extraction(article("x"), "m", entities=(entity,)))
    assert x.links == ()  # NIL: the entity keeps its own IRI
    popular = [twins[0], Candidate("Q3", "Hamra", frozenset({"settlement"}), sitelinks=300)]
    x = Linker([Fixed({"Hamra": popular})]).link(Extraction(article("x"), "m", entities=(entity,)))
    assert [(link.qid, link.confidence) for link in x.links] == [("Q3", 0.75)]


def test_a_surname_shared_in_the_article_does_not_link_a_person() -> None:
    # "Haddad" is an alias of the item, not its label; the article names another Haddad in full, so the
    # one-word mention may be either of them
    haddad = Candidate("Q20", "Karim Haddad", frozenset({"human"}), exact=False)
    source = Fixed({"Haddad": [haddad], "Karim Haddad": [replace(haddad, exact=True)]})
    alone = Entity("person", "haddad", "Haddad", "Person")
    namesake = Entity("person", "layla haddad", "Layla Haddad", "Person")
    x = Linker([source]).link(Extraction(article("x"), "m", entities=(alone, namesake)))
    assert x.links == ()
    x = Linker([source]).link(Extraction(article("x"), "m", entities=(alone,)))  # no namesake: links
    assert [link.qid for link in x.links] == ["Q20"]
    full = Entity("person", "karim haddad", "Karim Haddad", "Person", aliases=("Haddad",))
    x = Linker([source]).link(Extraction(article("x"), "m", entities=(full, namesake)))
    assert [link.qid for link in x.links] == ["Q20"]
    # a one-word name that is the item's own label still links, and only people are held to this
    mononym = Entity("person", "saladin", "Saladin", "Person")
    saladin_too = Entity("person", "omar saladin", "Omar Saladin", "Person")
    source = Fixed({"Saladin": [Candidate("Q21", "Saladin", frozenset({"human"}))],
                    "Kobani": [Candidate("Q22", "Ayn al-Arab", frozenset({"settlement"}), exact=False)]})
    town = Entity("settlement", "kobani", "Kobani", "Settlement")
    kobani_too = Entity("person", "ali kobani", "Ali Kobani", "Person")
    x = Linker([source]).link(Extraction(article("x"), "m", entities=(mononym, saladin_too, town, kobani_too)))
    assert sorted(link.qid for link in x.links) == ["Q21", "Q22"]


def test_a_surname_links_through_the_full_name_in_the_article(nlp: Language) -> None:
    gazetteer = Linker([Gazetteer()])
    both = linked(nlp, "President Barack Obama spoke in the capital on Monday. Obama said the talks would go on.",
                  gazetteer)
    assert both.get("Barack Obama") == "Q76"
    two = linked(nlp, "Michelle Obama and Barack Obama arrived on Monday. Obama said the talks would go on.",
                 gazetteer)
    assert two.get("Barack Obama") == "Q76" and "Obama" not in two and "Michelle Obama" not in two


def test_a_country_named_like_a_state_elsewhere_needs_a_place_in_it() -> None:
    # "Georgia" is a US state as well as a country (ISO 3166-2): alone it stays unlinked
    source = Fixed({"Georgia": [Candidate("Q230", "Georgia", frozenset({"country"}))],
                    "Tbilisi": [Candidate("Q994", "Tbilisi", frozenset({"settlement"}), country="Q230")],
                    "Syria": [Candidate("Q858", "Syria", frozenset({"country"}))]})
    georgia = Entity("country", "georgia", "Georgia", "Country")
    syria = Entity("country", "syria", "Syria", "Country")
    x = Linker([source]).link(Extraction(article("x"), "m", entities=(georgia, syria)))
    assert [link.qid for link in x.links] == ["Q858"]
    tbilisi = Entity("settlement", "tbilisi", "Tbilisi", "Settlement")
    x = Linker([source]).link(Extraction(article("x"), "m", entities=(georgia, tbilisi)))
    assert [link.qid for link in x.links] == ["Q230", "Q994"]


def test_a_country_that_takes_a_plural_verb_is_a_team(nlp: Language) -> None:
    gazetteer = Linker([Gazetteer()])
    team = linked(nlp, "Tonga have been the surprise of the cup so far, and Samoa were beaten 20-3 on Saturday.",
                  gazetteer)
    assert "Q678" not in team.values() and "Q683" not in team.values()  # the states of Tonga and Samoa
    states = linked(nlp, "Tonga has asked for aid after the storm. Iraq and Syria have reopened the border.",
                    gazetteer)
    assert {"Tonga", "Iraq", "Syria"} <= set(states)


def test_context_country_decides() -> None:
    places = [Candidate("Q10", "Hadith", frozenset({"settlement"}), country="Q796", exact=False),
              Candidate("Q11", "Hadith", frozenset({"settlement"}), country="Q29", sitelinks=50)]
    entities = (Entity("country", "iraq", "Iraq", "Country"), Entity("settlement", "hadith", "Hadith", "Settlement"))
    source = Fixed({"Hadith": places, "Iraq": [Candidate("Q796", "Iraq", frozenset({"country"}))]})
    x = Linker([source]).link(Extraction(article("x"), "m", entities=entities))
    assert {link.entity[1]: link.qid for link in x.links} == {"iraq": "Q796", "hadith": "Q10"}


def test_links_in_rdf(extract_file) -> None:  # type: ignore[no-untyped-def]
    x = default_linker().link(extract_file("operation.txt"))
    graph = to_graph(x)
    diyala = URIRef("https://w3id.org/kg-news/id/entity/administrativearea/diyala")
    assert (diyala, OWL.sameAs, URIRef(WD + "Q217075")) in graph
    assert graph.value(diyala, KG.linkSource) == Literal("gazetteer")
    assert graph.value(diyala, KG.linkConfidence).datatype == XSD.decimal  # type: ignore[union-attr]
    geometry = graph.value(diyala, GEO.hasGeometry)
    assert str(graph.value(geometry, GEO.asWKT)).startswith("POINT(4")


def test_cli_links_by_default_and_not_with_no_link(tmp_path: Path) -> None:
    runner = CliRunner()
    source = str(ARTICLES / "policy.txt")
    out = tmp_path / "out.trig"
    assert runner.invoke(cli, ["extract", source, "-o", str(out)]).exit_code == 0
    entities = runner.invoke(cli, ["query", "entities", "--data", str(out), "--format", "json"]).stdout
    syria = next(e for e in json.loads(entities) if e["label"] == "Syria")
    assert syria["wikidata"] == WD + "Q858"
    mapped = runner.invoke(cli, ["query", "map", "--data", str(out), "--format", "csv"]).stdout
    assert "Q858" in mapped or "Syria" in mapped
    bare = tmp_path / "bare.trig"
    assert runner.invoke(cli, ["extract", source, "--no-link", "-o", str(bare)]).exit_code == 0
    from rdflib import Dataset

    data = Dataset(default_union=True)
    data.parse(bare, format="trig")
    assert not list(data.triples((None, OWL.sameAs, None)))


def test_kg_link_relinks_a_store(tmp_path: Path) -> None:
    runner = CliRunner()
    store = str(tmp_path / "store")
    ingest = runner.invoke(cli, ["ingest", str(ARTICLES / "policy.txt"), "--no-link", "--store", store])
    assert ingest.exit_code == 0, ingest.stderr

    def wikidata_of(label: str) -> str | None:
        rows = json.loads(runner.invoke(cli, ["query", "entities", "--store", store, "--format", "json"]).stdout)
        return next(r.get("wikidata") for r in rows if r["label"] == label)

    assert wikidata_of("Syria") is None
    first = runner.invoke(cli, ["link", "--store", store, "--offline"])
    assert first.exit_code == 0, first.stderr
    assert "1 new" in first.stderr
    looked, linked = map(int, re.search(r"(\d+) entities looked at, (\d+) linked", first.stderr).groups())  # type: ignore[union-attr]
    assert 0 < linked < looked
    assert wikidata_of("Syria") == WD + "Q858"
    assert wikidata_of("European Union") == WD + "Q458"
    again = runner.invoke(cli, ["link", "--store", store, "--offline"])
    assert again.exit_code == 0 and "0 new, 0 replaced, 1 unchanged" in again.stderr


def test_eval_elevant_on_a_small_gold_file(tmp_path: Path) -> None:
    text = ("Iraqi forces pushed into Diyala on Monday. Officials in Syria said Rahim Qasim, a local trader, "
            "was unhurt.")
    gold = {"id": 1, "title": "t", "text": text, "evaluation_span": [0, len(text)], "labels": [
        {"id": 0, "span": [text.index("Diyala"), text.index("Diyala") + 6], "entity_id": "Q217075", "name": "Diyala"},
        {"id": 1, "span": [text.index("Syria"), text.index("Syria") + 5], "entity_id": "Q858", "name": "Syria"},
        {"id": 2, "span": [text.index("Rahim"), text.index("Rahim") + 11], "entity_id": "<NIL>", "name": "Rahim"},
        {"id": 3, "span": [0, 5], "entity_id": "Q796", "name": "Iraq"},
    ]}
    path = tmp_path / "gold.jsonl"
    path.write_text(json.dumps(gold) + "\n")
    result = CliRunner().invoke(cli, ["eval", "elevant", str(path), "--format", "json"])
    assert result.exit_code == 0, result.stderr
    score = json.loads(result.stdout)
    assert (score["gold"], score["gold_nil"], score["correct"], score["predicted"]) == (3, 1, 2, 2)
    assert score["precision"] == 1.0 and score["recall"] == round(2 / 3, 4) and score["nil_accuracy"] == 1.0
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "no labels"}\n')
    failed = CliRunner().invoke(cli, ["eval", "elevant", str(bad)])
    assert failed.exit_code == 1 and "line 1: not an ELEVANT record" in failed.stderr


KIND_CLASS = {"human": "Q5", "country": "Q6256", "admin": "Q10864048", "settlement": "Q515", "armed": "Q17127659",
              "international": "Q484652", "media": "Q192283", "organization": "Q43229", "force": "Q8473",
              "political": "Q7278", "government": "Q327333", "facility": "Q13226383", "natural": "Q4022",
              "area": "Q82794"}


def wikidata_shaped(gazetteer: Gazetteer) -> str:
    """The gazetteer as Wikidata would hold it: labels, altLabels, P31, P17, P625, sitelinks."""
    lines = ["@prefix wd: <http://www.wikidata.org/entity/> . @prefix wdt: <http://www.wikidata.org/prop/direct/> .",
             "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> . @prefix skos: <http://www.w3.org/2004/02/skos/core#> .",
             "@prefix geo: <http://www.opengis.net/ont/geosparql#> . @prefix wikibase: <http://wikiba.se/ontology#> ."]
    for e in gazetteer.entries:
        item = f"wd:{e.qid}"
        lines.append(f"{item} rdfs:label {json.dumps(e.label)}@en ; wikibase:sitelinks 10 ; "
                     f"wdt:P31 wd:{KIND_CLASS[e.kind]} .")
        if e.coordinates:
            lines.append(f'{item} wdt:P625 "Point({e.coordinates[0]} {e.coordinates[1]})"^^geo:wktLiteral .')
        if e.country:
            lines.append(f"{item} wdt:P17 wd:{e.country} .")
        for alias in e.aliases:
            lines.append(f"{item} skos:altLabel {json.dumps(alias)}@en .")
    return "\n".join(lines)


@pytest.mark.server
def test_an_endpoint_with_only_wikidata_shaped_data_gives_the_same_links(
        extract_file, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import requests

    gazetteer = Gazetteer()
    with OxigraphServer(tmp_path / "wd") as server:
        response = requests.post(f"{server.store_url}?default", data=wikidata_shaped(gazetteer).encode(),
                                 headers={"Content-Type": "text/turtle"}, timeout=60)
        assert response.status_code in (200, 201, 204), response.text
        endpoint_only = Linker([WikidataSource(server.query_url, cache_dir=tmp_path / "cache")])
        for name in ("operation.txt", "policy.txt", "statements.txt"):
            x = extract_file(name)
            by_gazetteer = {(link.entity, link.qid) for link in Linker([gazetteer]).link(x).links}
            by_endpoint = {(link.entity, link.qid) for link in endpoint_only.link(x).links}
            assert by_gazetteer and by_endpoint == by_gazetteer, name
