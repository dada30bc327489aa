"""Entity-ruler patterns for actors named by a nationality (governments, forces, oppositions, populations)
and for numbered task forces.

"the Iraqi government" is the Government of Iraq, "Syrian Arab forces" a security force, "the Syrian
opposition" a political group, and "Iraqis" or "the Syrian people" a population acting or suffering as
one. The statistical model sees most of these as NORP adjectives and drops the actor.
"""

from __future__ import annotations

from typing import Any

from kg.nlp import lexicon

_FORCE_WORDS = ["army", "police", "forces", "troops", "military", "soldiers"]
_FORCE_QUALIFIERS = ["arab", "kurdish", "sunni", "shia", "shiite", "tribal", "special", "government", "security",
                     "regular"]


_GOVERNMENT_WORDS = ["government", "federal"]
_REBEL_WORDS = ["rebels", "insurgents", "rebel"]
_TERRITORY_WORDS = ["territory", "soil", "airspace"]


def group_patterns() -> list[dict[str, Any]]:
    """Patterns labelled GovernmentBody, SecurityForce, PoliticalGroup, ArmedGroup, Country and Population.

    The patterns carry no ids (one pattern per word list keeps the matcher fast); :func:`group_name`
    gives the canonical name of what they match.
    """
    demonyms = sorted(lexicon.DEMONYMS)
    countries = sorted({name for country in lexicon.DEMONYMS.values()
                        for name in (country, *lexicon.COUNTRY_ALIASES.get(country, ()))})
    single = [name for name in countries if " " not in name]
    government_of = [{"LOWER": "federal", "OP": "?"}, {"LOWER": "government"}, {"LOWER": "of"},
                     {"LOWER": "the", "OP": "?"}]
    patterns: list[dict[str, Any]] = [
        {"label": "GovernmentBody", "pattern": [{"TEXT": {"IN": demonyms}}, {"LOWER": {"IN": _GOVERNMENT_WORDS}},
                                                {"LOWER": "government", "OP": "?"}]},
        {"label": "GovernmentBody", "pattern": [*government_of, {"TEXT": {"IN": single}}]},
        *({"label": "GovernmentBody", "pattern": [*government_of, *({"TEXT": word} for word in name.split())]}
          for name in countries if " " in name),
        {"label": "PoliticalGroup", "pattern": [{"TEXT": {"IN": demonyms}}, {"LOWER": "opposition"}]},
        {"label": "SecurityForce", "pattern": [{"TEXT": {"IN": demonyms}}, {"LOWER": {"IN": _FORCE_QUALIFIERS}},
                                               {"LOWER": {"IN": ["forces", "troops", "soldiers"]}}]},
        {"label": "SecurityForce", "pattern": [{"TEXT": {"IN": demonyms}}, {"LOWER": "soldiers"}]},
        {"label": "ArmedGroup", "pattern": [{"TEXT": {"IN": demonyms}}, {"LOWER": {"IN": _REBEL_WORDS}},
                                            {"LOWER": {"IN": ["groups", "forces", "fighters"]}, "OP": "?"}]},
        {"label": "ArmedGroup", "pattern": [{"TEXT": {"IN": demonyms}}, {"LOWER": "opposition"},
                                            {"LOWER": {"IN": ["groups", "forces", "fighters", "factions"]}}]},
        # "inside Syrian territory" is a place: Syria
        {"label": "Country", "pattern": [{"TEXT": {"IN": demonyms}}, {"LOWER": {"IN": _TERRITORY_WORDS}}]},
    ]
    # numbered task forces of military press releases: "CTF 50", "Task Force 50"
    patterns += [
        {"label": "SecurityForce", "pattern": [{"TEXT": {"IN": ["CTF", "JTF", "TF", "CJTF"]}}, {"LIKE_NUM": True}]},
        {"label": "SecurityForce", "pattern": [{"LOWER": "task"}, {"LOWER": "force"}, {"LIKE_NUM": True}]},
    ]
    # US-style numbered units: "321st Field Artillery Regiment", "158th Fighter Wing", "407th AEG"
    unit_heads = ["group", "wing", "squadron", "regiment", "battalion", "brigade", "division", "fleet", "company",
                  "battery", "detachment"]
    patterns += [
        {"label": "SecurityForce", "pattern": [{"TEXT": {"REGEX": r"^\d+(st|nd|rd|th)$"}},
                                               {"TEXT": {"REGEX": r"^[A-Z][a-z]+$"}, "OP": "*"},
                                               {"LOWER": {"IN": unit_heads}, "IS_TITLE": True}]},
        {"label": "SecurityForce", "pattern": [{"TEXT": {"REGEX": r"^\d+(st|nd|rd|th)$"}},
                                               {"TEXT": {"REGEX": r"^[A-Z]{2,5}$"}}]},
    ]
    # tribes and clans act and suffer as one: "the Al Bu Nimr tribe", "the Shammar tribe"
    patterns.append({"label": "Population", "pattern": [
        {"TEXT": {"REGEX": r"^[A-Z][\w'’-]*$"}}, {"TEXT": {"REGEX": r"^(?:[A-Z][\w'’-]*|bu|al|el|-)$"}, "OP": "*"},
        {"LOWER": {"IN": ["tribe", "clan", "tribes", "clans"]}}]})
    patterns += [
        {"label": "Population", "pattern": [{"TEXT": {"IN": sorted(lexicon.POPULATIONS)}},
                                            {"LOWER": {"IN": sorted(lexicon.POPULATION_NOUNS)}}]},
        {"label": "Population", "pattern": [{"TEXT": {"IN": sorted(lexicon.POPULATION_PLURALS)}}]},
    ]
    return patterns


def group_name(words: list[str], label: str) -> str:
    """The canonical name of a span the group patterns matched ("" when they did not make it):
    "Iraqi government" -> "Government of Iraq", "Syrian people" -> "Syrians", "Syrian territory" -> "Syria"."""
    first, last = words[0], words[-1].lower()
    if label == "GovernmentBody":
        if first in lexicon.DEMONYMS:
            return f"Government of {lexicon.DEMONYMS[first]}"
        lowered = [w.lower() for w in words]
        if "of" in lowered and "government" in lowered:
            rest = words[lowered.index("of") + 1 :]
            country = " ".join(rest[1:] if rest and rest[0].lower() == "the" else rest)
            return f"Government of {lexicon.countries().get(country, country)}"
    elif first in lexicon.DEMONYMS and label == "PoliticalGroup" and last == "opposition":
        return f"{first} opposition"
    elif first in lexicon.DEMONYMS and label == "ArmedGroup" and len(words) > 1 and words[1].lower() in _REBEL_WORDS:
        return f"{first} rebels"
    elif first in lexicon.DEMONYMS and label == "Country" and last in _TERRITORY_WORDS:
        return lexicon.DEMONYMS[first]
    elif label == "Population" and len(words) == 2 and first in lexicon.POPULATIONS:
        return lexicon.POPULATIONS[first]
    return ""
