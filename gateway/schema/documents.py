"""Documents: each distinct query text parsed and validated once, within the request limits.

Clients send the same few documents again and again. Strawberry's ParserCache and ValidationCache
do this as two extensions, beside two more for the limits (MaxTokensLimiter, AddValidationRules), and
ValidationCache keys its cache by the parsed document, which hashes the whole syntax tree on every
request. Here one extension keys both by the query text, whose hash Python keeps: four extensions'
hooks fewer on every request, and no tree walked to find a cached answer.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from graphql import (
    ASTValidationRule,
    DocumentNode,
    GraphQLError,
    GraphQLSchema,
    IntValueNode,
    Visitor,
    parse,
    specified_rules,
    visit,
)
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

from gateway.schema.cost import operation_cost


class DocumentCache:
    """Query text -> its document and, once validated, its errors; for one schema and one set of limits.

    Bounded (least recently used first out), so that many distinct documents cost memory once each
    at most. A document that does not parse is not kept: it fails again, within the token limit.
    Neither is one with an integer literal too long for any Int."""

    def __init__(
        self,
        rules: Sequence[type[ASTValidationRule]],
        *,
        max_tokens: int,
        max_cost: int | None = None,
        maxsize: int = 256,
    ) -> None:
        # graphql-core's rules, and the limits'; Strawberry's own are added by `validate_document`.
        self.rules = (*specified_rules, *rules)
        self.max_tokens = max_tokens
        self.max_cost = max_cost
        self._maxsize = maxsize
        self._entries: OrderedDict[str, _Entry] = OrderedDict()

    def parse(self, query: str) -> DocumentNode:
        entry = self._entries.get(query)
        if entry is not None:
            self._entries.move_to_end(query)
            return entry.document
        document = parse(query, max_tokens=self.max_tokens)
        visit(document, _LongIntegers())
        self._entries[query] = _Entry(document)
        if len(self._entries) > self._maxsize:
            self._entries.popitem(last=False)
        return document

    def validate(self, schema: GraphQLSchema, query: str, document: DocumentNode) -> list[GraphQLError]:
        """The validation errors of `document`, parsed from `query` (none: it may run)."""
        entry = self._entries.get(query)
        if entry is None or entry.document is not document:
            # Not this cache's document for the text (it has been evicted since): validate it afresh.
            return validate_document(schema, document, self.rules)
        if entry.errors is None:
            entry.errors = validate_document(schema, document, self.rules)
        return entry.errors

    def cost_errors(
        self,
        schema: GraphQLSchema,
        query: str,
        document: DocumentNode,
        operation_name: str | None,
        variables: Mapping[str, Any] | None,
    ) -> list[GraphQLError]:
        """An error when the operation (of a valid document) costs more than `max_cost` (schema/cost.py)."""
        if self.max_cost is None:
            return []
        entry = self._entries.get(query)
        known = entry.costs.get(operation_name) if entry is not None and entry.document is document else None
        if known is None:
            cost, by_variables = operation_cost(schema, document, operation_name, variables)
            if not by_variables and entry is not None and entry.document is document:
                entry.costs[operation_name] = cost
        else:
            cost = known
        if cost <= self.max_cost:
            return []
        message = f"The query costs {cost}, over the limit of {self.max_cost}: ask for smaller pages or fewer aliases."
        return [
            GraphQLError(
                message, extensions={"code": "GRAPHQL_VALIDATION_FAILED", "cost": cost, "limit": self.max_cost}
            )
        ]


# No GraphQL integer needs more digits; graphql-core converts an Int literal with int(), which Python
# refuses (ValueError, an internal error) past 4,300 digits.
MAX_INTEGER_DIGITS = 100


class _LongIntegers(Visitor):
    def enter_int_value(self, node: IntValueNode, *_: object) -> None:
        if len(node.value.lstrip("-")) > MAX_INTEGER_DIGITS:
            raise GraphQLError(f"An integer in the document has more than {MAX_INTEGER_DIGITS} digits.", node)


class _Entry:
    __slots__ = ("costs", "document", "errors")

    def __init__(self, document: DocumentNode) -> None:
        self.document = document
        self.errors: list[GraphQLError] | None = None
        self.costs: dict[str | None, int] = {}  # by operation name, where the variables do not change it


class CachedDocuments(SchemaExtension):
    """Parses and validates a request's document through the schema's `DocumentCache`."""

    def __init__(self, cache: DocumentCache) -> None:
        self.cache = cache

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        if context.graphql_document is None and context.query:
            context.graphql_document = self.cache.parse(context.query)
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        if context.query and context.graphql_document is not None and context.pre_execution_errors is None:
            schema = context.schema._schema
            errors = self.cache.validate(schema, context.query, context.graphql_document)
            if not errors:
                errors = self.cache.cost_errors(
                    schema, context.query, context.graphql_document, context.operation_name, context.variables
                )
            context.pre_execution_errors = errors
        yield
