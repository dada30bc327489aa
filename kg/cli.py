"""The ``kg`` command: a thin click shell over the library, and the one place errors become messages."""

from __future__ import annotations

import datetime as dt
import logging
import os
import signal
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from kg import __version__, interrupts
from kg.errors import KgError
from kg.interrupts import Terminated

log = logging.getLogger("kg")


@contextmanager
def _errors() -> Iterator[None]:
    """Turn library errors into one line on stderr and exit code 1 (click handles usage errors: 2)."""
    try:
        yield
    except KgError as exc:
        raise click.ClickException(str(exc)) from None
    except KeyboardInterrupt as exc:
        terminated = isinstance(exc, Terminated)
        click.echo("Interrupted by SIGTERM." if terminated else "Interrupted.", err=True)
        code = 128 + signal.SIGTERM if terminated else 130
        if interrupts.stopped_workers():
            # the queues that fed the stopped workers would wait at exit, for ever, to hand them the rest
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
        sys.exit(code)
    except BrokenPipeError:
        # the reader went away ('kg query … | head'): no traceback, and none at exit either, as the
        # Python documentation on SIGPIPE advises
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)


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


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kg")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but data and errors.")
@click.option("--verbose", "-v", count=True, help="Say more on stderr (-vv for debug).")
@click.pass_context
def cli(ctx: click.Context, quiet: bool, verbose: int) -> None:
    """Turn news articles into a knowledge graph and query it."""
    ctx.obj = {"quiet": quiet}
    level = logging.WARNING if quiet else (logging.DEBUG if verbose > 1 else logging.INFO if verbose else
                                           logging.WARNING)
    logging.basicConfig(level=level, format="kg: %(message)s", stream=sys.stderr)


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
        return _finish(_on_cluster(ctx, "extract_on_cluster", inputs, output), ctx.obj["quiet"], output)
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
        _drain(articles, "Extracting", quiet)
    _finish(report, quiet, output)


def _drain(articles: Iterable[Any], label: str, quiet: bool) -> None:
    """Run ``articles`` to the end with a bar of the articles done (on a terminal, unless ``quiet``)."""
    with click.progressbar(articles, label=label, file=sys.stderr, show_pos=True, hidden=quiet or not sys.stderr.isatty(),
                           item_show_func=lambda a: a.id if a else None) as bar:
        for _ in bar:
            pass


def _on_cluster(ctx: click.Context, run: str, *args: object, **kwargs: object) -> object:
    """``kg.scale.run.<run>`` with the command's options, and a bar of the shards done."""
    from kg.scale import run as scale

    p, names = ctx.params, ("model", "date", "base", "input_format", "offline", "wikidata_endpoint", "min_confidence")
    with _errors(), click.progressbar(length=1, label="Shards", file=sys.stderr, show_pos=True,
                                      hidden=ctx.obj["quiet"] or not sys.stderr.isatty()) as bar:
        def progress(done: int, total: int) -> None:
            bar.length = total
            bar.update(1)

        return getattr(scale, run)(*args, p["cluster"], link=not p["no_link"], workers=p["jobs"], progress=progress,
                                   shard_lines=p["shard_lines"], **{name: p[name] for name in names}, **kwargs)


def _finish(report: object, quiet: bool, output: str) -> None:
    from kg.pipeline import Report

    assert isinstance(report, Report)
    for problem in report.problems:
        click.echo(f"Error: {problem}", err=True)
    if not quiet:
        where = "stdout" if output == "-" else output
        click.echo(f"{report.articles} articles, {report.triples} triples written to {where}; "
                   f"{report.failed} failed", err=True)
    if report.failed:
        sys.exit(1)


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
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "tsv", "json"]), default="table",
              show_default=True, help="csv, tsv and json stream big answers row by row; table reads them all.")
@click.option("--limit", type=click.IntRange(min=0), metavar="N", help="Print at most N rows.")
def query_cmd(query: str, data: tuple[str, ...], store: str | None, endpoint: str | None,
              update_endpoint: str | None, graph_store: str | None, params: tuple[str, ...], fmt: str,
              limit: int | None) -> None:
    """Run a saved query (see 'kg queries') or a .rq file on files, the store or an endpoint.

    Parameter values are bound as RDF terms, never pasted into the query: <iri>, http(s)://… and urn:…
    are IRIs, Q123 is a Wikidata item, kg:Name an ontology term, YYYY-MM-DD a date, anything else a string.
    """
    from kg.query.formats import format_result
    from kg.query.saved import load_query, parse_params, stream_query
    from kg.store.embedded import files_store
    from kg.store.loading import check_indexed, open_target

    with _errors():
        bindings = parse_params(params)
        saved = load_query(query)
        if data:
            _echo_lines(format_result(stream_query(saved, files_store(data), bindings, limit), fmt,
                                      terminal=sys.stdout.isatty()))
            return
        target = open_target(store, endpoint, update_endpoint=update_endpoint, graph_store=graph_store,
                             create=False, read_only=True)
        try:
            check_indexed(target)
            _echo_lines(format_result(stream_query(saved, target, bindings, limit), fmt,
                                      terminal=sys.stdout.isatty()))
        finally:
            target.close()


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
        target = open_target(store, endpoint, update_endpoint=update_endpoint, graph_store=graph_store)
        try:
            if cluster:
                return _report(_on_cluster(ctx, "ingest_on_cluster", inputs, target, shards=shards, report=report),
                               quiet, target.name)
            linker = None if no_link else default_linker(wikidata_endpoint, offline=offline)
            articles = ingest(inputs, target, model=model, date=date, base=base, jobs=jobs, linker=linker,
                              report=report, min_confidence=min_confidence, input_format=input_format)
            _drain(articles, "Ingesting", quiet)
        finally:
            target.close()
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
    from kg.store.loading import LoadReport, load_files, open_target

    report = LoadReport()
    with _errors():
        target = open_target(store, endpoint, update_endpoint=update_endpoint, graph_store=graph_store)
        try:
            load_files(target, files, report, stdin_format=fmt)
        finally:
            target.close()
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
        target = open_target(store, endpoint, update_endpoint=update_endpoint, graph_store=graph_store,
                             create=False)
        try:
            retract(target, ids, base=base, report=report)
        finally:
            target.close()
    _report(report, ctx.obj["quiet"], target.name)


@cli.command("reindex")
@_store_options
@click.pass_context
def reindex_cmd(ctx: click.Context, store: str | None, endpoint: str | None, update_endpoint: str | None,
                graph_store: str | None) -> None:
    """Rebuild the entities graph (after loading kg's files with another tool, or a store of an older kg)."""
    from kg.store.loading import open_target, reindex

    with _errors():
        target = open_target(store, endpoint, update_endpoint=update_endpoint, graph_store=graph_store,
                             create=False)
        try:
            reindex(target)
        finally:
            target.close()
    if not ctx.obj["quiet"]:
        click.echo(f"{target.name}: entities graph rebuilt", err=True)


@cli.command("link")
@_store_options
@click.option("--wikidata-endpoint", metavar="URL", help="Also look up entities in this Wikidata SPARQL endpoint.")
@click.option("--offline", is_flag=True, help="Use the shipped gazetteer only.")
@click.pass_context
def link_cmd(ctx: click.Context, store: str | None, endpoint: str | None, update_endpoint: str | None,
             graph_store: str | None, wikidata_endpoint: str | None, offline: bool) -> None:
    """Link the loaded entities that have no Wikidata link yet (e.g. after adding an endpoint)."""
    from kg.link.sources import default_linker
    from kg.pipeline import relink
    from kg.store.loading import LoadReport, open_target

    report = LoadReport()
    with _errors():
        target = open_target(store, endpoint, update_endpoint=update_endpoint, graph_store=graph_store,
                             create=False)
        try:
            relink(target, default_linker(wikidata_endpoint, offline=offline), report)
        finally:
            target.close()
    _report(report, ctx.obj["quiet"], target.name)


@cli.command("eval")
@click.argument("dataset", type=click.Choice(["elevant", "re3d", "ucdp"]))
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--model", help="spaCy pipeline name or path (default: en_core_web_sm).")
@click.option("--wikidata-endpoint", metavar="URL", help="elevant: also look up entities in this Wikidata SPARQL "
              "endpoint.")
@click.option("--limit", type=click.IntRange(1), metavar="N", help="ucdp: score only the first N kept rows.")
@_min_confidence("re3d: score only predictions with at least this confidence.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--show-errors", is_flag=True, help="List the wrong links, mentions, relations or misses.")
def eval_cmd(dataset: str, path: Path, model: str | None, wikidata_endpoint: str | None, limit: int | None,
             min_confidence: float | None, fmt: str, show_errors: bool) -> None:
    """Score kg on public gold data.

    \b
    elevant  PATH is ELEVANT JSON Lines: Wikidata links on the gold spans.
    re3d     PATH is the re3d folder: Person/Organisation/Location mentions and
             FightingAgainst/AlliesOf/InChargeOf/BelongsTo relations (P/R/F1),
             and the calibration of their confidence (ECE, reliability table).
    ucdp     PATH is a UCDP GED CSV: place, event and actor recall on the headlines
             that name their place.
    """
    from kg.evaluate import evaluate

    with _errors():
        text, errors = evaluate(dataset, path, model=model, wikidata_endpoint=wikidata_endpoint, limit=limit,
                                min_confidence=min_confidence, fmt=fmt)
    click.echo(text)
    if show_errors and fmt == "table":
        for line in errors:
            click.echo(f"  {line}")


def _report(report: object, quiet: bool, target: str) -> None:
    from kg.store.loading import LoadReport

    assert isinstance(report, LoadReport)
    for problem in report.problems:
        click.echo(f"Error: {problem}", err=True)
    if not quiet:
        click.echo(report.summary(target), err=True)
    if report.failed:
        sys.exit(1)


@cli.command("queries")
def queries_cmd() -> None:
    """List the saved queries with their descriptions and parameters."""
    from kg.query.saved import list_queries

    with _errors():
        for saved in list_queries():
            params = " ".join(f"[{p.name}]" for p in saved.params)
            click.echo(f"{saved.name:22} {saved.description}" + (f"  params: {params}" if params else ""))


@cli.command("validate")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
def validate_cmd(files: tuple[Path, ...]) -> None:
    """Check RDF files against the SHACL shapes of the kg ontology.

    Every file is checked: violations go to stdout, one line each; each file that fails gets one
    Error line.
    """
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
            click.echo(f"Error: {path}: {len(problems)} violation{'s' if len(problems) > 1 else ''} - "
                       "see the lines above", err=True)
            failed += 1
    if failed:
        click.echo(f"{len(files) - failed} of {len(files)} files conform", err=True)
        sys.exit(1)
    click.echo(f"{len(files)} files conform", err=True)


@cli.command("serve")
@click.option("--store", metavar="PATH", help="Store directory (default: $KG_STORE or ./kg-store).")
@click.option("--bind", default="127.0.0.1:7878", show_default=True, metavar="HOST:PORT",
              help="Address to listen on. The server has no authentication: keep it on loopback.")
@click.option("--read-write", is_flag=True, help="Also accept SPARQL updates and Graph Store writes.")
@click.pass_context
def serve_cmd(ctx: click.Context, store: str | None, bind: str, read_write: bool) -> None:
    """Serve the store over HTTP: a SPARQL endpoint, and a query editor at http://HOST:PORT/.

    Queries see the union of all article graphs, as the saved queries expect; paste one from
    'kg queries' into the editor (its ?param_* variables simply stay unbound).
    """
    from kg.store.embedded import store_path
    from kg.store.serve import serve

    path = store_path(store)
    mode = "read-write" if read_write else "read-only"

    def ready(url: str) -> None:
        if not ctx.obj["quiet"]:
            click.echo(f"Serving {path} at {url} ({mode}) - Ctrl+C to stop", err=True)

    with _errors():
        code = serve(path, bind, read_write=read_write, on_ready=ready)
    if code:
        sys.exit(code)  # serve() has logged why


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
    """Write the map, network, timeline and tables as one HTML file that opens offline, for sharing.

    Example: kg report diyala.html --store kg-store --place Diyala --from 2025-01
    """
    from kg.web.report import write_report
    with _errors():
        write_report(out, data=data, store=store, endpoint=endpoint, filters={k: v for k, v in filters.items() if v})


def main() -> None:
    """Entry point of ``python -m kg``."""
    interrupts.install()
    cli(prog_name="kg")
