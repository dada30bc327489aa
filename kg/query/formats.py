"""Query results as text: ``table`` for reading, ``csv``, ``tsv``, ``json`` and ``jsonl`` for programs.

All formats but ``table`` write each row as it is read, so a big answer streams. The table is drawn
by rich: on a terminal it fits the terminal's width (cells cut with ``…``), elsewhere it is plain
text with every value whole.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import shutil
from collections.abc import Iterator, Sequence
from itertools import chain, islice
from typing import TypeAlias

from pyoxigraph import BlankNode, Literal
from rich.box import SIMPLE_HEAD, Box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from kg.errors import QueryError
from kg.query.lists import Cell
from kg.query.saved import ResultRows, ResultTable, TermRows
from kg.rdf.namespaces import DEFAULT_BASE, PREFIXES

__all__ = ["FORMATS", "LIST_SEPARATOR", "format_result", "select_columns"]

FORMATS: tuple[str, ...] = ("table", "csv", "tsv", "json", "jsonl")
LIST_SEPARATOR = "; "

Result: TypeAlias = ResultTable | ResultRows | TermRows
Value: TypeAlias = Cell | str
JsonValue: TypeAlias = str | int | float | bool | list[str] | None

_XSD = "http://www.w3.org/2001/XMLSchema#"
_INTEGERS = {_XSD + name for name in ("integer", "int", "long", "short", "byte", "nonNegativeInteger",
                                      "positiveInteger", "nonPositiveInteger", "negativeInteger", "unsignedLong",
                                      "unsignedInt", "unsignedShort", "unsignedByte")}
_REALS = {_XSD + name for name in ("decimal", "double", "float")}
_BOOLEAN = _XSD + "boolean"
_SHORT_COLUMN = 12
TABLE_PAGE = 1000  # rows laid out at a time in a table (see _format_table)
# the header rule of a plain table in ASCII: piped text should not depend on the reader's encoding
_PLAIN_BOX = Box("    \n    \n -- \n    \n    \n    \n    \n    \n", ascii=True)

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


def format_result(result: Result, fmt: str, *, terminal: bool = False, width: int | None = None) -> Iterator[str]:
    """Lines (without newline) of ``result`` as ``table``, ``csv``, ``tsv``, ``json`` or ``jsonl``.

    ``table`` shows control characters as escapes (``\\n``, ``\\t``, ``\\x1b``) and well-known
    namespaces as prefixes (``kg:Attack``); with ``terminal`` it fits ``width`` columns (default: the
    terminal's), long cells cut with ``…``, else it is plain ASCII-ruled text with whole values. ``csv`` and ``tsv``
    start with a header row. ``tsv`` escapes literals as SPARQL 1.1 TSV results do (``\\t``,
    ``\\n``, ``\\r``, ``\\\\``, and ``\\u001B`` for other controls). ``csv`` is the data as it is
    (RFC 4180 quoting) unless ``terminal`` is true: then controls other than newlines are shown as
    escapes, as in a table.

    ``json`` is one array with an object per row, ``jsonl`` one object per line; each object has
    every column, in order: ``null`` when unbound, numbers (``xsd:integer``, ``decimal``,
    ``double``, ``float``) as numbers and ``xsd:boolean`` as ``true``/``false`` when ``result``
    holds terms (:class:`~kg.query.saved.TermRows`), a list column (``# list:``) as an array of
    strings, everything else as a string (IRIs whole). All but ``table`` (which must see every row
    to size the columns) write each row as it is read, so big answers stream.

    >>> table = ResultTable(("label", "date"), [("Diyala", None)])
    >>> list(format_result(table, "csv"))
    ['label,date', 'Diyala,']
    >>> list(format_result(table, "jsonl"))
    ['{"label": "Diyala", "date": null}']
    >>> list(format_result(table, "table"))
    ['label   date', '------------', 'Diyala']
    """
    if fmt == "table":
        return _format_table(result, terminal, width)
    if fmt == "csv":
        return _format_csv(result, terminal)
    if fmt == "tsv":
        return _format_tsv(result)
    if fmt == "json":
        return _format_json(result)
    if fmt == "jsonl":
        return (json.dumps(record, ensure_ascii=False) for record in _records(result))
    raise QueryError(f"unknown output format '{fmt}' - use one of {', '.join(FORMATS)}")


def select_columns(result: TermRows, names: Sequence[str], query: str = "the query") -> TermRows:
    """``result`` with only the columns ``names``, in that order.

    Raises:
        QueryError: a name is not a column of ``result`` (the message lists them).

    >>> picked = select_columns(TermRows(("a", "b"), iter([(Literal("1"), Literal("2"))])), ["b"])
    >>> picked.columns, [row[0].value for row in picked.rows]
    (('b',), ['2'])
    """
    for name in names:
        if name not in result.columns:
            raise QueryError(f"--columns: {query} has no column '{name}' - its columns: {', '.join(result.columns)}")
    if list(names) == list(result.columns):
        return result
    keep = [result.columns.index(name) for name in names]
    return TermRows(tuple(names), (tuple(row[i] for i in keep) for row in result.rows),
                    tuple(name for name in result.lists if name in names))


def _text(value: Value) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, tuple):
        return LIST_SEPARATOR.join(value) if value else None
    if isinstance(value, BlankNode):
        return f"_:{value.value}"
    return value.value


def _text_rows(result: Result) -> Iterator[tuple[str | None, ...]]:
    if isinstance(result, TermRows):
        return (tuple(_text(value) for value in row) for row in result.rows)
    return iter(result.rows)


def _json_value(value: Value, is_list: bool) -> JsonValue:
    if isinstance(value, tuple):
        return list(value)
    if is_list:  # joined already (ResultRows)
        return [] if value is None else str(value).split(LIST_SEPARATOR)
    if isinstance(value, Literal):
        datatype = value.datatype.value
        try:
            if datatype in _INTEGERS:
                return int(value.value)
            if datatype in _REALS and math.isfinite(number := float(value.value)):
                return number
        except ValueError:
            return value.value  # an ill-typed literal stays the text it is
        if datatype == _BOOLEAN and value.value in ("true", "false", "1", "0"):
            return value.value in ("true", "1")
    return _text(value)


def _records(result: Result) -> Iterator[dict[str, JsonValue]]:
    lists = [column in result.lists for column in result.columns] if not isinstance(result, ResultTable) else []
    for row in result.rows:
        yield {column: _json_value(value, bool(lists) and lists[index])
               for index, (column, value) in enumerate(zip(result.columns, row, strict=False))}


_COMPACT = sorted([(iri, f"{name}:") for name, iri in PREFIXES.items()] + [(DEFAULT_BASE, "id:")],
                  key=lambda pair: -len(pair[0]))


def _compact(value: str) -> str:
    """Tables are for reading: well-known namespaces are shown as prefixes (kg:Attack, id:entity/...)."""
    for iri, prefix in _COMPACT:
        if value.startswith(iri) and len(value) > len(iri):
            return prefix + value[len(iri):]
    return value


def _table_cell(value: str | None, terminal: bool) -> Text:
    text = "" if value is None else _CONTROLS.sub(_visible, _compact(value))
    return Text(text, no_wrap=True, overflow="ellipsis") if terminal else Text(text)


def _numeric(result: Result, rows: list[tuple[Value, ...]]) -> list[bool]:
    """Columns whose every value is a number, right-aligned in a table."""
    if not isinstance(result, TermRows) or not rows:
        return [False] * len(result.columns)
    return [all(value is None or (isinstance(value, Literal) and value.datatype.value in _INTEGERS | _REALS)
                for value in column) for column in zip(*rows, strict=True)]


def _format_table(result: Result, terminal: bool, width: int | None) -> Iterator[str]:
    """A table per page of ``TABLE_PAGE`` rows, each sized to its own rows, as psql does with FETCH_COUNT.

    rich lays a table out whole, at about a millisecond a row: one table of a 200,000-row answer would be
    held in memory and show nothing for minutes, where pages stream in constant memory.
    """
    pages = 0
    rows_iter = iter(result.rows)
    while page := list(islice(rows_iter, TABLE_PAGE)):
        if pages:
            yield ""
        yield from _table_page(result, page, terminal, width)
        pages += 1
    if not pages:
        yield from _table_page(result, [], terminal, width)
        yield "(0 rows)"


def _table_page(result: Result, rows: list[tuple[Value, ...]], terminal: bool, width: int | None) -> Iterator[str]:
    numeric = _numeric(result, rows)
    cells = [[_table_cell(_text(value), terminal) for value in row] for row in rows]
    longest = [max([len(column), *(len(row[i]) for row in cells)]) for i, column in enumerate(result.columns)]
    table = Table(box=SIMPLE_HEAD if terminal else _PLAIN_BOX, show_edge=False, pad_edge=False,
                  collapse_padding=True, header_style="")
    for column, right, size in zip(result.columns, numeric, longest, strict=True):
        # rich narrows the columns it may wrap first: so the long ones, whose cells are then cut with "…",
        # never a short one (a count, a date)
        table.add_column(column, justify="right" if right else "left", no_wrap=terminal and size <= _SHORT_COLUMN)
    for row in cells:
        table.add_row(*row)
    if terminal:
        width = width or shutil.get_terminal_size().columns
        # no colours: the only escape sequences on the terminal are none at all, so data can never fake one
        console = Console(file=io.StringIO(), width=width, color_system=None, highlight=False, emoji=False,
                          markup=False)
    else:
        # wide enough for every value: the table itself is only as wide as its longest rows
        console = Console(file=io.StringIO(), width=1 << 20, color_system=None, highlight=False, emoji=False,
                          markup=False)
    with console.capture() as capture:
        console.print(table)
    yield from (line.rstrip() for line in capture.get().splitlines())


def _format_csv(result: Result, terminal: bool) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for row in chain([list(result.columns)], ([value or "" for value in row] for row in _text_rows(result))):
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


def _format_tsv(result: Result) -> Iterator[str]:
    yield "\t".join(_tsv_cell(column) for column in result.columns)
    for row in _text_rows(result):
        yield "\t".join(_tsv_cell(value) for value in row)


def _format_json(result: Result) -> Iterator[str]:
    previous: str | None = None
    for record in _records(result):
        yield "[" if previous is None else previous + ","
        previous = "  " + json.dumps(record, ensure_ascii=False)
    if previous is None:
        yield "[]"
        return
    yield previous
    yield "]"
