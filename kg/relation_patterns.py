"""Relations read off clause structure rather than role nouns: who belongs to a group (member lists,
"as part of", "assigned to"), who supports whom, who fights whom (including the parties an actor
supports) and who holds a place ("controlled by", "captured by", "control of")."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from spacy.tokens import Doc, Span, Token

from . import lexicon
from .components import LOCATION_CLASSES, ORGANIZATION_CLASSES
from .model import Relation
from .spans import ACTOR_CLASSES, ancestors_and_self, entities_under, entity_of, ref_of, sentence_span

_GROUPS = ORGANIZATION_CLASSES - {"State"}
_MEMBERS = ORGANIZATION_CLASSES | {"Country"}
_FIGHTERS = ORGANIZATION_CLASSES | {"Country", "Person"}
_HOLDERS = ORGANIZATION_CLASSES | {"Country"}
_PLACES = LOCATION_CLASSES
# dependencies through which an action's doer is inherited from the governing clause
_CLIMB = frozenset({"xcomp", "advcl", "pcomp", "acomp", "conj", "prep", "dobj", "pobj", "attr", "appos", "advmod"})
# nouns of an effort whose owner ("their fight") is the party supported, when one is named
_EFFORTS = frozenset({"fight", "effort", "efforts", "struggle", "battle", "war", "campaign"})
_RELATIVE = frozenset({"which", "that", "who"})


def find_pattern_relations(doc: Doc) -> list[Relation]:
    """Membership, alliance, fighting and control relations found by clause patterns, in text order."""
    found: list[Relation] = []
    for token in doc:
        for applies, rule in _RULES:
            if applies(token):
                found += rule(token)
    return found


def _verb_in(words: frozenset[str], tag: str = "") -> Callable[[Token], bool]:
    return lambda t: t.pos_ == "VERB" and t.lemma_.lower() in words and t.tag_.startswith(tag)


def _prep(word: str) -> Callable[[Token], bool]:
    return lambda t: t.lower_ == word and t.dep_ == "prep"


# heads of "against" that are not fighting: warnings, protection, legal and policy measures
_NOT_HOSTILE = frozenset({"warn", "caution", "advise", "protect", "guard", "insure", "vaccinate", "sanction",
                          "sanctions", "embargo", "measure", "resolution", "case", "charge", "lawsuit", "complaint",
                          "vote", "protest", "crime", "appeal", "rule", "decide", "testify", "argue"})


# ----------------------------------------------------------------------------------------- helpers


def _named(token: Token, classes: frozenset[str] = ACTOR_CLASSES) -> list[Span]:
    """The entities a noun phrase names, with its coordinated and apposed parts, without clauses or
    place phrases ("the UK, the wider Coalition and Iraq" -> three)."""
    return entities_under(token, classes, near=True)


def _heads(token: Token, classes: frozenset[str] = _FIGHTERS) -> list[Span]:
    """The entities a subject names by its head and coordinated heads: "The 5th Division of the Army"
    -> the division; "the UK, the Coalition and Iraq" -> three; "members of ISIS" -> ISIS."""
    ent = entity_of(token)
    if ent is None:
        return _named(token, classes)
    out = [ent] if ent.label_ in classes else []
    for child in token.children:
        if child.dep_ in {"conj", "appos"}:
            out += [e for e in _heads(child, classes) if e not in out]
    return out


def _owners(noun: Token) -> list[Span]:
    """Entities that own an action noun: "the SDF's fight", "UK support", "Coalition strikes"."""
    out: list[Span] = []
    for child in noun.children:
        if child.dep_ in {"poss", "compound", "nmod", "amod"} and child.i < noun.i:
            ent = entity_of(child)
            if ent is not None and ent.label_ in _FIGHTERS and ent not in out:
                out.append(ent)
    return out


def _climb(token: Token) -> Iterator[Token]:
    """``token`` and the heads whose doer it inherits, up to the first clause with a subject."""
    current = token
    for _ in range(8):
        yield current
        if current.dep_ in {"ccomp", "ROOT"} or current.head.i == current.i:
            return
        if current.pos_ in {"VERB", "AUX"} and any(c.dep_ in {"nsubj", "nsubjpass"} for c in current.children):
            return
        if current.dep_ not in _CLIMB | {"acl", "relcl"}:
            return
        current = current.head


def _doers(token: Token) -> list[Span]:
    """Who carries out the action a verb or noun names, inherited from governing clauses when unsaid
    ("X is working to defeat Y", "the fight against Y" that X joins, "the Coalition's strategy to ...")."""
    for step in _climb(token):
        if step.pos_ in {"NOUN", "PROPN"}:
            ent = entity_of(step)
            if ent is not None and ent.label_ in _FIGHTERS and step.i != token.i:
                return [ent]
            owners = _owners(step)
            if owners:
                return owners
        if step.pos_ in {"VERB", "AUX"}:
            agents = [c for c in step.children if c.dep_ == "agent"]
            # "X is committed to defeating Y": a governing passive's subject is the doer; the action's
            # own passive subject ("X was attacked") is not
            subjects = [c for c in step.children if c.dep_ == "nsubj" or c.dep_ == "nsubjpass" and not agents
                        and step.i != token.i]
            if subjects:
                subject = subjects[0]
                if subject.lower_ in _RELATIVE and step.dep_ == "relcl":
                    ent = entity_of(step.head)
                    return [ent] if ent is not None and ent.label_ in _FIGHTERS else _named(step.head, _FIGHTERS)
                return _heads(subject)
            if agents:
                return [e for c in agents[0].children if c.dep_ == "pobj" for e in _heads(c)]
            if step.dep_ in {"acl", "relcl"}:
                ent = entity_of(step.head)
                if ent is not None and ent.label_ in _FIGHTERS:
                    return [ent]
    return []


def _supported(token: Token) -> list[Span]:
    """Parties the clause of ``token`` says its doers support or stand with ("conducted strikes
    coordinated with and in support of X against Y"), outside nested clauses."""
    top = list(_climb(token))[-1]
    out: list[Span] = []
    for t in top.subtree:
        if _in_clause(t, top):
            out += [e for e in _support_objects(t) if e not in out]
    return out


def _in_clause(token: Token, top: Token) -> bool:
    """Whether ``token`` belongs to the clause headed by ``top`` (not to a clause nested in it)."""
    for up in ancestors_and_self(token):
        if up.i == top.i:
            return True
        if up.dep_ in {"ccomp", "relcl", "parataxis"} or up.pos_ in {"VERB", "AUX"} and any(
                c.dep_ in {"nsubj", "nsubjpass"} for c in up.children):
            return False
    return False


def _support_objects(token: Token) -> list[Span]:
    """"in support of X", "support for X", "stands by X", "together with X": X."""
    if token.lemma_.lower() in lexicon.SUPPORT_WORDS and token.pos_ == "NOUN":
        return [e for c in token.children if c.dep_ == "prep" and c.lower_ in {"of", "for", "to"}
                for e in _named(c, _MEMBERS)]
    if token.lemma_.lower() in lexicon.SUPPORT_WORDS and token.pos_ == "VERB":
        # "supported the re-taking of Tikrit by Iraqi forces": whoever does the supported action
        done = [e for c in token.children if c.dep_ in {"dobj", "advcl", "xcomp"} for d in c.children
                if d.dep_ in {"prep", "agent"} and d.lower_ == "by" for e in _named(d, _MEMBERS)]
        return [e for c in token.children if c.dep_ == "dobj" for e in _named(c, _MEMBERS)] + done
    if token.dep_ == "prep" and token.lower_ == "as":  # "working as part of the Coalition to defeat X"
        return [e for c in token.children if c.dep_ == "pobj" and c.lower_ == "part"
                for d in c.children if d.dep_ == "prep" and d.lower_ == "of" for e in _named(d, _GROUPS)]
    if token.dep_ == "prep" and token.lower_ == "by" and token.head.lemma_ == "stand":
        return _named(token, _MEMBERS)
    if token.dep_ == "prep" and (token.lower_ == "alongside" or token.lower_ == "with" and any(
            c.lower_ == "together" for c in token.children)):
        return _named(token, _MEMBERS)
    return []


def _rel(subject: Span, predicate: str, obj: Span, anchor: Token, confidence: float) -> Relation:
    return Relation(ref_of(subject), predicate, sentence_span(anchor), confidence, object=ref_of(obj))


def _pairs(subjects: list[Span], predicate: str, objects: list[Span], anchor: Token,
           confidence: float) -> list[Relation]:
    return [_rel(s, predicate, o, anchor, confidence) for s in subjects for o in objects
            if ref_of(s) != ref_of(o)]


def _membership(member: Span, group: Span) -> str:
    """partOf for a unit within a force, memberOf otherwise (states, people, coalition partners)."""
    if member.label_ in ORGANIZATION_CLASSES - {"InternationalOrganization", "State"} \
            and group.label_ in {"SecurityForce", "ArmedGroup", "Organization"}:
        return "partOf"
    return "memberOf"


def _members(members: list[Span], groups: list[Span], anchor: Token, confidence: float) -> list[Relation]:
    return [_rel(m, _membership(m, g), g, anchor, confidence) for m in members for g in groups
            if ref_of(m) != ref_of(g)]


# -------------------------------------------------------------------------------------- membership


def _includes(verb: Token) -> list[Relation]:
    """"Coalition nations that flew strikes include A, B and C"; "the SDF, which includes X";
    "a force made up of X and Y"."""
    if verb.lemma_.lower() == "make" and not any(c.dep_ == "prt" and c.lower_ == "up" for c in verb.children):
        return []
    if verb.tag_ == "VBN" and verb.dep_ in {"acl", "relcl"}:  # "a force made up of": the phrase modified
        head = entity_of(verb.head)
        groups = [head] if head is not None else []
    else:
        groups = _doers(verb) or [e for c in verb.children if c.dep_ == "nsubjpass" for e in _named(c, _GROUPS)]
    objects = [c for c in verb.children if c.dep_ == "dobj"] + [
        d for c in verb.children if c.dep_ in {"prep", "agent"} and c.lower_ in {"of", "by"} for d in c.children
        if d.dep_ == "pobj"]
    members = [e for o in objects for e in _heads(o, _MEMBERS)]
    return _members(members, [g for g in groups if g.label_ in _GROUPS], verb, 0.75)


def _part_of(part: Token) -> list[Relation]:
    """"X, as part of the Global Coalition, ..."; "X is part of Y"."""
    groups = [e for c in part.children if c.dep_ == "prep" and c.lower_ == "of" for e in _named(c, _GROUPS)]
    if not groups:
        return []
    if part.dep_ == "pobj" and part.head.lower_ == "as":
        members = _doers(part.head.head) if part.head.head.pos_ in {"VERB", "AUX"} else _named(part.head.head)
    elif part.dep_ == "attr":
        members = [e for c in part.head.children if c.dep_ == "nsubj" for e in _named(c, _MEMBERS)]
    else:
        return []
    return _members([m for m in members if m.label_ in _MEMBERS], groups, part, 0.8)


def _within(prep: Token) -> list[Relation]:
    """"Turkey within NATO": the actor right before is a member of the group."""
    before = prep.doc[prep.i - 1] if prep.i > prep.sent.start else None
    member = entity_of(before) if before is not None else None
    if member is None or member.label_ not in _MEMBERS:
        return []
    return _members([member], _named(prep, _GROUPS)[:1], prep, 0.6)


def _assigned(verb: Token) -> list[Relation]:
    """"Sgt. X was assigned to 2nd Battalion, ...": the person belongs to the (first) unit named."""
    members = [e for c in verb.children if c.dep_ == "nsubjpass" for e in _named(c, _MEMBERS | {"Person"})]
    if not members and verb.dep_ in {"acl", "relcl"}:
        ent = entity_of(verb.head)
        members = [ent] if ent is not None else []
    units = [e for c in verb.children if c.dep_ == "prep" and c.lower_ == "to" for e in _named(c, _GROUPS)]
    return _members(members, units[:1], verb, 0.8)


def _unit_from(prep: Token) -> list[Relation]:
    """"F-16s from the Vermont Air National Guard", "Soldiers from 3rd Battalion": unit of a force."""
    unit = entity_of(prep.head)
    if unit is None or unit.label_ not in _GROUPS:
        return []
    return _members([unit], _named(prep, _GROUPS)[:1], prep, 0.6)


# --------------------------------------------------------------------------------- fighting, support


def _fighters(token: Token) -> tuple[list[Span], list[Span]]:
    """Who fights in the clause of ``token``: its doers, and the parties they support (who fight too).

    "support for Iraq in the fight against Y", "supported Iraq in its efforts to defeat Y": the party
    supported is the one fighting, the supporter is not said to.
    """
    doers = [d for d in _doers(token) if d.label_ != "Person"]
    allies = [a for a in _supported(token) if a not in doers]
    if allies and any(_effort_of_other(step) for step in _climb(token)):
        return allies, []
    return doers, allies


def _effort_of_other(token: Token) -> bool:
    """"their fight", "its efforts", "in the fight": an effort not owned by a named actor."""
    if token.pos_ != "NOUN" or token.lower_ not in _EFFORTS and token.lemma_.lower() not in lexicon.SUPPORT_WORDS:
        return False
    owned = [c for c in token.children if c.dep_ in {"poss", "det", "compound", "amod"}]
    if token.lemma_.lower() in lexicon.SUPPORT_WORDS:  # "its support of X" (not "in support of X")
        return bool(owned)
    return all(entity_of(c) is None for c in owned)


def _against(prep: Token) -> list[Relation]:
    """"X conducted strikes against Y", "the SDF's fight against Y", "strikes in support of Z against
    Y" (Z fights Y too), "support for Z in the fight against Y" (Z is the one fighting)."""
    targets = _named(prep, _FIGHTERS - {"Person"})
    if not targets:
        return []
    doers, allies = _fighters(prep.head)
    return _pairs(doers, "opposes", targets, prep, 0.7) + _pairs(allies, "opposes", targets, prep, 0.6)


def _defeat(verb: Token) -> list[Relation]:
    """"X is working (with Z) to defeat Y", "the Coalition's strategy to defeat Y"."""
    targets = [e for c in verb.children if c.dep_ == "dobj" for e in _named(c, _FIGHTERS - {"Person"})]
    if not targets and verb.dep_ == "conj":  # "to degrade and defeat ISIS": the object of the last verb
        targets = [e for c in verb.head.children if c.dep_ == "dobj" for e in _named(c, _FIGHTERS - {"Person"})]
    if not targets:
        targets = [e for c in verb.children if c.dep_ == "conj" and c.pos_ == "VERB"
                   for d in c.children if d.dep_ == "dobj" for e in _named(d, _FIGHTERS - {"Person"})]
    doers, allies = _fighters(verb)
    together = _coordinated(doers, verb) if not _reciprocal(verb) else []
    if not targets:
        return together
    return _pairs(doers, "opposes", targets, verb, 0.7) + _pairs(allies, "opposes", targets, verb, 0.6) + together


def _defeat_of(noun: Token) -> list[Relation]:
    """"to enable the defeat of ISIL": whoever the clause is about opposes ISIL."""
    targets = [e for c in noun.children if c.dep_ == "prep" and c.lower_ == "of" for e in _named(c, _FIGHTERS - {"Person"})]
    if not targets:
        return []
    doers, allies = _fighters(noun)
    return _pairs(doers, "opposes", targets, noun, 0.6) + _pairs(allies, "opposes", targets, noun, 0.5)


def _reciprocal(verb: Token) -> bool:
    """"fought each other", "fight one another"."""
    return any(c.dep_ in {"dobj", "pobj"} and c.lower_ == "other" for c in verb.subtree)


def _coordinated(doers: list[Span], verb: Token) -> list[Relation]:
    """"The UK, the Coalition and Iraq are committed to defeating ...": joint fighters are allies."""
    actors = [d for d in doers if d.label_ in _MEMBERS]
    return [_rel(a, "alliedWith", b, verb, 0.5) for i, a in enumerate(actors) for b in actors[i + 1:]
            if ref_of(a) != ref_of(b)]


def _support(token: Token) -> list[Relation]:
    """"The Coalition supports the SDF", "in support of the government of Iraq", "UK support for Iraq"."""
    if token.pos_ == "VERB":
        supported = _support_objects(token)
        supporters = _doers(token)
    elif token.pos_ == "NOUN":
        supported = _support_objects(token)
        if token.dep_ == "pobj" and token.head.lower_ == "in" and token.head.head.pos_ in {"NOUN", "PROPN"}:
            return []  # "routes in support of SDF operations": whose support is not said
        supporters = _owners(token) or _doers(token)
    else:
        return []
    return _pairs([s for s in supporters if s.label_ in _MEMBERS], "alliedWith", supported, token, 0.6)


def _together_with(prep: Token) -> list[Relation]:
    """"the 407th Group, together with our Coalition partners, ..."; "fought alongside X"."""
    partners = _support_objects(prep)
    if not partners:
        return []
    head = prep.head
    actors = _named(head, _MEMBERS) if head.pos_ in {"NOUN", "PROPN"} else _doers(head)
    actors = [a for a in actors if a not in partners]
    return _pairs([a for a in actors if a.label_ in _MEMBERS], "alliedWith", partners, prep, 0.6)


def _ally_of(noun: Token) -> list[Relation]:
    """"Iran, an ally of Russia", "Russia and its ally Iran"."""
    owners = _owners(noun) or [e for c in noun.children if c.dep_ == "prep" and c.lower_ == "of"
                               for d in c.children if d.dep_ == "pobj" for e in _heads(d, _MEMBERS)]
    if not owners and noun.dep_ == "conj" and any(c.dep_ == "poss" and c.pos_ == "PRON" for c in noun.children):
        owners = _heads(noun.head, _MEMBERS)[:1]  # "Russia and its ally": its = Russia
    named = [e for c in noun.children if c.dep_ in {"appos", "compound"} for e in _heads(c, _MEMBERS)]
    if noun.dep_ in {"appos", "compound"} or noun.dep_ == "conj" and not named:
        named += [e for e in _heads(noun.head, _MEMBERS) if e not in owners]
    if entity_of(noun) is not None:
        return []  # "Coalition partners" names a group, not one party's ally
    return _pairs([n for n in named if n not in owners], "alliedWith", owners, noun, 0.6)


def _fighting_between(prep: Token) -> list[Relation]:
    """"fighting between the army and the FSA", "clashes between X and Y"."""
    if prep.head.lemma_.lower() not in lexicon.FIGHT_NOUNS:
        return []
    sides = [e for c in prep.children if c.dep_ == "pobj" for e in _named(c, _FIGHTERS - {"Person"})]
    return [_rel(a, "opposes", b, prep, 0.6) for i, a in enumerate(sides) for b in sides[i + 1:]
            if ref_of(a) != ref_of(b)]


def _joined(verb: Token) -> list[Relation]:
    """"He joined ISIS in 2014": the subject becomes a member of the group."""
    # the object itself must name the group: not "joined U.S. ships X and Y", "joined X's task force"
    groups = [e for c in verb.children if c.dep_ == "dobj" if (e := entity_of(c)) is not None
              and e.label_ in _GROUPS]
    return _members([m for m in _doers(verb) if m.label_ in _MEMBERS | {"Person"}], groups, verb, 0.7)


# ----------------------------------------------------------------------------------------- control


def _places_of(noun: Token) -> list[Span]:
    """The places a noun phrase names; "the largest city [controlled by X]" -> the copula's subject."""
    places = _named(noun, _PLACES)
    if not places and noun.dep_ == "attr":
        places = [e for c in noun.head.children if c.dep_ == "nsubj" for e in _named(c, _PLACES)]
    return places


def _controlled_by(verb: Token) -> list[Relation]:
    """"Mosul, controlled by Daesh", "the dam was captured by the Islamic State", "taken by X",
    "ISIS-held Raqqa"."""
    holders = [e for c in verb.children if c.dep_ == "agent" for e in _named(c, _HOLDERS)]
    if verb.dep_ == "amod":  # "the ISIS-held city of Mosul"
        holders += [e for c in verb.children if c.dep_ in {"npadvmod", "compound", "nmod"} and c.i < verb.i
                    for e in _heads(c, _HOLDERS)]
    if not holders:
        return []
    if verb.dep_ in {"acl", "relcl", "amod"}:
        places = _places_of(verb.head)
    else:
        places = [e for c in verb.children if c.dep_ == "nsubjpass" for e in _named(c, _PLACES)]
    captives: list[Span] = []
    if verb.lemma_.lower() in {"capture", "seize"}:  # "he was captured by X": X fights him
        captives = [e for c in verb.children if c.dep_ == "nsubjpass" for e in _heads(c, frozenset({"Person"}))]
    return _pairs(holders, "controls", places, verb, 0.7) + _pairs(holders, "opposes", captives, verb, 0.6)


def _control_of(noun: Token) -> list[Relation]:
    """"ISIL has had control of Mosul", "the army claims full control of Aleppo", "Mosul, under ISIS
    control", "Dabiq, under the control of ISIS"."""
    if noun.dep_ == "pobj" and noun.head.lower_ == "under":
        holders = _owners(noun) or [e for c in noun.children if c.dep_ == "prep" and c.lower_ == "of"
                                    for e in _named(c, _HOLDERS)]
        held = noun.head.head
        places = _places_of(held) if held.pos_ in {"NOUN", "PROPN"} else [
            e for c in held.children if c.dep_ in {"nsubj", "nsubjpass"} for e in _heads(c, _PLACES)]
        return _pairs([h for h in holders if h.label_ in _HOLDERS], "controls", places, noun, 0.7)
    places = [e for c in noun.children if c.dep_ == "prep" and c.lower_ == "of" for e in _named(c, _PLACES)]
    if not places:
        return []
    holders = [h for h in (_owners(noun) or _doers(noun)) if h.label_ in _HOLDERS]
    return _pairs(holders, "controls", places, noun, 0.7)


def _taken_from(verb: Token) -> list[Relation]:
    """"to liberate Mosul from ISIL fighters", "seize the hospital from X": X held the place."""
    places = [e for c in verb.children if c.dep_ in {"dobj", "nsubjpass"} for e in _named(c, _PLACES)]
    holders = [e for c in verb.subtree if c.dep_ == "prep" and c.lower_ == "from" and c.head.i in
               {verb.i, *(d.i for d in verb.children if d.dep_ == "dobj")} for e in _named(c, _HOLDERS)]
    places = [p for p in places if p not in holders]
    fighters = [d for d in _doers(verb) if d.label_ != "Person" and d not in holders]
    return _pairs(holders, "controls", places, verb, 0.6) + _pairs(fighters, "opposes", holders, verb, 0.6)


def _capture_of(noun: Token) -> list[Relation]:
    """"the capture of Palmyra by ISIS", "ISIS's seizure of the dam"."""
    places = [e for c in noun.children if c.dep_ == "prep" and c.lower_ == "of" for e in _named(c, _PLACES)]
    holders = _owners(noun) + [e for c in noun.children if c.dep_ in {"prep", "agent"} and c.lower_ == "by"
                               for e in _named(c, _HOLDERS)]
    return _pairs([h for h in holders if h.label_ in _HOLDERS], "controls", places, noun, 0.6)


def _fall_to(noun: Token) -> list[Relation]:
    """"the fall of Mosul to ISIL terrorists"."""
    places = [e for c in noun.children if c.dep_ == "prep" and c.lower_ == "of" for e in _named(c, _PLACES)]
    owners = [noun, noun.head.head] if noun.dep_ == "pobj" else [noun]  # "after the fall of X to Y"
    holders = [e for o in owners for c in o.children if c.dep_ == "prep" and c.lower_ == "to"
               for e in _named(c, _HOLDERS)]
    return _pairs(holders, "controls", places, noun, 0.7)



def _stronghold(noun: Token) -> list[Relation]:
    """"Raqqa, a self-proclaimed ISIS capital", "Sirte is the last stronghold of ISIS"."""
    holders = _owners(noun) or [e for c in noun.children if c.dep_ == "prep" and c.lower_ == "of"
                                for e in _named(c, _HOLDERS)]
    if noun.dep_ == "appos":
        places = _heads(noun.head, _PLACES)
    elif noun.dep_ == "attr":
        places = [e for c in noun.head.children if c.dep_ == "nsubj" for e in _heads(c, _PLACES)]
    else:
        return []
    return _pairs([h for h in holders if h.label_ in _HOLDERS], "controls", places, noun, 0.6)


_RULES: tuple[tuple[Callable[[Token], bool], Callable[[Token], list[Relation]]], ...] = (
    (_verb_in(lexicon.INCLUDE_VERBS), _includes),
    (lambda t: t.lower_ == "part" and t.dep_ in {"pobj", "attr"}, _part_of),
    (_prep("within"), _within),
    (_verb_in(lexicon.ASSIGN_VERBS, "VBN"), _assigned),
    (_prep("from"), _unit_from),
    (lambda t: _prep("against")(t) and t.head.lemma_.lower() not in _NOT_HOSTILE, _against),
    (_verb_in(lexicon.DEFEAT_VERBS), _defeat),
    (lambda t: t.pos_ == "NOUN" and t.lemma_.lower() in lexicon.DEFEAT_NOUNS, _defeat_of),
    (lambda t: t.lemma_.lower() in lexicon.SUPPORT_WORDS, _support),
    (lambda t: _prep("with")(t) or _prep("alongside")(t), _together_with),
    (lambda t: t.pos_ == "NOUN" and t.lemma_.lower() in {"ally", "partner"}, _ally_of),
    (_prep("between"), _fighting_between),
    (_verb_in(frozenset({"join", "rejoin"})), _joined),
    (lambda t: t.pos_ == "NOUN" and t.lemma_.lower() in lexicon.CAPTURE_NOUNS, _capture_of),
    (_verb_in(lexicon.CONTROL_VERBS, "VBN"), _controlled_by),
    (lambda t: t.pos_ == "NOUN" and t.lower_ == "control", _control_of),
    (_verb_in(lexicon.RECAPTURE_VERBS), _taken_from),
    (lambda t: t.pos_ == "NOUN" and t.lower_ == "fall", _fall_to),
    (lambda t: t.pos_ == "NOUN" and t.lemma_.lower() in lexicon.STRONGHOLD_NOUNS, _stronghold),
)
