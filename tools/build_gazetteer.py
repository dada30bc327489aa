"""Check kg's table of named things, ``kg/data/names.tsv``, and build the gazetteer from it.

The table (see :mod:`kg.known`) is the one place names are kept; the shipped gazetteer,
``kg/data/gazetteer.tsv``, is its linked subset (the rows with a QID) in the linker's format. Modes::

    # check the table and that the gazetteer is its linked subset (the test suite runs this)
    python tools/build_gazetteer.py --check

    # rewrite the table in its canonical order and form, and the gazetteer from it
    python tools/build_gazetteer.py --write

    # refresh the coordinates of linked places from the countries-states-cities CSV files
    python tools/build_gazetteer.py --geo DIR

    # refresh aliases, coordinates and countries of the linked rows from Wikidata
    python tools/build_gazetteer.py --wikidata-endpoint https://query.wikidata.org/sparql

The refresh modes start from the table (or from ``--base``, a gazetteer file) and write a gazetteer to
``--out``; when that is the shipped one, the refreshed columns are written back into the table too, so
the two stay one. The output is deterministic: gazetteer rows sorted by QID number, table rows by name
and class, aliases of the gazetteer sorted, coordinates rounded to 5 decimals, ``\\n`` line ends.

Every QID was checked by hand against a source, named in the row's ``source`` column:

* ``trusted`` — given by the product owner.
* ``elevant`` — an ELEVANT gold label (``entity_id`` with that ``name``). That is the gold kg is scored on,
  so it is no source on its own: the countries and Istanbul among these rows are confirmed by ``geo``
  too; the other eleven (people, London, Paris, two media) still wait for a second source.
* ``crosswalk`` — a country QID of the evaluation's actor crosswalk.
* ``geo`` — ``wikiDataId`` of ``countries.csv`` / ``states.csv`` (reliable for countries and first-level
  divisions).
* ``geo+wd`` — a city whose ``wikiDataId`` in ``cities_middle_east_flat.csv`` (unreliable on its own:
  many QIDs there are shared by several places) is confirmed by an independent public listing made
  from Wikidata that pairs the same name with the same QID. Cities whose QID could not be confirmed
  (e.g. Erbil, where two sources disagree; Raqqa, Fallujah, Ramadi, Tikrit, Najaf) have none.

An unlinked entity is fine, a wrong link is not: give a row a QID only with a source.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from kg import known
from kg.known import NamedThing
from kg.link.candidates import fold
from kg.link.gazetteer import AMBIGUOUS, CLASS_KINDS, HEADER, KINDS, PLACE_KINDS
from kg.resources import ontology_path

DEFAULT_OUT = ROOT / "kg" / "data" / "gazetteer.tsv"
DEFAULT_TABLE = ROOT / "kg" / "data" / "names.tsv"
USER_AGENT = "kg-gazetteer-builder/0.1 (https://w3id.org/kg-news)"
BATCH = 50  # QIDs per SPARQL request
DECIMALS = 5
SOURCES = frozenset({"trusted", "elevant", "crosswalk", "geo", "geo+wd"})


@dataclass(frozen=True)
class Row:
    """One gazetteer item."""

    qid: str
    label: str
    kind: str
    aliases: tuple[str, ...] = ()
    lon: float | None = None
    lat: float | None = None
    country: str = ""
    description: str = ""


def gazetteer_rows(things: Iterable[NamedThing]) -> list[Row]:
    """The linked rows of the table as gazetteer rows."""
    rows = []
    for thing in things:
        if thing.qid:
            lon, lat = thing.coordinates or (None, None)
            rows.append(Row(qid=thing.qid, label=thing.name, kind=CLASS_KINDS[thing.cls], aliases=thing.link_aliases,
                            lon=lon, lat=lat, country=thing.country or "", description=thing.description))
    return rows


# ------------------------------------------------------------------------------------------- checks
def ontology_classes() -> frozenset[str]:
    """The class names declared in ``ontology/kg.ttl``."""
    text = ontology_path().read_text(encoding="utf-8")
    return frozenset(re.findall(r"^kg:(\w+) a owl:Class", text, flags=re.M))


def _clashes(names: dict[str, set[tuple[str, str]]], what: str) -> list[str]:
    return [f"{what}: {name!r} names {sorted(meanings)}" for name, meanings in sorted(names.items())
            if len(meanings) > 1]


def rule_names(things: Iterable[NamedThing], lists: frozenset[str],
               apostrophes: bool = False) -> dict[str, set[tuple[str, str]]]:
    """Every name and alias the rules of ``lists`` match -> the ``(class, canonical name)`` pairs it means."""
    names: dict[str, set[tuple[str, str]]] = {}
    for thing in things:
        if thing.match not in lists:
            continue
        for name in (thing.name, *thing.aliases):
            variants = {name, name.replace("'", "’")} if apostrophes and thing.match == "town" else {name}
            for variant in variants:
                names.setdefault(variant, set()).add((thing.cls, thing.name))
    return names


def check(things: Sequence[NamedThing], gazetteer_text: str | None) -> list[str]:
    """Problems with the table (empty when none) and, given its text, with the shipped gazetteer."""
    problems: list[str] = []
    classes = ontology_classes()
    keys = [(t.name, t.cls) for t in things]
    if keys != sorted(keys):
        problems.append("rows are not sorted by name and class (run --write)")
    problems += [f"{name!r} ({cls}) twice" for name, cls in sorted({k for k in keys if keys.count(k) > 1})]
    for thing in things:
        where = f"{thing.name!r} ({thing.cls})"
        if thing.cls not in classes:
            problems.append(f"{where}: class {thing.cls!r} is not in {ontology_path().name}")
        if thing.match in {"admin", "capital"} and thing.cls != "AdministrativeArea":
            problems.append(f"{where}: match list {thing.match} is for AdministrativeArea rows")
        if thing.qid is None:
            if thing.source or thing.link_aliases or thing.coordinates or thing.country:
                problems.append(f"{where}: linker columns filled without a QID")
            continue
        if not re.fullmatch(r"Q[1-9][0-9]*", thing.qid):
            problems.append(f"{where}: bad QID {thing.qid!r}")
        if not thing.source:
            problems.append(f"{where}: {thing.qid} has no source")
        problems += [f"{where}: unknown source {s!r}" for s in thing.source if s not in SOURCES]
        if thing.cls not in CLASS_KINDS:
            problems.append(f"{where}: class {thing.cls} cannot be linked")
        elif thing.coordinates and CLASS_KINDS[thing.cls] not in PLACE_KINDS:
            problems.append(f"{where}: coordinates on a row that is no place")
    qids = [t.qid for t in things if t.qid]
    problems += [f"{qid} on two rows" for qid in sorted({q for q in qids if qids.count(q) > 1})]
    # the same name with two meanings in one rule list would make the result depend on row order
    problems += _clashes(rule_names(things, frozenset({"actor", "town"}), apostrophes=True), "ruler before NER")
    problems += _clashes(rule_names(things, frozenset({"admin", "capital"})), "place ruler")
    problems += _clashes(rule_names(things, frozenset({"country"})), "countries")
    if gazetteer_text is not None and not problems:
        try:
            expected = render(normalise(gazetteer_rows(things)))
        except ValueError as error:
            problems.append(f"linked rows: {error}")
        else:
            if expected != gazetteer_text:
                problems.append("kg/data/gazetteer.tsv is not the linked subset of the table (run --write)")
    return problems


# ------------------------------------------------------------------------------------------- table
def _join(parts: Iterable[str]) -> str:
    return "|".join(parts)


def render_table(things: Iterable[NamedThing]) -> str:
    """The table's TSV text: header first, rows sorted by name and class, ``\\n`` line ends."""
    lines = ["\t".join(known.HEADER)]
    for t in sorted(things, key=lambda t: (t.name, t.cls)):
        lon, lat = t.coordinates or (None, None)
        fields = (t.name, t.cls, t.match, _join(t.aliases), t.qid or "", _join(t.source), _join(t.link_aliases),
                  _coordinate(lon), _coordinate(lat), t.country or "", t.description)
        if any("\t" in f or "\n" in f for f in fields):
            raise ValueError(f"{t.name!r}: a tab or line break in a field")
        lines.append("\t".join(fields))
    return "\n".join(lines) + "\n"


def with_linked(things: Sequence[NamedThing], rows: Iterable[Row]) -> list[NamedThing]:
    """The table with the linker columns of ``rows`` (by QID) written back."""
    by_qid = {row.qid: row for row in rows}
    updated = []
    for thing in things:
        row = by_qid.get(thing.qid or "")
        if row is not None:
            coordinates = (row.lon, row.lat) if row.lon is not None and row.lat is not None else None
            thing = replace(thing, link_aliases=row.aliases, coordinates=coordinates, country=row.country or None)
        updated.append(thing)
    return updated


# ------------------------------------------------------------------------------------------ geo data
def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _number(text: str | None) -> float | None:
    try:
        return float(text) if text else None
    except ValueError:
        return None


def refresh_geo(rows: list[Row], geo: Path, partial: bool = False) -> list[Row]:
    """Rows whose places carry coordinates, with the coordinates of ``countries.csv``, ``states.csv`` and
    ``cities_middle_east_flat.csv``, found by QID (and, for cities, whose QIDs there are unreliable, by
    a name of the row and its country too). A place not found is an error, or with ``partial`` left out."""
    files = {"country": "countries.csv", "admin": "states.csv", "settlement": "cities_middle_east_flat.csv"}
    records = {kind: _read_csv(geo / name) for kind, name in files.items()}
    iso2 = {r.get("wikiDataId", ""): r.get("iso2", "") for r in records["country"]}
    missing: list[str] = []
    refreshed = []
    for row in rows:
        if row.kind not in files or row.lon is None:
            refreshed.append(row)
            continue
        names = {fold(n) for n in (row.label, *row.aliases)}
        country = iso2.get(row.country) or "IL"  # Jerusalem (no country given) is filed under IL there
        found = [r for r in records[row.kind] if r.get("wikiDataId") == row.qid and (row.kind != "settlement" or (
            fold(r.get("name", "")) in names and r.get("country_code") == country))]
        lon, lat = (_number(found[0].get("longitude")), _number(found[0].get("latitude"))) if found else (None, None)
        if lon is None or lat is None:
            missing.append(f"{files[row.kind]} has no {row.label} with {row.qid}")
            continue
        refreshed.append(replace(row, lon=lon, lat=lat))
    for message in missing:
        print(f"build_gazetteer: {'skipped: ' if partial else ''}{message}", file=sys.stderr)
    if missing and not partial:
        raise SystemExit(f"build_gazetteer: {len(missing)} expected rows missing from {geo} (--partial allows)")
    return refreshed


# ------------------------------------------------------------------------------------------ Wikidata
def _values(qids: Sequence[str]) -> str:
    return " ".join(f"wd:{q}" for q in qids)


QUERY = """PREFIX wd: <http://www.wikidata.org/entity/>
PREFIX wdt: <http://www.wikidata.org/prop/direct/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?item ?what ?value WHERE {
  VALUES ?item { %s }
  { ?item rdfs:label ?value . FILTER(LANG(?value) = "en") BIND("label" AS ?what) }
  UNION { ?item skos:altLabel ?value . FILTER(LANG(?value) = "en") BIND("alias" AS ?what) }
  UNION { ?item wdt:P625 ?value . BIND("coord" AS ?what) }
  UNION { ?item wdt:P17 ?value . BIND("country" AS ?what) }
}"""


def _query(endpoint: str, text: str, attempts: int = 4) -> list[dict[str, Any]]:
    """Run one SELECT by POST and return its bindings, retrying on overload (429/5xx) with backoff."""
    from urllib.error import HTTPError, URLError

    from SPARQLWrapper import JSON, POST, SPARQLWrapper
    from SPARQLWrapper.SPARQLExceptions import EndPointInternalError

    client = SPARQLWrapper(endpoint, agent=USER_AGENT)
    client.setMethod(POST)
    client.setReturnFormat(JSON)
    client.setTimeout(120)
    client.setQuery(text)
    delay = 5.0
    for attempt in range(1, attempts + 1):
        try:
            result: Any = client.queryAndConvert()
            return list(result["results"]["bindings"])
        except HTTPError as error:
            if error.code not in (429, 500, 502, 503, 504) or attempt == attempts:
                raise
            retry_after = error.headers.get("Retry-After") if error.headers else None
            wait = float(retry_after) if retry_after and retry_after.isdigit() else delay
        except (EndPointInternalError, URLError, TimeoutError):
            if attempt == attempts:
                raise
            wait = delay
        print(f"build_gazetteer: endpoint busy, retrying in {wait:.0f}s", file=sys.stderr)
        time.sleep(wait)
        delay *= 2
    raise AssertionError("unreachable")


def _point(wkt: str) -> tuple[float, float] | None:
    """``Point(lon lat)`` (optionally with a CRS IRI before it) -> ``(lon, lat)``."""
    text = wkt.strip()
    if ">" in text:
        text = text.rsplit(">", 1)[1].strip()
    if not text.lower().startswith("point(") or not text.endswith(")"):
        return None
    parts = text[6:-1].split()
    if len(parts) != 2:
        return None
    return float(parts[0]), float(parts[1])


def refresh(rows: list[Row], endpoint: str) -> list[Row]:
    """Rows with Wikidata's English label and altLabels added as aliases, P625 as coordinates (places) and
    a single P17 as country. kg's labels, kinds and descriptions are kept: they are curated."""
    facts: dict[str, dict[str, set[str]]] = {}
    qids = sorted({row.qid for row in rows}, key=_qid_key)
    for start in range(0, len(qids), BATCH):
        batch = qids[start:start + BATCH]
        for binding in _query(endpoint, QUERY % _values(batch)):
            item = binding["item"]["value"].rsplit("/", 1)[-1]
            facts.setdefault(item, {}).setdefault(binding["what"]["value"], set()).add(binding["value"]["value"])
        if start + BATCH < len(qids):
            time.sleep(1.0)  # be gentle with a public endpoint
    refreshed: list[Row] = []
    for row in rows:
        found = facts.get(row.qid)
        if found is None:
            print(f"build_gazetteer: {row.qid} ({row.label}) not found at the endpoint; kept as is", file=sys.stderr)
            refreshed.append(row)
            continue
        aliases = (*row.aliases, *sorted(found.get("label", set())), *sorted(found.get("alias", set())))
        lon, lat = row.lon, row.lat
        points = sorted(p for p in (_point(v) for v in found.get("coord", set())) if p is not None)
        if row.kind in PLACE_KINDS and len(points) == 1:
            lon, lat = points[0]
        countries_found = sorted(v.rsplit("/", 1)[-1] for v in found.get("country", set()))
        country = countries_found[0] if len(countries_found) == 1 and row.country else row.country
        refreshed.append(replace(row, aliases=aliases, lon=lon, lat=lat, country=country))
    return refreshed


# ------------------------------------------------------------------------------------------- output
def _qid_key(qid: str) -> tuple[int, str]:
    return (int(qid[1:]) if qid[1:].isdigit() else 0, qid)


def _clean(text: str) -> str:
    return " ".join(text.replace("\t", " ").replace("|", "/").split())


def normalise(rows: Iterable[Row]) -> list[Row]:
    """Check rows, deduplicate aliases (by folded form, not repeating the label) and drop aliases that would
    make a name point to two items of the same kind (unless listed in ``kg.link.gazetteer.AMBIGUOUS``)."""
    seen: dict[str, Row] = {}
    for row in rows:
        if not (row.qid.startswith("Q") and row.qid[1:].isdigit()):
            raise ValueError(f"bad QID {row.qid!r}")
        if row.kind not in KINDS:
            raise ValueError(f"{row.qid}: unknown kind {row.kind!r}")
        if row.qid in seen:
            raise ValueError(f"{row.qid} twice: {seen[row.qid].label!r} and {row.label!r}")
        if (row.lon is None) != (row.lat is None):
            raise ValueError(f"{row.qid}: half a coordinate")
        if row.lon is not None and row.lat is not None and not (-180 <= row.lon <= 180 and -90 <= row.lat <= 90):
            raise ValueError(f"{row.qid}: coordinates out of range")
        label = _clean(row.label)
        aliases: dict[str, str] = {}
        for alias in row.aliases:
            alias = _clean(alias)
            key = fold(alias)
            if alias and key != fold(label) and key not in aliases:
                aliases[key] = alias
        seen[row.qid] = replace(row, label=label, aliases=tuple(aliases.values()), description=_clean(row.description))
    # labels win over aliases; an alias shared by two items of one kind is dropped from both
    owners: dict[tuple[str, str], set[str]] = {}
    labels: dict[tuple[str, str], set[str]] = {}
    for row in seen.values():
        labels.setdefault((fold(row.label), row.kind), set()).add(row.qid)
        for alias in row.aliases:
            owners.setdefault((fold(alias), row.kind), set()).add(row.qid)
    for (key, kind), qids in labels.items():
        if len(qids) > 1 and key not in AMBIGUOUS:
            raise ValueError(f"label {key!r} names {sorted(qids)} of kind {kind}; list it in AMBIGUOUS or rename")
    result: list[Row] = []
    for row in seen.values():
        kept = []
        for alias in row.aliases:
            key = fold(alias)
            clash = (labels.get((key, row.kind), set()) | owners.get((key, row.kind), set())) - {row.qid}
            if clash and key not in AMBIGUOUS:
                print(f"build_gazetteer: alias {alias!r} of {row.qid} also names {sorted(clash)}: dropped",
                      file=sys.stderr)
                continue
            kept.append(alias)
        result.append(replace(row, aliases=tuple(sorted(kept, key=lambda a: (a.casefold(), a)))))
    return sorted(result, key=lambda r: _qid_key(r.qid))


def _coordinate(value: float | None) -> str:
    if value is None:
        return ""
    text = f"{value:.{DECIMALS}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def render(rows: Iterable[Row]) -> str:
    """The TSV text (header first, ``\\n`` line ends)."""
    lines = ["\t".join(HEADER)]
    for row in rows:
        lines.append("\t".join((row.qid, row.label, row.kind, "|".join(row.aliases), _coordinate(row.lon),
                                _coordinate(row.lat), row.country, row.description)))
    return "\n".join(lines) + "\n"


def read_tsv(path: Path) -> list[Row]:
    """Rows of an existing gazetteer file (the starting point of a refresh without ``--geo``)."""
    from kg.link.gazetteer import parse

    with path.open(encoding="utf-8", newline="") as handle:
        entries = parse(handle)
    return [Row(qid=e.qid, label=e.label, kind=e.kind, aliases=e.aliases,
                lon=e.coordinates[0] if e.coordinates else None, lat=e.coordinates[1] if e.coordinates else None,
                country=e.country or "", description=e.description) for e in entries]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the builder; the exit status is 1 when ``--check`` finds problems."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="check the table and the gazetteer (the default)")
    parser.add_argument("--write", action="store_true", help="rewrite the table and the gazetteer built from it")
    parser.add_argument("--geo", type=Path, help="refresh coordinates from this directory with countries.csv, "
                                                 "states.csv, cities_middle_east_flat.csv (countries-states-cities)")
    parser.add_argument("--base", type=Path, help="start a refresh from this gazetteer file, not from the table")
    parser.add_argument("--wikidata-endpoint", metavar="URL",
                        help="refresh aliases/coordinates/countries from this Wikidata SPARQL endpoint")
    parser.add_argument("--partial", action="store_true",
                        help="leave out places missing from --geo (small fixtures; not with the shipped --out)")
    parser.add_argument("--table", type=Path, default=DEFAULT_TABLE, help="the table (default: %(default)s)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output gazetteer (default: %(default)s)")
    args = parser.parse_args(argv)
    things = known.named_things(args.table.resolve())
    refreshing = args.geo is not None or args.wikidata_endpoint is not None
    if not refreshing and not args.write:
        shipped = args.out.read_text(encoding="utf-8") if args.out.exists() else ""
        problems = check(things, shipped)
        for problem in problems:
            print(f"build_gazetteer: {problem}", file=sys.stderr)
        print(f"build_gazetteer: {len(things)} rows, {sum(t.qid is not None for t in things)} linked, "
              f"{len(problems)} problems", file=sys.stderr)
        return 1 if problems else 0
    shipped = args.out.resolve() == DEFAULT_OUT.resolve()
    if args.partial and shipped:
        parser.error("--partial leaves rows out: give --out a file other than the shipped gazetteer")
    problems = check(things, None)
    if problems:
        raise SystemExit("build_gazetteer: fix the table first: " + "; ".join(problems))
    rows = read_tsv(args.base) if args.base is not None else gazetteer_rows(things)
    if args.geo is not None:
        rows = refresh_geo(rows, args.geo, partial=args.partial)
    if args.wikidata_endpoint:
        rows = refresh(rows, args.wikidata_endpoint)
    rows = normalise(rows)
    text = render(rows)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(text.encode("utf-8"))
    print(f"build_gazetteer: wrote {len(rows)} rows to {args.out}", file=sys.stderr)
    if shipped:
        table = render_table(with_linked(things, rows) if refreshing else things)
        args.table.write_bytes(table.encode("utf-8"))
        print(f"build_gazetteer: wrote {len(things)} rows to {args.table}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
