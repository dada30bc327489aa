"""Wire the stages together: read → extract → map → write, and validate files against the shapes."""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from kg.errors import InputError
from kg.extract.from_doc import extract
from kg.link.linker import Linker
from kg.model import Article
from kg.names import counted
from kg.nlp.load import load_pipeline, model_name
from kg.rdf.files import RdfWriter, format_for
from kg.rdf.mapping import to_quads
from kg.rdf.namespaces import Minter, check_base
from kg.read.articles import check_dateline, read_articles
from kg.store.base import Target
from kg.store.loading import LoadReport, load_graphs

if TYPE_CHECKING:
    from spacy.language import Language

log = logging.getLogger(__name__)


@dataclass
class Report:
    """What a run did: articles written, triples, and one line per problem (file/article + fix)."""

    articles: int = 0
    triples: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def failed(self) -> int:
        """Number of problems (bad files, bad records, articles that could not be extracted)."""
        return len(self.problems)

    def summary(self, output: str | Path) -> str:
        """One line for stderr.

        >>> Report(articles=1, triples=2).summary("-")
        '1 article, 2 triples written to stdout; 0 failed'
        """
        where = "stdout" if str(output) == "-" else output
        return f"{counted(self.articles, 'article')}, {counted(self.triples, 'triple')} written to {where}; " \
               f"{self.failed} failed"


def extract_file(
    inputs: Sequence[str | Path],
    output: str | Path | None,
    *,
    fmt: str | None = None,
    model: str | None = None,
    date: dt.date | None = None,
    base: str | None = None,
    jobs: int = 1,
    linker: Linker | None = None,
    report: Report | None = None,
    min_confidence: float | None = None,
    input_format: str = "auto",
) -> Iterator[Article]:
    """Extract every article of ``inputs`` into one RDF file (``None`` or ``-``: stdout).

    Yields each article once written, so a caller can show progress; problems go to ``report`` and
    the other articles are still processed. The file appears only when the run finishes. With
    ``min_confidence``, less certain facts are left out (see :meth:`kg.model.Extraction.filtered`).
    ``input_format`` is as for :func:`kg.read.articles.read_articles`.

    Raises:
        KgError: no input exists, ``base`` or ``date`` cannot be used, or the model or the output cannot
            be opened (nothing is written then).
    """
    report = report if report is not None else Report()
    fmt = format_for(output, fmt)
    graphs = article_quads(inputs, model=model, date=date, base=base, jobs=jobs, linker=linker,
                           problems=report.problems, min_confidence=min_confidence, input_format=input_format)
    with RdfWriter(output, fmt) as writer:
        for article, _, quads in graphs:
            report.triples += writer.write(quads)
            report.articles += 1
            yield article


def article_quads(inputs: Sequence[str | Path], *, model: str | None, date: dt.date | None, base: str | None,
                  jobs: int, problems: list[str], linker: Linker | None = None,
                  min_confidence: float | None = None,
                  input_format: str = "auto") -> Iterator[tuple[Article, str, list[ox.Quad]]]:
    """Read, extract (keeping what has at least ``min_confidence``, when given), link (when a linker is
    given) and map articles, streaming: (article, graph IRI, quads); every problem (a missing path, a bad
    record, a duplicate id) becomes one line in ``problems`` and the other articles are still processed.

    Raises:
        KgError: none of the inputs exists, ``base`` or ``date`` cannot be used, or the model cannot be
            loaded (before anything is read).
    """
    missing = [str(item) for item in inputs if str(item) != "-" and not Path(item).exists()]
    if missing and len(missing) == len(inputs):
        # nothing at all to read: fail before loading the model, and before an output file is made
        raise InputError(f"{', '.join(missing)}: no such file or directory - check the path")
    minter = Minter(check_base(base)) if base else Minter()
    if date is not None:
        check_dateline(date, "--date")
    started = time.monotonic()
    nlp = load_pipeline(model)
    log.info("spaCy pipeline %s loaded in %.1f s (%s)", model_name(nlp), time.monotonic() - started,
             ", ".join(nlp.pipe_names))
    articles = read_articles(inputs, date=date, input_format=input_format,
                             on_error=lambda error: problems.append(str(error)))
    # the checks above run on the call, before a caller opens its output
    return map_articles(articles, nlp, minter, jobs=jobs, problems=problems, linker=linker,
                        min_confidence=min_confidence)


def map_articles(articles: Iterable[Article], nlp: Language, minter: Minter, *, jobs: int, problems: list[str],
                 linker: Linker | None = None,
                 min_confidence: float | None = None) -> Iterator[tuple[Article, str, list[ox.Quad]]]:
    """Extract, link and map articles already read, streaming: (article, graph IRI, quads), as
    :func:`article_quads` does; an article that fails becomes one line in ``problems``."""

    def failure(article: Article, error: Exception) -> None:
        problems.append(f"{article.origin}: extraction failed ({error!r}) - please report this article")

    for extraction in extract(articles, nlp, n_process=max(1, jobs), on_failure=failure,
                              min_confidence=min_confidence):
        try:
            linked = linker.link(extraction) if linker is not None else extraction
            mapped = to_quads(linked, minter)
        except Exception as exc:  # one article's bad luck must not cost the others
            failure(extraction.article, exc)
            continue
        yield linked.article, str(minter.article(linked.article.id)), mapped


def ingest(inputs: Sequence[str | Path], target: Target, *, model: str | None = None, date: dt.date | None = None,
           base: str | None = None, jobs: int = 1, linker: Linker | None = None,
           report: LoadReport | None = None, min_confidence: float | None = None,
           input_format: str = "auto") -> Iterator[Article]:
    """Extract articles (keeping what has at least ``min_confidence``, when given) and load each one's
    graph into ``target``; yields each article once loaded. Problems go to ``report`` as in
    :func:`article_quads`."""
    report = report if report is not None else LoadReport()
    extracted = article_quads(inputs, model=model, date=date, base=base, jobs=jobs, linker=linker,
                              problems=report.problems, min_confidence=min_confidence, input_format=input_format)
    loaded: list[Article] = []

    def graphs() -> Iterator[tuple[str, Sequence[ox.Quad]]]:
        for article, graph, quads in extracted:
            loaded.append(article)
            yield graph, quads

    for _ in load_graphs(target, graphs(), report):
        yield loaded.pop(0)


LINKS_GRAPH = "https://w3id.org/kg-news/links"


_UNLINKED = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX owl:  <http://www.w3.org/2002/07/owl#>
SELECT DISTINCT ?entity ?class ?label ?alias WHERE {
  ?entity a ?class ; rdfs:label ?label .
  FILTER(STRSTARTS(STR(?class), "https://w3id.org/kg-news/ns#"))
  FILTER NOT EXISTS { ?entity owl:sameAs ?item }
  OPTIONAL { ?entity skos:altLabel ?alias }
}"""


def relink(target: Target, linker: Linker, report: LoadReport | None = None) -> LoadReport:
    """Link the entities of a store that have no Wikidata link yet; the links go to one graph of their own
    (``https://w3id.org/kg-news/links``), replaced as a whole on each run."""
    from kg.model import Entity, Extraction
    from kg.rdf.mapping import link_triples

    report = report if report is not None else LoadReport()
    _, rows = target.select(_UNLINKED, {})
    found: dict[str, tuple[str, str, set[str]]] = {}
    for entity, cls, label, alias in rows:
        if entity is None or cls is None or label is None:
            continue
        local = cls.value.rsplit("#", 1)[1]
        current = found.setdefault(entity.value, (local, label.value, set()))
        if alias is not None:
            current[2].add(alias.value)
    entities = tuple(Entity("iri", iri, label, cls, tuple(sorted(aliases)))
                     for iri, (cls, label, aliases) in sorted(found.items()))
    linked = linker.link(Extraction(Article(id="relink", text=""), model="", entities=entities))
    existing = target.manifest().get(LINKS_GRAPH)
    previous: list[ox.Quad] = []
    if existing is not None:
        _, old = target.select(f"SELECT ?s ?p ?o WHERE {{ GRAPH <{LINKS_GRAPH}> {{ ?s ?p ?o }} }}", {})
        previous = [ox.Quad(s, p, o, ox.NamedNode(LINKS_GRAPH)) for s, p, o in old  # type: ignore[arg-type]
                    if s is not None and p is not None and o is not None]
    graph = ox.NamedNode(LINKS_GRAPH)
    quads = previous + [ox.Quad(s, p, o, graph) for link in linked.links
                        for s, p, o in link_triples(link.entity[1], link)]
    quads = sorted(set(quads), key=lambda q: (str(q.subject), str(q.predicate), str(q.object)))
    for _ in load_graphs(target, [(LINKS_GRAPH, quads)], report):
        pass
    report.linked = len(linked.links)
    report.looked_at = len(entities)
    return report
