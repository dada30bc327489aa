"""The ``kg`` command line, in-process with click's CliRunner (stdout and stderr kept apart).

The spaCy model is loaded by the CLI itself; extract runs are kept few and shared through module
fixtures.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from pyoxigraph import NamedNode, RdfFormat, parse
from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import RDF

from kg import __version__
from kg.cli import cli

ARTICLES = Path(__file__).parent / "data" / "articles"
DATELINE = "2025-03-06"
KG = "https://w3id.org/kg-news/ns#"
NEWS_ARTICLE = URIRef("https://schema.org/NewsArticle")
ARTICLE_IRI = "https://w3id.org/kg-news/id/article/"
EVENT_COLUMNS = ("event,class,label,date,agent,agentLabel,target,targetLabel,location,locationLabel,"
                 "locationWikidata,article,evidence,confidence,factuality,killed,injured")


def run(*args: str | Path, input: bytes | str | None = None) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args], input=input, prog_name="kg")


def assert_one_line_error(result: Result, *needles: str) -> None:
    """Exit 1, no traceback, and an ``Error:`` line on stderr naming each needle."""
    assert result.exit_code == 1, (result.exit_code, result.stdout, result.stderr)
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, result.stderr
    for needle in needles:
        assert needle in errors[0], (needle, errors[0])


def tmp_files(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.startswith(".") or p.suffix == ".tmp")


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cli")


@pytest.fixture(scope="module")
def operation_ttl(workdir: Path) -> tuple[Path, Result]:
    """``kg extract operation.txt --date 2025-03-06 -o OUT.ttl``."""
    out = workdir / "operation.ttl"
    result = run("extract", ARTICLES / "operation.txt", "--date", DATELINE, "-o", out)
    return out, result


@pytest.fixture(scope="module")
def graph_trig(workdir: Path) -> Path:
    """Three articles (operation.txt and two_articles.txt) extracted to TriG, for the query tests."""
    out = workdir / "graph.trig"
    result = run("extract", ARTICLES / "operation.txt", ARTICLES / "two_articles.txt", "--date", DATELINE,
                 "-o", out)
    assert result.exit_code == 0, result.stderr
    assert "3 articles" in result.stderr
    return out


def query(*args: str | Path) -> Result:
    return run("query", *args)


# --- version and help ------------------------------------------------------------------------------------------


def test_version() -> None:
    result = run("--version")
    assert result.exit_code == 0
    assert __version__ in result.stdout
    assert result.stdout.strip() == f"kg, version {__version__}"


@pytest.mark.parametrize(
    ("command", "options"),
    [
        ((), ("--quiet", "-q", "--verbose", "--version", "extract", "query", "queries", "validate")),
        (("extract",), ("--output", "--format", "--model", "--date", "--base", "--no-link", "--jobs", "INPUTS")),
        (("query",), ("--data", "--param", "NAME=VALUE", "--format", "QUERY")),
        (("queries",), ("saved queries", "--help")),
        (("validate",), ("FILES", "SHACL")),
    ],
)
def test_every_command_has_help(command: tuple[str, ...], options: tuple[str, ...]) -> None:
    for flag in ("--help", "-h"):
        result = run(*command, flag)
        assert result.exit_code == 0, result.stderr
        assert result.stdout.startswith("Usage: kg")
        for option in options:
            assert option in result.stdout, (command, option)


# --- extract -----------------------------------------------------------------------------------------------------


def test_extract_to_turtle_file(operation_ttl: tuple[Path, Result]) -> None:
    out, result = operation_ttl
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""  # data goes to the file, talk to stderr
    assert "1 article, " in result.stderr and str(out) in result.stderr and "0 failed" in result.stderr
    graph = Graph().parse(out, format="turtle")
    assert len(graph) > 50
    articles = set(graph.subjects(RDF.type, NEWS_ARTICLE))
    assert len(articles) == 1
    assert str(next(iter(articles))).startswith(ARTICLE_IRI)
    assert list(graph.subjects(RDF.type, URIRef(KG + "SearchOperation")))
    assert tmp_files(out.parent) == []


def test_extract_output_file_has_ordinary_permissions(operation_ttl: tuple[Path, Result]) -> None:
    # a file written by kg must be readable like any file the user creates (umask), not private to the owner
    out, result = operation_ttl
    assert result.exit_code == 0
    umask = os.umask(0)
    os.umask(umask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~umask


def test_extract_trig_to_stdout_has_one_named_graph_per_article() -> None:
    result = run("extract", ARTICLES / "two_articles.txt", "--date", DATELINE, "--format", "trig")
    assert result.exit_code == 0, result.stderr
    assert "2 articles" in result.stderr and "stdout" in result.stderr
    assert "@prefix kg:" in result.stdout
    dataset = Dataset()
    dataset.parse(data=result.stdout, format="trig")
    names = {str(g.identifier) for g in dataset.graphs() if len(g) and g.identifier != dataset.default_graph.identifier}
    assert len(names) == 2
    assert all(name.startswith(ARTICLE_IRI) for name in names)
    # every article lives in the graph named after it
    for name in names:
        assert (URIRef(name), RDF.type, NEWS_ARTICLE) in dataset.graph(URIRef(name))


def test_extract_guesses_nquads_from_the_suffix(workdir: Path) -> None:
    out = workdir / "x.nq"
    result = run("extract", ARTICLES / "no_tt.txt", "--date", DATELINE, "-o", out)
    assert result.exit_code == 0, result.stderr
    text = out.read_text(encoding="utf-8")
    assert "@prefix" not in text
    lines = [line for line in text.splitlines() if line.strip()]
    assert lines and all(line.endswith(" .") for line in lines)
    quads = list(parse(path=str(out), format=RdfFormat.N_QUADS))
    assert len(quads) == len(lines)
    graphs = {q.graph_name for q in quads}
    assert len(graphs) == 1
    [graph] = graphs
    assert isinstance(graph, NamedNode) and graph.value.startswith(ARTICLE_IRI)


def test_extract_base_iri(workdir: Path) -> None:
    out = workdir / "based.nq"
    base = "https://example.org/kg-test/"
    result = run("extract", ARTICLES / "no_tt.txt", "--date", DATELINE, "--base", base, "-o", out)
    assert result.exit_code == 0, result.stderr
    quads = list(parse(path=str(out), format=RdfFormat.N_QUADS))
    assert quads
    assert all(isinstance(q.graph_name, NamedNode) and q.graph_name.value.startswith(base) for q in quads)
    assert "https://w3id.org/kg-news/id/" not in out.read_text(encoding="utf-8")


def test_extract_is_deterministic(operation_ttl: tuple[Path, Result], workdir: Path) -> None:
    first, result = operation_ttl
    assert result.exit_code == 0
    second = workdir / "operation-again.ttl"
    again = run("extract", ARTICLES / "operation.txt", "--date", DATELINE, "-o", second)
    assert again.exit_code == 0, again.stderr
    assert second.read_bytes() == first.read_bytes()


def test_extract_from_stdin_equals_extract_from_file(operation_ttl: tuple[Path, Result]) -> None:
    out, _ = operation_ttl
    result = run("extract", "-", "--date", DATELINE, input=(ARTICLES / "operation.txt").read_bytes())
    assert result.exit_code == 0, result.stderr
    assert result.stdout_bytes == out.read_bytes()


def test_quiet_extract_prints_nothing_on_stderr(workdir: Path) -> None:
    out = workdir / "quiet.ttl"
    result = run("-q", "extract", ARTICLES / "no_tt.txt", "--date", DATELINE, "-o", out)
    assert result.exit_code == 0
    assert result.stderr == ""
    assert result.stdout == ""
    assert len(Graph().parse(out, format="turtle")) > 0


def test_extract_bad_records_reported_and_good_ones_written(workdir: Path) -> None:
    out = workdir / "out.trig"
    result = run("extract", ARTICLES / "bad.jsonl", "-o", out)
    assert result.exit_code == 1
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 2, result.stderr
    assert "bad.jsonl: line 2" in errors[0]
    assert "bad.jsonl: line 3" in errors[1]
    assert "2 articles" in result.stderr and "2 failed" in result.stderr
    assert out.is_file()
    dataset = Dataset(default_union=True)
    dataset.parse(out, format="trig")
    articles = {str(s) for s in dataset.subjects(RDF.type, NEWS_ARTICLE)}
    assert articles == {ARTICLE_IRI + "b-001", ARTICLE_IRI + "b-004"}


def test_extract_missing_input_leaves_no_output(tmp_path: Path) -> None:
    out = tmp_path / "never.ttl"
    missing = tmp_path / "no-such-article.txt"
    result = run("extract", missing, "-o", out)
    assert_one_line_error(result, str(missing))
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []  # neither the output nor its temporary file


def test_extract_bad_date_is_a_usage_error() -> None:
    result = run("extract", ARTICLES / "operation.txt", "--date", "2025-13-45")
    assert result.exit_code == 2
    assert "--date" in result.stderr and "YYYY-MM-DD" in result.stderr
    assert result.stdout == ""


# --- queries and query ----------------------------------------------------------------------------------------------


def test_queries_lists_the_saved_queries_with_descriptions() -> None:
    result = run("queries")
    assert result.exit_code == 0, result.stderr
    lines = {line.split()[0]: line for line in result.stdout.splitlines() if line.strip()}
    for name in ("mentions", "entities", "events", "policies", "relations", "statements", "articles"):
        assert name in lines, name
        description = lines[name][len(name):].strip()
        assert len(description) > 20, lines[name]
    assert "[place]" in lines["events"]


def test_query_events_csv_has_the_contract_header_and_an_islamic_state_target(graph_trig: Path) -> None:
    result = query("events", "--data", graph_trig, "--format", "csv")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == EVENT_COLUMNS
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows
    assert any(row["targetLabel"] == "Islamic State" for row in rows)
    assert all(row["article"].startswith(ARTICLE_IRI) for row in rows)
    assert all(row["class"].startswith(KG) for row in rows)


def test_query_events_json(graph_trig: Path) -> None:
    result = query("events", "--data", graph_trig, "--format", "json")
    assert result.exit_code == 0, result.stderr
    records = json.loads(result.stdout)
    assert isinstance(records, list) and records
    assert all(isinstance(r, dict) and "event" in r and "class" in r for r in records)
    assert set().union(*records) <= set(EVENT_COLUMNS.split(","))


@pytest.mark.parametrize("fmt", ["csv", "tsv", "json", "table"])
def test_query_limit_prints_the_first_rows_of_the_whole_answer(graph_trig: Path, fmt: str) -> None:
    whole = query("mentions", "--data", graph_trig, "--format", "csv")
    first = query("mentions", "--data", graph_trig, "--format", "csv", "--limit", "3")
    assert first.exit_code == 0, first.stderr
    assert len(whole.stdout.splitlines()) > 4
    assert first.stdout.splitlines() == whole.stdout.splitlines()[:4]
    limited = query("mentions", "--data", graph_trig, "--format", fmt, "--limit", "2")
    assert limited.exit_code == 0, limited.stderr
    if fmt == "json":
        assert len(json.loads(limited.stdout)) == 2
        assert json.loads(query("mentions", "--data", graph_trig, "--format", fmt, "--limit", "0").stdout) == []
    else:
        assert len(limited.stdout.splitlines()) == (4 if fmt == "table" else 3)


def test_query_into_a_closed_pipe_ends_quietly(graph_trig: Path, tmp_path: Path) -> None:
    """'kg query … | head -1': the reader goes away after one line; no traceback."""
    pairs = tmp_path / "pairs.rq"  # far more rows than a pipe buffer holds
    pairs.write_text("SELECT ?a ?b WHERE { ?a ?p ?o . ?b ?q ?r } LIMIT 1000000\n", encoding="utf-8")
    with subprocess.Popen([sys.executable, "-m", "kg", "query", str(pairs), "--data", str(graph_trig),
                           "--format", "csv"], stdout=subprocess.PIPE, stderr=subprocess.PIPE) as process:
        assert process.stdout is not None and process.stderr is not None
        assert process.stdout.readline() == b"a,b\n"
        process.stdout.close()
        error = process.stderr.read().decode()
        assert process.wait(timeout=60) == 1
    assert "Traceback" not in error and "Error" not in error


def test_query_param_filters(graph_trig: Path) -> None:
    everything = list(csv.DictReader(io.StringIO(query("events", "--data", graph_trig, "--format", "csv").stdout)))
    result = query("events", "--data", graph_trig, "--format", "csv", "--param", "place=diyala")
    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows
    places = [row["locationLabel"].split("; ") for row in rows]
    # events.rq: "place and actor select events, so a matching event keeps all its roles" - the search
    # operation "between Diyala and Saladin, focusing on the Hamrin mountains" also has Saladin and Hamrin
    assert all("Diyala" in labels for labels in places)
    assert set().union(*places) <= {"Diyala", "Saladin", "Hamrin mountains"}
    # events elsewhere (Kirkuk, Makhmour, Tuz Khurmatu) are left out
    assert {row["event"] for row in everything} - {row["event"] for row in rows}
    assert len({row["event"] for row in rows}) == len(rows)  # one row per event


def test_query_param_without_equals_sign(graph_trig: Path) -> None:
    result = query("events", "--data", graph_trig, "--param", "place")
    assert_one_line_error(result, "NAME=VALUE", "place")


def test_query_unknown_saved_query(graph_trig: Path) -> None:
    result = query("no-such-query", "--data", graph_trig)
    assert_one_line_error(result, "no-such-query", "kg queries")


def test_query_from_rq_file(graph_trig: Path, tmp_path: Path) -> None:
    rq = tmp_path / "count.rq"
    rq.write_text(
        "# title: Count articles\n"
        "# description: how many articles the data holds\n"
        "PREFIX schema: <https://schema.org/>\n"
        "SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a a schema:NewsArticle }\n",
        encoding="utf-8",
    )
    result = query(rq, "--data", graph_trig, "--format", "csv")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == ["n", "3"]


def test_query_missing_data_file(tmp_path: Path) -> None:
    missing = tmp_path / "missing.trig"
    result = query("events", "--data", missing)
    assert_one_line_error(result, str(missing))


# --- validate ----------------------------------------------------------------------------------------------------


def test_validate_extracted_file(operation_ttl: tuple[Path, Result], graph_trig: Path) -> None:
    out, _ = operation_ttl
    result = run("validate", out, graph_trig)
    assert result.exit_code == 0, (result.stdout, result.stderr)
    assert result.stdout == ""
    assert "2 files conform" in result.stderr


def test_validate_broken_file(operation_ttl: tuple[Path, Result], tmp_path: Path) -> None:
    out, _ = operation_ttl
    text = out.read_text(encoding="utf-8")
    values = re.findall(r"kg:confidence (0\.\d+|1\.0|1)\b", text)
    assert values, "the extracted file has no kg:confidence to break"
    broken = tmp_path / "broken.ttl"
    broken.write_text(re.sub(r"kg:confidence \S+ ;", "kg:confidence 1.5 ;", text, count=1), encoding="utf-8")
    assert broken.read_text(encoding="utf-8") != text
    result = run("validate", broken)
    assert result.exit_code == 1
    violations = result.stdout.splitlines()
    assert len(violations) == 1
    assert violations[0].startswith(f"{broken}: <")
    assert "confidence" in violations[0]
    assert f"Error: {broken}: 1 violation - " in result.stderr


# --- python -m kg --------------------------------------------------------------------------------------------------


def test_python_dash_m_kg_version() -> None:
    done = subprocess.run([sys.executable, "-m", "kg", "--version"], capture_output=True, text=True, timeout=120,
                          check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"kg, version {__version__}"


def test_kg_console_script_is_installed() -> None:
    script = shutil.which("kg", path=str(Path(sys.executable).parent))
    assert script is not None
