"""Names resolved within one article: acronyms ("Popular Mobilization Forces (PMF)"), surnames ("Kallas"
after "Kaja Kallas"), head nouns, and one sense per article for a name used as a place."""

from __future__ import annotations

from collections.abc import Sequence

from spacy.attrs import ORTH
from spacy.strings import get_string_id
from spacy.tokens import Doc, Span

from kg.model import ORGANIZATION_CLASSES
from kg.nlp import lexicon


def join_split_names(ents: Sequence[Span]) -> list[Span]:
    """"Ibrahim al- Jaafari": a stray space after the article particle splits an Arabic name, and its
    second half alone is then taken for a place. The words on both sides of such an "al-"/"el-" are one
    person's name when the syntax says a person: NER took a side for one, the name stands in apposition
    to a role ("the Foreign Minister, Ibrahim al- Jaafari") or follows a title."""
    if not ents:
        return []
    doc = ents[0].doc
    joined: list[Span] = []
    for token in doc:
        if token.lower_ not in {"al-", "el-"} or not token.whitespace_ or not 0 < token.i < len(doc) - 1:
            continue
        first, last = doc[token.i - 1], doc[token.i + 1]
        if not (first.is_title and last.is_title and first.pos_ == last.pos_ == "PROPN"):
            continue
        said = {first.ent_type_, last.ent_type_} & {"PERSON", "Person"} or any(
            t.dep_ == "appos" and (t.head.lemma_.lower() in lexicon.ROLE_PREDICATES
                                   or t.head.lower_ in lexicon.OFFICE_TITLES) for t in (first, last, token)) or (
            first.i > 0 and (doc[first.i - 1].lower_ in lexicon.TITLES or doc[first.i - 1].text in lexicon.RANKS))
        if said:
            start = min([first.i, *(e.start for e in ents if e.start <= first.i < e.end)])
            end = max([last.i + 1, *(e.end for e in ents if e.start <= last.i < e.end)])
            name = f"{doc[start : token.i + 1].text}{doc[token.i + 1 : end].text}"  # as written, unsplit
            joined.append(Span(doc, start, end, label="Person", span_id=name))
    if not joined:
        return list(ents)
    taken = {i for span in joined for i in range(span.start, span.end)}
    return sorted([e for e in ents if not any(i in taken for i in range(e.start, e.end))] + joined,
                  key=lambda span: span.start)


def people_by_syntax(ents: Sequence[Span]) -> list[Span]:
    """"Obeidi, the defence minister, ...", "Khazali warned that his fighters ...", "Hamdani, who ...":
    a one-word name NER took for an organisation or a place is a person when a role noun stands in
    apposition to it, a relative "who" follows it, or it is the subject of a speech verb and a personal
    pronoun in its sentence refers back (an organisation's is "its"). Names kg knows keep their class."""
    return [Span(e.doc, e.start, e.end, label="PERSON", span_id=e.id_) if _person_by_syntax(e) else e
            for e in ents]


_PERSONAL = frozenset({"he", "his", "him", "himself", "she", "her", "herself"})


def _person_by_syntax(span: Span) -> bool:
    if span.label_ not in {"ORG", "GPE", "NORP"} or len(span) != 1 or not span.text.istitle() \
            or span.text in lexicon.known_names() or span.text in lexicon.countries() \
            or span.text in lexicon.admin_areas():
        return False
    root = span.root
    if root.dep_ in {"nsubj", "nsubjpass"} and root.head.lemma_.lower() in lexicon.REPORTING_VERBS:
        return any(t.lower_ in _PERSONAL for t in span.doc[span.end : span.sent.end])
    return named_as_person(span)


def add_acronyms(doc: Doc, spans: list[Span]) -> list[Span]:
    """``Popular Mobilization Forces (PMF)``: the acronym becomes a mention of the long name."""
    by_start = {s.start: s for s in spans}
    extra: list[Span] = []
    for span in spans:
        end = span.end
        if end + 2 < len(doc) and doc[end].text == "(" and doc[end + 2].text == ")":
            inner = doc[end + 1]
            if is_acronym_of(inner.text, span.id_ or span.text) and inner.i not in by_start:
                extra.append(Span(doc, inner.i, inner.i + 1, label=span.label_, span_id=span.id_))
    return spans + extra


def is_acronym_of(short: str, name: str) -> bool:
    """"PMF" for "Popular Mobilization Forces", "HTS" for "Hayat Tahrir al-Sham" — but not "Reuters"
    in "LONDON (Reuters)": all capitals, and its letters start the name's words in order."""
    if not (short.isupper() and 2 <= len(short) <= 8 and short.isalpha()):
        return False
    initials = [w[0].upper() for w in name.replace("-", " ").split() if w]
    position = 0
    for letter in short:
        while position < len(initials) and initials[position] != letter:
            position += 1
        if position == len(initials):
            return False
        position += 1
    return bool(initials) and initials[0] == short[0]


def one_sense(spans: list[Span]) -> list[Span]:
    """A name the article uses as a place somewhere is that place everywhere ("the assault of Husaybah"
    after "fighting in Husaybah"), unless it is a known actor or its own sentence says a person."""
    surnames = {_surname(s.id_ or s.text) for s in spans if s.label_ == "Person" and " " in (s.id_ or s.text)}
    places = {s.id_ or s.text for s in spans if s.label_ == "Settlement"} - surnames
    return [Span(s.doc, s.start, s.end, label="Settlement", span_id=s.id_)
            if s.label_ in {"Person", "Organization"} and (s.id_ or s.text) == s.text and s.text in places
            and s.text not in lexicon.known_names() and not (s.label_ == "Person" and named_as_person(s))
            else s for s in spans]


def teams_by_agreement(spans: list[Span]) -> list[Span]:
    """"Tonga have been the surprise of the tournament", "Samoa were beaten 20-3": a country named in the
    singular that takes a plural verb alone is a team (or a squad), not the state, and is typed an
    organisation so that the country's link stays off it. "Iraq and Syria have" agree with the pair and
    "the Philippines are" is a plural name; towns are left alone, as misparsed wire copy ("raids target
    the outskirts al-Dumayr cause casualties") would make teams of them."""
    return [Span(s.doc, s.start, s.end, label="Organization", span_id=s.id_)
            if s.label_ == "Country" and _plural_verb_alone(s) else s for s in spans]


def _plural_verb_alone(span: Span) -> bool:
    root = span.root
    if root.dep_ not in {"nsubj", "nsubjpass"} or span.text.endswith("s") or any(
            c.dep_ in {"conj", "cc"} for c in root.children):
        return False
    verb = root.head
    finite = [c for c in verb.children if c.dep_ in {"aux", "auxpass"}][:1] or [verb]
    return finite[0].tag_ == "VBP" or finite[0].lower_ == "were"


def named_as_person(span: Span) -> bool:
    """The syntax around a name says a person: a role noun in apposition ("Hamdan, the militia's
    commander", "the commander, Hamdan"), a relative "who" ("Hamdan, who ...") or the subject of a
    speech verb ("Hamdan said")."""
    root = span.root
    nouns = [c for c in root.children if c.dep_ == "appos"] + ([root.head] if root.dep_ == "appos" else [])
    if any(n.lemma_.lower() in lexicon.ROLE_PREDICATES or n.lower_ in lexicon.OFFICE_TITLES for n in nouns):
        return True
    if any(c.dep_ == "relcl" and any(w.lower_ == "who" for w in c.children) for c in root.children):
        return True
    return root.dep_ in {"nsubj", "nsubjpass"} and root.head.lemma_.lower() in lexicon.REPORTING_VERBS


def add_surnames(doc: Doc, spans: list[Span]) -> list[Span]:
    """Mentions NER missed of people named in full elsewhere: "Hamdani said" after "Jalal Hamdani"."""
    surnames = {_surname(s.id_ or s.text): s.id_ or s.text for s in spans
                if s.label_ == "Person" and len((s.id_ or s.text).split()) > 1}
    taken = {i for s in spans for i in range(s.start, s.end)}
    # the surnames' word ids against the Doc's array of them: a Token object only for the words that match
    ids = {get_string_id(surname) for surname in surnames}
    extra = [Span(doc, i, i + 1, label="Person", span_id=surnames[doc[i].text])
             for i, orth in enumerate(doc.to_array(ORTH).tolist())
             if orth in ids and i not in taken and doc[i].pos_ == "PROPN"]
    return sorted(spans + extra, key=lambda s: s.start)


def _surname(name: str) -> str:
    last = name.rsplit(maxsplit=1)[-1]
    for prefix in ("al-", "Al-", "el-", "El-"):
        if last.startswith(prefix):
            return last[len(prefix):]
    return last


def resolve_in_article(spans: list[Span]) -> list[Span]:
    """Map acronyms, surnames and head nouns to the full name used elsewhere in the article."""
    aliases: dict[str, tuple[str, str]] = {}
    for span in spans:
        canonical = span.id_ or span.text
        end = span.end
        doc = span.doc
        if end + 2 < len(doc) and doc[end].text == "(" and doc[end + 2].text == ")" and is_acronym_of(
                doc[end + 1].text, canonical):
            aliases[doc[end + 1].text] = (span.label_, canonical)
    # full names by surname: looking each one-word mention up among all of them cost long articles their square
    full_names: dict[str, set[tuple[str, str]]] = {}
    for s in spans:
        name = s.id_ or s.text
        if len(name.split()) > 1:
            full_names.setdefault(_surname(name), set()).add((s.label_, name))
    out: list[Span] = []
    for span in spans:
        label, canonical = span.label_, span.id_ or span.text
        if span.text in aliases:
            label, canonical = aliases[span.text]
        elif len(span) == 1 and canonical == span.text:
            matches = sorted({(lbl, name) for lbl, name in full_names.get(_surname(span.text), ())
                              if name != span.text
                              and (lbl == label or {lbl, label} <= ORGANIZATION_CLASSES | {"Person"})})
            if len(matches) == 1:
                label, canonical = matches[0]
        out.append(Span(span.doc, span.start, span.end, label=label, span_id=canonical))
    return out
