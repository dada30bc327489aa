"""Views benchmark: how long the map, network and timeline take to answer and to draw on a big store.

Run by hand from the repository root (never from the tests; timings are noisy)::

    . .venv/bin/activate
    python benchmarks/views_bench.py --store /path/to/store-20000
    python benchmarks/views_bench.py --store kg-store --repeat 3 --no-browser

The store is opened read-only (it may be served or queried at the same time) and the views are served
on 127.0.0.1 as ``kg serve`` mounts them. For each view, without filters and with the filters an
analyst would set (the most frequent event place, its latest month), it times ``GET /api/<view>``
(cold, and warm: the best of ``--repeat`` after it), the size of the answer, and, in headless Chromium, the time from opening the
page until the view has drawn its data (with ``--screenshots DIR``, a PNG of each drawn view). The app
keeps the answers of a read-only store in memory: the first request of each case is timed (cold), and
the cached one after it (warm); the page is opened after both, so its drawing time is the page's own
cost with a warm answer. The reference, measured in the same run, is the COUNT scan
``SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }`` of query_bench.py; every time is also
printed as a ratio to it.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import httpx
from pyoxigraph import Store

from kg.web.app import create_app
from tests.browser import chromium, served

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
TOP_PLACE = """PREFIX kg: <https://w3id.org/kg-news/ns#> PREFIX kgg: <https://w3id.org/kg-news/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?label (MAX(STR(?date)) AS ?last) (COUNT(*) AS ?n)
WHERE { ?event kg:location ?place ; kg:date ?date . GRAPH kgg:entities { ?place rdfs:label ?label } }
GROUP BY ?label ORDER BY DESC(?n) LIMIT 1"""
T = TypeVar("T")
STATES = {"map": "kgMap", "network": "kgNetwork", "timeline": "kgTimeline"}


def timed(action: Callable[[], T], repeat: int) -> tuple[float, T]:
    """The best time of ``repeat`` runs of ``action``, and its last result."""
    start = time.perf_counter()
    result = action()
    best = time.perf_counter() - start
    for _ in range(repeat - 1):
        start = time.perf_counter()
        result = action()
        best = min(best, time.perf_counter() - start)
    return best, result


def describe(view: str, data: dict[str, Any]) -> str:
    """What the view shows of ``data``."""
    if view == "map":
        return f"{data['mode']}: {len(data['events']) or len(data['groups'])} markers, {data['total']} events"
    if view == "network":
        return f"{len(data['edges'])} of {data['total']} edges"
    return f"{len(data['items'])} items" + (" (more)" if data["more"] else "")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", required=True, help="an embedded store directory (opened read-only)")
    parser.add_argument("--repeat", type=int, default=2, help="best of N for each API call (default 2)")
    parser.add_argument("--no-browser", action="store_true", help="time the JSON only")
    parser.add_argument("--screenshots", type=Path, metavar="DIR", help="save a PNG of each drawn view here")
    args = parser.parse_args()

    store = Store.read_only(args.store)
    reference, _ = timed(lambda: list(store.query(COUNT)), args.repeat)
    label, last, _ = (term.value for term in next(iter(store.query(TOP_PLACE, use_default_graph_as_union=True))))
    month = last[:7]
    app = create_app(store)
    cases = [(view, {}) for view in STATES] + [
        ("map", {"place": label, "from": month, "to": month}), ("network", {"from": month, "to": month}),
        ("timeline", {"place": label})]
    print(f"store {args.store}: COUNT scan {reference:.2f} s (the reference); top place {label}, month {month}")
    print(f"{'view':9} {'filters':42} {'cold s':>7} {'x ref':>6} {'warm s':>7} {'KiB':>7} {'drawn s':>8} {'x ref':>6}"
          "  shown")
    with served(app) as base, tempfile.TemporaryDirectory() as profile:
        browser = None if args.no_browser else chromium(Path(profile))
        driver = None if browser is None else browser.__enter__()
        try:
            for view, params in cases:
                url = f"{base}api/{view}"
                seconds, response = timed(lambda: httpx.get(url, params=params, timeout=600), 1)  # noqa: B023
                response.raise_for_status()
                warm, _ = timed(lambda: httpx.get(url, params=params, timeout=600), args.repeat)  # noqa: B023
                shown = describe(view, response.json())
                drawn = ""
                if driver is not None:
                    query = str(httpx.QueryParams(params))
                    start = time.perf_counter()
                    driver.get(f"{base}{view}" + (f"?{query}" if query else ""))
                    state = STATES[view]
                    while not driver.execute_script(f"return !!(window.{state} && window.{state}.ready)"):
                        time.sleep(0.05)
                    took = time.perf_counter() - start
                    drawn = f"{took:8.2f} {took / reference:6.1f}"
                    if args.screenshots:
                        args.screenshots.mkdir(parents=True, exist_ok=True)
                        driver.save_screenshot(str(args.screenshots / f"{view}-{'-'.join(params) or 'all'}.png"))
                text = ", ".join(f"{k}={v}" for k, v in params.items()) or "-"
                print(f"{view:9} {text:42} {seconds:7.2f} {seconds / reference:6.1f} {warm:7.2f} "
                      f"{len(response.content) / 1024:7.0f} "
                      f"{drawn:>15}  {shown}", flush=True)
        finally:
            if browser is not None:
                browser.__exit__(None, None, None)


if __name__ == "__main__":
    main()
