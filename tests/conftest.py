"""Shared fixtures: the real spaCy pipeline (loaded once per session) and the test articles."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from spacy.language import Language

from kg.extract.from_doc import extract
from kg.model import Article, Extraction
from kg.nlp.load import load_pipeline
from kg.read.articles import read_articles

pytest_plugins = ["tests.conftest_servers"]

DATA = Path(__file__).parent / "data"
ARTICLES = DATA / "articles"
# the dateline the seed-format test articles are anchored to (they carry none of their own)
DATELINE = dt.date(2025, 3, 6)


@pytest.fixture(scope="session")
def nlp() -> Language:
    """The installed English pipeline with kg's components, loaded once."""
    return load_pipeline()


@pytest.fixture(scope="session")
def extract_file(nlp: Language):  # type: ignore[no-untyped-def]
    """Extract one test file (first article unless ``index`` says otherwise), dated DATELINE."""
    cache: dict[tuple[str, int], Extraction] = {}

    def run(name: str, index: int = 0) -> Extraction:
        key = (name, index)
        if key not in cache:
            articles = list(read_articles([ARTICLES / name], date=DATELINE))
            cache[key] = next(extract([articles[index]], nlp))
        return cache[key]

    return run


def article(text: str, *, id: str = "t1", date: dt.date | None = DATELINE) -> Article:
    """A one-off article for a focused test."""
    return Article(id=id, text=text, date=date)
