"""Extraction rules on hand-built parses: each test builds the Doc a rule is written for (words, heads,
dependencies, tags, lemmas, entities) and checks what the rule reads off it, so that a rule is tested
without the statistical model's moods. The model-based tests (test_extract.py, test_relations.py ...)
check the same rules on real parses."""

from __future__ import annotations

import pytest
import spacy
from spacy.tokens import Doc

from kg.extract.events import find_events, trigger_class
from kg.extract.policies import find_policies
from kg.extract.relations.find import find_relations
from kg.extract.statements import find_statements
from kg.names import normalise_name
from kg.nlp.words import trigger_word

VOCAB = spacy.blank("en").vocab
NO_SPACE_BEFORE = {".", ",", "'s"}

# (word, head index, dependency, coarse POS, fine tag, lemma, entity as IOB: "B-Country", "I-Country" or "")
Row = tuple[str, int, str, str, str, str, str]


def parse(*rows: Row) -> Doc:
    """A Doc with the given parse; heads are absolute token indices, a token heading itself is a root."""
    words = [r[0] for r in rows]
    spaces = [i + 1 < len(words) and words[i + 1] not in NO_SPACE_BEFORE for i in range(len(words))]
    return Doc(VOCAB, words=words, spaces=spaces, heads=[r[1] for r in rows], deps=[r[2] for r in rows],
               pos=[r[3] for r in rows], tags=[r[4] for r in rows], lemmas=[r[5] for r in rows],
               ents=[r[6] or "O" for r in rows])


def ref(kind: str, name: str) -> tuple[str, str]:
    return (kind, normalise_name(name))


ISIS = ref("organization", "Islamic State")
KIRKUK = ref("settlement", "Kirkuk")
TURKEY = ref("country", "Turkey")
AFRIN = ref("settlement", "Afrin")


# --- events -------------------------------------------------------------------------------------------


def test_modifier_refines_the_trigger_and_conduct_verb_gives_the_agent() -> None:
    # "Islamic State launched rocket attacks on Kirkuk."
    doc = parse(
        ("Islamic", 1, "compound", "PROPN", "NNP", "Islamic", "B-ArmedGroup"),
        ("State", 2, "nsubj", "PROPN", "NNP", "State", "I-ArmedGroup"),
        ("launched", 2, "ROOT", "VERB", "VBD", "launch", ""),
        ("rocket", 4, "compound", "NOUN", "NN", "rocket", ""),
        ("attacks", 2, "dobj", "NOUN", "NNS", "attack", ""),
        ("on", 4, "prep", "ADP", "IN", "on", ""),
        ("Kirkuk", 5, "pobj", "PROPN", "NNP", "Kirkuk", "B-Settlement"),
        (".", 2, "punct", "PUNCT", ".", ".", ""),
    )
    [event] = find_events(doc, None)
    assert (event.cls, event.trigger.text) == ("RocketAttack", "rocket attacks")
    assert event.agents == (ISIS,)  # the subject of "launched", not of the noun
    assert event.targets == (KIRKUK,) and event.locations == (KIRKUK,)  # a place attacked is where it was
    assert event.status == "Ongoing"  # "launched" an attack: it has begun
    assert event.evidence.text == doc.text


@pytest.mark.parametrize(("aux", "tag", "status"), [("will", "VB", "Planned"), (None, "VBD", "Completed")])
def test_status_from_auxiliary_and_tense(aux: str | None, tag: str, status: str) -> None:
    # "Turkey will attack Afrin." / "Turkey attacked Afrin."
    rows: list[Row] = [("Turkey", 1, "nsubj", "PROPN", "NNP", "Turkey", "B-Country")]
    if aux:
        rows = [("Turkey", 2, "nsubj", "PROPN", "NNP", "Turkey", "B-Country"), (aux, 2, "aux", "AUX", "MD", aux, "")]
    verb = len(rows)
    rows += [("attack" if aux else "attacked", verb, "ROOT", "VERB", tag, "attack", ""),
             ("Afrin", verb, "dobj", "PROPN", "NNP", "Afrin", "B-Settlement"),
             (".", verb, "punct", "PUNCT", ".", ".", "")]
    [event] = find_events(parse(*rows), None)
    assert (event.cls, event.agents, event.targets, event.status) == ("Attack", (TURKEY,), (AFRIN,), status)


def test_projectile_subject_names_the_attack_of_an_impact_verb() -> None:
    # "Rockets struck Kirkuk.": "struck" alone is no trigger; the rockets make it a rocket attack
    doc = parse(
        ("Rockets", 1, "nsubj", "NOUN", "NNS", "rocket", ""),
        ("struck", 1, "ROOT", "VERB", "VBD", "strike", ""),
        ("Kirkuk", 1, "dobj", "PROPN", "NNP", "Kirkuk", "B-Settlement"),
        (".", 1, "punct", "PUNCT", ".", ".", ""),
    )
    assert trigger_class(doc[0]) is None
    [event] = find_events(doc, None)
    assert (event.cls, event.trigger.text, event.targets) == ("RocketAttack", "struck", (KIRKUK,))


def test_bare_strike_needs_a_modifier_or_an_aim() -> None:
    # "strike" is Airstrike only when something says so: "air strike", "strikes against X", "conducted strikes"
    doc = parse(
        ("The", 1, "det", "DET", "DT", "the", ""),
        ("strike", 1, "ROOT", "NOUN", "NN", "strike", ""),
        ("air", 3, "compound", "NOUN", "NN", "air", ""),
        ("strike", 3, "ROOT", "NOUN", "NN", "strike", ""),
    )
    assert trigger_class(doc[1]) is None
    found = trigger_class(doc[3])
    assert found is not None and found[0] == "Airstrike" and found[1].text == "air strike"


@pytest.mark.parametrize(("lemma", "tag", "expected"), [
    ("attacks", "NNPS", "attack"), ("clashes", "NNPS", "clash"), ("casualties", "NNPS", "casualty"),
    ("elections", "NNPS", "elections"),
    ("attacks", "NNS", "attacks")])
def test_trigger_word_singularises_headline_proper_noun_plurals_only(lemma: str, tag: str, expected: str) -> None:
    doc = Doc(VOCAB, words=[lemma.title()], tags=[tag], lemmas=[lemma])
    assert trigger_word(doc[0]) == expected


# --- policies -----------------------------------------------------------------------------------------


def eu_sanctions(verb: str, lemma: str, modal: str | None) -> Doc:
    """ "The EU [modal] <verb> sanctions on Syria." """
    rows: list[Row] = [("The", 1, "det", "DET", "DT", "the", ""),
                       ("EU", 3 if modal else 2, "nsubj", "PROPN", "NNP", "EU", "B-InternationalOrganization")]
    if modal:
        rows.append((modal, 3, "aux", "AUX", "MD", modal, ""))
    v = len(rows)
    rows += [(verb, v, "ROOT", "VERB", "VB" if modal else "VBD", lemma, ""),
             ("sanctions", v, "dobj", "NOUN", "NNS", "sanction", ""),
             ("on", v + 1, "prep", "ADP", "IN", "on", ""),
             ("Syria", v + 2, "pobj", "PROPN", "NNP", "Syria", "B-Country"),
             (".", v, "punct", "PUNCT", ".", ".", "")]
    return parse(*rows)


def test_policy_in_force_with_issuer_from_the_sentence_and_target_from_on() -> None:
    [policy] = find_policies(eu_sanctions("imposed", "impose", None), None)
    assert (policy.cls, policy.status, policy.proposed_change) == ("Sanction", "InForce", None)
    assert policy.issuers == (ref("organization", "EU"),)
    assert policy.targets == (ref("country", "Syria"),)


def test_modal_change_makes_a_proposal() -> None:
    [policy] = find_policies(eu_sanctions("lift", "lift", "could"), None)
    assert (policy.status, policy.proposed_change) == ("Proposed", "Lifted")
    assert policy.targets == (ref("country", "Syria"),)


# --- statements ---------------------------------------------------------------------------------------


def test_speaker_is_the_named_subject_then_a_pronoun_takes_the_last_person() -> None:
    # "Omar Haddad said the town fell. He said the dam held."
    doc = parse(
        ("Omar", 1, "compound", "PROPN", "NNP", "Omar", "B-Person"),
        ("Haddad", 2, "nsubj", "PROPN", "NNP", "Haddad", "I-Person"),
        ("said", 2, "ROOT", "VERB", "VBD", "say", ""),
        ("the", 4, "det", "DET", "DT", "the", ""),
        ("town", 5, "nsubj", "NOUN", "NN", "town", ""),
        ("fell", 2, "ccomp", "VERB", "VBD", "fall", ""),
        (".", 2, "punct", "PUNCT", ".", ".", ""),
        ("He", 8, "nsubj", "PRON", "PRP", "he", ""),
        ("said", 8, "ROOT", "VERB", "VBD", "say", ""),
        ("the", 10, "det", "DET", "DT", "the", ""),
        ("dam", 11, "nsubj", "NOUN", "NN", "dam", ""),
        ("held", 8, "ccomp", "VERB", "VBD", "hold", ""),
        (".", 8, "punct", "PUNCT", ".", ".", ""),
    )
    first, second = find_statements(doc, None)
    haddad = ref("person", "Omar Haddad")
    assert (first.speaker, first.verb.text, first.quote.text, first.confidence) == (
        haddad, "said", "the town fell", 0.75)  # named, but no quotation marks
    assert (second.speaker, second.quote.text, second.confidence) == (haddad, "the dam held", 0.6)


# --- relations ----------------------------------------------------------------------------------------


def triples(doc: Doc) -> set[tuple[tuple[str, str], str, tuple[str, str] | None]]:
    return {(r.subject, r.predicate, r.object) for r in find_relations(doc)}


def test_include_verb_lists_members_of_the_subject_group() -> None:
    # "Coalition partners include Jordan and France."
    doc = parse(
        ("Coalition", 1, "compound", "PROPN", "NNP", "Coalition", "B-InternationalOrganization"),
        ("partners", 2, "nsubj", "NOUN", "NNS", "partner", ""),
        ("include", 2, "ROOT", "VERB", "VBP", "include", ""),
        ("Jordan", 2, "dobj", "PROPN", "NNP", "Jordan", "B-Country"),
        ("and", 3, "cc", "CCONJ", "CC", "and", ""),
        ("France", 3, "conj", "PROPN", "NNP", "France", "B-Country"),
        (".", 2, "punct", "PUNCT", ".", ".", ""),
    )
    coalition = ref("organization", "Coalition")
    assert {(ref("country", "Jordan"), "memberOf", coalition),
            (ref("country", "France"), "memberOf", coalition)} <= triples(doc)


def test_passive_capture_by_an_armed_group_is_control() -> None:
    # "Kirkuk was captured by Islamic State."
    doc = parse(
        ("Kirkuk", 2, "nsubjpass", "PROPN", "NNP", "Kirkuk", "B-Settlement"),
        ("was", 2, "auxpass", "AUX", "VBD", "be", ""),
        ("captured", 2, "ROOT", "VERB", "VBN", "capture", ""),
        ("by", 2, "agent", "ADP", "IN", "by", ""),
        ("Islamic", 5, "compound", "PROPN", "NNP", "Islamic", "B-ArmedGroup"),
        ("State", 3, "pobj", "PROPN", "NNP", "State", "I-ArmedGroup"),
        (".", 2, "punct", "PUNCT", ".", ".", ""),
    )
    assert (ISIS, "controls", KIRKUK) in triples(doc)


def test_strikes_against_a_group_make_the_subject_oppose_it() -> None:
    # "The SDF conducted strikes against Islamic State."
    doc = parse(
        ("The", 1, "det", "DET", "DT", "the", ""),
        ("SDF", 2, "nsubj", "PROPN", "NNP", "SDF", "B-ArmedGroup"),
        ("conducted", 2, "ROOT", "VERB", "VBD", "conduct", ""),
        ("strikes", 2, "dobj", "NOUN", "NNS", "strike", ""),
        ("against", 3, "prep", "ADP", "IN", "against", ""),
        ("Islamic", 6, "compound", "PROPN", "NNP", "Islamic", "B-ArmedGroup"),
        ("State", 4, "pobj", "PROPN", "NNP", "State", "I-ArmedGroup"),
        (".", 2, "punct", "PUNCT", ".", ".", ""),
    )
    assert (ref("organization", "SDF"), "opposes", ISIS) in triples(doc)
    [event] = find_events(doc, None)  # and the strikes, aimed at someone, are airstrikes by the SDF
    assert (event.cls, event.agents, event.targets) == ("Airstrike", (ref("organization", "SDF"),), (ISIS,))
