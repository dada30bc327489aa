"""``kg serve``: a real Oxigraph server on a small on-disk store, checked over HTTP and in headless Chromium.

Servers run ``kg.store.serve.serve`` in a child Python (as ``kg serve`` would), so Ctrl+C and SIGTERM can be
sent to it for real; it prints the URL it hands to ``on_ready``. Every server is stopped by its pid.
"""

from __future__ import annotations

import json
import os
import re
import select
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from pyoxigraph import Store

from kg.cli import cli
from kg.errors import KgError
from kg.query.saved import load_query, run_query
from kg.rdf.graphs import ENTITIES_GRAPH
from kg.store.serve import oxigraph_binary, serve, serve_command
from tests.helpers import ARTICLE, ARTICLE_QUADS, SHARED_QUADS, children, make_store
from tests.servers import free_port

MENTIONS = {("Islamic State", "0", "13", "Organization"), ("Diyala", "45", "51", "Location")}
SPARQL_JSON = "application/sparql-results+json"
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
CHROMIUM_FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--no-first-run")
# the child: serve() as the CLI calls it, printing the URL once the server answers
SERVE_SCRIPT = """
import sys
from pathlib import Path
from kg.store.serve import serve
sys.exit(serve(Path(sys.argv[1]), sys.argv[2], read_write=sys.argv[3] == "rw",
               on_ready=lambda url: print(url, flush=True)))
"""
NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@dataclass
class Server:
    """A ``serve()`` child process and the URL it announced."""

    process: subprocess.Popen[str]
    url: str
    store: Path
    stopped: tuple[int, str] | None = None

    def stop(self, signum: int = signal.SIGINT, *, group: bool = False) -> tuple[int, str]:
        """Send ``signum`` to serve() (``group``: to its process group, as Ctrl+C in a terminal does,
        so the server gets it too); the exit code and stderr."""
        if self.stopped is None:
            if self.process.poll() is None:
                if group:
                    os.killpg(self.process.pid, signum)
                else:
                    self.process.send_signal(signum)
            try:
                code = self.process.wait(timeout=15)
            finally:
                if self.process.poll() is None:  # serve() did not stop: kill it and the server it started
                    for child in children(self.process.pid):
                        os.kill(child, signal.SIGKILL)
                    self.process.kill()
                    self.process.wait()
            assert self.process.stdout is not None and self.process.stderr is not None
            self.stopped = code, self.process.stderr.read()
            self.process.stdout.close()
            self.process.stderr.close()
        return self.stopped


@contextmanager
def running_server(store: Path, *, read_write: bool = False) -> Iterator[Server]:
    """Start ``serve()`` in a child Python on a free port; always stopped (SIGINT, then kill) at exit."""
    bind = f"127.0.0.1:{free_port()}"
    process = subprocess.Popen([sys.executable, "-c", SERVE_SCRIPT, str(store), bind, "rw" if read_write else "ro"],
                               stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               start_new_session=True)  # its own process group, as in a terminal
    server = Server(process, "", store)
    try:
        assert process.stdout is not None
        readable, _, _ = select.select([process.stdout], [], [], 20)
        line = process.stdout.readline() if readable else ""
        if not line:
            code, err = server.stop()
            pytest.fail(f"serve() did not become ready (exit code {code}): {err}")
        server.url = line.strip()
        yield server
    finally:
        server.stop()


def http(url: str, data: dict[str, str] | None = None, accept: str = SPARQL_JSON) -> tuple[int, str, str]:
    """GET (or POST a form) without any proxy: status, content type and body."""
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    request = urllib.request.Request(url, data=body, headers={"Accept": accept})
    try:
        with NO_PROXY.open(request, timeout=10) as response:
            return response.status, response.headers.get("Content-Type", ""), response.read().decode()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.headers.get("Content-Type", ""), error.read().decode()


def select_rows(url: str, query: str) -> list[dict[str, str]]:
    status, content_type, body = http(url + "query", {"query": query})
    assert status == 200, body
    assert content_type.startswith(SPARQL_JSON)
    return [{name: cell["value"] for name, cell in row.items()} for row in json.loads(body)["results"]["bindings"]]


class Started(Exception):
    """serve() got as far as a running server where the test expects it to refuse."""


def _started(url: str) -> None:
    raise Started(f"serve() started a server at {url}")


def refusal(store: Path, bind: str | None = None, *, read_write: bool = False) -> str:
    """The KgError message of a ``serve()`` that must refuse; should it start a server instead, the
    server is stopped at once and the test fails (rather than serving forever)."""
    with pytest.raises(KgError) as caught:
        serve(store, bind or f"127.0.0.1:{free_port()}", read_write=read_write, on_ready=_started)
    message = str(caught.value)
    assert "\n" not in message
    return message


def refuses_connections(url: str) -> bool:
    parsed = urllib.parse.urlsplit(url)
    with socket.socket() as probe:
        return probe.connect_ex((parsed.hostname or "", parsed.port or 0)) != 0


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One read-only server shared by the HTTP and browser checks."""
    store = make_store(tmp_path_factory.mktemp("serve") / "kg-store")
    with running_server(store) as running:
        yield running


# --- the command and its prerequisites ---------------------------------------------------------


def test_serve_command_is_read_only_with_union_default_graph_unless_asked(tmp_path: Path) -> None:
    store = tmp_path / "kg-store"
    binary = oxigraph_binary()
    assert serve_command(store) == [binary, "serve-read-only", "--location", str(store),
                                    "--bind", "127.0.0.1:7878", "--union-default-graph"]
    assert serve_command(store, "0.0.0.0:9000", read_write=True) == [
        binary, "serve", "--location", str(store), "--bind", "0.0.0.0:9000", "--union-default-graph"]


def test_oxigraph_binary_is_the_one_in_this_environment() -> None:
    binary = Path(oxigraph_binary())
    assert binary == Path(sys.executable).parent / "oxigraph"
    version = subprocess.run([str(binary), "--version"], capture_output=True, text=True, check=True).stdout
    assert version.startswith("oxigraph 0.5.")


def test_missing_oxigraph_binary_names_the_fix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "bin").mkdir()
    monkeypatch.setattr(sys, "executable", str(tmp_path / "bin" / "python"))
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    with pytest.raises(KgError, match=r"not installed .* - pip install oxigraph$"):
        oxigraph_binary()
    store = make_store(tmp_path / "kg-store")
    assert refusal(store).endswith("pip install oxigraph")


def test_missing_store_is_a_one_line_error(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    assert refusal(missing) == f"no store at {missing} - run 'kg ingest' first or pass --store"
    assert not missing.exists()


@pytest.mark.parametrize(("files", "read_write"), [(["notes.txt"], False), (["notes.txt"], True), ([], False)],
                         ids=["other-files", "other-files-read-write", "empty"])
def test_directory_that_is_not_a_store_is_refused_untouched(tmp_path: Path, files: list[str],
                                                            read_write: bool) -> None:
    for name in files:
        (tmp_path / name).write_text("not a store")
    assert refusal(tmp_path, read_write=read_write) == (
        f"{tmp_path} is not a kg store (no Oxigraph database in it) - run 'kg ingest' first or pass --store")
    assert sorted(path.name for path in tmp_path.iterdir()) == files


@pytest.mark.parametrize("bind", ["7878", "localhost", "127.0.0.1:0", "127.0.0.1:99999", ":7878"])
def test_bad_bind_is_refused(tmp_path: Path, bind: str) -> None:
    assert re.match(rf"--bind '{re.escape(bind)}': write it as HOST:PORT", refusal(make_store(tmp_path / "kg-store"), bind))


def test_busy_port_is_refused(tmp_path: Path) -> None:
    store = make_store(tmp_path / "kg-store")
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        assert re.fullmatch(rf"cannot listen on 127\.0\.0\.1:{port}: .* - pass --bind HOST:PORT with a free port",
                            refusal(store, f"127.0.0.1:{port}"))


@pytest.mark.server
def test_port_of_another_server_is_refused(server: Server, tmp_path: Path) -> None:
    # the other server would answer the readiness probe: only the port check tells them apart
    taken = urllib.parse.urlsplit(server.url).netloc
    message = refusal(make_store(tmp_path / "kg-store"), taken)
    assert message.startswith(f"cannot listen on {taken}: ")


@pytest.mark.parametrize("read_write", [False, True])
def test_store_open_in_another_process_is_refused(tmp_path: Path, read_write: bool) -> None:
    store = make_store(tmp_path / "kg-store")
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, pyoxigraph; s = pyoxigraph.Store(sys.argv[1]); print('open', flush=True); "
                               "sys.stdin.read()", str(store)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "open\n"
        message = refusal(store, read_write=read_write)
        assert message == (f"store {store} is being written by another program (pid {holder.pid}: "
                           f"{Path(sys.executable).name}) - wait for it to finish, then retry")
    finally:
        holder.kill()
        holder.wait()
        assert holder.stdin is not None and holder.stdout is not None
        holder.stdin.close()
        holder.stdout.close()


# --- a running read-only server ----------------------------------------------------------------


@pytest.mark.server
def test_page_is_yasgui_with_assets_served_locally(server: Server) -> None:
    status, content_type, page = http(server.url, accept="text/html")
    assert status == 200 and content_type.startswith("text/html")
    assert '<div id="yasgui"></div>' in page and "new Yasgui(" in page
    assert 'src="./yasgui.min.js"' in page and 'href="./yasgui.min.css"' in page
    for asset, kind, marker in (("yasgui.min.js", "application/javascript", "Yasqe"),
                                ("yasgui.min.css", "text/css", ".yasqe")):
        status, content_type, body = http(server.url + asset, accept="*/*")
        assert status == 200 and content_type.startswith(kind), asset
        assert len(body) > 10_000 and marker in body, asset


@pytest.mark.server
def test_saved_query_runs_over_the_union_of_article_graphs(server: Server) -> None:
    saved = load_query("mentions")
    rows = select_rows(server.url, saved.text)
    assert {(row["text"], row["start"], row["end"], row["category"]) for row in rows} == MENTIONS
    assert {row["article"] for row in rows} == {ARTICLE}
    assert {row["class"] for row in rows} == {"https://w3id.org/kg-news/ns#ArmedGroup",
                                              "https://w3id.org/kg-news/ns#AdministrativeArea"}
    assert not any(name.startswith("param_") for row in rows for name in row)  # parameters stay unbound
    # the same rows as 'kg query' gets from the store itself
    local = run_query(saved, Store.read_only(str(server.store)))
    assert [{k: v for k, v in zip(local.columns, values, strict=False) if v is not None} for values in local.rows] == rows
    # all triples sit in the article's named graph (none in the default graph): the union found them
    graphs = select_rows(server.url, "SELECT DISTINCT ?g { GRAPH ?g { ?s ?p ?o } }")
    assert sorted(row["g"] for row in graphs) == sorted([ARTICLE, ENTITIES_GRAPH])
    status, _, body = http(server.url + "query?" + urllib.parse.urlencode(
        {"query": "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"}))
    total = json.loads(body)["results"]["bindings"][0]["n"]["value"]
    assert status == 200 and total == str(ARTICLE_QUADS + SHARED_QUADS)


@pytest.mark.server
def test_read_only_server_refuses_updates(server: Server) -> None:
    update = "INSERT DATA { <urn:x:s> <urn:x:p> \"added\" }"
    for endpoint in ("update", "sparql"):
        status, _, body = http(server.url + endpoint, {"update": update}, accept="*/*")
        assert status == 403 and "read-only" in body, endpoint
    assert select_rows(server.url, "SELECT * { <urn:x:s> ?p ?o }") == []


@pytest.mark.server
def test_kg_load_into_the_read_only_server_says_to_serve_read_write(server: Server, tmp_path: Path) -> None:
    trig = tmp_path / "more.trig"
    trig.write_text(f"<{ARTICLE}/2> {{ <{ARTICLE}/2> <https://schema.org/headline> \"More\" . }}\n")
    result = CliRunner().invoke(cli, ["load", str(trig), "--endpoint", server.url + "query"])
    assert (result.exit_code, result.stderr.count("\n")) == (1, 2), result.stderr  # the error and the summary
    line = result.stderr.splitlines()[0]
    assert line.startswith(f"Error: {server.url}query: update refused (HTTP 403: The server is read-only) - the "
                           "server is read-only: restart it with --read-write")
    assert line.endswith("0 graphs loaded, 1 not loaded - once that is fixed, re-run the same command to load the rest")
    assert "KG_ENDPOINT_USER" not in line


@pytest.mark.server
def test_a_failing_service_behind_the_server_is_one_error_line(server: Server, tmp_path: Path) -> None:
    dead = f"http://127.0.0.1:{free_port()}/sparql"
    rq = tmp_path / "service.rq"
    rq.write_text(f"SELECT * WHERE {{ SERVICE <{dead}> {{ ?s ?p ?o }} }}\n")
    result = CliRunner().invoke(cli, ["query", str(rq), "--endpoint", server.url + "query"])
    assert result.exit_code == 1
    [line] = result.stderr.splitlines()
    # Oxigraph has answered 200 and started the rows when the SERVICE call fails: the JSON breaks off
    assert line.startswith(f"Error: {server.url}query: the answer is not SPARQL JSON results (")
    assert "Connection refused" in line and "SERVICE" in line


@pytest.mark.server
def test_read_only_server_keeps_writers_out_but_lets_readers_in(server: Server) -> None:
    with pytest.raises(OSError, match="lock"):
        Store(str(server.store))  # as 'kg ingest' would open it
    with running_server(server.store) as second:
        assert second.url != server.url
        assert len(select_rows(second.url, load_query("mentions").text)) == 2
    assert len(select_rows(server.url, load_query("mentions").text)) == 2


@pytest.mark.server
@pytest.mark.browser
def test_browser_runs_saved_query_in_yasgui(server: Server, tmp_path: Path) -> None:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    from tests.servers import ensure_debian_tool

    ensure_debian_tool("chromedriver", "chromium", "chromium-driver")
    started = time.monotonic()
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path / 'chromium-profile'}")
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    try:
        driver.set_page_load_timeout(15)
        driver.get(server.url)
        wait = WebDriverWait(driver, 10)
        wait.until(lambda d: d.execute_script("return !!document.querySelector('.yasqe .CodeMirror')"))
        assert driver.title == "Oxigraph server"
        # YASGUI ran, and every script and stylesheet came from the server itself (there is no internet)
        assert driver.execute_script("return typeof Yasgui") == "function"
        assets = driver.execute_script(
            "return performance.getEntriesByType('resource')"
            ".filter(e => ['script', 'link'].includes(e.initiatorType)).map(e => e.name)")
        assert sorted(assets) == [server.url + "yasgui.min.css", server.url + "yasgui.min.js"]
        text = load_query("mentions").text
        driver.execute_script("document.querySelector('.yasqe .CodeMirror').CodeMirror.setValue(arguments[0])", text)
        assert driver.execute_script("return document.querySelector('.yasqe .CodeMirror').CodeMirror.getValue()") == text
        driver.find_element(By.CSS_SELECTOR, ".yasqe_queryButton").click()
        wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, ".yasr table tbody tr")) == 2)
        table = driver.find_element(By.CSS_SELECTOR, ".yasr table")
        headers = [cell.text for cell in table.find_elements(By.CSS_SELECTOR, "thead th")]
        assert {"article", "text", "entity", "category"} <= set(headers)
        rows = [row.text for row in table.find_elements(By.CSS_SELECTOR, "tbody tr")]
        # the mentions dump comes in store order: which row is first is not part of the answer
        assert any("Islamic State" in row and "Organization" in row for row in rows)
        assert any("Diyala" in row and "Location" in row for row in rows)
    finally:
        driver.quit()
    assert time.monotonic() - started < 20


# --- read-write, stopping, dying ---------------------------------------------------------------


@pytest.mark.server
def test_read_write_server_takes_updates_and_holds_the_store(tmp_path: Path) -> None:
    store = make_store(tmp_path / "kg-store")
    with running_server(store, read_write=True) as server:
        update = f"INSERT DATA {{ GRAPH <{ARTICLE}> {{ <{ARTICLE}> <https://schema.org/headline> \"Raid\" }} }}"
        status, _, body = http(server.url + "update", {"update": update}, accept="*/*")
        assert status == 204, body
        assert select_rows(server.url, "SELECT ?h { ?a <https://schema.org/headline> ?h }") == [{"h": "Raid"}]
        [oxigraph] = children(server.process.pid)
        assert refusal(store) == (f"store {store} is being written by 'oxigraph serve' (pid {oxigraph}) - stop it "
                                  f"(Ctrl+C in its terminal, or kill {oxigraph}) and retry")
        code, err = server.stop()
        assert code == 0, err
    reopened = Store(str(store))
    assert len(reopened) == ARTICLE_QUADS + SHARED_QUADS + 1
    del reopened


@pytest.mark.server
@pytest.mark.parametrize(("signum", "group"), [(signal.SIGINT, True), (signal.SIGINT, False), (signal.SIGTERM, False)],
                         ids=["ctrl-c-in-terminal", "sigint", "sigterm"])
def test_signal_stops_server_cleanly(tmp_path: Path, signum: int, group: bool) -> None:
    store = make_store(tmp_path / "kg-store")
    with running_server(store) as server:
        assert not refuses_connections(server.url)
        code, err = server.stop(signum, group=group)
    assert code == 0, err
    assert err == ""
    assert refuses_connections(server.url)  # the oxigraph child is gone, not orphaned
    writable = Store(str(store))  # and the store's lock is released
    assert len(writable) == ARTICLE_QUADS + SHARED_QUADS
    del writable


@pytest.mark.server
def test_server_dying_by_itself_gives_its_exit_code(tmp_path: Path) -> None:
    store = make_store(tmp_path / "kg-store")
    with running_server(store) as server:
        server_pids = children(server.process.pid)
        assert len(server_pids) == 1
        os.kill(server_pids[0], signal.SIGKILL)
        code = server.process.wait(timeout=15)
        assert code == 128 + signal.SIGKILL
        _, err = server.stop()
    assert err == "the Oxigraph server was killed by SIGKILL\n"
