"""Operations and attacks: trigger words with their agent, target, location, time and status."""

from __future__ import annotations

import datetime as dt

from spacy.tokens import Doc, Span, Token

from kg.extract.casualties import attach, casualty_kind
from kg.extract.event_places import fallback_places, surface_places
from kg.extract.spans import (
    ACTOR_CLASSES,
    confidence,
    entities_under,
    entity_of,
    nearest_date,
    ref_of,
    sentence_span,
    text_span,
    unique,
)
from kg.extract.timex import anchor
from kg.model import LOCATION_CLASSES, EntityRef, Event
from kg.nlp import lexicon
from kg.nlp.words import LOCATIVE_PREPS, trigger_word

# verbs whose subject carries out the operation named by their object ("X launched an attack")
_CONDUCT_VERBS = frozenset({"launch", "carry", "conduct", "begin", "start", "stage", "mount", "execute", "perform",
                            "lead", "continue", "claim", "undertake", "intensify", "resume", "step"})
_AGENT_VERBS = frozenset({"lead", "carry", "conduct", "launch", "claim", "execute", "stage", "perform"})
_TARGET_PREPS = frozenset({"on", "against", "for", "targeting", "at"})
# a preposition phrase under a trigger or its verb may say where it happened, between which places, where
# from or to ("fighting between X and Y", "shelling from X", "along the border")
_PLACE_PREPS = LOCATIVE_PREPS | {"between", "across", "around", "outside", "throughout", "from", "to", "along",
                                 "into", "on"}
_CONTAINERS = frozenset({"operation", "operations", "mission", "missions", "campaign", "sweep"})
_TARGETABLE = ACTOR_CLASSES | {"Facility", "Settlement"}
_HARM_VERBS = frozenset({"kill", "hit", "target", "destroy", "wound", "injure", "strike", "damage", "land"})
_INTRANSITIVE = frozenset({"advance"})
_CONTROL_VERBS = frozenset({"take", "impose", "expand", "extend", "tighten"})
_PROJECTILES = frozenset({"missile", "rocket", "mortar", "barrel"})
_GROUND_VERBS = frozenset({"control", "enter", "seize", "recapture", "regain", "retake", "reach", "expel",
                           "encircle", "liberate", "overrun", "infiltrate", *_CONTROL_VERBS})
_FIGHTERS = frozenset({"forces", "troops", "rebels", "fighters", "militants", "militiamen", "factions", "army",
                       "soldiers", "jihadists", "insurgents", "gunmen", "militias", "units"})
_ARMED = frozenset({"ArmedGroup", "SecurityForce"})
_RESULTS = frozenset({"acomp", "oprd"})  # "shot dead", "left 8 dead"
_IMPACT_VERBS = frozenset({"strike", "hit", "land", "slam", "fall", "target"})


def trigger_class(token: Token) -> tuple[str, Span] | None:
    """The event class a token triggers and the trigger span ("rocket attacks"), or None."""
    if token.ent_type_ and token.ent_type_ not in {"DATE"}:
        return None
    doc = token.doc
    if token.lower_ in lexicon.CASUALTY_WORDS and token.pos_ in {"ADJ", "NOUN", "VERB"}:
        return "Attack", doc[token.i : token.i + 1]  # "9 dead in X", "the wounded in X"
    if token.pos_ not in {"NOUN", "VERB", "PROPN"}:
        return None
    lemma = trigger_word(token)
    if lemma in _INTRANSITIVE and any(c.dep_ == "dobj" for c in token.children):
        return None  # "forces advance in X" is an operation, "advance a plan" is not
    if token.dep_ == "compound" and token.head.lower_ in _CONTAINERS and lemma in lexicon.EVENT_TRIGGERS:
        return None  # "search" in "search mission": the container noun carries the event
    if token.dep_ == "compound" and lemma in lexicon.EVENT_TRIGGERS.keys() | lexicon.EVENT_MODIFIERS.keys() and (
            trigger_word(token.head) in lexicon.EVENT_TRIGGERS and token.head.lemma_ not in _HARM_VERBS):
        # "bomb" in "bomb attack", "IED blast": the modifier names the head's event, not a second; but in
        # "drone attack wounds 2" the head is a headline verb taken for a noun
        return None
    if token.lower_ in _CONTAINERS:
        modifiers, refined = _modifiers(token)
        if refined is None:
            return ("MilitaryOperation", doc[token.i : token.i + 1]) if _armed_operation(token) else None
        first = min(m.i for m in modifiers if m.lower_ in lexicon.EVENT_MODIFIERS)
        return refined, doc[first : token.i + 1]
    if token.pos_ == "VERB" and lemma in _IMPACT_VERBS:
        # "two rockets struck near the airport": the projectile names the attack
        subject = next((c for c in token.children if c.dep_ in {"nsubj", "nsubjpass"}), None)
        means = [] if subject is None else [subject, *(c for c in subject.children if c.dep_ == "compound")]
        named = next((m.lemma_.lower() for m in means if m.lemma_.lower() in lexicon.EVENT_MODIFIERS), None)
        if named is not None:  # "two rockets struck", "mortar rounds hit Samarra"
            return lexicon.EVENT_MODIFIERS[named], doc[token.i : token.i + 1]
        if lemma not in lexicon.EVENT_TRIGGERS:
            return None
    if lemma in _PROJECTILES and token.dep_ == "dobj" and token.head.lemma_ in {"launch", "fire", "drop"}:
        return lexicon.EVENT_MODIFIERS[lemma], doc[token.i : token.i + 1]  # "forces launch 40 missiles on X"
    if lemma == "toll" and any(c.lower_ == "death" for c in token.children):
        return "Attack", doc[token.i : token.i + 1]  # "the death toll in X rises to 31"
    if lemma == "claim" and any(c.dep_ == "dobj" and c.lemma_ == "life" for c in token.children):
        return "Attack", doc[token.i : token.i + 1]  # "shelling claims the lives of 8 people in X"
    cls = lexicon.EVENT_TRIGGERS.get(lemma)
    if cls is None:
        return ("MilitaryOperation", doc[token.i : token.i + 1]) if _takes_ground(token) else None
    modifiers, refined = _modifiers(token)
    if lemma == "loss" and refined is None and _bare_losses(token):
        return cls, doc[token.i : token.i + 1]
    if lemma in lexicon.NEEDS_MODIFIER and refined is None and not (_military_strike(token) or _armed_operation(token)):
        return None
    if lemma in lexicon.NOUN_ONLY_TRIGGERS and token.pos_ == "VERB":
        return None
    if refined and refined != "SearchOperation" and refined != "MilitaryOperation":
        first = min(m.i for m in modifiers if lexicon.EVENT_MODIFIERS.get(m.lower_) == refined)
        return refined, doc[first : token.i + 1]
    return cls, doc[token.i : token.i + 1]


def _modifiers(token: Token) -> tuple[list[Token], str | None]:
    """The modifiers before a trigger noun, and the event class the first that names one names ("rocket")."""
    modifiers = [c for c in token.children if c.dep_ in {"compound", "amod", "nmod"} and c.i < token.i]
    refined = next((lexicon.EVENT_MODIFIERS[m.lower_] for m in modifiers if m.lower_ in lexicon.EVENT_MODIFIERS),
                   None)
    return modifiers, refined


def _takes_ground(token: Token) -> bool:
    """"Regime forces enter Khan Shaykhun", "rebels take over the town": armed men gaining ground."""
    lemma = token.lemma_.lower()
    if token.pos_ != "VERB" or lemma not in _GROUND_VERBS:
        return False
    if lemma in _CONTROL_VERBS and not any(c.lower_ == "over" or c.lemma_ == "control" for c in token.children):
        return False  # "take over", "impose their control": not any taking or imposing
    return _armed([c for c in token.children if c.dep_ == "nsubj"] or _governing_subjects(token))


def _armed(subjects: list[Token]) -> bool:
    """Whether a subject is armed men: a force, an armed group, a state, or "rebels", "troops" ..."""
    return any(t.lower_ in _FIGHTERS or t.ent_type_ in _ARMED | {"Country"} for s in subjects for t in s.subtree)


def _armed_operation(token: Token) -> bool:
    """"Turkey continues its operation in Afrin": an operation carried on by armed men is a military one."""
    verb = token.head
    if token.lemma_ != "operation" or token.dep_ != "dobj" or verb.lemma_ not in _CONDUCT_VERBS:
        return False
    return _armed([c for c in verb.children if c.dep_ == "nsubj"] or _governing_subjects(verb))


def _bare_losses(token: Token) -> bool:
    """"Losses in the eastern Ghouta": unqualified losses where the fighting is are human ones."""
    qualified = any(c.dep_ in {"amod", "compound", "nmod"} for c in token.children)
    return token.lower_ == "losses" and not qualified and any(
        c.dep_ == "prep" and c.lower_ in {"in", "among"} for c in token.children)


def _military_strike(token: Token) -> bool:
    """"conducted strikes against ISIL": a strike aimed at someone, or conducted, is a military one."""
    if token.lemma_ != "strike" or token.pos_ != "NOUN":
        return False
    aimed = any(c.dep_ == "prep" and c.lower_ == "against" for c in token.children)
    return aimed or token.head.lemma_ in {"conduct", "carry", "launch"}


def find_events(doc: Doc, dateline: dt.date | None) -> list[Event]:
    """Every operation or attack in the document that has at least one named participant or place."""
    events: list[Event] = []
    for token in doc:
        found = trigger_class(token)
        if found is None or _reported_by_subject(token) or (token.dep_ in _RESULTS and _toll_of_another(token)):
            continue  # "shot dead", "clashes leave 14 dead": a state the other event left, not an event
        cls, trigger = found
        agents, targets, locations = _roles(token)
        if cls != "Meeting":
            locations = unique([*locations, *(ref_of(p) for p in surface_places(token))])
            if not (locations or _toll_of_another(token)):
                locations = tuple(ref_of(p) for p in fallback_places(token))
        if not (agents or targets or locations):
            continue
        date_ent = nearest_date(token)
        time = anchor(date_ent.text, dateline) if date_ent is not None else None
        roles = sum(bool(x) for x in (agents, targets, locations, time and time.start))
        events.append(Event(
            cls=cls,
            trigger=text_span(trigger),
            evidence=sentence_span(token),
            confidence=confidence(0.5, roles),
            agents=agents,
            targets=targets,
            locations=locations,
            time=time,
            status=_status(token),
        ))
    return attach(doc, events)


def _reported_by_subject(verb: Token) -> bool:
    """"A rocket attack targeted the base": the verb is the noun's event, not a second one."""
    if verb.pos_ == "NOUN" and verb.lemma_ in _HARM_VERBS:
        # "Erbil drone attack wounds 2": a headline verb taken for a noun, its subject for a compound
        return any(c.dep_ == "compound" and trigger_class(c) is not None for c in verb.children)
    if verb.pos_ != "VERB":
        return False
    return any(c.dep_ == "nsubj" and c.pos_ == "NOUN" and trigger_class(c) is not None for c in verb.children)


def _toll_of_another(word: Token) -> bool:
    """"attacked X, killing four", "clashes leave 14 dead": the toll of another event, which takes no place
    from the words it hangs from (it would be that event again)."""
    if word.dep_ not in {"advcl", "conj", "ccomp", "xcomp", *_RESULTS} or casualty_kind(word) is None:
        return False
    head = word.head
    return trigger_class(head) is not None or any(
        c.dep_ == "nsubj" and trigger_class(c) is not None for c in head.children)


def _roles(token: Token) -> tuple[tuple[EntityRef, ...], tuple[EntityRef, ...], tuple[EntityRef, ...]]:
    agents: list[Span] = []
    targets: list[Span] = []
    place_roots: list[Token] = []
    if token.pos_ == "VERB":
        for child in token.children:
            if child.dep_ in {"nsubj"} or child.dep_ == "agent":
                agents += entities_under(child, ACTOR_CLASSES)
            elif child.dep_ in {"dobj", "nsubjpass"}:
                targets += entities_under(child, _TARGETABLE, near=True)
                place_roots.append(child)
            elif child.dep_ == "prep":
                (targets if child.lower_ in {"against", "targeting"} else []).extend(
                    entities_under(child, _TARGETABLE, near=True))
                place_roots.append(child)
        if not agents:
            agents += _inherited_subject(token)
        if not agents and token.dep_ in {"acl", "relcl"}:
            # "the coalition fighting ISIS", "forces that stormed the town": the noun modified acts
            doer = entity_of(token.head)
            agents += [doer] if doer is not None and doer.label_ in ACTOR_CLASSES else []
    else:
        for child in token.children:
            if child.dep_ in {"compound", "amod", "nmod", "poss"} and child.i < token.i:
                ent = entity_of(child)
                if ent is not None and ent.label_ in ACTOR_CLASSES:
                    agents.append(ent)
            elif child.dep_ == "prep" and child.lower_ in _TARGET_PREPS:
                targets += entities_under(child, _TARGETABLE, near=True)
            elif child.dep_ == "prep" and child.lower_ == "by":
                agents += entities_under(child, ACTOR_CLASSES, near=True)
            elif child.dep_ == "prep":
                place_roots.append(child)
            elif child.dep_ in {"acl", "relcl"}:
                for grand in child.children:
                    if grand.dep_ == "agent":
                        agents += entities_under(grand, ACTOR_CLASSES)
                    elif grand.dep_ == "dobj" and child.lemma_ in {"target", "hit", "strike"}:
                        targets += entities_under(grand, _TARGETABLE, near=True)
                    elif grand.dep_ == "prep":
                        place_roots.append(grand)
        head = token.head
        if token.dep_ == "nsubj" and head.lemma_ in _HARM_VERBS:
            # "an airstrike ... killed a commander in Deir ez-Zor": the victim and where it happened
            for obj in (c for c in head.children if c.dep_ == "dobj"):
                targets += entities_under(obj, _TARGETABLE, near=True)
                place_roots.append(obj)
            for verb in (head, *(c for c in head.children if c.dep_ == "conj")):
                place_roots += [c for c in verb.children if c.dep_ == "prep" and c.lower_ in _PLACE_PREPS]
        if token.dep_ == "pobj" and head.head.pos_ == "VERB" and lexicon.EVENT_TRIGGERS.get(token.lemma_) == "Meeting":
            # "ministers will discuss ... during a meeting in Brussels": who meets is the verb's subject
            verb = head.head
            agents += [e for c in verb.children if c.dep_ == "nsubj" for e in entities_under(c, ACTOR_CLASSES)]
            place_roots += [c for c in verb.children if c.dep_ == "prep" and c is not head]
        if token.dep_ in {"dobj", "nsubjpass"} and head.lemma_ in _CONDUCT_VERBS and not agents:
            agents += [e for c in head.children if c.dep_ == "nsubj" for e in entities_under(c, ACTOR_CLASSES)]
        if head.pos_ == "VERB":
            place_roots += [c for c in head.children if c.dep_ == "prep" and c.lower_ in _PLACE_PREPS]
        place_roots += [c for c in token.children if c.dep_ == "prep"]
    if not agents:
        agents += _led_by(token)
    target_ids = {t.start for t in targets if t.label_ not in LOCATION_CLASSES}
    agent_ids = {a.start for a in agents}
    # a place that is attacked ("shelling on Aleppo") is also where the attack happened
    locations = [t for t in targets if t.label_ in LOCATION_CLASSES] + [
        e for root in place_roots for e in entities_under(root, LOCATION_CLASSES)
        if e.start not in target_ids and e.start not in agent_ids and not _by_whom(e, root)]
    return (unique(ref_of(a) for a in agents), unique(ref_of(t) for t in targets),
            unique(ref_of(p) for p in locations))


def _by_whom(ent: Span, root: Token) -> bool:
    """"killed in a raid by Turkey's forces": a name inside the agent phrase is not where it happened."""
    for token in ent.root.ancestors:
        if token.i == root.i:
            return False
        if token.lower_ == "by" and token.dep_ in {"prep", "agent"}:
            return True
    return False


def _inherited_subject(verb: Token) -> list[Span]:
    """The subject of a governing verb for ``continues to pursue`` / ``sets out to search``."""
    subjects = _governing_subjects(verb)
    return entities_under(subjects[0], ACTOR_CLASSES) if subjects else []


def _governing_subjects(verb: Token) -> list[Token]:
    """The subjects of the nearest governing verb that has one (up to three levels up)."""
    current = verb
    for _ in range(3):
        if current.dep_ not in {"xcomp", "advcl", "conj", "ccomp"} or current.head is current:
            return []
        current = current.head
        subjects = [c for c in current.children if c.dep_ == "nsubj"]
        if subjects:
            return subjects
    return []


def _led_by(token: Token) -> list[Span]:
    """Agents named in the sentence by "led by X" / "carried out by X"."""
    found: list[Span] = []
    for t in token.sent:
        if (t.lower_ == "by" and t.head.lemma_ in _AGENT_VERBS and t.head.i != token.i
                and entity_of(t.head.head) is None):
            found += entities_under(t, ACTOR_CLASSES)
    return found


def _status(token: Token) -> str | None:
    governor = token.head.head if token.dep_ == "pobj" else token.head
    verb = token if token.pos_ == "VERB" else governor if governor.pos_ in {"VERB", "AUX"} else None
    if verb is None:
        return None
    chain = [verb, *list(verb.ancestors)[:2]]
    lemmas = {t.lemma_ for t in chain}
    auxes = {c.lower_ for t in chain for c in t.children if c.dep_ in {"aux", "neg"}}
    if lemmas & {"plan", "prepare", "intend"} or "will" in auxes or ("to" in auxes and "continue" not in lemmas):
        return "Planned" if not lemmas & {"continue", "set"} else "Ongoing"
    if lemmas & {"continue", "launch", "begin", "start", "announce", "set", "abate", "rage"} or verb.tag_ == "VBG":
        return "Ongoing"
    if verb.tag_ in {"VBD", "VBN"}:
        return "Completed"
    return None

