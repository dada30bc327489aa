"""The ``Doc`` extensions through which kg's pipeline and extractors pass state, registered once.

Importing this module registers them (each only if it is not there yet, so a second import, or a
pipeline loaded in a worker process, finds them in place):

- ``doc._.kg_article``: the position of the article in the stream :func:`kg.extract.from_doc.extract`
  is working on, set on the Doc before it is piped, so a failure can be traced to its article;
- ``doc._.kg_error``: the exception a component raised on this Doc alone (set by the error handler);
- ``doc._.kg_sources``: ``[start, end, label]`` of each entity span before ``kg_entities`` retyped it
  (see :mod:`kg.nlp.provenance`);
- ``doc._.kg_entity_index`` / ``doc._.kg_office_index``: token index -> entity span / office holder,
  while the extractors read the Doc (see :mod:`kg.extract.spans`);
- ``doc._.kg_facts_in`` / ``doc._.kg_facts``: what the ``kg_facts`` component needs to know of the article
  (``[dateline ordinal or None, [start, end] or None]``, see :func:`kg.extract.from_doc.facts_of`) and
  the facts it found (pickled when the Doc goes back from a worker process, see
  :mod:`kg.extract.from_doc`);
- ``doc._.kg_text`` / ``doc._.kg_ents``: the Doc's text and entity spans, built once while the
  extractors read it (spaCy builds both anew on every access, which made long articles cost their
  square).
"""

from __future__ import annotations

from spacy.tokens import Doc

DOC_EXTENSIONS = ("kg_article", "kg_error", "kg_sources", "kg_entity_index", "kg_office_index", "kg_text",
                  "kg_ents", "kg_facts_in", "kg_facts")

for _name in DOC_EXTENSIONS:
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=None)
