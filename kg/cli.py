"""The ``kg`` command: a thin click shell over the library, and the one place errors become messages."""

from __future__ import annotations

import datetime as dt
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from . import __version__
from .errors import InputError, KgError

log = logging.getLogger("kg")


@contextmanager
def _errors() -> Iterator[None]:
    """Turn library errors into one line on stderr and exit code 1 (click handles usage errors: 2)."""
    try:
        yield
    except KgError as exc:
        raise click.ClickException(str(exc)) from None
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        sys.exit(130)


def _date(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date - write it as YYYY-MM-DD") from None


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


@cli.command("extract")
@click.argument("inputs", nargs=-1, required=True)
@click.option("-o", "--output", default="-", show_default=True, help="Output file; '-' for stdout.")
@click.option("--format", "fmt", type=click.Choice(["turtle", "trig", "nquads", "ntriples", "jsonld"]),
              help="RDF syntax (default: from the output suffix, else turtle).")
@click.option("--model", help="spaCy pipeline name or path (default: en_core_web_sm).")
@click.option("--date", callback=_date, help="Dateline YYYY-MM-DD for articles without one.")
@click.option("--base", help="Base IRI for minted IRIs (default https://w3id.org/kg-news/id/).")
@click.option("--no-link", is_flag=True, help="Do not link entities to Wikidata.")
@click.option("--jobs", "-j", default=1, show_default=True, type=click.IntRange(1), help="spaCy processes.")
@click.pass_context
def extract_cmd(ctx: click.Context, inputs: tuple[str, ...], output: str, fmt: str | None, model: str | None,
                date: dt.date | None, base: str | None, no_link: bool, jobs: int) -> None:
    """Extract a knowledge graph from articles (.txt, .jsonl, .html, directories, '-' for stdin)."""
    from .pipeline import Report, extract_file

    report = Report()
    quiet = ctx.obj["quiet"]
    with _errors():
        articles = extract_file(inputs, output, fmt=fmt, model=model, date=date, base=base, jobs=jobs,
                                report=report)
        with click.progressbar(articles, label="Extracting", file=sys.stderr, show_pos=True,
                               item_show_func=lambda a: a.id if a else None,
                               hidden=quiet or not sys.stderr.isatty()) as bar:
            for _ in bar:
                pass
    _finish(report, quiet, output)


def _finish(report: object, quiet: bool, output: str) -> None:
    from .pipeline import Report

    assert isinstance(report, Report)
    for problem in report.problems:
        click.echo(f"Error: {problem}", err=True)
    if not quiet:
        where = "stdout" if output == "-" else output
        click.echo(f"{report.articles} articles, {report.triples} triples written to {where}; "
                   f"{report.failed} failed", err=True)
    if report.failed:
        sys.exit(1)


@cli.command("query")
@click.argument("query")
@click.option("--data", "data", multiple=True, required=True, help="RDF file to query (repeatable).")
@click.option("--param", "-p", "params", multiple=True, metavar="NAME=VALUE", help="Bind a query parameter.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "tsv", "json"]), default="table",
              show_default=True)
def query_cmd(query: str, data: tuple[str, ...], params: tuple[str, ...], fmt: str) -> None:
    """Run a saved query (see 'kg queries') or a .rq file; values are bound, never spliced."""
    from .queries import format_result, load_query, run_query
    from .stores import memory_store

    with _errors():
        bindings = _params(params)
        saved = load_query(query)
        result = run_query(saved, memory_store(data), bindings)
        for line in format_result(result, fmt):
            click.echo(line)


def _params(params: tuple[str, ...]) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in params:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise InputError(f"--param {item!r}: write it as NAME=VALUE, e.g. --param place=Kirkuk")
        out[name.strip()] = value
    return out


@cli.command("queries")
def queries_cmd() -> None:
    """List the saved queries with their descriptions and parameters."""
    from .queries import list_queries

    with _errors():
        for saved in list_queries():
            params = " ".join(f"[{p.name}]" for p in saved.params)
            click.echo(f"{saved.name:22} {saved.description}" + (f"  params: {params}" if params else ""))


@cli.command("validate")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
def validate_cmd(files: tuple[Path, ...]) -> None:
    """Check RDF files against the SHACL shapes of the kg ontology."""
    from .pipeline import validate

    with _errors():
        problems = validate(files)
    for line in problems:
        click.echo(line)
    if problems:
        click.echo(f"Error: {len(problems)} violations", err=True)
        sys.exit(1)
    click.echo(f"{len(files)} files conform", err=True)


def main() -> None:
    """Entry point of ``python -m kg``."""
    cli(prog_name="kg")
