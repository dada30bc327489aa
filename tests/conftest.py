"""Shared fixtures: the real spaCy pipeline (loaded once per session), the test articles, and real SPARQL
servers (see tests/servers.py). Helpers that are not fixtures live in tests/helpers.py.

The session-scoped servers are shared by every test in the run: write into a graph of your own (e.g. with
a uuid in its IRI) and do not rely on the store being empty. ``fresh_oxigraph`` is a new, empty Oxigraph
server for one test. Tests that use a server fixture carry the ``server`` marker.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from spacy.language import Language

from kg.extract.from_doc import extract
from kg.model import Extraction
from kg.nlp.load import load_pipeline
from kg.read.articles import read_articles
from tests.helpers import ARTICLES, DATELINE
from tests.servers import VIRTUOSO_FIX, VIRTUOSO_INI, OxigraphServer, ServerError, VirtuosoServer, ensure_debian_tool


@pytest.fixture(scope="session")
def nlp() -> Language:
    """The installed English pipeline with kg's components, loaded once."""
    return load_pipeline()


@pytest.fixture(scope="session")
def extract_file(nlp: Language):  # type: ignore[no-untyped-def]
    """Extract one test file (first article unless ``index`` says otherwise), dated DATELINE."""
    cache: dict[tuple[str, int], Extraction] = {}

    def run(name: str, index: int = 0) -> Extraction:
        key = (name, index)
        if key not in cache:
            articles = list(read_articles([ARTICLES / name], date=DATELINE))
            cache[key] = next(extract([articles[index]], nlp))
        return cache[key]

    return run


@pytest.fixture(scope="session")
def virtuoso_ini() -> Path:
    """The system's Virtuoso ini (the template of every private instance), installing Virtuoso if missing."""
    ensure_debian_tool("virtuoso-t", "virtuoso-opensource")
    if not VIRTUOSO_INI.is_file():
        raise ServerError(f"Virtuoso is not installed ({VIRTUOSO_INI} missing); fix: {VIRTUOSO_FIX}")
    return VIRTUOSO_INI


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphServer]:
    """One read-write Oxigraph server for the whole session."""
    with OxigraphServer(tmp_path_factory.mktemp("oxigraph")) as server:
        yield server


@pytest.fixture(scope="session")
def virtuoso_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VirtuosoServer]:
    """One private Virtuoso instance for the whole session, with the Digest writer account."""
    # a low row cap, so that kg's paging through Virtuoso's silent result cut is exercised
    with VirtuosoServer(tmp_path_factory.mktemp("virtuoso"), max_rows=1000) as server:
        yield server


@pytest.fixture
def fresh_oxigraph(tmp_path: Path) -> Iterator[OxigraphServer]:
    """A new, empty read-write Oxigraph server for one test."""
    with OxigraphServer(tmp_path / "oxigraph") as server:
        yield server


SERVER_FIXTURES = {"virtuoso_ini", "oxigraph_server", "virtuoso_server", "fresh_oxigraph"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Refuse a test that uses a server fixture without the ``server`` marker, so that
    ``-m "not server"`` really leaves every server out."""
    unmarked = [item.nodeid for item in items
                if SERVER_FIXTURES & set(getattr(item, "fixturenames", ())) and not item.get_closest_marker("server")]
    if unmarked:
        raise pytest.UsageError(f"mark these tests @pytest.mark.server (they use a server fixture): {unmarked}")
