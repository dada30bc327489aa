"""Who does what in a clause, for the relation patterns: the entities a phrase names, the doer of an
action inherited from governing clauses ("X is working to defeat Y"), and the parties a clause says its
doers support ("in support of X", "stands by X", "as part of X")."""

from __future__ import annotations

from collections.abc import Iterator

from spacy.tokens import Span, Token

from kg.extract.spans import (
    ACTOR_CLASSES,
    ancestors_and_self,
    entities_under,
    entity_of,
    ref_of,
    sentence_span,
)
from kg.model import LOCATION_CLASSES, ORGANIZATION_CLASSES, POPULATION_CLASSES, Relation
from kg.nlp import lexicon

# classes an argument may have: groups one belongs to; members of a group (a country can be one);
# fighters; holders of territory; places held
GROUPS = ORGANIZATION_CLASSES - {"State"}
MEMBERS = ORGANIZATION_CLASSES | {"Country"}
FIGHTERS = ORGANIZATION_CLASSES | {"Country", "Person"}
HOLDERS = ORGANIZATION_CLASSES | {"Country"}
PLACES = LOCATION_CLASSES
# parties one supports or fights beside: a people too ("support of the government and the Iraqi people")
SUPPORTED = MEMBERS | POPULATION_CLASSES
# dependencies through which an action's doer is inherited from the governing clause
_CLIMB = frozenset({"xcomp", "advcl", "pcomp", "acomp", "conj", "prep", "dobj", "pobj", "attr", "appos", "advmod"})
_RELATIVE = frozenset({"which", "that", "who"})


def named_in(token: Token, classes: frozenset[str] = ACTOR_CLASSES) -> list[Span]:
    """The entities a noun phrase names, with its coordinated and apposed parts, without clauses or
    place phrases ("the UK, the wider Coalition and Iraq" -> three)."""
    return [e for e in entities_under(token, classes, near=True) if not opposed_by_prefix(e)]


def opposed_by_prefix(ent: Span) -> bool:
    """"anti-coalition forces", "anti-ISIS": the phrase names those against the entity, not the entity."""
    doc = ent.doc
    before = [t.lower_ for t in doc[max(ent.start - 2, 0) : ent.start]]
    return before[-2:] == ["anti", "-"] or before[-1:] == ["anti-"] or ent[0].lower_.startswith("anti-")


def heads_of(token: Token, classes: frozenset[str] = FIGHTERS) -> list[Span]:
    """The entities a subject names by its head and coordinated heads: "The 5th Division of the Army"
    -> the division; "the UK, the Coalition and Iraq" -> three; "members of ISIS" -> ISIS."""
    ent = entity_of(token)
    if ent is None:
        return named_in(token, classes)
    out = [ent] if ent.label_ in classes else []
    for child in token.children:
        if child.dep_ in {"conj", "appos"}:
            out += [e for e in heads_of(child, classes) if e not in out]
    return out


def owners_of(noun: Token) -> list[Span]:
    """Entities that own an action noun: "the SDF's fight", "UK support", "Coalition strikes"."""
    out: list[Span] = []
    for child in noun.children:
        if child.dep_ in {"poss", "compound", "nmod", "amod"} and child.i < noun.i:
            ent = entity_of(child)
            if ent is not None and ent.label_ in FIGHTERS and ent not in out:
                out.append(ent)
    return out


def climb(token: Token) -> Iterator[Token]:
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


def doers_of(token: Token) -> list[Span]:
    """Who carries out the action a verb or noun names, inherited from governing clauses when unsaid
    ("X is working to defeat Y", "the fight against Y" that X joins, "the Coalition's strategy to ...")."""
    for step in climb(token):
        if step.pos_ in {"NOUN", "PROPN"}:
            ent = entity_of(step)
            if ent is not None and ent.label_ in FIGHTERS and step.i != token.i:
                return [ent]
            owners = owners_of(step)
            if owners:
                return owners
        if step.pos_ in {"VERB", "AUX"}:
            agents = [c for c in step.children if c.dep_ == "agent"]
            # "X is committed to defeating Y": a governing passive's subject is the doer; the action's
            # own passive subject ("X was attacked") is not
            subjects = [c for c in step.children if c.dep_ == "nsubj" or (c.dep_ == "nsubjpass" and not agents
                        and step.i != token.i)]
            if subjects:
                subject = subjects[0]
                if subject.lower_ in _RELATIVE and step.dep_ == "relcl":
                    ent = entity_of(step.head)
                    return [ent] if ent is not None and ent.label_ in FIGHTERS else named_in(step.head, FIGHTERS)
                return heads_of(subject)
            if agents:
                return [e for c in agents[0].children if c.dep_ == "pobj" for e in heads_of(c)]
            if step.dep_ in {"acl", "relcl"}:
                ent = entity_of(step.head)
                if ent is not None and ent.label_ in FIGHTERS:
                    return [ent]
    return []


def supported_parties(token: Token) -> list[Span]:
    """Parties the clause of ``token`` says its doers support or stand with ("conducted strikes
    coordinated with and in support of X against Y"), outside nested clauses."""
    top = list(climb(token))[-1]
    out: list[Span] = []
    for t in top.subtree:
        if _in_clause(t, top):
            out += [e for e in support_objects(t) if e not in out]
    return out


def _in_clause(token: Token, top: Token) -> bool:
    """Whether ``token`` belongs to the clause headed by ``top`` (not to a clause nested in it)."""
    for up in ancestors_and_self(token):
        if up.i == top.i:
            return True
        if up.dep_ in {"ccomp", "relcl", "parataxis"} or (up.pos_ in {"VERB", "AUX"} and any(
                c.dep_ in {"nsubj", "nsubjpass"} for c in up.children)):
            return False
    return False


def support_objects(token: Token) -> list[Span]:
    """"in support of X", "support for X", "stands by X", "together with X", "in coordination with X": X."""
    if token.lemma_.lower() in lexicon.SUPPORT_WORDS and token.pos_ == "NOUN":
        return [e for c in token.children if c.dep_ == "prep" and c.lower_ in {"of", "for", "to"}
                for e in named_in(c, SUPPORTED)]
    if token.lemma_.lower() in lexicon.SUPPORT_WORDS and token.pos_ == "VERB":
        # "supported the re-taking of Tikrit by Iraqi forces": whoever does the supported action
        # (the agent's head only: not "of Iraqi territory" that follows it)
        done = [e for c in token.children if c.dep_ in {"dobj", "advcl", "xcomp"} for d in c.children
                if d.dep_ in {"prep", "agent"} and d.lower_ == "by" for p in d.children if p.dep_ == "pobj"
                for e in heads_of(p, SUPPORTED)]
        return [e for c in token.children if c.dep_ == "dobj" for e in named_in(c, SUPPORTED)] + done
    if token.dep_ == "prep" and token.lower_ == "as":  # "working as part of the Coalition to defeat X"
        return [e for c in token.children if c.dep_ == "pobj" and c.lower_ == "part"
                for d in c.children if d.dep_ == "prep" and d.lower_ == "of" for e in named_in(d, GROUPS)]
    if token.dep_ == "prep" and token.lower_ == "by" and token.head.lemma_ == "stand":
        return named_in(token, SUPPORTED)
    if token.dep_ == "prep" and (token.lower_ == "alongside" or (token.lower_ == "with" and (any(
            c.lower_ == "together" for c in token.children) or token.head.lemma_.lower() in lexicon.COOPERATION_WORDS))):
        return named_in(token, SUPPORTED)  # "together with X", "in coordination with X", "cooperated with X"
    return []


def make_relation(subject: Span, predicate: str, obj: Span, anchor: Token, confidence: float) -> Relation:
    """A relation between two entity spans, with the sentence of ``anchor`` as evidence."""
    return Relation(ref_of(subject), predicate, sentence_span(anchor), confidence, object=ref_of(obj))


def pairs(subjects: list[Span], predicate: str, objects: list[Span], anchor: Token,
           confidence: float) -> list[Relation]:
    """Every subject -> object relation between two lists, leaving out an entity related to itself."""
    return [make_relation(s, predicate, o, anchor, confidence) for s in subjects for o in objects
            if ref_of(s) != ref_of(o)]
