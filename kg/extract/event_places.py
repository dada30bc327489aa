"""Where an attack happened when the parse does not say: the words around its trigger.

News headlines ("Casualties in Aleppo and Daraa", "Raids target the outskirts of al-Dumayr",
"Bombardment kills 3 in Douma") are often mis-parsed by small statistical models (verbs tagged as
nouns, places attached to the wrong word). These rules read the surface instead: a place that
follows the trigger after a locative preposition or a targeting verb within the same clause, a
place that names the fighting ("Manbij clashes"), or a place that "witnesses" it.
"""

from __future__ import annotations

from spacy.tokens import Span, Token

from kg.extract.spans import entity_of
from kg.model import LOCATION_CLASSES
from kg.nlp.words import COMPASS_POINTS, LOCATIVE_PREPS, aims_at

# how far after a trigger a place may stand (tokens), and where a clause ends for this purpose
WINDOW = 16
_STOPS = frozenset({";", ":", "(", ")", "|", "…", "—", "\n", "\n\n", "?", "!", "."})
# read off the surface after a trigger: "an attack on X", "strikes over X", "the shelling of X" ("of" only
# where the trigger is the place's, see _place_of)
_LOCATIVE = LOCATIVE_PREPS | {"on", "around", "outside", "into", "across", "throughout", "of", "over", "upon",
                              "toward", "towards"}
_AGENT_PREPS = frozenset({"by", "with", "against"})
# what may stand between the places of one list ("in Aleppo city and Daraa countryside")
_PLACE_WORDS = frozenset({"city", "town", "village", "villages", "countryside", "province", "governorate", "area",
                          "areas", "outskirts", "neighbourhood", "neighborhood", "district", "vicinity", "capital",
                          "suburbs", "surroundings", "part", "parts", "center", "centre", "entrance"}) | COMPASS_POINTS
_LIST_WORDS = _PLACE_WORDS | {",", "and", "or", "&", "the", "its", "-", "'s", "’s", "northern", "southern",
                              "eastern", "western"}
# verbs whose subject's place is where the harm they report happened ("fire in X kills", "X in Y leaves 12 dead")
_CAUSING = frozenset({"kill", "wound", "injure", "hit", "cause", "leave", "claim", "raise"})
_WITNESS = frozenset({"witness", "see", "experience", "suffer", "endure", "host"})
# the forms a mis-tagged headline verb keeps ("witnesses" as a plural noun)
_WITNESS_FORMS = frozenset({"witnesses", "witnessed", "witnessing", "sees", "saw", "experiences", "experienced",
                            "suffers", "suffered", "hosts", "hosted"})


def surface_places(trigger: Token) -> list[Span]:
    """Places the text around ``trigger`` gives for it (empty when none)."""
    found = _before(trigger) + _witnessed(trigger) + _after(trigger)
    out: dict[int, Span] = {}
    for span in found:
        out.setdefault(span.start, span)
    return [out[k] for k in sorted(out)]


def _location(token: Token) -> Span | None:
    ent = entity_of(token)
    return ent if ent is not None and ent.label_ in LOCATION_CLASSES else None


def _before(trigger: Token) -> list[Span]:
    """"Manbij clashes", "Aleppo's shelling": the place written as a modifier of the trigger noun; in a
    headline's noun stack it may stand before other modifiers ("Mosul car bomb", "Kirkuk checkpoint attack")."""
    if trigger.pos_ == "VERB" or trigger.i == 0:
        return []
    doc = trigger.doc
    previous = doc[trigger.i - 1]
    if previous.lower_ in {"'s", "’s"} and trigger.i > 1:
        previous = doc[trigger.i - 2]
    # the stack may go on past the trigger ("Kandahar mosque blast toll"): its first words are the trigger's too
    beyond = _stack(trigger.head) if trigger.dep_ == "compound" else []
    stacked = [t for t in (*_stack(trigger), *beyond) if t.i < previous.i]
    found = [ent for t in (previous, *stacked) if (ent := _location(t)) is not None and ent.label_ != "Country"]
    return found[:1]


def _stack(noun: Token) -> list[Token]:
    """The words stacked before a noun as its modifiers, and theirs ("Ramadi roadside bomb")."""
    found: list[Token] = []
    for child in noun.lefts:
        if child.dep_ in {"compound", "nmod", "amod"}:
            found += [child, *_stack(child)]
    return found


def fallback_places(trigger: Token) -> list[Span]:
    """Places for an event that no words of its own place: those of the words it hangs from, else the
    line's dateline."""
    return governing_places(trigger) or dateline_places(trigger)


def governing_places(trigger: Token) -> list[Span]:
    """"Calm returns to X after clashes", "sniper fire in X kills a child", "civilians in X executed",
    "operations in X leave 12 dead", "opened fire on a wedding in X, killing eleven", "operations go on in X
    and kill 7": where the words that the event hangs from happened."""
    head = trigger.head
    if trigger.dep_ == "pobj" and head.lower_ in {"after", "following"}:
        roots = [c for c in head.head.children if c.dep_ in {"prep", "dobj"} and c is not head]
    elif trigger.dep_ == "advcl" and trigger.tag_ == "VBG":
        roots = [c for c in head.children if c.dep_ in {"prep", "dobj"}]
    else:
        verb = trigger if trigger.pos_ == "VERB" else head if trigger.dep_ in {"dobj", "oprd", "ccomp"} else None
        if verb is None or (verb is not trigger and verb.lemma_ not in _CAUSING):
            return []
        # the doer or the victims, where they are ("a militiaman loyal to the regime in X kills ...")
        roots = [p for c in verb.children if c.dep_ in {"nsubj", "nsubjpass"} and entity_of(c) is None
                 for p in c.subtree if p.dep_ == "prep" and p.lower_ in LOCATIVE_PREPS]
        if not roots and verb.dep_ == "conj" and verb.head.pos_ == "VERB":
            roots = [c for c in verb.head.children if c.dep_ == "prep" and c.lower_ in LOCATIVE_PREPS]
    return [e for root in roots for t in root.subtree if (e := _location(t)) is not None and e.start == t.i]


def dateline_places(trigger: Token) -> list[Span]:
    """"Kabul: suicide blast kills 8", "MOSUL, Iraq - ...": the place a line opens with, before a colon
    or a dash, where wire copy says what happened."""
    doc = trigger.doc
    start = trigger.i
    while start > 0 and "\n" not in doc[start - 1].text:
        start -= 1
    first = _location(doc[start])
    if first is None:
        return []
    i = first.end
    if i + 1 < trigger.i and doc[i].text == "," and (country := _location(doc[i + 1])) is not None:
        i = country.end
    return [first] if i < trigger.i and doc[i].text in {":", "-", "—", "–"} else []


def _witnessed(trigger: Token) -> list[Span]:
    """"Jabal al-Akrad witnesses heavy clashes", "X witnesses a new round of fighting": the places
    before a witnessing verb that the trigger follows (read off the surface: headlines parse badly)."""
    doc = trigger.doc
    verb = next((t for t in reversed(doc[max(0, trigger.i - 8) : trigger.i]) if _witnessing(t)), None)
    if verb is None or any(t.text in _STOPS for t in doc[verb.i : trigger.i]):
        return []
    found: list[Span] = []
    for token in reversed(doc[max(0, verb.i - WINDOW) : verb.i]):
        if token.text in _STOPS or (token.is_space and "\n" in token.text):
            break
        ent = _location(token)
        if ent is not None and ent not in found:
            found.append(ent)
    return found


def _witnessing(token: Token) -> bool:
    return token.lemma_.lower() in _WITNESS or token.lower_ in _WITNESS_FORMS


def _after(trigger: Token) -> list[Span]:
    """Places after a locative preposition or a targeting verb, up to the end of the clause."""
    doc = trigger.doc
    opened = aims_at(trigger)
    found: list[Span] = []
    i = trigger.i + 1
    # bounded by punctuation, not by the parser's sentences: it splits headlines ("targets | Aleppo")
    while i < min(len(doc), trigger.i + 1 + WINDOW):
        token = doc[i]
        if token.text in _STOPS or (token.is_space and "\n" in token.text):
            break
        ent = _location(token)
        if ent is not None:
            if opened:
                found.append(ent)
            i = ent.end
            continue
        if token.lower_ in _AGENT_PREPS or (token.pos_ in {"VERB", "AUX"} and not aims_at(token)):
            opened = False  # "raid by US forces", "strikes in Iraq include Australia": not where it happened
        elif (token.lower_ in _LOCATIVE and (token.lower_ != "of" or _place_of(token, trigger))) or aims_at(token):
            opened = True
        elif found and token.lower_ not in _LIST_WORDS:
            opened = False  # "in Aleppo and Daraa countryside, the factions": the list of places has ended
        i += 1
    return found




def _place_of(of: Token, trigger: Token) -> bool:
    """"shelling of Aleppo", "the countryside of Idlib", "south of Damascus" - but not "forces of Russia"."""
    previous = of.nbor(-1)
    return previous.i == trigger.i or previous.lower_ in _PLACE_WORDS
