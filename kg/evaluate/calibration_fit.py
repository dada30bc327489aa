"""Fitting and cross-validating kg's calibration (:mod:`kg.extract.calibration`) on labelled predictions.

kg's precision differs by source (re3d sub-folder): on mentions from 0.81 to 0.96, on relations from
0.43 to 0.68. A fit that pools the sources learns their mix, and the mention features that separate
right from wrong within the training sources mostly track which source a mention came from: out of
source they rank right *below* wrong. So the fit (1) gives each training source its own offset,
penalised like a random effect (``origin=<folder>``, never shipped), so the shipped intercept is the rate
expected on a new source and the other weights are learnt within sources; (2) keeps only the mention
feature groups whose leave-one-source-out AUC is above 0.5 (:data:`MENTION_GROUPS`, see
:func:`feature_auc`); (3) shrinks the relation groups hard towards the relations' pooled rate, as the
predicate's precision carries over between sources only partly. The penalties were chosen by the
cross-validated ECE over a grid (``tools/calibrate.py --spread`` prints it); the Platt maps of the
parameter file stay the identity, since maps fitted on cross-fitted predictions raised the
leave-one-source-out error (0.072 against 0.037).

Measuring is by cross-validation, never on predictions the measured fit saw: leaving one source out, and
over 5 deterministic folds of documents (document ``i`` in folder order is in fold ``i % 5``).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass

from kg.extract.calibration import Calibration, Logistic

DOCUMENT_FOLDS = 5
# chosen by leave-one-source-out AUC on re3d (tools/calibrate.py prints it per group)
MENTION_GROUPS = ("resolved", "listed")
_ORIGIN = "origin"


@dataclass(frozen=True)
class Settings:
    """The fit's hyper-parameters: L2 penalties of the mention and relation weights and of the
    per-source offsets, and the mention feature groups given a weight."""

    entity_l2: float = 1.0
    relation_l2: float = 10.0
    source_l2: float = 1.0
    mention_groups: tuple[str, ...] = MENTION_GROUPS


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


def _features(sample: Sample, groups: Sequence[str] | None) -> tuple[str, ...]:
    if sample.kind != "entity" or groups is None:
        return sample.features
    return tuple(f for f in sample.features if f.split("=", 1)[0] in groups)


def _logistic(samples: Sequence[Sample], kind: str, l2: float, source_l2: float,
              groups: Sequence[str] | None) -> Logistic:
    chosen = [s for s in samples if s.kind == kind]
    several = len({s.folder for s in chosen}) > 1
    rows = [(_features(s, groups) + ((f"{_ORIGIN}={s.folder}",) if several else ()), s.raw) for s in chosen]
    model = fit_logistic(rows, [s.correct for s in chosen], l2=l2, penalties={_ORIGIN: source_l2})
    # a new source has no offset of its own: it gets the intercept, the centre of the sources
    weights = {f: w for f, w in model.weights.items() if not f.startswith(f"{_ORIGIN}=")}
    return Logistic(model.intercept, weights, model.slope)


def fit_calibration(train: Sequence[Sample], settings: Settings = Settings()) -> Calibration:
    """The calibration fitted on ``train`` (see the module's description)."""
    counts = {"entities": sum(s.kind == "entity" for s in train),
              "relations": sum(s.kind == "relation" for s in train), "folders": len({s.folder for s in train})}
    return Calibration(_logistic(train, "entity", settings.entity_l2, settings.source_l2, settings.mention_groups),
                       _logistic(train, "relation", settings.relation_l2, settings.source_l2, None), counts)


def predict(calibration: Calibration, sample: Sample) -> float:
    """The calibrated confidence of a sample."""
    if sample.kind == "entity":
        return calibration.mention_confidence(sample.features)
    return calibration.relation_confidence(sample.features[0].removeprefix("group="), sample.raw)


def cross_validate(samples: Sequence[Sample], fold_of: Callable[[Sample], Hashable],
                   settings: Settings = Settings()) -> dict[Hashable, list[tuple[float, bool]]]:
    """Held-out (confidence, correct) pairs per fold, in sample order: each fold is predicted by a
    calibration fitted on the others."""
    out: dict[Hashable, list[tuple[float, bool]]] = {}
    for fold in sorted({fold_of(s) for s in samples}, key=str):
        model = fit_calibration([s for s in samples if fold_of(s) != fold], settings)
        out[fold] = [(predict(model, s), s.correct) for s in samples if fold_of(s) == fold]
    return out


def auc(pairs: Sequence[tuple[float, bool]]) -> float:
    """The probability that a right prediction scores above a wrong one (ties count half); 0.5 when
    only one label occurs."""
    right = sorted(p for p, ok in pairs if ok)
    wrong = sorted(p for p, ok in pairs if not ok)
    if not right or not wrong:
        return 0.5
    above = ties = 0
    i = j = 0
    for p in right:  # both sorted: count the wrong ones below and equal to each right one
        while i < len(wrong) and wrong[i] < p:
            i += 1
        j = max(j, i)
        while j < len(wrong) and wrong[j] == p:
            j += 1
        above += i
        ties += j - i
    return (above + ties / 2) / (len(right) * len(wrong))


def feature_auc(samples: Sequence[Sample], kind: str, group: str | None, l2: float = 1.0) -> dict[str, float]:
    """Leave-one-source-out AUC of one feature group alone (``None``: all the sample's features), per
    held-out folder: a logistic model on that group, fitted on the other folders, ranks the held-out
    folder's predictions of ``kind``."""
    chosen = [s for s in samples if s.kind == kind]
    groups = None if group is None else (group,)
    out = {}
    for folder in sorted({s.folder for s in chosen}):
        model = _logistic([s for s in chosen if s.folder != folder], kind, l2, 1.0, groups)
        out[folder] = auc([(model.probability(_features(s, groups), s.raw), s.correct)
                           for s in chosen if s.folder == folder])
    return out


def by_folder(sample: Sample) -> str:
    """The leave-one-source-out fold of a sample: its folder."""
    return sample.folder


def by_document(sample: Sample) -> int:
    """The document fold of a sample (``document % 5``)."""
    return sample.document % DOCUMENT_FOLDS


def fit_logistic(rows: Sequence[tuple[Sequence[str], float]], labels: Sequence[bool], *, l2: float = 1.0,
                 iterations: int = 50, digits: int = 4, penalties: Mapping[str, float] | None = None) -> Logistic:
    """An L2-regularised logistic regression (Newton's method; the intercept is not penalised) of
    ``labels`` on one-hot features plus one numeric value per row; deterministic, weights rounded.

    ``penalties`` overrides ``l2`` for the features of a group (the part of the name before ``=``).
    Features absent from every row get no weight; the slope is fitted only when the numeric values vary,
    and kept only when it is not negative (so confidence never falls as the rule's own score rises).
    """
    groups = dict(penalties or {})
    model = _fit(rows, labels, l2, groups, iterations, digits, use_raw=len({raw for _, raw in rows}) > 1)
    if model.slope < 0:
        model = _fit(rows, labels, l2, groups, iterations, digits, use_raw=False)
    return model


def _fit(rows: Sequence[tuple[Sequence[str], float]], labels: Sequence[bool], l2: float,
         penalties: Mapping[str, float], iterations: int, digits: int, *, use_raw: bool) -> Logistic:
    import numpy as np

    names = sorted({f for features, _ in rows for f in features})
    column = {name: i for i, name in enumerate(names)}
    width = 1 + len(names) + int(use_raw)
    x = np.zeros((len(rows), width))
    x[:, 0] = 1.0
    for i, (features, raw) in enumerate(rows):
        for f in features:
            x[i, 1 + column[f]] = 1.0
        if use_raw:
            x[i, -1] = raw
    y = np.array([1.0 if label else 0.0 for label in labels])
    penalty = np.full(width, l2)
    penalty[0] = 1e-6
    for name in names:
        penalty[1 + column[name]] = penalties.get(name.split("=", 1)[0], l2)
    beta = np.zeros(width)
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-(x @ beta)))
        gradient = x.T @ (p - y) + penalty * beta
        hessian = (x.T * (p * (1 - p))) @ x + np.diag(penalty)
        step = np.linalg.solve(hessian, gradient)
        beta = beta - step
        if float(np.max(np.abs(step))) < 1e-10:
            break

    def r(value: float) -> float:
        return round(float(value), digits) + 0.0  # no "-0.0"

    return Logistic(r(beta[0]), {name: r(beta[1 + column[name]]) for name in names},
                    r(beta[-1]) if use_raw else 0.0)
