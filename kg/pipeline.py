"""Wire the stages together: read → extract → map → write, and validate files against the shapes."""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph

from .articles import read_articles
from .errors import DataError, InputError
from .extract import extract, load_pipeline
from .files import RdfWriter, format_for
from .linking import Linker
from .mapping import to_graph
from .model import Article
from .namespaces import Minter
from .resources import ontology_path, shapes_path


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
) -> Iterator[Article]:
    """Extract every article of ``inputs`` into one RDF file (``None`` or ``-``: stdout).

    Yields each article once written, so a caller can show progress; problems go to ``report`` and
    the other articles are still processed. The file appears only when the run finishes. With
    ``min_confidence``, less certain facts are left out (see :meth:`kg.model.Extraction.filtered`).

    Raises:
        KgError: the model or the output cannot be opened (nothing is written then).
    """
    report = report if report is not None else Report()
    graphs = article_graphs(inputs, model=model, date=date, base=base, jobs=jobs, linker=linker,
                            problems=report.problems, min_confidence=min_confidence)
    with RdfWriter(output, format_for(output, fmt)) as writer:
        for article, graph in graphs:
            report.triples += writer.write(graph)
            report.articles += 1
            yield article


def article_graphs(inputs: Sequence[str | Path], *, model: str | None, date: dt.date | None, base: str | None,
                   jobs: int, problems: list[str], linker: Linker | None = None,
                   min_confidence: float | None = None) -> Iterator[tuple[Article, Graph]]:
    """Read, extract (keeping what has at least ``min_confidence``, when given), link (when a linker is
    given) and map articles, streaming; every problem becomes one line in ``problems``.

    Raises:
        KgError: an input path does not exist or the model cannot be loaded (before anything is read).
    """
    for item in inputs:
        if str(item) != "-" and not Path(item).exists():
            # a mistyped path fails the run before anything is read or written, like cp or tar
            raise InputError(f"{item}: no such file or directory - check the path")
    nlp = load_pipeline(model)
    minter = Minter(base) if base else Minter()

    def failure(article: Article, error: Exception) -> None:
        problems.append(f"{article.origin}: extraction failed ({error!r}) - please report this article")

    articles = read_articles(inputs, date=date, on_error=lambda error: problems.append(str(error)))
    for extraction in extract(articles, nlp, n_process=max(1, jobs), on_failure=failure,
                              min_confidence=min_confidence):
        try:
            if linker is not None:
                extraction = linker.link(extraction)
            graph = to_graph(extraction, minter)
        except Exception as exc:  # one article's bad luck must not cost the others
            failure(extraction.article, exc)
            continue
        yield extraction.article, graph


def validate(paths: Iterable[str | Path]) -> list[str]:
    """Check RDF files against ``ontology/shapes.ttl`` with pySHACL (RDFS inference over the ontology).

    Returns one readable line per violation (``file: focus node: message``); empty means valid.

    Raises:
        DataError: a file cannot be parsed.
    """
    import pyshacl
    from rdflib import Dataset, Graph

    shapes = Graph().parse(shapes_path())
    ontology = Graph().parse(ontology_path())
    problems: list[str] = []
    for item in paths:
        path = Path(item)
        data = Dataset(default_union=True)
        try:
            data.parse(path, format=_rdflib_format(path))
        except FileNotFoundError:
            raise DataError(f"{path}: no such file - check the path") from None
        except Exception as exc:
            raise DataError(f"{path}: not valid RDF ({exc}) - is it really {path.suffix} data?") from None
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            conforms, results, _ = pyshacl.validate(data, shacl_graph=shapes, ont_graph=ontology,
                                                    inference="rdfs", allow_warnings=True)
        if conforms:
            continue
        problems += [f"{path}: {line}" for line in _violations(results)]
    return problems


def _violations(results: object) -> list[str]:
    from rdflib import Graph
    from rdflib.namespace import SH

    assert isinstance(results, Graph)
    lines = set()
    for result in results.subjects(SH.resultSeverity, SH.Violation):
        focus = results.value(result, SH.focusNode)
        message = results.value(result, SH.resultMessage)
        lines.add(f"<{focus}>: {message}")
    return sorted(lines)


def _rdflib_format(path: Path) -> str:
    return {".ttl": "turtle", ".trig": "trig", ".nq": "nquads", ".nt": "nt", ".jsonld": "json-ld",
            ".json": "json-ld"}.get(path.suffix.lower(), "turtle")

