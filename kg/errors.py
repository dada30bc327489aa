"""One error hierarchy for kg; ``kg.cli`` turns these into one-line messages."""

from __future__ import annotations


class KgError(Exception):
    """Base of every error kg raises on purpose.

    The message is one line that names the thing at fault (file, article, IRI, query) and the fix.
    """


class InputError(KgError):
    """An input file or article cannot be read (bad format, bad JSON, missing text)."""


class ModelError(KgError):
    """The spaCy pipeline cannot be loaded."""


class QueryError(KgError):
    """A saved query is unknown, malformed, or got a bad parameter."""


class DataError(KgError):
    """An RDF data file cannot be parsed or does not conform to the shapes."""


class OutputError(KgError):
    """Output cannot be written (unknown format, unwritable path)."""


class StoreError(KgError):
    """The embedded store cannot be opened or written."""


class EndpointError(KgError):
    """A SPARQL endpoint refused a request or cannot be reached."""


class EndpointUnavailable(EndpointError):
    """A SPARQL endpoint cannot be reached, or refuses the credentials: no request after this one can
    pass either, so a load stops at once."""


class ClusterError(KgError):
    """A Dask cluster cannot be reached or used (``--cluster``), or Dask is not installed."""


def one_line(error: BaseException) -> str:
    """An error as one line, for a message (pyoxigraph's parse errors span several).

    >>> one_line(ValueError("error at 2:5:\\n  expected '}'"))
    "error at 2:5: expected '}'"
    """
    return " ".join(str(error).split())
