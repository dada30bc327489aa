"""Properties over arbitrary text: the IRIs kg mints, and article graphs through every RDF syntax kg writes.

IRIs: whatever the name or article id (controls, emoji, right-to-left text, quotes, ``<>"{}|\\^```,
spaces, percent signs, very long strings), the IRI is an absolute IRI that pyoxigraph accepts and rdflib
reads back from N-Triples, the same on every call, and two IRIs are the same only where the design
(DESIGN.md, *IRIs*) merges the names: entity names that normalise to one key (case, diacritics, a
leading article, symbols and emoji around them) or whose keys differ only in spaces and punctuation.

Round trip: an article graph built from arbitrary text, written in turtle, trig, nquads, ntriples and
jsonld and parsed back by pyoxigraph and by rdflib, is the graph that was written. The graphs have no
blank nodes, so isomorphism is equality of the sets of quads. Lone surrogates are left out: the reader
refuses them before they reach a graph.
"""

from __future__ import annotations

import io
import re

import pyoxigraph as ox
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Dataset, Graph, URIRef
from rdflib.compare import isomorphic

from kg.model import Article, Caption, Entity, Event, Extraction, Mention, Statement, TextSpan, TimeRef
from kg.names import normalise_name
from kg.rdf.files import FORMATS, RdfWriter
from kg.rdf.mapping import to_quads
from kg.rdf.namespaces import Minter
from kg.rdf.terms import to_rdflib

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# any character but lone surrogates, with the troublesome ones drawn often
HOSTILE = "\x00\x07\x1b\t\n\r\x7f\x85\x9b\u200b\u200d\u200e\u200f\u202e\u2028\ufeff\ufffd\"'<>{}|\\^`% #?/&;=@🔥✅™®ש"
CHARS = st.one_of(st.characters(exclude_categories=["Cs"]), st.sampled_from(HOSTILE))
TEXT = st.text(CHARS)
LONG_TEXT = st.one_of(TEXT, st.builds(lambda t, n: t * n, st.text(CHARS, min_size=1, max_size=8),
                                      st.integers(50, 400)))
KINDS = st.sampled_from(["person", "organization", "armedgroup", "settlement", "country", "position"])
# RFC 3987 minus the characters kg never puts in an IRI (kg escapes everything outside ASCII)
IRI_CHARS = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+")
PERCENT = re.compile(r"%(?![0-9A-F]{2})")
MINTER = Minter()


def assert_valid_iri(iri: str) -> None:
    assert IRI_CHARS.fullmatch(iri), iri
    assert not PERCENT.search(iri), iri
    assert ox.NamedNode(iri).value == iri
    graph = Graph().parse(data=f"<{iri}> <urn:p> <urn:o> .\n", format="nt")
    assert list(graph.subjects()) == [URIRef(iri)]


def words(key: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", key)


@SETTINGS
@given(label=LONG_TEXT, kind=KINDS)
def test_entity_iris_are_valid_and_deterministic(label: str, kind: str) -> None:
    key = normalise_name(label)
    iri = str(MINTER.entity(kind, key))
    assert_valid_iri(iri)
    assert str(Minter().entity(kind, normalise_name(label))) == iri
    assert iri.startswith(f"https://w3id.org/kg-news/id/entity/{kind}/")
    assert_valid_iri(str(MINTER.position((kind, key), label)))
    assert_valid_iri(str(MINTER.entity(kind, label)))  # a key that was not normalised is escaped too


@SETTINGS
@given(first=LONG_TEXT, second=LONG_TEXT, edit=st.tuples(st.integers(0, 500), CHARS), kind=KINDS, other=KINDS)
def test_entity_iris_meet_only_where_the_design_merges_names(first: str, second: str, edit: tuple[int, str],
                                                             kind: str, other: str) -> None:
    at, char = edit
    for name in (second, first[:at] + char + first[at:]):  # an unrelated name, and a name one character off
        a, b = normalise_name(first), normalise_name(name)
        if MINTER.entity(kind, a) == MINTER.entity(other, b):
            assert kind == other
            assert a == b or (a.isascii() and b.isascii() and words(a) == words(b)), (a, b)
    if kind != other:
        assert MINTER.entity(kind, normalise_name(first)) != MINTER.entity(other, normalise_name(first))


@SETTINGS
@given(name=st.text(st.sampled_from("abcdefghijklmnopqrstuvwxyz ABCXYZ-'"), min_size=1), noise=st.lists(
    st.sampled_from(["🔥", "✅", "™", "®", "\u200d", "\u200f", "#", "🙏", " ", "\ufe0f"]), max_size=4))
def test_case_and_symbols_around_a_name_do_not_make_another_entity(name: str, noise: list[str]) -> None:
    plain = MINTER.entity("person", normalise_name(name))
    assert MINTER.entity("person", normalise_name(name.upper())) == plain
    assert MINTER.entity("person", normalise_name("".join(noise) + name + "".join(noise))) == plain


@SETTINGS
@given(first=LONG_TEXT, second=LONG_TEXT, offsets=st.lists(st.integers(0, 10**9), max_size=3))
def test_article_iris_are_valid_and_never_collide(first: str, second: str, offsets: list[int]) -> None:
    for article_id in (first, second):
        assert_valid_iri(str(MINTER.article(article_id)))
        assert_valid_iri(str(MINTER.part(article_id, "mention", *offsets)))
    assert MINTER.article(first) == Minter().article(first)
    if first != second:
        assert MINTER.article(first) != MINTER.article(second)
        assert MINTER.part(first, "mention", *offsets) != MINTER.part(second, "mention", *offsets)


@st.composite
def extractions(draw: st.DrawFn) -> Extraction:
    """An article with hostile text everywhere kg copies text into the graph."""
    body = draw(st.text(CHARS, min_size=1, max_size=300))
    article = Article(id=draw(TEXT.filter(bool)), text=body, title=draw(st.none() | TEXT),
                      captions=tuple(Caption(t, c) for t, c in draw(st.lists(st.tuples(TEXT, st.none() | TEXT),
                                                                            max_size=2))),
                      url=draw(st.none() | st.just("https://example.org/news?id=1&x=%20")),
                      source=draw(st.none() | TEXT), language=draw(st.none() | st.just("en")))
    entities: dict[tuple[str, str], Entity] = {}
    mentions = []
    for label, kind in draw(st.lists(st.tuples(TEXT, KINDS), max_size=4)):
        ref = (kind, normalise_name(label))
        entities.setdefault(ref, Entity(kind, ref[1], label, "Person", tuple(draw(st.lists(TEXT, max_size=2)))))
        start = draw(st.integers(0, len(body)))
        end = draw(st.integers(start, len(body)))
        surface = draw(st.sampled_from([body[start:end], label]))
        mentions.append(Mention(TextSpan(start, end, surface), ref, draw(st.floats(0, 1))))
    refs = tuple(entities)
    span = TextSpan(0, len(body), body)
    events = tuple(Event("Attack", TextSpan(0, 1, draw(TEXT)), span, 0.5, agents=refs[:1],
                         time=TimeRef(draw(TEXT))) for _ in range(draw(st.integers(0, 1))))
    statements = tuple(Statement(TextSpan(1, 2, draw(TEXT)), TextSpan(2, 3, draw(TEXT)), span, 0.7,
                                 speaker=refs[0]) for _ in range(draw(st.integers(0, 1))) if refs)
    return Extraction(article=article, model=draw(TEXT), entities=tuple(entities.values()),
                      mentions=tuple(mentions), events=events, statements=statements)


def _written(quads: list[ox.Quad], fmt: str) -> bytes:
    out = io.BytesIO()
    with RdfWriter(out, fmt) as writer:
        writer.write(quads)
    return out.getvalue()


RDFLIB_FORMATS = {"turtle": "turtle", "trig": "trig", "nquads": "nquads", "ntriples": "nt", "jsonld": "json-ld"}


@settings(SETTINGS, max_examples=100)
@given(extraction=extractions())
def test_article_graphs_round_trip_through_every_syntax(extraction: Extraction) -> None:
    quads = to_quads(extraction)
    graph_name = quads[0].graph_name
    assert isinstance(graph_name, ox.NamedNode)
    expected = set(quads)
    expected_triples = {q.triple for q in quads}
    original = Graph()
    for q in quads:
        original.add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))  # type: ignore[arg-type]
    for fmt, syntax in FORMATS.items():
        data = _written(quads, fmt)
        assert _written(quads, fmt) == data  # deterministic
        parsed = list(ox.parse(data, format=syntax))
        if fmt in {"trig", "nquads", "jsonld"}:
            assert set(parsed) == expected, fmt
        else:
            assert {q.triple for q in parsed} == expected_triples, fmt
        read = Dataset()
        read.parse(data=data, format=RDFLIB_FORMATS[fmt])
        if fmt in {"trig", "nquads", "jsonld"}:
            assert {str(c.identifier) for c in read.graphs() if len(c)} == {graph_name.value}, fmt
            back = read.graph(URIRef(graph_name.value))
        else:
            back = read.default_graph
        assert isomorphic(back, original), (fmt, set(back) ^ set(original))
