"""Requests uvicorn refuses before the app sees them (a request line past the parser's limit, a
header line that is not one) are answered in the GraphQL error shape, as JSON, by both of uvicorn's
HTTP protocols."""

from __future__ import annotations

import asyncio
import json

import pytest
import uvicorn
from starlette.applications import Starlette

from gateway.http_protocol import HttpProtocol, JsonRefusalsH11Protocol
from tests.support import REPLY_WITHIN_S, until

LONG_REQUEST_LINE = b"GET /graphql?query=" + b"%20" * 40_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n"
NOT_A_HEADER = b"POST /graphql HTTP/1.1\r\nHost: x\r\nthis is no header\r\n\r\n"


async def refusal(protocol: type, request: bytes) -> tuple[bytes, dict[str, str], dict]:
    server = uvicorn.Server(uvicorn.Config(Starlette(), port=0, log_level="error", http=protocol, lifespan="off"))
    task = asyncio.create_task(server.serve())
    try:
        await until(lambda: server.started)
        host, port = server.servers[0].sockets[0].getsockname()[:2]
        reader, writer = await asyncio.open_connection(host, port)
        writer.write(request)
        raw = await asyncio.wait_for(reader.read(), REPLY_WITHIN_S)
        writer.close()
    finally:
        server.should_exit = True
        await task
    head, _, body = raw.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode().split("\r\n")
    headers = dict(line.lower().split(": ", 1) for line in header_lines)
    return status_line.encode(), headers, json.loads(body)


@pytest.mark.parametrize(
    ("protocol", "request_bytes"),
    [(HttpProtocol, LONG_REQUEST_LINE), (HttpProtocol, NOT_A_HEADER), (JsonRefusalsH11Protocol, NOT_A_HEADER)],
    ids=["auto, a 120 KB request line", "auto, not a header", "h11, not a header"],
)
async def test_a_request_uvicorn_cannot_read_is_a_json_400(protocol: type, request_bytes: bytes) -> None:
    status_line, headers, body = await refusal(protocol, request_bytes)
    assert status_line.startswith(b"HTTP/1.1 400")
    assert headers["content-type"] == "application/json"
    assert [e["extensions"]["code"] for e in body["errors"]] == ["BAD_REQUEST"]
