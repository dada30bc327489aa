"""Clause patterns that name a bond between two actors by its verb or its apposed noun, read off the
parse so that they hold in any outlet's phrasing: "X heads Y" (leader), "X clashed with Y" (fighting),
"X is allied with Y" and "X, backed by Y" / "Y-backed X" (support), "X, a faction of Y" (membership).
They are registered with the other clause patterns in :mod:`kg.extract.relations.patterns`."""

from __future__ import annotations

from spacy.tokens import Span, Token

from kg.extract.relations.clause_roles import FIGHTERS, GROUPS, MEMBERS, doers_of, named_in, pairs
from kg.extract.spans import entities_under, entity_of
from kg.model import Relation

# verbs whose "with" names the other side of a fight ("clashed with X"), unless the clause also names
# whom they fought against ("fought with X against Y": X is an ally)
FIGHT_VERBS = frozenset({"fight", "clash", "battle", "skirmish", "spar", "feud"})
# apposed or predicated nouns that make one group a part of another ("X, a faction of Y", "X is a wing of Y")
PART_NOUNS = frozenset({"affiliate", "faction", "wing", "branch", "offshoot", "arm", "splinter", "subsidiary",
                        "franchise", "component", "unit", "member"})
_SIDES = FIGHTERS - {"Person"}


def leads(verb: Token) -> list[Relation]:
    """"X heads Y", "X commanded Y": a named subject that leads, heads, commands or chairs an
    organisation named as its object (the passive "Y, led by X" is read by the role rules)."""
    if verb.tag_ == "VBN":
        return []
    led = [e for c in verb.children if c.dep_ == "dobj" if (e := entity_of(c)) is not None and e.label_ in GROUPS]
    leaders = [d for d in doers_of(verb) if d.label_ in MEMBERS | {"Person"}]
    return pairs(leaders[:1], "leaderOf", led[:1], verb, 0.7)


def fought_with(prep: Token) -> list[Relation]:
    """"X clashed with Y", "X fought with Y for two days": the two sides oppose each other."""
    verb = prep.head
    if verb.pos_ != "VERB" or verb.lemma_.lower() not in FIGHT_VERBS:
        return []
    if any(c.dep_ == "prep" and c.lower_ in {"against", "alongside"} for c in verb.children):
        return []  # "fought with X against Y": X is a comrade
    return pairs([d for d in doers_of(verb) if d.label_ in _SIDES], "opposes", named_in(prep, _SIDES), prep, 0.6)


def sides_of_a_war(noun: Token) -> list[Relation]:
    """"the Israel-Hezbollah war", "Turkey-PKK clashes": the two names joined by a hyphen before a word
    of fighting are its sides."""
    doc = noun.doc
    sides = list(dict.fromkeys(e for t in doc[noun.left_edge.i : noun.i]
                               if (e := entity_of(t)) is not None and e.label_ in _SIDES))
    if len(sides) != 2 or sides[0].end >= len(doc) or doc[sides[0].end].text != "-" or sides[0].end + 1 != sides[1].start:
        return []
    return pairs(sides[:1], "opposes", sides[1:], noun, 0.6)


def allied(word: Token) -> list[Relation]:
    """"X is allied with Y", "X, allied to Y", "forces allied with Y"."""
    partners = [e for c in word.children if c.dep_ == "prep" and c.lower_ in {"with", "to"}
                for e in named_in(c, MEMBERS)]
    return pairs(_described(word), "alliedWith", partners, word, 0.7)


def backed(word: Token) -> list[Relation]:
    """"X, backed by Y", "X is backed by Y", "Y-backed X": Y supports X (support is alliance in kg)."""
    backers = [e for c in word.children if c.dep_ == "agent" for e in named_in(c, MEMBERS)]
    if not backers:  # "Iranian-backed militias": the backer is written before the hyphen
        backers = [e for c in word.children if c.i < word.i and c.dep_ in {"npadvmod", "compound", "amod", "nmod"}
                   for e in entities_under(c, MEMBERS)]
    return pairs(_described(word), "alliedWith", backers, word, 0.6)


def parts_of(noun: Token) -> tuple[list[Span], list[Span]]:
    """"X, a faction of Y", "X is an affiliate of Y": (the parts X, the group Y) that X belongs to."""
    groups = [e for c in noun.children if c.dep_ == "prep" and c.lower_ == "of" for e in named_in(c, GROUPS)]
    if not groups or entity_of(noun) is not None:
        return [], []
    if noun.dep_ == "appos":
        parts = [e for e in [entity_of(noun.head)] if e is not None]
    elif noun.dep_ == "attr":
        parts = [e for c in noun.head.children if c.dep_ == "nsubj" for e in named_in(c, MEMBERS)]
    else:
        return [], []
    return [p for p in parts if p.label_ in MEMBERS], groups[:1]


def _described(word: Token) -> list[Span]:
    """The actors an adjective or participle describes: the noun it modifies or the subject it is
    predicated of ("X is allied with", "X, backed by")."""
    if word.dep_ in {"amod", "acl", "relcl"}:
        ent = entity_of(word.head)
        return [ent] if ent is not None and ent.label_ in MEMBERS else []
    subjects = [c for c in (word.head if word.dep_ == "acomp" else word).children
                if c.dep_ in {"nsubj", "nsubjpass"}]
    return [e for c in subjects for e in named_in(c, MEMBERS)]
