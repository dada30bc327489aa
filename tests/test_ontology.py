"""The ontology, the generated ``KG`` namespace and the SHACL shapes agree with each other and the spec."""

from __future__ import annotations

import inspect
import subprocess
import sys
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pyshacl
import pytest
from rdflib import OWL, RDF, RDFS, SKOS, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.term import Node

from kg.rdf.vocab import KG
from kg.resources import ONTOLOGY_DIR, QUERIES_DIR, ontology_path, shapes_path

NS = "https://w3id.org/kg-news/ns#"
SH = Namespace("http://www.w3.org/ns/shacl#")
NIF = Namespace("http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#")
REPO_ROOT = Path(__file__).resolve().parent.parent
VALID_TRIG = Path(__file__).parent / "data" / "shape_valid.trig"

ARTICLE = URIRef("https://w3id.org/kg-news/id/article/0123456789abcdef")
ART = Namespace(str(ARTICLE) + "/")
EVENT = ART["event/59-73"]
POLICY = ART["policy/112-121"]
STATEMENT = ART["statement/35-39"]
RELATION = ART["relation/0-129-1"]
MENTION = ART["mention/0-13"]

ROOT_CLASSES = {KG.Actor, KG.Location, KG.Event, KG.Policy, KG.Position, KG.Mention, KG.Incident}
VALUE_CLASSES = {KG.OperationStatus, KG.PolicyStatus, KG.DatePrecision, KG.Factuality}
# rdflib and pyshacl trigger their own Dataset/ConjunctiveGraph deprecation warnings by the thousand.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

PLOVER_TYPES = {
    "AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT", "REQUEST",
    "ACCUSE", "REJECT", "THREATEN", "PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT",
}  # fmt: skip


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(ontology_path(), format="turtle")


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return Graph().parse(shapes_path(), format="turtle")


def kg_subjects(graph: Graph) -> set[URIRef]:
    return {s for s in graph.subjects() if isinstance(s, URIRef) and str(s).startswith(NS)}


def test_resources_point_at_files() -> None:
    assert ONTOLOGY_DIR.is_dir()
    assert QUERIES_DIR.is_dir()
    assert ontology_path().is_file()
    assert shapes_path().is_file()


def test_ontology_and_shapes_parse(ontology: Graph, shapes: Graph) -> None:
    onto = URIRef("https://w3id.org/kg-news/ns")
    assert (onto, RDF.type, OWL.Ontology) in ontology
    assert ontology.value(onto, OWL.versionInfo) == Literal("0.1.0")
    assert len(set(shapes.subjects(RDF.type, SH.NodeShape))) >= 10


def test_vocab_matches_ontology(ontology: Graph) -> None:
    names = set(inspect.get_annotations(KG))
    defined = {str(term)[len(NS) :] for term in kg_subjects(ontology)}
    assert names == defined
    for name in names:
        assert KG[name] == URIRef(NS + name)
    with pytest.raises(AttributeError):
        _ = KG.noSuchTerm


def test_vocab_is_up_to_date(tmp_path: Path) -> None:
    out = tmp_path / "vocab.py"
    subprocess.run(
        [sys.executable, str(REPO_ROOT / "tools" / "gen_namespace.py"), "--ontology", str(ontology_path()), "--output", str(out)],
        check=True,
    )
    assert out.read_bytes() == (REPO_ROOT / "kg" / "rdf" / "vocab.py").read_bytes()


def test_every_term_has_english_label_and_comment(ontology: Graph) -> None:
    for term in kg_subjects(ontology):
        for prop in (RDFS.label, RDFS.comment):
            values = [v for v in ontology.objects(term, prop) if isinstance(v, Literal) and v.language == "en"]
            assert len(values) == 1, f"{term} needs exactly one English {prop}"


def test_every_term_is_typed(ontology: Graph) -> None:
    kinds = {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.NamedIndividual}
    for term in kg_subjects(ontology):
        assert set(ontology.objects(term, RDF.type)) & kinds, f"{term} has no OWL type"


def test_every_class_reaches_a_root(ontology: Graph) -> None:
    for cls in kg_subjects(ontology):
        if (cls, RDF.type, OWL.Class) not in ontology or cls in VALUE_CLASSES:
            continue
        ancestors = set(ontology.transitive_objects(cls, RDFS.subClassOf))  # includes cls itself
        assert ancestors & ROOT_CLASSES, f"{cls} is not below any of the root classes"


def test_individuals_belong_to_value_classes(ontology: Graph) -> None:
    for individual in ontology.subjects(RDF.type, OWL.NamedIndividual):
        assert set(ontology.objects(individual, RDF.type)) & VALUE_CLASSES


def test_code_concepts_are_declared(ontology: Graph) -> None:
    matched = [
        o
        for o in ontology.objects(None, SKOS.closeMatch)
        if isinstance(o, URIRef) and ("/kg-news/cameo/" in o or "/kg-news/plover/" in o)
    ]
    assert matched
    for concept in matched:
        assert (concept, RDF.type, SKOS.Concept) in ontology
        assert ontology.value(concept, SKOS.prefLabel) is not None
        notation = str(ontology.value(concept, SKOS.notation))
        if "/plover/" in concept:
            assert notation in PLOVER_TYPES
        else:
            assert len(notation) == 3 and notation.isdigit()


def test_shapes_use_only_defined_terms(shapes: Graph) -> None:
    used = {t for triple in shapes for t in triple if isinstance(t, URIRef) and str(t).startswith(NS)}
    # list members of sh:in are objects of rdf:first, so they are covered too
    assert used
    for term in used:
        assert str(term)[len(NS) :] in KG, f"shapes.ttl uses undefined {term}"


def load_valid() -> Dataset:
    ds = Dataset()
    ds.parse(VALID_TRIG, format="trig")
    return ds


def validate(ds: Dataset) -> tuple[bool, set[str]]:
    """Validate like ``kg validate`` does: ontology mixed in, RDFS inference, every named graph."""
    conforms, report, _ = pyshacl.validate(
        ds, shacl_graph=str(shapes_path()), ont_graph=str(ontology_path()), inference="rdfs"
    )
    assert isinstance(report, Graph)
    return bool(conforms), {str(m) for m in report.objects(None, SH.resultMessage)}


def test_valid_graph_conforms() -> None:
    ds = load_valid()
    assert len(ds.graph(ARTICLE)) > 50
    conforms, messages = validate(ds)
    assert conforms, messages


def _set(subject: URIRef, prop: URIRef, value: Node) -> Callable[[Graph], object]:
    return lambda g: g.set((subject, prop, value))


def _remove(subject: URIRef, prop: URIRef) -> Callable[[Graph], object]:
    return lambda g: g.remove((subject, prop, None))


BROKEN: dict[str, tuple[Callable[[Graph], object], str]] = {
    "missing articleId": (
        _remove(ARTICLE, KG.articleId),
        "An article must have exactly one kg:articleId, a plain string.",
    ),
    "confidence 1.5": (
        _set(EVENT, KG.confidence, Literal(Decimal("1.5"))),
        "An event, statement or policy must have exactly one kg:confidence, an xsd:decimal between 0 and 1.",
    ),
    "negative beginIndex": (
        _set(MENTION, NIF.beginIndex, Literal(-1)),
        "A sentence or mention must have exactly one nif:beginIndex, an xsd:integer of 0 or more.",
    ),
    "operation status on a policy": (
        _set(POLICY, KG.status, KG.Ongoing),
        "A policy must have exactly one kg:status, one of kg:InForce, kg:Proposed, kg:Eased, kg:Suspended, kg:Lifted.",
    ),
    "policy status on an operation": (
        _set(EVENT, KG.status, KG.Lifted),
        "An event's kg:status must be one of kg:Planned, kg:Ongoing, kg:Completed, at most once.",
    ),
    "event evidence missing": (
        _remove(EVENT, KG.evidence),
        "An event, statement or policy must have exactly one kg:evidence pointing to a nif:Sentence in the same graph.",
    ),
    "relation evidence missing": (
        _remove(RELATION, KG.evidence),
        "A reified relation must have exactly one kg:evidence pointing to a nif:Sentence in the same graph.",
    ),
    "relation predicate not a kg relation": (
        _set(RELATION, RDF.predicate, RDFS.seeAlso),
        "A reified relation must have exactly one rdf:predicate, one of the kg relation properties (kg:leaderOf, kg:memberOf, ...).",
    ),
    "statement without quote": (
        _remove(STATEMENT, KG.quote),
        "A statement must have exactly one kg:quote, a plain string.",
    ),
    "date as string": (
        _set(EVENT, KG.date, Literal("2025-01-16")),
        "An event, statement or policy may have at most one kg:date, an xsd:date.",
    ),
    "precision without date": (
        _remove(STATEMENT, KG.date),
        "kg:datePrecision is only allowed together with kg:date.",
    ),
    "proposed change on a policy in force": (
        _set(POLICY, KG.proposedChange, KG.Lifted),
        "kg:proposedChange is only allowed on a policy whose kg:status is kg:Proposed.",
    ),
    "undeclared target entity": (
        _set(POLICY, KG.target, URIRef("https://w3id.org/kg-news/id/entity/person/nobody")),
        "kg:target must point to an actor or location entity IRI declared in the same graph.",
    ),
    "entity label with language tag": (
        _set(URIRef("https://w3id.org/kg-news/id/entity/administrativearea/diyala"), RDFS.label, Literal("Diyala", lang="en")),
        "An entity must have exactly one rdfs:label, a plain string without language tag.",
    ),
    "mention without entity link": (
        _remove(MENTION, URIRef("http://www.w3.org/2005/11/its/rdf#taIdentRef")),
        "A mention must link to exactly one entity IRI with itsrdf:taIdentRef.",
    ),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_graph_fails_with_message(case: str) -> None:
    mutate, expected = BROKEN[case]
    ds = load_valid()
    mutate(ds.graph(ARTICLE))
    conforms, messages = validate(ds)
    assert not conforms
    assert messages == {expected}


def test_superclass_targets_need_the_ontology() -> None:
    """Shapes target kg:Event and kg:Policy: the SearchOperation is only checked with the ontology mixed in."""
    ds = load_valid()
    _remove(EVENT, KG.evidence)(ds.graph(ARTICLE))
    focus = URIRef("http://www.w3.org/ns/shacl#focusNode")
    _, bare, _ = pyshacl.validate(ds, shacl_graph=str(shapes_path()), inference="none")
    assert isinstance(bare, Graph)
    assert EVENT not in set(bare.objects(None, focus))
    _, full, _ = pyshacl.validate(ds, shacl_graph=str(shapes_path()), ont_graph=str(ontology_path()), inference="rdfs")
    assert isinstance(full, Graph)
    assert EVENT in set(full.objects(None, focus))


def test_manifest_terms_keep_the_iris_earlier_versions_stored() -> None:
    from kg.store.base import ManifestEntry, manifest_quads

    quads = manifest_quads(ManifestEntry("urn:g", "abc", 3, "2025-01-01T00:00:00Z", "0.1.0"))
    assert [q.predicate.value for q in quads] == [
        NS + name for name in ("contentHash", "tripleCount", "loadedAt", "extractorVersion")]
