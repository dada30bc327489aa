"""Relations read off clause structure rather than role nouns: who belongs to a group (member lists,
"as part of", "assigned to"), who supports whom and who fights whom (including the parties an actor
supports); territorial control is in :mod:`kg.extract.relations.control`, the clause helpers in
:mod:`kg.extract.relations.clause_roles`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

from kg.extract.relations.bonds import PART_NOUNS, allied, backed, fought_with, leads, parts_of, sides_of_a_war
from kg.extract.relations.clause_roles import (
    FIGHTERS,
    GROUPS,
    MEMBERS,
    climb,
    doers_of,
    heads_of,
    make_relation,
    named_in,
    owners_of,
    pairs,
    support_objects,
    supported_parties,
)
from kg.extract.relations.control import capture_of, control_of, controlled_by, fall_to, stronghold, taken_from
from kg.extract.spans import entity_of, ref_of
from kg.model import ORGANIZATION_CLASSES, POPULATION_CLASSES, Relation
from kg.nlp import lexicon

# nouns of an effort whose owner ("their fight") is the party supported, when one is named
_EFFORTS = frozenset({"fight", "effort", "efforts", "struggle", "battle", "war", "campaign"})


def find_pattern_relations(doc: Doc) -> list[Relation]:
    """Membership, alliance, fighting and control relations found by clause patterns, in text order."""
    found: list[Relation] = []
    for token in doc:
        by_word, by_lemma = _BY_WORD.get(token.lower_, ()), _BY_LEMMA.get(token.lemma_.lower(), ())
        for index in sorted({*by_word, *by_lemma}) if by_word and by_lemma else by_word or by_lemma:
            rule = _RULES[index]
            if rule.applies(token):
                found += rule.find(token)
    return found


def _anything(token: Token) -> bool:
    return True


@dataclass(frozen=True)
class _Rule:
    """A clause pattern: ``find`` runs on a token written as one of ``words``, or whose lowercased lemma is
    one of ``lemmas``, for which ``applies`` holds (the words pick the few tokens worth a closer look)."""

    find: Callable[[Token], list[Relation]]
    words: frozenset[str] = frozenset()
    lemmas: frozenset[str] = frozenset()
    applies: Callable[[Token], bool] = _anything


def _verb(tag: str = "") -> Callable[[Token], bool]:
    return lambda t: t.pos_ == "VERB" and t.tag_.startswith(tag)


def _noun(token: Token) -> bool:
    return token.pos_ == "NOUN"


def _prep(token: Token) -> bool:
    return token.dep_ == "prep"


# words that narrow a phrase to a case of it ("..., in particular against X", "especially against X")
_NARROWING = frozenset({"especially", "particularly", "notably", "mainly", "chiefly", "principally"})
# heads of "against" that are not fighting: warnings, protection, legal and policy measures
_NOT_HOSTILE = frozenset({"warn", "caution", "advise", "protect", "guard", "insure", "vaccinate", "sanction",
                          "sanctions", "embargo", "measure", "resolution", "case", "charge", "lawsuit", "complaint",
                          "vote", "protest", "crime", "appeal", "rule", "decide", "testify", "argue"})


# members a list may name: a people too ("a force made up of local Arabs", "partners, especially the Turks")
_LISTED = MEMBERS | POPULATION_CLASSES
# words that single out members of the group named before them
_SINGLING_OUT = frozenset({"especially", "notably", "including", "particularly"})


def _membership(member: Span, group: Span) -> str:
    """partOf for a unit within a force, memberOf otherwise (states, people, coalition partners)."""
    if member.label_ in ORGANIZATION_CLASSES - {"InternationalOrganization", "State"} \
            and group.label_ in {"SecurityForce", "ArmedGroup", "Organization"}:
        return "partOf"
    return "memberOf"


def _members(members: list[Span], groups: list[Span], anchor: Token, confidence: float) -> list[Relation]:
    return [make_relation(m, _membership(m, g), g, anchor, confidence) for m in members for g in groups
            if ref_of(m) != ref_of(g)]


# -------------------------------------------------------------------------------------- membership


def _includes(verb: Token) -> list[Relation]:
    """"Coalition nations that flew strikes include A, B and C"; "the SDF, which includes X";
    "a force made up of X and Y"."""
    if verb.lemma_.lower() == "make" and not any(c.dep_ == "prt" and c.lower_ == "up" for c in verb.children):
        return []
    # "a force made up of" (tagged VBN or VBD), "a coalition including": the phrase modified
    if verb.dep_ == "acl" or (verb.dep_ == "relcl" and verb.tag_ == "VBN"):
        head = entity_of(verb.head)
        groups = [head] if head is not None else []
    elif verb.dep_ == "relcl":  # "the SDF, which includes X": the antecedent itself, not a phrase inside it
        if any(c.dep_ == "nsubj" and c.lower_ == "who" for c in verb.children):
            return []  # "airmen ..., who will comprise the squadron": people are the parts, not the whole
        head = entity_of(verb.head)
        groups = [head] if head is not None else []
    else:
        groups = doers_of(verb) or [e for c in verb.children if c.dep_ == "nsubjpass" for e in named_in(c, GROUPS)]
    objects = [c for c in verb.children if c.dep_ == "dobj"] + [
        d for c in verb.children if c.dep_ in {"prep", "agent"} and c.lower_ in {"of", "by"} for d in c.children
        if d.dep_ == "pobj"]
    members = [e for o in objects for e in heads_of(o, _LISTED)]
    return _members(members, [g for g in groups if g.label_ in GROUPS], verb, 0.75)


def _especially(word: Token) -> list[Relation]:
    """"our Coalition partners, especially the Turks", "the Coalition, including France and Jordan": the
    parties singled out from a group are its members."""
    doc = word.doc
    at = word.i - 1 if word.i > word.sent.start and doc[word.i - 1].is_punct else word.i
    group = entity_of(doc[at - 1]) if at > word.sent.start else None
    if group is None or group.label_ not in GROUPS or group.end != at:
        return []
    after = [t for t in doc[word.i + 1 : min(word.i + 4, word.sent.end)] if entity_of(t) is not None][:1]
    members = [e for t in after for e in heads_of(t, _LISTED)]
    return _members([m for m in members if m != group], [group], word, 0.6)


def _part_of(part: Token) -> list[Relation]:
    """"X, as part of the Global Coalition, ..."; "X is part of Y"."""
    groups = [e for c in part.children if c.dep_ == "prep" and c.lower_ == "of" for e in named_in(c, GROUPS)]
    if not groups:
        return []
    if part.dep_ == "pobj" and part.head.lower_ == "as":
        members = doers_of(part.head.head) if part.head.head.pos_ in {"VERB", "AUX"} else named_in(part.head.head)
    elif part.dep_ == "attr":
        members = [e for c in part.head.children if c.dep_ == "nsubj" for e in named_in(c, MEMBERS)]
    else:
        return []
    return _members([m for m in members if m.label_ in MEMBERS | {"Person"}], groups, part, 0.8)


def _part_noun(noun: Token) -> list[Relation]:
    """"X, a faction of Y", "X is an affiliate of Y": X is a member (a unit: a part) of Y."""
    parts, groups = parts_of(noun)
    return _members(parts, groups, noun, 0.7)


def _within(prep: Token) -> list[Relation]:
    """"Turkey within NATO": the actor right before is a member of the group."""
    before = prep.doc[prep.i - 1] if prep.i > prep.sent.start else None
    member = entity_of(before) if before is not None else None
    if member is None or member.label_ not in MEMBERS:
        return []
    return _members([member], named_in(prep, GROUPS)[:1], prep, 0.6)


def _assigned(verb: Token) -> list[Relation]:
    """"Sgt. X was assigned to 2nd Battalion, ...": the person belongs to the (first) unit named."""
    members = [e for c in verb.children if c.dep_ == "nsubjpass" for e in named_in(c, MEMBERS | {"Person"})]
    if not members and verb.dep_ in {"acl", "relcl"}:
        ent = entity_of(verb.head)
        members = [ent] if ent is not None else []
    units = [e for c in verb.children if c.dep_ == "prep" and c.lower_ == "to" for e in named_in(c, GROUPS)]
    return _members(members, units[:1], verb, 0.8)


def _unit_from(prep: Token) -> list[Relation]:
    """"F-16s from the Vermont Air National Guard", "Soldiers from 3rd Battalion": unit of a force."""
    unit = entity_of(prep.head)
    if unit is None or unit.label_ not in GROUPS:
        return []
    return _members([unit], named_in(prep, GROUPS)[:1], prep, 0.6)


# --------------------------------------------------------------------------------- fighting, support

# "X received fire from Y", "came under attack from Y", "suffered shelling from Y": Y fights X
_RECEIVING = frozenset({"receive", "take", "come", "face", "suffer", "sustain", "endure"})
_FIRE = frozenset({"fire", "attack", "shelling", "bombardment", "assault", "barrage", "ambush", "gunfire"})


def _fire_from(prep: Token) -> list[Relation]:
    """"Iraqi forces continued to receive heavy fire from ISIS fighters": ISIS opposes the forces."""
    head = prep.head
    verb = head.head.head if head.dep_ == "pobj" else head.head if head.pos_ == "NOUN" else head
    nouns = [head] if head.pos_ == "NOUN" else [
        d for c in head.children for d in ([c] if c.dep_ == "dobj" else c.children if c.lower_ == "under" else [])]
    if verb.lemma_.lower() not in _RECEIVING or not any(n.lemma_.lower() in _FIRE for n in nouns):
        return []
    victims = [d for d in doers_of(verb) if d.label_ != "Person"]
    return pairs(named_in(prep, FIGHTERS - {"Person"}), "opposes", victims, prep, 0.6)



def _fighters(token: Token) -> tuple[list[Span], list[Span]]:
    """Who fights in the clause of ``token``: its doers, and the parties they support (who fight too).

    "support for Iraq in the fight against Y", "supported Iraq in its efforts to defeat Y", "assisting Iraq
    to defeat Y": the party supported is the one fighting, the supporter is not said to.
    """
    doers = [d for d in doers_of(token) if d.label_ != "Person"]
    supported = supported_parties(token)
    # "supporting X against Y", "assisting X to destroy Y": X fights, as in "support for X in its fight"
    if supported and any(_effort_of_other(step) or (step.pos_ == "VERB" and step.lemma_.lower() in lexicon.SUPPORT_WORDS)
                         for step in climb(token)):
        return supported, []  # (a supported party is also what the clause climbs through)
    return doers, [a for a in supported if a not in doers]


def _effort_of_other(token: Token) -> bool:
    """"their fight", "its efforts", "in the fight": an effort not owned by a named actor."""
    if token.pos_ != "NOUN" or (token.lower_ not in _EFFORTS and token.lemma_.lower() not in lexicon.SUPPORT_WORDS):
        return False
    owned = [c for c in token.children if c.dep_ in {"poss", "det", "compound", "amod"}]
    if token.lemma_.lower() in lexicon.SUPPORT_WORDS:  # "its support of X" (not "in support of X")
        return bool(owned)
    return all(entity_of(c) is None for c in owned)


def _against(prep: Token) -> list[Relation]:
    """"X conducted strikes against Y", "the SDF's fight against Y", "strikes in support of Z against
    Y" (Z fights Y too), "support for Z in the fight against Y" (Z is the one fighting)."""
    # a people can be the target of an attack ("used chemical weapons against the Syrian people")
    targets = named_in(prep, (FIGHTERS - {"Person"}) | POPULATION_CLASSES)
    if not targets:
        return []
    doers, allies = _fighters(_restated(prep).head)
    return pairs(doers, "opposes", targets, prep, 0.7) + pairs(allies, "opposes", targets, prep, 0.6)


def _restated(prep: Token) -> Token:
    """"their fight against terrorism, in particular against ISIS": an 'against' that narrows an earlier
    one in the sentence stands for it (the parser often hangs it on the main verb instead)."""
    doc = prep.doc
    before = [t.lower_ for t in doc[max(prep.sent.start, prep.i - 3) : prep.i] if not t.is_punct]
    if not before or (before[-1] not in _NARROWING and before[-2:] != ["in", "particular"]):
        return prep
    earlier = [t for t in doc[prep.sent.start : prep.i] if t.lower_ == "against" and t.dep_ == "prep"]
    return earlier[-1] if earlier else prep


def _defeat(verb: Token) -> list[Relation]:
    """"X is working (with Z) to defeat Y", "the Coalition's strategy to defeat Y"."""
    targets = [e for c in verb.children if c.dep_ == "dobj" for e in named_in(c, FIGHTERS - {"Person"})]
    if not targets and verb.dep_ == "conj":  # "to degrade and defeat ISIS": the object of the last verb
        targets = [e for c in verb.head.children if c.dep_ == "dobj" for e in named_in(c, FIGHTERS - {"Person"})]
    if not targets:
        targets = [e for c in verb.children if c.dep_ == "conj" and c.pos_ == "VERB"
                   for d in c.children if d.dep_ == "dobj" for e in named_in(d, FIGHTERS - {"Person"})]
    if not targets and verb.i + 1 < verb.sent.end:
        # "the strategy to defeat ISIS is working": the parser makes the object the next verb's subject
        after = verb.doc[verb.i + 1]
        named = entity_of(after)
        if named is not None and named.start == after.i and named.root.dep_ == "nsubj" and \
                named.root.head.i > verb.i and named.label_ in FIGHTERS - {"Person"}:
            targets = [named]
    doers, allies = _fighters(verb)
    together = _coordinated(doers, verb) if not _reciprocal(verb) else []
    if not targets:
        return together
    return pairs(doers, "opposes", targets, verb, 0.7) + pairs(allies, "opposes", targets, verb, 0.6) + together


def _defeat_of(noun: Token) -> list[Relation]:
    """"to enable the defeat of ISIL": whoever the clause is about opposes ISIL."""
    targets = [e for c in noun.children if c.dep_ == "prep" and c.lower_ == "of" for e in named_in(c, FIGHTERS - {"Person"})]
    if not targets:
        return []
    doers, allies = _fighters(noun)
    return pairs(doers, "opposes", targets, noun, 0.6) + pairs(allies, "opposes", targets, noun, 0.5)


def _reciprocal(verb: Token) -> bool:
    """"fought each other", "fight one another"."""
    return any(c.dep_ in {"dobj", "pobj"} and c.lower_ == "other" for c in verb.subtree)


def _coordinated(doers: list[Span], verb: Token) -> list[Relation]:
    """"The UK, the Coalition and Iraq are committed to defeating ...": joint fighters are allies."""
    actors = [d for d in doers if d.label_ in MEMBERS]
    return [make_relation(a, "alliedWith", b, verb, 0.5) for i, a in enumerate(actors) for b in actors[i + 1:]
            if ref_of(a) != ref_of(b)]


def _support(token: Token) -> list[Relation]:
    """"The Coalition supports the SDF", "in support of the government of Iraq", "UK support for Iraq"."""
    if token.pos_ == "VERB":
        supported = support_objects(token)
        supporters = doers_of(token)
    elif token.pos_ == "NOUN":
        supported = support_objects(token)
        if token.dep_ == "pobj" and token.head.lower_ == "in" and token.head.head.pos_ in {"NOUN", "PROPN"}:
            return []  # "routes in support of SDF operations": whose support is not said
        supporters = owners_of(token) or doers_of(token)
    else:
        return []
    return pairs([s for s in supporters if s.label_ in MEMBERS], "alliedWith", supported, token, 0.6)


def _together_with(prep: Token) -> list[Relation]:
    """"the 407th Group, together with our Coalition partners, ..."; "fought alongside X"; "strikes in
    coordination with X"."""
    partners = support_objects(prep)
    if not partners:
        return []
    head = prep.head
    own = head.pos_ in {"NOUN", "PROPN"} and head.lemma_.lower() not in lexicon.COOPERATION_WORDS
    actors = named_in(head, MEMBERS) if own else doers_of(head)  # "X, together with Y" / "X acted in concert with Y"
    actors = [a for a in actors if a not in partners]
    return pairs([a for a in actors if a.label_ in MEMBERS], "alliedWith", partners, prep, 0.6)


def _ally_of(noun: Token) -> list[Relation]:
    """"Iran, an ally of Russia", "Russia and its ally Iran"."""
    owners = owners_of(noun) or [e for c in noun.children if c.dep_ == "prep" and c.lower_ == "of"
                               for d in c.children if d.dep_ == "pobj" for e in heads_of(d, MEMBERS)]
    if not owners and noun.dep_ == "conj" and any(c.dep_ == "poss" and c.pos_ == "PRON" for c in noun.children):
        owners = heads_of(noun.head, MEMBERS)[:1]  # "Russia and its ally": its = Russia
    named = [e for c in noun.children if c.dep_ in {"appos", "compound"} for e in heads_of(c, MEMBERS)]
    if noun.dep_ in {"appos", "compound"} or (noun.dep_ == "conj" and not named):
        named += [e for e in heads_of(noun.head, MEMBERS) if e not in owners]
    if entity_of(noun) is not None:
        return []  # "Coalition partners" names a group, not one party's ally
    return pairs([n for n in named if n not in owners], "alliedWith", owners, noun, 0.6)


def _fighting_between(prep: Token) -> list[Relation]:
    """"fighting between the army and the FSA", "clashes between X and Y"; "cooperation between X and Y"."""
    word = prep.head.lemma_.lower()
    predicate = "opposes" if word in lexicon.FIGHT_NOUNS else "alliedWith" if word in lexicon.COOPERATION_WORDS \
        else None
    if predicate is None:
        return []
    sides = [e for c in prep.children if c.dep_ == "pobj" for e in named_in(c, FIGHTERS - {"Person"})]
    return [make_relation(a, predicate, b, prep, 0.6) for i, a in enumerate(sides) for b in sides[i + 1:]
            if ref_of(a) != ref_of(b)]


def _retaking(noun: Token) -> bool:
    """"re-taking" split by the tokenizer into "re", "-", "taking"."""
    return noun.lower_ == "taking" and [t.lower_ for t in noun.doc[max(noun.i - 2, 0) : noun.i]] == ["re", "-"]


def _joined(verb: Token) -> list[Relation]:
    """"He joined ISIS in 2014": the subject becomes a member of the group."""
    # the object itself must name the group: not "joined U.S. ships X and Y", "joined X's task force"
    groups = [e for c in verb.children if c.dep_ == "dobj" if (e := entity_of(c)) is not None
              and e.label_ in GROUPS]
    return _members([m for m in doers_of(verb) if m.label_ in MEMBERS | {"Person"}], groups, verb, 0.7)


_RULES = (
    _Rule(_includes, lemmas=lexicon.INCLUDE_VERBS, applies=_verb()),
    _Rule(_part_of, frozenset({"part"}), applies=lambda t: t.dep_ in {"pobj", "attr"}),
    _Rule(_especially, _SINGLING_OUT),
    _Rule(_within, frozenset({"within"}), applies=_prep),
    _Rule(_assigned, lemmas=lexicon.ASSIGN_VERBS, applies=_verb("VBN")),
    _Rule(_unit_from, frozenset({"from"}), applies=_prep),
    _Rule(_fire_from, frozenset({"from"}), applies=_prep),
    _Rule(_against, frozenset({"against"}),
          applies=lambda t: t.dep_ == "prep" and t.head.lemma_.lower() not in _NOT_HOSTILE),
    _Rule(_defeat, lemmas=lexicon.DEFEAT_VERBS, applies=_verb()),
    _Rule(_defeat_of, lemmas=lexicon.DEFEAT_NOUNS, applies=_noun),
    _Rule(_support, lemmas=lexicon.SUPPORT_WORDS),
    _Rule(_together_with, frozenset({"with", "alongside"}), applies=_prep),
    _Rule(_ally_of, lemmas=frozenset({"ally", "partner"}), applies=_noun),
    _Rule(_fighting_between, frozenset({"between"}), applies=_prep),
    _Rule(_joined, lemmas=frozenset({"join", "rejoin"}), applies=_verb()),
    _Rule(leads, lemmas=lexicon.LEADER_VERBS, applies=_verb()),
    _Rule(fought_with, frozenset({"with"}), applies=_prep),
    _Rule(allied, frozenset({"allied"})),
    _Rule(backed, frozenset({"backed"})),
    _Rule(_part_noun, lemmas=PART_NOUNS, applies=_noun),
    _Rule(sides_of_a_war, lemmas=lexicon.FIGHT_NOUNS, applies=_noun),
    _Rule(capture_of, frozenset({"taking"}), lexicon.CAPTURE_NOUNS,
          lambda t: t.pos_ == "NOUN" and (t.lemma_.lower() in lexicon.CAPTURE_NOUNS or _retaking(t))),
    _Rule(controlled_by, lemmas=lexicon.CONTROL_VERBS, applies=_verb("VBN")),
    _Rule(control_of, frozenset({"control"}), applies=_noun),
    _Rule(taken_from, lemmas=lexicon.RECAPTURE_VERBS, applies=_verb()),
    _Rule(fall_to, frozenset({"fall"}), applies=_noun),
    _Rule(stronghold, lemmas=lexicon.STRONGHOLD_NOUNS, applies=_noun),
)


def _indexed(words_of: Callable[[_Rule], frozenset[str]]) -> dict[str, tuple[int, ...]]:
    """Each word with the positions in ``_RULES`` of the rules it may apply to, in order."""
    index: dict[str, tuple[int, ...]] = {}
    for position, rule in enumerate(_RULES):
        for word in words_of(rule):
            index[word] = (*index.get(word, ()), position)
    return index


_BY_WORD = _indexed(lambda rule: rule.words)
_BY_LEMMA = _indexed(lambda rule: rule.lemmas)
