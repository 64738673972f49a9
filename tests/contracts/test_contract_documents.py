"""Each contract document is valid OpenAPI 3.1, every example in it is valid for the schema it
illustrates, and what the fullmakt contract assumes says so."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from openapi_schema_validator import OAS31Validator, oas31_format_checker
from openapi_spec_validator import OpenAPIV31SpecValidator, validate
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from tests.contracts.documents import DOCUMENTS, document

BASE = "urn:contract"


def _nodes(node: Any, pointer: str = "") -> Iterator[tuple[str, Any]]:
    """Every object and list of the document with its JSON pointer, examples' contents left out (they
    are data, not description)."""
    yield pointer, node
    children = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, child in children:
        if key not in ("examples", "example", "value"):
            yield from _nodes(child, f"{pointer}/{str(key).replace('~', '~0').replace('/', '~1')}")


def _resolved(root: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        for key in node["$ref"].removeprefix("#/").split("/"):
            root = root[key.replace("~1", "/").replace("~0", "~")]
        node = root
    return node


def _examples(root: dict[str, Any]) -> Iterator[tuple[str, str, Any]]:
    """(where, the pointer of the schema it illustrates, the example) for every example: a schema's own
    `examples` list, and the named examples of parameters, headers and media types."""
    for pointer, node in _nodes(root):
        if not isinstance(node, dict):
            continue
        if isinstance(node.get("examples"), list):
            for i, value in enumerate(node["examples"]):
                yield f"{pointer}/examples/{i}", pointer, value
        elif isinstance(node.get("examples"), dict) and "schema" in node:
            for name, example in node["examples"].items():
                yield f"{pointer}/examples/{name}", f"{pointer}/schema", _resolved(root, example)["value"]


@pytest.mark.parametrize("source", DOCUMENTS)
def test_the_document_is_valid_openapi_3_1(source: str) -> None:
    assert document(source)["openapi"] == "3.1.0"
    validate(document(source), cls=OpenAPIV31SpecValidator)


@pytest.mark.parametrize("source", DOCUMENTS)
def test_every_example_is_valid_for_its_schema(source: str) -> None:
    root = document(source)
    registry: Registry[Any] = Registry().with_resource(BASE, Resource.from_contents(root, DRAFT202012))
    examples = list(_examples(root))
    assert examples, "a contract shows what it means by examples"
    invalid = [
        f"{where}: {error.json_path}: {error.message}"
        for where, schema, value in examples
        for error in OAS31Validator(
            {"$ref": f"{BASE}#{schema}"}, registry=registry, format_checker=oas31_format_checker
        ).iter_errors(value)
    ]
    assert not invalid, "\n".join(invalid)


def test_every_assumption_of_the_fullmakt_contract_says_so() -> None:
    assumed = [(pointer, node) for pointer, node in _nodes(document("consent")) if isinstance(node, dict)]
    assumed = [(pointer, node) for pointer, node in assumed if node.get("x-assumed") is True]
    assert len(assumed) >= 8  # the fields, the expired entries and the error bodies the public pages leave open
    unsaid = [pointer for pointer, node in assumed if "Assumed, not public" not in node.get("description", "")]
    assert not unsaid, f"marked x-assumed without a description that says so: {unsaid}"
