"""Saved query results as text: ``table`` for reading, ``csv``, ``tsv`` and ``json`` for programs.

All formats but ``table`` write each row as it is read, so a big answer streams.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from itertools import chain

from kg.errors import QueryError
from kg.query.saved import ResultRows, ResultTable
from kg.rdf.namespaces import DEFAULT_BASE, PREFIXES

__all__ = ["FORMATS", "MAX_CELL_WIDTH", "format_result"]

FORMATS: tuple[str, ...] = ("table", "csv", "tsv", "json")
MAX_CELL_WIDTH = 60

# C0 and C1 controls and DEL, which a terminal acts on (ESC [2J clears it), and the bidirectional
# embeddings, overrides and isolates, which reorder what is shown
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_CSV_CONTROLS = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_SHORT = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}
# the string escapes of Turtle, which SPARQL 1.1 TSV results use for literals
_TSV_ESCAPES = {"\\": "\\\\", **_SHORT}
_TSV_SPECIAL = re.compile("[\\\\\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _visible(match: re.Match[str]) -> str:
    char = match.group()
    return _SHORT.get(char) or (f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}")


def format_result(result: ResultTable | ResultRows, fmt: str, *, terminal: bool = False) -> Iterator[str]:
    """Lines (without newline) of ``result`` as ``table``, ``csv``, ``tsv`` or ``json``.

    ``table`` aligns columns, cuts cells at 60 characters and shows control characters as escapes
    (``\\n``, ``\\t``, ``\\x1b``); ``csv`` and ``tsv`` start with a header row. ``tsv`` escapes
    literals as SPARQL 1.1 TSV results do (``\\t``, ``\\n``, ``\\r``, ``\\\\``, and ``\\u001B`` for
    other controls). ``csv`` is the data as it is (RFC 4180 quoting) unless ``terminal`` is true:
    then controls other than newlines are shown as escapes, as in a table. ``json`` is one array
    with an object per row, unbound columns left out (json escapes controls). All but ``table``
    (which must see every row to align the columns) write each row as it is read, so big answers stream.

    >>> table = ResultTable(("label", "date"), [("Diyala", None)])
    >>> list(format_result(table, "csv"))
    ['label,date', 'Diyala,']
    >>> "\\n".join(format_result(table, "json"))
    '[\\n  {"label": "Diyala"}\\n]'
    """
    if fmt == "table":
        return _format_table(result)
    if fmt == "csv":
        return _format_csv(result, terminal)
    if fmt == "tsv":
        return _format_tsv(result)
    if fmt == "json":
        return _format_json(result)
    raise QueryError(f"unknown output format '{fmt}' - use one of {', '.join(FORMATS)}")


_COMPACT = sorted([(iri, f"{name}:") for name, iri in PREFIXES.items()] + [(DEFAULT_BASE, "id:")],
                  key=lambda pair: -len(pair[0]))


def _compact(value: str) -> str:
    """Tables are for reading: well-known namespaces are shown as prefixes (kg:Attack, id:entity/...)."""
    for iri, prefix in _COMPACT:
        if value.startswith(iri) and len(value) > len(iri):
            return prefix + value[len(iri):]
    return value


def _table_cell(value: str | None) -> str:
    if value is None:
        return ""
    text = _CONTROLS.sub(_visible, _compact(value))
    if len(text) > MAX_CELL_WIDTH:
        return text[: MAX_CELL_WIDTH - 1] + "…"
    return text


def _format_table(result: ResultTable | ResultRows) -> Iterator[str]:
    cells = [[_table_cell(value) for value in row] for row in result.rows]
    widths = [len(column) for column in result.columns]
    for row in cells:
        widths = [max(width, len(cell)) for width, cell in zip(widths, row, strict=False)]
    yield "  ".join(column.ljust(width) for column, width in zip(result.columns, widths, strict=False)).rstrip()
    yield "  ".join("-" * width for width in widths)
    if not cells:
        yield "(0 rows)"
    for row in cells:
        yield "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False)).rstrip()


def _format_csv(result: ResultTable | ResultRows, terminal: bool) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for row in chain([list(result.columns)], ([value or "" for value in row] for row in result.rows)):
        writer.writerow([_CSV_CONTROLS.sub(_visible, value) for value in row] if terminal else row)
        yield buffer.getvalue()[:-1]
        buffer.seek(0)
        buffer.truncate()


def _tsv_cell(value: str | None) -> str:
    if value is None:
        return ""
    return _TSV_SPECIAL.sub(_tsv_escape, value)


def _tsv_escape(match: re.Match[str]) -> str:
    char = match.group()
    return _TSV_ESCAPES.get(char) or f"\\u{ord(char):04X}"


def _format_tsv(result: ResultTable | ResultRows) -> Iterator[str]:
    yield "\t".join(_tsv_cell(column) for column in result.columns)
    for row in result.rows:
        yield "\t".join(_tsv_cell(value) for value in row)


def _format_json(result: ResultTable | ResultRows) -> Iterator[str]:
    previous: str | None = None
    for row in result.rows:
        record = {column: value for column, value in zip(result.columns, row, strict=False) if value is not None}
        yield "[" if previous is None else previous + ","
        previous = "  " + json.dumps(record, ensure_ascii=False)
    if previous is None:
        yield "[]"
        return
    yield previous
    yield "]"
