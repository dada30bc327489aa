"""Link actors and places to Wikidata: candidates from one or more sources (the shipped gazetteer,
a Wikidata-shaped SPARQL endpoint), filtered by the ontology type of the entity, then chosen by
context and popularity; below a threshold the entity stays unlinked (NIL) and keeps its own IRI."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from functools import cache

import pycountry

from kg.link.candidates import Candidate, CandidateSource, fold
from kg.model import Entity, Extraction, Link

# kg class -> the kinds of Wikidata item it may link to (kinds are what sources report per candidate)
ALLOWED_KINDS: dict[str, frozenset[str]] = {
    "Person": frozenset({"human"}),
    "Country": frozenset({"country"}),
    "State": frozenset({"country"}),
    "AdministrativeArea": frozenset({"admin"}),
    "Settlement": frozenset({"settlement"}),  # never the governorate of the same name
    "Facility": frozenset({"facility"}),
    "NaturalFeature": frozenset({"natural"}),
    "Area": frozenset({"area", "natural"}),
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

# for classes that may link to several kinds, the kind to prefer when a name has both
PREFERRED: dict[str, tuple[str, ...]] = {
    "Area": ("area", "natural"),
    "SecurityForce": ("force", "armed", "organization"),
}


# kinds that make a candidate a worse reading for a class (on Wikidata many cities are also
# administrative entities: a governorate named like its capital should not become the city)
AVOID: dict[str, frozenset[str]] = {"AdministrativeArea": frozenset({"settlement"})}


class Linker:
    """Links the entities of an extraction, asking each source in turn for what is still unlinked.

    The decision, per entity: candidates whose kind the entity's class allows; prefer a candidate in a
    country the article is about, then an exact label match, then the preferred kind, then popularity
    (sitelinks). The confidence starts at 0.9 (label) or 0.8 (alias), gains 0.05 for a country match
    and is cut to 0.5 when two or more candidates remain equally good — below :data:`THRESHOLD`, so
    the entity stays unlinked (NIL) and keeps its own IRI. Two homonym guards, precision first: a
    one-word person name links through an alias only when no other person of the article bears it in
    full, and a country named like a state of another country ("Georgia") only when another link of the
    article lies in it.
    """

    def __init__(self, sources: Sequence[CandidateSource], threshold: float = THRESHOLD) -> None:
        self.sources = list(sources)
        self.threshold = threshold

    def link(self, extraction: Extraction) -> Extraction:
        """The extraction with ``links`` for every entity linked with enough confidence."""
        wanted = [e for e in extraction.entities if e.cls in ALLOWED_KINDS]
        if _about_sport(extraction.article.text):
            # in match reports "England beat Samoa" names teams, not countries: leave them unlinked
            wanted = [e for e in wanted if e.cls not in {"Country", "State"}]
        links: dict[tuple[str, str], Link] = {}
        located: dict[tuple[str, str], str | None] = {}  # the country each linked item lies in
        # the last words of the people named in full: a one-word person sharing one may be any of them
        namesakes = frozenset(fold(e.label.split()[-1]) for e in extraction.entities
                              if e.cls == "Person" and len(e.label.split()) > 1)
        for source in self.sources:
            pending = [e for e in wanted if e.ref not in links]
            if not pending:
                break
            names = sorted({n for e in pending for n in (e.label, *e.aliases)})
            found = source.candidates(names)
            countries = {link.qid for ref, link in links.items() if ref[0] == "country"}
            for entity in sorted(pending, key=lambda e: e.cls != "Country"):  # countries first: context
                link = self._decide(entity, found, countries, source.name, namesakes)
                if link is not None:
                    links[entity.ref] = link
                    located[entity.ref] = next((c.country for name in (entity.label, *entity.aliases)
                                                for c in found.get(name, []) if c.qid == link.qid), None)
                    if entity.cls == "Country":
                        countries.add(link.qid)
        for entity in wanted:
            # "Georgia" is also a US state, "Niger" a Nigerian one: such a country links only when another
            # link of the article lies in it ("Tbilisi")
            link = links.get(entity.ref)
            if entity.cls == "Country" and link is not None and fold(entity.label) in _states_elsewhere() \
                    and not any(where == link.qid for ref, where in located.items() if ref != entity.ref):
                del links[entity.ref]
        return replace(extraction, links=tuple(links[e.ref] for e in extraction.entities if e.ref in links))

    def _decide(self, entity: Entity, found: dict[str, list[Candidate]], countries: set[str],
                source: str, namesakes: frozenset[str] = frozenset()) -> Link | None:
        allowed = ALLOWED_KINDS[entity.cls]
        names = (entity.label, *entity.aliases)
        pool: dict[str, Candidate] = {}
        for name in names:
            # a surname the article also gives another person in full ("Michelle Obama ... Obama said") is
            # left unresolved by the article: it links only when it is the item's own label ("Saladin")
            shared = entity.cls == "Person" and fold(name) in namesakes
            for candidate in found.get(name, []):
                if candidate.kinds & allowed and not (shared and not candidate.exact):
                    best = pool.get(candidate.qid)
                    if best is None or (candidate.exact and not best.exact):
                        pool[candidate.qid] = candidate
        if not pool:
            return None
        preference = PREFERRED.get(entity.cls, ())
        avoid = AVOID.get(entity.cls, frozenset())

        def rank(c: Candidate) -> tuple[int, int, int, int, int]:
            kind_rank = min((preference.index(k) for k in c.kinds if k in preference), default=len(preference))
            return (c.country in countries or c.qid in countries, not (c.kinds & avoid), c.exact, -kind_rank,
                    c.sitelinks)

        ordered = sorted(pool.values(), key=rank, reverse=True)
        best = ordered[0]
        confidence = (0.9 if best.exact else 0.8) + (0.05 if best.country in countries else 0.0)
        if len(ordered) > 1 and rank(ordered[1])[:4] == rank(best)[:4]:
            runner_up = ordered[1].sitelinks
            if not (best.sitelinks >= 3 * max(runner_up, 1) and best.sitelinks > 0):
                confidence = 0.5  # two equally good readings: better unlinked than wrong
            else:
                confidence -= 0.15
        confidence = round(min(confidence, 0.95), 2)
        if confidence < self.threshold:
            return None
        return Link(entity.ref, best.qid, confidence, source, best.coordinates)


_SPORT = re.compile(r"\b(rugby|football|soccer|cricket|tennis|world cup|tournament|league|scored|striker|"
                    r"goalkeeper|midfielder|kick-off|semi-final|quarter-final|championship|olympic)\b", re.I)


# kinds of first-level subdivisions that share a country's name elsewhere ("Georgia", US; "Niger", Nigeria)
_STATE_TYPES = frozenset({"State", "Province"})


@cache
def _states_elsewhere() -> frozenset[str]:
    """Folded names of the countries that are also a state or province of another country (from ISO
    3166-2 as pycountry ships it: "georgia", "niger")."""
    states: dict[str, set[str]] = {}
    for division in pycountry.subdivisions:
        if division.parent_code is None and division.type in _STATE_TYPES:
            states.setdefault(fold(division.name), set()).add(division.country_code)
    out = set()
    for country in pycountry.countries:
        name = fold(getattr(country, "common_name", None) or country.name)
        if states.get(name, set()) - {country.alpha_2}:
            out.add(name)
    return frozenset(out)


def _about_sport(text: str) -> bool:
    return len(_SPORT.findall(text)) >= 3



