"""The one table of named things kg knows: actors and places, with their class, aliases and links.

``kg/data/names.tsv`` holds one named thing per line (header first, rows sorted by name and class)::

    name  class  match  aliases  qid  source  link_aliases  lon  lat  country  description

``class`` is an ontology class of ``ontology/kg.ttl``. ``match`` says which rule list the row feeds:

* ``actor`` — the entity ruler before NER and the entity typer (:func:`kg.nlp.lexicon.known_names`);
* ``town`` — the entity ruler before NER only (:func:`kg.nlp.toponyms.town_patterns`);
* ``admin`` — the place ruler after NER and the typer (:func:`kg.nlp.lexicon.admin_areas`);
* ``capital`` — as ``admin``, for a governorate named after its capital: a bare mention is the city;
* ``country`` — names added to ISO 3166's (:func:`kg.nlp.lexicon.countries`);
* ``-`` — no rule list: the row is there for the linker only.

``aliases`` (``|``-separated, matched case-sensitively as whole tokens) are the names the rules match;
``link_aliases`` the names the linker matches. The two are kept apart on purpose: they grew apart, and
letting the rules see the linker's names (or the reverse) would change what kg finds. A row with a
``qid`` is linked: the shipped gazetteer is exactly those rows (``tools/build_gazetteer.py`` builds
and checks it), and every QID names its ``source`` (``|``-separated). ``lon``/``lat`` are decimal
degrees, ``country`` a QID.

>>> islamic_state = next(t for t in named_things() if t.name == "Islamic State")
>>> islamic_state.cls, islamic_state.match, islamic_state.qid
('ArmedGroup', 'actor', 'Q2429253')
>>> matched("capital")["Baghdad"]
()
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from kg.resources import data_path

HEADER = ("name", "class", "match", "aliases", "qid", "source", "link_aliases", "lon", "lat", "country",
          "description")
MATCH_LISTS = frozenset({"actor", "town", "admin", "capital", "country", "-"})


@dataclass(frozen=True)
class NamedThing:
    """One row of the table of named things."""

    name: str
    cls: str
    match: str
    aliases: tuple[str, ...]
    qid: str | None
    source: tuple[str, ...]
    link_aliases: tuple[str, ...]
    coordinates: tuple[float, float] | None  # (longitude, latitude)
    country: str | None
    description: str


def tsv_rows(lines: Iterable[str], header: tuple[str, ...], what: str) -> Iterator[tuple[int, list[str]]]:
    """The fields of each non-empty line of a tab-separated table after its header, with the line number.

    Raises:
        ValueError: the header is not ``header``, or a line has another number of fields.

    >>> list(tsv_rows(["a\\tb", "1\\t2", "", "3\\t"], ("a", "b"), "table"))
    [(2, ['1', '2']), (4, ['3', ''])]
    """
    reader = csv.reader(lines, delimiter="\t", quoting=csv.QUOTE_NONE)
    found = next(reader, [])
    if tuple(found) != header:
        raise ValueError(f"{what} header is {found!r}, expected {list(header)!r}")
    for fields in reader:
        if not fields:
            continue
        if len(fields) != len(header):
            raise ValueError(f"{what} line {reader.line_num}: {len(fields)} fields, expected {len(header)}")
        yield reader.line_num, fields


def coordinates(lon_text: str, lat_text: str, what: str, line: int) -> tuple[float, float] | None:
    """``(longitude, latitude)`` from two table fields, or ``None`` when both are empty.

    Raises:
        ValueError: one is given without the other, or is not a number.
    """
    lon, lat = _float(lon_text, "longitude", what, line), _float(lat_text, "latitude", what, line)
    if lon is None or lat is None:
        if (lon is None) != (lat is None):
            raise ValueError(f"{what} line {line}: longitude and latitude must both be given or both empty")
        return None
    return lon, lat


def _float(text: str, name: str, what: str, line: int) -> float | None:
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"{what} line {line}: {name} {text!r} is not a number") from None


def split_list(text: str) -> tuple[str, ...]:
    """The items of a ``|``-separated table field (empty items dropped)."""
    return tuple(part for part in text.split("|") if part)


def parse(lines: Iterable[str]) -> list[NamedThing]:
    """Parse the table's TSV text (header first).

    Raises:
        ValueError: a wrong header, a line with the wrong number of fields, an unknown ``match`` list,
            half a coordinate or a number that is not one.

    >>> header = "\\t".join(HEADER)
    >>> parse([header, "Hamas\\tArmedGroup\\tactor\\t\\t\\t\\t\\t\\t\\t\\t"])[0].aliases
    ()
    """
    things: list[NamedThing] = []
    for number, fields in tsv_rows(lines, HEADER, "names table"):
        name, cls, match, aliases, qid, source, link_aliases, lon_text, lat_text, country, description = fields
        if match not in MATCH_LISTS:
            raise ValueError(f"names table line {number}: unknown match list {match!r}, "
                             f"expected one of {sorted(MATCH_LISTS)}")
        where = coordinates(lon_text, lat_text, "names table", number)
        things.append(NamedThing(
            name=name, cls=cls, match=match, aliases=split_list(aliases), qid=qid or None, source=split_list(source),
            link_aliases=split_list(link_aliases),
            coordinates=where,
            country=country or None, description=description))
    return things


def default_path() -> Path:
    """Where the shipped table is: ``kg/data/names.tsv``."""
    return data_path("names.tsv")


@cache
def named_things(path: Path | None = None) -> tuple[NamedThing, ...]:
    """Every row of the table (the shipped one unless ``path`` is given), read once, in file order."""
    with (path or default_path()).open(encoding="utf-8", newline="") as handle:
        return tuple(parse(handle))


@cache
def matched(match: str) -> dict[str, tuple[str, ...]]:
    """The rows of one ``match`` list: canonical name -> the aliases the rules match (file order).

    Raises:
        ValueError: ``match`` is not one of :data:`MATCH_LISTS`.
    """
    if match not in MATCH_LISTS:
        raise ValueError(f"unknown match list {match!r}, expected one of {sorted(MATCH_LISTS)}")
    return {thing.name: thing.aliases for thing in named_things() if thing.match == match}


@cache
def linked() -> tuple[NamedThing, ...]:
    """The rows with a QID: the gazetteer the linker uses, sorted by QID number."""
    rows = [thing for thing in named_things() if thing.qid]
    return tuple(sorted(rows, key=lambda t: (int(t.qid[1:]) if t.qid and t.qid[1:].isdigit() else 0, t.qid)))
