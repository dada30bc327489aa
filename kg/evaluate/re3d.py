"""Score kg's entities and relations against Dstl re3d gold annotations (``kg eval re3d``).

re3d comes as sub-folders (one per source) that each hold ``documents.json``, ``entities.json`` and
``relations.json``: mongoexport JSON Lines, possibly with a UTF-8 byte order mark and blank lines.
Offsets are character offsets into the document ``text``. Documents are ``{_id, title, text, ...}``,
entities ``{documentId, begin, end, type, value, confidence}``, relations ``{documentId, type,
sourceBegin, sourceEnd, source, targetBegin, targetEnd, target, confidence}``.

Gold data scored
    Entities of type Person, Organisation and Location with ``confidence`` >= 0.5 whose text is a
    *name*: not a pronoun, and with a word that starts upper-case ("the army" and "he" are left out;
    kg only extracts names). Relations of the four types below with ``confidence`` >= 0.5 whose source
    and target are both names by the same rule; symmetric relations annotated in both directions count
    once. A leading "the", "a" or "an" is ignored on gold and kg spans alike.

Entity types
    kg's Person is Person; Organization and its subclasses (ArmedGroup, SecurityForce,
    GovernmentBody, PoliticalGroup, InternationalOrganization, MediaOrganization) are Organisation, and
    so is Population (re3d annotates a collective such as "the Syrian people" or "Iraqis" as an
    Organisation);
    Location classes (AdministrativeArea, Settlement, Facility, NaturalFeature, Area) are Location.
    re3d calls a country that acts an Organisation and a country as a place a Location, so a kg
    mention typed Country or State takes whichever of the two the gold gives at that span (scored gold
    first, then left-out gold; Location for a Country, Organisation for a State where there is none).

Relation mapping (re3d -> kg predicate)
    =================  ========================================================  ===========
    re3d               kg                                                        direction
    =================  ========================================================  ===========
    FightingAgainst    ``opposes``; also every agent -> target pair of an event  either way
    AlliesOf           ``alliedWith``                                            either way
    InChargeOf         ``leaderOf`` (leader -> organisation); ``controls``       source->target
                       (armed group -> place it holds)
    BelongsTo          ``memberOf``, ``partOf`` (member -> group)                source->target
    =================  ========================================================  ===========

    kg's other predicates (spokespersonFor, affiliatedWith, holdsPosition) have no re3d counterpart
    and are not scored. A kg relation's arguments are the mention spans of its subject and object
    entities inside the relation's evidence sentence (anywhere in the document if none is there).

Matching
    An entity matches when the types agree and the spans overlap (``exact`` scores ask for the same
    span); a relation matches when the types agree and both arguments overlap the gold source and
    target spans. Matching is one-to-one (a maximum matching per document), so
    precision = tp / (tp + fp) and recall = tp / (tp + fn). A kg mention that matches nothing but
    overlaps a gold entity of its type that was left out (low confidence, pronoun, nominal) is
    neither right nor wrong: it is counted as ``ignored``.

Calibration
    Every scored prediction (not the ignored ones) is also kept as a :class:`Judgement`: its confidence
    and whether it matched. A relation's confidence is the kg relation's; an event pair's is the event's
    heuristic confidence mapped by the calibration's ``event:<class>`` group. ``min_confidence`` scores
    only predictions at or above it (the extraction is filtered as ``--min-confidence`` does).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from spacy.language import Language

from kg.evaluate.re3d_gold import (
    ENTITY_TYPES,
    RELATION_PREDICATES,
    RELATION_TYPES,
    SYMMETRIC,
    GoldEntity,
    GoldRelation,
    Re3dDocument,
    Span,
    read_re3d,
    strip_article,
)
from kg.evaluate.reliability import BINS, ece, format_reliability, reliability
from kg.extract.calibration import Calibration, shipped
from kg.extract.from_doc import extract
from kg.model import LOCATION_CLASSES, ORGANIZATION_CLASSES, POPULATION_CLASSES, EntityRef, Extraction, TextSpan

_TYPE_OF_PREDICATE = {p: t for t, preds in RELATION_PREDICATES.items() for p in preds}
_FLEXIBLE = {"Country": "Location", "State": "Organisation"}  # typed by the gold at the span
L = TypeVar("L")
R = TypeVar("R")


def gold_type(cls: str) -> str | None:
    """The re3d type of a kg ontology class (Country and State: decided by the gold, see module doc)."""
    if cls == "Person":
        return "Person"
    if cls in _FLEXIBLE:
        return _FLEXIBLE[cls]
    if cls in ORGANIZATION_CLASSES or cls in POPULATION_CLASSES:
        return "Organisation"
    if cls in LOCATION_CLASSES:
        return "Location"
    return None


@dataclass
class Counts:
    """True positives, false positives and false negatives of one type."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        """tp / (tp + fp)."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        """tp / (tp + fn)."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, other: Counts) -> None:
        """Add another type's counts (for the micro average)."""
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn

    def as_dict(self) -> dict[str, object]:
        """Counts and scores, for ``--format json``."""
        return {"gold": self.tp + self.fn, "predicted": self.tp + self.fp, "tp": self.tp, "fp": self.fp,
                "fn": self.fn, "precision": round(self.precision, 4), "recall": round(self.recall, 4),
                "f1": round(self.f1, 4)}


def _micro(table: dict[str, Counts]) -> Counts:
    total = Counts()
    for counts in table.values():
        total.add(counts)
    return total


@dataclass(frozen=True)
class Judgement:
    """One scored prediction: an entity mention (``index`` into the extraction's mentions) or a
    relation (``group`` ``relation:<predicate>`` or ``event:<class>``, ``raw`` its rule's confidence,
    ``index`` into the extraction's relations, -1 for an event's agent -> target pair)."""

    kind: str  # "entity" or "relation"
    confidence: float
    correct: bool
    index: int = -1
    group: str = ""
    raw: float = 0.0


@dataclass
class Re3dScore:
    """Entity (overlap and exact span) and relation counts per re3d type, with what went wrong."""

    documents: int = 0
    entities: dict[str, Counts] = field(default_factory=lambda: {t: Counts() for t in ENTITY_TYPES})
    exact: dict[str, Counts] = field(default_factory=lambda: {t: Counts() for t in ENTITY_TYPES})
    relations: dict[str, Counts] = field(default_factory=lambda: {t: Counts() for t in RELATION_TYPES})
    ignored: int = 0  # kg mentions on left-out gold of their type
    # (gold type, kg class) where kg typed a missed gold mention otherwise (spans overlap by half or more)
    confusions: Counter[tuple[str, str]] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    judgements: list[Judgement] = field(default_factory=list)
    min_confidence: float | None = None
    # the same scores per re3d source (sub-folder) when more than one is scored: how far each figure travels
    sources: dict[str, Re3dScore] = field(default_factory=dict)

    @property
    def calibration_pairs(self) -> list[tuple[float, bool]]:
        """(confidence, correct) of every scored entity and relation prediction."""
        return [(j.confidence, j.correct) for j in self.judgements]

    def as_dict(self) -> dict[str, object]:
        """Everything, for ``--format json``."""
        def table(counts: dict[str, Counts]) -> dict[str, object]:
            return {**{name: c.as_dict() for name, c in counts.items()}, "micro": _micro(counts).as_dict()}

        return {"documents": self.documents, "entities": table(self.entities), "exact": table(self.exact),
                "relations": table(self.relations), "ignored_predictions": self.ignored,
                "confusions": [{"gold": g, "kg": k, "count": n} for (g, k), n in self.confusions.most_common()],
                "min_confidence": self.min_confidence, "calibration": {
                    "ece": round(ece(self.calibration_pairs), 4),
                    "bins": [{"low": b.low, "high": b.high, "n": b.n, "confidence": round(b.confidence, 4),
                              "accuracy": round(b.accuracy, 4)} for b in reliability(self.calibration_pairs)]},
                "sources": {name: {k: v for k, v in source.as_dict().items() if k not in {"errors", "sources"}}
                            for name, source in self.sources.items()},
                "errors": self.errors}


# ----------------------------------------------------------------------------------------------- scoring


def _overlaps(a: Span, b: Span) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _overlap(a: Span, b: Span) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def max_matching(left: Sequence[L], right: Sequence[R], edge: Callable[[L, R], bool]) -> list[tuple[int, int]]:
    """A maximum one-to-one matching, as index pairs, between two lists (augmenting paths)."""
    adjacent = [[j for j, b in enumerate(right) if edge(a, b)] for a in left]
    owner: list[int | None] = [None] * len(right)

    def augment(i: int, seen: set[int]) -> bool:
        for j in adjacent[i]:
            if j in seen:
                continue
            seen.add(j)
            current = owner[j]
            if current is None or augment(current, seen):
                owner[j] = i
                return True
        return False

    for i in range(len(left)):
        augment(i, set())
    return [(i, j) for j, i in enumerate(owner) if i is not None]


@dataclass(frozen=True)
class _Predicted:
    start: int
    end: int
    type: str
    cls: str
    text: str
    index: int = -1
    confidence: float = 1.0


def predicted_entities(extraction: Extraction, gold: Sequence[GoldEntity], scored: int | None = None
                       ) -> list[_Predicted]:
    """kg's mentions as re3d-typed spans; Country and State take the type of the gold at the span.

    ``gold[:scored]`` is the scored gold, the rest left-out gold (scored gold wins where both are).
    """
    cls_of = {entity.ref: entity.cls for entity in extraction.entities}
    kept = set(gold[:scored]) if scored is not None else set(gold)
    out: list[_Predicted] = []
    for index, mention in enumerate(extraction.mentions):
        cls = cls_of.get(mention.entity, "")
        kind = gold_type(cls)
        if kind is None:
            continue
        start, end, text = strip_article(mention.span.start, mention.span.end, mention.span.text)
        if cls in _FLEXIBLE:  # kept gold first, then left-out gold (so the mention is ignored, not wrong)
            at = [g for g in gold if g.type in {"Organisation", "Location"} and _overlaps((g.start, g.end), (start, end))]
            if at:
                best = max(at, key=lambda g: (g in kept, (g.start, g.end) == (start, end),
                                              _overlap((g.start, g.end), (start, end))))
                kind = best.type
        out.append(_Predicted(start, end, kind, cls, text, index, mention.confidence))
    return out


def _score_entities(doc: Re3dDocument, predicted: list[_Predicted], score: Re3dScore) -> None:
    doc_id = doc.article.id
    for kind in ENTITY_TYPES:
        gold = [g for g in doc.entities if g.type == kind]
        mine = [p for p in predicted if p.type == kind]
        pairs = max_matching(gold, mine, lambda g, p: _overlaps((g.start, g.end), (p.start, p.end)))
        matched_gold = {i for i, _ in pairs}
        matched_mine = {j for _, j in pairs}
        counts = score.entities[kind]
        counts.tp += len(pairs)
        counts.fn += len(gold) - len(pairs)
        for j, p in enumerate(mine):
            if j in matched_mine:
                score.judgements.append(Judgement("entity", p.confidence, True, p.index))
                continue
            if any(g.type == kind and _overlaps((g.start, g.end), (p.start, p.end)) for g in doc.ignored):
                score.ignored += 1
                continue
            counts.fp += 1
            score.judgements.append(Judgement("entity", p.confidence, False, p.index))
            other = next((g for g in doc.entities if _overlaps((g.start, g.end), (p.start, p.end))), None)
            if other is None:
                score.errors.append(f"{doc_id} kg {p.cls} {p.text!r}: not in the gold")
        for i, g in enumerate(gold):
            if i in matched_gold:
                continue
            at = [p for p in predicted if p.type != kind and _overlaps((g.start, g.end), (p.start, p.end))]
            if at:
                best = max(at, key=lambda p: _overlap((g.start, g.end), (p.start, p.end)))
                same = _overlap((g.start, g.end), (best.start, best.end)) * 2 >= max(g.end - g.start,
                                                                                     best.end - best.start)
                if same:  # the same mention, typed otherwise (not a name inside a longer gold mention)
                    score.confusions[(kind, best.cls)] += 1
                score.errors.append(f"{doc_id} gold {kind} {g.text!r}: kg {best.cls} {best.text!r}"
                                    + ("" if same else " (inside)"))
            else:
                score.errors.append(f"{doc_id} gold {kind} {g.text!r}: missed")
        exact = score.exact[kind]
        pairs = max_matching(gold, mine, lambda g, p: (g.start, g.end) == (p.start, p.end))
        exact_mine = {j for _, j in pairs}
        unmatched = [p for j, p in enumerate(mine) if j not in exact_mine]
        exact.tp += len(pairs)
        exact.fn += len(gold) - len(pairs)
        exact.fp += sum(1 for p in unmatched if not any(
            g.type == kind and _overlaps((g.start, g.end), (p.start, p.end)) for g in doc.ignored))


@dataclass(frozen=True)
class _PredictedRelation:
    type: str
    subject: tuple[Span, ...]
    object: tuple[Span, ...]
    label: str
    group: str = ""
    raw: float = 1.0
    confidence: float = 1.0
    index: int = -1  # of the kg relation in the extraction; -1 for an event pair


def predicted_relations(extraction: Extraction, calibration: Calibration | None = None) -> list[_PredictedRelation]:
    """kg's relations and event agent -> target pairs, as re3d-typed pairs of mention spans.

    An event pair's confidence is the event's, mapped by ``calibration`` when one is given.
    """
    spans: dict[EntityRef, list[Span]] = {}
    for mention in extraction.mentions:
        spans.setdefault(mention.entity, []).append((mention.span.start, mention.span.end))

    def spans_in(ref: EntityRef, evidence: TextSpan) -> tuple[Span, ...]:
        everywhere = spans.get(ref, [])
        inside = [s for s in everywhere if evidence.start <= s[0] and s[1] <= evidence.end]
        return tuple(inside or everywhere)

    pairs: list[tuple[str, EntityRef, EntityRef, TextSpan, str, str, float, float, int]] = []
    for index, relation in enumerate(extraction.relations):
        kind = _TYPE_OF_PREDICATE.get(relation.predicate)
        if kind is not None and relation.object is not None:
            pairs.append((kind, relation.subject, relation.object, relation.evidence, relation.predicate,
                          f"relation:{relation.predicate}", relation.confidence, relation.confidence, index))
    for event in extraction.events:
        group = f"event:{event.cls}"
        confidence = calibration.relation_confidence(group, event.confidence) if calibration else event.confidence
        for agent in event.agents:
            for target in event.targets:
                if agent != target:
                    pairs.append(("FightingAgainst", agent, target, event.evidence, f"{event.cls} agent/target",
                                  group, event.confidence, confidence, -1))
    out: list[_PredictedRelation] = []
    seen: set[tuple[object, ...]] = set()
    for kind, subject, obj, evidence, label, group, raw, confidence, index in pairs:
        ends = tuple(sorted([subject, obj])) if kind in SYMMETRIC else (subject, obj)
        key = (kind, ends, evidence.start)
        if key in seen:
            continue
        seen.add(key)
        out.append(_PredictedRelation(kind, spans_in(subject, evidence), spans_in(obj, evidence),
                                      f"{subject[1]} {label} {obj[1]}", group, raw, confidence, index))
    return out


def _relation_matches(gold: GoldRelation, mine: _PredictedRelation) -> bool:
    if gold.type != mine.type:
        return False

    def hits(spans: tuple[Span, ...], span: Span) -> bool:
        return any(_overlaps(s, span) for s in spans)

    forward = hits(mine.subject, gold.source) and hits(mine.object, gold.target)
    backward = hits(mine.subject, gold.target) and hits(mine.object, gold.source)
    return forward or (gold.type in SYMMETRIC and backward)


def _score_relations(doc: Re3dDocument, extraction: Extraction, score: Re3dScore,
                     calibration: Calibration | None) -> None:
    predicted = [p for p in predicted_relations(extraction, calibration)
                 if score.min_confidence is None or p.confidence >= score.min_confidence]
    for kind in RELATION_TYPES:
        gold = [g for g in doc.relations if g.type == kind]
        mine = [p for p in predicted if p.type == kind]
        pairs = max_matching(gold, mine, _relation_matches)
        counts = score.relations[kind]
        counts.tp += len(pairs)
        counts.fp += len(mine) - len(pairs)
        counts.fn += len(gold) - len(pairs)
        matched = {j for _, j in pairs}
        score.judgements += [Judgement("relation", p.confidence, j in matched, p.index, p.group, p.raw)
                             for j, p in enumerate(mine)]
        score.errors += [f"{doc.article.id} kg {kind} {p.label}: not in the gold"
                         for j, p in enumerate(mine) if j not in matched]
        found = {i for i, _ in pairs}
        score.errors += [f"{doc.article.id} gold {kind} {g.source_text!r} -> {g.target_text!r}: missed"
                         for i, g in enumerate(gold) if i not in found]


def score_document(doc: Re3dDocument, extraction: Extraction, score: Re3dScore,
                   calibration: Calibration | None = None) -> None:
    """Add one document's counts and judgements to ``score`` (filtered at ``score.min_confidence``;
    ``calibration`` maps event pairs' confidence)."""
    score.documents += 1
    if score.min_confidence is not None:
        extraction = extraction.filtered(score.min_confidence)
    gold = (*doc.entities, *doc.ignored)
    _score_entities(doc, predicted_entities(extraction, gold, len(doc.entities)), score)
    _score_relations(doc, extraction, score, calibration)


def score_re3d(path: Path, nlp: Language, min_confidence: float | None = None) -> Re3dScore:
    """Extract every re3d document under ``path`` and score entities and relations."""
    documents = read_re3d(path)
    return score_extractions(documents, extract((d.article for d in documents), nlp), min_confidence)


def score_extractions(documents: Sequence[Re3dDocument], extractions: Iterable[Extraction],
                      min_confidence: float | None = None) -> Re3dScore:
    """Score given calibrated extractions (in document order) against the gold, with the shipped
    calibration for event pairs, keeping only predictions at or above ``min_confidence``."""
    score = Re3dScore(min_confidence=min_confidence)
    calibration = shipped()
    several = len({doc.source for doc in documents}) > 1
    for doc, extraction in zip(documents, extractions, strict=False):
        score_document(doc, extraction, score, calibration)
        if several:
            source = score.sources.setdefault(doc.source, Re3dScore(min_confidence=min_confidence))
            score_document(doc, extraction, source, calibration)
    return score


# ----------------------------------------------------------------------------------------------- output


def format_re3d(score: Re3dScore, fmt: str = "table") -> str:
    """The score as tables (entities by overlap and by exact span, relations) or as JSON."""
    if fmt == "json":
        return json.dumps(score.as_dict(), indent=2, ensure_ascii=False)

    def rows(title: str, table: dict[str, Counts]) -> list[str]:
        out = [f"{title:18} {'gold':>5} {'kg':>5} {'tp':>5} {'fp':>5} {'fn':>5}  {'P':>6} {'R':>6} {'F1':>6}"]
        for name, c in [*table.items(), ("micro", _micro(table))]:
            out.append(f"  {name:16} {c.tp + c.fn:5d} {c.tp + c.fp:5d} {c.tp:5d} {c.fp:5d} {c.fn:5d}  "
                       f"{c.precision:6.3f} {c.recall:6.3f} {c.f1:6.3f}")
        return out

    lines = [*rows("entities (overlap)", score.entities), *rows("entities (exact)", score.exact),
             *rows("relations", score.relations),
             f"documents {score.documents}; kg mentions on left-out gold (ignored): {score.ignored}"
             + (f"; predictions below confidence {score.min_confidence} dropped"
                if score.min_confidence is not None else "")]
    if score.confusions:
        top = ", ".join(f"{g}->{k} {n}" for (g, k), n in score.confusions.most_common(8))
        lines.append(f"type confusions (gold->kg): {top}")
    lines.append(format_reliability(score.calibration_pairs, f"calibration (entities+relations, {BINS} bins)"))
    if score.sources:
        lines += format_sources(score.sources)
    return "\n".join(lines)


def format_sources(sources: dict[str, Re3dScore]) -> list[str]:
    """One line per re3d source: documents, entity F1 (micro and per type), relation F1 (micro and per
    type) and ECE, so that a rule fitted to one source shows where it does not travel."""
    types = [t[:3] for t in ENTITY_TYPES] + ["Fig", "All", "InC", "Bel"]
    out = [f"per source{'':24} docs  ent F1 {' '.join(f'{t:>5}' for t in types[:3])}  rel F1 "
           f"{' '.join(f'{t:>5}' for t in types[3:])}    ECE"]
    for name, s in sorted(sources.items()):
        entity = " ".join(f"{s.entities[t].f1:5.3f}" for t in ENTITY_TYPES)
        relation = " ".join(f"{s.relations[t].f1:5.3f}" for t in RELATION_TYPES)
        out.append(f"  {name[:32]:32} {s.documents:4d}  {_micro(s.entities).f1:6.3f} {entity}  "
                   f"{_micro(s.relations).f1:6.3f} {relation}  {ece(s.calibration_pairs):5.3f}")
    return out
