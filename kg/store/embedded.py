"""The embedded store: pyoxigraph on disk, kg's default target.

Many processes may read a store at once, or one may write it (:mod:`kg.store.locks`): a reader holds a
shared lock on it while it is open, and a writer opens it only when nobody holds it.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path

import pyoxigraph as ox

from kg.errors import DataError, QueryError, StoreError
from kg.rdf.files import memory_store
from kg.rdf.graphs import ENTITIES_GRAPH, INDEX_UPDATE, MANIFEST_GRAPH, index_store, unshare_update
from kg.rdf.nquads import GraphLines
from kg.store.base import (
    MANIFEST_QUERY,
    ManifestEntry,
    Row,
    Term,
    manifest_nquads,
    manifest_quads,
    ntriples,
    parse_manifest,
)
from kg.store.incidents import index_incidents
from kg.store.locks import StoreLock, check_unlocked, in_use_error, lock_shared

log = logging.getLogger("kg")

DEFAULT_STORE = "kg-store"
_NO_STORE_FIX = "run 'kg ingest' or 'kg load' first, or pass --store"
# RocksDB writes CURRENT when it creates a database; a directory without it holds no store.
_STORE_MARKER = "CURRENT"
_SERVICE = re.compile(r"\bSERVICE\s+(?:SILENT\s+)?<([^>]*)>", re.IGNORECASE)


# pyoxigraph's bulk loader writes each batch to bulk-<random u128>.sst in the store's directory, then
# has RocksDB take the file in (renamed to a numbered .sst); a process killed in between leaves it
_BULK_LEFTOVER = re.compile(r"bulk-[0-9]+\.sst")


def remove_bulk_leftovers(path: Path) -> list[str]:
    """Remove the files of a bulk load that was killed before RocksDB took them in; returns their names.

    Call it only while holding the store open for writing: no other process can be bulk-loading it then.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     for name in ("bulk-42.sst", "bulk-notes.sst", "000009.sst"):
    ...         _ = (Path(d) / name).write_bytes(b"")
    ...     remove_bulk_leftovers(Path(d)), sorted(p.name for p in Path(d).iterdir())
    (['bulk-42.sst'], ['000009.sst', 'bulk-notes.sst'])
    """
    removed = []
    for leftover in sorted(path.glob("bulk-*.sst")):
        if _BULK_LEFTOVER.fullmatch(leftover.name) and leftover.is_file():
            leftover.unlink(missing_ok=True)
            removed.append(leftover.name)
    if removed:
        log.info("%s: removed %d files left by an interrupted bulk load", path, len(removed))
    return removed


def store_path(given: str | Path | None) -> Path:
    """The embedded store's directory: ``--store``, else ``$KG_STORE``, else ``./kg-store``."""
    return Path(given or os.environ.get("KG_STORE") or DEFAULT_STORE)


def files_store(paths: Iterable[str | Path]) -> ox.Store:
    """An in-memory store of RDF files (``kg query --data``), with its entities and incidents graphs built.

    Raises:
        DataError: a file is missing or does not parse.
    """
    return index_incidents(index_store(memory_store(paths)))


class EmbeddedStore:
    """The default target: a pyoxigraph store on disk (no server needed).

    Opened to write (the default), it needs the store alone and creates it unless ``create`` is
    False. Opened ``read_only``, it shares the store with other readers (``kg serve``, ``kg query``),
    holds a shared lock on it until :meth:`close`, and refuses writes.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     EmbeddedStore(Path(d) / "s").close()
    ...     store = EmbeddedStore(Path(d) / "s", read_only=True)
    ...     store.manifest()
    ...     store.close()
    {}

    Raises:
        StoreError: no store at ``path`` (when it may not be created), or another process holds it
            (the message names the processes and what to do).
    """

    def __init__(self, path: Path, *, create: bool = True, read_only: bool = False) -> None:
        self.name = str(path)
        self.path = path
        self.read_only = read_only
        self._bulk_loaded = False
        self._lock: StoreLock | None = None
        if (read_only or not create) and not path.is_dir():
            raise StoreError(f"no store at {path} - {_NO_STORE_FIX}")
        if read_only:
            if not (path / _STORE_MARKER).is_file():
                raise StoreError(f"{path} is not a kg store (no Oxigraph database in it) - {_NO_STORE_FIX}")
            self._lock = lock_shared(path)
            try:
                self.store = ox.Store.read_only(str(path))
            except OSError as exc:
                self._lock_release()
                raise StoreError(f"cannot open store {path} ({exc}) - check the path and permissions") from None
            return
        check_unlocked(path)
        try:
            self.store = ox.Store(str(path))
        except OSError as exc:
            if "lock" in str(exc).lower():  # taken since the check: by a writer, or by a reader after all
                raise in_use_error(path, reading=False) from None
            raise StoreError(f"cannot open store {path} ({exc}) - check the path and permissions") from None
        remove_bulk_leftovers(path)

    def manifest(self) -> dict[str, ManifestEntry]:
        """Every loaded article graph, by graph IRI."""
        result = self.store.query(MANIFEST_QUERY)
        assert isinstance(result, ox.QuerySolutions)
        return parse_manifest(tuple(s[i] for i in range(5)) for s in result)

    def replace_graph(self, data: GraphLines, entry: ManifestEntry) -> None:
        """Replace a graph, its shared facts and its manifest entry in one transaction (pyoxigraph
        updates are atomic)."""
        self._check_writable()
        name = ox.NamedNode(data.graph)
        triples = b" . ".join(data.statements()).decode("utf-8")
        shared = b" . ".join(data.shared()).decode("utf-8")
        meta = ntriples(manifest_quads(entry), " ")
        self.store.update(
            f"{unshare_update(data.graph)} ; DROP SILENT GRAPH {name} ; "
            f"DELETE WHERE {{ GRAPH <{MANIFEST_GRAPH}> {{ {name} ?p ?o }} }} ; "
            f"INSERT DATA {{ GRAPH {name} {{ {triples} }} GRAPH <{ENTITIES_GRAPH}> {{ {shared} }} "
            f"GRAPH <{MANIFEST_GRAPH}> {{ {meta} }} }}"
        )

    def batch_limit(self, *, empty: bool) -> int:
        """Into an empty store, new graphs go through the bulk loader, 200,000 triples at a time."""
        return 200_000 if empty else 0

    def add_graphs(self, batch: Sequence[tuple[GraphLines, ManifestEntry]]) -> None:
        """Bulk path for graphs the store does not have yet (non-transactional, several times faster):
        their lines go to pyoxigraph's loader as they were read, with no Python object per triple."""
        self._check_writable()
        self._bulk_loaded = True
        bodies = [data.nquads() for data, _ in batch]
        # articles repeat the same shared facts (an entity's label, class, link): each goes in once
        shared = b"".join(dict.fromkeys(line for data, _ in batch for line in data.shared_nquads()))
        # the loader would give blank nodes new ids; handed quads, pyoxigraph keeps the file's, as before
        blank = b"".join(body for body in [*bodies, shared] if b"_:" in body)
        text = b"".join([*(body for body in [*bodies, shared] if b"_:" not in body),
                         manifest_nquads(e for _, e in batch)])
        try:
            self.store.bulk_load(input=text, format=ox.RdfFormat.N_QUADS)
            if blank:
                self.store.bulk_extend(ox.parse(input=blank, format=ox.RdfFormat.N_QUADS))
        except SyntaxError as exc:
            # a line of canonical shape that pyoxigraph still refuses (an IRI it finds invalid): what got
            # in is correct triples without manifest entries, which the next load of these graphs completes
            raise DataError(f"not valid N-Quads ({exc}) - fix the data and load again") from None

    def drop_graph(self, graph: str) -> None:
        """Remove a graph, what only it stated in the entities graph, and its manifest entry."""
        self._check_writable()
        name = ox.NamedNode(graph)
        self.store.update(f"{unshare_update(graph)} ; DROP SILENT GRAPH {name} ; "
                          f"DELETE WHERE {{ GRAPH <{MANIFEST_GRAPH}> {{ {name} ?p ?o }} }}")

    def select(self, text: str, bindings: Mapping[str, Term]) -> tuple[list[str], list[Row]]:
        """Run a SELECT over the union of all graphs, with values bound by substitution."""
        variables, rows = self.stream(text, bindings)
        return variables, list(rows)

    def stream(self, text: str, bindings: Mapping[str, Term]) -> tuple[list[str], Iterator[Row]]:
        """Like :meth:`select`, the rows read from the store as they are consumed."""
        services = _SERVICE.findall(text)
        try:
            result = self.store.query(text, use_default_graph_as_union=True,
                                      substitutions={ox.Variable(k): v for k, v in bindings.items()})
        except (OSError, RuntimeError) as exc:
            if services:
                raise _service_error(services, exc) from None
            raise
        if not isinstance(result, ox.QuerySolutions):
            raise StoreError("only SELECT queries can be run as saved queries")
        variables = [v.value for v in result.variables]
        width = len(variables)
        rows = (tuple(s[i] for i in range(width)) for s in result)
        return variables, _services_checked(rows, services) if services else rows

    def update(self, text: str) -> None:
        """Run one SPARQL Update (atomic in pyoxigraph)."""
        self._check_writable()
        self.store.update(text)

    def reindex(self) -> None:
        """Rebuild the entities graph from every graph of the store."""
        self._check_writable()
        self.store.update(INDEX_UPDATE)

    def close(self) -> None:
        """Flush (when writing) and release the store and its lock.

        After a bulk load the store is compacted first: the bulk loader leaves many small files, and
        every lookup of a query then reads each of them (measured on 20,000 articles: 12.7 M quads
        compacted in 30 s; a query reading 800,000 mentions went from 87 s to 28 s).
        """
        if not self.read_only:
            if self._bulk_loaded:
                self.store.optimize()
            self.store.flush()
        del self.store  # pyoxigraph lets go of the database when the object goes away
        self._lock_release()

    def _lock_release(self) -> None:
        if self._lock is not None:
            self._lock.close()
            self._lock = None

    def _check_writable(self) -> None:
        if self.read_only:
            raise StoreError(f"store {self.path} was opened read-only - open it without read_only to write")


def _services_checked(rows: Iterator[Row], services: Sequence[str]) -> Iterator[Row]:
    """``rows``, with a failure of pyoxigraph (which calls the services as the rows are read) made a
    :class:`QueryError` that names them."""
    try:
        yield from rows
    except (OSError, RuntimeError, SyntaxError, ValueError) as exc:
        failure = _service_error(services, exc)
    else:
        return
    # raised outside the handler and without ``rows``: a traceback that kept pyoxigraph's results alive
    # would drop them later in whichever thread collects it, and they may only be dropped in this one
    del rows
    raise failure


def _service_error(services: Sequence[str], error: Exception) -> QueryError:
    """The error for a query with ``SERVICE`` calls that failed with ``error``.

    >>> print(_service_error(["http://127.0.0.1:9999/sparql"], OSError("Connection refused (os error 111)")))
    a SERVICE call failed (Connection refused (os error 111)) - check that <http://127.0.0.1:9999/sparql> is up \
and answers SPARQL, or write SERVICE SILENT to go on without it
    """
    detail = " ".join(str(error).split())[:200]
    named = ", ".join(f"<{url}>" for url in dict.fromkeys(services))
    return QueryError(f"a SERVICE call failed ({detail}) - check that {named} is up and answers SPARQL, or write "
                      "SERVICE SILENT to go on without it")
