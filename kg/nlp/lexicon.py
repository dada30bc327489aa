"""Domain word lists: known names of the region, trigger words and the ontology classes they imply.

These are facts assembled and checked by hand (names and spellings as used by English-language news
about Iraq and Syria). Countries come from ISO 3166 through ``pycountry``.
"""

from __future__ import annotations

from functools import cache

import pycountry

# canonical name -> (ontology class, aliases). Aliases are matched case-sensitively as whole tokens.
KNOWN: dict[str, tuple[str, tuple[str, ...]]] = {
    # armed groups
    "Islamic State": ("ArmedGroup", ("ISIS", "ISIL", "IS", "Daesh", "Daish", "Islamic State of Iraq and the Levant",
                                     "Islamic State of Iraq and Syria", "Islamic State group", "Da'esh", "Da’esh",
                                     "DAESH", "Islamic state", "Islamic State organization",
                                     "Islamic State organisation")),
    "al-Qaeda in Iraq": ("ArmedGroup", ("AQI", "Al Qaeda in Iraq", "al-Qaida in Iraq", "Al-Qaeda in Iraq")),
    "Hayat Tahrir al-Sham": ("ArmedGroup", ("HTS", "Hayat Tahrir al-Sham group", "Tahrir al-Sham")),
    "al-Nusra Front": ("ArmedGroup", ("Nusra Front", "al-Nusra", "Jabhat al-Nusra", "Nusra")),
    "al-Qaeda": ("ArmedGroup", ("Al-Qaeda", "al Qaeda", "Al Qaeda", "al-Qaida")),
    "Popular Mobilization Forces": ("ArmedGroup", ("PMF", "Popular Mobilisation Forces", "Hashd al-Shaabi",
                                                   "al-Hashd al-Shaabi", "Popular Mobilization Units", "PMU")),
    "Kataib Hezbollah": ("ArmedGroup", ("Kata'ib Hezbollah", "Kataib Hizbollah")),
    "Asaib Ahl al-Haq": ("ArmedGroup", ("Asa'ib Ahl al-Haq",)),
    "Badr Organization": ("ArmedGroup", ("Badr Organisation", "Badr")),
    "Hezbollah": ("ArmedGroup", ("Hizbollah", "Hizballah")),
    "Kurdistan Workers' Party": ("ArmedGroup", ("PKK",)),
    "Syrian Democratic Forces": ("ArmedGroup", ("SDF", "Syrian democratic forces")),
    "Syrian Arab Coalition": ("ArmedGroup", ()),  # the SDF's Arab component
    "People's Protection Units": ("ArmedGroup", ("YPG",)),
    "Houthis": ("ArmedGroup", ("Houthi", "Ansar Allah")),
    "Hamas": ("ArmedGroup", ()),
    "Free Syrian Army": ("ArmedGroup", ("FSA",)),
    "Ahrar al-Sham": ("ArmedGroup", ("Ahrar al-Sham Islamic Movement", "Harakat Ahrar al-Sham")),
    "Jaysh al-Islam": ("ArmedGroup", ("Jaish al-Islam", "Army of Islam")),
    "Faylaq al-Rahman": ("ArmedGroup", ("Rahman Corps", "Al-Rahman Legion", "Failaq al-Rahman")),
    "Jabhat Fateh al-Sham": ("ArmedGroup", ("Jabhat Fatah al-Sham", "Fateh al-Sham", "JFS")),
    "Syrian National Army": ("ArmedGroup", ("SNA",)),
    # security forces
    "Iraqi Army": ("SecurityForce", ("Iraqi army",)),
    "Federal Police": ("SecurityForce", ("Iraqi Federal Police",)),
    "Counter Terrorism Service": ("SecurityForce", ("Iraqi Counter Terrorism Service", "CTS",
                                                    "Counter-Terrorism Service")),
    "Peshmerga": ("SecurityForce", ("Kurdish Peshmerga", "peshmerga")),
    "Syrian Arab Army": ("SecurityForce", ("Syrian army", "Syrian Army")),
    "Security Media Cell": ("GovernmentBody", ("Iraqi Security Media Cell",)),
    "Joint Operations Command": ("GovernmentBody", ("JOC",)),
    "Kurdistan Regional Government": ("GovernmentBody", ("KRG", "Kurdistan regional government")),
    # the US-led campaign's commands, as military press releases name them
    "United States Central Command": ("SecurityForce", ("U.S. Central Command", "US Central Command", "CENTCOM",
                                                        "USCENTCOM", "Central Command")),
    "Combined Joint Task Force - Operation Inherent Resolve": (
        "SecurityForce", ("CJTF-OIR", "Combined Joint Task Force – Operation Inherent Resolve", "CJTF",
                          "Combined Joint Task Force – Inherent Resolve", "Combined Joint Task Force - Inherent Resolve",
                          "Combined Joint Task Force-Operation Inherent Resolve", "Combined Joint Task Force")),
    "U.S. Naval Forces Central Command": ("SecurityForce", ("NAVCENT", "Naval Forces Central Command")),
    "U.S. Air Forces Central Command": ("SecurityForce", ("AFCENT", "Air Forces Central Command")),
    "United States Marine Corps": ("SecurityForce", ("U.S. Marines", "US Marines", "U.S. Marine Corps", "USMC")),
    "United States Department of Defense": ("GovernmentBody", ("Pentagon", "Department of Defense", "DoD", "DOD",
                                                              "Defense Department", "U.S. Department of Defense")),
    "United States Department of State": ("GovernmentBody", ("State Department", "U.S. State Department",
                                                            "US State Department", "Department of State")),
    "United States Department of the Treasury": ("GovernmentBody", (
        "Treasury Department", "U.S. Treasury Department", "United States Treasury Department", "US Treasury",
        "U.S. Treasury", "Department of the Treasury", "United States Department of the Treasury")),
    "Office of Foreign Assets Control": ("GovernmentBody", ("OFAC",)),
    "Foreign and Commonwealth Office": ("GovernmentBody", ("Foreign Office", "FCO", "Foreign & Commonwealth Office")),
    # international bodies
    "European Union": ("InternationalOrganization", ("EU", "E.U.")),
    "United Nations": ("InternationalOrganization", ("UN", "U.N.")),
    "UN Security Council": ("InternationalOrganization", ("Security Council", "United Nations Security Council")),
    "NATO": ("InternationalOrganization", ("North Atlantic Treaty Organization",)),
    "European Commission": ("GovernmentBody", ()),
    "Arab League": ("InternationalOrganization", ("League of Arab States",)),
    "US-led coalition": ("InternationalOrganization", ("Global Coalition", "international coalition",
                                                      "US-led international coalition", "coalition")),
    # political groups
    "Sadrist Movement": ("PoliticalGroup", ("Sadrist movement", "Sadrists")),
    "Fatah Alliance": ("PoliticalGroup", ("Fatah alliance", "Fateh Alliance")),
    "Coordination Framework": ("PoliticalGroup", ()),
    # media
    "Reuters": ("MediaOrganization", ()),
    "BBC": ("MediaOrganization", ("British Broadcasting Corporation", "BBC News")),
    "Al Jazeera": ("MediaOrganization", ("Al-Jazeera", "Aljazeera")),
    "Al Arabiya": ("MediaOrganization", ("Al-Arabiya",)),
    "Alsumaria": ("MediaOrganization", ("Alsumaria TV", "Al Sumaria")),
    "Rudaw": ("MediaOrganization", ()),
    "Anadolu Agency": ("MediaOrganization", ("Anadolu",)),
    "Agence France-Presse": ("MediaOrganization", ("AFP",)),
    "Associated Press": ("MediaOrganization", ()),  # "AP" alone is too often something else
    "Asharq Al-Awsat": ("MediaOrganization", ()),
    "Iraqi News Agency": ("MediaOrganization", ("INA",)),
    "SANA": ("MediaOrganization", ("Syrian Arab News Agency",)),
    "Syrian Observatory for Human Rights": ("MediaOrganization", ("SOHR",)),
    # people of the domain
    "Muqtada al-Sadr": ("Person", ("Moqtada al-Sadr", "Sadr")),
    "Hadi al-Amiri": ("Person", ("Hadi Al-Amiri", "Amiri", "Al-Amiri")),
    "Bashar al-Assad": ("Person", ("Assad", "Bashar Assad", "Bashar al-Asad")),
    "Ahmed al-Sharaa": ("Person", ("Ahmad al-Sharaa", "Abu Mohammed al-Jolani", "al-Jolani", "Sharaa")),
    "Kaja Kallas": ("Person", ("Kallas",)),
    "Staffan de Mistura": ("Person", ("de Mistura", "De Mistura")),  # UN envoy for Syria 2014-2019
    "Geir Pedersen": ("Person", ("Pedersen",)),  # UN envoy for Syria from 2019
    "Mohammed Shia al-Sudani": ("Person", ("Mohammed Shia Al-Sudani", "Sudani", "al-Sudani")),
    # places that NER often mistypes
    "Green Zone": ("Area", ()),
    "Europe": ("Area", ()),
    "Middle East": ("Area", ()),
    "Kurdistan Region": ("AdministrativeArea", ("Iraqi Kurdistan", "Kurdistan region", "KRI")),
}

# English names of Iraqi governorates and Syrian provinces, with common transliterations.
ADMIN_AREAS: dict[str, tuple[str, ...]] = {
    "Anbar": ("Al Anbar", "al-Anbar", "Al-Anbar"),
    "Babil": ("Babylon",),
    "Baghdad": (),
    "Basra": ("Basrah",),
    "Dhi Qar": (),
    "Diyala": (),
    "Duhok": ("Dohuk", "Dahuk"),
    "Erbil": ("Arbil", "Irbil"),
    "Halabja": (),
    "Karbala": (),
    "Kirkuk": (),
    "Maysan": ("Missan",),
    "Muthanna": ("Al-Muthanna",),
    "Najaf": (),
    "Nineveh": ("Ninawa", "Nineveh Plains", "Ninewa"),
    "Qadisiyyah": ("Qadisiyah", "Diwaniyah"),
    "Saladin": ("Salahuddin", "Salah al-Din", "Salah ad-Din", "Salaheddin"),
    "Sulaymaniyah": ("Sulaimaniya", "Suleimaniyah"),
    "Wasit": (),
    "Aleppo": (),
    "Damascus": (),
    "Daraa": ("Deraa", "Dara'a"),
    "Deir ez-Zor": ("Deir al-Zour", "Deir Ezzor", "Deir el-Zour", "Deir ez-Zour", "Deir al-Zor"),
    "Hama": (),
    "Hasakah": ("Al-Hasakah", "Hasaka", "al-Hasakah"),
    "Homs": (),
    "Idlib": (),
    "Latakia": ("Lattakia",),
    "Quneitra": (),
    "Raqqa": ("Raqqah", "al-Raqqa", "Ar-Raqqah", "al-Raqqah", "Al-Raqqah", "Al-Raqqa", "Al Raqqah", "Ar Raqqah"),
    "Rif Dimashq": ("Damascus countryside", "Rural Damascus"),
    "Suwayda": ("Sweida", "As-Suwayda", "Suwaida"),
    "Tartus": ("Tartous",),
}
# Governorates named after their capital: bare mentions are the city unless context says otherwise.
CAPITAL_NAMED = frozenset({"Baghdad", "Basra", "Damascus", "Aleppo", "Homs", "Hama", "Idlib", "Raqqa", "Kirkuk",
                           "Erbil", "Duhok", "Karbala", "Najaf", "Latakia", "Tartus", "Daraa", "Deir ez-Zor",
                           "Hasakah", "Suwayda", "Quneitra", "Sulaymaniyah", "Halabja"})

COUNTRY_ALIASES: dict[str, tuple[str, ...]] = {
    "United States": ("US", "U.S.", "USA", "U.S.A.", "America", "United States of America"),
    "United Kingdom": ("UK", "U.K.", "Britain", "Great Britain"),
    "Syria": ("Syrian Arab Republic",),
    "Iran": ("Islamic Republic of Iran",),
    "Russia": ("Russian Federation",),
    "Turkey": ("Türkiye", "Turkiye"),
    "South Korea": (),
    "North Korea": (),
    "Palestine": ("Palestinian territories",),
    "Venezuela": (),
    "Bolivia": (),
    "Tanzania": (),
    "Vietnam": ("Viet Nam",),
    "Laos": (),
    "Moldova": (),
    "Czech Republic": ("Czechia",),
}

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
    "murder": "Attack", "die": "Attack", "infighting": "Clash", "advancement": "MilitaryOperation",
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
ORDINAL_WORDS = frozenset({"first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
                           "tenth", "eleventh", "twelfth"})
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
