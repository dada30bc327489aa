"""Link actors and places to Wikidata: candidates from one or more sources (the shipped gazetteer,
a Wikidata-shaped SPARQL endpoint), filtered by the ontology type of the entity, then chosen by
context and popularity; below a threshold the entity stays unlinked (NIL) and keeps its own IRI."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from .model import Entity, Extraction, Link

# kg class -> the kinds of Wikidata item it may link to (kinds are what sources report per candidate)
ALLOWED_KINDS: dict[str, frozenset[str]] = {
    "Person": frozenset({"human"}),
    "Country": frozenset({"country"}),
    "State": frozenset({"country"}),
    "AdministrativeArea": frozenset({"admin"}),
    "Settlement": frozenset({"settlement", "admin"}),
    "Facility": frozenset({"facility"}),
    "NaturalFeature": frozenset({"natural"}),
    "Area": frozenset({"area", "natural", "admin"}),
    "ArmedGroup": frozenset({"armed", "organization"}),
    "SecurityForce": frozenset({"force", "organization", "armed"}),
    "GovernmentBody": frozenset({"government", "organization"}),
    "PoliticalGroup": frozenset({"political", "organization"}),
    "InternationalOrganization": frozenset({"international", "organization"}),
    "MediaOrganization": frozenset({"media", "organization"}),
    "Organization": frozenset({"organization", "armed", "force", "government", "political", "international",
                               "media"}),
}
THRESHOLD = 0.6


@dataclass(frozen=True)
class Candidate:
    """A Wikidata item a name may denote.

    ``kinds`` are coarse types (``human``, ``country``, ``admin``, ``settlement``, ``facility``, ``natural``,
    ``area``, ``armed``, ``force``, ``government``, ``political``, ``international``, ``media``,
    ``organization``); ``coordinates`` is ``(longitude, latitude)``; ``country`` a QID.
    """

    qid: str
    label: str
    kinds: frozenset[str]
    description: str = ""
    sitelinks: int = 0
    coordinates: tuple[float, float] | None = None
    country: str | None = None
    exact: bool = True  # the name matched the label (not only an alias)


class CandidateSource(Protocol):
    """Where candidates come from: the gazetteer, an endpoint."""

    name: str

    def candidates(self, names: Sequence[str]) -> dict[str, list[Candidate]]:
        """Candidates per name (keys are the names as given; missing or empty when none)."""


def fold(name: str) -> str:
    """Case- and diacritic-folded name used to match labels and aliases.

    >>> fold("Kirkūk") == fold("KIRKUK")
    True
    """
    text = unicodedata.normalize("NFKD", name.replace("’", "'"))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(text.replace("-", " ").split()).casefold()
