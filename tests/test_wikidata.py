"""kg.link.wikidata against a real Oxigraph server loaded with Wikidata-shaped triples
(tests/data/wikidata/fixture.ttl), through a small local HTTP server that counts requests, records
headers and can answer 429, 500 or a canned WDQS result instead."""

from __future__ import annotations

import http.server
import logging
import re
import sqlite3
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path

import pytest
import requests

from kg.errors import EndpointError
from kg.link.candidates import Candidate, CandidateSource
from kg.link.wikidata import USER_AGENT, WikidataSource, build_query, default_cache_dir, retry_after
from tests.helpers import load_fixture
from tests.servers import HOST, OxigraphServer, free_port

DATA = Path(__file__).parent / "data" / "wikidata"
CANNED = (DATA / "wdqs_isis.json").read_bytes()  # the shape WDQS answers in, for the lookup query
JSON_HEADERS = {"Content-Type": "application/sparql-results+json;charset=utf-8"}

Reply = tuple[int, dict[str, str], bytes]


class Stub:
    """A loopback HTTP server in front of an endpoint: answers the scripted replies first, then
    forwards to ``upstream`` (or gives ``default``). Records every request's method, headers and body."""

    def __init__(self, upstream: str | None = None, *, script: list[Reply] | None = None,
                 default: Reply | None = None, delay: float = 0.0) -> None:
        self.upstream = upstream
        self.script = list(script or [])
        self.default = default
        self.delay = delay
        self.requests: list[tuple[str, dict[str, str], bytes]] = []
        self.times: list[float] = []
        stub = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                stub.requests.append((self.command, dict(self.headers.items()), body))
                stub.times.append(time.monotonic())
                if stub.delay:
                    time.sleep(stub.delay)
                if stub.script:
                    self._reply(*stub.script.pop(0))
                elif stub.upstream is not None:
                    headers = {"Content-Type": self.headers["Content-Type"], "Accept": self.headers["Accept"]}
                    answer = requests.post(stub.upstream, data=body, headers=headers, timeout=30)
                    self._reply(answer.status_code, {"Content-Type": answer.headers["Content-Type"]},
                                answer.content)
                else:
                    assert stub.default is not None
                    self._reply(*stub.default)

            def _reply(self, status: int, headers: dict[str, str], body: bytes) -> None:
                try:
                    self.send_response(status)
                    for key, value in headers.items():
                        self.send_header(key, value)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout test)
                    pass

        self.server = http.server.ThreadingHTTPServer((HOST, 0), Handler)
        self.server.daemon_threads = True
        self.server.block_on_close = False
        self.url = f"http://{HOST}:{self.server.server_address[1]}/sparql"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                                       daemon=True)

    def __enter__(self) -> Stub:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def cached(folder: Path) -> int:
    """How many answers the cache in ``folder`` holds."""
    with sqlite3.connect(folder / "responses.sqlite") as db:
        (count,) = db.execute("SELECT COUNT(*) FROM responses").fetchone()
    return int(count)


@pytest.fixture(scope="module")
def wikidata(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphServer]:
    """An Oxigraph server holding the Wikidata-shaped fixture."""
    with OxigraphServer(tmp_path_factory.mktemp("wikidata")) as server:
        load_fixture(server)
        yield server


@pytest.fixture
def counted(wikidata: OxigraphServer) -> Iterator[Stub]:
    """The fixture server behind a request-counting stub."""
    with Stub(wikidata.query_url) as stub:
        yield stub


def by_qid(found: list[Candidate]) -> dict[str, Candidate]:
    return {c.qid: c for c in found}


# --- lookups against the fixture ---------------------------------------------------------------------------

@pytest.mark.server
def test_one_request_per_batch_and_user_agent(counted: Stub, tmp_path: Path) -> None:
    source: CandidateSource = WikidataSource(counted.url, tmp_path / "cache")
    names = ["Saladin", "ISIS", "Diyala", "Kirkuk", "Iraq", "Syria", "Nowhere at all"]
    found = source.candidates(names)
    assert len(counted.requests) == 1
    assert set(found) == set(names) - {"Nowhere at all"}
    method, headers, body = counted.requests[0]
    assert method == "POST" and re.search(rb"(^|&)query=", body)
    assert headers["User-Agent"] == USER_AGENT
    assert re.fullmatch(r"kg/\S+ \(https://w3id\.org/kg-news; linking\)", headers["User-Agent"])

    batched = WikidataSource(counted.url, tmp_path / "cache2", batch_size=3)
    assert batched.candidates(names) == found
    assert len(counted.requests) == 1 + 3  # 7 names in batches of 3


@pytest.mark.server
def test_kinds_from_p31_p279_chains(counted: Stub, tmp_path: Path) -> None:
    found = WikidataSource(counted.url, tmp_path).candidates(
        ["Saladin", "ISIS", "Diyala", "Kirkuk", "Iraq", "Iraqi Army", "INA"])
    saladin = by_qid(found["Saladin"])
    assert set(saladin) == {"Q900000001", "Q190131"}  # the disambiguation page is left out
    assert saladin["Q900000001"].kinds == {"human"}
    assert saladin["Q190131"].kinds == {"admin"}  # governorate of Iraq -> governorate -> first-level division
    isis = by_qid(found["ISIS"])
    assert isis["Q2429253"].kinds == {"armed", "organization"}
    assert isis["Q900000002"].kinds == frozenset()  # the goddess, found through the title-cased "Isis"
    diyala = by_qid(found["Diyala"])
    assert (diyala["Q900000003"].kinds, diyala["Q217075"].kinds) == (frozenset({"natural"}), frozenset({"admin"}))
    kirkuk = by_qid(found["Kirkuk"])
    assert (kirkuk["Q173310"].kinds, kirkuk["Q193268"].kinds) == (frozenset({"settlement"}), frozenset({"admin"}))
    assert by_qid(found["Iraq"])["Q796"].kinds == {"country"}
    assert by_qid(found["Iraqi Army"])["Q900000004"].kinds == {"force", "organization"}
    assert by_qid(found["INA"])["Q900000005"].kinds == {"media", "organization"}


@pytest.mark.server
def test_fields_exactness_and_order(counted: Stub, tmp_path: Path) -> None:
    found = WikidataSource(counted.url, tmp_path).candidates(["Kirkuk", "Saladin", "ISIS", "Tigris Crater"])
    city, governorate = found["Kirkuk"]  # the label match first
    assert city == Candidate(qid="Q173310", label="Kirkuk", kinds=frozenset({"settlement"}),
                             description="city in Iraq", sitelinks=90, coordinates=(44.39, 35.47),
                             country="Q796", exact=True)
    assert governorate.qid == "Q193268" and governorate.exact is False
    assert (governorate.label, governorate.description, governorate.sitelinks) == ("Kirkuk Governorate", "", 0)
    assert governorate.coordinates is None and governorate.country == "Q796"
    sultan, province = found["Saladin"]
    assert (sultan.exact, province.exact) == (True, False)
    assert province.label == "Saladin Governorate" and province.coordinates == (43.68, 34.53)
    isis = by_qid(found["ISIS"])
    assert isis["Q2429253"].exact is False and isis["Q2429253"].label == "Islamic State"
    assert found["Tigris Crater"][0].coordinates is None  # a point on the Moon


@pytest.mark.server
def test_name_forms(counted: Stub, tmp_path: Path) -> None:
    source = WikidataSource(counted.url, tmp_path)
    found = source.candidates(["kirkuk", "Kirkuk", "Abu Bakr al-Baghdadi", "country", "  "])
    assert found["kirkuk"] == found["Kirkuk"]  # the title-cased form is tried too
    person = found["Abu Bakr al-Baghdadi"][0]  # labelled only in "mul"
    assert (person.qid, person.label, person.exact, person.kinds) == (
        "Q900000006", "Abu Bakr al-Baghdadi", True, frozenset({"human"}))
    assert all(c.qid.startswith("Q") for c in found["country"])  # wd:P17 is labelled "country" too
    assert "  " not in found
    assert source.candidates([]) == {}


def test_query_is_parameterised_safely() -> None:
    query = build_query(['Bad" } DROP ALL #'])
    assert '"Bad\\" } DROP ALL #"@en' in query
    assert "GROUP BY ?name ?item" in query


# --- the cache ---------------------------------------------------------------------------------------------

@pytest.mark.server
def test_cache_answers_when_the_server_is_gone(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    names = ["Saladin", "Kirkuk", "ISIS"]
    with OxigraphServer(tmp_path / "oxigraph") as server:
        load_fixture(server)
        source = WikidataSource(server.query_url, cache, retries=0)
        first = source.candidates(names)
        assert cached(cache) == 1
        server.stop()
        assert not server.running
        assert WikidataSource(server.query_url, cache, retries=0).candidates(list(reversed(names))) == first
        with pytest.raises(EndpointError, match="cannot connect"):
            source.candidates(["Diyala"])  # not cached: this one needs the (stopped) server


def test_cache_location(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.delenv("KG_CACHE_DIR", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_cache_dir() == tmp_path / "home" / ".cache" / "kg" / "wikidata"
    monkeypatch.setenv("KG_CACHE_DIR", str(tmp_path / "elsewhere"))
    assert WikidataSource("http://127.0.0.1:1/sparql").cache_dir == tmp_path / "elsewhere" / "wikidata"


def test_unreadable_cache_entry_is_refetched(tmp_path: Path) -> None:
    with Stub(default=(200, JSON_HEADERS, CANNED)) as stub:
        WikidataSource(stub.url, tmp_path).candidates(["ISIS"])
        with sqlite3.connect(tmp_path / "responses.sqlite") as db:
            assert db.execute("UPDATE responses SET value = ?", (b"{ truncated",)).rowcount == 1
        assert WikidataSource(stub.url, tmp_path).candidates(["ISIS"])["ISIS"][0].qid == "Q2429253"
        assert len(stub.requests) == 2
        assert WikidataSource(stub.url, tmp_path).candidates(["ISIS"])["ISIS"][0].qid == "Q2429253"
        assert len(stub.requests) == 2  # the answer fetched again was cached again


def test_a_cache_folder_that_cannot_be_made_costs_only_the_cache(tmp_path: Path, caplog: pytest.LogCaptureFixture,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    # import-linter, run in-process by tests/test_layout.py, disables the loggers that existed before it
    monkeypatch.setattr(logging.getLogger("kg.link.wikidata"), "disabled", False)
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    with Stub(default=(200, JSON_HEADERS, CANNED)) as stub:
        assert WikidataSource(stub.url, blocked / "cache").candidates(["ISIS"])["ISIS"][0].qid == "Q2429253"
    assert [r.getMessage().split(" (")[0] for r in caplog.records] == [
        f"cannot write the Wikidata cache in {blocked / 'cache'}"]


def test_an_answer_that_is_not_results_is_not_cached(tmp_path: Path) -> None:
    with Stub(script=[(200, {"Content-Type": "text/html"}, b"<html>busy</html>")],
              default=(200, JSON_HEADERS, CANNED)) as stub:
        with pytest.raises(EndpointError, match="not SPARQL JSON results"):
            WikidataSource(stub.url, tmp_path).candidates(["ISIS"])
        assert cached(tmp_path) == 0
        assert WikidataSource(stub.url, tmp_path).candidates(["ISIS"])["ISIS"][0].qid == "Q2429253"
    assert len(stub.requests) == 2 and cached(tmp_path) == 1


# --- HTTP behaviour ----------------------------------------------------------------------------------------

def test_429_waits_for_retry_after(tmp_path: Path) -> None:
    script: list[Reply] = [(429, {"Retry-After": "1", "Content-Type": "text/plain"}, b"Too Many Requests")]
    with Stub(script=script, default=(200, JSON_HEADERS, CANNED)) as stub:
        found = WikidataSource(stub.url, tmp_path, backoff=0.01).candidates(["ISIS", "Kirkuk"])
    assert len(stub.requests) == 2
    assert stub.times[1] - stub.times[0] >= 0.95  # the server's Retry-After, not the 0.01 s backoff
    isis = found["ISIS"][0]
    assert (isis.qid, isis.sitelinks, isis.exact) == ("Q2429253", 140, False)
    assert isis.kinds == {"armed", "organization"}
    assert found["Kirkuk"][0].coordinates == (44.39, 35.47) and found["Kirkuk"][0].country == "Q796"


def test_retry_after_is_capped(tmp_path: Path) -> None:
    script: list[Reply] = [(503, {"Retry-After": "3600"}, b"busy")]
    with Stub(script=script, default=(200, JSON_HEADERS, CANNED)) as stub:
        start = time.monotonic()
        WikidataSource(stub.url, tmp_path, max_wait=0.2).candidates(["ISIS"])
        assert time.monotonic() - start < 2
    assert len(stub.requests) == 2


def test_retry_after_forms() -> None:
    now = datetime(2025, 3, 6, 12, 0, 0, tzinfo=UTC)
    later = format_datetime(datetime(2025, 3, 6, 12, 0, 30, tzinfo=UTC), usegmt=True)
    assert retry_after(later, 60, now) == 30
    assert retry_after("Thu, 06 Mar 2025 11:00:00 GMT", 60, now) == 0
    assert retry_after(later, 10, now) == 10
    assert retry_after("120", 60) == 60 and retry_after("2", 60) == 2
    assert retry_after("", 60) is None and retry_after("later", 60) is None


def test_persistent_500_fails_after_retries(tmp_path: Path) -> None:
    body = b"java.util.concurrent.ExecutionException: java.util.concurrent.TimeoutException"
    with Stub(default=(500, {"Content-Type": "text/plain"}, body)) as stub, pytest.raises(EndpointError) as raised:
        WikidataSource(stub.url, tmp_path, retries=2, backoff=0.01).candidates(["ISIS"])
    assert len(stub.requests) == 3
    message = str(raised.value)
    assert "\n" not in message and stub.url in message and "3 tries" in message and "batch_size" in message
    assert cached(tmp_path) == 0  # failures are not cached


def test_bad_request_is_not_retried(tmp_path: Path) -> None:
    with Stub(default=(400, {"Content-Type": "text/plain"}, b"Parse error")) as stub:
        with pytest.raises(EndpointError, match="malformed") as raised:
            WikidataSource(stub.url, tmp_path, backoff=0.01).candidates(["ISIS"])
    assert len(stub.requests) == 1 and stub.url in str(raised.value)


def test_not_sparql_results(tmp_path: Path) -> None:
    with Stub(default=(200, {"Content-Type": "text/html"}, b"<html>Wikidata</html>")) as stub:
        with pytest.raises(EndpointError, match="not SPARQL JSON results"):
            WikidataSource(stub.url, tmp_path).candidates(["ISIS"])


def test_timeout_is_retried_then_reported(tmp_path: Path) -> None:
    with Stub(default=(200, JSON_HEADERS, CANNED), delay=1.3) as stub:
        with pytest.raises(EndpointError, match=r"timeout.*lower batch_size") as raised:
            WikidataSource(stub.url, tmp_path, timeout=1, retries=1, backoff=0.01).candidates(["ISIS"])
    assert len(stub.requests) == 2 and "\n" not in str(raised.value)


def test_unreachable_endpoint(tmp_path: Path) -> None:
    url = f"http://{HOST}:{free_port()}/sparql"
    with pytest.raises(EndpointError) as raised:
        WikidataSource(url, tmp_path, retries=1, backoff=0.01).candidates(["Kirkuk"])
    message = str(raised.value)
    assert message.startswith(url) and "cannot connect" in message and "\n" not in message
