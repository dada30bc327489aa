"""Smoke tests of the real-server harness (tests/servers.py): the servers start, answer, and are stoppable,
and each has the endpoints and rights that the store client relies on."""

from __future__ import annotations

import shutil
import socket
import uuid
from pathlib import Path
from typing import Any

import pyoxigraph
import pytest
import requests
from requests.auth import HTTPBasicAuth, HTTPDigestAuth

from tests import servers
from tests.servers import OxigraphServer, ServerError, VirtuosoServer

JSON = {"Accept": "application/sparql-results+json"}
EX = "http://example.org/kg-test/"


def new_graph() -> str:
    return f"{EX}graph/{uuid.uuid4()}"


def select(endpoint: str, query: str, **kwargs: Any) -> list[dict[str, str]]:
    """SELECT through the SPARQL protocol; each row as {var: value}."""
    r = requests.get(endpoint, params={"query": query}, headers=JSON, timeout=30, **kwargs)
    assert r.status_code == 200, r.text[:500]
    return [{k: v["value"] for k, v in row.items()} for row in r.json()["results"]["bindings"]]


def ask(endpoint: str, query: str) -> bool:
    r = requests.get(endpoint, params={"query": query}, headers=JSON, timeout=30)
    assert r.status_code == 200, r.text[:500]
    result: bool = r.json()["boolean"]
    return result


def nt_set(text: str) -> set[str]:
    """N-Triples/Turtle text as a set of canonical N-Triples lines."""
    return {str(t) for t in pyoxigraph.parse(text, format=pyoxigraph.RdfFormat.TURTLE)}


def port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex((servers.HOST, port)) == 0


NT_A = f'<{EX}a> <{EX}name> "Alpha"@en .\n<{EX}a> <{EX}count> "3"^^<http://www.w3.org/2001/XMLSchema#integer> .\n'
NT_B = f'<{EX}b> <{EX}name> "Beta \\"quoted\\" é"@en .\n'

# the harness itself: these tests start servers (or install Virtuoso for them)
pytestmark = pytest.mark.server


# --- harness ---------------------------------------------------------------------------------------


def test_free_port_is_bindable() -> None:
    port = servers.free_port()
    assert 1024 <= port <= 65535
    with socket.socket() as s:
        s.bind((servers.HOST, port))


def test_virtuoso_missing_binary_is_an_error_with_the_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(RuntimeError, match="apt-get install -y virtuoso-opensource"):
        VirtuosoServer()


def test_virtuoso_ini_copy_is_private(virtuoso_ini: Path, tmp_path: Path) -> None:
    text = servers.virtuoso_ini(virtuoso_ini.read_text(), tmp_path, 41111, 48890)
    assert "/var/lib/virtuoso-opensource-7/db" not in text
    assert servers._ini_value(text, "Parameters", "ServerPort") == "127.0.0.1:41111"
    assert servers._ini_value(text, "HTTPServer", "ServerPort") == "127.0.0.1:48890"
    assert servers._ini_value(text, "URIQA", "DefaultHost") == "127.0.0.1:48890"
    dirs = servers._ini_value(text, "Parameters", "DirsAllowed")
    assert dirs == f"., /usr/share/virtuoso-opensource-7/vad, {tmp_path.resolve()}"
    assert servers._ini_value(text, "Database", "TransactionFile") == f"{tmp_path.resolve()}/virtuoso.trx"
    assert servers._ini_value(text, "TempDatabase", "DatabaseFile") == f"{tmp_path.resolve()}/virtuoso-temp.db"


def test_failed_start_raises_with_log_and_leaves_no_process(tmp_path: Path) -> None:
    not_a_dir = tmp_path / "file"
    not_a_dir.write_text("not a store")
    server = OxigraphServer(tmp_path / "work", location=not_a_dir)
    with pytest.raises(ServerError, match="exited with code") as info, server:
        pass  # pragma: no cover
    assert "oxigraph.log" in str(info.value)
    assert server.proc is not None and server.proc.returncode is not None


# --- Oxigraph --------------------------------------------------------------------------------------


def test_oxigraph_update_then_query(oxigraph_server: OxigraphServer) -> None:
    g = new_graph()
    update = f'INSERT DATA {{ GRAPH <{g}> {{ <{EX}s> <{EX}p> "o1", "o2" }} }}'
    r = requests.post(oxigraph_server.update_url, data={"update": update}, timeout=30)
    assert r.status_code == 204, r.text
    rows = select(oxigraph_server.query_url, f"SELECT ?o WHERE {{ GRAPH <{g}> {{ <{EX}s> <{EX}p> ?o }} }} ORDER BY ?o")
    assert rows == [{"o": "o1"}, {"o": "o2"}]
    # the default graph is not the union here
    assert not ask(oxigraph_server.query_url, f"ASK {{ <{EX}s> <{EX}p> ?o }}")


def test_oxigraph_graph_store_put_get(oxigraph_server: OxigraphServer) -> None:
    g = new_graph()
    nt = {"Content-Type": "application/n-triples"}
    r = requests.put(oxigraph_server.store_url, params={"graph": g}, data=NT_A.encode(), headers=nt, timeout=30)
    assert r.status_code == 201, r.text
    r = requests.get(oxigraph_server.store_url, params={"graph": g}, headers={"Accept": "application/n-triples"})
    assert r.status_code == 200
    assert nt_set(r.text) == nt_set(NT_A)
    # PUT again replaces the graph
    r = requests.put(oxigraph_server.store_url, params={"graph": g}, data=NT_B.encode(), headers=nt, timeout=30)
    assert r.status_code == 204, r.text
    r = requests.get(oxigraph_server.store_url, params={"graph": g}, headers={"Accept": "application/n-triples"})
    assert r.status_code == 200
    assert nt_set(r.text) == nt_set(NT_B)
    rows = select(oxigraph_server.query_url, f"SELECT ?n WHERE {{ GRAPH <{g}> {{ <{EX}b> <{EX}name> ?n }} }}")
    assert rows == [{"n": 'Beta "quoted" é'}]


def test_fresh_oxigraph_is_empty_and_separate(fresh_oxigraph: OxigraphServer, oxigraph_server: OxigraphServer) -> None:
    assert fresh_oxigraph.url != oxigraph_server.url
    assert fresh_oxigraph.directory != oxigraph_server.directory
    assert not ask(fresh_oxigraph.query_url, "ASK { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }")


def test_oxigraph_union_default_graph_and_read_only(tmp_path: Path) -> None:
    g = new_graph()
    location = tmp_path / "store"
    with OxigraphServer(tmp_path / "rw", location=location, union_default_graph=True) as rw:
        r = requests.post(rw.update_url, data={"update": f"INSERT DATA {{ GRAPH <{g}> {{ <{EX}s> <{EX}p> <{EX}o> }} }}"})
        assert r.status_code == 204, r.text
        assert ask(rw.query_url, f"ASK {{ <{EX}s> <{EX}p> <{EX}o> }}")  # found without GRAPH
        port = rw.port
    assert rw.proc is not None and rw.proc.returncode is not None
    assert not port_open(port)
    assert location.is_dir() and (tmp_path / "rw" / "oxigraph.log").exists()  # a given directory is kept

    with OxigraphServer(tmp_path / "ro", location=location, read_only=True) as ro:
        assert ask(ro.query_url, f"ASK {{ GRAPH <{g}> {{ <{EX}s> <{EX}p> <{EX}o> }} }}")
        assert not ask(ro.query_url, f"ASK {{ <{EX}s> <{EX}p> <{EX}o> }}")  # no union here
        r = requests.post(ro.update_url, data={"update": f"DROP SILENT GRAPH <{g}>"}, timeout=30)
        assert r.status_code == 403, r.text  # "The server is read-only"
    with pytest.raises(ValueError):
        OxigraphServer(read_only=True)


# --- Virtuoso --------------------------------------------------------------------------------------


def test_virtuoso_anonymous_query(virtuoso_server: VirtuosoServer) -> None:
    assert ask(virtuoso_server.sparql_url, "ASK {}")
    assert virtuoso_server.startup_seconds is not None and virtuoso_server.startup_seconds < 60


def test_virtuoso_anonymous_update_is_refused(virtuoso_server: VirtuosoServer) -> None:
    g = new_graph()
    update = f"INSERT DATA {{ GRAPH <{g}> {{ <{EX}s> <{EX}p> <{EX}o> }} }}"
    r = requests.post(virtuoso_server.sparql_url, data={"update": update}, timeout=30)
    assert r.status_code == 500
    assert "SR186" in r.text
    assert select(virtuoso_server.sparql_url, f"SELECT * FROM <{g}> WHERE {{ ?s ?p ?o }}") == []


def test_virtuoso_digest_update(virtuoso_server: VirtuosoServer) -> None:
    g = new_graph()
    update = f'INSERT DATA {{ GRAPH <{g}> {{ <{EX}s> <{EX}p> "x"@en, <{EX}o> }} }}'
    r = requests.post(virtuoso_server.auth_url, data={"update": update}, auth=virtuoso_server.auth, timeout=30)
    assert r.status_code == 200, r.text[:500]
    rows = select(virtuoso_server.sparql_url, f"SELECT ?o FROM <{g}> WHERE {{ <{EX}s> <{EX}p> ?o }} ORDER BY STR(?o)")
    assert rows == [{"o": f"{EX}o"}, {"o": "x"}]
    # queries work on /sparql-auth too
    rows = select(
        virtuoso_server.auth_url, f"SELECT (COUNT(*) AS ?n) FROM <{g}> WHERE {{ ?s ?p ?o }}", auth=virtuoso_server.auth
    )
    assert rows == [{"n": "2"}]


def test_virtuoso_basic_auth_is_refused(virtuoso_server: VirtuosoServer) -> None:
    g = new_graph()
    update = f"INSERT DATA {{ GRAPH <{g}> {{ <{EX}s> <{EX}p> <{EX}o> }} }}"
    basic = HTTPBasicAuth(virtuoso_server.user, virtuoso_server.password)
    r = requests.post(virtuoso_server.auth_url, data={"update": update}, auth=basic, timeout=30)
    assert r.status_code == 401
    # quirk: a Basic attempt gets a bare 401 with no WWW-Authenticate challenge at all
    assert "WWW-Authenticate" not in r.headers
    r = requests.post(virtuoso_server.auth_url, data={"update": update}, timeout=30)  # no credentials
    assert r.status_code == 401
    assert r.headers["WWW-Authenticate"].startswith("Digest ")
    wrong = HTTPDigestAuth(virtuoso_server.user, "wrong")
    r = requests.post(virtuoso_server.auth_url, data={"update": update}, auth=wrong, timeout=30)
    assert r.status_code == 401
    assert select(virtuoso_server.sparql_url, f"SELECT * FROM <{g}> WHERE {{ ?s ?p ?o }}") == []


def test_virtuoso_graph_store_put_select_drop(virtuoso_server: VirtuosoServer) -> None:
    g = new_graph()
    nt = {"Content-Type": "application/n-triples"}
    url, auth = virtuoso_server.graph_store_url, virtuoso_server.auth
    r = requests.put(url, params={"graph": g}, data=NT_A.encode(), headers=nt, auth=auth, timeout=30)
    assert r.status_code == 201, r.text[:500]
    query = f"SELECT ?s ?p ?o FROM <{g}> WHERE {{ ?s ?p ?o }} ORDER BY ?p"
    assert select(virtuoso_server.sparql_url, query) == [
        {"s": f"{EX}a", "p": f"{EX}count", "o": "3"},
        {"s": f"{EX}a", "p": f"{EX}name", "o": "Alpha"},
    ]
    r = requests.put(url, params={"graph": g}, data=(NT_A + NT_B).encode(), headers=nt, auth=auth, timeout=30)
    assert r.status_code == 200, r.text[:500]  # Virtuoso answers 200, not 204, on replace
    assert len(select(virtuoso_server.sparql_url, query)) == 3
    r = requests.post(virtuoso_server.auth_url, data={"update": f"DROP SILENT GRAPH <{g}>"}, auth=auth, timeout=30)
    assert r.status_code == 200, r.text[:500]
    assert select(virtuoso_server.sparql_url, query) == []


def test_virtuoso_anonymous_graph_store_write_is_refused(virtuoso_server: VirtuosoServer) -> None:
    g = new_graph()
    r = requests.put(
        f"{virtuoso_server.url}/sparql-graph-crud", params={"graph": g}, data=NT_A.encode(),
        headers={"Content-Type": "application/n-triples"}, timeout=30,
    )  # fmt: skip
    assert r.status_code == 403, r.text[:300]  # SR575
    assert select(virtuoso_server.sparql_url, f"SELECT * FROM <{g}> WHERE {{ ?s ?p ?o }}") == []


def test_virtuoso_isql(virtuoso_server: VirtuosoServer) -> None:
    out = virtuoso_server.isql("select U_NAME from DB.DBA.SYS_USERS where U_NAME = 'loader';")
    assert "loader" in out
    with pytest.raises(ServerError, match=r"42S02|SQ200|No table"):
        virtuoso_server.isql("select * from NO_SUCH_TABLE_KG;")
    virtuoso_server.create_writer()  # idempotent


def test_virtuoso_binaries_present() -> None:
    """The Virtuoso tests need a real Virtuoso; make its absence loud, never a skip."""
    assert shutil.which("virtuoso-t"), f"virtuoso-t missing; fix: {servers.VIRTUOSO_FIX}"
