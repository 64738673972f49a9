"""A request's data is freed when its answer has gone: nothing of it waits for the garbage collector.

A reference cycle through the request's context (its executor, its loaders) kept every record a
request loaded alive until a collection of the oldest generation, which under load comes rarely:
about 10 MB more at 64 requests in flight. Reference counting frees an acyclic request at once.
"""

from __future__ import annotations

import gc
import uuid
from collections.abc import Iterator

import pytest

import gateway.engine
from sandbox import Sandbox
from sandbox.seed import KARI, OLA
from tests.support import gateway_for

INBOX = """query($id: ID!) { person(id: $id) {
  threads(first: 20) {
    totalCount nodes { id subject counterpart { name organization } messages(first: 1) { nodes { body } } }
  }
  appointments(first: 20) { nodes { id start location { name } practitioner { name } } }
  healthContacts { name role organization }
} }"""

SEND = """mutation($input: SendMessageInput!) { sendMessage(input: $input) {
  message { id body } thread { id messages(first: 1) { nodes { id } } } userErrors { code } } }"""


def _message() -> dict[str, str]:
    return {
        "personId": KARI,
        "contactId": "ct-kari-gp",
        "subject": "Fornye resept",
        "body": "Kan jeg få fornyet resepten?",
        "idempotencyKey": str(uuid.uuid4()),
    }


# What a request makes once, and that holds (or reaches) everything it loaded.
REQUEST_TYPES = {"GatewayContext", "Loaders", "BatchLoader", "PlanExecutor", "Decisions", "Future"}


@pytest.fixture
def production_executor(monkeypatch: pytest.MonkeyPatch) -> None:
    """The gateway's own executor: the differential one of the other tests keeps each answer to compare."""
    monkeypatch.setattr("gateway.schema.executor_with_plans", gateway.engine.executor_with_plans)


@pytest.fixture
def garbage() -> Iterator[list[object]]:
    """What the garbage collector finds unreachable during the test (instead of freeing it)."""
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        yield gc.garbage
    finally:
        gc.set_debug(0)
        gc.garbage.clear()


@pytest.mark.usefixtures("production_executor")
async def test_a_request_leaves_nothing_for_the_garbage_collector(sandbox: Sandbox, garbage: list[object]) -> None:
    async with gateway_for(sandbox) as gateway:
        token = await gateway.token(KARI)
        answer = await gateway.execute(INBOX, {"id": KARI}, token=token)  # her own: judged message by message
        assert "errors" not in answer, answer
        answer = await gateway.execute(INBOX, {"id": OLA}, token=token)  # by his fullmakt: an access-log entry
        assert answer["data"]["person"]["threads"]["nodes"], answer
        answer = await gateway.execute(SEND, {"input": _message()}, token=token)  # a mutation
        assert answer["data"]["sendMessage"]["message"]["body"], answer
        sandbox.control("appointments").down = True  # a source failing: the answer carries an error
        answer = await gateway.execute(INBOX, {"id": KARI}, token=token)
        assert answer["errors"][0]["extensions"]["code"] == "UPSTREAM_UNAVAILABLE"
        assert answer["data"]["person"]["threads"]["nodes"]
        gc.collect()
        left = sorted({type(o).__name__ for o in garbage} & REQUEST_TYPES)
        assert left == [], f"a request's {left} were left in reference cycles"


@pytest.mark.usefixtures("production_executor")
async def test_an_answer_in_parts_leaves_nothing_for_the_garbage_collector(
    sandbox: Sandbox, garbage: list[object]
) -> None:
    # The deferred work's sub-executors and execution groups hold the execution until its last part.
    deferred = INBOX.replace("appointments(first: 20)", '... @defer(label: "later") { appointments(first: 20)')
    deferred = deferred.replace("  healthContacts", "  }\n  healthContacts")
    async with gateway_for(sandbox) as gateway:
        token = await gateway.token(KARI)
        parts = await gateway.parts(deferred, {"id": KARI}, token=token)
        assert len(parts) >= 2 and parts[-1]["hasNext"] is False, parts
        parts = await gateway.parts(deferred, {"id": OLA}, token=token)
        assert len(parts) >= 2 and parts[-1]["hasNext"] is False, parts
        gc.collect()
        left = sorted({type(o).__name__ for o in garbage} & (REQUEST_TYPES | {"Computation", "ExecutionGroup"}))
    assert left == [], f"an answer in parts left {left} in reference cycles"
