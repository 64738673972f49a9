"""The static cost of an operation: how many objects it may return, counted before it runs.

Depth, alias and token limits bound a document's shape, not its work: 30 aliases of 100 threads
with 100 messages each are a short document asking for 300,000 messages. The cost counts the objects
an operation may return, from the list sizes it asks for:

- a field whose type is an object costs 1, plus the cost of its selections;
- a list of objects costs its size times that;
- a scalar, an enum or `__typename` costs nothing;
- a list's size is the `first` of the connection it belongs to (`nodes`, `edges`: 20 when not given,
  at most 100, the largest page), the number of representations for `_entities`, and
  UNPAGED_LIST_SIZE for a list without paging (health contacts, attachments, representations);
- fragments count as their selections, whatever their type condition, and `@skip`/`@include` are
  not looked at: the cost is an upper bound.

So the README's inbox page at 20 threads costs 155, the 60-thread inbox of the execution-cost issue
(100 messages each) 6,183, and the largest page of threads with the largest page of messages each
10,202; 30 aliases of that, 306,060.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    get_operation_ast,
    is_leaf_type,
)
from graphql.type.definition import GraphQLOutputType

from gateway.resolvers.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE

# The size counted for a list without paging: a person has a handful of health contacts, a message a
# few attachments, a viewer a few representations.
UNPAGED_LIST_SIZE = 10


class _Walk:
    def __init__(self, schema: GraphQLSchema, document: DocumentNode, variables: Mapping[str, Any]) -> None:
        self.schema = schema
        self.variables = variables
        self.fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
        self.read_variables = False

    def selections(self, selection_set: SelectionSetNode | None, parent: Any, page: int | None = None) -> int:
        """The cost of the selections on `parent`; `page`: the page size of the connection `parent` is."""
        if selection_set is None:
            return 0
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += self.field(selection, parent, page)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                on = self.schema.get_type(condition.name.value) if condition else parent
                total += self.selections(selection.selection_set, on, page)
            elif isinstance(selection, FragmentSpreadNode):
                fragment = self.fragments.get(selection.name.value)
                if fragment is not None:
                    on = self.schema.get_type(fragment.type_condition.name.value)
                    total += self.selections(fragment.selection_set, on, page)
        return total

    def field(self, node: FieldNode, parent: Any, page: int | None) -> int:
        fields = getattr(parent, "fields", None) or {}
        definition = fields.get(node.name.value)
        if definition is None:  # __typename
            return 0
        named = get_named_type(definition.type)
        if is_leaf_type(named):
            return 0
        own_page = self.page_size(node) if "first" in definition.args else None
        each = 1 + self.selections(node.selection_set, named, own_page)
        if not _is_list(definition.type):
            return each
        if page is not None and node.name.value in ("nodes", "edges"):
            return page * each
        return self.list_size(node) * each

    def page_size(self, node: FieldNode) -> int:
        first = self.argument(node, "first")
        size = first if isinstance(first, int) and not isinstance(first, bool) else DEFAULT_PAGE_SIZE
        # A size outside 1..100 is refused by the field itself, with its own message.
        return max(0, min(size, MAX_PAGE_SIZE))

    def list_size(self, node: FieldNode) -> int:
        if node.name.value == "_entities":
            representations = self.argument(node, "representations")
            return len(representations) if isinstance(representations, list) else UNPAGED_LIST_SIZE
        return UNPAGED_LIST_SIZE

    def argument(self, node: FieldNode, name: str) -> Any:
        for argument in node.arguments or ():
            if argument.name.value != name:
                continue
            value = argument.value
            if isinstance(value, IntValueNode):
                return int(value.value)
            if isinstance(value, ListValueNode):
                return list(value.values)
            if isinstance(value, VariableNode):
                self.read_variables = True
                return self.variables.get(value.name.value)
            return None
        return None


def _is_list(graphql_type: GraphQLOutputType) -> bool:
    if isinstance(graphql_type, GraphQLNonNull):
        graphql_type = graphql_type.of_type
    return isinstance(graphql_type, GraphQLList)


def operation_cost(
    schema: GraphQLSchema, document: DocumentNode, operation_name: str | None, variables: Mapping[str, Any] | None
) -> tuple[int, bool]:
    """The cost of the operation `operation_name` of a valid document, and whether it depends on the
    variables (else it is the same for every request of this document)."""
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return 0, False
    defaults = {
        definition.variable.name.value: int(definition.default_value.value)
        for definition in operation.variable_definitions or ()
        if isinstance(definition.default_value, IntValueNode)
    }
    walk = _Walk(schema, document, {**defaults, **(variables or {})})
    root: GraphQLObjectType | None = schema.get_root_type(operation.operation)
    return walk.selections(operation.selection_set, root), walk.read_variables
