"""Score kg against public gold data. ``elevant``: Wikidata links on ELEVANT JSON Lines.

ELEVANT records are ``{id, title, text, evaluation_span: [start, end], labels: [{span: [s, e],
entity_id: "Q..." | "<NIL>", name, type}]}``; only mentions inside the evaluation span are annotated.
kg extracts and links each text and scores its linked mentions that overlap a gold span:

- precision = correct QIDs / QIDs kg gave on gold spans (a QID on a NIL span is wrong);
- recall = correct QIDs / gold spans with a QID;
- NIL accuracy = gold NIL spans kg left unlinked (or did not mark) / gold NIL spans.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from spacy.language import Language

from kg.errors import InputError
from kg.extract.from_doc import extract
from kg.link.linker import Linker
from kg.model import Article


@dataclass
class LinkScore:
    """Counts behind the link scores."""

    documents: int = 0
    gold: int = 0  # gold spans with a QID
    gold_nil: int = 0
    predicted: int = 0  # kg's QIDs on gold spans
    correct: int = 0
    nil_kept: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        """Correct QIDs among those kg gave on gold spans."""
        return self.correct / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        """Gold QIDs kg found."""
        return self.correct / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, object]:
        """Scores and counts, for ``--format json``."""
        return {"documents": self.documents, "gold": self.gold, "gold_nil": self.gold_nil,
                "predicted": self.predicted, "correct": self.correct, "precision": round(self.precision, 4),
                "recall": round(self.recall, 4), "f1": round(self.f1, 4),
                "nil_accuracy": round(self.nil_kept / self.gold_nil, 4) if self.gold_nil else None,
                "wrong": self.errors}


def read_elevant(path: Path) -> Iterator[tuple[Article, tuple[int, int], list[tuple[int, int, str, str]]]]:
    """(article, evaluation span, gold labels as (start, end, QID or "<NIL>", name)) per JSONL record.

    Raises:
        InputError: a line is not an ELEVANT record.
    """
    try:
        stream = path.open(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror}) - check the path") from None
    with stream:
        for number, line in enumerate(stream, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                span = (int(record["evaluation_span"][0]), int(record["evaluation_span"][1]))
                labels = [(int(lab["span"][0]), int(lab["span"][1]), str(lab["entity_id"]), str(lab.get("name", "")))
                          for lab in record["labels"]]
                article = Article(id=str(record["id"]), text=str(record["text"]), title=record.get("title"),
                                  origin=f"{path}: line {number}")
            except (ValueError, KeyError, TypeError, IndexError) as exc:
                raise InputError(f"{path}: line {number}: not an ELEVANT record ({exc!r}) - expected "
                                 "text, evaluation_span and labels with span and entity_id") from None
            yield article, span, labels


def score_elevant(path: Path, nlp: Language, linker: Linker) -> LinkScore:
    """Extract and link every ELEVANT document and score the links on the gold spans."""
    score = LinkScore()
    records = list(read_elevant(path))  # a benchmark file is small; the docs are processed as a stream
    for (article, (low, high), labels), extraction in zip(records, extract((r[0] for r in records), nlp), strict=False):
        linked = linker.link(extraction)
        qid_of = {link.entity: link.qid for link in linked.links}
        spans = [(m.span.start, m.span.end, qid_of.get(m.entity)) for m in extraction.mentions]
        score.documents += 1
        for start, end, gold, name in labels:
            if start < low or end > high:
                continue
            overlapping = [qid for s, e, qid in spans if s < end and start < e and qid is not None]
            predicted = overlapping[0] if overlapping else None
            if gold == "<NIL>":
                score.gold_nil += 1
                if predicted is None:
                    score.nil_kept += 1
                else:
                    score.predicted += 1
                    score.errors.append(f"{article.id} {name!r}: gold NIL, kg {predicted}")
                continue
            score.gold += 1
            if predicted is not None:
                score.predicted += 1
                if predicted == gold:
                    score.correct += 1
                else:
                    score.errors.append(f"{article.id} {name!r}: gold {gold}, kg {predicted}")
    return score


def format_score(score: LinkScore, fmt: str = "table") -> str:
    """The score as a small table or as JSON."""
    if fmt == "json":
        return json.dumps(score.as_dict(), indent=2, ensure_ascii=False)
    nil = f"{score.nil_kept}/{score.gold_nil}" if score.gold_nil else "-"
    lines = [
        "measure            value   counts",
        "-----------------  ------  ------------------------------",
        f"link precision     {score.precision:6.3f}  {score.correct}/{score.predicted} QIDs given on gold spans",
        f"link recall        {score.recall:6.3f}  {score.correct}/{score.gold} gold QIDs",
        f"link F1            {score.f1:6.3f}",
        f"NIL kept unlinked  {'' if not score.gold_nil else f'{score.nil_kept / score.gold_nil:6.3f}'}  {nil}",
        f"documents          {score.documents}",
    ]
    return "\n".join(lines)
