"""What progress costs: counting the articles of a JSON Lines corpus beforehand (the bar's total) and drawing
rich's bar for each article, against reading the same articles and against extracting some of them, all
measured in this run.

    python benchmarks/progress_bench.py               # 20,000 synthetic articles, extraction timed on 100
    python benchmarks/progress_bench.py 5000 --extract 50
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from common import machine_info, table
from corpus import generate
from rich.console import Console

from kg.console.progress import tracked
from kg.pipeline import article_quads
from kg.read.articles import read_articles
from kg.read.sources import count_articles


def seconds(work: Callable[[], object], repeat: int = 1) -> float:
    """The best of ``repeat`` runs of ``work``."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("articles", type=int, nargs="?", default=20000)
    parser.add_argument("--extract", type=int, default=100, metavar="N", help="articles to extract (spaCy)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        corpus = Path(folder, "corpus.jsonl")
        with corpus.open("w", encoding="utf-8") as out:
            for record in generate(args.articles):
                out.write(json.dumps(record) + "\n")
        read = seconds(lambda: sum(1 for _ in read_articles([corpus])), repeat=3)
        counted: list[int | None] = []
        count = seconds(lambda: counted.append(count_articles([corpus])), repeat=3)
        terminal = Console(file=io.StringIO(), force_terminal=True, width=120)
        drawn = seconds(lambda: sum(1 for _ in tracked(read_articles([corpus]), "Reading", total=args.articles,
                                                       console=terminal)), repeat=3)
        small = Path(folder, "small.jsonl")
        small.write_text("".join(corpus.open(encoding="utf-8").readlines()[: args.extract]), encoding="utf-8")
        graphs = article_quads([small], model=None, date=None, base=None, jobs=1, problems=[])  # loads spaCy
        extract = seconds(lambda: sum(1 for _ in graphs))
    assert counted == [args.articles] * 3, counted
    per_article = extract / args.extract
    rows = [
        ["read the articles (reference)", f"{read:.2f} s", "1.00"],
        ["count them for the total", f"{count:.3f} s", f"{count / read:.3f}"],
        ["read them with a bar drawn", f"{drawn:.2f} s", f"{drawn / read:.2f}"],
        [f"extract {args.extract} (spaCy, no linking)", f"{per_article * 1000:.1f} ms/article", ""],
        ["count, per article, of extracting one", f"{count / args.articles * 1e6:.1f} us",
         f"{count / args.articles / per_article:.5f}"],
        ["bar, per article, of extracting one (best of 3; noise can make it negative)",
         f"{(drawn - read) / args.articles * 1e6:.1f} us", f"{(drawn - read) / args.articles / per_article:.5f}"],
    ]
    print("\n".join(machine_info()))
    print(f"{args.articles} synthetic articles")
    print(table(rows, ["step", "time", "ratio"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
