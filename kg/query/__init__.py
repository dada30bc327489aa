"""Saved SPARQL queries: parse, bind, run, format (no spaCy here)."""
