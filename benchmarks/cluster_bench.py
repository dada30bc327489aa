"""kg extract on a local Dask cluster of 2 worker processes against --jobs 2 and --jobs 1, on the same
synthetic articles: wall time, CPU time (kg and every process it started), and whether the quads are the same.

    python benchmarks/cluster_bench.py                 # 400 articles, shards of 50 lines, offline linking
    python benchmarks/cluster_bench.py 2000 --shard-lines 200 --no-link
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, machine_info, table
from corpus import generate


def run(args: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds (user + sys of the command and every process it waited for) of ``kg args``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "kg", "-q", *args], check=False, env={**os.environ, "PYTHONPATH": str(ROOT)},
                   stdin=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def quads(*files: Path) -> list[str]:
    return sorted(line for f in files for line in f.read_text(encoding="utf-8").splitlines())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", type=int, nargs="?", default=400, help="articles (default 400)")
    parser.add_argument("--shard-lines", type=int, default=50, help="lines per shard (default 50)")
    parser.add_argument("--no-link", action="store_true", help="do not link (default: the offline gazetteer)")
    args = parser.parse_args()
    link = ["--no-link"] if args.no_link else ["--offline"]
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        corpus = work / "corpus.jsonl"
        corpus.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in generate(args.n, 0)),
                          encoding="utf-8")
        runs = {
            "--jobs 1": (["extract", str(corpus), *link, "-o", str(work / "j1.nq")], [work / "j1.nq"]),
            "--jobs 2": (["extract", str(corpus), *link, "--jobs", "2", "-o", str(work / "j2.nq")], [work / "j2.nq"]),
            "--cluster local:2": (["extract", str(corpus), *link, "--cluster", "local:2", "--shard-lines",
                                   str(args.shard_lines), "-o", str(work / "parts")], None),
        }
        measured = {name: run(command) for name, (command, _) in runs.items()}
        reference = quads(work / "j1.nq")
        same = {name: quads(*(files or sorted((work / "parts").glob("*.nq")))) == reference
                for name, (_, files) in runs.items()}
    wall1, cpu1 = measured["--jobs 1"]
    rows = [[name, f"{wall:.1f}", f"{cpu:.1f}", f"{wall1 / wall:.2f}x", f"{cpu / cpu1:.2f}x",
             "yes" if same[name] else "NO"]
            for name, (wall, cpu) in measured.items()]
    print("\n".join(machine_info()))
    linking = "no linking" if args.no_link else "offline linking"
    print(f"{args.n} articles, shards of {args.shard_lines} lines, {linking}")
    print(table(rows, ["run", "wall s", "CPU s", "speed-up (wall)", "CPU vs --jobs 1", "same quads"]))
    return 0 if all(same.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
