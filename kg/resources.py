"""Where kg's packaged data lives: the one way every module finds a data file.

Tables and parameters sit in ``kg/data/``. The ontology and the saved queries sit at the repository root
in a source checkout and are force-included under ``kg/_data/`` in a wheel; the installed location is
tried first.

>>> data_path("calibration.json").name
'calibration.json'
>>> ontology_path().name
'kg.ttl'
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

_PACKAGE_DIR = Path(str(files("kg")))


def _shipped_dir(name: str) -> Path:
    """Return ``kg/_data/{name}`` if it exists (a wheel), else ``{repository root}/{name}``."""
    installed = _PACKAGE_DIR / "_data" / name
    if installed.is_dir():
        return installed
    return _PACKAGE_DIR.parent / name


DATA_DIR: Path = _PACKAGE_DIR / "data"
ONTOLOGY_DIR: Path = _shipped_dir("ontology")
QUERIES_DIR: Path = _shipped_dir("queries")


def data_path(name: str) -> Path:
    """Return the path of the packaged data file ``kg/data/{name}``."""
    return DATA_DIR / name


def ontology_path() -> Path:
    """Return the path of the OWL ontology ``kg.ttl``."""
    return ONTOLOGY_DIR / "kg.ttl"


def shapes_path() -> Path:
    """Return the path of the SHACL shapes ``shapes.ttl``."""
    return ONTOLOGY_DIR / "shapes.ttl"
