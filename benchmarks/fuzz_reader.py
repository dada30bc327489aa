"""Fuzz the article reader: random bytes, text, JSON Lines and HTML for a given time.

A crash is any exception that is not a :class:`kg.errors.KgError`; the reader must report bad input through
``on_error``, never raise anything else. An article with text that cannot be written as UTF-8 (a lone
surrogate left in) or with no text counts as a crash too. Each distinct crash (exception type and the line
that raised it) is printed once with the smallest input that caused it; the exit status is 1 if any.

    python benchmarks/fuzz_reader.py --seconds 300
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from kg.errors import KgError
from kg.read.articles import read_articles

SUFFIXES = (".txt", ".jsonl", ".html", ".bin")
FORMATS = ("auto", "text", "jsonl", "html")
TAGS = ("<html>", "<body>", "<article>", "</article>", "<p>", "</p>", "<nav>", "<h1>", "<script>", "<!--", "-->",
        "<meta charset='latin-1'>", "<title>", "</title>", "&amp;", "&#0;", "&#xd800;", "<![CDATA[", "]]>")



@st.composite
def texts(draw: st.DrawFn) -> str:
    """Any text; half the time with a lone surrogate in it, which json.dumps writes as a broken encoder does."""
    value = draw(st.text())
    if draw(st.booleans()):
        at = draw(st.integers(0, len(value)))
        value = value[:at] + draw(st.characters(categories=["Cs"])) + value[at:]
    return value


json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | texts(),
                           lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
                           max_leaves=8)
fields = {"id": json_values, "title": json_values, "date": st.text(max_size=12) | json_values, "url": json_values}
records = (st.fixed_dictionaries({"text": texts()}, optional=fields)
           | st.fixed_dictionaries({}, optional={"text": json_values, **fields}))


@st.composite
def jsonl(draw: st.DrawFn) -> bytes:
    lines = [json.dumps(r, ensure_ascii=draw(st.booleans())) for r in draw(st.lists(records, max_size=5))]
    lines += draw(st.lists(st.text(max_size=40), max_size=2))  # broken lines
    lines = draw(st.permutations(lines))
    return "\n".join(lines).encode("utf-8", "surrogatepass")


@st.composite
def html(draw: st.DrawFn) -> bytes:
    parts = draw(st.lists(st.sampled_from(TAGS) | st.text(max_size=60), max_size=30))
    return "".join(parts).encode(draw(st.sampled_from(["utf-8", "utf-16", "latin-1"])), "replace")


@st.composite
def text(draw: st.DrawFn) -> bytes:
    body = draw(st.text(max_size=400))
    if draw(st.booleans()):
        body = "\n\n\n".join([body, *draw(st.lists(st.text(max_size=200), max_size=3))])
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-32", "latin-1", "cp1252"]))
    return body.encode(encoding, "replace")


# each kind of input mostly under its own suffix, sometimes under another
inputs = st.one_of(st.tuples(st.binary(max_size=3000), st.sampled_from(SUFFIXES)),
                   *(st.tuples(kind, st.sampled_from([suffix, suffix, suffix, *SUFFIXES]))
                     for kind, suffix in ((jsonl(), ".jsonl"), (html(), ".html"), (text(), ".txt"))))


class Fuzz:
    """Runs examples until the deadline, collecting distinct crashes."""

    def __init__(self, seconds: float, workdir: Path) -> None:
        self.deadline = time.monotonic() + seconds
        self.workdir = workdir
        self.examples = 0
        self.articles = 0
        self.reported = 0
        self.crashes: dict[str, tuple[str, bytes]] = {}

    def one(self, data: bytes, suffix: str, fmt: str) -> None:
        path = self.workdir / f"input{suffix}"
        path.write_bytes(data)
        errors: list[KgError] = []
        self.examples += 1
        try:
            for article in read_articles([path], input_format=fmt, on_error=errors.append):
                self.articles += 1
                if not article.text.strip():
                    raise AssertionError("article with no text")
                (article.text + (article.title or "") + article.id).encode("utf-8")
        except KgError:
            self.reported += 1
        except Exception as exc:  # a crash: what the fuzzer is looking for
            frame = traceback.extract_tb(exc.__traceback__)[-1]
            key = f"{type(exc).__name__} at {Path(frame.filename).name}:{frame.lineno} ({suffix}, {fmt})"
            known = self.crashes.get(key)
            if known is None or len(data) < len(known[1]):
                self.crashes[key] = (f"{exc!r}", data)
        self.reported += len(errors)


class _Done(Exception):
    pass


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        fuzz = Fuzz(args.seconds, Path(tmp))

        @settings(max_examples=10**9, deadline=None, database=None, phases=[Phase.generate],
                  suppress_health_check=list(HealthCheck))
        @given(inputs, st.sampled_from(FORMATS))
        def run(data_suffix: tuple[bytes, str], fmt: str) -> None:
            if time.monotonic() > fuzz.deadline:
                raise _Done
            fuzz.one(*data_suffix, fmt)

        started = time.monotonic()
        try:
            run()
        except _Done:
            pass
    elapsed = time.monotonic() - started
    print(f"{fuzz.examples} inputs in {elapsed:.0f} s: {fuzz.articles} articles read, {fuzz.reported} problems "
          f"reported, {len(fuzz.crashes)} distinct crashes")
    for key, (error, data) in sorted(fuzz.crashes.items()):
        print(f"CRASH {key}: {error}\n  smallest input: {data[:300]!r}")
    return 1 if fuzz.crashes else 0


if __name__ == "__main__":
    sys.exit(main())
