"""An article body as HTML with its mentions and evidence sentences marked, from their stored offsets.

Spans may nest (a mention inside its evidence sentence) or cross (two sentences sharing words): the
body is cut at every span boundary, and each piece is wrapped in the marks of every span covering it,
outermost (earliest start, then latest end) first. A span crossing another is closed and opened again,
so it may come as several ``<mark>`` pieces; each carries the span's own ``data-start``/``data-end``,
and only its first piece the anchor id ``m-{start}-{end}``.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from itertools import pairwise

__all__ = ["Span", "highlight"]


@dataclass(frozen=True, order=True)
class Span:
    """A mention (``entity`` set) or an evidence sentence (``entity`` None) of an article body."""

    start: int
    end: int
    entity: str | None = None

    @property
    def kind(self) -> str:
        """``mention`` or ``evidence``."""
        return "evidence" if self.entity is None else "mention"


def _open(span: Span, first: bool) -> str:
    anchor = f' id="m-{span.start}-{span.end}"' if first and span.entity is not None else ""
    entity = "" if span.entity is None else f' data-entity="{escape(span.entity)}"'
    return f'<mark class="{span.kind}"{anchor} data-start="{span.start}" data-end="{span.end}"{entity}>'


def highlight(body: str, spans: list[Span]) -> str:
    """``body`` as HTML (escaped) with each span of ``spans`` inside ``<mark>`` elements.

    Spans outside the body or empty are left out; the same span given twice is marked once.

    >>> highlight("IS hit Diyala.", [Span(0, 14), Span(0, 2, "urn:e:is"), Span(7, 13, "urn:e:diyala")])
    '<mark class="evidence" data-start="0" data-end="14"><mark class="mention" id="m-0-2" data-start="0" \
data-end="2" data-entity="urn:e:is">IS</mark> hit <mark class="mention" id="m-7-13" data-start="7" data-end="13" \
data-entity="urn:e:diyala">Diyala</mark>.</mark>'
    >>> highlight("a<b", [Span(0, 2), Span(1, 3)])
    '<mark class="evidence" data-start="0" data-end="2">a<mark class="evidence" data-start="1" data-end="3">&lt;\
</mark></mark><mark class="evidence" data-start="1" data-end="3">b</mark>'
    """
    kept = sorted({span for span in spans if 0 <= span.start < span.end <= len(body)},
                  key=lambda span: (span.start, -span.end, span.kind, span.entity or ""))
    cuts = sorted({0, len(body), *(span.start for span in kept), *(span.end for span in kept)})
    out: list[str] = []
    opened: list[Span] = []
    started: set[Span] = set()
    for left, right in pairwise(cuts):
        wanted = [span for span in kept if span.start <= left and right <= span.end]
        common = 0
        while common < min(len(opened), len(wanted)) and opened[common] == wanted[common]:
            common += 1
        out.append("</mark>" * (len(opened) - common))
        for span in wanted[common:]:
            out.append(_open(span, span not in started))
            started.add(span)
        opened = wanted
        out.append(escape(body[left:right], quote=False))
    out.append("</mark>" * len(opened))
    return "".join(out)
