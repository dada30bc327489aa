"""``kg serve``: the store over HTTP through the Oxigraph server, with its YASGUI query editor at ``/``.

The server is the ``oxigraph`` binary of the PyPI package ``oxigraph`` (the same engine as
pyoxigraph, so it opens kg's store as it is). It runs with ``--union-default-graph``: kg keeps one
named graph per article and its saved queries have no ``GRAPH`` clauses, so they give the same
rows in the web editor as ``kg query``. Endpoints: ``/query``, ``/update`` (read-write only),
``/sparql`` (both; YASGUI's default) and ``/store`` (Graph Store Protocol).

``oxigraph serve-read-only`` takes no lock on the store, so :func:`serve` takes a reader's shared lock
(:mod:`kg.store.locks`) and hands the locked descriptor to the server: writers such as ``kg ingest``
then fail to open the store instead of changing it under the server, for as long as the server runs,
while other readers share it. ``oxigraph serve`` (read-write) takes RocksDB's exclusive lock itself.

The server never outlives ``kg serve``: on Linux it is started with a parent-death signal
(``prctl(PR_SET_PDEATHSIG)``), so even ``kill -9`` of ``kg serve`` stops it, frees the port and
releases the store.
"""

from __future__ import annotations

import collections
import ctypes
import http.client
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from types import FrameType

from kg.errors import KgError
from kg.store.locks import StoreLock, check_unlocked, in_use_error, lock_shared

__all__ = ["DEFAULT_BIND", "oxigraph_binary", "serve", "serve_command"]

log = logging.getLogger("kg")

DEFAULT_BIND = "127.0.0.1:7878"
READY_TIMEOUT_S = 15.0
STOP_TIMEOUT_S = 10.0
_READY_PATH = "query?query=ASK%7B%7D"
_NO_STORE_FIX = "run 'kg ingest' first or pass --store"
# RocksDB writes CURRENT when it creates a database; a directory without it holds no store.
_STORE_MARKER = "CURRENT"
_BANNER = "Listening for requests at"  # the server's start-up line, no news


def oxigraph_binary() -> str:
    """Path of the ``oxigraph`` server binary: the one next to this Python (its venv), else on PATH.

    Raises :class:`KgError` when neither exists.
    """
    name = "oxigraph.exe" if sys.platform == "win32" else "oxigraph"
    # Not resolved: a venv's python is a symlink, and the binary sits in the venv's bin/.
    beside = Path(sys.executable).parent / name
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    found = shutil.which("oxigraph")
    if found is None:
        raise KgError("the Oxigraph server is not installed (no 'oxigraph' next to Python or on PATH) - "
                      "pip install oxigraph")
    return found


def serve_command(store: Path, bind: str = DEFAULT_BIND, *, read_write: bool = False) -> list[str]:
    """The ``oxigraph`` command line that serves ``store`` on ``bind`` (read-only unless asked).

    >>> serve_command(Path("kg-store"))[1:]
    ['serve-read-only', '--location', 'kg-store', '--bind', '127.0.0.1:7878', '--union-default-graph']
    """
    return [oxigraph_binary(), "serve" if read_write else "serve-read-only",
            "--location", str(store), "--bind", bind, "--union-default-graph"]


def serve(store: Path, bind: str = DEFAULT_BIND, read_write: bool = False,
          on_ready: Callable[[str], None] | None = None) -> int:
    """Serve ``store`` over HTTP until the server ends or Ctrl+C / SIGTERM stops it.

    Checks that ``store`` is a store nobody else holds and that ``bind`` (``HOST:PORT``) is free,
    starts the Oxigraph server, waits until ``GET /query?query=ASK{}`` answers, then calls
    ``on_ready`` with the base URL (``http://HOST:PORT/``). Ctrl+C and SIGTERM (handled when called
    from the main thread) are passed on to the server as SIGTERM; a second one kills it.

    A read-only server shares the store with other readers and keeps writers out for as long as it
    runs (it inherits kg's shared lock); a read-write server needs the store alone.

    Returns 0 when the server was stopped that way, otherwise its exit code (``128 + N`` when a
    signal N killed it). Raises :class:`KgError` for a missing store, a bad or busy address, a
    missing ``oxigraph`` binary, or a server that fails to start, and
    :class:`~kg.errors.StoreError` naming the processes that hold the store when it is in use.
    """
    store = Path(store)
    if not store.is_dir():
        raise KgError(f"no store at {store} - {_NO_STORE_FIX}")
    if not (store / _STORE_MARKER).is_file() and not (read_write and not any(store.iterdir())):
        raise KgError(f"{store} is not a kg store (no Oxigraph database in it) - {_NO_STORE_FIX}")
    command = serve_command(store, bind, read_write=read_write)
    host, port = _parse_bind(bind)
    _check_port_free(host, port, bind)
    url = f"http://{host}:{port}/"
    probe = f"http://{_loopback_for(host)}:{port}/"

    lock: StoreLock | None = None
    if read_write:
        check_unlocked(store)  # the server takes the exclusive lock itself
    else:
        lock = lock_shared(store)
    stopper = _Stopper()
    previous = _install_handlers(stopper)
    process: subprocess.Popen[str] | None = None
    reader: _StderrReader | None = None
    try:
        if stopper.requested:
            return 0
        try:
            process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                       stderr=subprocess.PIPE, text=True, errors="replace",
                                       pass_fds=() if lock is None else (lock.fd,), preexec_fn=_die_with_us())
        except OSError as error:
            raise KgError(f"cannot start the Oxigraph server {command[0]}: {error.strerror} - "
                          "pip install --force-reinstall oxigraph") from error
        stopper.process = process
        reader = _StderrReader(process)
        if not _wait_ready(process, probe, stopper, reader, store, bind):
            return 0
        if on_ready is not None:
            on_ready(url)
        code = process.wait()
        if stopper.requested:
            return 0
        reader.join()
        how = f"was killed by {_signal_name(-code)}" if code < 0 else f"exited with code {code}"
        log.warning("the Oxigraph server %s%s", how, reader.last_error(": "))
        return 128 - code if code < 0 else code
    finally:
        if process is not None:
            _stop(process)
            assert process.stderr is not None
            if reader is not None:
                reader.join()
            process.stderr.close()
        _restore_handlers(previous)
        if lock is not None:
            lock.close()


def _die_with_us() -> Callable[[], None] | None:
    """A ``preexec_fn`` that has Linux SIGTERM the server when this process dies, however it dies; None
    elsewhere (there the server outlives a ``kill -9`` of ``kg serve``).

    Linux sends the signal when the *thread* that started the child ends, not the process: :func:`serve`
    starts the server and then waits for it in the same thread, so that thread lives exactly as long as
    the server should.
    """
    if not sys.platform.startswith("linux"):
        return None
    prctl = ctypes.CDLL(None, use_errno=True).prctl  # loaded here: the child, between fork and exec, must not
    parent = os.getpid()
    pr_set_pdeathsig = 1

    def preexec() -> None:
        prctl(pr_set_pdeathsig, signal.SIGTERM)
        if os.getppid() != parent:  # died before the signal was asked for
            os.kill(os.getpid(), signal.SIGKILL)

    return preexec


def _signal_name(signum: int) -> str:
    try:
        return signal.Signals(signum).name
    except ValueError:
        return f"signal {signum}"


def _parse_bind(bind: str) -> tuple[str, int]:
    host, sep, port_text = bind.rpartition(":")
    if not sep or not host or not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise KgError(f"--bind {bind!r}: write it as HOST:PORT with a port from 1 to 65535, e.g. {DEFAULT_BIND}")
    return host, int(port_text)


def _loopback_for(host: str) -> str:
    """The address to probe: a wildcard bind is reached on loopback."""
    if host in ("0.0.0.0", "*"):
        return "127.0.0.1"
    if host in ("[::]", "::"):
        return "[::1]"
    return host


def _check_port_free(host: str, port: int, bind: str) -> None:
    """Fail early, with a clear message, when nothing can listen on ``bind``.

    Without this, a busy port could even look like success: the readiness probe would be answered
    by whatever already listens there.
    """
    try:
        infos = socket.getaddrinfo(host.strip("[]"), port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise KgError(f"--bind {bind}: unknown host {host!r} ({error.strerror}) - use an IP address such as "
                      f"127.0.0.1") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        if sys.platform != "win32":
            # as the server does (Rust's TcpListener): lingering TIME_WAIT connections are no conflict
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
            probe.listen()
        except OSError as error:
            reason = os.strerror(error.errno) if error.errno else str(error)
            raise KgError(f"cannot listen on {bind}: {reason} - pass --bind HOST:PORT with a free port") from None


class _Stopper:
    """Signal handler: the first signal asks the server to stop (SIGTERM), a second one kills it."""

    def __init__(self) -> None:
        self.requested = False
        self.process: subprocess.Popen[str] | None = None

    def __call__(self, signum: int, frame: FrameType | None) -> None:
        again = self.requested
        self.requested = True
        if self.process is not None:
            if again:
                self.process.kill()
            else:
                self.process.terminate()


_Handler = Callable[[int, FrameType | None], object] | int | None


def _install_handlers(stopper: _Stopper) -> dict[int, _Handler]:
    """Route SIGINT and SIGTERM to ``stopper``; only possible from the main thread."""
    if threading.current_thread() is not threading.main_thread():
        return {}
    previous: dict[int, _Handler] = {}
    for signum in (signal.SIGINT, signal.SIGTERM):
        current = signal.getsignal(signum)
        if current is signal.SIG_IGN:  # e.g. started with nohup or in the background: keep ignoring
            continue
        previous[signum] = current
        signal.signal(signum, stopper)
    return previous


def _restore_handlers(previous: dict[int, _Handler]) -> None:
    for signum, handler in previous.items():
        signal.signal(signum, handler if handler is not None else signal.SIG_DFL)


class _StderrReader:
    """Drains the server's stderr (so it never blocks on a full pipe) and keeps its last lines."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.lines: collections.deque[str] = collections.deque(maxlen=50)
        self._process = process
        self._thread = threading.Thread(target=self._run, name="oxigraph-stderr", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        assert self._process.stderr is not None
        for line in self._process.stderr:
            text = line.rstrip()
            log.debug("oxigraph: %s", text)
            if text and not text.startswith(_BANNER):
                self.lines.append(text)

    def join(self) -> None:
        """Wait (briefly) until the server's stderr is closed and read."""
        self._thread.join(timeout=STOP_TIMEOUT_S)

    def last_error(self, prefix: str = "") -> str:
        """``prefix`` + the server's error message (``Error: ...`` line, else its last line), or ''."""
        errors = [line for line in self.lines if line.startswith("Error:")]
        chosen = errors[0].removeprefix("Error:").strip() if errors else (self.lines[-1] if self.lines else "")
        return prefix + chosen if chosen else ""


def _wait_ready(process: subprocess.Popen[str], probe: str, stopper: _Stopper, reader: _StderrReader,
                store: Path, bind: str) -> bool:
    """Poll the server until it answers: True when ready, False when a stop was asked for first."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never via an HTTP proxy
    deadline = time.monotonic() + READY_TIMEOUT_S
    while not stopper.requested:
        code = process.poll()
        if code is not None:
            reader.join()
            raise _startup_error(store, bind, code, reader.last_error())
        try:
            with opener.open(probe + _READY_PATH, timeout=2) as response:
                if response.status == 200:
                    return True
        except (OSError, http.client.HTTPException):  # URLError and HTTPError are OSErrors
            pass
        if time.monotonic() > deadline:
            raise KgError(f"the Oxigraph server did not answer at {probe} within {READY_TIMEOUT_S:.0f} s"
                          f"{reader.last_error(': ')} - check --bind and the store")
        time.sleep(0.05)
    return False


def _startup_error(store: Path, bind: str, code: int, message: str) -> KgError:
    """A one-line error for a server that exited during start-up, from its ``Error:`` line."""
    lowered = message.lower()
    if "lock" in lowered and ("temporarily unavailable" in lowered or "no locks available" in lowered):
        return in_use_error(store, reading=False)  # only 'oxigraph serve' locks: a writer
    if "address already in use" in lowered or "address in use" in lowered:
        return KgError(f"cannot listen on {bind}: address already in use - pass --bind HOST:PORT with a free port")
    detail = f": {message}" if message else ""
    return KgError(f"the Oxigraph server could not serve {store} (exit code {code}){detail}")


def _stop(process: subprocess.Popen[str]) -> None:
    """SIGTERM the server, wait for it, kill it if it does not go within STOP_TIMEOUT_S."""
    if process.poll() is None:
        process.terminate()
    try:
        process.wait(timeout=STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
