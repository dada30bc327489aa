"""Fit kg's confidence calibration on re3d and write ``kg/data/calibration.json``.

    python tools/calibrate.py PATH_TO_RE3D [--output FILE] [--spread]

Runs kg (uncalibrated) on every document of the re3d sub-folders, labels each scored prediction right
or wrong with the ``kg eval re3d`` matching, prints the leave-one-source-out AUC of each feature group,
fits the calibration on all folders (see :mod:`kg.evaluate.calibration_fit`) and writes the parameter file
(numbers only; byte-identical for the same input). Then prints the calibration error: in-sample (fitted
and measured on everything) and cross-validated, never measured on predictions the fit saw: leaving one
sub-folder out (fitted on the others, measured on it), and over 5 folds of documents (document ``i`` in
folder order in fold ``i % 5``); the held-out predictions of all folds pooled, with a 90% interval from
resampling documents, then per fold. ``--spread`` also prints both pooled figures over a grid of the
fit's penalties.
"""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Callable, Hashable, Sequence
from pathlib import Path

from kg.evaluate.calibration_fit import (
    Sample,
    Settings,
    by_document,
    by_folder,
    cross_validate,
    feature_auc,
    fit_calibration,
    predict,
)
from kg.evaluate.re3d import Re3dScore, score_document
from kg.evaluate.re3d_gold import read_re3d
from kg.evaluate.reliability import ece, format_reliability
from kg.extract.calibration import PARAMETERS, extraction_mention_features
from kg.extract.from_doc import extract
from kg.nlp.load import load_pipeline


def samples(path: Path) -> list[Sample]:
    """The labelled predictions of every re3d sub-folder under ``path``."""
    folders = sorted(p for p in path.iterdir() if (p / "documents.json").is_file())
    if not folders:
        sys.exit(f"{path}: no re3d sub-folder with a documents.json in it - give the re3d folder")
    nlp = load_pipeline()
    out: list[Sample] = []
    number = 0
    for folder in folders:
        documents = read_re3d(folder)
        for doc, extraction in zip(documents, extract((d.article for d in documents), nlp, calibrated=False), strict=False):
            score = Re3dScore()
            score_document(doc, extraction, score)
            features = extraction_mention_features(extraction)
            for j in score.judgements:
                if j.kind == "entity":
                    out.append(Sample(folder.name, number, "entity", features[j.index], 0.0, j.correct))
                else:
                    out.append(Sample(folder.name, number, "relation", (f"group={j.group}",), j.raw, j.correct))
            number += 1
    return out


MENTION_GROUPS = ("source", "lexicon", "shape", "resolved", "listed", "kind", "countries")
SCHEMES: tuple[tuple[str, Callable[[Sample], Hashable]], ...] = (
    ("leave one sub-folder out", by_folder), ("5 folds of documents", by_document))


def document_interval(data: Sequence[Sample], folds: dict[Hashable, list[tuple[float, bool]]],
                      fold_of: Callable[[Sample], Hashable], rounds: int = 200) -> tuple[float, float]:
    """The 5th and 95th percentile of the pooled held-out ECE over ``rounds`` resamplings of the
    documents (with replacement, seeded: deterministic)."""
    by_document_number: dict[int, list[tuple[float, bool]]] = {}
    for fold, held in folds.items():
        for sample, pair in zip((s for s in data if fold_of(s) == fold), held, strict=False):
            by_document_number.setdefault(sample.document, []).append(pair)
    numbers = sorted(by_document_number)
    rng = random.Random(0)
    values = sorted(ece([p for n in (rng.choice(numbers) for _ in numbers) for p in by_document_number[n]])
                    for _ in range(rounds))
    return values[rounds // 20], values[rounds - 1 - rounds // 20]


def print_feature_auc(data: Sequence[Sample]) -> None:
    """Each feature group's leave-one-source-out AUC, per held-out folder and weighted by its size."""
    print("leave-one-source-out AUC of each feature group alone (right above wrong, 0.5 = chance):")
    for kind, group in [("entity", g) for g in MENTION_GROUPS] + [("entity", None), ("relation", None)]:
        scores = feature_auc(data, kind, group)
        sizes = {f: sum(s.kind == kind and s.folder == f for s in data) for f in scores}
        mean = sum(scores[f] * sizes[f] for f in scores) / sum(sizes.values())
        name = f"{kind}:{group or 'all' if kind == 'entity' else 'group'}"
        print(f"  {name:18} {mean:.3f}  (" + ", ".join(f"{f} {v:.3f}" for f, v in scores.items()) + ")")


def shifted_ece(pairs: Sequence[tuple[float, bool]], offset: float, bins: int = 10) -> float:
    """ECE over equal-width bins whose edges are moved down by ``offset``: how much the figure owes to
    where predictions fall against the usual edges."""
    grouped: dict[int, list[tuple[float, bool]]] = {}
    for p, ok in pairs:
        grouped.setdefault(int((p + offset) * bins), []).append((p, ok))
    return sum(abs(sum(p for p, _ in g) - sum(ok for _, ok in g)) for g in grouped.values()) / len(pairs)


def print_spread(data: Sequence[Sample]) -> None:
    """Both pooled cross-validated ECEs with shifted bin edges, and over a grid of the penalties."""
    for title, fold_of in SCHEMES:
        pairs = [p for held in cross_validate(data, fold_of).values() for p in held]
        print(f"{title}, bin edges moved by 0 / 0.025 / 0.05 / 0.075: "
              + " / ".join(f"{shifted_ece(pairs, offset):.3f}" for offset in (0.0, 0.025, 0.05, 0.075)))
    print("spread over penalties (entity / relation / source L2: leave-one-out, document folds):")
    for entity_l2 in (1.0, 3.0):
        for relation_l2 in (3.0, 10.0, 30.0):
            for source_l2 in (0.5, 1.0, 2.0):
                settings = Settings(entity_l2, relation_l2, source_l2)
                figures = [ece([p for held in cross_validate(data, fold_of, settings).values() for p in held])
                           for _, fold_of in SCHEMES]
                print(f"  {entity_l2:4} {relation_l2:5} {source_l2:4}: {figures[0]:.3f} {figures[1]:.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", type=Path, help="the re3d folder (with one sub-folder per source)")
    parser.add_argument("--output", type=Path, default=PARAMETERS, help="parameter file to write")
    parser.add_argument("--spread", action="store_true", help="also print the figures over a grid of penalties")
    args = parser.parse_args()
    data = samples(args.path)
    print_feature_auc(data)
    shipped = fit_calibration(data)
    args.output.write_text(shipped.dumps(), encoding="utf-8")
    print(f"wrote {args.output} ({len(data)} labelled predictions)")
    print(format_reliability([(predict(shipped, s), s.correct) for s in data], "in-sample (fitted on all folders)"))
    for title, fold_of in SCHEMES:
        folds = cross_validate(data, fold_of)
        low, high = document_interval(data, folds, fold_of)
        print(format_reliability([p for held in folds.values() for p in held], f"cross-validated ({title}, pooled)"))
        print(f"  90% interval over resampled documents: {low:.3f}-{high:.3f}")
        print("per held-out fold:")
        print("\n".join(f"  {fold}: ECE {ece(held):.3f} over {len(held)}" for fold, held in folds.items()))
    if args.spread:
        print_spread(data)


if __name__ == "__main__":
    main()
