"""Where articles come from: paths expanded into files, and bytes decoded into lines of text.

Bad input is reported, never fatal: a missing path, an unreadable directory, a file given twice, binary data
and bytes that are not UTF-8 each become one :class:`~kg.errors.InputError` passed to ``on_error``, and
the rest is still read.
"""

from __future__ import annotations

import codecs
import io
import logging
import os
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO

from kg.errors import InputError

TEXT_SUFFIXES = frozenset({".txt", ".text"})
JSONL_SUFFIXES = frozenset({".jsonl", ".ndjson"})
HTML_SUFFIXES = frozenset({".html", ".htm"})
SUFFIXES = TEXT_SUFFIXES | JSONL_SUFFIXES | HTML_SUFFIXES

OnError = Callable[[InputError], None]

# UTF-32 first: its little-endian mark starts with UTF-16's
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_SNIFF = 8192
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1a\x1c-\x1f\ufffd]")
_LONE_CR = re.compile(r"(?<=\r)(?!\n)")


def _raise(error: InputError) -> None:
    raise error


def expand_inputs(inputs: Iterable[str | Path], on_error: OnError = _raise, *,
                  any_suffix: bool = False) -> Iterator[Path | None]:
    """Expand inputs: directories recursively (known suffixes, sorted), ``-`` as None (stdin).

    A missing path, an unreadable directory, a file met a second time (given twice, or inside a
    directory also given) and, unless ``any_suffix`` (a format was chosen for every input), a file whose
    suffix is not an article file's (``notes.md``; no suffix reads as text) are reported through
    ``on_error``; the other inputs are still expanded.

    Raises:
        InputError: through the default ``on_error``, for the first such problem.

    >>> list(expand_inputs(["-"]))
    [None]
    """
    seen: dict[Path, str] = {}
    for item in inputs:
        if str(item) == "-":
            yield None
            continue
        path = Path(item)
        if path.is_dir():
            files = _walk(path, on_error)
        elif path.exists():
            if path.suffix and path.suffix.lower() not in SUFFIXES and not any_suffix:
                on_error(InputError(f"{path}: kg does not read {path.suffix} files - give article files "
                                    f"({', '.join(sorted(SUFFIXES))}), or --input-format text|jsonl|html to read "
                                    "it as one"))
                continue
            files = [path]
        else:
            on_error(InputError(f"{path}: no such file or directory - check the path"))
            continue
        if path.is_dir() and not files and os.access(path, os.R_OK | os.X_OK):
            on_error(InputError(f"{path}: no .txt, .jsonl or .html files in this directory - check the path"))
        for file in files:
            key = Path(os.path.realpath(file))
            if key in seen:
                on_error(InputError(f"{file}: already read (as {seen[key]}) - each file is read once; give it "
                                    "once"))
                continue
            seen[key] = str(file)
            yield file


def count_articles(inputs: Iterable[str | Path], input_format: str = "auto") -> int | None:
    """How many articles ``inputs`` hold, when that is cheap to tell: one per HTML file, one per non-blank
    line of JSON Lines. None when an input is stdin or plain text (many articles a file, told apart only by
    reading them). Bad inputs count as nothing here; reading them reports them.

    >>> count_articles(["-"]) is None
    True
    """
    total = 0
    for path in expand_inputs(inputs, lambda error: None, any_suffix=input_format != "auto"):
        if path is None:
            return None
        kind = input_format if input_format != "auto" else (
            "jsonl" if path.suffix.lower() in JSONL_SUFFIXES else "html" if path.suffix.lower() in HTML_SUFFIXES
            else "text")
        if kind == "text":
            return None
        if kind == "html":
            total += 1
            continue
        try:
            with path.open("rb") as stream:
                total += sum(1 for line in stream if line.strip())
        except OSError:
            continue
    return total


def _walk(root: Path, on_error: OnError) -> list[Path]:
    found: list[Path] = []
    visited: set[str] = set()

    def failed(exc: OSError) -> None:
        on_error(InputError(f"{exc.filename}: cannot read the directory ({exc.strerror}) - check its permissions "
                            f"(the rest of {root} is read)"))

    for folder, subfolders, files in os.walk(root, onerror=failed, followlinks=True):
        visited.add(os.path.realpath(folder))
        # a link back up the tree would otherwise be walked forever
        subfolders[:] = sorted(d for d in subfolders if os.path.realpath(os.path.join(folder, d)) not in visited)
        found.extend(Path(folder, name) for name in files if Path(name).suffix.lower() in SUFFIXES)
        if others := sorted(name for name in files if Path(name).suffix.lower() not in SUFFIXES):
            logging.getLogger(__name__).info("%s: left alone, not article files: %s", folder, ", ".join(others))
    return sorted(found)


class Decoded:
    """Lines of text from a byte stream: UTF-8, or UTF-16/32 with a byte order mark.

    ``first_line`` numbers the stream's first line (more than 1 for a range of a big file read on its own:
    such a range is text as the file's head said, so it is not sniffed for binary data).

    Invalid UTF-8 is replaced line by line with U+FFFD (each bad sequence by one) and counted, so a stray
    Latin-1 byte costs one character, not the article. ``binary`` is set when the first 8 KiB look like
    binary data rather than text in any encoding kg reads; the stream then yields no lines.

    >>> lines = Decoded(io.BytesIO(b"caf\\xe9\\nbar\\n"), "x.txt")
    >>> list(lines), lines.bad_lines, lines.first_bad
    (['caf\\ufffd\\n', 'bar\\n'], 1, 1)
    """

    def __init__(self, stream: IO[bytes], name: str, first_line: int = 1) -> None:
        self.name = name
        self.first_line = first_line
        self.bad_lines = 0
        self.first_bad = 0
        self._head = stream.read(_SNIFF)
        self._stream = stream
        self.encoding = next((enc for bom, enc in _BOMS if self._head.startswith(bom)), "utf-8")
        self.binary = self.encoding == "utf-8" and first_line == 1 and _looks_binary(self._head)

    def __iter__(self) -> Iterator[str]:
        if self.binary:
            return
        whole = io.BufferedReader(_Replay(self._head, self._stream))  # type: ignore[type-var]
        if self.encoding not in ("utf-8", "utf-8-sig"):
            yield from io.TextIOWrapper(whole, encoding=self.encoding, newline="")
            return
        for number, raw in enumerate(whole, start=self.first_line):
            if number == 1 and raw.startswith(codecs.BOM_UTF8):
                raw = raw[len(codecs.BOM_UTF8):]
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError:
                line = raw.decode("utf-8", "replace")
                self.bad_lines += 1
                self.first_bad = self.first_bad or number
            yield from _LONE_CR.split(line) if "\r" in line else (line,)

    def problem(self) -> InputError | None:
        """The one report for this stream's invalid bytes, if it had any."""
        if self.binary:
            return InputError(f"{self.name}: binary data, not text - give articles as UTF-8 .txt, .jsonl or .html "
                              "(convert other encodings, e.g. iconv -f latin1 -t utf-8)")
        if not self.bad_lines:
            return None
        more = f" and {self.bad_lines - 1} more lines" if self.bad_lines > 1 else ""
        return InputError(f"{self.name}: line {self.first_bad}{more}: bytes that are not UTF-8, read as U+FFFD - "
                          "convert the file to UTF-8, e.g. iconv -f latin1 -t utf-8")


def _looks_binary(head: bytes) -> bool:
    text = codecs.getincrementaldecoder("utf-8")("replace").decode(head, final=False)
    bad = len(_CONTROL.findall(text))
    # a few stray bytes are text in a wrong encoding (read, and reported); NULs or many more are not text
    return bad * 10 > len(text) and ("\0" in text or bad >= 32)


class _Replay(io.RawIOBase):
    """A raw stream that gives ``head`` again, then the rest of ``stream``."""

    def __init__(self, head: bytes, stream: IO[bytes]) -> None:
        self._head = head
        self._stream = stream

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray) -> int:  # type: ignore[override]
        if self._head:
            n = min(len(buffer), len(self._head))
            buffer[:n], self._head = self._head[:n], self._head[n:]
            return n
        data = self._stream.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


class Window(io.RawIOBase):
    """A raw stream of the next ``size`` bytes of ``stream`` (a range of a file, read on its own).

    >>> Window(io.BytesIO(b"abcdef"), 4).read()
    b'abcd'
    """

    def __init__(self, stream: IO[bytes], size: int) -> None:
        self._stream = stream
        self._left = size

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray) -> int:  # type: ignore[override]
        data = self._stream.read(min(len(buffer), self._left))
        buffer[: len(data)] = data
        self._left -= len(data)
        return len(data)
