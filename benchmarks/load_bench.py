"""Load benchmark: how fast ``kg.store.loading.load_files`` gets an N-Quads file into each kind of target.

Run by hand from the repository root (never from the tests; timings are noisy)::

    . .venv/bin/activate
    python benchmarks/load_bench.py                       # 1,000,000 triples, each target once
    python benchmarks/load_bench.py --triples 200000 --repeat 3 --update-path

What it does:

1. Extracts the project's own test articles once (spaCy), then replicates their article graphs under
   new article ids (``{id}-r{n}``; every IRI under the article IRI is renamed, entity IRIs stay shared,
   as in a real corpus) until about N triples, streaming them into one N-Quads file.
2. Loads that file with ``load_files`` into: a fresh embedded store (bulk path), a fresh embedded store
   forced through the transactional per-graph path, a fresh Oxigraph server and a fresh Virtuoso
   (``EndpointStore`` as configured by default, Graph Store Protocol on) and, with ``--update-path``,
   both servers with ``graph_store_url="none"`` (SPARQL Update only). The table says which write path
   the endpoint really took (new graphs and changed graphs may go different ways). Each target is
   checked (article graphs and triples, counted with a SELECT over ``GRAPH ?g``) and loaded a second
   time, which must change nothing; with ``--replace``, a third time from a copy in which every graph
   has one more triple (all replaced). Reference loads of the same file without kg (pyoxigraph
   ``bulk_load``/``load``, plain per-graph PUTs) show what kg's own logic costs.
3. Prints a table (median of ``--repeat`` runs, each on a fresh target), ratios and machine info.

See ../shared/notes/stores.md for the reference figures the ratios are compared with.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import gc
import http.client
import logging
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Self

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pyoxigraph as ox

from benchmarks.common import ARTICLE_BASE, NO_CREDS, ROOT, RssSampler, env, machine_info, renamed, table
from kg.store.base import MANIFEST_GRAPH, Target
from kg.store.embedded import EmbeddedStore
from kg.store.loading import LoadReport, load_files, load_graphs

PRELOAD_GRAPH = "urn:kg-bench:preload"
COUNT_QUERY = f"""
SELECT (COUNT(DISTINCT ?g) AS ?graphs) (COUNT(*) AS ?triples) WHERE {{
  GRAPH ?g {{ ?s ?p ?o }}
  FILTER (?g != <{MANIFEST_GRAPH}> && STRSTARTS(STR(?g), "{ARTICLE_BASE}"))
}}"""
# only article graphs are counted: Virtuoso also has system graphs (notes V5), and case (b) has a preload graph


# --- data ------------------------------------------------------------------------------------------------------


@dataclass
class Data:
    path: Path
    graphs: int
    triples: int
    size: int
    base_articles: int
    base_triples: int
    seconds_extract: float
    seconds_write: float
    changed: Path | None = None  # the same graphs, each with one more triple (for --replace)


def base_graphs() -> list[tuple[str, list[ox.Quad]]]:
    """The article graphs of the project's test articles (extracted once)."""
    import kg.extract.from_doc
    import kg.nlp.load
    import kg.rdf.mapping
    import kg.rdf.namespaces
    import kg.read.articles

    articles = kg.read.articles.read_articles([ROOT / "tests/data/articles"], date=dt.date(2025, 3, 6),
                                              on_error=lambda e: None)
    nlp = kg.nlp.load.load_pipeline()
    graphs = []
    for extraction in kg.extract.from_doc.extract(articles, nlp):
        quads = kg.rdf.mapping.to_quads(extraction)
        graphs.append((str(kg.rdf.namespaces.Minter().article(extraction.article.id)), quads))
    del nlp
    gc.collect()
    return graphs


REVISION = ox.NamedNode("urn:kg-bench:revision")


def generate(directory: Path, target_triples: int, changed: bool = False) -> Data:
    """Write about ``target_triples`` triples of replicated article graphs as one N-Quads file.

    With ``changed``, also a second file with the same graphs, each with one more triple, so that
    loading it on top replaces every graph.
    """
    t0 = time.perf_counter()
    base = base_graphs()
    t1 = time.perf_counter()
    base_triples = sum(len(q) for _, q in base)
    path = directory / "bench.nq"
    changed_path = directory / "bench-changed.nq" if changed else None
    graphs = triples = 0
    with path.open("wb") as out, (changed_path.open("wb") if changed_path else contextlib.nullcontext()) as out2:
        n = 0
        while triples < target_triples:
            for article, quads in base:
                if triples >= target_triples:
                    break
                new = f"{article}-r{n}"
                copy = renamed(article, quads, new)
                out.write(ox.serialize(copy, format=ox.RdfFormat.N_QUADS) or b"")
                graphs += 1
                triples += len(copy)
                if out2 is not None:
                    g = ox.NamedNode(new)
                    copy.append(ox.Quad(g, REVISION, ox.Literal("2"), g))
                    out2.write(ox.serialize(copy, format=ox.RdfFormat.N_QUADS) or b"")
            n += 1
    t2 = time.perf_counter()
    return Data(path, graphs, triples, path.stat().st_size, len(base), base_triples, t1 - t0, t2 - t1, changed_path)


def check_file(data: Data) -> None:
    """Re-read the file: each graph contiguous, no duplicates, counts as written."""
    seen: set[str] = set()
    current = None
    n = 0
    for quad in ox.parse(path=str(data.path), format=ox.RdfFormat.N_QUADS):
        n += 1
        g = quad.graph_name.value
        if g != current:
            if g in seen:
                raise SystemExit(f"generated file: graph {g} is not contiguous")
            seen.add(g)
            current = g
    if (len(seen), n) != (data.graphs, data.triples):
        raise SystemExit(f"generated file: {len(seen)} graphs / {n} triples, expected {data.graphs} / {data.triples}")


# --- measuring -------------------------------------------------------------------------------------------------


class HttpCounter:
    """Counts HTTP requests and new TCP connections made by this process (requests and urllib alike)."""

    def __init__(self) -> None:
        self.requests = 0
        self.connections = 0
        import urllib3.connection

        self._put = http.client.HTTPConnection.putrequest
        # urllib3 (requests) opens its sockets in its own connect(), not through http.client's
        self._connects = [(cls, cls.connect) for cls in (http.client.HTTPConnection, urllib3.connection.HTTPConnection)]

    def __enter__(self) -> Self:
        counter = self
        put = self._put

        def putrequest(conn: Any, *args: Any, **kwargs: Any) -> Any:
            counter.requests += 1
            return put(conn, *args, **kwargs)

        def counting(connect: Callable[..., Any]) -> Callable[..., Any]:
            def connect_(conn: Any, *args: Any, **kwargs: Any) -> Any:
                counter.connections += 1
                return connect(conn, *args, **kwargs)
            return connect_

        http.client.HTTPConnection.putrequest = putrequest  # type: ignore[method-assign,assignment]
        for cls, connect in self._connects:
            cls.connect = counting(connect)  # type: ignore[method-assign]
        return self

    def __exit__(self, *exc: object) -> None:
        http.client.HTTPConnection.putrequest = self._put  # type: ignore[method-assign]
        for cls, connect in self._connects:
            cls.connect = connect  # type: ignore[method-assign]


@dataclass
class Run:
    load_s: float
    reload_s: float | None
    report: LoadReport | None
    rereport: LoadReport | None
    graphs_found: int
    triples_found: int
    manifest_entries: int
    requests: int
    connections: int
    py_rss: float
    server_rss: float
    problems: list[str] = field(default_factory=list)
    path: str = ""  # the write path the target really used for new graphs (endpoints decide at run time)
    replace_s: float | None = None
    replace_report: LoadReport | None = None


def count(target: Target) -> tuple[int, int]:
    _, rows = target.select(COUNT_QUERY, {})
    graphs, triples = rows[0]
    return int(graphs.value), int(triples.value)  # type: ignore[union-attr]


def measure(target: Target, data: Data, server_pid: int | None) -> Run:
    """Load the file, check the target, load it again (must change nothing)."""
    gc.collect()
    with HttpCounter() as http_count, RssSampler(server_pid) as rss:
        start = time.perf_counter()
        report = load_files(target, [data.path], LoadReport())
        load_s = time.perf_counter() - start
    graphs_found, triples_found = count(target)
    manifest_entries = len(target.manifest())
    start = time.perf_counter()
    rereport = load_files(target, [data.path], LoadReport())
    reload_s = time.perf_counter() - start
    replace_s = replace_report = None
    if data.changed is not None:
        start = time.perf_counter()
        replace_report = load_files(target, [data.changed], LoadReport())
        replace_s = time.perf_counter() - start

    problems = []
    if report.failed:
        problems.append(f"first load: {report.failed} problems, e.g. {report.problems[:3]}")
    if (report.new, report.replaced, report.triples) != (data.graphs, 0, data.triples):
        problems.append(f"first load reported {report.new} new / {report.replaced} replaced / "
                        f"{report.triples} triples, expected {data.graphs} / 0 / {data.triples}")
    if (graphs_found, triples_found) != (data.graphs, data.triples):
        problems.append(f"target holds {graphs_found} article graphs / {triples_found} triples, "
                        f"expected {data.graphs} / {data.triples}")
    if manifest_entries < data.graphs:
        problems.append(f"manifest lists {manifest_entries} graphs, expected >= {data.graphs}")
    if (rereport.new, rereport.replaced, rereport.unchanged, rereport.triples, rereport.failed) != (
            0, 0, data.graphs, 0, 0):
        problems.append(f"second load not a no-op: {rereport.new} new, {rereport.replaced} replaced, "
                        f"{rereport.unchanged} unchanged, {rereport.triples} triples, {rereport.failed} failed "
                        f"{rereport.problems[:3]}")
    if replace_report is not None:
        found = count(target)
        want = (0, data.graphs, 0, data.triples + data.graphs, 0)
        got = (replace_report.new, replace_report.replaced, replace_report.unchanged, replace_report.triples,
               replace_report.failed)
        if got != want:
            problems.append(f"changed file: {got[0]} new, {got[1]} replaced, {got[2]} unchanged, {got[3]} triples, "
                            f"{got[4]} failed {replace_report.problems[:3]}; expected {want}")
        if found != (data.graphs, data.triples + data.graphs):
            problems.append(f"after the changed file the target holds {found[0]} article graphs / {found[1]} "
                            f"triples, expected {data.graphs} / {data.triples + data.graphs}")
    return Run(load_s, reload_s, report, rereport, graphs_found, triples_found, manifest_entries,
               http_count.requests, http_count.connections, rss.peak["py"], rss.peak["server"], problems,
               write_path(target), replace_s, replace_report)


def write_path(target: Target) -> str:
    """What the target does with new graphs (batched) and with changed ones (one by one)."""
    limit = target.batch_limit(empty=True) if hasattr(target, "batch_limit") else 0
    if isinstance(target, EmbeddedStore):
        return ""
    gsp = getattr(target, "graph_store_url", None)
    how = "N-Quads POST" if getattr(target, "posts_quads", False) else "INSERT DATA"
    new = f"new: {how} <= {limit:,} t/request" if limit else "new: one by one"
    return f"{new}; changed: {'GSP PUT' if gsp else 'SPARQL Update'}"


def graph_bodies(path: Path) -> Iterator[tuple[str, bytes]]:
    """The file's graphs as N-Triples bodies, straight from its lines (for the no-kg reference loads).

    pyoxigraph writes one ``s p o <g> .`` per line and graph IRIs have no spaces, so the graph is the
    second-last token.
    """
    current: bytes | None = None
    lines: list[bytes] = []
    with path.open("rb") as f:
        for line in f:
            triple, graph, _ = line.rsplit(b" ", 2)
            if graph != current:
                if current is not None:
                    yield current[1:-1].decode(), b"".join(lines)
                current, lines = graph, []
            lines.append(triple + b" .\n")
    if current is not None:
        yield current[1:-1].decode(), b"".join(lines)


def measure_reference(load: Callable[[], None], counter: Target, data: Data, server_pid: int | None) -> Run:
    """Time a load that does not go through kg (no manifest, no hashing, no second load)."""
    gc.collect()
    with HttpCounter() as http_count, RssSampler(server_pid) as rss:
        start = time.perf_counter()
        load()
        load_s = time.perf_counter() - start
    graphs_found, triples_found = count(counter)
    problems = []
    if (graphs_found, triples_found) != (data.graphs, data.triples):
        problems.append(f"target holds {graphs_found} article graphs / {triples_found} triples, "
                        f"expected {data.graphs} / {data.triples}")
    return Run(load_s, None, None, None, graphs_found, triples_found, 0, http_count.requests,
               http_count.connections, rss.peak["py"], rss.peak["server"], problems)


def case_raw_store(bulk: bool) -> Callable[[Data, Path], Run]:
    def run(data: Data, work: Path) -> Run:
        directory = Path(tempfile.mkdtemp(prefix="raw-", dir=work))
        store = EmbeddedStore(directory / "s")  # only for counting; writes go to its pyoxigraph Store directly
        method = store.store.bulk_load if bulk else store.store.load
        try:
            return measure_reference(lambda: method(path=str(data.path), format=ox.RdfFormat.N_QUADS),
                                     store, data, None)
        finally:
            store.close()
            shutil.rmtree(directory, ignore_errors=True)
    return run


def put_graphs(url: str, data: Data, auth: object = None) -> None:
    """One Graph Store Protocol PUT per graph over one keep-alive session (Digest nonce reused)."""
    import requests

    with requests.Session() as session:
        session.trust_env = False
        for graph, body in graph_bodies(data.path):
            r = session.put(url, params={"graph": graph}, data=body, auth=auth, timeout=120,  # type: ignore[arg-type]
                            headers={"Content-Type": "application/n-triples"})
            if r.status_code >= 300:
                raise RuntimeError(f"PUT {graph}: HTTP {r.status_code} {r.text[:200]}")


def case_raw_oxigraph(data: Data, work: Path) -> Run:
    from kg.store.endpoint import EndpointStore
    from tests.servers import OxigraphServer

    with env(**NO_CREDS), OxigraphServer(Path(tempfile.mkdtemp(prefix="oxigraph-", dir=work))) as server:
        counter = EndpointStore(server.query_url)
        try:
            return measure_reference(lambda: put_graphs(server.store_url, data), counter, data,
                                     server.proc.pid if server.proc else None)
        finally:
            counter.close()


def case_raw_virtuoso(data: Data, work: Path) -> Run:
    from kg.store.endpoint import EndpointStore
    from tests.servers import VirtuosoServer

    with env(**NO_CREDS), VirtuosoServer(Path(tempfile.mkdtemp(prefix="virtuoso-", dir=work))) as server:
        counter = EndpointStore(server.sparql_url)  # anonymous, read only
        try:
            return measure_reference(lambda: put_graphs(server.graph_store_url, data, server.auth), counter, data,
                                     server.proc.pid if server.proc else None)
        finally:
            counter.close()


def case_embedded_bulk(data: Data, work: Path) -> Run:
    directory = Path(tempfile.mkdtemp(prefix="store-", dir=work))
    store = EmbeddedStore(directory / "s")
    try:
        return measure(store, data, None)
    finally:
        store.close()
        shutil.rmtree(directory, ignore_errors=True)


def case_embedded_transactional(data: Data, work: Path) -> Run:
    directory = Path(tempfile.mkdtemp(prefix="store-", dir=work))
    store = EmbeddedStore(directory / "s")
    try:
        tiny = [ox.Quad(ox.NamedNode(PRELOAD_GRAPH), ox.NamedNode("urn:kg-bench:p"), ox.Literal("x"),
                        ox.NamedNode(PRELOAD_GRAPH))]
        list(load_graphs(store, [(PRELOAD_GRAPH, tiny)], LoadReport()))
        assert store.manifest(), "preload did not make the manifest non-empty"
        return measure(store, data, None)
    finally:
        store.close()
        shutil.rmtree(directory, ignore_errors=True)


def case_oxigraph(graph_store: bool) -> Callable[[Data, Path], Run]:
    def run(data: Data, work: Path) -> Run:
        from kg.store.endpoint import EndpointStore
        from tests.servers import OxigraphServer

        with env(**NO_CREDS), OxigraphServer(Path(tempfile.mkdtemp(prefix="oxigraph-", dir=work))) as server:
            target = EndpointStore(server.query_url, graph_store_url=None if graph_store else "none")
            try:
                assert (target.graph_store_url is not None) == graph_store, target.graph_store_url
                return measure(target, data, server.proc.pid if server.proc else None)
            finally:
                target.close()
    return run


def case_virtuoso(graph_store: bool) -> Callable[[Data, Path], Run]:
    def run(data: Data, work: Path) -> Run:
        from kg.store.endpoint import EndpointStore
        from tests.servers import VirtuosoServer

        with VirtuosoServer(Path(tempfile.mkdtemp(prefix="virtuoso-", dir=work))) as server, \
                env(KG_ENDPOINT_USER=server.user, KG_ENDPOINT_PASSWORD=server.password):
            target = EndpointStore(server.sparql_url, graph_store_url=None if graph_store else "none")
            try:
                assert (target.graph_store_url is not None) == graph_store, target.graph_store_url
                return measure(target, data, server.proc.pid if server.proc else None)
            finally:
                target.close()
    return run


@dataclass
class Case:
    key: str
    label: str
    path: str
    run: Callable[[Data, Path], Run]
    runs: list[Run] = field(default_factory=list)
    error: str = ""

    def median(self, attr: str) -> float:
        return float(statistics.median(getattr(r, attr) for r in self.runs))


# --- output ----------------------------------------------------------------------------------------------------


def fmt_rate(x: float) -> str:
    return f"{x / 1000:,.1f}k" if x >= 1000 else f"{x:,.0f}"


def report(cases: list[Case], data: Data, repeat: int) -> None:
    header = ["target", "path", "load s", "triples/s", "articles/s", "check", "reload s", "reload",
              "HTTP req (conn)", "py RSS MB", "server RSS MB"]
    replace = data.changed is not None
    if replace:
        header[8:8] = ["replace s", "replaced"]
    rows = []
    for c in cases:
        if not c.runs:
            rows.append([c.label, c.path, "FAILED", "", "", c.error[:60], *[""] * (len(header) - 6)])
            continue
        load = c.median("load_s")
        ok = all(not r.problems for r in c.runs)
        last = c.runs[-1]
        rr = last.rereport
        runs = " / ".join(f"{r.load_s:.2f}" for r in c.runs) if len(c.runs) > 1 else ""
        replace_cells = []
        if replace:
            rp = last.replace_report
            replace_cells = [f"{statistics.median(r.replace_s or 0.0 for r in c.runs):.2f}" if rp else "-",
                             f"{rp.replaced}" + (f", {rp.failed} fail" if rp.failed else "") if rp else "-"]
        rows.append([
            c.label, c.path + (f" ({last.path})" if last.path else ""), f"{load:.2f}" + (f" ({runs})" if runs else ""),
            fmt_rate(data.triples / load), f"{data.graphs / load:,.0f}",
            f"ok {last.graphs_found}g/{last.triples_found}t" if ok else "FAIL",
            f"{c.median('reload_s'):.2f}" if rr else "-",
            (f"{rr.unchanged} unch, {rr.triples} t" + ("" if not rr.failed else f", {rr.failed} fail")) if rr else "-",
            f"{int(c.median('requests'))} ({int(c.median('connections'))})" if last.requests else "-",
            f"{max(r.py_rss for r in c.runs):.0f}",
            f"{max(r.server_rss for r in c.runs):.0f}" if last.server_rss else "-",
        ])
        rows[-1][8:8] = replace_cells
    print()
    print(f"## Load of {data.triples:,} triples / {data.graphs:,} article graphs "
          f"(median of {repeat} run{'s' if repeat > 1 else ''}, each on a fresh target)")
    print()
    print(table(rows, header))
    print()
    print("check: article graphs/triples counted with SELECT over GRAPH ?g (manifest excluded) = expected, "
          "first load all new with no problems, second load all unchanged with 0 triples written.")
    print("'ref:' rows are reference loads of the same file without kg (no manifest, no hashing, no second "
          "load): pyoxigraph Store.bulk_load / Store.load on the whole file, and one plain GSP PUT per graph "
          "over a keep-alive requests session (Virtuoso: one Digest auth object, nonce reused).")
    if replace:
        print("replace: a third load, of a copy of the file in which every graph has one more triple "
              "(all graphs replaced, one by one).")
    print("HTTP req (conn): HTTP requests (new TCP connections) made during the first load. "
          "RSS: peak resident memory during the first load.")
    for c in cases:
        for i, r in enumerate(c.runs):
            for p in r.problems:
                print(f"PROBLEM {c.label} / {c.path} run {i + 1}: {p}")
        if c.error:
            print(f"ERROR {c.label} / {c.path}: {c.error}")

    by = {c.key: c for c in cases if c.runs}

    def rate(key: str) -> float:
        return data.triples / by[key].median("load_s")

    ratios = [
        ("bulk", "tx", "embedded bulk vs embedded transactional"),
        ("bulk", "oxi-gsp", "embedded bulk vs Oxigraph server (GSP on)"),
        ("bulk", "virt-gsp", "embedded bulk vs Virtuoso (GSP on)"),
        ("tx", "oxi-gsp", "embedded transactional vs Oxigraph server (GSP on)"),
        ("virt-gsp", "oxi-gsp", "Virtuoso (GSP on) vs Oxigraph server (GSP on)"),
        ("oxi-gsp", "oxi-upd", "Oxigraph GSP on vs Update only"),
        ("virt-gsp", "virt-upd", "Virtuoso GSP on vs Update only"),
    ]
    print()
    print("## Ratios (throughput of first / second, first loads)")
    print()
    for a, b, text in ratios:
        if a in by and b in by:
            print(f"- {text}: {rate(a) / rate(b):.1f}x ({fmt_rate(rate(a))} vs {fmt_rate(rate(b))} triples/s)")
    if data.changed is not None:
        def replace_rate(key: str) -> float:
            return data.graphs / statistics.median(r.replace_s or 0.0 for r in by[key].runs)
        print()
        print("Replacing every graph (third load), articles/s:")
        for key, case in by.items():
            if case.runs[-1].replace_s is not None:
                print(f"- {case.label} / {case.path}: {replace_rate(key):,.1f} articles/s")
        for a, b, text in ratios[-2:]:
            if a in by and b in by and by[a].runs[-1].replace_s and by[b].runs[-1].replace_s:
                print(f"- replace, {text}: {replace_rate(a) / replace_rate(b):.1f}x")
    refs = [
        ("bulk", "raw-bulk", "embedded bulk (kg) vs pyoxigraph Store.bulk_load of the file"),
        ("tx", "raw-load", "embedded transactional (kg) vs pyoxigraph Store.load (one transaction) of the file"),
        ("oxi-gsp", "raw-oxi", "Oxigraph (kg, GSP on) vs plain per-graph PUTs"),
        ("virt-gsp", "raw-virt", "Virtuoso (kg, GSP on) vs plain per-graph PUTs"),
    ]
    print()
    print("## kg vs the same write path without kg (same file, same machine)")
    print()
    for a, b, text in refs:
        if a in by and b in by:
            print(f"- {text}: {rate(a) / rate(b):.2f}x ({fmt_rate(rate(a))} vs {fmt_rate(rate(b))} triples/s)")
    ceilings = [  # stores.md section 0/8: raw write paths with no kg logic, same machine kind
        ("bulk", 316_000, "pyoxigraph Store.bulk_load on disk (stores.md section 5, 200k)"),
        ("tx", 123_000, "pyoxigraph Store.load transactional on disk (stores.md section 5, 200k)"),
        ("oxi-upd", 19_100, "Oxigraph INSERT DATA 10k batches (stores.md section 8)"),
        ("virt-upd", 23_700, "Virtuoso INSERT DATA 10k subject-grouped batches (stores.md section 8)"),
    ]
    # with GSP on, new graphs may still travel as INSERT DATA (see the path column): compare like with like
    for key, server, update_ref, gsp_ref in [
            ("oxi-gsp", "Oxigraph", 19_100, 39_700), ("virt-gsp", "Virtuoso", 23_700, 149_000)]:
        if key in by and "INSERT DATA" in by[key].runs[-1].path.split(";")[0]:
            ceilings.append((key, update_ref, f"{server} INSERT DATA 10k batches (stores.md section 8)"))
        else:
            ceilings.append((key, gsp_ref, f"{server} GSP POST, whole file / 10 x 100k (stores.md section 8)"))
    print()
    print("## Against the raw-path figures in ../shared/notes/stores.md (other data, no kg logic)")
    print()
    for key, ref, text in ceilings:
        if key in by:
            print(f"- {by[key].label} / {by[key].path}: {fmt_rate(rate(key))} triples/s = "
                  f"{rate(key) / ref:.2f}x of {fmt_rate(ref)} ({text})")


# --- whole processes -------------------------------------------------------------------------------------------

RAW_BULK = """
import sys, pyoxigraph as ox
store = ox.Store(sys.argv[2])
store.bulk_load(path=sys.argv[1], format=ox.RdfFormat.N_QUADS)
store.optimize()  # as kg's close() does after a bulk load
store.flush()
"""


def _server_cpu(pid: int) -> float:
    """CPU seconds (user + system) a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class _PeakRss:
    """The peak RSS of a child process, from its own high-water mark (``VmHWM``), read until it ends.

    Not ``ru_maxrss``: Linux carries the high-water mark over ``exec``, so every child of this process
    (which holds spaCy after generating the data) would report at least this process's size.
    """

    def __init__(self, pid: int) -> None:
        self.pid, self.mb = pid, 0.0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._done.wait(0.05):
            try:
                status = Path(f"/proc/{self.pid}/status").read_text()
            except OSError:
                return
            for line in status.splitlines():
                if line.startswith("VmHWM:"):
                    self.mb = max(self.mb, int(line.split()[1]) / 1024)

    def stop(self) -> float:
        self._done.set()
        self._thread.join()
        return self.mb


def _child(command: list[str], server_pid: int | None = None) -> tuple[float, float, float, float]:
    """(wall s, CPU s of the child, CPU s of the server meanwhile, peak RSS MB of the child) of one command."""
    server = _server_cpu(server_pid) if server_pid else 0.0
    start = time.perf_counter()
    environ = {k: v for k, v in os.environ.items() if k not in NO_CREDS} | {"PYTHONPATH": str(ROOT)}
    with tempfile.TemporaryFile() as errors:
        proc = subprocess.Popen(command, cwd=ROOT, env=environ, stdout=subprocess.DEVNULL, stderr=errors)
        peak = _PeakRss(proc.pid)
        _, status, usage = os.wait4(proc.pid, 0)  # this child's own CPU time
        rss = peak.stop()
        proc.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - start
        if proc.returncode != 0:
            errors.seek(0)
            raise RuntimeError(f"{' '.join(command[:4])}…: exit {proc.returncode}: {errors.read().decode()[-500:]}")
    server_cpu = (_server_cpu(server_pid) - server) if server_pid else 0.0
    return wall, usage.ru_utime + usage.ru_stime, server_cpu, rss


def _raw_post(url: str, path: Path, server_pid: int) -> tuple[float, float, float, float]:
    """One Graph Store POST of the whole N-Quads file, streamed from disk (no kg, no manifest)."""
    import requests

    server = _server_cpu(server_pid)
    start = time.perf_counter()
    with path.open("rb") as body:
        response = requests.post(url, data=body, headers={"Content-Type": "application/n-quads"}, timeout=3600)
    wall = time.perf_counter() - start
    if response.status_code >= 300:
        raise RuntimeError(f"POST {url}: HTTP {response.status_code} {response.text[:200]}")
    return wall, 0.0, _server_cpu(server_pid) - server, 0.0


def whole_processes(data: Data, work: Path, repeat: int) -> None:
    """``kg load`` as a whole process against pyoxigraph's ``bulk_load`` in its own process, and against
    one raw Graph Store POST of the file to a fresh Oxigraph server: medians of ``repeat`` runs."""
    from tests.servers import OxigraphServer

    kg = [sys.executable, "-m", "kg", "-q", "load", str(data.path)]
    rows: dict[str, list[tuple[float, float, float, float]]] = {}

    def fresh(prefix: str) -> str:
        return str(Path(tempfile.mkdtemp(prefix=prefix, dir=work)) / "s")

    for _ in range(repeat):
        rows.setdefault("raw bulk_load", []).append(
            _child([sys.executable, "-c", RAW_BULK, str(data.path), fresh("raw-")]))
        rows.setdefault("kg load --store", []).append(_child([*kg, "--store", fresh("kg-")]))
        with OxigraphServer(Path(tempfile.mkdtemp(prefix="oxigraph-", dir=work))) as server:
            assert server.proc is not None
            rows.setdefault("raw GSP POST", []).append(_raw_post(server.store_url, data.path, server.proc.pid))
        with OxigraphServer(Path(tempfile.mkdtemp(prefix="oxigraph-", dir=work))) as server:
            assert server.proc is not None
            rows.setdefault("kg load --endpoint", []).append(
                _child([*kg, "--endpoint", server.query_url], server.proc.pid))

    def median(key: str, i: int) -> float:
        return statistics.median(r[i] for r in rows[key])

    print()
    print(f"## whole processes ({data.triples:,} triples, median of {repeat})")
    print()
    print(table([[key, f"{median(key, 0):.2f}", f"{median(key, 1):.2f}", f"{median(key, 2):.2f}",
                  f"{median(key, 3):.0f}"] for key in rows], ["case", "wall s", "CPU s", "server CPU s", "peak RSS MB"]))
    print()
    for kg_key, ref_key, goal in (("kg load --store", "raw bulk_load", "CPU"),
                                  ("kg load --endpoint", "raw GSP POST", "server + client CPU")):
        cpu = (median(ref_key, 1) + median(ref_key, 2)) / (median(kg_key, 1) + median(kg_key, 2))
        print(f"{kg_key} vs {ref_key}: {median(ref_key, 0) / median(kg_key, 0):.2f} of its speed by wall time, "
              f"{cpu:.2f} by {goal} (goal >= 0.80)")


def piped_rss(data: Data, work: Path, rounds: Sequence[int]) -> None:
    """Peak RSS of ``kg load -`` fed the file through a pipe ``k`` times over (article ids renamed each
    round, so every graph is new): flat memory means about the same peak for every ``k``."""
    print()
    print("## kg load - through a pipe")
    print()
    rows = []
    for k in rounds:
        store = Path(tempfile.mkdtemp(prefix="piped-", dir=work)) / "s"
        environ = {n: v for n, v in os.environ.items() if n not in NO_CREDS} | {"PYTHONPATH": str(ROOT)}
        proc = subprocess.Popen([sys.executable, "-m", "kg", "-q", "load", "-", "--store", str(store)], cwd=ROOT,
                                env=environ, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL)

        def feed(k: int = k, proc: subprocess.Popen[bytes] = proc) -> None:
            assert proc.stdin is not None
            with proc.stdin:
                for r in range(k):
                    tag = f"/article/x{r}-".encode()
                    with data.path.open("rb") as lines:
                        for line in lines:
                            proc.stdin.write(line.replace(b"/article/", tag))

        writer = threading.Thread(target=feed)
        start = time.perf_counter()
        writer.start()
        peak = _PeakRss(proc.pid)
        _, status, usage = os.wait4(proc.pid, 0)
        rss = peak.stop()
        proc.returncode = os.waitstatus_to_exitcode(status)
        writer.join()
        wall = time.perf_counter() - start
        rows.append([f"{k} x {data.triples:,}", f"{wall:.1f}", f"{usage.ru_utime + usage.ru_stime:.1f}",
                     f"{rss:.0f}", str(proc.returncode)])
        shutil.rmtree(store.parent, ignore_errors=True)
    print(table(rows, ["triples piped", "wall s", "CPU s", "peak RSS MB", "exit"]))


# --- main ------------------------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--triples", type=int, default=1_000_000, help="about how many triples (default 1,000,000)")
    parser.add_argument("--repeat", type=int, default=1, help="runs per target; the median is printed (default 1)")
    parser.add_argument("--update-path", action="store_true",
                        help="also load Oxigraph and Virtuoso through SPARQL Update only (no Graph Store Protocol)")
    parser.add_argument("--replace", action="store_true",
                        help="also load a copy in which every graph changed (measures replacing, one graph at a time)")
    parser.add_argument("--no-reference", action="store_true",
                        help="skip the reference loads without kg (pyoxigraph bulk_load/load, plain per-graph PUTs)")
    parser.add_argument("--only", default="",
                        help="comma-separated subset of: bulk,tx,oxi-gsp,virt-gsp,oxi-upd,virt-upd,"
                             "raw-bulk,raw-load,raw-oxi,raw-virt")
    parser.add_argument("--workdir", type=Path, default=None, help="where temp files go (default: system temp)")
    parser.add_argument("--verbose", action="store_true", help="show kg's log (retries, endpoint detection)")
    parser.add_argument("--pipe", default="", metavar="K,K…",
                        help="with --whole-process: also pipe the file K times (ids renamed) into 'kg load -' and "
                             "print its peak RSS, e.g. --pipe 1,5")
    parser.add_argument("--whole-process", action="store_true",
                        help="only time 'kg load' as a process against bulk_load in its own process and one raw "
                             "GSP POST to Oxigraph")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="  [log] %(name)s %(levelname)s %(message)s")

    cases = [
        Case("bulk", "embedded (fresh)", "bulk_extend", case_embedded_bulk),
        Case("tx", "embedded (preloaded)", "transactional", case_embedded_transactional),
        Case("oxi-gsp", "Oxigraph server", "GSP on", case_oxigraph(True)),
        Case("virt-gsp", "Virtuoso", "GSP on", case_virtuoso(True)),
    ]
    if args.update_path:
        cases += [Case("oxi-upd", "Oxigraph server", "Update only", case_oxigraph(False)),
                  Case("virt-upd", "Virtuoso", "Update only", case_virtuoso(False))]
    if not args.no_reference:
        cases += [Case("raw-bulk", "ref: pyoxigraph", "Store.bulk_load", case_raw_store(True)),
                  Case("raw-load", "ref: pyoxigraph", "Store.load", case_raw_store(False)),
                  Case("raw-oxi", "ref: Oxigraph server", "PUT per graph", case_raw_oxigraph),
                  Case("raw-virt", "ref: Virtuoso", "PUT per graph", case_raw_virtuoso)]
    if args.only:
        wanted = set(args.only.split(","))
        cases = [c for c in cases if c.key in wanted]

    print("# kg load benchmark")
    print()
    print(f"command: {' '.join([Path(sys.executable).name, *sys.argv])}")
    print(f"started: {dt.datetime.now().isoformat(timespec='seconds')}")
    for line in machine_info():
        print(line)
    total_start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="kg-load-bench-", dir=args.workdir) as tmp:
        work = Path(tmp)
        data = generate(work, args.triples, changed=args.replace)
        check_file(data)
        if args.whole_process:
            whole_processes(data, work, args.repeat)
            if args.pipe:
                piped_rss(data, work, [int(k) for k in args.pipe.split(",")])
            return 0
        print()
        print(f"data: {data.path} - {data.size / 1e6:,.1f} MB N-Quads, {data.graphs:,} article graphs, "
              f"{data.triples:,} triples ({data.triples / data.graphs:.0f} per graph), replicated from "
              f"{data.base_articles} extracted test articles ({data.base_triples:,} triples); "
              f"extraction {data.seconds_extract:.1f} s, writing {data.seconds_write:.1f} s")
        for case in cases:
            for i in range(args.repeat):
                print(f"... {case.label} / {case.path}, run {i + 1} of {args.repeat}", end="", flush=True)
                try:
                    run = case.run(data, work)
                except Exception as exc:
                    case.error = f"{type(exc).__name__}: {exc}"
                    print(f": FAILED ({case.error[:300]})", flush=True)
                    break
                case.runs.append(run)
                print(f": {run.load_s:.2f} s" + (f", reload {run.reload_s:.2f} s" if run.reload_s is not None else "")
                      + (f" - {len(run.problems)} PROBLEMS" if run.problems else " - checks ok"), flush=True)
        report(cases, data, args.repeat)
    print()
    print(f"total time {time.perf_counter() - total_start:.0f} s")
    return 0 if all(c.runs and not any(r.problems for r in c.runs) for c in cases) else 1


if __name__ == "__main__":
    sys.exit(main())
