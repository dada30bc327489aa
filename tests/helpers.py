"""Helpers shared by the test modules: test data paths, one-off articles, running the pipeline on a text,
hand-made Extractions, loading the Wikidata-shaped fixture into a server, and a small on-disk store.

Test modules import from here (and from tests/servers.py for the real SPARQL servers), never from each
other or from conftest.py; tests/test_hygiene.py holds them to that.
"""

from __future__ import annotations

import datetime as dt
import os
import pty
import select
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

import requests
from pyoxigraph import RdfFormat, Store
from spacy.language import Language

from kg.evaluate.re3d_gold import Re3dDocument
from kg.extract.from_doc import extract
from kg.model import Article, Entity, Event, Extraction, Mention, Relation, TextSpan
from kg.rdf.graphs import index_store
from tests.servers import OxigraphServer

DATA = Path(__file__).parent / "data"
ARTICLES = DATA / "articles"
EVAL = DATA / "eval"
RE3D = EVAL / "re3d"
WIKIDATA_FIXTURE = DATA / "wikidata" / "fixture.ttl"
# the dateline the seed-format test articles are anchored to (they carry none of their own)
DATELINE = dt.date(2025, 3, 6)
# one small article graph, for the on-disk stores of the serving and locking tests
ARTICLE = "https://w3id.org/kg-news/id/article/t1"
BODY = "Islamic State fighters attacked a village in Diyala."
TRIG = f"""
@prefix kg:     <https://w3id.org/kg-news/ns#> .
@prefix nif:    <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#> .
@prefix itsrdf: <http://www.w3.org/2005/11/its/rdf#> .
@prefix schema: <https://schema.org/> .
@prefix rdfs:   <http://www.w3.org/2000/01/rdf-schema#> .

<{ARTICLE}> {{
  <{ARTICLE}> a schema:NewsArticle, nif:Context ;
      kg:articleId "t1" ;
      nif:isString "{BODY}" .
  <{ARTICLE}/mention/0-13> a kg:Mention ;
      nif:referenceContext <{ARTICLE}> ;
      nif:beginIndex 0 ; nif:endIndex 13 ; nif:anchorOf "Islamic State" ;
      itsrdf:taIdentRef <https://w3id.org/kg-news/id/entity/organization/islamic-state> .
  <{ARTICLE}/mention/45-51> a kg:Mention ;
      nif:referenceContext <{ARTICLE}> ;
      nif:beginIndex 45 ; nif:endIndex 51 ; nif:anchorOf "Diyala" ;
      itsrdf:taIdentRef <https://w3id.org/kg-news/id/entity/administrativearea/diyala> .
  <https://w3id.org/kg-news/id/entity/organization/islamic-state> a kg:ArmedGroup ; rdfs:label "Islamic State" .
  <https://w3id.org/kg-news/id/entity/administrativearea/diyala> a kg:AdministrativeArea ; rdfs:label "Diyala" .
}}
"""


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


# --- small on-disk stores and the processes holding them ----------------------------------------


ARTICLE_QUADS = 20  # in the article graph of TRIG
SHARED_QUADS = 4  # of them about its two entities, once more in the entities graph


def make_store(path: Path) -> Path:
    """A store at ``path`` holding one article graph, closed again before it is served."""
    for start, end, text in ((0, 13, "Islamic State"), (45, 51, "Diyala")):
        assert BODY[start:end] == text
    store = Store(str(path))
    store.load(TRIG, format=RdfFormat.TRIG)
    assert len(store) == ARTICLE_QUADS
    index_store(store)  # as kg's loaders do: the saved queries read shared facts there
    assert len(store) == ARTICLE_QUADS + SHARED_QUADS
    store.flush()
    del store  # drops the RocksDB handle and its lock
    return path


def children(pid: int) -> list[int]:
    """The child processes of ``pid`` (Linux)."""
    return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


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


def on_a_terminal(args: Sequence[str], *, cwd: Path, env: Mapping[str, str], patience: float) -> tuple[int, bytes]:
    """Run ``args`` with stdout on a pseudo-terminal: (exit code, everything it showed there)."""
    leader, follower = pty.openpty()
    proc = subprocess.Popen(list(args), cwd=cwd, env=dict(env), stdout=follower, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL)
    os.close(follower)
    shown = b""
    while True:
        ready, _, _ = select.select([leader], [], [], patience)
        if not ready:
            break
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        shown += chunk
    os.close(leader)
    code = proc.wait(timeout=patience)
    assert proc.stderr is not None
    proc.stderr.close()
    return code, shown
