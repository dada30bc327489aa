"""kg: turn news articles into a knowledge graph.

Read articles (:mod:`kg.articles`), extract actors, places, operations, policies, statements and
relations with spaCy (:mod:`kg.extract`), map them to RDF under the kg ontology with provenance
(:mod:`kg.mapping`), write or load them (:mod:`kg.files`) and run saved SPARQL queries
(:mod:`kg.queries`). :mod:`kg.pipeline` wires the stages together.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
