"""Relations between actors: leader of, spokesperson for, member/part of, holds position, affiliated
with — read off the dependency parse around role nouns and a few verbs; unit hierarchies. Clause
patterns for membership, alliance, fighting (opposes) and control are in :mod:`kg.extract.relations.patterns`."""

from __future__ import annotations

import itertools

from spacy.tokens import Doc, Span, Token

from kg.extract.relations.clause_roles import opposed_by_prefix
from kg.extract.relations.patterns import find_pattern_relations
from kg.extract.spans import ACTOR_CLASSES, entities_under, entity_of, ref_of, sentence_span
from kg.model import ENTITY_CLASSES, ORGANIZATION_CLASSES, Position, Relation
from kg.nlp import lexicon
from kg.nlp.words import LOCATIVE_PREPS, ORDINAL_WORDS, UNIT_WORDS

_ORG_LIKE = ORGANIZATION_CLASSES | {"Country"}
_PLACE_PREPS = LOCATIVE_PREPS | {"across", "throughout", "from"}
# verbs that give their subject the role named by their complement
_HOLDING_VERBS = frozenset({"be", "become", "remain", "serve", "appoint", "name", "elect", "act", "work"})
# civil offices: the holder holds a post for the organisation or country (kg:holdsPosition), which does not
# make them one of its members ("UK Special Representative for Syria X", "Foreign Office Minister X")
_OFFICES = frozenset({"minister", "envoy", "ambassador", "representative", "adviser", "advisor"})
# the last word of a unit that is already an organisation entity ("Alpha Company", "5th Special Forces
# Group"): wider than the unit words the ruler names units by, which would make every "... Group" a force
_UNIT_HEADS = UNIT_WORDS | {"unit", "units", "battery", "company", "group", "platoon"}


def find_relations(doc: Doc) -> list[Relation]:
    """Every relation found, in text order, without repeats."""
    found: list[Relation] = []
    for token in doc:
        lemma = token.lemma_
        if lemma.lower() in lexicon.ROLE_PREDICATES and token.pos_ in {"NOUN", "PROPN"}:
            found += _role_relations(token)
        elif lemma in lexicon.LEADER_VERBS and token.tag_ == "VBN":
            found += _led_by(token)
        elif token.lower_ in lexicon.AFFILIATION_WORDS and token.dep_ in {"acl", "amod", "relcl"}:
            found += _verb_relation(token, "affiliatedWith", 0.7)
    found += _unit_relations(doc)
    found += find_pattern_relations(doc)
    found.sort(key=lambda rel: rel.evidence.start)
    out: list[Relation] = []
    seen: set[tuple[object, ...]] = set()
    for rel in found:
        key = (rel.subject, rel.predicate, rel.object, rel.position, rel.evidence.start)
        if key not in seen and rel.subject != rel.object:
            seen.add(key)
            out.append(rel)
    return out


def _role_relations(role: Token) -> list[Relation]:
    person = _role_holder(role)
    if person is None:
        return []
    orgs = _role_organizations(role)
    if not orgs:
        return []
    predicate = lexicon.ROLE_PREDICATES[role.lemma_.lower()]
    title_words = [c for c in role.children if c.dep_ in {"compound", "amod"} and c.i < role.i
                   and entity_of(c) is None]
    # "gang leader" is a title (a member's); capitalised words name the organisation, and "new",
    # "former" or "top" leave the leader a leader
    titled = any(t.is_lower and t.lower_ not in lexicon.ROLE_QUALIFIERS for t in title_words)
    if any(t.lower_ == "commanding" for t in title_words):  # "the task force's commanding general": its leader
        predicate, titled = "leaderOf", False
    evidence = sentence_span(role)
    subject = ref_of(person)
    relations = []
    for org in orgs:
        label = " ".join(t.text for t in sorted([*_expand(title_words), role], key=lambda t: t.i)).lower()
        relations.append(Relation(subject, "holdsPosition", evidence, 0.8,
                                  position=Position(label, ref_of(org))))
        inside = org.root.dep_ == "pobj" and org.root.head.lower_ == "in" and org.root.head.head.i == role.i
        if (titled and predicate == "leaderOf") or inside:  # "an ISIS gang leader", "a chief in X": a member
            relations.append(Relation(subject, "memberOf", evidence, 0.6, object=ref_of(org)))
        elif predicate == "memberOf" and ((org.label_ == "Country" and org.start > role.i)
                                          or role.lemma_.lower() in _OFFICES):
            pass  # "envoy to Syria", "Foreign Office Minister X": a post held, not membership
        else:
            relations.append(Relation(subject, predicate, evidence, 0.8 if not titled else 0.7, object=ref_of(org)))
    return relations


def _expand(tokens: list[Token]) -> list[Token]:
    out: list[Token] = []
    for t in tokens:
        out += [x for x in t.subtree if entity_of(x) is None and not x.is_punct]
    return out


def _role_holder(role: Token) -> Span | None:
    """The person holding a role: "leader of X, Y" / "Y, leader of X" / "X spokesman Y"."""
    head_ent = entity_of(role.head)
    if role.dep_ in {"compound", "nmod", "amod"} and head_ent is not None and head_ent.label_ == "Person":
        return head_ent
    if role.dep_ == "appos" and head_ent is not None and head_ent.label_ == "Person":
        return head_ent
    # "X was the leader of Y", "X became emir of Y", "X served as commander of Y", "X was appointed ..."
    verb = role.head.head if role.dep_ == "pobj" and role.head.lower_ == "as" else role.head
    if (role.dep_ in {"attr", "oprd", "xcomp"} or verb.i != role.head.i) and verb.lemma_ in _HOLDING_VERBS:
        # "Z appointed X commander": the object holds the role, not the one appointing
        roles = ("dobj", "nsubjpass") if verb.lemma_ in {"appoint", "name", "elect"} else ("nsubj", "nsubjpass")
        for subject in sorted(verb.children, key=lambda c: roles.index(c.dep_) if c.dep_ in roles else 9):
            ent = entity_of(subject) if subject.dep_ in roles else None
            if ent is not None and ent.label_ == "Person":
                return ent
    for token in role.subtree:
        if token.dep_ == "appos" and token.i > role.i:
            ent = entity_of(token)
            if ent is not None and ent.label_ == "Person":
                return ent
    return None


def _role_organizations(role: Token) -> list[Span]:
    orgs: list[Span] = []
    for child in role.children:
        if child.dep_ == "prep" and child.lower_ in {"of", "for", "at", "to"}:
            orgs += [e for e in entities_under(child, _ORG_LIKE)][:1]
        elif child.dep_ == "prep" and child.lower_ == "in":  # "a crew chief in Abel Battery" (not "in Iraq")
            orgs += [e for e in entities_under(child, ORGANIZATION_CLASSES)][:1]
        elif child.dep_ == "appos" and child.i > role.i:  # "X, commander, U.S. Central Command"
            ent = entity_of(child)
            if ent is not None and ent.label_ in _ORG_LIKE:
                orgs.append(ent)
        elif child.dep_ in {"compound", "nmod", "amod", "poss"} and child.i < role.i:
            ent = entity_of(child)
            if ent is not None and ent.label_ in _ORG_LIKE:
                if not _place_phrase(ent):
                    orgs.append(ent)
            else:
                orgs += [e for e in entities_under(child, _ORG_LIKE)][:1]
    if not orgs and role.dep_ == "appos":  # "X, commander, U.S. Central Command"
        orgs += [e for c in role.head.children if c.dep_ == "appos" and c.i > role.i
                 if (e := entity_of(c)) is not None and e.label_ in _ORG_LIKE][:1]
    orgs = [o for o in orgs if not opposed_by_prefix(o)]
    if not orgs:
        doc = role.doc
        left = [doc[i] for i in range(role.i - 1, max(role.sent.start, role.i - 5) - 1, -1)]
        for t in left:
            ent = entity_of(t)
            if ent is not None and ent.label_ in _ORG_LIKE:
                if not _place_phrase(ent):
                    orgs.append(ent)
                break
            if (t.is_punct and t.text not in {"’s", "'s"}) or t.lower_ in {"the", "and", "of", "by"}:
                break
    return orgs


def _place_phrase(ent: Span) -> bool:
    """"In Turkey Minister X": the entity says where, not whose the role is."""
    before = ent.doc[ent.start - 1].lower_ if ent.start > 0 else ""
    return (ent.root.dep_ == "pobj" and ent.root.head.lower_ in _PLACE_PREPS) or before in _PLACE_PREPS


def _led_by(verb: Token) -> list[Relation]:
    """"X, led by Y" and "X is led by Y": Y leads X."""
    if verb.dep_ in {"acl", "relcl"}:
        led = entity_of(verb.head)
    else:
        led = next((e for c in verb.children if c.dep_ == "nsubjpass" and (e := entity_of(c)) is not None), None)
    if led is None or led.label_ not in ORGANIZATION_CLASSES:
        return []
    leaders = [e for c in verb.children if c.dep_ == "agent" for e in entities_under(c, ACTOR_CLASSES)]
    return [Relation(ref_of(leader), "leaderOf", sentence_span(verb), 0.8, object=ref_of(led))
            for leader in leaders[:1]]


def _verb_relation(verb: Token, predicate: str, confidence: float) -> list[Relation]:
    subjects: list[Span] = []
    if verb.dep_ in {"acl", "relcl", "amod"}:
        ent = entity_of(verb.head)
        if ent is not None:
            subjects.append(ent)
    subjects += [e for c in verb.children if c.dep_ == "nsubj" for e in entities_under(c, ACTOR_CLASSES)]
    objects = [e for c in verb.children if c.dep_ in {"dobj", "prep"} for e in entities_under(c, ACTOR_CLASSES)]
    if not subjects or not objects:
        return []
    return [Relation(ref_of(subjects[0]), predicate, sentence_span(verb), confidence, object=ref_of(objects[0]))]


def _unit_relations(doc: Doc) -> list[Relation]:
    """``Fifth Division of the Federal Police``, ``2nd Battalion, 5th Special Forces Group``: the unit is
    part of the force."""
    relations = []
    ents = [e for e in doc.ents if e.label_ in ENTITY_CLASSES]
    for unit, parent in itertools.pairwise(ents):
        gap = doc[unit.end : parent.start]
        # "..., 7th [Special Forces]"; three words are already too many to join a unit to its parent
        between = list(itertools.islice((t.lower_ for t in gap if not _ordinal(t)), 3))
        if (unit[-1].lower_ in _UNIT_HEADS or unit[-1].like_num or _ordinal(unit[0])) and (
                between in (["of", "the"], ["of"]) or (between == [","] and _numbered(parent, gap))) \
                and parent.label_ in ORGANIZATION_CLASSES:
            relations.append(Relation(ref_of(unit), "partOf", sentence_span(unit[0]), 0.8, object=ref_of(parent)))
    return relations


def _numbered(parent: Span, gap: Span) -> bool:
    """A comma joins a unit to its parent only when the parent is numbered too ("3rd Battalion, 5th
    Group"); otherwise it is a list of sibling units ("Brigade 52, Rapid Intervention Brigade")."""
    return _ordinal(parent[0]) or any(_ordinal(t) for t in gap)


def _ordinal(token: Token) -> bool:
    """"3rd", "321st", "Fifth"."""
    text = token.lower_
    return (text[:-2].isdigit() and text[-2:] in {"st", "nd", "rd", "th"}) or text in ORDINAL_WORDS
