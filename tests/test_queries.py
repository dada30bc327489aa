"""Saved queries (queries/*.rq) and their runner kg.query.saved, against a hand-written two-article fixture."""

from __future__ import annotations

import csv
import hashlib
import json
import re
from collections.abc import Iterator
from itertools import islice
from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode, Quad, RdfFormat, Store

from kg.errors import QueryError
from kg.query.formats import format_result, select_columns
from kg.query.lists import Cell, join_lists
from kg.query.saved import (
    PARAM_PREFIX,
    ResultRows,
    ResultTable,
    SavedQuery,
    TermRows,
    bind_value,
    compose,
    list_queries,
    load_query,
    parse_query_file,
    run_query,
    stream_query,
    stream_terms,
)
from kg.rdf.graphs import index_store
from kg.resources import QUERIES_DIR
from kg.store.incidents import index_incidents

FIXTURE = Path(__file__).parent / "data" / "query_fixture.trig"

KG = "https://w3id.org/kg-news/ns#"
WD = "http://www.wikidata.org/entity/"
XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_DATE = XSD + "date"
XSD_INTEGER = NamedNode(XSD + "integer")
A1 = "https://w3id.org/kg-news/id/article/aaaa000000000001"
A2 = "https://w3id.org/kg-news/id/article/bbbb000000000002"
ENT = "https://w3id.org/kg-news/id/entity/"
ISF = ENT + "organization/iraqi-security-forces"
ISIS = ENT + "organization/islamic-state"
HAMDANI = ENT + "person/jalal-hamdani"
DIYALA = ENT + "administrativearea/diyala"
EU = ENT + "organization/european-union"
IRAN = ENT + "country/iran"
BAGHDAD = ENT + "settlement/baghdad"
DIYALA_WD = WD + "Q9000001"

S_A1_0 = "Iraqi security forces launched a search operation in Diyala on Thursday against ISIS cells."
S_A1_92 = "Jalal Hamdani, the governor of Diyala, said the operation would continue until the province is secure."
S_A2_0 = "The European Union extended its oil and energy sanctions on Iran on Monday."
S_A2_76 = "The bloc also proposed easing aviation sanctions on Iran."
S_A2_176 = "An airstrike hit Baghdad on Sunday."
QUOTE = "the operation would continue until the province is secure"

SEARCH_OP = A1 + "/event/33-49"
AIRSTRIKE = A2 + "/event/179-188"


def incident(event: str) -> str:
    """The IRI of the incident whose first report is ``event``."""
    return "https://w3id.org/kg-news/id/incident/" + hashlib.sha256(event.encode()).hexdigest()[:16]

SANCTION = A2 + "/policy/47-56"
PROPOSED = A2 + "/policy/115-124"
STATEMENT = A1 + "/statement/131-193"

MALICIOUS = 'x" } ; DROP ALL ; #'

CONTRACT_COLUMNS = {
    "mentions": ("article", "start", "end", "text", "entity", "class", "category", "wikidata"),
    "entities": ("entity", "label", "class", "category", "wikidata", "mentions"),
    "events": (
        "event", "class", "label", "date", "agent", "agentLabel", "target", "targetLabel",
        "location", "locationLabel", "locationWikidata", "article", "evidence", "confidence",
        "factuality", "killed", "injured",
    ),
    "policies": (
        "policy", "class", "label", "issuer", "issuerLabel", "target", "targetLabel",
        "sector", "status", "date", "article", "evidence", "factuality",
    ),
    "relations": ("subject", "subjectLabel", "predicate", "object", "objectLabel", "article", "evidence", "confidence"),
    "statements": (
        "statement", "speaker", "speakerLabel", "quote", "about", "aboutLabel", "date", "article", "evidence", "confidence",
    ),
    "articles": ("article", "id", "title", "date", "url", "source", "mentions"),
}
ANALYST_COLUMNS = {
    "acled": ("event_date", "event_type", "sub_event_type", "actor1", "assoc_actor_1", "actor2", "assoc_actor_2",
              "admin1", "location", "latitude", "longitude", "fatalities", "source", "notes", "event"),
    "operations-by-place": ("place", "placeLabel", "date", "class", "label", "event", "article", "evidence", "reports",
                            "articles"),
    "who-against-whom": ("agent", "agentLabel", "target", "targetLabel", "operations", "reports", "articles"),
    "sanctions-on": ("policy", "class", "label", "issuer", "issuerLabel", "sector", "status", "date", "evidence"),
    "statements-by": ("speakerLabel", "quote", "date", "article"),
    "timeline": ("date", "kind", "class", "label", "place", "article", "evidence", "reports", "articles"),
    "map": ("entity", "label", "class", "wikidata", "wkt", "incidents"),
}
PARAMS = {
    "mentions": ("article", "category"),
    "entities": ("category", "name"),
    "events": ("place", "actor", "class"),
    "acled": ("from", "to"),
    "policies": ("target", "issuer", "status"),
    "relations": ("predicate", "name"),
    "statements": ("speaker",),
    "articles": (),
    "operations-by-place": ("place", "from", "to", "factuality"),
    "who-against-whom": ("factuality",),
    "sanctions-on": ("country",),
    "statements-by": ("speaker",),
    "timeline": ("place", "factuality"),
    "map": ("factuality",),
}

MENTION_ROWS = [
    (A1, "0", "21", "Iraqi security forces", ISF, KG + "SecurityForce", "Organization", None),
    (A1, "53", "59", "Diyala", DIYALA, KG + "AdministrativeArea", "Location", DIYALA_WD),
    (A1, "80", "84", "ISIS", ISIS, KG + "ArmedGroup", "Organization", None),
    (A1, "92", "105", "Jalal Hamdani", HAMDANI, KG + "Person", "Person", None),
    (A1, "123", "129", "Diyala", DIYALA, KG + "AdministrativeArea", "Location", DIYALA_WD),
    (A2, "4", "18", "European Union", EU, KG + "InternationalOrganization", "Organization", None),
    (A2, "60", "64", "Iran", IRAN, KG + "State", "Organization", None),
    (A2, "128", "132", "Iran", IRAN, KG + "State", "Organization", None),
    (A2, "134", "141", "Hamdani", HAMDANI, KG + "Person", "Person", None),
    (A2, "167", "174", "Baghdad", BAGHDAD, KG + "Settlement", "Location", None),
    (A2, "193", "200", "Baghdad", BAGHDAD, KG + "Settlement", "Location", None),
]
ENTITY_ROWS = [
    (BAGHDAD, "Baghdad", KG + "Settlement", "Location", None, "2"),
    (DIYALA, "Diyala", KG + "AdministrativeArea", "Location", DIYALA_WD, "2"),
    (EU, "European Union", KG + "InternationalOrganization", "Organization", None, "1"),
    (IRAN, "Iran", KG + "State", "Organization", None, "2"),
    (ISF, "Iraqi security forces", KG + "SecurityForce", "Organization", None, "1"),
    (ISIS, "Islamic State", KG + "ArmedGroup", "Organization", None, "1"),
    (HAMDANI, "Jalal Hamdani", KG + "Person", "Person", None, "2"),
]
SEARCH_OP_ROW = (
    SEARCH_OP, KG + "SearchOperation", "search operation", "2025-01-16",
    ISF, "Iraqi security forces", ISIS, "Islamic State", DIYALA, "Diyala", DIYALA_WD,
    A1, S_A1_0, "0.8", KG + "Asserted", None, None,
)
AIRSTRIKE_ROW = (
    AIRSTRIKE, KG + "Airstrike", "airstrike", "2025-02-02",
    None, None, None, None, BAGHDAD, "Baghdad", "",  # one place, without a Wikidata link
    A2, S_A2_176, "0.6", KG + "Asserted", None, None,
)
AIRSTRIKE_PER_ROLE_ROW = (*AIRSTRIKE_ROW[:10], None, *AIRSTRIKE_ROW[11:])
PROPOSED_ROW = (
    PROPOSED, KG + "Sanction", "sanctions", EU, "European Union", IRAN, "Iran",
    "aviation", KG + "Proposed", None, A2, S_A2_76, KG + "Planned",
)
SANCTION_ROW = (  # one row per policy: its two sectors listed
    SANCTION, KG + "Sanction", "sanctions", EU, "European Union", IRAN, "Iran",
    "energy; oil", KG + "InForce", "2025-02-03", A2, S_A2_0, KG + "Asserted",
)
RELATION_ROW = (HAMDANI, "Jalal Hamdani", KG + "leaderOf", DIYALA, "Diyala", A1, S_A1_92, "0.85")
STATEMENT_ROW = (
    STATEMENT, HAMDANI, "Jalal Hamdani", QUOTE, DIYALA, "Diyala", "2025-01-16", A1, S_A1_92, "0.9",
)
ARTICLE_ROWS = [
    (A1, "aaaa000000000001", "Iraqi forces hunt ISIS cells in Diyala", "2025-01-17", "https://example.org/news/1",
     "Example Daily", "5"),
    (A2, "bbbb000000000002", "EU extends oil sanctions on Iran", "2025-02-04", None, "Example Daily", "6"),
]


@pytest.fixture
def store() -> Store:
    loaded = Store()
    loaded.load(path=str(FIXTURE), format=RdfFormat.TRIG)
    return index_incidents(index_store(loaded))


def run(store: Store, query_name: str, /, **params: str) -> ResultTable:
    return run_query(load_query(query_name), store, params)


def quads(store: Store) -> set[Quad]:
    return set(store.quads_for_pattern(None, None, None, None))


# --- the .rq files themselves -------------------------------------------------------------------------------------


def query_files() -> list[Path]:
    return sorted(QUERIES_DIR.glob("*.rq"))


def test_the_saved_queries_are_the_expected_set() -> None:
    assert [query.name for query in list_queries()] == sorted(PARAMS)


@pytest.mark.parametrize("path", query_files(), ids=lambda path: path.stem)
def test_query_file_parses_and_documents_its_params(path: Path) -> None:
    query = parse_query_file(path)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("# title: ") and query.title == lines[0].removeprefix("# title: ").strip()
    assert lines[1].startswith("# description: ") and query.description
    assert [param.name for param in query.params] == list(PARAMS[query.name])
    assert all(param.description for param in query.params)
    body = "\n".join(line for line in lines if not line.lstrip().startswith("#"))
    bound_variables = set(re.findall(r"\?" + PARAM_PREFIX + r"(\w+)", body))
    assert bound_variables == set(PARAMS[query.name])
    # article facts come from the union of the article graphs; shared facts only from the entities graph,
    # incidents from the incidents graph
    assert set(re.findall(r"\bGRAPH\s+(\S+)", body, re.IGNORECASE)) <= {"kgg:entities", "kgg:incidents"}
    # deterministic order; the mentions dump streams in store order, one article's mentions are sorted
    assert re.search(r"\bORDER\s+BY\b", body if query.name != "mentions" else compose(query, ["article"]))
    assert re.search(r"PREFIX\s+kg:\s+<https://w3id.org/kg-news/ns#>", body)


@pytest.mark.parametrize("name", sorted(PARAMS))
def test_columns_are_the_documented_ones(store: Store, name: str) -> None:
    expected = CONTRACT_COLUMNS.get(name) or ANALYST_COLUMNS[name]
    assert run(store, name).columns == expected


@pytest.mark.parametrize("name", sorted(PARAMS))
def test_every_query_runs_without_params_on_an_empty_store(name: str) -> None:
    table = run_query(load_query(name), Store())
    assert table.rows == [] and table.columns


# --- contract queries: exact rows ---------------------------------------------------------------------------------


def test_mentions(store: Store) -> None:
    # the whole dump streams in store order; one article's mentions come in text order (below)
    assert sorted(run(store, "mentions").rows, key=str) == sorted(MENTION_ROWS, key=str)


def test_mentions_by_article_id_iri_and_category(store: Store) -> None:
    assert run(store, "mentions", article="bbbb000000000002").rows == MENTION_ROWS[5:]
    assert run(store, "mentions", article=A1).rows == MENTION_ROWS[:5]
    assert sorted(run(store, "mentions", category="location").rows, key=str) == sorted(
        [MENTION_ROWS[i] for i in (1, 4, 9, 10)], key=str)
    assert run(store, "mentions", article="aaaa000000000001", category="Person").rows == [MENTION_ROWS[3]]
    assert run(store, "mentions", article="cccc").rows == []


def test_mentions_give_one_row_when_articles_disagree_on_the_class(store: Store) -> None:
    store.add(Quad(NamedNode(ISIS), NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                   NamedNode(KG + "Organization"), NamedNode(A2)))
    assert sorted(run(store, "mentions").rows, key=str) == sorted(MENTION_ROWS, key=str)
    assert run(store, "entities").rows == ENTITY_ROWS


def test_entities(store: Store) -> None:
    assert run(store, "entities").rows == ENTITY_ROWS


def test_entities_by_category_and_name(store: Store) -> None:
    assert run(store, "entities", category="PERSON").rows == [ENTITY_ROWS[6]]
    assert run(store, "entities", name="isis").rows == [ENTITY_ROWS[5]]
    assert run(store, "entities", name="hamdani").rows == [ENTITY_ROWS[6]]
    assert run(store, "entities", name="Diyala", category="Organization").rows == []


def test_events(store: Store) -> None:
    assert run(store, "events").rows == [SEARCH_OP_ROW, AIRSTRIKE_ROW]
    per_role = stream_query(load_query("events"), store, {"place": "baghdad"}, per_role=True)
    assert list(per_role.rows) == [AIRSTRIKE_PER_ROLE_ROW] and per_role.lists == ()


def test_events_by_place_actor_and_class(store: Store) -> None:
    assert run(store, "events", place="diyala").rows == [SEARCH_OP_ROW]
    assert run(store, "events", place="BAGHDAD").rows == [AIRSTRIKE_ROW]
    assert run(store, "events", place="Q9000001").rows == [SEARCH_OP_ROW]
    assert run(store, "events", place=BAGHDAD).rows == [AIRSTRIKE_ROW]
    assert run(store, "events", place="Mosul").rows == []
    assert run(store, "events", actor="isis").rows == [SEARCH_OP_ROW]
    assert run(store, "events", actor="Iraqi Security Forces").rows == [SEARCH_OP_ROW]
    assert run(store, "events", **{"class": "airstrike"}).rows == [AIRSTRIKE_ROW]
    assert run(store, "events", **{"class": "kg:SearchOperation"}).rows == [SEARCH_OP_ROW]
    assert run(store, "events", place="Baghdad", actor="ISIS").rows == []


def test_policies(store: Store) -> None:
    assert run(store, "policies").rows == [PROPOSED_ROW, SANCTION_ROW]
    per_role = stream_query(load_query("policies"), store, per_role=True).rows
    assert [row[7] for row in per_role] == ["aviation", "energy", "oil"]


def test_policies_by_target_issuer_and_status(store: Store) -> None:
    assert run(store, "policies", target="iran").rows == [PROPOSED_ROW, SANCTION_ROW]
    assert run(store, "policies", issuer="European Union", status="InForce").rows == [SANCTION_ROW]
    assert run(store, "policies", status="kg:Proposed").rows == [PROPOSED_ROW]
    assert run(store, "policies", target="European Union").rows == []


def test_relations(store: Store) -> None:
    assert run(store, "relations").rows == [RELATION_ROW]
    assert run(store, "relations", predicate="leaderOf", name="diyala").rows == [RELATION_ROW]
    assert run(store, "relations", predicate="kg:memberOf").rows == []
    assert run(store, "relations", name="Iran").rows == []


def test_statements(store: Store) -> None:
    assert run(store, "statements").rows == [STATEMENT_ROW]
    assert run(store, "statements", speaker="JALAL HAMDANI").rows == [STATEMENT_ROW]
    assert run(store, "statements", speaker="Diyala").rows == []


def test_articles(store: Store) -> None:
    assert run(store, "articles").rows == ARTICLE_ROWS


def test_articles_without_mentions_are_listed(store: Store) -> None:
    article = NamedNode("https://w3id.org/kg-news/id/article/cccc000000000003")
    store.add(Quad(article, NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                   NamedNode("https://schema.org/NewsArticle"), article))
    store.add(Quad(article, NamedNode(KG + "articleId"), Literal("cccc000000000003"), article))
    rows = run(store, "articles").rows
    assert rows[0] == (article.value, "cccc000000000003", None, None, None, None, "0")
    assert rows[1:] == ARTICLE_ROWS


# --- analyst queries ----------------------------------------------------------------------------------------------


def test_operations_by_place(store: Store) -> None:
    # one row per incident (here one report each), with the evidence of its first report
    baghdad = (BAGHDAD, "Baghdad", "2025-02-02", KG + "Airstrike", "airstrike", incident(AIRSTRIKE), A2, S_A2_176,
               "1", "1")
    diyala = (DIYALA, "Diyala", "2025-01-16", KG + "SearchOperation", "search operation", incident(SEARCH_OP), A1,
              S_A1_0, "1", "1")
    assert run(store, "operations-by-place").rows == [baghdad, diyala]
    assert run(store, "operations-by-place", place="diyala").rows == [diyala]
    assert run(store, "operations-by-place", **{"from": "2025-02-01"}).rows == [baghdad]
    assert run(store, "operations-by-place", to="2025-01-31").rows == [diyala]
    assert run(store, "operations-by-place", to="2025-01").rows == [diyala]
    assert run(store, "operations-by-place", **{"from": "2025", "to": "2025"}).rows == [baghdad, diyala]
    assert run(store, "operations-by-place", to="soon").rows == []
    assert run(store, "operations-by-place", **{"from": "2025-01-16", "to": "2025-01-16"}).rows == [diyala]
    assert run(store, "operations-by-place", place="Diyala", **{"from": "2025-02-01"}).rows == []


def test_who_against_whom(store: Store) -> None:
    assert run(store, "who-against-whom").rows == [(ISF, "Iraqi security forces", ISIS, "Islamic State", "1", "1",
                                                    "1")]


def test_sanctions_on_leaves_out_proposed_changes(store: Store) -> None:
    sanction = (SANCTION, KG + "Sanction", "sanctions", EU, "European Union", "energy; oil", KG + "InForce",
                "2025-02-03", S_A2_0)
    assert run(store, "sanctions-on", country="iran").rows == [sanction]
    assert run(store, "sanctions-on", country="Diyala").rows == []


def test_statements_by(store: Store) -> None:
    row = ("Jalal Hamdani", QUOTE, "2025-01-16", A1)
    assert run(store, "statements-by").rows == [row]
    assert run(store, "statements-by", speaker="hamdani").rows == [row]
    assert run(store, "statements-by", speaker="Islamic State").rows == []


def test_timeline(store: Store) -> None:
    search = ("2025-01-16", "event", KG + "SearchOperation", "search operation", "Diyala", A1, S_A1_0, "1", "1")
    said = ("2025-01-16", "statement", KG + "Statement", "said", "Diyala", A1, S_A1_92, None, None)
    strike = ("2025-02-02", "event", KG + "Airstrike", "airstrike", "Baghdad", A2, S_A2_176, "1", "1")
    sanction = ("2025-02-03", "policy", KG + "Sanction", "sanctions", "Iran", A2, S_A2_0, None, None)
    assert run(store, "timeline").rows == [search, said, strike, sanction]
    assert run(store, "timeline", place="DIYALA").rows == [search, said]
    assert run(store, "timeline", place="Iran").rows == [sanction]
    assert run(store, "timeline", place="Islamic State").rows == []


def test_map(store: Store) -> None:
    assert run(store, "map").rows == [(DIYALA, "Diyala", KG + "AdministrativeArea", DIYALA_WD, "POINT(44.95 33.77)",
                                       "1")]


# --- parameters and errors ----------------------------------------------------------------------------------------


def test_a_parameter_used_only_inside_filter_is_substituted(store: Store) -> None:
    # ?param_place occurs only in FILTER: both the "given" and the "not given" branch must work.
    assert len(run(store, "events").rows) == 2
    table = run(store, "events", place="Diyala")
    assert table.rows == [SEARCH_OP_ROW]
    assert not any(column.startswith(PARAM_PREFIX) for column in table.columns)


def test_unknown_parameter(store: Store) -> None:
    with pytest.raises(QueryError, match=r"query 'events' has no parameter 'city' - its parameters: place, actor, class"):
        run(store, "events", city="Diyala")
    with pytest.raises(QueryError, match=r"query 'map' has no parameter 'x' - its parameters: factuality"):
        run(store, "map", x="1")


def test_bad_parameter_value_names_the_parameter(store: Store) -> None:
    with pytest.raises(QueryError, match=r"query 'operations-by-place', parameter 'from': '2025-02-30'"):
        run(store, "operations-by-place", **{"from": "2025-02-30"})


def test_unknown_saved_query() -> None:
    with pytest.raises(QueryError) as raised:
        load_query("nope")
    assert str(raised.value) == "unknown saved query 'nope' - run 'kg queries' to list them"
    with pytest.raises(QueryError, match="unknown saved query"):
        load_query("../queries/events")


def test_load_query_by_path(tmp_path: Path, store: Store) -> None:
    path = tmp_path / "mine.rq"
    path.write_text(
        "# title: Labels\n# description: labels by name\n# param: name — the label\n"
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
        "SELECT DISTINCT ?label ?param_name WHERE { ?e rdfs:label ?label "
        "FILTER(COALESCE(STR(?param_name), '') = '' || ?label = ?param_name) } ORDER BY ?label\n",
        encoding="utf-8",
    )
    query = load_query(str(path))
    assert (query.name, query.title, query.description) == ("mine", "Labels", "labels by name")
    assert run_query(query, store, {"name": "Iran"}) == ResultTable(("label",), [("Iran",)])
    assert len(run_query(query, store).rows) == 11
    with pytest.raises(QueryError, match="not found"):
        load_query(str(tmp_path / "missing.rq"))


def test_a_file_that_is_not_sparql(tmp_path: Path) -> None:
    path = tmp_path / "broken.rq"
    path.write_text("# title: Broken\nSELEC ?x WHERE {\n  ?x ?y\n", encoding="utf-8")
    with pytest.raises(QueryError) as raised:
        load_query(str(path))
    message = str(raised.value)
    assert str(path) in message and "not valid SPARQL" in message and "\n" not in message


def test_a_declared_parameter_must_be_selected(tmp_path: Path) -> None:
    path = tmp_path / "undeclared.rq"
    path.write_text("# title: T\n# param: x — an x\nSELECT ?y WHERE { ?y ?p ?o FILTER(?o = ?param_x) }\n", encoding="utf-8")
    with pytest.raises(QueryError, match=r"does not select \?param_x"):
        parse_query_file(path)


def test_a_non_select_query_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "ask.rq"
    path.write_text("# title: Ask\nASK { ?s ?p ?o }\n", encoding="utf-8")
    with pytest.raises(QueryError, match="not a SELECT query"):
        parse_query_file(path)


@pytest.mark.parametrize("name", sorted(name for name, params in PARAMS.items() if params))
def test_malicious_values_are_plain_literals(store: Store, name: str) -> None:
    before = quads(store)
    query = load_query(name)
    for param in query.params:
        assert run_query(query, store, {param.name: MALICIOUS}).rows == []
    assert quads(store) == before


# --- bind_value ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("<https://example.org/a b>", None),
        ("<https://example.org/x>", NamedNode("https://example.org/x")),
        ("https://w3id.org/kg-news/id/entity/country/iran", NamedNode(IRAN)),
        ("http://example.org/y", NamedNode("http://example.org/y")),
        ("urn:x-kg:1", NamedNode("urn:x-kg:1")),
        ("Q794", NamedNode(WD + "Q794")),
        ("wd:Q794", NamedNode(WD + "Q794")),
        ("kg:Airstrike", NamedNode(KG + "Airstrike")),
        ("2025-01-16", Literal("2025-01-16", datatype=NamedNode(XSD_DATE))),
        ("2025-01", Literal("2025-01")),
        ("Diyala", Literal("Diyala")),
        ("q794", Literal("q794")),
        ("Q794 Iran", Literal("Q794 Iran")),
        ("kg:", Literal("kg:")),
        (MALICIOUS, Literal(MALICIOUS)),
        ("", Literal("")),
    ],
)
def test_bind_value(value: str, expected: NamedNode | Literal | None) -> None:
    if expected is None:
        with pytest.raises(QueryError, match="not a valid IRI"):
            bind_value(value)
    else:
        assert bind_value(value) == expected


def test_bind_value_refuses_impossible_dates() -> None:
    with pytest.raises(QueryError, match="not a valid date"):
        bind_value("2025-13-01")


# --- output formats -----------------------------------------------------------------------------------------------

SAMPLE = ResultTable(
    ("name", "note", "count"),
    [("Kirkūk", None, "3"), ("a,b", 'say "hi"\tthen\nleave', "10")],
)


def test_csv(store: Store) -> None:
    lines = list(format_result(SAMPLE, "csv"))
    assert lines[0] == "name,note,count"
    assert list(csv.reader("\n".join(lines).splitlines(keepends=True))) == [
        ["name", "note", "count"],
        ["Kirkūk", "", "3"],
        ["a,b", 'say "hi"\tthen\nleave', "10"],
    ]
    events = list(format_result(run(store, "events"), "csv"))
    assert events[0] == ",".join(CONTRACT_COLUMNS["events"])
    assert len(events) == 3


def test_tsv() -> None:
    assert list(format_result(SAMPLE, "tsv")) == [
        "name\tnote\tcount",
        "Kirkūk\t\t3",
        'a,b\tsay "hi"\\tthen\\nleave\t10',
    ]


def test_json_has_every_column_null_when_unbound_and_keeps_unicode(store: Store) -> None:
    text = "\n".join(format_result(SAMPLE, "json"))
    assert "Kirkūk" in text
    assert json.loads(text) == [
        {"name": "Kirkūk", "note": None, "count": "3"},  # text rows stay text: only terms know their type
        {"name": "a,b", "note": 'say "hi"\tthen\nleave', "count": "10"},
    ]
    assert "\n".join(format_result(SAMPLE, "json")) == text
    assert list(format_result(ResultTable(("a",), []), "json")) == ["[]"]
    events = json.loads("\n".join(format_result(stream_terms(load_query("events"), store), "json")))
    assert list(events[0]) == list(CONTRACT_COLUMNS["events"])
    assert events[1]["agent"] == [] and events[1]["locationLabel"] == ["Baghdad"]
    assert events[1]["locationWikidata"] == [""]  # one place, unlinked: the list still lines up with location
    assert events[0]["agent"] == [ISF] and events[0]["targetLabel"] == ["Islamic State"]
    assert events[0]["confidence"] == 0.8 and events[0]["date"] == "2025-01-16"


TYPED = TermRows(
    ("n", "d", "x", "b", "label", "iri", "date", "bad", "nan"),
    iter([(Literal("3", datatype=XSD_INTEGER), Literal("2.50", datatype=NamedNode(XSD + "decimal")),
           Literal("1E3", datatype=NamedNode(XSD + "double")), Literal("true", datatype=NamedNode(XSD + "boolean")),
           Literal("Kirkūk", language="ar"), NamedNode(DIYALA), Literal("2025-01-16", datatype=NamedNode(XSD_DATE)),
           Literal("many", datatype=XSD_INTEGER), Literal("NaN", datatype=NamedNode(XSD + "double"))),
          (None,) * 9]),
)


def test_json_is_typed_and_jsonl_is_one_object_per_line() -> None:
    rows = list(TYPED.rows)
    lines = list(format_result(TermRows(TYPED.columns, iter(rows)), "jsonl"))
    assert len(lines) == 2
    first, second = (json.loads(line) for line in lines)
    assert first == {"n": 3, "d": 2.5, "x": 1000.0, "b": True, "label": "Kirkūk", "iri": DIYALA,
                     "date": "2025-01-16", "bad": "many", "nan": "NaN"}
    assert type(first["n"]) is int and type(first["d"]) is float
    assert second == dict.fromkeys(TYPED.columns)
    whole = json.loads("\n".join(format_result(TermRows(TYPED.columns, iter(rows)), "json")))
    assert whole == [first, second]


def test_select_columns_picks_and_orders_and_names_the_columns_there_are() -> None:
    rows = [(Literal("a"), Literal("b"), Literal("c"))]
    picked = select_columns(TermRows(("x", "y", "z"), iter(rows), ("z",)), ["z", "x"])
    assert picked.columns == ("z", "x") and picked.lists == ("z",)
    assert [tuple(v.value for v in row if v is not None) for row in picked.rows] == [("c", "a")]
    with pytest.raises(QueryError) as raised:
        select_columns(TermRows(("x", "y"), iter([])), ["x", "w"], "query 'q'")
    assert str(raised.value) == "--columns: query 'q' has no column 'w' - its columns: x, y"


def test_table_piped_is_plain_text_with_whole_values() -> None:
    long = "x" * 80
    lines = list(format_result(ResultTable(("name", "n"), [("Diyala", "1"), (long, None), ("a\tb", "22")]), "table"))
    assert lines[0] == "name" + " " * 78 + "n"
    assert lines[1] == "-" * 84
    assert lines[2] == "Diyala" + " " * 76 + "1"
    assert lines[3] == long  # whole
    assert lines[4] == r"a\tb" + " " * 78 + "22"  # a control is shown as its escape, never raw
    assert len(lines) == 5
    assert not any("\x1b" in line for line in lines)


def test_table_of_an_endless_answer_starts_printing_page_by_page() -> None:
    from itertools import count

    from kg.query.formats import TABLE_PAGE

    endless = ResultRows(("n",), ((str(i),) for i in count()))
    lines = list(islice(format_result(endless, "table"), 2 * (TABLE_PAGE + 3)))
    # each page is a table of its own, after a blank line: header, rule, then its rows
    assert lines[:3] == ["n", "---", "0"]  # as wide as "999", the widest value of the first page
    assert lines[TABLE_PAGE + 1] == str(TABLE_PAGE - 1)
    assert lines[TABLE_PAGE + 2:TABLE_PAGE + 6] == ["", "n", "----", str(TABLE_PAGE)]


def test_table_on_a_terminal_fits_its_width() -> None:
    long = "word " * 40
    table = TermRows(("name", "count", "note"), iter([(Literal("Diyala"), Literal("12", datatype=XSD_INTEGER),
                                                         Literal(long))]))
    plain = list(format_result(table, "table", terminal=True, width=50))
    assert plain[1] == "─" * 50
    assert all(len(line) <= 50 for line in plain)
    assert plain[2].startswith("Diyala") and " 12 " in plain[2] and plain[2].endswith("…")
    assert len(plain) == 3  # one line per row: cut, not wrapped


def test_table_without_rows() -> None:
    assert list(format_result(ResultTable(("article", "id"), []), "table")) == ["article  id", "-----------", "(0 rows)"]


def test_unknown_format() -> None:
    with pytest.raises(QueryError, match="unknown output format 'xml' - use one of table, csv, tsv, json, jsonl"):
        format_result(SAMPLE, "xml")


def test_saved_query_is_frozen() -> None:
    query = load_query("events")
    assert isinstance(query, SavedQuery)
    with pytest.raises(AttributeError):
        query.name = "other"  # type: ignore[misc]


# --- "# if NAME" blocks ----------------------------------------------------------------------------------------------

BLOCK_QUERY = """# title: t
# param: place — a place
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?x ?param_place WHERE {
  ?x rdfs:label ?name .
  # if place
  # FILTER(?name = ?param_place)
  # end
}
"""


def test_an_absent_parameter_leaves_its_block_out(tmp_path: Path) -> None:
    path = tmp_path / "q.rq"
    path.write_text(BLOCK_QUERY, encoding="utf-8")
    query = parse_query_file(path)
    assert "  FILTER" in compose(query, ["place"]) and compose(query, []) == BLOCK_QUERY
    # the text keeps its lines and columns, so that error positions still match the file
    assert [len(line) for line in compose(query, ["place"]).splitlines()] == [
        len(line) for line in BLOCK_QUERY.splitlines()]
    store = Store()
    store.add(Quad(NamedNode("http://e/a"), NamedNode("http://www.w3.org/2000/01/rdf-schema#label"), Literal("A"),
                   NamedNode("http://e/g")))
    assert len(run_query(query, index_store(store)).rows) == 1
    assert run_query(query, store, {"place": "A"}).rows == [("http://e/a",)]
    assert run_query(query, store, {"place": "B"}).rows == []


@pytest.mark.parametrize(("change", "message"), [
    (("  # end\n}\n", ""), "never closed"),
    (("# if place\n", ""), "'# end' without '# if NAME'"),
    (("# if place", "# if city"), "names no declared parameter"),
    (("# if place\n", "# if place\n  # if place\n"), "inside '# if'"),
    (("# FILTER", "FILTER"), "not commented out"),
])
def test_a_malformed_block_is_refused_naming_the_line(tmp_path: Path, change: tuple[str, str], message: str) -> None:
    path = tmp_path / "bad.rq"
    path.write_text(BLOCK_QUERY.replace(*change), encoding="utf-8")
    with pytest.raises(QueryError, match=message) as caught:
        parse_query_file(path)
    assert "bad.rq, line " in str(caught.value)


def test_every_block_of_the_saved_queries_names_a_parameter_and_leaves_valid_sparql() -> None:
    blocks = 0
    for query in list_queries():
        blocks += len(query.blocks)
        for param in query.params:
            Store().query(compose(query, [param.name]))  # each parameter alone still parses
    assert blocks >= 15


def test_a_raw_store_without_entities_graph_is_refused() -> None:
    store = Store()
    store.load(path=str(FIXTURE), format=RdfFormat.TRIG)
    with pytest.raises(QueryError, match="index_store"):
        run_query(load_query("entities"), store)


def test_csv_tsv_and_json_write_each_row_as_it_is_read() -> None:
    """A big answer streams: the first rows are written before the later ones are read."""
    def rows() -> Iterator[tuple[str | None, ...]]:
        yield ("Diyala", "2025-01-16")
        yield ("Kirkuk", None)
        raise AssertionError("read past the second row")

    for fmt, expected in (("csv", ["label,date", "Diyala,2025-01-16", "Kirkuk,"]),
                          ("tsv", ["label\tdate", "Diyala\t2025-01-16", "Kirkuk\t"]),
                          ("json", ["[", '  {"label": "Diyala", "date": "2025-01-16"},'])):
        lines = format_result(ResultRows(("label", "date"), rows()), fmt)
        assert [next(lines) for _ in expected] == expected


def test_stream_query_reads_rows_lazily_and_stops_at_the_limit(store: Store) -> None:
    whole = run(store, "mentions").rows
    streamed = stream_query(load_query("mentions"), store, limit=2)
    assert isinstance(streamed.rows, Iterator) and list(streamed.rows) == whole[:2]


# --- one row per thing -------------------------------------------------------------------------------------------


def test_join_lists_keeps_groups_aligned_and_reads_no_further_than_it_must() -> None:
    a, b = NamedNode(ENT + "a"), NamedNode(ENT + "b")

    def rows() -> Iterator[tuple[Cell, ...]]:
        yield (Literal("e1"), a, Literal("A"), Literal("p"))
        yield (Literal("e1"), b, None, Literal("p"))  # b has no label: an empty item keeps the columns aligned
        yield (Literal("e1"), a, Literal("A"), Literal("q"))
        yield (Literal("e2"), None, None, None)
        raise AssertionError("read past the first row of the second event")

    joined = join_lists(("event", "agent", "agentLabel", "place"), rows(), [("agent", "agentLabel"), ("place",)])
    first = next(joined)
    assert first[1:] == ((ENT + "a", ENT + "b"), ("A", ""), ("p", "q"))
    assert list(islice(join_lists(("event", "agent"), iter([(Literal("e2"), None)]), [("agent",)]), 1)) == [
        (Literal("e2"), ())]
