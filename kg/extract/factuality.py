"""Factuality: whether a sentence asserts an event, policy or statement, denies it, hedges it or plans it.

:func:`factuality` reads the dependency parse around the trigger (the reporting verb of a statement):
the cues on the trigger itself, then on each word that governs it, walking up the head chain to the root.
A word governs the trigger through its complements (``dobj``, ``ccomp``, ``xcomp``, ``pobj`` of its
preposition, a content clause ``acl``); through a conjoined or adverbial clause without a subject of its
own only negation, modality and tense reach it ("did not attack X and shell Y"). The walk stops at a
relative clause (the army *that shelled X* did not attack Y), and above any word that neither carries the
event out nor reports it (:data:`CARRY`, :data:`CONTENT_NOUNS`): "did not *carry out* an airstrike" is
negated, but "denied any *role* in the attack" and "police will *investigate* the bombing" are not
about whether the attack or the bombing happened.

Each cue is a small closed set of grammatical words, named below with the relation it works through:

- **Negated**: a ``neg`` child ("did *not* carry out", "*never*"); the determiner ``det`` "no" on the
  trigger ("*no* clashes"); a negative subject ``nsubj``/``nsubjpass`` ("*nobody* was killed") of the
  trigger itself; the preposition "without" on the path; a governing verb or noun of denial or prevention
  (:data:`DENY`: "*denied* that its jets struck", "*rejected* reports of an attack", "a *foiled* attack"),
  or a governing report called false by an ``amod`` (:data:`FALSE`).
- **Possible**: a modal ``aux`` (:data:`HEDGE_AUX`; "*may* have been", "*could* be behind"); a hedging
  adverb ``advmod`` (:data:`HEDGE_ADVERBS`: "*reportedly*", "*possibly*"); a hedging ``amod`` on the trigger
  or a governing noun (:data:`HEDGE_ADJECTIVES`: "the *alleged* massacre", "*unconfirmed* reports"), also
  on the subject of a governing reporting verb; a governing verb of speculation or doubt
  (:data:`SPECULATE`: "are *believed* to have", "*suspected* of attacking"); a governing ``acomp``
  adjective of doubt ("it is *unclear* whether"); the ``mark`` "whether" or "if" on a governed clause;
  a negated verb of confirmation ("could *not confirm* the attack").
- **Planned**: the ``aux`` "will", "shall", "'ll", or "would" without a perfect "have" (future in the
  past: "warned that it *would* bomb"); "is *going* to"; a governing verb or noun of intent, threat,
  warning or preparation (:data:`INTEND`: "*plans* to", "*threatened* to attack", "*preparing* a raid"),
  unless the event is a clause with its own tense ("warned that attacks *had* increased");
  a planning ``amod`` on the trigger (:data:`PLANNED_ADJECTIVES`: "the *upcoming* offensive").

When cues disagree the strongest wins: Negated, then Possible, then Planned. Reported speech ("police
*said* the bomb killed four") is attribution, not doubt: verbs of saying carry no cue. For a policy the
walk stops at a verb that changes it ("will *lift* sanctions": the lifting is planned, and the policy's
``status`` says so, not its existence).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TypeVar

from spacy.tokens import Doc, Token

from kg.model import Event, Policy, Statement, TextSpan
from kg.nlp import lexicon
from kg.nlp.words import word

# verbs and nouns of denial, refutation or prevention: what they govern did not happen
DENY = frozenset({"deny", "denial", "reject", "dismiss", "refute", "rebut", "disprove", "contradict", "foil",
                  "thwart", "avert", "prevent", "disavow"})
# adjectives (amod) that call a governing report false
FALSE = frozenset({"false", "fake", "baseless", "unfounded", "fabricated", "untrue", "groundless"})
# modal auxiliaries of possibility
HEDGE_AUX = frozenset({"may", "might", "could", "must", "should", "can"})
# auxiliaries of the future
FUTURE_AUX = frozenset({"will", "shall", "'ll", "wo"})
HEDGE_ADVERBS = frozenset({"reportedly", "allegedly", "possibly", "probably", "perhaps", "apparently", "likely",
                           "purportedly", "seemingly", "maybe", "presumably", "supposedly"})
HEDGE_ADJECTIVES = frozenset({"alleged", "suspected", "possible", "probable", "apparent", "unconfirmed", "purported",
                              "likely", "rumoured", "rumored", "unverified", "presumed", "supposed"})
# adjectives of doubt as the complement (acomp) of a governing "be"
DOUBT_ADJECTIVES = frozenset({"unclear", "uncertain", "unknown", "possible", "likely", "unlikely", "doubtful",
                              "probable", "conceivable", "unconfirmed"})
SPECULATE = frozenset({"suspect", "believe", "think", "allege", "speculate", "doubt", "suggest", "fear", "rumour",
                       "rumor", "assume", "suppose"})
INTEND = frozenset({"plan", "intend", "threaten", "threat", "vow", "pledge", "promise", "warn", "warning", "prepare",
                    "preparation", "aim", "seek", "mull", "consider", "propose", "proposal", "schedule", "expect",
                    "intention", "plot", "want", "decide", "agree", "order", "call", "urge", "demand"})
PLANNED_ADJECTIVES = frozenset({"upcoming", "planned", "imminent", "impending", "proposed", "prospective", "future",
                                "expected", "looming", "forthcoming", "threatened", "intended", "scheduled"})
# verbs of confirmation: negated, they leave the event open ("could not confirm")
CONFIRM = frozenset({"confirm", "verify", "corroborate"})
# verbs that carry out or hold the event they govern ("carry out an attack", "hold talks", "impose sanctions"),
# nouns that report it ("reports of an attack"), "be" and "go" ("could be behind the shelling", "going to"):
# the walk goes on above them; above any other verb or noun (the *victims* of an attack, *join* the fight,
# *investigate* the attack) the event is no longer what is denied, doubted or planned
CARRY = frozenset({"launch", "carry", "conduct", "stage", "mount", "begin", "start", "execute", "perform",
                   "undertake", "resume", "hold", "commit", "unleash", "open", "be", "go", "impose", "adopt",
                   "introduce", "pass", "sign", "approve", "reimpose", "renew", "reach", "conclude"})
CONTENT_NOUNS = frozenset({"report", "claim", "allegation", "rumour", "rumor", "account", "story", "news",
                           "suggestion", "speculation", "assertion", "word", "talk", "evidence", "sign"})
# aspectual verbs: "will continue to strike" is an event going on, not a planned one
ASPECTUAL = frozenset({"continue", "keep", "remain"})
NEGATIVE_SUBJECTS = frozenset({"nobody", "none", "noone", "nothing"})
# relations through which a governor's words (denial, doubt, intent) reach the word below it; through the
# others only its negation, modality and tense do ("did not attack X and shell Y"); through an object or a
# subject only those of a verb that carries the event out ("will launch an offensive", "the offensive will
# begin", but "police will investigate the bombing", "the strike did not kill anyone": it happened)
_COMPLEMENTS = frozenset({"dobj", "ccomp", "xcomp", "pobj", "pcomp", "prep", "acl", "attr", "acomp", "nsubjpass",
                          "oprd", "dative", "compound"})
# prepositions of time and concession attach a circumstance, never what a verb or noun denies, doubts or
# intends ("warned of attacks" warns of them; "warned *amid* attacks", "*after* the bombing" does not)
_CIRCUMSTANCE_PREPS = frozenset({"amid", "amidst", "after", "before", "during", "despite", "following", "since",
                                 "until", "throughout", "notwithstanding"})
_CLAUSES = frozenset({"conj", "advcl", "appos", "npadvmod", "agent"})
_SUBJECTS = frozenset({"nsubj", "csubj"})
_OBJECTS = frozenset({"dobj", "nsubjpass", "dative", "oprd"})
# verbs that change a policy ("lift", "ease"): a policy's status says what is proposed, not its factuality
_CHANGES = frozenset(lexicon.POLICY_CHANGES) - CARRY
_RANK = {"Negated": 3, "Possible": 2, "Planned": 1, "Asserted": 0}


def factuality(trigger: Token, *, policy: bool = False) -> str:
    """The factuality of the event, policy (``policy=True``) or statement whose trigger is ``trigger``:
    one of :data:`kg.model.FACTUALITIES`.

    >>> from kg.nlp.load import load_pipeline
    >>> doc = load_pipeline()("The army did not carry out an airstrike on Raqqa.")
    >>> factuality(doc[7])
    'Negated'
    """
    found = _own(trigger)
    below = trigger
    for governor in trigger.ancestors:
        relation = below.dep_
        if not _open(below, trigger) or (policy and word(governor) in _CHANGES):
            break
        if relation == "prep" and word(below) == "without":
            found = _stronger(found, "Negated")
        elif relation == "prep" and word(below) in _CIRCUMSTANCE_PREPS:
            # the time of the verb reaches its circumstance ("will discuss ... *during* a meeting"); what it
            # warns of, denies or doubts does not ("warned ... *amid* rocket attacks")
            found = _stronger(found, _tense(governor))
            break
        if relation in _COMPLEMENTS or (relation == "relcl" and _reports(governor)):
            found = _stronger(found, _governing(governor, below))
        elif relation in _CLAUSES and not any(c.dep_ in {"nsubj", "nsubjpass"} for c in below.children):
            found = _stronger(found, _tense(governor))
        elif relation in _SUBJECTS:
            found = _stronger(found, _tense(governor) if _carries(governor) or _conditional(governor) else "Asserted")
        else:
            break  # a relative clause ("the army that shelled X did not attack Y"), a modifier, the root
        below = governor
    return found


def _open(token: Token, trigger: Token) -> bool:
    """Whether the cues above ``token`` still reach ``trigger`` (see :data:`CARRY`)."""
    lemma = word(token)
    return (token is trigger or token.pos_ in {"ADP", "AUX", "SCONJ", "PART"} or lemma in CARRY
            or _reports(token) or lemma in lexicon.REPORTING_VERBS)


def _reports(noun: Token) -> bool:
    """A noun whose clause says what it reports ("claims that militias detained ..."), also when the parser
    takes that clause for a relative one."""
    return word(noun) in CONTENT_NOUNS | DENY | INTEND | SPECULATE


def _finite(verb: Token) -> bool:
    """A clause with its own tense ("warned that attacks *had* increased", "agrees [that] the regime
    *kills*"): what it says is not the intention of the verb above."""
    return verb.tag_ in {"VBD", "VBZ", "VBP"} or any(c.dep_ == "aux" and c.tag_ in {"VBD", "VBZ", "VBP"}
                                                     for c in verb.children)


def _carries(verb: Token) -> bool:
    """Whether ``verb`` carries out or reports the event it governs ("launch", "hold", "report")."""
    return word(verb) in CARRY or word(verb) in lexicon.REPORTING_VERBS


def _stronger(a: str, b: str) -> str:
    return a if _RANK[a] >= _RANK[b] else b


def _own(token: Token) -> str:
    """The cues on the trigger itself: its negation, auxiliaries, adverbs and adjectives."""
    found = _tense(token)
    for child in token.children:
        lower = child.lower_
        if (child.dep_ == "det" and lower == "no") or (token.pos_ == "VERB" and _nobody(child)):
            found = _stronger(found, "Negated")
        elif child.dep_ == "amod" and lower in HEDGE_ADJECTIVES:
            found = _stronger(found, "Possible")
        elif child.dep_ in {"amod", "compound"} and lower in PLANNED_ADJECTIVES:
            found = _stronger(found, "Planned")
    return found


def _conditional(token: Token) -> bool:
    """"if attacks continue", "whether forces attacked": a clause put as a condition or a question."""
    return any(c.dep_ == "mark" and c.lower_ in {"whether", "if"} for c in token.children)


def _nobody(child: Token) -> bool:
    """"*nobody* was killed", "*no* soldiers were hurt": a subject that says none."""
    return child.dep_ in {"nsubj", "nsubjpass"} and (child.lower_ in NEGATIVE_SUBJECTS or any(
        c.dep_ == "det" and c.lower_ == "no" for c in child.children))


def _tense(token: Token) -> str:
    """Negation, modality and tense on a verb (or noun) through its ``neg``, ``aux`` and ``advmod`` children."""
    children = list(token.children)
    auxes = {c.lower_ for c in children if c.dep_ == "aux"}
    negated = any(c.dep_ == "neg" for c in children)
    if negated and word(token) in CONFIRM:
        return "Possible"
    if negated:
        return "Possible" if auxes & {"may", "might"} else "Negated"
    if auxes & HEDGE_AUX or any(c.dep_ == "advmod" and c.lower_ in HEDGE_ADVERBS for c in children):
        return "Possible"
    if "would" in auxes:
        return "Possible" if "have" in auxes else "Planned"
    if auxes & FUTURE_AUX:
        return "Planned"
    if _conditional(token):
        return "Possible"
    if word(token) == "go" and token.tag_ == "VBG" and any(c.dep_ == "xcomp" for c in children):
        return "Planned"  # "is going to launch"
    return "Asserted"


def _governing(governor: Token, below: Token) -> str:
    """The cues a word that governs the trigger (through ``below``) puts on it."""
    lemma = word(governor)
    found = _tense(governor) if below.dep_ not in _OBJECTS or _carries(governor) else "Asserted"
    if lemma in ASPECTUAL:
        return "Negated" if found == "Negated" else "Asserted"
    if lemma in DENY or any(c.dep_ == "det" and c.lower_ == "no" for c in governor.children):
        return "Negated"
    if any(c.dep_ == "amod" and c.lower_ in FALSE for c in governor.children):
        return "Negated"
    if lemma in CONFIRM and found == "Possible":
        return "Possible"
    if lemma in SPECULATE or any(c.dep_ == "acomp" and c.lower_ in DOUBT_ADJECTIVES and c is not below
                                 for c in governor.children):
        return _stronger(found, "Possible")
    if governor.pos_ in {"NOUN", "PROPN"} and any(
            c.dep_ == "amod" and c.lower_ in HEDGE_ADJECTIVES for c in governor.children):
        return _stronger(found, "Possible")
    if lemma in lexicon.REPORTING_VERBS and any(
            c.dep_ in {"nsubj", "nsubjpass"} and any(g.dep_ == "amod" and g.lower_ in HEDGE_ADJECTIVES
                                                    for g in c.children) for c in governor.children):
        return _stronger(found, "Possible")  # "unconfirmed reports said"
    if (lemma in INTEND and not _finite(below)) or (governor.pos_ in {"NOUN", "PROPN"} and any(
            c.dep_ in {"amod", "compound"} and c.lower_ in PLANNED_ADJECTIVES for c in governor.children)):
        return _stronger(found, "Planned")
    return found


Fact = TypeVar("Fact", Event, Policy, Statement)


def with_factuality(doc: Doc, fact: Fact) -> Fact:
    """``fact`` with the factuality read off its trigger (a statement's reporting verb) in ``doc``.

    kg:Planned is both a factuality and an event status, and the two agree: an event found Planned gets the
    status Planned, and one whose status alone said Planned (the extractor reads any "to" before the
    trigger so: "began to attack", "attempted to seize") is left without a status.

    Raises:
        ValueError: the trigger's offsets are not token bounds in ``doc``.
    """
    if isinstance(fact, Statement):
        return replace(fact, factuality=_read(doc, fact.verb))
    if isinstance(fact, Policy):
        return replace(fact, factuality=_read(doc, fact.trigger, policy=True))
    value = _read(doc, fact.trigger)
    status = "Planned" if value == "Planned" else None if fact.status == "Planned" else fact.status
    return replace(fact, factuality=value, status=status)


def _read(doc: Doc, span: TextSpan, *, policy: bool = False) -> str:
    found = doc.char_span(span.start, span.end)
    if found is None:
        raise ValueError(f"trigger {span.text!r} at {span.start}-{span.end} is not a span of tokens")
    return factuality(found.root, policy=policy)
