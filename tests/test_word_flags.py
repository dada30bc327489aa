"""Word tests of a pattern's first token as lexeme flags: the same matches as the tests themselves."""

from __future__ import annotations

import pickle
from typing import Any

import pytest
import spacy
from spacy.language import Language

from kg.nlp.word_flags import with_word_flags

PATTERNS: list[dict[str, Any]] = [
    {"label": "Force", "pattern": [{"TEXT": {"IN": ["Iraqi", "Syrian"]}}, {"LOWER": "army"}]},
    {"label": "Force", "pattern": [{"LOWER": {"IN": ["fifth", "ninth"]}}, {"LOWER": "division"}]},
    {"label": "Place", "pattern": [{"TEXT": {"REGEX": r"^[A-Z]\w*$"}, "LOWER": {"NOT_IN": ["the", "in"]}},
                                   {"LOWER": "valley"}]},
    {"label": "Body", "pattern": [{"LOWER": "federal", "OP": "?"}, {"LOWER": "government"}]},
    {"label": "Body", "pattern": "Security Council"},
]
TEXT = ("The Syrian army and the SYRIAN army met the Fifth Division and the ninth division in Hamrin Valley, "
        "not in The valley nor In valley; the federal government and the Security Council said nothing.")


def _ents(nlp: Language, patterns: list[dict[str, Any]]) -> list[tuple[str, str]]:
    nlp.add_pipe("entity_ruler").add_patterns(patterns)  # type: ignore[attr-defined]
    return [(e.text, e.label_) for e in nlp(TEXT).ents]


def test_flagged_patterns_match_what_the_tests_match() -> None:
    nlp = spacy.blank("en")
    nlp.make_doc("Iraqi Syrian Fifth")  # some words are in the vocabulary before the flags, most come after
    flagged = with_word_flags(nlp.vocab, PATTERNS)
    assert all("FLAG" in str(entry["pattern"][0]) for entry in flagged[:3])
    assert _ents(nlp, flagged) == _ents(spacy.blank("en"), PATTERNS) == [
        ("Syrian army", "Force"), ("Fifth Division", "Force"), ("ninth division", "Force"),
        ("Hamrin Valley", "Place"), ("federal government", "Body"), ("Security Council", "Body")]


def test_the_flags_survive_pickling() -> None:
    """A pipeline sent to another process (spawned workers, a cluster) is pickled: its vocabulary must
    still compute the flags for the words it meets there."""
    nlp = spacy.blank("en")
    nlp.add_pipe("entity_ruler").add_patterns(with_word_flags(nlp.vocab, PATTERNS))  # type: ignore[attr-defined]
    copy: Language = pickle.loads(pickle.dumps(nlp))
    found = [(e.text, e.label_) for e in copy(TEXT + " The Iraqi army left.").ents]
    assert found == [(e.text, e.label_) for e in nlp(TEXT + " The Iraqi army left.").ents]
    assert ("Iraqi army", "Force") in found


def test_an_equal_test_reuses_its_flag() -> None:
    nlp = spacy.blank("en")
    first = with_word_flags(nlp.vocab, PATTERNS[:1])[0]["pattern"][0]
    again = with_word_flags(nlp.vocab, PATTERNS[:2])
    assert again[0]["pattern"][0] == first
    assert again[1]["pattern"][0] != first


def test_no_free_flag_is_an_error() -> None:
    nlp = spacy.blank("en")
    many = [{"label": "X", "pattern": [{"TEXT": {"IN": [f"word{i}"]}}]} for i in range(64)]
    with pytest.raises(ValueError, match="no free lexeme flag left"):
        with_word_flags(nlp.vocab, many)
