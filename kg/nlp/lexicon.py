"""Domain word lists: trigger words and the ontology classes they imply, and views of the known names.

The word lists are facts assembled and checked by hand (words as used by English-language news about
Iraq and Syria). The names of actors and places are rows of ``kg/data/names.tsv`` (:mod:`kg.known`);
countries come from ISO 3166 through ``pycountry``, with the table's additions.
"""

from __future__ import annotations

from functools import cache

import pycountry

from kg import known

# The named things themselves (actors, governorates, extra country names) are rows of kg's one table,
# kg/data/names.tsv (kg.known); these are the views the rules use.
# canonical name -> (ontology class, aliases). Aliases are matched case-sensitively as whole tokens.
KNOWN: dict[str, tuple[str, tuple[str, ...]]] = {
    thing.name: (thing.cls, thing.aliases) for thing in known.named_things() if thing.match == "actor"}
# English names of Iraqi governorates and Syrian provinces -> common transliterations
ADMIN_AREAS: dict[str, tuple[str, ...]] = {
    thing.name: thing.aliases for thing in known.named_things() if thing.match in {"admin", "capital"}}
# Governorates named after their capital: bare mentions are the city unless context says otherwise.
CAPITAL_NAMED = frozenset(known.matched("capital"))
# country names ISO 3166 lacks, and short names that differ from its own
COUNTRY_ALIASES: dict[str, tuple[str, ...]] = known.matched("country")

# capitalised words NER takes for names that are weapons or platforms, not actors or places
NOT_NAMES = frozenset({"VBIED", "VBIEDs", "SVBIED", "SVBIEDs", "IED", "IEDs", "UAV", "UAVs", "MANPADS", "RPG",
                       "RPGs", "DDG", "MW", "CT", "Counter-IED", "Islam", "Eid", "Ramadan", "Sgt", "Sgt."})
# languages that introduce a name's transliteration in parentheses: "(Arabic: ...; Kurdish: ...)"
LANGUAGES = frozenset({"Arabic", "Kurdish", "Persian", "Farsi", "Syriac", "Turkish", "Hebrew", "Aramaic",
                       "Kurmanji", "Sorani", "Turkmen", "Armenian", "French", "Russian"})
# prefixes of warship names ("USS Mahan", "HMS Daring"): platforms, not actors or places
SHIP_PREFIXES = frozenset({"USS", "HMS", "FS", "HMAS", "HMCS", "HNLMS", "TCG", "INS", "FGS", "HDMS", "ITS"})

# a population named as a collective actor -> its canonical name ("the Syrian people" is "Syrians")
POPULATIONS: dict[str, str] = {
    "Iraqi": "Iraqis", "Syrian": "Syrians", "Iranian": "Iranians", "Turkish": "Turks", "American": "Americans",
    "Russian": "Russians", "Lebanese": "Lebanese", "Jordanian": "Jordanians", "Saudi": "Saudis",
    "Israeli": "Israelis", "Palestinian": "Palestinians", "Egyptian": "Egyptians", "Yemeni": "Yemenis",
    "Kuwaiti": "Kuwaitis", "British": "Britons", "French": "French", "German": "Germans", "Kurdish": "Kurds",
    "Libyan": "Libyans", "Afghan": "Afghans", "Pakistani": "Pakistanis", "Moroccan": "Moroccans",
    "Tunisian": "Tunisians", "Arab": "Arabs", "Yazidi": "Yazidis", "Turkmen": "Turkmen", "Sunni": "Sunnis",
    "Shia": "Shias", "Shiite": "Shiites", "Shi'ite": "Shiites", "Shi’ite": "Shiites", "Christian": "Christians", "Assyrian": "Assyrians", "Druze": "Druze",
    "Alawite": "Alawites", "Chechen": "Chechens", "Uzbek": "Uzbeks", "European": "Europeans",
}
POPULATION_PLURALS = frozenset(POPULATIONS.values()) - {"Lebanese", "French", "Turkmen", "Druze"} | {
    "Yazidis", "Yezidis", "Kurds", "Britons", "Turks"}
POPULATION_NOUNS = frozenset({"people", "population", "civilians", "citizens", "nationals", "community",
                              "communities", "refugees", "residents"})

DEMONYMS: dict[str, str] = {
    "Iraqi": "Iraq", "Syrian": "Syria", "Iranian": "Iran", "Turkish": "Turkey", "American": "United States",
    "US": "United States", "U.S.": "United States", "Russian": "Russia", "Lebanese": "Lebanon",
    "Jordanian": "Jordan", "Saudi": "Saudi Arabia", "Israeli": "Israel", "Palestinian": "Palestine",
    "Egyptian": "Egypt", "Yemeni": "Yemen", "Kuwaiti": "Kuwait", "Qatari": "Qatar", "Emirati": "United Arab Emirates",
    "British": "United Kingdom", "French": "France", "German": "Germany", "Italian": "Italy", "Chinese": "China",
    "Kurdish": "Kurdistan Region", "Libyan": "Libya", "Afghan": "Afghanistan", "Pakistani": "Pakistan",
}

# words that make a generic ORG span a more specific organisation class (matched on the last token)
ORG_HEADS: dict[str, str] = {
    **dict.fromkeys(("army", "police", "forces", "force", "brigade", "brigrade", "division", "battalion",
                     "regiment", "guard", "guards", "unit", "units", "command", "service", "corps", "navy",
                     "gendarmerie", "troops", "militia"), "SecurityForce"),
    **dict.fromkeys(("front", "group", "cells", "cell", "militias", "organization", "organisation", "brigades",
                     "battalions", "kataib", "saraya", "faylaq"), "ArmedGroup"),
    **dict.fromkeys(("movement", "party", "alliance", "bloc", "coalition", "current", "framework"), "PoliticalGroup"),
    **dict.fromkeys(("ministry", "government", "council", "parliament", "cabinet", "commission", "authority",
                     "authorities", "presidency", "office", "court", "assembly", "administration", "department",
                     "agency"), "GovernmentBody"),
    **dict.fromkeys(("news", "tv", "television", "times", "post", "press", "observatory", "channel"),
                    "MediaOrganization"),
}
SECURITY_NOUNS = frozenset({"army", "police", "forces", "troops", "military", "security forces", "navy", "air force"})
FACILITY_HEADS = frozenset({"bridge", "airport", "base", "embassy", "dam", "prison", "hospital", "camp", "port",
                            "refinery", "field", "crossing", "checkpoint", "palace", "tower", "market", "mosque",
                            "station", "university", "consulate", "barrage", "regulator", "complex", "center",
                            "centre"})
NATURAL_HEADS = frozenset({"valley", "mountains", "mountain", "river", "lake", "desert", "range", "hills", "island",
                           "wadi", "plain", "plains", "marshes", "sea", "gulf", "depression"})
# Arabic generics that start the name of a natural feature: "Jabal Hamrin" (mountain), "Wadi Hauran" (valley)
NATURAL_GENERICS = frozenset({"Jabal", "Jebel", "Jabāl", "Jabel", "Wadi", "Nahr", "Buhayrat"})
AREA_HEADS = frozenset({"zone", "region", "countryside", "border", "borders", "strip", "corridor", "area"})

# trigger lemma -> event class; compounds such as "rocket attack" refine below
EVENT_TRIGGERS: dict[str, str] = {
    "search": "SearchOperation", "sweep": "SearchOperation", "comb": "SearchOperation",
    "hunt": "SearchOperation", "manhunt": "SearchOperation",
    "pursue": "MilitaryOperation", "pursuit": "MilitaryOperation", "operation": "MilitaryOperation",
    "offensive": "MilitaryOperation", "clearance": "MilitaryOperation", "clear": "MilitaryOperation",
    "attack": "Attack", "assault": "Attack", "ambush": "Attack", "shelling": "Attack", "shell": "Attack",
    "kill": "Attack", "massacre": "Attack", "target": "Attack", "execute": "Attack", "execution": "Attack",
    "bombing": "Bombing", "explosion": "Bombing", "blast": "Bombing", "bomb": "Bombing",
    "assassination": "Assassination", "assassinate": "Assassination",
    "airstrike": "Airstrike", "air strike": "Airstrike", "strike": "Airstrike", "raid": "Raid", "storm": "Raid",
    "clash": "Clash", "fighting": "Clash", "battle": "Clash",
    "arrest": "Arrest", "detain": "Arrest", "detention": "Arrest", "capture": "Arrest",
    "meeting": "Meeting", "summit": "Meeting", "gathering": "Meeting", "talks": "Meeting",
    # the toll and the means of an attack name it when the report has no verb for it ("casualties in X")
    "casualty": "Attack", "injury": "Attack", "fatality": "Attack", "martyr": "Attack", "killing": "Attack",
    "wound": "Attack", "injure": "Attack", "loss": "Attack", "bombardment": "Attack", "bombard": "Attack",
    "gunfire": "Attack", "behead": "Attack", "slaughter": "Attack", "targeting": "Attack", "torture": "Attack",
    "murder": "Attack", "die": "Attack", "shoot": "Attack", "shooting": "Attack", "infighting": "Clash", "advancement": "MilitaryOperation",
    "explode": "Bombing", "detonate": "Bombing", "detonation": "Bombing", "landmine": "Bombing", "ied": "Bombing",
    "fight": "Clash", "confrontation": "Clash", "skirmish": "Clash",
    "advance": "MilitaryOperation", "siege": "MilitaryOperation", "besiege": "MilitaryOperation",
}
# adjectives and participles that report the dead and wounded ("9 dead in X", "civilians killed in X")
CASUALTY_WORDS = frozenset({"dead", "killed", "wounded", "injured"})
# triggers that only count as nouns ("meet" the verb is too loose)
NOUN_ONLY_TRIGGERS = frozenset({"meeting", "summit", "gathering", "talks"})
EVENT_MODIFIERS: dict[str, str] = {
    "rocket": "RocketAttack", "missile": "RocketAttack", "mortar": "RocketAttack", "drone": "Airstrike",
    "air": "Airstrike", "aerial": "Airstrike", "suicide": "Bombing", "car": "Bombing", "roadside": "Bombing",
    "search": "SearchOperation", "security": "MilitaryOperation", "military": "MilitaryOperation",
    "shell": "Attack", "airstrike": "Airstrike", "warplane": "Airstrike", "jet": "Airstrike",
    "helicopter": "Airstrike", "aircraft": "Airstrike", "raid": "Raid", "bomb": "Bombing", "barrel": "Bombing",
    "human": "Attack", "artillery": "Attack", "sniper": "Attack",
}
# a noun trigger only counts with one of these modifiers (``operation`` alone is too vague)
NEEDS_MODIFIER = frozenset({"operation", "strike", "clear", "storm", "loss"})

POLICY_TRIGGERS: dict[str, str] = {
    "sanction": "Sanction", "sanctions": "Sanction", "ban": "Ban", "embargo": "Ban", "prohibition": "Ban",
    "freeze": "AssetFreeze", "agreement": "Agreement", "deal": "Agreement", "accord": "Agreement",
    "treaty": "Agreement", "ceasefire": "Agreement", "truce": "Agreement",
    "designate": "Designation", "designation": "Designation", "blacklist": "Designation",
    "law": "Law", "legislation": "Law", "decree": "Law", "resolution": "Law",
}
SECTORS: dict[str, str] = {
    "oil": "oil", "energy": "energy", "gas": "energy", "electricity": "energy", "transport": "transport",
    "aviation": "aviation", "banking": "banking", "bank": "banking", "banks": "banking", "financial": "finance",
    "finance": "finance", "trade": "trade", "arms": "arms", "weapons": "arms", "telecommunications": "telecom",
    "shipping": "transport", "investment": "finance", "construction": "construction",
}
# the verb or noun that governs a policy mention -> the change it describes
POLICY_CHANGES: dict[str, str] = {
    "ease": "Eased", "easing": "Eased", "relax": "Eased", "loosen": "Eased", "suspend": "Suspended",
    "suspension": "Suspended", "lift": "Lifted", "lifting": "Lifted", "remove": "Lifted", "scrap": "Lifted",
    "end": "Lifted", "reimpose": "InForce", "impose": "InForce", "extend": "InForce", "renew": "InForce",
    "adopt": "InForce", "include": "InForce", "tighten": "InForce",
}
# words that make what follows a proposal rather than a fact
MODALITY = frozenset({"hope", "want", "call", "propose", "consider", "discuss", "weigh", "plan", "seek", "could",
                      "may", "might", "would", "should", "urge", "push", "study", "debate", "if", "ready",
                      "move", "expect", "aim", "will"})

REPORTING_VERBS = frozenset({"say", "tell", "warn", "add", "announce", "state", "stress", "urge", "condemn",
                             "point", "deny", "accuse", "affirm", "confirm", "declare", "explain",
                             "note", "insist", "vow", "report", "reveal", "emphasize", "emphasise"})

# role nouns before or in apposition to a person -> relation predicate
ROLE_PREDICATES: dict[str, str] = {
    **dict.fromkeys(("leader", "head", "chief", "commander", "president", "chairman", "chairwoman", "founder",
                     "director", "emir", "secretary-general", "prime", "king"), "leaderOf"),
    **dict.fromkeys(("spokesman", "spokeswoman", "spokesperson"), "spokespersonFor"),
    **dict.fromkeys(("member", "fighter", "official", "officer", "minister", "envoy", "ambassador", "adviser",
                     "advisor", "representative", "deputy", "general", "colonel", "lawmaker", "mp", "lieutenant",
                     "captain", "sergeant", "soldier", "pilot"), "memberOf"),
}
# words before a role noun that qualify the holder, not the post ("new commander", "top leader")
ROLE_QUALIFIERS = frozenset({"new", "former", "acting", "current", "interim", "late", "then", "top", "overall",
                             "supreme", "outgoing", "incoming", "longtime", "founding", "self-proclaimed", "de",
                             "facto", "sole", "undisputed", "uncontested", "elected", "appointed"})
# first words that mark the name of an armed group ("Saraya ...", "Kataib ...")
ARMED_GROUP_WORDS = frozenset({"saraya", "kataib", "kata'ib", "liwa", "harakat", "jaish", "ansar", "asaib",
                               "faylaq", "jabhat", "hurras", "ashab"})
# offices whose holder a capitalised title names ("the Foreign Secretary", "the Prime Minister")
OFFICE_TITLES = frozenset({"secretary", "minister", "president", "commander", "spokesman", "spokeswoman",
                           "spokesperson", "chief", "ambassador", "envoy", "representative", "chancellor", "premier",
                           "governor", "mayor", "director", "chairman", "chairwoman", "king", "emir",
                           "secretary-general", "commissioner", "coordinator", "rapporteur"})
# abbreviated ranks and honorifics before a name
RANKS = frozenset({"Lt.", "Gen.", "Col.", "Capt.", "Maj.", "Sgt.", "Adm.", "Brig.", "Cmdr.", "Lt", "Gen", "Col",
                   "Capt", "Maj", "Sgt", "Adm", "Brig", "Cmdr", "Dr", "Dr.", "HE"})
# titles and ranks that precede a person's name
TITLES = frozenset({"president", "minister", "colonel", "general", "brigadier", "major", "lieutenant", "captain",
                    "sheikh", "ayatollah", "prince", "king", "spokesperson", "spokesman", "spokeswoman", "envoy",
                    "ambassador", "commander", "chief", "secretary", "senator", "mp", "mr", "mrs", "ms", "dr",
                    "prime", "emir", "governor", "mayor", "judge", "cleric", "imam"})
LEADER_VERBS = frozenset({"lead", "head", "command", "chair", "run"})
OPPOSE_VERBS = frozenset({"fight", "battle", "combat", "oppose", "target", "attack"})
AFFILIATION_WORDS = frozenset({"affiliate", "affiliated", "linked", "aligned", "loyal", "backed"})
# verbs that list a group's members ("coalition nations include ...", "made up of ...")
INCLUDE_VERBS = frozenset({"include", "comprise", "make", "compose", "consist"})
# "X was assigned to <unit>": X belongs to the unit
ASSIGN_VERBS = frozenset({"assign", "attach", "reassign"})
# verbs whose subject (or the party it supports) fights their object
DEFEAT_VERBS = OPPOSE_VERBS | {"defeat", "destroy", "degrade", "eliminate", "counter", "dismantle", "crush", "rout"}
DEFEAT_NOUNS = frozenset({"defeat", "destruction", "elimination"})
# "fighting between X and Y"
FIGHT_NOUNS = frozenset({"fighting", "fight", "clash", "battle", "war", "conflict", "hostility", "skirmish",
                         "confrontation", "violence"})
# "in coordination with X", "cooperation between X and Y": allies
COOPERATION_WORDS = frozenset({"coordination", "cooperation", "partnership", "alliance", "collaboration", "concert",
                               "conjunction", "coordinate", "cooperate", "collaborate", "partner", "ally"})
# "the capture of X by Y": Y holds X
CAPTURE_NOUNS = frozenset({"capture", "seizure", "takeover", "recapture", "retaking", "occupation"})
# "<place>, an ISIS stronghold": the group holds the place
STRONGHOLD_NOUNS = frozenset({"capital", "stronghold", "bastion", "fiefdom", "heartland"})
# words of support between actors ("in support of", "supports", "assisting")
SUPPORT_WORDS = frozenset({"support", "assist", "backing"})
# "<place> controlled/captured by X": X holds the place
CONTROL_VERBS = frozenset({"control", "hold", "capture", "seize", "take", "occupy", "overrun"})
# "liberate <place> from X": X held the place
RECAPTURE_VERBS = frozenset({"liberate", "free", "seize", "retake", "recapture", "wrest"})


@cache
def countries() -> dict[str, str]:
    """Every country name and alias -> its English short name (``"Syrian Arab Republic" -> "Syria"``)."""
    names: dict[str, str] = {}
    for country in pycountry.countries:
        short = getattr(country, "common_name", None) or country.name
        short = short.split(",")[0] if "," in short else short
        for name in {country.name, short, getattr(country, "official_name", None)}:
            if name:
                names[name] = short
    for short, aliases in COUNTRY_ALIASES.items():
        names[short] = short
        for alias in aliases:
            names[alias] = short
    return names


@cache
def admin_areas() -> dict[str, str]:
    """Every governorate/province name and alias -> its English name."""
    names: dict[str, str] = {}
    for name, aliases in ADMIN_AREAS.items():
        names[name] = name
        for alias in aliases:
            names[alias] = name
    return names


@cache
def known_names() -> dict[str, tuple[str, str]]:
    """Every known actor/place name and alias -> ``(canonical name, class)``."""
    names: dict[str, tuple[str, str]] = {}
    for canonical, (cls, aliases) in KNOWN.items():
        names[canonical] = (canonical, cls)
        for alias in aliases:
            names.setdefault(alias, (canonical, cls))
    return names
