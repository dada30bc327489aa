"""Helpers over a parsed spaCy Doc shared by the extractors (events, policies, statements, relations)."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Iterator, Sequence

from spacy.tokens import Doc, Span, Token

from kg.model import ENTITY_CLASSES, LOCATION_CLASSES, ORGANIZATION_CLASSES, POPULATION_CLASSES, EntityRef, TextSpan
from kg.names import normalise_name
from kg.nlp import lexicon
from kg.nlp.words import word

ACTOR_CLASSES = ORGANIZATION_CLASSES | POPULATION_CLASSES | {"Person", "Country"}
_REPORTING_OR_WISHING = lexicon.REPORTING_VERBS | {"hope", "want", "wish"}


def entity_kind(cls: str) -> str:
    """The IRI segment that identifies entities of a class across articles."""
    if cls == "Person":
        return "person"
    if cls in LOCATION_CLASSES or cls in POPULATION_CLASSES:
        return cls.lower()
    return "organization"


def ref_of(ent: Span) -> EntityRef:
    """The identity ``(kind, key)`` of an entity span."""
    return (entity_kind(ent.label_), normalise_name(ent.ent_id_ or ent.text))


def text_span(span: Span | Token) -> TextSpan:
    """The body offsets and text of a span or token."""
    if isinstance(span, Token):
        return TextSpan(span.idx, span.idx + len(span.text), span.text)
    return TextSpan(span.start_char, span.end_char, span.text)


def char_span(doc: Doc, start: int, end: int) -> TextSpan:
    """A TextSpan for character offsets (trimmed of surrounding white space)."""
    text = body(doc)[start:end]
    lead = len(text) - len(text.lstrip())
    trail = len(text) - len(text.rstrip())
    return TextSpan(start + lead, end - trail, text.strip())


def sentence_span(token: Token) -> TextSpan:
    """The sentence a token stands in, trimmed of trailing white space."""
    sent = token.sent
    return char_span(token.doc, sent.start_char, sent.end_char)


def index_entities(doc: Doc) -> None:
    """Remember which entity covers each token, for :func:`entity_of` while the extractors read ``doc``
    (``doc.ents`` builds every span again on each access); :func:`forget_entities` drops it."""
    ents = doc.ents
    doc._.kg_entity_index = {i: ent for ent in ents for i in range(ent.start, ent.end)}
    doc._.kg_ents = ents
    doc._.kg_text = doc.text


def forget_entities(doc: Doc) -> None:
    """Drop the indexes made by :func:`index_entities` and :func:`index_offices`."""
    doc._.kg_entity_index = None
    doc._.kg_office_index = None
    doc._.kg_ents = None
    doc._.kg_text = None


def body(doc: Doc) -> str:
    """``doc.text``, built once while the extractors read ``doc`` (spaCy joins every token on each access).

    >>> import spacy
    >>> doc = spacy.blank("en")("Clashes in Mosul.")
    >>> index_entities(doc); body(doc)
    'Clashes in Mosul.'
    """
    text: str | None = doc._.kg_text
    return text if text is not None else doc.text


def entities(doc: Doc) -> Sequence[Span]:
    """``doc.ents``, built once while the extractors read ``doc`` (see :func:`body`)."""
    ents: Sequence[Span] | None = doc._.kg_ents
    return ents if ents is not None else doc.ents


def entities_in(span: Span) -> list[Span]:
    """``span.ents`` (the entities inside ``span``) without building every entity of the document.

    >>> import spacy
    >>> doc = spacy.blank("en")("Clashes in Mosul. Talks in Baghdad.")
    >>> doc.ents = [Span(doc, 2, 3, label="GPE"), Span(doc, 6, 7, label="GPE")]
    >>> index_entities(doc); [e.text for e in entities_in(doc[4:8])]
    ['Baghdad']
    """
    ents = entities(span.doc)
    found = []
    for i in range(bisect_left(ents, span.start, key=lambda e: e.start), len(ents)):
        if ents[i].start >= span.end:
            break
        if ents[i].end <= span.end:
            found.append(ents[i])
    return found


def index_offices(doc: Doc, holders: Iterable[tuple[TextSpan, EntityRef]]) -> None:
    """Remember the person each office title names ("the Foreign Secretary"), by token, for :func:`holder_of`."""
    index: dict[int, EntityRef] = {}
    for span, person in holders:
        for token in doc.char_span(span.start, span.end, alignment_mode="expand") or ():
            index[token.i] = person
    doc._.kg_office_index = index


def holder_of(token: Token) -> EntityRef | None:
    """The person an office title names, when ``token`` is part of one (see :mod:`kg.extract.offices`)."""
    index: dict[int, EntityRef] | None = token.doc._.kg_office_index
    return index.get(token.i) if index is not None else None


def entity_of(token: Token) -> Span | None:
    """The entity span covering ``token``, if any."""
    if token.ent_type_ not in ENTITY_CLASSES:
        return None
    index: dict[int, Span] | None = token.doc._.kg_entity_index
    if index is not None:
        found: Span | None = index.get(token.i)
        return found
    for ent in entities_in(token.sent):
        if ent.start <= token.i < ent.end:
            return ent
    return None


def _near_subtree(token: Token) -> Iterator[Token]:
    """The subtree without nested place phrases and clauses: "embassy [in the Green Zone]"."""
    yield token
    for child in token.children:
        if child.dep_ in {"relcl", "acl"} or (child.dep_ == "prep" and child.lower_ != "of"):
            continue
        yield from _near_subtree(child)


def entities_under(token: Token, classes: Iterable[str] | None = None, *, near: bool = False) -> list[Span]:
    """Entities inside the syntactic subtree of ``token`` (in text order, each once).

    With ``near``, nested place phrases and relative clauses are left out.
    """
    wanted = set(classes) if classes is not None else None
    seen: dict[int, Span] = {}
    for t in (_near_subtree(token) if near else token.subtree):
        ent = entity_of(t)
        if ent is not None and (wanted is None or ent.label_ in wanted):
            seen.setdefault(ent.start, ent)
    return [seen[k] for k in sorted(seen)]


def demonym_refs(token: Token) -> list[EntityRef]:
    """Countries named by demonyms in a subtree ("Syrian oil imports" -> Syria)."""
    refs: list[EntityRef] = []
    for t in token.subtree:
        country = lexicon.DEMONYMS.get(t.text)
        if country and t.ent_type_ not in ACTOR_CLASSES | LOCATION_CLASSES:
            ref = ("country", normalise_name(country))
            if ref not in refs:
                refs.append(ref)
    return refs


def ancestors_and_self(token: Token) -> Iterator[Token]:
    """``token`` and its syntactic heads up to the root."""
    yield token
    yield from token.ancestors


def tree_distance(a: Token, b: Token) -> int:
    """Number of dependency edges between two tokens of one sentence (large if unrelated)."""
    up_a = {t.i: n for n, t in enumerate(ancestors_and_self(a))}
    for n, t in enumerate(ancestors_and_self(b)):
        if t.i in up_a:
            return n + up_a[t.i]
    return 1000


def unique(refs: Iterable[EntityRef]) -> tuple[EntityRef, ...]:
    """Refs in first-seen order without repeats."""
    out: list[EntityRef] = []
    for ref in refs:
        if ref not in out:
            out.append(ref)
    return tuple(out)


def confidence(base: float, found: int, step: float = 0.1, cap: float = 0.95) -> float:
    """A heuristic confidence: a base for the rule plus a step per argument found, rounded to 2 places."""
    return round(min(cap, base + step * found), 2)








def _governing_verb(token: Token) -> Token | None:
    return next((t for t in token.ancestors if t.pos_ in {"VERB", "AUX"}), None)


def nearest_date(token: Token, *, skip_reporting: bool = True) -> Span | None:
    """The DATE entity of the sentence closest to ``token`` in the parse tree.

    With ``skip_reporting``, dates that modify a reporting or wishing verb ("said on Wednesday she
    hopes ...") are left to the statement and not given to the event or policy it reports.
    """
    dates = [e for e in entities_in(token.sent) if e.label_ == "DATE"]
    if skip_reporting:
        dates = [d for d in dates if (v := _governing_verb(d.root)) is None or word(v) not in _REPORTING_OR_WISHING
                 or (any(t.i == token.i for t in v.subtree) and v.i == token.i)]
    if not dates:
        return None
    return min(dates, key=lambda d: (tree_distance(token, d.root), abs(d.start - token.i)))
