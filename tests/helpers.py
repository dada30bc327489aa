"""Helpers shared by the test modules: test data paths, one-off articles, running the pipeline on a text,
hand-made Extractions, and loading the Wikidata-shaped fixture into a server.

Test modules import from here (and from tests/servers.py for the real SPARQL servers), never from each
other or from conftest.py; tests/test_hygiene.py holds them to that.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import requests
from spacy.language import Language

from kg.evaluate.re3d_gold import Re3dDocument
from kg.extract.from_doc import extract
from kg.model import Article, Entity, Event, Extraction, Mention, Relation, TextSpan
from tests.servers import OxigraphServer

DATA = Path(__file__).parent / "data"
ARTICLES = DATA / "articles"
EVAL = DATA / "eval"
RE3D = EVAL / "re3d"
WIKIDATA_FIXTURE = DATA / "wikidata" / "fixture.ttl"
# the dateline the seed-format test articles are anchored to (they carry none of their own)
DATELINE = dt.date(2025, 3, 6)


def article(text: str, *, id: str = "t1", date: dt.date | None = DATELINE) -> Article:
    """A one-off article for a focused test."""
    return Article(id=id, text=text, date=date)


def run(nlp: Language, text: str, date: dt.date | None = DATELINE) -> Extraction:
    """Extract one text with the real pipeline."""
    return next(extract([article(text, date=date)], nlp))


def label(x: Extraction, ref: tuple[str, str]) -> str:
    """The label of the entity ``ref`` in ``x``."""
    return next(e.label for e in x.entities if e.ref == ref)


def load_fixture(server: OxigraphServer) -> None:
    """Put the Wikidata-shaped fixture (tests/data/wikidata/fixture.ttl) into the server's default graph."""
    response = requests.post(f"{server.store_url}?default", data=WIKIDATA_FIXTURE.read_bytes(),
                             headers={"Content-Type": "text/turtle"}, timeout=30)
    assert response.status_code in (200, 201, 204), response.text


# --- hand-made Extractions ------------------------------------------------------------------------


def span_of(text: str, part: str, nth: int = 1) -> TextSpan:
    """The ``nth`` occurrence of ``part`` in ``text``."""
    start = -1
    for _ in range(nth):
        start = text.index(part, start + 1)
    return TextSpan(start, start + len(part), part)


def sentence_of(text: str, part: str) -> TextSpan:
    """The sentence of ``text`` that holds ``part``."""
    span = span_of(text, part)
    start = max(text.rfind(".", 0, span.start) + 1, text.rfind("\n", 0, span.start) + 1)
    while text[start] == " ":
        start += 1
    end = text.index(".", span.end) + 1
    return TextSpan(start, end, text[start:end])


class ExtractionBuilder:
    """A hand-made Extraction: entities by (kind, key, cls) and their mentions in the text."""

    def __init__(self, article: Article) -> None:
        self.article = article
        self.entities: dict[tuple[str, str], Entity] = {}
        self.mentions: list[Mention] = []

    def mention(self, kind: str, name: str, cls: str, surface: str | None = None, nth: int = 1) -> tuple[str, str]:
        """Add a mention of ``name`` (found as ``surface``) and its entity; returns the entity's ref."""
        ref = (kind, name.lower())
        self.entities.setdefault(ref, Entity(kind, name.lower(), name, cls))
        self.mentions.append(Mention(span_of(self.article.text, surface or name, nth), ref))
        return ref

    def build(self, relations: tuple[Relation, ...] = (), events: tuple[Event, ...] = ()) -> Extraction:
        """The Extraction so far, with these relations and events."""
        return Extraction(article=self.article, model="test", entities=tuple(self.entities.values()),
                          mentions=tuple(self.mentions), relations=relations, events=events)


def re3d_extractions(documents: list[Re3dDocument]) -> list[Extraction]:
    """Hand-made predictions for the two re3d test documents (tests/data/eval/re3d), with known scores."""
    a, b = documents
    assert (a.article.id, b.article.id) == ("A1", "B1")
    text = a.article.text
    x = ExtractionBuilder(a.article)
    legion = x.mention("organization", "Free Legion", "ArmedGroup")
    x.mention("organization", "Free Legion", "ArmedGroup", "The Free Legion", nth=2)  # article stripped
    tal_kasr = x.mention("person", "Tal Kasr", "Person")  # a place typed as a person
    omar = x.mention("person", "Omar Haddad", "Person")
    flag = x.mention("organization", "Black Flag Brigade", "ArmedGroup")  # gold has it at confidence 0.3
    relations = (
        Relation(omar, "leaderOf", sentence_of(text, "Its commander"), 0.8, object=legion),  # InChargeOf: right
        Relation(legion, "opposes", sentence_of(text, "attacked"), 0.7, object=tal_kasr),  # not in the gold
        Relation(omar, "memberOf", sentence_of(text, "Its commander"), 0.8, object=flag),  # not in the gold
        Relation(omar, "spokespersonFor", sentence_of(text, "Its commander"), 0.8, object=legion),  # not scored
    )
    fights = sentence_of(text, "fights")
    events = (Event("Attack", span_of(text, "fights"), fights, 0.7, agents=(legion,), targets=(flag,)),)
    y = ExtractionBuilder(b.article)
    y.mention("country", "Turkey", "Country")  # gold: Organisation here ...
    y.mention("settlement", "Afrin", "Settlement")  # gold "Afrin city": overlap yes, exact no
    y.mention("settlement", "Ankara", "Settlement")  # not in the gold
    y.mention("country", "Turkey", "Country", nth=2)  # ... and Location here
    return [x.build(relations, events), y.build()]
