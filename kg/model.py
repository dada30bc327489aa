"""Small frozen dataclasses passed between the pipeline stages.

Offsets are character offsets into :attr:`Article.text` (the body as read), end exclusive.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace


@dataclass(frozen=True)
class Caption:
    """A photo caption and its credit, e.g. ``("ISIS member arrested.", "AFP")``."""

    text: str
    credit: str | None = None


@dataclass(frozen=True)
class Article:
    """One news article: body text plus what is known about it.

    ``origin`` says where it came from (``file.txt: article 2``) for messages.
    """

    id: str
    text: str
    title: str | None = None
    captions: tuple[Caption, ...] = ()
    date: dt.date | None = None
    url: str | None = None
    source: str | None = None
    language: str | None = None
    origin: str = "<input>"


@dataclass(frozen=True)
class TextSpan:
    """A span of the article body with its exact text."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Entity:
    """A named thing, identified within and across articles by ``(kind, key)``.

    ``cls`` is the local name of its most specific ontology class (``"ArmedGroup"``).
    ``kind`` is the IRI segment (``"person"``, ``"organization"``, ``"settlement"``...).
    ``key`` is the normalised canonical name the IRI is minted from.
    """

    kind: str
    key: str
    label: str
    cls: str
    aliases: tuple[str, ...] = ()

    @property
    def ref(self) -> tuple[str, str]:
        """The identity of the entity: ``(kind, key)``."""
        return (self.kind, self.key)


EntityRef = tuple[str, str]


@dataclass(frozen=True)
class Mention:
    """An entity mention: a span of the body that names ``entity``.

    ``source`` says what produced the span (``"ner:ORG"``, ``"rule"``, ``"added"``, ``"role"`` for an
    office title resolved to its holder; a trailing ``~`` when kg changed its bounds), ``confidence`` is the calibrated probability that it is right
    (see :mod:`kg.extract.calibration`; 1.0 before calibration).
    """

    span: TextSpan
    entity: EntityRef
    confidence: float = 1.0
    source: str = ""


@dataclass(frozen=True)
class TimeRef:
    """A time expression anchored to the calendar (or not, when there is no dateline).

    ``precision`` is ``"Day"``, ``"Week"``, ``"Month"`` or ``"Year"``.
    """

    text: str
    start: dt.date | None = None
    end: dt.date | None = None
    precision: str | None = None


@dataclass(frozen=True)
class Event:
    """An operation or attack: ``cls`` is the ontology class (``"SearchOperation"``).

    ``factuality`` is one of :data:`FACTUALITIES`; ``killed``/``injured`` are the reported counts
    (``None`` when not given as a number), with ``*_lower_bound`` set for "at least 40".
    """

    cls: str
    trigger: TextSpan
    evidence: TextSpan
    confidence: float
    agents: tuple[EntityRef, ...] = ()
    targets: tuple[EntityRef, ...] = ()
    locations: tuple[EntityRef, ...] = ()
    time: TimeRef | None = None
    status: str | None = None
    factuality: str = "Asserted"
    killed: int | None = None
    injured: int | None = None
    killed_lower_bound: bool = False
    injured_lower_bound: bool = False


FACTUALITIES = ("Asserted", "Negated", "Possible", "Planned")
"""The values of ``factuality`` on events, policies and statements (local names of kg:Factuality)."""


@dataclass(frozen=True)
class Policy:
    """A sanction, ban, asset freeze, agreement, designation or law."""

    cls: str
    trigger: TextSpan
    evidence: TextSpan
    confidence: float
    issuers: tuple[EntityRef, ...] = ()
    targets: tuple[EntityRef, ...] = ()
    sectors: tuple[str, ...] = ()
    status: str = "InForce"
    proposed_change: str | None = None
    time: TimeRef | None = None
    factuality: str = "Asserted"


@dataclass(frozen=True)
class Statement:
    """Reported speech: who said what (``quote`` is an exact span of the body)."""

    verb: TextSpan
    quote: TextSpan
    evidence: TextSpan
    confidence: float
    speaker: EntityRef | None = None
    about: tuple[EntityRef, ...] = ()
    addressee: EntityRef | None = None
    time: TimeRef | None = None
    factuality: str = "Asserted"


@dataclass(frozen=True)
class Position:
    """A post in an organisation, e.g. "foreign policy chief" of the European Union."""

    label: str
    organization: EntityRef


@dataclass(frozen=True)
class Relation:
    """A binary relation between two entities, or an entity and a position.

    ``predicate`` is the local name of an ontology property (``"leaderOf"``).
    """

    subject: EntityRef
    predicate: str
    evidence: TextSpan
    confidence: float
    object: EntityRef | None = None
    position: Position | None = None


@dataclass(frozen=True)
class Link:
    """An entity linked to a Wikidata item, with the linker's confidence and the source that knew it.

    ``coordinates`` is ``(longitude, latitude)`` for places, when known.
    """

    entity: EntityRef
    qid: str
    confidence: float
    source: str
    coordinates: tuple[float, float] | None = None


@dataclass(frozen=True)
class Extraction:
    """Everything extracted from one article."""

    article: Article
    model: str
    entities: tuple[Entity, ...] = ()
    mentions: tuple[Mention, ...] = ()
    events: tuple[Event, ...] = ()
    policies: tuple[Policy, ...] = ()
    statements: tuple[Statement, ...] = ()
    relations: tuple[Relation, ...] = ()
    links: tuple[Link, ...] = ()
    notes: tuple[str, ...] = field(default=())

    def filtered(self, min_confidence: float) -> Extraction:
        """The extraction without mentions, relations, events, policies and statements whose confidence
        is below ``min_confidence``.

        An entity whose mentions are all dropped goes too (entities named only by a demonym, which have
        no mention, stay), and so do its links, the relations and statements it is the subject or speaker
        of, and its roles in the events, policies and statements that are kept.
        """
        mentions = tuple(m for m in self.mentions if m.confidence >= min_confidence)
        mentioned = {m.entity for m in self.mentions}
        kept_refs = {m.entity for m in mentions}
        gone = mentioned - kept_refs

        def keep(refs: tuple[EntityRef, ...]) -> tuple[EntityRef, ...]:
            return tuple(ref for ref in refs if ref not in gone)

        return replace(
            self,
            entities=tuple(e for e in self.entities if e.ref not in gone),
            mentions=mentions,
            events=tuple(replace(e, agents=keep(e.agents), targets=keep(e.targets), locations=keep(e.locations))
                         for e in self.events if e.confidence >= min_confidence),
            policies=tuple(replace(p, issuers=keep(p.issuers), targets=keep(p.targets))
                           for p in self.policies if p.confidence >= min_confidence),
            statements=tuple(replace(s, about=keep(s.about),
                                     addressee=None if s.addressee in gone else s.addressee)
                             for s in self.statements
                             if s.confidence >= min_confidence and s.speaker not in gone),
            relations=tuple(r for r in self.relations if r.confidence >= min_confidence and r.subject not in gone
                            and r.object not in gone
                            and (r.position is None or r.position.organization not in gone)),
            links=tuple(link for link in self.links if link.entity not in gone),
        )


LOCATION_CLASSES = frozenset({"Country", "AdministrativeArea", "Settlement", "Facility", "NaturalFeature", "Area"})


ORGANIZATION_CLASSES = frozenset({"Organization", "ArmedGroup", "SecurityForce", "GovernmentBody", "PoliticalGroup",
                                  "InternationalOrganization", "MediaOrganization", "State"})


POPULATION_CLASSES = frozenset({"Population"})


ENTITY_CLASSES = LOCATION_CLASSES | ORGANIZATION_CLASSES | POPULATION_CLASSES | {"Person"}
