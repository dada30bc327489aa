"""The one table of named things (kg/data/names.tsv): it loads, its classes exist, it feeds the rules and
the linker, and the builder's check passes on it (and fails on a broken one)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import OWL, RDF, Graph

from kg import known
from kg.link.gazetteer import CLASS_KINDS, Gazetteer
from kg.nlp import lexicon, toponyms, words
from kg.resources import ontology_path

ROOT = Path(__file__).resolve().parent.parent
BUILDER = ROOT / "tools" / "build_gazetteer.py"


def run_builder(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(BUILDER), *args], capture_output=True, text=True, cwd=ROOT,
                          check=False)


def test_table_loads_sorted_with_one_row_per_name_and_class() -> None:
    things = known.named_things()
    keys = [(t.name, t.cls) for t in things]
    assert keys == sorted(keys) and len(keys) == len(set(keys))
    assert {t.match for t in things} == known.MATCH_LISTS
    assert known.default_path().read_text(encoding="utf-8").split("\n", 1)[0].split("\t") == list(known.HEADER)


def test_every_class_exists_in_the_ontology() -> None:
    declared = {str(c).rsplit("#", 1)[-1].rsplit("/", 1)[-1]
                for c in Graph().parse(ontology_path()).subjects(RDF.type, OWL.Class)}
    assert sorted({t.cls for t in known.named_things()} - declared) == []


def test_gazetteer_rows_are_exactly_the_linked_rows() -> None:
    linked = known.linked()
    assert [t.qid for t in linked] == [e.qid for e in Gazetteer().entries]
    for thing, entry in zip(linked, Gazetteer().entries, strict=True):
        assert (entry.label, entry.kind, entry.aliases, entry.coordinates, entry.country, entry.description) == (
            thing.name, CLASS_KINDS[thing.cls], thing.link_aliases, thing.coordinates, thing.country,
            thing.description)
        assert thing.source, thing


def test_the_rules_read_their_rows() -> None:
    assert {t.name: (t.cls, t.aliases) for t in known.named_things() if t.match == "actor"} == lexicon.KNOWN
    assert set(lexicon.ADMIN_AREAS) == set(known.matched("admin")) | set(known.matched("capital"))
    assert set(known.matched("capital")) == lexicon.CAPITAL_NAMED
    assert known.matched("country") == lexicon.COUNTRY_ALIASES
    assert set(toponyms.TOWNS) | set(toponyms.AREAS) == set(known.matched("town"))
    assert lexicon.known_names()["Daesh"] == ("Islamic State", "ArmedGroup")


def test_matched_rejects_an_unknown_list() -> None:
    with pytest.raises(ValueError, match="unknown match list"):
        known.matched("people")


def test_parse_rejects_bad_lines() -> None:
    header = "\t".join(known.HEADER)
    with pytest.raises(ValueError, match="header"):
        known.parse(["name\tclass\n"])
    with pytest.raises(ValueError, match="fields"):
        known.parse([header, "X\tArea\t-"])
    with pytest.raises(ValueError, match="unknown match list"):
        known.parse([header, "X\tArea\tplaces" + "\t" * 8])
    with pytest.raises(ValueError, match="both"):
        known.parse([header, "X\tArea\t-\t\tQ1\tgeo\t\t1\t\t\t"])


def test_builder_check_passes_on_the_shipped_table() -> None:
    result = run_builder("--check")
    assert result.returncode == 0, result.stderr
    assert "0 problems" in result.stderr


def test_builder_check_names_each_problem(tmp_path: Path) -> None:
    lines = known.default_path().read_text(encoding="utf-8").splitlines()
    header, rows = lines[0], lines[1:]
    bad = [
        "Atlantis\tContinent\t-\t\t\t\t\t\t\t\t",  # a class the ontology lacks
        "Nowhere\tSettlement\t-\t\tQ123456789\t\t\t\t\t\t",  # a QID without a source
        "Zzz Group\tArmedGroup\tactor\tDaesh\t\t\t\t\t\t\t",  # "Daesh" means two things to the ruler
    ]
    table = tmp_path / "names.tsv"
    table.write_text("\n".join([header, *sorted(rows + bad)]) + "\n", encoding="utf-8")
    result = run_builder("--check", "--table", str(table), "--out", str(tmp_path / "gazetteer.tsv"))
    assert result.returncode == 1
    assert "class 'Continent' is not in kg.ttl" in result.stderr
    assert "Q123456789 has no source" in result.stderr
    assert "ruler before NER: 'Daesh' names" in result.stderr


def test_closed_class_words() -> None:
    assert "thirteenth" in words.ORDINAL_WORDS and len(words.ORDINAL_WORDS) == 18
    assert {"north", "southwest"} <= words.COMPASS_POINTS and "brigade" in words.UNIT_WORDS
