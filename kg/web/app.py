"""The web app: :func:`create_app` puts the pages, their JSON, the SPARQL protocol endpoint, the picture
views (:data:`kg.web.views.ROUTES`) and the vendored static files on one Starlette app over a store.

Every handler reads ``request.app.state.source`` (a read-only pyoxigraph store, or a kg endpoint
target) through :mod:`kg.web.data`; nothing is fetched from the network.
"""

from __future__ import annotations

from pyoxigraph import Store
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from kg.errors import KgError, one_line
from kg.web import pages, sparql
from kg.web.data import Source, Windows
from kg.web.templating import STATIC_DIR
from kg.web.views import ROUTES

__all__ = ["create_app"]


async def _kg_error(request: Request, error: Exception) -> Response:
    """A library error reaching the app is the client's (a bad parameter, a query that fails): 400, one line."""
    return PlainTextResponse(one_line(error) + "\n", status_code=400)


async def _no_icon(request: Request) -> Response:
    """Browsers ask for an icon on every page; there is none, and no error either."""
    return Response(status_code=204)


def create_app(source: Source, *, read_write: bool = False, tiles: str | None = None) -> Starlette:
    """The workbench over ``source``: a pyoxigraph store (opened read-only unless ``read_write``) or
    a kg endpoint target.

    ``tiles`` is a tile URL template for the map (``https://…/{z}/{x}/{y}.png``); None keeps to the
    basemap shipped with kg.

    >>> from pyoxigraph import Store
    >>> app = create_app(Store())
    >>> sorted(route.path for route in app.routes if route.path.startswith("/api/"))
    ['/api/map', '/api/network', '/api/queries/{name}', '/api/suggest/{param}', '/api/timeline']
    """
    routes = [
        Route("/", pages.home, name="home"),
        Route("/queries", pages.queries, name="queries"),
        Route("/queries/{name}", pages.query_form, name="query"),
        Route("/api/queries/{name}", pages.query_rows, name="query_rows"),
        Route("/api/suggest/{param}", pages.suggest, name="suggest"),
        Route("/articles", pages.articles, name="articles"),
        Route("/article/{article_id:path}", pages.article, name="article"),
        Route("/entity", pages.entity, name="entity"),
        Route("/sparql", sparql.editor, name="sparql"),
        Route("/query", sparql.protocol, methods=["GET", "POST"], name="protocol"),
        Route("/update", sparql.update, methods=["GET", "POST"], name="update"),
        Route("/favicon.ico", _no_icon),
        *ROUTES,
        Mount("/static", app=StaticFiles(directory=str(STATIC_DIR)), name="static"),
    ]
    app = Starlette(routes=routes, exception_handlers={KgError: _kg_error})
    app.state.source = source
    app.state.read_write = read_write
    app.state.tiles = tiles
    # a store opened read-only does not change while it is served: pages of its answers may be kept
    app.state.windows = Windows() if isinstance(source, Store) and not read_write else None
    return app
