"""Properties of the reader for any text: what is written as a plain-text file or a JSON Lines record is read
back exactly (with the documented normalisation), ids are deterministic, and nothing but InputError escapes."""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from kg.errors import InputError
from kg.model import Article
from kg.read.articles import article_id, read_articles

SETTINGS = settings(max_examples=200, deadline=None)
# what makes the start of a file binary rather than text, as the reader documents it
NOT_TEXT = re.compile(r"[\x00-\x08\x0e-\x1a\x1c-\x1f\ufffd]")
LONE_SURROGATE = re.compile("[\ud800-\udfff]")

# any text, with the controls, emoji, right-to-left marks and NULs news scrapers let through
hostile = st.text(st.characters(codec="utf-8") | st.sampled_from("\x00\x07\x1b\u200f\u202e\u2028\ufeff\U0001f525"))
# half of them with a lone surrogate put in (drawn from the alphabet alone, they are too rare to be found)
with_surrogates = st.one_of(st.text(), st.tuples(st.text(), st.characters(categories=["Cs"]), st.text()).map("".join))


@contextmanager
def written(name: str, data: bytes) -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder, name)
        path.write_bytes(data)
        yield path


def read(path: Path) -> tuple[list[Article], list[str]]:
    errors: list[InputError] = []
    articles = list(read_articles([path], on_error=errors.append))
    return articles, [str(e).removeprefix(f"{path}: ") for e in errors]


def looks_binary(text: str) -> bool:
    bad = len(NOT_TEXT.findall(text))
    return bad * 10 > len(text) and ("\x00" in text or bad >= 32)


@SETTINGS
@given(hostile.map(lambda t: t.replace("\n", " ").replace("\r", " ")))
def test_a_one_line_plain_text_file_reads_back_as_its_stripped_text(line: str) -> None:
    with written("a.txt", line.encode("utf-8")) as path:
        articles, errors = read(path)
        again = [a.id for a in read_articles([path], on_error=lambda e: None)]
    body = line.removeprefix("\ufeff").strip()  # a leading U+FEFF is the byte order mark
    if looks_binary(line):
        assert (articles, errors) == ([], ["binary data, not text - give articles as UTF-8 .txt, .jsonl or .html "
                                           "(convert other encodings, e.g. iconv -f latin1 -t utf-8)"])
    elif not body or body == "TT":
        assert (articles, errors) == ([], ["no article text in this input - is it empty?"])
    else:
        assert errors == []
        assert [(a.text, a.title) for a in articles] == [(body, None)]
        assert [a.id for a in articles] == again == [article_id(body)]


@SETTINGS
@given(with_surrogates, st.booleans())
def test_a_jsonl_record_reads_back_as_its_text_with_lone_surrogates_replaced(text: str, ascii_only: bool) -> None:
    if not ascii_only:
        text = LONE_SURROGATE.sub("", text)  # a raw surrogate is not UTF-8 at all: the bytes case
    line = json.dumps({"text": text, "title": "Storm"}, ensure_ascii=ascii_only) + "\n"
    with written("a.jsonl", line.encode("utf-8")) as path:
        articles, errors = read(path)
    expected = LONE_SURROGATE.sub("\ufffd", text).replace("\r\n", "\n").strip()
    surrogates = ["line 1: lone surrogate escapes (\\ud800-\\udfff) in text read as U+FFFD - fix the program that "
                  "wrote the record: it split a character pair"] if LONE_SURROGATE.search(text) else []
    if not expected:
        assert articles == []
        assert errors == [*surrogates, 'line 1: no "text" - every record needs the article body in "text"']
        return
    assert errors == surrogates
    assert [(a.text, a.title, a.id) for a in articles] == [(expected, "Storm", article_id(expected, "Storm"))]
    assert len(articles[0].text) == len(text.replace("\r\n", "\n").strip())  # one code point for one
    articles[0].text.encode("utf-8")  # writable as it is


@SETTINGS
@given(st.binary(max_size=2000), st.sampled_from([".txt", ".jsonl", ".html", ".dat"]))
def test_any_bytes_give_articles_or_input_errors_and_nothing_else(data: bytes, suffix: str) -> None:
    with written(f"a{suffix}", data) as path:
        try:
            articles = list(read_articles([path]))
        except InputError as exc:
            assert str(exc).startswith(f"{path}")
            return
    for article in articles:
        assert article.text.strip()
        article.text.encode("utf-8")
