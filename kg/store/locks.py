"""Many readers or one writer per store, and a message that names who holds it.

A store is a RocksDB directory. A writer (pyoxigraph ``Store(path)``, ``oxigraph serve``) takes an
exclusive POSIX ``fcntl`` lock on its ``LOCK`` file; readers (``Store.read_only``, ``oxigraph
serve-read-only``) take none, and reading a store while another process writes it is undefined
behaviour. So kg's readers hold a *shared* lock on ``LOCK`` while they read (:func:`lock_shared`),
and kg's writers check that nobody holds any lock on it before they open it (:func:`check_unlocked`).

On Linux these are open file description locks (``F_OFD_SETLK``). They conflict with RocksDB's POSIX
locks, but belong to the open file rather than to the process: closing one reader's descriptor leaves
another reader's lock in the same process alone, and a descriptor handed to a child process keeps the
lock for as long as the child lives (``kg serve`` hands it to the Oxigraph server). Elsewhere kg falls
back to ``fcntl.lockf`` (locks per process, not inherited), and without ``fcntl`` (Windows) takes none.

When the lock is taken, :func:`holders` looks in ``/proc`` for the processes that hold it and
:func:`in_use_message` names them with what to do.
"""

from __future__ import annotations

import errno
import os
import struct
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from kg.errors import StoreError

if sys.platform != "win32":
    import fcntl

__all__ = ["LOCK_FILE", "Holder", "StoreLock", "check_unlocked", "holders", "in_use_error", "in_use_message",
           "lock_shared", "program_of"]

LOCK_FILE = "LOCK"
_PROC = Path("/proc")
_SERVERS = ("kg serve", "oxigraph serve", "oxigraph serve-read-only")


@dataclass(frozen=True)
class Holder:
    """A process that holds a store's lock.

    ``program`` is the kg command or Oxigraph server it runs (``'kg ingest'``, ``'oxigraph serve'``),
    None for any other program, which is then named by ``argv0``.

    >>> print(Holder(17, writing=False, program="kg serve"))
    'kg serve' (pid 17)
    >>> print(Holder(4242, writing=True, argv0="python3"))
    another program (pid 4242: python3)
    """

    pid: int
    writing: bool
    program: str | None = None
    argv0: str = ""

    def __str__(self) -> str:
        if self.program is not None:
            return f"'{self.program}' (pid {self.pid})"
        return f"another program (pid {self.pid}: {self.argv0 or '?'})"


class StoreLock:
    """A shared lock on a store's ``LOCK`` file, held until :meth:`close` (or the end of a ``with``).

    ``fd`` is the locked descriptor: pass it on to a child process (``pass_fds``) to keep the lock
    for as long as the child lives.
    """

    def __init__(self, fd: int) -> None:
        self.fd = fd

    def close(self) -> None:
        """Release the lock (a no-op the second time)."""
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1

    def __enter__(self) -> StoreLock:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()


def lock_shared(store: Path) -> StoreLock | None:
    """Take a shared (reader's) lock on ``store`` without waiting; None when there is nothing to lock.

    Other readers may hold it too; a writer can neither hold it nor take it while it is held. None
    when the store has no ``LOCK`` file or the platform has no ``fcntl``.

    Raises:
        StoreError: a writer holds the store (the message names it), or ``LOCK`` cannot be opened.
    """
    return _lock(store, shared=True)


def check_unlocked(store: Path) -> None:
    """Check, without waiting, that no process holds ``store``, before opening it to write.

    Takes an exclusive lock on ``LOCK`` and releases it at once: the writer (pyoxigraph, RocksDB) then
    takes its own. The descriptor must be closed before that, as closing any descriptor of a file
    drops the POSIX locks the process holds on it.

    Raises:
        StoreError: a reader or a writer holds the store (the message names them all).
    """
    taken = _lock(store, shared=False)
    if taken is not None:
        taken.close()


def in_use_error(store: Path, *, reading: bool) -> StoreError:
    """The error for a store another process holds: :func:`in_use_message` about its :func:`holders`."""
    return StoreError(in_use_message(store, holders(store), reading=reading))


def in_use_message(store: Path, found: Sequence[Holder], *, reading: bool) -> str:
    """One line saying who holds ``store`` and what to do, for a reader (``reading``) or a writer.

    >>> print(in_use_message(Path("kg-store"), [Holder(4242, writing=True, program="kg ingest")], reading=True))
    store kg-store is being written by 'kg ingest' (pid 4242) - wait for it to finish, then retry
    >>> print(in_use_message(Path("kg-store"), [Holder(17, writing=False, program="kg serve"),
    ...                                         Holder(20, writing=False, program="kg query")], reading=False))
    store kg-store is open for reading by 'kg serve' (pid 17) and 'kg query' (pid 20) - writers need it alone: \
stop them (Ctrl+C in their terminal, or kill 17 20) and retry
    """
    if any(holder.pid == os.getpid() for holder in found):
        return f"store {store} is already open in this process - close it first"
    writers = [holder for holder in found if holder.writing]
    if writers:
        if all(holder.program in _SERVERS for holder in writers):
            return f"store {store} is being written by {_names(writers)} - {_stop(writers)}"
        return f"store {store} is being written by {_names(writers)} - wait for it to finish, then retry"
    if found:
        return f"store {store} is open for reading by {_names(found)} - writers need it alone: {_stop(found)}"
    if reading:
        return f"store {store} is being written by another process - wait for it to finish, then retry"
    return (f"store {store} is in use by another process - stop it ('kg serve', 'kg ingest' or another program "
            "with the store open) and retry")


def holders(store: Path) -> tuple[Holder, ...]:
    """The processes holding a lock on ``store``'s ``LOCK`` file, by pid; () where ``/proc`` cannot tell.

    POSIX locks (writers) are listed with their owner in ``/proc/locks``; open file description locks
    (kg's readers) are listed there without one, so they are looked up in each process's descriptors.
    An Oxigraph server started by ``kg serve`` is reported as that ``kg serve``.
    """
    lock_file = store / LOCK_FILE
    try:
        key = _lock_key(lock_file)
        table = (_PROC / "locks").read_text(encoding="ascii", errors="replace")
    except OSError:
        return ()
    locks = list(_parse_locks(table.splitlines(), key))
    if any(pid is None for pid, _ in locks):
        locks += _descriptor_locks(lock_file, key)
    writing: dict[int, bool] = {}
    for pid, write in locks:
        if pid is not None:
            writing[pid] = writing.get(pid, False) or write
    found: dict[int, Holder] = {}
    for pid, write in sorted(writing.items()):
        holder = _describe(pid, write)
        if holder.program is not None and holder.program.startswith("oxigraph"):
            parent = _describe(_parent(pid), write)
            if parent.program == "kg serve":
                holder = parent
        if holder.pid in found:
            holder = Holder(holder.pid, holder.writing or found[holder.pid].writing, holder.program, holder.argv0)
        found[holder.pid] = holder
    return tuple(sorted(found.values(), key=lambda holder: holder.pid))


def program_of(argv: Sequence[str]) -> str | None:
    """The kg command or Oxigraph server a command line runs, or None for any other program.

    >>> program_of(["/venv/bin/kg", "-q", "ingest", "articles/"])
    'kg ingest'
    >>> program_of(["/usr/bin/python3", "-m", "kg", "serve", "--store", "s"])
    'kg serve'
    >>> program_of(["/venv/bin/python3", "/venv/bin/kg", "query", "events"])
    'kg query'
    >>> program_of(["/venv/bin/oxigraph", "serve-read-only", "--location", "s"])
    'oxigraph serve-read-only'
    >>> program_of(["python3", "-c", "import pyoxigraph"]) is None
    True
    """
    if not argv:
        return None
    name, args = Path(argv[0]).name, list(argv[1:])
    if name.startswith("python"):
        while args and args[0].startswith("-") and args[0] != "-m":
            args.pop(0)
        if args[:2] == ["-m", "kg"]:
            name, args = "kg", args[2:]
        elif args and Path(args[0]).name == "kg":
            name, args = "kg", args[1:]
    if name not in ("kg", "oxigraph"):
        return None
    command = next((arg for arg in args if not arg.startswith("-")), None)
    return f"{name} {command}" if command else name


def _lock(store: Path, *, shared: bool) -> StoreLock | None:
    if sys.platform == "win32":  # RocksDB locks differently there and reports conflicts itself
        return None
    lock_file = store / LOCK_FILE
    _check_not_written_here(store, lock_file)
    try:
        fd = os.open(lock_file, os.O_RDONLY if shared else os.O_RDWR)
    except FileNotFoundError:
        return None
    except OSError as error:
        raise StoreError(f"cannot open store {store}: {error.strerror} ({lock_file})") from None
    try:
        _take(fd, shared=shared)
    except OSError as error:
        os.close(fd)
        if error.errno in (errno.EACCES, errno.EAGAIN):
            raise in_use_error(store, reading=shared) from None
        raise StoreError(f"cannot lock store {store}: {error.strerror} ({lock_file})") from None
    return StoreLock(fd)


def _take(fd: int, *, shared: bool) -> None:
    """Lock the whole of ``fd``'s file without waiting: an open file description lock where there are."""
    if sys.platform == "win32":
        return
    ofd = getattr(fcntl, "F_OFD_SETLK", None)
    if ofd is not None:
        kind = fcntl.F_RDLCK if shared else fcntl.F_WRLCK
        try:
            fcntl.fcntl(fd, ofd, struct.pack("hhqqi4x", kind, os.SEEK_SET, 0, 0, 0))  # struct flock, whole file
            return
        except OSError as error:
            if error.errno != errno.EINVAL:  # EINVAL: a kernel older than 3.15
                raise
    fcntl.lockf(fd, (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)


def _check_not_written_here(store: Path, lock_file: Path) -> None:
    """Refuse before opening ``LOCK`` when this process writes the store: closing that descriptor
    again would silently drop the writer's POSIX lock."""
    try:
        key = _lock_key(lock_file)
        table = (_PROC / "locks").read_text(encoding="ascii", errors="replace")
    except OSError:
        return
    posix = [line for line in table.splitlines() if "POSIX" in line.split()]
    if any(pid == os.getpid() for pid, _ in _parse_locks(posix, key)):
        raise StoreError(f"store {store} is already open for writing in this process - close it first")


def _lock_key(lock_file: Path) -> str:
    """The ``MAJOR:MINOR:INODE`` by which ``/proc/locks`` names a file."""
    info = lock_file.stat()
    return f"{os.major(info.st_dev):02x}:{os.minor(info.st_dev):02x}:{info.st_ino}"


def _parse_locks(lines: Sequence[str], key: str) -> Iterator[tuple[int | None, bool]]:
    """(pid or None, writing) of each lock held on ``key`` in ``/proc/locks``-style lines."""
    for line in lines:
        fields = line.split()
        if "->" in fields or key not in fields:  # "->" marks a process waiting, not holding
            continue
        at = fields.index(key)
        pid_text = fields[at - 1]
        yield (int(pid_text) if pid_text.isdigit() else None), fields[at - 2] == "WRITE"


def _descriptor_locks(lock_file: Path, key: str) -> Iterator[tuple[int, bool]]:
    """(pid, writing) of the processes whose open descriptors of ``lock_file`` carry a lock."""
    target = os.path.realpath(lock_file)
    for process in _PROC.iterdir():
        if not process.name.isdigit():
            continue
        try:
            fds = os.listdir(process / "fd")
        except OSError:  # gone, or another user's
            continue
        for fd in fds:
            try:
                if os.readlink(process / "fd" / fd) != target:
                    continue
                info = (process / "fdinfo" / fd).read_text(encoding="ascii", errors="replace")
            except OSError:
                continue
            lines = [line.partition(":")[2] for line in info.splitlines() if line.startswith("lock:")]
            for _, write in _parse_locks(lines, key):
                yield int(process.name), write


def _describe(pid: int, writing: bool) -> Holder:
    try:
        argv = (_PROC / str(pid) / "cmdline").read_bytes().decode(errors="replace").split("\0")
    except OSError:
        return Holder(pid, writing)
    argv = [arg for arg in argv if arg] or ["?"]
    return Holder(pid, writing, program_of(argv), Path(argv[0]).name)


def _parent(pid: int) -> int:
    try:
        stat = (_PROC / str(pid) / "stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return 0
    return int(stat.rpartition(")")[2].split()[1])  # the name in parentheses may hold spaces


def _names(found: Sequence[Holder]) -> str:
    names = [str(holder) for holder in found]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _stop(found: Sequence[Holder]) -> str:
    pids = " ".join(str(holder.pid) for holder in found)
    if len(found) == 1:
        return f"stop it (Ctrl+C in its terminal, or kill {pids}) and retry"
    return f"stop them (Ctrl+C in their terminal, or kill {pids}) and retry"


