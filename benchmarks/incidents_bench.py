"""Incidents benchmark: what keeping the incidents graph costs a load, against the same load without it.

Run by hand from the repository root (never from the tests; timings are noisy)::

    python benchmarks/incidents_bench.py CORPUS.nq --articles 20000 --more 200

CORPUS.nq is an N-Quads file of article graphs (``kg extract`` of ``benchmarks/corpus.py``'s articles, or
the file ``benchmarks/query_bench.py`` writes). In one run, each on a fresh embedded store:

1. ``load``: the first ``--articles`` graphs with the incidents graph kept off (the load as it was);
2. ``load + incidents``: the same graphs as ``kg load`` does them now (into an empty store: one whole pass);
3. ``ingest more``: the next ``--more`` graphs into store 2, which only recomputes the incidents they can
   touch, against the same graphs into store 1 without incidents.

Prints the seconds, the ratios to the loads without incidents, and what the incidents graph holds.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from itertools import islice
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import machine_info, table
from kg.rdf.graphs import INCIDENTS_GRAPH
from kg.rdf.nquads import GraphLines
from kg.store import loading
from kg.store.embedded import EmbeddedStore
from kg.store.loading import LoadReport, graphs_in_files, load_graphs

COUNTS = f"""PREFIX kg: <https://w3id.org/kg-news/ns#>
SELECT (COUNT(DISTINCT ?i) AS ?incidents) (COUNT(?r) AS ?reports) (COUNT(DISTINCT ?multi) AS ?multis) WHERE {{
  GRAPH <{INCIDENTS_GRAPH}> {{ ?i kg:report ?r ; kg:reportCount ?n }}
  BIND(IF(?n > 1, ?i, ?none) AS ?multi)
}}"""
DUPLICATES = f"""SELECT (COUNT(*) AS ?n) WHERE {{
  GRAPH <{INCIDENTS_GRAPH}> {{ ?a <https://w3id.org/kg-news/ns#duplicateOf> ?o }} }}"""


def graphs(path: Path, start: int, count: int) -> Iterator[GraphLines | None]:
    """Graphs ``start`` … ``start + count`` of the file."""
    report = LoadReport()
    yield from islice((g for g in graphs_in_files([path], report) if g is not None), start, start + count)


def load(store: EmbeddedStore, path: Path, start: int, count: int, *, incidents: bool) -> float:
    began = time.perf_counter()
    report = LoadReport()
    if incidents:
        for _ in load_graphs(store, graphs(path, start, count), report):
            pass
    else:
        with mock.patch.object(loading, "update_incidents", lambda target, articles: None):
            for _ in load_graphs(store, graphs(path, start, count), report):
                pass
    assert not report.problems, report.problems[:3]
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", type=Path, help="N-Quads file of article graphs")
    parser.add_argument("--articles", type=int, default=2000, help="graphs in the first load (default 2000)")
    parser.add_argument("--more", type=int, default=100, help="graphs ingested afterwards (default 100)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="kg-incidents-bench-"))
    try:
        plain, kept = EmbeddedStore(work / "plain"), EmbeddedStore(work / "incidents")
        rows = []
        base = load(plain, args.corpus, 0, args.articles, incidents=False)
        with_incidents = load(kept, args.corpus, 0, args.articles, incidents=True)
        rows.append([f"load {args.articles:,} articles", f"{base:.1f}", f"{with_incidents:.1f}",
                     f"{with_incidents / base:.2f}"])
        more_base = load(plain, args.corpus, args.articles, args.more, incidents=False)
        more = load(kept, args.corpus, args.articles, args.more, incidents=True)
        rows.append([f"ingest {args.more:,} more", f"{more_base:.1f}", f"{more:.1f}", f"{more / more_base:.2f}"])
        print(table(rows, ["step", "without incidents (s)", "with incidents (s)", "ratio"]))
        _, counted = kept.select(COUNTS, {})
        _, copies = kept.select(DUPLICATES, {})
        incidents, reports, multi = (int(t.value) if t is not None else 0 for t in counted[0])
        print(f"\n{incidents:,} incidents of {reports:,} event nodes; {multi:,} incidents told by more than one "
              f"report; {int(copies[0][0].value) if copies[0][0] is not None else 0:,} duplicate articles")
        plain.close()
        kept.close()
        print("\n" + "\n".join(machine_info()))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
