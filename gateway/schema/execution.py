"""Enum values serialized by one lookup instead of Strawberry's scan of the enum's values."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphql import GraphQLSchema
from strawberry.schema.schema_converter import CustomGraphQLEnumType


def _enum_output(enum_type: CustomGraphQLEnumType) -> Callable[[Any], Any]:
    # Strawberry finds a member's GraphQL name by scanning the values and reading `.value` of each
    # (a descriptor) for every value it serializes; one lookup gives the same name. By the member's
    # id: members are singletons, and an Enum hashes in Python, by its name, for every lookup.
    names: dict[int, str] = {id(enum_type.wrapped_cls(value.value)): name for name, value in enum_type.values.items()}
    fallback = enum_type.coerce_output_value

    def coerce_output_value(output_value: Any) -> Any:
        name = names.get(id(output_value))
        return name if name is not None else fallback(output_value)

    return coerce_output_value


def serialize_enums_by_lookup(schema: GraphQLSchema) -> None:
    for graphql_type in schema.type_map.values():
        if isinstance(graphql_type, CustomGraphQLEnumType):
            coerce = _enum_output(graphql_type)
            # On the instance: this schema's enum types only.
            for method in ("serialize", "coerce_output_value"):
                setattr(graphql_type, method, coerce)
