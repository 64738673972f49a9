"""How fields execute: the plain ones straight through graphql-core, without Strawberry's per-field wrapper.

Strawberry wraps every field's resolver (an `Info` object, argument conversion, the extension chain,
an awaitable check) so that any field may take arguments, `info` or extensions. Most fields of
this schema take none: they read an attribute of the object or compute from it (a name, an id, a
date). For those the wrapper is nearly all the cost of the field. `resolve_plain_fields` gives such
fields a direct graphql-core resolver once the schema is built: the same function, called with the
same object and arguments, so what a field returns does not change. A field whose arguments are
not plain scalars, or with an extension (the policy gates and masks) or an async resolver, keeps
Strawberry's path.
`serialize_enums_by_lookup` does the like for enum values.

`GatewayExecutionContext` then completes such a field whose value is a scalar or an enum in one
step (read, serialize) instead of graphql-core's general path (a resolve info, the argument check,
the awaitable check, the completion by type): most fields of a page are such leaves. Whenever the
one step would not give exactly graphql-core's answer (a null, a value the type does not accept, an
error), the general path runs instead and answers as it always does.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from operator import attrgetter
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    Undefined,
)
from graphql.execution.collect_fields import FieldDetailsList, GroupedFieldSet
from graphql.pyutils import Path, gather_with_cancel
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import CustomGraphQLEnumType, GraphQLCoreConverter
from strawberry.types.base import StrawberryOptional
from strawberry.types.field import StrawberryField
from strawberry.types.info import Info
from strawberry.utils.str_converters import to_camel_case

Resolve = Callable[..., Any]


def _attribute(name: str) -> Resolve:
    def resolve(source: Any, info: Any) -> Any:
        return getattr(source, name)

    return resolve


def _method(function: Callable[..., Any], field: StrawberryField, wants_info: bool) -> Resolve:
    # graphql-core passes coerced argument values under their GraphQL names; the resolver takes them
    # under its own. Only scalars come here, so no value needs converting.
    names = {
        argument.graphql_name or to_camel_case(argument.python_name): argument.python_name
        for argument in field.arguments
    }

    if wants_info:

        def resolve_with_info(source: Any, info: Any, **arguments: Any) -> Any:
            given = {names[name]: value for name, value in arguments.items()}
            return function(source, info=Info(_raw_info=info, _field=field), **given)

        return resolve_with_info

    if names:

        def resolve_with_arguments(source: Any, info: Any, **arguments: Any) -> Any:
            return function(source, **{names[name]: value for name, value in arguments.items()})

        return resolve_with_arguments

    # Most fields: no arguments, no info. The fewest steps per call, as graphql-core's default resolver.
    def resolve(source: Any, info: Any) -> Any:
        return function(source)

    return resolve


# Argument types whose coerced GraphQL value is the Python value the resolver expects.
SCALAR_ARGUMENTS: frozenset[object] = frozenset({int, str, bool})


def _scalar(argument_type: object) -> bool:
    if isinstance(argument_type, StrawberryOptional):
        argument_type = argument_type.of_type
    return argument_type in SCALAR_ARGUMENTS


def plain_resolver(field: StrawberryField) -> Resolve | None:
    """A direct resolver for `field`, or None when it needs Strawberry's path."""
    if field.extensions or field.is_subscription:
        return None
    if not all(_scalar(argument.type) for argument in field.arguments):
        return None
    resolver = field.base_resolver
    if resolver is None:
        return _attribute(field.python_name)
    if resolver.is_async or resolver.self_parameter is None:
        return None
    info = resolver.info_parameter
    if {p for p in resolver.reserved_parameters.values() if p is not None} - {resolver.self_parameter, info}:
        return None  # it asks for root or parent
    if info is not None and info.name != "info":
        return None  # the direct resolver passes it by that name
    return _method(resolver._unbound_wrapped_func, field, wants_info=info is not None)


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


Leaf = tuple[Callable[[Any], Any], Callable[[Any], Any]]  # read the value from the object; serialize it
# A field of a selection set: its response name, its field group, its one-step read if it is a plain leaf.
PlannedField = tuple[str, FieldDetailsList, Leaf | None]
FieldPlan = list[PlannedField]

# The key under which a plain leaf field keeps its one-step read and serialize (GraphQLField.extensions).
LEAF = "gateway-plain-leaf"


class GatewayExecutionContext(StrawberryGraphQLCoreExecutionContext):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Per request, like graphql-core's own memo of collected subfields (whose grouped field sets
        # are the keys, kept alive beside their plan so that an id is never reused while it runs).
        self._field_plans: dict[int, tuple[GroupedFieldSet, FieldPlan]] = {}

    def _field_plan(self, parent_type: GraphQLObjectType, grouped_field_set: GroupedFieldSet) -> FieldPlan:
        cached = self._field_plans.get(id(grouped_field_set))
        if cached is not None:
            return cached[1]
        plan: list[PlannedField] = []
        for response_name, field_details_list in grouped_field_set.items():
            field_def = self.schema.get_field(parent_type, field_details_list[0].node.name.value)
            leaf = field_def.extensions.get(LEAF) if field_def is not None else None
            plan.append((response_name, field_details_list, leaf))
        self._field_plans[id(grouped_field_set)] = (grouped_field_set, plan)
        return plan

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: GroupedFieldSet,
        position_context: Any,
    ) -> Any:
        """graphql-core's `execute_fields`, with each plain leaf read and serialized in one step.

        Such a leaf gets no path, no resolve info and no completion by type: it is read from its
        object and serialized, as its resolver and its type would. Whenever that would not give
        exactly graphql-core's answer (a null, a value the type does not accept, an error), the
        field takes graphql-core's general path, which reads it again and answers as it always does.
        """
        results: dict[str, Any] = {}
        is_awaitable = self.is_awaitable
        awaitable_fields: list[str] = []
        try:
            for response_name, field_details_list, leaf in self._field_plan(parent_type, grouped_field_set):
                if leaf is not None:
                    read, serialize = leaf
                    try:
                        value = read(source_value)
                        if value is not None:
                            results[response_name] = serialize(value)
                            continue
                    except Exception:  # the general path below reads it again and reports the error
                        pass
                result = self.execute_field(
                    parent_type,
                    source_value,
                    field_details_list,
                    Path(path, response_name, parent_type.name),
                    position_context,
                )
                if result is not Undefined:
                    results[response_name] = result
                    if is_awaitable(result):
                        awaitable_fields.append(response_name)
        except Exception:
            if awaitable_fields:
                # As graphql-core: settle the awaitables other fields made, as they may also fail.
                self.settle_in_background([results[name] for name in awaitable_fields])
            raise

        if not awaitable_fields:
            return results

        async def get_results() -> dict[str, Any]:
            if len(awaitable_fields) == 1:
                name = awaitable_fields[0]
                results[name] = await results[name]
            else:
                awaited = await gather_with_cancel(*(results[name] for name in awaitable_fields))
                results.update(zip(awaitable_fields, awaited, strict=True))
            return results

        return get_results()


def _leaf(graphql_field: GraphQLField, definition: StrawberryField) -> Leaf | None:
    """The one-step read and serialize of a plain leaf field, or None."""
    leaf_type = graphql_field.type.of_type if isinstance(graphql_field.type, GraphQLNonNull) else graphql_field.type
    if not isinstance(leaf_type, GraphQLScalarType | GraphQLEnumType) or graphql_field.args:
        return None
    resolver = definition.base_resolver
    if resolver is None:
        return attrgetter(definition.python_name), leaf_type.serialize
    if resolver.info_parameter is not None:
        return None  # it may answer with an awaitable (common.later)
    return resolver._unbound_wrapped_func, leaf_type.serialize


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
                leaf = _leaf(graphql_field, definition)
                if leaf is not None:
                    graphql_field.extensions = {**(graphql_field.extensions or {}), LEAF: leaf}
    return changed
