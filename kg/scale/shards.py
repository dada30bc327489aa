"""Split the inputs of a run into shards of about the same number of articles: a big JSON Lines file into ranges
of lines, small files into groups. Numbering follows the input order, so a run's part files have the same names
every time."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from kg.errors import InputError
from kg.names import counted
from kg.read.sources import JSONL_SUFFIXES, Decoded, OnError, expand_inputs

SHARD_LINES = 500
GROUP_BYTES = 8 << 20  # a group of small files stops growing here: a plain-text file holds many articles
_BLOCK = 1 << 20


@dataclass(frozen=True)
class Shard:
    """One task of a run: whole files (``end`` None), or bytes ``start`` to ``end`` of one JSON Lines file,
    lines ``first_line`` to ``last_line``.

    >>> Shard(3, ("a.jsonl",), 120, 240, 11, 20).where
    'a.jsonl: lines 11-20'
    >>> Shard(4, ("b.txt", "c.txt", "d.txt")).where
    'b.txt to d.txt (3 files)'
    >>> Shard(3, ("a.jsonl",)).part
    'part-00003.nq'
    """

    index: int
    paths: tuple[str, ...]
    start: int = 0
    end: int | None = None
    first_line: int = 1
    last_line: int = 0

    @property
    def part(self) -> str:
        """The name of the N-Quads file the shard is written to."""
        return f"part-{self.index:05d}.nq"

    @property
    def where(self) -> str:
        """The file, and the lines when the shard is a range of it, or the first and last of its files."""
        if self.end is not None:
            return f"{self.paths[0]}: lines {self.first_line}-{self.last_line}"
        first, *rest = self.paths
        return f"{first} to {rest[-1]} ({counted(len(self.paths), 'file')})" if rest else first


def plan_shards(inputs: Sequence[str | Path], *, shard_lines: int = SHARD_LINES, input_format: str = "auto",
                on_error: OnError) -> list[Shard]:
    """The shards of ``inputs`` (files and directories, expanded as a single-process run reads them).

    A file read as JSON Lines with more than ``shard_lines`` lines is split into ranges of that many lines,
    found with one streaming pass over its bytes (not a file in UTF-16/32, or that looks binary: its lines
    are not split on bytes). Other files are grouped, in order, up to ``shard_lines`` files or
    :data:`GROUP_BYTES` together (a bigger file is a shard of its own). Problems with the inputs (missing
    paths, files given twice) go to ``on_error``, as in a single-process run.

    Raises:
        InputError: stdin (``-``) is given: a cluster reads files.
    """
    shards: list[Shard] = []
    group: list[str] = []
    size = 0

    def close_group() -> None:
        nonlocal size
        if group:
            shards.append(Shard(len(shards), tuple(group)))
            group.clear()
            size = 0

    for path in expand_inputs(inputs, on_error, any_suffix=input_format != "auto"):
        if path is None:
            raise InputError("-: a cluster reads files, not stdin - save the articles to a file that every worker "
                             "can read (a shared mount), or leave out --cluster")
        jsonl = input_format == "jsonl" or (input_format == "auto" and path.suffix.lower() in JSONL_SUFFIXES)
        ranges = _line_ranges(path, shard_lines) if jsonl else []
        if len(ranges) > 1:
            close_group()
            shards.extend(Shard(len(shards), (str(path),), start, end, first, last)
                          for start, end, first, last in ranges)
            continue
        bytes_ = _size(path)
        if len(group) >= shard_lines or (group and size + bytes_ > GROUP_BYTES):
            close_group()
        group.append(str(path))
        size += bytes_
    close_group()
    return shards


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0  # the reader reports it


def _line_ranges(path: Path, every: int) -> list[tuple[int, int, int, int]]:
    """(start byte, end byte, first line, last line) of each run of ``every`` lines, from one pass over the
    bytes; [] for a file whose lines are not split on ``\\n`` bytes, or that cannot be read (the reader
    reports that)."""
    starts = [(0, 1)]
    line, offset, last = 1, 0, b"\n"
    try:
        with path.open("rb") as stream:
            head = Decoded(stream, str(path))
            if head.binary or head.encoding not in ("utf-8", "utf-8-sig"):
                return []
            stream.seek(0)
            for block in iter(lambda: stream.read(_BLOCK), b""):
                newlines = block.count(b"\n")
                if (line - 1) % every + newlines < every:
                    line += newlines
                else:  # a range starts in this block: find where
                    at = block.find(b"\n")
                    while at >= 0:
                        line += 1
                        if (line - 1) % every == 0:
                            starts.append((offset + at + 1, line))
                        at = block.find(b"\n", at + 1)
                offset += len(block)
                last = block[-1:]
    except OSError:
        return []
    lines = line - 1 if last == b"\n" else line
    bounds = [*starts[1:], (offset, lines + 1)]
    return [(start, end, first, after - 1) for (start, first), (end, after) in zip(starts, bounds, strict=True)
            if end > start]
