"""Where graphs are loaded and queried: the embedded store (pyoxigraph on disk, the default) or any
SPARQL 1.1 endpoint (:mod:`kg.store.endpoint`), behind one small protocol.

Each article is one named graph, replaced as a whole. A manifest graph records, per article graph,
its content hash, triple count, load time and kg version, so that loading the same article again
changes nothing and ``retract`` removes exactly what an article added.

Beside them the entities graph (:mod:`kg.rdf.graphs`) holds each shared fact once; every load,
replacement and retraction keeps it exact.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

import pyoxigraph as ox
from rdflib.namespace import XSD

from kg import __version__
from kg.rdf.graphs import HAS_INDEX, HAS_SHARED, MANIFEST_GRAPH
from kg.rdf.nquads import GraphLines
from kg.rdf.terms import Terms
from kg.rdf.vocab import KG

_KG, _XSD = Terms(KG), Terms(XSD)

Term = ox.NamedNode | ox.BlankNode | ox.Literal
Row = tuple[Term | None, ...]


@dataclass(frozen=True)
class ManifestEntry:
    """What the store knows of one loaded article graph."""

    graph: str
    content_hash: str
    triples: int
    loaded_at: str
    version: str = __version__


class Target(Protocol):
    """A place graphs are loaded into and queried: the embedded store or an endpoint."""

    name: str

    def manifest(self) -> dict[str, ManifestEntry]:
        """Every loaded article graph, by graph IRI."""

    def replace_graph(self, data: GraphLines, entry: ManifestEntry) -> None:
        """Make graph ``data.graph`` hold exactly ``data`` and record it in the manifest."""

    def batch_limit(self, *, empty: bool) -> int:
        """How many triples of new graphs may travel together in one :meth:`add_graphs` (0: none)."""

    def add_graphs(self, batch: Sequence[tuple[GraphLines, ManifestEntry]]) -> None:
        """Add graphs the manifest does not know, with their entries, together."""

    def drop_graph(self, graph: str) -> None:
        """Remove a graph and its manifest entry (no error if it is not there)."""

    def select(self, text: str, bindings: Mapping[str, Term]) -> tuple[list[str], list[Row]]:
        """Run a SELECT over the union of all graphs with variables bound; (variables, rows)."""

    def stream(self, text: str, bindings: Mapping[str, Term]) -> tuple[list[str], Iterator[Row]]:
        """Like :meth:`select`, without holding the rows: they are read as the iterator is consumed."""

    def update(self, text: str) -> None:
        """Run one SPARQL Update (kg's own graphs: the incidents graph)."""

    def reindex(self) -> None:
        """Rebuild the entities graph from every graph of the target."""

    def close(self) -> None:
        """Release the store."""


def ntriples(quads: Iterable[ox.Quad], separator: str = "\n") -> str:
    """The quads' triples as N-Triples statements (escaped by pyoxigraph), for request bodies."""
    return separator.join(f"{q.subject} {q.predicate} {q.object} ." for q in quads)


def content_hash(quads: Iterable[ox.Quad]) -> str:
    """A hash of a graph's content that does not depend on the order of its quads."""
    lines = sorted(f"{q.subject} {q.predicate} {q.object}" for q in quads)
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def manifest_entry(data: GraphLines) -> ManifestEntry:
    """The manifest entry for loading a graph now."""
    now = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    return ManifestEntry(data.graph, data.content_hash(), len(data), now)


def manifest_quads(entry: ManifestEntry) -> list[ox.Quad]:
    """The manifest graph's description of one entry."""
    g = ox.NamedNode(MANIFEST_GRAPH)
    node = ox.NamedNode(entry.graph)
    return [
        ox.Quad(node, _KG.contentHash, ox.Literal(entry.content_hash), g),
        ox.Quad(node, _KG.tripleCount, ox.Literal(str(entry.triples), datatype=_XSD.integer), g),
        ox.Quad(node, _KG.loadedAt, ox.Literal(entry.loaded_at, datatype=_XSD.dateTime), g),
        ox.Quad(node, _KG.extractorVersion, ox.Literal(entry.version), g),
    ]


def manifest_nquads(entries: Iterable[ManifestEntry]) -> bytes:
    """:func:`manifest_quads` of each entry, as N-Quads."""
    return ox.serialize([q for entry in entries for q in manifest_quads(entry)], format=ox.RdfFormat.N_QUADS) or b""


MANIFEST_QUERY = f"""
SELECT ?graph ?hash ?triples ?loaded ?version WHERE {{
  GRAPH <{MANIFEST_GRAPH}> {{
    ?graph {_KG.contentHash} ?hash ; {_KG.tripleCount} ?triples ;
           {_KG.loadedAt} ?loaded ; {_KG.extractorVersion} ?version .
  }}
}}"""


def parse_manifest(rows: Iterable[Row]) -> dict[str, ManifestEntry]:
    """Manifest entries from the rows of :data:`MANIFEST_QUERY`."""
    entries = {}
    for graph, digest, triples, loaded, version in rows:
        if graph is None or digest is None or triples is None or loaded is None:
            continue
        entries[graph.value] = ManifestEntry(graph.value, digest.value, int(triples.value), loaded.value,
                                             version.value if version is not None else "")
    return entries


def unindexed(target: Target) -> bool:
    """Whether ``target`` holds shared facts but no entities graph: a store written by kg before the
    graph existed, or kg's files loaded by another tool. :meth:`Target.reindex` mends it."""
    if target.select(HAS_INDEX, {})[1]:
        return False
    return bool(target.select(HAS_SHARED, {})[1])
