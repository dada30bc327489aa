"""The package layout holds: stages import one way (import-linter contracts in pyproject.toml), store and
query start without spaCy, the top level stays small and no module grows past 500 lines."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "kg"


def test_import_contracts_are_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    assert lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True, no_logo=True) == 0


def test_store_and_query_commands_start_without_spacy() -> None:
    code = ("import sys, kg, kg.cli, kg.store.loading, kg.web.server, kg.query.saved, kg.rdf.shapes; "
            "print(sorted(m for m in sys.modules if m == 'spacy' or m.startswith(('kg.nlp', 'kg.extract'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"


def test_top_level_is_small_and_modules_are_short() -> None:
    top = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(top) <= 10, top
    long = {str(p.relative_to(ROOT)): n for p in PACKAGE.rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > 500}
    assert long == {}


def test_every_stage_is_a_package_with_a_docstring() -> None:
    for stage in ("read", "nlp", "extract", "link", "rdf", "store", "query", "evaluate"):
        init = PACKAGE / stage / "__init__.py"
        assert init.read_text(encoding="utf-8").startswith('"""'), stage
