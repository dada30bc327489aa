"""The test suite's own rules: shared helpers live in tests/helpers.py and tests/servers.py, so no test
module imports another test module or conftest.py: such an import ties two test files together and hides
where a helper lives."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).parent


def is_test_module(name: str) -> bool:
    """Whether the dotted module name (possibly relative, with leading dots stripped) is a test module."""
    last = name.rsplit(".", 1)[-1]
    return last.startswith("test_") or last.startswith("conftest")


def imported_test_modules(path: Path) -> list[str]:
    """The test modules (``test_*``, ``conftest*``) that ``path`` imports, as written."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names if is_test_module(alias.name)]
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if is_test_module(module):
                found.append("." * node.level + module)
            elif module in ("", "tests"):  # `from . import test_x`, `from tests import conftest`
                found += ["." * node.level + alias.name for alias in node.names if is_test_module(alias.name)]
    return found


def test_no_test_module_imports_another() -> None:
    offenders = {path.name: names for path in sorted(TESTS.glob("*.py")) if (names := imported_test_modules(path))}
    assert offenders == {}, "move shared helpers to tests/helpers.py"


def test_the_scan_sees_each_form_of_import(tmp_path: Path) -> None:
    forms = ["import tests.test_a", "from tests.conftest import X", "from .test_b import y",
             "from . import test_c", "from tests import conftest", "from tests.helpers import article",
             "from tests import servers"]
    source = tmp_path / "test_x.py"
    source.write_text("\n".join(forms) + "\n")
    assert imported_test_modules(source) == ["tests.test_a", "tests.conftest", ".test_b", ".test_c", "conftest"]
