"""The examples each command's ``--help`` ends with: commands that run as written on the shipped
``examples/`` folder (from a checkout) once ``kg ingest examples/`` has filled ``./kg-store``.

>>> epilog("validate").splitlines()[1:]
['Examples:', '  kg extract examples/ --date 2025-02-20 -o out.trig', '  kg validate out.trig']
"""

from __future__ import annotations

EXAMPLES: dict[str, tuple[str, ...]] = {
    "extract": ("kg extract examples/ --date 2025-02-20 -o out.trig",
                "kg extract examples/articles.jsonl --format nquads | kg load -",
                "kg extract - --input-format text < article.txt"),
    "ingest": ("kg ingest examples/ --date 2025-02-20",
               "kg ingest examples/articles.jsonl --store my-store --offline"),
    "load": ("kg load out.trig",
             "kg load shards/ --endpoint http://localhost:7878/query"),
    "retract": ("kg query articles --format csv    # find the id",
                "kg retract 9f86f8db41f7fea5"),
    "reindex": ("kg reindex --store kg-store",),
    "link": ("kg link --offline",
             "kg link --wikidata-endpoint https://query.wikidata.org/sparql"),
    "eval": ("kg eval re3d re3d-data/ --show-errors",
             "kg eval ucdp ged.csv --limit 500 --format json"),
    "query": ("kg query events --param place=Kirkuk",
              "kg query mentions --data out.trig --format csv",
              "kg query my-query.rq --endpoint http://localhost:7878/query"),
    "queries": ("kg queries",),
    "validate": ("kg extract examples/ --date 2025-02-20 -o out.trig",
                 "kg validate out.trig"),
    "serve": ("kg serve    # then open http://127.0.0.1:7878/",
              "kg serve --store kg-store --bind 127.0.0.1:8000"),
    "report": ("kg report report.html",
               "kg report diyala.html --store kg-store --place Diyala --from 2025-01"),
}


def epilog(command: str) -> str | None:
    """The help's closing example block for ``command`` (None if it has none), kept as written: ``\\b``
    stops click from re-wrapping it."""
    lines = EXAMPLES.get(command)
    if lines is None:
        return None
    return "\b\nExamples:\n" + "\n".join(f"  {line}" for line in lines)
