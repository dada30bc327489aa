"""Golden graphs: extraction of the test articles compared by isomorphism with reviewed output.

After an intended change, regenerate with ``python tools/update_goldens.py`` and review the diff.
"""

from __future__ import annotations

import pytest
from rdflib import Dataset
from rdflib.compare import graph_diff, isomorphic, to_isomorphic
from spacy.language import Language

from kg.extract.from_doc import extract
from kg.rdf.mapping import to_graph
from kg.read.articles import read_articles
from tests.helpers import ARTICLES, DATA, DATELINE


@pytest.mark.parametrize("name", ["operation", "policy", "statements"])
def test_extraction_matches_the_golden_graph(nlp: Language, name: str) -> None:
    golden = Dataset()
    golden.parse(DATA / "expected" / f"{name}.trig", format="trig")
    for extraction in extract(read_articles([ARTICLES / f"{name}.txt"], date=DATELINE), nlp):
        actual = to_graph(extraction)
        expected = golden.graph(actual.identifier)
        assert len(expected) > 0, f"no golden graph for {actual.identifier}"
        if not isomorphic(expected, actual):
            _, only_expected, only_actual = graph_diff(to_isomorphic(expected), to_isomorphic(actual))
            pytest.fail(f"{name}: extraction changed\nonly in golden:\n{only_expected.serialize(format='nt')}"
                        f"\nonly in new output:\n{only_actual.serialize(format='nt')}")
