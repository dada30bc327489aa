"""Attacks reported by their toll or in mis-parsed headlines still get their place, with the real pipeline."""

from __future__ import annotations

import pytest
from spacy.language import Language

from kg.extract.from_doc import extract
from kg.model import Extraction
from tests.helpers import article


def run(nlp: Language, text: str) -> Extraction:
    return next(extract([article(text)], nlp))


def located(x: Extraction) -> dict[str, set[str]]:
    """Place label -> classes of the events located there."""
    names = {e.ref: e.label for e in x.entities}
    out: dict[str, set[str]] = {}
    for event in x.events:
        for ref in event.locations:
            out.setdefault(names[ref], set()).add(event.cls)
    return out


@pytest.mark.parametrize(("text", "place"), [
    ("Human losses in Harasta as the siege tightens", "Harasta"),
    ("Nine dead in Ariha after a night of fighting", "Ariha"),
    ("More casualties in Zabadani and Madaya", "Madaya"),
    ("Rebel bombardment kills and wounds 12 civilians in Salqin city", "Salqin"),
    ("Aerial bombardment targets Saraqib and clashes continue in Hama countryside", "Saraqib"),
    ("Losses in the regime ranks in Zamalka", "Zamalka"),
    ("Jabal al-Zawiya witnesses violent clashes between the factions", "Jabal al-Zawiya"),
    ("Manbij clashes leave five fighters dead", "Manbij"),
    ("Shelling by regime forces on the outskirts of the town of Kafr Nabl leaves casualties", "Kafr Nabl"),
    ("ISIS advances in Yarmouk camp south of Damascus", "Damascus"),
    ("Regime forces launch about 30 missiles on Saraqib city", "Saraqib"),
    ("Turkey continues its operation in Afrin and kills more civilians", "Afrin"),
    ("The western countryside of Idlib witnesses a new wave of shelling", "Idlib"),
    ("Aerial bombardment targets Ariha", "Ariha"),
    ("Rights Group: Investigate Deadly New Airstrikes in Saraqib", "Saraqib"),
    ("Mine Explosions In Al-Hamidiyah City Cause More Casualties", "Al-Hamidiyah"),
    ("Shelling claims the lives of six civilians in Kafr Nabl", "Kafr Nabl"),
    ("A child dies of his wounds in the countryside of Ariha", "Ariha"),
    ("The regime's successive targeting of Khan Shaykhun raises the death toll", "Khan Shaykhun"),
    ("A new advancement by the factions in the northern countryside of Hama", "Hama"),
])
def test_the_toll_or_the_means_of_an_attack_locate_it(nlp: Language, text: str, place: str) -> None:
    assert place in located(run(nlp, text))


def test_armed_men_gaining_ground_is_an_operation(nlp: Language) -> None:
    x = run(nlp, "Regime forces enter Morek and take control of its northern neighbourhoods.\n\n"
                 "The SDF impose their control over the entire town of Hajin after days of fighting.")
    assert "MilitaryOperation" in located(x)["Morek"]
    assert "MilitaryOperation" in located(x)["Hajin"]


def test_no_operation_without_fighting(nlp: Language) -> None:
    x = run(nlp, "An aid convoy entered Douma on Tuesday.\n\n"
                 "The ministry will advance a reform plan in Baghdad.\n\n"
                 "The company reported financial losses in Iraq last year.\n\n"
                 "The firm continues its operations in Basra.")
    assert x.events == ()


def test_places_after_the_clause_are_not_the_event_s(nlp: Language) -> None:
    x = run(nlp, "Nations that have conducted air strikes in Iraq include Denmark, France and Jordan.\n\n"
                 "The commander was killed in a raid by Turkey's special forces inside Syrian territory.")
    places = located(x)
    assert "Iraq" in places
    assert not {"Denmark", "France", "Jordan", "Turkey"} & set(places)


@pytest.mark.parametrize(("text", "agent"), [
    ("Turkish forces that attacked Jarablus on Sunday withdrew.", "Turkish forces"),
    ("The coalition fighting ISIS in Syria announced new strikes.", "US-led coalition"),
])
def test_the_noun_a_clause_describes_is_the_doer(nlp: Language, text: str, agent: str) -> None:
    x = run(nlp, text)
    names = {e.ref: e.label for e in x.entities}
    assert any(agent in {names[a] for a in event.agents} for event in x.events)
