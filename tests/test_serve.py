"""``kg serve``: the web app under uvicorn over a real on-disk store, and its SPARQL 1.1 Protocol endpoint.

The command is run as a child process, as a user runs it (its stderr line gives the URL), for what only
a process can show: locks on the store, signals, exit codes. The HTTP behaviour is checked against the
app served by uvicorn in a thread (:func:`tests.browser.served`), over real pyoxigraph stores.
"""

from __future__ import annotations

import csv
import io
import json
import os
import select
import signal
import socket
import subprocess
import sys
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from pyoxigraph import RdfFormat, Store, parse

from kg.cli import cli
from kg.query.saved import list_queries, load_query, run_query
from kg.rdf.graphs import ENTITIES_GRAPH, index_store
from kg.store.endpoint import EndpointStore
from kg.web.app import create_app
from kg.web.data import Windows, page
from tests.browser import served
from tests.helpers import ARTICLE, ARTICLE_QUADS, SHARED_QUADS, TRIG, make_store
from tests.servers import OxigraphServer, free_port

SPARQL_JSON = "application/sparql-results+json"
MENTIONS = {("Islamic State", "0", "13", "Organization"), ("Diyala", "45", "51", "Location")}
KG = "https://w3id.org/kg-news/ns#"


@dataclass
class Server:
    """A ``kg serve`` child process and the URL it announced."""

    process: subprocess.Popen[str]
    url: str
    store: Path
    stopped: tuple[int, str] | None = None

    def stop(self, signum: int = signal.SIGINT, *, group: bool = False) -> tuple[int, str]:
        """Send ``signum`` (``group``: to its process group, as Ctrl+C in a terminal does); exit code and
        the rest of stderr."""
        if self.stopped is None:
            if self.process.poll() is None:
                if group:
                    os.killpg(self.process.pid, signum)
                else:
                    self.process.send_signal(signum)
            try:
                code = self.process.wait(timeout=15)
            finally:
                if self.process.poll() is None:
                    self.process.kill()
                    self.process.wait()
            assert self.process.stderr is not None
            self.stopped = code, self.process.stderr.read()
            self.process.stderr.close()
        return self.stopped


@contextmanager
def running_server(store: Path, *args: str) -> Iterator[Server]:
    """``kg serve --store STORE`` on a free port, in its own process group; always stopped at exit."""
    bind = f"127.0.0.1:{free_port()}"
    process = subprocess.Popen([sys.executable, "-m", "kg", "serve", "--store", str(store), "--bind", bind, *args],
                               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               text=True, start_new_session=True)
    server = Server(process, "", store)
    try:
        assert process.stderr is not None
        readable, _, _ = select.select([process.stderr], [], [], 30)
        line = process.stderr.readline() if readable else ""
        if " at http://" not in line:
            code, err = server.stop()
            pytest.fail(f"kg serve did not become ready (exit code {code}): {line}{err}")
        server.url = line.split(" at ", 1)[1].split(" ", 1)[0]
        assert server.url == f"http://{bind}/"
        yield server
    finally:
        server.stop()


def refuses_connections(url: str) -> bool:
    parsed = urllib.parse.urlsplit(url)
    with socket.socket() as probe:
        return probe.connect_ex((parsed.hostname or "", parsed.port or 0)) != 0


def serve_error(*args: str) -> str:
    """The one error line of a ``kg serve`` that must refuse to start (exit code 1)."""
    result = CliRunner().invoke(cli, ["serve", *args])
    assert result.exit_code == 1, result.output
    [line] = result.stderr.splitlines()
    assert line.startswith("Error: ")
    return line.removeprefix("Error: ")


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_store(tmp_path_factory.mktemp("serve") / "kg-store")


@pytest.fixture(scope="module")
def client(store: Path) -> Iterator[httpx.Client]:
    reader = Store.read_only(str(store))
    with served(create_app(reader)) as url, httpx.Client(base_url=url, trust_env=False, timeout=30) as http:
        yield http


def rows_of(answer: str) -> list[dict[str, str]]:
    return [{name: cell["value"] for name, cell in row.items()} for row in json.loads(answer)["results"]["bindings"]]


# --- the command: refusals --------------------------------------------------------------------------


def test_missing_store_is_a_one_line_error(tmp_path: Path) -> None:
    assert serve_error("--store", str(tmp_path / "none")) == (f"no store at {tmp_path / 'none'} - run 'kg ingest' "
                                                              "or 'kg load' first, or pass --store")


def test_directory_that_is_not_a_store_is_refused_untouched(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    assert serve_error("--store", str(tmp_path)).startswith(f"{tmp_path} is not a kg store")
    assert sorted(path.name for path in tmp_path.iterdir()) == ["notes.txt"]


def test_endpoint_that_does_not_answer_is_a_one_line_error() -> None:
    url = f"http://127.0.0.1:{free_port()}/query"
    message = serve_error("--endpoint", url, "--bind", f"127.0.0.1:{free_port()}")
    assert message.startswith(f"{url}: cannot connect (") and message.endswith("is the server running and the URL right?")


@pytest.mark.parametrize("bind", ["7878", "localhost", "127.0.0.1:0", "127.0.0.1:99999", ":7878"])
def test_bad_bind_is_refused(store: Path, bind: str) -> None:
    assert serve_error("--store", str(store), "--bind", bind).startswith(f"--bind {bind!r}: write it as HOST:PORT")


def test_busy_port_is_refused_and_the_store_released(store: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        bind = f"127.0.0.1:{taken.getsockname()[1]}"
        assert serve_error("--store", str(store), "--bind", bind) == (
            f"cannot listen on {bind}: Address already in use - pass --bind HOST:PORT with a free port")
    writer = Store(str(store))  # the reader's lock went with the refusal
    del writer


def test_store_written_by_another_process_is_refused(tmp_path: Path) -> None:
    store = make_store(tmp_path / "kg-store")
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, pyoxigraph; s = pyoxigraph.Store(sys.argv[1]); print('open', flush=True); "
                               "sys.stdin.read()", str(store)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "open\n"
        assert serve_error("--store", str(store)) == (
            f"store {store} is being written by another program (pid {holder.pid}: {Path(sys.executable).name}) - "
            "wait for it to finish, then retry")
    finally:
        holder.kill()
        holder.wait()
        assert holder.stdin is not None and holder.stdout is not None
        holder.stdin.close()
        holder.stdout.close()


# --- the command: running, sharing, stopping ------------------------------------------------------


def test_read_only_server_keeps_writers_out_but_lets_readers_in(tmp_path: Path) -> None:
    store = make_store(tmp_path / "kg-store")
    with running_server(store) as server:
        result = CliRunner().invoke(cli, ["retract", "t1", "--store", str(store)])
        assert result.exit_code == 1
        assert f"store {store} is open for reading by 'kg serve' (pid {server.process.pid})" in result.stderr
        with running_server(store) as second:  # readers share
            assert second.url != server.url and not refuses_connections(second.url)
        query = CliRunner().invoke(cli, ["query", "mentions", "--store", str(store), "--format", "csv"])
        assert query.exit_code == 0 and len(query.stdout.splitlines()) == 3


@pytest.mark.parametrize(("signum", "group"), [(signal.SIGINT, True), (signal.SIGINT, False), (signal.SIGTERM, False)],
                         ids=["ctrl-c-in-terminal", "sigint", "sigterm"])
def test_signal_stops_server_cleanly(tmp_path: Path, signum: int, group: bool) -> None:
    store = make_store(tmp_path / "kg-store")
    with running_server(store) as server:
        assert not refuses_connections(server.url)
        code, err = server.stop(signum, group=group)
    assert (code, err) == (0, "")
    assert refuses_connections(server.url)
    writable = Store(str(store))  # the store's lock is released
    assert len(writable) == ARTICLE_QUADS + SHARED_QUADS
    del writable


def test_read_write_server_takes_updates_and_holds_the_store(tmp_path: Path) -> None:
    store = make_store(tmp_path / "kg-store")
    with running_server(store, "--read-write") as server:
        app = CliRunner().invoke(cli, ["serve", "--store", str(store), "--bind", f"127.0.0.1:{free_port()}"])
        assert app.exit_code == 1 and "is being written by 'kg serve'" in app.stderr
        update = f"INSERT DATA {{ GRAPH <{ARTICLE}> {{ <{ARTICLE}> <https://schema.org/headline> \"Raid\" }} }}"
        answer = httpx.post(server.url + "update", data={"update": update}, trust_env=False)
        assert answer.status_code == 204, answer.text
        rows = httpx.get(server.url + "query", params={"query": "SELECT ?h { ?a <https://schema.org/headline> ?h }"},
                         trust_env=False)
        assert rows_of(rows.text) == [{"h": "Raid"}]
        assert server.stop() == (0, "")
    reopened = Store(str(store))
    assert len(reopened) == ARTICLE_QUADS + SHARED_QUADS + 1
    del reopened


# --- the SPARQL 1.1 Protocol endpoint -------------------------------------------------------------


def test_saved_query_runs_over_the_union_of_article_graphs(client: httpx.Client, store: Path) -> None:
    saved = load_query("mentions")
    answer = client.post("/query", data={"query": saved.text})
    assert answer.status_code == 200 and answer.headers["content-type"].startswith(SPARQL_JSON)
    rows = rows_of(answer.text)
    assert {(row["text"], row["start"], row["end"], row["category"]) for row in rows} == MENTIONS
    local = run_query(saved, Store.read_only(str(store)))
    assert [{k: v for k, v in zip(local.columns, values, strict=False) if v is not None} for values in local.rows] == rows
    graphs = rows_of(client.get("/query", params={"query": "SELECT DISTINCT ?g { GRAPH ?g { ?s ?p ?o } }"}).text)
    assert sorted(row["g"] for row in graphs) == sorted([ARTICLE, ENTITIES_GRAPH])


@pytest.mark.parametrize(("accept", "kind", "first_line"), [
    (SPARQL_JSON, SPARQL_JSON, '{"head":{"vars":["id"]},"results":{"bindings":[{"id":{"type":"literal","value":"t1"}}]}}'),
    ("application/sparql-results+xml", "application/sparql-results+xml", '<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/sparql-results#"><head><variable name="id"/></head>'),
    ("text/csv", "text/csv", "id"),
    ("text/tab-separated-values", "text/tab-separated-values", "?id"),
    ("text/csv;q=0.2, application/sparql-results+xml", "application/sparql-results+xml", '<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/sparql-results#"><head><variable name="id"/></head>'),
    ("*/*", SPARQL_JSON, '{"head":{"vars":["id"]},"results":{"bindings":[{"id":{"type":"literal","value":"t1"}}]}}'),
], ids=["json", "xml", "csv", "tsv", "q-values", "any"])
def test_select_results_in_each_negotiated_format(client: httpx.Client, accept: str, kind: str, first_line: str) -> None:
    query = f"SELECT ?id WHERE {{ ?a <{KG}articleId> ?id }}"
    for answer in (client.get("/query", params={"query": query}, headers={"Accept": accept}),
                   client.post("/query", content=query, headers={"Accept": accept,
                                                                  "Content-Type": "application/sparql-query"})):
        assert answer.status_code == 200
        assert answer.headers["content-type"].split(";")[0] == kind
        assert answer.text.splitlines()[0].startswith(first_line)


def test_ask_and_construct(client: httpx.Client) -> None:
    ask = client.get("/query", params={"query": "ASK { ?s ?p \"Diyala\" }"})
    assert json.loads(ask.text)["boolean"] is True
    construct = f"CONSTRUCT {{ ?a <{KG}articleId> ?id }} WHERE {{ ?a <{KG}articleId> ?id }}"
    for accept, fmt in (("text/turtle", RdfFormat.TURTLE), ("application/n-triples", RdfFormat.N_TRIPLES)):
        answer = client.get("/query", params={"query": construct}, headers={"Accept": accept})
        assert answer.headers["content-type"].startswith(accept)
        [triple] = parse(answer.content, format=fmt)
        assert (triple.subject.value, triple.object.value) == (ARTICLE, "t1")


def test_query_error_is_a_400_with_one_line(client: httpx.Client) -> None:
    answer = client.get("/query", params={"query": "SELECT ?x WHERE { ?x"})
    assert answer.status_code == 400
    assert answer.text.startswith("SPARQL query failed: error at 1:") and answer.text.count("\n") == 1
    assert client.get("/query").status_code == 400


def test_read_only_app_refuses_updates(client: httpx.Client) -> None:
    update = "INSERT DATA { <urn:x:s> <urn:x:p> \"added\" }"
    for answer in (client.post("/update", data={"update": update}), client.post("/query", data={"update": update})):
        assert answer.status_code == 405
        assert answer.text == "The server is read-only - restart it with 'kg serve --read-write' to accept SPARQL updates\n"
    assert rows_of(client.get("/query", params={"query": "SELECT * { <urn:x:s> ?p ?o }"}).text) == []


# --- saved queries: rows, downloads, suggestions -----------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_download_equals_kg_query_output(client: httpx.Client, store: Path, fmt: str) -> None:
    expected = CliRunner().invoke(cli, ["query", "mentions", "--store", str(store), "--format", fmt,
                                        "--param", "category=Location"])
    assert expected.exit_code == 0, expected.stderr
    answer = client.get("/api/queries/mentions", params={"category": "Location", "format": fmt})
    assert answer.status_code == 200 and "attachment" in answer.headers["content-disposition"]
    assert answer.text == expected.stdout
    assert "Diyala" in answer.text and "Islamic State" not in answer.text


def test_warmed_windows_answer_every_saved_query_first_page_from_memory(store: Path) -> None:
    reader = Store.read_only(str(store))
    windows = Windows()
    windows.warm(reader, list_queries()).join()
    for query in list_queries():
        # asked of an empty store, the kept window still holds the served store's rows
        kept = windows.page(Store(), query, {}, offset=0, size=50)
        assert kept.rows == page(reader, query, {}, size=50).rows, query.name
    assert any(windows.page(Store(), query, {}, offset=0, size=50).rows for query in list_queries())


def test_rows_come_a_page_at_a_time(client: httpx.Client) -> None:
    first = client.get("/api/queries/mentions", params={"size": 1}).json()
    second = client.get("/api/queries/mentions", params={"size": 1, "page": 2}).json()
    assert first["columns"] == ["article", "start", "end", "text", "entity", "class", "category", "wikidata"]
    assert (first["page"], first["last_page"], second["page"], second["last_page"]) == (1, 2, 2, 2)
    assert {first["data"][0]["text"], second["data"][0]["text"]} == {"Islamic State", "Diyala"}
    assert client.get("/api/queries/mentions", params={"size": "0"}).status_code == 400


def test_bad_parameter_and_unknown_query(client: httpx.Client) -> None:
    answer = client.get("/api/queries/mentions", params={"nope": "x"})
    assert (answer.status_code, answer.text) == (400, "query 'mentions' has no parameter 'nope' - its parameters: "
                                                      "article, category\n")
    assert client.get("/api/queries/..%2Fetc").status_code == 404
    assert client.get("/queries/no-such-query").status_code == 404


def test_suggestions_bind_the_prefix(client: httpx.Client) -> None:
    assert client.get("/api/suggest/place", params={"q": "di"}).json() == ["Diyala"]
    assert client.get("/api/suggest/place", params={"q": '") } } #'}).json() == []
    assert client.get("/api/suggest/article", params={"q": "t"}).json() == ["t1"]
    assert "Airstrike" in client.get("/api/suggest/class", params={"q": "kg:air"}).json()


# --- pages ------------------------------------------------------------------------------------------


def test_article_page_marks_each_mention(client: httpx.Client) -> None:
    page = client.get("/article/t1").text
    assert ('<mark class="mention" id="m-0-13" data-start="0" data-end="13" data-entity="https://w3id.org/kg-news/id/'
            'entity/organization/islamic-state">Islamic State</mark>') in page
    assert client.get("/article/none").status_code == 404


@pytest.mark.parametrize("article_id", ["Q5", "2024-01-02", "kg:Attack"])
def test_article_id_that_looks_like_another_value_still_opens(article_id: str) -> None:
    # on the command line such a value would be bound as a Wikidata item, a date or a kg term
    store = Store()
    store.load(TRIG.replace('"t1"', f'"{article_id}"'), format=RdfFormat.TRIG)
    index_store(store)
    with served(create_app(store)) as url, httpx.Client(base_url=url, trust_env=False, timeout=30) as http:
        page = http.get(f"/article/{article_id}")
    assert page.status_code == 200 and ">Islamic State</mark>" in page.text


def test_entity_page_and_home(client: httpx.Client) -> None:
    page = client.get("/entity", params={"iri": "https://w3id.org/kg-news/id/entity/administrativearea/diyala"}).text
    assert '<h1 id="entity-label">Diyala</h1>' in page and 'href="/article/t1"' in page
    assert client.get("/entity", params={"iri": "urn:x:unknown"}).status_code == 404
    assert client.get("/entity", params={"iri": "not an iri"}).status_code == 400
    assert '<span id="count-articles">1</span>' in client.get("/").text


@pytest.mark.server
def test_app_over_an_endpoint(tmp_path: Path) -> None:
    location = make_store(tmp_path / "served")
    with OxigraphServer(tmp_path / "oxigraph", location=location, read_only=True, union_default_graph=True) as oxigraph:
        target = EndpointStore(oxigraph.query_url)
        with served(create_app(target)) as url, httpx.Client(base_url=url, trust_env=False, timeout=30) as endpoint_client:
            rows = endpoint_client.get("/api/queries/mentions").json()["data"]
            assert {(row["text"], row["start"]) for row in rows} == {("Islamic State", "0"), ("Diyala", "45")}
            answer = endpoint_client.get("/query", params={"query": "ASK { ?s ?p \"Diyala\" }"},
                                         headers={"Accept": SPARQL_JSON})
            assert json.loads(answer.text)["boolean"] is True
            assert "Diyala" in endpoint_client.get("/article/t1").text
        target.close()


def test_csv_download_parses_as_the_rows(client: httpx.Client) -> None:
    answer = client.get("/api/queries/mentions", params={"format": "csv"})
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    assert {(row["text"], row["start"]) for row in rows} == {("Islamic State", "0"), ("Diyala", "45")}


def test_pages_of_an_answer_come_from_one_run_of_its_query(store: Path, tmp_path: Path) -> None:
    copy = Store()
    copy.extend(Store.read_only(str(store)).quads_for_pattern(None, None, None))
    windows = Windows(rows=10)
    query = load_query("mentions")
    first = windows.page(copy, query, {}, offset=0, size=1)
    copy.update("DELETE WHERE { GRAPH ?g { ?m <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#anchorOf> "
                "?text } }")  # the store changes: a page from the kept window does not see it
    second = windows.page(copy, query, {}, offset=1, size=1)
    assert (first.more, second.more) == (True, False)
    assert {first.rows[0][3], second.rows[0][3]} == {"Islamic State", "Diyala"}
    assert windows.page(copy, query, {}, offset=10, size=1).rows == []  # past the window: run again
    assert windows.page(copy, query, {"category": "Location"}, offset=0, size=5).rows[0][3] is None


def test_kg_load_into_the_read_only_app_says_to_serve_read_write(client: httpx.Client, tmp_path: Path) -> None:
    trig = tmp_path / "more.trig"
    trig.write_text(f"<{ARTICLE}/2> {{ <{ARTICLE}/2> <https://schema.org/headline> \"More\" . }}\n")
    url = f"{client.base_url}query"
    result = CliRunner().invoke(cli, ["load", str(trig), "--endpoint", url])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        f"Error: {url}: update refused (HTTP 405: The server is read-only - restart it with 'kg serve --read-write' "
        "to accept SPARQL updates) - the server is read-only: restart it with --read-write ('kg serve --read-write') "
        "to write to it; 0 graphs loaded, 1 not loaded - once that is fixed, re-run the same command to load the rest")
