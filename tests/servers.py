"""Real SPARQL servers for integration tests: an Oxigraph server and a private Virtuoso instance.

Both are context managers that start the server as a subprocess on free loopback ports, wait until it
answers a SPARQL query, and always stop it again (also when start-up fails half-way, and - through
PR_SET_PDEATHSIG on Linux - when the test process itself dies). Each server logs to a file in its own
working directory; start-up errors quote the tail of that log.

See ../shared/notes/stores.md (beside the repository) sections 1 and 2 for the servers' endpoints, rights and quirks.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import IO, Self

import requests
from requests.auth import HTTPDigestAuth

HOST = "127.0.0.1"
VIRTUOSO_INI = Path("/etc/virtuoso-opensource-7/virtuoso.ini")
VIRTUOSO_DB_DIR = "/var/lib/virtuoso-opensource-7/db/"
VIRTUOSO_VAD_DIR = "/usr/share/virtuoso-opensource-7/vad"
VIRTUOSO_FIX = "apt-get install -y virtuoso-opensource"

# a failed start-up is retried with new ports only when the log says the port was taken
# (free_port() can race with another process grabbing the same port)
_PORT_IN_USE = re.compile(r"address already in use|failed to start listening|failed http listen", re.I)
_START_ATTEMPTS = 3


class ServerError(RuntimeError):
    """A test server could not be started, configured or queried."""


def ensure_debian_tool(binary: str, *packages: str) -> None:
    """Install a missing server or browser from Debian when we may (root with apt-get), as .ci/run does.

    This keeps the README's test command working on a fresh machine; elsewhere the caller reports the
    missing tool with the command that installs it.
    """
    if shutil.which(binary) or os.geteuid() != 0 or not shutil.which("apt-get"):
        return
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    print(f"\n[kg tests] installing {' '.join(packages)} from Debian (needed by the tests)", file=sys.stderr)
    subprocess.run(["apt-get", "update", "-q"], check=False, env=env, capture_output=True)
    subprocess.run(["apt-get", "install", "-y", "-q", "--no-install-recommends", *packages], check=False, env=env,
                   capture_output=True)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        port: int = s.getsockname()[1]
        return port


def log_tail(path: Path, lines: int = 40) -> str:
    """The last ``lines`` lines of a log file ('' if it does not exist)."""
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


_LIBC: ctypes.CDLL | None = None


def _libc() -> ctypes.CDLL | None:
    """libc, loaded in the parent (find_library runs ldconfig, which must not happen after fork)."""
    global _LIBC
    if _LIBC is None and sys.platform.startswith("linux"):
        name = ctypes.util.find_library("c")
        _LIBC = ctypes.CDLL(name or None, use_errno=True)
    return _LIBC


def _die_with_parent_fn() -> Callable[[], None] | None:
    """A preexec_fn asking Linux to SIGTERM the child when the test process dies (even by SIGKILL),
    so no server outlives an aborted run. None where that is not available."""
    libc = _libc()
    if libc is None:
        return None
    prctl = libc.prctl
    PR_SET_PDEATHSIG = 1

    def preexec() -> None:  # runs in the child between fork and exec: no imports, no allocation-heavy work
        prctl(PR_SET_PDEATHSIG, signal.SIGTERM)

    return preexec


def _popen(args: list[str], *, log: IO[bytes], cwd: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        args,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        preexec_fn=_die_with_parent_fn(),
    )


def _terminate(proc: subprocess.Popen[bytes] | None, grace: float) -> None:
    """SIGTERM ``proc``, SIGKILL it after ``grace`` seconds, and reap it."""
    if proc is None:
        return
    if proc.poll() is None:
        try:
            proc.terminate()
            proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            proc.kill()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:  # unkillable (D state): nothing more we can do
        pass


def _wait_http_ok(
    url: str, proc: subprocess.Popen[bytes], timeout: float, what: str, log: Path
) -> float:
    """Poll GET ``url`` until it answers 200; return the seconds waited.

    Raises ServerError with the log tail if the process exits or ``timeout`` passes first.
    """
    start = time.monotonic()
    deadline = start + timeout
    last = "no answer yet"
    delay = 0.05
    while True:
        code = proc.poll()
        if code is not None:
            raise _StartFailed(f"{what} exited with code {code} during start-up", log)
        try:
            r = requests.get(url, timeout=2)
            if r.status_code == 200:
                return time.monotonic() - start
            last = f"HTTP {r.status_code}: {r.text[:200]}"
        except requests.RequestException as e:
            last = f"{type(e).__name__}: {e}"
        if time.monotonic() >= deadline:
            raise _StartFailed(f"{what} did not answer 200 on {url} within {timeout:g} s ({last})", log)
        time.sleep(delay)
        delay = min(delay * 1.5, 0.5)


class _StartFailed(ServerError):
    def __init__(self, message: str, log: Path) -> None:
        self.tail = log_tail(log)
        super().__init__(f"{message}\n--- {log} (tail) ---\n{self.tail}")

    @property
    def port_in_use(self) -> bool:
        return bool(_PORT_IN_USE.search(self.tail))


def _oxigraph_binary() -> str:
    """The ``oxigraph`` CLI next to the running Python (the venv), else the one on PATH."""
    beside = Path(sys.executable).parent / "oxigraph"
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    found = shutil.which("oxigraph")
    if found is None:
        raise ServerError("oxigraph CLI not found; fix: pip install oxigraph==0.5.13 (in the venv)")
    return found


class _Server:
    """Common bits: a working directory (made and removed by us unless given) and a log file."""

    name = "server"
    log_name = "server.log"

    def __init__(self, directory: Path | None) -> None:
        self._own_dir = directory is None
        self.directory = Path(tempfile.mkdtemp(prefix=f"kg-{self.name}-")) if directory is None else directory
        self.directory.mkdir(parents=True, exist_ok=True)
        self.log_path = self.directory / self.log_name
        self.proc: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None
        self.startup_seconds: float | None = None
        self.url = ""

    def _launch(self, args: list[str]) -> subprocess.Popen[bytes]:
        self._close_log()
        self._log = open(self.log_path, "ab")  # noqa: SIM115  (kept open across restarts, closed by _close_log)
        self._log.write(f"\n=== {time.strftime('%H:%M:%S')} {' '.join(args)}\n".encode())
        self._log.flush()
        self.proc = _popen(args, log=self._log, cwd=self.directory)
        return self.proc

    def _close_log(self) -> None:
        if self._log is not None:
            self._log.close()
            self._log = None

    def _cleanup_dir(self) -> None:
        if self._own_dir:
            shutil.rmtree(self.directory, ignore_errors=True)

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        try:
            self.start()
        except BaseException:
            self.stop()
            self._cleanup_dir()
            raise
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            self.stop()
        finally:
            self._cleanup_dir()

    def start(self) -> None:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.url or '(not started)'} dir={self.directory}>"


class OxigraphServer(_Server):
    """``oxigraph serve`` (or ``serve-read-only``) on a free loopback port.

    The data live in ``location`` (default: ``<directory>/data``). ``read_only=True`` serves an existing
    location with ``serve-read-only`` (nothing else may write it meanwhile); ``union_default_graph=True``
    makes the default graph the union of all graphs.
    """

    name = "oxigraph"
    log_name = "oxigraph.log"

    def __init__(
        self,
        directory: Path | None = None,
        *,
        location: Path | None = None,
        read_only: bool = False,
        union_default_graph: bool = False,
        startup_timeout: float = 20.0,
    ) -> None:
        if read_only and location is None:
            raise ValueError("read_only=True needs the location of an existing Oxigraph store")
        if read_only and location is not None and not location.is_dir():
            raise ValueError(f"read_only=True: no Oxigraph store at {location}")
        super().__init__(directory)
        self.location = location if location is not None else self.directory / "data"
        self.read_only = read_only
        self.union_default_graph = union_default_graph
        self.startup_timeout = startup_timeout
        self.port = 0

    @property
    def query_url(self) -> str:
        return f"{self.url}/query"

    @property
    def update_url(self) -> str:
        return f"{self.url}/update"

    @property
    def store_url(self) -> str:
        return f"{self.url}/store"

    def start(self) -> None:
        binary = _oxigraph_binary()
        for attempt in range(1, _START_ATTEMPTS + 1):
            self.port = free_port()
            self.url = f"http://{HOST}:{self.port}"
            args = [binary, "serve-read-only" if self.read_only else "serve"]
            args += ["--location", str(self.location), "--bind", f"{HOST}:{self.port}"]
            if self.union_default_graph:
                args.append("--union-default-graph")
            proc = self._launch(args)
            try:
                self.startup_seconds = _wait_http_ok(
                    f"{self.query_url}?query=ASK%7B%7D", proc, self.startup_timeout, "oxigraph", self.log_path
                )
                return
            except _StartFailed as e:
                self.stop()
                if not (e.port_in_use and attempt < _START_ATTEMPTS):
                    raise

    def stop(self) -> None:
        """SIGTERM, SIGKILL after 5 s."""
        try:
            _terminate(self.proc, grace=5)
        finally:
            self._close_log()


def _set_ini(text: str, section: str, key: str, value: str) -> str:
    """Set ``key = value`` in ``[section]`` of an ini text (replacing the active line or adding one)."""
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if line.strip().lower() == f"[{section.lower()}]"), None)
    if start is None:
        return text.rstrip("\n") + f"\n\n[{section}]\n{key} = {value}\n"
    end = next((i for i in range(start + 1, len(lines)) if lines[i].lstrip().startswith("[")), len(lines))
    pattern = re.compile(rf"^\s*{re.escape(key)}\s*=", re.I)
    hits = [i for i in range(start + 1, end) if pattern.match(lines[i])]
    if hits:
        lines[hits[0]] = f"{key} = {value}"
        for i in reversed(hits[1:]):  # a duplicate would win over ours
            del lines[i]
    else:
        lines.insert(start + 1, f"{key} = {value}")
    return "\n".join(lines) + "\n"


def _ini_value(text: str, section: str, key: str) -> str | None:
    current = None
    for line in text.splitlines():
        s = line.strip()
        if s.startswith("["):
            current = s[1:-1].lower()
        elif current == section.lower() and re.match(rf"{re.escape(key)}\s*=", s, re.I):
            return s.split("=", 1)[1].split(";", 1)[0].strip()
    return None


def virtuoso_ini(template: str, directory: Path, sql_port: int, http_port: int, max_rows: int | None = None) -> str:
    """A private copy of Virtuoso's ini: its own database files, loopback ports, ``directory`` allowed;
    ``max_rows`` lowers the silent result cut (``[SPARQL] ResultSetMaxRows``, 10,000 by default)."""
    d = str(directory.resolve())
    text = template.replace(VIRTUOSO_DB_DIR, d + "/")
    if max_rows is not None:
        text = _set_ini(text, "SPARQL", "ResultSetMaxRows", str(max_rows))
    text = _set_ini(text, "Parameters", "ServerPort", f"{HOST}:{sql_port}")
    text = _set_ini(text, "Parameters", "DirsAllowed", f"., {VIRTUOSO_VAD_DIR}, {d}")
    text = _set_ini(text, "HTTPServer", "ServerPort", f"{HOST}:{http_port}")
    text = _set_ini(text, "URIQA", "DefaultHost", f"{HOST}:{http_port}")
    # the copy must not touch the system instance's files or ports
    if VIRTUOSO_DB_DIR.rstrip("/") in text:
        raise ServerError(f"virtuoso.ini copy still refers to {VIRTUOSO_DB_DIR}")
    for section, key, want in [
        ("Parameters", "ServerPort", f"{HOST}:{sql_port}"),
        ("HTTPServer", "ServerPort", f"{HOST}:{http_port}"),
        ("Database", "DatabaseFile", f"{d}/virtuoso.db"),
    ]:
        got = _ini_value(text, section, key)
        if got != want:
            raise ServerError(f"virtuoso.ini copy: [{section}] {key} = {got!r}, expected {want!r}")
    return text


class VirtuosoServer(_Server):
    """A private Virtuoso instance (own database in ``directory``, loopback ports) with a SPARQL writer.

    Endpoints: ``sparql_url`` (anonymous query only), ``auth_url`` (query and update, HTTP Digest),
    ``graph_store_url`` (Graph Store Protocol, HTTP Digest). The writer account is ``user``/``password``
    (SPARQL_UPDATE role and default read-write permission on all graphs); ``isql()`` runs SQL as dba.
    """

    name = "virtuoso"
    log_name = "virtuoso-t.out"  # virtuoso-t itself also writes <directory>/virtuoso.log
    user = "loader"
    password = "loaderpw"
    dba_user = "dba"
    dba_password = "dba"

    def __init__(
        self,
        directory: Path | None = None,
        *,
        startup_timeout: float = 60.0,
        isql_timeout: float = 120.0,
        max_rows: int | None = None,
    ) -> None:
        self.max_rows = max_rows
        ensure_debian_tool("virtuoso-t", "virtuoso-opensource")
        self._virtuoso_t = shutil.which("virtuoso-t")
        self._isql_vt = shutil.which("isql-vt")
        if self._virtuoso_t is None or self._isql_vt is None or not VIRTUOSO_INI.is_file():
            missing = "virtuoso-t" if self._virtuoso_t is None else "isql-vt" if self._isql_vt is None else VIRTUOSO_INI
            raise ServerError(f"Virtuoso is not installed ({missing} missing); fix: {VIRTUOSO_FIX}")
        super().__init__(directory)
        self.ini_path = self.directory / "virtuoso.ini"
        self.startup_timeout = startup_timeout
        self.isql_timeout = isql_timeout
        self.sql_port = 0
        self.http_port = 0

    @property
    def sparql_url(self) -> str:
        return f"{self.url}/sparql"

    @property
    def auth_url(self) -> str:
        return f"{self.url}/sparql-auth"

    @property
    def graph_store_url(self) -> str:
        return f"{self.url}/sparql-graph-crud-auth"

    @property
    def auth(self) -> HTTPDigestAuth:
        """Digest credentials of the writer account, for ``requests`` (a new object each time)."""
        return HTTPDigestAuth(self.user, self.password)

    def start(self) -> None:
        assert self._virtuoso_t is not None
        template = VIRTUOSO_INI.read_text()
        for attempt in range(1, _START_ATTEMPTS + 1):
            self.sql_port = free_port()
            self.http_port = free_port()
            while self.http_port == self.sql_port:
                self.http_port = free_port()
            self.url = f"http://{HOST}:{self.http_port}"
            self.ini_path.write_text(virtuoso_ini(template, self.directory, self.sql_port, self.http_port,
                                                   self.max_rows))
            # +foreground keeps it our child (no daemonizing), logging to stdout as well
            proc = self._launch([self._virtuoso_t, "+foreground", "+configfile", str(self.ini_path)])
            try:
                self.startup_seconds = _wait_http_ok(
                    f"{self.sparql_url}?query=ASK%7B%7D", proc, self.startup_timeout, "virtuoso-t", self.log_path
                )
                break
            except _StartFailed as e:
                self.stop()
                if not (e.port_in_use and attempt < _START_ATTEMPTS):
                    raise
        self.create_writer()

    def isql(self, sql: str, *, timeout: float | None = None) -> str:
        """Run ``sql`` (statements ending in ';') through isql-vt as dba; return its stdout.

        isql-vt exits 0 even when a statement fails (it stops at the first failing statement and prints
        ``*** Error`` on stderr), so the output is checked too.
        """
        assert self._isql_vt is not None
        if not self.sql_port:
            raise ServerError("Virtuoso is not started")
        args = [self._isql_vt, f"{HOST}:{self.sql_port}", self.dba_user, self.dba_password, f"exec={sql}"]
        try:
            r = subprocess.run(
                args, capture_output=True, text=True, timeout=timeout or self.isql_timeout, stdin=subprocess.DEVNULL
            )
        except subprocess.TimeoutExpired as e:
            raise ServerError(f"isql-vt timed out after {e.timeout:g} s running: {sql[:500]}") from None
        if r.returncode != 0 or "*** Error" in r.stdout or "*** Error" in r.stderr:
            raise ServerError(
                f"isql-vt failed (exit {r.returncode}) running: {sql[:500]}\n{(r.stderr or r.stdout).strip()[-2000:]}"
            )
        return r.stdout

    def create_writer(self) -> None:
        """Create the writer account (idempotent) and check it can write through /sparql-auth."""
        # USER_CREATE of an existing user is a silent no-op; GRANT of a held role fails with U0013
        self.isql(f"DB.DBA.USER_CREATE('{self.user}', '{self.password}');")
        try:
            self.isql(f'GRANT SPARQL_UPDATE TO "{self.user}";')
        except ServerError as e:
            if "U0013" not in str(e):
                raise
        # without this, the Graph Store Protocol works but SPARQL Update fails with SR619
        self.isql(f"DB.DBA.RDF_DEFAULT_USER_PERMS_SET('{self.user}', 3);")
        probe = "urn:kg:test:writer-probe"
        r = requests.post(
            self.auth_url,
            data={"update": f"INSERT DATA {{ GRAPH <{probe}> {{ <{probe}> <{probe}> <{probe}> }} }}; "
                            f"DROP SILENT GRAPH <{probe}>"},
            auth=self.auth,
            timeout=30,
        )
        if r.status_code != 200:
            raise ServerError(f"writer account check failed: HTTP {r.status_code}: {r.text[:500]}")

    def stop(self) -> None:
        """``shutdown;`` through isql-vt (checkpoint, clean stop); SIGTERM and SIGKILL as fallbacks."""
        try:
            if self.running and self.sql_port:
                try:
                    self.isql("shutdown;", timeout=30)
                except ServerError:
                    pass  # isql may lose the connection as the server goes; the wait below decides
                assert self.proc is not None
                with contextlib.suppress(subprocess.TimeoutExpired):
                    self.proc.wait(timeout=30)
            _terminate(self.proc, grace=15)
        finally:
            self._close_log()


class AuthProxy:
    """A reverse proxy on loopback in front of a real endpoint that demands HTTP Basic auth and can
    answer the first ``fail_first`` requests with 503, as a busy gateway would.

    ``requests`` records what arrived (method, path, whether credentials came) for the tests to check.
    """

    def __init__(self, upstream: str, user: str, password: str, *, fail_first: int = 0) -> None:
        import base64
        import http.server
        import threading

        import requests

        self.upstream = upstream.rstrip("/")
        self.expected = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
        self.fail_first = fail_first
        self.requests: list[tuple[str, str, bool]] = []
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _forward(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                authorised = self.headers.get("Authorization") == proxy.expected
                proxy.requests.append((self.command, self.path, authorised))
                if proxy.fail_first > 0:
                    proxy.fail_first -= 1
                    self._reply(503, {}, b"busy")
                    return
                if not authorised:
                    self._reply(401, {"WWW-Authenticate": 'Basic realm="kg"'}, b"")
                    return
                headers = {k: v for k, v in self.headers.items() if k.lower() not in {"host", "authorization"}}
                upstream = requests.request(self.command, proxy.upstream + self.path, data=body, headers=headers,
                                            timeout=60)
                passed = {k: v for k, v in upstream.headers.items()
                          if k.lower() in {"content-type", "server", "x-sparql-maxrows"}}
                self._reply(upstream.status_code, passed, upstream.content)

            def _reply(self, status: int, headers: dict[str, str], body: bytes) -> None:
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_PUT = do_DELETE = _forward

        self.server = http.server.ThreadingHTTPServer((HOST, 0), Handler)
        self.url = f"http://{HOST}:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> AuthProxy:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
