"""The workbench in a real browser: headless Chromium opens the pages of ``kg serve`` over a store built
from the shipped examples and checks what a person sees against what ``kg query`` answers.

Each view leaves a screenshot under ``test-artifacts/screenshots`` (see :mod:`tests.browser`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from click.testing import CliRunner
from pyoxigraph import Store

from kg.cli import cli
from kg.web.app import create_app
from tests.browser import chromium, screenshot, served

pytestmark = pytest.mark.browser

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
SYRIA = "https://w3id.org/kg-news/id/entity/country/syria"
WAIT_S = 20


def kg_rows(store: Path, *args: str) -> list[list[str]]:
    """``kg query ARGS --format csv`` over ``store``: the header row, then the rows, as strings."""
    result = CliRunner().invoke(cli, ["query", *args, "--store", str(store), "--format", "csv"])
    assert result.exit_code == 0, result.stderr
    return list(csv.reader(io.StringIO(result.stdout)))


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("web") / "kg-store"
    result = CliRunner().invoke(cli, ["-q", "ingest", str(EXAMPLES / "articles.txt"), str(EXAMPLES / "articles.jsonl"),
                                      "--store", str(path)])
    assert result.exit_code == 0, result.stderr
    return path


@pytest.fixture(scope="module")
def site(store: Path) -> Iterator[str]:
    reader = Store.read_only(str(store))
    with served(create_app(reader)) as url:
        yield url


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with chromium(tmp_path_factory.mktemp("chromium-profile")) as driver:
        yield driver


def wait_for(driver: Any, script: str) -> Any:
    """Wait until ``script`` (a JavaScript expression) is truthy in the page; its value."""
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, WAIT_S).until(lambda d: d.execute_script(f"return {script}"))


def table_rows(driver: Any, holder: str) -> list[list[str]]:
    """The header and the rows a Tabulator table inside ``holder`` shows, cell texts as seen."""
    return driver.execute_script("""
        var holder = document.querySelector(arguments[0]);
        var head = Array.from(holder.querySelectorAll('.tabulator-col')).map(c => c.getAttribute('tabulator-field'));
        var rows = Array.from(holder.querySelectorAll('.tabulator-row')).map(r =>
            head.map(f => { var c = r.querySelector('.tabulator-cell[tabulator-field="' + f + '"]');
                            return c ? c.textContent : null; }));
        return [head].concat(rows);""", holder)


def test_query_form_shows_the_rows_of_kg_query(store: Path, site: str, browser: Any) -> None:
    expected = kg_rows(store, "mentions", "--param", "category=Location")
    assert 1 < len(expected) - 1 <= 50  # one page of the table
    browser.get(site + "queries/mentions")
    wait_for(browser, "document.getElementById('rows').dataset.state === 'ready'")
    field = browser.find_element("css selector", "input[name=category]")
    field.send_keys("Loc")
    wait_for(browser, "document.querySelectorAll('#suggest-category option').length === 1")
    assert browser.execute_script("return document.querySelector('#suggest-category option').value") == "Location"
    field.send_keys("ation")
    browser.find_element("css selector", "#run").click()
    wait_for(browser, "location.search === '?category=Location' && document.getElementById('rows').dataset.state === 'ready'")
    shown = table_rows(browser, "#rows")
    assert shown[0] == expected[0]
    assert sorted(shown[1:]) == sorted(expected[1:])
    # cells holding kg IRIs link to their pages; the downloads and the editor link carry the query
    links = browser.execute_script("return Array.from(document.querySelectorAll('#rows a')).map(a => a.getAttribute('href'))")
    assert any(link.startswith("/entity?iri=") for link in links) and any(link.startswith("/article/") for link in links)
    assert browser.find_element("id", "download-csv").get_attribute("href") == \
        site + "api/queries/mentions?category=Location&format=csv"
    assert browser.find_element("id", "edit-sparql").get_attribute("href") == site + "sparql?query=mentions"
    screenshot(browser, "queries")


def test_article_marks_exactly_the_mentions_of_the_store(store: Path, site: str, browser: Any) -> None:
    header, *rows = kg_rows(store, "mentions", "--param", "article=ex-002")
    expected = {(int(row[header.index("start")]), int(row[header.index("end")])): row[header.index("text")]
                for row in rows}
    browser.get(site + "article/ex-002")
    marks = browser.execute_script("""
        var seen = {};
        document.querySelectorAll('#body mark.mention').forEach(m => {
            var key = m.dataset.start + ',' + m.dataset.end;
            seen[key] = (seen[key] || '') + m.textContent; });
        return seen;""")
    shown = {tuple(int(n) for n in key.split(",")): text for key, text in marks.items()}
    assert shown == expected
    assert browser.execute_script("return document.querySelectorAll('#body mark.evidence').length") > 0
    screenshot(browser, "article")


def test_click_on_a_mention_opens_its_entity(site: str, browser: Any) -> None:
    browser.get(site + "article/ex-002")
    browser.find_element("css selector", f'#body mark.mention[data-entity="{SYRIA}"]').click()
    wait_for(browser, "location.pathname === '/entity'")
    assert browser.current_url == f"{site}entity?iri={quote(SYRIA, safe='')}"
    assert browser.find_element("id", "entity-label").text == "Syria"
    wikidata = browser.find_element("css selector", "a.wikidata")
    assert (wikidata.text, wikidata.get_attribute("href")) == ("Q858", "http://www.wikidata.org/entity/Q858")
    assert browser.execute_script("return document.querySelectorAll('#mentioned tbody a').length") >= 1
    screenshot(browser, "entity")


def test_sparql_editor_runs_a_query(store: Path, site: str, browser: Any) -> None:
    text = ("PREFIX kg: <https://w3id.org/kg-news/ns#>\n"
            "SELECT ?id WHERE { ?article kg:articleId ?id } ORDER BY ?id")
    browser.get(site + "sparql")
    wait_for(browser, "window.kgEditor && window.kgEditor.getValue().indexOf('PREFIX kg:') >= 0")
    browser.execute_script("window.kgEditor.setValue(arguments[0])", text)
    browser.find_element("id", "run").click()
    wait_for(browser, "document.getElementById('results').dataset.state === 'ready'")
    shown = table_rows(browser, "#results")
    expected = [["id"]] + [[row[1]] for row in sorted(kg_rows(store, "articles")[1:], key=lambda row: row[1])]
    assert shown == expected
    screenshot(browser, "sparql")


@pytest.mark.parametrize("page", ["", "queries", "queries/events", "sparql", "articles", "article/ex-002",
                                  f"entity?iri={quote(SYRIA, safe='')}"])
def test_every_asset_comes_from_the_app(site: str, browser: Any, page: str) -> None:
    browser.get(site + page)
    wait_for(browser, "document.readyState === 'complete'")
    assets = browser.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)"
        ".concat(Array.from(document.querySelectorAll('script[src]')).map(s => s.src))"
        ".concat(Array.from(document.querySelectorAll('link[href]')).map(l => l.href))")
    assert assets, page
    assert [asset for asset in assets if not asset.startswith(site)] == []
    errors = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    assert errors == []


def test_readme_shows_a_screenshot_of_each_view() -> None:
    root = Path(__file__).resolve().parent.parent
    readme = (root / "README.md").read_text(encoding="utf-8")
    for view in ("queries", "sparql", "article", "entity"):
        shot = root / "docs" / "screenshots" / f"{view}.png"
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size <= 300_000, view
        assert f"](docs/screenshots/{view}.png)" in readme, view


def test_a_bad_parameter_value_is_shown_as_its_message(site: str, browser: Any) -> None:
    browser.get(site + "queries/operations-by-place?from=2025-02-30")
    wait_for(browser, "document.getElementById('rows').dataset.state === 'error'")
    assert browser.find_element("id", "status").text == (
        "query 'operations-by-place', parameter 'from': '2025-02-30' is not a valid date - use YYYY-MM-DD")
