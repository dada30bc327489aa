"""``kg eval events``: kg's own event gold (tests/data/eval/events), its reader, scorer and command."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from kg.cli import cli
from kg.evaluate.events import read_gold, score_extractions
from kg.model import Event, Extraction, TextSpan
from tests.helpers import EVAL

EVENTS = EVAL / "events"
# invented casualty lines, to check the scorer on killed/injured keys
CASUALTIES = [
    {"id": "c-1", "text": "A car bomb killed four policemen and wounded 15 in Kirkuk.",
     "events": [{"trigger": "bomb", "killed": 4, "injured": 15}]},
    {"id": "c-2", "text": "At least 40 people died in an airstrike on Saraqib.",
     "events": [{"trigger": "airstrike", "killed": 40, "killed_lower_bound": True}]},
    {"id": "c-3", "text": "Dozens were killed when rebels shelled Aleppo.",
     "events": [{"trigger": "shelled", "killed": None, "factuality": "Asserted"}]},
    {"id": "c-4", "text": "Police held a meeting in Basra.", "events": []},
]


def write(path: Path, records: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def event(text: str, trigger: str, **values: Any) -> Event:
    start = text.index(trigger)
    span = TextSpan(start, start + len(trigger), trigger)
    return replace(Event("Attack", span, TextSpan(0, len(text), text), 0.5), **values)


def test_casualties_are_scored_with_their_bounds(tmp_path: Path) -> None:
    lines = list(read_gold(write(tmp_path / "c.jsonl", CASUALTIES)))
    texts = [line.article.text for line in lines]
    predicted = [
        [event(texts[0], "car bomb", killed=4, injured=12)],  # killed right, injured wrong
        [event(texts[1], "airstrike", killed=40)],  # the lower bound is missing: wrong
        [event(texts[2], "shelled", factuality="Negated")],  # "dozens" left unset: right
        [event(texts[3], "meeting")],  # gold says there is no event
    ]
    score = score_extractions(lines, (Extraction(line.article, "test", events=tuple(p))
                                      for line, p in zip(lines, predicted, strict=True)))
    data = score.as_dict()
    assert data["casualties"] == {"scored": 4, "exact": 2, "share": 0.5,
                                  "killed": {"scored": 3, "exact": 2, "share": 0.6667},
                                  "injured": {"scored": 1, "exact": 0, "share": 0.0}}
    assert (data["gold_events"], data["matched"], data["spurious"]) == (3, 3, 1)
    assert (score.factuality_scored, score.factuality_correct) == (1, 0)
    assert score.shown_as_asserted == 0 and len(score.errors) == 4


def test_kg_eval_events_on_the_shipped_gold() -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["eval", "events", str(EVENTS), "--format", "json"])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert {"factuality.jsonl", "factuality-heldout.jsonl"} <= set(data["files"])
    factuality = data["factuality"]
    assert set(factuality["values"]) == {"Asserted", "Negated", "Possible", "Planned"}
    assert all(factuality["values"][v]["gold"] >= 10 for v in factuality["values"])
    assert factuality["scored"] <= data["matched"] <= data["gold_events"] >= 80
    assert 0 <= factuality["accuracy"] <= 1 and factuality["shown_as_asserted"] >= 0
    assert set(data["casualties"]) >= {"scored", "exact", "share", "killed", "injured"}
    table = runner.invoke(cli, ["eval", "events", str(EVENTS / "factuality.jsonl"), "--show-errors"])
    assert table.exit_code == 0
    assert "factuality accuracy" in table.stdout and "shown as asserted" in table.stdout
    assert "Negated" in table.stdout and "file " not in table.stdout  # one file: no per-file rows


@pytest.mark.parametrize(("line", "says"), [
    pytest.param("{not json", "not JSON", id="not-json"),
    pytest.param('{"id": "x", "text": "Rebels shelled Aleppo."}', "not a gold record", id="no-events"),
    pytest.param('{"text": "Rebels shelled Aleppo.", "events": [{"trigger": "bombed"}]}',
                 "trigger 'bombed' (occurrence 1) is not in the text", id="trigger-not-in-text"),
    pytest.param('{"text": "Rebels shelled Aleppo.", "events": [{"trigger": "shelled", "factuality": "Maybe"}]}',
                 "factuality 'Maybe' is not one of Asserted, Negated, Possible, Planned", id="bad-value"),
    pytest.param('{"text": "Rebels shelled Aleppo.", "events": [{"trigger": "shelled", "killed": "four"}]}',
                 "killed must be a whole number", id="bad-count"),
    pytest.param('{"text": "Rebels shelled Aleppo.", "events": [{"trigger": "shelled", "dead": 4}]}',
                 "unknown event key 'dead'", id="unknown-key"),
])
def test_bad_gold_line_is_one_error_naming_file_and_line(tmp_path: Path, line: str, says: str) -> None:
    gold = tmp_path / "gold.jsonl"
    gold.write_text('{"text": "Rebels shelled Aleppo.", "events": [{"trigger": "shelled"}]}\n\n' + line + "\n")
    result = CliRunner().invoke(cli, ["eval", "events", str(tmp_path)])
    assert result.exit_code == 1
    [message] = result.stderr.strip().splitlines()
    assert message.startswith(f"Error: {gold}:3: ") and says in message, message
    assert "Traceback" not in result.output


def test_missing_or_empty_gold_path(tmp_path: Path) -> None:
    runner = CliRunner()
    missing = runner.invoke(cli, ["eval", "events", str(tmp_path / "none.jsonl")])
    assert missing.exit_code == 1 and "cannot read" in missing.stderr
    empty = runner.invoke(cli, ["eval", "events", str(tmp_path)])
    assert empty.exit_code == 1 and "no .jsonl gold file" in empty.stderr
