"""Wikidata candidates and the protocol every candidate source satisfies."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol


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
