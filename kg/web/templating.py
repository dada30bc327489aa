"""The Jinja2 templates of the web app (``kg/web/templates``), shared by every view and by ``kg report``."""

from __future__ import annotations

from pathlib import Path

from starlette.templating import Jinja2Templates

__all__ = ["STATIC_DIR", "TEMPLATES_DIR", "templates"]

TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"

templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
