"""Run ``kg extract`` and ``kg ingest`` on a Dask distributed cluster: one task per shard, each writing one
N-Quads part file, with retries, back-pressure and the same problem lines as a single-process run."""

from __future__ import annotations

import datetime as dt
import logging
import os
import tempfile
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kg.errors import ClusterError, InputError, OutputError
from kg.pipeline import Report
from kg.rdf.namespaces import Minter, check_base
from kg.read.articles import Seen, check_dateline, duplicate_error
from kg.scale.shards import SHARD_LINES, Shard, plan_shards
from kg.scale.worker import ShardJob, ShardResult, run_shard
from kg.store.base import Target
from kg.store.loading import LoadReport, load_files

if TYPE_CHECKING:
    from distributed import Client

TRIES = 3  # a shard whose task raises is run again twice; a worker that dies is replaced by Dask itself
INSTALL = "pip install 'kg-news[cluster]'"
Progress = Callable[[int, int], None]
# A local cluster's processes wake up for diagnostics (event-loop ticks every 20 ms, system and memory monitors)
# nobody looks at here: less often, they cost half the CPU (an idle 2-worker cluster: 0.094 -> 0.05 CPU s/s).
_QUIET = {"distributed.admin.tick.interval": "1s", "distributed.admin.system-monitor.interval": "5s",
          "distributed.worker.memory.monitor-interval": "1s"}
# with no dashboard the scheduler still serves /health on port 8787, and warns when another cluster has it
_ANY_HTTP_PORT = {"dashboard_address": ":0"}


@dataclass
class ClusterReport(Report):
    """A :class:`~kg.pipeline.Report` of a cluster run, with its shards and the part files written."""

    shards: int = 0
    parts: list[Path] = field(default_factory=list)


def extract_on_cluster(inputs: Sequence[str | Path], out_dir: str | Path, address: str, *,
                       model: str | None = None, date: dt.date | None = None, base: str | None = None,
                       input_format: str = "auto", link: bool = True, offline: bool = False,
                       wikidata_endpoint: str | None = None, min_confidence: float | None = None,
                       shard_lines: int = SHARD_LINES, workers: int = 2, report: ClusterReport | None = None,
                       progress: Progress | None = None) -> ClusterReport:
    """Extract ``inputs`` on the Dask cluster at ``address`` into ``out_dir/part-NNNNN.nq``, one file per
    shard (see :func:`kg.scale.shards.plan_shards`); ``local`` or ``local:N`` starts a cluster of ``workers``
    (or N) processes on this machine. Every worker must see the inputs and ``out_dir`` at the same paths.

    Together the part files hold the quads a single-process ``kg extract`` writes. Problems go to ``report``
    as a single-process run reports them (a later copy of an article id is taken out of its part file); a
    shard that still fails after 3 tries is one problem naming its file and lines, and the other shards are
    written. ``progress(done, total)`` is called as shards finish.

    Raises:
        KgError: no input exists, ``base`` or ``date`` cannot be used, ``out_dir`` holds part files of another
            run, the cluster cannot be reached, or its workers cannot run any shard (no model, an output
            directory they cannot write).
    """
    report = report if report is not None else ClusterReport()
    if base:
        check_base(base)
    if date is not None:
        check_dateline(date, "--date")
    missing = [str(item) for item in inputs if str(item) != "-" and not Path(item).exists()]
    if missing and len(missing) == len(inputs):
        raise InputError(f"{', '.join(missing)}: no such file or directory - check the path")
    # workers elsewhere have other working directories: paths go out whole
    shards = plan_shards([item if str(item) == "-" else Path(item).absolute() for item in inputs],
                         shard_lines=shard_lines, input_format=input_format,
                         on_error=lambda error: report.problems.append(str(error)))
    out = _output_directory(Path(out_dir))
    job = ShardJob(str(out.absolute()), model, date, base, input_format, link, offline, wikidata_endpoint,
                   min_confidence)
    report.shards = len(shards)
    minter = Minter(base) if base else Minter()
    seen = Seen()
    with cluster_client(address, workers) as client:
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(f"{out}: cannot create the directory ({exc.strerror}) - check the path") from None
        for done, (shard, outcome) in enumerate(_in_order(client, shards, job), start=1):
            if isinstance(outcome, ShardResult):
                _merge(outcome, out / shard.part, seen, minter, report)
            else:
                report.problems.append(_failure(shard, outcome))
            if progress is not None:
                progress(done, len(shards))
    return report


def ingest_on_cluster(inputs: Sequence[str | Path], target: Target, address: str, *, shards: str | Path | None = None,
                      report: LoadReport | None = None, progress: Progress | None = None,
                      **options: object) -> LoadReport:
    """Extract ``inputs`` on a cluster (as :func:`extract_on_cluster`, with the same ``options``) into
    ``shards`` (default: a temporary directory beside the embedded store, or in the working directory for an
    endpoint, removed afterwards), then load the part files into ``target``.

    Raises:
        KgError: as :func:`extract_on_cluster`.
    """
    report = report if report is not None else LoadReport()
    keep = shards is not None
    where = Path(shards) if shards is not None else Path(tempfile.mkdtemp(prefix=".kg-shards-", dir=_beside(target)))
    try:
        extracted = extract_on_cluster(inputs, where, address, progress=progress, **options)  # type: ignore[arg-type]
        report.problems += extracted.problems
        load_files(target, extracted.parts, report)
    finally:
        if not keep:
            for part in where.glob("*"):
                part.unlink()
            where.rmdir()
    return report


def _beside(target: Target) -> str:
    path = Path(target.name)
    return str(path.parent) if not target.name.startswith(("http://", "https://")) and path.parent.is_dir() else "."


@contextmanager
def cluster_client(address: str, workers: int = 2) -> Iterator[Client]:
    """A Dask client of the scheduler at ``address`` (``tcp://HOST:8786``), or of a cluster of ``workers``
    processes started on this machine for ``local`` (``local:N``: N processes), closed on exit.

    Raises:
        ClusterError: Dask distributed is not installed, or the scheduler cannot be reached.
    """
    try:
        import dask
        from distributed import Client, LocalCluster
    except ImportError:
        raise ClusterError(f"--cluster needs Dask distributed, which is not installed - {INSTALL}") from None
    if logging.getLogger().getEffectiveLevel() > logging.DEBUG:
        # Dask's own chatter (nannies started, comms closed) is not kg's to show, but for -vv
        logging.getLogger("distributed").setLevel(logging.ERROR)
    if address == "local" or address.startswith("local:"):
        count = address.removeprefix("local").removeprefix(":") or str(workers)
        if not count.isdigit() or int(count) < 1:
            raise ClusterError(f"--cluster {address}: write local or local:N with N worker processes, e.g. local:4")
        # one thread per process: spaCy holds the GIL, and BLAS threads would only compete (spaCy#1303)
        with dask.config.set(_QUIET), LocalCluster(n_workers=int(count), threads_per_worker=1, processes=True,
                                                   dashboard_address=None, scheduler_kwargs=_ANY_HTTP_PORT,
                                                   silence_logs=logging.ERROR) as cluster, Client(cluster) as client:
            yield client
        return
    try:
        client = Client(address)
    except (OSError, ValueError, TypeError) as exc:
        raise ClusterError(f"cannot reach the Dask scheduler at {address} ({exc}) - start one ('dask scheduler') "
                           "and give its address, e.g. --cluster tcp://10.0.0.5:8786") from None
    with client:
        yield client


def _output_directory(out: Path) -> Path:
    if str(out) == "-":
        raise OutputError("-o -: with --cluster, -o names a directory for the part files, e.g. -o shards/")
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out}: not a directory - with --cluster, -o names a directory for the part files")
    old = sorted(out.glob("part-*.nq")) if out.is_dir() else []
    if old:
        raise OutputError(f"{out}: holds part files of another run ({old[0].name}, …) - remove them "
                          f"(rm {out}/part-*.nq) or give another directory")
    return out


def _in_order(client: Client, shards: list[Shard],
              job: ShardJob) -> Iterator[tuple[Shard, ShardResult | BaseException]]:
    """Run every shard, at most twice as many at a time as the workers have threads (the rest wait here, as
    small Shard records), and yield the outcomes in shard order: results, or the last error of a failed
    shard.

    Raises:
        ClusterError: a worker cannot run any shard (the run stops).
    """
    from distributed import as_completed

    if not shards:
        return
    token = uuid.uuid4().hex[:8]
    limit = max(2, 2 * sum(client.nthreads().values()))
    waiting = iter(shards)
    by_key: dict[str, Shard] = {}

    def submit(shard: Shard) -> object:
        future = client.submit(run_shard, shard, job, key=f"kg-shard-{shard.index:05d}-{token}",
                               retries=TRIES - 1, pure=False)
        by_key[str(future.key)] = shard
        return future

    running = as_completed([submit(shard) for shard in islice(waiting, limit)])
    finished: dict[int, tuple[Shard, ShardResult | BaseException]] = {}
    suspects: list[Shard] = []
    following = 0
    for future in running:
        shard = by_key.pop(str(future.key))
        outcome = _outcome(future)
        following_shard = next(waiting, None)
        if following_shard is not None:
            running.add(submit(following_shard))
        if _killed(outcome):
            suspects.append(shard)
        else:
            finished[shard.index] = (shard, outcome)
        while following in finished:
            yield finished.pop(following)
            following += 1
    # Dask counts a worker's death against every task it held, also those only waiting there beside the one
    # that killed it: run each such shard again on its own, where it either goes through or is the culprit
    for shard in suspects:
        finished[shard.index] = (shard, _outcome(client.submit(run_shard, shard, job, retries=TRIES - 1, pure=False,
                                                               key=f"kg-shard-{shard.index:05d}-{token}-alone")))
    while following in finished:
        yield finished.pop(following)
        following += 1


def _outcome(future: Any) -> ShardResult | BaseException:
    """A finished task's result, or the error it ended with (its own after its tries, KilledWorker, or
    cancelled).

    Raises:
        ClusterError: the worker cannot run any shard (the run stops).
    """
    try:
        outcome: ShardResult | BaseException = future.result()
    except Exception as exc:
        outcome = exc
    future.release()
    if isinstance(outcome, ShardResult) and outcome.fatal is not None:
        raise ClusterError(f"{outcome.fatal} (on a worker of the cluster: every worker needs the model, the "
                           "inputs and the output directory at the same paths)")
    return outcome


def _killed(outcome: ShardResult | BaseException) -> bool:
    """Whether Dask gave the shard up after its workers died (distributed.scheduler.allowed-failures)."""
    return type(outcome).__name__ == "KilledWorker"


def _merge(result: ShardResult, part: Path, seen: Seen, minter: Minter, report: ClusterReport) -> None:
    """Count a shard's articles and problems; take later copies of article ids out of its part file."""
    report.problems += result.problems
    again = []
    for ident, origin in result.articles:
        first = seen.first(ident, origin)
        if first is not None:
            report.problems.append(str(duplicate_error(ident, origin, first)))
            again.append(ident)
    report.articles += len(result.articles) - len(again)
    report.triples += result.triples - (_drop_graphs(part, {str(minter.article(i)) for i in again}) if again else 0)
    report.parts.append(part)


def _drop_graphs(part: Path, graphs: set[str]) -> int:
    """Rewrite an N-Quads file without the quads of ``graphs`` (its last term on each line); returns how many
    were left out."""
    ends = tuple(f" <{graph}> .\n".encode() for graph in graphs)
    dropped = 0
    fd, name = tempfile.mkstemp(prefix=f".{part.name}.", suffix=".tmp", dir=part.parent)
    with os.fdopen(fd, "wb") as out, part.open("rb") as lines:
        for line in lines:
            if line.endswith(ends):
                dropped += 1
            else:
                out.write(line)
    os.chmod(name, part.stat().st_mode)
    os.replace(name, part)
    return dropped


def _failure(shard: Shard, error: BaseException) -> str:
    if _killed(error):
        failed = "killed its worker process each time it ran on the cluster, also alone"
    else:
        failed = f"failed {TRIES} times on the cluster ({type(error).__name__}: {error})"
    return (f"{shard.where}: {failed} - {shard.part} is not written, the other shards are; see the workers' logs, "
            "fix the cause and run again into an empty directory")
