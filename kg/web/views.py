"""The picture views of the web app: map, actor network and timeline (pages and their JSON).

:data:`ROUTES` is mounted by :func:`kg.web.app.create_app`.
"""

from __future__ import annotations

from starlette.routing import BaseRoute

__all__ = ["ROUTES"]

ROUTES: list[BaseRoute] = []
