"""Calibrated confidence: ECE and reliability, the logistic fit, the shipped parameter file, provenance of
mentions, ``--min-confidence`` (library and CLI, with the real model) and ``tools/calibrate.py``."""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Dataset, Literal, URIRef
from rdflib.namespace import RDF
from spacy.language import Language

from kg.cli import cli
from kg.errors import DataError
from kg.evaluate import calibration_fit
from kg.evaluate.calibration_fit import (
    MENTION_GROUPS,
    Sample,
    Settings,
    by_document,
    by_folder,
    cross_validate,
    fit_logistic,
    predict,
)
from kg.evaluate.re3d import score_extractions
from kg.evaluate.re3d_gold import read_re3d
from kg.evaluate.reliability import ece, format_reliability, reliability
from kg.extract.calibration import (
    PARAMETERS,
    Calibration,
    Logistic,
    Scaling,
    country_share_bucket,
    extraction_mention_features,
    loads,
    shipped,
)
from kg.extract.from_doc import extract
from kg.model import Mention, TextSpan
from tests.helpers import RE3D, article, re3d_extractions

ROOT = Path(__file__).resolve().parent.parent
KG = "https://w3id.org/kg-news/ns#"
TEXT = ("Iraqi security forces and the Popular Mobilization Forces (PMF) launched an operation against "
        "Islamic State militants in Diyala province on Tuesday, police spokesman Ahmed Karim said.\n\n"
        "Karim said the PMF killed three militants near Muqdadiya. The Zorvan Foundation, a local charity, "
        "said its office in Muqdadiya was damaged. Britain, France and Qorvel condemned the attack.")


# --- ECE and the reliability table ---------------------------------------------------------------------------


def test_ece_by_hand() -> None:
    pairs = [(0.05, False), (0.15, False), (0.15, True), (0.95, True), (1.0, True)]
    # bin 0: |0 - 0.05| * 1; bin 1: |0.5 - 0.15| * 2; bin 9: |1 - 0.975| * 2; over 5 pairs
    assert ece(pairs) == pytest.approx((0.05 + 0.7 + 0.05) / 5)
    table = reliability(pairs)
    assert [b.n for b in table] == [1, 2, 0, 0, 0, 0, 0, 0, 0, 2]  # 1.0 falls in the last bin
    assert table[1].confidence == pytest.approx(0.15) and table[1].accuracy == 0.5
    assert (table[9].low, table[9].high) == (0.9, 1.0)
    assert ece([]) == 0.0
    assert ece([(0.8, True)] * 8 + [(0.8, False)] * 2) == pytest.approx(0.0)  # perfectly calibrated
    assert ece([(0.3, True)] * 4, bins=2) == pytest.approx(0.7)
    text = format_reliability(pairs, "test")
    assert text.startswith("test: ECE 0.160 over 5 predictions")
    assert "0.2-0.3       0      -      -" in text


# --- the logistic fit ---------------------------------------------------------------------------------------


def _toy() -> tuple[list[tuple[tuple[str, ...], float]], list[bool]]:
    rows = [(("a",), 0.0)] * 8 + [(("b",), 0.0)] * 8
    labels = [True] * 6 + [False] * 2 + [True] * 2 + [False] * 6
    return [(tuple(f), r) for f, r in rows], labels


def test_fit_logistic_orders_and_calibrates_in_the_large() -> None:
    rows, labels = _toy()
    model = fit_logistic(rows, labels, l2=0.01)
    pa, pb = model.probability(["a"]), model.probability(["b"])
    assert pa == pytest.approx(0.75, abs=0.01) and pb == pytest.approx(0.25, abs=0.01)
    # the unpenalised intercept makes the mean confidence the accuracy
    assert (8 * pa + 8 * pb) / 16 == pytest.approx(sum(labels) / len(labels), abs=1e-3)
    assert model.probability(["unknown"]) == pytest.approx(0.5, abs=0.02)  # unknown features weigh nothing
    strong = fit_logistic(rows, labels, l2=100.0)  # a heavy penalty pulls both towards the mean
    assert 0.5 < strong.probability(["a"]) < pa


def test_fit_is_deterministic_and_the_file_round_trips() -> None:
    rows, labels = _toy()
    relation_rows = [(("group=relation:leaderOf",), r) for r in (0.6, 0.7, 0.8, 0.9)] * 3
    relation_labels = [False, False, True, True] * 3
    first = Calibration(fit_logistic(rows, labels), fit_logistic(relation_rows, relation_labels), {"entities": 16})
    second = Calibration(fit_logistic(rows, labels), fit_logistic(relation_rows, relation_labels), {"entities": 16})
    assert first.dumps() == second.dumps()
    assert first.relation.slope > 0  # higher heuristic confidence, more often right
    again = loads(first.dumps())
    assert again == first
    assert again.relation_confidence("relation:leaderOf", 0.9) > again.relation_confidence("relation:leaderOf", 0.6)
    assert again.relation_confidence("relation:alliedWith", 0.8) == 0.8  # a group never fitted keeps its own


def test_a_negative_slope_is_not_kept() -> None:
    rows = [(("group=g",), r) for r in (0.6, 0.7, 0.8, 0.9)] * 3
    labels = [True, True, False, False] * 3  # the rule's score runs the wrong way
    model = fit_logistic(rows, labels)
    assert model.slope == 0.0
    assert model.probability(["group=g"], 0.9) == pytest.approx(0.5, abs=0.05)


def test_penalties_per_feature_group() -> None:
    rows, labels = _toy()
    loose = fit_logistic(rows, labels, l2=100.0, penalties={"a": 0.01, "b": 0.01})
    assert loose.probability(["a"]) == pytest.approx(fit_logistic(rows, labels, l2=0.01).probability(["a"]), abs=0.01)
    assert fit_logistic(rows, labels, l2=0.01, penalties={"a": 100.0}).weights["a"] == pytest.approx(0.0, abs=0.2)


def test_scaling_applies_to_mentions_and_fitted_relations_and_round_trips() -> None:
    entity = Logistic(0.0, {"a": 2.0})
    relation = Logistic(0.0, {"group=relation:leaderOf": 1.0})
    plain = Calibration(entity, relation)
    scaled = Calibration(entity, relation, {}, Scaling(0.5, 0.1), Scaling(0.5, -0.2))
    assert scaled.mention_confidence(["a"]) == pytest.approx(Scaling(0.5, 0.1)(plain.mention_confidence(["a"])))
    assert scaled.mention_confidence(["a"]) < plain.mention_confidence(["a"])
    assert scaled.relation_confidence("relation:leaderOf", 0.8) < plain.relation_confidence("relation:leaderOf", 0.8)
    assert scaled.relation_confidence("relation:opposes", 0.8) == 0.8  # unfitted group: its own, unscaled
    assert loads(scaled.dumps()) == scaled
    assert json.loads(scaled.dumps())["scaling"]["entity"] == {"slope": 0.5, "intercept": 0.1}


@pytest.mark.parametrize("text", ["not json", '{"format": 99}', '{"format": 1}', '{"format": 2, "entity": []}',
                                  '{"format": 2, "entity": {"weights": [1]}}', '{"format": 2, "scaling": []}',
                                  '{"format": 2, "scaling": {"entity": 3}}'])
def test_a_bad_parameter_file_is_a_data_error(text: str) -> None:
    with pytest.raises(DataError, match=r"refit with tools/calibrate\.py"):
        loads(text, "x.json")


def test_the_shipped_parameters_are_sane() -> None:
    calibration = shipped()
    data = json.loads(PARAMETERS.read_text(encoding="utf-8"))
    assert data["format"] == 2 and data["fitted_on"]["entities"] > 100 and data["fitted_on"]["folders"] >= 2
    for scaling in (calibration.entity_scaling, calibration.relation_scaling):
        assert 0 < scaling.slope <= 1 and math.isfinite(scaling.intercept)  # flattens, never reverses
    # only the feature groups that rank across sources carry weight; the sources' offsets never ship
    assert {name.split("=")[0] for name in calibration.entity.weights} <= set(MENTION_GROUPS)
    assert calibration.relation.slope >= 0  # monotone in the rules' own confidence
    for model in (calibration.entity, calibration.relation):
        assert math.isfinite(model.intercept)
        for name, weight in model.weights.items():
            # feature names and numbers only: no text from the data it was fitted on
            assert re.fullmatch(r"(source|lexicon|shape|resolved|listed|kind|countries|group)=[\w:]+", name), name
            assert math.isfinite(weight) and abs(weight) < 10
    assert all(w.startswith("group=") for w in calibration.relation.weights)
    for source in ("rule", "ner:ORG", "ner:PERSON", "added", "something new"):
        for listed in (True, False):
            p = calibration.mention_confidence([f"source={source}", f"listed={listed}", "shape=title"])
            assert 0.0 < p < 1.0


def test_country_share_bucket() -> None:
    def mentions(*texts: str) -> list[Mention]:
        return [Mention(TextSpan(0, len(t), t), ("x", t.lower())) for t in texts]

    assert country_share_bucket([]) == 0
    assert country_share_bucket(mentions("France", "Zorvan", "Karim", "Qorvel", "Diyala", "Tuesday", "PMF")) == 0
    assert country_share_bucket(mentions("France", "Zorvan", "Karim", "Qorvel", "Diyala")) == 1  # 20%
    assert country_share_bucket(mentions("France", "Jordan", "Karim", "Qorvel", "Diyala")) == 2  # 40%
    assert country_share_bucket(mentions("France", "Jordan", "Canada", "Qorvel")) == 3  # 75%


# --- the two-stage fit and cross-validation -------------------------------------------------------------------


def _samples() -> list[Sample]:
    """Two sources where feature ``a`` marks right mentions in one and wrong ones in the other, and a
    relation group; six documents each."""
    out = []
    for source, flip in (("S1", False), ("S2", True)):
        for doc in range(6):
            number = doc + (6 if flip else 0)
            for k in range(10):
                feature = "f=a" if k < 5 else "f=b"
                out.append(Sample(source, number, "entity", (feature,), 0.0, (k < 4 or k == 9) != flip))
            out += [Sample(source, number, "relation", ("group=relation:memberOf",), 0.75, doc % 2 == 0)]
    return out


def test_fit_learns_within_sources_and_ships_no_source() -> None:
    data = _samples()
    settings = Settings(mention_groups=("f",))
    model = calibration_fit.fit_calibration(data, settings)
    assert model.fitted_on == {"entities": 120, "relations": 12, "folders": 2}
    assert model.dumps() == calibration_fit.fit_calibration(data, settings).dumps()  # deterministic
    assert "origin" not in model.dumps() and "S1" not in model.dumps()
    # within a source "a" and "b" are 60% apart, but the other source says the opposite
    assert model.mention_confidence(["f=a"]) == pytest.approx(0.5, abs=0.05)
    one = calibration_fit.fit_calibration([s for s in data if s.folder == "S1"], settings)  # no offsets
    assert one.fitted_on["folders"] == 1
    assert one.mention_confidence(["f=a"]) > 0.6 > 0.4 > one.mention_confidence(["f=b"])
    assert not calibration_fit.fit_calibration(data).entity.weights  # "f" is not a group that transfers on re3d


def test_a_new_source_gets_the_centre_of_the_sources() -> None:
    """A large source right 90% of the time and a small one right half the time: pooled, 83% are right,
    but a new source is as likely to resemble either, so its rate is set between the two."""
    data = [Sample("big", k // 10, "entity", (), 0.0, k % 10 != 0) for k in range(100)]
    data += [Sample("small", 10 + k // 10, "entity", (), 0.0, k % 2 == 0) for k in range(20)]
    confidence = calibration_fit.fit_calibration(data).mention_confidence(())
    assert 0.6 < confidence < 0.8
    pooled = calibration_fit.fit_calibration([replace(s, folder="one") for s in data]).mention_confidence(())
    assert pooled == pytest.approx(100 * 0.9 / 120 + 20 * 0.5 / 120, abs=0.01)


def test_auc_and_feature_auc() -> None:
    assert calibration_fit.auc([(0.9, True), (0.1, False)]) == 1.0
    assert calibration_fit.auc([(0.1, True), (0.9, False)]) == 0.0
    assert calibration_fit.auc([(0.5, True), (0.5, False), (0.7, True), (0.2, False)]) == pytest.approx(0.875)
    assert calibration_fit.auc([(0.5, True)]) == 0.5
    scores = calibration_fit.feature_auc(_samples(), "entity", "f")
    assert sorted(scores) == ["S1", "S2"]
    assert all(v < 0.5 for v in scores.values())  # "a" means right in one source and wrong in the other


def test_cross_validation_never_measures_what_it_fitted() -> None:
    data = _samples()
    for fold_of in (by_folder, by_document):
        folds = cross_validate(data, fold_of)
        assert sum(len(held) for held in folds.values()) == len(data)
        fold = sorted(folds, key=str)[0]
        # the labels of the held-out fold do not change its own predictions
        flipped = [replace(s, correct=not s.correct) if fold_of(s) == fold else s for s in data]
        again = cross_validate(flipped, fold_of)
        assert [p for p, _ in again[fold]] == [p for p, _ in folds[fold]]
        assert [ok for _, ok in again[fold]] == [not ok for _, ok in folds[fold]]
    assert sorted(cross_validate(data, by_folder)) == ["S1", "S2"]
    assert sorted(cross_validate(data, by_document), key=str) == [0, 1, 2, 3, 4]
    fitted = calibration_fit.fit_calibration(data)
    assert predict(fitted, data[-1]) == fitted.relation_confidence(
        "relation:memberOf", 0.75)


# --- scoring: judgements and the threshold ------------------------------------------------------------------


def test_re3d_judges_every_scored_prediction() -> None:
    documents = read_re3d(RE3D)
    extractions = re3d_extractions(documents)
    score = score_extractions(documents, extractions)
    entities = [j for j in score.judgements if j.kind == "entity"]
    relations = [j for j in score.judgements if j.kind == "relation"]
    assert (sum(j.correct for j in entities), len(entities)) == (6, 8)  # tp 6, fp 2; the ignored one is not judged
    assert sorted((j.group, j.correct) for j in relations) == [
        ("event:Attack", True), ("relation:leaderOf", True), ("relation:memberOf", False),
        ("relation:opposes", False)]
    assert next(j for j in relations if j.group == "event:Attack").raw == 0.7
    assert score.as_dict()["calibration"]["ece"] == round(ece(score.calibration_pairs), 4)  # type: ignore[index]
    # Ankara (a wrong Settlement) made unsure: at 0.5 it is left out, and only it
    b = extractions[1]
    unsure = replace(b, mentions=tuple(replace(m, confidence=0.2 if m.span.text == "Ankara" else 0.9)
                                       for m in b.mentions))
    filtered = score_extractions(documents, [extractions[0], unsure], min_confidence=0.5)
    assert (filtered.entities["Location"].tp, filtered.entities["Location"].fp) == (2, 0)
    assert all(j.confidence >= 0.5 for j in filtered.judgements)
    assert len([j for j in filtered.judgements if j.kind == "entity"]) == 7


# --- with the real model --------------------------------------------------------------------------------------


def test_mentions_know_their_source_and_get_a_confidence(nlp: Language) -> None:
    extraction = next(extract([article(TEXT)], nlp))
    sources = {m.span.text: m.source for m in extraction.mentions}
    assert sources["Popular Mobilization Forces"] == "rule"  # the gazetteer
    assert sources["PMF"] in {"rule", "added"}
    assert all(s == "rule" or s == "added" or s.rstrip("~").startswith("ner:") for s in sources.values()), sources
    features = dict(zip((m.span.text for m in extraction.mentions), extraction_mention_features(extraction), strict=False))
    assert "listed=True" in features["France"] and "listed=False" in features["Ahmed Karim"]
    assert "kind=country" in features["France"] and "kind=person" in features["Ahmed Karim"]
    share = country_share_bucket(extraction.mentions)  # Britain, France (and Qorvel, unknown) of a dozen
    assert share == 1 and all(f"countries={share}" in f for f in features.values())
    assert all(0 < m.confidence < 1 for m in extraction.mentions)
    raw = next(extract([article(TEXT)], nlp, calibrated=False))
    assert {m.confidence for m in raw.mentions} == {1.0}
    assert shipped().apply(raw) == extraction


def test_min_confidence_drops_unsure_facts(nlp: Language) -> None:
    extraction = next(extract([article(TEXT)], nlp))
    confidences = sorted({m.confidence for m in extraction.mentions})
    assert len(confidences) >= 3, confidences
    threshold = confidences[len(confidences) // 2]
    kept = extraction.filtered(threshold)
    assert kept.mentions and len(kept.mentions) < len(extraction.mentions)
    assert all(m.confidence >= threshold for m in kept.mentions)
    dropped = {m.entity for m in extraction.mentions} - {m.entity for m in kept.mentions}
    assert dropped and not dropped & {e.ref for e in kept.entities}
    confidences = [*(e.confidence for e in kept.events), *(p.confidence for p in kept.policies),
                   *(s.confidence for s in kept.statements), *(r.confidence for r in kept.relations)]
    assert all(c >= threshold for c in confidences)
    for event in kept.events:
        assert not dropped & {*event.agents, *event.targets, *event.locations}
    for relation in kept.relations:
        assert relation.subject not in dropped and relation.object not in dropped
    assert extraction.filtered(0.0) == extraction
    nothing = extraction.filtered(1.0)
    assert not (nothing.mentions or nothing.events or nothing.relations or nothing.statements)
    assert next(extract([article(TEXT)], nlp, min_confidence=threshold)) == kept


def _confidences(trig: str) -> tuple[list[float], list[float]]:
    """The confidences of the mentions, and of everything else, in extracted TriG."""
    data = Dataset(default_union=True)
    data.parse(data=trig, format="trig")
    mentions = set(data.subjects(RDF.type, URIRef(KG + "Mention")))
    values: tuple[list[float], list[float]] = ([], [])
    for node, value in data.subject_objects(URIRef(KG + "confidence")):
        assert isinstance(value, Literal)
        values[0 if node in mentions else 1].append(float(value.toPython()))
    return values


def test_cli_min_confidence(tmp_path: Path) -> None:
    source = tmp_path / "article.txt"
    source.write_text(TEXT, encoding="utf-8")
    runner = CliRunner()
    options = ["--no-link", "--format", "trig", "--date", "2025-03-06"]
    full = runner.invoke(cli, ["extract", str(source), *options])
    assert full.exit_code == 0, full.stderr
    mentions, facts = _confidences(full.stdout)
    levels = sorted(set(mentions))
    assert len(levels) >= 3 and facts, (levels, facts)
    threshold = levels[len(levels) // 2]
    cut = runner.invoke(cli, ["extract", str(source), *options, "--min-confidence", str(threshold)])
    assert cut.exit_code == 0, cut.stderr
    kept, kept_facts = _confidences(cut.stdout)
    assert sorted(kept) == sorted(m for m in mentions if m >= threshold)  # the RDF shows what the cut saw
    assert all(v >= threshold for v in kept_facts)
    assert len(kept_facts) <= len([v for v in facts if v >= threshold])
    bad = runner.invoke(cli, ["extract", str(source), "--min-confidence", "1.5"])
    assert bad.exit_code == 2
    wrong = runner.invoke(cli, ["eval", "ucdp", str(source), "--min-confidence", "0.5"])
    assert wrong.exit_code == 1 and "only scored for re3d" in wrong.stderr


def test_kg_eval_re3d_prints_the_calibration() -> None:
    result = CliRunner().invoke(cli, ["eval", "re3d", str(RE3D), "--min-confidence", "0.3"])
    assert result.exit_code == 0, result.stderr
    assert "calibration (entities+relations, 10 bins): ECE" in result.stdout
    assert "0.9-1.0" in result.stdout and "predictions below confidence 0.3 dropped" in result.stdout


def test_calibrate_tool_writes_a_loadable_file(tmp_path: Path) -> None:
    out = tmp_path / "calibration.json"
    done = subprocess.run([sys.executable, str(ROOT / "tools" / "calibrate.py"), str(RE3D), "--output", str(out)],
                          capture_output=True, text=True, check=False, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "in-sample (fitted on all folders): ECE" in done.stdout
    assert "cross-validated (leave one sub-folder out, pooled): ECE" in done.stdout
    assert "cross-validated (5 folds of documents, pooled): ECE" in done.stdout
    assert "News: ECE" in done.stdout and "Wire: ECE" in done.stdout
    assert "entity:listed" in done.stdout and "90% interval over resampled documents" in done.stdout
    fitted = loads(out.read_text(encoding="utf-8"))
    assert fitted.fitted_on["folders"] == 2 and fitted.entity.weights
    assert isinstance(fitted.entity, Logistic)
