"""Entity-ruler patterns for actors named by a nationality (governments, forces, oppositions, populations)
and for numbered task forces.

"the Iraqi government" is the Government of Iraq, "Syrian Arab forces" a security force, "the Syrian
opposition" a political group, and "Iraqis" or "the Syrian people" a population acting or suffering as
one. The statistical model sees most of these as NORP adjectives and drops the actor.
"""

from __future__ import annotations

from typing import Any

from . import lexicon

_FORCE_WORDS = ["army", "police", "forces", "troops", "military", "soldiers"]
_FORCE_QUALIFIERS = ["arab", "kurdish", "sunni", "shia", "shiite", "tribal", "special", "government", "security",
                     "opposition", "rebel", "regular"]


def group_patterns() -> list[dict[str, Any]]:
    """Patterns labelled GovernmentBody, SecurityForce, PoliticalGroup and Population."""
    patterns: list[dict[str, Any]] = []
    for demonym, country in sorted(lexicon.DEMONYMS.items()):
        government = f"Government of {country}"
        patterns += [
            {"label": "GovernmentBody", "id": government,
             "pattern": [{"TEXT": demonym}, {"LOWER": {"IN": ["government", "federal"]}},
                         {"LOWER": "government", "OP": "?"}]},
            {"label": "PoliticalGroup", "id": f"{demonym} opposition",
             "pattern": [{"TEXT": demonym}, {"LOWER": "opposition"}]},
            {"label": "SecurityForce",
             "pattern": [{"TEXT": demonym}, {"LOWER": {"IN": _FORCE_QUALIFIERS}},
                         {"LOWER": {"IN": ["forces", "troops", "soldiers"]}}]},
            {"label": "SecurityForce", "pattern": [{"TEXT": demonym}, {"LOWER": "soldiers"}]},
            {"label": "ArmedGroup", "id": f"{demonym} rebels",
             "pattern": [{"TEXT": demonym}, {"LOWER": {"IN": ["rebels", "insurgents", "rebel"]}},
                         {"LOWER": {"IN": ["groups", "forces", "fighters"]}, "OP": "?"}]},
        ]
        patterns.append({"label": "Country", "id": country,  # "inside Syrian territory" is a place: Syria
                         "pattern": [{"TEXT": demonym}, {"LOWER": {"IN": ["territory", "soil", "airspace"]}}]})
        for name in {country, *lexicon.COUNTRY_ALIASES.get(country, ())}:
            words = [{"TEXT": word} for word in name.split()]
            patterns += [
                {"label": "GovernmentBody", "id": government,
                 "pattern": [{"LOWER": "federal", "OP": "?"}, {"LOWER": "government"}, {"LOWER": "of"},
                             {"LOWER": "the", "OP": "?"}, *words]},
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
    for adjective, plural in sorted(lexicon.POPULATIONS.items()):
        patterns.append({"label": "Population", "id": plural,
                         "pattern": [{"TEXT": adjective}, {"LOWER": {"IN": sorted(lexicon.POPULATION_NOUNS)}}]})
    for plural in sorted(lexicon.POPULATION_PLURALS):
        patterns.append({"label": "Population", "id": plural, "pattern": [{"TEXT": plural}]})
    return patterns
