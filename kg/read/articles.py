"""Read articles: the plain-text news format, JSON Lines, HTML, directories and stdin.

Everything streams: :func:`read_articles` yields one :class:`~kg.model.Article` at a time and reports
bad records through a callback, so one bad article never stops the others.

The plain-text format (as delivered by the news feed) looks like::

    Title line

    Photo caption. (AFP)
    Photo caption. (AFP)
    TT

    Title line

    Photo caption. (AFP)
    Photo caption. (AFP)

    Body paragraph one.

    Body paragraph two.



    Next title ...

Articles are separated by two or more blank lines; the title and captions are kept apart from the
body, their repetitions and the ``TT`` marker are dropped. The body is the paragraphs joined by one
blank line (``"\\n\\n"``); extracted offsets index into it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
import logging
import re
import sys
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from kg.errors import InputError
from kg.model import Article, Caption
from kg.names import counted
from kg.read.sources import (
    HTML_SUFFIXES,
    JSONL_SUFFIXES,
    SUFFIXES,
    TEXT_SUFFIXES,
    Decoded,
    OnError,
    Window,
    expand_inputs,
)

__all__ = ["FORMATS", "HTML_SUFFIXES", "JSONL_SUFFIXES", "SUFFIXES", "TEXT_SUFFIXES", "article_id", "check_dateline",
           "expand_inputs", "parse_date", "parse_plain_block", "read_articles", "read_html", "read_jsonl",
           "read_jsonl_range", "read_plain", "split_caption"]

FORMATS = ("auto", "text", "jsonl", "html")
# relative dates ("yesterday", "last year") are anchored around the dateline: keep it clear of the calendar's ends
EARLIEST = dt.date(1000, 1, 1)
LATEST = dt.date(8999, 12, 31)

_CREDIT = re.compile(r"^(?P<text>.*?)\s*\(\s*(?P<credit>[^()]{1,80}?)\s*\)\s*$", re.S)
_ARTICLE_BREAK = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)+")
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _raise(error: InputError) -> None:
    raise error


def article_id(text: str, title: str | None = None) -> str:
    """A stable id for an article without one: a hash of its normalised title and body.

    Normalisation (Unicode NFC, whitespace collapsed) makes the id survive re-wrapping.

    >>> article_id("Some  body\\ntext.") == article_id("Some body text.")
    True
    """
    norm = " ".join(unicodedata.normalize("NFC", f"{title or ''}\n{text}").split())
    return hashlib.sha256(norm.encode("utf-8")).hexdigest()[:16]


def parse_date(value: str, where: str) -> dt.date:
    """Parse an ISO 8601 date or date-time into a date.

    Raises:
        InputError: the value is not ISO 8601.
    """
    try:
        day = dt.date.fromisoformat(value[:10])
    except ValueError:
        raise InputError(f"{where}: date {value!r} is not ISO 8601 - write it as YYYY-MM-DD") from None
    return check_dateline(day, where)


def check_dateline(day: dt.date, where: str) -> dt.date:
    """Return ``day`` if kg can anchor relative dates around it (years 1000 to 8999).

    Raises:
        InputError: the date is outside that range.

    >>> check_dateline(dt.date(2025, 3, 6), "--date")
    datetime.date(2025, 3, 6)
    """
    if not EARLIEST <= day <= LATEST:
        raise InputError(f"{where}: date {day.isoformat()} is outside the years kg can anchor dates in "
                         f"({EARLIEST.year}-{LATEST.year}) - give the article's real dateline")
    return day


def split_caption(line: str) -> Caption:
    """Split a caption line into its text and trailing ``(credit)``.

    >>> split_caption("ISIS member arrested. ( Iraqi Counter Terrorism Service)")
    Caption(text='ISIS member arrested.', credit='Iraqi Counter Terrorism Service')
    """
    m = _CREDIT.match(line.strip())
    if m and m.group("text"):
        return Caption(m.group("text"), m.group("credit"))
    return Caption(line.strip())


def _paragraphs(block: str) -> list[str]:
    return [p.strip() for p in _PARAGRAPH_BREAK.split(block) if p.strip()]


def parse_plain_block(block: str, *, origin: str, date: dt.date | None = None) -> Article | None:
    """Parse one article of the plain-text format (see the module docstring).

    Returns None for a block with no text. Body text is never dropped: only lines that exactly repeat
    the title or a caption, directly after ``TT``, are removed.
    """
    lines = [line.rstrip() for line in block.strip("\n").split("\n")]
    if not any(line.strip() for line in lines):
        return None
    tt = next((i for i, line in enumerate(lines) if line.strip() == "TT"), None)
    title: str | None
    captions: list[str] = []
    if tt is None:
        paragraphs = _paragraphs("\n".join(lines))
        title = paragraphs[0] if len(paragraphs) > 1 and _looks_like_title(paragraphs[0]) else None
        body = paragraphs[1:] if title else paragraphs
    else:
        head = [line.strip() for line in lines[:tt] if line.strip()]
        title = head[0] if head else None
        for line in head[1:]:
            if line not in captions:
                captions.append(line)
        paragraphs = _paragraphs("\n".join(lines[tt + 1 :]))
        repeated = {title, *captions}
        body = list(paragraphs)
        while body and all(line.strip() in repeated for line in body[0].split("\n")):
            body.pop(0)
    text = "\n\n".join(body)
    if not text:
        return None
    return Article(
        id=article_id(text, title),
        text=text,
        title=title,
        captions=tuple(split_caption(c) for c in captions),
        date=date,
        origin=origin,
    )


def _looks_like_title(paragraph: str) -> bool:
    return "\n" not in paragraph and len(paragraph) <= 200 and not paragraph.rstrip().endswith((".", "”", '"'))


def read_plain(stream: Iterable[str], *, name: str, date: dt.date | None = None) -> Iterator[Article]:
    """Stream articles of the plain-text format from ``stream``.

    Reads block by block (articles are separated by two or more blank lines), so memory stays bounded by
    one article.
    """
    number = 0
    for block in _blocks(stream):
        article = parse_plain_block(block, origin=f"{name}: article {number + 1}", date=date)
        if article is not None:
            number += 1
            yield article


def _blocks(stream: Iterable[str]) -> Iterator[str]:
    current: list[str] = []
    blanks = 0
    for raw in stream:
        line = raw.replace("\r\n", "\n").replace("\r", "\n")
        if not line.strip():
            blanks += 1
            current.append("\n")
            continue
        if blanks >= 2 and any(part.strip() for part in current):
            yield "".join(current)
            current = []
        blanks = 0
        current.append(line if line.endswith("\n") else line + "\n")
    if any(part.strip() for part in current):
        yield "".join(current)


def read_jsonl(
    stream: Iterable[str], *, name: str, date: dt.date | None = None, on_error: OnError = _raise, first_line: int = 1
) -> Iterator[Article]:
    """Stream articles from JSON Lines: ``{"id", "title", "text", "date", "url", "source", "language"}``.

    Only ``text`` is required. A bad line is reported through ``on_error`` and skipped. A lone surrogate
    (``"\\ud800"``, half of a character pair) is replaced by U+FFFD, one code point for one so offsets
    stay exact, and reported; the article is still read. ``first_line`` is the number of the stream's first
    line in its file.
    """
    for number, line in enumerate(stream, start=first_line):
        if not line.strip():
            continue
        where = f"{name}: line {number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            on_error(InputError(f"{where}: not valid JSON ({exc.msg}) - write one JSON object per line"))
            continue
        try:
            yield _article_from_record(_without_surrogates(record, where, on_error), where=where, date=date)
        except InputError as exc:
            on_error(exc)


def _without_surrogates(record: Any, where: str, on_error: OnError) -> Any:
    if not isinstance(record, dict):
        return record
    fields = sorted(k for k, v in record.items() if isinstance(v, str) and _SURROGATE.search(v))
    if not fields:
        return record
    on_error(InputError(f"{where}: lone surrogate escapes (\\ud800-\\udfff) in {', '.join(fields)} read as U+FFFD "
                        "- fix the program that wrote the record: it split a character pair"))
    return {k: _SURROGATE.sub("\ufffd", v) if k in fields else v for k, v in record.items()}


def _article_from_record(record: Any, *, where: str, date: dt.date | None) -> Article:
    if not isinstance(record, dict):
        raise InputError(f"{where}: expected a JSON object with a \"text\" key")
    text = record.get("text")
    if text is not None and not isinstance(text, str):
        raise InputError(f"{where}: \"text\" must be a string with the article body, not {type(text).__name__}")
    if not text or not text.strip():
        raise InputError(f"{where}: no \"text\" - every record needs the article body in \"text\"")
    text = text.replace("\r\n", "\n").strip()
    title = _optional_str(record, "title", where)
    given = _optional_str(record, "date", where)
    ident = record.get("id")
    return Article(
        id=str(ident) if ident not in (None, "") else article_id(text, title),
        text=text,
        title=title,
        date=parse_date(given, where) if given else date,
        url=_optional_str(record, "url", where),
        source=_optional_str(record, "source", where),
        language=_optional_str(record, "language", where),
        origin=where,
    )


def _optional_str(record: dict[str, Any], key: str, where: str) -> str | None:
    value = record.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise InputError(f"{where}: \"{key}\" must be a string, not {type(value).__name__}")
    return value


def read_html(stream: Iterable[str], *, name: str, date: dt.date | None = None) -> Iterator[Article]:
    """Extract one article from an HTML page with trafilatura (boilerplate removed).

    Trafilatura is asked to favour precision, so that a page of links and footers (a home page, an
    index) is "no article" rather than an article made of its menu.

    Raises:
        InputError: no article text could be found in the page.
    """
    import trafilatura  # slow to import; only HTML needs it

    # its per-page chatter ("discarding data") would read like kg's own warnings
    logging.getLogger("trafilatura").setLevel(logging.ERROR)

    raw = trafilatura.extract(
        "".join(stream), output_format="json", with_metadata=True, include_comments=False, include_tables=False,
        favor_precision=True,
    )
    if not raw:
        raise InputError(f"{name}: no article text found in the HTML - is it a news page?")
    record = json.loads(raw)
    title = record.get("title") or None
    paragraphs = [p.strip() for p in str(record.get("text") or "").split("\n") if p.strip()]
    while paragraphs and title and paragraphs[0] == title:
        paragraphs.pop(0)  # the page's own headline, kept apart as the title
    text = "\n\n".join(paragraphs)
    if not text:
        raise InputError(f"{name}: no article text found in the HTML - is it a news page?")
    page_date = record.get("date")
    yield Article(
        id=article_id(text, title),
        text=text,
        title=title,
        date=parse_date(page_date, name) if page_date else date,
        url=record.get("url") or None,
        source=record.get("sitename") or record.get("hostname") or None,
        language=record.get("language") or None,
        origin=name,
    )


Reader = Callable[..., Iterator[Article]]
_READERS: dict[str, Reader] = {"text": read_plain, "jsonl": read_jsonl, "html": read_html}


def _reader_for(path: Path, input_format: str) -> Reader:
    if input_format != "auto":
        return _READERS[input_format]
    suffix = path.suffix.lower()
    if suffix in JSONL_SUFFIXES:
        return read_jsonl
    if suffix in HTML_SUFFIXES:
        return read_html
    return read_plain


def _sniff(lines: Iterator[str]) -> tuple[Reader, Iterator[str]]:
    """Tell the format of stdin from its first non-blank line: a JSON object, markup, or plain text."""
    seen: list[str] = []
    for line in lines:
        seen.append(line)
        if line.strip():
            break
    first = seen[-1] if seen else ""
    rest = itertools.chain(seen, lines)
    head = first.lstrip()
    if head.startswith("<"):
        return read_html, rest
    if head.startswith("{"):
        try:
            if isinstance(json.loads(head), dict):
                return read_jsonl, rest
        except json.JSONDecodeError:
            pass
    return read_plain, rest


def read_articles(
    inputs: Iterable[str | Path],
    *,
    date: dt.date | None = None,
    input_format: str = "auto",
    on_error: OnError = _raise,
) -> Iterator[Article]:
    """Stream the articles of every input, in order, each article once.

    ``date`` anchors relative dates for articles that carry no date of their own. ``input_format``
    ``auto`` reads files by suffix (``.jsonl``/``.ndjson``, ``.html``/``.htm``, else plain text) and
    stdin by its first non-blank line (a JSON object: JSON Lines; ``<``: HTML; else plain text);
    ``text``, ``jsonl`` or ``html`` reads every input so. Missing or unreadable paths, binary files,
    bad records and a second article with an id already read (the first is kept) are passed to
    ``on_error`` (default: raise) and the rest is still read. Only the ids read are kept, not the articles.

    Raises:
        InputError: through the default ``on_error``, for the first problem.

    >>> [a.title for a in read_articles([])]
    []
    """
    if input_format not in FORMATS:
        raise InputError(f"input format {input_format!r}: not one of {', '.join(FORMATS)}")
    seen = Seen()
    for path in expand_inputs(inputs, on_error, any_suffix=input_format != "auto"):
        read = 0
        for article in seen.once(_read_path(path, input_format, date, on_error), on_error):
            read += 1
            yield article
        logging.getLogger(__name__).info("%s: %s read", path or "stdin", counted(read, "article"))


def read_jsonl_range(path: Path, start: int, end: int, first_line: int, *, date: dt.date | None = None,
                     on_error: OnError = _raise) -> Iterator[Article]:
    """Stream the articles of bytes ``start`` to ``end`` of a UTF-8 JSON Lines file, whole lines, the first of
    them line ``first_line``: a range of a big file read on its own, its problems named by the file's own line
    numbers as :func:`read_articles` names them. A second article with an id already read in the range is left
    out and reported; ids are not compared with other ranges.

    Raises:
        InputError: through the default ``on_error``, for the first problem.
    """
    try:
        with path.open("rb") as stream:
            stream.seek(start)
            lines = Decoded(Window(stream, end - start), str(path), first_line)  # type: ignore[arg-type]
            yield from Seen().once(read_jsonl(lines, name=str(path), date=date, on_error=on_error,
                                              first_line=first_line), on_error)
    except OSError as exc:
        on_error(InputError(f"{path}: cannot read ({exc.strerror}) - check the permissions"))
        return
    problem = lines.problem()
    if problem is not None:
        on_error(problem)


class Seen:
    """The ids read so far, each with where it was first read packed into one int (the place, e.g.
    ``a.jsonl: line``, and its number): about 120 bytes an id, never the articles."""

    def __init__(self) -> None:
        self._ids: dict[str, int] = {}
        self._places: dict[str, int] = {}
        self._names: list[str] = []

    def once(self, articles: Iterable[Article], on_error: OnError) -> Iterator[Article]:
        """``articles`` less those with an id already seen, each reported through ``on_error``."""
        for article in articles:
            first = self.first(article.id, article.origin)
            if first is not None:
                on_error(duplicate_error(article.id, article.origin, first))
                continue
            yield article

    def first(self, ident: str, origin: str) -> str | None:
        """Where an article of this id was first read, or None (and remember ``origin``) if it is the first."""
        code = self._ids.get(ident)
        if code is not None:
            name, seen = self._names[code >> 32], code & 0xFFFFFFFF
            return f"{name} {seen}" if seen else name
        place, _, tail = origin.rpartition(" ")
        number = int(tail) if tail.isascii() and tail.isdigit() and tail == str(int(tail)) else 0
        if not 0 < number < 2**32:
            place, number = origin, 0
        index = self._places.setdefault(place, len(self._names))
        if index == len(self._names):
            self._names.append(place)
        self._ids[ident] = index << 32 | number
        return None


def duplicate_error(ident: str, origin: str, first: str) -> InputError:
    """The report of an article whose id was already read at ``first``: the copy is left out.

    >>> print(duplicate_error("a1", "b.jsonl: line 9", "a.jsonl: line 2"))
    b.jsonl: line 9: article id 'a1' was already read at a.jsonl: line 2 - this copy is left out; give every article its own id
    """
    return InputError(f"{origin}: article id {ident!r} was already read at {first} - this copy is left out; give "
                      "every article its own id")


def _read_path(path: Path | None, input_format: str, date: dt.date | None, on_error: OnError) -> Iterator[Article]:
    if path is None:
        lines = Decoded(sys.stdin.buffer, "<stdin>")
        reader, text = _sniff(iter(lines)) if input_format == "auto" else (_READERS[input_format], iter(lines))
        yield from _read_one(reader, lines, text, date, on_error)
        return
    try:
        with path.open("rb") as stream:
            lines = Decoded(stream, str(path))
            yield from _read_one(_reader_for(path, input_format), lines, iter(lines), date, on_error)
    except OSError as exc:
        on_error(InputError(f"{path}: cannot read ({exc.strerror}) - check the permissions"))


def _read_one(reader: Reader, decoded: Decoded, lines: Iterator[str], date: dt.date | None,
              on_error: OnError) -> Iterator[Article]:
    name = decoded.name
    reported = 0

    def report(error: InputError) -> None:
        nonlocal reported
        reported += 1
        on_error(error)

    kwargs: dict[str, Any] = {"name": name, "date": date}
    if reader is read_jsonl:
        kwargs["on_error"] = report
    read = 0
    try:
        for article in reader(lines, **kwargs):
            read += 1
            yield article
    except UnicodeDecodeError:
        report(InputError(f"{name}: not valid {decoded.encoding.upper()} text after article {read} - convert "
                          "it to UTF-8, e.g. iconv -t utf-8"))
    except InputError as exc:
        report(exc)
    problem = decoded.problem()
    if problem is not None:
        report(problem)
    if not read and not reported:
        report(InputError(f"{name}: no article text in this input - is it empty?"))
