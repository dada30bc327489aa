"""Reading articles (kg.read.articles): the plain-text feed format, JSON Lines, HTML, directories, stdin, errors."""

from __future__ import annotations

import datetime as dt
import inspect
import io
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from kg.errors import InputError
from kg.model import Article, Caption
from kg.read.articles import article_id, parse_plain_block, read_articles, read_plain, split_caption

ARTICLES = Path(__file__).parent / "data" / "articles"
DATELINE = dt.date(2025, 3, 6)  # as in tests/helpers.py

OPERATION_TITLE = "Iraqi Army Searches for ISIS Remnants Between Diyala and Saladin"
OPERATION_CAPTION = "Iraqi soldiers take part in a search operation in Diyala."
OPERATION_PARAGRAPHS = [
    "The 5th Division of the Iraqi Army launched on Tuesday a search operation against ISIS remnants between "
    "Diyala and Saladin, focusing on the Hamrin mountains.",
    "Security forces arrested four ISIS suspects in the town of Tuz Khurmatu during the operation, the army "
    "said in a statement.",
    "Separately, a rocket attack targeted the K1 military base in Kirkuk late on Tuesday, causing no casualties. "
    "An armed group called Saraya Hurras al-Rafidain carried out the attack, according to a statement posted on "
    "its channel.",
]

# An invented article in the feed format whose caption credit has the stray space the feed sometimes carries.
CTS_ARTICLE = """\
Counter Terrorism Service Detains Cell Leader in Kirkuk

A detained suspect is led away by security forces. ( Iraqi Counter Terrorism Service)
A detained suspect is led away by security forces. ( Iraqi Counter Terrorism Service)
TT

Counter Terrorism Service Detains Cell Leader in Kirkuk

A detained suspect is led away by security forces. ( Iraqi Counter Terrorism Service)
A detained suspect is led away by security forces. ( Iraqi Counter Terrorism Service)

The Counter Terrorism Service detained the leader of an ISIS cell in Kirkuk on Monday, the service said.

The man had been wanted since 2023 for attacks on villages south of the city.
"""


def read_all(*inputs: str | Path, **kwargs: object) -> list[Article]:
    return list(read_articles(list(inputs), **kwargs))  # type: ignore[arg-type]


def collect(*inputs: str | Path, **kwargs: object) -> tuple[list[Article], list[InputError]]:
    errors: list[InputError] = []
    articles = list(read_articles(list(inputs), on_error=errors.append, **kwargs))  # type: ignore[arg-type]
    return articles, errors


# --- plain-text feed format ---------------------------------------------------------------------------------


def test_plain_title_and_caption_are_taken_apart_from_the_body() -> None:
    [article] = read_all(ARTICLES / "operation.txt")
    assert article.title == OPERATION_TITLE
    # the caption appears four times in the file: it is kept once, with its credit split off
    assert article.captions == (Caption(OPERATION_CAPTION, "AFP"),)


def test_plain_body_is_exactly_the_body_paragraphs() -> None:
    [article] = read_all(ARTICLES / "operation.txt")
    assert article.text.startswith(OPERATION_PARAGRAPHS[0])
    for paragraph in OPERATION_PARAGRAPHS:
        assert paragraph in article.text
    assert article.text == "\n\n".join(OPERATION_PARAGRAPHS)


def test_plain_repeated_title_caption_and_tt_marker_are_not_in_the_body() -> None:
    for name in ("operation.txt", "policy.txt", "statements.txt", "two_articles.txt"):
        for article in read_all(ARTICLES / name):
            assert article.title and article.title not in article.text, name
            for caption in article.captions:
                assert caption.text not in article.text, name
            assert "TT" not in article.text.split(), name
            assert not re.search(r"^TT$", article.text, re.M), name
            assert "(AFP)" not in article.text and "(Reuters)" not in article.text, name


def test_plain_paragraphs_are_joined_by_one_blank_line() -> None:
    [article] = read_all(ARTICLES / "statements.txt")
    paragraphs = article.text.split("\n\n")
    assert len(paragraphs) == 6
    assert all(p and p == p.strip() and "\n" not in p for p in paragraphs)
    assert paragraphs[0].startswith("Interior Minister Adnan al-Rubaie condemned")
    assert paragraphs[-1].startswith("UN envoy Helena Varga urged restraint.")


def test_caption_credit_is_split_without_surrounding_spaces(tmp_path: Path) -> None:
    assert split_caption("ISIS member arrested. ( Iraqi Counter Terrorism Service)") == Caption(
        "ISIS member arrested.", "Iraqi Counter Terrorism Service"
    )
    assert split_caption("A caption without any credit.") == Caption("A caption without any credit.", None)
    path = tmp_path / "cts.txt"
    path.write_text(CTS_ARTICLE, encoding="utf-8")
    [article] = read_all(path)
    assert article.title == "Counter Terrorism Service Detains Cell Leader in Kirkuk"
    assert article.captions == (
        Caption("A detained suspect is led away by security forces.", "Iraqi Counter Terrorism Service"),
    )
    assert article.text.startswith("The Counter Terrorism Service detained the leader")
    assert article.text.endswith("villages south of the city.")


def test_two_articles_in_one_file() -> None:
    path = ARTICLES / "two_articles.txt"
    articles = read_all(path)
    assert len(articles) == 2
    assert articles[0].id != articles[1].id
    assert [a.origin for a in articles] == [f"{path}: article 1", f"{path}: article 2"]
    assert articles[0].title == "Peshmerga Arrest ISIS Suspects Near Makhmour"
    assert articles[1].title == "EU Extends Asset Freeze on Syrian Officials"
    assert articles[0].text.startswith("Peshmerga forces arrested three ISIS suspects")
    assert articles[0].text.endswith("No group claimed that attack.")
    assert articles[1].text.startswith("The European Union extended on Thursday")
    # nothing of the second article leaks into the first and vice versa
    assert "European Union" not in articles[0].text
    assert "Peshmerga" not in articles[1].text


def test_article_without_tt_block_keeps_title_and_whole_body() -> None:
    [article] = read_all(ARTICLES / "no_tt.txt")
    assert article.title == "Counter Terrorism Service Kills Three ISIS Members in Anbar Desert"
    assert article.captions == ()
    assert article.text.startswith("The Counter Terrorism Service killed three ISIS members")
    assert "The raid targeted a hideout used to store weapons and fuel" in article.text
    assert article.text.endswith("near the Syrian border.")
    assert len(article.text.split("\n\n")) == 3


def test_crlf_line_endings_give_the_same_article(tmp_path: Path) -> None:
    source = (ARTICLES / "two_articles.txt").read_bytes()
    assert b"\r" not in source
    crlf = tmp_path / "two_articles_crlf.txt"
    crlf.write_bytes(source.replace(b"\n", b"\r\n"))
    lf_articles = read_all(ARTICLES / "two_articles.txt")
    crlf_articles = read_all(crlf)
    assert len(crlf_articles) == 2
    for lf, cr in zip(lf_articles, crlf_articles, strict=False):
        assert cr.id == lf.id
        assert cr.text == lf.text
        assert "\r" not in cr.text
        assert cr.title == lf.title
        assert cr.captions == lf.captions


def test_utf8_byte_order_mark_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "bom.txt"
    path.write_bytes(b"\xef\xbb\xbf" + (ARTICLES / "operation.txt").read_bytes())
    [article] = read_all(path)
    [plain] = read_all(ARTICLES / "operation.txt")
    assert article.title == OPERATION_TITLE
    assert article.id == plain.id


def test_ids_are_stable_across_reads() -> None:
    first = [a.id for a in collect(ARTICLES)[0]]
    second = [a.id for a in collect(ARTICLES)[0]]
    assert len(first) == 12
    assert first == second
    assert len(set(first)) == len(first)


def test_article_id_survives_rewrapping(tmp_path: Path) -> None:
    assert article_id("Some  body\ntext.") == article_id("Some body text.")
    assert article_id("Some body text.", "A title") == article_id("Some body\n  text.", "A  title")
    assert article_id("Some body text.") != article_id("Other body text.")
    assert article_id("Some body text.", "A title") != article_id("Some body text.", "Another title")
    assert re.fullmatch(r"[0-9a-f]{16}", article_id("Some body text."))
    # the same article with a body paragraph wrapped over two lines keeps its id
    one_line = tmp_path / "one_line.txt"
    one_line.write_text(CTS_ARTICLE, encoding="utf-8")
    wrapped = tmp_path / "wrapped.txt"
    wrapped.write_text(CTS_ARTICLE.replace("in Kirkuk on Monday, the service", "in Kirkuk\non Monday, the service"),
                       encoding="utf-8")
    [a] = read_all(one_line)
    [b] = read_all(wrapped)
    assert a.text != b.text
    assert a.id == b.id


def test_parse_plain_block_of_blank_text_is_none() -> None:
    assert parse_plain_block("\n  \n\n", origin="x") is None


def test_dateline_applies_to_plain_articles() -> None:
    [article] = read_all(ARTICLES / "operation.txt", date=DATELINE)
    assert article.date == DATELINE
    [undated] = read_all(ARTICLES / "operation.txt")
    assert undated.date is None


# --- JSON Lines ---------------------------------------------------------------------------------------------


def test_jsonl_fields_are_mapped() -> None:
    path = ARTICLES / "articles.jsonl"
    articles = read_all(path)
    assert len(articles) == 3
    first, text_only, third = articles
    assert first.id == "t-001"
    assert first.title == "PMF Brigade Searches Nineveh Desert for ISIS Cells"
    assert first.date == dt.date(2025, 3, 2)
    assert isinstance(first.date, dt.date)
    assert first.url == "https://news.example.com/iraq/2025/03/02/pmf-nineveh-search"
    assert first.source == "Example News Agency"
    assert first.language == "en"
    assert first.text.startswith("Brigade 44 of the Popular Mobilization Forces (PMF) launched on Sunday")
    assert first.text.endswith("near the town of Baaj.")
    assert first.origin == f"{path}: line 1"
    assert third.id == "t-003"
    assert third.date == dt.date(2025, 3, 10)
    assert third.origin == f"{path}: line 3"
    # the text-only record: a hash id, nothing else
    assert re.fullmatch(r"[0-9a-f]{16}", text_only.id)
    assert text_only.id == article_id(text_only.text, None)
    assert text_only.title is None and text_only.url is None and text_only.date is None
    assert text_only.text.startswith("The Federal Police arrested two ISIS suspects in the town of Samarra")


def test_jsonl_date_argument_only_fills_records_without_a_date() -> None:
    anchor = dt.date(2024, 12, 31)
    first, text_only, third = read_all(ARTICLES / "articles.jsonl", date=anchor)
    assert first.date == dt.date(2025, 3, 2)
    assert third.date == dt.date(2025, 3, 10)
    assert text_only.date == anchor


def test_jsonl_bad_records_are_reported_and_the_good_ones_still_read() -> None:
    articles, errors = collect(ARTICLES / "bad.jsonl")
    assert [a.id for a in articles] == ["b-001", "b-004"]
    assert len(errors) == 2
    assert all(isinstance(e, InputError) for e in errors)
    line2, line3 = (str(e) for e in errors)
    assert "bad.jsonl: line 2" in line2
    assert "bad.jsonl: line 3" in line3
    # each says what is wrong and what to do
    assert "JSON" in line2 and "write one JSON object per line" in line2
    assert '"text"' in line3 and "needs" in line3
    for message in (line2, line3):
        assert "\n" not in message


def test_jsonl_bad_record_raises_by_default() -> None:
    with pytest.raises(InputError, match=r"bad\.jsonl: line 2"):
        read_all(ARTICLES / "bad.jsonl")


def test_jsonl_bad_date_and_non_string_field_are_reported(tmp_path: Path) -> None:
    path = tmp_path / "fields.jsonl"
    path.write_text(
        '{"id": "d-1", "text": "A body.", "date": "March 3rd"}\n'
        '{"id": "d-2", "text": "A body.", "title": 42}\n'
        '["not", "an", "object"]\n'
        "\n"
        '{"id": "d-5", "text": "Another body."}\n',
        encoding="utf-8",
    )
    articles, errors = collect(path)
    assert [a.id for a in articles] == ["d-5"]
    messages = [str(e) for e in errors]
    assert len(messages) == 3
    assert "line 1" in messages[0] and "YYYY-MM-DD" in messages[0]
    assert "line 2" in messages[1] and '"title"' in messages[1]
    assert "line 3" in messages[2]


# --- HTML -----------------------------------------------------------------------------------------------------


def test_html_article_without_boilerplate() -> None:
    [article] = read_all(ARTICLES / "article.html")
    assert article.title == "Iraqi Forces Arrest ISIS Suspects in Mosul"
    assert article.date == dt.date(2025, 3, 2)
    assert "The Counter Terrorism Service arrested five ISIS suspects in the city of Mosul on Sunday" in article.text
    assert "We will not allow these cells to return to the city" in article.text
    for boilerplate in ("Most read", "©", "All rights reserved", "Football results", "Privacy policy",
                        "Subscribe to our newsletter", "Cookie settings"):
        assert boilerplate not in article.text
    assert "\n\n" in article.text


def test_html_title_is_kept_apart_from_the_body() -> None:
    # as in the plain-text format, the headline is the title and not the first paragraph of the body
    # (otherwise the headline's names are counted as body mentions and body offsets shift by the title)
    [article] = read_all(ARTICLES / "article.html")
    assert article.title == "Iraqi Forces Arrest ISIS Suspects in Mosul"
    assert article.text.startswith("The Counter Terrorism Service arrested five ISIS suspects")
    assert article.title not in article.text


def test_html_page_date_wins_over_the_dateline() -> None:
    [article] = read_all(ARTICLES / "article.html", date=DATELINE)
    assert article.date == dt.date(2025, 3, 2)


# --- directories, missing and unreadable inputs --------------------------------------------------------------


def test_directory_is_read_recursively_in_sorted_order(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "nested").mkdir()
    (tmp_path / "b" / "nested" / "z.html").write_bytes((ARTICLES / "article.html").read_bytes())
    (tmp_path / "a.txt").write_bytes((ARTICLES / "operation.txt").read_bytes())
    (tmp_path / "b" / "c.jsonl").write_bytes((ARTICLES / "articles.jsonl").read_bytes())
    (tmp_path / "notes.md").write_text("# not an article\n", encoding="utf-8")
    (tmp_path / "data.csv").write_text("a,b\n", encoding="utf-8")
    articles = read_all(tmp_path)
    titles = [a.title for a in articles]
    assert titles[0] == OPERATION_TITLE
    assert [a.id for a in articles[1:4]][0::2] == ["t-001", "t-003"]
    assert titles[4] == "Iraqi Forces Arrest ISIS Suspects in Mosul"
    assert len(articles) == 5
    origins = [a.origin for a in articles]
    assert origins[0].startswith(str(tmp_path / "a.txt"))
    assert origins[1].startswith(str(tmp_path / "b" / "c.jsonl"))
    assert origins[4] == str(tmp_path / "b" / "nested" / "z.html")


def test_test_data_directory_reads_every_file() -> None:
    articles, errors = collect(ARTICLES)
    # bad.jsonl contributes two errors and two articles
    assert len(errors) == 2
    files = sorted({a.origin.split(":")[0] for a in articles})
    assert files == sorted(str(p) for p in ARTICLES.iterdir() if p.suffix in {".txt", ".jsonl", ".html"})
    assert len(articles) == 1 + 3 + 2 + 1 + 1 + 1 + 1 + 2  # html, jsonl, bad, no_tt, operation, policy, statements, two


def test_missing_path_is_an_input_error_naming_it(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.txt"
    with pytest.raises(InputError, match=re.escape(str(missing))):
        read_all(missing)
    articles, errors = collect(missing)
    assert articles == []
    assert len(errors) == 1 and str(missing) in str(errors[0])
    assert "no such file" in str(errors[0])


def test_missing_path_does_not_stop_the_other_inputs(tmp_path: Path) -> None:
    # read_articles: "Unreadable files and bad records are passed to on_error ... and the rest is still read."
    missing = tmp_path / "nowhere.txt"
    articles, errors = collect(ARTICLES / "operation.txt", missing, ARTICLES / "no_tt.txt")
    assert len(errors) == 1 and str(missing) in str(errors[0])
    assert [a.title for a in articles] == [OPERATION_TITLE,
                                           "Counter Terrorism Service Kills Three ISIS Members in Anbar Desert"]


def test_non_utf8_bytes_are_read_as_replacement_characters_and_reported(tmp_path: Path) -> None:
    # like a lone surrogate in JSON Lines: the article is kept, each bad byte is one U+FFFD, one line says so
    latin = tmp_path / "latin1.txt"
    latin.write_bytes("Caf\xe9 owners in Mosul reopen after the war\n\nThe caf\xe9 reopened on Monday.\n".encode("latin-1"))
    articles, errors = collect(latin, ARTICLES / "no_tt.txt")
    assert [str(e) for e in errors] == [f"{latin}: line 1 and 1 more lines: bytes that are not UTF-8, read as U+FFFD"
                                        " - convert the file to UTF-8, e.g. iconv -f latin1 -t utf-8"]
    assert [a.title for a in articles] == ["Caf\ufffd owners in Mosul reopen after the war",
                                           "Counter Terrorism Service Kills Three ISIS Members in Anbar Desert"]
    assert articles[0].text == "The caf\ufffd reopened on Monday."
    with pytest.raises(InputError, match="UTF-8"):
        read_all(latin)


# --- stdin ------------------------------------------------------------------------------------------------------


def _stdin(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))


def test_stdin_plain_text(monkeypatch: pytest.MonkeyPatch) -> None:
    _stdin(monkeypatch, (ARTICLES / "two_articles.txt").read_bytes())
    articles = read_all("-", date=DATELINE)
    expected = read_all(ARTICLES / "two_articles.txt")
    assert [a.id for a in articles] == [a.id for a in expected]
    assert [a.text for a in articles] == [a.text for a in expected]
    assert [a.origin for a in articles] == ["<stdin>: article 1", "<stdin>: article 2"]
    assert all(a.date == DATELINE for a in articles)


def test_stdin_jsonl(monkeypatch: pytest.MonkeyPatch) -> None:
    _stdin(monkeypatch, (ARTICLES / "articles.jsonl").read_bytes())
    articles = read_all("-", input_format="jsonl")
    assert [a.id for a in articles][0::2] == ["t-001", "t-003"]
    assert articles[0].origin == "<stdin>: line 1"


def test_stdin_non_utf8_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    _stdin(monkeypatch, "Caf\xe9 news\n\nA caf\xe9 opened.\n".encode("latin-1"))
    articles, errors = collect("-")
    assert [a.text for a in articles] == ["A caf\ufffd opened."]
    assert len(errors) == 1 and "UTF-8" in str(errors[0]) and "<stdin>: line 1 and 1 more lines" in str(errors[0])


# --- streaming --------------------------------------------------------------------------------------------------

SMALL_ARTICLES = 2000


def _small_articles(count: int) -> str:
    return "\n\n\n".join(
        f"Headline number {i} about Kirkuk\n\nThe council of Kirkuk met on Monday for session {i}, officials said.\n"
        for i in range(count)
    )


class CountingLines:
    """A text stream that counts the lines handed out."""

    def __init__(self, text: str) -> None:
        self._lines = io.StringIO(text)
        self.lines = 0

    def __iter__(self) -> Iterator[str]:
        for line in self._lines:
            self.lines += 1
            yield line

    def readline(self) -> str:
        line = self._lines.readline()
        self.lines += bool(line)
        return line

    def read(self, size: int = -1) -> str:  # pragma: no cover - a streaming reader must not slurp
        raise AssertionError("the reader read the whole stream at once")


class CountingBytes(io.BytesIO):
    """A byte stream that counts the bytes read from it."""

    consumed = 0

    def read(self, size: int | None = -1) -> bytes:
        data = super().read(size)
        self.consumed += len(data)
        return data

    def read1(self, size: int = -1) -> bytes:
        data = super().read1(size)
        self.consumed += len(data)
        return data

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def]
        n = super().readinto(buffer)
        self.consumed += n
        return n

    def readinto1(self, buffer) -> int:  # type: ignore[no-untyped-def]
        n = super().readinto1(buffer)
        self.consumed += n
        return n


def test_read_articles_is_a_generator() -> None:
    articles = read_articles([ARTICLES / "operation.txt"])
    assert inspect.isgenerator(articles)
    assert not isinstance(articles, list)
    first = next(articles)
    assert first.title == OPERATION_TITLE
    assert list(articles) == []


def test_plain_reader_streams_article_by_article() -> None:
    stream = CountingLines(_small_articles(SMALL_ARTICLES))
    total_lines = _small_articles(SMALL_ARTICLES).count("\n")
    articles = read_plain(stream, name="big.txt")  # type: ignore[arg-type]
    first = next(articles)
    assert first.title == "Headline number 0 about Kirkuk"
    assert first.text == "The council of Kirkuk met on Monday for session 0, officials said."
    assert stream.lines < 20  # one article and the first line of the next, not the 10,000-line file
    second = next(articles)
    assert second.title == "Headline number 1 about Kirkuk"
    assert stream.lines < 30
    rest = list(articles)
    assert len(rest) == SMALL_ARTICLES - 2
    assert rest[-1].title == f"Headline number {SMALL_ARTICLES - 1} about Kirkuk"
    assert stream.lines == total_lines
    assert len({first.id, second.id, *(a.id for a in rest)}) == SMALL_ARTICLES


def test_read_articles_streams_a_large_input(monkeypatch: pytest.MonkeyPatch) -> None:
    data = _small_articles(SMALL_ARTICLES).encode("utf-8")
    buffer = CountingBytes(data)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(buffer, encoding="utf-8"))
    articles = read_articles(["-"])
    first = next(articles)
    assert first.title == "Headline number 0 about Kirkuk"
    assert buffer.consumed < len(data) // 10, (buffer.consumed, len(data))
    assert sum(1 for _ in articles) == SMALL_ARTICLES - 1
    assert buffer.consumed == len(data)


MILLION = 1_000_000
COUNT_IN_CHILD = """
import resource, sys
from kg.read.articles import read_articles
errors = []
count = sum(1 for _ in read_articles([sys.argv[1]], on_error=errors.append))
print(count)
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
for error in errors:
    print(error)
"""


def test_a_million_lines_with_one_bad_one_stream_in_bounded_memory(tmp_path: Path) -> None:
    # in a child process, so that its peak memory is the reader's own and not this session's spaCy model
    big = tmp_path / "big.jsonl"
    bad = MILLION // 2 + 1
    with big.open("w", encoding="utf-8") as out:
        out.writelines(f'{{"id": "a{i}", "text": "Rain in Lakeside."{"}" if i != bad else ""}\n'
                       for i in range(1, MILLION + 1))
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    child = subprocess.run([sys.executable, "-c", COUNT_IN_CHILD, str(big)], capture_output=True, text=True,
                           env=env, check=True, timeout=600)
    count, peak_mib, *errors = child.stdout.splitlines()
    assert int(count) == MILLION - 1
    assert errors == [f"{big}: line {bad}: not valid JSON (Expecting ',' delimiter) - write one JSON object per line"]
    # the ids seen take ~120 MB; a million articles held would take five times that
    assert int(peak_mib) < 300, peak_mib
