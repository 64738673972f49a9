"""The execution engine: each operation compiled once into a plan, then run by the plan.

- `plan.py`: what a plan is, how an operation becomes one, and the plans a schema keeps;
- `executor.py`: the executor graphql-core is given, which runs plans;
- `selection.py`: `selected(info)`, what the query selects below a field, for resolvers that load by it.
"""

from gateway.engine.executor import Completers, PlanExecutor
from gateway.engine.plan_cache import Plans
from gateway.engine.selection import Selection, selected


def executor_with_plans() -> tuple[type[PlanExecutor], Plans]:
    """A schema's executor class, and the plans it makes and keeps."""
    plans = Plans(Completers())
    return PlanExecutor.using(plans), plans


__all__ = ["PlanExecutor", "Plans", "Selection", "executor_with_plans", "selected"]
