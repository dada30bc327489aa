"""Parse a stream of articles with ``nlp.pipe``, in order, so that a failure costs only the article at fault.

spaCy hands a failing Doc to the component's error handler, or a whole batch when a batch component
fails, and some components (the parser and NER) can hold no handler, so their failure ends the pipe.
:func:`parse_articles` lets every component skip what it fails on, notes which articles went in and
which came out (``doc._.kg_article``), and runs an article lost with others again on its own: alone,
it either goes through or shows its own error, which is reported.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from typing import Any

from spacy.language import Language
from spacy.pipeline import Pipe
from spacy.tokens import Doc

from kg.model import Article
from kg.nlp.components import KgComponent

log = logging.getLogger(__name__)

OnFailure = Callable[[Article, Exception], None]


def parse_articles(articles: Iterable[Article], nlp: Language, *, on_failure: OnFailure, batch_size: int = 16,
                   n_process: int = 1,
                   prepare: Callable[[Doc, Article], None] | None = None) -> Iterator[tuple[Article, Doc]]:
    """Each article with its parse, in input order; an article on which a component fails is passed to
    ``on_failure`` instead, also with ``n_process > 1``. ``prepare(doc, article)`` is called on each Doc
    before it is piped (to set what a component needs to know of its article).

    Raises:
        Exception: whatever ``articles`` raises while it is read, or ``on_failure`` raises.

    >>> from kg.nlp.load import load_pipeline
    >>> nlp = load_pipeline()
    >>> [(a.id, len(doc)) for a, doc in parse_articles([Article(id="a1", text="ISIS attacked Kirkuk.")], nlp,
    ...                                                  on_failure=print)]
    [('a1', 4)]
    """
    in_flight: deque[tuple[int, Article, Doc]] = deque()

    def docs() -> Iterator[Doc]:
        try:
            for index, article in enumerate(articles):
                doc = _doc_of(nlp, article, index, prepare)
                in_flight.append((index, article, doc))
                yield doc
        except Exception as error:
            raise _StreamError(error) from error

    def lost(index: int, article: Article, doc: Doc) -> Iterator[tuple[Article, Doc]]:
        error: Exception | None = doc._.kg_error
        if error is None:  # lost with others: alone, it either goes through or shows its own error
            alone = _doc_of(nlp, article, index, prepare)
            try:
                done = list(nlp.pipe([alone]))
            except Exception as failure:
                done, error = [], failure
            if done:
                yield article, done[0]
                return
            error = error or alone._.kg_error or RuntimeError("the pipeline dropped it without an error")
        on_failure(article, error)

    with _skipping_failures(nlp):
        for item in _piped(nlp, docs(), batch_size=batch_size, n_process=n_process):
            if isinstance(item, Exception):
                if not in_flight:
                    raise item
                while in_flight:
                    yield from lost(*in_flight.popleft())
                continue
            while in_flight[0][0] != item._.kg_article:
                yield from lost(*in_flight.popleft())
            yield in_flight.popleft()[1], item
        while in_flight:
            yield from lost(*in_flight.popleft())


class _StreamError(Exception):
    """An exception of the article stream itself (not of a component), carried through ``nlp.pipe``."""

    def __init__(self, error: Exception) -> None:
        super().__init__(error)
        self.error = error


def _piped(nlp: Language, docs: Iterator[Doc], *, batch_size: int, n_process: int) -> Iterator[Doc | Exception]:
    """``nlp.pipe`` over ``docs``; where a component raised through it, the exception, and on with the rest."""
    while True:
        try:
            yield from nlp.pipe(docs, batch_size=batch_size, n_process=n_process)
            return
        except _StreamError as error:
            raise error.error from None
        except Exception as error:
            log.debug("the pipeline failed: %r", error)
            yield error


def _doc_of(nlp: Language, article: Article, index: int, prepare: Callable[[Doc, Article], None] | None) -> Doc:
    doc = nlp.make_doc(article.text)
    doc._.kg_article = index
    if prepare is not None:
        prepare(doc, article)
    return doc


def _skip(name: str | None, component: object, docs: list[Doc] | None, error: Exception) -> None:
    """spaCy error handler: leave out the Docs a component failed on, keeping the error on a Doc that
    failed on its own (in a failed batch, the Doc at fault is not known)."""
    if docs is not None and len(docs) == 1:
        docs[0]._.kg_error = error
    log.debug("component %s failed on %d document(s): %r", name, len(docs or ()), error)


@contextmanager
def _skipping_failures(nlp: Language) -> Iterator[None]:
    """Let every component of ``nlp`` skip the Docs it fails on while the block runs (spaCy's default,
    restored after it, is to raise).

    What ``nlp.set_error_handler`` does, but that stops at the parser, whose type has no room for a handler.
    """
    default = nlp.default_error_handler
    handlers = {name: proc.get_error_handler() for name, proc in nlp.pipeline if isinstance(proc, (Pipe, KgComponent))}
    _set_error_handlers(nlp, _skip, dict.fromkeys(handlers, _skip))
    try:
        yield
    finally:
        _set_error_handlers(nlp, default, handlers)


def _set_error_handlers(nlp: Language, default: Callable[..., Any], handlers: dict[str, Callable[..., Any]]) -> None:
    nlp.default_error_handler = default
    for name, handler in handlers.items():
        component: Any = nlp.get_pipe(name)
        with suppress(AttributeError):  # the parser and NER, as above
            component.set_error_handler(handler)
