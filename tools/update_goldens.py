"""Regenerate the golden graphs in tests/data/expected/ from the test articles.

Run after an intended change to extraction, then review the diff (``git diff tests/data/expected``)
before committing: the goldens are what ``tests/test_golden.py`` holds the extractor to.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from kg.extract.from_doc import extract
from kg.nlp.load import load_pipeline
from kg.rdf.files import RdfWriter
from kg.rdf.mapping import to_quads
from kg.read.articles import read_articles

ROOT = Path(__file__).resolve().parent.parent
GOLDENS = {"operation.txt": "operation.trig", "policy.txt": "policy.trig", "statements.txt": "statements.trig"}
DATELINE = dt.date(2025, 3, 6)  # the same dateline as tests/helpers.py


def main() -> None:
    nlp = load_pipeline()
    for source, golden in GOLDENS.items():
        articles = read_articles([ROOT / "tests" / "data" / "articles" / source], date=DATELINE)
        with RdfWriter(ROOT / "tests" / "data" / "expected" / golden, "trig") as writer:
            for extraction in extract(articles, nlp):
                writer.write(to_quads(extraction))
        print(f"wrote tests/data/expected/{golden}")


if __name__ == "__main__":
    main()
