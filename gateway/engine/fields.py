"""An object's fields, each resolved and completed as graphql-core's `execute_field` does it.

`execute_plan` runs an `ObjectPlan`'s steps on a source value, concurrently:

1. a plain leaf is read and serialized in one step; whenever that would not give graphql-core's
   answer (a null, an exception, a value its type refuses), the general path reads it again and
   answers as graphql-core does;
2. `__typename` is its constant;
3. any other step goes through `execute_step`: resolve (`resolve_step`), then complete by the step's
   `complete` (completers.py), its errors and nulls handled as null_propagation.py says;
4. if any result is awaitable, the object's results are gathered; otherwise the dict is returned at once.

A mutation's root fields run one after another (`_execute_serially`), as the spec says.
"""

from __future__ import annotations

from collections.abc import Awaitable, Iterable
from typing import Any

from graphql.execution import get_argument_values
from graphql.pyutils import Path, Undefined, gather_with_cancel

from gateway.engine.null_propagation import NullPropagation, settle_in_background
from gateway.engine.plan import FieldStep, ObjectPlan


class FieldExecution(NullPropagation):
    """The executor's layer that runs an object's fields."""

    def execute_plan(self, plan: ObjectPlan, source: Any, path: Path | None) -> Any:
        """The fields of `plan` on `source`, concurrently: a dict, or an awaitable of it. (A plan whose
        object begins @defer fragments runs through `execute_object`; completers choose when compiled.)"""
        results: dict[str, Any] = {}
        is_awaitable = self.is_awaitable
        execute_step = self.execute_step
        type_name = plan.type.name
        awaitable_fields: list[str] = []
        try:
            for step in plan.steps:
                key = step.key
                serialize = step.serialize
                if serialize is not None:
                    # A plain leaf: read and serialized in one step. Whenever that would not give
                    # graphql-core's answer (a null, an error, a value its type refuses), the general
                    # path below reads it again and answers as graphql-core does.
                    try:
                        value = step.read(source)  # type: ignore[misc]
                        if type(value) is step.unchanged:
                            results[key] = value
                            continue
                        if value is not None and not isinstance(value, Exception):
                            value = serialize(value)
                            if value is not None and value is not Undefined:
                                results[key] = value
                                continue
                    except Exception:  # the general path below reads it again and reports the error
                        pass
                elif step.typename is not None:
                    results[key] = step.typename
                    continue
                result = execute_step(step, source, Path(path, key, type_name))
                results[key] = result
                if is_awaitable(result):
                    awaitable_fields.append(key)
        except Exception:
            if awaitable_fields:
                settle_in_background([results[key] for key in awaitable_fields])
            raise
        if not awaitable_fields:
            return results

        async def get_results() -> dict[str, Any]:
            if len(awaitable_fields) == 1:
                key = awaitable_fields[0]
                results[key] = await results[key]
            else:
                awaited = await gather_with_cancel(*(results[key] for key in awaitable_fields))
                results.update(zip(awaitable_fields, awaited, strict=True))
            return results

        return get_results()

    def _execute_serially(self, plan: ObjectPlan, source: Any) -> Any:
        """The root fields of a mutation, one after the other."""
        results: dict[str, Any] = {}
        steps = iter(plan.steps)
        for step in steps:
            result = self._root_step(plan, step, source)
            if self.is_awaitable(result):
                return self._continue_serially(plan, source, results, step, result, steps)
            results[step.key] = result
        return results

    async def _continue_serially(
        self,
        plan: ObjectPlan,
        source: Any,
        results: dict[str, Any],
        step: FieldStep,
        pending: Awaitable[Any],
        steps: Iterable[FieldStep],
    ) -> dict[str, Any]:
        results[step.key] = await pending
        for step in steps:
            result = self._root_step(plan, step, source)
            results[step.key] = await result if self.is_awaitable(result) else result
        return results

    def _root_step(self, plan: ObjectPlan, step: FieldStep, source: Any) -> Any:
        if step.typename is not None:
            return step.typename
        return self.execute_step(step, source, Path(None, step.key, plan.type.name))

    def arguments(self, step: FieldStep) -> dict[str, Any]:
        known = step.arguments
        if known is not None:
            return known
        return get_argument_values(step.definition, step.nodes[0], self.variable_values, None, self.hide_suggestions)

    def info(self, step: FieldStep, path: Path) -> Any:
        return self.build_resolve_info(step.definition, step.nodes, step.parent_type, path)

    def resolve_step(self, step: FieldStep, source: Any, path: Path) -> Any:
        """The value of the step's resolver (its raw value, or an awaitable of it)."""
        if step.read is not None:
            return step.read(source)
        arguments = self.arguments(step)
        if step.call is not None:
            return step.call(source, arguments)
        return step.definition.resolve(source, self.info(step, path), **arguments)  # type: ignore[misc]

    def execute_step(self, step: FieldStep, source: Any, path: Path) -> Any:
        """graphql-core's `execute_field` for one step of a plan."""
        try:
            result = self.resolve_step(step, source, path)
            if self.is_awaitable(result):
                return self._complete_awaitable(step, path, result)
            # graphql-core's `complete_value`: an error raises, a null is null or, in a non-null
            # field, an error; any other value completes by its type.
            if isinstance(result, Exception):
                raise result
            if result is None or result is Undefined:
                if step.null_message is not None:
                    raise TypeError(step.null_message)
                return None
            completed = step.complete(self, step, path, result)
            if self.is_awaitable(completed):
                return self._await_completed(step, path, completed, step.null_message is not None)
        except Exception as raw_error:
            self.handle_step_error(raw_error, step.null_message is not None, step.nodes, path)
            return None
        return completed
