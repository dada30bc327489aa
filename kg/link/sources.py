"""Wire the candidate sources (shipped gazetteer, optional Wikidata endpoint) into a linker."""

from __future__ import annotations

from kg.link.candidates import CandidateSource
from kg.link.gazetteer import Gazetteer
from kg.link.linker import Linker
from kg.link.wikidata import WikidataSource


def default_linker(wikidata_endpoint: str | None = None, *, offline: bool = False) -> Linker:
    """The shipped gazetteer, then (unless ``offline``) a Wikidata SPARQL endpoint for the rest."""
    sources: list[CandidateSource] = [Gazetteer()]
    if wikidata_endpoint and not offline:
        sources.append(WikidataSource(wikidata_endpoint))
    return Linker(sources)
