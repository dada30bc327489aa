"""The embedded store: pyoxigraph on disk, kg's default target."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import pyoxigraph as ox

from kg.errors import StoreError
from kg.rdf.files import memory_store
from kg.rdf.graphs import ENTITIES_GRAPH, INDEX_UPDATE, MANIFEST_GRAPH, index_store, shared_quads, unshare_update
from kg.store.base import (
    MANIFEST_QUERY,
    ManifestEntry,
    Row,
    Term,
    manifest_quads,
    ntriples,
    parse_manifest,
)

DEFAULT_STORE = "kg-store"


def store_path(given: str | Path | None) -> Path:
    """The embedded store's directory: ``--store``, else ``$KG_STORE``, else ``./kg-store``."""
    return Path(given or os.environ.get("KG_STORE") or DEFAULT_STORE)


def files_store(paths: Iterable[str | Path]) -> ox.Store:
    """An in-memory store of RDF files (``kg query --data``), with its entities graph built.

    Raises:
        DataError: a file is missing or does not parse.
    """
    return index_store(memory_store(paths))


class EmbeddedStore:
    """The default target: a pyoxigraph store on disk (no server needed).

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     store = EmbeddedStore(Path(d) / "s")
    ...     store.manifest()
    {}
    """

    def __init__(self, path: Path, *, create: bool = True) -> None:
        self.name = str(path)
        self.path = path
        if not create and not path.is_dir():
            raise StoreError(f"no store at {path} - run 'kg ingest' or 'kg load' first, or pass --store")
        try:
            self.store = ox.Store(str(path))
        except OSError as exc:
            if "lock" in str(exc).lower():
                raise StoreError(f"store {path} is in use by another process (kg serve?) - stop it first") from None
            raise StoreError(f"cannot open store {path} ({exc}) - check the path and permissions") from None

    def manifest(self) -> dict[str, ManifestEntry]:
        """Every loaded article graph, by graph IRI."""
        result = self.store.query(MANIFEST_QUERY)
        assert isinstance(result, ox.QuerySolutions)
        return parse_manifest(tuple(s[i] for i in range(5)) for s in result)

    def replace_graph(self, graph: str, quads: Sequence[ox.Quad], entry: ManifestEntry) -> None:
        """Replace a graph, its shared facts and its manifest entry in one transaction (pyoxigraph
        updates are atomic)."""
        name = ox.NamedNode(graph)
        data = ntriples(quads, " ")
        shared = ntriples(shared_quads(graph, quads), " ")
        meta = ntriples(manifest_quads(entry), " ")
        self.store.update(
            f"{unshare_update(graph)} ; DROP SILENT GRAPH {name} ; "
            f"DELETE WHERE {{ GRAPH <{MANIFEST_GRAPH}> {{ {name} ?p ?o }} }} ; "
            f"INSERT DATA {{ GRAPH {name} {{ {data} }} GRAPH <{ENTITIES_GRAPH}> {{ {shared} }} "
            f"GRAPH <{MANIFEST_GRAPH}> {{ {meta} }} }}"
        )

    def batch_limit(self, *, empty: bool) -> int:
        """Into an empty store, new graphs go through the bulk loader, 200,000 triples at a time."""
        return 200_000 if empty else 0

    def add_graphs(self, batches: Sequence[tuple[Sequence[ox.Quad], ManifestEntry]]) -> None:
        """Bulk path for graphs the store does not have yet (non-transactional, several times faster)."""

        def quads() -> Iterable[ox.Quad]:
            for batch, entry in batches:
                yield from batch
                yield from shared_quads(entry.graph, batch)
                yield from manifest_quads(entry)

        self.store.bulk_extend(quads())

    def drop_graph(self, graph: str) -> None:
        """Remove a graph, what only it stated in the entities graph, and its manifest entry."""
        name = ox.NamedNode(graph)
        self.store.update(f"{unshare_update(graph)} ; DROP SILENT GRAPH {name} ; "
                          f"DELETE WHERE {{ GRAPH <{MANIFEST_GRAPH}> {{ {name} ?p ?o }} }}")

    def select(self, text: str, bindings: Mapping[str, Term]) -> tuple[list[str], list[Row]]:
        """Run a SELECT over the union of all graphs, with values bound by substitution."""
        result = self.store.query(text, use_default_graph_as_union=True,
                                  substitutions={ox.Variable(k): v for k, v in bindings.items()})
        if not isinstance(result, ox.QuerySolutions):
            raise StoreError("only SELECT queries can be run as saved queries")
        variables = [v.value for v in result.variables]
        return variables, [tuple(s[i] for i in range(len(variables))) for s in result]

    def reindex(self) -> None:
        """Rebuild the entities graph from every graph of the store."""
        self.store.update(INDEX_UPDATE)

    def close(self) -> None:
        """Flush and release the store (its lock is released when the object goes away)."""
        self.store.flush()
        del self.store
