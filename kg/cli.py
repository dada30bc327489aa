"""The ``kg`` command: a thin click shell over the library, and the one place errors become messages."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

import click

from kg import __version__, interrupts
from kg.console.talk import configure
from kg.errors import KgError
from kg.interrupts import Terminated


@contextmanager
def _errors() -> Iterator[None]:
    """Turn library errors into one line on stderr and exit code 1 (click handles usage errors: 2)."""
    try:
        yield
    except KgError as exc:
        raise click.ClickException(str(exc)) from None
    except KeyboardInterrupt as exc:
        click.echo("Interrupted by SIGTERM." if isinstance(exc, Terminated) else "Interrupted.", err=True)
        interrupts.exit_after(exc)
    except BrokenPipeError:
        interrupts.reader_gone()


def _date(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.date | None:
    if value is None:
        return None
    from kg.read.articles import check_dateline

    try:
        return check_dateline(dt.date.fromisoformat(value), "--date")
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date - write it as YYYY-MM-DD") from None
    except KgError as exc:
        raise click.BadParameter(str(exc).removeprefix("--date: ")) from None


def _base(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    from kg.rdf.namespaces import check_base

    try:
        return None if value is None else check_base(value)
    except KgError as exc:
        raise click.BadParameter(str(exc)) from None


def _talk(ctx: click.Context, param: click.Parameter, value: object) -> None:
    """-q / -v, before the command or after it: the last word on how much kg says goes to ``ctx.obj``."""
    talk = ctx.obj if isinstance(ctx.obj, dict) else ctx.ensure_object(dict)
    if value:
        talk[str(param.name)] = value
    configure(quiet=talk.setdefault("quiet", False), verbose=talk.setdefault("verbose", 0))


def _talk_options() -> list[click.Parameter]:
    return [click.Option(["--quiet", "-q"], is_flag=True, expose_value=False, callback=_talk,
                         help="Print nothing but data and errors."),
            click.Option(["--verbose", "-v"], count=True, expose_value=False, callback=_talk,
                         help="Say more on stderr: model, files, store, timings (-vv for debug).")]


class _Shell(click.Group):
    """kg's group: every command also takes -q / -v and ends its help with examples."""

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        from kg.console.examples import epilog

        cmd.params.extend(_talk_options())
        cmd.epilog = cmd.epilog or epilog(name or str(cmd.name))
        super().add_command(cmd, name)


@click.group(cls=_Shell, context_settings={"help_option_names": ["-h", "--help"]}, params=_talk_options(),
             epilog="\b\nExample: kg extract examples/ --date 2025-02-20 -o out.trig\n"
                    "Shell completion: eval \"$(_KG_COMPLETE=bash_source kg)\" (zsh_source, fish_source)")
@click.version_option(__version__, prog_name="kg")
def cli() -> None:
    """Turn news articles into a knowledge graph and query it."""


def _extraction_options(func: Callable[..., None]) -> Callable[..., None]:
    """--model / --date / --base / --input-format / --no-link / --jobs / --min-confidence, shared by extract and
    ingest."""
    func = click.option("--shard-lines", type=click.IntRange(1), default=500, show_default=True, metavar="N",
                        help="With --cluster: shards of N lines of JSON Lines, or of up to N small files.")(func)
    func = click.option("--cluster", metavar="ADDRESS", help="Run on a Dask cluster (pip install 'kg-news[cluster]'): "
                        "tcp://HOST:8786, or local[:N] for N processes here (default: --jobs); -o is a directory.")(func)
    func = _min_confidence("Leave out mentions (and entities left without one), relations, events, policies and "
                           "statements whose confidence is below this.")(func)
    func = click.option("--jobs", "-j", default=1, show_default=True, type=click.IntRange(1),
                        help="spaCy processes.")(func)
    func = click.option("--offline", is_flag=True, help="Link with the shipped gazetteer only.")(func)
    func = click.option("--wikidata-endpoint", metavar="URL", help="Also look up entities the gazetteer does not "
                        "know in this Wikidata SPARQL endpoint (e.g. https://query.wikidata.org/sparql).")(func)
    func = click.option("--no-link", is_flag=True, help="Do not link entities to Wikidata.")(func)
    func = click.option("--input-format", type=click.Choice(["auto", "text", "jsonl", "html"]), default="auto",
                        show_default=True, help="Read every input as this format; auto: by suffix, and stdin by "
                        "its first line (a JSON object: jsonl, '<': html, else text).")(func)
    func = click.option("--base", callback=_base,
                        help="Base IRI for minted IRIs (default https://w3id.org/kg-news/id/).")(func)
    func = click.option("--date", callback=_date, help="Dateline YYYY-MM-DD for articles without one.")(func)
    func = click.option("--model", help="spaCy pipeline name or path (default: en_core_web_sm).")(func)
    return func


def _min_confidence(text: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    return click.option("--min-confidence", type=click.FloatRange(0, 1), metavar="FLOAT", help=text)


@cli.command("extract")
@click.argument("inputs", nargs=-1, required=True)
@click.option("-o", "--output", default="-", show_default=True, help="Output file; '-' for stdout.")
@click.option("--format", "fmt", type=click.Choice(["turtle", "trig", "nquads", "ntriples", "jsonld"]),
              help="RDF syntax (default: from the output suffix, else turtle).")
@_extraction_options
@click.pass_context
def extract_cmd(ctx: click.Context, inputs: tuple[str, ...], output: str, fmt: str | None, model: str | None,
                date: dt.date | None, base: str | None, input_format: str, no_link: bool,
                wikidata_endpoint: str | None, offline: bool, jobs: int, min_confidence: float | None,
                cluster: str | None, shard_lines: int) -> None:
    """Extract a knowledge graph from articles (.txt, .jsonl, .html, directories, '-' for stdin)."""
    from kg.link.sources import default_linker
    from kg.pipeline import Report, extract_file

    if cluster:
        return _report(_on_cluster(ctx, "extract_on_cluster", inputs, output), ctx.obj["quiet"], output)
    if output != "-" and Path(output).is_dir():
        from kg.rdf.files import directory_message

        raise click.BadParameter(directory_message(Path(output)), param_hint="'-o' / '--output'")
    report = Report()
    quiet = ctx.obj["quiet"]
    with _errors():
        linker = None if no_link else default_linker(wikidata_endpoint, offline=offline)
        articles = extract_file(inputs, output, fmt=fmt, model=model, date=date, base=base, jobs=jobs,
                                linker=linker, report=report, min_confidence=min_confidence,
                                input_format=input_format)
        _drain(articles, "Extracting", ctx)
    _report(report, quiet, output)


def _drain(articles: Iterable[object], label: str, ctx: click.Context) -> None:
    """Run ``articles`` to the end with a bar of the articles done (on a terminal, unless quiet)."""
    from kg.console.progress import tracked
    from kg.read.sources import count_articles

    def total() -> int | None:
        return count_articles(ctx.params["inputs"], ctx.params["input_format"])

    for _ in tracked(articles, label, total=total, quiet=ctx.obj["quiet"]):
        pass


def _on_cluster(ctx: click.Context, run: str, *args: object, **kwargs: object) -> object:
    """``kg.scale.run.<run>`` with the command's options, and a bar of the shards done."""
    from kg.console.progress import progress_bar
    from kg.scale import run as scale

    p, names = ctx.params, ("model", "date", "base", "input_format", "offline", "wikidata_endpoint", "min_confidence")
    with _errors(), progress_bar("Shards", unit="shards", quiet=ctx.obj["quiet"]) as update:
        return getattr(scale, run)(*args, p["cluster"], link=not p["no_link"], workers=p["jobs"],
                                   progress=lambda done, total: update(1, total=total),
                                   shard_lines=p["shard_lines"], **{name: p[name] for name in names}, **kwargs)


def _store_options(func: Callable[..., None]) -> Callable[..., None]:
    """--store / --endpoint / --update-endpoint / --graph-store, shared by the commands that use a target."""
    func = click.option("--graph-store", metavar="URL", help="Graph Store Protocol URL (default: guessed for "
                        "Oxigraph and Virtuoso).")(func)
    func = click.option("--update-endpoint", metavar="URL", help="SPARQL Update URL (default: guessed).")(func)
    func = click.option("--endpoint", metavar="URL", help="SPARQL endpoint (query URL) instead of the embedded "
                        "store; credentials from user:password@ in the URL, KG_ENDPOINT_USER/KG_ENDPOINT_PASSWORD "
                        "or ~/.netrc; timeout KG_ENDPOINT_TIMEOUT seconds (default 120).")(func)
    func = click.option("--store", metavar="PATH", help="Embedded store directory (default: $KG_STORE or "
                        "./kg-store).")(func)
    return func


@cli.command("query")
@click.argument("query")
@click.option("--data", "data", multiple=True, help="Query these RDF files instead of a store (repeatable).")
@_store_options
@click.option("--param", "-p", "params", multiple=True, metavar="NAME=VALUE", help="Bind a query parameter.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "tsv", "json", "jsonl", "turtle", "nt", "nquads",
              "jsonld"]), help="table (default), csv, tsv, json (typed), jsonl; RDF for CONSTRUCT (default turtle).")
@click.option("--limit", type=click.IntRange(min=0), metavar="N", help="Print at most N rows.")
@click.option("--columns", metavar="A,B,…", help="Print only these columns, in this order.")
@click.option("--per-role", is_flag=True, help="Keep one row per combination of list values (events: per agent, "
              "target and place) instead of one row per event.")
def query_cmd(query: str, data: tuple[str, ...], store: str | None, endpoint: str | None,
              update_endpoint: str | None, graph_store: str | None, params: tuple[str, ...], fmt: str | None,
              limit: int | None, columns: str | None, per_role: bool) -> None:
    """Run QUERY on files, the store or an endpoint: '-' reads it from stdin, a .rq/.sparql path or an
    existing file is read, a saved query name (see 'kg queries') is that query, else QUERY is the text.

    SELECT prints rows, ASK true or false, CONSTRUCT and DESCRIBE RDF. Parameter values are bound as
    RDF terms, never pasted into the query: <iri>, http(s)://… and urn:… are IRIs, Q123 is a Wikidata
    item, kg:Name an ontology term, YYYY-MM-DD a date, anything else a string.
    """
    from kg.query.run import print_answer, read_query
    from kg.query.saved import parse_params
    from kg.store.embedded import files_store
    from kg.store.loading import check_indexed, open_target

    with _errors():
        bindings = parse_params(params)
        saved = read_query(query, sys.stdin)
        picked = [name.strip() for name in columns.split(",") if name.strip()] if columns else []

        def answer(source: Any) -> None:
            _echo_lines(print_answer(saved, source, bindings, fmt=fmt, limit=limit, columns=picked,
                                     terminal=sys.stdout.isatty(), per_role=per_role))

        if data:
            answer(files_store(data))
            return
        with closing(open_target(store, endpoint, update_endpoint=update_endpoint, graph_store=graph_store,
                                 create=False, read_only=True)) as target:
            check_indexed(target)
            answer(target)


def _echo_lines(lines: Iterable[str]) -> None:
    """Write lines to stdout as they come, buffered by the stream rather than flushed one by one."""
    out = sys.stdout
    for line in lines:
        out.write(line + "\n")
    out.flush()


@cli.command("ingest")
@click.argument("inputs", nargs=-1, required=True)
@_store_options
@click.option("--shards", metavar="DIR", help="With --cluster: write the part files here and keep them.")
@_extraction_options
@click.pass_context
def ingest_cmd(ctx: click.Context, inputs: tuple[str, ...], store: str | None, endpoint: str | None,
               update_endpoint: str | None, graph_store: str | None, model: str | None, date: dt.date | None,
               base: str | None, input_format: str, no_link: bool, wikidata_endpoint: str | None, offline: bool,
               jobs: int, min_confidence: float | None, shards: str | None, cluster: str | None,
               shard_lines: int) -> None:
    """Extract articles and load them into the embedded store (default) or an endpoint.

    Loading an article again changes nothing; a changed article replaces its graph.
    """
    from kg.link.sources import default_linker
    from kg.pipeline import ingest
    from kg.store.loading import LoadReport, open_target

    report = LoadReport()
    quiet = ctx.obj["quiet"]
    with _errors():
        with closing(open_target(store, endpoint, update_endpoint=update_endpoint, graph_store=graph_store)) as target:
            if cluster:
                return _report(_on_cluster(ctx, "ingest_on_cluster", inputs, target, shards=shards, report=report),
                               quiet, target.name)
            linker = None if no_link else default_linker(wikidata_endpoint, offline=offline)
            articles = ingest(inputs, target, model=model, date=date, base=base, jobs=jobs, linker=linker,
                              report=report, min_confidence=min_confidence, input_format=input_format)
            _drain(articles, "Ingesting", ctx)
    _report(report, quiet, target.name)


@cli.command("load")
@click.argument("files", nargs=-1, required=True, type=click.Path(allow_dash=True, path_type=Path))
@_store_options
@click.option("--format", "fmt", type=click.Choice(["nquads", "trig"]), default="nquads", show_default=True,
              help="What '-' (stdin) holds, e.g. 'kg extract … --format nquads | kg load -'.")
@click.pass_context
def load_cmd(ctx: click.Context, files: tuple[Path, ...], store: str | None, endpoint: str | None,
             update_endpoint: str | None, graph_store: str | None, fmt: str) -> None:
    """Load TriG / N-Quads files (one named graph per article) into the store or an endpoint.

    '-' reads stdin as it comes; a directory stands for its *.nq and *.trig files, in name order.
    """
    from kg.console.progress import progress_bar
    from kg.store.loading import LoadReport, load_files, open_target

    report = LoadReport()
    with _errors(), progress_bar("Loading", unit="graphs", quiet=ctx.obj["quiet"]) as update:
        with closing(open_target(store, endpoint, update_endpoint=update_endpoint, graph_store=graph_store)) as target:
            load_files(target, files, report, stdin_format=fmt, on_graph=update)
    _report(report, ctx.obj["quiet"], target.name)


@cli.command("retract")
@click.argument("ids", nargs=-1, required=True)
@_store_options
@click.option("--base", help="Base IRI the articles were minted under (default https://w3id.org/kg-news/id/).")
@click.pass_context
def retract_cmd(ctx: click.Context, ids: tuple[str, ...], store: str | None, endpoint: str | None,
                update_endpoint: str | None, graph_store: str | None, base: str | None) -> None:
    """Remove articles (by id or IRI) and everything they added from the store or an endpoint."""
    from kg.store.loading import LoadReport, open_target, retract

    report = LoadReport()
    with _errors():
        with closing(open_target(store, endpoint, update_endpoint=update_endpoint, graph_store=graph_store,
                                 create=False)) as target:
            retract(target, ids, base=base, report=report)
    _report(report, ctx.obj["quiet"], target.name)


@cli.command("reindex")
@_store_options
@click.pass_context
def reindex_cmd(ctx: click.Context, store: str | None, endpoint: str | None, update_endpoint: str | None,
                graph_store: str | None) -> None:
    """Rebuild the entities and incidents graphs (after loading kg's files with another tool, or a store of an older kg)."""
    from kg.store.loading import open_target, reindex

    with _errors():
        with closing(open_target(store, endpoint, update_endpoint=update_endpoint, graph_store=graph_store,
                                 create=False)) as target:
            reindex(target)
    if not ctx.obj["quiet"]:
        click.echo(f"{target.name}: entities and incidents graphs rebuilt", err=True)


@cli.command("link")
@_store_options
@click.option("--wikidata-endpoint", metavar="URL", help="Also look up entities in this Wikidata SPARQL endpoint.")
@click.option("--offline", is_flag=True, help="Use the shipped gazetteer only.")
@click.pass_context
def link_cmd(ctx: click.Context, store: str | None, endpoint: str | None, update_endpoint: str | None,
             graph_store: str | None, wikidata_endpoint: str | None, offline: bool) -> None:
    """Link the loaded entities that have no Wikidata link yet (e.g. after adding an endpoint)."""
    from kg.console.progress import progress_bar
    from kg.link.sources import default_linker
    from kg.pipeline import relink
    from kg.store.loading import LoadReport, open_target

    report = LoadReport()
    with _errors(), progress_bar("Linking", unit="entities", quiet=ctx.obj["quiet"]) as update:
        with closing(open_target(store, endpoint, update_endpoint=update_endpoint, graph_store=graph_store,
                                 create=False)) as target:
            relink(target, default_linker(wikidata_endpoint, offline=offline), report)
            update(report.looked_at or 0, total=report.looked_at or 0)
    _report(report, ctx.obj["quiet"], target.name)


@cli.command("eval")
@click.argument("dataset", type=click.Choice(["elevant", "events", "re3d", "ucdp"]))
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--model", help="spaCy pipeline name or path (default: en_core_web_sm).")
@click.option("--wikidata-endpoint", metavar="URL", help="elevant: also look up entities in this Wikidata SPARQL "
              "endpoint.")
@click.option("--limit", type=click.IntRange(1), metavar="N", help="ucdp: score only the first N kept rows.")
@_min_confidence("re3d: score only predictions with at least this confidence.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--show-errors", is_flag=True, help="List the wrong links, mentions, relations or misses.")
@click.pass_context
def eval_cmd(ctx: click.Context, dataset: str, path: Path, model: str | None, wikidata_endpoint: str | None,
             limit: int | None, min_confidence: float | None, fmt: str, show_errors: bool) -> None:
    """Score kg on public gold data.

    \b
    elevant  PATH is ELEVANT JSON Lines: Wikidata links on the gold spans.
    events   PATH is kg's event gold (.jsonl or a folder): factuality, casualties.
    re3d     PATH is the re3d folder: Person/Organisation/Location mentions and
             FightingAgainst/AlliesOf/InChargeOf/BelongsTo relations (P/R/F1),
             and the calibration of their confidence (ECE, reliability table).
    ucdp     PATH is a UCDP GED CSV: place, event and actor recall on the headlines
             that name their place.
    """
    from kg.console.progress import progress_bar
    from kg.evaluate import evaluate

    with _errors(), progress_bar(f"Scoring {dataset}", quiet=ctx.obj["quiet"]):
        text, errors = evaluate(dataset, path, model=model, wikidata_endpoint=wikidata_endpoint, limit=limit,
                                min_confidence=min_confidence, fmt=fmt)
    click.echo(text)
    if show_errors and fmt == "table":
        for line in errors:
            click.echo(f"  {line}")


def _report(report: Any, quiet: bool, where: str) -> None:
    """A run's problems, one ``Error:`` line each, and its one-line summary (a pipeline ``Report`` or a
    ``LoadReport``); exit 1 if anything failed."""
    for problem in report.problems:
        click.echo(f"Error: {problem}", err=True)
    if not quiet:
        click.echo(report.summary(where), err=True)
    if report.failed:
        sys.exit(1)


@cli.command("queries")
@click.argument("name", required=False)
def queries_cmd(name: str | None) -> None:
    """List the saved queries with their descriptions and parameters; with NAME, show that query's
    columns and parameters and then its text, ready to paste into a SPARQL editor."""
    from kg.query.run import describe, read_query
    from kg.query.saved import list_queries

    with _errors():
        if name is not None:
            _echo_lines(describe(read_query(name)))
            return
        for saved in list_queries():
            params = " ".join(f"[{p.name}]" for p in saved.params)
            click.echo(f"{saved.name:22} {saved.description}" + (f"  params: {params}" if params else ""))


@cli.command("validate")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.pass_context
def validate_cmd(ctx: click.Context, files: tuple[Path, ...]) -> None:
    """Check RDF files against the SHACL shapes of the kg ontology.

    Every file is checked: violations go to stdout, one line each; each file that fails gets one
    Error line.
    """
    from kg.names import counted
    from kg.rdf.shapes import validate_file

    failed = 0
    for path in files:
        with _errors():
            try:
                problems = validate_file(path)
            except KgError as exc:
                click.echo(f"Error: {exc}", err=True)
                failed += 1
                continue
        for line in problems:
            click.echo(line)
        if problems:
            click.echo(f"Error: {path}: {counted(len(problems), 'violation')} - see the lines above", err=True)
            failed += 1
    if not ctx.obj["quiet"]:
        click.echo(f"{len(files) - failed} of {counted(len(files), 'file')} conform" if failed else
                   f"{counted(len(files), 'file')} conform{'s' if len(files) == 1 else ''}", err=True)
    if failed:
        sys.exit(1)


@cli.command("serve")
@click.option("--store", metavar="PATH", help="Store directory (default: $KG_STORE or ./kg-store).")
@click.option("--endpoint", metavar="URL", help="Serve a SPARQL endpoint (query URL) instead of the store.")
@click.option("--bind", default="127.0.0.1:7878", show_default=True, metavar="HOST:PORT",
              help="Address to listen on. The server has no authentication: keep it on loopback.")
@click.option("--read-write", is_flag=True, help="Also accept SPARQL updates at /update.")
@click.option("--tiles", metavar="URL", help="Map tiles URL template ({z}/{x}/{y}); default: the offline basemap.")
@click.pass_context
def serve_cmd(ctx: click.Context, store: str | None, endpoint: str | None, bind: str, read_write: bool,
              tiles: str | None) -> None:
    """Browse the graph at http://HOST:PORT/: saved queries, map, network, timeline, articles, SPARQL.

    Read-only unless --read-write; tools query /query (SPARQL 1.1 Protocol, union of all graphs).
    """
    from kg.store.embedded import store_path
    from kg.web.server import serve

    path = None if endpoint else store_path(store)
    mode = "read-write" if read_write else "read-only"

    def ready(url: str) -> None:
        if not ctx.obj["quiet"]:
            click.echo(f"Serving {endpoint or path} at {url} ({mode}) - Ctrl+C to stop", err=True)

    with _errors():
        serve(path, endpoint, bind=bind, read_write=read_write, tiles=tiles, on_ready=ready)


@cli.command("report")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--data", multiple=True, help="Report on these RDF files instead of a store (repeatable).")
@click.option("--store", metavar="PATH", help="Embedded store directory (default: $KG_STORE or ./kg-store).")
@click.option("--endpoint", metavar="URL", help="SPARQL endpoint instead of the embedded store.")
@click.option("--from", "from", metavar="DATE", help="Earliest date: YYYY-MM-DD, YYYY-MM or YYYY.")
@click.option("--to", metavar="DATE", help="Latest date; a month or a year includes all of it.")
@click.option("--place", help="Only what happened at (or is about) this place: label, IRI or Wikidata id.")
@click.option("--actor", help="Only events, policies and statements of this actor: label, IRI or Wikidata id.")
def report_cmd(out: Path, data: tuple[str, ...], store: str | None, endpoint: str | None, **filters: str | None) -> None:
    """Write the map, network, timeline and tables as one HTML file that opens offline, for sharing."""
    from kg.web.report import write_report
    with _errors():
        write_report(out, data=data, store=store, endpoint=endpoint, filters={k: v for k, v in filters.items() if v})


def main() -> None:
    """Entry point of ``python -m kg``."""
    interrupts.install()
    cli(prog_name="kg")
