"""``kg report``: the map, actor network, timeline and tables as one self-contained HTML file, for sharing.

Everything is in the file: the browser libraries, the stylesheets (their images as ``data:`` URIs),
the Natural Earth basemap and the data, so it opens from disk with no network. The data are those of
the web app's views (:mod:`kg.web.pictures`) and the page runs the same scripts, given the data
instead of fetching them. Nothing in it depends on the time it was written: the same store and
filters give a byte-identical file.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from kg.errors import InputError, OutputError
from kg.store.embedded import files_store
from kg.store.loading import check_indexed, open_target
from kg.web import pictures
from kg.web.pictures import Source
from kg.web.templating import STATIC_DIR, templates
from kg.web.views import ASSETS, BASEMAP, COMMON, VIEW_FILTERS

__all__ = ["render_report", "write_report"]

SUFFIXES = (".html", ".htm")
_CSS_IMAGE = re.compile(r"url\((images/[A-Za-z0-9_.-]+\.png)\)")
_SCRIPT_END = re.compile(r"</(script)", re.IGNORECASE)
_JSON_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def _css(name: str) -> str:
    folder = (STATIC_DIR / name).parent

    def data_uri(found: re.Match[str]) -> str:
        encoded = base64.b64encode((folder / found.group(1)).read_bytes()).decode("ascii")
        return f"url(data:image/png;base64,{encoded})"

    return _CSS_IMAGE.sub(data_uri, (STATIC_DIR / name).read_text(encoding="utf-8"))


def _script(text: str) -> str:
    return _SCRIPT_END.sub(r"<\\/\1", text)


def _json(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return re.sub("[<>&\u2028\u2029]", lambda found: _JSON_ESCAPES[found.group(0)], text)


def render_report(source: Source, filters: Mapping[str, str] | None = None) -> str:
    """The report of ``source`` as one HTML page: map, network, timeline, and tables of the located
    events, the edges between actors and the timeline's items.

    ``filters`` are the views' filters (``from``, ``to``, ``place``, ``actor``; ``class`` for the map).

    Raises:
        InputError: a date filter is not a date.
        QueryError: a filter value cannot be bound or the store fails.

    >>> from pyoxigraph import Store
    >>> page = render_report(Store())
    >>> page.startswith("<!doctype html>"), "http://" in page.split("<script")[0]
    (True, False)
    """
    filters = pictures.clean_filters(filters or {})

    def view_filters(view: str) -> dict[str, str]:
        return {name: value for name, value in filters.items() if name in VIEW_FILTERS[view]}

    data = {
        "map": pictures.map_data(source, view_filters("map")),
        "network": pictures.network_data(source, view_filters("network")),
        "timeline": pictures.timeline_data(source, view_filters("timeline")),
        "basemap": {key: json.loads((STATIC_DIR / path).read_text(encoding="utf-8")) for key, path in BASEMAP.items()},
    }
    files = [*COMMON, *(name for view in ("map", "network", "timeline") for name in ASSETS[view])]
    labels = {node["id"]: node["label"] for node in data["network"]["nodes"]}
    return templates.env.get_template("report.html").render(
        filters=filters,
        options={view: {"params": view_filters(view)} for view in VIEW_FILTERS},
        styles=[_css(name) for name in ["app.css", *files] if name.endswith(".css")],
        scripts=[_script((STATIC_DIR / name).read_text(encoding="utf-8")) for name in files if name.endswith(".js")],
        data_script=f"window.KG = {{inline: {_json(data)}}};",
        map=data["map"], network=data["network"], timeline=data["timeline"], labels=labels,
    )


@contextmanager
def _opened(data: Sequence[str | Path], store: str | None, endpoint: str | None) -> Iterator[Source]:
    if data:
        if store or endpoint:
            raise InputError("give either --data FILE… or --store/--endpoint, not both")
        yield files_store(data)
        return
    target = open_target(store, endpoint, create=False, read_only=True)
    try:
        check_indexed(target)
        yield target
    finally:
        target.close()


def write_report(out: Path, *, data: Sequence[str | Path] = (), store: str | None = None, endpoint: str | None = None,
                 filters: Mapping[str, str] | None = None) -> Path:
    """Write the report of RDF files (``data``), an embedded store or an endpoint to ``out``.

    Raises:
        InputError: ``out`` does not end in ``.html`` or ``.htm``, or both files and a store are given.
        OutputError: ``out`` cannot be written.
        KgError: the store cannot be opened or queried (see :func:`render_report`).
    """
    if out.suffix.lower() not in SUFFIXES:
        raise InputError(f"{out}: a report is an HTML file - name it with .html or .htm, e.g. report.html")
    with _opened(data, store, endpoint) as source:
        page = render_report(source, filters)
    try:
        out.write_text(page, encoding="utf-8", newline="\n")
    except OSError as error:
        raise OutputError(f"cannot write {out}: {error.strerror or error}") from error
    return out
