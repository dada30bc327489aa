"""RDF files: streamed, atomic, deterministic writing; parsing files into an in-memory store.

Serialising and parsing go through pyoxigraph (orders of magnitude faster than rdflib's writers), which
takes the quads of :func:`kg.rdf.mapping.to_quads` as they are. Output is deterministic: triples are
sorted within each article and prefixes are fixed, so the same input gives byte-identical files.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from types import TracebackType
from typing import IO

import pyoxigraph as ox
from rdflib import Graph

from kg.errors import DataError, OutputError
from kg.rdf.namespaces import PREFIXES
from kg.rdf.terms import graph_quads

FORMATS: dict[str, ox.RdfFormat] = {
    "turtle": ox.RdfFormat.TURTLE,
    "trig": ox.RdfFormat.TRIG,
    "nquads": ox.RdfFormat.N_QUADS,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
}
SUFFIX_FORMATS = {".ttl": "turtle", ".trig": "trig", ".nq": "nquads", ".nt": "ntriples", ".jsonld": "jsonld",
                  ".json": "jsonld"}
DATASET_FORMATS = frozenset({"trig", "nquads", "jsonld"})


def format_for(path: str | Path | None, given: str | None) -> str:
    """The output format: the one given, else the file suffix's, else (stdout, no suffix) Turtle.

    Raises:
        OutputError: the format name is unknown, or the file's suffix is not one of an RDF syntax kg writes.

    >>> format_for("out.nq", None), format_for("out", None), format_for("-", None)
    ('nquads', 'turtle', 'turtle')
    """
    if given:
        if given not in FORMATS:
            raise OutputError(f"unknown format '{given}' - use one of: {', '.join(FORMATS)}")
        return given
    suffix = Path(path).suffix.lower() if path is not None and str(path) != "-" else ""
    if suffix and suffix not in SUFFIX_FORMATS:
        # RDF/XML (.rdf, .owl) cannot hold one named graph per article, which is how kg writes articles
        raise OutputError(f"{path}: kg does not write {suffix} files - name the output "
                          f"{' '.join(SUFFIX_FORMATS)}, or give --format ({', '.join(FORMATS)})")
    return SUFFIX_FORMATS.get(suffix, "turtle")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


class RdfWriter:
    """Streams article graphs (quads, or rdflib graphs) into one RDF file (or stdout) in the chosen format.

    A file is written to a temporary name beside it and renamed on success; if anything fails the
    temporary file is removed, so no half-written output is ever left behind.

    >>> import io
    >>> out = io.BytesIO()
    >>> g = ox.NamedNode("urn:g")
    >>> with RdfWriter(out, "nquads") as writer:
    ...     writer.write([ox.Quad(ox.NamedNode("urn:s"), ox.NamedNode("urn:p"), ox.Literal("o"), g)])
    1
    >>> print(out.getvalue().decode(), end="")
    <urn:s> <urn:p> "o" <urn:g> .

    Raises:
        OutputError: the target is a directory, or its directory cannot be written.
    """

    def __init__(self, target: str | Path | IO[bytes] | None, fmt: str = "turtle") -> None:
        self.fmt = fmt
        self.format = FORMATS[fmt]
        self._target = target
        self._tmp: Path | None = None
        self._stream: IO[bytes] | None = None
        self._first = True
        self.triples = 0

    def __enter__(self) -> RdfWriter:
        target = self._target
        if target is None or str(target) == "-":
            self._stream = sys.stdout.buffer
        elif isinstance(target, (str, Path)):
            path = Path(target)
            if path.is_dir():
                raise OutputError(directory_message(path))
            try:
                fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent or ".")
            except OSError as exc:
                raise OutputError(f"{path}: cannot write ({exc.strerror}) - check the directory exists") from None
            self._tmp = Path(name)
            os.chmod(fd, 0o666 & ~_umask())  # mkstemp makes 0600 files; the output is an ordinary file
            self._stream = os.fdopen(fd, "wb")
        else:
            self._stream = target
        try:
            self._header()
        except BaseException as exc:
            self.__exit__(type(exc), exc, exc.__traceback__)
            raise
        return self

    def _header(self) -> None:
        assert self._stream is not None
        if self.fmt in {"turtle", "trig"}:
            self._stream.write("".join(f"@prefix {p}: <{iri}> .\n" for p, iri in sorted(PREFIXES.items())).encode())
        elif self.fmt == "jsonld":
            self._stream.write(b"[")

    def write(self, graph: Sequence[ox.Quad] | Graph) -> int:
        """Append one article graph; returns the number of triples written.

        Quads are written in the order given (:func:`kg.rdf.mapping.to_quads` sorts them); an rdflib
        graph is converted and sorted first.
        """
        assert self._stream is not None
        quads = graph_quads(graph) if isinstance(graph, Graph) else graph
        data: Iterable[ox.Quad] | Iterable[ox.Triple] = quads if self.fmt in DATASET_FORMATS else [
            q.triple for q in quads]
        chunk = ox.serialize(data, format=self.format, prefixes=PREFIXES) or b""
        if self.fmt in {"turtle", "trig"}:
            chunk = b"\n" + b"".join(line for line in chunk.splitlines(keepends=True)
                                     if not line.startswith(b"@prefix "))
        elif self.fmt == "jsonld":
            chunk = (b"" if self._first else b",\n") + chunk.strip()[1:-1]
        self._stream.write(chunk)
        if self._tmp is None:
            self._stream.flush()  # a pipe ('kg extract … | kg load -') gets each article as it is done
        self._first = False
        self.triples += len(quads)
        return len(quads)

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        assert self._stream is not None
        if self._tmp is None:
            if self.fmt == "jsonld":
                self._stream.write(b"]\n")
            self._stream.flush()
            return
        done = False
        try:
            if exc_type is None:
                if self.fmt == "jsonld":
                    self._stream.write(b"]\n")
                self._stream.close()
                self._replace()
                done = True
        finally:
            if not done:
                self._stream.close()
                self._tmp.unlink(missing_ok=True)

    def _replace(self) -> None:
        assert self._tmp is not None
        target = Path(self._target)  # type: ignore[arg-type]
        try:
            os.replace(self._tmp, target)
        except OSError as exc:
            if target.is_dir():
                raise OutputError(directory_message(target)) from None
            raise OutputError(f"{target}: cannot write ({exc.strerror}) - check the path") from None


def directory_message(path: Path) -> str:
    """The error for an output path that is a directory: name a file in it instead.

    >>> directory_message(Path("graphs"))
    'graphs is a directory - give a file name, e.g. -o graphs/out.ttl'
    """
    return f"{path} is a directory - give a file name, e.g. -o {path / 'out.ttl'}"


PARSE_FORMATS = {".ttl": ox.RdfFormat.TURTLE, ".trig": ox.RdfFormat.TRIG, ".nq": ox.RdfFormat.N_QUADS,
                 ".nt": ox.RdfFormat.N_TRIPLES, ".jsonld": ox.RdfFormat.JSON_LD, ".json": ox.RdfFormat.JSON_LD,
                 ".rdf": ox.RdfFormat.RDF_XML, ".owl": ox.RdfFormat.RDF_XML}


def parse_format(path: Path) -> ox.RdfFormat:
    """The RDF syntax of a data file, from its suffix.

    Raises:
        DataError: the suffix is not a known RDF syntax.
    """
    fmt = PARSE_FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise DataError(f"{path}: unknown RDF file type - use .ttl, .trig, .nq, .nt or .jsonld")
    return fmt


def memory_store(paths: Iterable[str | Path]) -> ox.Store:
    """An in-memory pyoxigraph store holding the given RDF files (Turtle/N-Triples in the default graph).

    Raises:
        DataError: a file is missing or does not parse (the message names the file and the line).
    """
    store = ox.Store()
    for item in paths:
        path = Path(item)
        if not path.is_file():
            raise DataError(f"{path}: no such file - check the path given to --data")
        try:
            store.bulk_load(path=str(path), format=parse_format(path))
        except SyntaxError as exc:
            raise DataError(f"{path}: not valid RDF ({exc}) - is it really {path.suffix} data?") from None
    return store


def iter_quads(paths: Iterable[str | Path]) -> Iterator[ox.Quad]:
    """Stream the quads of RDF files one by one (for validation and loading)."""
    for item in paths:
        path = Path(item)
        try:
            yield from ox.parse(path=str(path), format=parse_format(path))
        except SyntaxError as exc:
            raise DataError(f"{path}: not valid RDF ({exc}) - is it really {path.suffix} data?") from None
        except FileNotFoundError:
            raise DataError(f"{path}: no such file - check the path") from None


def parse_stream(stream: IO[bytes], name: str, fmt: str) -> Iterator[ox.Quad]:
    """Stream the quads of RDF read from ``stream`` (stdin: ``name`` says so in errors) in format ``fmt``.

    Raises:
        DataError: the data does not parse (the message names the line).
    """
    try:
        yield from ox.parse(stream, format=FORMATS[fmt])
    except SyntaxError as exc:
        raise DataError(f"{name}: not valid {fmt} ({exc}) - is it really {fmt} data?") from None
