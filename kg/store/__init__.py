"""Where graphs are loaded and queried: the embedded store or a SPARQL endpoint (no spaCy here)."""
