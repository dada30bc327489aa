"""Bad input through the real ``kg`` command: every case names the file (and line or id) and a fix in one
``Error:`` line, writes every good article, exits 1 (2 for usage errors) and never shows a traceback.

Each case carries one good article at least, so that "nothing lost" is checked every time. Most cases
run in-process with click's CliRunner (stdin included); the unreadable-path cases run ``python -m kg``
in a subprocess that has lost root's right to read anything (when the tests run as root).
"""

from __future__ import annotations

import base64
import ctypes
import hashlib
import json
import os
import stat
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from pyoxigraph import RdfFormat, Store, parse

from kg.cli import cli

ROOT = Path(__file__).resolve().parents[1]
IS_STRING = "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#isString"
HEADLINE = "https://schema.org/headline"

# invented news-style articles, one per format
GOOD_TXT = ("Flood waters reach Riverton\n\nRescue teams from the Northern Province evacuated 300 families from "
            "Riverton on Tuesday, officials said.\n")
GOOD_TXT_BODY = "Rescue teams from the Northern Province evacuated 300 families from Riverton on Tuesday, officials said."
GOOD_BODY = "The port of Westhaven reopened on Monday after a two-week strike by dock workers ended."
GOOD_JSONL = json.dumps({"id": "g1", "title": "Port reopens in Westhaven", "text": GOOD_BODY}) + "\n"
GOOD_HTML_BODY = "Farmers in the Alder Valley began the grape harvest on Saturday, two weeks earlier than usual."
GOOD_HTML = ("<html><head><title>Early harvest in Alder Valley</title></head><body><nav><a href='/'>Home</a> "
             "<a href='/news'>News</a></nav><article><h1>Early harvest in Alder Valley</h1><p>"
             f"{GOOD_HTML_BODY}</p></article><footer>Copyright 2026 Valley Courier</footer></body></html>\n")
NAV_HTML = ("<html><head><title>Home</title></head><body><nav><a href='/'>Home</a> <a href='/news'>News</a> "
            "<a href='/about'>About us</a></nav><footer>Copyright 2026 Valley Courier. All rights reserved. "
            "<a href='/privacy'>Privacy</a></footer></body></html>\n")
LATIN = "Caf\xe9 owners in Riverton reopen\n\nThe caf\xe9 on Mill Street reopened on Monday after the flood.\n"
CONTROLS = "Sirens\x07 sounded in Eastport\x1b[0m on Friday\x00 as the storm\u200f passed, the council said."
# one line of ~300,000 characters, as scraped with an inline image; prose that long takes spaCy and the rules
# about a minute, too slow here
HUGE = ("Aid convoy reaches Lakeside on Monday, officials said. Photo: data:image/png;base64,"
        + base64.b64encode(b"".join(hashlib.sha256(str(i).encode()).digest() for i in range(7000))).decode()
        + " The drivers said the roads were clear." * 20)
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes((i * 7919) % 251 for i in range(4000))


def jsonl(*records: object) -> str:
    return "".join(json.dumps(r) + "\n" for r in records)


@dataclass(frozen=True)
class Case:
    """Files to make, the arguments after ``kg extract``, and what must come out."""

    files: dict[str, str | bytes]
    args: tuple[str, ...]
    errors: tuple[str, ...] = ()
    texts: tuple[str, ...] = ()
    code: int = 1
    stdin: bytes | None = None
    headlines: tuple[str, ...] = field(default=())


CASES = {
    "empty-file": Case({"good.txt": GOOD_TXT, "empty.txt": ""}, ("good.txt", "empty.txt"),
                       ("empty.txt: no article text in this input - is it empty?",), (GOOD_TXT_BODY,)),
    "blank-file": Case({"good.txt": GOOD_TXT, "blank.jsonl": "  \n\n\t\n"}, ("blank.jsonl", "good.txt"),
                       ("blank.jsonl: no article text in this input - is it empty?",), (GOOD_TXT_BODY,)),
    "binary-file": Case({"good.txt": GOOD_TXT, "photo.png": PNG}, ("photo.png", "good.txt"),
                        ("photo.png: kg does not read .png files - give article files (.htm, .html, .jsonl, .ndjson, "
                         ".text, .txt), or --input-format text|jsonl|html to read it as one",), (GOOD_TXT_BODY,)),
    "invalid-utf8": Case({"good.jsonl": GOOD_JSONL, "latin.txt": LATIN.encode("latin-1")}, ("latin.txt", "good.jsonl"),
                         ("latin.txt: line 1 and 1 more lines: bytes that are not UTF-8, read as U+FFFD - convert the "
                          "file to UTF-8, e.g. iconv -f latin1 -t utf-8",),
                         ("The caf\ufffd on Mill Street reopened on Monday after the flood.", GOOD_BODY)),
    "utf16-with-bom": Case({"good.jsonl": GOOD_JSONL, "wide.txt": GOOD_TXT.encode("utf-16"),
                            "wide.jsonl": b"\xfe\xff" + jsonl({"id": "w1", "text": GOOD_HTML_BODY}).encode("utf-16-be")},
                           ("wide.txt", "wide.jsonl", "good.jsonl"), (), (GOOD_TXT_BODY, GOOD_HTML_BODY, GOOD_BODY), 0),
    "lone-surrogates": Case({"s.jsonl": GOOD_JSONL + '{"id": "s1", "title": "Storm \\ud800 warning", '
                             '"text": "Winds of \\udc00 120 km/h hit Eastport on Friday."}\n'}, ("s.jsonl",),
                            ("s.jsonl: line 2: lone surrogate escapes (\\ud800-\\udfff) in text, title read as U+FFFD - "
                             "fix the program that wrote the record: it split a character pair",),
                            (GOOD_BODY, "Winds of \ufffd 120 km/h hit Eastport on Friday."),
                            headlines=("Port reopens in Westhaven", "Storm \ufffd warning")),
    "control-characters": Case({"c.jsonl": jsonl({"id": "c1", "text": CONTROLS}) + GOOD_JSONL,
                                "c.txt": f"Storm passes Eastport\n\n{CONTROLS}\n"}, ("c.jsonl", "c.txt"), (),
                               (CONTROLS, GOOD_BODY, CONTROLS), 0),
    "huge-single-line": Case({"good.jsonl": GOOD_JSONL, "huge.txt": HUGE + "\n"}, ("huge.txt", "good.jsonl"), (),
                             (HUGE, GOOD_BODY), 0),
    "bad-json-line-in-the-middle": Case(
        {"j.jsonl": GOOD_JSONL + '{"id": "x", "text": \n' + jsonl({"id": "g2", "text": GOOD_HTML_BODY})},
        ("j.jsonl",), ("j.jsonl: line 2: not valid JSON (Expecting value) - write one JSON object per line",),
        (GOOD_BODY, GOOD_HTML_BODY)),
    "text-missing-null-number-list": Case(
        {"t.jsonl": jsonl({"id": "a"}, {"id": "b", "text": None}, {"id": "c", "text": 42}, {"id": "d", "text": ["x"]})
         + GOOD_JSONL}, ("t.jsonl",),
        ('t.jsonl: line 1: no "text" - every record needs the article body in "text"',
         't.jsonl: line 2: no "text" - every record needs the article body in "text"',
         't.jsonl: line 3: "text" must be a string with the article body, not int',
         't.jsonl: line 4: "text" must be a string with the article body, not list'), (GOOD_BODY,)),
    "duplicate-ids": Case(
        {"d.jsonl": jsonl({"id": "d1", "text": GOOD_BODY}, {"id": "d2", "text": GOOD_HTML_BODY},
                          {"id": "d1", "text": GOOD_TXT_BODY})}, ("d.jsonl",),
        ("d.jsonl: line 3: article id 'd1' was already read at d.jsonl: line 1 - this copy is left out; give every "
         "article its own id",), (GOOD_BODY, GOOD_HTML_BODY)),
    "duplicate-ids-across-files": Case(
        {"a.jsonl": jsonl({"id": "d1", "text": GOOD_BODY}), "b.jsonl": jsonl({"id": "d1", "text": GOOD_TXT_BODY}),
         "c.txt": GOOD_TXT}, ("a.jsonl", "b.jsonl", "c.txt"),
        ("b.jsonl: line 1: article id 'd1' was already read at a.jsonl: line 1 - this copy is left out; give every "
         "article its own id",), (GOOD_BODY, GOOD_TXT_BODY)),
    "same-article-in-two-files": Case(
        {"a.txt": GOOD_TXT, "copy.txt": GOOD_TXT, "b.jsonl": GOOD_JSONL}, ("a.txt", "copy.txt", "b.jsonl"),
        ("copy.txt: article 1: article id 'a4d487779418b1fa' was already read at a.txt: article 1 - this copy is left "
         "out; give every article its own id",), (GOOD_TXT_BODY, GOOD_BODY)),
    "same-file-twice": Case({"good.txt": GOOD_TXT, "good.jsonl": GOOD_JSONL}, ("good.txt", "good.jsonl", "good.txt"),
                            ("good.txt: already read (as good.txt) - each file is read once; give it once",),
                            (GOOD_TXT_BODY, GOOD_BODY)),
    "directory-and-a-file-inside": Case(
        {"news/good.txt": GOOD_TXT, "news/good.jsonl": GOOD_JSONL}, ("news", "news/good.txt"),
        ("news/good.txt: already read (as news/good.txt) - each file is read once; give it once",),
        (GOOD_BODY, GOOD_TXT_BODY)),
    "html-without-article": Case({"home.html": NAV_HTML, "story.html": GOOD_HTML}, ("home.html", "story.html"),
                                 ("home.html: no article text found in the HTML - is it a news page?",),
                                 (GOOD_HTML_BODY,)),
    "missing-path": Case({"good.txt": GOOD_TXT}, ("nowhere.txt", "good.txt", "gone/"),
                         ("nowhere.txt: no such file or directory - check the path",
                          "gone: no such file or directory - check the path"), (GOOD_TXT_BODY,)),
    "mixed-directory": Case({"mix/a.txt": GOOD_TXT, "mix/b.jsonl": GOOD_JSONL, "mix/sub/c.html": GOOD_HTML,
                             "mix/photo.png": PNG, "mix/.DS_Store": b"\x00\x00\x00\x01Bud1" + bytes(200),
                             "mix/notes.md": "# notes\n"}, ("mix",), (),
                            (GOOD_TXT_BODY, GOOD_BODY, GOOD_HTML_BODY), 0),
    "jsonl-in-a-txt-file": Case({"feed.txt": GOOD_JSONL}, ("--input-format", "jsonl", "feed.txt"), (), (GOOD_BODY,), 0),
    "stdin-jsonl-given": Case({}, ("--input-format", "jsonl", "-"), (), (GOOD_BODY, GOOD_HTML_BODY), 0,
                              stdin=(GOOD_JSONL + jsonl({"id": "g2", "text": GOOD_HTML_BODY})).encode()),
    "stdin-jsonl-sniffed": Case({}, ("-",), (), (GOOD_BODY,), 0, stdin=("\n" + GOOD_JSONL).encode()),
    "stdin-html-sniffed": Case({}, ("-",), (), (GOOD_HTML_BODY,), 0, stdin=GOOD_HTML.encode()),
    "stdin-text-sniffed": Case({}, ("-",), (), (GOOD_TXT_BODY,), 0, stdin=GOOD_TXT.encode()),
    "stdin-bad-json-line": Case({}, ("--input-format", "jsonl", "-"),
                                ("<stdin>: line 1: not valid JSON (Expecting property name enclosed in double quotes) "
                                 "- write one JSON object per line",), (GOOD_BODY,), stdin=b"{oops}\n" + GOOD_JSONL.encode()),
}

def invalid(option: str, why: str) -> str:
    return f"Error: Invalid value for '{option}': {why}"


NOT_HTTP = "is not an absolute http(s) IRI - write it like https://example.org/kg/"
NOT_IN_IRI = "which an IRI cannot contain - percent-encode it or leave it out"
OUT_OF_RANGE = "is outside the years kg can anchor dates in (1000-8999) - give the article's real dateline"
USAGE = {
    "unknown-option": (("--bogus",), 2, "Error: No such option '--bogus'."),
    "unknown-output-format": (("--format", "xml"), 2, invalid("--format", "'xml' is not one of 'turtle'")),
    "unknown-input-format": (("--input-format", "pdf"), 2, invalid("--input-format", "'pdf' is not one of 'auto'")),
    "base-not-http": (("--base", "ftp://example.org/kg/"), 2, invalid("--base", f"base IRI 'ftp://example.org/kg/' "
                                                                                 f"{NOT_HTTP}")),
    "base-relative": (("--base", "kg/"), 2, invalid("--base", f"base IRI 'kg/' {NOT_HTTP}")),
    "base-with-space": (("--base", "https://example.org/my kg/"), 2,
                        invalid("--base", f"base IRI 'https://example.org/my kg/' has ' ', {NOT_IN_IRI}")),
    "base-with-brace": (("--base", "https://example.org/{kg}/"), 2,
                        invalid("--base", f"base IRI 'https://example.org/{{kg}}/' has '{{', {NOT_IN_IRI}")),
    "date-year-1": (("--date", "0001-01-01"), 2, invalid("--date", f"date 0001-01-01 {OUT_OF_RANGE}")),
    "date-year-9999": (("--date", "9999-12-31"), 2, invalid("--date", f"date 9999-12-31 {OUT_OF_RANGE}")),
    "unknown-model": (("--model", "no_such_model"), 1, "Error: spaCy model 'no_such_model' is not installed"),
}


def invoke(args: list[str], stdin: bytes | None = None) -> Result:
    return CliRunner().invoke(cli, args, input=stdin, prog_name="kg")


def make_files(root: Path, files: dict[str, str | bytes]) -> None:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")


def error_lines(stderr: str) -> list[str]:
    return [line.removeprefix("Error: ") for line in stderr.splitlines() if line.startswith("Error:")]


def written(path: Path, predicate: str = IS_STRING) -> list[str]:
    """The article bodies (or headlines) in an RDF file kg wrote, one per article graph."""
    return sorted(q.object.value for q in parse(path=str(path), format=RdfFormat.TRIG)
                  if q.predicate.value == predicate)


def stored(path: Path) -> list[str]:
    store = Store.read_only(str(path))
    return sorted(q.object.value for q in store.quads_for_pattern(None, None, None)
                  if q.predicate.value == IS_STRING)


def check(result: Result | subprocess.CompletedProcess[str], code: int, errors: list[str] | tuple[str, ...]) -> None:
    stderr = result.stderr
    exit_code = result.exit_code if isinstance(result, Result) else result.returncode
    assert "Traceback" not in stderr, stderr
    assert error_lines(stderr) == list(errors), stderr
    assert exit_code == code, stderr


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_extract(case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_files(tmp_path, case.files)
    monkeypatch.chdir(tmp_path)
    result = invoke(["extract", "--no-link", "-o", "out.trig", *case.args], case.stdin)
    check(result, case.code, case.errors)
    assert written(tmp_path / "out.trig") == sorted(case.texts)
    if case.headlines:
        assert written(tmp_path / "out.trig", HEADLINE) == sorted(case.headlines)


INGEST = ("duplicate-ids", "same-file-twice", "missing-path", "bad-json-line-in-the-middle", "lone-surrogates",
          "invalid-utf8")


@pytest.mark.parametrize("name", INGEST)
def test_ingest(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    case = CASES[name]
    make_files(tmp_path, case.files)
    monkeypatch.chdir(tmp_path)
    result = invoke(["ingest", "--no-link", "--store", "db", *case.args], case.stdin)
    check(result, case.code, case.errors)
    assert stored(tmp_path / "db") == sorted(case.texts)


def test_ingest_again_keeps_the_first_of_two_records_with_one_id(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    case = CASES["duplicate-ids"]
    make_files(tmp_path, case.files)
    monkeypatch.chdir(tmp_path)
    first = invoke(["ingest", "--no-link", "--store", "db", *case.args])
    again = invoke(["ingest", "--no-link", "--store", "db", *case.args])
    check(again, 1, case.errors)
    assert "db: 2 new, 0 replaced, 0 unchanged, 1 failed" in first.stderr
    assert "db: 0 new, 0 replaced, 2 unchanged, 1 failed" in again.stderr
    assert stored(tmp_path / "db") == sorted(case.texts)


@pytest.mark.parametrize("name", USAGE.keys())
def test_usage(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    args, code, error = USAGE[name]
    make_files(tmp_path, {"good.txt": GOOD_TXT})
    monkeypatch.chdir(tmp_path)
    result = invoke(["extract", "--no-link", "-o", "out.trig", *args, "good.txt"])
    assert result.exit_code == code, result.stderr
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and errors[0].startswith(error), result.stderr
    assert result.stdout == ""
    assert not (tmp_path / "out.trig").exists()  # nothing ran


def test_no_input_at_all_fails_before_anything_is_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = invoke(["extract", "--no-link", "nowhere.txt", "gone.jsonl"])
    check(result, 1, ["nowhere.txt, gone.jsonl: no such file or directory - check the path"])
    assert result.stdout == ""


# --- unreadable paths: root reads everything, so the run drops root's right to ---------------------------------

CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, PR_CAPBSET_DROP = 1, 2, 24


def _without_read_everything() -> None:  # pragma: no cover - runs in the child before exec
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH):
        if libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def run_kg(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """``python -m kg`` in a subprocess; as root, without the capabilities that ignore file permissions."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "kg", *args], cwd=cwd, env=env, capture_output=True, text=True,
                          preexec_fn=_without_read_everything if os.geteuid() == 0 else None, check=False, timeout=300)


@pytest.mark.parametrize("target", ["news/locked", "news/locked.txt"])
def test_unreadable_path_is_reported(target: str, tmp_path: Path) -> None:
    make_files(tmp_path, {"news/a.txt": GOOD_TXT, "news/b.jsonl": GOOD_JSONL,
                          "news/locked/c.jsonl": jsonl({"id": "c1", "text": GOOD_HTML_BODY}),
                          "news/locked.txt": GOOD_TXT.replace("Riverton", "Lakeside")})
    locked = tmp_path / target
    locked.chmod(0)
    try:
        result = run_kg(["extract", "--no-link", "-o", "out.trig", "news"], tmp_path)
    finally:
        locked.chmod(stat.S_IRWXU)
    reason = ("news/locked: cannot read the directory (Permission denied) - check its permissions (the rest of news "
              "is read)" if target == "news/locked" else
              "news/locked.txt: cannot read (Permission denied) - check the permissions")
    check(result, 1, [reason])
    readable = (GOOD_HTML_BODY if target == "news/locked.txt" else
                GOOD_TXT_BODY.replace("Riverton", "Lakeside"))
    assert written(tmp_path / "out.trig") == sorted([GOOD_TXT_BODY, GOOD_BODY, readable])


def test_kg_loads_its_own_file_of_an_input_with_a_duplicate_article(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    case = CASES["same-article-in-two-files"]
    make_files(tmp_path, case.files)
    monkeypatch.chdir(tmp_path)
    check(invoke(["extract", "--no-link", "-o", "out.trig", *case.args]), 1, case.errors)
    loaded = invoke(["load", "--store", "db", "out.trig"])
    check(loaded, 0, [])
    assert stored(tmp_path / "db") == sorted(case.texts)
