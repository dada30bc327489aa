"""Word-level helpers shared by the components and the extractors: trigger lemmas, aiming words."""

from __future__ import annotations

from spacy.tokens import Token

from kg.nlp import lexicon

_LEMMA_FIXES = {"hopes": "hope", "hoped": "hope", "hoping": "hope"}


def trigger_word(token: Token) -> str:
    """The lemma a trigger is looked up by; a title-case headline word the model took for a proper noun
    ("Attacks", "Casualties") is reduced to its singular by rule."""
    lemma = token.lemma_.lower()
    if token.tag_ != "NNPS" or lemma in lexicon.EVENT_TRIGGERS:
        return lemma
    for plural, single in (("ies", "y"), ("shes", "sh"), ("s", "")):
        if lemma.endswith(plural) and lemma[: -len(plural)] + single in lexicon.EVENT_TRIGGERS:
            return lemma[: -len(plural)] + single
    return lemma


def word(token: Token) -> str:
    """The lemma of a token, with the pipeline's known lemmatizer slips fixed ("hopes" -> "hope")."""
    return _LEMMA_FIXES.get(token.lower_, token.lemma_.lower())


# verbs (in any inflection or tag) whose object is the place attacked
_AIMED = frozenset({"target", "hit", "shell", "bomb", "bombard", "strike", "rock", "storm", "pound", "besiege",
                    "raid", "shake", "attack", "burn", "blast"})


def aims_at(token: Token) -> bool:
    """"targets", "shelling", "Bombing": a word of aiming at a place, whatever tag the model gave it."""
    lemma = token.lemma_.lower()
    return lemma in _AIMED or (lemma.endswith("ing") and lemma[:-3] in _AIMED) or token.lower_.rstrip("s") in _AIMED
