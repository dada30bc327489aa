"""Name normalisation: the key a name is identified by, and IRI-safe slugs of it."""

from __future__ import annotations

import hashlib
import re
import unicodedata

_NON_SLUG = re.compile(r"[^a-z0-9]+")
_LEADING_ARTICLE = re.compile(r"^(the|a|an)\s+", re.I)
_QUOTES = str.maketrans({"’": "'", "‘": "'", "`": "'", "‐": "-", "‑": "-", "–": "-", "—": "-"})


def normalise_name(name: str) -> str:
    """The key a name is identified by: no leading article, no diacritics, case-folded, single spaces.

    >>> normalise_name("the  Popular Mobilization Forces")
    'popular mobilization forces'
    >>> normalise_name("Kirkūk") == normalise_name("Kirkuk")
    True
    """
    text = unicodedata.normalize("NFKD", name.translate(_QUOTES))
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
    readable = _NON_SLUG.sub("-", ascii_key).strip("-")[:60].rstrip("-")
    if readable and ascii_key.isascii() and len(readable) >= len(key) // 2:
        return readable
    return (readable + "-" if readable else "h") + hashlib.sha1(key.encode("utf-8")).hexdigest()[:12]
