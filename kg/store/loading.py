"""Load article graphs into a target, idempotently: ``ingest`` (articles), ``load`` (RDF files) and
``retract`` (drop articles again), each with a report of what it did."""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from kg.errors import DataError, EndpointUnavailable, KgError, StoreError
from kg.names import counted
from kg.rdf.files import iter_quads, parse_stream
from kg.rdf.graphs import OWN_GRAPHS
from kg.rdf.namespaces import Minter
from kg.rdf.nquads import GraphLines, read_nquads
from kg.store.base import ManifestEntry, Target, manifest_entry, unindexed
from kg.store.embedded import EmbeddedStore, store_path
from kg.store.incidents import rebuild_incidents, update_incidents

log = logging.getLogger("kg")


@dataclass
class LoadReport:
    """What a load did: articles new / replaced / unchanged / failed, triples written, time taken."""

    new: int = 0
    replaced: int = 0
    unchanged: int = 0
    retracted: int = 0
    linked: int = 0
    looked_at: int | None = None  # entities kg link tried to link (None: not a kg link run)
    triples: int = 0
    problems: list[str] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)
    not_loaded: int = 0  # graphs left out when the target became unavailable

    def stop(self, error: KgError, not_loaded: int, rest: int | None) -> None:
        """Record a load stopped by ``error`` with ``not_loaded`` graphs in hand and ``rest`` more after
        them (None: not read), as one problem line that says how to resume."""
        self.not_loaded = not_loaded + (rest or 0)
        unread = "" if rest is not None else ", and the rest of the input not read"
        loaded = counted(self.new + self.replaced + self.unchanged, "graph")
        self.problems.append(f"{error}; {loaded} loaded, "
                             f"{self.not_loaded} not loaded{unread} - once that is fixed, re-run the same command "
                             "to load the rest")

    @property
    def failed(self) -> int:
        """Problems met (bad input, refused writes); each names the file/article and the fix."""
        return len(self.problems)

    def summary(self, target: str) -> str:
        """One line for stderr."""
        seconds = time.monotonic() - self.started
        rate = f" ({self.triples / seconds:,.0f} triples/s)" if self.triples and seconds > 0 else ""
        return (f"{target}: {self.new} new, {self.replaced} replaced, {self.unchanged} unchanged, "
                + (f"{self.retracted} retracted, " if self.retracted else "")
                + (f"{counted(self.looked_at, 'entity', 'entities')} looked at, {self.linked} linked, "
                   if self.looked_at is not None else "")
                + (f"{self.not_loaded} not loaded, " if self.not_loaded else "")
                + f"{self.failed} failed; {counted(self.triples, 'triple')} written in {seconds:.1f} s{rate}")


def open_target(store: str | Path | None = None, endpoint: str | None = None, *, update_endpoint: str | None = None,
                graph_store: str | None = None, create: bool = True, read_only: bool = False) -> Target:
    """The embedded store (``--store``, ``$KG_STORE``, ``./kg-store``) or, with ``endpoint``, that endpoint.

    The embedded store is created unless ``create`` is False. ``read_only`` opens it for reading
    alongside other readers (``kg serve``, another ``kg query``), refusing writes; otherwise it is
    opened to write, which needs it alone. An endpoint is the same either way.

    Raises:
        KgError: the store does not exist (``create=False``), cannot be opened or is held by another
            process (the message names it), or the endpoint cannot be reached.
    """
    if endpoint:
        from kg.store.endpoint import EndpointStore  # requests and SPARQLWrapper: only when needed (0.1 s)

        return EndpointStore(endpoint, update_endpoint, graph_store)
    path = store_path(store)
    opened = EmbeddedStore(path, create=create, read_only=read_only)
    if log.isEnabledFor(logging.INFO):
        size = sum(f.stat().st_size for f in path.iterdir() if f.is_file())
        log.info("store %s (%.1f MB on disk), opened %s", path, size / 1e6, "read-only" if read_only else "to write")
    return opened


def check_indexed(target: Target) -> None:
    """Refuse to query a target whose shared facts are not in its entities graph (rows would miss
    labels, classes and links).

    Raises:
        StoreError: with the command that mends it.
    """
    if unindexed(target):
        where = f"--endpoint {target.name}" if target.name.startswith(("http://", "https://")) else f"--store {target.name}"
        raise StoreError(f"{target.name} holds articles but no entities graph (written by an older kg, or loaded by "
                         f"another tool) - run 'kg reindex {where}' once, then query again")


def reindex(target: Target) -> None:
    """Rebuild ``target``'s entities and incidents graphs from all its graphs (see :mod:`kg.store.base`)."""
    target.reindex()
    rebuild_incidents(target)


class _Stopped(Exception):
    """The target became unavailable: stop loading."""


Graph = GraphLines | tuple[str, Sequence[ox.Quad]]
"""An article graph to load: lines read from N-Quads, or an IRI and quads (:func:`kg.pipeline.ingest`)."""


def load_graphs(target: Target, graphs: Iterable[Graph | None], report: LoadReport, *,
                count_rest: bool = False) -> Iterator[str]:
    """Load article graphs: unchanged ones are skipped, changed ones replaced, new ones added.

    Yields each graph IRI once handled (for progress), in input order. New graphs travel together in
    bounded batches (:meth:`Target.batch_limit` triples: one request to an endpoint, pyoxigraph's bulk
    loader into an empty embedded store); changed ones are replaced one by one. A None in ``graphs``
    says that the input has nothing ready for now (a pipe): the batch in hand is written then.

    A failed graph is one problem of ``report``, and loading goes on; but when the target becomes
    unavailable (:class:`~kg.errors.EndpointUnavailable`: no connection, refused credentials) it stops
    there with one problem line, counting the graphs not loaded (the rest of ``graphs`` too when
    ``count_rest``, which reads them). A re-run then loads only what is missing.

    Once all are loaded, the incidents their events can touch are recomputed (:mod:`kg.store.incidents`).
    """
    remaining = iter(graphs)
    touched: list[str] = []
    try:
        yield from _load(target, remaining, report, touched)
    except _Stopped as stopped:
        error, held, input_done = stopped.args
        rest = 0 if input_done else sum(1 for g in remaining if g is not None) if count_rest else None
        report.stop(error, held, rest)
        return
    update_incidents(target, touched)


def _load(target: Target, graphs: Iterator[Graph | None], report: LoadReport, touched: list[str]) -> Iterator[str]:
    manifest = target.manifest()
    if manifest and unindexed(target):
        target.reindex()
    limit = target.batch_limit(empty=not manifest)
    pending: list[tuple[GraphLines, ManifestEntry]] = []
    size = 0  # triples in pending, with the DROP and 4 manifest triples each costs (or tiny graphs overflow)

    def flush() -> Iterator[str]:
        nonlocal size
        if not pending:
            return
        try:
            target.add_graphs(pending)
        except EndpointUnavailable as exc:
            raise _Stopped(exc, len(pending), False) from None
        except KgError as exc:
            report.problems += [f"{entry.graph}: {exc}" for _, entry in pending]
        else:
            for data, entry in pending:
                manifest[entry.graph] = entry
                touched.append(entry.graph)
                report.triples += len(data)
                report.new += 1
            log.info("loaded %d new graphs (%d triples)", len(pending), sum(len(d) for d, _ in pending))
        done = [entry.graph for _, entry in pending]
        pending.clear()
        size = 0
        yield from done

    def flush_holding_one() -> Iterator[str]:
        """:func:`flush` while one more graph, read from the input, waits: not loaded either if it stops."""
        try:
            yield from flush()
        except _Stopped as stopped:
            error, held, _ = stopped.args
            raise _Stopped(error, held + 1, False) from None

    for item in graphs:
        if item is None:
            yield from flush()
            continue
        data = item if isinstance(item, GraphLines) else GraphLines.of(*item)
        graph = data.graph
        entry = manifest_entry(data)
        old = manifest.get(graph)
        if old is not None and old.content_hash == entry.content_hash:
            report.unchanged += 1  # before the flush: should that stop the load, this graph is there already
            yield from flush()
            yield graph
            continue
        if old is None and len(data) < limit:
            if size + len(data) + 5 > limit:
                yield from flush_holding_one()
            pending.append((data, entry))
            size += len(data) + 5
            continue
        yield from flush_holding_one()
        try:
            target.replace_graph(data, entry)
        except EndpointUnavailable as exc:
            raise _Stopped(exc, 1, False) from None  # the graph in hand
        except KgError as exc:
            report.problems.append(f"{graph}: {exc}")
            yield graph
            continue
        manifest[graph] = entry
        touched.append(graph)
        report.triples += len(data)
        if old is None:
            report.new += 1
        else:
            report.replaced += 1
        yield graph
    try:
        yield from flush()
    except _Stopped as stopped:
        error, held, _ = stopped.args
        raise _Stopped(error, held, True) from None  # the input is all read


STDIN = "-"
LOAD_SUFFIXES = (".nq", ".trig")


def input_files(paths: Iterable[str | Path], problems: list[str]) -> Iterator[str | Path]:
    """The inputs of ``kg load``: a directory stands for its ``*.nq`` and ``*.trig`` files, in name order
    (one with none is a problem: nothing would be loaded without a word)."""
    for item in paths:
        path = Path(item)
        if str(item) != STDIN and path.is_dir():
            files = sorted(p for p in path.iterdir() if p.suffix.lower() in LOAD_SUFFIXES and p.is_file())
            if not files:
                problems.append(f"{path}: no *.nq or *.trig files in this directory - give the directory the "
                                "extraction wrote them to, or the files themselves")
            yield from files
        else:
            yield item


def graphs_in_files(paths: Iterable[str | Path], report: LoadReport, *,
                    stdin_format: str = "nquads") -> Iterator[GraphLines | None]:
    """The named graphs of RDF files (``-``: stdin, in ``stdin_format``), one at a time (a graph's quads
    must be contiguous, as kg writes them); None where a pipe has nothing ready (see :func:`load_graphs`)."""
    for item in input_files(paths, report.problems):
        outside = 0

        def count_outside() -> None:
            nonlocal outside
            outside += 1

        name = "<stdin>" if str(item) == STDIN else str(item)
        try:
            yield from _contiguous(name, _graphs_of(item, stdin_format, report, count_outside), report)
        except KgError as exc:
            report.problems.append(str(exc))
        if outside:
            report.problems.append(f"{name}: {counted(outside, 'triple')} outside any named graph left out - load TriG "
                                   "or N-Quads ('kg extract --format trig' or '-o out.nq')")


def _graphs_of(item: str | Path, stdin_format: str, report: LoadReport,
               outside: Callable[[], None]) -> Iterator[GraphLines | None]:
    """The graphs of one input, as they come (a graph split in two comes twice)."""
    if str(item) == STDIN:
        if stdin_format == "nquads":
            yield from read_nquads(sys.stdin.buffer, "<stdin>", report.problems.append, outside)
            return
        quads: Iterator[ox.Quad] = parse_stream(sys.stdin.buffer, "<stdin>", stdin_format)
    elif Path(item).suffix.lower() == ".nq":
        try:
            with Path(item).open("rb") as stream:
                yield from read_nquads(stream, str(item), report.problems.append, outside)
        except FileNotFoundError:
            raise DataError(f"{item}: no such file - check the path") from None
        except OSError as exc:
            raise DataError(f"{item}: cannot read ({exc.strerror}) - check the permissions") from None
        return
    else:
        quads = iter_quads([item])
    current: str | None = None
    held: list[ox.Quad] = []
    for quad in quads:
        if not isinstance(quad.graph_name, ox.NamedNode):
            outside()
            continue
        if quad.graph_name.value != current:
            if current is not None:
                yield GraphLines.of(current, held)
            current, held = quad.graph_name.value, []
        held.append(quad)
    if current is not None:
        yield GraphLines.of(current, held)


def _contiguous(name: str, graphs: Iterator[GraphLines | None], report: LoadReport) -> Iterator[GraphLines | None]:
    """``graphs`` with the later parts of a graph split in two places left out and reported once."""
    done: set[str] = set()
    split: set[str] = set()
    for data in graphs:
        if data is not None and data.graph in done:
            if data.graph not in split:
                split.add(data.graph)
                report.problems.append(f"{name}: graph <{data.graph}> appears in two places - write each "
                                       "article's quads together (as 'kg extract' does)")
            continue
        if data is not None:
            done.add(data.graph)
        yield data


def load_files(target: Target, paths: Sequence[str | Path], report: LoadReport | None = None, *,
               stdin_format: str = "nquads", on_graph: Callable[[], None] | None = None) -> LoadReport:
    """Load RDF files (TriG / N-Quads with one named graph per article; ``-``: stdin; a directory: its
    ``*.nq`` and ``*.trig`` files) into ``target``; ``on_graph()`` is called as each graph is handled."""
    report = report if report is not None else LoadReport()
    # a dump of a store also holds its manifest, entities and incidents graphs: all are kg's own bookkeeping
    graphs = (g for g in graphs_in_files(paths, report, stdin_format=stdin_format)
              if g is None or g.graph not in OWN_GRAPHS)
    for _ in load_graphs(target, graphs, report, count_rest=True):
        if on_graph is not None:
            on_graph()
    return report


def retract(target: Target, ids: Sequence[str], *, base: str | None = None,
            report: LoadReport | None = None) -> LoadReport:
    """Drop articles (by id or article IRI) and their manifest entries, and recompute the incidents their
    events were in; unknown ones are reported."""
    report = report if report is not None else LoadReport()
    minter = Minter(base) if base else Minter()
    manifest = target.manifest()
    if manifest and unindexed(target):
        target.reindex()
    dropped = []
    for ident in ids:
        graph = ident if ident.startswith(("http://", "https://", "urn:")) else str(minter.article(ident))
        if graph not in manifest:
            report.problems.append(f"article {ident}: not in {target.name} - list them with 'kg query articles'")
            continue
        target.drop_graph(graph)
        dropped.append(graph)
        report.retracted += 1
    update_incidents(target, dropped)
    return report




