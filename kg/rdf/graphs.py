"""kg's own graphs beside the article graphs: the manifest, the *entities graph* and the incidents graph.

The entities graph holds, once, every triple that some article graph states about a node the article
does not own (an entity's label, class, Wikidata link, coordinates; a position): exactly the union of
those triples over the loaded graphs, kept so by every load, replacement and retraction. Queries read
shared facts there, because over the union of thousands of article graphs such a triple comes back
once per article, and joins of several of them multiply rows.

The incidents graph (:mod:`kg.store.incidents`) links the event nodes that report one real-world event
to one ``kg:Incident``, and marks articles that repeat another's body; it is kg's bookkeeping too, never
an article's shared facts.
"""

from __future__ import annotations

from collections.abc import Sequence

import pyoxigraph as ox

__all__ = ["ENTITIES_GRAPH", "INCIDENTS_GRAPH", "INDEX_UPDATE", "MANIFEST_GRAPH", "OWN_GRAPHS", "index_store", "owned_prefixes", "owns",
           "unindexed_store", "unshare_update"]

MANIFEST_GRAPH = "https://w3id.org/kg-news/manifest"
ENTITIES_GRAPH = "https://w3id.org/kg-news/entities"
INCIDENTS_GRAPH = "https://w3id.org/kg-news/incidents"
OWN_GRAPHS = (MANIFEST_GRAPH, ENTITIES_GRAPH, INCIDENTS_GRAPH)
"""kg's bookkeeping graphs: never article graphs, and never a source of shared facts."""
_OWN = ", ".join(f"<{g}>" for g in OWN_GRAPHS)


def owns(graph: str, subject: ox.NamedNode | ox.BlankNode | ox.Triple) -> bool:
    """Whether ``subject`` belongs to article graph ``graph``: the article itself or a node minted under
    its IRI (``…/article/ID/event/…``). Everything else is shared, blank nodes too: a shared fact may
    point at one (an entity's geometry written as ``[ geo:asWKT … ]``), and each load parses new ones.

    >>> a = "https://w3id.org/kg-news/id/article/a1"
    >>> owns(a, ox.NamedNode(a + "/event/3-9")), owns(a, ox.NamedNode(a + "0/event/3-9"))
    (True, False)
    >>> owns(a, ox.NamedNode("https://w3id.org/kg-news/id/entity/settlement/mosul"))
    False
    """
    if not isinstance(subject, ox.NamedNode):
        return False
    return f"<{subject.value}>".startswith(owned_prefixes(graph))


def owned_prefixes(graph: str) -> tuple[str, ...]:
    """How the N-Triples forms (``<iri>``) of the nodes ``graph`` owns (see :func:`owns`) begin.

    >>> owned_prefixes("http://e/a")
    ('<http://e/a>', '<http://e/a/', '<http://e/a#')
    """
    return tuple(f"<{graph}{end}" for end in (">", "/", "#"))


_NOT_OWNED = """!isIRI(?s) || (?s != {g} && !STRSTARTS(STR(?s), CONCAT(STR({g}), "/"))
                             && !STRSTARTS(STR(?s), CONCAT(STR({g}), "#")))"""


def unshare_update(graphs: str | Sequence[str]) -> str:
    """SPARQL Update removing from the entities graph what only ``graphs`` state, to run before they
    are dropped or replaced (the same test as :func:`owns`, in SPARQL). Several graphs go in one
    operation: Virtuoso refuses a request of hundreds.

    >>> "VALUES ?g { <http://e/a> <http://e/b> }" in unshare_update(["http://e/a", "http://e/b"])
    True
    """
    names = [ox.NamedNode(g) for g in ([graphs] if isinstance(graphs, str) else graphs)]
    listed = ", ".join(str(n) for n in [*names, *(ox.NamedNode(g) for g in OWN_GRAPHS)])
    return (f"DELETE {{ GRAPH <{ENTITIES_GRAPH}> {{ ?s ?p ?o }} }} WHERE {{\n"
            f"  VALUES ?g {{ {' '.join(str(n) for n in names)} }}\n"
            f"  GRAPH ?g {{ ?s ?p ?o }}\n"
            f"  FILTER({_NOT_OWNED.format(g='?g')})\n"
            f"  FILTER NOT EXISTS {{ GRAPH ?other {{ ?s ?p ?o }} FILTER(?other NOT IN ({listed})) }}\n"
            f"}}")


INDEX_UPDATE = f"""DROP SILENT GRAPH <{ENTITIES_GRAPH}> ;
INSERT {{ GRAPH <{ENTITIES_GRAPH}> {{ ?s ?p ?o }} }} WHERE {{
  GRAPH ?g {{ ?s ?p ?o }}
  FILTER(?g NOT IN ({_OWN}))
  FILTER({_NOT_OWNED.format(g="?g")})
}}"""
"""SPARQL Update rebuilding the entities graph from every graph of a store (stores written before
it existed, data loaded by other tools)."""

HAS_INDEX = f"SELECT ?s WHERE {{ GRAPH <{ENTITIES_GRAPH}> {{ ?s ?p ?o }} }} LIMIT 1"
HAS_SHARED = f"""SELECT ?s WHERE {{
  GRAPH ?g {{ ?s ?p ?o }}
  FILTER(?g NOT IN ({_OWN}))
  FILTER({_NOT_OWNED.format(g="?g")})
}} LIMIT 1"""


def index_store(store: ox.Store) -> ox.Store:
    """Build the entities graph of an in-memory store holding kg's files, and return the store.

    Triples in the default graph (Turtle, N-Triples) belong to no article, so all of them are shared.

    >>> s = ox.Store()
    >>> s.add(ox.Quad(ox.NamedNode("http://e/x"), ox.NamedNode("http://p"), ox.Literal("X"),
    ...               ox.NamedNode("http://e/article/1")))
    >>> len(list(index_store(s).quads_for_pattern(None, None, None, ox.NamedNode(ENTITIES_GRAPH))))
    1
    """
    store.update(f"{INDEX_UPDATE} ;\nINSERT {{ GRAPH <{ENTITIES_GRAPH}> {{ ?s ?p ?o }} }} WHERE {{ ?s ?p ?o }}")
    return store


def unindexed_store(store: ox.Store) -> bool:
    """Whether a pyoxigraph store holds shared facts but no entities graph (see :func:`index_store`)."""
    if any(True for _ in store.quads_for_pattern(None, None, None, ox.NamedNode(ENTITIES_GRAPH))):
        return False
    if any(True for _ in store.quads_for_pattern(None, None, None, ox.DefaultGraph())):
        return True
    return any(True for _ in store.query(HAS_SHARED))  # type: ignore[union-attr]
