"""Progress on long runs with ``rich.progress``: done / total, rate and time left on stderr, when stderr is a
terminal; nothing at all when it is a pipe or a file, or with ``-q``.

>>> list(tracked(["a", "b"], "Reading", quiet=True))
['a', 'b']
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

T = TypeVar("T")
Update = Callable[..., None]


class RateColumn(ProgressColumn):
    """Items per second (rich's own speed column counts bytes)."""

    def __init__(self, unit: str) -> None:
        super().__init__()
        self.unit = unit

    def render(self, task: Task) -> Text:
        """``12.5 articles/s`` once rich has a rate."""
        speed = task.finished_speed or task.speed
        return Text("" if speed is None else f"{speed:,.1f} {self.unit}/s", style="progress.data.speed")


def stderr_console() -> Console:
    """The console progress is drawn on: stderr, so that data on stdout stays clean."""
    return Console(stderr=True)


@contextmanager
def progress_bar(label: str, *, total: int | Callable[[], int | None] | None = None, unit: str = "articles",
                 quiet: bool = False, console: Console | None = None) -> Iterator[Update]:
    """A bar while the block runs; yields ``update(advance=1, total=None)`` to count done items (and to set
    the total once known). Without a total the bar has no end, but still counts and gives the rate. A
    callable ``total`` is called only when the bar is drawn (counting costs a pass over the input).

    >>> with progress_bar("Loading", quiet=True) as update:
    ...     update(2, total=5)
    """
    console = console if console is not None else stderr_console()
    if quiet or not console.is_terminal:
        yield lambda advance=1, total=None: None
        return
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), RateColumn(unit),
               TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn())
    with Progress(*columns, console=console, redirect_stdout=False, redirect_stderr=False) as progress:
        task = progress.add_task(label, total=total() if callable(total) else total)

        def update(advance: int = 1, total: int | None = None) -> None:
            if total is not None:
                progress.update(task, total=total)
            progress.advance(task, advance)

        yield update


def tracked(items: Iterable[T], label: str, *, total: int | Callable[[], int | None] | None = None,
            unit: str = "articles",
            quiet: bool = False, console: Console | None = None) -> Iterator[T]:
    """``items``, counted on a bar as each one comes (see :func:`progress_bar`)."""
    with progress_bar(label, total=total, unit=unit, quiet=quiet, console=console) as update:
        for item in items:
            update()
            yield item
