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
import io
import json
import re
import sys
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from kg.errors import InputError
from kg.model import Article, Caption

TEXT_SUFFIXES = frozenset({".txt", ".text"})
JSONL_SUFFIXES = frozenset({".jsonl", ".ndjson"})
HTML_SUFFIXES = frozenset({".html", ".htm"})
SUFFIXES = TEXT_SUFFIXES | JSONL_SUFFIXES | HTML_SUFFIXES

OnError = Callable[[InputError], None]

_CREDIT = re.compile(r"^(?P<text>.*?)\s*\(\s*(?P<credit>[^()]{1,80}?)\s*\)\s*$", re.S)
_ARTICLE_BREAK = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)+")
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")


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
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        raise InputError(f"{where}: date {value!r} is not ISO 8601 - write it as YYYY-MM-DD") from None


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


def read_plain(stream: IO[str], *, name: str, date: dt.date | None = None) -> Iterator[Article]:
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


def _blocks(stream: IO[str]) -> Iterator[str]:
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
    stream: IO[str], *, name: str, date: dt.date | None = None, on_error: OnError = _raise
) -> Iterator[Article]:
    """Stream articles from JSON Lines: ``{"id", "title", "text", "date", "url", "source", "language"}``.

    Only ``text`` is required. A bad line is reported through ``on_error`` and skipped.
    """
    for number, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        where = f"{name}: line {number}"
        try:
            yield _article_from_record(json.loads(line), where=where, date=date)
        except json.JSONDecodeError as exc:
            on_error(InputError(f"{where}: not valid JSON ({exc.msg}) - write one JSON object per line"))
        except InputError as exc:
            on_error(exc)


def _article_from_record(record: Any, *, where: str, date: dt.date | None) -> Article:
    if not isinstance(record, dict):
        raise InputError(f"{where}: expected a JSON object with a \"text\" key")
    text = record.get("text")
    if not isinstance(text, str) or not text.strip():
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


def read_html(stream: IO[str], *, name: str, date: dt.date | None = None) -> Iterator[Article]:
    """Extract one article from an HTML page with trafilatura (boilerplate removed).

    Raises:
        InputError: no article text could be found in the page.
    """
    import trafilatura  # slow to import; only HTML needs it

    raw = trafilatura.extract(
        stream.read(), output_format="json", with_metadata=True, include_comments=False, include_tables=False
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


def _reader_for(path: Path) -> Callable[..., Iterator[Article]]:
    suffix = path.suffix.lower()
    if suffix in JSONL_SUFFIXES:
        return read_jsonl
    if suffix in HTML_SUFFIXES:
        return read_html
    return read_plain


def expand_inputs(inputs: Iterable[str | Path]) -> Iterator[Path | None]:
    """Expand inputs: directories recursively (known suffixes, sorted), ``-`` as None (stdin).

    Raises:
        InputError: an input does not exist.
    """
    for item in inputs:
        if str(item) == "-":
            yield None
            continue
        path = Path(item)
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)
        elif path.is_file():
            yield path
        else:
            raise InputError(f"{path}: no such file or directory - check the path")


def read_articles(
    inputs: Iterable[str | Path],
    *,
    date: dt.date | None = None,
    stdin_format: str = "text",
    on_error: OnError = _raise,
) -> Iterator[Article]:
    """Stream the articles of every input, in order.

    ``date`` anchors relative dates for articles that carry no date of their own. Unreadable files and
    bad records are passed to ``on_error`` (default: raise) and the rest is still read.

    >>> [a.title for a in read_articles([])]
    []
    """
    for path in _expand_each(inputs, on_error):
        if path is None:
            stream = io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8", errors="strict")
            reader = {"jsonl": read_jsonl, "html": read_html}.get(stdin_format, read_plain)
            yield from _read_one(reader, stream, "<stdin>", date, on_error)
            continue
        try:
            with path.open(encoding="utf-8-sig", newline="") as stream:
                yield from _read_one(_reader_for(path), stream, str(path), date, on_error)
        except OSError as exc:
            on_error(InputError(f"{path}: cannot read ({exc.strerror}) - check the permissions"))


def _expand_each(inputs: Iterable[str | Path], on_error: OnError) -> Iterator[Path | None]:
    for item in inputs:
        try:
            yield from expand_inputs([item])
        except InputError as exc:
            on_error(exc)


def _read_one(
    reader: Callable[..., Iterator[Article]], stream: IO[str], name: str, date: dt.date | None, on_error: OnError
) -> Iterator[Article]:
    kwargs: dict[str, Any] = {"name": name, "date": date}
    if reader is read_jsonl:
        kwargs["on_error"] = on_error
    try:
        yield from reader(stream, **kwargs)
    except UnicodeDecodeError:
        on_error(InputError(f"{name}: not UTF-8 text - convert it, e.g. iconv -f latin1 -t utf-8"))
    except InputError as exc:
        on_error(exc)
