"""The picture views of the web app: map, actor network and timeline (pages and their JSON).

:data:`ROUTES` is mounted by :func:`kg.web.app.create_app`. Each page is an empty frame with a filter
form; its script asks ``/api/<view>`` with the page's query string for the data, made by
:mod:`kg.web.pictures` over ``request.app.state.source``. ``kg report`` puts the same data in the page.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from kg.errors import KgError
from kg.web import pictures
from kg.web.templating import templates

__all__ = ["ROUTES"]

COMMON = ("pictures.css", "pictures.js")
ASSETS = {
    "map": ("vendor/leaflet.css", "vendor/MarkerCluster.css", "vendor/MarkerCluster.Default.css", "vendor/leaflet.js",
            "vendor/leaflet.markercluster.js", "vendor/topojson-client.min.js", "map.js"),
    "network": ("vendor/cytoscape.min.js", "network.js"),
    "timeline": ("vendor/vis-timeline-graph2d.min.css", "vendor/vis-timeline-graph2d.min.js", "timeline.js"),
}
"""The stylesheets and scripts of each view under ``kg/web/static``, in load order (``kg report`` inlines them)."""
BASEMAP = {"countries": "vendor/countries-50m.json", "admin1": "vendor/admin1-10m.json"}
"""The basemap's TopoJSON files under ``kg/web/static``: Natural Earth country and admin-1 outlines."""
HEADINGS = {
    "map": ("Map", "Asserted operations, attacks, arrests, raids and meetings at places with coordinates, one marker "
            "per incident however many reports tell of it, coloured by class; click a marker for its date, actors, "
            "casualties, reports and evidence. Places with coordinates are a layer."),
    "network": ("Actor network", "Who opposes, is allied with, member or leader of whom (counted over the articles "
                "stating it), and who acts against whom (counted over asserted incidents). Click an actor for its page."),
    "timeline": ("Timeline", "Dated asserted incidents, policies and statements of a place or an actor; click one "
                 "for its evidence."),
}
CACHE_SIZE = 32
"""The answers a read-only app keeps (the latest asked), so that going back to a view is instant."""
_CACHE_LOCK = threading.Lock()
VIEW_FILTERS = {
    "map": ("from", "to", "class", "place", "actor"),
    "network": ("from", "to", "place"),
    "timeline": ("place", "actor", "from", "to"),
}


def _top(request: Request) -> int:
    try:
        return max(1, min(int(request.query_params.get("top", "")), 5000))
    except ValueError:
        return pictures.NETWORK_TOP


def _page(view: str) -> Callable[[Request], Any]:
    async def page(request: Request) -> Response:
        # a bad value is echoed in the form and told by the view's status line (from its API answer)
        filters = {name: value.strip() for name, value in request.query_params.items()
                   if name in VIEW_FILTERS[view] and value.strip()}
        static = "/static"
        options: dict[str, Any] = {"params": dict(filters)}
        if view == "map":
            options["tiles"] = getattr(request.app.state, "tiles", None)
            options["basemap"] = {key: f"{static}/{path}" for key, path in BASEMAP.items()}
        elif view == "network":
            options["params"]["top"] = str(_top(request))
        files = (*COMMON, *ASSETS[view])
        try:
            names = await run_in_threadpool(pictures.names_data, request.app.state.source)
        except KgError:
            names = {}  # no suggestions; the view's status line tells what is wrong with the store
        return templates.TemplateResponse(request, "_picture_page.html", {
            "view": view, "filters": filters, "names": VIEW_FILTERS[view], "top": _top(request), "suggestions": names,
            "heading": HEADINGS[view][0], "about": HEADINGS[view][1], "static": static, "options": {view: options},
            "sheets": [name for name in files if name.endswith(".css")],
            "scripts": [name for name in files if name.endswith(".js")]})
    return page


def _answer(request: Request, view: str, filters: dict[str, str]) -> dict[str, Any]:
    """The view's data; kept for the next ask when the app says its source cannot change."""
    source = request.app.state.source
    top = _top(request)
    key = (view, tuple(sorted(filters.items())), top if view == "network" else 0)
    # only an app that says it is read-only (app.state.read_write False) is answered from memory
    cache: OrderedDict[tuple[object, ...], dict[str, Any]] | None = None
    if getattr(request.app.state, "read_write", True) is False:
        with _CACHE_LOCK:
            cache = getattr(request.app.state, "pictures_cache", None)
            if cache is None:
                cache = request.app.state.pictures_cache = OrderedDict()
            if key in cache:
                cache.move_to_end(key)
                return cache[key]
    if view == "map":
        data = pictures.map_data(source, filters)
    elif view == "network":
        data = pictures.network_data(source, filters, top=top)
    else:
        data = pictures.timeline_data(source, filters)
    if cache is not None:
        with _CACHE_LOCK:
            cache[key] = data
            while len(cache) > CACHE_SIZE:
                cache.popitem(last=False)
    return data


def _api(view: str) -> Callable[[Request], Any]:
    async def api(request: Request) -> Response:
        try:
            filters = pictures.clean_filters(request.query_params, VIEW_FILTERS[view])
            data = await run_in_threadpool(_answer, request, view, filters)
        except KgError as error:
            return JSONResponse({"error": str(error)}, status_code=400)
        return JSONResponse(data)
    return api


ROUTES: list[BaseRoute] = [
    route
    for view in VIEW_FILTERS
    for route in (Route(f"/{view}", _page(view), name=view), Route(f"/api/{view}", _api(view), name=f"api-{view}"))
]
