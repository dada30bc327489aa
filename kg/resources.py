"""Where kg's packaged data files (ontology, saved queries) live.

In a wheel they are force-included under ``kg/_data/``; in a source checkout they sit at the
repository root. The installed location is tried first.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def _data_dir(name: str) -> Path:
    """Return ``kg/_data/{name}`` if it exists, else ``{repo root}/{name}``."""
    installed = _PACKAGE_DIR / "_data" / name
    if installed.is_dir():
        return installed
    return _PACKAGE_DIR.parent / name


ONTOLOGY_DIR: Path = _data_dir("ontology")
QUERIES_DIR: Path = _data_dir("queries")


def ontology_path() -> Path:
    """Return the path of the OWL ontology ``kg.ttl``."""
    return ONTOLOGY_DIR / "kg.ttl"


def shapes_path() -> Path:
    """Return the path of the SHACL shapes ``shapes.ttl``."""
    return ONTOLOGY_DIR / "shapes.ttl"
