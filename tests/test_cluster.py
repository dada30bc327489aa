"""kg extract / ingest on a real Dask distributed cluster: two worker processes on this machine, the real
spaCy model in each, the real CLI in a process of its own. The part files must hold exactly the quads of a
single-process run, whatever the shard boundaries, failures and retries.

Faults are injected from the test, not the product: a worker plugin replaces, in the worker processes only,
the function a shard reads its lines with, by one that kills its process or raises for one chosen range.
"""

from __future__ import annotations

import itertools
import json
import os
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import cloudpickle
import dask
import distributed
import pyoxigraph as ox
import pytest

from kg.read.articles import read_articles, read_jsonl_range
from kg.scale.shards import plan_shards
from kg.store.embedded import EmbeddedStore

ROOT = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "2s"}
TOWNS = ["Lakeside", "Riverton", "Baquba", "Kirkuk", "Mosul", "Hillport", "Tikrit", "Ramadi"]
GROUPS = ["Islamic State", "the Kurdish Peshmerga", "the Iraqi army", "local militias"]
SHARD = ["--shard-lines", "10"]
BAD_LINE = 17  # not JSON: in the second shard
COPY_LINE = 35  # the id of line 3 again: in the fourth shard


def _record(i: int) -> dict[str, str]:
    town, group = TOWNS[i % len(TOWNS)], GROUPS[i % len(GROUPS)]
    return {"id": f"c{i}", "date": f"2025-03-{1 + i % 27:02d}", "title": f"Clashes near {town}",
            "text": f"Fighters of {group} attacked a checkpoint near {town} on Tuesday, killing {i % 9 + 2} "
                    f"soldiers, a police officer in {town} said. The governor of {town} condemned the attack "
                    f"and promised to rebuild the market."}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder of 43 invented articles: a JSON Lines file of 40 lines (one bad, one a second copy of an id)
    and two plain-text files of three: four shards of 10 lines and one of both small files."""
    folder = tmp_path_factory.mktemp("news")
    lines = [json.dumps(_record(i)) for i in range(1, 41)]
    lines[BAD_LINE - 1] = '{"id": "c17", "text": "The record ends too soon'
    lines[COPY_LINE - 1] = json.dumps({**_record(35), "id": "c3"})
    (folder / "a.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "b.txt").write_text("Curfew in Hillport\n\nThe army imposed a curfew in Hillport after a bombing.\n\n\n"
                                  "Talks in Riverton\n\nElders of Riverton met the governor to discuss the "
                                  "return of displaced families.\n", encoding="utf-8")
    (folder / "c.txt").write_text("Bridge reopened in Mosul\n\nEngineers reopened the old bridge in Mosul on "
                                  "Sunday, the city council said.\n", encoding="utf-8")
    return folder


def kg(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """The kg command of this checkout, in a process of its own."""
    return subprocess.run([sys.executable, "-m", "kg", *map(str, args)], capture_output=True, text=True, env=ENV,
                          stdin=subprocess.DEVNULL, timeout=300, check=False)


def errors(result: subprocess.CompletedProcess[str]) -> list[str]:
    assert "Traceback" not in result.stderr, result.stderr
    return [line for line in result.stderr.splitlines() if line.startswith("Error: ")]


def quads(*files: Path) -> list[str]:
    return sorted(line for f in files for line in f.read_text(encoding="utf-8").splitlines())


def dump(store: Path) -> list[str]:
    opened = EmbeddedStore(store, create=False, read_only=True)
    try:
        # the manifest records load times: compare everything else
        return sorted(str(q) for q in opened.store if "manifest" not in str(q.graph_name))
    finally:
        opened.close()


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    """Two worker processes of one thread each, for the whole module (each loads the model once)."""
    # Dask gives a task up after its worker died twice (default: 4 times), to keep the module short
    with pytest.MonkeyPatch.context() as patch, dask.config.set({"distributed.scheduler.allowed-failures": 1}):
        patch.setenv("PYTHONPATH", str(ROOT))  # the workers import this checkout's kg
        # the scheduler's HTTP port: any free one (8787 may be another cluster's)
        with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                      scheduler_kwargs={"dashboard_address": ":0"}, silence_logs=50) as local:
            yield local


@pytest.fixture(scope="module")
def single(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str], str]:
    """A single-process run over the same inputs: its N-Quads file, its Error lines and its counts."""
    out = tmp_path_factory.mktemp("single") / "one.nq"
    result = kg("extract", corpus, "--no-link", "-o", out)
    assert result.returncode == 1, result.stderr
    return out, errors(result), result.stderr.splitlines()[-1].partition(" written")[0]


@pytest.fixture(scope="module")
def sharded(corpus: Path, cluster: Any, tmp_path_factory: pytest.TempPathFactory
            ) -> tuple[Path, subprocess.CompletedProcess[str]]:
    out = tmp_path_factory.mktemp("sharded") / "parts"
    return out, kg("extract", corpus, "--no-link", "--cluster", cluster.scheduler_address, *SHARD, "-o", out)


def test_parts_hold_the_quads_of_a_single_process_run(sharded: tuple[Path, Any], single: tuple[Path, list[str], str]
                                                       ) -> None:
    out, result = sharded
    assert sorted(p.name for p in out.iterdir()) == [f"part-{i:05d}.nq" for i in range(5)]
    assert quads(*sorted(out.glob("part-*.nq"))) == quads(single[0])
    assert single[2].startswith("41 articles, ")
    assert result.stderr.splitlines()[-1] == f"{single[2]} written to {out}; 2 failed"


def test_a_bad_record_and_a_second_copy_of_an_id_are_reported_as_in_a_single_process_run(
        sharded: tuple[Path, Any], single: tuple[Path, list[str], str], corpus: Path) -> None:
    _, result = sharded
    assert result.returncode == 1
    file = corpus / "a.jsonl"
    assert errors(result) == single[1] == [
        f"Error: {file}: line {BAD_LINE}: not valid JSON (Invalid control character at) - write one JSON "
        "object per line",
        f"Error: {file}: line {COPY_LINE}: article id 'c3' was already read at {file}: line 3 - this copy is left "
        "out; give every article its own id"]


def test_ingest_on_a_local_cluster_and_load_of_the_parts_give_the_single_process_store(
        corpus: Path, sharded: tuple[Path, Any], tmp_path: Path) -> None:
    reference, loaded, clustered = tmp_path / "reference", tmp_path / "loaded", tmp_path / "clustered"
    assert kg("ingest", corpus, "--no-link", "--store", reference).returncode == 1  # the two bad lines
    assert kg("load", *sorted(sharded[0].glob("*.nq")), "--store", loaded).returncode == 0
    result = kg("ingest", corpus, "--no-link", "--cluster", "local:2", *SHARD, "--store", clustered)
    assert result.returncode == 1 and len(errors(result)) == 2, result.stderr
    assert result.stderr.splitlines()[-1].startswith(f"{clustered}: 41 new, 0 replaced")
    assert dump(loaded) == dump(reference) == dump(clustered)
    assert not list(tmp_path.glob(".kg-shards-*"))  # the temporary part files are gone


def _replace_range_reader(when: Callable[[int, Path], bool], action: Callable[[Path], None]) -> Any:
    """A worker plugin that, in each worker process, runs ``action`` before a shard of the given first line
    (and marker path) is read; its teardown puts the real reader back. Local class: pickled by value."""

    class Fault(distributed.WorkerPlugin):
        name = "kg-test-fault"

        def __init__(self, marker: Path) -> None:
            self.marker = marker

        def setup(self, worker: Any) -> None:
            import kg.scale.worker as module

            real = module.read_jsonl_range
            marker = self.marker

            def faulty(path: Path, start: int, end: int, first_line: int, **kwargs: Any) -> Any:
                if when(first_line, marker):
                    action(marker)
                return real(path, start, end, first_line, **kwargs)

            faulty.real = real
            module.read_jsonl_range = faulty

        def teardown(self, worker: Any) -> None:
            import kg.scale.worker as module

            module.read_jsonl_range = getattr(module.read_jsonl_range, "real", module.read_jsonl_range)

    return Fault


def _die_once(marker: Path) -> None:
    marker.touch()
    os._exit(1)


@pytest.fixture
def fault(cluster: Any) -> Iterator[Callable[[Any, Path], None]]:
    """Install a fault in the cluster's workers for one test."""
    # the workers need not import this test module: its functions travel whole
    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    try:
        with distributed.Client(cluster) as client:
            def install(plugin: Any, marker: Path) -> None:
                client.register_plugin(plugin(marker))

            yield install
            client.unregister_worker_plugin("kg-test-fault")
    finally:
        cloudpickle.unregister_pickle_by_value(sys.modules[__name__])


def test_a_worker_killed_in_a_shard_is_replaced_and_the_shard_run_again(
        corpus: Path, cluster: Any, fault: Callable[[Any, Path], None], single: tuple[Path, list[str], str],
        tmp_path: Path) -> None:
    marker = tmp_path / "killed"
    fault(_replace_range_reader(lambda first, m: first == 21 and not m.exists(), _die_once), marker)
    out = tmp_path / "parts"
    result = kg("extract", corpus, "--no-link", "--cluster", cluster.scheduler_address, *SHARD, "-o", out)
    assert marker.exists()  # a worker did die in the third shard
    assert errors(result) == single[1]
    assert quads(*sorted(out.glob("part-*.nq"))) == quads(single[0])


def _fail_each_time(marker: Path) -> None:
    with marker.open("a", encoding="utf-8") as tries:
        tries.write("try\n")
    raise RuntimeError("the disk of this worker failed")


def _die_each_time(marker: Path) -> None:
    with marker.open("a", encoding="utf-8") as tries:
        tries.write("try\n")
    os._exit(1)


@pytest.mark.parametrize(("action", "shard", "tries", "failed"), [
    (_fail_each_time, 2, 3, "failed 3 times on the cluster (RuntimeError: the disk of this worker failed)"),
    # the test cluster gives a task up after its worker died twice; kg then runs it alone, twice more
    (_die_each_time, 3, 4, "killed its worker process each time it ran on the cluster, also alone"),
], ids=["raises", "kills its worker"])
def test_a_shard_that_always_fails_is_one_error_naming_its_lines_and_the_others_are_written(
        corpus: Path, cluster: Any, fault: Callable[[Any, Path], None], tmp_path: Path,
        action: Callable[[Path], None], shard: int, tries: int, failed: str) -> None:
    first = shard * 10 + 1
    fault(_replace_range_reader(lambda line, m: line == first, action), tmp_path / "tries")
    out = tmp_path / "parts"
    result = kg("extract", corpus, "--no-link", "--cluster", cluster.scheduler_address, *SHARD, "-o", out)
    assert result.returncode == 1
    assert [line for line in errors(result) if f"lines {first}-" in line] == [
        f"Error: {corpus / 'a.jsonl'}: lines {first}-{first + 9}: {failed} - part-{shard:05d}.nq is not written, the "
        "other shards are; see the workers' logs, fix the cause and run again into an empty directory"]
    assert sorted(p.name for p in out.iterdir()) == [f"part-{i:05d}.nq" for i in range(5) if i != shard]
    assert (tmp_path / "tries").read_text(encoding="utf-8").count("try") == tries


def test_an_unreachable_scheduler_is_one_error_line(corpus: Path, tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        address = f"tcp://127.0.0.1:{probe.getsockname()[1]}"  # nothing listens there
    result = kg("extract", corpus, "--cluster", address, "-o", tmp_path / "parts")
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"Error: cannot reach the Dask scheduler at {address} ("), lines
    assert lines[0].endswith("- start one ('dask scheduler') and give its address, e.g. --cluster "
                             "tcp://10.0.0.5:8786")


def test_parts_of_another_run_are_not_mixed_in(corpus: Path, tmp_path: Path) -> None:
    (tmp_path / "parts").mkdir()
    (tmp_path / "parts" / "part-00007.nq").write_text("", encoding="utf-8")
    result = kg("extract", corpus, "--cluster", "local:1", "-o", tmp_path / "parts")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [f"Error: {tmp_path / 'parts'}: holds part files of another run "
                                          f"(part-00007.nq, …) - remove them (rm {tmp_path / 'parts'}/part-*.nq) "
                                          "or give another directory"]


def test_without_dask_cluster_says_what_to_install(corpus: Path, tmp_path: Path) -> None:
    code = ("import sys; sys.modules['distributed'] = None; from kg.cli import main; "
            f"sys.argv = ['kg', 'extract', {str(corpus)!r}, '--cluster', 'local', '-o', {str(tmp_path / 'p')!r}]; "
            "main()")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=ENV, check=False,
                            timeout=60)
    assert result.returncode == 1
    assert result.stderr.splitlines() == ["Error: --cluster needs Dask distributed, which is not installed - pip "
                                          "install 'kg-news[cluster]'"]


@pytest.mark.parametrize("lines", [1, 3, 10, 39])
@pytest.mark.parametrize("ending", ["\n", ""])
def test_ranges_read_every_line_once_with_the_file_s_own_numbers(corpus: Path, tmp_path: Path, lines: int,
                                                                 ending: str) -> None:
    data = (corpus / "a.jsonl").read_text(encoding="utf-8").rstrip("\n") + ending
    path = tmp_path / "a.jsonl"
    path.write_text(data, encoding="utf-8")
    whole: list[str] = []
    expected = [(a.id, a.origin) for a in read_articles([path], on_error=lambda e: whole.append(str(e)))]
    shards = plan_shards([path], shard_lines=lines, on_error=pytest.fail)
    assert shards[0].first_line == 1 and shards[-1].last_line == 40
    assert all(a.last_line + 1 == b.first_line and a.end == b.start for a, b in itertools.pairwise(shards))
    problems: list[str] = []
    got = [(a.id, a.origin) for s in shards
           for a in (read_jsonl_range(path, s.start, s.end, s.first_line, on_error=lambda e: problems.append(str(e)))
                     if s.end is not None else read_articles([path], on_error=lambda e: problems.append(str(e))))]
    # ids are compared across ranges by the client, not the reader: leave the second copy out here
    assert [g for g in got if g[1] != f"{path}: line {COPY_LINE}"] == expected
    assert [p for p in problems if "already read" not in p] == [p for p in whole if "already read" not in p]


def test_a_file_in_utf16_is_one_shard(tmp_path: Path) -> None:
    path = tmp_path / "w.jsonl"
    path.write_text("".join(json.dumps(_record(i)) + "\n" for i in range(30)), encoding="utf-16")
    shards = plan_shards([path], shard_lines=10, on_error=pytest.fail)
    assert [(s.paths, s.end) for s in shards] == [((str(path),), None)]


def test_small_files_are_grouped_in_order_up_to_the_shard_size(tmp_path: Path) -> None:
    for name in "abcde":
        (tmp_path / f"{name}.txt").write_text(f"News from {name}.\n", encoding="utf-8")
    (tmp_path / "f.jsonl").write_text("".join(json.dumps(_record(i)) + "\n" for i in range(3)), encoding="utf-8")
    shards = plan_shards([tmp_path], shard_lines=2, on_error=pytest.fail)
    assert [[Path(p).name for p in s.paths] for s in shards] == [["a.txt", "b.txt"], ["c.txt", "d.txt"],
                                                                 ["e.txt"], ["f.jsonl"], ["f.jsonl"]]
    assert [s.where.removeprefix(f"{tmp_path}/") for s in shards[2:]] == ["e.txt", "f.jsonl: lines 1-2",
                                                                          "f.jsonl: lines 3-3"]


def test_stdin_is_refused(tmp_path: Path) -> None:
    result = kg("extract", "-", "--cluster", "local:1", "-o", tmp_path / "parts")
    assert errors(result) == ["Error: -: a cluster reads files, not stdin - save the articles to a file that every "
                              "worker can read (a shared mount), or leave out --cluster"]
    assert result.returncode == 1


def test_part_files_are_n_quads(sharded: tuple[Path, Any]) -> None:
    for part in sorted(sharded[0].glob("*.nq")):
        assert len(list(ox.parse(path=str(part), format=ox.RdfFormat.N_QUADS))) > 0
