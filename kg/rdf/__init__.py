"""RDF: the ontology's closed namespace, IRI minting, the pure mapping, files, SHACL shapes."""
