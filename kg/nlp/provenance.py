"""Which part of the pipeline produced each entity span, for the confidence of mentions.

``kg_provenance`` runs just before ``kg_entities`` and records the entity spans as the gazetteer and
place rulers and the statistical NER left them; :func:`source_of` then tells, for a final entity
span, where it came from: ``"rule"`` (a ruler: its label is already an ontology class), ``"ner:LABEL"``
(spaCy's NER), or ``"added"`` (kg_entities made it: an acronym or surname mention). A trailing ``~``
means kg_entities changed the span's bounds (trimmed, split or merged).
"""

from __future__ import annotations

from bisect import bisect_right

from spacy.language import Language
from spacy.tokens import Doc, Span

from kg.model import ENTITY_CLASSES
from kg.nlp.components import KgComponent


@Language.factory("kg_provenance", assigns=["doc._.kg_sources"], requires=["doc.ents"])
def make_provenance(nlp: Language, name: str) -> Recorder:
    """Record the entity spans before kg_entities retypes them."""
    return Recorder()


class Recorder(KgComponent):
    """Stores ``[start, end, label]`` of each entity span in ``doc._.kg_sources``."""

    def __call__(self, doc: Doc) -> Doc:
        doc._.kg_sources = [[ent.start, ent.end, ent.label_] for ent in doc.ents]
        return doc


def source_of(ent: Span) -> str:
    """Where a final entity span came from (see the module doc); ``""`` when nothing was recorded."""
    recorded = ent.doc._.kg_sources
    if recorded is None:
        return ""
    # the recorded spans are doc.ents' (sorted, not overlapping): find the first that ends after the entity
    # starts, rather than scanning them all for each entity, which cost long articles their square
    overlapping = []
    for i in range(bisect_right(recorded, ent.start, key=lambda r: int(r[1])), len(recorded)):
        start, end, label = recorded[i]
        if start >= ent.end:
            break
        overlapping.append((int(start), int(end), str(label)))
    if not overlapping:
        return "added"
    start, end, label = max(overlapping, key=lambda r: (min(r[1], ent.end) - max(r[0], ent.start), -r[0]))
    source = "rule" if label in ENTITY_CLASSES else f"ner:{label}"
    return source if (start, end) == (ent.start, ent.end) else source + "~"
