"""N-Quads read as text, one named graph at a time, without building a Python object per triple.

kg's N-Quads (``kg extract --format nquads``, a store dump) are written by pyoxigraph, one statement a
line in its canonical form, which is also the form :func:`kg.store.base.content_hash` hashes. A graph
whose lines are all canonical is hashed, split into shared facts and handed to the store's own loader
as the bytes read; any other line is parsed by pyoxigraph and written back in canonical form, so that
the same graph always gets the same hash whoever wrote the file. Loading kg's own files then costs
little more than pyoxigraph's ``bulk_load`` of them.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import select
import stat
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import IO

import pyoxigraph as ox

from kg.rdf.graphs import ENTITIES_GRAPH, owned_prefixes

__all__ = ["GraphLines", "read_nquads"]

_IRI = rb'<[A-Za-z][A-Za-z0-9+.\-]*:[^<>"{}|^`\\\x00-\x20]*>'  # absolute, as N-Quads wants
_BLANK = rb"_:[A-Za-z0-9_](?:[A-Za-z0-9_.\-]*[A-Za-z0-9_\-])?"
_CHARS = rb'[^"\\\x00-\x1f\x7f]*'
# pyoxigraph writes literals with these escapes only (\uXXXX for the other control characters),
# lower-case language tags, and no ^^xsd:string
_ESCAPE = rb'(?:\\[tbnrf"\\]|\\u00(?:0[0-7BEF]|1[0-9A-F]|7F))'
_LITERAL = (rb'"' + _CHARS + rb"(?:" + _ESCAPE + _CHARS + rb')*"(?:@[a-z]+(?:-[a-z0-9]+)*|\^\^'
            rb"(?!<http://www\.w3\.org/2001/XMLSchema#string>)" + _IRI + rb")?")
_STATEMENT = (rb"(?:" + _IRI + rb"|" + _BLANK + rb") " + _IRI + rb" (?:" + _IRI + rb"|" + _LITERAL + rb"|"
              + _BLANK + rb") " + _IRI + rb" \.\n")
_CANONICAL = re.compile(rb"(?:" + _STATEMENT + rb")*")
_LINE = re.compile(rb"(?:" + _IRI + rb"|" + _BLANK + rb") " + _IRI + rb" (?:" + _IRI + rb"|" + _LITERAL + rb"|"
                   + _BLANK + rb") (" + _IRI + rb") \.\n")
_TAIL = re.compile(rb"(<[^<>\s]*>)\s*\.\s*$")
_ENTITIES = f" <{ENTITIES_GRAPH}> .\n".encode()


@dataclass(frozen=True)
class GraphLines:
    """One named graph as canonical N-Quads lines (``s p o <graph> .`` each, as pyoxigraph writes them).

    >>> g = GraphLines.of("http://e/a", [ox.Quad(ox.NamedNode("http://e/a"), ox.NamedNode("http://p"),
    ...                                           ox.Literal("A"), ox.NamedNode("http://e/a"))])
    >>> len(g), g.statements()
    (1, [b'<http://e/a> <http://p> "A"'])
    """

    graph: str
    lines: list[bytes]

    @classmethod
    def of(cls, graph: str, quads: Sequence[ox.Quad]) -> GraphLines:
        """The lines of ``quads`` (all in ``graph``), in their order."""
        return cls(graph, (ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b"").splitlines(keepends=True))

    def __len__(self) -> int:
        return len(self.lines)

    def statements(self) -> list[bytes]:
        """Each line's triple: ``s p o``, without the graph and the final dot."""
        cut = len(self.graph.encode("utf-8")) + 6  # " <graph> .\n"
        return [line[:-cut] for line in self.lines]

    def content_hash(self) -> str:
        """The hash :func:`kg.store.base.content_hash` gives the graph's quads, from the text."""
        return hashlib.sha256(b"\n".join(sorted(self.statements()))).hexdigest()

    def shared(self) -> list[bytes]:
        """The triples (``s p o``) about nodes the graph does not own (see :func:`kg.rdf.graphs.owns`)."""
        own = tuple(prefix.encode() for prefix in owned_prefixes(self.graph))
        return [s for s in self.statements() if not s.startswith(own)]

    def shared_nquads(self) -> list[bytes]:
        """:meth:`shared` as N-Quads lines of the entities graph."""
        return [s + _ENTITIES for s in self.shared()]

    def nquads(self) -> bytes:
        """The graph as N-Quads text."""
        return b"".join(self.lines)

    def quads(self) -> list[ox.Quad]:
        """The graph's quads, parsed."""
        return list(ox.parse(input=self.nquads(), format=ox.RdfFormat.N_QUADS))


IDLE = None
"""What :func:`read_nquads` yields when a pipe has been quiet for :data:`QUIET` seconds (its writer is
busy): the moment to write what is pending instead of waiting. Not sooner: each write of the bulk
loader leaves files in the store, and thousands of tiny ones would slow it down."""
QUIET = 1.0


def read_nquads(stream: IO[bytes], name: str, on_problem: Callable[[str], None],
                outside: Callable[[], None]) -> Iterator[GraphLines | None]:
    """The named graphs of an N-Quads stream, one per run of lines in the same graph, in input order.

    A line that is not valid N-Quads is reported to ``on_problem`` as ``name:LINE``, and the graph
    around it left out (loading part of a graph would record a wrong content hash); a triple in the
    default graph or a blank-node graph calls ``outside``. Yields :data:`IDLE` when a pipe has been quiet
    a while, so that the caller can load what it holds before waiting for more. A graph is complete
    when the next one starts, or the input ends: the last one read waits for that.
    """
    current: bytes | None = None
    suffix = b"\0"
    lines: list[bytes] = []
    first = number = 0
    skipped: list[int] = []  # where in ``lines`` a line of another kind was met: to number lines in errors
    tainted = False
    doomed: set[bytes] = set()  # graphs named by bad lines met before them

    def finish() -> GraphLines | None:
        if current is None or not lines or tainted:
            return None
        graph = current[1:-1].decode("utf-8")
        if _CANONICAL.fullmatch(b"".join(lines)):
            return GraphLines(graph, lines)
        kept: list[bytes] = []
        bad: bool = tainted
        for i, line in enumerate(lines):
            if _LINE.fullmatch(line):
                kept.append(line)
                continue
            at = first + i + sum(1 for s in skipped if s <= i)
            key, canonical = _parse_line(line, f"{name}:{at}", on_problem)
            if key is _BAD:
                bad = True
            elif canonical is not None:
                kept.append(canonical)
            elif key is not None:
                outside()
        return None if bad or not kept else GraphLines(graph, kept)

    for line in _lines(stream):
        if line is None:
            yield IDLE
            continue
        number += 1
        if line.endswith(suffix):
            lines.append(line)
            continue
        if not line.endswith(b"\n"):
            line += b"\n"
        match = _LINE.fullmatch(line)
        if match is None:
            key, canonical = _parse_line(line, f"{name}:{number}", on_problem)
            if canonical is None:  # a comment or blank line, a bad line, a triple outside named graphs
                if key is _BAD:
                    blamed = _TAIL.search(line)
                    if blamed is not None and blamed.group(1) == current:
                        tainted = True
                    elif blamed is not None:
                        doomed.add(blamed.group(1))
                elif key is not None:
                    outside()
                skipped.append(len(lines))
                continue
            line = canonical
        else:
            key = match.group(1)
        assert key is not None
        if key == current:
            lines.append(line)
            continue
        done = finish()
        if done is not None:
            yield done
        current, suffix, lines, first, skipped = key, b" " + key + b" .\n", [line], number, []
        tainted = key in doomed
    done = finish()
    if done is not None:
        yield done


_BAD = b"bad"


def _parse_line(line: bytes, where: str, on_problem: Callable[[str], None]) -> tuple[bytes | None, bytes | None]:
    """(graph term, canonical line) of a line that is not in canonical form; (None, None) for a comment
    or a blank line, (b"", None) for a triple outside named graphs, (_BAD, None) for a bad line."""
    try:
        quads = list(ox.parse(input=line, format=ox.RdfFormat.N_QUADS))
    except SyntaxError as exc:
        reason = exc.msg.partition(": ")[2] or exc.msg
        on_problem(f"{where}: not valid N-Quads (column {exc.offset}: {reason}) - that article's graph was not "
                   "loaded; fix or remove the line and load again")
        return _BAD, None
    if not quads:
        return None, None
    quad = quads[0]
    if not isinstance(quad.graph_name, ox.NamedNode):
        return b"", None
    return str(quad.graph_name).encode(), ox.serialize(quads, format=ox.RdfFormat.N_QUADS)


def _lines(stream: IO[bytes]) -> Iterator[bytes | None]:
    """The lines of ``stream``; from a pipe, read as they come, with :data:`IDLE` whenever it has had
    nothing for :data:`QUIET` seconds (a file is always ready: read it by the buffer-full)."""
    try:
        fd = stream.fileno()
        pipe = not stat.S_ISREG(os.fstat(fd).st_mode)
    except (OSError, ValueError, AttributeError):  # io.BytesIO and the like have no descriptor
        pipe = False
    if not pipe:
        yield from stream
        return
    rest = b""
    while True:
        if not select.select([fd], [], [], QUIET)[0]:
            yield IDLE
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            break
        data = rest + chunk
        end = data.rfind(b"\n") + 1
        if end:
            yield from io.BytesIO(data[:end])
        rest = data[end:]
    if rest:
        yield rest
