"""Run spaCy over articles and collect what they say: entities, mentions, events, policies,
statements and relations, as :class:`~kg.model.Extraction` objects (one per article, streamed)."""

from __future__ import annotations

import datetime as dt
import pickle
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace

from spacy.language import Language
from spacy.tokens import Doc

from kg.extract.calibration import shipped
from kg.extract.events import find_events
from kg.extract.factuality import with_factuality
from kg.extract.offices import role_mentions
from kg.extract.policies import find_policies
from kg.extract.relations.find import find_relations
from kg.extract.spans import entities, forget_entities, index_entities, index_offices, ref_of, text_span
from kg.extract.statements import find_statements
from kg.model import (
    ENTITY_CLASSES,
    Article,
    Entity,
    EntityRef,
    Event,
    Extraction,
    Mention,
    Policy,
    Relation,
    Statement,
    TextSpan,
)
from kg.names import clean_name, normalise_name
from kg.nlp.chunks import Chunk, chunk_limit, chunks
from kg.nlp.components import KgComponent
from kg.nlp.lexicon import countries
from kg.nlp.load import model_name
from kg.nlp.parse import OnFailure, parse_articles
from kg.nlp.provenance import source_of


def _raise(article: Article, error: Exception) -> None:
    raise error


def extract(
    articles: Iterable[Article],
    nlp: Language,
    *,
    batch_size: int = 16,
    n_process: int = 1,
    on_failure: OnFailure = _raise,
    calibrated: bool = True,
    min_confidence: float | None = None,
) -> Iterator[Extraction]:
    """Extract from each article, in input order, streaming (no list of all Docs is built).

    An article on which a component or extractor fails is passed to ``on_failure`` (default: raise)
    and the others go on, also with ``n_process > 1`` (see :func:`kg.nlp.parse.parse_articles`).
    With ``calibrated=False`` mentions keep confidence 1.0 and relations their heuristic confidence
    (for fitting a calibration, see :mod:`kg.extract.calibration`). With ``min_confidence``, each
    extraction is :meth:`~kg.model.Extraction.filtered` at that confidence.

    An article longer than ``nlp.max_length`` is parsed in pieces (see :mod:`kg.nlp.chunks`), each its own
    Doc in the same ``nlp.pipe`` stream and parsed with the sentences around it, and what the pieces say is
    put together as one Doc's would be: offsets moved by the piece's start, an entity named in several pieces
    one entity with all its mentions. What needs more of the article is lost at a piece's edge: a surname or
    acronym resolved by a full name given only in another piece, a fact whose sentence is cut. Pieces, not
    one Doc made of them (``Doc.from_docs``), because kg's components after NER take time growing faster
    than the length of the Doc they see, and resolve names over all of it.

    >>> from kg.nlp.load import load_pipeline
    >>> nlp = load_pipeline()
    >>> [x.article.id for x in extract([Article(id="a1", text="ISIS attacked Kirkuk.")], nlp)]
    ['a1']
    """
    name = model_name(nlp)
    facts_in_pipeline(nlp, portable=n_process > 1)
    pending: deque[_Piece] = deque()  # the pieces sent to the pipeline, in order, until their Doc comes back
    owns: dict[int, tuple[int, int]] = {}  # id of a piece's Article -> its own part, while the piece is in flight
    state = _Merging()

    def pieces() -> Iterator[Article]:
        for article in articles:
            parts = _chunks(article.text, nlp)
            if len(parts) == 1:
                pending.append(_Piece(article, 0, None, first=True, last=True))
                yield article
                continue
            for chunk in parts:
                own = (chunk.start - chunk.before, chunk.end - chunk.before)
                pending.append(_Piece(article, chunk.before, own, first=chunk is parts[0], last=chunk is parts[-1]))
                text = replace(article, text=article.text[chunk.before : chunk.after])
                owns[id(text)] = own
                yield text

    def failed(article: Article, error: Exception) -> None:
        owns.pop(id(article), None)
        piece = state.next(pending.popleft())
        if state.facts is not None:  # the article's first failure: its other pieces are skipped
            state.facts = None
            on_failure(piece.article, error)

    def prepare(doc: Doc, article: Article) -> None:
        own = owns.get(id(article))
        doc._.kg_facts_in = [article.date.toordinal() if article.date else None, list(own) if own else None]

    for sent, doc in parse_articles(pieces(), nlp, on_failure=failed, batch_size=batch_size, n_process=n_process,
                                 prepare=prepare):
        owns.pop(id(sent), None)
        piece = state.next(pending.popleft())
        if state.facts is None:
            continue
        try:
            state.facts.add(_facts_found(doc, piece), piece.offset)
            if not piece.last:
                continue
            extraction = finish(state.facts, piece.article, name, calibrated=calibrated)
            if min_confidence is not None:
                extraction = extraction.filtered(min_confidence)
        except Exception as error:  # one article's bad luck must not cost the others
            state.facts = None
            on_failure(piece.article, error)
            continue
        yield extraction


@dataclass(frozen=True)
class _Piece:
    """What was sent to the pipeline for ``article``: its whole text (``own`` is None), or one piece of it
    from ``offset`` on, of which ``own`` (relative to ``offset``) is the part whose facts are kept."""

    article: Article
    offset: int
    own: tuple[int, int] | None
    first: bool
    last: bool


class _Merging:
    """The facts gathered so far from the pieces of the article being extracted (``None`` once one failed)."""

    facts: Facts | None = None

    def next(self, piece: _Piece) -> _Piece:
        """Take the outcome of ``piece`` next: a new article starts afresh at its first piece."""
        if piece.first:
            self.facts = Facts()
        return piece


def _chunks(text: str, nlp: Language) -> list[Chunk]:
    if len(text) <= nlp.max_length:
        return [Chunk(0, len(text), 0, len(text))]
    return chunks(text, chunk_limit(nlp))


FACTS = "kg_facts"


@Language.factory(FACTS, assigns=["doc._.kg_facts"], requires=["doc.ents", "token.dep"])
def make_facts(nlp: Language, name: str) -> FactsFinder:
    """Reads the facts of each Doc that :func:`extract` sent, where the Doc is parsed."""
    return FactsFinder()


class FactsFinder(KgComponent):
    """The last component: :func:`facts_of` run where the Doc was parsed, so that with ``n_process > 1``
    the worker processes do it, not the one process that gathers their Docs (which made ``--jobs 2``
    gain less than spaCy's own two processes). ``portable`` facts are pickled, to travel in the Doc's
    ``user_data``; a Doc not sent by :func:`extract` (no ``doc._.kg_facts_in``) is left alone."""

    portable = False

    def __call__(self, doc: Doc) -> Doc:
        given = doc._.kg_facts_in
        if given is not None:
            day, own = given
            facts = facts_of(doc, None if day is None else dt.date.fromordinal(day),
                             own=None if own is None else (own[0], own[1]))
            doc._.kg_facts = pickle.dumps(facts, protocol=pickle.HIGHEST_PROTOCOL) if self.portable else facts
        return doc


def facts_in_pipeline(nlp: Language, *, portable: bool) -> None:
    """Add the ``kg_facts`` component at the end of ``nlp`` (once), its facts ``portable`` or not."""
    if FACTS not in nlp.pipe_names:
        nlp.add_pipe(FACTS, last=True)
    finder = nlp.get_pipe(FACTS)
    assert isinstance(finder, FactsFinder)
    finder.portable = portable


def _facts_found(doc: Doc, piece: _Piece) -> Facts:
    """The facts ``kg_facts`` found in ``doc`` (found now if it found none)."""
    found = doc._.kg_facts
    doc._.kg_facts = None
    if found is None:
        return facts_of(doc, piece.article.date, own=piece.own)
    if isinstance(found, bytes):
        facts = pickle.loads(found)  # from this run's own worker processes
        assert isinstance(facts, Facts)
        return facts
    assert isinstance(found, Facts)
    return found


def from_doc(doc: Doc, article: Article, model: str, *, calibrated: bool = True) -> Extraction:
    """Build the Extraction of one parsed article (with the shipped calibration unless ``calibrated``
    is false)."""
    return finish(facts_of(doc, article.date), article, model, calibrated=calibrated)


@dataclass
class Facts:
    """What a Doc says, before it becomes an :class:`~kg.model.Extraction`; the facts of a long article's
    pieces are gathered into one with :meth:`add`."""

    entities: dict[EntityRef, Entity] = field(default_factory=dict)
    surface: dict[EntityRef, set[str]] = field(default_factory=dict)
    mentions: list[Mention] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    policies: list[Policy] = field(default_factory=list)
    statements: list[Statement] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)

    def add(self, other: Facts, offset: int) -> None:
        """Add the facts of a piece that starts at ``offset`` in the article, after those gathered so far
        (an entity keeps the label and class it was first found with, as in one Doc)."""
        for ref, entity in other.entities.items():
            self.entities.setdefault(ref, entity)
            self.surface.setdefault(ref, set()).update(other.surface[ref])
        if offset == 0:
            moved = other
        else:
            moved = Facts(
                mentions=[replace(m, span=_moved(m.span, offset)) for m in other.mentions],
                events=[replace(e, trigger=_moved(e.trigger, offset), evidence=_moved(e.evidence, offset))
                        for e in other.events],
                policies=[replace(p, trigger=_moved(p.trigger, offset), evidence=_moved(p.evidence, offset))
                          for p in other.policies],
                statements=[replace(s, verb=_moved(s.verb, offset), quote=_moved(s.quote, offset),
                                    evidence=_moved(s.evidence, offset)) for s in other.statements],
                relations=[replace(r, evidence=_moved(r.evidence, offset)) for r in other.relations],
            )
        self.mentions += moved.mentions
        self.events += moved.events
        self.policies += moved.policies
        self.statements += moved.statements
        self.relations += moved.relations


def _moved(span: TextSpan, offset: int) -> TextSpan:
    return TextSpan(span.start + offset, span.end + offset, span.text)


def facts_of(doc: Doc, date: dt.date | None, *, own: tuple[int, int] | None = None) -> Facts:
    """The entities, mentions, events, policies, statements and relations of one parsed Doc (events and
    the like dated from ``date``, the article's dateline).

    With ``own``, the Doc is a piece of an article parsed with some text around it: only the mentions and
    the facts whose sentence starts in ``[own[0], own[1])`` are kept (with the entities they name).
    """

    def mine(span: TextSpan) -> bool:
        return own is None or own[0] <= span.start < own[1]

    facts = Facts()
    named: dict[EntityRef, Entity] = {}
    index_entities(doc)
    try:
        for ent in entities(doc):
            if ent.label_ not in ENTITY_CLASSES:
                continue
            ref = ref_of(ent)
            label = clean_name(ent.ent_id_ or ent.text)
            if not ref[1] or not label:  # nothing but symbols or emoji: no name
                continue
            entity = named.setdefault(ref, Entity(kind=ref[0], key=ref[1], label=label, cls=ent.label_))
            span = text_span(ent)
            if not mine(span):
                continue
            facts.entities.setdefault(ref, entity)
            facts.surface.setdefault(ref, set()).add(clean_name(ent.text))
            facts.mentions.append(Mention(span, ref, source=source_of(ent)))
        offices = role_mentions(doc)
        facts.mentions += [m for m in offices if mine(m.span)]
        index_offices(doc, ((m.span, m.entity) for m in offices))
        facts.events = [with_factuality(doc, e) for e in find_events(doc, date) if mine(e.evidence)]
        facts.policies = [with_factuality(doc, p) for p in find_policies(doc, date) if mine(p.evidence)]
        facts.statements = [with_factuality(doc, s) for s in find_statements(doc, date) if mine(s.evidence)]
        facts.relations = [r for r in find_relations(doc) if mine(r.evidence)]
    finally:
        forget_entities(doc)
    for ref in _referenced(facts.events, facts.policies, facts.statements, facts.relations):
        if ref not in facts.entities and ref in named:  # named only in the text around the piece
            facts.entities[ref] = named[ref]
            facts.surface[ref] = set()
    return facts


def finish(facts: Facts, article: Article, model: str, *, calibrated: bool = True) -> Extraction:
    """The Extraction of an article from its facts (with the shipped calibration unless ``calibrated``
    is false)."""
    entities = dict(facts.entities)
    surface = dict(facts.surface)
    events, policies, statements, relations = facts.events, facts.policies, facts.statements, facts.relations
    for ref in _referenced(events, policies, statements, relations):
        if ref not in entities and ref[0] == "country":
            # named only by a demonym ("Syrian oil imports"): the country is still the target
            entities[ref] = Entity(kind=ref[0], key=ref[1], label=_country_label(ref[1]), cls="Country")
            surface[ref] = set()
    typed = tuple(
        Entity(e.kind, e.key, e.label, e.cls, tuple(sorted(surface[e.ref] - {e.label})))
        for e in sorted(entities.values(), key=lambda e: e.ref)
    )
    known = set(entities)
    extraction = Extraction(
        article=article,
        model=model,
        entities=typed,
        mentions=tuple(facts.mentions),
        events=tuple(events),
        policies=tuple(policies),
        statements=tuple(s for s in statements if s.speaker in known),
        relations=tuple(r for r in relations if r.subject in known),
    )
    return shipped().apply(extraction) if calibrated else extraction


def _referenced(events: list[Event], policies: list[Policy], statements: list[Statement],
                relations: list[Relation]) -> list[EntityRef]:
    refs: list[EntityRef] = []
    for event in events:
        refs += [*event.agents, *event.targets, *event.locations]
    for policy in policies:
        refs += [*policy.issuers, *policy.targets]
    for statement in statements:
        refs += [*statement.about, *([statement.speaker] if statement.speaker else [])]
    for relation in relations:
        refs += [relation.subject, *([relation.object] if relation.object else [])]
    return refs


def _country_label(key: str) -> str:
    return next((name for name in countries().values() if normalise_name(name) == key), key.title())
