"""Name normalisation: the key a name is identified by, IRI-safe slugs of it, and counted nouns for messages."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import lru_cache

_NON_SLUG = re.compile(r"[^a-z0-9]+")
_LEADING_ARTICLE = re.compile(r"^(the|a|an)\s+", re.I)
_QUOTES = str.maketrans({"’": "'", "‘": "'", "`": "'", "‐": "-", "‑": "-", "–": "-", "—": "-"})
# no part of a name: emoji and other symbols (™ ®), controls, invisible formatting (zero-width joiner,
# right-to-left mark), private-use and unassigned code points
_NOISE = frozenset({"So", "Sk", "Cc", "Cf", "Co", "Cn", "Cs"})
# around a name: the noise, spaces, a hashtag's or handle's sign, and emoji variation selectors
_EDGE = frozenset("#@\ufe0e\ufe0f")


def _noise(char: str) -> bool:
    return unicodedata.category(char) in _NOISE


def _edge(char: str) -> bool:
    return char in _EDGE or unicodedata.category(char)[0] in "CZ" or _noise(char)


def clean_name(text: str) -> str:
    """A name as written, without the symbols, emoji and invisible characters around it.

    >>> clean_name("#Mosul🔥 ")
    'Mosul'
    >>> clean_name("\u200fAli Hassan 🙏")
    'Ali Hassan'
    """
    start, end = 0, len(text)
    while start < end and _edge(text[start]):
        start += 1
    while end > start and _edge(text[end - 1]):
        end -= 1
    return text[start:end]


@lru_cache(maxsize=65536)  # the same names come back in every sentence and article
def normalise_name(name: str) -> str:
    """The key a name is identified by: no leading article, no diacritics, case-folded, single spaces,
    and no symbols, emoji or invisible characters.

    >>> normalise_name("the  Popular Mobilization Forces")
    'popular mobilization forces'
    >>> normalise_name("Kirkūk") == normalise_name("Kirkuk") == normalise_name("Kirkuk™") == normalise_name("#Kirkuk")
    True
    """
    visible = "".join(c for c in clean_name(name.translate(_QUOTES)) if unicodedata.category(c) != "Cf")
    text = "".join(" " if _noise(c) else c for c in visible)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = " ".join(text.split())
    return _LEADING_ARTICLE.sub("", text).casefold()


def slug(key: str) -> str:
    """A readable, IRI-safe form of a key; a hash when nothing readable is left.

    >>> slug("hayat tahrir al-sham")
    'hayat-tahrir-al-sham'
    >>> slug("داعش").startswith("h")
    True
    """
    ascii_key = unicodedata.normalize("NFKD", key).encode("ascii", "ignore").decode("ascii").lower()
    whole = _NON_SLUG.sub("-", ascii_key).strip("-")
    readable = whole[:60].rstrip("-")
    # only a key the slug keeps every letter and digit of, up to case, may go without a hash: two keys
    # then share a slug only when they differ in spaces and punctuation
    if readable and readable == whole and key.isascii():
        return readable
    return (readable + "-" if readable else "h") + hashlib.sha1(key.encode("utf-8")).hexdigest()[:12]


def counted(number: int, noun: str, plural: str | None = None) -> str:
    """``number`` and ``noun``, plural unless one: the one way kg's messages count things.

    >>> counted(1, "file"), counted(2, "file"), counted(0, "entity", "entities")
    ('1 file', '2 files', '0 entities')
    """
    return f"{number} {noun if number == 1 else plural or noun + 's'}"
