"""No log line carries a fødselsnummer, a D-number, a token or a message body.

`python -m gateway serve` runs as an operator starts it (demo tokens, the test's sandbox), its whole
output kept. Requests of every kind the e2e suite makes go through it, by GET and by POST: ids in the
query string, the variables, the document and the token request; a message sent and a reply; denials,
bad ids, a bad token, a GraphQL error quoting a variable, an upstream that fails, a WebSocket
subscription, an X-Request-ID that is a fødselsnummer. Then every line is read: each is one JSON
object, the access lines have their fields and no query string, and no line holds an id of the
seed's, a token, or a body that was sent.
"""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path
from typing import Any

import aiohttp
import orjson
import pytest

from sandbox import Sandbox
from sandbox.seed import JONAS, KARI, OLA, PERSONS, SOFIE
from tests.support import (
    ELEVEN_DIGITS,
    gateway_process,
    next_ws_message,
    process_environment,
    stop_process,
    wait_until_ready,
)

JWT = re.compile(r"eyJ[\w-]*\.[\w-]*\.")

PERSON = "query Person($id: ID!) { person(id: $id) { name { full } threads(first: 2) { nodes { subject } } } }"
SEND = """mutation Send($input: SendMessageInput!) {
  sendMessage(input: $input) { thread { id } userErrors { code } } }"""
REPLY = """mutation Reply($input: ReplyToThreadInput!) {
  replyToThread(input: $input) { message { id } userErrors { code } } }"""


@pytest.fixture
async def served(sandbox: Sandbox, unused_tcp_port: int, tmp_path: Path) -> Any:
    env = process_environment(sandbox, unused_tcp_port, GATEWAY_DEMO="true")
    log = tmp_path / "gateway.log"
    url = f"http://127.0.0.1:{unused_tcp_port}"
    async with gateway_process(env, log) as process:
        await wait_until_ready(url, process, log, "the gateway")
        yield url, log, process


async def test_no_log_line_names_a_person_or_carries_a_token_or_a_body(served: Any, sandbox: Sandbox) -> None:
    url, log, process = served
    bodies = [f"Hemmelig innhold {uuid.uuid4().hex}" for _ in range(2)]
    tokens: list[str] = []
    async with aiohttp.ClientSession() as http:

        async def token(pid: str) -> str:
            async with http.post(f"{url}/demo/token", json={"pid": pid}) as resp:
                tokens.append((await resp.json())["access_token"])
                return tokens[-1]

        async def post(body: dict[str, Any], bearer: str | None, **headers: str) -> dict[str, Any]:
            if bearer:
                headers["Authorization"] = f"Bearer {bearer}"
            async with http.post(f"{url}/graphql", json=body, headers=headers) as resp:
                return await resp.json(content_type=None)

        kari = await token(KARI)
        # By GET: the document and its variables in the query string, as uvicorn's access log printed them.
        for params in (
            {"query": PERSON, "variables": json.dumps({"id": KARI})},
            {"query": f'{{ person(id: "{JONAS}") {{ name {{ full }} }} }}'},
            {"query": PERSON, "variables": json.dumps({"id": "1284851005x"})},  # a bad id, quoted in the error
        ):
            async with http.get(f"{url}/graphql", params=params, headers={"Authorization": f"Bearer {kari}"}) as resp:
                assert resp.status in (200, 400), await resp.text()
        # By POST: reads, denials (Sofie: CHILD_AGE), writes with bodies, a request id that names a person.
        assert (await post({"query": PERSON, "variables": {"id": OLA}}, kari))["data"]["person"]
        assert (await post({"query": PERSON, "variables": {"id": SOFIE}}, kari))["errors"]
        sent = await post(
            {
                "query": SEND,
                "variables": {
                    "input": {
                        "personId": KARI,
                        "contactId": "ct-kari-gp",
                        "subject": "Spørsmål",
                        "body": bodies[0],
                        "idempotencyKey": str(uuid.uuid4()),
                    }
                },
            },
            kari,
            **{"X-Request-ID": KARI},
        )
        thread = sent["data"]["sendMessage"]["thread"]["id"]
        reply = {"personId": KARI, "threadId": thread, "body": bodies[1], "idempotencyKey": str(uuid.uuid4())}
        assert (await post({"query": REPLY, "variables": {"input": reply}}, kari))["data"]["replyToThread"]["message"]
        # A token the gateway does not accept, and an upstream that fails.
        assert (await post({"query": "{ viewer { id } }"}, kari[:-4] + "AAAA"))["errors"]
        sandbox.control("inbox").fail_status = 503
        assert (await post({"query": PERSON, "variables": {"id": OLA}}, kari))["errors"]
        sandbox.control("inbox").fail_status = None
        # A subscription over WebSocket, the token in connection_init.
        async with http.ws_connect(url.replace("http", "ws") + "/graphql", protocols=("graphql-transport-ws",)) as ws:
            await ws.send_json({"type": "connection_init", "payload": {"Authorization": f"Bearer {kari}"}})
            assert (await next_ws_message(ws))["type"] == "connection_ack"
            live = f'subscription {{ inboxEvents(personId: "{KARI}") {{ kind }} }}'
            await ws.send_json({"id": "1", "type": "subscribe", "payload": {"query": live}})
            await ws.send_json({"id": "1", "type": "complete"})

    await stop_process(process)  # its last lines written
    lines = [line for line in log.read_text().splitlines() if line.strip()]
    text = "\n".join(lines)
    access, loggers = [], set()
    for line in lines:
        if line.startswith("Serving GraphQL on"):
            continue  # the command's one line to a person, on stdout
        entry = orjson.loads(line)  # every log line is one JSON object
        loggers.add(entry["logger"])
        if entry["logger"] == "gateway.access":
            access.append(entry)
        # No 11-digit run anywhere but in the ids the gateway made (hex, where one can occur by chance).
        for field, value in entry.items():
            if field not in ("request_id", "trace_id"):
                assert not ELEVEN_DIGITS.search(str(value)), (field, line)
    for person in PERSONS:
        assert person.id not in text, f"a fødselsnummer in the log:\n{text}"
    for secret in (*tokens, *bodies):
        assert secret not in text
    assert not JWT.search(text)
    # The access lines: one per request, the path without its query string, and their fields.
    gets = [e for e in access if e["method"] == "GET" and e["path"] == "/graphql"]
    assert len(gets) == 3 and all("?" not in e["path"] for e in access), access
    assert {"Person", "Send", "Reply"} <= {e.get("operation") for e in access}, access
    assert all({"status", "duration_ms", "request_id"} <= set(e) for e in access), access
    assert [e["request_id"] for e in access if e.get("operation") == "Send"] != [KARI]
    assert any(e["method"] == "WS" for e in access), access
    assert "gateway.core.errors" in loggers  # the failing upstream was logged, as a warning without ids
