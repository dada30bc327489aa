"""Pipes and directories into ``kg load``: ``kg extract … --format nquads | kg load -``, ``kg load DIR``,
and what a bad line or a slow writer on the other end of the pipe does."""

from __future__ import annotations

import io
import os
import shlex
import subprocess
import sys
import threading
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests
from click.testing import CliRunner, Result

from kg.cli import cli
from kg.rdf.graphs import MANIFEST_GRAPH
from kg.rdf.nquads import GraphLines, read_nquads
from kg.store.base import content_hash
from tests.helpers import ARTICLES
from tests.servers import OxigraphServer

ROOT = Path(__file__).resolve().parents[1]
CHILD_ENV = {**os.environ, "PYTHONPATH": str(ROOT)}
BASE = "https://w3id.org/kg-news/id/"
PATIENCE = 300.0  # seconds a child may take on a loaded two-core machine, many times over


def run(*args: str | Path, input: bytes | None = None) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args], input=input)


def article(n: int) -> bytes:
    """The N-Quads of one invented article graph: its own nodes, and facts about two shared entities."""
    g = f"<{BASE}article/port-{n:03d}>"
    quads = [
        (g, "<http://purl.org/dc/terms/title>", f'"Dockworkers strike for day {n} at the northern port"'),
        (f"<{BASE}article/port-{n:03d}/event/{n}-1>", "<http://www.w3.org/2000/01/rdf-schema#label>",
         '"strike \\"on hold\\""'),
        (f"<{BASE}article/port-{n:03d}/event/{n}-1>", "<https://w3id.org/kg-news/ns#participant>",
         f"<{BASE}entity/organization/harbour-union>"),
        (f"<{BASE}entity/organization/harbour-union>", "<http://www.w3.org/2000/01/rdf-schema#label>",
         '"Harbour Workers\' Union"@en'),
        (f"<{BASE}entity/settlement/port-elan>", "<http://www.w3.org/2000/01/rdf-schema#label>", f'"Port Elan {n % 3}"'),
    ]
    return "".join(f"{s} {p} {o} {g} .\n" for s, p, o in quads).encode()


def dump(store: Path) -> bytes:
    """Every quad of a store but the load times, sorted: equal dumps, equal stores."""
    opened = ox.Store.read_only(str(store))
    quads = sorted((q for q in opened if "loadedAt" not in str(q.predicate)), key=str)
    return ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b""


def manifest_graphs(store: Path) -> set[str]:
    opened = ox.Store.read_only(str(store))
    return {q.subject.value for q in opened.quads_for_pattern(None, None, None, ox.NamedNode(MANIFEST_GRAPH))}


def test_extract_piped_into_load_gives_the_store_ingest_gives(tmp_path: Path) -> None:
    kg = f"{shlex.quote(sys.executable)} -m kg"
    common = f"{shlex.quote(str(ARTICLES))} --no-link --date 2025-03-06"
    piped = subprocess.run(f"{kg} extract {common} --format nquads | {kg} load - --store piped",
                           shell=True, cwd=tmp_path, env=CHILD_ENV, capture_output=True, timeout=PATIENCE)
    assert piped.returncode == 0, piped.stderr.decode()
    ingested = subprocess.run(f"{kg} ingest {common} --store ingested", shell=True, cwd=tmp_path, env=CHILD_ENV,
                              capture_output=True, timeout=PATIENCE)
    assert b" new, 0 replaced" in ingested.stderr
    assert len(manifest_graphs(tmp_path / "piped")) > 5
    assert dump(tmp_path / "piped") == dump(tmp_path / "ingested")


def test_a_directory_loads_as_its_files_one_by_one(tmp_path: Path) -> None:
    shards = tmp_path / "shards"
    shards.mkdir()
    (shards / "part-00001.nq").write_bytes(b"".join(article(n) for n in range(5, 9)))
    (shards / "part-00000.nq").write_bytes(b"".join(article(n) for n in range(5)))
    trig = ox.serialize(ox.parse(input=article(20) + article(21), format=ox.RdfFormat.N_QUADS),
                        format=ox.RdfFormat.TRIG)
    (shards / "part-00002.trig").write_bytes(trig or b"")
    (shards / "notes.txt").write_text("not RDF: kg load DIR leaves it alone\n")
    whole = run("load", shards, "--store", tmp_path / "whole")
    assert whole.exit_code == 0, whole.output
    for name in ("part-00000.nq", "part-00001.nq", "part-00002.trig"):
        assert run("load", shards / name, "--store", tmp_path / "each").exit_code == 0
    assert len(manifest_graphs(tmp_path / "whole")) == 11
    assert dump(tmp_path / "whole") == dump(tmp_path / "each")
    (tmp_path / "empty").mkdir()
    nothing = run("load", tmp_path / "empty", "--store", tmp_path / "whole")
    assert nothing.exit_code == 1 and "no *.nq or *.trig files in this directory" in nothing.stderr


def test_a_bad_line_in_a_piped_stream_is_one_error_and_the_other_graphs_load(tmp_path: Path) -> None:
    lines = b"".join(article(n) for n in range(6)).splitlines(keepends=True)
    bad = f'<{BASE}article/port-003> <urn:p> "unterminated <{BASE}article/port-003> .\n'.encode()
    stream = b"".join([*lines[:17], bad, *lines[17:]])  # line 18, inside article 3 (lines 16-20)
    result = run("load", "-", "--store", tmp_path / "store", input=stream)
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and errors[0].startswith("Error: <stdin>:18: not valid N-Quads"), result.stderr
    assert "Traceback" not in result.output
    loaded = manifest_graphs(tmp_path / "store")
    assert loaded == {f"{BASE}article/port-{n:03d}" for n in (0, 1, 2, 4, 5)}


def test_piped_graphs_are_loaded_before_the_writer_closes_the_pipe(tmp_path: Path) -> None:
    proc = subprocess.Popen([sys.executable, "-m", "kg", "-v", "load", "-", "--store", str(tmp_path / "store")],
                            cwd=tmp_path, env=CHILD_ENV, stdin=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdin is not None and proc.stderr is not None
    said: list[str] = []
    loaded_first = threading.Event()

    def listen() -> None:
        assert proc.stderr is not None
        for raw in proc.stderr:
            said.append(raw.decode())
            if "loaded 2 new graphs" in said[-1]:  # the third may go on: it waits for the next or the end
                loaded_first.set()

    listener = threading.Thread(target=listen, daemon=True)
    listener.start()
    try:
        proc.stdin.write(b"".join(article(n) for n in range(3)))
        proc.stdin.flush()
        # the pipe stays open: a loader that waits for the end of its input never says this
        assert loaded_first.wait(PATIENCE), f"nothing loaded while the pipe was open: {said}"
        proc.stdin.write(b"".join(article(n) for n in range(3, 7)))
        proc.stdin.close()
        assert proc.wait(PATIENCE) == 0, said
    finally:
        proc.kill()
        proc.wait()
        listener.join(PATIENCE)
        proc.stdin.close()
        proc.stderr.close()
    assert said[-1].startswith(f"{tmp_path / 'store'}: 7 new, 0 replaced"), said
    assert len(manifest_graphs(tmp_path / "store")) == 7


TRICKY = b"""# written by another tool: comments, tabs, escapes pyoxigraph would not write
<https://w3id.org/kg-news/id/article/t1>\t<urn:p> "caf\\u00E9" <https://w3id.org/kg-news/id/article/t1> .

_:b7 <urn:p> "Line\\u000Atwo"^^<http://www.w3.org/2001/XMLSchema#string> <https://w3id.org/kg-news/id/article/t1> .
<https://w3id.org/kg-news/id/entity/person/ana-roos> <urn:name> "Ana Roos"@EN-GB <https://w3id.org/kg-news/id/article/t1> .
<https://w3id.org/kg-news/id/article/t1> <urn:n> "7"^^<http://www.w3.org/2001/XMLSchema#integer> <https://w3id.org/kg-news/id/article/t1>.
"""


def test_lines_in_any_form_give_the_hash_of_their_quads() -> None:
    problems: list[str] = []
    graphs = list(read_nquads(io.BytesIO(TRICKY + article(1)), "t.nq", problems.append, lambda: None))
    assert problems == []
    assert [g.graph for g in graphs if g is not None] == [f"{BASE}article/t1", f"{BASE}article/port-001"]
    for data in graphs:
        assert isinstance(data, GraphLines)
        quads = list(ox.parse(input=data.nquads(), format=ox.RdfFormat.N_QUADS))
        assert data.content_hash() == content_hash(quads)
    tricky = graphs[0]
    assert isinstance(tricky, GraphLines)
    assert tricky.content_hash() == content_hash(list(ox.parse(input=TRICKY, format=ox.RdfFormat.N_QUADS)))
    assert [s.split(b" ")[0] for s in tricky.shared()] == [b"_:b7", b"<https://w3id.org/kg-news/id/entity/person/ana-roos>"]


def test_a_file_from_another_tool_loads_as_its_canonical_form(tmp_path: Path) -> None:
    (tmp_path / "other.nq").write_bytes(TRICKY)
    canonical = ox.serialize(ox.parse(input=TRICKY, format=ox.RdfFormat.N_QUADS), format=ox.RdfFormat.N_QUADS)
    (tmp_path / "canonical.nq").write_bytes(canonical or b"")
    assert run("load", tmp_path / "other.nq", "--store", tmp_path / "a").exit_code == 0
    assert run("load", tmp_path / "canonical.nq", "--store", tmp_path / "b").exit_code == 0
    assert dump(tmp_path / "a") == dump(tmp_path / "b")
    again = run("load", tmp_path / "canonical.nq", "--store", tmp_path / "a")
    assert "0 new, 0 replaced, 1 unchanged" in again.stderr


@pytest.mark.parametrize("fmt", ["nquads", "trig"])
def test_stdin_in_either_format_loads_like_the_file(tmp_path: Path, fmt: str) -> None:
    data = b"".join(article(n) for n in range(4))
    if fmt == "trig":
        data = ox.serialize(ox.parse(input=data, format=ox.RdfFormat.N_QUADS), format=ox.RdfFormat.TRIG) or b""
    (tmp_path / "a.nq").write_bytes(b"".join(article(n) for n in range(4)))
    piped = run("load", "-", "--format", fmt, "--store", tmp_path / "piped", input=data)
    assert piped.exit_code == 0, piped.output
    assert run("load", tmp_path / "a.nq", "--store", tmp_path / "file").exit_code == 0
    assert dump(tmp_path / "piped") == dump(tmp_path / "file")


@pytest.mark.server
def test_stdin_into_an_oxigraph_server_gives_what_the_embedded_store_holds(tmp_path: Path,
                                                                          fresh_oxigraph: OxigraphServer) -> None:
    data = b"".join(article(n) for n in range(40))
    pushed = run("load", "-", "--endpoint", fresh_oxigraph.query_url, input=data)
    assert pushed.exit_code == 0, pushed.output
    assert run("load", "-", "--store", tmp_path / "store", input=data).exit_code == 0
    answer = requests.get(fresh_oxigraph.store_url, headers={"Accept": "application/n-quads"}, timeout=60)
    served = sorted(line for line in answer.content.splitlines(keepends=True) if b"#loadedAt>" not in line)
    assert served == sorted(dump(tmp_path / "store").splitlines(keepends=True))
    again = run("load", "-", "--endpoint", fresh_oxigraph.query_url, input=data)
    assert "0 new, 0 replaced, 40 unchanged" in again.stderr


def test_lines_pyoxigraph_writes_keep_the_hash_of_their_quads() -> None:
    g = ox.NamedNode(f"{BASE}article/c1")
    texts = ["a\b b\f c\r d\n e\t", 'quoted "x" and \\ back', "ctl \x01 \x0b \x7f", "café – ‘Ωmega’ \u2028"]
    quads = [ox.Quad(ox.NamedNode(f"{BASE}article/c1/s{i}"), ox.NamedNode("urn:p"), ox.Literal(t), g)
             for i, t in enumerate(texts)]
    quads += [ox.Quad(ox.BlankNode("geo1"), ox.NamedNode("urn:wkt"), ox.Literal("POINT(1 2)", language="en-gb"), g),
              ox.Quad(g, ox.NamedNode("urn:n"), ox.Literal("3", datatype=ox.NamedNode("urn:int")), g)]
    text = ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b""
    problems: list[str] = []
    (data,) = read_nquads(io.BytesIO(text), "c.nq", problems.append, lambda: None)
    assert problems == [] and isinstance(data, GraphLines)
    assert b"".join(data.lines) == text
    assert data.content_hash() == content_hash(quads)
