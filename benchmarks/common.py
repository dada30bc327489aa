"""Helpers shared by the benchmark scripts: renaming article graphs into copies, memory sampling,
environment overrides, machine information and plain-text tables."""

from __future__ import annotations

import contextlib
import os
import platform
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Self

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import pyoxigraph as ox

ARTICLE_BASE = "https://w3id.org/kg-news/id/article/"
ARTICLE_ID = "https://w3id.org/kg-news/ns#articleId"
NO_CREDS: dict[str, str | None] = {"KG_ENDPOINT_USER": None, "KG_ENDPOINT_PASSWORD": None}


# --- copies of article graphs ------------------------------------------------------------------------------------
# A corpus bigger than the articles extracted is made of copies under new article ids. Every IRI equal
# to the article IRI or under it (mentions, sentences, events, the graph name) is renamed, so each copy
# is a separate article; entity IRIs stay shared, as the same places and groups recur in a real corpus.


def renamed(article: str, quads: Sequence[ox.Quad], new: str) -> list[ox.Quad]:
    """``quads`` with every IRI equal to ``article`` or under ``article/`` moved to ``new``."""
    cache: dict[str, ox.NamedNode] = {}
    under = article + "/"

    def term(t: Any) -> Any:
        if isinstance(t, ox.NamedNode):
            hit = cache.get(t.value)
            if hit is None:
                v = t.value
                hit = ox.NamedNode(new + v[len(article):]) if v == article or v.startswith(under) else t
                cache[v] = hit
            return hit
        return t

    return [ox.Quad(term(q.subject), term(q.predicate), term(q.object), term(q.graph_name)) for q in quads]


def renamed_nquads(block: bytes, article: str, new: str, article_id: str | None = None,
                   new_id: str | None = None) -> bytes:
    """:func:`renamed` on N-Quads text (one article graph), also giving the copy its own ``kg:articleId``.

    Works on the bytes because copying millions of quads through pyoxigraph terms is slow. IRIs are
    written ``<...>``, so ``<article>`` and ``<article/`` match exactly the IRIs :func:`renamed` moves.
    """
    a, n = article.encode(), new.encode()
    out = block.replace(b"<" + a + b">", b"<" + n + b">").replace(b"<" + a + b"/", b"<" + n + b"/")
    if article_id is not None and new_id is not None:
        prefix = b"<" + ARTICLE_ID.encode() + b"> "
        out = out.replace(prefix + str(ox.Literal(article_id)).encode(),
                          prefix + str(ox.Literal(new_id)).encode())
    return out


# --- processes and memory ----------------------------------------------------------------------------------------


def rss_mb(pid: int) -> float:
    """Resident memory of a process in MiB (0 if it is gone)."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


class RssSampler:
    """Peak resident memory of this process and of a server process while a block runs."""

    def __init__(self, server_pid: int | None, every: float = 0.2) -> None:
        self.pids = {"py": os.getpid(), "server": server_pid}
        self.peak = {"py": 0.0, "server": 0.0}
        self.every = every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> None:
        for key, pid in self.pids.items():
            if pid:
                self.peak[key] = max(self.peak[key], rss_mb(pid))

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            self._sample()

    def __enter__(self) -> Self:
        self._sample()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()


@contextlib.contextmanager
def env(**values: str | None) -> Iterator[None]:
    """Set (or, with None, remove) environment variables for the duration of a block."""
    old = {k: os.environ.get(k) for k in values}
    for k, v in values.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


# --- reporting ---------------------------------------------------------------------------------------------------


def table(rows: list[list[str]], header: list[str]) -> str:
    """A Markdown table with padded columns."""
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]

    def line(r: list[str]) -> str:
        return "| " + " | ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=False)) + " |"
    return "\n".join([line(header), "|" + "|".join("-" * (w + 2) for w in widths) + "|", *map(line, rows)])


def version_of(args: list[str]) -> str:
    """The first lines a program prints for ``--version`` (or why it could not run)."""
    try:
        out = subprocess.run(args, capture_output=True, text=True, timeout=30, check=False)
        return " ".join((out.stdout + out.stderr).split("\n")[:2]).strip() or "?"
    except (OSError, subprocess.TimeoutExpired):
        return "not installed"


def machine_info() -> list[str]:
    """CPU, memory, OS and the versions of the stores and clients involved."""
    from importlib.metadata import version

    import SPARQLWrapper

    from tests.servers import _oxigraph_binary
    cpu = "?"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = "?"
    with contextlib.suppress(OSError):
        mem = f"{int(Path('/proc/meminfo').read_text().split()[1]) / 1024 / 1024:.1f} GiB"
    try:
        oxi = version_of([_oxigraph_binary(), "--version"])
    except Exception as exc:
        oxi = f"? ({exc})"
    virtuoso = shutil.which("virtuoso-t")
    return [
        f"cores: {os.cpu_count()} ({cpu}), RAM {mem}, {platform.platform()}",
        (f"python {platform.python_version()}; pyoxigraph {ox.__version__}; oxigraph CLI: {oxi}; "
         f"SPARQLWrapper {SPARQLWrapper.__version__}; requests {version('requests')}"),
        f"virtuoso: {version_of([virtuoso, '--version']) if virtuoso else 'not installed'}",
    ]
