"""Binding values into SPARQL text for endpoints: a ``VALUES`` block, never the value pasted into the query."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

import pyoxigraph as ox

from kg.errors import EndpointError

__all__ = ["values_block", "with_bindings"]

Term = ox.NamedNode | ox.BlankNode | ox.Literal


def values_block(names: Sequence[str], rows: Iterable[Sequence[Term]]) -> str:
    """A ``VALUES`` block binding ``names`` to each row of terms, written in their escaped N-Triples form.

    >>> values_block(["a", "n"], [(ox.NamedNode("http://e/x"), ox.Literal("1"))])
    'VALUES (?a ?n) { (<http://e/x> "1") }'
    """
    lines = " ".join(f"({' '.join(str(term) for term in row)})" for row in rows)
    return f"VALUES ({' '.join('?' + n for n in names)}) {{ {lines} }}"


def with_bindings(text: str, bindings: Mapping[str, Term]) -> str:
    """The query with a ``VALUES`` block binding the given variables, at the top of each WHERE clause
    that uses one of them.

    Terms are written in their escaped N-Triples form by pyoxigraph, so a value can never change the
    query's structure. Sub-selects get the block too, not only the outer WHERE: a sub-select is
    evaluated on its own, and the saved queries narrow their rows by a parameter inside one (the
    embedded store's substitutions replace the variable everywhere, to the same effect).

    >>> with_bindings("SELECT ?x WHERE { ?x ?p ?param_n }", {"param_n": ox.Literal('a" } DROP ALL #')})
    'SELECT ?x WHERE { VALUES (?param_n) { ("a\\\\" } DROP ALL #") } ?x ?p ?param_n }'
    """
    if not bindings:
        return text
    code = _code_only(text)
    inserts: list[tuple[int, str]] = []
    for start, end in _where_clauses(code):
        names = sorted(n for n in bindings if re.search(rf"[?$]{re.escape(n)}\b", code[start:end]))
        if names:
            inserts.append((start, " " + values_block(names, [[bindings[n] for n in names]])))
    if not inserts:
        raise EndpointError("query has no WHERE { ... } clause using the parameters to bind them into")
    for at, block in sorted(inserts, reverse=True):
        text = text[:at] + block + text[at:]
    return text


_TOKENS = re.compile("|".join([
    r'"""(?:[^"\\]|\\.|"(?!""))*"""', r"'''(?:[^'\\]|\\.|'(?!''))*'''",  # long strings
    r'"(?:[^"\\\n]|\\.)*"', r"'(?:[^'\\\n]|\\.)*'",  # strings
    r'<[^<>"{}|^`\\\x00-\x20]*>',  # IRIs, which may hold a '#'
    r"#[^\n]*",  # comments
]))


def _code_only(text: str) -> str:
    """``text`` with comments and the insides of strings and IRIs blanked, offsets kept."""
    def blank(match: re.Match[str]) -> str:
        token = match.group(0)
        if token.startswith("#"):
            return " " * len(token)
        if len(token) > 1:
            return token[0] + " " * (len(token) - 2) + token[-1]
        return token
    return _TOKENS.sub(blank, text)


def _where_clauses(code: str) -> list[tuple[int, int]]:
    """(just after the opening brace, the closing brace) of each ``WHERE {`` group in ``code``."""
    spans: list[tuple[int, int]] = []
    open_braces: list[tuple[int, bool]] = []
    for match in re.finditer(r"\bWHERE\s*\{|[{}]", code, re.IGNORECASE):
        token = match.group(0)
        if token == "}":
            if open_braces:
                start, is_where = open_braces.pop()
                if is_where:
                    spans.append((start, match.start()))
        else:
            open_braces.append((match.end(), token != "{"))
    return spans
