"""What ``kg query`` runs and prints: a saved query, a file, inline text or stdin, of any query form.

Which one a QUERY argument is, in this order:

1. ``-``: the query text is read from stdin;
2. a path ending in ``.rq`` or ``.sparql``, or naming an existing file: the file;
3. a saved query name (letters, digits, ``-``, ``_``, ``.``; see ``kg queries``);
4. anything else (it has a space, a ``{``, a ``?``…): the query text itself.

Query text from stdin or the command line may use kg's prefixes (``kg:``, ``kgg:``, ``rdfs:``, ``wd:``,
``geo:``…) without declaring them: a line declaring them is put before it.

``SELECT`` answers are rows (:mod:`kg.query.formats`); ``ASK`` prints ``true`` or ``false`` (exit
0 either way: the answer is data, not a failure); ``CONSTRUCT`` and ``DESCRIBE`` write RDF, its
triples sorted so that the same store gives the same bytes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TextIO

from pyoxigraph import QueryBoolean, QuerySolutions, RdfFormat, Store, Triple, Variable, serialize

from kg.errors import QueryError, one_line
from kg.query.formats import FORMATS, format_result, select_columns
from kg.query.saved import (
    PARAM_PREFIX,
    SavedQuery,
    Selectable,
    bind_value,
    compose,
    list_queries,
    parse_query_text,
    stream_terms,
)
from kg.rdf.graphs import ENTITIES_GRAPH
from kg.rdf.namespaces import PREFIXES
from kg.resources import QUERIES_DIR

__all__ = ["RDF_FORMATS", "columns", "describe", "print_answer", "read_query"]

RDF_FORMATS: dict[str, RdfFormat] = {"turtle": RdfFormat.TURTLE, "nt": RdfFormat.N_TRIPLES,
                                     "nquads": RdfFormat.N_QUADS, "jsonld": RdfFormat.JSON_LD}

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
# one line, so that an error's line number is one more than in the text given
_DECLARED = " ".join(f"PREFIX {name}: <{iri}>" for name, iri in {**PREFIXES, "kgg": ENTITIES_GRAPH.removesuffix("entities")}.items()) + "\n"


def read_query(argument: str, stdin: TextIO | None = None) -> SavedQuery:
    """The query a ``kg query`` argument stands for (see the module's rule).

    Raises:
        QueryError: an unknown name (the message lists the saved queries), a missing file, or text
            that is not SPARQL.

    >>> read_query("events").name
    'events'
    >>> read_query("ASK { ?s ?p ?o }").form
    'ASK'
    """
    if argument == "-":
        text = _DECLARED + (stdin.read() if stdin is not None else "")
        return parse_query_text(text, Path("stdin"), where="the query on stdin", select_only=False)
    if argument.endswith((".rq", ".sparql")) or Path(argument).is_file():
        path = Path(argument)
        if not path.is_file():
            raise QueryError(f"query file '{argument}' not found")
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise QueryError(f"cannot read query file {path}: {' '.join(str(error).split())}") from error
        return parse_query_text(text, path, select_only=False)
    if _NAME.fullmatch(argument):
        path = QUERIES_DIR / f"{argument}.rq"
        if path.is_file():
            return parse_query_text(path.read_text(encoding="utf-8"), path)
        names = ", ".join(query.name for query in list_queries())
        raise QueryError(f"unknown saved query '{argument}' - the saved queries are {names} (run 'kg queries' "
                         "for what each does); a file must exist, and query text must be a whole SPARQL query")
    return parse_query_text(_DECLARED + argument, Path("query"), where="the query text", select_only=False)


def print_answer(query: SavedQuery, source: Store | Selectable, params: Mapping[str, str], *, fmt: str | None,
                 limit: int | None = None, columns: Sequence[str] = (), terminal: bool = False,
                 per_role: bool = False) -> Iterator[str]:
    """The lines ``kg query`` prints for ``query`` over ``source``, in ``fmt`` (default: ``table``,
    or ``turtle`` for RDF); ``per_role`` keeps one row per combination of list values.

    ``ASK``, ``CONSTRUCT`` and ``DESCRIBE`` run on a pyoxigraph store (files given with ``--data``, the
    embedded target's ``store``) or are sent to an endpoint target (its ``graph_query``).

    Raises:
        QueryError: a format that does not fit the query's form, an unknown column, or a failure.

    >>> "\\n".join(print_answer(read_query("ASK { ?s ?p ?o }"), Store(), {}, fmt="json"))
    'false'
    """
    if query.form == "SELECT":
        if fmt in RDF_FORMATS:
            raise QueryError(f"--format {fmt} writes RDF, for CONSTRUCT and DESCRIBE queries; {query.name} is a "
                             f"SELECT query - use one of {', '.join(FORMATS)}")
        if per_role and not query.lists:
            raise QueryError(f"--per-role: query '{query.name}' has no list columns, so its rows are one per "
                             "combination already - drop --per-role")
        result = stream_terms(query, source, params, limit, per_role=per_role)
        if columns:
            result = select_columns(result, columns, f"query '{query.name}'")
        yield from format_result(result, fmt or "table", terminal=terminal)
        return
    if columns:
        raise QueryError(f"--columns picks columns of a SELECT answer, not of {query.form} - "
                         "drop --columns")
    # files given with --data are a pyoxigraph store; the embedded target holds one as .store
    store = source if isinstance(source, Store) else getattr(source, "store", None)
    bound = {PARAM_PREFIX + k: bind_value(v) for k, v in params.items()}
    answer: bool | list[Triple]
    try:
        if isinstance(store, Store):
            reply = store.query(compose(query, params), use_default_graph_as_union=True,
                                substitutions={Variable(k): v for k, v in bound.items()})
            assert not isinstance(reply, QuerySolutions)
            answer = bool(reply) if isinstance(reply, QueryBoolean) else list(reply)
        else:  # an endpoint target answers them itself
            answer = source.graph_query(compose(query, params), bound, query.form)  # type: ignore[union-attr]
    except (SyntaxError, ValueError, OSError, RuntimeError) as error:
        raise QueryError(f"query '{query.name}' failed: {one_line(error)}") from error
    if isinstance(answer, bool):
        if fmt in RDF_FORMATS:
            raise QueryError(f"--format {fmt} writes RDF; an ASK query answers true or false - use table or json")
        yield "true" if answer else "false"
        return
    if fmt not in RDF_FORMATS and fmt not in (None, "table"):
        raise QueryError(f"{query.form} writes RDF - use --format {' | '.join(RDF_FORMATS)} (default turtle)")
    triples = sorted(set(answer), key=str)[:limit]
    data = serialize(triples, format=RDF_FORMATS[fmt or "turtle"] if fmt in RDF_FORMATS else RdfFormat.TURTLE,
                     prefixes=PREFIXES if fmt in (None, "table", "turtle") else None) or b""
    yield from data.decode("utf-8").splitlines()


def columns(query: SavedQuery) -> tuple[str, ...]:
    """The output columns of a ``SELECT`` query: its projection without the ``?param_*`` variables.

    >>> columns(read_query("articles"))
    ('article', 'id', 'title', 'date', 'url', 'source', 'mentions')
    """
    result = Store().query(query.text)
    if not isinstance(result, QuerySolutions):
        return ()
    return tuple(v.value for v in result.variables if not v.value.startswith(PARAM_PREFIX))


def describe(query: SavedQuery) -> Iterator[str]:
    """What ``kg queries NAME`` prints: comment lines (title, description, columns, parameters),
    then the text as it runs without parameters, so the whole output pastes into a SPARQL editor.

    >>> lines = list(describe(read_query("articles")))
    >>> lines[0], lines[2]
    ('# articles: Articles', '# columns: article id title date url source mentions')
    """
    yield f"# {query.name}: {query.title}"
    yield f"# {query.description}" if query.description else "#"
    yield f"# columns: {' '.join(columns(query))}"
    for group in query.lists:
        yield f"# list ('; '-joined, arrays in JSON; --per-role: one row each): {' '.join(group)}"
    for param in query.params:
        yield f"# --param {param.name}=VALUE  {param.description}"
    yield ""
    yield from query.text.rstrip("\n").splitlines()
