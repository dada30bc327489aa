"""Map one article's :class:`~kg.model.Extraction` to RDF under the kg ontology (pure; no I/O).

Each article becomes one named graph whose IRI is the article's IRI. Mentions and evidence sentences
are NIF 2.0 nodes (offsets into the body + exact text); events, policies, statements and relations
point to their evidence sentence, carry a confidence and the extraction activity (PROV-O); mentions
carry their (calibrated) confidence too.

The graph is built as pyoxigraph quads (:func:`to_quads`), which the writers and stores take as they
are; :func:`to_graph` gives the same triples as an rdflib graph.
"""

from __future__ import annotations

import datetime as dt
import hashlib

import pyoxigraph as ox
from rdflib import Graph
from rdflib import namespace as rdflib_ns

from kg import __version__
from kg.model import EntityRef, Extraction, Link, TextSpan, TimeRef
from kg.rdf import namespaces as ns
from kg.rdf.namespaces import Minter, part_of
from kg.rdf.terms import Terms, quads_graph

__all__ = ["link_triples", "to_graph", "to_quads"]

KG, GEO, ITSRDF, NIF, ORG, PROV, SCHEMA = (Terms(n) for n in (ns.KG, ns.GEO, ns.ITSRDF, ns.NIF, ns.ORG, ns.PROV,
                                                              ns.SCHEMA))
OWL, RDF, RDFS, SKOS, XSD = (Terms(n) for n in (rdflib_ns.OWL, rdflib_ns.RDF, rdflib_ns.RDFS, rdflib_ns.SKOS,
                                                rdflib_ns.XSD))
SOFTWARE = ox.NamedNode(ns.SOFTWARE)
_VERSION = ox.Literal(__version__)


def to_quads(extraction: Extraction, minter: Minter | None = None) -> list[ox.Quad]:
    """The named graph of one article as quads, without duplicates, in the order kg writes them.

    >>> from kg.model import Article
    >>> quads = to_quads(Extraction(Article(id="a1", text="Hello."), model="test 0"))
    >>> quads[0].graph_name.value
    'https://w3id.org/kg-news/id/article/a1'
    """
    mapper = _Mapper(extraction, minter or Minter())
    # sorted as :func:`~kg.rdf.terms.sort_key` sorts quads; a term recurs in many triples, so its text is
    # made once
    texts: dict[_Subject | _Object, str] = {}

    def text(term: _Subject | _Object) -> str:
        found = texts.get(term)
        if found is None:
            found = texts[term] = str(term)
        return found

    triples = sorted(mapper.triples, key=lambda t: (text(t[0]), text(t[1]), text(t[2])))
    return [ox.Quad(s, p, o, mapper.name) for s, p, o in triples]


def to_graph(extraction: Extraction, minter: Minter | None = None) -> Graph:
    """The named graph of one article as an rdflib graph (the triples of :func:`to_quads`).

    >>> from kg.model import Article
    >>> g = to_graph(Extraction(Article(id="a1", text="Hello."), model="test 0"))
    >>> str(g.identifier)
    'https://w3id.org/kg-news/id/article/a1'
    """
    minter = minter or Minter()
    return quads_graph(to_quads(extraction, minter), minter.article(extraction.article.id))


_Subject = ox.NamedNode
_Object = ox.NamedNode | ox.Literal


def _text(value: str) -> ox.Literal:
    return ox.Literal(value)


def _integer(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=XSD.integer)


def _date(value: dt.date) -> ox.Literal:
    return ox.Literal(value.isoformat(), datatype=XSD.date)


def _confidence(value: float) -> ox.Literal:
    return ox.Literal(_decimal(value), datatype=XSD.decimal)


class _Mapper:
    def __init__(self, extraction: Extraction, minter: Minter) -> None:
        self.x = extraction
        self.minter = minter
        self.aid = extraction.article.id
        self.iri = str(minter.article(self.aid))
        self.name = self.article = ox.NamedNode(self.iri)
        self.activity = self.part("extraction")
        self.triples: dict[tuple[_Subject, ox.NamedNode, _Object], None] = {}  # a set that keeps no order to sort
        self._entity_nodes: dict[EntityRef, ox.NamedNode] = {}
        self._article()
        self._entities()
        for event in self.x.events:
            node = self._fact("event", event.trigger, event.evidence, event.confidence, KG[event.cls])
            self._roles(node, KG.agent, event.agents)
            self._roles(node, KG.target, event.targets)
            self._roles(node, KG.location, event.locations)
            self._time(node, event.time)
            if event.status:
                self.add(node, KG.status, KG[event.status])
            self.add(node, KG.factuality, KG[event.factuality])
            self._count(node, KG.killed, KG.killedLowerBound, event.killed, event.killed_lower_bound)
            self._count(node, KG.injured, KG.injuredLowerBound, event.injured, event.injured_lower_bound)
        for policy in self.x.policies:
            node = self._fact("policy", policy.trigger, policy.evidence, policy.confidence, KG[policy.cls])
            self._roles(node, KG.issuer, policy.issuers)
            self._roles(node, KG.target, policy.targets)
            for sector in policy.sectors:
                self.add(node, KG.sector, _text(sector))
            self.add(node, KG.status, KG[policy.status])
            if policy.proposed_change:
                self.add(node, KG.proposedChange, KG[policy.proposed_change])
            self._time(node, policy.time)
            self.add(node, KG.factuality, KG[policy.factuality])
        for statement in self.x.statements:
            node = self._fact("statement", statement.quote, statement.evidence, statement.confidence, KG.Statement,
                              label=statement.verb.text)
            self._roles(node, KG.speaker, (statement.speaker,) if statement.speaker else ())
            self.add(node, KG.quote, _text(statement.quote.text))
            self._roles(node, KG.about, statement.about)
            self._roles(node, KG.addressee, (statement.addressee,) if statement.addressee else ())
            self._time(node, statement.time)
            self.add(node, KG.factuality, KG[statement.factuality])
        self._relations()

    def add(self, subject: _Subject, predicate: ox.NamedNode, obj: _Object) -> None:
        self.triples[subject, predicate, obj] = None

    def part(self, kind: str, *offsets: int) -> ox.NamedNode:
        return ox.NamedNode(part_of(self.iri, kind, *offsets))

    def _article(self) -> None:
        a = self.x.article
        node = self.article
        self.add(node, RDF.type, SCHEMA.NewsArticle)
        self.add(node, RDF.type, NIF.Context)
        self.add(node, KG.articleId, _text(a.id))
        self.add(node, NIF.isString, _text(a.text))
        if a.title:
            self.add(node, SCHEMA.headline, _text(a.title))
        if a.date:
            self.add(node, SCHEMA.datePublished, _date(a.date))
        if a.url:
            self.add(node, SCHEMA.url, ox.Literal(a.url, datatype=XSD.anyURI))
        if a.source:
            self.add(node, SCHEMA.publisher, _text(a.source))
        if a.language:
            self.add(node, SCHEMA.inLanguage, _text(a.language))
        for n, caption in enumerate(a.captions, start=1):
            image = self.part("image", n)
            self.add(node, SCHEMA.image, image)
            self.add(image, RDF.type, SCHEMA.ImageObject)
            self.add(image, SCHEMA.caption, _text(caption.text))
            if caption.credit:
                self.add(image, SCHEMA.creditText, _text(caption.credit))
        act = self.activity
        self.add(act, RDF.type, PROV.Activity)
        self.add(act, PROV.used, node)
        self.add(act, PROV.wasAssociatedWith, SOFTWARE)
        self.add(act, KG.extractorVersion, _VERSION)
        self.add(act, KG.model, _text(self.x.model))

    def _entities(self) -> None:
        labelled: set[ox.NamedNode] = set()
        for entity in self.x.entities:
            node = self.entity((entity.kind, entity.key))
            self.add(node, RDF.type, KG[entity.cls])
            # keys that differ only in spaces or punctuation share an IRI: it keeps the first one's label
            self.add(node, SKOS.altLabel if node in labelled else RDFS.label, _text(entity.label))
            labelled.add(node)
            for alias in entity.aliases:
                self.add(node, SKOS.altLabel, _text(alias))
        for link in self.x.links:
            for s, p, o in link_triples(self.entity(link.entity).value, link):
                self.add(s, p, o)
        for mention in self.x.mentions:
            node = self._span("mention", mention.span, KG.Mention)
            self.add(node, ITSRDF.taIdentRef, self.entity(mention.entity))
            self.add(node, KG.confidence, _confidence(mention.confidence))

    def entity(self, ref: EntityRef) -> ox.NamedNode:
        node = self._entity_nodes.get(ref)
        if node is None:
            node = self._entity_nodes[ref] = ox.NamedNode(self.minter.entity(*ref))
        return node

    def _span(self, kind: str, span: TextSpan, cls: ox.NamedNode) -> ox.NamedNode:
        node = self.part(kind, span.start, span.end)
        self.add(node, RDF.type, cls)
        self.add(node, NIF.referenceContext, self.article)
        self.add(node, NIF.beginIndex, _integer(span.start))
        self.add(node, NIF.endIndex, _integer(span.end))
        self.add(node, NIF.anchorOf, _text(span.text))
        return node

    def _fact(self, kind: str, anchor: TextSpan, evidence: TextSpan, confidence: float, cls: ox.NamedNode,
              label: str | None = None) -> ox.NamedNode:
        node = self.part(kind, anchor.start, anchor.end)
        self.add(node, RDF.type, cls)
        self.add(node, RDFS.label, _text(label or anchor.text))
        self._provenance(node, evidence, confidence)
        return node

    def _provenance(self, node: ox.NamedNode, evidence: TextSpan, confidence: float) -> None:
        self.add(node, KG.evidence, self._span("sentence", evidence, NIF.Sentence))
        self.add(node, KG.confidence, _confidence(confidence))
        self.add(node, PROV.wasGeneratedBy, self.activity)

    def _roles(self, node: ox.NamedNode, prop: ox.NamedNode, refs: tuple[EntityRef, ...]) -> None:
        for ref in refs:
            self.add(node, prop, self.entity(ref))

    def _count(self, node: ox.NamedNode, prop: ox.NamedNode, bound: ox.NamedNode, value: int | None,
               lower_bound: bool) -> None:
        if value is None:
            return
        self.add(node, prop, _integer(value))
        if lower_bound:
            self.add(node, bound, ox.Literal("true", datatype=XSD.boolean))

    def _time(self, node: ox.NamedNode, time: TimeRef | None) -> None:
        if time is None:
            return
        self.add(node, KG.timeExpression, _text(time.text))
        if time.start is not None and time.precision is not None:
            self.add(node, KG.date, _date(time.start))
            self.add(node, KG.datePrecision, KG[time.precision])
            if time.end is not None and time.end != time.start:
                self.add(node, KG.endDate, _date(time.end))

    def _relations(self) -> None:
        for rel in self.x.relations:
            subject = self.entity(rel.subject)
            if rel.position is not None:
                obj = ox.NamedNode(self.minter.position(rel.position.organization, rel.position.label))
                self.add(obj, RDF.type, KG.Position)
                self.add(obj, RDFS.label, _text(rel.position.label))
                self.add(obj, ORG.postIn, self.entity(rel.position.organization))
            elif rel.object is not None:
                obj = self.entity(rel.object)
            else:
                continue
            predicate = KG[rel.predicate]
            self.add(subject, predicate, obj)
            digest = hashlib.sha1(f"{subject.value} {predicate.value} {obj.value}".encode()).hexdigest()[:8]
            evidence = part_of(self.iri, "relation", rel.evidence.start, rel.evidence.end)
            node = ox.NamedNode(f"{evidence}-{digest}")
            self.add(node, RDF.type, RDF.Statement)
            self.add(node, RDF.subject, subject)
            self.add(node, RDF.predicate, predicate)
            self.add(node, RDF.object, obj)
            self._provenance(node, rel.evidence, rel.confidence)


def _decimal(value: float) -> str:
    """The canonical xsd:decimal form with at most two decimals ("0.7", "1.0"), as stores print it."""
    text = f"{value:.2f}".rstrip("0")
    return text + "0" if text.endswith(".") else text


def link_triples(entity: str, link: Link) -> list[tuple[ox.NamedNode, ox.NamedNode, ox.NamedNode | ox.Literal]]:
    """The triples stating a Wikidata link: ``owl:sameAs``, its confidence and source, and coordinates."""
    node = ox.NamedNode(entity)
    triples: list[tuple[ox.NamedNode, ox.NamedNode, ox.NamedNode | ox.Literal]] = [
        (node, OWL.sameAs, ox.NamedNode(ns.WD[link.qid])),
        (node, KG.linkConfidence, _confidence(link.confidence)),
        (node, KG.linkSource, _text(link.source)),
    ]
    if link.coordinates is not None:
        geometry = ox.NamedNode(f"{entity}/geometry")
        lon, lat = link.coordinates
        triples += [(node, GEO.hasGeometry, geometry),
                    (geometry, GEO.asWKT, ox.Literal(f"POINT({lon:.6g} {lat:.6g})", datatype=GEO.wktLiteral))]
    return triples
