"""Reading a document when a plan is made: its operations and fragments, and the fields a selection
set collects on an object type (graphql-core's CollectFields, with fragments and @skip/@include
applied); and an operation without @defer and @stream, for a client that reads no parts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLIncludeDirective,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLSkipDirective,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    is_abstract_type,
    type_from_ast,
)
from graphql.execution import VariableValues, get_directive_values
from graphql.language import REMOVE, Visitor, visit


def operations_of(document: DocumentNode) -> list[OperationDefinitionNode]:
    return [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]


def fragments_of(document: DocumentNode) -> dict[str, FragmentDefinitionNode]:
    return {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}


class FieldCollector:
    """graphql-core's field collection (the spec's CollectFields), done at plan time."""

    def __init__(
        self, schema: GraphQLSchema, fragments: Mapping[str, FragmentDefinitionNode], variables: VariableValues
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables

    def collect(
        self, runtime_type: GraphQLObjectType, selection_sets: Iterable[SelectionSetNode]
    ) -> dict[str, list[FieldNode]]:
        grouped: dict[str, list[FieldNode]] = {}
        visited: set[str] = set()  # as graphql-core: a fragment once per collection
        for selection_set in selection_sets:
            self._visit(runtime_type, selection_set, grouped, visited)
        return grouped

    def _visit(
        self,
        runtime_type: GraphQLObjectType,
        selection_set: SelectionSetNode,
        grouped: dict[str, list[FieldNode]],
        visited: set[str],
    ) -> None:
        for selection in selection_set.selections:
            if not self._included(selection):
                continue
            if isinstance(selection, FieldNode):
                key = selection.alias.value if selection.alias else selection.name.value
                grouped.setdefault(key, []).append(selection)
            elif isinstance(selection, InlineFragmentNode):
                if self._applies(selection, runtime_type):
                    self._visit(runtime_type, selection.selection_set, grouped, visited)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if fragment is None or not self._applies(fragment, runtime_type) or name in visited:
                    continue
                visited.add(name)
                self._visit(runtime_type, fragment.selection_set, grouped, visited)

    def _included(self, node: FieldNode | InlineFragmentNode | FragmentSpreadNode | Any) -> bool:
        if not node.directives:
            return True
        skip = get_directive_values(GraphQLSkipDirective, node, self.variables)
        if skip and skip.get("if") is True:
            return False
        include = get_directive_values(GraphQLIncludeDirective, node, self.variables)
        return not (include and include.get("if") is False)

    def _applies(self, fragment: InlineFragmentNode | FragmentDefinitionNode, runtime_type: GraphQLObjectType) -> bool:
        condition = fragment.type_condition
        if condition is None:
            return True
        conditional_type = type_from_ast(self.schema, condition)
        if conditional_type is runtime_type:
            return True
        return is_abstract_type(conditional_type) and self.schema.is_sub_type(conditional_type, runtime_type)


class _NoIncremental(Visitor):
    def enter_directive(self, node: Any, *_: object) -> Any:
        return REMOVE if node.name.value in ("defer", "stream") else None


def without_incremental(
    operation: OperationDefinitionNode, fragments: Mapping[str, FragmentDefinitionNode]
) -> tuple[OperationDefinitionNode, dict[str, FragmentDefinitionNode]]:
    """The operation and its fragments without @defer and @stream (their nodes keep their locations; a
    tree without them is given back as it is): what runs for a client that reads no parts."""
    remover = _NoIncremental()
    return visit(operation, remover), {name: visit(fragment, remover) for name, fragment in fragments.items()}
