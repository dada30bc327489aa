"""Reliability tables and expected calibration error (ECE) of confidences."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

BINS = 10


@dataclass(frozen=True)
class Bin:
    """One bin of a reliability table."""

    low: float
    high: float
    n: int
    confidence: float  # mean confidence
    accuracy: float


def reliability(pairs: Sequence[tuple[float, bool]], bins: int = BINS) -> list[Bin]:
    """The reliability table of (confidence, correct) pairs over ``bins`` equal-width bins of [0, 1]
    (a confidence of exactly 1 falls in the last bin)."""
    grouped: list[list[tuple[float, bool]]] = [[] for _ in range(bins)]
    for confidence, correct in pairs:
        grouped[min(bins - 1, max(0, int(confidence * bins)))].append((confidence, correct))
    out = []
    for k, items in enumerate(grouped):
        n = len(items)
        out.append(Bin(k / bins, (k + 1) / bins, n, sum(c for c, _ in items) / n if n else 0.0,
                       sum(1 for _, ok in items if ok) / n if n else 0.0))
    return out


def ece(pairs: Sequence[tuple[float, bool]], bins: int = BINS) -> float:
    """Expected calibration error: the mean over bins of |accuracy - mean confidence|, weighted by
    the share of pairs in the bin (0 for no pairs)."""
    total = len(pairs)
    if not total:
        return 0.0
    return sum(b.n / total * abs(b.accuracy - b.confidence) for b in reliability(pairs, bins))


def format_reliability(pairs: Sequence[tuple[float, bool]], title: str, bins: int = BINS) -> str:
    """ECE and the reliability table as text."""
    lines = [f"{title}: ECE {ece(pairs, bins):.3f} over {len(pairs)} predictions",
             f"  {'bin':9} {'n':>5} {'conf':>6} {'acc':>6}"]
    for b in reliability(pairs, bins):
        lines.append(f"  {b.low:.1f}-{b.high:.1f}   {b.n:5d} {b.confidence:6.3f} {b.accuracy:6.3f}" if b.n
                     else f"  {b.low:.1f}-{b.high:.1f}   {b.n:5d} {'-':>6} {'-':>6}")
    return "\n".join(lines)
