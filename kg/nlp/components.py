"""spaCy components that adapt a general English pipeline to conflict and policy news.

- ``kg_paragraphs`` (before the parser): a blank line always starts a new sentence.
- ``kg_gazetteer`` (an ``entity_ruler`` before ``ner``): known actors and places of the domain and
  patterns for military units, facilities and natural features, labelled with ontology class names.
- ``kg_entities`` (after ``ner``): gives every entity an ontology class (as its label) and a canonical
  name (as its ``ent_id_``), fixes typical mistakes of the statistical model, and resolves acronyms
  ("Popular Mobilization Forces (PMF)"), short names ("Kallas") and head nouns ("the Alliance")
  to the full name used earlier in the article.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from kg.model import ENTITY_CLASSES, ORGANIZATION_CLASSES
from kg.nlp import lexicon
from kg.nlp.group_patterns import group_name, group_patterns
from kg.nlp.name_resolution import (
    add_acronyms,
    add_surnames,
    join_split_names,
    one_sense,
    people_by_syntax,
    resolve_in_article,
    teams_by_agreement,
)
from kg.nlp.words import COMPASS_POINTS, LOCATIVE_PREPS, ORDINAL_WORDS, UNIT_WORDS

_TITLE_WORD = {"TEXT": {"REGEX": r"^[A-Z][\w'’]*$"}, "LOWER": {"NOT_IN": ["the", "a", "an", "in", "on", "of", "and", "between", "to",
                                                     "from", "at", "for", "as", "by"]}}
_NAME_PART = {"TEXT": {"REGEX": r"^(?:[A-Z][\w'’]*|-|al|el|ad|ez|as)$"}}
_ORG_NAME_WORDS = frozenset({"Department", "Ministry", "Embassy", "Government", "Senate", "Congress", "Treasury",
                             "Navy", "Army", "Parliament", "Council", "Agency", "Bureau", "Central", "National",
                             "Federal", "Supreme", "Air", "Coast", "Marine", "Marines", "Republican", "Democratic"})
REGIME = "Syrian government forces"
_UNIT_WORDS = sorted(UNIT_WORDS)  # lists: the matcher's IN takes one
_ORDINALS = sorted(ORDINAL_WORDS)


def gazetteer_patterns() -> list[dict[str, Any]]:
    """Entity-ruler patterns for the domain, labelled with ontology class names."""
    patterns: list[dict[str, Any]] = []
    for name, (canonical, cls) in sorted(lexicon.known_names().items()):
        patterns.append({"label": cls, "pattern": name, "id": canonical})
    patterns += group_patterns()
    demonyms = sorted(lexicon.DEMONYMS)
    forces = ["army", "police", "forces", "troops", "military"]
    patterns += [
        {"label": "SecurityForce", "pattern": [{"TEXT": {"IN": demonyms}}, {"LOWER": {"IN": forces}}]},
        {"label": "SecurityForce", "pattern": [{"TEXT": {"IN": demonyms}}, {"LOWER": "security"},
                                               {"LOWER": "forces"}]},
        {"label": "SecurityForce", "pattern": [{"LOWER": {"IN": _ORDINALS}}, {"LOWER": {"IN": _UNIT_WORDS}}]},
        {"label": "SecurityForce", "pattern": [{"TEXT": {"REGEX": r"^\d+(st|nd|rd|th)$"}},
                                               {"LOWER": {"IN": _UNIT_WORDS}}]},
        {"label": "SecurityForce", "pattern": [{"LOWER": {"IN": _UNIT_WORDS}}, {"LIKE_NUM": True}]},
        {"label": "SecurityForce", "pattern": [_TITLE_WORD, {**_NAME_PART, "OP": "*"},
                                               {"LOWER": {"IN": _UNIT_WORDS}}, {"LIKE_NUM": True, "OP": "?"}]},
        {"label": "Facility", "pattern": [{"TEXT": {"IN": [*demonyms, "UK", "EU"]}}, {"LOWER": "embassy"}]},
        {"label": "Facility", "pattern": [{"TEXT": {"REGEX": r"^[A-Z][\w-]*$"}}, {"LOWER": {"IN": ["military", "air"]}},
                                          {"LOWER": {"IN": ["base", "airbase", "airport"]}}]},
        {"label": "Facility", "pattern": [_TITLE_WORD, {**_NAME_PART, "OP": "*"},
                                          {"LOWER": {"IN": sorted(lexicon.FACILITY_HEADS)}, "IS_TITLE": True}]},
        {"label": "NaturalFeature", "pattern": [_TITLE_WORD, {**_NAME_PART, "OP": "*"},
                                                {"LOWER": {"IN": sorted(lexicon.NATURAL_HEADS)}},
                                                {"LOWER": "range", "OP": "?"}]},
        {"label": "InternationalOrganization", "id": "US-led coalition",
         "pattern": [{"LOWER": {"IN": ["us", "u.s.", "american"]}}, {"ORTH": "-", "OP": "?"}, {"LOWER": "led"},
                     {"LOWER": "international", "OP": "?"}, {"LOWER": "coalition"}]},
        {"label": "InternationalOrganization", "id": "US-led coalition",
         "pattern": [{"LOWER": "international"}, {"LOWER": "coalition"}]},
        # in Syria reporting "the regime" is the Assad government and its forces (UCDP: Government of Syria)
        {"label": "SecurityForce", "id": REGIME,  # "the Assad regime", "the Syrian regime"
         "pattern": [{"TEXT": {"IN": ["Assad", "Asad", "al-Assad", "Syrian"]}}, {"LOWER": "regime"}]},
        {"label": "SecurityForce", "id": REGIME,
         "pattern": [{"LOWER": {"IN": ["regime", "pro-regime", "regime's", "regime’s"]}},
                     {"LOWER": {"IN": ["forces", "troops", "army", "militias", "helicopters", "warplanes",
                                       "aircraft", "jets", "artillery"]}, "OP": "?"}]},
        {"label": "InternationalOrganization", "id": "US-led coalition",
         "pattern": [{"LOWER": "coalition"}, {"LOWER": "forces"}]},
        # military reporting writes the anti-ISIS coalition with a capital: "Coalition military forces"
        {"label": "InternationalOrganization", "id": "US-led coalition",
         "pattern": [{"TEXT": "Coalition"}, {"LOWER": {"IN": ["military", "air"]}, "OP": "?"},
                     {"LOWER": {"IN": ["forces", "nations", "partners"]}, "OP": "?"}]},
    ]
    return patterns


def place_patterns() -> list[dict[str, Any]]:
    """Patterns for countries, governorates and provinces, applied after NER where it found nothing.

    After NER, not before, so that names such as "Unity of Iraq Alliance" or "Commercial Bank of
    Syria" stay whole.
    """
    patterns: list[dict[str, Any]] = []
    for name, canonical in sorted(lexicon.countries().items()):
        patterns.append({"label": "Country", "pattern": name, "id": canonical})
    for name, canonical in sorted(lexicon.admin_areas().items()):
        cls = "Settlement" if canonical in lexicon.CAPITAL_NAMED else "AdministrativeArea"
        patterns.append({"label": cls, "pattern": name, "id": canonical})
    # strike reports list places as "Near Rawah, one strike destroyed ..." ("Near" is trimmed later)
    patterns.append({"label": "Settlement", "pattern": [{"TEXT": "Near"}, _TITLE_WORD, {**_NAME_PART, "OP": "*"},
                                                        {"ORTH": ","}]})
    return patterns


# what a component that rewrites ``doc.ents`` assigns, as spaCy's entity ruler declares it
ENT_ATTRS = ["doc.ents", "token.ent_type", "token.ent_iob"]
# what the components after NER read; token.pos is derived from token.tag by the attribute ruler, which
# declares nothing, so token.tag stands for it
PARSE_ATTRS = ["doc.ents", "doc.sents", "token.tag", "token.lemma", "token.dep", "token.head"]

ErrorHandler = Callable[[str, Any, list[Doc], Exception], None]


def _raise(name: str, component: Any, docs: list[Doc], error: Exception) -> None:
    raise error


class KgComponent:
    """spaCy's error-handler protocol, so that ``nlp.set_error_handler`` reaches kg's components too."""

    error_handler: ErrorHandler = staticmethod(_raise)

    def get_error_handler(self) -> ErrorHandler:
        """The handler spaCy calls when this component raises on a document."""
        return self.error_handler

    def set_error_handler(self, handler: ErrorHandler) -> None:
        """Replace the error handler (default: raise)."""
        self.error_handler = handler


@Language.factory("kg_paragraphs", assigns=["token.is_sent_start"])
def make_paragraphs(nlp: Language, name: str) -> ParagraphSplitter:
    """A blank line in the text always starts a new sentence."""
    return ParagraphSplitter()


class ParagraphSplitter(KgComponent):
    """Sets ``is_sent_start`` after every blank line, before the parser runs."""

    def __call__(self, doc: Doc) -> Doc:
        for token in doc[1:]:
            previous = doc[token.i - 1]
            if "\n" in previous.whitespace_ + (previous.text if previous.is_space else ""):
                token.is_sent_start = True
        return doc


@Language.factory("kg_entities", assigns=ENT_ATTRS, requires=PARSE_ATTRS)
def make_entities(nlp: Language, name: str) -> EntityTyper:
    """Types entities into ontology classes and resolves names within the article."""
    return EntityTyper()


class EntityTyper(KgComponent):
    """Relabels ``doc.ents``: label = ontology class, ``ent_id_`` = canonical name."""

    def __call__(self, doc: Doc) -> Doc:
        typed: list[Span] = []
        dates: list[Span] = []
        for ent in people_by_syntax(join_split_names(doc.ents)):
            if ent.label_ in {"DATE", "TIME"}:
                dates.append(ent)
                continue
            span = _trim(ent)
            if span is None:
                continue
            cls, canonical = _classify(span, ent.label_, ent.id_ or ent.ent_id_)
            if cls is None:
                continue
            typed.extend(_split_unit(span, cls, canonical))
        typed = add_acronyms(doc, typed)
        typed = one_sense(resolve_in_article(add_surnames(doc, _apply_context(filter_spans(typed)))))
        typed = teams_by_agreement(typed)
        doc.ents = filter_spans(typed + dates)
        return doc


def _trim(ent: Span) -> Span | None:
    start, end = ent.start, ent.end
    doc = ent.doc
    while start < end and (doc[start].lower_ in {"the", "a", "an", "near"} or doc[start].is_punct or doc[start].is_space):
        start += 1
    while end > start and ((doc[end - 1].is_punct and doc[end - 1].text not in {")", "."}) or doc[end - 1].is_space
                           or doc[end - 1].lower_ in {"the", "of", "and", "for", "a", "an"}
                           or doc[end - 1].lower_ in {"'s", "’s"} or "[" in doc[end - 1].text):  # "officer.[3]"
        end -= 1
    if ent.label_ == "PERSON":  # "Spokesperson John Kirby": the name is the person, the title is not
        while end - start > 1 and (doc[start].lower_ in lexicon.TITLES or doc[start].lower_ in lexicon.OFFICE_TITLES
                                   or doc[start].text in lexicon.RANKS) and doc[start + 1].text[:1].isupper():
            start += 1
    opening = next((t.i for t in doc[start:end] if t.text == "("), None)
    if opening is not None and ")" not in doc[opening:end].text:
        end = opening  # "Abboud Qanbar(Arabic"
    if end <= start:
        return None
    return Span(doc, start, end, label=ent.label_, span_id=ent.id_ or ent.ent_id_)


def _classify(span: Span, label: str, given: str) -> tuple[str | None, str]:
    text = span.text
    if text in lexicon.NOT_NAMES or span[0].text in lexicon.SHIP_PREFIXES or _transliteration(span):
        return None, text
    if label not in ENTITY_CLASSES and text in lexicon.POPULATIONS:
        return None, text  # "Yazidi" alone is an adjective, not an actor
    if label not in ENTITY_CLASSES and span[0].text in lexicon.NATURAL_GENERICS and len(span) > 1:
        return "NaturalFeature", text
    if label == "ORG" and span[0].text == "Operation" and len(span) > 1:
        return None, text  # "Operation Inherent Resolve" is a campaign, not an actor
    if label == "ORG" and span[-1].lower_ in lexicon.OFFICE_TITLES:
        return None, text  # "High Representative", "Special Envoy": an office (see roles.py)
    if label in ENTITY_CLASSES:
        known = lexicon.known_names().get(text)
        return label, given or group_name([t.text for t in span], label) or (known[0] if known else text)
    known = lexicon.known_names().get(text)
    if known:
        return known[1], known[0]
    if text in lexicon.admin_areas():
        canonical = lexicon.admin_areas()[text]
        return ("Settlement" if canonical in lexicon.CAPITAL_NAMED else "AdministrativeArea"), canonical
    if text in lexicon.countries():
        return "Country", lexicon.countries()[text]
    head = span[-1].lower_.strip("/-.,;:")
    text = text.rstrip("/-,;: ")
    if label in {"GPE", "LOC"} and head in {"province", "governorate", "district"} and len(span) > 1:
        name = span[:-1].text
        return "AdministrativeArea", lexicon.admin_areas().get(name, name)
    if span[0].lower_ in lexicon.ARMED_GROUP_WORDS and len(span) > 1:
        return "ArmedGroup", text  # "Saraya Hurras al-Rafidain", "Kataib Sayyid al-Shuhada"
    if label in {"PERSON", "GPE"} and head in lexicon.ORG_HEADS and len(span) > 1:
        return lexicon.ORG_HEADS[head], text  # "Ashab al-Raya Brigades"
    if label == "PERSON":
        return "Person", text
    if label == "GPE":
        if _looks_like_person(span):
            return "Person", text
        return "Settlement", text
    if label == "LOC":
        if head in lexicon.NATURAL_HEADS:
            return "NaturalFeature", text
        return "Area", text
    if label == "FAC":
        return "Facility", text
    if label == "ORG":
        if span[0].lower_ in lexicon.OFFICE_TITLES and len(span) > 2 and span[1].lower_ in {"of", "for"}:
            return None, text  # "Minister of Foreign Affairs of Iraq" is an office (see roles.py)
        before = span.doc[span.start - 1] if span.start > 0 else None
        if before is not None and before.lower_ in lexicon.TITLES and 1 < len(span) <= 3 and all(
                t.is_title for t in span):
            return "Person", text  # "UN envoy Helena Varga"
        if head in lexicon.FACILITY_HEADS:
            return "Facility", text
        if head in lexicon.NATURAL_HEADS:
            return "NaturalFeature", text
        if span[0].lower_ in {"al", "hashd"} and head in {"brigade", "brigades"}:
            return "ArmedGroup", text
        return lexicon.ORG_HEADS.get(head, "Organization"), text
    return None, text


def _transliteration(span: Span) -> bool:
    """A name in another script or transliteration: "(Arabic: ...; Kurdish: Çiyayê Hemrîn)"."""
    doc = span.doc
    for i in range(span.start - 1, max(span.sent.start, span.start - 12) - 1, -1):  # backwards, to the first stop
        text = doc[i].text
        if text in {")", "."}:
            return False
        if text == "(" or (text in lexicon.LANGUAGES and doc[i + 1].text == ":"):
            return text != "("
    return False


def _looks_like_person(span: Span) -> bool:
    """A GPE that is really a person: "Hadi Al-Amiri" (a name with an Arabic article particle), or a
    two-word name after a title ("spokesperson Marta Kovac") or speaking ("Marta Kovac said")."""
    words = [t.text for t in span if not t.is_punct]
    if len(words) < 2:
        return False
    if any(w.lower() in {"al", "el", "abu", "bin", "ibn"} for w in words[1:]):
        return True
    doc = span.doc
    before = doc[span.start - 1] if span.start > 0 else None
    if before is not None and (before.lower_ in lexicon.TITLES or before.lower_ in lexicon.ROLE_PREDICATES):
        return True
    return span.root.dep_ == "nsubj" and span.root.head.lemma_ in lexicon.REPORTING_VERBS


def _split_unit(span: Span, cls: str, canonical: str) -> list[Span]:
    """``Fifth Division of the Federal Police`` -> the unit and the force it belongs to."""
    doc = span.doc
    for token in span[1:-1]:
        if token.lower_ == "of" and token.nbor(-1).lower_ in _UNIT_WORDS:
            rest = token.i + 1 + (doc[token.i + 1].lower_ == "the")
            unit = Span(doc, span.start, token.i, label="SecurityForce", span_id=canonical)
            parent_text = doc[rest:span.end].text
            known = lexicon.known_names().get(parent_text)
            parent_cls = known[1] if known else lexicon.ORG_HEADS.get(doc[span.end - 1].lower_, cls)
            parent = Span(doc, rest, span.end, label=parent_cls, span_id=known[0] if known else parent_text)
            return [unit, parent]
    return [Span(doc, span.start, span.end, label=cls, span_id=canonical)]


def _apply_context(spans: list[Span]) -> list[Span]:
    """A capital-named governorate listed with other governorates is the governorate, not the city."""
    out: list[Span] = []
    for span in spans:
        cls = span.label_
        after = span.doc[span.end].lower_ if span.end < len(span.doc) else ""
        if span.id_ == REGIME and span.start > 0 and span.doc[span.start - 1].text in lexicon.DEMONYMS and (
                span.doc[span.start - 1].text != "Syrian"):
            continue  # "the Iranian regime" is not the Syrian government
        if span.start > 1 and span.doc[span.start - 1].text == "-" and span.doc[span.start - 2].lower_ in {
                "anti", "counter"} and span.id_ == "US-led coalition":
            continue  # "anti-coalition forces" are its enemies
        if cls == "Country" and span.end < len(span.doc) and span.doc[span.end].text in _ORG_NAME_WORDS:
            continue  # "U.S. Department of Education", "Syrian Arab Army": part of an organisation's name
        before = [t.lower_ for t in span.doc[max(0, span.start - 3) : span.start]]
        if before[-2:] in (["town", "of"], ["village", "of"], ["city", "of"], ["towns", "of"], ["villages", "of"]):
            cls = "Settlement"
        elif cls in {"Person", "Organization"} and _used_as_place(span) and (
                span.id_ or span.text) not in lexicon.known_names():
            cls = "Settlement"  # "clashes in Palmyra", "from Al-Raqqah", "Eastern Ghouta area"
        elif before[-1:] == ["called"] or before[-2:] in (["calling", "itself"], ["known", "as"]):
            if cls in {"Person", "Facility", "Organization", "Settlement"} and "group" in before:
                cls = "ArmedGroup"
        if cls == "Settlement" and span.id_ in lexicon.ADMIN_AREAS:
            sentence = span.sent
            sentence_areas = [s for s in spans if s.label_ == "AdministrativeArea" and s.sent == sentence]
            if after in {"province", "governorate"} or any(_listed_with(span, s) for s in sentence_areas):
                cls = "AdministrativeArea"
        out.append(Span(span.doc, span.start, span.end, label=cls, span_id=_unit_name(span, spans)))
    return out


# before a name NER took for a person or organisation, these make it a place; not "on": after "sanctions
# on", "talks on" such a name is what they are about
_LOCATIVE = LOCATIVE_PREPS | {"outside", "around", "into", "toward", "towards", "across"}
_PLACE_NOUNS = frozenset({"area", "city", "town", "village", "countryside", "outskirts", "desert", "district",
                          "neighbourhood", "neighborhood", "suburbs", "camp", "vicinity", "province", "governorate"})
_STRIKE_VERBS = frozenset({"bomb", "shell", "strike", "raid", "storm", "besiege", "bombard", "pound", "hit",
                           "flee", "enter", "reach", "liberate", "retake", "recapture", "encircle", "evacuate"})


def _used_as_place(span: Span) -> bool:
    """A name NER took for a person or organisation that the sentence uses as a place."""
    doc = span.doc
    after = doc[span.end].lower_ if span.end < len(doc) else ""
    if after in _PLACE_NOUNS:
        return True
    if span.root.dep_ == "dobj" and span.root.head.lemma_ in _STRIKE_VERBS:
        return True  # "regime forces bomb Talbiseh", "insurgents who fled Karabilah"
    if span.start > 0 and doc[span.start - 1].lower_.endswith("-held"):
        return True  # "insurgent-held Karabilah"
    before = [t.lower_ for t in doc[max(0, span.start - 6) : span.start] if not t.is_space][-3:]
    before = [""] * (3 - len(before)) + before
    prev2, prev = before[1], before[2]
    if prev == "the":
        prev, prev2 = prev2, before[0]
    if prev in _LOCATIVE or (prev == "from" and span.label_ == "Organization"):
        return not doc[span.end : span.end + 1].text.startswith(("’s", "'s"))
    return prev == "of" and prev2 in _PLACE_NOUNS | COMPASS_POINTS


def _unit_name(span: Span, spans: list[Span]) -> str:
    """A numbered unit is named with the force it belongs to: "Fifth Division of the Federal Police"."""
    canonical = span.id_ or span.text
    doc = span.doc
    if span[-1].lower_ not in _UNIT_WORDS and not span[-1].like_num:
        return canonical
    rest = doc[span.end : span.end + 2]
    if len(rest) and rest[0].lower_ == "of":
        start = span.end + 1 + (len(rest) > 1 and rest[1].lower_ == "the")
        parent = next((s for s in spans if s.start == start and s.label_ in ORGANIZATION_CLASSES), None)
        if parent is not None:
            return f"{canonical} of the {parent.id_ or parent.text}"
    return canonical


def _listed_with(a: Span, b: Span) -> bool:
    """True when two spans are close items of one list ("Kirkuk, Saladin and Diyala")."""
    first, second = (a, b) if a.start < b.start else (b, a)
    between = first.doc[first.end:second.start]
    return len(between) <= 3 and all(t.text in {",", "and", "or", "&"} or t.is_space for t in between)
