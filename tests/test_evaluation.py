"""``kg eval re3d`` and ``kg eval ucdp`` on tiny invented gold files (tests/data/eval).

The exact counts are checked on hand-built extractions (so they test the scorer, not the model);
the CLI runs use the real pipeline and check what does not depend on the model's mood.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from spacy.language import Language

from kg.cli import cli
from kg.evaluate.re3d import format_re3d, max_matching, predicted_relations, score_extractions
from kg.evaluate.re3d_gold import is_name, read_re3d, strip_article
from kg.evaluate.ucdp import (
    UcdpScore,
    base_names,
    fold,
    headline_text,
    kept_rows,
    names_alias,
    read_ucdp,
    score_row,
    score_rows,
)
from kg.model import Article, Event, Relation
from tests.helpers import EVAL, RE3D, ExtractionBuilder, re3d_extractions, sentence_of, span_of

UCDP = EVAL / "ucdp_small.csv"


def test_re3d_reader_keeps_named_confident_gold() -> None:
    documents = read_re3d(RE3D)  # BOM, blank lines, two sub-folders
    assert [d.article.id for d in documents] == ["A1", "B1"]
    a, b = documents
    assert sorted((g.type, g.text) for g in a.entities) == [
        ("Location", "Tal Kasr"), ("Organisation", "Free Legion"), ("Organisation", "Free Legion"),
        ("Person", "Omar Haddad")]
    # left out: "they" (pronoun), "the village" (not a name), Black Flag Brigade and the titled
    # Omar Haddad (confidence < 0.5); Monday is not a scored type
    assert sorted(g.text for g in a.ignored) == ["Black Flag Brigade", "Its commander, Omar Haddad", "they",
                                                 "village"]
    assert sorted((g.type, g.text) for g in b.entities) == [
        ("Location", "Afrin city"), ("Location", "Turkey"), ("Organisation", "Turkey")]
    # FightingAgainst annotated both ways counts once; the pronoun BelongsTo, the weak BelongsTo and
    # CoLocated are left out
    assert sorted((r.type, r.source_text, r.target_text) for r in a.relations) == [
        ("FightingAgainst", "The Free Legion", "the Black Flag Brigade"),
        ("InChargeOf", "Omar Haddad", "The Free Legion")]
    assert b.relations == ()


def test_re3d_scores_a_known_extraction() -> None:
    documents = read_re3d(RE3D)
    score = score_extractions(documents, re3d_extractions(documents))
    counts = {k: (c.tp, c.fp, c.fn) for k, c in score.entities.items()}
    assert counts == {"Person": (1, 1, 0), "Organisation": (3, 0, 0), "Location": (2, 1, 1)}
    exact = {k: (c.tp, c.fp, c.fn) for k, c in score.exact.items()}
    assert exact == {"Person": (1, 1, 0), "Organisation": (3, 0, 0), "Location": (1, 2, 2)}
    relations = {k: (c.tp, c.fp, c.fn) for k, c in score.relations.items()}
    assert relations == {"FightingAgainst": (1, 1, 0), "AlliesOf": (0, 0, 0), "InChargeOf": (1, 0, 0),
                         "BelongsTo": (0, 1, 0)}
    assert score.ignored == 1  # Black Flag Brigade on the low-confidence gold
    assert score.confusions == {("Location", "Person"): 1}
    assert score.documents == 2
    data = score.as_dict()
    micro = data["entities"]["micro"]  # type: ignore[index]
    assert (micro["tp"], micro["fp"], micro["fn"], micro["precision"], micro["recall"]) == (
        6, 2, 1, 0.75, round(6 / 7, 4))
    assert any("gold Location 'Tal Kasr': kg Person" in line for line in score.errors)
    assert any("kg Settlement 'Ankara': not in the gold" in line for line in score.errors)


def test_re3d_scores_each_source_apart() -> None:
    # a rule fitted to one source shows where it does not travel only if each source is scored alone
    documents = read_re3d(RE3D)
    assert [d.source for d in documents] == ["News", "Wire"]
    score = score_extractions(documents, re3d_extractions(documents))
    assert sorted(score.sources) == ["News", "Wire"]
    for table in ("entities", "exact", "relations"):
        for kind, whole in getattr(score, table).items():
            parts = [getattr(s, table)[kind] for s in score.sources.values()]
            assert (sum(c.tp for c in parts), sum(c.fp for c in parts), sum(c.fn for c in parts)) == (
                whole.tp, whole.fp, whole.fn)
    assert [score.sources[s].documents for s in ("News", "Wire")] == [1, 1]
    assert sorted(score.as_dict()["sources"]) == ["News", "Wire"]  # type: ignore[call-overload]
    assert sum(len(s.judgements) for s in score.sources.values()) == len(score.judgements)
    table = format_re3d(score)
    assert "per source" in table and "\n  News " in table and "\n  Wire " in table
    # one source alone has no per-source section
    alone = score_extractions(documents[:1], re3d_extractions(documents)[:1])
    assert alone.sources == {} and "per source" not in format_re3d(alone)


def test_re3d_territorial_control_is_in_charge_of() -> None:
    text = "Tal Kasr, held by the Free Legion, was quiet."
    x = ExtractionBuilder(Article(id="C1", text=text))
    town = x.mention("settlement", "Tal Kasr", "Settlement")
    legion = x.mention("organization", "Free Legion", "ArmedGroup")
    held = Relation(legion, "controls", sentence_of(text, "held"), 0.7, object=town)
    [pair] = predicted_relations(x.build((held,)))
    assert (pair.type, pair.subject, pair.object) == ("InChargeOf", ((22, 33),), ((0, 8),))


def test_re3d_helpers() -> None:
    assert strip_article(10, 25, "The Free Legion") == (14, 25, "Free Legion")
    assert strip_article(0, 3, "The") == (0, 3, "The")
    assert is_name("the Syrian regime") and is_name("Daesh")
    assert not is_name("They") and not is_name("the army") and not is_name("I")
    # one-to-one: two kg spans inside one gold span match it once
    assert len(max_matching(["gold"], ["kg1", "kg2"], lambda g, p: True)) == 1
    # the first kg span must give way to the second so that both gold spans are matched
    assert sorted(max_matching(["a", "b"], ["ab", "a"], lambda g, p: g in p)) == [(0, 1), (1, 0)]


def test_kg_eval_re3d_with_the_model() -> None:
    result = CliRunner().invoke(cli, ["eval", "re3d", str(RE3D), "--format", "json"])
    assert result.exit_code == 0, result.stderr
    score = json.loads(result.stdout)
    assert score["documents"] == 2
    entities = score["entities"]
    assert {k: entities[k]["gold"] for k in ("Person", "Organisation", "Location", "micro")} == {
        "Person": 1, "Organisation": 3, "Location": 3, "micro": 7}
    assert entities["Organisation"]["tp"] >= 2  # Free Legion and Turkey (acting) at least
    assert entities["Location"]["tp"] >= 1  # Turkey as a place
    for table in ("entities", "exact", "relations"):
        for counts in score[table].values():
            assert counts["tp"] + counts["fp"] == counts["predicted"]
            assert counts["tp"] + counts["fn"] == counts["gold"]
    assert {k: score["relations"][k]["gold"] for k in ("FightingAgainst", "InChargeOf", "BelongsTo")} == {
        "FightingAgainst": 1, "InChargeOf": 1, "BelongsTo": 0}
    table = CliRunner().invoke(cli, ["eval", "re3d", str(RE3D / "News")])
    assert table.exit_code == 0, table.stderr
    assert "entities (overlap)" in table.stdout and "relations" in table.stdout


def test_kg_eval_re3d_errors(tmp_path: Path) -> None:
    runner = CliRunner()
    broken = tmp_path / "re3d" / "News"
    broken.mkdir(parents=True)
    (broken / "documents.json").write_text((RE3D / "News" / "documents.json").read_text(encoding="utf-8-sig"))
    failed = runner.invoke(cli, ["eval", "re3d", str(tmp_path / "re3d")])
    assert failed.exit_code == 1
    assert "entities.json: cannot read" in failed.stderr and len(failed.stderr.strip().splitlines()) == 1
    (broken / "entities.json").write_text('{ "_id" : "x", "begin" : 0,\n')
    failed = runner.invoke(cli, ["eval", "re3d", str(tmp_path / "re3d")])
    assert failed.exit_code == 1 and "entities.json: line 1: not JSON" in failed.stderr
    missing = runner.invoke(cli, ["eval", "re3d", str(tmp_path / "nowhere")])
    assert missing.exit_code == 1 and "no such folder" in missing.stderr


# ------------------------------------------------------------------------------------------------ UCDP


def test_ucdp_names() -> None:
    assert base_names("Tal Rifaat town") == ("tal rifaat",)
    assert base_names("Al Mayadin town") == ("mayadin",)
    assert base_names("Tadmur/Palmyra town") == ("tadmur", "palmyra")
    assert base_names("Ghazal (Qizil Mazra'ah) village") == ("ghazal", "qizil mazraah")
    assert base_names("Aleppo Governorate") == ("aleppo",)
    assert fold("Ma’arat al-Nu‘man") == "maarat al numan"
    assert names_alias("IS attack kills 5", "IS") and not names_alias("This is it", "IS")
    assert names_alias("Regime forces shell the town", "regime")
    assert headline_text("A &#8220;truce&#8221;;Clashes go on") == "A \u201ctruce\u201d\n\nClashes go on"


def test_ucdp_keeps_rows_that_name_their_place() -> None:
    score = UcdpScore()
    rows = kept_rows(read_ucdp(UCDP), score)
    assert score.rows_read == 4  # the HXL row is not a row
    assert [(r.id, r.place, r.actors) for r in rows] == [
        ("901", "tal rifaat", ("Government of Syria",)),
        ("902", "mayadin", ("IS",)),  # Government of Syria is not named in this headline
        ("903", "hajin", ("SDF",)),
    ]
    limited = UcdpScore()
    assert len(kept_rows(read_ucdp(UCDP), limited, limit=2)) == 2 and limited.rows_kept == 2


def test_ucdp_scores_known_extractions() -> None:
    score = UcdpScore()
    rows = kept_rows(read_ucdp(UCDP), score)
    extractions = []
    for row in rows:
        extractions.append(ExtractionBuilder(Article(id=row.id, text=row.headline)))
    first, second, third = extractions
    tal_rifaat = first.mention("settlement", "Tal Rifaat", "Settlement")
    clashes = span_of(rows[0].headline, "clashes")
    second.mention("organization", "IS", "ArmedGroup")
    second.mention("organization", "al-Mayadin", "Organization")  # a place typed as an organisation
    third.mention("organization", "SDF", "ArmedGroup")
    third.mention("settlement", "Hajin", "Settlement")
    built = [first.build(events=(Event("Clash", clashes, clashes, 0.6, locations=(tal_rifaat,)),)),
             second.build(), third.build()]
    for row, extraction in zip(rows, built, strict=False):
        score_row(row, extraction, score)
    assert (score.place.found, score.place.total) == (2, 3)
    assert (score.event.found, score.event.total) == (1, 3)
    assert (score.actor.found, score.actor.total) == (2, 3)
    assert {name: (r.found, r.total) for name, r in score.actors.items()} == {
        "Government of Syria": (0, 1), "IS": (1, 1), "SDF": (1, 1)}
    assert score.missed_places == {"mayadin": 1}
    assert score.place_typed_as == {"Organization": 1}
    assert score.missed_actor_names == {"regime": 1}
    # per year and per country (the file has no country column: its name gives it)
    assert [r.year for r in rows] == ["2017", "2017", "2018"] and {r.country for r in rows} == {"Small"}
    assert {y: (s.place.found, s.place.total, s.event.found) for y, s in score.by_year.items()} == {
        "2017": (1, 2, 1), "2018": (1, 1, 0)}
    assert {c: (s.event.found, s.event.total) for c, s in score.by_country.items()} == {"Small": (1, 3)}


def test_ucdp_with_the_model(nlp: Language) -> None:
    score = UcdpScore()
    rows = kept_rows(read_ucdp(UCDP), score)
    score_rows(rows, nlp, score)
    assert (score.rows_read, score.rows_kept, score.headlines) == (4, 3, 3)
    assert (score.place.total, score.event.total, score.actor.total) == (3, 3, 3)
    assert score.place.found >= 2  # Tal Rifaat and Hajin
    assert (score.actors["IS"].found, score.actors["SDF"].found) == (1, 1)


def test_kg_eval_ucdp_cli(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["eval", "ucdp", str(UCDP), "--limit", "2", "--format", "json"])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert (data["rows_read"], data["rows_kept"]) == (2, 2)  # stops reading at the limit
    assert data["place_recall"]["total"] == 2 and 0 <= data["place_recall"]["recall"] <= 1
    table = runner.invoke(cli, ["eval", "ucdp", str(UCDP)])
    assert table.exit_code == 0 and "place recall" in table.stdout and "3 kept of 4 read" in table.stdout
    assert "year 2018" in table.stdout and "country Small" in table.stdout
    assert set(data["by_year"]) == {"2017"} and data["by_country"]["Small"]["event_recall"]["total"] == 2
    garbled = tmp_path / "garbled.csv"
    garbled.write_text("id,headline\n1,Clashes in Tal Rifaat\n")
    failed = runner.invoke(cli, ["eval", "ucdp", str(garbled)])
    assert failed.exit_code == 1
    assert "not a UCDP GED CSV" in failed.stderr and len(failed.stderr.strip().splitlines()) == 1
    missing = runner.invoke(cli, ["eval", "ucdp", str(tmp_path / "none.csv")])
    assert missing.exit_code == 1 and "cannot read" in missing.stderr


@pytest.mark.parametrize("dataset", ["re3d", "ucdp"])
def test_kg_eval_help_names_the_datasets(dataset: str) -> None:
    result = CliRunner().invoke(cli, ["eval", "--help"])
    assert result.exit_code == 0 and dataset in result.stdout
