"""RDF mapping: a hand-built extraction against a hand-written expected graph (isomorphism), the
provenance contract, SHACL conformance and byte-identical, deterministic output."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.compare import graph_diff, isomorphic, to_isomorphic
from rdflib.namespace import RDF, XSD

from kg.model import (
    Article,
    Caption,
    Entity,
    Event,
    Extraction,
    Mention,
    Policy,
    Position,
    Relation,
    Statement,
    TextSpan,
    TimeRef,
)
from kg.rdf.files import RdfWriter
from kg.rdf.mapping import to_graph, to_quads
from kg.rdf.namespaces import KG, NIF, Minter
from kg.rdf.shapes import validate
from kg.rdf.terms import sort_key
from tests.helpers import ARTICLES, DATA, DATELINE

TEXT = "Jalal Hamdani, spokesman for the Federal Police, said on Tuesday: “We hunt ISIS in Diyala.”"
PERSON = ("person", "jalal hamdani")
POLICE = ("organization", "federal police")
ISIS = ("organization", "islamic state")
DIYALA = ("administrativearea", "diyala")


def span(text: str, start: int | None = None) -> TextSpan:
    begin = TEXT.index(text) if start is None else start
    return TextSpan(begin, begin + len(text), text)


def hand_built() -> Extraction:
    sentence = span(TEXT)
    return Extraction(
        article=Article(id="m1", text=TEXT, title="Police Hunt Cells in Diyala", date=dt.date(2025, 3, 6),
                        captions=(Caption("Police patrol.", "AFP"),)),
        model="en_test 1.0",
        entities=(Entity(*PERSON, "Jalal Hamdani", "Person", ("Hamdani",)),
                  Entity(*POLICE, "Federal Police", "SecurityForce"),
                  Entity(*ISIS, "Islamic State", "ArmedGroup", ("ISIS",)),
                  Entity(*DIYALA, "Diyala", "AdministrativeArea")),
        mentions=(Mention(span("Jalal Hamdani"), PERSON, 0.93), Mention(span("ISIS"), ISIS, 0.7)),
        events=(Event("SearchOperation", span("hunt"), sentence, 0.9, agents=(POLICE,), targets=(ISIS,),
                      locations=(DIYALA,), time=TimeRef("on Tuesday", dt.date(2025, 3, 4), dt.date(2025, 3, 4), "Day"),
                      status="Ongoing", killed=40, killed_lower_bound=True, injured=3),),
        # an odd policy on purpose: the mapping must carry every field through, whatever the text says
        policies=(Policy("Sanction", span("hunt"), sentence, 0.5, issuers=(POLICE,), targets=(DIYALA,),
                         sectors=("banking", "oil"), status="Proposed", proposed_change="Eased",
                         time=TimeRef("next week", dt.date(2025, 3, 10), dt.date(2025, 3, 16), "Week"),
                         factuality="Planned"),),
        statements=(Statement(span("said"), span("We hunt ISIS in Diyala."), sentence, 1.0, speaker=PERSON,
                              about=(ISIS, DIYALA), factuality="Possible"),),
        relations=(Relation(PERSON, "spokespersonFor", sentence, 0.8, object=POLICE),
                   Relation(PERSON, "holdsPosition", sentence, 0.8, position=Position("spokesman", POLICE))),
    )


def without_reification(graph: Graph) -> Graph:
    out = Graph()
    reified = set(graph.subjects(RDF.type, RDF.Statement))
    for triple in graph:
        if triple[0] not in reified:
            out.add(triple)
    return out


def assert_isomorphic(expected: Graph, actual: Graph) -> None:
    if not isomorphic(expected, actual):
        _, only_expected, only_actual = graph_diff(to_isomorphic(expected), to_isomorphic(actual))
        pytest.fail("graphs differ\nonly expected:\n" + only_expected.serialize(format="nt")
                    + "\nonly actual:\n" + only_actual.serialize(format="nt"))


def test_mapping_matches_the_hand_written_graph() -> None:
    graph = to_graph(hand_built())
    expected = Graph().parse(DATA / "expected" / "mapping.ttl")
    assert_isomorphic(expected, without_reification(graph))


def test_relations_are_asserted_and_reified_with_evidence() -> None:
    graph = to_graph(hand_built())
    reified = sorted(graph.subjects(RDF.type, RDF.Statement))
    assert len(reified) == 2
    for node in reified:
        subject, predicate, obj = (graph.value(node, p) for p in (RDF.subject, RDF.predicate, RDF.object))
        assert (subject, predicate, obj) in graph
        evidence = graph.value(node, KG.evidence)
        assert graph.value(evidence, NIF.anchorOf) == Literal(TEXT)
        assert graph.value(node, KG.confidence) == Literal("0.8", datatype=XSD.decimal)
    assert {str(graph.value(n, RDF.predicate)) for n in reified} == {str(KG.spokespersonFor), str(KG.holdsPosition)}


def test_graph_is_named_after_the_article_and_iris_use_the_base() -> None:
    graph = to_graph(hand_built(), Minter("https://example.org/news/"))
    assert graph.identifier == URIRef("https://example.org/news/article/m1")
    assert all(str(s).startswith(("https://example.org/news/", "https://w3id.org/kg-news/software"))
               for s in graph.subjects())


def test_quads_come_sorted_without_duplicates_with_the_minters_part_iris() -> None:
    minter, extraction = Minter("https://example.org/news/"), hand_built()
    quads = to_quads(extraction, minter)
    assert quads == sorted(set(quads), key=sort_key)
    spans = [("mention", m.span) for m in extraction.mentions] + [("sentence", e.evidence) for e in extraction.events]
    parts = [minter.part("m1", "extraction"), minter.part("m1", "image", 1),
             *(minter.part("m1", kind, span.start, span.end) for kind, span in spans)]
    assert {str(p) for p in parts} <= {q.subject.value for q in quads}


def test_iris_never_contain_raw_text() -> None:
    assert Minter().article("a b/c?") == URIRef("https://w3id.org/kg-news/id/article/a%20b%2Fc%3F")
    assert Minter().entity("person", "jalal <hamdani>") == URIRef(
        "https://w3id.org/kg-news/id/entity/person/jalal-hamdani")


def test_extracted_output_conforms_to_the_shapes(nlp, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from kg.extract.from_doc import extract
    from kg.read.articles import read_articles

    out = tmp_path / "out.trig"
    with RdfWriter(out, "trig") as writer:
        for x in extract(read_articles([ARTICLES], date=DATELINE, on_error=lambda e: None), nlp):
            writer.write(to_graph(x))
    assert validate([out]) == []


def test_a_broken_graph_is_reported_by_the_shapes(tmp_path: Path) -> None:
    graph = to_graph(hand_built())
    node = next(graph.subjects(RDF.type, KG.SearchOperation))
    graph.set((node, KG.confidence, Literal("1.5", datatype=XSD.decimal)))
    out = tmp_path / "bad.trig"
    with RdfWriter(out, "trig") as writer:
        writer.write(graph)
    problems = validate([out])
    assert problems and all(str(out) in p for p in problems)
    assert any(str(node) in p for p in problems)


@pytest.mark.parametrize("fmt", ["turtle", "trig", "nquads", "ntriples", "jsonld"])
def test_every_format_round_trips_and_is_deterministic(fmt: str) -> None:
    def write() -> bytes:
        buffer = io.BytesIO()
        with RdfWriter(buffer, fmt) as writer:
            writer.write(to_graph(hand_built()))
            writer.write(to_graph(hand_built(), Minter("https://example.org/other/")))
        return buffer.getvalue()

    first, second = write(), write()
    assert first == second
    parsed = Dataset(default_union=True)
    parsed.parse(data=first.decode(), format={"turtle": "turtle", "trig": "trig", "nquads": "nquads",
                                               "ntriples": "nt", "jsonld": "json-ld"}[fmt])
    single = without_reification(to_graph(hand_built()))
    assert len(parsed) >= 2 * len(single)


def test_extraction_output_is_byte_identical_across_runs(nlp, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from kg.extract.from_doc import extract
    from kg.read.articles import read_articles

    outputs = []
    for n in range(2):
        out = tmp_path / f"run{n}.nq"
        with RdfWriter(out, "nquads") as writer:
            for x in extract(read_articles([ARTICLES / "two_articles.txt", ARTICLES / "statements.txt"],
                                           date=DATELINE), nlp):
                writer.write(to_graph(x))
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]
    assert outputs[0].count(b"\n") > 100
