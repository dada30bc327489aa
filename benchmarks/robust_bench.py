"""Bad input at corpus scale: does a run over a corpus salted with broken records lose anything, and what
does the salt cost?

Run by hand from the repository root (never from the tests; timings are noisy)::

    . .venv/bin/activate
    python benchmarks/robust_bench.py                          # 20,000 articles, a bad record every 50
    python benchmarks/robust_bench.py --articles 2000 --jobs 2 --json result.json
    python benchmarks/robust_bench.py --articles 500 --long 0  # a quick try, without the long article

What it does:

1. Writes two JSON Lines corpora of synthetic articles (``benchmarks/corpus.py``): the clean one, and the
   same records in the same order with a broken or awkward record after every ``--every``-th one, cycling
   through the kinds in ``FAULTS`` (bad JSON, ``text`` null / a number / missing / empty, a repeated id
   with other text, a repeated line, a lone surrogate, control characters) and, with ``--long`` characters,
   one article longer than spaCy's default ``max_length``.
2. Runs ``kg extract --no-link --format nquads`` on each, as its own process (``--jobs``), timing it and
   taking its peak RSS from ``os.wait4``.
3. Checks what a user is promised: every good article of the salted corpus is written (the clean ones,
   the ones with a surrogate or control characters, the long one); each clean article's graph is
   byte-for-byte the graph the clean run wrote (a repeated id keeps the first record); every bad record
   is named by its line in an ``Error:`` line; the exit status is 1; no traceback.
4. Prints a table (time, peak RSS, articles, errors) and the ratios salted / clean, and with ``--json``
   writes them. The exit status is 1 if a check failed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ARTICLE_BASE, ROOT, machine_info, table
from corpus import generate

# Each kind: (is the record good, so it must be written?, how to make it from a clean record).
FAULTS = ("bad-json", "text-null", "text-number", "text-missing", "text-empty", "same-id", "same-line",
          "surrogate", "controls")
GOOD_FAULTS = {"surrogate", "controls"}
GRAPH = re.compile(r"<([^>]*)> \.$")


@dataclass
class Run:
    """One ``kg extract`` process."""

    corpus: str
    seconds: float
    peak_rss_mib: float
    exit_status: int
    articles: int
    error_lines: int
    traceback: bool
    graphs: dict[str, str] = field(repr=False)


def salted(clean: Path, out: Path, every: int, long_chars: int) -> tuple[set[str], set[int], int]:
    """Write the salted corpus; returns the ids that must be written, the line numbers (1-based) that
    must be named in an error, and the number of salt records."""
    good: set[str] = set()
    bad_lines: set[int] = set()
    salt = 0
    line_no = 0
    with clean.open(encoding="utf-8") as src, out.open("w", encoding="utf-8") as dst:

        def put(line: str) -> None:
            nonlocal line_no
            dst.write(line + "\n")
            line_no += 1

        for index, raw in enumerate(src):
            record = json.loads(raw)
            put(raw.rstrip("\n"))
            good.add(record["id"])
            if (index + 1) % every:
                continue
            kind = FAULTS[salt % len(FAULTS)]
            salt += 1
            new_id = f"{kind}-{index}"
            fault = dict(record, id=new_id)
            if kind == "bad-json":
                line = json.dumps(fault)[:-20]
            elif kind == "text-null":
                line = json.dumps(dict(fault, text=None))
            elif kind == "text-number":
                line = json.dumps(dict(fault, text=42))
            elif kind == "text-missing":
                fault.pop("text")
                line = json.dumps(fault)
            elif kind == "text-empty":
                line = json.dumps(dict(fault, text=""))
            elif kind == "same-id":
                line = json.dumps(dict(record, text=record["text"][::-1]))
            elif kind == "same-line":
                line = raw.rstrip("\n")
            elif kind == "surrogate":
                text = record["text"]
                line = json.dumps(dict(fault, text=text[:40] + "\ud800" + text[40:]))
            else:
                line = json.dumps(dict(fault, text="\x1b[2J\x07" + record["text"].replace(" ", "\x00 ", 1)))
            put(line)
            if kind in GOOD_FAULTS:
                good.add(new_id)
            else:
                bad_lines.add(line_no)
        if long_chars:
            parts: list[str] = []
            size = 0
            for article in generate(long_chars // 1500 + 1, seed=7):
                parts.append(article["text"])
                size += len(article["text"]) + 2
                if size > long_chars:
                    break
            put(json.dumps({"id": "long-article", "title": "A very long report", "text": "\n\n".join(parts),
                            "date": "2024-05-01"}))
            good.add("long-article")
            salt += 1
    return good, bad_lines, salt


def graph_digests(path: Path) -> Iterator[tuple[str, str]]:
    """(graph IRI, digest of its sorted N-Quads lines) for each article graph of a kg N-Quads file, whose
    graphs are written one after another."""
    current: str | None = None
    lines: list[str] = []

    def digest() -> str:
        return hashlib.sha256("\n".join(sorted(lines)).encode()).hexdigest()

    with path.open(encoding="utf-8") as f:
        for line in f:
            match = GRAPH.search(line.rstrip("\n"))
            graph = match.group(1) if match else ""
            if graph != current:
                if current is not None:
                    yield current, digest()
                current, lines = graph, []
            lines.append(line)
    if current is not None:
        yield current, digest()


def run(corpus: Path, out: Path, jobs: int, label: str) -> tuple[Run, str]:
    """``kg extract`` of ``corpus`` into ``out``, timed, with its peak RSS; returns the run and stderr."""
    err = out.with_suffix(".err")
    cmd = [sys.executable, "-m", "kg", "extract", str(corpus), "-o", str(out), "--format", "nquads",
           "--no-link", "--jobs", str(jobs)]
    start = time.perf_counter()
    with err.open("wb") as stderr:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=stderr)
        _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    text = err.read_text(encoding="utf-8", errors="replace")
    graphs: dict[str, str] = {}
    if out.exists():
        for graph, digest in graph_digests(out):
            if graph in graphs:
                graphs[graph] = "written twice"
            else:
                graphs[graph] = digest
    return Run(label, seconds, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status), len(graphs),
               sum(1 for line in text.splitlines() if line.startswith("Error:")), "Traceback" in text,
               graphs), text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=20_000, help="clean articles (default 20,000)")
    parser.add_argument("--every", type=int, default=50, help="a salt record after every N clean ones (50)")
    parser.add_argument("--long", type=int, default=1_200_000, metavar="CHARS",
                        help="add one article of about this many characters (0: none; default 1,200,000)")
    parser.add_argument("--jobs", type=int, default=2, help="kg extract --jobs (default 2)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)

    failures: list[str] = []
    with tempfile.TemporaryDirectory(prefix="kg-robust-") as tmp:
        work = Path(tmp)
        clean = work / "clean.jsonl"
        with clean.open("w", encoding="utf-8") as f:
            for record in generate(args.articles, seed=args.seed):
                f.write(json.dumps(record) + "\n")
        salty = work / "salted.jsonl"
        good, bad_lines, salt = salted(clean, salty, args.every, args.long)
        print(f"corpus: {args.articles:,} clean articles; salted copy: {salt:,} more records "
              f"({len(bad_lines):,} bad, {salt - len(bad_lines):,} good), --jobs {args.jobs}", file=sys.stderr)

        ref, _ = run(clean, work / "clean.nq", args.jobs, "clean")
        print(f"clean: {ref.seconds:.1f} s", file=sys.stderr)
        got, stderr = run(salty, work / "salted.nq", args.jobs, "salted")
        print(f"salted: {got.seconds:.1f} s", file=sys.stderr)

    written = {g.removeprefix(ARTICLE_BASE) for g in got.graphs}
    lost = sorted(good - written)
    extra = sorted(written - good)
    changed = sorted(g for g, d in ref.graphs.items() if got.graphs.get(g) != d)
    named = {int(n) for n in re.findall(r"salted\.jsonl:(?: line )?(\d+)", stderr)}
    unnamed = sorted(bad_lines - named)
    if ref.exit_status != 0 or ref.error_lines or ref.traceback:
        failures.append(f"the clean run was not clean (exit {ref.exit_status}, {ref.error_lines} errors)")
    if ref.articles != args.articles:
        failures.append(f"the clean run wrote {ref.articles} articles, not {args.articles}")
    if lost:
        failures.append(f"{len(lost)} good articles lost: {', '.join(lost[:5])}")
    if extra:
        failures.append(f"{len(extra)} articles written that should not be: {', '.join(extra[:5])}")
    if changed:
        failures.append(f"{len(changed)} clean articles' graphs differ from the clean run: {', '.join(changed[:3])}")
    if unnamed:
        failures.append(f"{len(unnamed)} bad lines not named in an Error line: {unnamed[:5]}")
    if got.exit_status != 1:
        failures.append(f"the salted run exited {got.exit_status}, not 1")
    if got.traceback or ref.traceback:
        failures.append("a traceback was printed")

    rows = [[r.corpus, f"{r.seconds:.1f}", f"{r.peak_rss_mib:.0f}", f"{r.articles:,}", str(r.error_lines),
             str(r.exit_status)] for r in (ref, got)]
    print(table(rows, ["corpus", "seconds", "peak RSS MiB", "articles written", "Error lines", "exit"]))
    time_ratio = got.seconds / ref.seconds
    rss_ratio = got.peak_rss_mib / ref.peak_rss_mib
    print(f"\nsalted / clean: time {time_ratio:.2f}, peak RSS {rss_ratio:.2f}; "
          f"good articles lost: {len(lost)}; bad lines not named: {len(unnamed)}; "
          f"tracebacks: {int(got.traceback or ref.traceback)}")
    for line in machine_info()[:2]:
        print(line)
    for failure in failures:
        print(f"FAILED: {failure}")
    if args.json:
        result = {"articles": args.articles, "every": args.every, "long": args.long, "jobs": args.jobs,
                  "runs": [{k: v for k, v in asdict(r).items() if k != "graphs"} for r in (ref, got)],
                  "time_ratio": time_ratio, "rss_ratio": rss_ratio, "lost": lost, "unnamed_lines": unnamed,
                  "failures": failures}
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
