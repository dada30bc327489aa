"""Where to cut an article that is too long for the pipeline: at paragraphs, then sentences, then white space.

spaCy refuses a text longer than ``nlp.max_length`` (error E088), because the parser and NER need memory in
proportion to the text they see at once. :func:`chunk_bounds` cuts such a text into pieces that each
pipeline run can take; the pieces, put back together, are the text again, character for character, so an
offset in a piece plus the piece's start is an offset in the article.
"""

from __future__ import annotations

import re

from spacy.language import Language

# A cut point is the end of a match: after a blank line, after a line break (kg_paragraphs starts a sentence
# there too), after a sentence's closing punctuation and the white space that follows it, or after any white
# space. Each piece keeps its trailing white space, so the
# next one starts at a word, as the whole text would have it.
_PARAGRAPH = re.compile(r"\n[^\S\n]*\n\s*")
_LINE = re.compile(r"\n\s*")
_SENTENCE = re.compile(r"[.!?][\"'”’)\]]*\s+")
_SPACE = re.compile(r"\s+")
# The pieces of a long article are no longer than a long news article, whatever the limit: nlp.pipe parses a
# batch of pieces at once, and kg's rule components take more than linear time in the length of a Doc. Measured
# on 1,000,000 characters of wire copy: pieces of 100,000 characters, 3.0 GB peak and 185 s; of 10,000, 0.7 GB
# and 158 s (benchmarks/README.md).
PIECE_LENGTH = 10_000


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


def _last_end(pattern: re.Pattern[str], window: str) -> int:
    """Where the last match of ``pattern`` in ``window`` ends, or 0."""
    end = 0
    for match in pattern.finditer(window):
        end = match.end()
    return end
