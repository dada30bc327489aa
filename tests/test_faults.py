"""Endpoints that misbehave: a scripted HTTP server (``http.server`` in a thread, here) answers each request
with the next reply of its script - truncated JSON, JSON without ``head``, an HTML page with 200, a slow
reply, a reset connection, 5xx or 429 then OK, 401, 403 - and kg must give one ``Error:`` line that says
what to do, retry what may pass, stop loading when the endpoint is gone, and never print a password.

The endpoint timeout is set to 1 s through ``KG_ENDPOINT_TIMEOUT`` so that slow replies cost little.
"""

from __future__ import annotations

import base64
import http.server
import json
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner, Result
from pyoxigraph import Store

from kg.cli import cli
from tests.helpers import make_store
from tests.servers import HOST, OxigraphServer, free_port

ROOT = Path(__file__).resolve().parent.parent
SPARQL_JSON = "application/sparql-results+json"
ARTICLE = "https://w3id.org/kg-news/id/article/f"
PASSWORD = "pa55-w0rd-never-shown"


@dataclass(frozen=True)
class Reply:
    """One scripted answer: a status, headers and a body, maybe after a pause, or a reset connection."""

    status: int = 200
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = (("Content-Type", SPARQL_JSON),)
    pause: float = 0.0
    reset: bool = False


def rows(*names: str) -> Reply:
    """SPARQL JSON results with one row binding each of ``names`` to the literal "ok"."""
    row = {name: {"type": "literal", "value": "ok"} for name in names}
    return Reply(body=json.dumps({"head": {"vars": list(names)}, "results": {"bindings": [row]}}).encode())


ASK = Reply(body=b'{"head": {}, "boolean": true}')
NO_ROWS = Reply(body=b'{"head": {"vars": []}, "results": {"bindings": []}}')
OK = Reply(status=204, body=b"", headers=())
INDEXED = rows("s")  # the check for an entities graph finds one
QUERY = "SELECT ?x WHERE { ?x ?p ?o }"


@dataclass
class Seen:
    """A request the scripted server received."""

    method: str
    path: str
    authorization: str | None


class Quiet(http.server.ThreadingHTTPServer):
    """A threading HTTP server that keeps quiet about clients that hang up (kg after its timeout)."""

    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass


class Handler(http.server.BaseHTTPRequestHandler):
    """Keeps connections open (HTTP/1.1) and quiet; ``send`` answers, ``hang_up`` closes without an answer."""

    protocol_version = "HTTP/1.1"

    def log_message(self, *args: object) -> None:
        pass

    def body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def send(self, status: int, headers: Sequence[tuple[str, str]], body: bytes) -> None:
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def hang_up(self) -> None:
        self.close_connection = True
        self.connection.shutdown(2)


@dataclass
class Scripted:
    """A loopback HTTP server answering request N with ``replies[N]`` (the last one again once they run out)."""

    replies: Sequence[Reply]
    seen: list[Seen] = field(default_factory=list)
    url: str = ""

    def __post_init__(self) -> None:
        script = self

        class Answer(Handler):
            def answer(self) -> None:
                self.body()
                index = len(script.seen)
                script.seen.append(Seen(self.command, self.path, self.headers.get("Authorization")))
                reply = script.replies[min(index, len(script.replies) - 1)]
                if reply.pause:
                    time.sleep(reply.pause)
                if reply.reset:
                    self.hang_up()
                else:
                    self.send(reply.status, reply.headers, reply.body)

            do_GET = do_POST = do_PUT = do_DELETE = answer

        self.server = Quiet((HOST, 0), Answer)
        self.url = f"http://{HOST}:{self.server.server_address[1]}/sparql"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def scripted() -> Iterator[list[Scripted]]:
    """Start scripted servers with ``serve(replies)``; all are closed after the test."""
    started: list[Scripted] = []
    yield started
    for server in started:
        server.close()


def serve(started: list[Scripted], *replies: Reply) -> Scripted:
    server = Scripted(replies)
    started.append(server)
    return server


@pytest.fixture(autouse=True)
def environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A 1 s endpoint timeout, and no credentials from this machine (no env vars, no ~/.netrc)."""
    monkeypatch.setenv("KG_ENDPOINT_TIMEOUT", "1")
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("KG_ENDPOINT_USER", raising=False)
    monkeypatch.delenv("KG_ENDPOINT_PASSWORD", raising=False)


def kg(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def query(tmp_path: Path, url: str) -> Result:
    rq = tmp_path / "x.rq"
    rq.write_text(QUERY + "\n")
    return kg("query", str(rq), "--endpoint", url, "--format", "csv")


def one_error(result: Result) -> str:
    """The one ``Error:`` line of a failed command (no traceback, nothing else on stderr)."""
    assert result.exit_code == 1, (result.exit_code, result.output, result.exception)
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    return lines[0]


# --- malformed answers to queries ---------------------------------------------------------------

MALFORMED = [
    pytest.param(Reply(body=b'{"head": {"vars": ["x"]}, "results": {"bindings": [{"x": {"ty'),
                 "not SPARQL JSON results", id="truncated-json"),
    pytest.param(Reply(body=b'{"results": {"bindings": []}}'), "no head", id="json-without-head"),
    pytest.param(Reply(body=b"<html><body><h1>Proxy error</h1></body></html>", headers=(("Content-Type", "text/html"),)),
                 "text/html", id="html-page-with-200"),
]


@pytest.mark.parametrize(("reply", "said"), MALFORMED)
def test_a_malformed_answer_is_one_error_line(scripted: list[Scripted], tmp_path: Path, reply: Reply,
                                              said: str) -> None:
    server = serve(scripted, ASK, INDEXED, reply)
    line = one_error(query(tmp_path, server.url))
    assert line.startswith(f"Error: {server.url}: ") and said in line
    assert len(server.seen) == 3  # not retried: the same request would get the same answer


def test_a_slow_answer_times_out_is_retried_once_and_reported(scripted: list[Scripted], tmp_path: Path) -> None:
    server = serve(scripted, ASK, INDEXED, Reply(pause=3, body=NO_ROWS.body))
    line = one_error(query(tmp_path, server.url))
    assert "timed out" in line and "KG_ENDPOINT_TIMEOUT" in line
    assert len(server.seen) == 4


def test_a_reset_connection_is_retried_then_reported(scripted: list[Scripted], tmp_path: Path) -> None:
    server = serve(scripted, ASK, INDEXED, Reply(reset=True))
    line = one_error(query(tmp_path, server.url))
    assert "connection" in line.lower() and "is the server up" in line
    assert len(server.seen) == 2 + 5  # the first try and 4 retries


@pytest.mark.parametrize("busy", [
    pytest.param(Reply(status=503, body=b"busy", headers=()), id="503"),
    pytest.param(Reply(status=429, body=b"slow down", headers=(("Retry-After", "1"),)), id="429-retry-after"),
])
def test_a_busy_server_is_retried_until_it_answers(scripted: list[Scripted], tmp_path: Path, busy: Reply) -> None:
    server = serve(scripted, ASK, INDEXED, busy, busy, rows("x"))
    result = query(tmp_path, server.url)
    assert (result.exit_code, result.stdout) == (0, "x\nok\n"), result.stderr
    assert len(server.seen) == 5


def test_retry_after_is_waited_for(scripted: list[Scripted], tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    server = serve(scripted, ASK, INDEXED, Reply(status=429, headers=(("Retry-After", "2"),)), rows("x"))
    result = query(tmp_path, server.url)
    assert result.exit_code == 0, result.stderr
    assert [r.getMessage() for r in caplog.records] == [f"{server.url}: query failed (HTTP 429); retrying in 2 s"]


def test_401_says_the_endpoint_needs_credentials(scripted: list[Scripted], tmp_path: Path) -> None:
    server = serve(scripted, ASK, Reply(status=401, headers=(("WWW-Authenticate", 'Basic realm="kg"'),)))
    line = one_error(query(tmp_path, server.url))
    assert "needs credentials" in line
    assert "KG_ENDPOINT_USER" in line and "~/.netrc" in line and "user:password@" in line
    assert "check the query" not in line
    assert len(server.seen) == 2  # never retried


def test_403_says_the_account_may_not(scripted: list[Scripted], tmp_path: Path) -> None:
    server = serve(scripted, ASK, Reply(status=403, body=b"Forbidden", headers=()))
    line = one_error(query(tmp_path, server.url))
    assert "refused (HTTP 403" in line and "allowed" in line
    assert len(server.seen) == 2


def test_a_failing_service_on_the_embedded_store_is_one_error_line(scripted: list[Scripted], tmp_path: Path) -> None:
    store = make_store(tmp_path / "kg-store")
    broken = serve(scripted, Reply(body=b'{"head": {"vars": ["s"]}, "results": {"bindings": [{"s": {"ty'))
    dead = f"http://{HOST}:{free_port()}/sparql"
    rq = tmp_path / "service.rq"
    for url, said in ((broken.url, "Unexpected end of file"), (dead, "Connection refused")):
        rq.write_text(f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}\n")
        line = one_error(kg("query", str(rq), "--store", str(store)))
        assert line.startswith("Error: a SERVICE call failed (") and said in line
        assert f"check that <{url}> is up and answers SPARQL, or write SERVICE SILENT" in line


# --- credentials in the URL ------------------------------------------------------------------------


@pytest.mark.parametrize("where", ["url", "environment", "netrc"])
def test_credentials_are_sent_as_basic_auth_and_never_shown_even_with_vv(scripted: list[Scripted], tmp_path: Path,
                                                                        where: str) -> None:
    server = serve(scripted, ASK, ASK, INDEXED, rows("x"))  # the 2nd: which auth the endpoint asks for
    endpoint, env = server.url, {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "KG_ENDPOINT_TIMEOUT": "1"}
    if where == "url":
        endpoint = server.url.replace("http://", f"http://analyst:{PASSWORD}@")
    elif where == "environment":
        env |= {"KG_ENDPOINT_USER": "analyst", "KG_ENDPOINT_PASSWORD": PASSWORD}
    else:
        (tmp_path / ".netrc").write_text(f"machine {HOST} login analyst password {PASSWORD}\n")
        (tmp_path / ".netrc").chmod(0o600)
    rq = tmp_path / "x.rq"
    rq.write_text(QUERY + "\n")
    result = subprocess.run([sys.executable, "-m", "kg", "-vv", "query", str(rq), "--endpoint", endpoint,
                             "--format", "csv"], capture_output=True, text=True, cwd=ROOT, timeout=60, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "x\nok\n"
    expected = "Basic " + base64.b64encode(f"analyst:{PASSWORD}".encode()).decode()
    assert [seen.authorization for seen in server.seen[2:]] == [expected] * 2
    assert PASSWORD not in result.stderr and "analyst:" not in result.stderr
    assert server.url in result.stderr  # -vv logs the endpoint, without credentials


def test_credentials_in_the_url_never_appear_in_an_error(scripted: list[Scripted], tmp_path: Path) -> None:
    server = serve(scripted, ASK, ASK, Reply(status=401))
    line = one_error(query(tmp_path, server.url.replace("http://", f"http://analyst:{PASSWORD}@")))
    assert PASSWORD not in line and line.startswith(f"Error: {server.url}: ")
    assert server.seen[-1].authorization is not None


# --- loading into an endpoint that fails -----------------------------------------------------------


def trig_of(path: Path, count: int) -> Path:
    """A TriG file of ``count`` small article graphs."""
    path.write_text("".join(f'<{ARTICLE}{n}> {{ <{ARTICLE}{n}> <https://schema.org/headline> "Headline {n}" . }}\n'
                            for n in range(count)))
    return path


def test_a_load_stops_at_once_on_401_with_one_line(scripted: list[Scripted], tmp_path: Path) -> None:
    server = serve(scripted, ASK, NO_ROWS, Reply(status=401))
    result = kg("-q", "load", str(trig_of(tmp_path / "a.trig", 3)), "--endpoint", server.url)
    line = one_error(result)
    assert "needs credentials" in line and "0 graphs loaded, 3 not loaded" in line
    assert len(server.seen) == 3


def test_an_ingest_stopped_by_401_counts_the_article_not_loaded(scripted: list[Scripted]) -> None:
    server = serve(scripted, ASK, NO_ROWS, Reply(status=401))
    news = "Rebels shelled the airport of Goma on Monday, the army said. The United Nations called for a ceasefire.\n"
    result = CliRunner().invoke(cli, ["-q", "ingest", "-", "--no-link", "--endpoint", server.url], input=news)
    line = one_error(result)
    assert line.endswith("refused (HTTP 401) - the endpoint needs credentials: give the credentials of an account "
                         "allowed to do it: user:password@ in the endpoint URL, KG_ENDPOINT_USER/KG_ENDPOINT_PASSWORD, "
                         "or ~/.netrc; 0 graphs loaded, 1 not loaded - once that is fixed, re-run the same command to "
                         "load the rest")


def test_a_timeout_costs_only_its_articles(scripted: list[Scripted], tmp_path: Path) -> None:
    server = serve(scripted, ASK, NO_ROWS, Reply(pause=3, status=204, headers=()),
                   Reply(pause=3, status=204, headers=()), OK)
    trig = trig_of(tmp_path / "a.trig", 2)
    result = kg("-q", "load", str(trig), "--endpoint", server.url)
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 2 and all("timed out" in line for line in lines), result.stderr
    assert lines[0].startswith(f"Error: {ARTICLE}0: ") and lines[1].startswith(f"Error: {ARTICLE}1: ")


def test_an_endpoint_that_cannot_be_reached_is_retried_then_one_error(tmp_path: Path) -> None:
    url = f"http://{HOST}:{free_port()}/sparql"
    line = one_error(query(tmp_path, url))
    assert line == (f"Error: {url}: cannot connect ([Errno 111] Connection refused) - is the server running and the "
                    "URL right?")


def test_a_busy_endpoint_costs_only_the_articles_of_the_request(scripted: list[Scripted], tmp_path: Path) -> None:
    busy = Reply(status=503, body=b"busy", headers=())
    server = serve(scripted, ASK, NO_ROWS, busy)
    result = kg("load", str(trig_of(tmp_path / "a.trig", 2)), "--endpoint", server.url)
    assert result.exit_code == 1
    errors, summary = result.stderr.splitlines()[:2], result.stderr.splitlines()[2]
    assert [line.split(": ", 2)[1] for line in errors] == [f"{ARTICLE}0", f"{ARTICLE}1"]
    assert all("update failed after 5 tries (HTTP 503)" in line for line in errors)
    assert summary.startswith(f"{server.url}: 0 new, 0 replaced, 0 unchanged, 2 failed")
    assert len(server.seen) == 2 + 5


# --- a real Oxigraph server killed in the middle of a load ------------------------------------------


class Killer:
    """A proxy in front of a real Oxigraph server that SIGKILLs the server when the ``kill_at``-th write
    request (an update, or a POST to the graph store) arrives, and from then on refuses connections, as a
    dead host does."""

    def __init__(self, target: OxigraphServer, kill_at: int) -> None:
        self.target = target
        self.updates = 0
        killer = self

        class Forward(Handler):
            def forward(self) -> None:
                body = self.body()
                if self.path.startswith("/update") or (self.command == "POST" and self.path.startswith("/store")):
                    killer.updates += 1
                    if killer.updates == kill_at:
                        assert target.proc is not None
                        target.proc.kill()
                        target.proc.wait()
                        threading.Thread(target=killer.close).start()
                        self.hang_up()
                        return
                headers = {k: v for k, v in self.headers.items() if k.lower() not in {"host", "content-length"}}
                answer = requests.request(self.command, target.url + self.path, data=body, headers=headers,
                                          timeout=60)
                self.send(answer.status_code, [(name, answer.headers[name]) for name in ("Content-Type", "Server")
                                               if name in answer.headers], answer.content)

            do_GET = do_POST = do_PUT = do_DELETE = forward

        self.server = Quiet((HOST, 0), Forward)
        self.url = f"http://{HOST}:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def many_graphs(path: Path, count: int) -> Path:
    """``count`` article graphs of 12 triples, each naming one of 7 shared entities."""
    lines = []
    for n in range(count):
        article, entity = f"<{ARTICLE}{n}>", f"<https://w3id.org/kg-news/id/entity/organization/group-{n % 7}>"
        facts = [f'{article} <https://schema.org/headline> "Headline {n}"',
                 f'{article} <https://w3id.org/kg-news/ns#articleId> "f{n}"',
                 *(f'<{ARTICLE}{n}/mention/{m}> <http://www.w3.org/2005/11/its/rdf#taIdentRef> {entity}'
                   for m in range(8)),
                 f'{entity} <http://www.w3.org/2000/01/rdf-schema#label> "Group {n % 7}"',
                 f"{entity} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/kg-news/ns#ArmedGroup>"]
        lines.append(f"{article} {{ {' . '.join(facts)} . }}\n")
    path.write_text("".join(lines))
    return path


def dump(server: OxigraphServer) -> list[str]:
    """Every quad the server holds as sorted N-Quads lines, load times left out (they differ per load)."""
    answer = requests.get(server.store_url, headers={"Accept": "application/n-quads"}, timeout=60)
    assert answer.status_code == 200, answer.text
    return sorted(line for line in answer.text.splitlines() if line and "#loadedAt>" not in line)


STOPPED = re.compile(r"Error: (?P<url>\S+): (?:update|upload of \d+ graphs) failed: no connection after 5 tries \(.+\) - is the server up\?; "
                     r"(?P<loaded>\d+) graphs loaded, (?P<missing>\d+) not loaded - once that is fixed, re-run the "
                     r"same command to load the rest")


@pytest.mark.server
def test_a_server_killed_mid_load_then_restarted_ends_equal_to_a_clean_load(
        tmp_path: Path, fresh_oxigraph: OxigraphServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KG_ENDPOINT_TIMEOUT", "60")  # a batch through the proxy may take longer than 1 s
    count = 7000  # 7000 graphs of 12 triples: 2 batches of at most 100,000 triples, each a DROP and a POST
    trig = many_graphs(tmp_path / "many.trig", count)
    with OxigraphServer(tmp_path / "killed") as first:
        killer = Killer(first, kill_at=3)
        stopped = kg("load", str(trig), "--endpoint", f"{killer.url}/query")
        assert killer.updates == 3 and first.proc is not None and first.proc.returncode == -signal.SIGKILL
    assert stopped.exit_code == 1
    error, summary = stopped.stderr.splitlines()
    match = STOPPED.fullmatch(error)
    assert match is not None, error
    loaded, missing = int(match["loaded"]), int(match["missing"])
    assert loaded > 0 and missing > 0 and loaded + missing == count  # the first batch went through, not the second
    assert summary.startswith(f"{killer.url}/query: {loaded} new, 0 replaced, 0 unchanged, {missing} not loaded, "
                              "1 failed")
    with OxigraphServer(tmp_path / "killed") as again:  # the same data directory
        resumed = kg("load", str(trig), "--endpoint", again.query_url)
        assert resumed.exit_code == 0, resumed.stderr
        assert resumed.stderr.startswith(f"{again.query_url}: {missing} new, 0 replaced, {loaded} unchanged, 0 failed")
        clean = kg("load", str(trig), "--endpoint", fresh_oxigraph.query_url)
        assert clean.exit_code == 0, clean.stderr
        assert dump(again) == dump(fresh_oxigraph)


# --- what is refused before anything is sent ---------------------------------------------------------


@pytest.mark.parametrize("update", ["DROP ALL", "DELETE WHERE { ?s ?p ?o }",
                                    "# title: T\nINSERT DATA { <urn:x:s> <urn:x:p> <urn:x:o> }"])
def test_an_update_query_file_is_refused_and_changes_nothing(scripted: list[Scripted], tmp_path: Path,
                                                             update: str) -> None:
    store = make_store(tmp_path / "kg-store")
    before = set(Store.read_only(str(store)))
    rq = tmp_path / "update.rq"
    rq.write_text(update + "\n")
    line = one_error(kg("query", str(rq), "--store", str(store)))
    assert line.startswith(f"Error: query file {rq} is a SPARQL update - kg query is read-only"), line
    assert set(Store.read_only(str(store))) == before
    server = serve(scripted, ASK)
    line = one_error(kg("query", str(rq), "--endpoint", server.url))
    assert line.startswith(f"Error: query file {rq} is a SPARQL update - kg query is read-only"), line
    assert server.seen == []  # refused before the endpoint is even asked
