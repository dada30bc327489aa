"""What kg leaves behind and shows: output files under every failure and signal, bulk-load leftovers in
the store, ``kg validate`` over several files, entity labels next to emoji and symbols, and article text
with control characters on the terminal.

The signal tests run ``python -m kg`` as a real child process and send it a real signal once the run
is under way (the output's temporary file has grown past its header); the pseudo-terminal test gives a
child a real terminal as stdout.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner, Result
from rdflib import Literal as RdfLiteral
from rdflib import URIRef
from rdflib.namespace import RDFS, SKOS

from kg.cli import cli
from kg.errors import OutputError
from kg.model import Article, Entity, Extraction, Mention, TextSpan
from kg.query.formats import format_result
from kg.query.saved import ResultTable
from kg.rdf.files import RdfWriter
from kg.rdf.mapping import to_graph
from kg.store.embedded import EmbeddedStore
from tests.helpers import on_a_terminal

ROOT = Path(__file__).parent.parent
CHILD_ENV = {**os.environ, "PYTHONPATH": str(ROOT)}
# the longest any child run here takes on a loaded two-core machine, many times over
PATIENCE = 300.0


def run(*args: str | Path, input: str | None = None) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args], input=input, prog_name="kg")


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.rglob("*") if p.name.endswith(".tmp"))


def jsonl(*records: dict[str, str]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)


def wait_for(condition: Callable[[], bool], proc: subprocess.Popen[bytes] | None, what: str) -> None:
    """Poll until ``condition`` holds; fail if the child (when given) ends first, or if it never holds."""
    deadline = time.monotonic() + PATIENCE
    while not condition():
        if proc is not None and proc.poll() is not None:
            pytest.fail(f"the child ended (exit {proc.returncode}) before {what}")
        if time.monotonic() > deadline:
            if proc is not None:
                proc.kill()
            pytest.fail(f"no sign of {what}")
        time.sleep(0.05)


QUIET_ARTICLE = {"id": "q1", "date": "2025-04-02",
                 "text": "Police in Tikrit arrested two men on Tuesday, the provincial council said."}


# --- the output file under failures -------------------------------------------------------------------

def test_extract_into_a_directory_is_refused_before_extracting(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(jsonl(QUIET_ARTICLE), encoding="utf-8")
    out = tmp_path / "graphs"
    out.mkdir()
    result = run("extract", source, "-o", out)
    assert result.exit_code == 2, (result.exit_code, result.stderr)
    assert "Traceback" not in result.stderr
    assert f"{out} is a directory" in result.stderr
    assert "graphs/out.ttl" in result.stderr  # the fix: name a file in it
    assert "Extracting" not in result.stderr and "articles," not in result.stderr
    assert leftovers(tmp_path) == []
    assert list(out.iterdir()) == []


def test_writer_refuses_a_directory_before_writing(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="is a directory"), RdfWriter(tmp_path, "nquads"):
        pass
    assert leftovers(tmp_path) == []


def test_writer_leaves_no_temporary_file_when_the_rename_fails(tmp_path: Path) -> None:
    target = tmp_path / "out.nq"
    quad = ox.Quad(ox.NamedNode("urn:s"), ox.NamedNode("urn:p"), ox.Literal("o"), ox.NamedNode("urn:g"))
    with pytest.raises(OutputError, match=r"out\.nq is a directory"), RdfWriter(target, "nquads") as writer:
        writer.write([quad])
        target.mkdir()  # something took the name while the run went on
        (target / "keep").write_text("x")
    assert leftovers(tmp_path) == []
    assert (target / "keep").read_text() == "x"


def test_writer_leaves_no_temporary_file_when_the_run_fails(tmp_path: Path) -> None:
    target = tmp_path / "out.jsonld"
    with pytest.raises(RuntimeError), RdfWriter(target, "jsonld"):
        raise RuntimeError("extraction broke")
    assert leftovers(tmp_path) == [] and not target.exists()


# --- signals during extract ---------------------------------------------------------------------------

def _filler(n: int) -> str:
    """One article of the plain-text format (what stdin carries), with the blank lines that end it."""
    return (f"Search in Samarra, day {n}\n\nSecurity forces in Samarra searched {n} houses on Monday after a "
            "rocket attack on a checkpoint, the Joint Operations Command said. Militants of the Islamic State "
            "fled.\n\n\n")


def _group(pgid: int) -> list[int]:
    """The live processes of a process group."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            found.append(int(stat.parent.name))
    return found


@pytest.mark.parametrize(("signum", "code", "jobs", "group"), [
    (signal.SIGTERM, 143, 1, False), (signal.SIGINT, 130, 1, False),
    (signal.SIGTERM, 143, 2, False), (signal.SIGINT, 130, 2, False),
    (signal.SIGTERM, 143, 2, True), (signal.SIGINT, 130, 2, True),
], ids=["sigterm", "sigint", "sigterm-jobs-2", "sigint-jobs-2", "sigterm-jobs-2-group", "ctrl-c-jobs-2"])
def test_signal_during_extract_leaves_no_temporary_file(tmp_path: Path, signum: int, code: int, jobs: int,
                                                        group: bool) -> None:
    out = tmp_path / "out.ttl"
    # a session of its own, so that the workers of --jobs can be found (and cleaned up) by process group
    proc = subprocess.Popen([sys.executable, "-m", "kg", "extract", "-", "-o", str(out), "--jobs", str(jobs)],
                            cwd=tmp_path, env=CHILD_ENV, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, start_new_session=True)
    assert proc.stdin is not None and proc.stderr is not None
    # stdin stays open, so the run cannot finish before the signal: it is under way once its temporary
    # file holds more than the prefixes
    proc.stdin.write("".join(_filler(n) for n in range(200)).encode())
    proc.stdin.flush()

    def written() -> bool:
        return any(p.stat().st_size > 4096 for p in tmp_path.glob(".out.ttl.*.tmp"))

    try:
        wait_for(written, proc, "the temporary output growing")
        if group:  # to kg and its workers, as Ctrl+C in a terminal does
            os.killpg(proc.pid, signum)
        else:  # to kg alone, as kill(1) does: the workers are for kg to stop
            proc.send_signal(signum)
        assert proc.wait(timeout=PATIENCE) == code
        stderr = proc.stderr.read().decode()
        wait_for(lambda: not _group(proc.pid), None, "the workers ending")
    finally:
        for pid in _group(proc.pid):
            os.kill(pid, signal.SIGKILL)
        proc.kill()
        proc.wait()
        proc.stdin.close()
        proc.stderr.close()
    assert "Traceback" not in stderr, stderr
    assert "Interrupted" in stderr
    assert leftovers(tmp_path) == [] and not out.exists()


# --- bulk-load leftovers ------------------------------------------------------------------------------

def _big_nquads(path: Path, graphs: int) -> None:
    base = "https://w3id.org/kg-news/id/article/"
    with path.open("w", encoding="utf-8") as out:
        for g in range(graphs):
            article = f"{base}bulk{g}"
            out.write(f'<{article}> <https://w3id.org/kg-news/ns#articleId> "bulk{g}" <{article}> .\n')
            for m in range(60):
                node = f"{article}/mention/{m}-{m + 5}"
                out.write(f'<{node}> <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#anchorOf> '
                          f'"mention {m} of article {g}, a village near Baquba" <{article}> .\n')


def _dump(store: Path) -> bytes:
    opened = EmbeddedStore(store, create=False, read_only=True)
    try:
        # the manifest records load times: compare everything else
        quads = [q for q in opened.store if "manifest" not in str(q.graph_name)]
        return ox.serialize(sorted(quads, key=str), format=ox.RdfFormat.N_QUADS) or b""
    finally:
        opened.close()


def test_kill_during_first_bulk_load_leaves_no_bulk_files_after_the_rerun(tmp_path: Path) -> None:
    data = tmp_path / "big.nq"
    _big_nquads(data, 6000)
    store = tmp_path / "store"
    proc = subprocess.Popen([sys.executable, "-m", "kg", "load", str(data), "--store", str(store)], cwd=tmp_path,
                            env=CHILD_ENV, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: any(store.glob("bulk-*.sst")), proc, "a bulk-load file in the store")
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait()
    assert any(store.glob("bulk-*.sst"))  # what the kill left: the defect's starting point

    rerun = run("load", data, "--store", store)
    assert rerun.exit_code == 0, rerun.stderr
    assert sorted(p.name for p in store.glob("bulk-*")) == []

    clean = tmp_path / "clean"
    assert run("load", data, "--store", clean).exit_code == 0
    assert _dump(store) == _dump(clean)


def test_only_bulk_load_leftovers_are_removed(tmp_path: Path) -> None:
    store = tmp_path / "store"
    EmbeddedStore(store).close()
    leftover = store / "bulk-123456789012345678901234567890.sst"
    leftover.write_bytes(b"half an sst")
    kept = [store / "bulk-notes.txt", store / "bulk-1.sst.keep", store / "mine.sst"]
    for path in kept:
        path.write_text("not kg's")
    reader = EmbeddedStore(store, read_only=True)  # a reader never removes anything
    reader.close()
    assert leftover.exists()
    EmbeddedStore(store).close()
    assert not leftover.exists()
    assert all(path.read_text() == "not kg's" for path in kept)


# --- validate every file ------------------------------------------------------------------------------

BAD_TRIG = """
@prefix kg: <https://w3id.org/kg-news/ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://w3id.org/kg-news/id/article/v1> {
  <https://w3id.org/kg-news/id/entity/person/omar-saleh> a kg:Person ;
      rdfs:label "Omar Saleh", "Omar Salih" .
}
"""


def test_validate_reports_every_file(tmp_path: Path) -> None:
    bad = tmp_path / "a.trig"
    bad.write_text(BAD_TRIG, encoding="utf-8")
    good = tmp_path / "c.trig"
    good.write_text("", encoding="utf-8")
    broken = tmp_path / "d.ttl"
    broken.write_text("<urn:a> <urn:b> .\n", encoding="utf-8")
    missing = tmp_path / "missing.ttl"
    result = run("validate", bad, missing, good, broken)
    assert result.exit_code == 1
    assert "Traceback" not in result.stderr
    assert "omar-saleh" in result.stdout and str(bad) in result.stdout
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert any(str(missing) in line and "no such file" in line for line in errors), result.stderr
    assert any(str(broken) in line and "not valid RDF" in line for line in errors), result.stderr
    assert any(str(bad) in line and "1 violation" in line for line in errors), result.stderr
    assert not any(str(good) in line for line in errors)
    assert "1 of 4 files conform" in result.stderr


def test_validate_of_good_files_exits_zero(tmp_path: Path) -> None:
    good = tmp_path / "c.trig"
    good.write_text("", encoding="utf-8")
    result = run("validate", good, good)
    assert result.exit_code == 0, result.stderr
    assert "2 files conform" in result.stderr


# --- one label per entity, emoji and symbols next to names --------------------------------------------

EMOJI_ARTICLES = [
    {"id": "emoji-1", "date": "2025-04-02", "title": "Clashes near Mosul🔥",
     "text": "Islamic State fighters attacked a checkpoint near Mosul🔥 on Monday. General Ali Hassan 🙏 said "
             "the army would respond. General Ali Hassan later visited Kirkuk™ and Baghdad®. The Iraqi Army✅ "
             "sent troops to Mosul."},
    {"id": "emoji-2", "date": "2025-04-03",
     "text": "Officials in Erbil\u200d and \u200fBasra said the #Peshmerga had reinforced positions near Sinjar. "
             "Commander Yusuf Karimi\u200b said the Peshmerga✅ held the road to Sinjar🔥 and Erbil."},
]


def test_emoji_and_symbols_next_to_names_give_one_label_per_entity(tmp_path: Path) -> None:
    source = tmp_path / "emoji.jsonl"
    source.write_text(jsonl(*EMOJI_ARTICLES), encoding="utf-8")
    out = tmp_path / "emoji.trig"
    extracted = run("extract", source, "-o", out, "--no-link")
    assert extracted.exit_code == 0, extracted.stderr
    validated = run("validate", out)
    assert validated.exit_code == 0, validated.stdout + validated.stderr
    labels: dict[str, set[str]] = {}
    for quad in ox.parse(path=str(out), format=ox.RdfFormat.TRIG):
        if quad.predicate.value == "http://www.w3.org/2000/01/rdf-schema#label" and "/entity/" in str(quad.subject):
            labels.setdefault(quad.subject.value, set()).add(quad.object.value)
    assert "https://w3id.org/kg-news/id/entity/person/ali-hassan" in labels
    for entity, names in labels.items():
        assert len(names) == 1, (entity, names)
        (name,) = names
        assert name == name.strip() and name[0].isalnum() and name[-1].isalnum(), (entity, name)
    again = tmp_path / "again.trig"
    assert run("extract", source, "-o", again, "--no-link").exit_code == 0
    assert again.read_bytes() == out.read_bytes()


def test_keys_that_share_an_iri_give_it_one_label() -> None:
    text = "Fighters of Hayat Tahrir al-Sham and of Hayat Tahrir al Sham clashed near Idlib."
    spaced, hyphened = ("armedgroup", "hayat tahrir al sham"), ("armedgroup", "hayat tahrir al-sham")
    extraction = Extraction(
        article=Article(id="keys-1", text=text), model="test",
        entities=(Entity(*spaced, "Hayat Tahrir al Sham", "ArmedGroup"),
                  Entity(*hyphened, "Hayat Tahrir al-Sham", "ArmedGroup")),
        mentions=(Mention(TextSpan(12, 32, "Hayat Tahrir al-Sham"), hyphened),
                  Mention(TextSpan(40, 60, "Hayat Tahrir al Sham"), spaced)))
    graph = to_graph(extraction)
    iri = URIRef("https://w3id.org/kg-news/id/entity/armedgroup/hayat-tahrir-al-sham")
    assert list(graph.objects(iri, RDFS.label)) == [RdfLiteral("Hayat Tahrir al Sham")]
    assert list(graph.objects(iri, SKOS.altLabel)) == [RdfLiteral("Hayat Tahrir al-Sham")]


# --- control characters on the terminal ---------------------------------------------------------------

HOSTILE = "Mosul\x1b[2J\x07 said\tthe \x9bcouncil\r\nthen\\ left\x7f"


def test_table_shows_controls_as_escapes() -> None:
    lines = list(format_result(ResultTable(("label",), [(HOSTILE,)]), "table"))
    cell = lines[2]
    assert cell == r"Mosul\x1b[2J\x07 said\tthe \x9bcouncil\r\nthen\ left\x7f"
    assert not any(ord(c) < 0x20 or 0x7f <= ord(c) < 0xa0 for line in lines for c in line)


def test_tsv_escapes_like_sparql_results_tsv() -> None:
    lines = list(format_result(ResultTable(("label",), [(HOSTILE,)]), "tsv"))
    assert lines[1] == r"Mosul\u001B[2J\u0007 said\tthe \u009Bcouncil\r\nthen\\ left\u007F"


def test_csv_is_faithful_to_the_data_off_a_terminal() -> None:
    import csv
    import io

    lines = list(format_result(ResultTable(("label",), [(HOSTILE,)]), "csv"))
    assert list(csv.reader(io.StringIO("\n".join(lines) + "\n"))) == [["label"], [HOSTILE]]


def test_csv_on_a_terminal_escapes_controls_but_newlines() -> None:
    lines = list(format_result(ResultTable(("label",), [(HOSTILE,)]), "csv", terminal=True))
    text = "\n".join(lines)
    assert r"Mosul\x1b[2J\x07 said\tthe \x9bcouncil\r" in text
    assert not any((ord(c) < 0x20 and c != "\n") or 0x7f <= ord(c) < 0xa0 for c in text)


def _article_with_controls(tmp_path: Path) -> Path:
    source = tmp_path / "ctl.jsonl"
    source.write_text(jsonl({"id": "ctl-1", "date": "2025-04-02", "title": "Curfew\x1b[2J in Tikrit\x07",
                             "text": "Police in Tikrit arrested two men on Tuesday."}), encoding="utf-8")
    out = tmp_path / "ctl.trig"
    assert run("extract", source, "-o", out, "--no-link").exit_code == 0
    return out


def test_query_on_a_terminal_shows_no_raw_controls(tmp_path: Path) -> None:
    data = _article_with_controls(tmp_path)
    for fmt in ("table", "csv", "tsv"):
        code, shown = on_a_terminal([sys.executable, "-m", "kg", "query", "articles", "--data", str(data), "--format",
                                     fmt], cwd=tmp_path, env=CHILD_ENV, patience=PATIENCE)
        assert code == 0
        assert b"Curfew" in shown, (fmt, shown)
        assert b"\x1b" not in shown and b"\x07" not in shown, (fmt, shown)


def test_query_csv_into_a_pipe_keeps_the_data(tmp_path: Path) -> None:
    data = _article_with_controls(tmp_path)
    result = run("query", "articles", "--data", data, "--format", "csv")
    assert result.exit_code == 0, result.stderr
    assert "Curfew\x1b[2J in Tikrit\x07" in result.stdout


# --- update queries -----------------------------------------------------------------------------------

@pytest.mark.parametrize("update", [
    "DELETE WHERE { ?s ?p ?o }",
    "PREFIX kg: <https://w3id.org/kg-news/ns#>\n# wipe\nINSERT DATA { <urn:a> kg:b <urn:c> }",
    "drop all",
    "WITH <urn:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
], ids=["delete-where", "insert-data", "drop", "with"])
def test_update_query_files_are_refused_with_the_way_to_run_them(tmp_path: Path, update: str) -> None:
    query = tmp_path / "wipe.rq"
    query.write_text(update + "\n", encoding="utf-8")
    data = tmp_path / "d.ttl"
    data.write_text("<urn:a> <urn:b> <urn:c> .\n", encoding="utf-8")
    result = run("query", query, "--data", data)
    assert result.exit_code == 1
    assert "Traceback" not in result.stderr
    (error,) = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert str(query) in error
    assert "SPARQL update" in error and "read-only" in error and "curl" in error
    assert "(SELECT, ASK, CONSTRUCT, DESCRIBE)" in error  # the forms kg query runs, so the reader knows what to send
    assert data.read_text() == "<urn:a> <urn:b> <urn:c> .\n"
