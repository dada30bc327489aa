"""Fit kg's confidence calibration on re3d and write ``kg/data/calibration.json``.

    python tools/calibrate.py PATH_TO_RE3D [--output FILE] [--l2 1.0]

Runs kg (uncalibrated) on every document of the re3d sub-folders, labels each scored prediction right
or wrong with the ``kg eval re3d`` matching, fits the entity and relation models on all folders and
writes the parameter file (numbers only; byte-identical for the same input). Then prints the
calibration error: in-sample (fitted and measured on everything) and cross-validated (leave one
sub-folder out: fitted on the others, measured on it; the held-out predictions of all folds pooled).
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

from kg.calibration import (
    PARAMETERS,
    Calibration,
    ece,
    extraction_mention_features,
    fit_logistic,
    format_reliability,
)
from kg.evaluation_re3d import Re3dScore, read_re3d, score_document
from kg.extract import extract, load_pipeline


@dataclass(frozen=True)
class Sample:
    """One labelled prediction: its folder, kind, features and heuristic confidence."""

    folder: str
    kind: str  # "entity" or "relation"
    features: tuple[str, ...]
    raw: float
    correct: bool


def samples(path: Path) -> list[Sample]:
    """The labelled predictions of every re3d sub-folder under ``path``."""
    folders = sorted(p for p in path.iterdir() if (p / "documents.json").is_file())
    if not folders:
        sys.exit(f"{path}: no re3d sub-folder with a documents.json in it - give the re3d folder")
    nlp = load_pipeline()
    out: list[Sample] = []
    for folder in folders:
        documents = read_re3d(folder)
        for doc, extraction in zip(documents, extract((d.article for d in documents), nlp, calibrated=False)):
            score = Re3dScore()
            score_document(doc, extraction, score)
            features = extraction_mention_features(extraction)
            for j in score.judgements:
                if j.kind == "entity":
                    out.append(Sample(folder.name, "entity", features[j.index], 0.0, j.correct))
                else:
                    out.append(Sample(folder.name, "relation", (f"group={j.group}",), j.raw, j.correct))
    return out


def fit(train: list[Sample], l2: float) -> Calibration:
    """The calibration fitted on ``train``."""
    entities = [s for s in train if s.kind == "entity"]
    relations = [s for s in train if s.kind == "relation"]
    return Calibration(
        fit_logistic([(s.features, s.raw) for s in entities], [s.correct for s in entities], l2=l2),
        fit_logistic([(s.features, s.raw) for s in relations], [s.correct for s in relations], l2=l2),
        {"entities": len(entities), "relations": len(relations),
         "folders": len({s.folder for s in train})},
    )


def predict(calibration: Calibration, sample: Sample) -> float:
    """The calibrated confidence of a sample."""
    if sample.kind == "entity":
        return calibration.mention_confidence(sample.features)
    return calibration.relation_confidence(sample.features[0].removeprefix("group="), sample.raw)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", type=Path, help="the re3d folder (with one sub-folder per source)")
    parser.add_argument("--output", type=Path, default=PARAMETERS, help="parameter file to write")
    parser.add_argument("--l2", type=float, default=1.0, help="L2 penalty of the logistic models")
    args = parser.parse_args()
    data = samples(args.path)
    shipped = fit(data, args.l2)
    args.output.write_text(shipped.dumps(), encoding="utf-8")
    print(f"wrote {args.output} ({len(data)} labelled predictions)")
    pairs = [(predict(shipped, s), s.correct) for s in data]
    print(format_reliability(pairs, "in-sample (fitted on all folders)"))
    pooled: list[tuple[float, bool]] = []
    folds: list[str] = []
    for folder in sorted({s.folder for s in data}):
        model = fit([s for s in data if s.folder != folder], args.l2)
        held = [(predict(model, s), s.correct) for s in data if s.folder == folder]
        pooled += held
        folds.append(f"  {folder}: ECE {ece(held):.3f} over {len(held)}")
    print(format_reliability(pooled, "cross-validated (leave one sub-folder out, pooled)"))
    print("per held-out folder:")
    print("\n".join(folds))


if __name__ == "__main__":
    main()
