"""Web app benchmark: how long each page and JSON route of ``kg serve`` takes, compared with a full scan.

Run by hand from the repository root (never from the tests; timings are noisy)::

    . .venv/bin/activate
    python benchmarks/web_bench.py                          # a small store built from examples/
    python benchmarks/web_bench.py --store /path/to/store   # any store, opened read-only
    python benchmarks/web_bench.py --store S --entity https://w3id.org/kg-news/id/entity/country/iraq

What it does:

1. Opens the store read-only (or builds one from ``examples/`` with ``kg ingest``) and serves
   :func:`kg.web.app.create_app` over it with uvicorn on 127.0.0.1, in this process.
2. Reads the app's route table, so that every page and ``/api/`` route is requested, also those added
   later (the map, network and timeline views): each ``{name}`` of a saved query is requested for every
   saved query (its rows' first page, then the second), ``{article_id}`` with the newest article, ``{param}`` with ``place``; ``/entity`` with
   ``--entity`` (default: the first entity the newest article mentions). Routes with path parameters it
   cannot fill are listed as skipped.
3. Requests each URL ``--repeat`` times (default 3) with default parameters, reading the whole answer.
   The app keeps the answers of a read-only store in memory, so the first request is the cold one a
   user waits for (its ratio is the one judged); the median of the others is shown as warm. With
   ``--screenshots DIR`` every page is then opened in headless Chromium and saved as a PNG. The reference is ``SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }``
   run on the same store in the same run (a full scan); each route is shown as a ratio to it.

Goal: every page and route answers within the COUNT scan (ratio <= 1) on a 20,000-article store.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from urllib.parse import quote, urlencode

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx
import pyoxigraph as ox
from starlette.routing import Route

from benchmarks.common import ROOT, machine_info, table
from kg.query.saved import list_queries
from kg.web.app import create_app
from kg.web.data import internal, page
from tests.browser import served

COUNT_QUERY = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
SKIPPED_PATHS = {"/favicon.ico", "/update"}
QUERY = {"/query": {"query": "SELECT ?article WHERE { ?article a <https://schema.org/NewsArticle> } LIMIT 20"}}
SUGGEST_PARAM, SUGGEST_PREFIX = "place", "a"


def build_example_store(directory: Path) -> Path:
    """A store of the shipped examples, through ``kg ingest`` as a user builds one."""
    from click.testing import CliRunner

    from kg.cli import cli

    store = directory / "kg-store"
    result = CliRunner().invoke(cli, ["-q", "ingest", str(ROOT / "examples/articles.txt"),
                                      str(ROOT / "examples/articles.jsonl"), "--store", str(store)])
    if result.exit_code != 0:
        raise SystemExit(f"kg ingest failed: {result.stderr}")
    return store


def urls(app_routes: Sequence[object], article_id: str, entity: str) -> tuple[list[tuple[str, str]], list[str]]:
    """(route path, URL) for every route that can be requested, and the paths that cannot."""
    fill = {"{article_id:path}": [quote(article_id, safe="")], "{param}": [SUGGEST_PARAM],
            "{name}": [query.name for query in list_queries()]}
    extra = {"/entity": {"iri": entity}, "/api/suggest/{param}": {"q": SUGGEST_PREFIX}, **QUERY}
    found: list[tuple[str, str]] = []
    skipped: list[str] = []
    for route in app_routes:
        if not isinstance(route, Route) or route.path in SKIPPED_PATHS:
            continue
        paths = [route.path]
        for marker, values in fill.items():
            if marker in route.path:
                paths = [path.replace(marker, value) for path in paths for value in values]
        if any("{" in path for path in paths):
            skipped.append(route.path)
            continue
        query = extra.get(route.path)
        for path in paths:
            found.append((route.path, path + ("?" + urlencode(query) if query else "")))
            if route.path == "/api/queries/{name}":
                found.append((route.path, path + "?page=2"))  # right after page 1: from the kept rows
    return found, skipped


def timed(run: Callable[[], Iterable[object]]) -> float:
    """Seconds to make and read the whole answer of ``run()``."""
    start = time.perf_counter()
    for _ in run():
        pass
    return time.perf_counter() - start


def pictures(base: str, pages: Sequence[str], directory: Path) -> None:
    """Open each page in headless Chromium, let its scripts fetch and draw, and save a PNG of it."""
    from tests.browser import chromium

    directory.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as profile, chromium(Path(profile)) as driver:
        for number, url in enumerate(pages, 1):
            driver.get(base.rstrip("/") + url)
            deadline = time.monotonic() + 120
            while driver.execute_script("return document.readyState") != "complete" and time.monotonic() < deadline:
                time.sleep(0.1)
            time.sleep(3)  # the views fetch their data after the page has loaded; it is warm by now
            name = url.strip("/").split("?")[0].replace("/", "-") or "home"
            driver.save_screenshot(str(directory / f"{number:02d}-{name[:60]}.png"))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, help="store to serve, opened read-only (default: examples/)")
    parser.add_argument("--entity", help="entity IRI for /entity (default: the newest article's first mention)")
    parser.add_argument("--repeat", type=int, default=3, help="requests per URL: the first is cold, the median of "
                        "the others warm (default 3)")
    parser.add_argument("--screenshots", type=Path, metavar="DIR", help="also open every page (not /api/) in "
                        "headless Chromium once its data is warm, and save a PNG of it here")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as work:
        path = args.store or build_example_store(Path(work))
        store = ox.Store.read_only(str(path))
        counts = [timed(lambda: store.query(COUNT_QUERY)) for _ in range(args.repeat)]  # type: ignore[arg-type,return-value]
        reference = statistics.median(counts)
        newest = page(store, internal("articles-page"), size=1).records()[0]
        spans = page(store, internal("spans"), {"article": f"<{newest['article']}>"}).records()
        entity = args.entity or next(span["entity"] for span in spans if span["entity"])
        app = create_app(store)
        found, skipped = urls(app.routes, newest["id"] or "", entity or "")
        rows: list[list[str]] = []
        with served(app) as base, httpx.Client(base_url=base, trust_env=False, timeout=600) as http:
            for _, url in found:
                times, status, size = [], 0, 0
                for _ in range(max(args.repeat, 1)):
                    start = time.perf_counter()
                    answer = http.get(url)
                    times.append(time.perf_counter() - start)
                    status, size = answer.status_code, len(answer.content)
                # the app keeps the answers of a read-only store: the first request is the one a user waits for
                cold, warm = times[0], statistics.median(times[1:]) if len(times) > 1 else float("nan")
                print(f"{cold:8.3f} s  {url}", file=sys.stderr, flush=True)
                rows.append([url if len(url) <= 70 else url[:69] + "…", str(status), f"{size:,}", f"{cold:.3f}",
                             f"{cold / reference:.2f}", f"{warm:.3f}"])
            if args.screenshots:
                pictures(base, [url for _, url in found if not url.startswith("/api/") and url.split("?")[0] != "/query"], args.screenshots)
        print(f"store: {path} ({len(store):,} quads)")
        print(f"reference: COUNT(*) over all graphs, median {reference:.3f} s")
        print(table(rows, ["URL", "status", "bytes", "cold s", "x COUNT", "warm s"]))
        if skipped:
            print("skipped (path parameters it cannot fill): " + ", ".join(skipped))
        worst = max(float(row[4]) for row in rows)
        print(f"slowest: {worst:.2f} x COUNT; goal <= 1: {'met' if worst <= 1 else 'missed'}")
        print("\n".join(machine_info()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
