"""Split the inputs of a run into shards: a small file is one shard, a big JSON Lines file one shard per range
of lines. Numbering follows the input order, so a run's part files have the same names every time."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from kg.errors import InputError
from kg.read.sources import JSONL_SUFFIXES, Decoded, OnError, expand_inputs

SHARD_LINES = 500
_BLOCK = 1 << 20


@dataclass(frozen=True)
class Shard:
    """One task of a run: a whole file (``end`` None) or bytes ``start`` to ``end`` of a JSON Lines file,
    lines ``first_line`` to ``last_line``.

    >>> Shard(3, "a.jsonl", 120, 240, 11, 20).where
    'a.jsonl: lines 11-20'
    >>> Shard(3, "a.jsonl").part
    'part-00003.nq'
    """

    index: int
    path: str
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
        """The file, and the lines when the shard is a range of it."""
        return self.path if self.end is None else f"{self.path}: lines {self.first_line}-{self.last_line}"


def plan_shards(inputs: Sequence[str | Path], *, shard_lines: int = SHARD_LINES, input_format: str = "auto",
                on_error: OnError) -> list[Shard]:
    """The shards of ``inputs`` (files and directories, expanded as a single-process run reads them).

    A file read as JSON Lines with more than ``shard_lines`` lines is split into ranges of that many lines,
    found with one streaming pass over its bytes; any other file is one shard. A file in UTF-16/32, or that
    looks binary, is one shard too (its lines are not split on bytes). Problems with the inputs (missing
    paths, files given twice) go to ``on_error``, as in a single-process run.

    Raises:
        InputError: stdin (``-``) is given: a cluster reads files.
    """
    shards: list[Shard] = []
    for path in expand_inputs(inputs, on_error):
        if path is None:
            raise InputError("-: a cluster reads files, not stdin - save the articles to a file that every worker "
                             "can read (a shared mount), or leave out --cluster")
        jsonl = input_format == "jsonl" or (input_format == "auto" and path.suffix.lower() in JSONL_SUFFIXES)
        ranges = _line_ranges(path, shard_lines) if jsonl else []
        if len(ranges) < 2:
            shards.append(Shard(len(shards), str(path)))
            continue
        shards.extend(Shard(len(shards), str(path), start, end, first, last) for start, end, first, last in ranges)
    return shards


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
