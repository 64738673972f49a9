"""How a step calls its field's resolver, decided once when the plan is made.

- `__typename` is the parent type's name, a constant (compiler.py);
- a plain field (no field extension, no `info`, scalar arguments only, a synchronous method or an
  attribute) is called directly: `read(source)`, or `call(source, arguments)` (`direct_resolver`);
- every other field (the access-rule gates and masks, async resolvers, `info`, input objects) goes
  through the resolver Strawberry made for it (`GraphQLField.resolve`), as graphql-core would call it.

Arguments the document gives as literals are coerced once (`literal_arguments`); arguments with a
variable among them, on every execution.
"""

from __future__ import annotations

import inspect
from operator import attrgetter
from typing import Any

from graphql import FieldNode, GraphQLField, VariableNode
from graphql.execution import get_argument_values
from graphql.language import Visitor, visit
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.base import StrawberryOptional
from strawberry.types.field import StrawberryField
from strawberry.utils.str_converters import to_camel_case

from gateway.engine.plan import Call, Read

# Argument types whose coerced GraphQL value is the Python value the resolver expects.
SCALAR_ARGUMENTS: frozenset[object] = frozenset({int, str, bool})


def _scalar(argument_type: object) -> bool:
    if isinstance(argument_type, StrawberryOptional):
        argument_type = argument_type.of_type
    return argument_type in SCALAR_ARGUMENTS


def direct_resolver(definition: GraphQLField) -> tuple[Read | None, Call | None]:
    """How to call the field's resolver without Strawberry's wrapper, or (None, None) when it needs it.

    Strawberry's wrapper builds an `Info`, converts arguments and runs the field's extensions; a
    plain field needs none of it, and is called as Strawberry would call it (the same function,
    the same source, the same arguments)."""
    strawberry_field = (definition.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if not isinstance(strawberry_field, StrawberryField):
        return None, None
    if strawberry_field.extensions or strawberry_field.is_subscription:
        return None, None
    if not all(_scalar(argument.type) for argument in strawberry_field.arguments):
        return None, None
    resolver = strawberry_field.base_resolver
    if resolver is None:
        return attrgetter(strawberry_field.python_name), None
    function = resolver.wrapped_func
    if resolver.is_async or resolver.self_parameter is None or not inspect.isfunction(function):
        return None, None
    if any(p is not None for p in resolver.reserved_parameters.values() if p is not resolver.self_parameter):
        return None, None  # it asks for info, root or parent
    if not strawberry_field.arguments:
        return function, None
    # graphql-core gives coerced arguments under their GraphQL names; the resolver takes them under its own.
    names = {
        argument.graphql_name or to_camel_case(argument.python_name): argument.python_name
        for argument in strawberry_field.arguments
    }

    def call(source: Any, arguments: dict[str, Any]) -> Any:
        return function(source, **{names[name]: value for name, value in arguments.items()})

    return None, call


class _UsesVariables(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.found = False

    def enter_variable(self, node: VariableNode, *_: object) -> None:
        self.found = True


def literal_arguments(definition: GraphQLField, node: FieldNode) -> dict[str, Any] | None:
    """The field's coerced arguments if the document gives no variable among them."""
    if not node.arguments:
        return {} if not definition.args else get_argument_values(definition, node)
    finder = _UsesVariables()
    for argument in node.arguments:
        visit(argument, finder)
    if finder.found:
        return None
    return get_argument_values(definition, node)
