"""Territorial control (``kg:controls``): "Mosul, controlled by ISIS", "captured by", "ISIS-held",
"control of", "under ISIS control", "the fall of X to Y", "liberate X from Y", "X, an ISIS stronghold"."""

from __future__ import annotations

from spacy.tokens import Span, Token

from kg.extract.relations.clause_roles import HOLDERS, PLACES, doers_of, heads_of, named_in, owners_of, pairs
from kg.extract.spans import entity_of
from kg.model import Relation


def _places_of(noun: Token) -> list[Span]:
    """The places a noun phrase names; "the largest city [controlled by X]" -> the copula's subject."""
    places = named_in(noun, PLACES)
    if not places and noun.dep_ == "attr":
        places = [e for c in noun.head.children if c.dep_ == "nsubj" for e in named_in(c, PLACES)]
    return places


def controlled_by(verb: Token) -> list[Relation]:
    """"Mosul, controlled by Daesh", "the dam was captured by the Islamic State", "taken by X",
    "ISIS-held Raqqa"."""
    holders = [e for c in verb.children if c.dep_ == "agent" for e in named_in(c, HOLDERS)]
    if verb.dep_ == "amod":  # "the ISIS-held city of Mosul"
        holders += [e for c in verb.children if c.dep_ in {"npadvmod", "compound", "nmod"} and c.i < verb.i
                    for e in heads_of(c, HOLDERS)]
    if not holders:
        return []
    if verb.dep_ in {"acl", "relcl", "amod"}:
        places = _places_of(verb.head)
    else:
        places = [e for c in verb.children if c.dep_ == "nsubjpass" for e in named_in(c, PLACES)]
    captives: list[Span] = []
    if verb.lemma_.lower() in {"capture", "seize"}:  # "he was captured by X": X fights him
        captives = [e for c in verb.children if c.dep_ == "nsubjpass" for e in heads_of(c, frozenset({"Person"}))]
    return pairs(holders, "controls", places, verb, 0.7) + pairs(holders, "opposes", captives, verb, 0.6)


def control_of(noun: Token) -> list[Relation]:
    """"ISIL has had control of Mosul", "the army claims full control of Aleppo", "Mosul, under ISIS
    control", "Dabiq, under the control of ISIS"."""
    if noun.dep_ == "pobj" and noun.head.lower_ == "under":
        holders = owners_of(noun) or [e for c in noun.children if c.dep_ == "prep" and c.lower_ == "of"
                                    for e in named_in(c, HOLDERS)]
        held = noun.head.head
        places = _places_of(held) if held.pos_ in {"NOUN", "PROPN"} else [
            e for c in held.children if c.dep_ in {"nsubj", "nsubjpass"} for e in heads_of(c, PLACES)]
        return pairs([h for h in holders if h.label_ in HOLDERS], "controls", places, noun, 0.7)
    places = [e for c in noun.children if c.dep_ == "prep" and c.lower_ == "of" for e in named_in(c, PLACES)]
    if not places:
        return []
    holders = [h for h in (owners_of(noun) or doers_of(noun)) if h.label_ in HOLDERS]
    return pairs(holders, "controls", places, noun, 0.7)


def taken_from(verb: Token) -> list[Relation]:
    """"to liberate Mosul from ISIL fighters", "seize the hospital from X": X held the place."""
    places = [e for c in verb.children if c.dep_ in {"dobj", "nsubjpass"} for e in named_in(c, PLACES)]
    holders = [e for c in verb.subtree if c.dep_ == "prep" and c.lower_ == "from" and c.head.i in
               {verb.i, *(d.i for d in verb.children if d.dep_ == "dobj")} for e in named_in(c, HOLDERS)]
    places = [p for p in places if p not in holders]
    fighters = [d for d in doers_of(verb) if d.label_ != "Person" and d not in holders]
    return pairs(holders, "controls", places, verb, 0.6) + pairs(fighters, "opposes", holders, verb, 0.6)


def capture_of(noun: Token) -> list[Relation]:
    """"the capture of Palmyra by ISIS", "ISIS's seizure of the dam", "the re-taking by X of Y"."""
    agents = [d for c in noun.children if c.dep_ in {"prep", "agent"} and c.lower_ == "by" for d in c.children
              if d.dep_ == "pobj"]
    # "the re-taking by X of Y": the parser hangs "of Y" on the agent X
    owners = [noun, *(a for a in agents if entity_of(a) is not None)]
    taken = [c for o in owners for c in o.children if c.dep_ == "prep" and c.lower_ == "of" and c.i > o.i]
    # "of a quarter of the country, including Tikrit": the places listed are taken too
    places = [e for c in taken for t in [c, *(t for t in c.subtree if t.lower_ == "including" and t.dep_ == "prep")]
              for e in named_in(t, PLACES)]
    holders = owners_of(noun) + [e for a in agents for e in heads_of(a, HOLDERS)]
    return pairs([h for h in holders if h.label_ in HOLDERS], "controls", places, noun, 0.6)


def fall_to(noun: Token) -> list[Relation]:
    """"the fall of Mosul to ISIL terrorists"."""
    places = [e for c in noun.children if c.dep_ == "prep" and c.lower_ == "of" for e in named_in(c, PLACES)]
    owners = [noun, noun.head.head] if noun.dep_ == "pobj" else [noun]  # "after the fall of X to Y"
    holders = [e for o in owners for c in o.children if c.dep_ == "prep" and c.lower_ == "to"
               for e in named_in(c, HOLDERS)]
    return pairs(holders, "controls", places, noun, 0.7)



def stronghold(noun: Token) -> list[Relation]:
    """"Raqqa, a self-proclaimed ISIS capital", "Sirte is the last stronghold of ISIS"."""
    holders = owners_of(noun) or [e for c in noun.children if c.dep_ == "prep" and c.lower_ == "of"
                                for e in named_in(c, HOLDERS)]
    if noun.dep_ == "appos":
        places = heads_of(noun.head, PLACES)
    elif noun.dep_ == "attr":
        places = [e for c in noun.head.children if c.dep_ == "nsubj" for e in heads_of(c, PLACES)]
    else:
        return []
    return pairs([h for h in holders if h.label_ in HOLDERS], "controls", places, noun, 0.6)
