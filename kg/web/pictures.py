"""The data behind the map, the actor network and the timeline: plain functions ``(source, filters) -> dict``.

Used by the web app's JSON routes (:mod:`kg.web.views`) and by ``kg report`` (:mod:`kg.web.report`),
so that both show the same thing. Each runs the app's own queries (``kg/web/queries/*.rq``) or a
saved query with :func:`kg.query.saved.stream_query`: filter values are bound, never spliced.
The answers are plain JSON-ready dicts whose order follows the queries' ``ORDER BY``, so the same
store gives the same dict.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Any, TypeAlias

from pyoxigraph import Store

from kg.errors import InputError
from kg.link.wikidata import parse_point
from kg.query.saved import KG_NS, SavedQuery, Selectable, load_query, parse_query_file, stream_query

__all__ = [
    "FILTERS",
    "MAP_EVENT_LIMIT",
    "NETWORK_TOP",
    "TIMELINE_LIMIT",
    "clean_filters",
    "map_data",
    "names_data",
    "network_data",
    "timeline_data",
]

Source: TypeAlias = Store | Selectable
Json: TypeAlias = dict[str, Any]

QUERIES = Path(__file__).parent / "queries"
FILTERS = ("from", "to", "place", "actor", "class")
"""The filter names the views accept, named as the saved queries' parameters."""
MAP_EVENT_LIMIT = 2000
"""Above this many located events the map shows one marker per place and class, with its count."""
NETWORK_TOP = 150
"""The heaviest edges the network shows by default."""
TIMELINE_LIMIT = 500
"""The latest items the timeline shows (``LIMIT 501`` in ``kg/web/queries/timeline.rq``)."""

NAMES_LIMIT = 5000
"""The most place and actor names a filter form suggests."""
EVENT_CLASSES = ("SearchOperation", "MilitaryOperation", "Attack", "RocketAttack", "Bombing", "Assassination",
                 "Airstrike", "Clash", "Arrest", "Raid", "Meeting")
"""The classes of the events on the map (the ``VALUES ?class`` of ``kg/web/queries/map-events.rq``)."""

_DATE_BOUND = re.compile(r"[0-9]{4}(?:-[0-9]{2}(?:-[0-9]{2})?)?")
# an entity typed with one of these and a subclass of it is shown as the subclass
_GENERIC = {KG_NS + name for name in ("Actor", "Organization", "Location", "Agent")}


@cache
def _query(name: str) -> SavedQuery:
    return parse_query_file(QUERIES / f"{name}.rq")


def clean_filters(given: Mapping[str, str], names: Iterable[str] = FILTERS) -> dict[str, str]:
    """The filters among ``given`` (e.g. a request's query string) that a view takes, blank ones left out.

    Raises:
        InputError: ``from`` or ``to`` is not a date, month or year.

    >>> clean_filters({"from": "2025-01", "place": " ", "top": "5", "actor": "ISIS "})
    {'from': '2025-01', 'actor': 'ISIS'}
    """
    wanted = set(names)
    filters = {name: value.strip() for name, value in given.items() if name in wanted and value.strip()}
    for name in ("from", "to"):
        if name in filters and _DATE_BOUND.fullmatch(filters[name]) is None:
            raise InputError(f"{name} '{filters[name]}' is not a date - write YYYY-MM-DD, YYYY-MM or YYYY")
    return filters


def _reported(source: Source, filters: Mapping[str, str]) -> dict[str, str]:
    """``filters`` for the views' event queries: they read the asserted incidents of the incidents
    graph, or, in a store without one (written before it; ``kg reindex`` builds it), every event node
    (the ``events`` parameter of ``kg/web/queries/map-events.rq``)."""
    if any(True for _ in _rows(_query("incidents-graph"), source, {})):
        return dict(filters)
    return {**filters, "events": "all"}


def _params(query: SavedQuery, filters: Mapping[str, str]) -> dict[str, str]:
    declared = {param.name for param in query.params}
    return {name: value for name, value in filters.items() if name in declared}


def point(wkt: str | None) -> tuple[float, float] | None:
    """(latitude, longitude) of a WKT point, as GeoSPARQL writes it (longitude first).

    >>> point("<http://www.opengis.net/def/crs/OGC/1.3/CRS84> POINT(44.95 33.77)")
    (33.77, 44.95)
    >>> point("LINESTRING(0 0, 1 1)") is None
    True
    """
    found = parse_point(wkt or "")
    return None if found is None else (found[1], found[0])


def local_name(iri: str | None) -> str:
    """The class name of an ontology IRI (``…/ns#Airstrike`` → ``Airstrike``).

    >>> local_name("https://w3id.org/kg-news/ns#Airstrike")
    'Airstrike'
    """
    return (iri or "").rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _number(text: str | None) -> float | int | None:
    if text is None:
        return None
    try:
        value = float(text)
    except ValueError:
        return None
    return int(value) if value.is_integer() else value


def _evidence(row: Mapping[str, str | None]) -> Json | None:
    if row.get("articleId") is None or row.get("start") is None:
        return None
    return {"article": row["articleId"], "start": _number(row["start"]), "end": _number(row["end"]),
            "text": row.get("evidence") or ""}


def _add(items: list[Any], value: Any) -> None:
    if value is not None and value not in items:
        items.append(value)


def map_data(source: Source, filters: Mapping[str, str] | None = None, *, limit: int = MAP_EVENT_LIMIT) -> Json:
    """Located incidents and places with coordinates, for the map.

    ``events`` has one feature per asserted incident located at a place with coordinates (one at
    two places has two), with its class, date, place, agents, targets, casualties when stated (the
    best-supported values of its reports), the number of its reports and articles, and the evidence
    of its reports (of the event in a store without incidents graph, see :func:`_reported`). When the
    filters leave more than ``limit`` incidents, ``events`` is empty and ``groups``
    has one feature per place and class with the number of incidents and their first and last date
    (``mode`` says which). ``places`` lists every place with coordinates (the saved query ``map``).

    Raises:
        QueryError: a filter value cannot be bound or the store fails.

    >>> data = map_data(Store())
    >>> data["mode"], data["total"], data["events"], data["places"]
    ('events', 0, [], [])
    """
    filters = dict(filters or {})
    asked = _reported(source, filters)
    events = _located_events(source, asked, limit)
    groups: list[Json] = []
    if events is None:  # too many to draw one by one
        for row in _rows(_query("map-places"), source, asked):
            where = point(row["wkt"])
            if where is not None:
                groups.append({"place": row["location"], "class": local_name(row["class"]),
                               "placeLabel": row["locationLabel"] or local_name(row["location"]),
                               "count": _number(row["events"]) or 0, "first": row["first"], "last": row["last"],
                               "lat": where[0], "lon": where[1]})
    places = []
    for row in _rows(load_query("map"), source, {}):
        where = point(row["wkt"])
        if where is not None:
            places.append({"iri": row["entity"], "label": row["label"] or local_name(row["entity"]),
                           "class": local_name(row["class"]), "wikidata": row["wikidata"],
                           "lat": where[0], "lon": where[1]})
    total = len(events) if events is not None else sum(group["count"] for group in groups)
    return {"mode": "events" if events is not None else "groups", "total": total, "limit": limit,
            "filters": filters, "events": events or [], "groups": groups, "places": places}


def _located_events(source: Source, filters: Mapping[str, str], limit: int) -> list[Json] | None:
    """One feature per located event, in date order; None as soon as there are more than ``limit``.

    The query has no ORDER BY, so that its rows come as they are found and reading stops at the
    limit (ordering would make the store find them all first); they are ordered here.
    """
    events: dict[tuple[str, str], Json] = {}
    for row in _rows(_query("map-events"), source, filters):
        where = point(row["wkt"])
        if where is None:
            continue
        key = (row["event"] or "", row["location"] or "")
        if key not in events and len(events) == limit:
            return None
        feature = events.setdefault(key, {
            "id": row["event"], "class": local_name(row["class"]), "date": row["date"],
            "place": row["location"], "placeLabel": row["locationLabel"] or local_name(row["location"]),
            "lat": where[0], "lon": where[1], "agents": [], "targets": [], "killed": None, "injured": None,
            "reports": _number(row["reports"]) or 1, "articles": _number(row["articles"]) or 1, "evidence": []})
        feature["class"] = min(feature["class"], local_name(row["class"]))  # typed twice: the same class each time
        for name in ("killed", "injured"):
            if feature[name] is None:
                feature[name] = _number(row[name])
        _add(feature["agents"], row["agentLabel"])
        _add(feature["targets"], row["targetLabel"])
        _add(feature["evidence"], _evidence(row))
    for feature in events.values():
        feature["agents"].sort()
        feature["targets"].sort()
        feature["evidence"].sort(key=lambda evidence: (evidence["article"], evidence["start"]))
    return [events[key] for key in sorted(events, key=lambda key: (events[key]["date"] or "", key))]


def _specific(classes: str | None) -> str:
    names = sorted((classes or "").split())
    specific = [name for name in names if name not in _GENERIC]
    return local_name((specific or names or [""])[0])


def network_data(source: Source, filters: Mapping[str, str] | None = None, *, top: int = NETWORK_TOP) -> Json:
    """Actors and the edges between them, heaviest ``top`` first.

    Edge kinds: ``opposes``, ``allied``, ``member``, ``leader`` (relations, weighted by the number of
    times articles state them) and ``acts-against`` (agent to target of operations, weighted by the
    number of asserted incidents, however many reports tell of each). ``total`` is the number of edges before the cut.

    Raises:
        QueryError: a filter value cannot be bound or the store fails.

    >>> network_data(Store())["edges"]
    []
    """
    filters = dict(filters or {})
    nodes: dict[str, Json] = {}
    edges: list[Json] = []
    total = 0
    for row in _rows(_query("network"), source, _reported(source, filters)):
        total += 1
        if len(edges) >= top:
            continue
        for end in ("source", "target"):
            iri = row[end] or ""
            nodes.setdefault(iri, {"id": iri, "label": row[f"{end}Label"] or local_name(iri),
                                   "class": _specific(row[f"{end}Classes"])})
        edges.append({"source": row["source"], "target": row["target"], "kind": row["kind"],
                      "weight": _number(row["weight"]) or 0})
    return {"total": total, "top": top, "filters": filters, "nodes": sorted(nodes.values(), key=lambda n: n["id"]),
            "edges": edges}


def timeline_data(source: Source, filters: Mapping[str, str] | None = None) -> Json:
    """The latest dated asserted incidents, policies and statements (at most :data:`TIMELINE_LIMIT`), in
    date order; an incident's evidence is that of its reports.

    ``more`` is true when the filters leave more items than are shown.

    Raises:
        QueryError: a filter value cannot be bound or the store fails.

    >>> timeline_data(Store())
    {'filters': {}, 'items': [], 'limit': 500, 'more': False}
    """
    filters = dict(filters or {})
    items: dict[str, Json] = {}
    for row in _rows(_query("timeline"), source, _reported(source, filters)):
        item = items.setdefault(row["item"] or "", {
            "id": row["item"], "date": row["date"], "kind": row["kind"], "class": local_name(row["class"]),
            "label": row["label"] or local_name(row["class"]), "evidence": []})
        _add(item["evidence"], _evidence(row))
    shown = list(items.values())
    # the query reads the latest LIMIT + 1 items, so one more than the limit means there are more
    more = len(shown) > TIMELINE_LIMIT
    return {"filters": filters, "items": shown[-TIMELINE_LIMIT:] if more else shown, "limit": TIMELINE_LIMIT,
            "more": more}


def names_data(source: Source, *, limit: int = NAMES_LIMIT) -> dict[str, list[str]]:
    """The labels of the places and actors of the entities graph (at most ``limit`` in all), by kind, and
    the event classes the map knows: the suggestions of the views' filters.

    Raises:
        QueryError: the store fails.

    >>> names_data(Store())["class"][:3]
    ['Airstrike', 'Arrest', 'Assassination']
    """
    names: dict[str, list[str]] = {"place": [], "actor": [], "class": sorted(EVENT_CLASSES)}
    result = stream_query(_query("names"), source, limit=limit)
    for kind, label in result.rows:
        if kind in names and label is not None:
            names[kind].append(label)
    return names


def _rows(query: SavedQuery, source: Source, filters: Mapping[str, str]) -> Iterable[dict[str, str | None]]:
    result = stream_query(query, source, _params(query, filters))
    for row in result.rows:
        yield dict(zip(result.columns, row, strict=True))
