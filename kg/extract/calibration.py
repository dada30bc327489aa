"""Calibrated confidence: what kg knows about a mention or relation at extraction time, mapped to the
probability that it is right through a small fitted parameter file (``kg/data/calibration.json``).

Entity mentions are described by one-hot features (what produced the span, whether the lexicon knows
the name, its shape, whether it was resolved to a fuller name, whether it stands in a list of names, the
entity's kind, and how much of the document's mentions are country names); relations by their group
(``relation:<predicate>``, or ``event:<class>`` for the agent -> target pairs of an event) and the rule's
heuristic confidence. Each is mapped by an L2-regularised logistic model whose intercept is the rate
expected on a *new* source: the fit gives every training source its own penalised offset (see
:mod:`kg.evaluate.calibration_fit`), and only the features whose ranking carries over to unseen sources get a
weight. The file holds only weights, never text; its optional Platt maps (``sigmoid(slope * logit(p) +
intercept)``) are the identity in the shipped fit. Relations of a group the fit never saw keep their
heuristic confidence.
"""

from __future__ import annotations

import itertools
import json
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache

from kg.errors import DataError
from kg.model import Extraction, Mention, Relation
from kg.names import normalise_name
from kg.nlp import lexicon
from kg.resources import data_path

PARAMETERS = data_path("calibration.json")
FORMAT = 2
# buckets of the share of a document's mentions that are country names: list-like reports of coalition
# members are annotated less completely than prose
_COUNTRY_SHARE = (0.15, 0.3, 0.45)
_LIST_GAP = re.compile(r"\s*(?:,|;|/|,?\s+and|,?\s+or)\s*")


def _shape(text: str) -> str:
    letters = [c for c in text if c.isalpha()]
    if any(not (c.isalnum() or c in " -'’.&") for c in text):
        return "punct"
    if any(not c.isascii() for c in letters):
        return "nonascii"
    if any(c.isdigit() for c in text):
        return "digit"
    if len(letters) > 1 and all(c.isupper() for c in letters):
        return "upper"
    if not text[:1].isupper():
        return "lower"
    return "title"


def mention_features(mention: Mention, listed: bool = False, countries: int = 0) -> tuple[str, ...]:
    """The one-hot features of a mention: what produced it, whether the lexicon knows the name, its
    shape, whether it was resolved to another (fuller) name, whether it is an item of a list of names
    (``listed``), the entity's kind and the document's bucket of country-name mentions (``countries``,
    0 to 3, see :func:`extraction_mention_features`).

    All are described so that ``tools/calibrate.py`` can measure how each ranks on unseen sources; the fit
    gives weight only to the groups that rank right above wrong there
    (:data:`kg.evaluate.calibration_fit.MENTION_GROUPS`).
    """
    text = mention.span.text
    known = text in lexicon.known_names() or text in lexicon.countries() or text in lexicon.admin_areas()
    return (
        f"source={(mention.source or 'unknown').rstrip('~')}",
        f"lexicon={known}",
        f"shape={_shape(text)}",
        f"resolved={mention.entity[1] != normalise_name(text)}",
        f"listed={listed}",
        f"kind={mention.entity[0]}",
        f"countries={countries}",
    )


def country_share_bucket(mentions: Sequence[Mention]) -> int:
    """0 to 3: how large a share of ``mentions`` are country names (below 15%, 30%, 45%, or more)."""
    names = lexicon.countries()
    share = sum(1 for m in mentions if m.span.text in names) / len(mentions) if mentions else 0.0
    return sum(1 for cut in _COUNTRY_SHARE if share >= cut)


def extraction_mention_features(extraction: Extraction) -> list[tuple[str, ...]]:
    """The features of each mention of an extraction, in order."""
    text = extraction.article.text
    countries = country_share_bucket(extraction.mentions)
    order = sorted(range(len(extraction.mentions)), key=lambda i: extraction.mentions[i].span.start)
    listed: set[int] = set()
    for a, b in itertools.pairwise(order):
        first, second = extraction.mentions[a].span, extraction.mentions[b].span
        if _LIST_GAP.fullmatch(text[first.end:second.start]):
            listed.update((a, b))
    return [mention_features(m, i in listed, countries) for i, m in enumerate(extraction.mentions)]


def relation_group(relation: Relation) -> str:
    """The calibration group of a relation: ``relation:<predicate>``."""
    return f"relation:{relation.predicate}"


def _sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


@dataclass(frozen=True)
class Logistic:
    """``p = sigmoid(intercept + sum of weights of the present features + slope * raw)``."""

    intercept: float = 0.0
    weights: dict[str, float] = field(default_factory=dict)
    slope: float = 0.0

    def probability(self, features: Iterable[str], raw: float = 0.0) -> float:
        """The calibrated probability; unknown features weigh nothing."""
        z = self.intercept + self.slope * raw + sum(self.weights.get(f, 0.0) for f in features)
        return _sigmoid(z)

    def as_dict(self) -> dict[str, object]:
        """The JSON form (weights sorted by name)."""
        return {"intercept": self.intercept, "slope": self.slope, "weights": dict(sorted(self.weights.items()))}


def _logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))


@dataclass(frozen=True)
class Scaling:
    """A Platt map of probabilities: ``sigmoid(slope * logit(p) + intercept)``; the identity by default."""

    slope: float = 1.0
    intercept: float = 0.0

    def __call__(self, p: float) -> float:
        """``p`` rescaled."""
        return _sigmoid(self.slope * _logit(p) + self.intercept)

    def as_dict(self) -> dict[str, float]:
        """The JSON form."""
        return {"slope": self.slope, "intercept": self.intercept}


@dataclass(frozen=True)
class Calibration:
    """The fitted mapping for entity mentions and relations."""

    entity: Logistic = field(default_factory=Logistic)
    relation: Logistic = field(default_factory=Logistic)
    fitted_on: dict[str, int] = field(default_factory=dict)  # sample counts, for the record
    entity_scaling: Scaling = field(default_factory=Scaling)
    relation_scaling: Scaling = field(default_factory=Scaling)

    def mention_confidence(self, features: Sequence[str]) -> float:
        """The calibrated confidence of an entity mention."""
        return self.entity_scaling(self.entity.probability(features))

    def relation_confidence(self, group: str, raw: float) -> float:
        """The calibrated confidence of a relation (or event pair) of ``group`` with heuristic ``raw``;
        ``raw`` itself for a group the fit never saw."""
        feature = f"group={group}"
        if feature not in self.relation.weights:
            return raw
        return self.relation_scaling(self.relation.probability((feature,), raw))

    def apply(self, extraction: Extraction) -> Extraction:
        """The extraction with calibrated mention and relation confidences (from uncalibrated input),
        rounded to two decimals as the RDF writes them, so that a threshold cuts what one sees."""
        scores: dict[tuple[str, ...], float] = {}  # mentions share a few sets of features

        def score(features: tuple[str, ...]) -> float:
            found = scores.get(features)
            if found is None:
                found = scores[features] = round(self.mention_confidence(features), 2)
            return found

        features = extraction_mention_features(extraction)
        mentions = tuple(replace(m, confidence=score(f)) for m, f in zip(extraction.mentions, features, strict=False))
        relations = tuple(replace(r, confidence=round(self.relation_confidence(relation_group(r), r.confidence), 2))
                          for r in extraction.relations)
        return replace(extraction, mentions=mentions, relations=relations)

    def dumps(self) -> str:
        """The parameter file's text: sorted, rounded, byte-identical for the same fit."""
        data = {"format": FORMAT, "model": "logistic", "fitted_on": dict(sorted(self.fitted_on.items())),
                "entity": self.entity.as_dict(), "relation": self.relation.as_dict(),
                "scaling": {"entity": self.entity_scaling.as_dict(), "relation": self.relation_scaling.as_dict()}}
        return json.dumps(data, indent=1, sort_keys=False) + "\n"


def _logistic(data: object, where: str) -> Logistic:
    if not isinstance(data, dict):
        raise DataError(f"{where}: not a logistic model - refit with tools/calibrate.py")
    weights = data.get("weights", {})
    if not isinstance(weights, dict):
        raise DataError(f"{where}: weights is not an object - refit with tools/calibrate.py")
    return Logistic(float(data.get("intercept", 0.0)), {str(k): float(v) for k, v in weights.items()},
                    float(data.get("slope", 0.0)))


def _scaling(data: object, where: str) -> Scaling:
    if not isinstance(data, dict):
        raise DataError(f"{where}: not a Platt map - refit with tools/calibrate.py")
    return Scaling(float(data.get("slope", 1.0)), float(data.get("intercept", 0.0)))


def loads(text: str, where: str = "calibration parameters") -> Calibration:
    """Parse a parameter file.

    Raises:
        DataError: not a kg calibration file of a known format.
    """
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise DataError(f"{where}: not JSON ({exc}) - refit with tools/calibrate.py") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise DataError(f"{where}: not a kg calibration file of format {FORMAT} - refit with tools/calibrate.py")
    counts = data.get("fitted_on", {})
    scaling = data.get("scaling", {})
    if not isinstance(scaling, dict):
        raise DataError(f"{where}: scaling is not an object - refit with tools/calibrate.py")
    return Calibration(_logistic(data.get("entity"), f"{where}: entity"),
                       _logistic(data.get("relation"), f"{where}: relation"),
                       {str(k): int(v) for k, v in counts.items()} if isinstance(counts, dict) else {},
                       _scaling(scaling.get("entity", {}), f"{where}: entity scaling"),
                       _scaling(scaling.get("relation", {}), f"{where}: relation scaling"))


@lru_cache(maxsize=1)
def shipped() -> Calibration:
    """The calibration shipped with kg (``kg/data/calibration.json``)."""
    return loads(PARAMETERS.read_text(encoding="utf-8"), str(PARAMETERS))


# ----------------------------------------------------------------------------------------------- fitting






# ----------------------------------------------------------------------------------------------- measuring








