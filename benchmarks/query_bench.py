"""Query benchmark: how long every saved query takes as the store grows, compared with a full scan.

Run by hand from the repository root (never from the tests; timings are noisy)::

    . .venv/bin/activate
    python benchmarks/query_bench.py                                   # 1,000 / 5,000 / 20,000 articles
    python benchmarks/query_bench.py --sizes 200,1000 --distinct 300   # a quick try
    python benchmarks/query_bench.py --only events,timeline --timeout 60 --json results.json
    python benchmarks/query_bench.py --endpoints                       # also an Oxigraph server and Virtuoso

What it does:

1. Corpus. Generates ``--distinct`` synthetic articles with ``benchmarks/corpus.py`` (or reads
   ``--jsonl``, any JSON Lines file with a ``text`` field) and extracts them once with
   ``kg extract --jobs 2`` (offline gazetteer linking, the default). The N-Quads are cached under
   ``--cache``, keyed by the corpus parameters and a hash of the kg package, so re-runs skip extraction.
2. Sizes. Each corpus size (``--sizes``) takes the distinct article graphs and, past their number,
   copies of them renamed under new article ids (``{id}-r{n}``; every IRI under the article IRI is
   renamed and the copy gets its own ``kg:articleId``, entity IRIs stay shared as in a real corpus).
   Copies are used because extracting 20,000 distinct articles takes about 20 minutes on 2 cores; a
   copy costs the store as much as a new article, but the entities recur more often than they would.
   ``--distinct 20000`` extracts them all for real.
3. For each size: ``kg load FILE --store DIR`` into a fresh embedded store (timed), then, each as its
   own process like a user would run it: a trivial query (the start-up cost of ``kg query``), the
   reference ``SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }`` (a full scan), and every saved
   query (``kg queries``) once without parameters and once per declared parameter, as
   ``kg query NAME --store DIR --format csv [--param NAME=VALUE]``. The output is counted, not kept. A
   query that runs past ``--timeout`` is killed (its whole process group) and shown as ``>N s``.
   Peak RSS comes from ``os.wait4`` on each query process.
4. Parameter values are the most frequent ones in the extracted data for each kind (``PARAM_KINDS``:
   the city most often an event location, the country most often targeted by sanctions, the armed
   group most often an agent or target, ...), so that parameterised queries match many rows; fixed
   kinds (``class=Airstrike``, ``status=InForce``, ...) are in ``FIXED_VALUES``.
5. Prints a table per size (rows, seconds, ratio to the COUNT scan, peak RSS), a growth table between
   the two largest sizes, a streaming check (``mentions`` at the largest size) and machine information;
   ``--json`` also writes the results. With ``--endpoints`` the ``--endpoint-size`` corpus is also
   loaded into an Oxigraph server and a Virtuoso (started through ``tests/servers.py``) and the same
   queries run with ``--endpoint URL``.

Goal: at 20,000 articles each query takes at most 3x the COUNT scan, and from 5,000 to 20,000 articles
its time grows at most about as much as the data (4x). Rows that miss the goal are marked.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import dataclasses
import datetime as dt
import hashlib
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pyoxigraph as ox

from benchmarks import corpus
from benchmarks.common import ARTICLE_BASE, ARTICLE_ID, NO_CREDS, ROOT, machine_info, renamed_nquads, rss_mb, table
from kg.query.saved import SavedQuery, list_queries

PYTHON = sys.executable
DEFAULT_CACHE = ROOT / "benchmarks/.cache"
RATIO_GOAL = 3.0  # x the COUNT scan at the largest size
GROWTH_SLACK = 1.125  # growth up to 12.5 % above the data's growth still counts as linear (noise)
COUNT_QUERY = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }\n"
STARTUP_QUERY = "SELECT (1 AS ?one) WHERE { }\n"
STREAMING_QUERY = "mentions"

# parameter name -> kind of value, the most frequent one in the data (see VALUE_ROLES)
PARAM_KINDS: dict[str, str] = {
    "place": "city", "country": "sanctioned country", "actor": "armed group", "name": "armed group",
    "target": "armed group", "issuer": "issuer", "speaker": "speaker", "article": "article",
}
# parameter name -> a fixed value that matches many rows
FIXED_VALUES: dict[str, str] = {
    "class": "Airstrike", "status": "InForce", "predicate": "memberOf", "category": "Location",
    "from": "2019-01-01", "to": "2020-12-31", "factuality": "any",
}
KG = "https://w3id.org/kg-news/ns#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
OPERATIONS = frozenset(KG + c for c in ("SearchOperation", "MilitaryOperation", "Attack", "RocketAttack", "Bombing",
                                        "Assassination", "Airstrike", "Clash", "Arrest", "Raid"))
RESTRICTIONS = frozenset(KG + c for c in ("Sanction", "Ban", "AssetFreeze", "Designation"))
# kind -> (predicates from the item to the entity, classes the item must have (None: any), class of the entity)
VALUE_ROLES: dict[str, tuple[tuple[str, ...], frozenset[str] | None, str | None]] = {
    "city": (("location",), OPERATIONS, KG + "Settlement"),
    "sanctioned country": (("target",), RESTRICTIONS, KG + "Country"),
    "armed group": (("agent", "target"), OPERATIONS, KG + "ArmedGroup"),
    "issuer": (("issuer",), None, None),
    "speaker": (("speaker",), frozenset({KG + "Statement"}), KG + "Person"),
}


# --- corpus and extraction (cached) ------------------------------------------------------------------------------


def tree_hash(directory: Path) -> str:
    """A hash of the files that decide what ``kg extract`` writes (kg's code and data tables)."""
    digest = hashlib.sha256()
    for path in sorted(directory.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(directory)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass
class Extracted:
    directory: Path
    base: Path  # N-Quads of the distinct articles
    meta: dict[str, Any]
    cached: bool


def extracted(args: argparse.Namespace) -> Extracted:
    """The distinct articles extracted once, from the cache when kg and the corpus did not change."""
    if args.jsonl:
        source: dict[str, Any] = {"jsonl": str(args.jsonl.resolve()), "sha256": file_hash(args.jsonl)}
    else:
        source = {"synthetic": args.distinct, "seed": args.seed,
                  "generator": file_hash(Path(corpus.__file__))}
    key = {"corpus": source, "kg": tree_hash(ROOT / "kg")}
    directory = args.cache / hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()[:16]
    base = directory / "base.nq"
    meta_path = directory / "meta.json"
    if base.is_file() and meta_path.is_file():
        return Extracted(directory, base, json.loads(meta_path.read_text()), True)
    directory.mkdir(parents=True, exist_ok=True)
    if args.jsonl:
        articles = args.jsonl.resolve()
    else:
        articles = directory / "corpus.jsonl"
        with articles.open("w", encoding="utf-8") as out:
            for item in corpus.generate(args.distinct, args.seed):
                out.write(json.dumps(item, ensure_ascii=False) + "\n")
    part = directory / "base.nq.part"
    print(f"extracting {articles} with kg extract --jobs {args.jobs} (once; cached in {directory}) ...", flush=True)
    start = time.perf_counter()
    subprocess.run([PYTHON, "-m", "kg", "-q", "extract", str(articles), "--jobs", str(args.jobs), "-o", str(part),
                    "--format", "nquads"], check=True, cwd=ROOT, env=child_env())
    seconds = time.perf_counter() - start
    part.rename(base)
    meta = {"key": key, "extract_seconds": round(seconds, 1), "jobs": args.jobs,
            "created": dt.datetime.now().isoformat(timespec="seconds")}
    meta_path.write_text(json.dumps(meta, indent=2))
    return Extracted(directory, base, meta, False)


@dataclass
class Graph:
    iri: str
    article_id: str | None
    body: bytes  # its N-Quads lines


def read_graphs(path: Path) -> tuple[list[Graph], bytes]:
    """The article graphs of an N-Quads file in file order, and every other line (written once per corpus).

    pyoxigraph writes one quad per line and graph IRIs have no spaces, so the graph is the second-last
    token of a line.
    """
    lines: dict[str, list[bytes]] = {}
    other: list[bytes] = []
    ids: dict[str, str] = {}
    id_marker = f"<{ARTICLE_ID}> ".encode()
    prefix = b"<" + ARTICLE_BASE.encode()
    with path.open("rb") as f:
        for line in f:
            parts = line.rsplit(b" ", 2)
            graph = parts[-2] if len(parts) == 3 else b""
            if not graph.startswith(prefix):
                other.append(line)
                continue
            iri = graph[1:-1].decode()
            lines.setdefault(iri, []).append(line)
            if id_marker in line and line.startswith(graph + b" "):
                ids[iri] = next(ox.parse(line, format=ox.RdfFormat.N_QUADS)).object.value
    return [Graph(iri, ids.get(iri), b"".join(body)) for iri, body in lines.items()], b"".join(other)


def write_corpus(graphs: Sequence[Graph], other: bytes, size: int, path: Path) -> tuple[int, int]:
    """``size`` article graphs: the distinct ones, then renamed copies. Returns (graphs, lines)."""
    n_lines = 0
    with path.open("wb") as out:
        out.write(other)
        n_lines += other.count(b"\n")
        for i in range(size):
            graph = graphs[i % len(graphs)]
            copy = i // len(graphs)
            if copy == 0:
                body = graph.body
            else:
                new_id = f"{graph.article_id}-r{copy}" if graph.article_id is not None else None
                body = renamed_nquads(graph.body, graph.iri, f"{graph.iri}-r{copy}", graph.article_id, new_id)
            out.write(body)
            n_lines += body.count(b"\n")
    return size, n_lines


def parameter_values(ex: Extracted) -> dict[str, str]:
    """The most frequent value of each kind in the extracted data (cached beside it).

    A value is an entity label, counted once per item (event, policy, statement) that links to the
    entity in the role of its kind, as the saved queries would match it. Counted in Python: the
    same counts in SPARQL take minutes on pyoxigraph.
    """
    path = ex.directory / "values.json"
    if path.is_file():
        return dict(json.loads(path.read_text()))
    wanted = {KG + p for preds, _, _ in VALUE_ROLES.values() for p in preds}
    types: dict[str, set[str]] = {}
    labels: dict[str, set[str]] = {}
    edges: dict[str, set[tuple[str, str]]] = {p: set() for p in wanted}
    article_ids: set[str] = set()
    for quad in ox.parse(path=str(ex.base), format=ox.RdfFormat.N_QUADS):
        p, o = quad.predicate.value, quad.object
        if p == RDF_TYPE:
            types.setdefault(quad.subject.value, set()).add(o.value)
        elif p == RDFS_LABEL:
            labels.setdefault(quad.subject.value, set()).add(o.value)
        elif p in wanted:
            edges[p].add((quad.subject.value, o.value))
        elif p == ARTICLE_ID:
            article_ids.add(o.value)
    values: dict[str, str] = {}
    for kind, (predicates, item_classes, entity_class) in VALUE_ROLES.items():
        items_by_label: dict[str, set[str]] = {}
        for predicate in predicates:
            for item, entity in edges[KG + predicate]:
                if item_classes is not None and not types.get(item, set()) & item_classes:
                    continue
                if entity_class is not None and entity_class not in types.get(entity, ()):
                    continue
                for label in labels.get(entity, ()):
                    items_by_label.setdefault(label, set()).add(item)
        if items_by_label:
            values[kind] = min(items_by_label, key=lambda label: (-len(items_by_label[label]), label))
    if article_ids:
        values["article"] = min(article_ids)
    path.write_text(json.dumps(values, indent=2, ensure_ascii=False))
    return values


# --- running one process -----------------------------------------------------------------------------------------


def child_env(**extra: str | None) -> dict[str, str]:
    """The environment of kg processes: this worktree's kg first, no proxy surprises."""
    values = dict(os.environ)
    values["PYTHONPATH"] = str(ROOT) + (os.pathsep + values["PYTHONPATH"] if values.get("PYTHONPATH") else "")
    for k, v in extra.items():
        if v is None:
            values.pop(k, None)
        else:
            values[k] = v
    return values


@dataclass
class Measure:
    """One timed process."""

    seconds: float
    rows: int | None  # CSV data rows written (None when not counted or killed)
    rss_mib: float  # peak RSS of the process
    killed: str = ""  # "time" (past --timeout) or "memory" (past --max-rss)
    error: str = ""
    first_row: list[str] | None = None
    server_rss_mib: float = 0.0  # peak RSS of the server while it ran (endpoints only)

    @property
    def timed_out(self) -> bool:
        return bool(self.killed)


def status_kib(pid: int, key: str) -> int:
    """A ``/proc/PID/status`` memory field in KiB (0 if the process is gone)."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def child_pids(pid: int) -> list[int]:
    """The processes whose parent is ``pid``."""
    found = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            with contextlib.suppress(OSError, ValueError, IndexError):
                stat = Path(entry.path, "stat").read_text()
                if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry.name))
    return found


class Watch:
    """Samples a process while it runs: its peak RSS and a server's; kills its process group when it
    passes ``max_rss_mib`` (one query can take all the machine's memory)."""

    def __init__(self, leader: int, wrapped: bool, max_rss_mib: float, server_pid: int | None) -> None:
        self.leader = leader
        self.max_kib = max_rss_mib * 1024
        self.server_pid = server_pid
        self.peak_kib = 0
        self.server_peak = 0.0
        self.over = threading.Event()
        self._target: int | None = None if wrapped else leader  # wrapped: the leader is GNU time, watch its child
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while True:
            if self._target is None:
                children = child_pids(self.leader)
                self._target = children[0] if children else None
            if self._target is not None:
                self.peak_kib = max(self.peak_kib, status_kib(self._target, "VmHWM"))
                if self.peak_kib > self.max_kib and not self.over.is_set():
                    self.over.set()
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(self.leader, signal.SIGKILL)
            if self.server_pid:
                self.server_peak = max(self.server_peak, rss_mb(self.server_pid))
            if self._stop.wait(0.1):
                return

    def __enter__(self) -> Watch:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


GNU_TIME = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None


def run_timed(cmd: Sequence[str], timeout: float, *, count_csv: bool = True, environ: Mapping[str, str] | None = None,
              server_pid: int | None = None, max_rss_mib: float = float("inf")) -> Measure:
    """Run ``cmd`` as its own process group, counting its CSV output; kill the group after ``timeout`` s or
    past ``max_rss_mib``.

    The peak RSS comes from GNU time (``%M``), else from sampling ``VmHWM``: ``os.wait4`` on a child
    forked from this process would report at least this process's own size, as Linux carries the
    parent's peak over into the child's.
    """
    with tempfile.TemporaryFile() as errors, tempfile.NamedTemporaryFile(prefix="rss-") as rss_file:
        wrapper = [GNU_TIME, "-f", "%M", "-o", rss_file.name] if GNU_TIME else []
        start = time.perf_counter()
        proc = subprocess.Popen([*wrapper, *cmd], stdout=subprocess.PIPE, stderr=errors, stdin=subprocess.DEVNULL,
                                cwd=ROOT, env=dict(environ) if environ is not None else child_env(),
                                start_new_session=True)
        assert proc.stdout is not None
        stdout = proc.stdout
        counted: dict[str, Any] = {"rows": 0, "first": None}

        def count() -> None:
            if not count_csv:
                for _ in iter(lambda: stdout.read(1 << 16), b""):
                    pass
                return
            n = 0
            for row in csv.reader(io.TextIOWrapper(stdout, encoding="utf-8", newline="")):
                if n == 1:
                    counted["first"] = row
                n += 1
            counted["rows"] = max(n - 1, 0)

        timed_out = threading.Event()

        def kill() -> None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)

        def expire() -> None:
            timed_out.set()
            kill()

        reader = threading.Thread(target=count, daemon=True)
        reader.start()
        timer = threading.Timer(timeout, expire)
        try:
            with Watch(proc.pid, bool(wrapper), max_rss_mib, server_pid) as watch:
                timer.start()
                proc.wait()
                seconds = time.perf_counter() - start
        except BaseException:  # interrupted: leave no query running
            kill()
            raise
        finally:
            timer.cancel()
        killed = "memory" if watch.over.is_set() else "time" if timed_out.is_set() else ""
        if killed:
            kill()  # the group may still hold children of the measured process
        reader.join(timeout=30)
        stdout.close()
        errors.seek(0)
        stderr = errors.read().decode(errors="replace").strip()
        reported = Path(rss_file.name).read_text().split() if wrapper else []
    peak_kib = int(reported[-1]) if reported and reported[-1].isdigit() else watch.peak_kib
    measure = Measure(seconds, counted["rows"] if count_csv and not killed else None, peak_kib / 1024, killed,
                      first_row=counted["first"], server_rss_mib=watch.server_peak)
    if not killed and proc.returncode != 0:
        lines = [line for line in stderr.splitlines() if not line.startswith("Command exited with non-zero status")]
        measure.error = f"exit {proc.returncode}: " + (lines[-1] if lines else "")
    return measure


# --- the benchmark -----------------------------------------------------------------------------------------------


@dataclass
class QueryRun:
    query: str
    param: str  # "" or "NAME=VALUE"
    measure: Measure


@dataclass
class Target:
    """Where queries run: an embedded store directory or an endpoint URL."""

    label: str
    args: list[str]  # --store DIR or --endpoint URL
    environ: dict[str, str]
    server_pid: int | None = None


@dataclass
class SizeResult:
    label: str
    articles: int
    quads: int
    file_mb: float
    write_s: float
    load: Measure | None = None
    store_mb: float = 0.0
    startup: Measure | None = None
    count: Measure | None = None
    runs: list[QueryRun] = field(default_factory=list)
    limit_run: QueryRun | None = None


def plan(queries: Sequence[SavedQuery], values: Mapping[str, str]) -> list[tuple[str, list[str]]]:
    """(query, parameter arguments) for every query once without parameters and once per parameter."""
    runs: list[tuple[str, list[str]]] = []
    for query in queries:
        runs.append((query.name, []))
        for param in query.params:
            value = FIXED_VALUES.get(param.name)
            kind = PARAM_KINDS.get(param.name)
            if value is None and kind is not None:
                value = values.get(kind)
            if value is None:
                why = "no value of that kind in the data" if kind else "unknown parameter name, add it to PARAM_KINDS"
                print(f"WARNING: {query.name}: parameter '{param.name}' skipped ({why})", file=sys.stderr)
                continue
            runs.append((query.name, [f"{param.name}={value}"]))
    return runs


def kg_query(name: str, target: Target, params: Sequence[str], extra: Sequence[str] = ()) -> list[str]:
    cmd = [PYTHON, "-m", "kg", "query", name, *target.args, "--format", "csv", *extra]
    for p in params:
        cmd += ["--param", p]
    return cmd


def fmt_s(m: Measure | None, timeout: float) -> str:
    if m is None:
        return "-"
    if m.killed == "time":
        return f">{timeout:g} s"
    if m.killed == "memory":
        return f"killed at {m.seconds:.1f} (RSS cap)"
    return f"{m.seconds:.2f}"


def fmt_time(m: Measure | None, timeout: float) -> str:
    """:func:`fmt_s` with the unit, for sentences."""
    text = fmt_s(m, timeout)
    return text if m is None or m.killed else text + " s"


def run_queries(target: Target, result: SizeResult, runs: Sequence[tuple[str, list[str]]], work: Path,
                args: argparse.Namespace, limit: bool) -> None:
    """The start-up and COUNT references, then every planned query, against one target."""
    timeout = args.timeout

    def timed(cmd: Sequence[str]) -> Measure:
        return run_timed(cmd, timeout, environ=target.environ, server_pid=target.server_pid, max_rss_mib=args.max_rss)

    count_file, startup_file = work / "count.rq", work / "startup.rq"
    count_file.write_text("# title: Count every quad of every graph\n" + COUNT_QUERY)
    startup_file.write_text("# title: Start-up cost of kg query\n" + STARTUP_QUERY)
    result.startup = timed(kg_query(str(startup_file), target, []))
    result.count = timed(kg_query(str(count_file), target, []))
    scanned = result.count.first_row[0] if result.count.first_row else "?"
    print(f"  start-up (trivial query): {fmt_time(result.startup, timeout)}; COUNT scan: "
          f"{fmt_time(result.count, timeout)} ({scanned} quads)", flush=True)
    for name, params in runs:
        m = timed(kg_query(name, target, params))
        result.runs.append(QueryRun(name, " ".join(params), m))
        print(f"  {name} {' '.join(params)}: {fmt_time(m, timeout)}"
              + (f", {m.rows:,} rows" if m.rows is not None else "") + f", {m.rss_mib:.0f} MiB"
              + (f", server {m.server_rss_mib:.0f} MiB" if m.server_rss_mib else "")
              + (f" - ERROR {m.error}" if m.error else ""), flush=True)
        if m.timed_out and target.server_pid:
            wait_until_idle(target.server_pid, timeout)
    if limit:
        m = timed(kg_query(STREAMING_QUERY, target, [], ["--limit", "1000"]))
        result.limit_run = QueryRun(STREAMING_QUERY, "--limit 1000", m)
        print(f"  {STREAMING_QUERY} --limit 1000: {fmt_time(m, timeout)}, {m.rows} rows, {m.rss_mib:.0f} MiB",
              flush=True)


def cpu_ticks(pid: int) -> int:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # utime + stime
    except (OSError, IndexError, ValueError):
        return 0


def wait_until_idle(pid: int, limit: float) -> None:
    """After a killed client, wait until the server stops working on the abandoned query (or ``limit`` s)."""
    deadline = time.monotonic() + limit
    ticks = os.sysconf("SC_CLK_TCK")
    before = cpu_ticks(pid)
    while time.monotonic() < deadline:
        time.sleep(1)
        now = cpu_ticks(pid)
        if now - before < 0.1 * ticks:
            return
        before = now
    print(f"  (server still busy {limit:g} s after the timeout; going on)", flush=True)


def du_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6


def embedded(result: SizeResult, nq: Path, runs: Sequence[tuple[str, list[str]]], work: Path,
             args: argparse.Namespace, limit: bool) -> None:
    store = work / f"store-{result.articles}"
    result.load = run_timed([PYTHON, "-m", "kg", "-q", "load", str(nq), "--store", str(store)], 24 * 3600,
                            count_csv=False)
    if result.load.error:
        raise SystemExit(f"kg load failed: {result.load.error}")
    result.store_mb = du_mb(store)
    print(f"  kg load: {result.load.seconds:.1f} s, {result.load.rss_mib:.0f} MiB peak; store {result.store_mb:,.0f} MB",
          flush=True)
    target = Target("embedded", ["--store", str(store)], child_env())
    run_queries(target, result, runs, work, args, limit)
    if not args.keep:
        shutil.rmtree(store, ignore_errors=True)


def endpoints(base: SizeResult, nq: Path, runs: Sequence[tuple[str, list[str]]], work: Path,
              args: argparse.Namespace) -> list[SizeResult]:
    """The same corpus in an Oxigraph server and a Virtuoso, queried through ``--endpoint``."""
    from tests.servers import OxigraphServer, VirtuosoServer

    results = []
    for label in ("Oxigraph server", "Virtuoso"):
        result = dataclasses.replace(base, label=label, load=None, startup=None, count=None, runs=[],
                                     limit_run=None, store_mb=0.0)
        print(f"\n### {label}, {base.articles:,} articles", flush=True)
        try:
            server_dir = Path(tempfile.mkdtemp(prefix=label.split()[0].lower() + "-", dir=work))
            server: OxigraphServer | VirtuosoServer
            if label == "Virtuoso":
                server = VirtuosoServer(server_dir)
            else:
                server = OxigraphServer(server_dir)
            with server:
                url = server.sparql_url if isinstance(server, VirtuosoServer) else server.query_url
                creds: dict[str, str | None] = (
                    {"KG_ENDPOINT_USER": server.user, "KG_ENDPOINT_PASSWORD": server.password}
                    if isinstance(server, VirtuosoServer) else dict(NO_CREDS))
                pid = server.proc.pid if server.proc else None
                result.load = run_timed([PYTHON, "-m", "kg", "-q", "load", str(nq), "--endpoint", url], 24 * 3600,
                                        count_csv=False, environ=child_env(**creds), server_pid=pid)
                if result.load.error:
                    raise RuntimeError(f"kg load failed: {result.load.error}")
                print(f"  kg load: {result.load.seconds:.1f} s; server {result.load.server_rss_mib:.0f} MiB peak",
                      flush=True)
                target = Target(label, ["--endpoint", url], child_env(**NO_CREDS), pid)
                run_queries(target, result, runs, work, args, False)
        except Exception as exc:  # one server failing must not lose the other's figures
            print(f"  {label} FAILED: {type(exc).__name__}: {exc}", flush=True)
        results.append(result)
    return results


# --- report ------------------------------------------------------------------------------------------------------


def ratio(m: Measure, ref: Measure | None) -> float | None:
    if ref is None or ref.timed_out or ref.error or ref.seconds <= 0 or m.error:
        return None
    return (m.seconds if not m.timed_out else float("inf")) / ref.seconds


def size_table(result: SizeResult, timeout: float, goal_applies: bool) -> str:
    rows = []
    for run in result.runs:
        m = run.measure
        r = ratio(m, result.count)
        if m.killed == "time":
            ratio_cell = f">{timeout / result.count.seconds:.0f}x" if result.count and result.count.seconds else "-"
        elif m.killed:
            ratio_cell = "-"
        else:
            ratio_cell = f"{r:.1f}x" if r is not None else "-"
        if m.error:
            miss = "ERROR"
        elif goal_applies and (m.timed_out or (r is not None and r > RATIO_GOAL)):
            miss = "MISS"
        else:
            miss = ""
        rows.append([run.query, run.param or "-", f"{m.rows:,}" if m.rows is not None else "-",
                     fmt_s(m, timeout), ratio_cell, f"{m.rss_mib:.0f}"
                     + (f" / {m.server_rss_mib:.0f}" if m.server_rss_mib else ""), miss])
    rss_header = "peak RSS MiB" + (" (client / server)" if any(r.measure.server_rss_mib for r in result.runs) else "")
    return table(rows, ["query", "params", "rows", "seconds", "x COUNT", rss_header, "goal"])


def growth_table(small: SizeResult, large: SizeResult, timeout: float) -> str:
    factor = large.articles / small.articles
    before = {(r.query, r.param): r.measure for r in small.runs}
    rows = []
    for run in large.runs:
        a, b = before.get((run.query, run.param)), run.measure
        if a is None:
            continue
        if a.timed_out:
            growth, mark = "-", "killed at both sizes" if b.timed_out else "killed at the smaller size"
        elif b.killed == "memory":
            growth, mark = "-", "MISS (RSS cap)"
        elif b.timed_out:
            growth, mark = f">{timeout / a.seconds:.1f}x", "MISS"
        elif a.error or b.error:
            growth, mark = "-", "ERROR"
        else:
            g = b.seconds / a.seconds
            growth, mark = f"{g:.1f}x", "MISS" if g > factor * GROWTH_SLACK else ""
        rows.append([run.query, run.param or "-", fmt_s(a, timeout), fmt_s(b, timeout), growth, mark])
    header = ["query", "params", f"s at {small.articles:,}", f"s at {large.articles:,}", "growth", "goal"]
    return table(rows, header) + f"\n\nThe data grow {factor:.1f}x; growth up to {factor * GROWTH_SLACK:.1f}x counts as linear."


def report(results: Sequence[SizeResult], extra: Sequence[SizeResult], args: argparse.Namespace,
           limit: bool) -> None:
    largest = max(results, key=lambda r: r.articles)
    for result in [*results, *extra]:
        print()
        print(f"## {result.label}: {result.articles:,} articles, {result.quads:,} quads "
              f"({result.file_mb:,.0f} MB N-Quads)")
        print()
        if result.load:
            print(f"load: {result.load.seconds:.1f} s ({result.quads / max(result.load.seconds, 1e-9):,.0f} quads/s), "
                  f"peak RSS {result.load.rss_mib:.0f} MiB"
                  + (f" (kg), server {result.load.server_rss_mib:.0f} MiB" if result.load.server_rss_mib else "")
                  + (f"; store on disk {result.store_mb:,.0f} MB" if result.store_mb else ""))
        if result.count and result.startup:
            print(f"reference: COUNT(*) over GRAPH ?g = {fmt_time(result.count, args.timeout)} "
                  f"({result.count.first_row[0] if result.count.first_row else '?'} quads, "
                  f"peak RSS {result.count.rss_mib:.0f} MiB); start-up of kg query alone (trivial query) "
                  f"{fmt_time(result.startup, args.timeout)}")
        print()
        if result.runs:
            print(size_table(result, args.timeout, result is largest or result.label != "embedded"))
    embedded_sizes = sorted(results, key=lambda r: r.articles)
    if len(embedded_sizes) >= 2:
        small, large = embedded_sizes[-2], embedded_sizes[-1]
        print()
        print(f"## Growth from {small.articles:,} to {large.articles:,} articles (embedded store)")
        print()
        print(growth_table(small, large, args.timeout))
    streaming = next((r for r in largest.runs if r.query == STREAMING_QUERY and not r.param), None)
    print()
    print(f"## Streaming check: kg query {STREAMING_QUERY} --format csv at {largest.articles:,} articles")
    print()
    if streaming is None:
        print("not run (left out by --only)")
    else:
        m = streaming.measure
        print(f"- all rows: {fmt_time(m, args.timeout)}, {m.rows if m.rows is not None else '-'} rows, "
              f"peak RSS {m.rss_mib:.0f} MiB")
        if largest.limit_run is not None:
            lm = largest.limit_run.measure
            print(f"- --limit 1000: {fmt_time(lm, args.timeout)}, {lm.rows} rows, peak RSS {lm.rss_mib:.0f} MiB")
        elif not limit:
            print("- kg query has no --limit option yet (not measured)")


def to_json(results: Sequence[SizeResult], extra: Sequence[SizeResult], meta: Mapping[str, Any]) -> dict[str, Any]:
    def size(r: SizeResult) -> dict[str, Any]:
        data = dataclasses.asdict(r)
        for run in data["runs"]:
            c = r.count
            run["ratio_to_count"] = (run["measure"]["seconds"] / c.seconds
                                     if c and not c.killed and c.seconds and not run["measure"]["killed"]
                                     else None)
        return data
    return {**meta, "sizes": [size(r) for r in results], "endpoints": [size(r) for r in extra]}


# --- main --------------------------------------------------------------------------------------------------------


def parse_sizes(text: str) -> list[int]:
    sizes = sorted({int(s.replace("_", "")) for s in text.split(",") if s.strip()})
    if not sizes or sizes[0] <= 0:
        raise argparse.ArgumentTypeError("sizes must be positive numbers, e.g. 1000,5000,20000")
    return sizes


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=parse_sizes, default=[1000, 5000, 20000],
                        help="corpus sizes in articles (default 1000,5000,20000)")
    parser.add_argument("--distinct", type=int, default=2000,
                        help="distinct synthetic articles to extract (default 2,000); larger sizes use renamed copies")
    parser.add_argument("--seed", type=int, default=0, help="seed of the synthetic corpus (default 0)")
    parser.add_argument("--jsonl", type=Path, default=None,
                        help="extract this JSON Lines file (a 'text' field per line) instead of synthetic articles")
    parser.add_argument("--jobs", type=int, default=2, help="kg extract --jobs (default 2)")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE,
                        help="where extracted corpora are kept (default benchmarks/.cache)")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per query process (default 120)")
    parser.add_argument("--max-rss", type=float, default=8192,
                        help="MiB; a query process that grows past this is killed (default 8192)")
    parser.add_argument("--only", default="", help="comma-separated saved query names (default: all)")
    parser.add_argument("--endpoints", action="store_true",
                        help="also time the queries on an Oxigraph server and a Virtuoso (--endpoint-size articles)")
    parser.add_argument("--endpoint-size", type=int, default=5000, help="articles loaded into the servers (default 5000)")
    parser.add_argument("--json", type=Path, default=None, help="also write the results to this JSON file")
    parser.add_argument("--workdir", type=Path, default=None, help="where corpora and stores go (default: system temp)")
    parser.add_argument("--keep", action="store_true", help="keep the stores and corpus files (printed at the end)")
    args = parser.parse_args(argv)
    # on SIGTERM unwind like on Ctrl-C: the running query's process group is killed, the work directory removed
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))

    total_start = time.perf_counter()
    started = dt.datetime.now().isoformat(timespec="seconds")
    print("# kg query benchmark")
    print()
    print(f"command: {' '.join([Path(PYTHON).name, *sys.argv])}")
    print(f"started: {started}")
    for line in machine_info():
        print(line)
    print(f"goal: at the largest size each query <= {RATIO_GOAL:g}x the COUNT scan; from the second-largest "
          f"to the largest size its time grows no more than the data (about 4x from 5,000 to 20,000)")

    queries = list_queries()
    if args.only:
        wanted = {q.strip() for q in args.only.split(",") if q.strip()}
        unknown = wanted - {q.name for q in queries}
        if unknown:
            raise SystemExit(f"--only: no saved query named {', '.join(sorted(unknown))}")
        queries = [q for q in queries if q.name in wanted]
    help_text = subprocess.run([PYTHON, "-m", "kg", "query", "--help"], capture_output=True, text=True,
                               cwd=ROOT, env=child_env(), check=True).stdout
    limit = "--limit" in help_text and any(q.name == STREAMING_QUERY for q in queries)

    ex = extracted(args)
    graphs, other = read_graphs(ex.base)
    if not graphs:
        raise SystemExit(f"{ex.base}: no article graphs")
    values = parameter_values(ex)
    source = f"{args.jsonl}" if args.jsonl else f"{args.distinct:,} synthetic articles (benchmarks/corpus.py, seed {args.seed})"
    print()
    print(f"corpus: {source}: {len(graphs):,} article graphs, {ex.base.stat().st_size / 1e6:,.0f} MB N-Quads; "
          f"extraction {ex.meta['extract_seconds']:,.0f} s with --jobs {ex.meta['jobs']}"
          + (f" (cached, from {ex.meta['created']})" if ex.cached else ""))
    print("parameter values (most frequent in the data): "
          + ", ".join(f"{kind} = {value!r}" for kind, value in values.items()))
    runs = plan(queries, values)

    results: list[SizeResult] = []
    extra: list[SizeResult] = []
    sizes = list(args.sizes)
    if args.endpoints and args.endpoint_size not in sizes:
        sizes.append(args.endpoint_size)
    work = Path(tempfile.mkdtemp(prefix="kg-query-bench-", dir=args.workdir))
    try:
        for size in sorted(sizes):
            nq = work / f"corpus-{size}.nq"
            start = time.perf_counter()
            _, quads = write_corpus(graphs, other, size, nq)
            result = SizeResult("embedded", size, quads, nq.stat().st_size / 1e6, time.perf_counter() - start)
            print()
            print(f"### {size:,} articles: {quads:,} quads, {result.file_mb:,.0f} MB "
                  f"(written in {result.write_s:.1f} s; {max(0, size - len(graphs)):,} renamed copies)", flush=True)
            if size in args.sizes:
                embedded(result, nq, runs, work, args, limit and size == max(args.sizes))
                results.append(result)
            if args.endpoints and size == args.endpoint_size:
                extra += endpoints(result, nq, runs, work, args)
            if not args.keep:
                nq.unlink()
        report(results, extra, args, limit)
    finally:
        if args.keep:
            print(f"\nkept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    total = time.perf_counter() - total_start
    print()
    print(f"total time {total:.0f} s ({total / 60:.1f} min)")
    if args.json:
        meta = {"command": sys.argv, "started": started,
                "machine": machine_info(), "corpus": source, "distinct_articles": len(graphs),
                "extraction": ex.meta, "parameter_values": values, "timeout": args.timeout,
                "total_seconds": round(total, 1)}
        args.json.write_text(json.dumps(to_json(results, extra, meta), indent=2, ensure_ascii=False))
        print(f"results written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
