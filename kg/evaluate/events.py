"""Score kg's events on a small gold file of news sentences (``kg eval events``): factuality and casualties.

PATH is a ``.jsonl`` file or a folder of them (read in name order). Each line is one gold record::

    {"id": "f-001", "text": "The army did not shell the town of Sinjar.", "date": "2025-03-06",
     "events": [{"trigger": "shell", "occurrence": 1, "factuality": "Negated",
                 "killed": 4, "killed_lower_bound": false, "injured": null}]}

``trigger`` is the exact text of the trigger word in ``text`` (its ``occurrence``-th one, default the
first); ``factuality``, ``killed``/``injured`` (``null``: no number is given, e.g. "dozens") and the
``*_lower_bound`` flags are each optional and scored only where given. ``"events": []`` says kg should
find no event in the text. ``date`` is the dateline relative dates are anchored to.

A gold event is matched by the kg event whose trigger span overlaps the gold trigger (the largest
overlap, then the first). Measures:

factuality
    over matched gold events that have one: accuracy, P/R/F1 per value, and *shown as asserted*, the
    gold Negated, Possible or Planned events kg gives as Asserted (what an analyst would wrongly count);
casualties
    over the gold ``killed``/``injured`` keys: the share read exactly (the number and its lower-bound
    flag; a ``null`` must stay unset; a key on an unmatched event is a miss);
event recall
    gold events matched; *spurious* counts kg's events in texts whose gold says there are none.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from spacy.language import Language

from kg.errors import InputError
from kg.evaluate.re3d import Counts
from kg.extract.from_doc import extract
from kg.model import FACTUALITIES, Article, Event, Extraction

COUNTS = ("killed", "injured")
_EVENT_KEYS = frozenset({"trigger", "occurrence", "factuality", *COUNTS, *(f"{c}_lower_bound" for c in COUNTS)})


@dataclass(frozen=True)
class GoldEvent:
    """One gold event: the trigger's character span and the values to score (``counts`` maps
    ``killed``/``injured`` to ``(number or None, lower bound)`` for the keys given)."""

    start: int
    end: int
    trigger: str
    factuality: str | None = None
    counts: tuple[tuple[str, int | None, bool], ...] = ()


@dataclass(frozen=True)
class GoldLine:
    """One gold record with the file and line it came from (``where``, e.g. ``gold.jsonl:3``)."""

    article: Article
    events: tuple[GoldEvent, ...]
    where: str


@dataclass
class EventScore:
    """Counts behind the event scores, overall and per gold file (``files``)."""

    lines: int = 0
    gold_events: int = 0
    matched: int = 0
    spurious: int = 0
    factuality_scored: int = 0
    factuality_correct: int = 0
    shown_as_asserted: int = 0
    values: dict[str, Counts] = field(default_factory=lambda: {v: Counts() for v in FACTUALITIES})
    counts_scored: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTS, 0))
    counts_exact: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTS, 0))
    files: dict[str, EventScore] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        """Scores and counts, for ``--format json``."""
        scored, exact = sum(self.counts_scored.values()), sum(self.counts_exact.values())
        return {
            "lines": self.lines, "gold_events": self.gold_events, "matched": self.matched,
            "event_recall": _ratio(self.matched, self.gold_events), "spurious": self.spurious,
            "factuality": {
                "scored": self.factuality_scored, "correct": self.factuality_correct,
                "accuracy": _ratio(self.factuality_correct, self.factuality_scored),
                "shown_as_asserted": self.shown_as_asserted,
                "values": {v: t.as_dict() for v, t in self.values.items()},
            },
            "casualties": {
                "scored": scored, "exact": exact, "share": _ratio(exact, scored),
                **{c: {"scored": self.counts_scored[c], "exact": self.counts_exact[c],
                       "share": _ratio(self.counts_exact[c], self.counts_scored[c])} for c in COUNTS},
            },
            "files": {name: {k: v for k, v in part.as_dict().items() if k not in {"files", "wrong"}}
                      for name, part in self.files.items()},
            "wrong": self.errors,
        }


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def gold_files(path: Path) -> list[Path]:
    """``path`` itself, or the ``.jsonl`` files in the folder ``path`` in name order.

    Raises:
        InputError: ``path`` does not exist, or is a folder with no ``.jsonl`` file.
    """
    if path.is_dir():
        found = sorted(path.glob("*.jsonl"))
        if not found:
            raise InputError(f"{path}: no .jsonl gold file in this folder - give a .jsonl file or its folder")
        return found
    if not path.exists():
        raise InputError(f"{path}: cannot read (no such file) - check the path")
    return [path]


def read_gold(path: Path) -> Iterator[GoldLine]:
    """The gold records of a ``.jsonl`` file or of a folder of them.

    Raises:
        InputError: a file cannot be read, or a line is not a gold record (the message names file:line
            and what is wrong).

    >>> next(read_gold(Path("tests/data/eval/events/factuality.jsonl"))).events[0].trigger
    'airstrike'
    """
    for file in gold_files(path):
        try:
            lines = file.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"{file}: cannot read ({exc}) - check the path and that it is UTF-8") from None
        for number, line in enumerate(lines, start=1):
            if line.strip():
                yield _gold_line(line, f"{file}:{number}", file.name)


def _gold_line(line: str, where: str, source: str) -> GoldLine:
    try:
        record = json.loads(line)
    except ValueError as exc:
        raise InputError(f"{where}: not JSON ({exc}) - write one JSON object per line") from None
    if not isinstance(record, dict) or not isinstance(record.get("text"), str) or not isinstance(
            record.get("events"), list):
        raise InputError(f'{where}: not a gold record - expected {{"id", "text", "events": [...]}}')
    text: str = record["text"]
    try:
        date = dt.date.fromisoformat(record["date"]) if record.get("date") else None
    except (TypeError, ValueError):
        raise InputError(f"{where}: date {record['date']!r} is not YYYY-MM-DD - fix or drop it") from None
    article = Article(id=str(record.get("id", where)), text=text, date=date, source=source, origin=where)
    return GoldLine(article, tuple(_gold_event(e, text, where) for e in record["events"]), where)


def _gold_event(event: object, text: str, where: str) -> GoldEvent:
    if not isinstance(event, dict) or not isinstance(event.get("trigger"), str) or not event["trigger"]:
        raise InputError(f'{where}: an event without a "trigger" - give the exact trigger text')
    unknown = sorted(set(event) - _EVENT_KEYS)
    if unknown:
        raise InputError(f"{where}: unknown event key {unknown[0]!r} - use {', '.join(sorted(_EVENT_KEYS))}")
    trigger: str = event["trigger"]
    occurrence = event.get("occurrence", 1)
    start = -1
    for _ in range(occurrence if isinstance(occurrence, int) and occurrence > 0 else 0):
        start = text.find(trigger, start + 1)
        if start < 0:
            break
    if start < 0:
        raise InputError(f"{where}: trigger {trigger!r} (occurrence {occurrence}) is not in the text - "
                         "copy it exactly from the text")
    factuality = event.get("factuality")
    if factuality is not None and factuality not in FACTUALITIES:
        raise InputError(f"{where}: factuality {factuality!r} is not one of {', '.join(FACTUALITIES)}")
    counts = []
    for name in COUNTS:
        number, bound = event.get(name), event.get(f"{name}_lower_bound", False)
        if name not in event:
            continue
        if (number is not None and (not isinstance(number, int) or isinstance(number, bool) or number < 0)) \
                or not isinstance(bound, bool):
            raise InputError(f"{where}: {name} must be a whole number >= 0 or null, with a true/false "
                             f"{name}_lower_bound")
        counts.append((name, number, bound))
    return GoldEvent(start, start + len(trigger), trigger, factuality, tuple(counts))


def score_events(lines: list[GoldLine], nlp: Language) -> EventScore:
    """Extract every gold text and score kg's events against the gold ones."""
    return score_extractions(lines, extract((g.article for g in lines), nlp))


def score_extractions(lines: list[GoldLine], extractions: Iterable[Extraction]) -> EventScore:
    """Score the events of ``extractions`` (one per gold line, in order) against the gold ones."""
    score = EventScore()
    for line, extraction in zip(lines, extractions, strict=True):
        source = line.article.source or ""
        part = score.files.setdefault(source, EventScore())
        for tally in (score, part):
            _score_line(tally, line, extraction.events)
    return score


def _score_line(score: EventScore, line: GoldLine, events: tuple[Event, ...]) -> None:
    score.lines += 1
    if not line.events:
        score.spurious += len(events)
        score.errors += [f"{line.where} {e.cls} at {e.trigger.text!r}: gold has no event" for e in events]
    for gold in line.events:
        score.gold_events += 1
        found = _match(gold, events)
        if found is None:
            score.errors.append(f"{line.where} {gold.trigger!r}: no kg event")
        else:
            score.matched += 1
        if gold.factuality is not None and found is not None:
            _score_factuality(score, gold.factuality, found.factuality, f"{line.where} {gold.trigger!r}")
        for name, number, bound in gold.counts:
            score.counts_scored[name] += 1
            got = (getattr(found, name), getattr(found, f"{name}_lower_bound")) if found else None
            if got == (number, bound if number is not None else False):
                score.counts_exact[name] += 1
            elif found is not None:
                score.errors.append(f"{line.where} {gold.trigger!r}: {name} gold {number}{'+' * bound}, "
                                    f"kg {got[0] if got else None}{'+' * bool(got and got[1])}")


def _score_factuality(score: EventScore, gold: str, predicted: str, what: str) -> None:
    score.factuality_scored += 1
    if predicted == gold:
        score.factuality_correct += 1
        score.values[gold].tp += 1
        return
    score.values[gold].fn += 1
    score.values.setdefault(predicted, Counts()).fp += 1
    score.shown_as_asserted += predicted == "Asserted"
    score.errors.append(f"{what}: factuality gold {gold}, kg {predicted}")


def _match(gold: GoldEvent, events: tuple[Event, ...]) -> Event | None:
    overlaps = [(min(gold.end, e.trigger.end) - max(gold.start, e.trigger.start), -i, e)
                for i, e in enumerate(events)]
    best = max(((o, i, e) for o, i, e in overlaps if o > 0), default=None, key=lambda x: (x[0], x[1]))
    return best[2] if best else None


def format_events(score: EventScore, fmt: str = "table") -> str:
    """The scores as a small table (overall, per value, and per gold file when there are several) or as
    JSON."""
    if fmt == "json":
        return json.dumps(score.as_dict(), indent=2, ensure_ascii=False)
    data = score.as_dict()
    lines = ["measure               value   counts", "--------------------  ------  ------------------------------"]
    lines += _summary(data)
    lines.append("factuality per value  P       R       F1      gold/predicted/correct")
    values = data["factuality"]
    assert isinstance(values, dict)
    for name, t in values["values"].items():
        if not (t["gold"] or t["predicted"]):
            continue  # a value no gold event has and kg never gave: nothing measured (casualty files)
        lines.append(f"  {name:18}  {t['precision']:6.3f}  {t['recall']:6.3f}  {t['f1']:6.3f}  "
                     f"{t['gold']}/{t['predicted']}/{t['tp']}")
    files = data["files"]
    assert isinstance(files, dict)
    for name, part in files.items() if len(files) > 1 else ():
        lines.append(f"file {name}")
        lines += ["  " + row for row in _summary(part)]
    return "\n".join(lines)


def _summary(data: dict[str, object]) -> list[str]:
    fact, cas = data["factuality"], data["casualties"]
    assert isinstance(fact, dict) and isinstance(cas, dict)

    def value(x: object) -> str:
        return "     -" if x is None else f"{x:6.3f}"

    return [
        f"event recall          {value(data['event_recall'])}  {data['matched']}/{data['gold_events']} gold events "
        f"matched; {data['spurious']} spurious",
        f"factuality accuracy   {value(fact['accuracy'])}  {fact['correct']}/{fact['scored']} matched gold events",
        f"shown as asserted     {fact['shown_as_asserted']:6d}  gold Negated/Possible/Planned given as Asserted",
        f"casualties exact      {value(cas['share'])}  {cas['exact']}/{cas['scored']} killed/injured keys",
    ]
