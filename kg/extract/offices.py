"""Mentions of people by their office: "the Foreign Secretary", "the CJTF-OIR spokesperson".

News refers to an office holder by title once the name is known ("Foreign Secretary Boris Johnson
... the Foreign Secretary said"), or puts the title in apposition ("Col. Jane Roe, the Task Force
spokesperson"). Such a title phrase becomes a mention of the person when the article says who holds
it: in apposition, directly before the name, or with the same title before the name elsewhere in
the article. A title no named person holds in the article is left alone (it names nobody we know).
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

from kg.extract.spans import entity_of, ref_of, text_span
from kg.model import Mention
from kg.nlp.lexicon import OFFICE_TITLES as TITLE_HEADS
from kg.nlp.lexicon import RANKS as _RANKS

# heads that need a capitalised modifier to name one office ("Central Command spokesman", not "a spokesman")
_NEEDS_MODIFIER = frozenset({"spokesman", "spokeswoman", "spokesperson", "commander", "chief", "director",
                             "representative", "coordinator"})
_CONNECTORS = frozenset({"of", "for"})


@dataclass(frozen=True)
class _Title:
    span: Span
    holder: Span | None  # the person the sentence itself names as holding it

    @property
    def key(self) -> str:
        return " ".join(t.lower_ for t in self.span if not t.is_punct)


def role_mentions(doc: Doc) -> list[Mention]:
    """Mentions of named people by their title, resolved within the article."""
    titles = [title for head in doc if (title := _title_at(head)) is not None]
    holders: dict[str, set[Span]] = {}
    for title in titles:
        if title.holder is not None:
            holders.setdefault(title.key, set()).add(title.holder)
    mentions: list[Mention] = []
    for title in titles:
        if title.holder is not None and title.span.end == title.holder.start:
            continue  # "Foreign Secretary Boris Johnson": the name is the mention
        person = title.holder if title.holder is not None else _resolve(title.key, holders)
        if person is not None:
            mentions.append(Mention(text_span(title.span), ref_of(person), source="role"))
    return mentions


def _resolve(key: str, holders: dict[str, set[Span]]) -> Span | None:
    people = {ref_of(p): p for p in holders.get(key, set())}
    if not people:  # "the Foreign Secretary" for "UK Foreign Secretary Boris Johnson", and the reverse
        people = {ref_of(p): p for k, spans in holders.items() if k.endswith(" " + key) or key.endswith(" " + k)
                  for p in spans}
    if len(people) != 1:
        return None
    return next(iter(people.values()))


def _title_at(head: Token) -> _Title | None:
    if head.lower_ not in TITLE_HEADS or _person_at(head) is not None:
        return None
    doc = head.doc
    start = head.i
    while start > head.sent.start and _title_word(doc[start - 1]):
        start -= 1
    if head.is_lower and (start == head.i or head.lower_ not in _NEEDS_MODIFIER):
        return None  # "a spokesman" names no office; "Central Command spokesman" does
    span = doc[start:_extend_right(head)]
    return _Title(span, _holder(span))


def _title_word(token: Token) -> bool:
    if token.text == "-" and not token.whitespace_ and token.i > 0 and not token.doc[token.i - 1].whitespace_:
        return True  # "CJTF-OIR" split in three
    if _person_at(token) is not None or (token.is_punct and token.text not in _RANKS) or (
            token.is_stop and token.text not in _RANKS):
        return False
    return token.text in _RANKS or token.is_title or (token.is_upper and token.is_alpha) or (
        token.text[:1].isupper() and "-" in token.text) or (token.text[:1].isdigit() and token.text[-2:] in {
        "st", "nd", "rd", "th"})


def _extend_right(head: Token) -> int:
    """The end of "Minister of Foreign Affairs of Iraq", "Minister for the Middle East"."""
    doc = head.doc
    end = head.i + 1
    while end + 1 < len(doc) and doc[end].lower_ in _CONNECTORS:
        at = end + 1 + (doc[end + 1].lower_ == "the")
        stop = at
        while stop < len(doc) and _person_at(doc[stop]) is None and (doc[stop].is_title or (doc[stop].is_upper
                                                                        and doc[stop].is_alpha)):
            stop += 1
        if stop == at:
            break
        end = stop
    if end + 1 < len(doc) and doc[end].text == "-" and doc[end + 1].lower_ == "designate":
        end += 2
    return end


def _holder(span: Span) -> Span | None:
    """The person named with the title: right after it, after a comma, or before it with a comma."""
    doc = span.doc
    after = span.end + (span.end < len(doc) and doc[span.end].text == ",")
    while after < len(doc) and doc[after].text in _RANKS:  # "..., HE Dr Ibrahim al-Jaafari"
        after += 1
    if after < len(doc):
        person = _person_at(doc[after])
        if person is not None and person.start == after:
            return person
    before = span.start - (span.start > 0 and doc[span.start - 1].lower_ == "the")
    if before > 1 and doc[before - 1].text == ",":
        person = _person_at(doc[before - 2])
        if person is not None:
            return person
    return None


def _person_at(token: Token) -> Span | None:
    ent = entity_of(token)
    return ent if ent is not None and ent.label_ == "Person" else None
