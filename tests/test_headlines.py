"""Headlines and terse wire copy (noun stacks, present tense, no articles, attribution after a colon or a
dash, title case) give located events with their counts as full sentences do; invented headlines, the
real pipeline."""

from __future__ import annotations

import pytest
from spacy.language import Language

from tests.helpers import run

# headline -> (event class, place label, killed, injured) of the event located there
HEADLINES = [
    ("Car Bomb Kills Six In Mosul", ("Bombing", "Mosul", 6, None)),
    ("Suicide attack kills 12 in Kirkuk: police", ("Bombing", "Kirkuk", 12, None)),
    ("Baghdad market blast kills 20 - ministry", ("Bombing", "Baghdad", 20, None)),
    ("Taliban attack Kunduz checkpoint, 5 police dead", ("Attack", "Kunduz", 5, None)),
    ("Airstrike hits Raqqa hospital", ("Airstrike", "Raqqa", None, None)),
    ("Rocket attacks on Aden port", ("RocketAttack", "Aden", None, None)),
    ("Mortar shells land in Damascus, wounding 3", ("RocketAttack", "Damascus", None, 3)),
    ("Sinjar clashes leave 7 fighters dead", ("Clash", "Sinjar", 7, None)),
    ("Bomb explodes near Basra mosque", ("Bombing", "Basra", None, None)),
    ("IS claims Tikrit bombing that killed 9", ("Bombing", "Tikrit", 9, None)),
    ("Three soldiers killed in Diyala ambush", ("Attack", "Diyala", 3, None)),
    ("Police: 4 killed as gunmen storm Kirkuk office", ("Attack", "Kirkuk", 4, None)),
    ("Erbil drone attack wounds 2 US troops", ("Airstrike", "Erbil", None, 2)),
    ("Heavy shelling hits Homs; 11 killed", ("Attack", "Homs", 11, None)),
    ("Kabul: suicide blast kills 8 at mosque", ("Bombing", "Kabul", 8, None)),
    ("Ramadi roadside bomb kills police officer", ("Bombing", "Ramadi", 1, None)),
    ("Gunmen kill two in Baquba", ("Attack", "Baqubah", 2, None)),
    ("Silence in Qamishli after violent clashes", ("Clash", "Qamishli", None, None)),
    ("Mortar rounds hit Samarra, 2 wounded", ("RocketAttack", "Samarra", None, 2)),
    ("Roadside bomb kills soldier south of Mosul", ("Bombing", "Mosul", 1, None)),
    ("Basra market blast toll rises to 27", ("Bombing", "Basra", 27, None)),
    ("Shelling in Homs kills two, wounds five", ("Attack", "Homs", 2, 5)),
]


@pytest.mark.parametrize(("headline", "expected"), HEADLINES, ids=[h for h, _ in HEADLINES])
def test_headline_gives_a_located_event_with_its_counts(
        nlp: Language, headline: str, expected: tuple[str, str, int | None, int | None]) -> None:
    extraction = run(nlp, headline)
    names = {e.ref: e.label for e in extraction.entities}
    found = {(e.cls, names[ref], e.killed, e.injured) for e in extraction.events for ref in e.locations}
    assert expected in found


def test_a_noun_tagged_headline_verb_is_not_a_second_event(nlp: Language) -> None:
    # "wounds" tagged as a noun with "drone attack" as its compound: one event, not two
    events = run(nlp, "Erbil drone attack wounds 2 US troops").events
    assert [(e.cls, e.trigger.text) for e in events] == [("Airstrike", "drone attack")]


def test_a_means_before_its_event_noun_is_not_a_second_event(nlp: Language) -> None:
    events = run(nlp, "Bomb attack kills 5 in Diyala province").events
    assert [(e.cls, e.trigger.text, e.killed) for e in events] == [("Bombing", "Bomb attack", 5)]


def test_a_dateline_places_only_an_event_nothing_else_places(nlp: Language) -> None:
    extraction = run(nlp, "Kabul: gunmen attack a bank in Jalalabad, killing 3")
    names = {e.ref: e.label for e in extraction.entities}
    assert {names[ref] for e in extraction.events for ref in e.locations} == {"Jalalabad"}
