"""Recording what a sandbox app receives (sandbox/recording.py): only while a recording is open, the
body left for the handler to read, and a request an injected fault answers recorded too."""

from __future__ import annotations

import json
from typing import Any

from sandbox import CONTROL, inbox, registry
from sandbox.recording import recording
from sandbox.seed import KARI


async def test_requests_are_recorded_only_while_a_recording_is_open(aiohttp_client: Any) -> None:
    client = await aiohttp_client(inbox.create_app())
    await client.get("/threads", params={"owner": KARI})
    with recording() as received:
        resp = await client.post(
            "/threads/th-kari-001/messages", json={"body": "Hei"}, headers={"Idempotency-Key": "key-1"}
        )
        assert resp.status == 201  # the handler still read the body the recording read first
    await client.get("/threads", params={"owner": KARI})
    (request,) = received
    assert (request.service, request.method, request.path) == ("inbox", "POST", "/threads/th-kari-001/messages")
    assert json.loads(request.body) == {"body": "Hei"}
    assert ("Idempotency-Key", "key-1") in request.headers


async def test_a_request_an_injected_fault_answers_is_recorded_too(aiohttp_client: Any) -> None:
    app = registry.create_app()
    app[CONTROL].fail_status = 503
    client = await aiohttp_client(app)
    with recording() as received:
        resp = await client.post(
            registry.BULK_LOOKUP, params={"part": "person-basis"}, json={"foedselsEllerDNummer": [KARI]}
        )
    assert resp.status == 503
    assert [(r.service, r.path, r.query) for r in received] == [
        ("registry", registry.BULK_LOOKUP, (("part", "person-basis"),))
    ]
