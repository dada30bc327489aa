"""Fit kg's confidence calibration on re3d and write ``kg/data/calibration.json``.

    python tools/calibrate.py PATH_TO_RE3D [--output FILE] [--l2 1.0]

Runs kg (uncalibrated) on every document of the re3d sub-folders, labels each scored prediction right
or wrong with the ``kg eval re3d`` matching, fits the calibration on all folders (logistic models, then
Platt maps on cross-fitted predictions, see :mod:`kg.calibration_fit`) and writes the parameter file
(numbers only; byte-identical for the same input). Then prints the calibration error: in-sample (fitted
and measured on everything) and cross-validated, never measured on predictions the fit saw: leaving one
sub-folder out (fitted on the others, measured on it), and over 5 folds of documents (document ``i`` in
folder order in fold ``i % 5``); the held-out predictions of all folds pooled, then per fold.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kg.calibration import PARAMETERS, ece, extraction_mention_features, format_reliability
from kg.calibration_fit import Sample, by_document, by_folder, cross_validate, fit_calibration, predict
from kg.evaluation_re3d import Re3dScore, read_re3d, score_document
from kg.extract import extract, load_pipeline


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
        for doc, extraction in zip(documents, extract((d.article for d in documents), nlp, calibrated=False)):
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", type=Path, help="the re3d folder (with one sub-folder per source)")
    parser.add_argument("--output", type=Path, default=PARAMETERS, help="parameter file to write")
    parser.add_argument("--l2", type=float, default=1.0, help="L2 penalty of the logistic models")
    args = parser.parse_args()
    data = samples(args.path)
    shipped = fit_calibration(data, args.l2)
    args.output.write_text(shipped.dumps(), encoding="utf-8")
    print(f"wrote {args.output} ({len(data)} labelled predictions)")
    print(format_reliability([(predict(shipped, s), s.correct) for s in data], "in-sample (fitted on all folders)"))
    for title, fold_of in (("leave one sub-folder out", by_folder), ("5 folds of documents", by_document)):
        folds = cross_validate(data, fold_of, args.l2)
        print(format_reliability([p for held in folds.values() for p in held], f"cross-validated ({title}, pooled)"))
        print("per held-out fold:")
        print("\n".join(f"  {fold}: ECE {ece(held):.3f} over {len(held)}" for fold, held in folds.items()))


if __name__ == "__main__":
    main()
