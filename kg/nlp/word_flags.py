"""Word tests of token patterns, computed once per word of the vocabulary instead of once per token.

spaCy's ``Matcher`` runs an ``IN``, ``NOT_IN`` or ``REGEX`` test as a Python call on each token, for each
pattern that could start there, in each Doc. A test of the word alone (its ``TEXT`` or ``LOWER``) has
the same answer for every token of that word, so :func:`with_word_flags` turns the first token's tests
into one lexeme flag (``Vocab.add_flag``): spaCy computes it when a word enters the vocabulary, and the
matcher checks it in C. The patterns match exactly what they matched before.

>>> import spacy
>>> from spacy.matcher import Matcher
>>> nlp = spacy.blank("en")
>>> pattern = [{"LOWER": {"IN": ["iraqi", "syrian"]}}, {"LOWER": "army"}]
>>> flagged = with_word_flags(nlp.vocab, [{"label": "SecurityForce", "pattern": pattern}])
>>> flagged[0]["pattern"]
[{'FLAG19': True}, {'LOWER': 'army'}]
>>> matcher = Matcher(nlp.vocab, validate=False)
>>> matcher.add("SecurityForce", [flagged[0]["pattern"]])
>>> doc = nlp.make_doc("The SYRIAN army and the Iraqi army")
>>> [doc[start:end].text for _, start, end in matcher(doc)]
['SYRIAN army', 'Iraqi army']
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from spacy.attrs import FLAG19, LOWER
from spacy.vocab import Vocab

# the bits below FLAG19 are spaCy's own lexical attributes (IS_ALPHA ... IS_OOV, partly unused but reserved)
_FIRST_FLAG, _LAST_FLAG = int(FLAG19), 63
_WORD_ATTRS = {"TEXT": "ORTH", "ORTH": "ORTH", "LOWER": "LOWER"}
_WORD_OPS = frozenset({"IN", "NOT_IN", "REGEX"})


@dataclass(frozen=True)
class WordTest:
    """All of a token spec's ``IN``/``NOT_IN``/``REGEX`` tests of the word, as spaCy's matcher runs them."""

    tests: tuple[tuple[str, str, Any], ...]  # (ORTH or LOWER, operator, frozenset or compiled regex)
    lower: Callable[[str], str]  # the vocabulary's own LOWER, so that a flag agrees with the token's lower_

    def __call__(self, text: str) -> bool:
        for attr, op, operand in self.tests:
            value = self.lower(text) if attr == "LOWER" else text
            if (op == "IN" and value not in operand) or (op == "NOT_IN" and value in operand):
                return False
            if op == "REGEX" and not operand.search(value):
                return False
        return True


def with_word_flags(vocab: Vocab, patterns: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Entity-ruler ``patterns`` with the word tests of each token pattern's first token made a flag.

    Only the first token: the matcher tests it at every token of every Doc, the later ones only where a
    match has begun. A ruler given these patterns must not validate them, as the entity ruler does not by
    default: spaCy's pattern schema does not list the ``FLAG`` attributes that its matcher reads.

    Raises:
        ValueError: the vocabulary has no free flag left.
    """
    flagged: list[dict[str, Any]] = []
    for entry in patterns:
        pattern = entry["pattern"]
        if isinstance(pattern, list) and pattern:
            entry = {**entry, "pattern": [_flagged(vocab, pattern[0]), *pattern[1:]]}
        flagged.append(entry)
    return flagged


def _flagged(vocab: Vocab, spec: dict[str, Any]) -> dict[str, Any]:
    tests: list[tuple[str, str, Any]] = []
    rest: dict[str, Any] = {}
    for key, value in spec.items():
        attr = _WORD_ATTRS.get(key.upper())
        if attr is not None and isinstance(value, dict) and value.keys() <= _WORD_OPS and all(
                isinstance(operand, str) if op == "REGEX" else all(isinstance(v, str) for v in operand)
                for op, operand in value.items()):
            tests += [(attr, op, re.compile(operand) if op == "REGEX" else frozenset(operand))
                      for op, operand in sorted(value.items())]
        else:
            rest[key] = value
    if not tests:
        return spec
    return {**rest, f"FLAG{_flag(vocab, WordTest(tuple(tests), _getters(vocab)[LOWER]))}": True}


def _flag(vocab: Vocab, test: WordTest) -> int:
    """The flag of ``test`` in ``vocab``: the one already set for an equal test, else a new one."""
    getters = _getters(vocab)
    for bit in range(_FIRST_FLAG, _LAST_FLAG + 1):
        if getters.get(bit) == test:
            return bit
    for bit in range(_FIRST_FLAG, _LAST_FLAG + 1):
        if bit not in getters:
            return int(vocab.add_flag(test, bit))
    raise ValueError(f"no free lexeme flag left for {test.tests!r}: the vocabulary has {len(getters)} attribute "
                     "getters - use fewer distinct first-token tests in the patterns")


def _getters(vocab: Vocab) -> dict[int, Callable[[str], Any]]:
    """The vocabulary's lexical attribute getters, by attribute id (spaCy's type stub leaves them out)."""
    getters: dict[int, Callable[[str], Any]] = cast(Any, vocab).lex_attr_getters
    return getters
