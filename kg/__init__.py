"""kg: turn news articles into a knowledge graph.

The stages, one subpackage each, imports running one way (down this list):

* :mod:`kg.pipeline` wires them; :mod:`kg.evaluate` scores them on public gold data;
* :mod:`kg.extract` (facts off the parse), :mod:`kg.store` (embedded store, SPARQL endpoints),
  :mod:`kg.query` (saved queries);
* :mod:`kg.nlp` (the spaCy pipeline), :mod:`kg.link` (Wikidata), :mod:`kg.rdf` (mapping, files,
  shapes), :mod:`kg.read` (articles);
* the floor: :mod:`kg.errors`, :mod:`kg.model`, :mod:`kg.names`, :mod:`kg.resources`.

The public API is importable from here; each name is imported on first use, so that loading a store or
running a query never pays for spaCy:

>>> import kg
>>> list(kg.read_articles([]))
[]
>>> kg.to_graph.__module__
'kg.rdf.mapping'
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# public name -> the module that defines it
_API: dict[str, str] = {
    "Article": "kg.model",
    "Extraction": "kg.model",
    "KgError": "kg.errors",
    "read_articles": "kg.read.articles",
    "load_pipeline": "kg.nlp.load",
    "extract": "kg.extract.from_doc",
    "default_linker": "kg.link.sources",
    "Linker": "kg.link.linker",
    "to_graph": "kg.rdf.mapping",
    "to_quads": "kg.rdf.mapping",
    "Minter": "kg.rdf.namespaces",
    "RdfWriter": "kg.rdf.files",
    "index_store": "kg.rdf.graphs",
    "index_incidents": "kg.store.incidents",
    "validate": "kg.rdf.shapes",
    "open_target": "kg.store.loading",
    "load_files": "kg.store.loading",
    "retract": "kg.store.loading",
    "load_query": "kg.query.saved",
    "run_query": "kg.query.saved",
    "list_queries": "kg.query.saved",
    "extract_file": "kg.pipeline",
    "ingest": "kg.pipeline",
    "extract_on_cluster": "kg.scale.run",
    "ingest_on_cluster": "kg.scale.run",
}

__all__ = [
    "Article",
    "Extraction",
    "KgError",
    "Linker",
    "Minter",
    "RdfWriter",
    "__version__",
    "default_linker",
    "extract",
    "extract_file",
    "extract_on_cluster",
    "index_incidents",
    "index_store",
    "ingest",
    "ingest_on_cluster",
    "list_queries",
    "load_files",
    "load_pipeline",
    "load_query",
    "open_target",
    "read_articles",
    "retract",
    "run_query",
    "to_graph",
    "to_quads",
    "validate",
]

if TYPE_CHECKING:
    from kg.errors import KgError
    from kg.extract.from_doc import extract
    from kg.link.linker import Linker
    from kg.link.sources import default_linker
    from kg.model import Article, Extraction
    from kg.nlp.load import load_pipeline
    from kg.pipeline import extract_file, ingest
    from kg.query.saved import list_queries, load_query, run_query
    from kg.rdf.files import RdfWriter
    from kg.rdf.graphs import index_store
    from kg.rdf.mapping import to_graph, to_quads
    from kg.rdf.namespaces import Minter
    from kg.rdf.shapes import validate
    from kg.read.articles import read_articles
    from kg.scale.run import extract_on_cluster, ingest_on_cluster
    from kg.store.incidents import index_incidents
    from kg.store.loading import load_files, open_target, retract


def __getattr__(name: str) -> Any:
    """Import a public name from its stage on first use (PEP 562)."""
    module = _API.get(name)
    if module is None:
        raise AttributeError(f"module 'kg' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
