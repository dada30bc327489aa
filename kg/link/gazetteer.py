"""The shipped gazetteer: a small, hand-checked table of Wikidata items for Iraq/Syria news.

``kg/data/gazetteer.tsv`` is the linked subset (the rows with a QID) of kg's one table of named things,
``kg/data/names.tsv`` (:mod:`kg.known`), written and checked by ``tools/build_gazetteer.py``. It holds
one item per line::

    qid  label  kind  aliases  lon  lat  country  description

``label`` is the table's canonical name, ``kind`` one of the coarse kinds of
:data:`kg.link.linker.ALLOWED_KINDS` (:data:`CLASS_KINDS` of the row's class), ``aliases`` the table's
``link_aliases`` (``|``-separated), ``lon``/``lat`` decimal degrees (places only, may be empty),
``country`` a QID (may be empty). Names are matched after :func:`kg.link.candidates.fold`
(case, diacritics and hyphens ignored), so ``"Salah al-Din"``, ``"SALAHUDDIN"`` and ``"Saladin"`` all find
Saladin Governorate.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from kg.known import coordinates as known_coordinates
from kg.known import split_list, tsv_rows
from kg.link.candidates import Candidate, fold
from kg.resources import data_path

HEADER = ("qid", "label", "kind", "aliases", "lon", "lat", "country", "description")
KINDS = frozenset({"human", "country", "admin", "settlement", "facility", "natural", "area", "armed", "force",
                   "government", "political", "international", "media", "organization"})
# kinds whose rows are places and may carry coordinates
PLACE_KINDS = frozenset({"country", "admin", "settlement", "facility", "natural", "area"})
# the gazetteer kind of a linked row of the table of named things (kg.known), by its ontology class
CLASS_KINDS: dict[str, str] = {
    "Person": "human", "Country": "country", "AdministrativeArea": "admin", "Settlement": "settlement",
    "Facility": "facility", "NaturalFeature": "natural", "Area": "area", "ArmedGroup": "armed",
    "SecurityForce": "force", "GovernmentBody": "government", "PoliticalGroup": "political",
    "InternationalOrganization": "international", "MediaOrganization": "media", "Organization": "organization",
}
# folded names that knowingly denote two items of the same kind; everything else is unambiguous within a kind
AMBIGUOUS: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Entry:
    """One line of the gazetteer file, parsed."""

    qid: str
    label: str
    kind: str
    aliases: tuple[str, ...]
    coordinates: tuple[float, float] | None  # (longitude, latitude)
    country: str | None
    description: str

    def candidate(self, exact: bool) -> Candidate:
        """This entry as a linking candidate (the gazetteer knows no popularity: ``sitelinks`` is 0)."""
        return Candidate(qid=self.qid, label=self.label, kinds=frozenset({self.kind}),
                         description=self.description, sitelinks=0, coordinates=self.coordinates,
                         country=self.country, exact=exact)


def parse(lines: Iterable[str]) -> list[Entry]:
    """Parse gazetteer TSV text (header first); raises :class:`ValueError` on a malformed line."""
    entries: list[Entry] = []
    for number, fields in tsv_rows(lines, HEADER, "gazetteer"):
        qid, label, kind, aliases, lon_text, lat_text, country, description = fields
        if kind not in KINDS:
            raise ValueError(f"gazetteer line {number}: unknown kind {kind!r}")
        coordinates = known_coordinates(lon_text, lat_text, "gazetteer", number)
        entries.append(Entry(qid=qid, label=label, kind=kind,
                             aliases=split_list(aliases),
                             coordinates=coordinates, country=country or None, description=description))
    return entries


def default_path() -> Path:
    """Where the shipped ``gazetteer.tsv`` is (inside the ``kg`` package, so wheels carry it)."""
    return data_path("gazetteer.tsv")


@cache
def _load(path: Path) -> tuple[Entry, ...]:
    with path.open(encoding="utf-8", newline="") as handle:
        return tuple(parse(handle))


def _qid_number(qid: str) -> int:
    return int(qid[1:]) if qid[1:].isdigit() else 0


class Gazetteer:
    """Candidates from the shipped gazetteer, matched on folded labels and aliases.

    The file is read once per path (cached across instances). ``candidates`` returns, per name, the items
    whose label or alias folds to the same text as the name — exact (label) matches first, then by QID —
    with ``exact=True`` when the name folds to the item's label. A leading ``"the "`` is ignored when the
    name itself matches nothing (``"the Islamic State"``).
    """

    name = "gazetteer"

    def __init__(self, path: Path | str | None = None) -> None:
        self.path = Path(path) if path is not None else default_path()
        self._entries = _load(self.path)
        self._by_qid = {entry.qid: entry for entry in self._entries}
        index: dict[str, dict[str, Entry]] = {}
        for entry in self._entries:
            for name in (entry.label, *entry.aliases):
                index.setdefault(fold(name), {}).setdefault(entry.qid, entry)
        self._index = index

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, qid: object) -> bool:
        return qid in self._by_qid

    @property
    def entries(self) -> tuple[Entry, ...]:
        """Every entry, in file order (sorted by QID number)."""
        return self._entries

    def lookup(self, name: str) -> list[Candidate]:
        """Candidates for one name (empty when none)."""
        key = fold(name)
        matches = self._index.get(key)
        if not matches and key.startswith("the "):
            key = key[4:]
            matches = self._index.get(key)
        if not matches:
            return []
        found = [entry.candidate(fold(entry.label) == key) for entry in matches.values()]
        return sorted(found, key=lambda c: (not c.exact, _qid_number(c.qid), c.qid))

    def candidates(self, names: Sequence[str]) -> dict[str, list[Candidate]]:
        """Candidates per name; names with none are left out."""
        result: dict[str, list[Candidate]] = {}
        for name in names:
            found = self.lookup(name)
            if found:
                result[name] = found
        return result

    def get(self, qid: str) -> Candidate | None:
        """The item with this QID as an (exact) candidate, or ``None`` when the gazetteer lacks it."""
        entry = self._by_qid.get(qid)
        return entry.candidate(True) if entry is not None else None
