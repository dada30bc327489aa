"""Validate RDF files against kg's SHACL shapes (with RDFS inference over the ontology)."""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from rdflib import Graph

from kg.errors import DataError
from kg.resources import ontology_path, shapes_path


def validate(paths: Iterable[str | Path]) -> list[str]:
    """Check RDF files against ``ontology/shapes.ttl`` with pySHACL (RDFS inference over the ontology).

    Returns one readable line per violation (``file: focus node: message``); empty means valid.

    Raises:
        DataError: a file cannot be parsed (the first one; :func:`validate_file` checks one file).
    """
    problems: list[str] = []
    for path in paths:
        problems += validate_file(path)
    return problems


def validate_file(item: str | Path) -> list[str]:
    """The violations of one RDF file, one readable line each (``file: <focus node>: message``).

    >>> validate_file(shapes_path())
    []

    Raises:
        DataError: the file is missing or cannot be parsed (the message names it and the fix).
    """
    import pyshacl
    from rdflib import Dataset

    shapes, ontology = _shapes()
    path = Path(item)
    data = Dataset(default_union=True)
    try:
        data.parse(path, format=_rdflib_format(path))
    except FileNotFoundError:
        raise DataError(f"{path}: no such file - check the path") from None
    except IsADirectoryError:
        raise DataError(f"{path}: is a directory - give the RDF files in it") from None
    except Exception as exc:
        raise DataError(f"{path}: not valid RDF ({exc}) - is it really {path.suffix} data?") from None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        conforms, results, _ = pyshacl.validate(data, shacl_graph=shapes, ont_graph=ontology,
                                                inference="rdfs", allow_warnings=True)
    return [] if conforms else [f"{path}: {line}" for line in _violations(results)]


@cache
def _shapes() -> tuple[Graph, Graph]:
    return Graph().parse(shapes_path()), Graph().parse(ontology_path())


def _violations(results: object) -> list[str]:
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
