"""Fixtures for real SPARQL servers (see tests/servers.py).

Load with ``pytest_plugins = ["tests.conftest_servers"]``. The session-scoped servers are shared by every
test in the run: write into a graph of your own (e.g. with a uuid in its IRI) and do not rely on the
store being empty. ``fresh_oxigraph`` is a new, empty Oxigraph server for one test.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.servers import OxigraphServer, VirtuosoServer


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
