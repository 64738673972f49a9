"""What a query selects below a field: the one way a resolver learns it.

A resolver that loads differently by what is asked (a thread page that loads its messages only
when they are selected) asks `selected(info)`; it never reads the syntax tree. The running plan
(gateway/engine/plan.py) answers from what it compiled, with fragments, inline fragments and
@skip/@include already applied. Outside a plan (a schema used without the engine, as in a test of
a single type) the answer is made from Strawberry's `info.selected_fields`, which ignores
@skip/@include and so can only select more, never less.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextvars import ContextVar
from typing import Any

from graphql.pyutils import Path
from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField


class Selection(Mapping[str, "Selection"]):
    """The fields selected on a field's value, by field name (aliases and fragments merged), each
    with what is selected below it. Asking for a field that is not selected gives an empty one. On a
    field of an abstract type (`_entities`) it holds every possible type's fields together, and
    `on(type_name)` gives one type's alone."""

    __slots__ = ("_by_type", "_fields")

    def __init__(
        self, fields: Mapping[str, Selection] | None = None, by_type: Mapping[str, Selection] | None = None
    ) -> None:
        self._fields: dict[str, Selection] = dict(fields or {})
        self._by_type = dict(by_type or {})

    def on(self, type_name: str) -> Selection:
        """What is selected when the value is of this object type."""
        return self._by_type.get(type_name, self)

    def __getitem__(self, name: str) -> Selection:
        return self._fields.get(name, EMPTY)

    def __contains__(self, name: object) -> bool:
        return name in self._fields

    def __iter__(self) -> Iterator[str]:
        return iter(self._fields)

    def __len__(self) -> int:
        return len(self._fields)

    def __repr__(self) -> str:
        return f"Selection({self._fields!r})"

    def nodes(self) -> Selection:
        """What a connection's items select, by `nodes` or by `edges { node }`."""
        return merged([self["nodes"], self["edges"]["node"]])


EMPTY = Selection()


def merged(selections: Iterable[Selection]) -> Selection:
    fields: dict[str, list[Selection]] = {}
    for selection in selections:
        for name in selection:
            fields.setdefault(name, []).append(selection[name])
    return Selection({name: merged(parts) for name, parts in fields.items()})


# The key of a field in a plan: the response keys of its path with their parent types, list indexes left
# out, so every item of a list asks under the same key.
PathShape = tuple[tuple[str, str | None], ...]


def path_shape(path: Path | None) -> PathShape:
    shape: list[tuple[str, str | None]] = []
    while path is not None:
        if isinstance(path.key, str):
            shape.append((path.key, path.typename))
        path = path.prev
    shape.reverse()
    return tuple(shape)


# The selections of the plan that runs in this task (set by the executor for one operation).
RUNNING: ContextVar[Mapping[PathShape, Selection] | None] = ContextVar("gateway_running_plan", default=None)


def selected(info: Any) -> Selection:
    """What the query selects below the field `info` belongs to (a Strawberry `Info`)."""
    running = RUNNING.get()
    if running is not None:
        found = running.get(path_shape(info.path))
        if found is not None:
            return found
    return _from_selected_fields(info.selected_fields)


def _from_selected_fields(fields: Iterable[Any]) -> Selection:
    collected: list[Selection] = []
    for field in fields:
        collected.append(_fields_of(field.selections))
    return merged(collected)


def _fields_of(selections: Iterable[Any]) -> Selection:
    parts: list[Selection] = []
    for selection in selections:
        if isinstance(selection, SelectedField):
            parts.append(Selection({selection.name: _fields_of(selection.selections)}))
        elif isinstance(selection, FragmentSpread | InlineFragment):
            parts.append(_fields_of(selection.selections))
    return merged(parts)
