"""How the web app reads the store: its own queries (``kg/web/queries/*.rq``), pages of rows, and
streams, each run in a worker thread.

Every value is bound through :func:`kg.query.saved.stream_query` (never spliced). A pyoxigraph
result may only be read, and dropped, in the thread that made it: :func:`page` reads the rows it
needs in one thread call, and :func:`stream_lines` runs a whole streamed answer in one thread of its
own that hands lines over a bounded queue.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from itertools import islice
from pathlib import Path

from pyoxigraph import Literal, Store
from starlette.concurrency import run_in_threadpool

from kg.errors import KgError
from kg.query.saved import SavedQuery, Selectable, parse_query_file, stream_query

__all__ = ["QUERIES_DIR", "Page", "Source", "Windows", "fetch", "internal", "page", "stream_lines"]

QUERIES_DIR = Path(__file__).parent / "queries"
PUT_TIMEOUT_S = 0.5
CHUNK_CHARS = 65_536

Source = Store | Selectable


@cache
def internal(name: str) -> SavedQuery:
    """One of the app's own queries, ``kg/web/queries/{name}.rq``.

    >>> [p.name for p in internal("article").params]
    ['id']
    """
    return parse_query_file(QUERIES_DIR / f"{name}.rq")


@dataclass(frozen=True)
class Page:
    """Rows ``offset`` to ``offset + len(rows)`` of an answer, and whether more follow."""

    columns: tuple[str, ...]
    rows: list[tuple[str | None, ...]]
    offset: int
    more: bool

    def records(self) -> list[dict[str, str | None]]:
        """The rows as objects keyed by column."""
        return [dict(zip(self.columns, row, strict=False)) for row in self.rows]


def page(source: Source, query: SavedQuery, params: Mapping[str, str | Literal] | None = None, *, offset: int = 0,
         size: int | None = None) -> Page:
    """Rows ``offset`` to ``offset + size`` of ``query`` (all of them when ``size`` is None), read in
    the calling thread; one more row is read to know whether more follow.

    Raises:
        QueryError: a parameter cannot be bound, or the query fails.

    >>> page(Store(), internal("articles-page"), size=20).rows
    []
    """
    limit = None if size is None else offset + size + 1
    result = stream_query(query, source, params, limit=limit)
    rows = list(islice(result.rows, offset, None))
    more = size is not None and len(rows) > size
    return Page(result.columns, rows[:size] if size is not None else rows, offset, more)


async def fetch(source: Source, query: SavedQuery, params: Mapping[str, str | Literal] | None = None, *, offset: int = 0,
                size: int | None = None) -> Page:
    """:func:`page` in a worker thread."""
    return await run_in_threadpool(page, source, query, params, offset=offset, size=size)


class Windows:
    """The first ``rows`` rows of the last ``entries`` answers, by query and parameters, so that paging
    through a big answer runs its query once, not once a page (a sorted answer is sorted whole before
    its first row). Only for a store that does not change while it is served.

    >>> windows = Windows(rows=2)
    >>> windows.page(Store(), internal("articles-page"), {}, offset=0, size=1).rows
    []
    """

    def __init__(self, rows: int = 5_000, entries: int = 16) -> None:
        self.rows = rows
        self.entries = entries
        self._kept: OrderedDict[tuple[str, tuple[tuple[str, str], ...]], Page] = OrderedDict()
        self._lock = threading.Lock()

    def page(self, source: Source, query: SavedQuery, params: Mapping[str, str], *, offset: int, size: int) -> Page:
        """Rows ``offset`` to ``offset + size`` of ``query``, from the window when they lie in it."""
        if offset + size > self.rows:
            return page(source, query, params, offset=offset, size=size)
        key = (query.name, tuple(sorted(params.items())))
        with self._lock:
            window = self._kept.get(key)
            if window is not None:
                self._kept.move_to_end(key)
        if window is None:
            window = page(source, query, params, size=self.rows)
            with self._lock:
                self._kept[key] = window
                while len(self._kept) > self.entries:
                    self._kept.popitem(last=False)
        more = len(window.rows) > offset + size or window.more
        return Page(window.columns, window.rows[offset : offset + size], offset, more)

    def warm(self, source: Source, queries: Iterable[SavedQuery]) -> threading.Thread:
        """Fill the windows of ``queries`` without parameters, in a background thread, and return it.

        A saved query's first page costs its whole sorted answer: on a 20,000-article store up to tens of
        seconds, once. Paid while nobody waits, it makes every query form's first page instant.
        pyoxigraph lets go of the GIL while it evaluates, so the app keeps answering meanwhile.

        >>> Windows().warm(Store(), [internal("articles-page")]).join()
        """
        def run() -> None:
            for query in queries:
                try:
                    self.page(source, query, {}, offset=0, size=1)
                except KgError as error:  # a query that fails shows its error when asked for, as before
                    log.debug("not kept ahead: %s", error)

        thread = threading.Thread(target=run, name="kg-web-warm", daemon=True)
        thread.start()
        return thread


_END = object()
log = logging.getLogger("kg")


async def stream_lines(make: Callable[[], Iterator[str]]) -> AsyncIterator[str]:
    """The lines ``make()`` yields (newline added), in chunks, produced in a thread of their own.

    An error raised before the first line is raised here, so that the caller can still answer with an
    error status; the producer stops when the consumer goes away.

    Raises:
        KgError: ``make`` failed before its first line.
    """
    lines: queue.Queue[object] = queue.Queue(maxsize=64)
    stop = threading.Event()

    def put(item: object) -> bool:
        while not stop.is_set():
            try:
                lines.put(item, timeout=PUT_TIMEOUT_S)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        chunk: list[str] = []
        size = 0
        try:
            for line in make():
                chunk.append(line + "\n")
                size += len(line) + 1
                if size >= CHUNK_CHARS:
                    if not put("".join(chunk)):
                        return
                    chunk, size = [], 0
            if chunk:
                put("".join(chunk))
        except Exception as error:  # handed to the consumer, which raises it in the request's task
            put(error)
        finally:
            put(_END)

    producer = threading.Thread(target=produce, name="kg-web-stream", daemon=True)
    producer.start()
    first = await run_in_threadpool(lines.get)
    if isinstance(first, Exception):
        stop.set()
        raise first
    return _rest(first, lines, stop)


async def _rest(first: object, lines: queue.Queue[object], stop: threading.Event) -> AsyncIterator[str]:
    item = first
    try:
        while item is not _END:
            if isinstance(item, Exception):
                return  # the status is sent: the answer just ends early
            assert isinstance(item, str)
            yield item
            item = await run_in_threadpool(lines.get)
    finally:
        stop.set()
