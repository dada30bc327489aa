"""``kg query`` and ``kg queries NAME`` end to end: output formats, query forms, where the query comes from,
the per-event ``events`` and the ``acled`` export, over an invented article extracted with the real model."""

from __future__ import annotations

import csv
import io
import json
import os
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from pyoxigraph import QuerySolutions, RdfFormat, Store, parse

from kg.cli import cli
from tests.helpers import on_a_terminal
from tests.servers import OxigraphServer

ROOT = Path(__file__).parent.parent
PATIENCE = 300.0  # seconds a child may take on a loaded two-core machine, many times over
KG = "https://w3id.org/kg-news/ns#"

# invented news text: an airstrike in a known city and province, a clash with two agents, an arrest
ARTICLE = {
    "id": "acled-1", "date": "2025-03-10", "source": "Tigris Wire", "title": "Airstrike near Mosul",
    "text": "An airstrike by the US-led coalition hit an Islamic State hideout near Mosul in Nineveh on Monday, "
            "killing four militants, the Iraqi Army said.\n\n"
            "On Sunday, the Iraqi Army and the Peshmerga clashed with Islamic State fighters in the Hamrin mountains.\n\n"
            "Police in Kirkuk arrested two suspected Islamic State members on Saturday.",
}
AIRSTRIKE_NOTE = ARTICLE["text"].split("\n\n")[0]


def run(*args: str | Path, input: str | None = None) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args], input=input, prog_name="kg")


def ok(*args: str | Path, input: str | None = None) -> str:
    result = run(*args, input=input)
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return result.stdout


def error_line(*args: str | Path, input: str | None = None) -> str:
    """The one ``Error:`` line of a run that must fail with exit 1 and no traceback."""
    result = run(*args, input=input)
    assert result.exit_code == 1, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr and result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith("Error: ")
    return line


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("query-command")
    (folder / "article.jsonl").write_text(json.dumps(ARTICLE) + "\n", encoding="utf-8")
    ok("extract", folder / "article.jsonl", "-o", folder / "article.trig")
    return folder / "article.trig"


# --- the acled export and events ---------------------------------------------------------------------------------------


def test_acled_maps_the_event_classes_and_places(data: Path) -> None:
    rows = json.loads(ok("query", "acled", "--data", data, "--format", "json"))
    by_type = {(row["event_type"], row["sub_event_type"]): row for row in rows}
    strike = by_type["Explosions/Remote violence", "Air/drone strike"]
    assert strike["event_date"] == "2025-03-10"
    assert (strike["actor1"], strike["actor2"]) == ("US-led coalition", "Islamic State")
    assert (strike["admin1"], strike["location"]) == ("Nineveh", "Mosul")  # the most specific place; its province
    assert strike["latitude"] == pytest.approx(36.34, abs=0.05) and strike["longitude"] == pytest.approx(43.12, abs=0.05)
    assert strike["source"] == "Tigris Wire" and strike["notes"] == AIRSTRIKE_NOTE
    assert strike["fatalities"] == 4  # "killing four militants"
    [clash] = [row for row in rows if row["notes"].startswith("On Sunday")]
    assert (clash["event_type"], clash["sub_event_type"]) == ("Battles", "Armed clash")
    assert (clash["actor1"], clash["assoc_actor_1"]) == ("Iraqi Army", "Peshmerga")
    assert clash["location"] == "Hamrin mountains" and clash["latitude"] is None
    arrest = by_type["Strategic developments", "Arrests"]
    assert arrest["event_date"] == "2025-03-08" and arrest["actor2"] == "Islamic State"
    assert len({row["event"] for row in rows}) == len(rows)  # one row per event
    header = ok("query", "acled", "--data", data, "--format", "csv").splitlines()[0]
    assert header == ("event_date,event_type,sub_event_type,actor1,assoc_actor_1,actor2,assoc_actor_2,admin1,"
                      "location,latitude,longitude,fatalities,source,notes,event")
    assert ok("query", "acled", "--data", data, "--param", "from=2025-03-09", "--columns", "event_date",
              "--format", "csv").split() == ["event_date", "2025-03-09", "2025-03-10", "2025-03-10"]


def test_events_is_one_row_per_event_and_per_role_one_per_combination(data: Path) -> None:
    events = json.loads(ok("query", "events", "--data", data, "--format", "json"))
    assert len({event["event"] for event in events}) == len(events)
    [clash] = [event for event in events if event["class"] == KG + "Clash"]
    assert clash["agentLabel"] == ["Iraqi Army", "Peshmerga"]
    assert [iri.rsplit("/", 1)[1] for iri in clash["agent"]] == ["iraqi-army", "peshmerga"]  # sorted, aligned
    [strike] = [event for event in events if event["class"] == KG + "Airstrike"]
    assert strike["locationLabel"] == ["Nineveh", "Mosul"] and len(strike["locationWikidata"]) == 2
    joined = list(csv.DictReader(io.StringIO(ok("query", "events", "--data", data, "--format", "csv"))))
    assert {row["agentLabel"] for row in joined} >= {"Iraqi Army; Peshmerga"}
    per_role = list(csv.DictReader(io.StringIO(ok("query", "events", "--per-role", "--data", data, "--format", "csv"))))
    assert {row["agentLabel"] for row in per_role if row["class"] == KG + "Clash"} == {"Iraqi Army", "Peshmerga"}
    assert len(per_role) == len(joined) + 2  # the clash's second agent, the strike's second place
    assert error_line("query", "mentions", "--per-role", "--data", data) == (
        "Error: --per-role: query 'mentions' has no list columns, so its rows are one per combination already - "
        "drop --per-role")


# --- formats, columns, limit ------------------------------------------------------------------------------------------


def test_json_lines_columns_and_limit(data: Path) -> None:
    lines = ok("query", "acled", "--data", data, "--format", "jsonl", "--columns", "latitude,location",
               "--limit", "2").splitlines()
    assert len(lines) == 2
    records = [json.loads(line) for line in lines]
    assert all(list(record) == ["latitude", "location"] for record in records)
    typed = [json.loads(line) for line in ok("query", "articles", "--data", data, "--format", "jsonl").splitlines()]
    assert type(typed[0]["mentions"]) is int and typed[0]["url"] is None
    wrong = error_line("query", "acled", "--data", data, "--columns", "event_date,actor3")
    assert wrong.startswith("Error: --columns: query 'acled' has no column 'actor3' - its columns: event_date, ")


def test_table_fits_the_terminal_and_is_whole_when_piped(data: Path, tmp_path: Path) -> None:
    args = [sys.executable, "-m", "kg", "query", "acled", "--data", str(data)]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "70"}
    code, shown = on_a_terminal(args, cwd=tmp_path, env=env, patience=PATIENCE)
    assert code == 0
    lines = shown.decode("utf-8").splitlines()
    assert lines and all(len(line) <= 70 for line in lines)
    assert "…" in shown.decode("utf-8")
    piped = ok("query", "acled", "--data", data)
    assert AIRSTRIKE_NOTE in piped and "\x1b" not in piped
    assert piped.splitlines()[1].strip("- ") == ""  # an ASCII rule under the header


# --- query forms and where the query comes from ---------------------------------------------------------------------


def test_ask_prints_true_or_false_and_exits_0(data: Path) -> None:
    assert ok("query", "ASK { ?e a kg:Airstrike }", "--data", data) == "true\n"
    assert ok("query", "ASK { ?e a kg:Assassination }", "--data", data, "--format", "json") == "false\n"
    assert "an ASK query answers true or false" in error_line("query", "ASK {}", "--data", data, "--format", "nt")
    assert error_line("query", "ASK {}", "--data", data, "--columns", "a") == (
        "Error: --columns picks columns of a SELECT answer, not of ASK - drop --columns")


def test_construct_writes_sorted_rdf(data: Path, tmp_path: Path) -> None:
    construct = "CONSTRUCT { ?e a ?c ; rdfs:label ?l } WHERE { ?e a ?c ; kg:agent ?a ; rdfs:label ?l }"
    turtle = ok("query", construct, "--data", data)
    assert "@prefix kg: <https://w3id.org/kg-news/ns#> ." in turtle and "kg:Airstrike" in turtle
    assert ok("query", construct, "--data", data) == turtle
    ntriples = ok("query", construct, "--data", data, "--format", "nt")
    assert ntriples.splitlines() == sorted(ntriples.splitlines())
    graph = set(parse(ntriples.encode(), format=RdfFormat.N_TRIPLES))
    assert graph == set(parse(turtle.encode(), format=RdfFormat.TURTLE))
    # the events with an agent, and the incident each one reports (it carries the agent too): a class and a label each
    assert len(graph) == 2 * 2 * 3
    query_file = tmp_path / "labels.rq"
    query_file.write_text("PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
                          "CONSTRUCT { ?e rdfs:label ?l } WHERE { ?e rdfs:label ?l }\n", encoding="utf-8")
    assert json.loads(ok("query", query_file, "--data", data, "--format", "jsonld"))
    assert "CONSTRUCT writes RDF - use --format" in error_line("query", query_file, "--data", data, "--format", "csv")
    assert "events is a SELECT query" in error_line("query", "events", "--data", data, "--format", "turtle")


@pytest.mark.server
def test_ask_and_construct_over_an_endpoint_answer_as_over_the_files(data: Path, fresh_oxigraph: OxigraphServer) -> None:
    endpoint = fresh_oxigraph.query_url
    ok("load", data, "--endpoint", endpoint)
    construct = "CONSTRUCT { ?e a ?c ; rdfs:label ?l } WHERE { ?e a ?c ; kg:agent ?a ; rdfs:label ?l }"
    for query in ("ASK { ?e a kg:Airstrike }", "ASK { ?e a kg:Assassination }", construct):
        assert ok("query", query, "--endpoint", endpoint) == ok("query", query, "--data", data)
    assert ok("query", construct, "--endpoint", endpoint, "--format", "nt").count("\n") == 2 * 2 * 3


def test_inline_and_stdin_queries_know_kg_prefixes(data: Path) -> None:
    text = "SELECT ?label WHERE { ?e a kg:Clash ; rdfs:label ?label }"
    assert ok("query", text, "--data", data, "--format", "csv") == "label\nclashed\n"
    assert ok("query", "-", "--data", data, "--format", "csv", input=text) == "label\nclashed\n"
    bad = error_line("query", "SELECT ?x WHERE { ?x a }", "--data", data)
    assert bad.startswith("Error: the query text is not valid SPARQL")


def test_a_name_that_is_no_saved_query_lists_them(data: Path) -> None:
    line = error_line("query", "evnts", "--data", data)
    assert line.startswith("Error: unknown saved query 'evnts' - the saved queries are acled, articles, ")
    assert "events" in line and "kg queries" in line
    assert error_line("query", "missing.rq", "--data", data) == "Error: query file 'missing.rq' not found"


# --- kg queries NAME ---------------------------------------------------------------------------------------------------


def test_queries_name_prints_what_to_know_then_text_that_runs_as_pasted(data: Path) -> None:
    shown = ok("queries", "events")
    lines = shown.splitlines()
    assert lines[0] == "# events: Operations and attacks"
    assert lines[2] == ("# columns: event class label date agent agentLabel target targetLabel location "
                        "locationLabel locationWikidata article evidence confidence factuality killed injured")
    assert lines[3] == "# list ('; '-joined, arrays in JSON; --per-role: one row each): agent agentLabel"
    assert [line.split()[2].split("=")[0] for line in lines if line.startswith("# --param ")] == \
        ["place", "actor", "class"]
    store = Store()
    store.load(path=str(data), format=RdfFormat.TRIG)
    pasted = store.query(shown, use_default_graph_as_union=True)  # the whole output, as an editor would get it
    assert isinstance(pasted, QuerySolutions)
    # the text's own answer: one row per role combination, as --per-role prints it
    per_role = json.loads(ok("query", "events", "--per-role", "--data", data, "--format", "json"))
    assert len(list(pasted)) == len(per_role)
    assert "unknown saved query 'nope'" in error_line("queries", "nope")
