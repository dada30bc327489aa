"""Build kg's shipped gazetteer, ``kg/data/gazetteer.tsv``.

Two modes::

    # offline: countries, Iraqi governorates, Syrian provinces and city coordinates from the
    # countries-states-cities CSV files, plus the hand-checked tables below
    python tools/build_gazetteer.py --geo ../shared/eval/dev/geo

    # refresh labels, aliases, coordinates and countries of the listed QIDs from Wikidata
    python tools/build_gazetteer.py --wikidata-endpoint https://query.wikidata.org/sparql

Without ``--geo`` the refresh starts from the existing TSV (``--base``). The output is deterministic:
rows sorted by QID number, aliases sorted, coordinates rounded to 5 decimals, ``\\n`` line ends, so the
same inputs give the same bytes.

Every QID in the tables below was checked by hand against a source, named per row:

* ``trusted`` — given by the product owner.
* ``elevant`` — an ELEVANT gold label (``entity_id`` with that ``name``).
* ``geo`` — ``wikiDataId`` of ``countries.csv`` / ``states.csv`` (reliable for countries and first-level
  divisions).
* ``geo+wd`` — a city whose ``wikiDataId`` in ``cities_middle_east_flat.csv`` (unreliable on its own:
  many QIDs there are shared by several places) is confirmed by an independent public listing made
  from Wikidata that pairs the same name with the same QID. Cities whose QID could not be confirmed
  (e.g. Erbil, where two sources disagree; Raqqa, Fallujah, Ramadi, Tikrit, Najaf) are left out.

An unlinked entity is fine, a wrong link is not: add a row only with a source.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from kg.link.candidates import fold
from kg.link.gazetteer import AMBIGUOUS, HEADER, KINDS, PLACE_KINDS

DEFAULT_OUT = ROOT / "kg" / "data" / "gazetteer.tsv"
USER_AGENT = "kg-gazetteer-builder/0.1 (https://w3id.org/kg-news)"
BATCH = 50  # QIDs per SPARQL request
DECIMALS = 5


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


# ----------------------------------------------------------------------------------------- countries
# ISO 3166 codes of dependent territories, special administrative regions and Antarctica in countries.csv:
# not countries, and not needed for Iraq/Syria news, so left out.
NOT_COUNTRIES = frozenset({
    "AX", "AS", "AI", "AQ", "AW", "BM", "BQ", "BV", "IO", "KY", "CX", "CC", "CK", "CW", "FK", "FO", "GF",
    "PF", "TF", "GI", "GL", "GP", "GU", "GG", "HM", "HK", "JE", "MO", "IM", "MQ", "YT", "MS", "NC", "NU",
    "NF", "MP", "PN", "PR", "RE", "SH", "PM", "BL", "MF", "SX", "GS", "SJ", "TK", "TC", "UM", "VG", "VI",
    "WF", "EH"
})

# labels where kg's canonical name (kg.nlp.lexicon.countries(), from pycountry) differs from countries.csv
COUNTRY_LABELS: dict[str, str] = {
    "BN": "Brunei Darussalam", "CV": "Cabo Verde", "FJ": "Fiji", "CI": "Côte d'Ivoire", "BS": "Bahamas",
    "GM": "Gambia", "PS": "Palestine",
    # kg.nlp.lexicon folds these to "Congo" / "Holy See (Vatican City State)"; the clearer names are labels here
    "CD": "Democratic Republic of the Congo", "VA": "Vatican City",
}
COUNTRY_ALIASES: dict[str, tuple[str, ...]] = {
    "US": ("US", "U.S.", "USA", "U.S.A.", "America", "United States of America"),
    "GB": ("UK", "U.K.", "Britain", "Great Britain", "United Kingdom of Great Britain and Northern Ireland"),
    "SY": ("Syrian Arab Republic",),
    "IQ": ("Republic of Iraq",),
    "IR": ("Islamic Republic of Iran",),
    "RU": ("Russian Federation",),
    "TR": ("Türkiye", "Turkiye", "Republic of Türkiye"),
    "KR": ("Republic of Korea",),
    "KP": ("Democratic People's Republic of Korea", "DPRK"),
    "PS": ("Palestinian territories", "Occupied Palestinian Territory"),
    "VN": ("Viet Nam",),
    "CZ": ("Czechia",),
    "LA": ("Lao People's Democratic Republic",),
    "MD": ("Republic of Moldova",),
    "TZ": ("United Republic of Tanzania",),
    "BO": ("Plurinational State of Bolivia",),
    "VE": ("Bolivarian Republic of Venezuela",),
    "AE": ("UAE", "U.A.E.", "Emirates"),
    "SA": ("Kingdom of Saudi Arabia", "KSA"),
    "CN": ("People's Republic of China", "PRC"),
    "CD": ("DR Congo", "DRC", "Congo-Kinshasa", "Democratic Republic of Congo"),
    "CG": ("Republic of the Congo", "Congo-Brazzaville"),
    "CI": ("Ivory Coast",),
    "CV": ("Cape Verde",),
    "BN": ("Brunei",),
    "SZ": ("Swaziland",),
    "MM": ("Burma",),
    "TL": ("East Timor",),
    "FM": ("Federated States of Micronesia",),
    "VA": ("Holy See", "Holy See (Vatican City State)"),
    "IL": ("State of Israel",),
    "JO": ("Hashemite Kingdom of Jordan",),
    "EG": ("Arab Republic of Egypt",),
    "YE": ("Republic of Yemen",),
    "LY": ("State of Libya",),
    "KW": ("State of Kuwait",),
    "QA": ("State of Qatar",),
    "BH": ("Kingdom of Bahrain",),
    "OM": ("Sultanate of Oman",),
    "LB": ("Lebanese Republic",),
}
COUNTRY_DESCRIPTIONS: dict[str, str] = {
    "PS": "Palestinian territories: the West Bank and the Gaza Strip",
    "XK": "partially recognised state in the Balkans",
    "TW": "state in East Asia (Republic of China)",
}
# QIDs that countries.csv must agree with (trusted, ELEVANT gold, crosswalk.csv)
PINNED_COUNTRIES: dict[str, str] = {
    "IQ": "Q796", "SY": "Q858", "US": "Q30",  # trusted
    "EG": "Q79", "IR": "Q794", "LY": "Q1016", "PK": "Q843", "YE": "Q805", "TR": "Q43", "GB": "Q145",  # elevant
    "CN": "Q148", "AU": "Q408", "GR": "Q41",  # elevant
    "FR": "Q142", "DE": "Q183", "RU": "Q159", "IT": "Q38", "JO": "Q810", "LB": "Q822", "SA": "Q851",  # crosswalk
    "IL": "Q801", "KW": "Q817", "QA": "Q846",  # crosswalk
}

# ----------------------------------------------------------------------- governorates and provinces
# (country code, states.csv iso2, QID, kg label (= kg.nlp.lexicon.ADMIN_AREAS), aliases); source: geo (states.csv)
ADMIN: tuple[tuple[str, str, str, str, tuple[str, ...]], ...] = (
    ("IQ", "AN", "Q187334", "Anbar", ("Al Anbar", "al-Anbar", "Anbar Province")),
    ("IQ", "BB", "Q59202", "Babil", ("Babylon Governorate", "Babylon Province", "Babil Province")),
    ("IQ", "BG", "Q191075", "Baghdad", ("Baghdad Province",)),
    ("IQ", "BA", "Q193551", "Basra", ("Basrah", "Basra Province", "Basrah Governorate")),
    ("IQ", "DQ", "Q215649", "Dhi Qar", ("Thi Qar", "Dhi Qar Province")),
    ("IQ", "DI", "Q217075", "Diyala", ("Diyala Province",)),
    ("IQ", "DA", "Q189541", "Duhok", ("Dohuk", "Dahuk", "Duhok Province", "Dohuk Governorate")),
    ("IQ", "AR", "Q213189", "Erbil", ("Arbil", "Irbil", "Erbil Province", "Arbil Governorate")),
    ("IQ", "KA", "Q214104", "Karbala", ("Kerbala", "Karbala Province")),
    ("IQ", "KI", "Q193268", "Kirkuk", ("Kirkuk Province", "Tamim Governorate", "Al-Tamim Governorate")),
    ("IQ", "MA", "Q213170", "Maysan", ("Missan", "Maysan Province")),
    ("IQ", "MU", "Q212761", "Muthanna", ("Al Muthanna", "Al-Muthanna", "Muthanna Province")),
    ("IQ", "NA", "Q192882", "Najaf", ("Najaf Province",)),
    ("IQ", "NI", "Q189352", "Nineveh", ("Ninawa", "Ninewa", "Nineveh Province", "Ninawa Governorate")),
    ("IQ", "QA", "Q62987", "Qadisiyyah", ("Qadisiyah", "Al-Qadisiyyah", "Al-Qādisiyyah", "Qadisiyyah Province",
                                          "Diwaniyah Governorate")),
    ("IQ", "SD", "Q190131", "Saladin", ("Salahuddin", "Salah al-Din", "Salah ad-Din", "Salaheddin",
                                        "Salahaddin", "Saladin Province", "Salahuddin Governorate",
                                        "Salah al-Din Governorate")),
    ("IQ", "SU", "Q213182", "Sulaymaniyah", ("Sulaimaniya", "Suleimaniyah", "Sulaymaniyah Province")),
    ("IQ", "WA", "Q189747", "Wasit", ("Wasit Province",)),
    ("IQ", "KR", "Q205047", "Kurdistan Region", ("Iraqi Kurdistan", "KRI", "Kurdistan Region of Iraq",
                                                 "Iqlim Kurdistan")),
    ("SY", "HL", "Q214064", "Aleppo", ("Aleppo Province",)),
    ("SY", "DI", "Q2007044", "Damascus", ("Damascus Province",)),
    ("SY", "DR", "Q1689560", "Daraa", ("Deraa", "Dara'a", "Daraa Province")),
    ("SY", "DY", "Q232387", "Deir ez-Zor", ("Deir al-Zour", "Deir Ezzor", "Deir el-Zour", "Deir ez-Zour",
                                            "Deir al-Zor", "Dayr az-Zawr", "Deir ez-Zor Province")),
    ("SY", "HM", "Q232355", "Hama", ("Hama Province",)),
    ("SY", "HA", "Q233914", "Hasakah", ("Al-Hasakah", "Hasaka", "Hasakah Province", "Al-Hasakah Governorate")),
    ("SY", "HI", "Q214094", "Homs", ("Homs Province",)),
    ("SY", "ID", "Q233218", "Idlib", ("Idlib Province", "Idleb Governorate")),
    ("SY", "LA", "Q233236", "Latakia", ("Lattakia", "Latakia Province")),
    ("SY", "QU", "Q219690", "Quneitra", ("Quneitra Province",)),
    ("SY", "RA", "Q235563", "Raqqa", ("Raqqah", "al-Raqqa", "Ar-Raqqah", "Al-Raqqah", "Raqqa Province")),
    ("SY", "RD", "Q232399", "Rif Dimashq", ("Damascus countryside", "Rural Damascus", "Rif Dimashq Province")),
    ("SY", "SU", "Q236797", "Suwayda", ("Sweida", "As-Suwayda", "Suwaida", "Suwayda Province")),
    ("SY", "TA", "Q232382", "Tartus", ("Tartous", "Tartus Province")),
)

# ------------------------------------------------------------------------------------------- cities
@dataclass(frozen=True)
class City:
    """A settlement: QID, kg label, aliases, country code, its name in cities_middle_east_flat.csv (None:
    not there, no coordinates), description and the source that confirmed the QID."""

    qid: str
    label: str
    aliases: tuple[str, ...]
    country: str
    geo_name: str | None
    description: str
    source: str


CITIES: tuple[City, ...] = (
    # Iraq
    City("Q1530", "Baghdad", (), "IQ", "Baghdad", "capital of Iraq", "trusted"),
    City("Q173310", "Kirkuk", ("Kerkuk",), "IQ", "Kirkuk", "city in Iraq", "trusted"),
    City("Q83317", "Mosul", ("Al-Mawsil", "Mawsil"), "IQ", "Mosul", "city in Iraq", "geo+wd"),
    City("Q48195", "Basra", ("Basrah", "Al-Basrah"), "IQ", "Basrah", "city in Iraq", "geo+wd"),
    City("Q199909", "Karbala", ("Kerbala",), "IQ", "Karbala", "city in Iraq", "geo+wd"),
    City("Q170047", "Samarra", (), "IQ", "Sāmarrā’", "city in Iraq", "geo+wd"),
    City("Q38811", "Nasiriyah", ("Nasiriya", "An Nasiriyah", "al-Nasiriyah"), "IQ", "Nasiriyah",
         "city in Iraq", "geo+wd"),
    City("Q191204", "Sulaymaniyah", ("Sulaimaniya", "Suleimaniyah", "Slemani", "Sulaimani", "As Sulaymaniyah"),
         "IQ", "As Sulaymānīyah", "city in Iraqi Kurdistan", "geo+wd"),
    City("Q152831", "Duhok", ("Dohuk", "Dahuk", "Dihok"), "IQ", "Dihok", "city in Iraqi Kurdistan", "geo+wd"),
    # Syria
    City("Q3766", "Damascus", ("Dimashq",), "SY", "Damascus", "capital of Syria", "trusted"),
    City("Q41183", "Aleppo", ("Halab",), "SY", "Aleppo", "city in Syria", "geo+wd"),
    City("Q131301", "Homs", ("Hims",), "SY", "Homs", "city in Syria", "geo+wd"),
    City("Q173545", "Hama", ("Hamah",), "SY", "Ḩamāh", "city in Syria", "geo+wd"),
    City("Q200030", "Latakia", ("Lattakia", "Al-Ladhiqiyah"), "SY", "Latakia", "city in Syria", "geo+wd"),
    # capitals and main cities of the region
    City("Q3820", "Beirut", ("Beyrouth",), "LB", "Beirut", "capital of Lebanon", "geo+wd"),
    City("Q3805", "Amman", (), "JO", "Amman", "capital of Jordan", "geo+wd"),
    City("Q3616", "Tehran", ("Teheran",), "IR", "Tehran", "capital of Iran", "geo+wd"),
    City("Q3640", "Ankara", (), "TR", "Ankara", "capital of Turkey", "geo+wd"),
    City("Q406", "Istanbul", (), "TR", "Istanbul", "city in Turkey", "elevant"),
    City("Q3692", "Riyadh", (), "SA", "Riyadh", "capital of Saudi Arabia", "geo+wd"),
    City("Q85", "Cairo", (), "EG", "Cairo", "capital of Egypt", "geo+wd"),
    City("Q35178", "Kuwait City", (), "KW", "Kuwait City", "capital of Kuwait", "geo+wd"),
    City("Q3882", "Manama", (), "BH", "Manama", "capital of Bahrain", "geo+wd"),
    City("Q3861", "Doha", (), "QA", "Doha", "capital of Qatar", "geo+wd"),
    City("Q1519", "Abu Dhabi", (), "AE", "Abu Dhabi", "capital of the United Arab Emirates", "geo+wd"),
    City("Q612", "Dubai", (), "AE", "Dubai", "city in the United Arab Emirates", "geo+wd"),
    City("Q3826", "Muscat", (), "OM", "Muscat", "capital of Oman", "geo+wd"),
    City("Q2471", "Sanaa", ("Sana'a",), "YE", "Sanaa", "capital of Yemen", "geo+wd"),
    # Jerusalem: no country given (status disputed)
    City("Q1218", "Jerusalem", ("Al-Quds",), "", "Jerusalem", "city in the Levant", "geo+wd"),
    City("Q33935", "Tel Aviv", ("Tel Aviv-Yafo",), "IL", "Tel Aviv", "city in Israel", "geo+wd"),
    City("Q47492", "Gaza City", (), "PS", "Gaza City", "city in the Gaza Strip", "geo+wd"),
    # outside the region, named in EU/UN policy news (not in the Middle East geo file: no coordinates)
    City("Q239", "Brussels", (), "BE", None, "capital of Belgium, seat of EU institutions", "trusted"),
    City("Q84", "London", (), "GB", None, "capital of the United Kingdom", "elevant"),
    City("Q90", "Paris", (), "FR", None, "capital of France", "elevant"),
)

# ------------------------------------------------------------------------- organisations and people
# (QID, kg label, kind, aliases, country QID, description, source)
CURATED: tuple[tuple[str, str, str, tuple[str, ...], str, str, str], ...] = (
    ("Q2429253", "Islamic State", "armed",
     ("ISIS", "ISIL", "IS", "Daesh", "Daish", "Islamic State of Iraq and the Levant", "Islamic State of Iraq and Syria",
      "Islamic State group", "Islamic State of Iraq and al-Sham"),
     "", "Salafi jihadist militant group", "trusted"),
    ("Q458", "European Union", "international", ("EU", "E.U."), "",
     "political and economic union of European states", "trusted"),
    ("Q1065", "United Nations", "international", ("UN", "U.N."), "",
     "intergovernmental organization", "trusted"),
    ("Q130879", "Reuters", "media", ("Reuters news agency", "Thomson Reuters news agency"), "",
     "international news agency", "trusted, elevant"),
    ("Q40469", "Associated Press", "media", ("The Associated Press",), "Q30",
     "American news agency", "elevant"),
    ("Q48340", "CNN", "media", ("Cable News Network",), "Q30", "American news channel", "elevant"),
    ("Q216826", "Muqtada al-Sadr", "human", ("Moqtada al-Sadr", "Muqtada Sadr", "Moqtada Sadr"), "Q796",
     "Iraqi Shia cleric and leader of the Sadrist Movement", "trusted"),
    ("Q44329", "Bashar al-Assad", "human", ("Bashar Assad", "Bashar al-Asad", "Assad"), "Q858",
     "President of Syria 2000-2024", "trusted"),
    ("Q39259", "Recep Tayyip Erdoğan", "human", ("Erdogan", "Erdoğan", "Tayyip Erdogan", "Recep Erdogan"), "Q43",
     "President of Turkey", "elevant"),
    ("Q307871", "Abdel Fattah el-Sisi", "human", ("Abdel Fattah al-Sisi", "el-Sisi", "al-Sisi", "Sisi"), "Q79",
     "President of Egypt", "elevant"),
    ("Q22686", "Donald Trump", "human", ("Trump", "Donald J. Trump"), "Q30",
     "45th and 47th President of the United States", "elevant"),
    ("Q76", "Barack Obama", "human", ("Obama",), "Q30", "44th President of the United States", "elevant"),
    ("Q3052772", "Emmanuel Macron", "human", ("Macron",), "Q142", "President of France", "elevant"),
    ("Q567", "Angela Merkel", "human", ("Merkel",), "Q183", "Chancellor of Germany 2005-2021", "elevant"),
    ("Q192", "David Cameron", "human", ("Cameron",), "Q145",
     "Prime Minister of the United Kingdom 2010-2016", "elevant"),
)


# ------------------------------------------------------------------------------------------ geo data
def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _number(text: str | None) -> float | None:
    try:
        return float(text) if text else None
    except ValueError:
        return None


def countries(geo: Path) -> tuple[list[Row], dict[str, str]]:
    """Country rows from ``countries.csv`` and ISO code -> QID for every country found."""
    rows: list[Row] = []
    qids: dict[str, str] = {}
    for record in _read_csv(geo / "countries.csv"):
        iso2, qid = record.get("iso2", ""), record.get("wikiDataId", "")
        if not iso2 or not qid:
            continue
        pinned = PINNED_COUNTRIES.get(iso2)
        if pinned and pinned != qid:
            raise ValueError(f"countries.csv gives {qid} for {iso2}, checked value is {pinned}")
        qids[iso2] = qid
        if iso2 in NOT_COUNTRIES:
            continue
        name = record["name"]
        label = COUNTRY_LABELS.get(iso2, name)
        subregion = record.get("subregion", "")
        where = f"the {subregion}" if subregion == "Caribbean" else subregion
        description = COUNTRY_DESCRIPTIONS.get(iso2) or (f"country in {where}" if where else "country")
        rows.append(Row(qid=qid, label=label, kind="country", aliases=(name, *COUNTRY_ALIASES.get(iso2, ())),
                        lon=_number(record.get("longitude")), lat=_number(record.get("latitude")), country=qid,
                        description=description))
    return rows, qids


def admin_areas(geo: Path, country_qids: dict[str, str], missing: list[str]) -> Iterator[Row]:
    """Governorate/province rows; one not in ``states.csv`` is reported in ``missing``."""
    found = {(r.get("country_code", ""), r.get("iso2", "")): r for r in _read_csv(geo / "states.csv")}
    for country, code, qid, label, aliases in ADMIN:
        record = found.get((country, code))
        if record is None:
            missing.append(f"states.csv has no {country}-{code} ({label})")
            continue
        if record.get("wikiDataId") != qid:
            raise ValueError(f"states.csv gives {record.get('wikiDataId')} for {label}, checked value is {qid}")
        region = record.get("type") == "region"
        kind_word = "autonomous region" if region else "governorate"
        country_name = {"IQ": "Iraq", "SY": "Syria"}[country]
        generic = () if region else (f"{label} Governorate",)
        yield Row(qid=qid, label=label, kind="admin", aliases=(record["name"], *generic, *aliases),
                  lon=_number(record.get("longitude")), lat=_number(record.get("latitude")),
                  country=country_qids.get(country, PINNED_COUNTRIES[country]),
                  description=f"{kind_word} of {country_name}")


def cities(geo: Path, country_qids: dict[str, str], missing: list[str]) -> Iterator[Row]:
    """City rows with coordinates from ``cities_middle_east_flat.csv``; one not there (under its name and
    QID) is reported in ``missing``."""
    by_name: dict[tuple[str, str], list[dict[str, str]]] = {}
    for record in _read_csv(geo / "cities_middle_east_flat.csv"):
        by_name.setdefault((record.get("country_code", ""), record.get("name", "")), []).append(record)
    for city in CITIES:
        lon = lat = None
        if city.geo_name is not None:
            geo_country = city.country or "IL"  # Jerusalem is filed under IL in the geo data
            match = [r for r in by_name.get((geo_country, city.geo_name), []) if r.get("wikiDataId") == city.qid]
            if not match:
                missing.append(f"cities_middle_east_flat.csv has no {city.geo_name} ({geo_country}) with {city.qid}")
                continue
            lon, lat = _number(match[0].get("longitude")), _number(match[0].get("latitude"))
        aliases = city.aliases if city.geo_name in (None, city.label) else (*city.aliases, city.geo_name)
        yield Row(qid=city.qid, label=city.label, kind="settlement", aliases=aliases, lon=lon, lat=lat,
                  country=country_qids.get(city.country, PINNED_COUNTRIES.get(city.country, "")),
                  description=city.description)


def curated() -> Iterator[Row]:
    """The organisations and people of :data:`CURATED`."""
    for qid, label, kind, aliases, country, description, _source in CURATED:
        yield Row(qid=qid, label=label, kind=kind, aliases=aliases, country=country, description=description)


def build_offline(geo: Path, partial: bool = False) -> list[Row]:
    """Every row from the geo files and the tables; with ``partial`` expected geo rows may be missing."""
    rows, country_qids = countries(geo)
    missing: list[str] = []
    rows.extend(admin_areas(geo, country_qids, missing))
    rows.extend(cities(geo, country_qids, missing))
    rows.extend(curated())
    for message in missing:
        print(f"build_gazetteer: {'skipped: ' if partial else ''}{message}", file=sys.stderr)
    if missing and not partial:
        raise SystemExit(f"build_gazetteer: {len(missing)} expected rows missing from {geo} (--partial allows)")
    return rows


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
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--geo", type=Path, help="directory with countries.csv, states.csv, "
                                                 "cities_middle_east_flat.csv (countries-states-cities)")
    parser.add_argument("--base", type=Path, default=DEFAULT_OUT,
                        help="existing gazetteer to refresh when --geo is not given (default: %(default)s)")
    parser.add_argument("--wikidata-endpoint", metavar="URL",
                        help="refresh labels/aliases/coordinates/countries from this Wikidata SPARQL endpoint")
    parser.add_argument("--partial", action="store_true",
                        help="allow expected governorates/cities to be missing from --geo (small fixtures)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output TSV (default: %(default)s)")
    args = parser.parse_args(argv)
    if args.geo is None and args.wikidata_endpoint is None:
        parser.error("give --geo DIR, --wikidata-endpoint URL or both")
    rows = build_offline(args.geo, partial=args.partial) if args.geo is not None else read_tsv(args.base)
    if args.wikidata_endpoint:
        rows = refresh(rows, args.wikidata_endpoint)
    text = render(normalise(rows))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(text.encode("utf-8"))
    print(f"build_gazetteer: wrote {text.count(chr(10)) - 1} rows to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
