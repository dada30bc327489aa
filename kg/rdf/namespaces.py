"""Namespaces kg writes, and the minting of stable IRIs.

IRIs never contain raw text: names are normalised and reduced to ``[a-z0-9-]`` slugs (with a hash
when nothing readable is left), article ids are percent-escaped, and everything else is offsets.
The same input therefore always gives the same IRIs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from rdflib import Namespace, URIRef

from kg.errors import InputError
from kg.names import normalise_name, slug
from kg.rdf.vocab import KG

__all__ = ["DEFAULT_BASE", "GEO", "ITSRDF", "KG", "NIF", "ORG", "PROV", "SCHEMA", "SEM", "SOFTWARE", "WD", "Minter",
           "check_base", "part_of"]

NIF = Namespace("http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#")
ITSRDF = Namespace("http://www.w3.org/2005/11/its/rdf#")
SCHEMA = Namespace("https://schema.org/")
PROV = Namespace("http://www.w3.org/ns/prov#")
SEM = Namespace("http://semanticweb.cs.vu.nl/2009/11/sem/")
ORG = Namespace("http://www.w3.org/ns/org#")
GEO = Namespace("http://www.opengis.net/ont/geosparql#")
WD = Namespace("http://www.wikidata.org/entity/")

DEFAULT_BASE = "https://w3id.org/kg-news/id/"
SOFTWARE = URIRef("https://w3id.org/kg-news/software/kg")

PREFIXES: dict[str, str] = {
    "kg": str(KG._NS),
    "nif": str(NIF),
    "itsrdf": str(ITSRDF),
    "schema": str(SCHEMA),
    "prov": str(PROV),
    "org": str(ORG),
    "geo": str(GEO),
    "wd": str(WD),
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}







# RFC 3987: no spaces, controls or <>"{}|\\^` in an IRI, and % only before two hex digits
_NOT_IRI = re.compile(r'[\x00-\x20<>"{}|\\^`\x7f-\x9f\ud800-\udfff\ufffe\uffff]|%(?![0-9A-Fa-f]{2})')


def check_base(base: str) -> str:
    """Return ``base`` (ending in ``/`` or ``#``: a ``/`` is added otherwise) if every IRI minted under it is
    a valid absolute http(s) IRI.

    Raises:
        InputError: it is not (the message says which character or part is wrong).

    >>> check_base("https://example.org/news/"), check_base("https://example.org/news")
    ('https://example.org/news/', 'https://example.org/news/')
    """
    parts = urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InputError(f"base IRI {base!r} is not an absolute http(s) IRI - write it like "
                         "https://example.org/kg/")
    bad = _NOT_IRI.search(base)
    if bad:
        raise InputError(f"base IRI {base!r} has {bad.group()!r}, which an IRI cannot contain - percent-encode it "
                         "or leave it out")
    return with_separator(base)


def with_separator(base: str) -> str:
    """``base`` ending in ``/`` or ``#``, so that ``article/…`` is a path segment of its own.

    >>> with_separator("https://example.org/kg"), with_separator("https://example.org/kg#")
    ('https://example.org/kg/', 'https://example.org/kg#')
    """
    return base if base.endswith(("/", "#")) else base + "/"


@dataclass(frozen=True)
class Minter:
    """Mints every IRI of the data under one ``base``.

    >>> Minter().article("abc")
    rdflib.term.URIRef('https://w3id.org/kg-news/id/article/abc')
    """

    base: str = DEFAULT_BASE

    def __post_init__(self) -> None:
        # 'https://example.org/kg' would mint 'https://example.org/kgarticle/…'
        object.__setattr__(self, "base", with_separator(self.base))

    def article(self, article_id: str) -> URIRef:
        """The article's IRI, which is also the IRI of its named graph."""
        return URIRef(f"{self.base}article/{quote(article_id, safe='')}")

    def part(self, article_id: str, kind: str, *offsets: int) -> URIRef:
        """A node that belongs to one article: ``.../article/{id}/{kind}/{offsets}``."""
        return URIRef(part_of(self.article(article_id), kind, *offsets))

    def entity(self, kind: str, key: str) -> URIRef:
        """An entity, shared by every article that names it."""
        return URIRef(f"{self.base}entity/{kind}/{slug(key)}")

    def position(self, organization: tuple[str, str], label: str) -> URIRef:
        """A post (``foreign policy chief``) in an organisation."""
        kind, key = organization
        return URIRef(f"{self.base}position/{kind}/{slug(key)}/{slug(normalise_name(label))}")


def part_of(article: str, kind: str, *offsets: int) -> str:
    """The IRI of a node that belongs to the article whose IRI is ``article`` (see :meth:`Minter.part`).

    >>> part_of("https://w3id.org/kg-news/id/article/a1", "mention", 0, 7)
    'https://w3id.org/kg-news/id/article/a1/mention/0-7'
    """
    suffix = "-".join(str(o) for o in offsets)
    return f"{article}/{kind}/{suffix}" if suffix else f"{article}/{kind}"
