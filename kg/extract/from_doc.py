"""Run spaCy over articles and collect what they say: entities, mentions, events, policies,
statements and relations, as :class:`~kg.model.Extraction` objects (one per article, streamed)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from spacy.language import Language
from spacy.tokens import Doc

from kg.extract.calibration import shipped
from kg.extract.events import find_events
from kg.extract.offices import role_mentions
from kg.extract.policies import find_policies
from kg.extract.relations.find import find_relations
from kg.extract.spans import forget_entities, index_entities, index_offices, ref_of, text_span
from kg.extract.statements import find_statements
from kg.model import ENTITY_CLASSES, Article, Entity, EntityRef, Event, Extraction, Mention, Policy, Relation, Statement
from kg.names import clean_name, normalise_name
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

    >>> from kg.nlp.load import load_pipeline
    >>> nlp = load_pipeline()
    >>> [x.article.id for x in extract([Article(id="a1", text="ISIS attacked Kirkuk.")], nlp)]
    ['a1']
    """
    name = model_name(nlp)
    for article, doc in parse_articles(articles, nlp, on_failure=on_failure, batch_size=batch_size,
                                       n_process=n_process):
        try:
            extraction = from_doc(doc, article, name, calibrated=calibrated)
            if min_confidence is not None:
                extraction = extraction.filtered(min_confidence)
        except Exception as error:  # one article's bad luck must not cost the others
            on_failure(article, error)
            continue
        yield extraction


def from_doc(doc: Doc, article: Article, model: str, *, calibrated: bool = True) -> Extraction:
    """Build the Extraction of one parsed article (with the shipped calibration unless ``calibrated``
    is false)."""
    entities: dict[tuple[str, str], Entity] = {}
    surface: dict[tuple[str, str], set[str]] = {}
    mentions: list[Mention] = []
    for ent in doc.ents:
        if ent.label_ not in ENTITY_CLASSES:
            continue
        ref = ref_of(ent)
        label = clean_name(ent.ent_id_ or ent.text)
        if not ref[1] or not label:  # nothing but symbols or emoji: no name
            continue
        if ref not in entities:
            entities[ref] = Entity(kind=ref[0], key=ref[1], label=label, cls=ent.label_)
        surface.setdefault(ref, set()).add(clean_name(ent.text))
        mentions.append(Mention(text_span(ent), ref, source=source_of(ent)))
    index_entities(doc)
    try:
        offices = role_mentions(doc)
        mentions += offices
        index_offices(doc, ((m.span, m.entity) for m in offices))
        events = find_events(doc, article.date)
        policies = find_policies(doc, article.date)
        statements = find_statements(doc, article.date)
        relations = find_relations(doc)
    finally:
        forget_entities(doc)
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
        mentions=tuple(mentions),
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
