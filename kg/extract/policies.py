"""Policies: sanctions, bans, asset freezes, agreements, designations and laws, with issuer, target,
sector and status ("in force", or "proposed" with the change proposed: easing, suspension, lifting)."""

from __future__ import annotations

import datetime as dt

from spacy.tokens import Doc, Span, Token

from kg.extract.spans import (
    ACTOR_CLASSES,
    confidence,
    demonym_refs,
    entities_in,
    entities_under,
    entity_of,
    nearest_date,
    ref_of,
    sentence_span,
    text_span,
    unique,
)
from kg.extract.timex import anchor
from kg.model import EntityRef, Policy
from kg.nlp import lexicon
from kg.nlp.words import word

_ISSUER_CLASSES = ACTOR_CLASSES - {"Person", "MediaOrganization"}
_VERB_TRIGGERS = frozenset({"designate", "blacklist", "ban", "sanction"})
_WH = frozenset({"which", "who", "that", "whom"})


def _trigger(token: Token) -> str | None:
    lemma = token.lemma_.lower()
    if token.ent_type_ and token.ent_type_ != "DATE":
        return None
    if token.pos_ == "VERB":
        return lexicon.POLICY_TRIGGERS.get(lemma) if lemma in _VERB_TRIGGERS else None
    if token.pos_ in {"NOUN", "PROPN"}:
        return lexicon.POLICY_TRIGGERS.get(lemma) or lexicon.POLICY_TRIGGERS.get(token.lower_)
    return None


def find_policies(doc: Doc, dateline: dt.date | None) -> list[Policy]:
    """Every policy mention with an issuer or a target; issuers are shared within a sentence."""
    drafts: list[tuple[Token, str, list[EntityRef], list[EntityRef]]] = []
    for token in doc:
        cls = _trigger(token)
        if cls is None:
            continue
        issuers, targets = _parties(token)
        drafts.append((token, cls, issuers, targets))
    policies: list[Policy] = []
    for token, cls, issuers, targets in drafts:
        inherited = False
        if not issuers:
            issuers = _sentence_issuers(token, drafts, targets)
            inherited = bool(issuers)
        if not issuers and not targets:
            continue
        status, change, modal = _status(token)
        sectors = _sectors(token)
        # a proposal is dated by the call for it when nothing else dates it ("urged this month to ...")
        date_ent = nearest_date(token) or (nearest_date(token, skip_reporting=False) if status == "Proposed" else None)
        time = anchor(date_ent.text, dateline) if date_ent is not None else None
        found = sum((bool(issuers) and not inherited, bool(targets), bool(sectors), bool(modal or change)))
        policies.append(Policy(
            cls=cls,
            trigger=text_span(token),
            evidence=sentence_span(token),
            confidence=confidence(0.45, found),
            issuers=unique(issuers),
            targets=unique(targets),
            sectors=sectors,
            status=status,
            proposed_change=change if status == "Proposed" else None,
            time=time,
        ))
    return policies


def _parties(token: Token) -> tuple[list[EntityRef], list[EntityRef]]:
    issuers: list[Span] = []
    targets: list[Span] = []
    target_refs: list[EntityRef] = []
    if token.pos_ == "VERB":
        for child in token.children:
            if child.dep_ in {"nsubj", "agent"}:
                issuers += entities_under(child, _ISSUER_CLASSES)
            elif child.dep_ in {"dobj", "nsubjpass"}:
                if child.lower_ in _WH and token.dep_ == "relcl":
                    targets += entities_under(token.head, ACTOR_CLASSES)[:1] or _left_entities(token.head)
                else:
                    targets += entities_under(child, ACTOR_CLASSES)
    else:
        for child in token.children:
            if child.dep_ in {"compound", "amod", "nmod", "poss"} and child.i < token.i:
                ent = entity_of(child)
                if ent is None:
                    target_refs += demonym_refs(child)
                elif ent.label_ in {"Country", "State"}:
                    targets.append(ent)
                elif ent.label_ in _ISSUER_CLASSES:
                    issuers.append(ent)
            elif child.dep_ == "prep" and (child.lower_ in {"on", "against", "targeting", "over"}
                                           or (child.lower_ == "of" and _trigger(token) == "Designation")):
                targets += entities_under(child, ACTOR_CLASSES)
                target_refs += demonym_refs(child)
            elif child.dep_ == "prep" and child.lower_ == "by":
                issuers += entities_under(child, _ISSUER_CLASSES)
            elif child.dep_ == "acl":
                for grand in child.children:
                    if grand.dep_ == "agent":
                        issuers += entities_under(grand, _ISSUER_CLASSES)
    issuer_refs = [ref_of(e) for e in issuers]
    all_targets = [ref_of(e) for e in targets] + target_refs
    return issuer_refs, [t for t in all_targets if t not in issuer_refs]


def _left_entities(token: Token) -> list[Span]:
    """Entities just left of a noun that has none in its own subtree ("the HTS group" parsed flat)."""
    sent = token.sent
    for t in reversed(list(sent[: token.i - sent.start])):
        ent = entity_of(t)
        if ent is not None and ent.label_ in ACTOR_CLASSES:
            return [ent]
        if t.is_punct and t.text not in {"(", ")", "-"}:
            break
    return []


def _sentence_issuers(token: Token, drafts: list[tuple[Token, str, list[EntityRef], list[EntityRef]]],
                      targets: list[EntityRef]) -> list[EntityRef]:
    for other, _, issuers, _ in drafts:
        if other.sent == token.sent and issuers:
            return [i for i in issuers if i not in targets]
    for ent in entities_in(token.sent):
        if ent.label_ in {"InternationalOrganization", "GovernmentBody", "State"}:
            ref = ref_of(ent)
            if ref not in targets:
                return [ref]
    return []


def _status(token: Token) -> tuple[str, str | None, bool]:
    """``(status, proposed change, modal?)`` from the words that govern the trigger."""
    chain = [token, *token.ancestors]
    change = next((lexicon.POLICY_CHANGES[word(t)] for t in chain[1:] if word(t) in lexicon.POLICY_CHANGES), None)
    if any(c.lower_ == "current" for c in token.children):
        change = change or "InForce"
    modal = any(word(t) in lexicon.MODALITY for t in chain[1:]) or any(
        c.dep_ in {"aux", "mark"} and c.lower_ in {"could", "may", "might", "would", "should", "will", "if"}
        for t in chain[1:] for c in t.children)
    if modal and change not in {None, "InForce"}:
        return "Proposed", change, True
    if modal and token.lemma_ in {"agreement", "deal", "accord", "ceasefire", "truce"}:
        return "Proposed", None, True
    return (change or "InForce"), None, modal


def _sectors(token: Token) -> tuple[str, ...]:
    scope = [token]
    if token.head.pos_ == "VERB" and token.dep_ in {"dobj", "nsubjpass"}:
        scope.append(token.head)
    conjuncts = {t.i for c in token.children if c.dep_ == "conj" for t in c.subtree}
    found = {lexicon.SECTORS[t.lower_] for root in scope for t in root.subtree
             if t.lower_ in lexicon.SECTORS and t.i not in conjuncts}
    return tuple(sorted(found))
