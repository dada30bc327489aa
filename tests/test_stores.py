"""Loading into real targets — the embedded store, an Oxigraph server and Virtuoso, all started here —
idempotently and reversibly, and the same answers to every contract query from each of them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from spacy.language import Language

from kg.cli import cli
from kg.errors import EndpointError
from kg.extract.from_doc import extract
from kg.query.saved import list_queries, load_query, run_query
from kg.rdf.files import RdfWriter
from kg.rdf.graphs import ENTITIES_GRAPH, OWN_GRAPHS, owns
from kg.rdf.mapping import to_graph
from kg.rdf.nquads import GraphLines
from kg.read.articles import read_articles
from kg.store.base import MANIFEST_GRAPH, Target
from kg.store.embedded import EmbeddedStore, files_store
from kg.store.endpoint import EndpointStore, with_bindings
from kg.store.loading import load_files, retract
from tests.helpers import ARTICLES, DATELINE
from tests.servers import OxigraphServer, VirtuosoServer

CONTRACT = ["mentions", "entities", "events", "policies", "relations", "statements", "articles"]
FILES = ["operation.txt", "policy.txt", "statements.txt", "two_articles.txt"]


@pytest.fixture(scope="module")
def trig(nlp: Language, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The test articles extracted once into a TriG file (one named graph per article)."""
    out = tmp_path_factory.mktemp("data") / "articles.trig"
    with RdfWriter(out, "trig") as writer:
        for x in extract(read_articles([ARTICLES / f for f in FILES], date=DATELINE), nlp):
            writer.write(to_graph(x))
    return out


def wipe(target: Target) -> None:
    for graph in target.manifest():
        target.drop_graph(graph)


@pytest.fixture(params=["embedded", pytest.param("oxigraph", marks=pytest.mark.server),
                        pytest.param("virtuoso", marks=pytest.mark.server)])
def target(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Target]:
    kind = request.param
    if kind == "embedded":
        store: Target = EmbeddedStore(tmp_path / "store")
        yield store
        store.close()
    elif kind == "oxigraph":
        with OxigraphServer(tmp_path / "oxigraph") as server:
            endpoint = EndpointStore(server.query_url)
            yield endpoint
            endpoint.close()
    else:
        virtuoso: VirtuosoServer = request.getfixturevalue("virtuoso_server")
        monkeypatch.setenv("KG_ENDPOINT_USER", virtuoso.user)
        monkeypatch.setenv("KG_ENDPOINT_PASSWORD", virtuoso.password)
        endpoint = EndpointStore(virtuoso.sparql_url)
        wipe(endpoint)
        yield endpoint
        wipe(endpoint)
        endpoint.close()


def article_graphs(target: Target) -> dict[str, int]:
    """Triples per article graph, as the store holds them."""
    _, rows = target.select(
        "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
        "FILTER(STRSTARTS(STR(?g), 'https://w3id.org/kg-news/id/article/')) } GROUP BY ?g", {})
    return {g.value: int(n.value) for g, n in rows if g is not None and n is not None}


def canonical(rows: list[tuple[str | None, ...]]) -> list[tuple[str | None, ...]]:
    return sorted(rows, key=lambda r: tuple("" if v is None else v for v in r))


def test_every_contract_query_gives_the_same_rows_as_the_file(target: Target, trig: Path) -> None:
    report = load_files(target, [trig])
    assert report.failed == 0 and report.new == 5
    reference = files_store([trig])
    for name in CONTRACT:
        query = load_query(name)
        expected = run_query(query, reference)
        actual = run_query(query, target)
        assert actual.columns == expected.columns, name
        assert expected.rows, name
        assert canonical(actual.rows) == canonical(expected.rows), name
    filtered = run_query(load_query("events"), target, {"place": "kirkuk"})
    places = [(r[filtered.columns.index("locationLabel")] or "").split("; ") for r in filtered.rows]
    assert places and all("Kirkuk" in labels for labels in places)  # one row per event, its places listed


# a value per parameter that matches rows of the test articles, so that each filter is exercised
PARAM_VALUES = {
    "place": "Kirkuk", "actor": "Islamic State", "class": "kg:SearchOperation", "category": "Location",
    "name": "Islamic State", "target": "Syria", "issuer": "European Union", "status": "InForce",
    "predicate": "leaderOf", "country": "Syria", "speaker": "Helena Varga", "from": "2025-01", "to": "2025-12-31",
    "factuality": "any",
}


def test_every_saved_query_and_parameter_gives_the_same_rows_as_the_file(target: Target, trig: Path) -> None:
    load_files(target, [trig])
    reference = files_store([trig])
    answered = 0
    for query in list_queries():
        runs: list[dict[str, str]] = [{}]
        for param in query.params:
            value = PARAM_VALUES.get(param.name)
            if param.name == "article":
                value = sorted(article_graphs(target))[0].rsplit("/", 1)[1]
            assert value is not None, f"no test value for {query.name}'s parameter {param.name}"
            runs.append({param.name: value})
        for params in runs:
            expected = run_query(query, reference, params)
            actual = run_query(query, target, params)
            assert canonical(actual.rows) == canonical(expected.rows), (query.name, params)
            answered += bool(expected.rows)
    assert answered >= 30  # most runs have rows: the comparison is not between empty answers


def shared_facts(target: Target) -> set[tuple[str, str, str]]:
    """What the entities graph must hold: the triples of article graphs about nodes they do not own."""
    _, rows = target.select(
        f"SELECT ?g ?s ?p ?o WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g NOT IN ({', '.join(f'<{g}>' for g in OWN_GRAPHS)})) "
        "FILTER(STRSTARTS(STR(?g), 'https://w3id.org/kg-news/')) }", {})
    return {(str(s), str(p), str(o)) for g, s, p, o in rows
            if g is not None and isinstance(s, ox.NamedNode | ox.BlankNode) and p is not None and o is not None
            and not owns(g.value, s)}


def entities_graph(target: Target) -> set[tuple[str, str, str]]:
    _, rows = target.select(f"SELECT ?s ?p ?o WHERE {{ GRAPH <{ENTITIES_GRAPH}> {{ ?s ?p ?o }} }}", {})
    return {(str(s), str(p), str(o)) for s, p, o in rows}


def test_the_entities_graph_stays_exact_through_load_replace_and_retract(target: Target, trig: Path,
                                                                         tmp_path: Path) -> None:
    load_files(target, [trig])
    loaded = entities_graph(target)
    assert loaded and loaded == shared_facts(target)
    assert ("<https://w3id.org/kg-news/id/entity/organization/islamic-state>",
            "<http://www.w3.org/2000/01/rdf-schema#label>", '"Islamic State"') in loaded
    graphs = sorted(article_graphs(target))
    # replace one article by a version without its shared facts: only what no other article states goes
    changed_graph = graphs[0]
    kept = [q for q in ox.parse(path=str(trig), format=ox.RdfFormat.TRIG)
            if q.graph_name.value == changed_graph and owns(changed_graph, q.subject)]
    changed = tmp_path / "changed.nq"
    ox.serialize(kept, str(changed), ox.RdfFormat.N_QUADS)
    assert load_files(target, [changed]).replaced == 1
    replaced = entities_graph(target)
    assert replaced == shared_facts(target) and replaced < loaded
    # retract the others one by one: the graph shrinks to nothing, exact at every step
    sizes = []
    for graph in graphs[1:]:
        retract(target, [graph.rsplit("/", 1)[1]])
        assert entities_graph(target) == shared_facts(target)
        sizes.append(len(entities_graph(target)))
    assert sizes[-1] == 0 and any(a > b for a, b in zip([len(replaced), *sizes], sizes, strict=False))


def test_loading_again_changes_nothing_and_a_changed_article_replaces_its_graph(
        target: Target, trig: Path, tmp_path: Path) -> None:
    load_files(target, [trig])
    before = article_graphs(target)
    again = load_files(target, [trig])
    assert (again.new, again.replaced, again.unchanged, again.triples) == (0, 0, 5, 0)
    assert article_graphs(target) == before
    # change one article: keep its graph without the statements
    changed_graph = next(g for g in sorted(before))
    quads = [q for q in ox.parse(path=str(trig), format=ox.RdfFormat.TRIG)
             if q.graph_name.value == changed_graph and "/statement/" not in q.subject.value]
    changed = tmp_path / "changed.nq"
    ox.serialize(quads, str(changed), ox.RdfFormat.N_QUADS)
    report = load_files(target, [changed])
    assert (report.new, report.replaced, report.unchanged) == (0, 1, 0)
    after = article_graphs(target)
    assert after[changed_graph] == len(quads)
    assert {g: n for g, n in after.items() if g != changed_graph} == {
        g: n for g, n in before.items() if g != changed_graph}


def test_retract_drops_exactly_one_article(target: Target, trig: Path) -> None:
    load_files(target, [trig])
    before = article_graphs(target)
    gone = sorted(before)[0]
    report = retract(target, [gone.rsplit("/", 1)[1]])
    assert report.retracted == 1 and report.failed == 0
    after = article_graphs(target)
    assert gone not in after and gone not in target.manifest()
    assert after == {g: n for g, n in before.items() if g != gone}
    unknown = retract(target, ["no-such-article"])
    assert unknown.failed == 1 and "no-such-article" in unknown.problems[0]


def test_manifest_records_hash_count_time_and_version(trig: Path, tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "store")
    load_files(store, [trig])
    manifest = store.manifest()
    assert len(manifest) == 5
    for graph, entry in manifest.items():
        assert entry.triples == article_graphs(store)[graph]
        assert len(entry.content_hash) == 64 and entry.loaded_at.endswith("Z") and entry.version == "0.1.0"
    assert ox.NamedNode(MANIFEST_GRAPH) in set(store.store.named_graphs())


@pytest.mark.server
def test_virtuoso_insert_data_batches_without_graph_store(virtuoso_server: VirtuosoServer,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KG_ENDPOINT_USER", virtuoso_server.user)
    monkeypatch.setenv("KG_ENDPOINT_PASSWORD", virtuoso_server.password)
    endpoint = EndpointStore(virtuoso_server.sparql_url, graph_store_url="none")
    assert endpoint.graph_store_url is None and endpoint.dialect.name == "virtuoso"
    graph = "https://w3id.org/kg-news/id/article/big"
    node = ox.NamedNode(graph)
    # 6,000 triples: several INSERT DATA batches, well past the ~1,500 Virtuoso refuses in one plain request
    quads = sorted((ox.Quad(ox.NamedNode(f"{graph}/n{i // 6}"), ox.NamedNode(f"urn:p{i % 6}"),
                            ox.Literal(f"value {i} \"quoted\" é"), node) for i in range(6000)),
                   key=lambda q: (str(q.subject), str(q.predicate), str(q.object)))
    from kg.store.base import manifest_entry

    data, few = GraphLines.of(graph, quads), GraphLines.of(graph, quads[:10])
    endpoint.replace_graph(data, manifest_entry(data))
    assert article_graphs(endpoint)[graph] == 6000
    endpoint.replace_graph(few, manifest_entry(few))
    assert article_graphs(endpoint)[graph] == 10
    endpoint.drop_graph(graph)
    assert graph not in article_graphs(endpoint)


@pytest.mark.server
def test_virtuoso_writes_need_credentials(virtuoso_server: VirtuosoServer, monkeypatch: pytest.MonkeyPatch,
                                          trig: Path) -> None:
    monkeypatch.delenv("KG_ENDPOINT_USER", raising=False)
    monkeypatch.delenv("KG_ENDPOINT_PASSWORD", raising=False)
    monkeypatch.setenv("HOME", "/nonexistent")  # no ~/.netrc
    endpoint = EndpointStore(virtuoso_server.sparql_url)
    report = load_files(endpoint, [trig])
    assert report.new == 0 and report.failed == 5
    assert "KG_ENDPOINT_USER" in report.problems[0] and "SR186" in report.problems[0]
    monkeypatch.setenv("KG_ENDPOINT_USER", virtuoso_server.user)
    monkeypatch.setenv("KG_ENDPOINT_PASSWORD", "wrong")
    with pytest.raises(EndpointError):
        EndpointStore(virtuoso_server.sparql_url).update("INSERT DATA { GRAPH <urn:x> { <urn:a> <urn:b> <urn:c> } }")


def test_unreachable_endpoint_is_one_clear_error() -> None:
    from tests.servers import free_port

    with pytest.raises(EndpointError, match="cannot connect"):
        EndpointStore(f"http://127.0.0.1:{free_port()}/sparql")


def test_values_are_bound_not_spliced() -> None:
    text = with_bindings("SELECT ?x WHERE { ?x ?p ?param_n }", {"param_n": ox.Literal('x" } ; DROP ALL ; #')})
    parsed = ox.Store().query(text)  # still one SELECT with one VALUES row: the value stayed a literal
    assert list(parsed) == []
    assert 'VALUES (?param_n) { ("x\\" } ; DROP ALL ; #") }' in text


def test_values_go_into_each_where_clause_that_uses_them() -> None:
    text = with_bindings(
        "SELECT ?x ?param_n WHERE {\n"
        "  { SELECT ?x ?param_n WHERE { ?x <urn:p> ?n FILTER(?n = ?param_n) } }\n"
        "  { SELECT ?y WHERE { ?y <urn:q> \"WHERE { ?param_n }\" } }  # WHERE { ?param_n }\n"
        "}", {"param_n": ox.Literal("a")})
    assert text.count('VALUES (?param_n) { ("a") }') == 2  # the outer WHERE and the sub-select using it
    assert '"WHERE { ?param_n }"' in text and text.endswith("# WHERE { ?param_n }\n}")  # strings, comments
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("urn:x"), ox.NamedNode("urn:p"), ox.Literal("a"), ox.DefaultGraph()))
    store.add(ox.Quad(ox.NamedNode("urn:y"), ox.NamedNode("urn:p"), ox.Literal("b"), ox.DefaultGraph()))
    store.add(ox.Quad(ox.NamedNode("urn:y"), ox.NamedNode("urn:q"), ox.Literal("WHERE { ?param_n }"),
                      ox.DefaultGraph()))
    rows = [s["x"] for s in store.query(text)]  # type: ignore[union-attr]
    assert rows == [ox.NamedNode("urn:x")]


def test_cli_ingest_twice_then_retract(tmp_path: Path) -> None:
    runner = CliRunner()
    store = str(tmp_path / "kg-store")
    args = ["ingest", str(ARTICLES / "two_articles.txt"), "--date", "2025-03-06", "--store", store]
    first = runner.invoke(cli, args)
    assert first.exit_code == 0, first.stderr
    assert "2 new, 0 replaced, 0 unchanged" in first.stderr
    entities = runner.invoke(cli, ["query", "entities", "--store", store, "--format", "csv"]).stdout
    second = runner.invoke(cli, args)
    assert "0 new, 0 replaced, 2 unchanged" in second.stderr
    assert runner.invoke(cli, ["query", "entities", "--store", store, "--format", "csv"]).stdout == entities
    articles = runner.invoke(cli, ["query", "articles", "--store", store, "--format", "csv"]).stdout.splitlines()
    assert len(articles) == 3
    first_id = articles[1].split(",")[1]
    gone = runner.invoke(cli, ["retract", first_id, "--store", store])
    assert gone.exit_code == 0 and "1 retracted" in gone.stderr
    left = runner.invoke(cli, ["query", "articles", "--store", store, "--format", "csv"]).stdout.splitlines()
    assert left == [articles[0], articles[2]]


def test_cli_query_without_a_store_says_how_to_make_one(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["query", "events", "--store", str(tmp_path / "none")])
    assert result.exit_code == 1
    assert "no store at" in result.stderr and "kg ingest" in result.stderr


@pytest.mark.server
def test_virtuoso_result_cap_is_paged_not_truncated(virtuoso_server: VirtuosoServer,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    assert virtuoso_server.max_rows == 1000
    monkeypatch.setenv("KG_ENDPOINT_USER", virtuoso_server.user)
    monkeypatch.setenv("KG_ENDPOINT_PASSWORD", virtuoso_server.password)
    endpoint = EndpointStore(virtuoso_server.sparql_url)
    graph = "https://w3id.org/kg-news/id/article/many"
    quads = [ox.Quad(ox.NamedNode(f"{graph}/n{i:05d}"), ox.NamedNode("urn:p"), ox.Literal(str(i)), ox.NamedNode(graph))
             for i in range(2500)]
    from kg.store.base import manifest_entry

    data = GraphLines.of(graph, quads)
    endpoint.replace_graph(data, manifest_entry(data))
    query = f"SELECT ?s ?o WHERE {{ GRAPH <{graph}> {{ ?s <urn:p> ?o }} }} ORDER BY ?s"
    _, rows = endpoint.select(query, {})
    assert len(rows) == 2500
    assert [r[1].value for r in rows[:3]] == ["0", "1", "2"]  # type: ignore[union-attr]
    with pytest.raises(EndpointError, match="cut at 1000 rows"):
        endpoint.select(query + " LIMIT 2000", {})
    endpoint.drop_graph(graph)


@pytest.mark.server
def test_basic_auth_from_env_and_netrc_and_retry_on_503(trig: Path, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.servers import AuthProxy

    with OxigraphServer(tmp_path / "oxigraph") as server, \
            AuthProxy(server.url, "analyst", "s3cret") as proxy:
        monkeypatch.setenv("HOME", str(tmp_path))
        monkeypatch.delenv("KG_ENDPOINT_USER", raising=False)
        monkeypatch.delenv("KG_ENDPOINT_PASSWORD", raising=False)
        netrc = tmp_path / ".netrc"
        netrc.write_text("machine 127.0.0.1 login analyst password s3cret\n")
        netrc.chmod(0o600)
        endpoint = EndpointStore(f"{proxy.url}/query", f"{proxy.url}/update", f"{proxy.url}/store")
        assert endpoint.auth_kind == "basic"
        # the gateway is busy for the next two requests: kg retries with backoff, then goes on
        proxy.fail_first = 2
        seen = len(proxy.requests)
        report = load_files(endpoint, [trig])
        assert (report.new, report.failed) == (5, 0)
        first = proxy.requests[seen : seen + 3]
        assert first[0][:2] == first[1][:2] == first[2][:2]  # the same request, three times
        assert all(authorised for _, _, authorised in proxy.requests[seen:])
        assert len(article_graphs(endpoint)) == 5
        # credentials from the environment win over ~/.netrc; wrong ones are a clear error
        monkeypatch.setenv("KG_ENDPOINT_USER", "analyst")
        monkeypatch.setenv("KG_ENDPOINT_PASSWORD", "wrong")
        wrong = EndpointStore(f"{proxy.url}/query", f"{proxy.url}/update", f"{proxy.url}/store")
        with pytest.raises(EndpointError, match="KG_ENDPOINT_USER"):
            wrong.drop_graph("https://w3id.org/kg-news/id/article/x")
        assert "s3cret" not in repr(wrong.__dict__.get("name"))


def test_a_graph_split_in_a_file_is_reported_once(tmp_path: Path) -> None:
    g, h = "https://w3id.org/kg-news/id/article/g", "https://w3id.org/kg-news/id/article/h"
    lines = [f"<urn:s{i}> <urn:p> \"{i}\" <{name}> ." for i, name in enumerate([g, g, h, g, g, g])]
    path = tmp_path / "split.nq"
    path.write_text("\n".join(lines) + "\n")
    report = load_files(EmbeddedStore(tmp_path / "store"), [path])
    assert report.failed == 1 and "appears in two places" in report.problems[0]
    assert report.new == 2


@pytest.mark.server
def test_virtuoso_batches_of_tiny_graphs_fit(virtuoso_server: VirtuosoServer, monkeypatch: pytest.MonkeyPatch,
                                            tmp_path: Path) -> None:
    monkeypatch.setenv("KG_ENDPOINT_USER", virtuoso_server.user)
    monkeypatch.setenv("KG_ENDPOINT_PASSWORD", virtuoso_server.password)
    endpoint = EndpointStore(virtuoso_server.sparql_url)
    wipe(endpoint)
    # 2,500 one-triple graphs: their DROPs and manifest triples must count against the batch size
    path = tmp_path / "tiny.nq"
    path.write_text("".join(f"<urn:s{i}> <urn:p> \"{i}\" <https://w3id.org/kg-news/id/article/tiny{i}> .\n"
                            for i in range(2500)))
    report = load_files(endpoint, [path])
    assert (report.new, report.failed) == (2500, 0), report.problems[:1]
    assert len(article_graphs(endpoint)) == 2500
    wipe(endpoint)


def test_a_store_without_entities_graph_is_refused_then_reindexed(trig: Path, tmp_path: Path) -> None:
    path = tmp_path / "store"
    store = EmbeddedStore(path)
    load_files(store, [trig])
    expected = run_query(load_query("entities"), store)
    store.store.remove_graph(ox.NamedNode(ENTITIES_GRAPH))  # as a store written before the graph existed
    store.close()
    runner = CliRunner()
    refused = runner.invoke(cli, ["query", "entities", "--store", str(path)])
    assert refused.exit_code == 1 and "kg reindex --store" in refused.output
    assert runner.invoke(cli, ["reindex", "--store", str(path)]).exit_code == 0
    reopened = EmbeddedStore(path, create=False)
    assert run_query(load_query("entities"), reopened).rows == expected.rows
    reopened.close()


def test_loading_into_a_store_without_entities_graph_builds_it(trig: Path, tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "store")
    load_files(store, [trig])
    store.store.remove_graph(ox.NamedNode(ENTITIES_GRAPH))
    retract(store, [sorted(article_graphs(store))[0].rsplit("/", 1)[1]])
    assert entities_graph(store) and entities_graph(store) == shared_facts(store)
    store.close()
