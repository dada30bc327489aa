"""Saved SPARQL queries: reading ``queries/*.rq``, binding parameters, running, formatting results.

A saved query is a SPARQL 1.1 ``SELECT`` file that starts with comment lines::

    # title: Operations and attacks
    # description: one line
    # param: place — label of the location (case-insensitive)

Parameter ``NAME`` is the SPARQL variable ``?param_NAME``. When the caller gives a value it is bound
with pyoxigraph's ``substitutions`` (never spliced into the query text); otherwise the variable stays
unbound, so every query is written to work both ways. pyoxigraph only substitutes variables of the
``SELECT`` projection, so a query projects its ``?param_NAME`` variables after its output columns
and :func:`run_query` leaves them out of the result. The prefix keeps a parameter apart from an
output column of the same name (``speaker`` the label given vs. ``speaker`` the IRI returned).
Inside the query, test "not given" with ``COALESCE(STR(?param_x), "") = ""``: pyoxigraph replaces a
substituted variable in expressions but ``BOUND(?param_x)`` stays false.

Patterns that only a given parameter needs are commented out between the lines ``# if NAME`` and
``# end``, at the top level of the ``WHERE`` clause; :func:`compose` uncomments them when the
parameter is given. So the file as it is runs without parameters (also in any SPARQL editor), and an
absent parameter costs nothing, where a filter testing for it would be evaluated on every row::

    # if place
    # GRAPH kgg:entities { ?placeMatch (rdfs:label|skos:altLabel|owl:sameAs)? ?placeName }
    # FILTER(LCASE(STR(?placeName)) = LCASE(STR(?param_place)))
    # ?event kg:location ?placeMatch .
    # end

At the top level, because an endpoint gets the values in a ``VALUES`` block there.

Queries run over the union of all named graphs (one graph per article). Facts about entities are
read from the entities graph (``GRAPH kgg:entities``), where each is stated once: in the union a
label shared by a thousand articles comes back a thousand times.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from itertools import islice
from pathlib import Path
from typing import Protocol, TypeAlias

from pyoxigraph import (
    BlankNode,
    Literal,
    NamedNode,
    QueryBoolean,
    QuerySolutions,
    Store,
    Triple,
    Variable,
)

from kg.errors import InputError, QueryError, one_line
from kg.query.lists import Cell, join_lists
from kg.rdf.graphs import unindexed_store
from kg.resources import QUERIES_DIR

__all__ = [
    "PARAM_PREFIX",
    "Param",
    "ResultRows",
    "ResultTable",
    "SavedQuery",
    "Term",
    "TermRows",
    "bind_value",
    "compose",
    "list_queries",
    "load_query",
    "parse_query_file",
    "parse_query_text",
    "run_query",
    "stream_query",
    "stream_terms",
]

PARAM_PREFIX = "param_"

KG_NS = "https://w3id.org/kg-news/ns#"
WIKIDATA_ENTITY = "http://www.wikidata.org/entity/"
XSD_DATE = NamedNode("http://www.w3.org/2001/XMLSchema#date")

_IF_LINE = re.compile(r"#\s*if\s+([A-Za-z_][A-Za-z0-9_]*)\s*")
_END_LINE = re.compile(r"#\s*end\s*")
_HEADER_LINE = re.compile(r"#\s*(title|description|param|list)\s*:\s*(.*)")
_PARAM_SPEC = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\s*(?:[—–:]|-(?=\s))?\s*(.*)")
_SAVED_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
_QID = re.compile(r"(?:wd:)?(Q[1-9][0-9]*)")
_KG_TERM = re.compile(r"kg:([A-Za-z_][A-Za-z0-9_-]*)")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_IRI_SCHEMES = ("http://", "https://", "urn:")

BoundTerm: TypeAlias = NamedNode | Literal
Term: TypeAlias = NamedNode | BlankNode | Literal


@dataclass(frozen=True)
class Param:
    """A parameter of a saved query, as declared by a ``# param: NAME — meaning`` line."""

    name: str
    description: str


@dataclass(frozen=True)
class SavedQuery:
    """A parsed ``.rq`` file: its name (file stem), header fields, parameters and full text."""

    name: str
    title: str
    description: str
    params: tuple[Param, ...]
    text: str
    path: Path
    blocks: tuple[tuple[int, int, str], ...] = ()
    """``# if NAME`` … ``# end`` blocks as (first line, last line, NAME), 0-based, markers excluded."""
    lists: tuple[tuple[str, ...], ...] = ()
    """Groups of list columns, one ``# list: COLUMN…`` line each (see :mod:`kg.query.lists`)."""
    form: str = "SELECT"
    """``SELECT``, ``ASK``, ``CONSTRUCT`` or ``DESCRIBE`` (only ``SELECT`` for saved queries)."""


@dataclass(frozen=True)
class ResultTable:
    """Rows of a ``SELECT``: IRIs as IRI strings, literals as lexical forms, unbound as ``None``."""

    columns: tuple[str, ...]
    rows: list[tuple[str | None, ...]]


@cache
def _empty_store() -> Store:
    return Store()


# comments, PREFIX and BASE declarations, then the first keyword of an update operation
_PROLOGUE = re.compile(r"\A(?:\s+|#[^\n]*|(?:PREFIX\s+[^\s:]*:\s*|BASE\s+)<[^>]*>)*", re.IGNORECASE)
_DESCRIBE = re.compile(r"DESCRIBE\b", re.IGNORECASE)
_UPDATE = re.compile(r"(?:INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)\b", re.IGNORECASE)


def parse_query_file(path: Path) -> SavedQuery:
    """Read a ``.rq`` file, parse its header comments and check that it is a valid SPARQL ``SELECT``.

    Every ``# param: NAME`` must be projected as ``?param_NAME``. Raises :class:`QueryError` naming
    the file when it cannot be read, does not parse, or declares a parameter it does not select.

    >>> q = parse_query_file(QUERIES_DIR / "events.rq")
    >>> q.name, [p.name for p in q.params]
    ('events', ['place', 'actor', 'class'])
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise QueryError(f"cannot read query file {path}: {one_line(error)}") from error
    return parse_query_text(text, path)


def parse_query_text(text: str, path: Path, *, where: str | None = None, select_only: bool = True) -> SavedQuery:
    """:func:`parse_query_file` of ``text``; ``where`` names it in messages (default: the file),
    and unless ``select_only`` an ``ASK``, ``CONSTRUCT`` or ``DESCRIBE`` query is accepted too.

    >>> parse_query_text("ASK { ?s ?p ?o }", Path("inline"), where="the query", select_only=False).form
    'ASK'
    """
    where = where or f"query file {path}"
    title = ""
    description = ""
    params: list[Param] = []
    lists: list[tuple[str, ...]] = []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if not stripped.startswith("#"):
            break
        header = _HEADER_LINE.fullmatch(stripped)
        if header is None:
            continue
        key, value = header.group(1), header.group(2).strip()
        if key == "title":
            title = value
        elif key == "description":
            description = value
        elif key == "list":
            lists.append(tuple(value.split()))
        else:
            spec = _PARAM_SPEC.fullmatch(value)
            if spec is None:
                raise QueryError(f"{where}: bad parameter line '{stripped}' - write '# param: NAME — meaning'")
            if any(p.name == spec.group(1) for p in params):
                raise QueryError(f"{where}: parameter '{spec.group(1)}' is declared twice")
            params.append(Param(spec.group(1), spec.group(2).strip()))
    blocks = _blocks(where, text, {param.name for param in params})
    try:
        result = _empty_store().query(text)
        if blocks:
            _empty_store().query(_uncommented(text, blocks, {name for _, _, name in blocks}))
    except (SyntaxError, ValueError, OSError, RuntimeError) as error:
        if _UPDATE.match(_PROLOGUE.sub("", text)):
            raise QueryError(
                f"{where} is a SPARQL update - kg query is read-only (SELECT, ASK, CONSTRUCT, DESCRIBE); "
                "to change a store on purpose, send the update to its update URL yourself, e.g. "
                f"curl --data-urlencode update@{path if path.is_file() else 'FILE.ru'} http://127.0.0.1:7878/update "
                "(a 'kg serve --read-write')"
            ) from None
        raise QueryError(f"{where} is not valid SPARQL: {one_line(error)}") from error
    form = "SELECT" if isinstance(result, QuerySolutions) else "ASK" if isinstance(result, QueryBoolean) else (
        "DESCRIBE" if _DESCRIBE.match(_PROLOGUE.sub("", text)) else "CONSTRUCT")
    if form != "SELECT" and select_only:
        raise QueryError(f"{where} is not a SELECT query - only SELECT queries can be saved")
    selected = {variable.value for variable in result.variables} if isinstance(result, QuerySolutions) else set()
    for param in params:
        if PARAM_PREFIX + param.name not in selected:
            raise QueryError(f"{where} declares parameter '{param.name}' but does not select ?{PARAM_PREFIX}{param.name}")
    for column in (column for group in lists for column in group):
        if column not in selected:
            raise QueryError(f"{where} declares list column '{column}' but does not select ?{column}")
    return SavedQuery(name=path.stem, title=title or path.stem, description=description, params=tuple(params),
                      text=text, path=path, blocks=blocks, lists=tuple(lists), form=form)


def _blocks(place: str, text: str, declared: set[str]) -> tuple[tuple[int, int, str], ...]:
    found: list[tuple[int, int, str]] = []
    start: tuple[int, str] | None = None
    for number, line in enumerate(text.splitlines()):
        stripped = line.strip()
        opening = _IF_LINE.fullmatch(stripped)
        where = f"{place}, line {number + 1}"
        if opening is not None:
            if start is not None:
                raise QueryError(f"{where}: '# if' inside '# if' - close the first with '# end'")
            if opening.group(1) not in declared:
                raise QueryError(f"{where}: '# if {opening.group(1)}' names no declared parameter - add "
                                 f"'# param: {opening.group(1)} — meaning'")
            start = (number, opening.group(1))
        elif _END_LINE.fullmatch(stripped):
            if start is None:
                raise QueryError(f"{where}: '# end' without '# if NAME'")
            found.append((start[0] + 1, number - 1, start[1]))
            start = None
        elif start is not None and stripped and not stripped.startswith("#"):
            raise QueryError(f"{where}: a line of a '# if {start[1]}' block is not commented out - start it "
                             "with '#', so that the file runs as it is without the parameter")
    if start is not None:
        raise QueryError(f"{place}, line {start[0] + 1}: '# if {start[1]}' is never closed - add '# end'")
    return tuple(found)


def _uncommented(text: str, blocks: tuple[tuple[int, int, str], ...], given: set[str]) -> str:
    lines = text.splitlines()
    for first, last, name in blocks:
        if name in given:
            # the '#' becomes a space, so that error positions still match the file
            lines[first : last + 1] = [line.replace("#", " ", 1) for line in lines[first : last + 1]]
    return "\n".join(lines) + "\n"


def compose(query: SavedQuery, given: Iterable[str]) -> str:
    """The text of ``query`` to run when the parameters ``given`` have values: their ``# if NAME``
    blocks uncommented.

    >>> q = load_query("events")
    >>> "?event kg:location ?placeMatch" in compose(q, ["place"]).replace("# ?event", "")
    True
    >>> "?event kg:location ?placeMatch" in compose(q, []).replace("# ?event", "")
    False
    """
    given = set(given)
    return _uncommented(query.text, query.blocks, given) if given & {name for _, _, name in query.blocks} else query.text


def list_queries(directory: Path | None = None) -> list[SavedQuery]:
    """All saved queries of ``directory`` (default: the packaged ``queries/``), sorted by name.

    >>> [q.name for q in list_queries()][:2]
    ['acled', 'articles']
    """
    folder = QUERIES_DIR if directory is None else directory
    if not folder.is_dir():
        raise QueryError(f"query directory {folder} does not exist")
    return sorted((parse_query_file(path) for path in folder.glob("*.rq")), key=lambda query: query.name)


def load_query(name_or_path: str) -> SavedQuery:
    """A saved query by name (``events``) or a query file by path (``my.rq``, ``./q.sparql``).

    A value ending in ``.rq`` or naming an existing file is read as a file; anything else is a
    saved query name.

    >>> load_query("events").title
    'Operations and attacks'
    """
    candidate = Path(name_or_path)
    if name_or_path.endswith(".rq") or candidate.is_file():
        if not candidate.is_file():
            raise QueryError(f"query file '{name_or_path}' not found")
        return parse_query_file(candidate)
    path = QUERIES_DIR / f"{name_or_path}.rq"
    if _SAVED_NAME.fullmatch(name_or_path) is None or not path.is_file():
        raise QueryError(f"unknown saved query '{name_or_path}' - run 'kg queries' to list them")
    return parse_query_file(path)


def parse_params(params: Iterable[str]) -> dict[str, str]:
    """Query parameters given as ``NAME=VALUE`` (``--param``), by name.

    Raises:
        InputError: one is not NAME=VALUE.

    >>> parse_params(["place=Kirkuk"])
    {'place': 'Kirkuk'}
    """
    out: dict[str, str] = {}
    for item in params:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise InputError(f"--param {item!r}: write it as NAME=VALUE, e.g. --param place=Kirkuk")
        out[name.strip()] = value
    return out


def bind_value(value: str) -> BoundTerm:
    """The RDF term a parameter value on the command line stands for.

    - ``<iri>``, or a value starting with ``http://``, ``https://`` or ``urn:`` → that IRI;
    - a Wikidata id ``Q123`` or ``wd:Q123`` → ``http://www.wikidata.org/entity/Q123``;
    - ``kg:Name`` → ``https://w3id.org/kg-news/ns#Name``;
    - ``YYYY-MM-DD`` → an ``xsd:date`` literal (it must be a real calendar date);
    - anything else → a plain string literal.

    >>> bind_value("Q794")
    <NamedNode value=http://www.wikidata.org/entity/Q794>
    >>> bind_value("2025-01-16").datatype.value
    'http://www.w3.org/2001/XMLSchema#date'
    >>> bind_value("Diyala").value
    'Diyala'
    """
    iri: str | None = None
    if value.startswith("<") and value.endswith(">") and len(value) > 2:
        iri = value[1:-1]
    elif value.startswith(_IRI_SCHEMES):
        iri = value
    elif (qid := _QID.fullmatch(value)) is not None:
        iri = WIKIDATA_ENTITY + qid.group(1)
    elif (term := _KG_TERM.fullmatch(value)) is not None:
        iri = KG_NS + term.group(1)
    if iri is not None:
        try:
            return NamedNode(iri)
        except ValueError as error:
            raise QueryError(f"'{value}' is not a valid IRI: {one_line(error)}") from error
    if _DATE.fullmatch(value):
        try:
            datetime.date.fromisoformat(value)
        except ValueError as error:
            raise QueryError(f"'{value}' is not a valid date - use YYYY-MM-DD") from error
        return Literal(value, datatype=XSD_DATE)
    return Literal(value)


def _term_text(term: object) -> str | None:
    if term is None:
        return None
    if isinstance(term, (NamedNode, Literal)):
        return term.value
    if isinstance(term, BlankNode):
        return f"_:{term.value}"
    return str(term)


class Selectable(Protocol):
    """Anything that runs a SELECT with bound values: the targets of :mod:`kg.store.base`."""

    def stream(self, text: str, bindings: Mapping[str, NamedNode | BlankNode | Literal]
               ) -> tuple[list[str], Iterator[tuple[NamedNode | BlankNode | Literal | None, ...]]]:
        """(variables, rows read as they are consumed) of a SELECT over the union of all graphs."""


@dataclass(frozen=True)
class ResultRows:
    """The answer of a ``SELECT`` as it is read: its columns, and its rows once, as they come."""

    columns: tuple[str, ...]
    rows: Iterator[tuple[str | None, ...]]
    lists: tuple[str, ...] = ()
    """The list columns, their items joined with ``; `` (see :mod:`kg.query.lists`)."""


@dataclass(frozen=True)
class TermRows:
    """:class:`ResultRows` with the RDF terms themselves (datatypes kept), for typed output."""

    columns: tuple[str, ...]
    rows: Iterator[tuple[Cell, ...]]
    lists: tuple[str, ...] = ()


def run_query(query: SavedQuery, store: Store | Selectable, params: Mapping[str, str | Literal] | None = None) -> ResultTable:
    """Run a saved query over the union of all graphs of ``store``, binding the given parameters.

    ``store`` is an in-memory pyoxigraph store (files given with ``--data``) or a kg target (the
    embedded store or an endpoint, see :mod:`kg.store.base`) that binds the values itself.

    Raises :class:`QueryError` for a parameter the query does not declare, a value that cannot be
    bound, or an evaluation error.

    >>> table = run_query(load_query("events"), Store(), {"place": "Diyala"})
    >>> table.columns[:3], table.rows
    (('event', 'class', 'label'), [])
    """
    result = stream_query(query, store, params)
    return ResultTable(result.columns, list(result.rows))


def stream_query(query: SavedQuery, store: Store | Selectable, params: Mapping[str, str | Literal] | None = None,
                 limit: int | None = None, *, per_role: bool = False) -> ResultRows:
    """:func:`run_query`, the rows read one at a time as the caller consumes them (at most ``limit``).

    >>> rows = stream_query(load_query("articles"), Store(), limit=10).rows
    >>> list(rows)
    []
    """
    result = stream_terms(query, store, params, limit, per_role=per_role)
    return ResultRows(result.columns, (tuple(_cell_text(cell) for cell in row) for row in result.rows), result.lists)


def _cell_text(cell: Cell) -> str | None:
    return ("; ".join(cell) if cell else None) if isinstance(cell, tuple) else _term_text(cell)


def stream_terms(query: SavedQuery, store: Store | Selectable, params: Mapping[str, str | Literal] | None = None,
                 limit: int | None = None, *, per_role: bool = False) -> TermRows:
    """:func:`stream_query` with RDF terms for values, so that a number stays a number, and the list
    columns as tuples; ``per_role`` keeps the query's own rows, one per combination of list values.

    >>> stream_terms(load_query("articles"), Store()).columns[:2]
    ('article', 'id')
    """
    given = dict(params or {})
    known = [param.name for param in query.params]
    substitutions: dict[Variable, NamedNode | BlankNode | Literal | Triple] = {}
    for name, value in given.items():
        if name not in known:
            choices = ", ".join(known) if known else "none"
            raise QueryError(f"query '{query.name}' has no parameter '{name}' - its parameters: {choices}")
        try:
            # a value given as a Literal is bound as it is: an article id such as "Q5" or "2024-01-02" is a
            # string there, where bind_value would read a Wikidata item or a date
            substitutions[Variable(PARAM_PREFIX + name)] = value if isinstance(value, Literal) else bind_value(value)
        except QueryError as error:
            raise QueryError(f"query '{query.name}', parameter '{name}': {error}") from error
    hidden = {PARAM_PREFIX + name for name in known}
    text = compose(query, given)
    solutions: Iterable[tuple[NamedNode | BlankNode | Literal | Triple | None, ...]] | QuerySolutions
    try:
        if isinstance(store, Store):
            if unindexed_store(store):
                raise QueryError("the store has no entities graph, where queries read shared facts - build it "
                                 "with kg.index_store(store) after loading kg's files")
            answer = store.query(text, use_default_graph_as_union=True, substitutions=substitutions)
            if not isinstance(answer, QuerySolutions):
                raise QueryError(f"query '{query.name}' is not a SELECT query")
            variables = [variable.value for variable in answer.variables]
            solutions = answer
        else:
            variables, solutions = store.stream(text, {k.value: v for k, v in substitutions.items()
                                                       if not isinstance(v, Triple)})
    except (SyntaxError, ValueError, OSError, RuntimeError) as error:
        raise QueryError(f"query '{query.name}' failed: {one_line(error)}") from error
    keep = [index for index, variable in enumerate(variables) if variable not in hidden]

    columns = tuple(variables[index] for index in keep)
    joined = query.lists if not per_role else ()

    def rows() -> Iterator[tuple[Cell, ...]]:
        try:
            read: Iterator[tuple[Cell, ...]] = (tuple(_plain(solution[index]) for index in keep)
                                                for solution in solutions)
            yield from islice(join_lists(columns, read, joined) if joined else read, limit)
        except (ValueError, OSError, RuntimeError) as error:  # pyoxigraph evaluates as rows are read
            raise QueryError(f"query '{query.name}' failed: {one_line(error)}") from error

    return TermRows(columns, rows(), tuple(column for group in joined for column in group))


def _plain(term: object) -> Term | None:
    if term is None or isinstance(term, (NamedNode, BlankNode, Literal)):
        return term
    return Literal(str(term))  # an RDF-star triple: shown as its text
