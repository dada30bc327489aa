"""Places of the Syrian and Iraqi wars that the statistical model misses or takes for people.

Two kinds of knowledge, both general rather than tied to any list of reports:

- :data:`TOWNS`: well-known towns and districts of the region (checked spellings, with the common
  transliterations of English-language reporting; rows of ``kg/data/names.tsv``), added as patterns
  before NER;
- ``kg_toponyms`` (after NER): Arabic place-name generics ("Khan", "Kafr", "Tal", "Jabal", ...)
  begin a place name, and an unrecognised proper noun in a place slot ("the town of X",
  "X countryside", "clashes in X", "airstrikes on X") is a settlement.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span, Token
from spacy.util import filter_spans

from kg import known
from kg.model import LOCATION_CLASSES
from kg.nlp import lexicon
from kg.nlp.components import ENT_ATTRS, PARSE_ATTRS, KgComponent
from kg.nlp.name_resolution import named_as_person
from kg.nlp.words import COMPASS_POINTS, LOCATIVE_PREPS, aims_at, trigger_word

# well-known towns and districts (rows of kg/data/names.tsv matched as "town"): canonical name -> aliases
TOWNS: dict[str, tuple[str, ...]] = {
    thing.name: thing.aliases for thing in known.named_things() if thing.match == "town" and thing.cls == "Settlement"}
# names of regions rather than single settlements
AREAS: dict[str, tuple[str, ...]] = {
    thing.name: thing.aliases for thing in known.named_things() if thing.match == "town" and thing.cls == "Area"}

# Arabic place-name generics that begin a name ("Khan Shaykhun", "Kafr Nabl", "Tal Abyad"): a run that
# starts with one is a place, whatever NER thought of it
GENERICS = frozenset({"Kafr", "Kfar", "Kafar", "Khan", "Tal", "Tell", "Tall", "Deir", "Dayr", "Ain", "Ayn",
                      "Ras", "Jisr", "Maarat", "Maarrat", "Beit", "Bayt", "Qalaat", "Qalat", "Marj"})
_GENERIC_WORDS = GENERICS | lexicon.NATURAL_GENERICS
_ARTICLE_PARTS = frozenset({"al", "el", "ad", "adh", "ar", "as", "ash", "at", "az", "ez", "es", "ed", "-", "’", "'"})
# nouns that say the proper noun before them (or after "X of") is a place
PLACE_NOUNS = frozenset({"city", "cities", "town", "towns", "village", "villages", "countryside", "outskirts",
                         "neighbourhood", "neighborhood", "suburb", "suburbs", "district", "camp", "vicinity",
                         "surroundings", "town's", "city's"})
# words of fighting and its toll: a preposition phrase "in/on/near X" under one of them names where it happened
VIOLENCE_WORDS = frozenset({word for word, cls in lexicon.EVENT_TRIGGERS.items() if cls != "Meeting"}
                           | lexicon.CASUALTY_WORDS
                           | {"casualties", "clashes", "losses", "land", "fall", "fire", "control", "capture"})
# a place slot after a word of violence: strikes land "on X", advances go "into X", "towards X"
_SLOT_PREPS = LOCATIVE_PREPS | {"on", "around", "outside", "into", "towards", "toward"}
# untyped NER labels that a place rule may overrule (ruler labels are ontology classes and stay)
_WEAK_LABELS = frozenset({"PERSON", "ORG", "NORP", "PRODUCT", "WORK_OF_ART", "Person", "Organization"})
# "central Baghdad" is still the city: only the compass directions make a region
_COMPASS = frozenset({"northern", "southern", "eastern", "western", "northeastern", "northwestern", "southeastern",
                      "southwestern"})
# NER's own places: a rule only replaces one it extends ("Zawr" -> "Dayr az Zawr"), never retypes one
_NER_PLACES = frozenset({"GPE", "LOC", "FAC"})
# what a longer place name may swallow: NER's places and a known town ("Kafr Dael" over "Dael")
_EXTENDABLE = _NER_PLACES | {"Settlement"}
# capitalised words that end a place name rather than belong to it ("Al-Raqqah City", "Kirkuk Province")
_NAME_ENDERS = PLACE_NOUNS | {"province", "governorate", "subdistrict", "crossing", "road", "highway", "airbase",
                              "airport", "base", "desert", "front", "day"}


def town_patterns() -> list[dict[str, Any]]:
    """Entity-ruler patterns for :data:`TOWNS` and :data:`AREAS` (applied before NER)."""
    patterns: list[dict[str, Any]] = []
    for table, label in ((TOWNS, "Settlement"), (AREAS, "Area")):
        for canonical, aliases in table.items():
            names = {canonical, *aliases}
            for name in sorted(names | {n.replace("'", "’") for n in names}):  # news prints both apostrophes
                patterns.append({"label": label, "pattern": name, "id": canonical})
    return patterns


@Language.factory("kg_toponyms", assigns=ENT_ATTRS, requires=PARSE_ATTRS)
def make_toponyms(nlp: Language, name: str) -> Toponyms:
    """Places named by Arabic generics or standing in a place slot, which NER missed or mistyped."""
    return Toponyms()


class Toponyms(KgComponent):
    """Adds or retypes place spans in ``doc.ents`` (labels: ontology classes)."""

    def __call__(self, doc: Doc) -> Doc:
        ents = doc.ents
        revised = [_with_direction(_city_named_after(_paired_with_a_person(e))) for e in map(_cut_run_on, ents)
                   if not _headline_phrase(e)]
        if len(revised) != len(ents) or any(new is not old for new, old in zip(revised, ents, strict=True)):
            doc.ents = revised  # setting them unchanged would only cost time
        generic: list[Span] = []
        slot: list[Span] = []
        # one pass, and the rules only at the words they can start at: a generic, or a capitalised word
        for token in doc:
            text = token.text
            if text in _GENERIC_WORDS and (span := _generic_name(doc, token)) is not None:
                generic.append(span)
            if text[:1].isupper() and (span := _slot_name(doc, token)) is not None:
                slot.append(span)
        found = generic + slot
        if not found:
            return doc
        found = filter_spans(found)
        taken = {i for span in found for i in range(span.start, span.end)}
        kept = [e for e in doc.ents if not any(i in taken for i in range(e.start, e.end))]
        doc.ents = filter_spans(kept + found)
        return doc


def _paired_with_a_person(ent: Span) -> Span:
    """"Paris and Kim are ...": a one-word city name that shares its verb with a person, as a coordinated
    subject, is a person's name (a country stays: "Russia and Assad" is a state acting)."""
    root = ent.root
    if ent.label_ != "GPE" or len(ent) != 1 or ent.text in lexicon.countries() or ent.text in lexicon.admin_areas():
        return ent
    first = root.head if root.dep_ == "conj" else root
    if first.dep_ not in {"nsubj", "nsubjpass"}:
        return ent
    pair = [first, *(c for c in first.children if c.dep_ == "conj")]
    if any(t.ent_type_ == "PERSON" and t.ent_iob_ == "B" and t is not root for t in pair):
        return Span(ent.doc, ent.start, ent.end, label="PERSON")
    return ent


def _city_named_after(ent: Span) -> Span:
    """"Sadr City", "Ho Chi Minh City": a person's name followed by a capitalised "City" names a place."""
    doc = ent.doc
    if ent.label_ in {"Person", "PERSON"} and ent.end < len(doc) and doc[ent.end].text == "City" \
            and not doc[ent.end].ent_type_:
        # its own name as id: the ruler's id names the person (an id left empty keeps the tokens' old one)
        return Span(doc, ent.start, ent.end + 1, label="Settlement", span_id=f"{ent.text} City")
    return ent


def _with_direction(ent: Span) -> Span:
    """"northern Syria", "north-eastern Aleppo": a part of a place named by its direction is a region."""
    doc = ent.doc
    # countries and governorates ("northern Aleppo": the governorate's north), whoever labelled them
    regional = ent.label_ in {"Country", "AdministrativeArea"} or (ent.label_ in {"GPE", "Settlement"} and (
        ent.text in lexicon.countries() or ent.text in lexicon.admin_areas()))
    if not regional or ent.start == 0 or doc[ent.start - 1].lower_ not in _COMPASS:
        return ent
    start = ent.start - 1
    if start >= 2 and doc[start - 1].text == "-" and doc[start - 2].lower_ in {"north", "south"}:
        start -= 2
    if any(doc[i].ent_type_ for i in range(start, ent.start)):
        return ent
    return Span(doc, start, ent.end, label="Area", span_id=doc[start : ent.end].text)


def _headline_phrase(ent: Span) -> bool:
    """"Investigate Deadly New Attacks": a title-case phrase NER took for a name that ends in a word of
    violence is a phrase of the headline, not an organisation or a person."""
    last = ent[-1]
    if ent.label_ not in {"ORG", "PERSON"} or ent.text in lexicon.known_names():
        return False
    # "Car Bomb Kills Six", "Airstrike hits X": a headline's opening words of violence, capitalised
    opening = ent.start == ent.sent.start and all(map(_violence_word, ent))
    return opening or (len(ent) > 1 and last.tag_ in {"NNS", "NNPS"} and _violence_word(last))


def _violence_word(token: Token) -> bool:
    """A trigger of violence or a word that names its means ("car", "suicide"), in any inflection."""
    lower = token.lower_
    words = (trigger_word(token), lower, lower.removesuffix("s"))
    return lower in lexicon.EVENT_MODIFIERS or lower.removesuffix("s") in lexicon.EVENT_MODIFIERS or any(
        lexicon.EVENT_TRIGGERS.get(w, "Meeting") != "Meeting" for w in words)


def _cut_run_on(ent: Span) -> Span:
    """NER's names in title-case headlines run on past the place word: "Al-Hamidiyah City Cause More
    Casualties" is the town Al-Hamidiyah."""
    if ent.label_ not in _NER_PLACES | _WEAK_LABELS:
        return ent
    # a weak guess may end in the place word ("Al-Raqqah City" as a person); NER's "Kuwait City" stays whole
    inner = ent[1:] if ent.label_ in _WEAK_LABELS else ent[1:-1]
    cut = next((t.i for t in inner if t.lower_ in {"city", "town", "village"}), None)
    if cut is None:
        return ent
    name = ent.doc[ent.start : cut].text
    return Span(ent.doc, ent.start, cut, label="Settlement", span_id=lexicon.admin_areas().get(name, name))


def _is_name_word(token: Token) -> bool:
    """A capitalised word ("Ma’arasta" with its apostrophe too) or an article particle of a name."""
    bare = token.text.replace("’", "").replace("'", "")
    if token.is_stop and token.lower_ not in _ARTICLE_PARTS:
        return False  # "Explosions In Al-Hamidiyah": a title-case headline's preposition ends the name
    return (token.text[:1].isupper() and bare.isalpha() and bare[1:].islower()) or (
        token.lower_ in _ARTICLE_PARTS and not token.is_space)


def _name_end(doc: Doc, start: int) -> int:
    """The end of a name run from ``start``: capitalised words joined by article particles and hyphens."""
    end = start
    while end < len(doc) and _is_name_word(doc[end]) and not (end > start and doc[end].is_sent_start) and not (
            end > start and doc[end].lower_ in _NAME_ENDERS):
        end += 1
    while end > start and doc[end - 1].lower_ in _ARTICLE_PARTS:
        end -= 1
    return end


def _ents_over(doc: Doc, start: int, end: int) -> Iterator[tuple[int, int, str]]:
    """(start, end, label) of each entity that overlaps tokens ``start:end``.

    Read from the tokens' IOB tags, not ``doc.ents``: that builds every entity of the article on each call,
    which made a long article's cost grow with its square.
    """
    i = start
    while i > 0 and doc[i].ent_iob_ == "I":
        i -= 1
    while i < end:
        if doc[i].ent_iob_ != "B":
            i += 1
            continue
        j = i + 1
        while j < len(doc) and doc[j].ent_iob_ == "I":
            j += 1
        yield i, j, doc[i].ent_type_
        i = j


def _free(doc: Doc, start: int, end: int) -> bool:
    """True when nothing but weak NER guesses, or a NER place that the span extends, covers the tokens
    (a ruler's class always wins)."""
    for ent_start, ent_end, label in _ents_over(doc, start, end):
        if label in _WEAK_LABELS:
            continue
        if label not in _EXTENDABLE or not (start <= ent_start and ent_end <= end and ent_end - ent_start < end - start):
            return False
    return True


def _generic_name(doc: Doc, token: Token) -> Span | None:
    """"Khan Shaykhun", "Jabal al-Akrad": a generic followed by a name."""
    if token.text not in _GENERIC_WORDS or token.i + 1 >= len(doc):
        return None
    if token.i > 0 and doc[token.i - 1].is_title and doc[token.i - 1].ent_type_ == "PERSON":
        return None  # "Imran Khan", "Sadiq Khan": part of a person's name
    end = _name_end(doc, token.i + 1)
    if end == token.i + 1 or not _free(doc, token.i, end) or _is_actor(doc[token.i : end]):
        return None
    label = "NaturalFeature" if token.text in lexicon.NATURAL_GENERICS else "Settlement"
    return Span(doc, token.i, end, label=label)


def _slot_name(doc: Doc, token: Token) -> Span | None:
    """An unrecognised or mistyped proper noun in a place slot, starting at ``token``."""
    if not _is_name_word(token) or token.lower_ in _ARTICLE_PARTS:
        return None
    if token.pos_ != "PROPN" and (token.i == 0 or doc[token.i - 1].is_space or doc[token.i - 1].text in ".!?"):
        return None  # a capitalised common noun opening a sentence is no name
    start = token.i
    if start > 1 and doc[start - 1].text == "-" and doc[start - 2].lower_ in {"al", "el"}:
        start -= 2  # "al-Bab"
    elif start > 0 and doc[start - 1].lower_ in {"al", "el"}:
        start -= 1
    if start > 0 and _is_name_word(doc[start - 1]) and doc[start - 1].lower_ not in _ARTICLE_PARTS:
        return None  # not the first word of the run
    end = _name_end(doc, token.i)
    if end <= token.i or not _free(doc, start, end) or _is_actor(doc[start:end]):
        return None
    label = "NaturalFeature" if token.text in {"Mount", "Mt"} else "Settlement"  # "Mount Sinjar"
    span = Span(doc, start, end, label=label)
    if _named_as_place(span):
        return span  # "in Arshaf village" even when the tagger took "Arshaf" for a common noun
    if token.ent_type_ == "NORP":
        return None  # "slaughtered Sunnis": a people, unless a place word says otherwise
    if token.pos_ == "PROPN" and not _person_like(span) and not _said_of_a_person(span) and (
            _in_place_slot(span.root, 3) or _after_violence(span)):
        return span
    return None


def _is_actor(span: Span) -> bool:
    """Known actors, countries and organisation-like names are never taken for towns."""
    if span.text in lexicon.known_names() or span.text in lexicon.countries() or span.text in lexicon.admin_areas():
        return True
    return any(t.lower_ in lexicon.ORG_HEADS or t.text in lexicon.DEMONYMS for t in span)


def _person_like(span: Span) -> bool:
    """NER's person with a first and a last name ("Ahmed Hassan") may well be one: only a place noun
    next to it ("Khan Tuman village") makes it a place."""
    words = [t for t in span if t.lower_ not in _ARTICLE_PARTS]
    return span.root.ent_type_ == "PERSON" and len(words) >= 2


def _said_of_a_person(span: Span) -> bool:
    """Its syntax names a person (:func:`named_as_person`), or it owns something that is not a part of a
    place ("the raid on Hamdan's house"; "Raqqa's outskirts" stays a place)."""
    root = span.root
    owned = root.head
    return named_as_person(span) or (root.dep_ == "poss" and owned.pos_ == "NOUN"
                                     and owned.lower_ not in PLACE_NOUNS and owned.lower_ not in lexicon.AREA_HEADS)


def _named_as_place(span: Span) -> bool:
    """"Manbij city", "the city of Manbij", "Syria's al-Bab": the words around say it is a place."""
    doc = span.doc
    after = doc[span.end].lower_ if span.end < len(doc) else ""
    if after in PLACE_NOUNS:
        return True
    if any(c.dep_ == "appos" and c.lower_ in PLACE_NOUNS for c in span.root.children):
        return True  # "from Qasimiya, a city in southern Iraq"
    if after == "," and span.end + 1 < len(doc):
        # "Al Mansoura, Raqqa governorate, Syria", "Al Karama, east of Raqqa": a place in a location list
        following = doc[span.end + 1]
        if following.ent_type_ in LOCATION_CLASSES | {"GPE", "LOC"} and span.root.dep_ not in {"nsubj", "dobj"}:
            return True
        if following.lower_ in COMPASS_POINTS and span.end + 2 < len(doc) and doc[span.end + 2].lower_ == "of":
            return True
    before = [t.lower_ for t in doc[max(0, span.start - 3) : span.start]]
    if before and before[-1] == "the":
        before = before[:-1]
    if len(before) >= 2 and before[-1] == "of" and before[-2] in PLACE_NOUNS:
        return True
    if span.end + 2 < len(doc) and doc[span.end].lower_ in {"and", ","} and _is_name_word(doc[span.end + 1]):
        # "Ratlah and Al Aekershi villages": the first of two places named together
        rest = _name_end(doc, span.end + 1)
        if rest < len(doc) and doc[rest].lower_ in {"villages", "towns", "cities", "areas"}:
            return True
    if span.start > 1 and doc[span.start - 1].lower_ in {"'s", "’s"}:
        owner = doc[span.start - 2]
        return owner.ent_type_ in {"GPE", "LOC"} or owner.ent_type_ in LOCATION_CLASSES
    return False


def _in_place_slot(root: Token, depth: int) -> bool:
    """"clashes in X", "airstrikes on X", "raids target X", and the items listed with such an X."""
    head = root.head
    if root.dep_ == "pobj" and head.lower_ in _SLOT_PREPS:
        governor = head.head
        return _violent(governor) or any(_violent(c) for c in governor.children if c.dep_ == "nsubj")
    if root.dep_ == "dobj" and _violent(head):
        return True
    if root.dep_ == "conj" and depth > 0 and head is not root:
        if root.ent_type_ == "PERSON" and head.ent_type_ not in LOCATION_CLASSES:
            # "Paris and Kim are ...": a name NER took for a person is not a place for the company of
            # NER's place guess alone (a place kg knows, "Nubl and al-Zahraa", still makes one)
            return _in_place_slot(head, depth - 1)
        return head.ent_type_ in LOCATION_CLASSES | {"GPE", "LOC"} or _in_place_slot(head, depth - 1)
    return False


def _after_violence(span: Span) -> bool:
    """The same slots read off the surface, for mis-parsed headlines ("Shelling targets X",
    "raids on it and on X"): a targeting word or a locative preposition after a word of violence."""
    doc = span.doc
    start = span.start
    previous = doc[start - 1] if start > 0 else None
    if previous is not None and previous.lower_ == "the" and start > 1:
        previous = doc[start - 2]
    if previous is None:
        return False
    if aims_at(previous):
        return True
    window = doc[max(span.sent.start, previous.i - 6) : previous.i]
    return previous.lower_ in _SLOT_PREPS and any(_violent(t) for t in window)


def _violent(token: Token) -> bool:
    return token.lemma_.lower() in VIOLENCE_WORDS or token.lower_ in VIOLENCE_WORDS
