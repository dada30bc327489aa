"""re3d gold data: reading the mongoexport JSON Lines of a re3d folder into the mentions and relations
that ``kg eval re3d`` scores (see :mod:`kg.evaluate.re3d` for which gold is kept and why)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kg.errors import InputError
from kg.model import Article

Span = tuple[int, int]

MIN_CONFIDENCE = 0.5
ENTITY_TYPES = ("Person", "Organisation", "Location")
RELATION_PREDICATES: dict[str, tuple[str, ...]] = {
    "FightingAgainst": ("opposes",),
    "AlliesOf": ("alliedWith",),
    "InChargeOf": ("leaderOf", "controls"),
    "BelongsTo": ("memberOf", "partOf"),
}
RELATION_TYPES = tuple(RELATION_PREDICATES)
SYMMETRIC = frozenset({"FightingAgainst", "AlliesOf"})
PRONOUNS = frozenset((
    "i", "me", "my", "mine", "myself", "we", "us", "our", "ours", "ourselves", "you", "your", "yours", "yourself",
    "yourselves", "he", "him", "his", "himself", "she", "her", "hers", "herself", "it", "its", "itself", "they",
    "them", "their", "theirs", "themselves", "this", "that", "these", "those", "who", "whom", "whose", "which",
    "what", "one", "ones", "someone", "somebody", "anyone", "everyone", "everybody"))
_ARTICLE = re.compile(r"^(?:the|a|an)\s+", re.IGNORECASE)


def strip_article(start: int, end: int, text: str) -> tuple[int, int, str]:
    """The span without a leading "the", "a" or "an"."""
    found = _ARTICLE.match(text)
    if found is None or found.end() >= len(text):
        return start, end, text
    return start + found.end(), end, text[found.end():]


def is_name(text: str) -> bool:
    """Whether a gold mention is a name: not a pronoun, and with a word that starts upper-case."""
    bare = _ARTICLE.sub("", text.strip())
    if bare.lower() in PRONOUNS:
        return False
    return any(word[:1].isupper() for word in bare.split())


@dataclass(frozen=True)
class GoldEntity:
    """A gold entity mention (article already stripped)."""

    start: int
    end: int
    type: str
    text: str


@dataclass(frozen=True)
class GoldRelation:
    """A gold relation between two spans."""

    type: str
    source: Span
    target: Span
    source_text: str
    target_text: str


@dataclass(frozen=True)
class Re3dDocument:
    """One re3d document with the gold that is scored and the gold that is left out."""

    article: Article
    entities: tuple[GoldEntity, ...]
    ignored: tuple[GoldEntity, ...]  # scored types left out: low confidence or not a name
    relations: tuple[GoldRelation, ...]
    source: str = ""  # the sub-folder (one per source) the document came from


def _records(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, record) of a mongoexport JSON Lines file; BOM and blank lines are skipped."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror}) - a re3d folder holds documents.json, "
                         "entities.json and relations.json") from None
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text ({exc.reason}) - expected re3d JSON Lines") from None
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip().lstrip("\ufeff")
        if not line:
            continue
        try:
            record = json.loads(line)
        except ValueError as exc:
            raise InputError(f"{path}: line {number}: not JSON ({exc}) - expected one re3d record a line") from None
        if not isinstance(record, dict):
            raise InputError(f"{path}: line {number}: not a JSON object - expected one re3d record a line")
        yield number, record


def _folders(path: Path) -> list[Path]:
    if (path / "documents.json").is_file():
        return [path]
    if not path.is_dir():
        raise InputError(f"{path}: no such folder - give the re3d folder (with sub-folders holding "
                         "documents.json, entities.json and relations.json)")
    folders = sorted(p for p in path.iterdir() if (p / "documents.json").is_file())
    if not folders:
        raise InputError(f"{path}: no re3d sub-folder with a documents.json in it - give the re3d folder")
    return folders


def read_re3d(path: Path) -> list[Re3dDocument]:
    """The documents of a re3d folder (or of one of its sub-folders), with the gold that is scored.

    Raises:
        InputError: a file is missing or a line is not a re3d record.
    """
    documents: list[Re3dDocument] = []
    for folder in _folders(path):
        documents += _read_folder(folder)
    return documents


def _read_folder(folder: Path) -> list[Re3dDocument]:
    texts: dict[str, Article] = {}
    where = folder / "documents.json"
    for number, record in _records(where):
        try:
            doc_id, text = str(record["_id"]), record["text"]
            if not isinstance(text, str):
                raise TypeError("text is not a string")
        except (KeyError, TypeError) as exc:
            raise InputError(f"{where}: line {number}: not a re3d document ({exc!r}) - expected _id and text") \
                from None
        texts[doc_id] = Article(id=doc_id, text=text, title=record.get("title"), origin=f"{where}: line {number}")
    entities: dict[str, list[GoldEntity]] = {doc_id: [] for doc_id in texts}
    ignored: dict[str, list[GoldEntity]] = {doc_id: [] for doc_id in texts}
    where = folder / "entities.json"
    for number, record in _records(where):
        try:
            doc_id, begin, end = str(record["documentId"]), int(record["begin"]), int(record["end"])
            kind, confidence = str(record["type"]), float(record.get("confidence", 1.0))
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(f"{where}: line {number}: not a re3d entity ({exc!r}) - expected documentId, begin, "
                             "end and type") from None
        if kind not in ENTITY_TYPES:
            continue
        text = _text_at(texts, doc_id, begin, end, where, number)
        start, stop, bare = strip_article(begin, end, text)
        gold = GoldEntity(start, stop, kind, bare)
        if confidence >= MIN_CONFIDENCE and is_name(text):
            if gold not in entities[doc_id]:  # a few spans are annotated twice
                entities[doc_id].append(gold)
        else:
            ignored[doc_id].append(gold)
    relations: dict[str, dict[tuple[object, ...], GoldRelation]] = {doc_id: {} for doc_id in texts}
    where = folder / "relations.json"
    for number, record in _records(where):
        try:
            doc_id, kind = str(record["documentId"]), str(record["type"])
            source = (int(record["sourceBegin"]), int(record["sourceEnd"]))
            target = (int(record["targetBegin"]), int(record["targetEnd"]))
            confidence = float(record.get("confidence", 1.0))
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(f"{where}: line {number}: not a re3d relation ({exc!r}) - expected documentId, type, "
                             "sourceBegin, sourceEnd, targetBegin and targetEnd") from None
        if kind not in RELATION_PREDICATES or confidence < MIN_CONFIDENCE:
            continue
        source_text = _text_at(texts, doc_id, *source, where, number)
        target_text = _text_at(texts, doc_id, *target, where, number)
        if not (is_name(source_text) and is_name(target_text)):
            continue
        key: tuple[object, ...] = (kind, *sorted([source, target])) if kind in SYMMETRIC else (kind, source, target)
        relations[doc_id].setdefault(key, GoldRelation(kind, source, target, source_text, target_text))
    return [Re3dDocument(article, tuple(entities[doc_id]), tuple(ignored[doc_id]),
                         tuple(relations[doc_id].values()), folder.name)
            for doc_id, article in texts.items()]


def _text_at(texts: dict[str, Article], doc_id: str, begin: int, end: int, where: Path, number: int) -> str:
    article = texts.get(doc_id)
    if article is None:
        raise InputError(f"{where}: line {number}: documentId {doc_id} is not in documents.json")
    if not 0 <= begin < end <= len(article.text):
        raise InputError(f"{where}: line {number}: span {begin}-{end} is outside document {doc_id} "
                         f"({len(article.text)} characters)")
    return article.text[begin:end]
