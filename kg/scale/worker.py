"""What one Dask task does: read one shard, extract, link and map it, and write its N-Quads part file.

A worker process loads the spaCy pipeline and the linker once, on its first shard, and keeps them for the
next: they are looked up by their options in a module-level cache, never shipped from the client (a
pipeline does not pickle cheaply, and each machine loads its own copy from disk).
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from kg.errors import KgError
from kg.link.sources import default_linker
from kg.nlp.load import load_pipeline
from kg.pipeline import map_articles
from kg.rdf.files import RdfWriter
from kg.rdf.namespaces import Minter
from kg.read.articles import read_articles, read_jsonl_range
from kg.scale.shards import Shard

if TYPE_CHECKING:
    from spacy.language import Language

    from kg.link.linker import Linker


@dataclass(frozen=True)
class ShardJob:
    """The options of a run, the same for every shard (as ``kg extract`` takes them)."""

    out_dir: str
    model: str | None = None
    date: dt.date | None = None
    base: str | None = None
    input_format: str = "auto"
    link: bool = True
    offline: bool = False
    wikidata_endpoint: str | None = None
    min_confidence: float | None = None


@dataclass(frozen=True)
class ShardResult:
    """What a shard wrote: the (id, origin) of each article in the order written, triples, and one line per
    problem, as a single-process run reports it. ``fatal`` is set, and nothing written, when the worker
    cannot run any shard (no model, an output directory it cannot write)."""

    index: int
    articles: tuple[tuple[str, str], ...] = ()
    triples: int = 0
    problems: tuple[str, ...] = ()
    fatal: str | None = None


@functools.cache
def _pipeline(model: str | None) -> Language:
    return load_pipeline(model)


@functools.cache
def _linker(wikidata_endpoint: str | None, offline: bool) -> Linker:
    return default_linker(wikidata_endpoint, offline=offline)


def run_shard(shard: Shard, job: ShardJob) -> ShardResult:
    """Extract one shard into ``job.out_dir / shard.part`` (written whole or not at all).

    Problems of single articles are returned, not raised; a :class:`~kg.errors.KgError` that would fail
    every shard alike comes back as ``fatal``; anything else raises, for Dask to retry the task.
    """
    problems: list[str] = []
    found: list[tuple[str, str]] = []
    triples = 0
    try:
        nlp = _pipeline(job.model)
        linker = _linker(job.wikidata_endpoint, job.offline) if job.link else None
        minter = Minter(job.base) if job.base else Minter()
        if shard.end is None:
            articles = read_articles(shard.paths, date=job.date, input_format=job.input_format,
                                     on_error=lambda error: problems.append(str(error)))
        else:
            articles = read_jsonl_range(Path(shard.paths[0]), shard.start, shard.end, shard.first_line,
                                        date=job.date, on_error=lambda error: problems.append(str(error)))
        graphs = map_articles(articles, nlp, minter, jobs=1, problems=problems, linker=linker,
                              min_confidence=job.min_confidence)
        with RdfWriter(Path(job.out_dir) / shard.part, "nquads") as writer:
            for article, _, quads in graphs:
                triples += writer.write(quads)
                found.append((article.id, article.origin))
    except KgError as exc:
        return ShardResult(shard.index, fatal=str(exc))
    return ShardResult(shard.index, tuple(found), triples, tuple(problems))
