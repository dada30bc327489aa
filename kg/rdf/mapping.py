"""Map one article's :class:`~kg.model.Extraction` to RDF under the kg ontology (pure; no I/O).

Each article becomes one named graph whose IRI is the article's IRI. Mentions and evidence sentences
are NIF 2.0 nodes (offsets into the body + exact text); events, policies, statements and relations
point to their evidence sentence, carry a confidence and the extraction activity (PROV-O); mentions
carry their (calibrated) confidence too.
"""

from __future__ import annotations

import hashlib

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS, XSD

from kg import __version__
from kg.model import EntityRef, Extraction, Link, TextSpan, TimeRef
from kg.rdf.namespaces import GEO, ITSRDF, KG, NIF, ORG, PROV, SCHEMA, SOFTWARE, WD, Minter


def to_graph(extraction: Extraction, minter: Minter | None = None) -> Graph:
    """The named graph of one article.

    >>> from kg.model import Article
    >>> g = to_graph(Extraction(Article(id="a1", text="Hello."), model="test 0"))
    >>> str(g.identifier)
    'https://w3id.org/kg-news/id/article/a1'
    """
    return _Mapper(extraction, minter or Minter()).graph


class _Mapper:
    def __init__(self, extraction: Extraction, minter: Minter) -> None:
        self.x = extraction
        self.minter = minter
        self.aid = extraction.article.id
        self.article = minter.article(self.aid)
        self.activity = minter.part(self.aid, "extraction")
        self.graph = Graph(identifier=self.article)
        self.add = self.graph.add
        self._article()
        self._entities()
        for event in self.x.events:
            node = self._fact("event", event.trigger, event.evidence, event.confidence, getattr(KG, event.cls))
            self._roles(node, KG.agent, event.agents)
            self._roles(node, KG.target, event.targets)
            self._roles(node, KG.location, event.locations)
            self._time(node, event.time)
            if event.status:
                self.add((node, KG.status, getattr(KG, event.status)))
        for policy in self.x.policies:
            node = self._fact("policy", policy.trigger, policy.evidence, policy.confidence, getattr(KG, policy.cls))
            self._roles(node, KG.issuer, policy.issuers)
            self._roles(node, KG.target, policy.targets)
            for sector in policy.sectors:
                self.add((node, KG.sector, Literal(sector)))
            self.add((node, KG.status, getattr(KG, policy.status)))
            if policy.proposed_change:
                self.add((node, KG.proposedChange, getattr(KG, policy.proposed_change)))
            self._time(node, policy.time)
        for statement in self.x.statements:
            node = self._fact("statement", statement.quote, statement.evidence, statement.confidence, KG.Statement,
                              label=statement.verb.text)
            self._roles(node, KG.speaker, (statement.speaker,) if statement.speaker else ())
            self.add((node, KG.quote, Literal(statement.quote.text)))
            self._roles(node, KG.about, statement.about)
            self._roles(node, KG.addressee, (statement.addressee,) if statement.addressee else ())
            self._time(node, statement.time)
        self._relations()

    def _article(self) -> None:
        a = self.x.article
        node = self.article
        self.add((node, RDF.type, SCHEMA.NewsArticle))
        self.add((node, RDF.type, NIF.Context))
        self.add((node, KG.articleId, Literal(a.id)))
        self.add((node, NIF.isString, Literal(a.text)))
        if a.title:
            self.add((node, SCHEMA.headline, Literal(a.title)))
        if a.date:
            self.add((node, SCHEMA.datePublished, Literal(a.date.isoformat(), datatype=XSD.date)))
        if a.url:
            self.add((node, SCHEMA.url, Literal(a.url, datatype=XSD.anyURI)))
        if a.source:
            self.add((node, SCHEMA.publisher, Literal(a.source)))
        if a.language:
            self.add((node, SCHEMA.inLanguage, Literal(a.language)))
        for n, caption in enumerate(a.captions, start=1):
            image = self.minter.part(self.aid, "image", n)
            self.add((node, SCHEMA.image, image))
            self.add((image, RDF.type, SCHEMA.ImageObject))
            self.add((image, SCHEMA.caption, Literal(caption.text)))
            if caption.credit:
                self.add((image, SCHEMA.creditText, Literal(caption.credit)))
        act = self.activity
        self.add((act, RDF.type, PROV.Activity))
        self.add((act, PROV.used, node))
        self.add((act, PROV.wasAssociatedWith, SOFTWARE))
        self.add((act, KG.extractorVersion, Literal(__version__)))
        self.add((act, KG.model, Literal(self.x.model)))

    def _entities(self) -> None:
        for entity in self.x.entities:
            node = self.minter.entity(entity.kind, entity.key)
            self.add((node, RDF.type, getattr(KG, entity.cls)))
            self.add((node, RDFS.label, Literal(entity.label)))
            for alias in entity.aliases:
                self.add((node, SKOS.altLabel, Literal(alias)))
        for link in self.x.links:
            for s, p, o in link_triples(str(self.entity(link.entity)), link):
                self.add((URIRef(s.value), URIRef(p.value), _rdflib(o)))
        for mention in self.x.mentions:
            node = self._span("mention", mention.span, KG.Mention)
            self.add((node, ITSRDF.taIdentRef, self.entity(mention.entity)))
            self.add((node, KG.confidence, Literal(_decimal(mention.confidence), datatype=XSD.decimal)))

    def entity(self, ref: EntityRef) -> URIRef:
        return self.minter.entity(*ref)

    def _span(self, kind: str, span: TextSpan, cls: URIRef) -> URIRef:
        node = self.minter.part(self.aid, kind, span.start, span.end)
        self.add((node, RDF.type, cls))
        self.add((node, NIF.referenceContext, self.article))
        self.add((node, NIF.beginIndex, Literal(span.start)))
        self.add((node, NIF.endIndex, Literal(span.end)))
        self.add((node, NIF.anchorOf, Literal(span.text)))
        return node

    def _fact(self, kind: str, anchor: TextSpan, evidence: TextSpan, confidence: float, cls: URIRef,
              label: str | None = None) -> URIRef:
        node = self.minter.part(self.aid, kind, anchor.start, anchor.end)
        self.add((node, RDF.type, cls))
        self.add((node, RDFS.label, Literal(label or anchor.text)))
        self._provenance(node, evidence, confidence)
        return node

    def _provenance(self, node: URIRef, evidence: TextSpan, confidence: float) -> None:
        self.add((node, KG.evidence, self._span("sentence", evidence, NIF.Sentence)))
        self.add((node, KG.confidence, Literal(_decimal(confidence), datatype=XSD.decimal)))
        self.add((node, PROV.wasGeneratedBy, self.activity))

    def _roles(self, node: URIRef, prop: URIRef, refs: tuple[EntityRef, ...]) -> None:
        for ref in refs:
            self.add((node, prop, self.entity(ref)))

    def _time(self, node: URIRef, time: TimeRef | None) -> None:
        if time is None:
            return
        self.add((node, KG.timeExpression, Literal(time.text)))
        if time.start is not None and time.precision is not None:
            self.add((node, KG.date, Literal(time.start.isoformat(), datatype=XSD.date)))
            self.add((node, KG.datePrecision, getattr(KG, time.precision)))
            if time.end is not None and time.end != time.start:
                self.add((node, KG.endDate, Literal(time.end.isoformat(), datatype=XSD.date)))

    def _relations(self) -> None:
        for rel in self.x.relations:
            subject = self.entity(rel.subject)
            if rel.position is not None:
                obj = self.minter.position(rel.position.organization, rel.position.label)
                self.add((obj, RDF.type, KG.Position))
                self.add((obj, RDFS.label, Literal(rel.position.label)))
                self.add((obj, ORG.postIn, self.entity(rel.position.organization)))
            elif rel.object is not None:
                obj = self.entity(rel.object)
            else:
                continue
            predicate = getattr(KG, rel.predicate)
            self.add((subject, predicate, obj))
            digest = hashlib.sha1(f"{subject} {predicate} {obj}".encode()).hexdigest()[:8]
            node = URIRef(f"{self.minter.part(self.aid, 'relation', rel.evidence.start, rel.evidence.end)}-{digest}")
            self.add((node, RDF.type, RDF.Statement))
            self.add((node, RDF.subject, subject))
            self.add((node, RDF.predicate, predicate))
            self.add((node, RDF.object, obj))
            self._provenance(node, rel.evidence, rel.confidence)



def _decimal(value: float) -> str:
    """The canonical xsd:decimal form with at most two decimals ("0.7", "1.0"), as stores print it."""
    text = f"{value:.2f}".rstrip("0")
    return text + "0" if text.endswith(".") else text


def link_triples(entity: str, link: Link) -> list[tuple[ox.NamedNode, ox.NamedNode, ox.NamedNode | ox.Literal]]:
    """The triples stating a Wikidata link: ``owl:sameAs``, its confidence and source, and coordinates."""
    node = ox.NamedNode(entity)
    triples: list[tuple[ox.NamedNode, ox.NamedNode, ox.NamedNode | ox.Literal]] = [
        (node, ox.NamedNode(str(OWL.sameAs)), ox.NamedNode(str(WD[link.qid]))),
        (node, ox.NamedNode(str(KG.linkConfidence)), ox.Literal(_decimal(link.confidence),
                                                                datatype=ox.NamedNode(str(XSD.decimal)))),
        (node, ox.NamedNode(str(KG.linkSource)), ox.Literal(link.source)),
    ]
    if link.coordinates is not None:
        geometry = ox.NamedNode(f"{entity}/geometry")
        lon, lat = link.coordinates
        triples += [(node, ox.NamedNode(str(GEO.hasGeometry)), geometry),
                    (geometry, ox.NamedNode(str(GEO.asWKT)),
                     ox.Literal(f"POINT({lon:.6g} {lat:.6g})", datatype=ox.NamedNode(str(GEO.wktLiteral))))]
    return triples


def _rdflib(term: ox.NamedNode | ox.Literal) -> URIRef | Literal:
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    datatype = term.datatype.value if term.datatype else None
    if datatype is None or datatype == str(XSD.string):
        return Literal(term.value)
    return Literal(term.value, datatype=URIRef(datatype))
