"""gateway/request/context.py: one request's loaders, decisions and "now"; renewed afresh when asked."""

from __future__ import annotations

from gateway.request.context import GatewayContext
from sandbox import Sandbox, registry
from sandbox.seed import JONAS, KARI
from tests.request.factory import Contexts
from tests.support import TEST_NOW


def registry_calls(sandbox: Sandbox) -> int:
    return sandbox.control("registry").counts[registry.BULK_ROUTE]


async def test_a_context_has_one_now_and_its_decisions_use_its_loaders(contexts: Contexts) -> None:
    ctx = contexts.person(KARI)
    assert ctx.now == ctx.decisions.now == TEST_NOW
    assert ctx.loaders is ctx.decisions.loaders
    assert ctx.decisions.principal is ctx.principal


async def test_renew_forgets_what_was_decided_and_loaded(contexts: Contexts, sandbox: Sandbox) -> None:
    ctx = contexts.person(KARI)
    sandbox.reset()
    first = await ctx.decisions.required_subject(JONAS)
    await ctx.decisions.required_subject(JONAS)
    assert registry_calls(sandbox) == 1
    old = ctx.decisions
    ctx.renew()  # as for each event of a subscription: current data, current rights
    assert ctx.decisions is not old and ctx.loaders is ctx.decisions.loaders is not old.loaders
    again = await ctx.decisions.required_subject(JONAS)
    assert registry_calls(sandbox) == 2
    assert again is not first and again == first


async def test_fresh_decisions_leave_the_requests_own_as_they_are(contexts: Contexts) -> None:
    ctx = contexts.person(KARI)
    jonas = await ctx.decisions.required_subject(JONAS)
    fresh = ctx.fresh_decisions()
    assert fresh is not ctx.decisions and fresh.loaders is not ctx.loaders
    assert await ctx.decisions.required_subject(JONAS) is jonas


async def test_each_operation_on_a_connection_gets_a_context_of_its_own(contexts: Contexts) -> None:
    connection = contexts.person(KARI)
    operation = connection.for_operation()
    assert isinstance(operation, GatewayContext) and operation is not connection
    assert (operation.principal, operation.sources, operation.audit_log, operation.events) == (
        connection.principal,
        connection.sources,
        connection.audit_log,
        connection.events,
    )
    assert operation.decisions is not connection.decisions and operation.loaders is not connection.loaders
