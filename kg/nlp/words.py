"""Word-level helpers shared by the components and the extractors: trigger lemmas, aiming words."""

from __future__ import annotations

from spacy.tokens import Token

from kg.nlp import lexicon

_LEMMA_FIXES = {"hopes": "hope", "hoped": "hope", "hoping": "hope"}

# Closed-class words that rules of both the components and the extractors use, each kept once.
# compass points ("north of Raqqa", "the city of X, east of Y")
COMPASS_POINTS = frozenset({"north", "south", "east", "west", "northeast", "northwest", "southeast", "southwest"})
# ordinal words that number a military unit ("Fifth Division"); "3rd", "321st" are matched by their shape
ORDINAL_WORDS = frozenset({"first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
                           "tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth",
                           "seventeenth", "eighteenth"})
# nouns that make a capitalised or numbered name a military formation ("Fifth Division", "Brigade 52")
UNIT_WORDS = frozenset({"brigade", "brigrade", "division", "battalion", "regiment", "corps", "squadron", "fleet",
                        "wing"})
# prepositions of place that every place rule accepts ("in Mosul", "at the base", "near Kirkuk", "inside
# Syria"); each rule adds the ones its slot allows, with the reason beside it
LOCATIVE_PREPS = frozenset({"in", "at", "near", "inside"})


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
