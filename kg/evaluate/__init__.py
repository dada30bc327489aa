"""``kg eval``: scores against public gold (ELEVANT, re3d, UCDP), kg's own event gold, and calibration fitting."""

from __future__ import annotations

from pathlib import Path

from kg.errors import InputError


def evaluate(dataset: str, path: Path, *, model: str | None = None, wikidata_endpoint: str | None = None,
             limit: int | None = None, min_confidence: float | None = None,
             fmt: str = "table") -> tuple[str, list[str]]:
    """Score kg on ``dataset`` (``elevant``, ``events``, ``re3d`` or ``ucdp``) at ``path``: the report in
    ``fmt`` (``table`` or ``json``) and the errors it found (wrong links, mentions, relations, factuality or
    misses).

    Raises:
        KgError: the gold cannot be read, the model cannot be loaded, or ``min_confidence`` is given for
            a dataset other than re3d.
    """
    from kg.nlp.load import load_pipeline

    if min_confidence is not None and dataset != "re3d":
        raise InputError("--min-confidence is only scored for re3d - leave it out for the other datasets")
    if dataset == "re3d":
        from kg.evaluate.re3d import format_re3d, score_extractions
        from kg.evaluate.re3d_gold import read_re3d
        from kg.extract.from_doc import extract

        documents = read_re3d(path)
        nlp = load_pipeline(model)
        re3d = score_extractions(documents, extract((d.article for d in documents), nlp), min_confidence)
        return format_re3d(re3d, fmt), re3d.errors
    if dataset == "ucdp":
        from kg.evaluate.ucdp import UcdpScore, format_ucdp, kept_rows, read_ucdp, score_rows

        ucdp = UcdpScore()
        rows = kept_rows(read_ucdp(path), ucdp, limit)
        ucdp = score_rows(rows, load_pipeline(model), ucdp)
        return format_ucdp(ucdp, fmt), ucdp.errors
    if dataset == "events":
        from kg.evaluate.events import format_events, read_gold, score_events

        events = score_events(list(read_gold(path)), load_pipeline(model))
        return format_events(events, fmt), events.errors
    from kg.evaluate.elevant import format_score, score_elevant
    from kg.link.sources import default_linker

    score = score_elevant(path, load_pipeline(model), default_linker(wikidata_endpoint))
    return format_score(score, fmt), score.errors
