"""Fitting and cross-validating kg's calibration (:mod:`kg.calibration`) on labelled predictions.

The fit has two stages. The logistic models are fitted on all the training predictions. The Platt maps
(one for mentions, one for relations) are fitted on cross-fitted predictions, i.e. made by logistic
models that had not seen them, of two kinds pooled: each document fold predicted by models fitted on
the other folds (new documents of known sources), and each source (re3d sub-folder) predicted by models
fitted on the other sources (new sources). The maps learn how far such unseen-data predictions are from
right, so that the shipped confidences are those of a model meeting new text, whether from a known
source or not. Out of source, the mention features hardly rank right above wrong on re3d (the sources'
annotation habits differ), so the map flattens mention confidences towards kg's overall precision;
fitted on new-source predictions only it flattened them to one value, which serves no threshold.

Measuring is by cross-validation, never on predictions the measured fit saw: leaving one source out, and
over 5 deterministic folds of documents (document ``i`` in folder order is in fold ``i % 5``).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass

from .calibration import Calibration, Logistic, Scaling, fit_logistic, fit_scaling

DOCUMENT_FOLDS = 5


@dataclass(frozen=True)
class Sample:
    """One labelled prediction: its source folder, document number, kind, features, heuristic confidence
    (relations) and whether it was right."""

    folder: str
    document: int
    kind: str  # "entity" or "relation"
    features: tuple[str, ...]
    raw: float
    correct: bool


def _logistic(samples: Sequence[Sample], kind: str, l2: float) -> Logistic:
    chosen = [s for s in samples if s.kind == kind]
    return fit_logistic([(s.features, s.raw) for s in chosen], [s.correct for s in chosen], l2=l2)


def _unscaled(train: Sequence[Sample], l2: float) -> Calibration:
    return Calibration(_logistic(train, "entity", l2), _logistic(train, "relation", l2))


def fit_calibration(train: Sequence[Sample], l2: float = 1.0) -> Calibration:
    """The calibration fitted on ``train``: logistic models on all of it, Platt maps on its cross-fitted
    predictions (over the document folds, and leaving one source out when there are several)."""
    model = _unscaled(train, l2)
    folders = sorted({s.folder for s in train})
    held: list[tuple[Sample, float]] = []
    schemes: list[Callable[[Sample], Hashable]] = [by_document] + ([by_folder] if len(folders) > 1 else [])
    for fold_of in schemes:
        for fold in sorted({fold_of(s) for s in train}, key=str):
            inner = _unscaled([s for s in train if fold_of(s) != fold], l2)
            held += [(s, predict(inner, s)) for s in train if fold_of(s) == fold]

    def scaling(kind: str) -> Scaling:
        return fit_scaling([(p, s.correct) for s, p in held if s.kind == kind])

    counts = {"entities": sum(s.kind == "entity" for s in train),
              "relations": sum(s.kind == "relation" for s in train), "folders": len(folders)}
    return Calibration(model.entity, model.relation, counts, scaling("entity"), scaling("relation"))


def predict(calibration: Calibration, sample: Sample) -> float:
    """The calibrated confidence of a sample."""
    if sample.kind == "entity":
        return calibration.mention_confidence(sample.features)
    return calibration.relation_confidence(sample.features[0].removeprefix("group="), sample.raw)


def cross_validate(samples: Sequence[Sample], fold_of: Callable[[Sample], Hashable],
                   l2: float = 1.0) -> dict[Hashable, list[tuple[float, bool]]]:
    """Held-out (confidence, correct) pairs per fold: each fold is predicted by a calibration fitted on
    the others (with :func:`fit_calibration`, inner cross-fitting included)."""
    out: dict[Hashable, list[tuple[float, bool]]] = {}
    for fold in sorted({fold_of(s) for s in samples}, key=str):
        model = fit_calibration([s for s in samples if fold_of(s) != fold], l2)
        out[fold] = [(predict(model, s), s.correct) for s in samples if fold_of(s) == fold]
    return out


def by_folder(sample: Sample) -> str:
    """The leave-one-source-out fold of a sample: its folder."""
    return sample.folder


def by_document(sample: Sample) -> int:
    """The document fold of a sample (``document % 5``)."""
    return sample.document % DOCUMENT_FOLDS
