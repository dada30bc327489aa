"""How many an event killed and wounded, read off the parse and given to the event the count belongs to.

A *casualty word* says that people were killed ("kill", "die", "dead", a death "toll", "claimed the
lives of") or wounded ("wound", "injure", "hurt", "wounded"). Its *victims* are the people it counts:
the object of an active verb ("killed four policemen"), the subject of a passive one or of "die" and
"dead" ("two policemen were killed", "9 dead"), the noun a participle modifies ("11 people killed"),
what is left or shot dead ("leaving 8 soldiers dead", "shot dead three"), the number a toll rises to
("the death toll rose to 31").

The count of the victims is the number on them ("four", "twenty-one", "1,250", "a dozen" = 12,
"two dozen" = 24; number words through ``text2num``), or one for a singular noun with "a"/"an", or none
in a headline ("killing a child", "kills police officer"); a list of victims is summed ("a soldier and
three civilians" = 4). A vague amount ("dozens", "scores", "several", "hundreds") gives no number.
"at least 40", "more than", "over", "upwards of", "in excess of", "no fewer than" give 40 with the
lower-bound flag; "nearly", "about", "some", "up to" give the number without it (an estimate, not a floor).

The words go to an event by the parse: the trigger itself ("Gunmen kill two"), the participle clauses
under the event verb ("attacked X, killing four and wounding 15"), the verb whose subject is the event
noun ("the blast killed 40", "car bomb kills six"), the verb whose prepositional phrase holds it ("were
killed in an airstrike", "the toll from the bombing"), or the verb whose clause it is ("were killed when
a bomb exploded"). A word no event claims (or only the event it is itself: "Two killed, 11 hurt in
grenade attack") goes to the event nearest to it in its sentence, or, in a
sentence without events ("The death toll later rose to 34."), to the last event of the paragraph before
it, where a toll replaces the earlier figure (it is the later count) and other words only fill a gap.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from spacy.tokens import Doc, Token
from text_to_num import text2num

from kg.model import Event

KILLED = frozenset({"kill", "die", "dead", "killed", "slay", "toll", "life"})
INJURED = frozenset({"wound", "injure", "hurt", "wounded", "injured"})
# amounts without a number ("dozens killed"): the event keeps no count
VAGUE = frozenset({"dozens", "scores", "several", "hundreds", "thousands", "many", "numerous", "tens"})
LOWER_BOUNDS = ("at least", "more than", "over", "upwards of", "in excess of", "no fewer than", "no less than",
                "not less than", "a minimum of", "above")
# the clauses under a verb that may report its toll; "dep" and "parataxis" are a headline's run-on
# verbs ("kills one, wounds four")
_CLAUSES = frozenset({"advcl", "conj", "xcomp", "ccomp", "acl", "relcl", "oprd", "dep", "parataxis"})
_NUMBER_DEPS = frozenset({"nsubj", "nsubjpass", "dobj", "npadvmod", "attr", "appos", "dep", "oprd", "nummod"})


@dataclass(frozen=True)
class Count:
    """A count of victims: ``value`` None for a vague amount ("dozens")."""

    value: int | None
    lower_bound: bool = False


def attach(doc: Doc, events: list[Event]) -> list[Event]:
    """``events`` (found in ``doc``) with the killed and injured counts the text gives for each.

    >>> from kg.nlp.load import load_pipeline
    >>> from kg.extract.events import find_events
    >>> doc = load_pipeline()("Gunmen attacked a checkpoint in Tikrit, killing four policemen and wounding 15.")
    >>> [(e.killed, e.injured) for e in find_events(doc, None)]
    [(4, 15)]
    """
    triggers = [_trigger(doc, event) for event in events]
    found: list[dict[str, Count]] = [{} for _ in events]
    claimed: set[int] = set()
    for i, token in enumerate(triggers):
        if token is None:
            continue
        for word in _words_of(token):
            if word is not token:
                claimed.add(word.i)
            _add(found[i], word)
    # a word no event claims, or only its own ("Two killed, 11 hurt in grenade attack"), counts for another
    for word in (t for t in doc if t.i not in claimed and (kind := casualty_kind(t)) is not None):
        others = [t if t is not word and kind not in found[i] else None for i, t in enumerate(triggers)]
        nearest = _nearest(word, others)
        if nearest is not None:
            _add(found[nearest], word)
        elif _nearest(word, triggers) is None and (before := _before(word, triggers)) is not None:
            _add(found[before], word, update=word.lemma_ == "toll")
    return [_with(event, counts) for event, counts in zip(events, found, strict=True)]


def _trigger(doc: Doc, event: Event) -> Token | None:
    span = doc.char_span(event.trigger.start, event.trigger.end)
    return span.root if span is not None else None


def _with(event: Event, counts: dict[str, Count]) -> Event:
    killed, injured = counts.get("killed", Count(None)), counts.get("injured", Count(None))
    return replace(event, killed=killed.value, killed_lower_bound=killed.lower_bound and killed.value is not None,
                   injured=injured.value, injured_lower_bound=injured.lower_bound and injured.value is not None)


def _add(counts: dict[str, Count], word: Token, *, update: bool = False) -> None:
    kind = casualty_kind(word)
    count = victims_count(word)
    if kind is None or count is None:
        return
    if update or counts.get(kind, Count(None)).value is None:
        counts[kind] = count


def casualty_kind(token: Token) -> str | None:
    """"killed" or "injured" for a casualty word, else None."""
    lemma, lower = token.lemma_.lower(), token.lower_
    if token.pos_ not in {"VERB", "ADJ", "NOUN", "PROPN"}:
        return None
    if lemma == "toll":
        return "killed" if not any(c.lower_ in {"injury", "injured"} for c in token.children) else "injured"
    if lemma == "life":
        return "killed" if token.head.lemma_ == "claim" and token.dep_ == "dobj" else None
    if lemma in KILLED or lower in KILLED:
        return "killed"
    if lemma in INJURED or lower in INJURED:
        return "injured"
    return None


def _words_of(trigger: Token) -> list[Token]:
    """The casualty words that belong to the event of ``trigger``."""
    heads = [trigger]
    if trigger.dep_ in {"nsubj", "nsubjpass", "csubj", "advcl"} or (
            trigger.dep_ == "compound" and casualty_kind(trigger.head) is not None):
        # "the blast killed", "were killed when a bomb exploded", "drone attack wounds 2" (a verb as a noun)
        heads.append(trigger.head)
    elif trigger.dep_ in {"pobj", "pcomp"} and trigger.head.dep_ in {"prep", "agent"}:
        heads.append(trigger.head.head)  # "killed in an airstrike", "the toll from the bombing"
    if len(heads) > 1 and heads[-1].dep_ == "conj":
        heads.append(heads[-1].head)  # "killed 3 and injured 10 in an attack"
    words: list[Token] = []
    for head in heads:
        for token in (head, *head.children):
            if token is not head and token.dep_ not in _CLAUSES:
                continue
            for word in (token, *(c for c in token.children if c.dep_ == "conj")):
                if casualty_kind(word) is not None and word not in words:
                    words.append(word)
    return words


def _nearest(word: Token, triggers: list[Token | None]) -> int | None:
    """The index of the trigger nearest to ``word`` in its sentence."""
    same = [(abs(t.i - word.i), i) for i, t in enumerate(triggers) if t is not None and t.sent == word.sent]
    return min(same)[1] if same else None


def _before(word: Token, triggers: list[Token | None]) -> int | None:
    """The index of the last trigger before ``word``'s sentence in the same paragraph."""
    start = word.sent.start
    before = [(t.i, i) for i, t in enumerate(triggers) if t is not None and t.i < start]
    if not before:
        return None
    last = max(before)
    between = word.doc[last[0] : start]
    return None if any("\n" in t.text for t in between) else last[1]


def victims_count(word: Token) -> Count | None:
    """The count of the people a casualty word counts, or None when it gives none."""
    victims = _victims(word)
    for victim in victims:
        count = _count_of(victim)
        if count is not None:
            return count
    # "killing a child", and headlines drop the article: "kills police officer"
    first = next((v for v in victims if v.dep_ in {"dobj", "nsubjpass"} and _one(v)), None)
    return None if first is None else _count_of(first, singular=True)


def _determiners(token: Token) -> list[str]:
    return [c.lower_ for c in token.children if c.dep_ in {"det", "poss"}]


def _victims(word: Token) -> list[Token]:
    children = list(word.children)
    if word.lemma_ == "toll":
        # "the death toll rose to 31", "a toll of 31"
        found = [c for c in children if c.dep_ == "prep" and c.lower_ == "of"]
        if word.dep_ == "nsubj":
            found += [c for c in word.head.children if c.dep_ == "prep" and c.lower_ in {"to", "at"}]
        return [p for prep in found for p in prep.children if p.dep_ == "pobj"]
    if word.lemma_ == "life":
        return [p for prep in children if prep.lower_ == "of" for p in prep.children if p.dep_ == "pobj"]
    passive = any(c.dep_ in {"nsubjpass", "auxpass"} for c in children) or (word.tag_ == "VBN" and not any(
        c.dep_ in {"dobj", "aux"} for c in children))
    found = [c for c in children if c.dep_ in {"nsubjpass", "dobj"}]
    if passive or word.pos_ != "VERB" or word.lemma_ == "die":
        # the nearest subject first: a mis-parsed headline gives "hurt" both ("Two killed, 11 hurt")
        found += sorted((c for c in children if c.dep_ == "nsubj"), key=lambda c: abs(c.i - word.i))
    if word.dep_ in {"acl", "amod"} and word.head.i < word.i:
        found.append(word.head)  # "11 people killed", "9 dead"
    if word.dep_ in {"oprd", "acomp"} or (word.dep_ in {"ccomp", "xcomp", "advcl", "conj"}
                                          and word.head.lemma_ == "leave"):
        found += [c for c in word.head.children if c.dep_ == "dobj"]  # "leaving 8 soldiers dead", "shot dead 3"
    found += [c for c in children if c.dep_ in _NUMBER_DEPS and _number_like(c) and c not in found]
    return found


def _number_like(token: Token) -> bool:
    return token.like_num or token.lower_ in VAGUE or token.lower_ in {"dozen", "hundred", "thousand"}


def _count_of(victim: Token, *, singular: bool = False) -> Count | None:
    """The count a victim phrase gives: its number, a vague amount (one for a singular noun if
    ``singular``); the sum over a list of victims each counted ("a policeman and two civilians")."""
    count = _own_count(victim) or (Count(1) if singular and _one(victim) else None)
    parts = [c for c in victim.children if c.dep_ == "conj"]
    if count is None or count.value is None or not parts or any(t.pos_ == "NUM" for t in (victim, *parts)):
        return count  # "killed 3 and 10 were wounded": bare numbers joined are two counts, not one list
    counts = [_own_count(p) or (Count(1) if _one(p) else None) for p in parts]
    if any(c is None or c.value is None for c in counts):
        return count
    return Count(count.value + sum(c.value for c in counts if c is not None and c.value is not None),
                 count.lower_bound)


def _one(victim: Token) -> bool:
    """"a child", "policeman" in a headline: one person."""
    return victim.tag_ == "NN" and _determiners(victim) in ([], ["a"], ["an"])


def _own_count(victim: Token) -> Count | None:
    if _number_like(victim):
        return _number(victim)
    for child in victim.children:
        if child.dep_ in {"nummod", "quantmod", "amod"} and _number_like(child):
            return _number(child)
    if set(_determiners(victim)) & {"some", "many", "several"}:
        return Count(None)
    return None


def _number(token: Token) -> Count:
    """The value of the number ``token`` stands in ("twenty-one", "1,250", "a dozen") and its bound."""
    doc = token.doc
    start, end = token.i, token.i + 1
    while _joins(doc, start - 1):
        start -= 1
    while _joins(doc, end):
        end += 1
    words = [t.lower_ for t in doc[start:end] if t.text not in {"-", "and"}]
    before = " ".join(t.lower_ for t in doc[max(token.sent.start, start - 3) : start])
    bound = any(before == b or before.endswith(" " + b) for b in LOWER_BOUNDS)
    if words[-1] in VAGUE:
        return Count(None)
    return Count(_value(words, before), bound)


def _joins(doc: Doc, i: int) -> bool:
    """Whether ``doc[i]`` is part of a run of number words: one itself, or the "-" of "twenty-one" or
    the "and" of "one hundred and twenty" (not the "and" of "killed 3 and 10 wounded")."""
    def number(j: int) -> bool:
        return 0 <= j < len(doc) and _number_like(doc[j]) and doc[j].lower_ not in VAGUE

    if number(i):
        return True
    if not (0 < i < len(doc) - 1 and number(i - 1) and number(i + 1)):
        return False
    return doc[i].text == "-" or (doc[i].lower_ == "and" and doc[i - 1].lower_ in {"hundred", "thousand"})


def _value(words: list[str], before: str) -> int | None:
    """The integer ``words`` spell ("twenty one", "1,250", "two dozen"), None if they spell none."""
    dozens = words[-1] == "dozen"
    if dozens:
        words = words[:-1]
        if not words:
            return 12 if before.split()[-1:] in (["a"], ["one"]) else None
    text = " ".join(words).replace(",", "")
    try:
        value = int(text) if text.isdigit() else int(text2num(text, "en"))
    except ValueError:
        return None
    return value * 12 if dozens else value
