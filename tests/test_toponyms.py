"""Places of the Syrian and Iraqi wars that NER misses or mistypes, with the real pipeline."""

from __future__ import annotations

from spacy.language import Language

from kg.extract.from_doc import extract
from kg.model import LOCATION_CLASSES, Extraction
from tests.helpers import article


def run(nlp: Language, text: str) -> Extraction:
    return next(extract([article(text)], nlp))


def places(x: Extraction) -> dict[str, str]:
    """Mention text -> class, for the mentions of places."""
    cls = {e.ref: e.cls for e in x.entities}
    return {m.span.text: cls[m.entity] for m in x.mentions if cls[m.entity] in LOCATION_CLASSES}


def test_known_towns_and_their_spellings(nlp: Language) -> None:
    x = run(nlp, "Heavy fighting continued in Menbej on Tuesday while warplanes struck al-Bab and the eastern Ghouta.")
    found = places(x)
    assert found["Menbej"] == "Settlement"
    assert found["al-Bab"] == "Settlement"
    assert found["eastern Ghouta"] == "Area"
    assert next(e.label for e in x.entities if e.cls == "Settlement" and e.label.startswith("Man")) == "Manbij"


def test_arabic_generics_begin_place_names(nlp: Language) -> None:
    x = run(nlp, "Rebels shelled Kafr Hamra and Tal Qarah while clashes raged on Jabal al-Zawiya.")
    found = places(x)
    assert found["Kafr Hamra"] == "Settlement"
    assert found["Tal Qarah"] == "Settlement"
    assert found["Jabal al-Zawiya"] == "NaturalFeature"


def test_unknown_names_in_place_slots_are_settlements(nlp: Language) -> None:
    x = run(nlp, "Four civilians were killed in Hazimah village.\n\n"
                 "Airstrikes on Ma'dan left several wounded.\n\n"
                 "Regime artillery shelled the town of Suqaylabiyah and the outskirts of Karnaz.\n\n"
                 "Five fighters died in clashes in al-Ghantu.")
    found = places(x)
    for name in ("Hazimah", "Suqaylabiyah", "Karnaz", "al-Ghantu"):
        assert found.get(name) == "Settlement", name


def test_listed_places_and_places_of_a_country(nlp: Language) -> None:
    x = run(nlp, "Warplanes bombed Kurnaz, Halfaya and Taybat al-Imam on Sunday.\n\n"
                 "Two soldiers were killed in a car bomb attack in Syria's al-Safira.\n\n"
                 "Coalition strikes hit a tactical unit near Al Khafsa, Aleppo governorate, Syria.\n\n"
                 "Strikes hit Mashlab and Al Hamra villages, Raqqa governorate, Syria.\n\n"
                 "Shelling targets Kafruma and warplanes bomb Ma’arzaf.")
    found = places(x)
    for name in ("Halfaya", "al-Safira", "Al Khafsa", "Mashlab", "Kafruma", "Ma’arzaf"):
        assert found.get(name) == "Settlement", name


def test_people_stay_people_in_place_slots(nlp: Language) -> None:
    x = run(nlp, "Gunmen killed Ahmed Hassan in Damascus on Monday.\n\n"
                 "The attack on Mohammed Saleh drew condemnation from Sadiq Khan.")
    classes = {e.label: e.cls for e in x.entities}
    assert classes.get("Ahmed Hassan") == "Person"
    assert classes.get("Mohammed Saleh") == "Person"
    assert classes.get("Damascus") == "Settlement"


def test_ner_places_are_kept_and_names_end_at_place_words(nlp: Language) -> None:
    x = run(nlp, "Coalition operations in Southwest Asia continued.\n\n"
                 "Mine Explosions In Al-Hamidiyah City Cause More Casualties")
    found = places(x)
    assert found.get("Southwest Asia") == "Area"  # NER's place, not retyped as a town
    assert found.get("Al-Hamidiyah") == "Settlement"
    assert not any("Cause" in name for name in found)


def test_a_direction_makes_a_region_of_a_country_or_governorate(nlp: Language) -> None:
    x = run(nlp, "Turkish jets hit militant targets in northern Syria.\n\n"
                 "Later, a bomb exploded in central Baghdad.")
    found = places(x)
    assert found.get("northern Syria") == "Area"
    assert found.get("Baghdad") == "Settlement"  # the centre of a city is still the city


def test_longer_names_curly_apostrophes_and_peoples(nlp: Language) -> None:
    x = run(nlp, "Eight casualties at least in Kafr Dael town.\n\n"
                 "Clashes broke out between rebel factions in A’zaz.\n\n"
                 "Strikes of the coalition kill 8 children of one family Al-Raqqah City\n\n"
                 "The militants once again slaughtered Sunnis and besieged the Yazidis on Mount Sinjar.")
    found = places(x)
    assert found.get("Kafr Dael") == "Settlement"  # a generic before a known town makes a longer name
    assert found.get("A’zaz") == "Settlement"
    assert found.get("Al-Raqqah") in {"Settlement", "AdministrativeArea"}
    assert found.get("Mount Sinjar") == "NaturalFeature"
    assert "Sunnis" not in found
