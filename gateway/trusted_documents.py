"""Trusted documents: the operations the portal's own apps were built with, and no others.

`GATEWAY_TRUSTED_DOCUMENTS` names a manifest in either of the two formats frontend tools write:

- GraphQL Code Generator's client preset (`persisted-documents.json`): `{"<hash>": "<document>", ...}`;
- Apollo's persisted query manifest: `{"format": "apollo-persisted-query-manifest", "version": 1,
  "operations": [{"id", "body", "name", "type"}, ...]}`.

Every document is parsed, validated and costed once when the gateway starts; one that does not fit
the schema stops the start, named. A request then names its document by id: `documentId` (the
GraphQL-over-HTTP persisted documents proposal) or `extensions.persistedQuery.sha256Hash`. A
document sent as text is refused (PERSISTED_QUERY_ID_REQUIRED), except in demo mode or with GraphiQL
on (`GATEWAY_GRAPHIQL`, which a production deployment turns off); an unknown id is
PERSISTED_QUERY_NOT_IN_LIST. `python -m gateway check-documents <file>` runs the start's check for a
frontend team's CI.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from graphql import GraphQLError, GraphQLSchema

from gateway.engine import Plans
from gateway.engine.plan import operations_of
from gateway.schema.cost import operation_cost
from gateway.schema.documents import DocumentCache


@dataclass(frozen=True)
class TrustedDocument:
    id: str
    body: str
    name: str | None


@dataclass(frozen=True)
class Checked:
    document: TrustedDocument
    kind: str | None  # query, mutation, subscription; None when it does not parse
    cost: int | None
    problems: tuple[str, ...]


class ManifestError(ValueError):
    pass


def load(path: Path) -> dict[str, TrustedDocument]:
    """The manifest's documents by id, from either format; ManifestError says what does not fit."""
    try:
        raw = orjson.loads(path.read_bytes())
    except OSError as exc:
        raise ManifestError(f"GATEWAY_TRUSTED_DOCUMENTS {path}: cannot read it ({exc.strerror or exc})") from None
    except orjson.JSONDecodeError as exc:
        raise ManifestError(f"GATEWAY_TRUSTED_DOCUMENTS {path}: not JSON ({exc})") from None
    if isinstance(raw, dict) and raw.get("format") == "apollo-persisted-query-manifest":
        return _apollo(path, raw)
    if isinstance(raw, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in raw.items()):
        return {key: TrustedDocument(key, body, None) for key, body in raw.items()}
    raise ManifestError(
        f"GATEWAY_TRUSTED_DOCUMENTS {path}: neither a GraphQL Code Generator persisted-documents.json "
        "(id -> document) nor an Apollo persisted query manifest"
    )


def _apollo(path: Path, raw: Mapping[str, Any]) -> dict[str, TrustedDocument]:
    if raw.get("version") != 1 or not isinstance(raw.get("operations"), list):
        raise ManifestError(f"GATEWAY_TRUSTED_DOCUMENTS {path}: an Apollo manifest needs version 1 and operations")
    found = {}
    for n, operation in enumerate(raw["operations"]):
        if not (isinstance(operation, dict) and isinstance(operation.get("id"), str)):
            raise ManifestError(f"GATEWAY_TRUSTED_DOCUMENTS {path}: operation {n} has no id")
        if not isinstance(operation.get("body"), str):
            raise ManifestError(f"GATEWAY_TRUSTED_DOCUMENTS {path}: operation {operation['id']} has no body")
        name = operation.get("name")
        found[operation["id"]] = TrustedDocument(
            operation["id"], operation["body"], name if isinstance(name, str) else None
        )
    return found


def check(documents: Mapping[str, TrustedDocument], cache: DocumentCache, schema: GraphQLSchema) -> list[Checked]:
    """Parse, validate and cost every document (its default page sizes where a variable sets one)."""
    results = []
    for document in documents.values():
        try:
            parsed = cache.parse(document.body)
        except GraphQLError as exc:
            results.append(Checked(document, None, None, (exc.message,)))
            continue
        operations = operations_of(parsed)
        kind = operations[0].operation.value if len(operations) == 1 else None
        problems = [e.message for e in cache.validate(schema, document.body, parsed)]
        cost = None
        if not problems:
            if len(operations) != 1:
                problems.append("a trusted document holds exactly one operation")
            else:
                cost, _ = operation_cost(schema, parsed, None, None)
                if cache.max_cost is not None and cost > cache.max_cost:
                    problems.append(f"costs {cost}, over the limit of {cache.max_cost}")
        results.append(Checked(document, kind, cost, tuple(problems)))
    return results


def loaded(path: Path, cache: DocumentCache, schema: GraphQLSchema, plans: Plans) -> dict[str, TrustedDocument]:
    """The manifest, each document parsed and validated into `cache` and compiled into `plans`;
    ManifestError (a ValueError) names every document that cannot be trusted."""
    documents = load(path)
    problems = refusals(check(documents, cache, schema))
    if problems:
        raise ManifestError("\n".join(f"GATEWAY_TRUSTED_DOCUMENTS {path}: {line}" for line in problems.splitlines()))
    for document in documents.values():
        plans.prepare(schema, cache.parse(document.body))
    return documents


def find(documents: Mapping[str, TrustedDocument], document_id: str) -> TrustedDocument | None:
    """By id as the manifest writes it; a bare SHA-256 also finds a `sha256:`-prefixed id."""
    return documents.get(document_id) or documents.get(f"sha256:{document_id}")


def refusals(checked: list[Checked]) -> str | None:
    """One line per document that cannot be trusted, or None."""
    lines = [
        f"trusted document {c.document.id}{f' ({c.document.name})' if c.document.name else ''}: {'; '.join(c.problems)}"
        for c in checked
        if c.problems
    ]
    return "\n".join(lines) or None
