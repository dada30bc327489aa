"""Where to cut an article that is too long for the pipeline: at paragraphs, then sentences, then white space.

spaCy refuses a text longer than ``nlp.max_length`` (error E088), because the parser and NER need memory in
proportion to the text they see at once. :func:`chunk_bounds` cuts such a text into pieces that each
pipeline run can take; the pieces, put back together, are the text again, character for character, so an
offset in a piece plus the piece's start is an offset in the article. :func:`chunks` gives each piece the
whole sentences around it to be parsed with, so that the words at its edges are read as in the whole text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.language import Language

# A cut point is the end of a match: after a blank line, after a line break (kg_paragraphs starts a sentence
# there too), after a sentence's closing punctuation and the white space that follows it, or after any white
# space. Each piece keeps its trailing white space, so the next one starts at a word, as the whole text would
# have it.
_PARAGRAPH = re.compile(r"\n[^\S\n]*\n\s*")
_LINE = re.compile(r"\n\s*")
_SENTENCE = re.compile(r"[.!?][\"'”’)\]]*\s+")
_SPACE = re.compile(r"\s+")
# The pieces of a long article are no longer than a long news article, whatever the limit: nlp.pipe parses a
# batch of pieces at once, and kg's rule components take more than linear time in the length of a Doc. Measured
# on 1,000,000 characters of wire copy through nlp.pipe: pieces of 100,000 characters, 3.0 GB peak; of 10,000,
# 0.7 GB (and see benchmarks/README.md).
PIECE_LENGTH = 10_000
# The tagger and parser read a few words either side of each word, across sentences: a piece is parsed with up
# to this many characters of whole sentences before and after it, and only what starts in the piece is kept.
CONTEXT = 300
_EDGE = re.compile(r"\n\s*|[.!?][\"'”’)\]]*\s+")


def chunk_limit(nlp: Language) -> int:
    """The longest piece :func:`chunk_bounds` should cut for ``nlp``: its ``max_length``, or
    ``PIECE_LENGTH`` when that is shorter.

    >>> import spacy
    >>> nlp = spacy.blank("en")
    >>> chunk_limit(nlp)
    10000
    >>> nlp.max_length = 3000
    >>> chunk_limit(nlp)
    3000
    """
    return max(1, min(nlp.max_length, PIECE_LENGTH))


def chunk_bounds(text: str, limit: int) -> list[tuple[int, int]]:
    """``(start, end)`` of consecutive pieces of ``text``, each at most ``limit`` characters long, that
    together cover it exactly.

    A piece ends at the last paragraph break that fits, else at the last line break, else at the last
    sentence end, else at the last white space; a run of more than ``limit`` characters without white space
    is cut where the limit falls.

    >>> text = "One two.\\n\\nThree four. Five six."
    >>> [text[start:end] for start, end in chunk_bounds(text, 16)]
    ['One two.\\n\\n', 'Three four. ', 'Five six.']
    >>> chunk_bounds("abcdefg", 3)
    [(0, 3), (3, 6), (6, 7)]
    """
    limit = max(1, limit)
    bounds: list[tuple[int, int]] = []
    start = 0
    while len(text) - start > limit:
        window = text[start : start + limit]
        ends = (_last_end(pattern, window) for pattern in (_PARAGRAPH, _LINE, _SENTENCE, _SPACE))
        cut = next((end for end in ends if end), limit)
        bounds.append((start, start + cut))
        start += cut
    bounds.append((start, len(text)))
    return bounds


@dataclass(frozen=True)
class Chunk:
    """A piece of a text, ``[start, end)``, to be parsed as ``[before, after)``: with the whole sentences
    around it, up to :data:`CONTEXT` characters on each side."""

    start: int
    end: int
    before: int
    after: int


def chunks(text: str, limit: int) -> list[Chunk]:
    """The pieces of ``text`` (:func:`chunk_bounds`) with the context each is parsed with, all of it at most
    ``limit`` characters long.

    >>> chunks("Police said so. " * 300, 3000)
    [Chunk(start=0, end=2400, before=0, after=2688), Chunk(start=2400, end=4800, before=2112, after=4800)]
    """
    context = min(CONTEXT, max(1, limit) // 10)
    found: list[Chunk] = []
    for start, end in chunk_bounds(text, limit - 2 * context):
        head = _EDGE.search(text, max(0, start - context), start) if start else None
        before = head.end() if head else start
        after = end + (_last_end(_EDGE, text[end : end + context]) if end < len(text) else 0)
        found.append(Chunk(start, end, before, after))
    return found


def _last_end(pattern: re.Pattern[str], window: str) -> int:
    """Where the last match of ``pattern`` in ``window`` ends, or 0."""
    end = 0
    for match in pattern.finditer(window):
        end = match.end()
    return end
