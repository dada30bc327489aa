"""Actors named by nationality or office, with the real pipeline: governments, forces, populations,
people referred to by their title, and capitalised words that are not actors."""

from __future__ import annotations

from spacy.language import Language

from kg.evaluate.re3d import gold_type
from kg.extract.from_doc import extract
from kg.model import Extraction
from tests.helpers import article


def run(nlp: Language, text: str) -> Extraction:
    return next(extract([article(text)], nlp))


def typed(x: Extraction) -> dict[str, str]:
    return {e.label: e.cls for e in x.entities}


def mentions_of(x: Extraction, label: str) -> list[str]:
    ref = next(e.ref for e in x.entities if e.label == label)
    return [m.span.text for m in x.mentions if m.entity == ref]


def test_nationality_names_governments_forces_oppositions_and_populations(nlp: Language) -> None:
    x = run(nlp, "The Iraqi government said Syrian Arab forces and the Syrian opposition had fought Daesh "
                 "near the border, while thousands of Syrians and the Iraqi people fled the fighting.")
    found = typed(x)
    assert found["Government of Iraq"] == "GovernmentBody"
    assert found["Syrian Arab forces"] == "SecurityForce"
    assert found["Syrian opposition"] == "PoliticalGroup"
    assert found["Syrians"] == "Population"
    assert found["Iraqis"] == "Population"  # "the Iraqi people" is the same population
    assert ("population", "syrians") in {e.ref for e in x.entities}


def test_government_of_a_country_is_one_entity_however_written(nlp: Language) -> None:
    x = run(nlp, "The Government of Iraq welcomed the deal. The Iraqi government will sign it on Monday.")
    assert mentions_of(x, "Government of Iraq") == ["Government of Iraq", "Iraqi government"]


def test_territory_of_a_nationality_is_the_country_as_a_place(nlp: Language) -> None:
    x = run(nlp, "Two fighters were killed in a raid inside Syrian territory on Sunday.")
    assert typed(x)["Syria"] == "Country"


def test_weapons_and_warships_are_not_actors(nlp: Language) -> None:
    x = run(nlp, "Coalition aircraft destroyed a VBIED and two UAVs near Hit. USS Carney and HMS Dauntless "
                 "sailed with the task group.")
    names = {e.label for e in x.entities}
    assert not names & {"VBIED", "UAVs", "USS Carney", "HMS Dauntless"}


def test_military_commands_and_numbered_task_forces(nlp: Language) -> None:
    x = run(nlp, "The Pentagon said CTF 52 would join U.S. Central Command, and CENTCOM confirmed it.")
    found = typed(x)
    assert found["United States Department of Defense"] == "GovernmentBody"
    assert found["United States Central Command"] == "SecurityForce"
    assert found["CTF 52"] == "SecurityForce"
    assert mentions_of(x, "United States Central Command") == ["U.S. Central Command", "CENTCOM"]


def test_a_title_is_a_mention_of_the_person_who_holds_it(nlp: Language) -> None:
    x = run(nlp, "Foreign Secretary Alan Marsh condemned the attack on the convoy.\n\n"
                 "The Foreign Secretary said the strikes must stop. “We will respond,” said Col. Dana Reyes, "
                 "the CJTF-OIR spokesperson. Minister for the Middle East, Ruth Gale, visited Erbil.")
    assert mentions_of(x, "Alan Marsh") == ["Alan Marsh", "Foreign Secretary"]
    assert "CJTF-OIR spokesperson" in mentions_of(x, "Dana Reyes")
    assert "Minister for the Middle East" in mentions_of(x, "Ruth Gale")


def test_a_title_nobody_named_holds_is_not_a_mention(nlp: Language) -> None:
    x = run(nlp, "The Prime Minister met a spokesman of the ministry in Baghdad.")
    assert "Person" not in typed(x).values()
    assert all(m.span.text != "Prime Minister" for m in x.mentions)


def test_two_holders_of_one_title_leave_the_bare_title_unresolved(nlp: Language) -> None:
    x = run(nlp, "Defence Minister Omar Said met Defence Minister Lena Holt in Amman. The Defence Minister "
                 "later left.")
    assert [m.span.text for m in x.mentions if m.span.text == "Defence Minister"] == []


def test_re3d_counts_a_population_as_an_organisation() -> None:
    assert gold_type("Population") == "Organisation"


def test_tribes_and_numbered_units(nlp: Language) -> None:
    x = run(nlp, "Gunmen killed six members of the Al Bu Fahad tribe. The 214th Field Artillery Regiment and "
                 "the 332nd AEG joined the 4th Special Forces Group.")
    found = typed(x)
    assert found["Al Bu Fahad tribe"] == "Population"
    assert found["214th Field Artillery Regiment"] == "SecurityForce"
    assert found["332nd AEG"] == "SecurityForce"
    assert found["4th Special Forces Group"] == "SecurityForce"


def test_strike_report_list_items_are_places(nlp: Language) -> None:
    x = run(nlp, "Iraq\n.\u00a0 \u00a0 Near Qayyarah, two strikes destroyed a tunnel.\n"
                 ".\u00a0 \u00a0 Near Al Baghdadi, one strike hit a mortar team.")
    found = typed(x)
    assert found["Qayyarah"] == "Settlement"
    assert found["Al Baghdadi"] == "Settlement"


def test_a_name_used_as_a_place_is_that_place_throughout_the_article(nlp: Language) -> None:
    x = run(nlp, "After two days of fighting in Ubaydi, the marines pushed on. The assault of Ubaydi ended "
                 "on Friday.")
    assert typed(x)["Ubaydi"] == "Settlement"
    assert len(mentions_of(x, "Ubaydi")) == 2


def test_transliterations_in_parentheses_are_not_entities(nlp: Language) -> None:
    x = run(nlp, "Jabal Makhoul (Arabic: جبل مكحول; Kurdish: Çiyayê Makhûl) is a ridge north of Baiji.")
    found = typed(x)
    assert found["Jabal Makhoul"] == "NaturalFeature"
    assert not any("Çiyayê" in name for name in found)


def test_brackets_glued_to_a_word_do_not_join_the_name(nlp: Language) -> None:
    x = run(nlp, "Karim Haddad(Arabic: كريم حداد), also known as Abu Sami,[2] is an Iraqi officer. Haddad "
                 "commanded the navy.")
    found = typed(x)
    assert found["Karim Haddad"] == "Person"
    assert mentions_of(x, "Karim Haddad") == ["Karim Haddad", "Haddad"]
    assert "Abu Sami" in found


def test_an_office_in_apposition_with_honorifics_names_its_holder(nlp: Language) -> None:
    x = run(nlp, "The envoy met the Minister of Foreign Affairs of Jordan, HE Dr Samir Nasser, in Amman.")
    assert "Minister of Foreign Affairs of Jordan" in mentions_of(x, "Samir Nasser")
    assert typed(x).get("Minister of Foreign Affairs of Jordan") is None  # an office, not an organisation


def test_places_fled_from_or_held_by_a_group(nlp: Language) -> None:
    x = run(nlp, "Marines began their assault on insurgent-held Ubaydah. They pursued the insurgents who fled "
                 "Rummanah on Friday.")  # NER alone takes Rummanah for a person
    found = typed(x)
    assert found["Ubaydah"] == "Settlement"
    assert found["Rummanah"] == "Settlement"


def test_statement_style_actors(nlp: Language) -> None:
    x = run(nlp, "Spokesperson Mark Toner said the Assad regime and Syrian rebels must respect the truce, "
                 "the BBC reported. The High Representative met the UN Special Envoy Staffan de Mistura.")
    found = typed(x)
    assert found["Mark Toner"] == "Person"  # the title is not part of the name
    assert found["Syrian government forces"] == "SecurityForce"
    assert found["Syrian rebels"] == "ArmedGroup"
    assert found["BBC"] == "MediaOrganization"
    assert found["Staffan de Mistura"] == "Person"
    assert "High Representative" not in found  # an office, not an organisation


def test_operations_and_enemies_of_the_coalition_are_not_the_coalition(nlp: Language) -> None:
    x = run(nlp, "Marines fought anti-coalition forces in the west. The Syrian Arab Coalition joined the "
                 "offensive under Operation Inherent Resolve.")
    found = typed(x)
    assert "US-led coalition" not in found
    assert found["Syrian Arab Coalition"] == "ArmedGroup"
    assert "Operation Inherent Resolve" not in found


def test_group_names_are_canonical() -> None:
    from kg.nlp.group_patterns import group_name

    assert group_name(["Iraqi", "government"], "GovernmentBody") == "Government of Iraq"
    assert group_name(["Government", "of", "the", "United", "Kingdom"], "GovernmentBody") == \
        "Government of United Kingdom"
    assert group_name(["Syrian", "people"], "Population") == "Syrians"
    assert group_name(["Turkish", "territory"], "Country") == "Turkey"
    assert group_name(["Syrian", "opposition"], "PoliticalGroup") == "Syrian opposition"
    assert group_name(["Federal", "Police"], "SecurityForce") == ""  # not a group pattern's span


def test_an_office_holder_speaks_under_the_title(nlp: Language) -> None:
    x = run(nlp, "Foreign Secretary Alan Marsh visited Erbil on Monday.\n\nThe Foreign Secretary said: “The "
                 "attacks must stop now.”\n\nThe Prime Minister said nothing.")
    marsh = next(e.ref for e in x.entities if e.label == "Alan Marsh")
    assert [s.speaker for s in x.statements] == [marsh]  # the unnamed Prime Minister gets no statement


def test_opposition_and_rebel_forces_are_armed_groups_not_state_forces(nlp: Language) -> None:
    x = run(nlp, "Syrian opposition forces and Syrian rebel forces fought Syrian government forces near Hama.")
    found = typed(x)
    assert found["Syrian opposition forces"] == "ArmedGroup"
    assert found["Syrian rebels"] == "ArmedGroup"
    assert found["Syrian government forces"] == "SecurityForce"
