"""Score kg's places, events and actors on UCDP GED headlines (``kg eval ucdp``).

Each UCDP Georeferenced Event Dataset row is one event with the English ``source_headline`` of the
report it was coded from, the place (``where_coordinates``) and the two sides (``side_a``,
``side_b``). A row whose first cell starts with ``#`` (the HXL tag row) is skipped.

Rows kept
    A row is kept when its headline names its place. The place is ``where_coordinates`` cut to its
    base name: alternatives in "A/B" and "A (B)" are each tried; trailing words such as town, city,
    village, province, district, governorate, area, camp, neighbourhood (:data:`PLACE_WORDS`) are
    dropped; names are compared folded (case, diacritics, hyphens and apostrophes) and a leading
    Arabic article (al-, ar-, as-, ash-, ... :data:`ARTICLES`) is ignored, so "Al Bab town" is "bab"
    and is found in "Clashes in al-Bab". Each kept headline is run through kg as one article
    (repeated headlines are extracted once), with HTML entities decoded and the several headlines
    UCDP joins with ";" as separate paragraphs.

Measures (recalls: UCDP does not list everything a headline names, so there is no precision)
    place recall
        the place is among kg's Location mentions (its text or its entity's name folds to a match);
    event recall
        a kg event has that place among its locations;
    actor recall
        for each side (and each actor of a side listing several) that is in :data:`ACTOR_ALIASES`
        *and* is named in the headline by one of its aliases, the side is found when a kg entity's
        label, alias or mention text matches an alias of that side. All-capital aliases (IS, SDF)
        match case-sensitively, the others folded; a match is a whole-word one ("Syrian regime
        forces" matches "Syrian regime"). Generic sides (Syrian insurgents, Civilians) are not scored.

Per year and per country
    place and event recall are also given for each ``year`` (else the year of ``date_start``) and each
    ``country`` (else the file's name without "ucdp", "ged" and numbers: ``ucdp_ged_syria_2016_2019.csv``
    is Syria), so that a rule is judged on the years and countries it was not written for.
"""

from __future__ import annotations

import csv
import html
import json
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from spacy.language import Language

from kg.errors import InputError
from kg.extract.from_doc import extract
from kg.model import LOCATION_CLASSES, Article, EntityRef, Extraction

PLACE_WORDS = frozenset({
    "town", "city", "village", "villages", "province", "district", "subdistrict", "governorate", "area", "areas",
    "camp", "neighbourhood", "neighborhood", "suburb", "region", "locality", "sector", "countryside", "mountain",
    "mountains",
})
ARTICLES = ("al", "el", "ar", "as", "ash", "ad", "adh", "az", "at", "ath", "an", "ad")
_ARTICLE = re.compile(r"^(?:" + "|".join(ARTICLES) + r") ")

# UCDP side -> names that refer to it in English news; the first is the display name.
ACTOR_ALIASES: dict[str, tuple[str, ...]] = {
    "Government of Syria": ("Syrian government", "Syrian Army", "Syrian Arab Army", "SAA", "Syrian regime",
                            "Assad regime", "regime", "regime forces", "government forces", "Syrian forces",
                            "Syrian troops", "Syrian military", "Syria"),
    "Government of Iraq": ("Iraqi government", "Iraqi army", "Iraqi forces", "Iraqi security forces", "ISF",
                           "Iraqi troops", "Iraqi military", "Iraq"),
    "Government of Turkey": ("Turkey", "Turkish army", "Turkish forces", "Turkish troops", "Turkish military",
                             "Turkish government", "Turkish warplanes", "Turkish jets", "TSK"),
    "Government of Israel": ("Israel", "Israeli army", "Israeli forces", "Israeli military", "IDF",
                             "Israeli warplanes", "Israeli jets", "Israeli government"),
    "Government of Iran": ("Iran", "Iranian forces", "Iranian government", "IRGC", "Revolutionary Guard"),
    "IS": ("Islamic State", "IS", "ISIS", "ISIL", "Daesh", "Daish", "Islamic State of Iraq and the Levant",
           "Islamic State of Iraq and Syria"),
    "SDF": ("Syrian Democratic Forces", "SDF", "QSD", "YPG", "People's Protection Units"),
    "HTS": ("Hayat Tahrir al-Sham", "HTS", "Hay'at Tahrir al-Sham", "Hayyat Tahrir al-Sham", "Tahrir al-Sham"),
    "Jabhat Fateh al-Sham": ("Jabhat Fateh al-Sham", "Jabhat Fatah al-Sham", "Fateh al-Sham", "JFS", "Nusra Front",
                             "Jabhat al-Nusra", "Nusra"),
    "Ahrar al-Sham": ("Ahrar al-Sham",),
    "Jaysh al-Islam": ("Jaysh al-Islam", "Jaish al-Islam", "Army of Islam"),
    "SNA": ("Syrian National Army", "SNA"),
    "Hezbollah": ("Hezbollah", "Hizbollah", "Hizballah"),
}
REQUIRED = ("source_headline", "where_coordinates", "side_a", "side_b")


def _plain(text: str) -> str:
    """Diacritics removed, apostrophes dropped, hyphens and other punctuation as spaces; case kept."""
    decomposed = unicodedata.normalize("NFKD", text)
    out = "".join(c for c in decomposed if not unicodedata.combining(c))
    out = re.sub(r"['’‘`ʼʿʾ]", "", out)
    out = re.sub(r"[^\w]+", " ", out)
    return " ".join(out.split())


def fold(text: str) -> str:
    """Lower-case, diacritics-free, punctuation-free form of a name, for comparing names."""
    return _plain(text).casefold()


def base_name(name: str) -> str:
    """A folded place name without trailing place words and without a leading article."""
    words = fold(name).split()
    while len(words) > 1 and words[-1] in PLACE_WORDS:
        words.pop()
    base = " ".join(words)
    stripped = _ARTICLE.sub("", base)
    return stripped if len(stripped) >= 3 else base


def base_names(where: str) -> tuple[str, ...]:
    """The base names of a ``where_coordinates`` value ("Tadmur/Palmyra town" gives tadmur, palmyra)."""
    inside = re.findall(r"\(([^)]*)\)", where)
    outside = re.sub(r"\([^)]*\)", " ", where)
    out: list[str] = []
    for name in [*outside.split("/"), *inside]:
        base = base_name(name)
        if len(base) >= 3 and base not in out:
            out.append(base)
    return tuple(out)


def _contains(text: str, phrase: str) -> bool:
    """Whole-word occurrence of an already folded/plain ``phrase`` in ``text`` of the same form."""
    return re.search(r"(?<!\w)" + re.escape(phrase) + r"(?!\w)", text) is not None


def names_alias(text: str, alias: str) -> bool:
    """Whether ``text`` names ``alias``: case-sensitive for all-capital aliases, folded otherwise."""
    if alias.isupper():
        return _contains(_plain(text), _plain(alias))
    return _contains(fold(text), fold(alias))


def sides(row: dict[str, str]) -> list[str]:
    """The scored actors of a row: its sides split on commas, those in :data:`ACTOR_ALIASES`."""
    out: list[str] = []
    for side in (row.get("side_a") or "", row.get("side_b") or ""):
        for actor in (a.strip() for a in side.split(",")):
            if actor in ACTOR_ALIASES and actor not in out:
                out.append(actor)
    return out


@dataclass(frozen=True)
class UcdpRow:
    """A kept row: its id, headline, the base name found in the headline and the scored actors named."""

    id: str
    headline: str
    place: str
    actors: tuple[str, ...]
    year: str = ""
    country: str = ""


@dataclass
class Recall:
    """Found out of total."""

    found: int = 0
    total: int = 0

    @property
    def recall(self) -> float:
        """found / total."""
        return self.found / self.total if self.total else 0.0

    def count(self, hit: bool) -> None:
        """Count one case."""
        self.total += 1
        self.found += int(hit)

    def as_dict(self) -> dict[str, object]:
        """For ``--format json``."""
        return {"found": self.found, "total": self.total, "recall": round(self.recall, 4)}


@dataclass
class Slice:
    """Place and event recall over the rows of one year or one country."""

    place: Recall = field(default_factory=Recall)
    event: Recall = field(default_factory=Recall)

    def as_dict(self) -> dict[str, object]:
        """For ``--format json``."""
        return {"place_recall": self.place.as_dict(), "event_recall": self.event.as_dict()}


@dataclass
class UcdpScore:
    """Place, event and actor recall over the kept rows, with the misses."""

    rows_read: int = 0
    rows_kept: int = 0
    headlines: int = 0
    place: Recall = field(default_factory=Recall)
    event: Recall = field(default_factory=Recall)
    actor: Recall = field(default_factory=Recall)
    actors: dict[str, Recall] = field(default_factory=dict)
    missed_places: Counter[str] = field(default_factory=Counter)
    place_typed_as: Counter[str] = field(default_factory=Counter)  # kg class of a missed place named otherwise
    missed_actor_names: Counter[str] = field(default_factory=Counter)
    by_year: dict[str, Slice] = field(default_factory=dict)
    by_country: dict[str, Slice] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        """Everything, for ``--format json``."""
        return {"rows_read": self.rows_read, "rows_kept": self.rows_kept, "headlines": self.headlines,
                "place_recall": self.place.as_dict(), "event_recall": self.event.as_dict(),
                "actor_recall": self.actor.as_dict(),
                "actors": {name: r.as_dict() for name, r in sorted(self.actors.items(), key=lambda x: -x[1].total)},
                "missed_places": self.missed_places.most_common(50),
                "missed_places_typed_as": dict(self.place_typed_as.most_common()),
                "missed_actor_names": self.missed_actor_names.most_common(30),
                "by_year": {year: s.as_dict() for year, s in sorted(self.by_year.items())},
                "by_country": {country: s.as_dict() for country, s in sorted(self.by_country.items())},
                "errors": self.errors}


def read_ucdp(path: Path) -> Iterator[dict[str, str]]:
    """The rows of a UCDP GED CSV as dicts, the HXL tag row skipped (a file without a ``country``
    column gives each row the country its name says, see :func:`country_of_file`).

    Raises:
        InputError: the file cannot be read or lacks the headline, place or side columns.
    """
    try:
        stream = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror}) - give a UCDP GED CSV file") from None
    with stream:
        reader = csv.reader(stream)
        try:
            header = next(reader, None)
            if header is None:
                raise InputError(f"{path}: empty file - expected a UCDP GED CSV with a header row")
            missing = [name for name in REQUIRED if name not in header]
            if missing:
                raise InputError(f"{path}: not a UCDP GED CSV - no {', '.join(missing)} column"
                                 f"{'s' if len(missing) > 1 else ''} in the header")
            country = {} if "country" in header else {"country": country_of_file(path)}
            for cells in reader:
                if not cells or (cells[0].startswith("#")):
                    continue
                yield {name: (cells[i] if i < len(cells) else "") for i, name in enumerate(header)} | country
        except csv.Error as exc:
            raise InputError(f"{path}: line {reader.line_num}: not CSV ({exc})") from None
        except UnicodeDecodeError as exc:
            raise InputError(f"{path}: not UTF-8 text ({exc.reason}) - expected a UCDP GED CSV") from None


def country_of_file(path: Path) -> str:
    """The country a UCDP file's name says, for files without a ``country`` column.

    >>> country_of_file(Path("ucdp_ged_syria_2016_2019.csv"))
    'Syria'
    """
    words = [w for w in re.split(r"[^A-Za-z]+", path.stem) if w and w.lower() not in {"ucdp", "ged"}]
    return " ".join(words).title() or "?"


def headline_text(raw: str) -> str:
    """The text kg reads for a ``source_headline``: HTML entities decoded, and the headlines of one
    source that UCDP joined with ";" set apart as paragraphs."""
    parts = [" ".join(part.split()) for part in html.unescape(raw).split(";")]
    return "\n\n".join(part for part in parts if part)


def kept_rows(rows: Iterable[dict[str, str]], score: UcdpScore, limit: int | None = None) -> list[UcdpRow]:
    """The rows whose headline names their place (the first ``limit`` of them)."""
    kept: list[UcdpRow] = []
    for row in rows:
        score.rows_read += 1
        headline = headline_text(row.get("source_headline") or "")
        if not headline:
            continue
        folded = fold(headline)
        place = next((b for b in base_names(row.get("where_coordinates") or "") if _contains(folded, b)), None)
        if place is None:
            continue
        actors = tuple(a for a in sides(row) if any(names_alias(headline, alias) for alias in ACTOR_ALIASES[a]))
        year = row.get("year") or (row.get("date_start") or "")[:4]
        kept.append(UcdpRow(row.get("id") or str(score.rows_read), headline, place, actors, year,
                            row.get("country") or ""))
        if limit is not None and len(kept) >= limit:
            break
    score.rows_kept = len(kept)
    return kept


def _names(extraction: Extraction) -> dict[EntityRef, set[str]]:
    """Every name kg has for each entity: label, aliases and mention texts."""
    names: dict[EntityRef, set[str]] = {e.ref: {e.label, *e.aliases} for e in extraction.entities}
    for mention in extraction.mentions:
        names.setdefault(mention.entity, set()).add(mention.span.text)
    return names


def _place_match(name: str, place: str) -> bool:
    return _contains(fold(name), place)


def score_row(row: UcdpRow, extraction: Extraction, score: UcdpScore) -> None:
    """Add one kept row's place, event and actor results to ``score``."""
    names = _names(extraction)
    cls_of = {e.ref: e.cls for e in extraction.entities}
    places = {ref for ref, ns in names.items() if any(_place_match(n, row.place) for n in ns)}
    located = {ref for ref in places if cls_of.get(ref) in LOCATION_CLASSES}
    score.place.count(bool(located))
    if not located:
        score.missed_places[row.place] += 1
        typed = sorted({cls_of.get(ref, "?") for ref in places})
        score.place_typed_as[typed[0] if typed else "not found"] += 1
        score.errors.append(f"{row.id} place {row.place!r}: " + (f"kg {', '.join(typed)}" if typed else "missed")
                            + f" in {row.headline!r}")
    event_hit = any(ref in located for event in extraction.events for ref in event.locations)
    score.event.count(event_hit)
    for part in (score.by_year.setdefault(row.year or "?", Slice()),
                 score.by_country.setdefault(row.country or "?", Slice())):
        part.place.count(bool(located))
        part.event.count(event_hit)
    if located and not event_hit:
        score.errors.append(f"{row.id} no event at {row.place!r} in {row.headline!r}")
    for actor in row.actors:
        aliases = ACTOR_ALIASES[actor]
        hit = any(names_alias(n, alias) for ns in names.values() for n in ns for alias in aliases)
        score.actor.count(hit)
        score.actors.setdefault(actor, Recall()).count(hit)
        if not hit:
            said = next((alias for alias in aliases if names_alias(row.headline, alias)), actor)
            score.missed_actor_names[said] += 1
            score.errors.append(f"{row.id} actor {actor} ({said!r}) missed in {row.headline!r}")


def score_ucdp(path: Path, nlp: Language, *, limit: int | None = None, batch_size: int = 64) -> UcdpScore:
    """Read a UCDP GED CSV, extract every kept headline once, and score place, event and actor recall."""
    score = UcdpScore()
    rows = kept_rows(read_ucdp(path), score, limit)
    return score_rows(rows, nlp, score, batch_size=batch_size)


def score_rows(rows: Sequence[UcdpRow], nlp: Language, score: UcdpScore, *, batch_size: int = 64) -> UcdpScore:
    """Extract the distinct headlines of ``rows`` and score each row."""
    distinct = list(dict.fromkeys(row.headline for row in rows))
    score.headlines = len(distinct)
    articles = (Article(id=f"ucdp-{i}", text=text, origin=f"UCDP headline {i}") for i, text in enumerate(distinct))
    by_headline = dict(zip(distinct, extract(articles, nlp, batch_size=batch_size), strict=False))
    for row in rows:
        score_row(row, by_headline[row.headline], score)
    return score


def format_ucdp(score: UcdpScore, fmt: str = "table") -> str:
    """The recalls as a small table or as JSON."""
    if fmt == "json":
        return json.dumps(score.as_dict(), indent=2, ensure_ascii=False)
    lines = [
        "measure          recall  counts",
        "---------------  ------  ---------------------------------------------",
        (f"place recall     {score.place.recall:6.3f}  {score.place.found}/{score.place.total} kept rows: "
         "place among kg's Location mentions"),
        (f"event recall     {score.event.recall:6.3f}  {score.event.found}/{score.event.total} kept rows: "
         "a kg event located at the place"),
        (f"actor recall     {score.actor.recall:6.3f}  {score.actor.found}/{score.actor.total} sides named in "
         "their headline"),
        f"rows             {score.rows_kept} kept of {score.rows_read} read ({score.headlines} distinct headlines)",
    ]
    for name, r in sorted(score.actors.items(), key=lambda x: -x[1].total):
        lines.append(f"  {name:30} {r.recall:6.3f}  {r.found}/{r.total}")
    for title, parts in (("year", score.by_year), ("country", score.by_country)):
        lines += [f"  {f'{title} {key}':30} place {s.place.recall:5.3f}  event {s.event.recall:5.3f}  "
                  f"{s.event.found}/{s.event.total}" for key, s in sorted(parts.items())]
    if score.missed_places:
        lines.append("most missed places: " + ", ".join(f"{p} {n}" for p, n in score.missed_places.most_common(10)))
    if score.missed_actor_names:
        lines.append("most missed actor names: " + ", ".join(
            f"{p} {n}" for p, n in score.missed_actor_names.most_common(8)))
    return "\n".join(lines)
