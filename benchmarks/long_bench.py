"""Time and peak memory of ``kg extract --no-link`` on one long article against the same text as several articles.

    python benchmarks/long_bench.py                      # 1,000,000 characters: 1 article, 10 articles
    python benchmarks/long_bench.py --chars 3000000 --split 30 --split 300

The text is synthetic wire copy from ``corpus.py`` (paragraphs of its articles, in order, separated by blank
lines, cut at the paragraph that reaches ``--chars``). Each row runs ``/usr/bin/time -v python -m kg extract``
on one JSON Lines file in a fresh process and reads the wall time, the user CPU time and the maximum resident
set size; ``ratio`` is the row's figure over the long article's. The same text cut into articles at paragraph
breaks shows what the pipeline costs for those characters when nothing has to be cut into pieces.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import ROOT, table
from benchmarks.corpus import generate


def wire_copy(chars: int) -> list[str]:
    """Paragraphs of synthetic articles until they hold ``chars`` characters (with the blank lines between)."""
    paragraphs: list[str] = []
    length = 0
    for article in generate(chars // 1000 + 10):
        for paragraph in article["text"].split("\n\n"):
            paragraphs.append(paragraph)
            length += len(paragraph) + 2
            if length >= chars:
                return paragraphs
    raise SystemExit(f"the corpus ran out before {chars} characters")


def write(path: Path, paragraphs: list[str], articles: int) -> None:
    """The paragraphs as ``articles`` articles of about the same length, one JSON object a line."""
    size = -(-len(paragraphs) // articles)
    with path.open("w", encoding="utf-8") as out:
        for n in range(articles):
            text = "\n\n".join(paragraphs[n * size : (n + 1) * size])
            out.write(json.dumps({"id": f"p{n}", "text": text, "date": "2025-03-06"}) + "\n")


def measure(path: Path, output: Path) -> tuple[float, float, float]:
    """Wall seconds, user CPU seconds and peak RSS (MB) of one ``kg extract --no-link`` run."""
    command = ["/usr/bin/time", "-v", sys.executable, "-m", "kg", "extract", str(path), "--no-link", "-o", str(output)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True)
    report = done.stderr
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)", report)
    user = re.search(r"User time \(seconds\): ([\d.]+)", report)
    peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", report)
    if wall is None or user is None or peak is None:
        raise SystemExit(f"no figures from /usr/bin/time:\n{report}")
    seconds = int(wall.group(1) or 0) * 3600 + int(wall.group(2)) * 60 + float(wall.group(3))
    return seconds, float(user.group(1)), int(peak.group(1)) / 1024


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chars", type=int, default=1_000_000, help="length of the long article")
    parser.add_argument("--split", type=int, action="append", help="also as this many articles (default: 10)")
    args = parser.parse_args(argv)
    paragraphs = wire_copy(args.chars)
    rows: list[list[str]] = []
    first: tuple[float, float, float] | None = None
    with tempfile.TemporaryDirectory() as tmp:
        for articles in [1, *(args.split or [10])]:
            path = Path(tmp) / f"{articles}.jsonl"
            write(path, paragraphs, articles)
            wall, user, peak = measure(path, Path(tmp) / "out.trig")
            first = first or (wall, user, peak)
            rows.append([str(articles), f"{wall:.0f}", f"{user:.0f}", f"{peak:.0f}",
                         f"{user / first[1]:.2f}", f"{peak / first[2]:.2f}"])
            print(table(rows[-1:], ["articles", "wall s", "user s", "peak MB", "ratio user", "ratio peak"]),
                  flush=True)
    chars = sum(len(p) + 2 for p in paragraphs) - 2
    print(f"\n{chars:,} characters in {len(paragraphs)} paragraphs")
    print(table(rows, ["articles", "wall s", "user s", "peak MB", "ratio user", "ratio peak"]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
