"""Many readers or one writer per store, with real processes: ``kg query`` next to ``kg serve`` and other
readers, writers refused with a message that names who holds the store, and a killed ``kg serve`` that frees
its port and the store. Every process is started here and stopped by its pid."""

from __future__ import annotations

import os
import select
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from pyoxigraph import Quad, Store

from kg.errors import StoreError
from kg.store.embedded import EmbeddedStore
from kg.store.locks import Holder, holders, in_use_message, lock_shared
from tests.helpers import ARTICLE, children, make_store
from tests.servers import free_port

ROOT = Path(__file__).resolve().parent.parent
PYTHON = Path(sys.executable).name
NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))
# a process holding the store open through pyoxigraph or kg's library until its stdin closes
WRITER = "import sys, pyoxigraph; s = pyoxigraph.Store(sys.argv[1]); print('ready', flush=True); sys.stdin.read()"
READER = ("import sys; from pathlib import Path; from kg.store.embedded import EmbeddedStore; "
          "s = EmbeddedStore(Path(sys.argv[1]), read_only=True); print('ready', flush=True); sys.stdin.read()")


def kg(*args: str) -> subprocess.CompletedProcess[str]:
    """Run the ``kg`` command of this checkout in a process of its own."""
    return subprocess.run([sys.executable, "-m", "kg", *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=60, stdin=subprocess.DEVNULL)


def quads(store: Path) -> set[Quad]:
    """Everything in the store, read without taking it from anyone."""
    return set(Store.read_only(str(store)))


@contextmanager
def holding(script: str, store: Path) -> Iterator[subprocess.Popen[str]]:
    """A Python process running ``script`` on ``store`` until it has said 'ready'; killed at exit."""
    process = subprocess.Popen([sys.executable, "-c", script, str(store)], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        assert process.stdout is not None and process.stdout.readline() == "ready\n"
        yield process
    finally:
        process.kill()
        process.wait()
        assert process.stdin is not None and process.stdout is not None
        process.stdin.close()
        process.stdout.close()


@dataclass
class Serving:
    """A ``kg serve`` process and the URL it announced."""

    process: subprocess.Popen[str]
    url: str


@contextmanager
def kg_serve(store: Path, *options: str) -> Iterator[Serving]:
    """``kg serve --store STORE`` on a free port until it announces its URL; stopped (SIGINT, then
    killed with its server) at exit."""
    bind = f"127.0.0.1:{free_port()}"
    process = subprocess.Popen([sys.executable, "-m", "kg", "serve", "--store", str(store), "--bind", bind, *options],
                               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                               cwd=ROOT, start_new_session=True)
    assert process.stderr is not None
    try:
        readable, _, _ = select.select([process.stderr], [], [], 20)
        line = process.stderr.readline() if readable else ""
        assert line.startswith(f"Serving {store} at http://{bind}/"), line + process.stderr.read()
        yield Serving(process, f"http://{bind}/")
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=15)
        finally:
            if process.poll() is None:
                for child in children(process.pid):
                    os.kill(child, signal.SIGKILL)
                process.kill()
                process.wait()
            process.stderr.close()


def answers(url: str) -> bool:
    """Whether the SPARQL server at ``url`` answers ``ASK {}``."""
    try:
        with NO_PROXY.open(url + "query?query=ASK%7B%7D", timeout=5) as response:
            return response.status == 200
    except OSError:
        return False


def closed(url: str, timeout: float = 10) -> bool:
    """Wait until nothing accepts connections on the port of ``url`` any more."""
    parsed = urllib.parse.urlsplit(url)
    deadline = time.monotonic() + timeout
    while True:
        with socket.socket() as probe:
            if probe.connect_ex((parsed.hostname or "", parsed.port or 0)) != 0:
                return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)


def gone(pid: int, timeout: float = 10) -> bool:
    """Wait until process ``pid`` (not our child) has exited: no longer in /proc, or a zombie."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
        except OSError:
            return True
        if state in ("Z", "X"):
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)


def serving_message(store: Path, pid: int) -> str:
    return (f"Error: store {store} is open for reading by 'kg serve' (pid {pid}) - writers need it alone: "
            f"stop it (Ctrl+C in its terminal, or kill {pid}) and retry\n")


@pytest.fixture
def store(tmp_path: Path) -> Path:
    return make_store(tmp_path / "kg-store")


# --- readers share a store --------------------------------------------------------------------


@pytest.mark.server
def test_query_runs_while_kg_serve_serves(store: Path) -> None:
    alone = kg("query", "entities", "--store", str(store), "--format", "csv")
    assert alone.returncode == 0, alone.stderr
    assert "Islamic State" in alone.stdout and "Diyala" in alone.stdout
    with kg_serve(store) as serving:
        beside = kg("query", "entities", "--store", str(store), "--format", "csv")
        assert answers(serving.url)
    assert (beside.returncode, beside.stdout, beside.stderr) == (0, alone.stdout, "")


def test_two_readers_at_once(store: Path) -> None:
    alone = kg("query", "mentions", "--store", str(store), "--format", "tsv")
    assert alone.returncode == 0, alone.stderr
    with holding(READER, store):
        beside = kg("query", "mentions", "--store", str(store), "--format", "tsv")
    assert (beside.returncode, beside.stdout, beside.stderr) == (0, alone.stdout, "")


def test_writer_names_every_reader(store: Path, tmp_path: Path) -> None:
    before = quads(store)
    with holding(READER, store) as first, holding(READER, store) as second:
        result = kg("retract", "t1", "--store", str(store))
    first_pid, second_pid = sorted((first.pid, second.pid))
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == (
        f"Error: store {store} is open for reading by another program (pid {first_pid}: {PYTHON}) and another "
        f"program (pid {second_pid}: {PYTHON}) - writers need it alone: stop them (Ctrl+C in their terminal, "
        f"or kill {first_pid} {second_pid}) and retry\n")
    assert quads(store) == before


# --- a writer needs the store alone -----------------------------------------------------------


@pytest.mark.server
@pytest.mark.parametrize("command", [["load", "{trig}"], ["retract", "t1"]], ids=["load", "retract"])
def test_writer_while_kg_serve_serves_is_refused_naming_it(store: Path, tmp_path: Path, command: list[str]) -> None:
    trig = tmp_path / "more.trig"
    trig.write_text(f"<{ARTICLE}/2> {{ <{ARTICLE}/2> <https://schema.org/headline> \"More\" . }}\n")
    before = quads(store)
    with kg_serve(store) as serving:
        result = kg(*(part.format(trig=trig) for part in command), "--store", str(store))
        assert answers(serving.url)
    assert (result.returncode, result.stdout, result.stderr) == (1, "", serving_message(store, serving.process.pid))
    assert quads(store) == before


def test_query_while_a_writer_holds_the_store_names_it(store: Path) -> None:
    with holding(WRITER, store) as writer:
        result = kg("query", "entities", "--store", str(store))
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == (f"Error: store {store} is being written by another program (pid {writer.pid}: "
                             f"{PYTHON}) - wait for it to finish, then retry\n")


@pytest.mark.server
def test_read_write_kg_serve_needs_the_store_alone_and_holds_it(store: Path) -> None:
    with holding(READER, store) as reader:
        refused = kg("serve", "--store", str(store), "--bind", f"127.0.0.1:{free_port()}", "--read-write")
    assert (refused.returncode, refused.stderr) == (1, (
        f"Error: store {store} is open for reading by another program (pid {reader.pid}: {PYTHON}) - writers need "
        f"it alone: stop it (Ctrl+C in its terminal, or kill {reader.pid}) and retry\n"))
    with kg_serve(store, "--read-write") as serving:
        result = kg("query", "entities", "--store", str(store))
        assert answers(serving.url)
    pid = serving.process.pid  # the Oxigraph server holds the lock; its kg serve is named
    assert (result.returncode, result.stderr) == (1, f"Error: store {store} is being written by 'kg serve' (pid "
                                                     f"{pid}) - stop it (Ctrl+C in its terminal, or kill {pid}) and retry\n")


@pytest.mark.server
@pytest.mark.parametrize("options", [(), ("--read-write",)], ids=["read-only", "read-write"])
def test_killed_kg_serve_frees_its_port_and_the_store(store: Path, tmp_path: Path, options: tuple[str, ...]) -> None:
    trig = tmp_path / "more.trig"
    trig.write_text(f"<{ARTICLE}/2> {{ <{ARTICLE}/2> <https://schema.org/headline> \"More\" . }}\n")
    before = quads(store)
    with kg_serve(store, *options) as serving:
        assert children(serving.process.pid) == []  # the app serves in kg's own process
        refused = kg("load", str(trig), "--store", str(store))  # while it serves, writers are kept out
        assert (refused.returncode, refused.stderr) == (1, (
            serving_message(store, serving.process.pid) if not options else
            f"Error: store {store} is being written by 'kg serve' (pid {serving.process.pid}) - stop it (Ctrl+C "
            f"in its terminal, or kill {serving.process.pid}) and retry\n"))
        serving.process.kill()
        serving.process.wait(timeout=10)
        assert closed(serving.url)  # nothing keeps listening on its port
    assert quads(store) == before
    loaded = kg("load", str(trig), "--store", str(store))  # and the store is free for a writer
    assert loaded.returncode == 0, loaded.stderr
    assert len(quads(store)) > len(before)


NEWS = ("Islamic State fighters attacked a checkpoint near Baqubah on Tuesday, the Iraqi army said.\n\n"
        "The Federal Police arrested two suspects in Kirkuk after the attack, a police officer told reporters.\n")


def without_load_times(store: Path) -> set[Quad]:
    return {quad for quad in quads(store) if not str(quad.predicate).endswith("#loadedAt>")}


def test_a_second_writer_is_refused_naming_the_first_and_the_store_ends_as_a_clean_load(tmp_path: Path) -> None:
    store, clean = tmp_path / "kg-store", tmp_path / "clean-store"
    trig = tmp_path / "more.trig"
    trig.write_text(f"<{ARTICLE}/2> {{ <{ARTICLE}/2> <https://schema.org/headline> \"More\" . }}\n")
    ingest = [sys.executable, "-m", "kg", "ingest", "-", "--no-link", "--date", "2025-03-06", "--store"]
    first = subprocess.Popen([*ingest, str(store)], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, text=True, cwd=ROOT)
    assert first.stdin is not None and first.stderr is not None
    try:
        deadline = time.monotonic() + 60
        while not (store / "LOCK").exists() or not holders(store):  # it holds the store, waiting for its articles
            assert first.poll() is None and time.monotonic() < deadline, first.stderr.read()
            time.sleep(0.05)
        second = kg("load", str(trig), "--store", str(store))
        first.stdin.write(NEWS)
        first.stdin.close()
        assert first.wait(timeout=60) == 0, first.stderr.read()
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()
        first.stderr.close()
    assert (second.returncode, second.stderr) == (1, f"Error: store {store} is being written by 'kg ingest' (pid "
                                                     f"{first.pid}) - wait for it to finish, then retry\n")
    again = kg("load", str(trig), "--store", str(store))
    assert again.returncode == 0, again.stderr
    alone = subprocess.run([*ingest, str(clean)], input=NEWS, capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert alone.returncode == 0, alone.stderr
    assert kg("load", str(trig), "--store", str(clean)).returncode == 0
    assert without_load_times(store) == without_load_times(clean)
    assert len(without_load_times(store)) > 20


# --- the library ------------------------------------------------------------------------------


def test_read_only_store_refuses_writes(store: Path) -> None:
    target = EmbeddedStore(store, read_only=True)
    try:
        with pytest.raises(StoreError, match=r"was opened read-only - open it without read_only to write$"):
            target.drop_graph(ARTICLE)
        assert quads(store) and target.manifest() == {}
    finally:
        target.close()


def test_closing_one_reader_keeps_the_others_lock(store: Path) -> None:
    first = EmbeddedStore(store, read_only=True)
    second = EmbeddedStore(store, read_only=True)
    first.close()
    try:
        [holder] = holders(store)
        assert holder == Holder(os.getpid(), writing=False, program=None, argv0=holder.argv0)
        result = kg("retract", "t1", "--store", str(store))
        assert result.returncode == 1 and f"is open for reading by another program (pid {os.getpid()}" in result.stderr
    finally:
        second.close()
    assert holders(store) == ()


def test_reader_in_the_process_that_writes_leaves_the_writer_locked(store: Path) -> None:
    writer = EmbeddedStore(store)
    try:
        with pytest.raises(StoreError, match=r"is already open for writing in this process - close it first$"):
            EmbeddedStore(store, read_only=True)
        with pytest.raises(StoreError, match=r"is already open for writing in this process - close it first$"):
            lock_shared(store)
        [holder] = holders(store)  # the refusals did not drop the writer's lock
        assert holder.pid == os.getpid() and holder.writing
    finally:
        writer.close()


def test_message_without_holders_says_what_to_do() -> None:
    store = Path("kg-store")
    assert in_use_message(store, [], reading=True) == (
        "store kg-store is being written by another process - wait for it to finish, then retry")
    assert in_use_message(store, [], reading=False) == (
        "store kg-store is in use by another process - stop it ('kg serve', 'kg ingest' or another program with the "
        "store open) and retry")
    readers = [Holder(17, writing=False, program="kg serve"), Holder(20, writing=False, program="kg query"),
               Holder(31, writing=False, argv0="python3")]
    assert in_use_message(store, readers, reading=False) == (
        "store kg-store is open for reading by 'kg serve' (pid 17), 'kg query' (pid 20) and another program "
        "(pid 31: python3) - writers need it alone: stop them (Ctrl+C in their terminal, or kill 17 20 31) and retry")
