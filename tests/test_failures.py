"""A component that fails on one article costs that article only: in the library, through the CLI and
with worker processes; and kg's components declare what they assign and require."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from rdflib import Dataset, URIRef
from rdflib.namespace import RDF
from spacy.language import Language
from spacy.pipeline.tagger import Tagger
from spacy.tokens import Doc

from kg.cli import cli
from kg.extract.from_doc import extract
from kg.model import Article, Extraction
from kg.nlp.components import KgComponent

ARTICLES = Path(__file__).parent / "data" / "articles"
NEWS_ARTICLE = URIRef("https://schema.org/NewsArticle")
ARTICLE_IRI = "https://w3id.org/kg-news/id/article/"
KG_COMPONENTS = ("kg_paragraphs", "kg_gazetteer", "kg_places", "kg_toponyms", "kg_provenance", "kg_entities")
MARK = "Zzyzx"  # an article whose text holds this word makes the broken component raise


class Boom(RuntimeError):
    """The failure planted in a component."""


def texts() -> list[str]:
    return [f"ISIS attacked Kirkuk on day {i}. The Iraqi army said the raid in Mosul failed." for i in range(6)]


def articles(bad: int | None) -> list[Article]:
    return [Article(id=f"a{i}", text=text.replace("Kirkuk", MARK) if i == bad else text, origin=f"input: article {i}")
            for i, text in enumerate(texts())]


def break_component(monkeypatch: pytest.MonkeyPatch, nlp: Language, name: str) -> None:
    """Make component ``name`` of ``nlp`` (and of any pipeline loaded later) raise on an article with MARK.

    ``tagger`` fails a whole batch (spaCy hands the handler all its Docs); ``tagger without handler``
    behaves like spaCy's parser and NER, which cannot hold a handler, so the exception ends the pipe.
    """
    if name.startswith("tagger"):
        predict = Tagger.predict

        def failing_predict(self: Tagger, docs: list[Doc]) -> Any:
            if any(MARK in doc.text for doc in docs):
                raise Boom("tagger")
            return predict(self, docs)

        monkeypatch.setattr(Tagger, "predict", failing_predict)
        if name == "tagger without handler":
            def refuse(self: Tagger, handler: Callable[..., Any]) -> None:
                raise AttributeError("error_handler")

            monkeypatch.setattr(Tagger, "set_error_handler", refuse)
            monkeypatch.delattr(nlp.get_pipe("tagger"), "error_handler", raising=False)
        return
    cls = type(nlp.get_pipe(name))
    call = cls.__call__

    def failing_call(self: Any, doc: Doc) -> Doc:
        # the two entity rulers share a class: only the one named breaks
        if MARK in doc.text and getattr(self, "name", name) == name:
            raise Boom(name)
        result: Doc = call(self, doc)
        return result

    monkeypatch.setattr(cls, "__call__", failing_call)


def run_with_failures(nlp: Language, batch: list[Article], **kwargs: Any) -> tuple[list[Extraction], list[tuple[str, Exception]]]:
    failures: list[tuple[str, Exception]] = []
    done = list(extract(batch, nlp, on_failure=lambda a, e: failures.append((a.id, e)), **kwargs))
    return done, failures


@pytest.fixture(scope="module")
def clean(nlp: Language) -> dict[str, Extraction]:
    return {x.article.id: x for x in extract(articles(None), nlp, batch_size=2)}


@pytest.mark.parametrize("component", [*KG_COMPONENTS, "tagger", "tagger without handler"])
@pytest.mark.parametrize("bad", [0, 2, 5])
def test_a_failing_component_costs_only_its_article(nlp: Language, clean: dict[str, Extraction],
                                                    monkeypatch: pytest.MonkeyPatch, component: str, bad: int) -> None:
    break_component(monkeypatch, nlp, component)
    done, failures = run_with_failures(nlp, articles(bad), batch_size=2)
    assert [(article_id, type(error)) for article_id, error in failures] == [(f"a{bad}", Boom)]
    assert [x.article.id for x in done] == [f"a{i}" for i in range(6) if i != bad]
    assert all(x == clean[x.article.id] for x in done)


def test_the_handlers_are_restored_after_the_run(nlp: Language, monkeypatch: pytest.MonkeyPatch) -> None:
    before = {name: proc.get_error_handler() for name, proc in nlp.pipeline if isinstance(proc, KgComponent)}
    list(extract(articles(None)[:1], nlp))
    after = {name: proc.get_error_handler() for name, proc in nlp.pipeline if isinstance(proc, KgComponent)}
    assert after == before
    break_component(monkeypatch, nlp, "kg_toponyms")
    with pytest.raises(Boom):
        nlp(MARK)


def test_without_on_failure_the_first_failure_raises(nlp: Language, monkeypatch: pytest.MonkeyPatch) -> None:
    break_component(monkeypatch, nlp, "kg_toponyms")
    with pytest.raises(Boom):
        list(extract(articles(1), nlp))


def test_an_error_of_the_article_stream_is_not_an_article_failure(nlp: Language) -> None:
    def stream() -> Iterator[Article]:
        yield from articles(None)[:2]
        raise ValueError("the input broke")

    failures: list[str] = []
    with pytest.raises(ValueError, match="the input broke"):
        list(extract(stream(), nlp, on_failure=lambda a, e: failures.append(a.id)))
    assert failures == []


def test_with_worker_processes_a_failing_component_costs_only_its_article(
        nlp: Language, clean: dict[str, Extraction], monkeypatch: pytest.MonkeyPatch) -> None:
    break_component(monkeypatch, nlp, "kg_toponyms")
    done, failures = run_with_failures(nlp, articles(3), batch_size=2, n_process=2)
    assert [(article_id, type(error)) for article_id, error in failures] == [("a3", Boom)]
    assert [x.article.id for x in done] == ["a0", "a1", "a2", "a4", "a5"]
    assert all(x == clean[x.article.id] for x in done)


# --- through the command line ---------------------------------------------------------------------------------------


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args], prog_name="kg")


@pytest.fixture(scope="module")
def jsonl(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("failures") / "three.jsonl"
    lines = [{"id": f"c-{i}", "text": text.replace("Kirkuk", MARK) if i == 1 else text, "date": "2025-03-06"}
             for i, text in enumerate(texts()[:3])]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    return path


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_cli_writes_the_good_articles_and_names_the_bad_one(jsonl: Path, tmp_path: Path, jobs: str,
                                                            monkeypatch: pytest.MonkeyPatch, nlp: Language) -> None:
    break_component(monkeypatch, nlp, "kg_toponyms")
    out = tmp_path / "out.trig"
    result = run("extract", jsonl, "--no-link", "--jobs", jobs, "-o", out)
    assert result.exit_code == 1, result.stderr
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, result.stderr
    assert "three.jsonl" in errors[0] and "line 2" in errors[0] and "Boom" in errors[0], errors[0]
    dataset = Dataset(default_union=True)
    dataset.parse(out, format="trig")
    assert {str(s) for s in dataset.subjects(RDF.type, NEWS_ARTICLE)} == {ARTICLE_IRI + "c-0", ARTICLE_IRI + "c-2"}


def test_cli_output_with_two_jobs_is_byte_identical(tmp_path: Path) -> None:
    inputs = [ARTICLES / "articles.jsonl", ARTICLES / "two_articles.txt", ARTICLES / "operation.txt"]
    one, two = tmp_path / "one.trig", tmp_path / "two.trig"
    for out, jobs in ((one, "1"), (two, "2")):
        result = run("extract", *inputs, "--date", "2025-03-06", "--no-link", "--jobs", jobs, "-o", out)
        assert result.exit_code == 0, result.stderr
    assert one.read_bytes() == two.read_bytes()


# --- what the components declare -----------------------------------------------------------------------------------


def test_analyze_pipes_finds_no_problems(nlp: Language) -> None:
    analysis = nlp.analyze_pipes(pretty=False)
    assert analysis["problems"] == {name: [] for name in nlp.pipe_names}
    summary = analysis["summary"]
    for name in ("kg_toponyms", "kg_entities"):
        assert "doc.ents" in summary[name]["assigns"] and "doc.ents" in summary[name]["requires"]
    assert summary["kg_paragraphs"]["assigns"] == ["token.is_sent_start"]
    assert summary["kg_provenance"]["assigns"] == ["doc._.kg_sources"]
