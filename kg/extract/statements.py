"""Statements: reported speech ("X said/warned/told Y ..."), with speaker, exact quote and date.

A quotation paragraph with no reporting verb of its own is attributed to the speaker of the
statement just before it (with a lower confidence), as news style expects readers to do.
"""

from __future__ import annotations

import datetime as dt
import re

from spacy.tokens import Doc, Span, Token

from kg.extract.spans import (
    ACTOR_CLASSES,
    body,
    char_span,
    entities,
    entities_in,
    entities_under,
    entity_of,
    holder_of,
    nearest_date,
    ref_of,
    text_span,
)
from kg.extract.timex import anchor
from kg.model import EntityRef, Statement, TextSpan
from kg.nlp import lexicon

_QUOTATION = re.compile(r"“([^”\n]{3,}?)”|\"([^\"\n]{3,}?)\"")
_PERSON_PRONOUNS = frozenset({"he", "she"})
_GROUP_PRONOUNS = frozenset({"it", "they", "we"})
_CONTENT_DEPS = ("ccomp", "xcomp", "dobj", "prep")
_REPORTING = lexicon.REPORTING_VERBS | {"claim"}


def quotations(doc: Doc) -> list[TextSpan]:
    """Quoted passages of the body (inside the quotation marks, without trailing commas)."""
    found = []
    whole = body(doc)
    for m in _QUOTATION.finditer(whole):
        group = 1 if m.group(1) is not None else 2
        start, end = m.start(group), m.end(group)
        text = whole[start:end].rstrip(",; ")
        found.append(char_span(doc, start, start + len(text)))
    return found


def find_statements(doc: Doc, dateline: dt.date | None) -> list[Statement]:
    """Every reported statement with a speaker and a quote."""
    quotes = quotations(doc)
    used: set[int] = set()
    statements: list[Statement] = []
    last_person: EntityRef | None = None
    last_group: EntityRef | None = None
    for sent in doc.sents:
        for verb in _reporting_verbs(sent, quotes):
            speaker, resolved = _speaker(verb, last_person, last_group)
            if speaker is None:
                continue
            quote, quoted = _quote(verb, sent, quotes, used)
            if quote is None:
                continue
            statements.append(_statement(verb, speaker, quote, sent, dateline,
                                         0.9 if resolved and quoted else 0.75 if resolved else 0.6))
        for quote_index, quote in enumerate(quotes):
            if quote_index in used or not (sent.start_char <= quote.start < sent.end_char):
                continue
            if not statements or not _opens_paragraph(doc, quote) or statements[-1].speaker is None:
                continue
            used.add(quote_index)
            previous = statements[-1]
            statements.append(Statement(
                verb=previous.verb, quote=quote, evidence=char_span(doc, sent.start_char, sent.end_char),
                confidence=0.55, speaker=previous.speaker,
                about=_about(doc, quote, previous.speaker), time=previous.time))
        for ent in entities_in(sent):
            if ent.label_ == "Person":
                last_person = ref_of(ent)
            elif ent.label_ in ACTOR_CLASSES:
                last_group = ref_of(ent)
    return [s for s in statements if not any(
        o is not s and o.speaker == s.speaker and o.quote.start <= s.quote.start and s.quote.end <= o.quote.end
        and (o.quote.start, o.quote.end) != (s.quote.start, s.quote.end) for o in statements)]


def _reporting_verbs(sent: Span, quotes: list[TextSpan]) -> list[Token]:
    return [t for t in sent if t.pos_ == "VERB" and t.lemma_ in _REPORTING
            and (t.lemma_ != "claim" or any(c.dep_ == "ccomp" for c in t.children))
            and not any(q.start <= t.idx < q.end for q in quotes)
            and not (t.lemma_ == "point" and not any(c.lower_ == "out" for c in t.children))]


def _speaker(verb: Token, last_person: EntityRef | None,
             last_group: EntityRef | None) -> tuple[EntityRef | None, bool]:
    subject = next((c for c in verb.children if c.dep_ == "nsubj"), None)
    if verb.tag_ == "VBG" and verb.dep_ in {"advcl", "conj", "xcomp"}:
        # "He said ..., adding that ...": the speaker of the governing reporting verb
        reporting = next((t for t in verb.ancestors if t.lemma_ in lexicon.REPORTING_VERBS), None)
        if reporting is not None:
            return _speaker(reporting, last_person, last_group)
    if subject is None and verb.dep_ in {"conj", "advcl"}:
        subject = next((c for c in verb.head.children if c.dep_ == "nsubj"), None)
    if subject is None:
        return None, False
    own = entity_of(subject)
    if own is not None and own.label_ in ACTOR_CLASSES:
        return ref_of(own), True
    ents = entities_under(subject, ACTOR_CLASSES)
    people = [e for e in ents if e.label_ == "Person"]
    if people or ents:
        return ref_of((people or ents)[0]), True
    office = holder_of(subject)
    if office is not None:  # "the Foreign Secretary said", when the article names who holds the office
        return office, True
    pronoun = subject.lower_
    if pronoun in _PERSON_PRONOUNS:
        return last_person, False
    if pronoun in _GROUP_PRONOUNS:
        return last_group, False
    return None, False


def _quote(verb: Token, sent: Span, quotes: list[TextSpan], used: set[int]) -> tuple[TextSpan | None, bool]:
    """The quotation reported by ``verb``: a quoted passage of its sentence, else its content clause."""
    candidates = [(i, q) for i, q in enumerate(quotes)
                  if i not in used and q.start < sent.end_char and q.end > sent.start_char - 3]
    long_quotes = [(i, q) for i, q in candidates if len(q.text.split()) >= 4]
    if long_quotes:
        index, quote = max(long_quotes, key=lambda iq: iq[1].end - iq[1].start)
        used.add(index)
        return quote, True
    for dep in _CONTENT_DEPS:
        content = [c for c in verb.children if c.dep_ == dep and (dep != "prep" or c.lower_ in {"about", "that"})]
        if content:
            tokens = [t for c in content for t in c.subtree if not _leading_date(t, c)]
            start = min(t.idx for t in tokens)
            end = max(t.idx + len(t.text) for t in tokens)
            span = char_span(verb.doc, start, end)
            if len(span.text.split()) >= 2:
                for i, q in candidates:
                    if span.start <= q.start and q.end <= span.end + 1:
                        used.add(i)
                return span, False
    if candidates:
        index, quote = candidates[0]
        used.add(index)
        return quote, True
    return None, False


def _leading_date(token: Token, clause: Token) -> bool:
    """A date phrase at the front of a reported clause belongs to the reporting verb ("said on Monday")."""
    for child in clause.children:
        if child.dep_ in {"prep", "npadvmod"} and child.i < clause.i and any(t.ent_type_ == "DATE" for t in
                                                                          child.subtree):
            subject = next((c for c in clause.children if c.dep_ in {"nsubj", "nsubjpass"}), None)
            if subject is None or child.i < subject.i:
                return token.i in {t.i for t in child.subtree}
    return False


def _statement(verb: Token, speaker: EntityRef, quote: TextSpan, sent: Span, dateline: dt.date | None,
               confidence: float) -> Statement:
    doc = verb.doc
    addressee = None
    if verb.lemma_ == "tell":
        told = [e for c in verb.children if c.dep_ in {"dobj", "dative"} for e in entities_under(c, ACTOR_CLASSES)]
        addressee = ref_of(told[0]) if told else None
    dates = [e for e in entities_in(sent) if e.label_ == "DATE" and not (quote.start <= e.start_char < quote.end)]
    date_ent = nearest_date(verb, skip_reporting=False) if dates else None
    if date_ent is not None and quote.start <= date_ent.start_char < quote.end:
        date_ent = min(dates, key=lambda d: abs(d.start - verb.i))
    time = anchor(date_ent.text, dateline) if date_ent is not None else None
    return Statement(
        verb=text_span(verb), quote=quote, evidence=char_span(doc, sent.start_char, sent.end_char),
        confidence=confidence, speaker=speaker, about=_about(doc, quote, speaker, addressee),
        addressee=addressee, time=time)


def _about(doc: Doc, quote: TextSpan, *exclude: EntityRef | None) -> tuple[EntityRef, ...]:
    refs: list[EntityRef] = []
    for ent in entities(doc):
        if ent.label_ == "DATE" or not (quote.start <= ent.start_char and ent.end_char <= quote.end):
            continue
        ref = ref_of(ent)
        if ref not in refs and ref not in exclude:
            refs.append(ref)
    return tuple(refs)


def _opens_paragraph(doc: Doc, quote: TextSpan) -> bool:
    before = body(doc)[max(0, quote.start - 3) : quote.start]
    return quote.start <= 1 or "\n" in before

