"""The map, network and timeline views: their JSON on the invented articles of tests/data/views_fixture.trig,
and what a person sees of them in a real (headless) Chromium, with screenshots as test artifacts.

The views are served by the app itself (:func:`kg.web.app.create_app`) over an in-memory store of the fixture.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import httpx
import pytest
from pyoxigraph import RdfFormat, Store
from starlette.applications import Starlette

from kg.rdf.graphs import index_store
from kg.store.embedded import files_store
from kg.web.app import create_app
from kg.web.templating import STATIC_DIR
from tests.browser import chromium, screenshot, served
from tests.servers import OxigraphServer

FIXTURE = Path(__file__).parent / "data" / "views_fixture.trig"
EXAMPLES = Path(__file__).parent.parent / "examples"
NSB, VDF, FCM, OTAKI = "Northern Shield Brigade", "Valley Defence Forces", "Free Coast Movement", "Samir Otaki"
# (class, place, latitude, longitude) of the asserted incidents at places with coordinates: the attack on
# Tal Hamra told by two articles is one, the airstrike on Ras Kafra that the fourth article denies is none,
# and the clash near the Old Quarry, which has no coordinates, is not on the map
LOCATED = sorted([("Attack", "Tal Hamra", 36.2, 40.1), ("Airstrike", "Wadi Sufra", 34.9, 43.5),
                  ("Arrest", "Ras Kafra", 35.5, 38.0)])
EDGES = sorted([(NSB, VDF, "acts-against", 2), (VDF, NSB, "acts-against", 2), (NSB, VDF, "opposes", 2),
                (FCM, NSB, "allied", 1), (OTAKI, NSB, "leader", 1), (OTAKI, FCM, "member", 1)])
TIMELINE = [("2025-03-01", "event", "Attack"), ("2025-03-01", "statement", "Statement"),
            ("2025-03-04", "event", "Airstrike"), ("2025-03-05", "event", "Arrest"),
            ("2025-03-05", "policy", "Sanction"), ("2025-03-05", "statement", "Statement"),
            ("2025-03-09", "event", "Clash")]
KG = "https://w3id.org/kg-news/ns#"
XSD = "http://www.w3.org/2001/XMLSchema#"
ATTACK_SENTENCE = ("Northern Shield Brigade fighters attacked a checkpoint in Tal Hamra on Saturday, killing four "
                   "soldiers and wounding seven.")


def views_app(tiles: str | None = None, data: Path = FIXTURE, *, read_write: bool = False) -> Starlette:
    """The workbench over an in-memory store of ``data``."""
    return create_app(files_store([data]), read_write=read_write, tiles=tiles)


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    with served(views_app()) as url:
        yield url


def get(base: str, path: str, **params: str) -> Any:
    response = httpx.get(base + path, params=params, timeout=60)
    assert response.status_code == 200, response.text
    return response.json()


def edges_of(network: dict[str, Any]) -> list[tuple[str, str, str, int]]:
    label = {node["id"]: node["label"] for node in network["nodes"]}
    return sorted((label[e["source"]], label[e["target"]], e["kind"], e["weight"]) for e in network["edges"])


# --- the JSON --------------------------------------------------------------------------------------


def test_map_api_one_feature_per_located_incident(base: str) -> None:
    data = get(base, "api/map")
    assert data["mode"] == "events"
    assert sorted((e["class"], e["placeLabel"], e["lat"], e["lon"]) for e in data["events"]) == LOCATED
    attack = next(e for e in data["events"] if e["class"] == "Attack")
    # the incident's best-supported values: the higher toll of its two reports, the injured of the one giving it
    assert (attack["date"], attack["agents"], attack["targets"], attack["killed"], attack["injured"]) == (
        "2025-03-01", [NSB], [VDF], 5, 7)
    assert (attack["reports"], attack["articles"]) == (2, 2)
    first, second = attack["evidence"]
    assert first == {"article": "vw0000000000001", "start": 0, "end": len(ATTACK_SENTENCE), "text": ATTACK_SENTENCE}
    assert (second["article"], second["start"]) == ("vw0000000000004", 0)
    assert sorted(p["label"] for p in data["places"]) == ["Ras Kafra", "Tal Hamra", "Wadi Sufra"]


@pytest.mark.parametrize(("params", "classes"), [
    pytest.param({"from": "2025-03-04"}, ["Airstrike", "Arrest"], id="from"),
    pytest.param({"to": "2025-03-04"}, ["Airstrike", "Attack"], id="to-day"),
    pytest.param({"class": "arrest"}, ["Arrest"], id="class"),
    pytest.param({"place": "wadi sufra"}, ["Airstrike"], id="place"),
    pytest.param({"actor": "Free Coast Movement"}, [], id="actor-without-events"),
])
def test_map_api_filters(base: str, params: dict[str, str], classes: list[str]) -> None:
    assert sorted(e["class"] for e in get(base, "api/map", **params)["events"]) == classes


def test_map_api_groups_by_place_and_class_above_the_limit() -> None:
    from kg.web.pictures import map_data

    data = map_data(files_store([FIXTURE]), limit=2)
    assert (data["mode"], data["total"], data["events"]) == ("groups", 3, [])
    assert sorted((g["class"], g["placeLabel"], g["count"], g["lat"], g["lon"]) for g in data["groups"]) == sorted(
        (cls, place, 1, lat, lon) for cls, place, lat, lon in LOCATED)


def test_views_fall_back_to_events_in_a_store_without_incidents_graph() -> None:
    """A store written before the incidents graph (until ``kg reindex``) shows its event nodes, every one."""
    from kg.web.pictures import map_data, network_data, timeline_data

    store = Store()
    store.load(path=FIXTURE, format=RdfFormat.TRIG)
    index_store(store)
    events = map_data(store)["events"]
    assert sorted((e["class"], e["placeLabel"], e["reports"]) for e in events) == [
        ("Airstrike", "Ras Kafra", 1), ("Airstrike", "Wadi Sufra", 1), ("Arrest", "Ras Kafra", 1),
        ("Attack", "Tal Hamra", 1), ("Attack", "Tal Hamra", 1)]
    assert [len(e["evidence"]) for e in events if e["class"] == "Attack"] == [1, 1]
    assert [e for e in edges_of(network_data(store)) if e[2] == "acts-against"] == [
        (NSB, VDF, "acts-against", 3), (VDF, NSB, "acts-against", 3)]
    assert [i["class"] for i in timeline_data(store)["items"]].count("Attack") == 2


def test_map_api_refuses_a_bad_date(base: str) -> None:
    response = httpx.get(base + "api/map", params={"from": "March"}, timeout=30)
    assert response.status_code == 400
    assert response.json() == {"error": "from 'March' is not a date - write YYYY-MM-DD, YYYY-MM or YYYY"}


def test_network_api_edges_and_weights(base: str) -> None:
    data = get(base, "api/network")
    assert edges_of(data) == EDGES
    assert data["total"] == len(EDGES)
    classes = {node["label"]: node["class"] for node in data["nodes"]}
    assert classes == {NSB: "ArmedGroup", VDF: "SecurityForce", FCM: "PoliticalGroup", OTAKI: "Person"}


def test_network_api_top_and_filters(base: str) -> None:
    top = get(base, "api/network", top="2")
    assert (top["total"], [e["weight"] for e in top["edges"]]) == (len(EDGES), [2, 2])
    # relations are dated by their article: only the second article (published 2025-03-05) is left
    assert edges_of(get(base, "api/network", **{"from": "2025-03-04", "to": "2025-03-06"})) == sorted(
        [(VDF, NSB, "acts-against", 2), (NSB, VDF, "opposes", 1), (FCM, NSB, "allied", 1)])
    assert edges_of(get(base, "api/network", place="Tal Hamra")) == [(NSB, VDF, "acts-against", 1)]


def test_timeline_api_items(base: str) -> None:
    data = get(base, "api/timeline")
    assert [(i["date"], i["kind"], i["class"]) for i in data["items"]] == TIMELINE
    assert data["more"] is False
    assert [i["class"] for i in get(base, "api/timeline", place="Wadi Sufra")["items"]] == ["Airstrike", "Statement"]
    assert [i["class"] for i in get(base, "api/timeline", actor=FCM)["items"]] == ["Statement"]
    assert [i["date"] for i in get(base, "api/timeline", actor=NSB, to="2025-03-04")["items"]] == [
        "2025-03-01", "2025-03-04"]


def test_pages_suggest_names_for_their_filters(base: str) -> None:
    for view, lists in (("map", {"place", "actor", "class"}), ("network", {"place"}), ("timeline", {"place", "actor"})):
        response = httpx.get(base + view, params={"place": "Tal Hamra"}, timeout=30)
        assert response.status_code == 200
        parser = Tags()
        parser.feed(response.text)
        inputs = {attrs["name"]: attrs for tag, attrs in parser.tags if tag == "input"}
        assert inputs["place"]["value"] == "Tal Hamra"
        assert {name for name, attrs in inputs.items() if "list" in attrs} == lists
    options: dict[str, list[str]] = {}
    current = ""
    for tag, attrs in parser.tags:
        if tag == "datalist":
            current = attrs["id"] or ""
        elif tag == "option":
            options.setdefault(current, []).append(attrs["value"] or "")
    assert options == {"kg-names-place": ["Old Quarry", "Ras Kafra", "Tal Hamra", "Wadi Sufra"],
                       "kg-names-actor": [FCM, NSB, OTAKI, VDF]}


@pytest.mark.server
def test_views_read_an_endpoint_as_they_read_the_embedded_store(fresh_oxigraph: OxigraphServer) -> None:
    from kg.store.loading import open_target
    from kg.web.pictures import map_data, names_data, network_data, timeline_data

    assert kg("load", FIXTURE, "--format", "trig", "--endpoint", fresh_oxigraph.query_url).exit_code == 0
    local = files_store([FIXTURE])
    target = open_target(endpoint=fresh_oxigraph.query_url, create=False, read_only=True)
    try:
        for filters in ({}, {"place": "Wadi Sufra"}, {"actor": NSB, "from": "2025-03-04"}, {"to": "2025-03-01"}):
            assert map_data(target, filters) == map_data(local, filters), filters
            assert timeline_data(target, filters) == timeline_data(local, filters), filters
            network_filters = {k: v for k, v in filters.items() if k != "actor"}
            assert network_data(target, network_filters) == network_data(local, network_filters), filters
        assert names_data(target) == names_data(local)
    finally:
        target.close()


def statements_trig(count: int, graph: str = "https://w3id.org/kg-news/id/article/many") -> str:
    """One article graph holding ``count`` statements, dated a day apart from 2024-01-01 on."""
    day = dt.date(2024, 1, 1)
    lines = [f'<{graph}/statement/{i}> a <{KG}Statement> ; <{KG}date> "{day + dt.timedelta(days=i)}"^^<{XSD}date> .'
             for i in range(count)]
    return f"<{graph}> {{\n" + "\n".join(lines) + "\n}\n"


def test_timeline_shows_the_latest_items_up_to_the_limit() -> None:
    from kg.web.pictures import TIMELINE_LIMIT, timeline_data

    assert f"LIMIT {TIMELINE_LIMIT + 1}\n" in (STATIC_DIR.parent / "queries" / "timeline.rq").read_text(encoding="utf-8")
    store = Store()
    store.load(statements_trig(TIMELINE_LIMIT + 2), format=RdfFormat.TRIG)
    index_store(store)
    data = timeline_data(store)
    assert (data["more"], len(data["items"])) == (True, TIMELINE_LIMIT)
    assert data["items"][0]["date"] == str(dt.date(2024, 1, 3))  # the two oldest left out
    assert data["items"][-1]["date"] == str(dt.date(2024, 1, 1) + dt.timedelta(days=TIMELINE_LIMIT + 1))


@pytest.mark.parametrize(("read_write", "cached"), [(False, True), (True, False)], ids=["read-only", "read-write"])
def test_api_answers_from_memory_only_when_the_app_is_read_only(read_write: bool, cached: bool) -> None:
    app = views_app(read_write=read_write)
    with served(app) as url:
        assert len(get(url, "api/timeline")["items"]) == len(TIMELINE)
        app.state.source.load(statements_trig(1, "https://w3id.org/kg-news/id/article/late"), format=RdfFormat.TRIG)
        assert len(get(url, "api/timeline")["items"]) == len(TIMELINE) + (0 if cached else 1)
        assert len(get(url, "api/timeline", to="2025")["items"]) == len(TIMELINE) + 1  # not asked before


# --- in the browser --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def driver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with chromium(tmp_path_factory.mktemp("chromium-views")) as browser:
        yield browser


def open_view(driver: Any, url: str, state: str) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(url)
    WebDriverWait(driver, 60).until(lambda d: d.execute_script(f"return !!(window.{state} && window.{state}.ready)")
                                    or d.find_elements("css selector", ".kg-error"))
    assert not driver.find_elements("css selector", ".kg-error"), driver.find_element("css selector", ".kg-error").text


def requests_made(driver: Any) -> list[str]:
    return list(driver.execute_script("return performance.getEntriesByType('resource').map(e => e.name)"))


@pytest.mark.browser
def test_browser_map_markers_basemap_and_no_tiles(base: str, driver: Any) -> None:
    open_view(driver, base + "map", "kgMap")
    markers = driver.execute_script(
        "return kgMap.cluster.getLayers().map(m => [m.options.title, m.getLatLng().lat, m.getLatLng().lng])")
    assert sorted((cls, lat, lon) for cls, lat, lon in markers) == sorted((c, lat, lon) for c, _, lat, lon in LOCATED)
    screenshot(driver, "map")
    # the offline basemap: every country outline of Natural Earth drawn on a canvas, admin-1 from zoom 5 on
    assert driver.execute_script("return kgMap.basemap.countries.getLayers().length") > 200
    assert driver.find_elements("css selector", ".leaflet-overlay-pane canvas")
    assert not driver.execute_script("kgMap.map.setZoom(3, {animate: false});"
                                     "return kgMap.map.hasLayer(kgMap.basemap.admin1)")
    assert driver.execute_script("kgMap.map.setZoom(6, {animate: false});"
                                 "return kgMap.map.hasLayer(kgMap.basemap.admin1)")
    popup = driver.execute_script("return kgMap.cluster.getLayers().find(m => m.options.title == 'Attack')"
                                  ".getPopup().getContent()")
    assert f"href='/article/vw0000000000001#m-0-{len(ATTACK_SENTENCE)}'" in popup
    assert "<b>Killed:</b> 5" in popup and "Northern Shield Brigade" in popup
    assert "<b>Reports:</b> 2 (2 articles)" in popup and "href='/article/vw0000000000004#m-0-" in popup
    assert "3 located events" in driver.find_element("id", "kg-map-status").text
    legend = [key.text for key in driver.find_elements("css selector", "#kg-map-legend .kg-key")]
    assert legend == ["Airstrike", "Arrest", "Attack"]
    outside = [url for url in requests_made(driver) if not url.startswith(base)]
    assert outside == []


@pytest.mark.browser
def test_browser_map_uses_tiles_only_when_configured(driver: Any) -> None:
    with served(views_app(tiles="http://127.0.0.1:9/tiles/{z}/{x}/{y}.png")) as url:
        open_view(driver, url + "map", "kgMap")
        tiles = [name for name in requests_made(driver) if "/tiles/" in name]
        assert tiles and all(name.startswith("http://127.0.0.1:9/tiles/") for name in tiles)


@pytest.mark.browser
def test_browser_network_edges(base: str, driver: Any) -> None:
    open_view(driver, base + "network", "kgNetwork")
    edges = driver.execute_script("return kgNetwork.cy.edges().map(e => [e.source().data('label'), "
                                  "e.target().data('label'), e.data('kind'), e.data('weight')])")
    assert sorted(tuple(edge) for edge in edges) == EDGES
    assert driver.find_element("id", "kg-network-status").text == "6 edges between 4 actors."
    screenshot(driver, "network")
    driver.execute_script("kgNetwork.cy.nodes().filter(n => n.data('label') == 'Samir Otaki').emit('tap')")
    assert driver.current_url.endswith("/entity?iri=https%3A%2F%2Fw3id.org%2Fkg-news%2Fid%2Fentity%2Fperson%2Fsamir-otaki")


@pytest.mark.browser
def test_browser_network_top_control(base: str, driver: Any) -> None:
    open_view(driver, base + "network?top=2", "kgNetwork")
    assert driver.execute_script("return kgNetwork.cy.edges().length") == 2
    assert driver.find_element("id", "kg-network-status").text == "Showing the 2 heaviest of 6 edges, between 2 actors."
    assert driver.find_element("name", "top").get_attribute("value") == "2"


@pytest.mark.browser
def test_browser_timeline_items(base: str, driver: Any) -> None:
    open_view(driver, base + "timeline", "kgTimeline")
    items = driver.execute_script("return kgTimeline.timeline.itemsData.get().map(i => [new Date(i.start), i.group, i.title])"
                                  ".map(([d, g, t]) => [[d.getFullYear(), d.getMonth() + 1, d.getDate()], g, t])")
    assert [(f"{y:04d}-{m:02d}-{d:02d}", group, title.split(" · ")[0]) for (y, m, d), group, title in items] == TIMELINE
    assert len(driver.find_elements("css selector", ".vis-item.vis-box")) == len(TIMELINE)
    driver.execute_script("kgTimeline.timeline.setSelection([0]); "
                          "kgTimeline.timeline.emit('select', {items: [0]})")
    link = driver.find_element("css selector", "#kg-timeline-detail a.kg-evidence")
    assert link.get_attribute("href") == f"{base}article/vw0000000000001#m-0-{len(ATTACK_SENTENCE)}"
    screenshot(driver, "timeline")


# --- kg report -------------------------------------------------------------------------------------


def kg(*args: object) -> Any:
    from click.testing import CliRunner

    from kg.cli import cli

    return CliRunner().invoke(cli, [str(a) for a in args], prog_name="kg")


class Tags(HTMLParser):
    """Every tag of a page with its attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report") / "report.html"
    result = kg("report", out, "--data", FIXTURE)
    assert (result.exit_code, result.stderr) == (0, "")
    return out


def test_report_is_one_file_that_loads_nothing(report: Path) -> None:
    parser = Tags()
    parser.feed(report.read_text(encoding="utf-8"))
    loading = [(tag, attrs) for tag, attrs in parser.tags
               if {"src", "href"} & set(attrs) and tag in ("script", "link", "img", "iframe", "source")]
    assert loading == []
    assert [tag for tag, _ in parser.tags].count("script") >= 8  # the libraries, the views and the data, inline
    links = sorted(attrs["href"] or "" for tag, attrs in parser.tags if tag == "a")
    assert all(href.startswith("#") for href in links), links


def test_report_is_deterministic(report: Path, tmp_path: Path) -> None:
    again = tmp_path / "again.htm"
    assert kg("report", again, "--data", FIXTURE).exit_code == 0
    assert again.read_bytes() == report.read_bytes()


def test_report_tables_and_filters(report: Path, tmp_path: Path) -> None:
    page = report.read_text(encoding="utf-8")
    assert "<td>Northern Shield Brigade</td><td>opposes</td><td>Valley Defence Forces</td><td>2</td>" in page
    assert f"<q>{ATTACK_SENTENCE}</q> (vw0000000000001)" in page
    out = tmp_path / "tal-hamra.html"
    assert kg("report", out, "--data", FIXTURE, "--place", "Tal Hamra", "--to", "2025-03").exit_code == 0
    page = out.read_text(encoding="utf-8")
    assert "Filters: <b>place</b> Tal Hamra, <b>to</b> 2025-03." in page
    assert "<td>Valley Defence Forces</td><td>acts-against</td>" not in page
    assert "<td>Northern Shield Brigade</td><td>acts-against</td><td>Valley Defence Forces</td><td>1</td>" in page


@pytest.mark.parametrize(("args", "message"), [
    pytest.param(["report.pdf"], "Error: report.pdf: a report is an HTML file - name it with .html or .htm, "
                 "e.g. report.html\n", id="suffix"),
    pytest.param(["r.html", "--from", "March"], "Error: from 'March' is not a date - write YYYY-MM-DD, YYYY-MM or "
                 "YYYY\n", id="date"),
    pytest.param(["r.html", "--store", "kg-store"], "Error: give either --data FILE… or --store/--endpoint, not "
                 "both\n", id="data-and-store"),
])
def test_report_refuses(args: list[str], message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = kg("report", *args, "--data", FIXTURE)
    assert (result.exit_code, result.stderr) == (1, message)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.browser
def test_browser_report_opens_offline(report: Path, driver: Any) -> None:
    driver.get(report.as_uri())
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, 60).until(lambda d: d.execute_script(
        "return [window.kgMap, window.kgNetwork, window.kgTimeline].every(v => v && v.ready)"))
    markers = driver.execute_script("return kgMap.cluster.getLayers().map(m => m.options.title)")
    assert sorted(markers) == sorted(cls for cls, *_ in LOCATED)
    assert driver.execute_script("return kgMap.basemap.countries.getLayers().length") > 200
    edges = driver.execute_script("return kgNetwork.cy.edges().map(e => [e.source().data('label'), "
                                  "e.target().data('label'), e.data('kind'), e.data('weight')])")
    assert sorted(tuple(edge) for edge in edges) == EDGES
    assert driver.execute_script("return kgTimeline.timeline.itemsData.length") == len(TIMELINE)
    popup = driver.execute_script("return kgMap.cluster.getLayers().find(m => m.options.title == 'Attack')"
                                  ".getPopup().getContent()")
    assert f"<q>{ATTACK_SENTENCE}</q>" in popup and "href" not in popup
    assert all(name.startswith(("file:", "data:")) for name in requests_made(driver)), requests_made(driver)
    screenshot(driver, "report")


# --- the shipped examples: the README's screenshots ------------------------------------------------


@pytest.mark.browser
def test_browser_views_and_report_on_the_examples(driver: Any, tmp_path: Path) -> None:
    """Every view on the graph of examples/ (extracted with the real model), as the README shows them."""
    graph = tmp_path / "examples.trig"
    result = kg("extract", EXAMPLES, "--date", "2025-02-20", "-o", graph)
    assert result.exit_code == 0, result.stderr
    with served(views_app(data=graph)) as url:
        open_view(driver, url + "map", "kgMap")
        places = driver.execute_script("return kgMap.cluster.getLayers().map(m => m.getPopup().getContent())")
        assert len(places) >= 8 and sum("<b>Place:</b> Baghdad" in popup for popup in places) >= 2
        screenshot(driver, "examples-map")
        open_view(driver, url + "network", "kgNetwork")
        assert driver.execute_script("return kgNetwork.cy.edges('[kind = \"opposes\"]').length") >= 1
        screenshot(driver, "examples-network")
        open_view(driver, url + "timeline", "kgTimeline")
        kinds = driver.execute_script("return kgTimeline.timeline.itemsData.get().map(i => i.group)")
        assert {"event", "policy", "statement"} <= set(kinds)
        screenshot(driver, "examples-timeline")
    out = tmp_path / "examples.html"
    assert kg("report", out, "--data", graph).exit_code == 0
    driver.get(out.as_uri())
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, 60).until(lambda d: d.execute_script("return !!(window.kgMap && window.kgMap.ready)"))
    assert driver.execute_script("return kgMap.cluster.getLayers().length") == len(places)
    screenshot(driver, "examples-report")
