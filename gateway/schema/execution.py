"""How fields execute: the plain ones straight through graphql-core, without Strawberry's per-field wrapper.

Strawberry wraps every field's resolver (an `Info` object, argument conversion, the extension chain,
an awaitable check) so that any field may take arguments, `info` or extensions. Most fields of
this schema take none: they read an attribute of the object or compute from it (a name, an id, a
date). For those the wrapper is nearly all the cost of the field. `resolve_plain_fields` gives such
fields a direct graphql-core resolver once the schema is built: the same function, called with the
same object, so what a field returns does not change; every field with arguments, `info`, an
extension (the policy gates and masks) or an async resolver keeps Strawberry's path.
`serialize_enums_by_lookup` does the like for enum values.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from typing import Any

from graphql import GraphQLObjectType, GraphQLSchema
from strawberry.schema.schema_converter import CustomGraphQLEnumType, GraphQLCoreConverter
from strawberry.types.field import StrawberryField

Resolve = Callable[..., Any]


def _attribute(name: str) -> Resolve:
    def resolve(source: Any, info: Any) -> Any:
        return getattr(source, name)

    return resolve


def _method(function: Callable[[Any], Any]) -> Resolve:
    def resolve(source: Any, info: Any) -> Any:
        return function(source)

    return resolve


def plain_resolver(field: StrawberryField) -> Resolve | None:
    """A direct resolver for `field`, or None when it needs Strawberry's path."""
    if field.extensions or field.arguments or field.is_subscription:
        return None
    resolver = field.base_resolver
    if resolver is None:
        return _attribute(field.python_name)
    if resolver.is_async or resolver.self_parameter is None:
        return None
    if {p for p in resolver.reserved_parameters.values() if p is not None} != {resolver.self_parameter}:
        return None  # it asks for info, root or parent
    return _method(resolver._unbound_wrapped_func)


def _enum_output(enum_type: CustomGraphQLEnumType) -> Callable[[Any], Any]:
    # Strawberry finds a member's GraphQL name by scanning the values and reading `.value` of each
    # (a descriptor) for every value it serializes; one dict lookup gives the same name.
    names: dict[Enum, str] = {enum_type.wrapped_cls(value.value): name for name, value in enum_type.values.items()}
    fallback = enum_type.coerce_output_value

    def coerce_output_value(output_value: Any) -> Any:
        name = names.get(output_value) if isinstance(output_value, Enum) else None
        return name if name is not None else fallback(output_value)

    return coerce_output_value


def serialize_enums_by_lookup(schema: GraphQLSchema) -> None:
    for graphql_type in schema.type_map.values():
        if isinstance(graphql_type, CustomGraphQLEnumType):
            coerce = _enum_output(graphql_type)
            # On the instance: this schema's enum types only.
            for method in ("serialize", "coerce_output_value"):
                setattr(graphql_type, method, coerce)


def resolve_plain_fields(schema: GraphQLSchema) -> int:
    """Give every plain field of `schema` its direct resolver; the number of fields changed."""
    changed = 0
    for graphql_type in schema.type_map.values():
        if not isinstance(graphql_type, GraphQLObjectType) or graphql_type.name.startswith("_"):
            continue
        for graphql_field in graphql_type.fields.values():
            definition = (graphql_field.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
            if not isinstance(definition, StrawberryField):
                continue
            direct = plain_resolver(definition)
            if direct is not None:
                graphql_field.resolve = direct
                changed += 1
    return changed
