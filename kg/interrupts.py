"""Ctrl+C and SIGTERM: stop the run, its ``--jobs`` workers included, and let every clean-up run."""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import warnings
from collections.abc import Callable
from typing import NoReturn

_stopped_workers = False  # set when an interrupt stopped the workers of --jobs


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised like Ctrl+C so that every clean-up that runs on an interrupt runs on it too."""


def _on_signal(pid: int, interrupt: type[KeyboardInterrupt]) -> Callable[[int, object], None]:
    """The SIGINT or SIGTERM handler of kg's process ``pid``: stop the workers of ``--jobs``, then raise
    ``interrupt`` so that every clean-up runs. In a worker (forked from ``pid``), end at once, quietly,
    as the signal would have it: kg stops the run."""

    def handler(signum: int, frame: object) -> None:
        if os.getpid() != pid:
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)
            return
        # spaCy waits for its workers on the way out, and a worker blocked sending a parse to kg never ends
        global _stopped_workers
        workers = multiprocessing.active_children()
        for worker in workers:
            worker.terminate()
        if workers:
            _stopped_workers = True
            warnings.filterwarnings("ignore", message=r"\[W127\]")  # "not all workers completed": kg stopped them
        raise interrupt

    return handler


def stopped_workers() -> bool:
    """True when an interrupt stopped the workers of ``--jobs``: the process must then end with
    ``os._exit``, as the queues that fed them would wait at exit, for ever, to hand them the rest."""
    return _stopped_workers


def exit_after(interrupt: KeyboardInterrupt) -> NoReturn:
    """End kg after ``interrupt``, as the shell expects: 130 for Ctrl+C, 143 (128 + 15) for SIGTERM."""
    code = 128 + signal.SIGTERM if isinstance(interrupt, Terminated) else 130
    if _stopped_workers:
        # the queues that fed the stopped workers would wait at exit, for ever, to hand them the rest
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    sys.exit(code)


def reader_gone() -> NoReturn:
    """End kg when the reader of its output went away (``kg query … | head``): exit 1, with no traceback now
    or at exit, as the Python documentation on SIGPIPE advises."""
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    sys.exit(1)


def install() -> None:
    """Handle SIGINT and SIGTERM in this process (and its workers), unless someone chose otherwise."""
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        signal.signal(signal.SIGINT, _on_signal(os.getpid(), KeyboardInterrupt))
    if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:  # an ignored SIGTERM (nohup) stays ignored
        signal.signal(signal.SIGTERM, _on_signal(os.getpid(), Terminated))
