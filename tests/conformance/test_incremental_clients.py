"""Apollo Client's and urql's reading of answers in parts against the gateway, unchanged: their own fetch,
multipart/mixed and Server-Sent Events parsing and merging (tests/conformance/incremental_clients.mjs).
Needs Node.js and `npm ci`: skipped on a laptop without them, never in CI."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from sandbox import Sandbox
from sandbox.seed import KARI
from tests.support import GatewayClient, require_node_modules

CLIENTS = Path(__file__).with_name("incremental_clients.mjs")
READERS = ("apollo", "urql", "urqlMultipart")  # urql with its own Accept reads Server-Sent Events


async def _clients(gateway: GatewayClient) -> dict[str, Any]:
    node = require_node_modules()
    process = await asyncio.create_subprocess_exec(
        node,
        str(CLIENTS),
        f"{gateway.url}/graphql",
        await gateway.token(KARI),
        cwd=CLIENTS.parents[2],
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode == 0, stderr.decode()
    return json.loads(stdout)


def _without_typename(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_typename(v) for k, v in value.items() if k != "__typename"}
    if isinstance(value, list):
        return [_without_typename(v) for v in value]
    return value


async def test_apollo_client_and_urql_read_the_parts_and_merge_them_into_the_whole_answer(
    gateway: GatewayClient,
) -> None:
    got = await _clients(gateway)
    for reader in READERS:
        emitted = got[reader]["emitted"]
        # First the page without the deferred fields, more to come; then the whole page.
        assert emitted[0] == {"hasNext": True, "fields": ["name", "threads"], "errors": []}, (reader, emitted)
        assert emitted[-1]["hasNext"] is False and emitted[-1]["errors"] == [], (reader, emitted)
        assert emitted[-1]["fields"] == ["appointments", "healthContacts", "name", "threads"], (reader, emitted)
        assert got[reader]["final"] == _without_typename(got[reader]["plain"]), reader
    # urql merges streamed items into their list (Apollo Client 3 reads no @stream).
    streamed = got["urqlStream"]
    assert streamed["emitted"][0]["hasNext"] is True and streamed["emitted"][-1]["hasNext"] is False
    assert streamed["final"] == streamed["plain"]
    assert len(streamed["final"]["viewer"]["person"]["threads"]["nodes"]) == 3


async def test_a_deferred_part_whose_source_failed_reaches_both_clients_with_its_error(
    gateway: GatewayClient, sandbox: Sandbox
) -> None:
    sandbox.control("appointments").down = True
    got = await _clients(gateway)
    for reader in READERS:
        last = got[reader]["emitted"][-1]
        assert last["hasNext"] is False, reader
        assert last["errors"] == [{"path": ["viewer", "person", "appointments"], "code": "UPSTREAM_UNAVAILABLE"}], (
            reader,
            last,
        )
        person = got[reader]["final"]["viewer"]["person"]
        assert person["appointments"] is None and person["healthContacts"] and person["threads"]["nodes"], reader
