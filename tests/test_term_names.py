"""Every ontology name the code spells as a string exists in ``ontology/kg.ttl``, with the right kind.

Classes, properties and value individuals travel through the pipeline as plain strings
(``Entity.cls``, ``Relation.predicate``, ``Event.status``, the lexicon's tables) and only become IRIs in
the mapping, whose closed namespace would raise on a misspelt name at run time, for the one article
that uses it. These tests find the names in the tables and, by reading the source, at every place a
string becomes one, so a typo fails here instead.
"""

from __future__ import annotations

import ast
import dataclasses
import importlib
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import OWL, RDF, Graph, URIRef

import kg.model
from kg.nlp import lexicon
from kg.resources import ontology_path

NS = "https://w3id.org/kg-news/ns#"
KG_DIR = Path(kg.model.__file__).parent

# what a string in each place names: a class, a property or a value (an individual of a value class)
FIELD_KINDS = {"cls": "class", "label_": "class", "predicate": "property", "status": "value", "precision": "value",
               "proposed_change": "value"}
# camelCase strings in these folders are relation predicates (``"leaderOf"``) wherever they appear
PREDICATE_FOLDERS = ("extract", "nlp")
CAMEL = re.compile(r"[a-z]+(?:[A-Z][a-z]*)+")


def _names(graph: Graph, kind: URIRef) -> frozenset[str]:
    return frozenset(str(s)[len(NS):] for s in graph.subjects(RDF.type, kind) if str(s).startswith(NS))


@pytest.fixture(scope="module")
def terms() -> dict[str, frozenset[str]]:
    graph = Graph().parse(ontology_path(), format="turtle")
    return {"class": _names(graph, OWL.Class),
            "property": _names(graph, OWL.ObjectProperty) | _names(graph, OWL.DatatypeProperty),
            "value": _names(graph, OWL.NamedIndividual)}


def _missing(names: set[str], known: frozenset[str]) -> list[str]:
    return sorted(names - known)


def test_lexicon_tables_name_ontology_terms(terms: dict[str, frozenset[str]]) -> None:
    tables = {
        "KNOWN": ({cls for cls, _ in lexicon.KNOWN.values()}, "class"),
        "ORG_HEADS": (set(lexicon.ORG_HEADS.values()), "class"),
        "EVENT_TRIGGERS": (set(lexicon.EVENT_TRIGGERS.values()), "class"),
        "EVENT_MODIFIERS": (set(lexicon.EVENT_MODIFIERS.values()), "class"),
        "POLICY_TRIGGERS": (set(lexicon.POLICY_TRIGGERS.values()), "class"),
        "POLICY_CHANGES": (set(lexicon.POLICY_CHANGES.values()), "value"),
        "ROLE_PREDICATES": (set(lexicon.ROLE_PREDICATES.values()), "property"),
    }
    for table, (names, kind) in tables.items():
        assert names, table
        assert _missing(names, terms[kind]) == [], f"lexicon.{table}: not a {kind} of ontology/kg.ttl"


def test_class_groups_name_ontology_classes(terms: dict[str, frozenset[str]]) -> None:
    groups = {name: value for name, value in vars(kg.model).items() if name.endswith("_CLASSES")}
    assert "ENTITY_CLASSES" in groups
    for name, value in groups.items():
        assert _missing(set(value), terms["class"]) == [], f"kg.model.{name}: not a class of ontology/kg.ttl"


def _constants(node: ast.AST | None) -> Iterator[str]:
    """The string constants a value expression can evaluate to (``"a" if x else "b"``, ``{"a", "b"}``)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node.value
    elif isinstance(node, ast.IfExp):
        yield from _constants(node.body)
        yield from _constants(node.orelse)
    elif isinstance(node, (ast.Set, ast.Tuple, ast.List)):
        for element in node.elts:
            yield from _constants(element)


def _field(node: ast.AST) -> str | None:
    name = node.attr if isinstance(node, ast.Attribute) else node.id if isinstance(node, ast.Name) else None
    return name if name in FIELD_KINDS else None


def _callee(node: ast.Call) -> str | None:
    return node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)


def _parameters() -> dict[str, dict[int, str]]:
    """Per function (and model class) name: the positions of its parameters that take an ontology name."""
    positions: dict[str, dict[int, str]] = {}
    for cls in vars(kg.model).values():
        if dataclasses.is_dataclass(cls):
            fields = [f.name for f in dataclasses.fields(cls)]
            positions[cls.__name__] = {i: FIELD_KINDS[f] for i, f in enumerate(fields) if f in FIELD_KINDS}
    for path in KG_DIR.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                found = {i: FIELD_KINDS[a.arg] for i, a in enumerate(node.args.args) if a.arg in FIELD_KINDS}
                if found:
                    positions.setdefault(node.name, {}).update(found)
    return positions


def _module(path: Path) -> object:
    parts = path.relative_to(KG_DIR.parent).with_suffix("").parts
    return importlib.import_module(".".join(parts[:-1] if parts[-1] == "__init__" else parts))


def used_names() -> Iterator[tuple[str, str, str]]:
    """(kind, name, "file:line") for every string the source of ``kg/`` uses as an ontology name."""
    parameters = _parameters()
    for path in sorted(KG_DIR.rglob("*.py")):
        if path.name == "vocab.py":
            continue
        where = path.relative_to(KG_DIR.parent).as_posix()
        camel_is_predicate = path.relative_to(KG_DIR).parts[0] in PREDICATE_FOLDERS
        module = None
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            line = f"{where}:{getattr(node, 'lineno', 0)}"
            if isinstance(node, ast.Compare):  # ent.label_ == "Person", rel.predicate in {...}
                sides = [node.left, *node.comparators]
                for side in sides:
                    kind = FIELD_KINDS.get(_field(side) or "")
                    if kind:
                        yield from ((kind, name, line) for other in sides for name in _constants(other))
            elif isinstance(node, ast.Call):  # Relation(subject, "memberOf", ...), Event(cls="Raid", ...)
                positions = parameters.get(_callee(node) or "", {})
                for i, arg in enumerate(node.args):
                    if i in positions:
                        yield from ((positions[i], name, line) for name in _constants(arg))
                for keyword in node.keywords:
                    if keyword.arg in FIELD_KINDS:
                        yield from ((FIELD_KINDS[keyword.arg], name, line) for name in _constants(keyword.value))
            elif isinstance(node, (ast.Assign, ast.AnnAssign)):  # predicate = "opposes" if ... else ...
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    kind = FIELD_KINDS.get(_field(target) or "")
                    if kind:
                        yield from ((kind, name, line) for name in _constants(node.value))
            elif isinstance(node, ast.BinOp) and isinstance(node.op, (ast.BitOr, ast.Sub)):
                # MEMBERS | {"Person"}: a set combined with a group of classes holds classes
                for group, other in ((node.left, node.right), (node.right, node.left)):
                    if isinstance(group, ast.Name) and isinstance(other, ast.Set):
                        module = module or _module(path)
                        value = getattr(module, group.id, None)
                        if isinstance(value, (set, frozenset)) and value and value <= CLASS_NAMES:
                            yield from (("class", name, line) for name in _constants(other))
            elif isinstance(node, ast.Dict):  # entity ruler patterns: {"label": "Settlement", "pattern": ...}
                for key, value in zip(node.keys, node.values, strict=True):
                    if isinstance(key, ast.Constant) and key.value == "label":
                        yield from (("class", name, line) for name in _constants(value))
            elif camel_is_predicate and isinstance(node, ast.Constant) and isinstance(node.value, str) \
                    and CAMEL.fullmatch(node.value):
                yield "property", node.value, line


CLASS_NAMES = _names(Graph().parse(ontology_path(), format="turtle"), OWL.Class)


def test_names_in_the_source_are_ontology_terms(terms: dict[str, frozenset[str]]) -> None:
    used = list(used_names())
    wrong = [f"{where}: {name!r} is not a {kind} of ontology/kg.ttl" for kind, name, where in used
             if name not in terms[kind] and not (kind == "class" and name.isupper())]  # spaCy's labels: DATE, GPE
    assert wrong == []
    # the scan itself still finds names of every kind, in each kind of place
    assert {(kind, name) for kind, name, _ in used} >= {
        ("class", "Person"), ("class", "Settlement"), ("property", "leaderOf"), ("property", "controls"),
        ("property", "opposes"), ("value", "InForce")}
