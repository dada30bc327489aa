"""kg's RDF terms as pyoxigraph terms, and the conversion to and from rdflib at the edges.

The write path (mapping, files, stores) works in pyoxigraph terms only. rdflib appears where it is
needed: the closed ``KG`` namespace (generated), SHACL validation with pyshacl, and :func:`to_graph`
for library users and graph comparisons in tests.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

__all__ = ["Terms", "from_rdflib", "graph_quads", "quads_graph", "sort_key", "to_rdflib"]

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


class Terms:
    """The terms of an rdflib namespace as pyoxigraph named nodes, each made once.

    A closed namespace stays closed: a name it does not define raises ``AttributeError``.

    >>> from kg.rdf.vocab import KG
    >>> Terms(KG).Person
    <NamedNode value=https://w3id.org/kg-news/ns#Person>
    >>> Terms(KG).Persn
    Traceback (most recent call last):
    ...
    AttributeError: term 'Persn' not in namespace 'https://w3id.org/kg-news/ns#'
    """

    def __init__(self, namespace: Any) -> None:
        self._namespace = namespace

    def __getattr__(self, name: str) -> ox.NamedNode:
        if name.startswith("_"):
            raise AttributeError(name)
        node = ox.NamedNode(str(getattr(self._namespace, name)))
        setattr(self, name, node)  # later look-ups are plain attribute reads
        return node

    def __getitem__(self, name: str) -> ox.NamedNode:
        return getattr(self, name)  # type: ignore[no-any-return]


def sort_key(quad: ox.Quad) -> tuple[str, str, str]:
    """The order of triples within one article graph in every file kg writes."""
    return str(quad.subject), str(quad.predicate), str(quad.object)


def from_rdflib(node: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """The pyoxigraph term for an rdflib term.

    Raises:
        TypeError: the term is not an IRI, blank node or literal (a variable or a quoted graph).
    """
    if isinstance(node, URIRef):
        return ox.NamedNode(str(node))
    if isinstance(node, BNode):
        return ox.BlankNode(str(node))
    if isinstance(node, Literal):
        if node.language:
            return ox.Literal(str(node), language=node.language)
        if node.datatype:
            return ox.Literal(str(node), datatype=ox.NamedNode(str(node.datatype)))
        return ox.Literal(str(node))
    raise TypeError(f"cannot convert {node!r}")


def to_rdflib(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> URIRef | BNode | Literal:
    """The rdflib term for a pyoxigraph term (``xsd:string`` literals become plain literals).

    >>> to_rdflib(ox.Literal("5", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")))
    rdflib.term.Literal('5', datatype=rdflib.term.URIRef('http://www.w3.org/2001/XMLSchema#integer'))
    """
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    datatype = term.datatype.value
    return Literal(term.value) if datatype == _XSD_STRING else Literal(term.value, datatype=URIRef(datatype))


def graph_quads(graph: Graph) -> list[ox.Quad]:
    """An rdflib graph's triples as quads in the graph named by its identifier, sorted by :func:`sort_key`."""
    name = ox.NamedNode(str(graph.identifier))
    quads = [ox.Quad(from_rdflib(s), from_rdflib(p), from_rdflib(o), name)  # type: ignore[arg-type]
             for s, p, o in graph]
    quads.sort(key=sort_key)
    return quads


def quads_graph(quads: Iterable[ox.Quad], identifier: str) -> Graph:
    """An rdflib graph named ``identifier`` holding the quads' triples."""
    graph = Graph(identifier=URIRef(identifier))
    for quad in quads:
        graph.add((to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)))  # type: ignore[arg-type]
    return graph
