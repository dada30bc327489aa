"""Articles longer than the pipeline's ``max_length`` are parsed in pieces, never refused or cut short:
where the pieces are cut, offsets exact against the whole text, the same facts as one Doc gives, one
article's failure its own, and through the CLI an article of over a million characters among others."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from pyoxigraph import QuerySolutions, RdfFormat, Store
from spacy.language import Language
from spacy.tokens import Doc

from kg.cli import cli
from kg.extract.from_doc import extract
from kg.model import Article, Extraction, TextSpan
from kg.nlp.chunks import chunk_bounds, chunk_limit, chunks
from kg.nlp.components import EntityTyper
from tests.helpers import DATELINE

PEOPLE = ("Marta Kovac", "Jalal Hamdani", "Helena Varga", "Tomas Reyes", "Samir Odeh", "Lena Brandt",
          "Omar Haddad", "Ilse Moreau", "Karim Nassar", "Petra Lind", "Yusuf Barzani", "Nadia Ferreira")
PLACES = ("Kirkuk", "Mosul", "Tikrit", "Ramadi", "Fallujah", "Samarra", "Erbil", "Aleppo", "Homs",
          "Idlib", "Raqqa", "Sinjar", "Basra")
GROUPS = ("Islamic State", "the Taliban", "al-Shabaab", "Boko Haram", "the Houthis")
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
SENTENCES = (
    "{group} fighters attacked a police checkpoint in {place} on {day}, killing {n} people.",
    "{person}, a spokesman for the provincial council, said {m} others were wounded.",
    "Security forces arrested {n} suspects in a raid near {place} on {day}.",
    '"We will not let {group} return to {place}," {person} told reporters in {other}.',
    "Aid convoys carrying {n} tonnes of flour reached {place} on {day}, {person} said.",
    "The European Union imposed sanctions on {m} officials accused of smuggling fuel through {place}.",
)
MILLION = 1_000_000


def paragraph(rng: random.Random, sentences: int, templates: tuple[str, ...] = SENTENCES) -> str:
    """Invented wire copy: ``sentences`` sentences about made-up people and events in real places."""
    return " ".join(rng.choice(templates).format(
        group=rng.choice(GROUPS), place=rng.choice(PLACES), other=rng.choice(PLACES), day=rng.choice(DAYS),
        person=rng.choice(PEOPLE), n=rng.randint(2, 90), m=rng.randint(2, 400)) for _ in range(sentences))


def news_text(chars: int, seed: int = 0, templates: tuple[str, ...] = SENTENCES) -> str:
    """Paragraphs of two to four sentences, separated by blank lines, until the text has ``chars``
    characters or more; the same text for the same arguments."""
    rng = random.Random(seed)
    paragraphs: list[str] = []
    length = 0
    while length < chars:
        paragraphs.append(paragraph(rng, rng.randint(2, 4), templates))
        length += len(paragraphs[-1]) + 2
    return "\n\n".join(paragraphs)


def spans(x: Extraction) -> Iterator[TextSpan]:
    """Every span of the body an extraction holds."""
    yield from (m.span for m in x.mentions)
    for event in x.events:
        yield from (event.trigger, event.evidence)
    for policy in x.policies:
        yield from (policy.trigger, policy.evidence)
    for statement in x.statements:
        yield from (statement.verb, statement.quote, statement.evidence)
    yield from (r.evidence for r in x.relations)


def assert_exact(x: Extraction) -> None:
    wrong = [span for span in spans(x) if x.article.text[span.start : span.end] != span.text]
    assert not wrong, wrong[:5]


@pytest.fixture
def small(nlp: Language, monkeypatch: pytest.MonkeyPatch) -> Language:
    """The session pipeline with a ``max_length`` of 3,000 characters."""
    monkeypatch.setattr(nlp, "max_length", 3_000)
    return nlp


# --- where the pieces are cut --------------------------------------------------------------------------------------


def test_pieces_cover_the_text_and_end_at_paragraphs_lines_sentences_then_white_space() -> None:
    first, second = "Kirkuk was quiet on Monday.", "Fighters attacked Mosul. Police said 4 died."
    text = f"{first}\n\n{second}\n\n{'x' * 28} tail"
    pieces = [text[start:end] for start, end in chunk_bounds(text, 30)]
    assert "".join(pieces) == text
    assert pieces == [f"{first}\n\n", "Fighters attacked Mosul. ", "Police said 4 died.\n\n", "x" * 28 + " ",
                      "tail"]
    assert chunk_bounds("y" * 70, 30) == [(0, 30), (30, 60), (60, 70)]
    lines = "Kirkuk was quiet. Police said so.\nMosul was not."
    assert [lines[start:end] for start, end in chunk_bounds(lines, 40)] == ["Kirkuk was quiet. Police said so.\n",
                                                                            "Mosul was not."]


def test_pieces_with_their_context_are_no_longer_than_the_pipeline_limit(small: Language) -> None:
    assert chunk_limit(small) == 3_000
    text = news_text(10_000)
    pieces = chunks(text, chunk_limit(small))
    assert len(pieces) >= 4
    assert [(c.start, c.end) for c in pieces] == list(zip([0, *(c.end for c in pieces[:-1])],
                                                          [c.end for c in pieces], strict=True))
    assert pieces[-1].end == len(text)
    assert all(c.after - c.before <= 3_000 for c in pieces)
    assert all(text[c.start : c.end].endswith("\n\n") for c in pieces[:-1])  # paragraphs fit: cut between them
    # the sentences around a piece are parsed with it
    assert all(c.before < c.start and c.end < c.after for c in pieces[1:-1])
    assert all(text[c.before - 2 : c.before] in {". ", "\n\n"} for c in pieces[1:])


# --- the library ---------------------------------------------------------------------------------------------------


def test_a_long_article_is_extracted_with_exact_offsets(small: Language) -> None:
    text = news_text(10_000)
    x = next(extract([Article(id="long", text=text, date=DATELINE)], small))
    assert_exact(x)
    named = {e.label for e in x.entities}
    assert {name for name in PEOPLE if name in text} <= named
    assert {name for name in PLACES if name in text} <= named
    # facts from the first piece and from the last one
    last_piece = chunks(text, chunk_limit(small))[-1].start
    assert min(e.trigger.start for e in x.events) < 3_000
    assert max(e.trigger.start for e in x.events) >= last_piece
    assert max(m.span.start for m in x.mentions) >= last_piece


def test_pieces_give_what_the_whole_article_gives(nlp: Language, small: Language) -> None:
    # every paragraph names its people in full: no fact hangs on a name given in another piece (the quote
    # template does, when NER takes the quote and the speaker's first name for a title)
    text = news_text(10_000, templates=tuple(t for t in SENTENCES if not t.startswith('"')))
    assert len(chunks(text, chunk_limit(small))) >= 4
    article = Article(id="long", text=text, date=DATELINE)
    pieced = next(extract([article], small))
    small.max_length = 1_000_000
    whole = next(extract([article], nlp))
    assert len(whole.events) > 100 and len(whole.statements) > 20
    assert pieced.entities == whole.entities
    assert pieced.mentions == whole.mentions
    assert pieced.events == whole.events
    assert pieced == whole  # statements and relations too: the sentences at a piece's edge are parsed in context


def test_a_paragraph_longer_than_a_piece_is_cut_at_a_sentence_end(small: Language) -> None:
    rng = random.Random(2)
    text = "\n\n".join([paragraph(rng, 3), paragraph(rng, 50), *(paragraph(rng, 3) for _ in range(10))])
    assert len(text) > 3_000
    long_paragraph = text.split("\n\n")[1]
    assert len(long_paragraph) > 3_000
    start = text.index(long_paragraph)
    inside = [c.end for c in chunks(text, chunk_limit(small)) if start < c.end < start + len(long_paragraph)]
    assert inside and all(text[end - 2 : end] in {". ", '" '} for end in inside)
    x = next(extract([Article(id="long", text=text, date=DATELINE)], small))
    assert_exact(x)
    assert sum(start <= e.trigger.start < start + len(long_paragraph) for e in x.events) >= 5


def test_a_word_longer_than_a_piece_does_not_stop_the_article(small: Language) -> None:
    word = "a" * 7_000
    text = news_text(2_000, seed=3) + "\n\n" + word + "\n\n" + news_text(2_000, seed=4)
    x = next(extract([Article(id="long", text=text, date=DATELINE)], small))
    assert_exact(x)
    assert max(m.span.start for m in x.mentions) > text.index(word) + len(word)


def test_a_failing_piece_costs_only_its_article(small: Language, monkeypatch: pytest.MonkeyPatch) -> None:
    call = EntityTyper.__call__

    def failing(self: EntityTyper, doc: Doc) -> Doc:
        if "Zzyzx" in doc.text:
            raise RuntimeError("planted")
        result: Doc = call(self, doc)
        return result

    monkeypatch.setattr(EntityTyper, "__call__", failing)
    bad = news_text(4_000, seed=5) + "\n\nZzyzx was quiet.\n\n" + news_text(4_000, seed=6)
    batch = [Article(id="a", text="Islamic State fighters attacked Kirkuk."), Article(id="bad", text=bad),
             Article(id="long", text=news_text(10_000, seed=7)), Article(id="b", text="Police patrolled Mosul.")]
    failures: list[str] = []
    done = list(extract(batch, small, batch_size=4, on_failure=lambda a, e: failures.append(f"{a.id}: {e}")))
    assert failures == ["bad: planted"]
    assert [x.article.id for x in done] == ["a", "long", "b"]
    assert done[1].article.text == batch[2].text
    assert_exact(done[1])


def test_worker_processes_give_the_same_extraction(small: Language) -> None:
    batch = [Article(id="a", text="Islamic State fighters attacked Kirkuk.", date=DATELINE),
             Article(id="long", text=news_text(10_000, seed=8), date=DATELINE),
             Article(id="b", text="Police patrolled Mosul on Monday.", date=DATELINE)]
    one = list(extract(batch, small, batch_size=4))
    two = list(extract(batch, small, batch_size=4, n_process=2))
    assert [x.article.id for x in two] == ["a", "long", "b"]
    assert one == two


# --- the CLI: an article of over a million characters --------------------------------------------------------------


def run(*args: Any) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args])


def batch_file(path: Path, long_text: str) -> Path:
    records = [{"id": "before", "text": "Islamic State fighters attacked a police checkpoint in Kirkuk on Monday."},
               {"id": "long", "text": long_text},
               {"id": "after", "text": "Security forces arrested 12 suspects in a raid near Mosul on Friday."}]
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


MENTIONS = """
PREFIX nif:    <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#>
PREFIX itsrdf: <http://www.w3.org/2005/11/its/rdf#>
PREFIX kg:     <https://w3id.org/kg-news/ns#>
SELECT ?start ?end ?text ?entity WHERE { GRAPH <https://w3id.org/kg-news/id/article/long> {
  ?m a kg:Mention ; nif:beginIndex ?start ; nif:endIndex ?end ; nif:anchorOf ?text ; itsrdf:taIdentRef ?entity
} }"""
ARTICLE_IDS = "SELECT ?id WHERE { GRAPH ?g { ?article <https://w3id.org/kg-news/ns#articleId> ?id } }"


def rows(store: Store, query: str) -> list[list[str]]:
    solutions = store.query(query)
    assert isinstance(solutions, QuerySolutions)
    return [[term.value for term in row] for row in solutions]


def article_ids(store: Store) -> list[str]:
    return sorted(row[0] for row in rows(store, ARTICLE_IDS))


def long_mentions(store: Store) -> list[tuple[int, int, str, str]]:
    """(start, end, text, entity IRI) of the mentions in the graph of the article "long"."""
    return [(int(start), int(end), text, entity) for start, end, text, entity in rows(store, MENTIONS)]


def assert_long_article_whole(store: Store, text: str) -> None:
    """All three articles, offsets exact past the millionth character, one entity per person named."""
    assert article_ids(store) == ["after", "before", "long"]
    mentions = long_mentions(store)
    late = [m for m in mentions if m[0] > MILLION]
    assert len(late) >= 5, late
    wrong = [m for m in mentions if text[m[0] : m[1]] != m[2]]
    assert not wrong, wrong[:5]
    people: dict[str, set[str]] = {}
    for _, _, surface, entity in mentions:
        if "/person/" in entity:
            people.setdefault(surface, set()).add(entity)
    assert len(people.keys() & set(PEOPLE)) >= 8
    assert all(len(iris) == 1 for iris in people.values()), people
    # named in the first piece and again past the millionth character: still one entity
    assert len({m[3] for m in mentions if m[1] < 10_000} & {m[3] for m in late}) >= 5


@pytest.fixture(scope="module")
def million() -> str:
    text = news_text(MILLION + 5_000, seed=11)
    assert len(text) > MILLION
    return text


def test_extract_writes_an_article_of_over_a_million_characters_among_others(million: str, tmp_path: Path) -> None:
    out = tmp_path / "out.trig"
    result = run("extract", batch_file(tmp_path / "batch.jsonl", million), "--no-link", "--date", "2025-03-06",
                 "-o", out)
    assert result.exit_code == 0, result.stderr
    assert "Error" not in result.stderr
    store = Store()
    store.load(path=str(out), format=RdfFormat.TRIG)
    assert_long_article_whole(store, million)


def test_ingest_keeps_the_other_articles_of_a_batch_with_a_long_one(tmp_path: Path) -> None:
    # a scraped page padded with white space between its paragraphs: over a million characters that parse
    # in seconds (the test above parses a million characters of prose, about 75 s of CPU)
    rng = random.Random(12)
    padded = (" " * 2_000 + "\n\n").join(paragraph(rng, 2) for _ in range(480))
    assert len(padded) > MILLION
    db = tmp_path / "db"
    result = run("ingest", batch_file(tmp_path / "batch.jsonl", padded), "--no-link", "--date", "2025-03-06",
                 "--store", db)
    assert result.exit_code == 0, result.stderr
    assert_long_article_whole(Store(str(db)), padded)
