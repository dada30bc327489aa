"""Synthetic news articles for the benchmarks: conflict and policy wire copy, generated from templates.

Every word comes from the templates and name lists in this file; no real article is copied, and the
events, casualty figures, quotes and the people quoted by name are made up. The names of countries,
provinces, cities, armed groups, forces and international bodies are real, well-known general
knowledge, so kg recognises and links them as it would in real news.

The text imitates the shape of agency copy (Reuters/AFP style): a lead sentence saying who did what to
whom, where and when ("on Tuesday", "on March 3"), attribution ("..., a spokesman said"), a quote,
background, sometimes a second event or a sanctions paragraph; 250-600 words in several paragraphs.

Repetition is realistic: theatres, provinces, cities, groups, forces, speakers and sanctioned countries
are drawn from Zipf-like distributions, so the head of each list (Iraq, Nineveh, Mosul, Islamic State,
the European Union, Iran) turns up in thousands of articles of a large corpus. Article ``i`` of seed ``s`` depends only on ``(s, i)``, so
``generate(1000)`` is the first thousand articles of ``generate(20000)``.

Reports repeat as they do in a news feed: about 4 % of the articles are another outlet's copy of an
earlier article (the same body under a new title and id, as agencies' copy is republished), and about
12 % are a second outlet's report of an earlier article's lead event (the same event, place, date and
figures in other words, a day later at most). Some paragraphs deny, hedge, threaten or plan an attack
rather than report one, so a reader counting events has something to leave out.

Usage::

    python benchmarks/corpus.py 2000 -o corpus.jsonl [--seed 0]

Each line is ``{"id", "title", "text", "date", "source"}``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

SOURCE = "Synthetic Wire"
FIRST_DAY = dt.date(2015, 1, 1)
LAST_DAY = dt.date(2025, 12, 31)
MIN_WORDS, MAX_WORDS = 250, 600


# --- the world ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Group:
    """A non-state armed group."""

    name: str  # first mention, as it stands in a sentence: "Islamic State", "the Houthis"
    short: str  # later mentions: "ISIS", "the Houthis"
    fighters: str  # "Islamic State militants"

    @property
    def was(self) -> str:
        """The verb agreeing with the name ("the Houthis were", "al-Shabaab was")."""
        return "were" if self.name.startswith("the ") and self.name.endswith("s") else "was"

    @property
    def bare(self) -> str:
        """The short name without an article, for headlines and compounds ("Houthis hideout")."""
        return self.short.removeprefix("the ")


@dataclass(frozen=True)
class Force:
    """A state force or a foreign military acting in the theatre."""

    name: str  # "the Iraqi Army"
    troops: str  # "Iraqi soldiers"


@dataclass(frozen=True)
class Speaker:
    """Someone quoted by name: an invented person with a real-sounding role."""

    name: str  # "Brigadier General Mahdi al-Saedi"
    role: str  # "a spokesman for the Joint Operations Command"


@dataclass(frozen=True)
class Theatre:
    """A country at war, with its places and actors, each list most frequent first."""

    country: str
    demonym: str
    capital: str
    area_word: str  # what its provinces are called: "province", "governorate", "region", "state"
    provinces: tuple[tuple[str, tuple[str, ...]], ...]  # (province, its cities)
    groups: tuple[Group, ...]
    forces: tuple[Force, ...]
    air: tuple[str, ...]  # who flies airstrikes there
    sources: tuple[str, ...]  # who reports the toll: "the Security Media Cell", "police"
    speakers: tuple[Speaker, ...]
    ministry: str  # "the Iraqi defence ministry"


ISLAMIC_STATE = Group("Islamic State", "ISIS", "Islamic State militants")

THEATRES: tuple[Theatre, ...] = (
    Theatre(
        "Iraq", "Iraqi", "Baghdad", "province",
        (("Nineveh", ("Mosul", "Tal Afar", "Sinjar", "Qayyarah")),
         ("Anbar", ("Ramadi", "Fallujah", "Haditha", "Qaim", "Rutba")),
         ("Saladin", ("Tikrit", "Samarra", "Baiji", "Tuz Khurmatu")),
         ("Diyala", ("Baqubah", "Khanaqin", "Jalawla", "Muqdadiyah")),
         ("Kirkuk", ("Kirkuk", "Hawija", "Daquq")),
         ("Baghdad", ("Baghdad", "Tarmiyah", "Abu Ghraib")),
         ("Babil", ("Hilla", "Jurf al-Sakhar"))),
        (ISLAMIC_STATE,
         Group("Kataib Hezbollah", "Kataib Hezbollah", "Kataib Hezbollah fighters"),
         Group("Asaib Ahl al-Haq", "Asaib Ahl al-Haq", "Asaib Ahl al-Haq gunmen")),
        (Force("the Iraqi Army", "Iraqi soldiers"),
         Force("the Counter Terrorism Service", "counter-terrorism troops"),
         Force("the Federal Police", "federal policemen"),
         Force("the Popular Mobilization Forces", "PMF fighters"),
         Force("the Peshmerga", "Kurdish Peshmerga fighters")),
        ("the US-led coalition", "Iraqi F-16 jets", "Iraqi army helicopters"),
        ("the Security Media Cell", "the Joint Operations Command", "police", "security sources"),
        (Speaker("Brigadier General Mahdi al-Saedi", "a spokesman for the Joint Operations Command"),
         Speaker("Colonel Salah Kareem", "a police officer in Mosul"),
         Speaker("Raed Hassan al-Obeidi", "a member of the Nineveh provincial council")),
        "the Iraqi defence ministry",
    ),
    Theatre(
        "Syria", "Syrian", "Damascus", "province",
        (("Idlib", ("Idlib", "Maarat al-Numan", "Saraqib", "Jisr al-Shughur")),
         ("Deir ez-Zor", ("Deir ez-Zor", "Mayadin", "Abu Kamal", "Hajin")),
         ("Aleppo", ("Aleppo", "Manbij", "al-Bab", "Azaz")),
         ("Raqqa", ("Raqqa", "Tabqa")),
         ("Hasakah", ("Qamishli", "Hasakah", "Shaddadi")),
         ("Homs", ("Homs", "Palmyra", "Sukhnah")),
         ("Daraa", ("Daraa", "Tafas"))),
        (ISLAMIC_STATE,
         Group("Hayat Tahrir al-Sham", "HTS", "Hayat Tahrir al-Sham fighters"),
         Group("the al-Nusra Front", "Nusra", "Nusra Front fighters")),
        (Force("the Syrian Democratic Forces", "SDF fighters"),
         Force("the Syrian Arab Army", "Syrian government troops"),
         Force("the Syrian National Army", "Turkish-backed fighters")),
        ("the US-led coalition", "Russian warplanes", "Syrian government aircraft"),
        ("the Syrian Observatory for Human Rights", "SANA", "a war monitor", "local activists"),
        (Speaker("Rojhat Derik", "a spokesman for the Syrian Democratic Forces"),
         Speaker("Colonel Wael Suleiman", "a Syrian army officer"),
         Speaker("Lina Mardini", "a United Nations humanitarian official")),
        "the Syrian defence ministry",
    ),
    Theatre(
        "Yemen", "Yemeni", "Sanaa", "province",
        (("Hodeidah", ("Hodeidah", "Zabid")),
         ("Marib", ("Marib", "Sirwah")),
         ("Taiz", ("Taiz", "Mocha")),
         ("Saada", ("Saada",)),
         ("Aden", ("Aden",)),
         ("Shabwa", ("Ataq",)),
         ("Abyan", ("Zinjibar",))),
        (Group("the Houthis", "the Houthis", "Houthi fighters"),
         Group("al-Qaeda in the Arabian Peninsula", "AQAP", "al-Qaeda militants")),
        (Force("the Saudi-led coalition", "coalition troops"),
         Force("Yemeni government forces", "government troops"),
         Force("the Southern Transitional Council", "southern separatist fighters")),
        ("the Saudi-led coalition", "US warplanes", "the Saudi-led coalition"),
        ("medical sources", "the Houthi-run Saba news agency", "local officials"),
        (Speaker("Colonel Turki al-Harbi", "a spokesman for the Saudi-led coalition"),
         Speaker("Hamid al-Sharafi", "a Houthi spokesman")),
        "the Yemeni defence ministry",
    ),
    Theatre(
        "Afghanistan", "Afghan", "Kabul", "province",
        (("Helmand", ("Lashkar Gah", "Sangin", "Musa Qala")),
         ("Kandahar", ("Kandahar", "Spin Boldak")),
         ("Kunduz", ("Kunduz",)),
         ("Nangarhar", ("Jalalabad", "Achin")),
         ("Ghazni", ("Ghazni",)),
         ("Kabul", ("Kabul",))),
        (Group("the Taliban", "the Taliban", "Taliban fighters"),
         Group("Islamic State Khorasan Province", "ISKP", "Islamic State Khorasan militants")),
        (Force("the Afghan National Army", "Afghan soldiers"),
         Force("Afghan special forces", "Afghan commandos"),
         Force("NATO", "NATO troops")),
        ("US aircraft", "the Afghan air force", "US drones"),
        ("provincial officials", "the Afghan interior ministry", "police"),
        (Speaker("Nasrat Amiri", "a spokesman for the Afghan interior ministry"),
         Speaker("Qari Abdul Wahid", "a spokesman for the Taliban")),
        "the Afghan defence ministry",
    ),
    Theatre(
        "Nigeria", "Nigerian", "Abuja", "state",
        (("Borno", ("Maiduguri", "Bama", "Gwoza", "Monguno")),
         ("Yobe", ("Damaturu", "Geidam")),
         ("Adamawa", ("Yola", "Mubi"))),
        (Group("Boko Haram", "Boko Haram", "Boko Haram fighters"),
         Group("Islamic State West Africa Province", "ISWAP", "ISWAP militants")),
        (Force("the Nigerian Army", "Nigerian soldiers"),
         Force("the Multinational Joint Task Force", "regional troops"),
         Force("the Civilian Joint Task Force", "vigilantes")),
        ("the Nigerian Air Force", "Nigerian fighter jets"),
        ("the Nigerian Army", "residents", "local officials"),
        (Speaker("Colonel Sani Okafor", "a spokesman for the Nigerian Army"),
         Speaker("Babagana Modu", "a local government official in Borno")),
        "the Nigerian defence ministry",
    ),
    Theatre(
        "Somalia", "Somali", "Mogadishu", "region",
        (("Lower Shabelle", ("Afgoye", "Marka")),
         ("Banadir", ("Mogadishu",)),
         ("Bay", ("Baidoa",)),
         ("Hiran", ("Beledweyne",)),
         ("Lower Juba", ("Kismayo",))),
        (Group("al-Shabaab", "al-Shabaab", "al-Shabaab fighters"),),
        (Force("the Somali National Army", "Somali soldiers"),
         Force("African Union troops", "African Union peacekeepers")),
        ("US Africa Command", "US drones"),
        ("police", "a military official", "witnesses"),
        (Speaker("Abdullahi Hussein Warsame", "a Somali military commander"),
         Speaker("Major Hassan Ali Nur", "a police officer in Mogadishu")),
        "the Somali defence ministry",
    ),
    Theatre(
        "Ukraine", "Ukrainian", "Kyiv", "region",
        (("Donetsk", ("Donetsk", "Bakhmut", "Avdiivka", "Kramatorsk")),
         ("Kharkiv", ("Kharkiv", "Izium", "Kupiansk")),
         ("Zaporizhzhia", ("Zaporizhzhia", "Enerhodar")),
         ("Kherson", ("Kherson",)),
         ("Luhansk", ("Luhansk", "Sievierodonetsk")),
         ("Odesa", ("Odesa",))),
        (Group("the Wagner Group", "Wagner", "Wagner mercenaries"),),
        (Force("the Ukrainian army", "Ukrainian troops"),
         Force("Russian forces", "Russian troops")),
        ("Russian forces", "the Ukrainian air force"),
        ("the regional governor", "Ukraine's General Staff", "officials"),
        (Speaker("Colonel Oleh Marchenko", "a spokesman for the Ukrainian army"),),
        "the Ukrainian defence ministry",
    ),
    Theatre(
        "Libya", "Libyan", "Tripoli", "region",
        (("Tripolitania", ("Tripoli", "Misrata", "Gharyan")),
         ("Cyrenaica", ("Benghazi", "Derna")),
         ("Sirte District", ("Sirte",))),
        (ISLAMIC_STATE,),
        (Force("the Libyan National Army", "eastern forces"),
         Force("forces loyal to the Tripoli government", "government-aligned fighters")),
        ("the Libyan National Army", "unidentified aircraft"),
        ("medical sources", "a local official"),
        (Speaker("Salem Abdelkafi Bujazia", "a military spokesman in Benghazi"),),
        "the Libyan defence ministry",
    ),
    Theatre(
        "Mali", "Malian", "Bamako", "region",
        (("Mopti", ("Mopti", "Djenne")),
         ("Gao", ("Gao", "Menaka")),
         ("Timbuktu", ("Timbuktu",))),
        (Group("Jama'at Nusrat al-Islam wal-Muslimin", "JNIM", "JNIM fighters"),
         Group("Islamic State in the Greater Sahara", "ISGS", "Islamic State Sahel fighters")),
        (Force("the Malian army", "Malian soldiers"),
         Force("French troops", "French soldiers")),
        ("French warplanes", "the Malian air force"),
        ("security sources", "local officials"),
        (Speaker("Colonel Souleymane Dembele", "a Malian army spokesman"),),
        "the Malian defence ministry",
    ),
)


@dataclass(frozen=True)
class Issuer:
    """A body that imposes sanctions."""

    name: str  # "the European Union"
    home: str  # "the European Union" / "the United States": where frozen assets are held
    speaker: Speaker


ISSUERS: tuple[Issuer, ...] = (
    Issuer("the European Union", "the European Union",
           Speaker("Katrin Vollmer", "a spokeswoman for the European Commission")),
    Issuer("the U.S. Treasury", "the United States",
           Speaker("Daniel Whitcombe", "a senior Treasury official")),
    Issuer("the United Nations Security Council", "UN member states",
           Speaker("Amara Diallo", "the council's president for the month")),
    Issuer("Britain", "Britain", Speaker("Oliver Pennington", "a Foreign Office minister")),
    Issuer("Canada", "Canada", Speaker("Claire Tremblay", "a Canadian foreign ministry spokeswoman")),
)
SANCTIONED_COUNTRIES = ("Iran", "Syria", "Russia", "North Korea", "Venezuela", "Belarus", "Myanmar")
SECTORS = ("oil", "banking", "shipping", "arms", "aviation", "energy", "construction")
ENVOYS = (Speaker("Tomas Ekberg", "the UN special envoy"), Speaker("Helena Varga", "the EU's special representative"))
MEETING_TOPICS = ("security cooperation", "the fight against terrorism", "humanitarian access",
                  "the return of displaced families", "border security", "a possible ceasefire")


# --- helpers -----------------------------------------------------------------------------------------------------

_ZIPF_CACHE: dict[int, list[float]] = {}
NUMBER_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def zipf(rng: random.Random, items: Sequence[T], s: float = 1.0) -> T:
    """An item drawn with weight 1/rank**s (the first item most often)."""
    n = len(items)
    cum = _ZIPF_CACHE.get(n)
    if cum is None:
        cum = _ZIPF_CACHE[n] = list(accumulate(1 / (k + 1) ** s for k in range(n)))
    return rng.choices(items, cum_weights=cum)[0]


def cap(text: str) -> str:
    """``text`` with its first letter upper-case (for a name that starts a sentence)."""
    return text[:1].upper() + text[1:]


def num(n: int) -> str:
    """News style: numbers below ten in words."""
    return NUMBER_WORDS[n] if 0 <= n < 10 else str(n)


def poss(name: str) -> str:
    """``name``'s possessive ("Syria's", "the Houthis'")."""
    return name + ("'" if name.endswith("s") else "'s")


# words that may start a template sentence and are lower-cased after "Separately, "
_COMMON_STARTS = frozenset({"The", "A", "An", "Fighting", "Heavy", "Warplanes", "Special", "Security", "Police",
                            "Twin", "Military", "Talks"})


class Writer:
    """The random choices of one article: its theatre, date and the actors and places it is about."""

    def __init__(self, rng: random.Random, date: dt.date) -> None:
        self.rng = rng
        self.date = date
        self.theatre = t = zipf(rng, THEATRES)
        self.province, cities = zipf(rng, t.provinces, 1.2)
        self.city = zipf(rng, cities, 1.2)
        self.group = zipf(rng, t.groups, 1.3)
        self.force = zipf(rng, t.forces, 1.2)
        self.issuer = zipf(rng, ISSUERS)
        self.sanctioned = zipf(rng, SANCTIONED_COUNTRIES)
        self.speaker = zipf(rng, t.speakers, 1.4)
        self.used: dict[str, set[int]] = {}  # template kind -> indexes already used in this article
        self.introduced: set[str] = set()  # people already named with their role

    def pick(self, options: Sequence[T]) -> T:
        return self.rng.choice(options)

    def fresh(self, kind: str, options: Sequence[T], k: int = 1) -> list[T]:
        """``k`` of ``options`` not yet used for ``kind`` in this article (repeats only when all are used)."""
        used = self.used.setdefault(kind, set())
        free = [i for i in range(len(options)) if i not in used]
        chosen = self.rng.sample(free, min(k, len(free)))
        if len(chosen) < k:
            chosen += self.rng.sample([i for i in range(len(options)) if i not in chosen], k - len(chosen))
        used.update(chosen)
        return [options[i] for i in chosen]

    def one(self, kind: str, options: Sequence[T]) -> T:
        return self.fresh(kind, options)[0]

    def n(self, low: int, high: int) -> int:
        return self.rng.randint(low, high)

    def day(self) -> str:
        """When it happened, as news says it: mostly a weekday of the last few days."""
        r = self.rng.random()
        weekday = WEEKDAYS[(self.date - dt.timedelta(days=self.n(0, 6))).weekday()]
        if r < 0.6:
            return f"on {weekday}"
        if r < 0.7:
            return f"late on {weekday}"
        if r < 0.78:
            return f"early on {weekday}"
        if r < 0.85:
            return f"on {weekday} night"
        when = self.date - dt.timedelta(days=self.n(1, 20))
        return f"on {MONTHS[when.month - 1]} {when.day}"

    def year(self) -> int:
        return self.n(max(2012, self.date.year - 6), self.date.year - 1)

    def other_city(self) -> str:
        cities = [c for _, cs in self.theatre.provinces for c in cs if c != self.city]
        return self.pick(cities) if cities else self.theatre.capital

    def move(self) -> None:
        """Go to another province and city of the theatre (for a second, separate event)."""
        self.province, cities = zipf(self.rng, self.theatre.provinces, 1.2)
        self.city = zipf(self.rng, cities, 1.2)

    def source(self) -> str:
        return zipf(self.rng, self.theatre.sources)

    def place(self) -> str:
        """The city, sometimes with its province."""
        if self.city == self.province or self.rng.random() < 0.5:
            return self.city
        return f"{self.city} in {self.province} {self.theatre.area_word}"

    def who(self, person: Speaker) -> str:
        """A person as news names them: name and role the first time, the surname after that."""
        if person.name in self.introduced:
            return person.name.rsplit(" ", 1)[-1]
        self.introduced.add(person.name)
        return f"{person.name}, {person.role},"

    def said_by(self) -> str:
        """Attribution after a quote: a named person with a role, or a role alone."""
        r = self.rng.random()
        if r < 0.55:
            return f"{self.who(self.speaker)} said"
        if r < 0.7:
            return f"said {self.who(self.speaker).rstrip(',')}"
        if r < 0.85:
            return f"the governor of {self.province} told reporters"
        return f"a spokesman for {self.force.name} said"


# --- paragraphs --------------------------------------------------------------------------------------------------
# An event template returns (sentence, headline for when it leads the article).

Para = tuple[str, str]


def airstrike(w: Writer) -> Para:
    t, g, k = w.theatre, w.group, w.n(2, 40)
    air = zipf(w.rng, t.air)
    text = w.one("airstrike", (
        f"{cap(air)} carried out airstrikes on {g.name} positions near {w.place()} {w.day()}, killing {num(k)} "
        f"militants, {w.source()} said.",
        f"{cap(num(k))} {g.fighters} were killed {w.day()} when {air} struck a hideout in the countryside of "
        f"{w.province}, {w.source()} said.",
        f"An airstrike by {air} destroyed a weapons depot used by {g.name} in {w.city} {w.day()}, killing "
        f"{num(k)} fighters and wounding several others.",
        f"{cap(air)} said {w.day()} that it had killed a senior {g.name} commander in a drone strike near "
        f"{w.city}.",
        f"Warplanes struck positions held by {g.short} in {w.province} {w.day()}, killing at least {num(k)} fighters, "
        f"according to {w.source()}.",
    ))
    return text, f"Airstrikes kill {k} {g.bare} fighters near {w.city}"


def clash(w: Writer) -> Para:
    f, g = w.force, w.group
    a, b = w.n(1, 12), w.n(2, 30)
    text = w.one("clash", (
        f"{cap(f.troops)} clashed with {g.fighters} on the outskirts of {w.place()} {w.day()}, leaving "
        f"{num(a)} soldiers and {num(b)} militants dead, {w.source()} said.",
        f"Fighting between {f.name} and {g.name} in {w.province} killed at least {num(a + b)} people "
        f"{w.day()}, {w.source()} said.",
        f"{cap(f.name)} repelled an attack by {g.fighters} on their positions near {w.city} {w.day()} after "
        f"hours of heavy clashes in which {num(a)} soldiers were killed.",
        f"Heavy clashes broke out {w.day()} between {f.troops} and {g.fighters} in {w.place()}, "
        f"{w.source()} said, adding that {num(b)} militants had been killed.",
    ))
    return text, f"Clashes with {g.bare} kill {a + b} in {w.province}"


def bombing(w: Writer) -> Para:
    g = w.group
    k, h = w.n(2, 35), w.n(3, 60)
    victims = w.pick(("policemen", "soldiers", "civilians", "people", "members of the security forces"))
    text = w.one("bombing", (
        f"A car bomb exploded at a checkpoint in {w.place()} {w.day()}, killing {num(k)} {victims} and "
        f"wounding {num(h)}, {w.source()} said.",
        f"A suicide bomber blew himself up in a crowded market in {w.city} {w.day()}, killing at least "
        f"{num(k)} people and wounding {num(h)} others, {w.source()} said.",
        f"{cap(g.name)} claimed responsibility for a bombing that killed {num(k)} {victims} near {w.city} "
        f"{w.day()}.",
        f"A roadside bomb struck a military convoy on the road between {w.city} and {w.other_city()} "
        f"{w.day()}, killing {num(k)} soldiers, {w.source()} said.",
        f"Twin explosions near a mosque in {w.place()} killed {num(k)} people and wounded {num(h)} "
        f"{w.day()}, in one of the deadliest attacks in the area this year.",
    ))
    return text, f"Bomb kills {k} in {w.city}"


def raid(w: Writer) -> Para:
    f, g, k = w.force, w.group, w.n(2, 15)
    text = w.one("raid", (
        f"{cap(f.name)} raided a hideout of {g.name} in {w.place()} {w.day()}, killing {num(k)} militants and "
        f"seizing weapons and explosives, {w.theatre.ministry} said.",
        f"Special forces stormed a house used by {g.fighters} in {w.city} {w.day()}, killing {num(k)} of "
        f"them after a gunfight that lasted several hours, {w.source()} said.",
        f"{cap(f.troops)} raided several villages near {w.city} {w.day()} in search of {g.fighters} who "
        f"had attacked a checkpoint the week before.",
    ))
    return text, f"Troops raid {g.bare} hideout in {w.city}"


def arrest(w: Writer) -> Para:
    f, g, k = w.force, w.group, w.n(2, 25)
    text = w.one("arrest", (
        f"{cap(f.name)} arrested {num(k)} suspected {g.bare} members in {w.place()} {w.day()}, "
        f"{w.source()} said.",
        f"Security forces detained a senior {g.name} official during a raid in {w.province} {w.day()}, "
        f"{w.theatre.ministry} said.",
        f"Police in {w.city} arrested {num(k)} people suspected of planning attacks for {g.name} "
        f"{w.day()}, the interior ministry said.",
    ))
    return text, f"{k} {g.bare} suspects arrested in {w.city}"


def meeting(w: Writer) -> Para:
    t = w.theatre
    envoy = zipf(w.rng, ENVOYS)
    topic = w.pick(MEETING_TOPICS)
    text = w.one("meeting", (
        f"{cap(envoy.role)}, {envoy.name}, met {t.demonym} officials in {t.capital} {w.day()} to discuss "
        f"{topic} and the situation in {w.province}.",
        f"Military commanders from {w.force.name} and the US-led coalition held a meeting in {t.capital} "
        f"{w.day()} on {topic} in {w.province}.",
        f"Talks between {t.demonym} officials and {w.issuer.name} on {topic} opened in {t.capital} "
        f"{w.day()}, officials said.",
    ))
    return text, f"Officials meet in {t.capital} on {topic}"


def statement(w: Writer) -> Para:
    f, g = w.force, w.group
    text = w.one("statement", (
        f"{cap(f.name)} said {w.day()} it had driven {g.fighters} out of {num(w.n(2, 9))} villages near "
        f"{w.city} after a week-long offensive.",
        f"{cap(w.who(w.speaker))} warned {w.day()} that {g.name} {g.was} regrouping in the desert "
        f"of {w.province} and could strike again.",
        f"{cap(w.theatre.ministry)} said {w.day()} that {g.name} had lost most of its commanders in "
        f"{w.province} but still had fighters hiding in the countryside.",
    ))
    return text, f"{cap(g.bare)} regrouping in {w.province}, officials warn"


def sanctions(w: Writer) -> Para:
    i, g, c = w.issuer, w.group, w.sanctioned
    k, sector = w.n(2, 30), w.pick(SECTORS)
    text = w.one("sanctions", (
        f"{cap(i.name)} imposed sanctions on {num(k)} individuals and companies {w.day()} that it accused "
        f"of helping {g.name} move money, freezing any assets they hold in {i.home}.",
        f"{cap(i.name)} extended its sanctions on {c} by another year {w.day()}, keeping in place an embargo "
        f"on the {sector} sector and an asset freeze on more than {k * 10} people and entities.",
        f"{cap(i.name)} imposed new sanctions on {poss(c)} {sector} sector {w.day()}, the latest in a series "
        f"of measures over its support for armed groups in the region.",
        f"{cap(i.name)} designated {num(k)} {g.bare} leaders as terrorists {w.day()}, freezing their assets "
        f"and banning them from travel.",
        f"{cap(i.name)} said {w.day()} it would consider easing sanctions on {poss(c)} {sector} sector if "
        f"the government took steps towards a political settlement.",
        f"{cap(i.name)} lifted sanctions on {poss(c)} {sector} sector {w.day()}, saying the measures had "
        f"achieved their aim.",
        f"The United Nations Security Council voted {w.day()} to renew an arms embargo on {c} for another "
        f"year and to extend a freeze on the assets of {num(k)} people.",
    ))
    return text, f"{cap(i.name.removeprefix('the '))} sanctions target {c}"


LEADS: tuple[tuple[Callable[[Writer], Para], float], ...] = (
    (airstrike, 0.18), (clash, 0.14), (bombing, 0.2), (raid, 0.1), (arrest, 0.1), (meeting, 0.07),
    (statement, 0.06), (sanctions, 0.15),
)

QUOTES_SECURITY = (
    "The terrorists tried to exploit the bad weather, but our forces were ready for them",
    "We will pursue those responsible wherever they hide",
    "The situation is now under control and the roads have been reopened",
    "Most of the victims were civilians who were on their way to work",
    "These cells are weaker than before, but they can still cause a great deal of harm",
    "We have asked for more troops and more surveillance along the desert routes",
    "Our units are searching the area and we expect more arrests in the coming days",
    "The families here are exhausted; every week there is another funeral",
    "We know where they are hiding, and it is only a matter of time",
)
QUOTES_POLICY = (
    "These measures target the networks that pay for violence, not ordinary people",
    "We will keep using every tool we have to cut off the money",
    "The sanctions will stay in place until we see real change on the ground",
    "We are ready to move quickly if the conditions are met",
    "Nobody should be able to profit from this war",
    "Those who finance terror will find that the doors of the international banking system are closed to them",
)


def quote(w: Writer) -> str:
    q, q2 = w.fresh("quote", QUOTES_SECURITY, 2)
    r = w.rng.random()
    if r < 0.45:
        return f"“{q},” {w.said_by()}."
    if r < 0.7:
        return f"“{q},” {w.said_by()}. “{q2}.”"
    if r < 0.85:
        return (f"{cap(w.source())} said the attackers had fled towards {w.other_city()}. "
                f"“{q},” {w.said_by()}.")
    return (f"{cap(w.who(w.speaker))} told reporters in {w.theatre.capital} that {w.group.name} "
            f"{w.group.was} behind the attack and that more arrests were expected.")


def policy_quote(w: Writer) -> str:
    s = w.issuer.speaker
    q, q2 = w.fresh("policy quote", QUOTES_POLICY, 2)
    r = w.rng.random()
    if r < 0.4:
        return f"“{q},” {w.who(s)} said."
    if r < 0.75:
        return f"“{q},” said {w.who(s).rstrip(',')} in a statement. “{q2}.”"
    return f"{cap(w.who(s))} told reporters that the measures were aimed at {w.group.name} and its backers."


def background(w: Writer) -> str:
    t, g, f = w.theatre, w.group, w.force
    sentences = [
        f"{cap(g.name)} {'have' if g.was == 'were' else 'has'} carried out dozens of attacks in {w.province} since {w.year()}, targeting "
        f"security forces, local officials and civilians.",
        f"{w.province} {t.area_word} has seen a rise in violence in recent months, with {w.n(12, 90)} "
        f"attacks recorded since the start of the year, according to {w.source()}.",
        f"{cap(f.name)} launched a campaign against {g.name} in {w.province} in {w.year()} with the support "
        f"of {zipf(w.rng, t.air)}.",
        f"The United Nations says more than {w.n(2, 90) * 10000:,} people have been displaced by fighting in "
        f"{t.country} since {w.year()}.",
        f"{cap(g.fighters)} often hide in the valleys and farmland around {w.city}, where the terrain "
        f"makes it hard for {f.name} to pursue them.",
        f"Residents of {w.city} said the attacks had forced many families to leave their homes and move to "
        f"{t.capital} or to camps near {w.other_city()}.",
        f"No group immediately claimed responsibility, but {g.name} {'have' if g.was == 'were' else 'has'} carried out similar attacks in the "
        f"area.",
        f"The road between {w.city} and {w.other_city()} has been closed several times this year because of "
        f"attacks on convoys.",
    ]
    return " ".join(w.fresh("background", sentences, w.n(1, 3)))


def unconfirmed(w: Writer) -> str:
    """An event that did not happen, may have happened or is only planned or threatened."""
    f, g, air = w.force, w.group, zipf(w.rng, w.theatre.air)
    return w.one("unconfirmed", (
        f"{cap(air)} denied that its aircraft had struck a market in {w.city}, saying no airstrikes were "
        f"carried out in the area {w.day()}.",
        f"{cap(f.name)} did not launch an offensive on {w.other_city()} {w.day()}, contrary to reports on "
        f"social media, {w.source()} said.",
        f"{cap(g.name)} threatened to attack checkpoints in {w.province} if the arrests continued.",
        f"Officials said {f.troops} could launch an operation to retake {w.other_city()} in the coming weeks.",
        f"{cap(f.name)} plans to carry out raids on {g.name} hideouts near {w.city} next month, "
        f"{w.source()} said.",
        f"It was unclear whether the explosion near {w.other_city()} was caused by a mortar attack or an "
        f"accident.",
    ))


def casualties(w: Writer) -> str:
    k, c = w.n(2, 9), w.n(2, 4)
    return w.one("casualties", (
        f"Among the dead were {num(k)} civilians, including {num(c)} children, a medical source at the main "
        f"hospital in {w.city} said. The wounded were taken to hospitals in {w.other_city()}.",
        f"{cap(w.source())} said {num(k)} of the wounded were in a serious condition.",
        f"A local official in {w.city} said the death toll could rise as rescuers searched the rubble.",
    ))


def reaction(w: Writer) -> str:
    i, t = w.issuer, w.theatre
    return w.one("reaction", (
        f"{cap(i.name)} condemned the attack and called for those responsible to be brought to justice.",
        f"The {t.demonym} prime minister ordered an investigation and sent a delegation to {w.city}.",
        f"{cap(w.who(i.speaker))} said the attack showed that {w.group.name} remained a "
        f"threat to the whole region.",
    ))


def second_event(w: Writer) -> str:
    w.move()
    text, _ = w.pick((airstrike, clash, bombing, arrest, raid))(w)
    first, rest = text.split(" ", 1)
    if first in _COMMON_STARTS:
        first = first.lower()
    return w.pick(("Separately, ", "In a separate incident, ", "Elsewhere, ")) + f"{first} {rest}"


def policy_paragraph(w: Writer) -> str:
    i, g, c = w.issuer, w.group, w.sanctioned
    return w.one("policy_paragraph", (
        f"The attack came {num(w.n(2, 6))} weeks after {i.name} imposed sanctions on {num(w.n(3, 20))} people "
        f"it accused of financing {g.name}.",
        f"{cap(i.name)} designated {g.name} a terrorist organisation in {w.year()}, and its leaders are subject "
        f"to an asset freeze and a travel ban.",
        f"Earlier this month, {i.name} extended its sanctions on {c}, which include an embargo on "
        f"{w.pick(SECTORS)} exports and a freeze on the assets of its central bank.",
        f"Diplomats said {i.name} was considering easing sanctions on {poss(c)} {w.pick(SECTORS)} sector.",
    ))


def meeting_paragraph(w: Writer) -> str:
    return meeting(w)[0]


# --- articles ----------------------------------------------------------------------------------------------------

BODY: tuple[tuple[Callable[[Writer], str], float], ...] = (
    (background, 3), (quote, 2), (casualties, 1), (second_event, 1.5), (policy_paragraph, 0.8),
    (meeting_paragraph, 0.5), (reaction, 0.6), (unconfirmed, 0.7),
)
POLICY_BODY: tuple[tuple[Callable[[Writer], str], float], ...] = (
    (policy_quote, 2), (policy_paragraph, 2), (background, 2), (second_event, 0.8), (meeting_paragraph, 0.5),
)


def words(paragraphs: Sequence[str]) -> int:
    return sum(len(p.split()) for p in paragraphs)


OUTLETS = ("Synthetic Wire", "Second Desk", "Regional Monitor", "Morning Dispatch")
COPY_SHARE, FOLLOW_UP_SHARE = 0.04, 0.12
_EVENT_LEADS = frozenset({"airstrike", "clash", "bombing", "raid", "arrest"})


def article(seed: int, index: int) -> dict[str, str]:
    """Article ``index`` of the corpus of ``seed`` (depends only on ``seed``, ``index`` and the few earlier
    articles it repeats)."""
    chance = random.Random(seed * 7_919 + index * 31 + 7)
    r, back = chance.random(), chance.randint(1, 40)
    if r < COPY_SHARE and index >= back:
        original = article(seed, index - back)
        return {**original, "id": f"syn-{seed}-{index:06d}", "title": chance.choice(REPUBLISHED).format(original["title"]),
                "source": chance.choice(OUTLETS[1:])}
    if r < COPY_SHARE + FOLLOW_UP_SHARE and index >= back:
        return _report(seed, index, index - back, chance)
    return _report(seed, index, index, chance)


REPUBLISHED = ("{}", "UPDATE 1-{}", "{} - agency", "{} (updated)")


def _lead(seed: int, index: int, template_used: set[int] | None = None
          ) -> tuple[random.Random, dt.date, Writer, Callable[[Writer], Para], str, str, set[int]]:
    """The lead event of article ``index``: the choices made for it, and its text and title. With
    ``template_used``, the same event told with another of its templates."""
    rng = random.Random(seed * 1_000_003 + index)
    date = FIRST_DAY + dt.timedelta(days=rng.randrange((LAST_DAY - FIRST_DAY).days + 1))
    w = Writer(rng, date)
    lead_kind = rng.choices([k for k, _ in LEADS], weights=[p for _, p in LEADS])[0]
    if template_used is not None:
        w.used[lead_kind.__name__] = set(template_used)
    lead, title = lead_kind(w)
    return rng, date, w, lead_kind, lead, title, w.used.get(lead_kind.__name__, set())


def _report(seed: int, index: int, event_of: int, chance: random.Random) -> dict[str, str]:
    """Article ``index``, whose lead tells the lead event of article ``event_of`` (itself, or an earlier
    article whose event a second outlet reports in its own words)."""
    rng, date, w, lead_kind, lead, title, used = _lead(seed, event_of)
    source = SOURCE
    if event_of != index and lead_kind.__name__ in _EVENT_LEADS:
        rng, date, w, lead_kind, lead, title, _ = _lead(seed, event_of, used)
        date += dt.timedelta(days=chance.randint(0, 1))
        w.rng = rng = random.Random(seed * 1_000_003 + index)  # the rest of the article is its own
        title = chance.choice(("{}", "{} - officials", "UPDATE: {}")).format(title)
        source = chance.choice(OUTLETS[1:])
    elif event_of != index:
        return _report(seed, index, index, chance)
    policy = lead_kind is sanctions
    paragraphs = [lead, policy_quote(w) if policy else quote(w) if rng.random() < 0.7 else casualties(w)]
    body = POLICY_BODY if policy else BODY
    makers, weights = [m for m, _ in body], [p for _, p in body]
    goal = rng.randint(MIN_WORDS + 10, MAX_WORDS - 60)
    tries = 0
    while words(paragraphs) < goal and tries < 40:
        tries += 1
        paragraph = rng.choices(makers, weights=weights)[0](w)
        if paragraph not in paragraphs and words(paragraphs) + len(paragraph.split()) <= MAX_WORDS:
            paragraphs.append(paragraph)
    return {
        "id": f"syn-{seed}-{index:06d}",
        "title": title,
        "text": "\n\n".join(paragraphs),
        "date": date.isoformat(),
        "source": source,
    }


def generate(n: int, seed: int = 0) -> Iterator[dict[str, str]]:
    """``n`` synthetic articles (the same ones for the same ``seed``)."""
    for index in range(n):
        yield article(seed, index)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", type=int, help="number of articles")
    parser.add_argument("-o", "--output", default="-", help="JSON Lines file ('-' for stdout, the default)")
    parser.add_argument("--seed", type=int, default=0, help="seed (default 0)")
    args = parser.parse_args(argv)
    out = sys.stdout if args.output == "-" else Path(args.output).open("w", encoding="utf-8")  # noqa: SIM115
    try:
        for item in generate(args.n, args.seed):
            out.write(json.dumps(item, ensure_ascii=False) + "\n")
    finally:
        if out is not sys.stdout:
            out.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
