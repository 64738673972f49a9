"""The execution engine: each operation compiled once into a plan, then run by the plan.

Making plans:
- `plan.py`: what a plan is (`Plan`, `ObjectPlan`, `FieldStep`);
- `field_collection.py`: a document's operations and fragments, and the fields a selection set collects;
- `resolver_calls.py`: how a step calls its resolver (a plain field directly), and literal arguments;
- `compiler.py`: an operation compiled into a plan; `incremental_compiler.py`: with @defer and @stream;
- `plan_cache.py`: `Plans`, the plans a schema keeps.

Running them: `PlanExecutor` is built in layers, each a subclass of the one before:
- `null_propagation.py`: errors and null propagation;
- `fields.py`: an object's fields, resolved and completed;
- `lists.py`: a list's items;
- `defer.py`: @defer, and the sub-executors deferred work runs on;
- `stream.py`: @stream;
- `executor.py`: `PlanExecutor`, the executor graphql-core is given: which plan runs, and its answer;
- `completers.py`: how a value completes by its type, made when the plan is made.

- `selection.py`: `selected(info)`, what the query selects below a field, for resolvers that load by it.
"""

from gateway.engine.completers import Completers
from gateway.engine.executor import PlanExecutor
from gateway.engine.plan_cache import Plans
from gateway.engine.selection import Selection, selected


def executor_with_plans() -> tuple[type[PlanExecutor], Plans]:
    """A schema's executor class, and the plans it makes and keeps."""
    plans = Plans(Completers())
    return PlanExecutor.using(plans), plans


__all__ = ["PlanExecutor", "Plans", "Selection", "executor_with_plans", "selected"]
