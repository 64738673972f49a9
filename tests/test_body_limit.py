"""A request body over GATEWAY_MAX_BODY_BYTES answers 413 with a JSON error, before it is read in full."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import pytest
from yarl import URL

from gateway.app import build_app
from gateway.serving import serving
from sandbox import Sandbox
from tests.support import REPLY_WITHIN_S, settings_for

LIMIT = 2048


@pytest.fixture
async def url(sandbox: Sandbox) -> AsyncIterator[URL]:
    async with serving(build_app(settings_for(sandbox, max_body_bytes=LIMIT))) as base:
        yield URL(base)


async def exchange(url: URL, head: bytes, chunks: list[bytes]) -> tuple[int, dict[str, str], bytes]:
    """Send a raw HTTP/1.1 request (head, then each chunk as it is), and read the whole answer."""
    reader, writer = await asyncio.open_connection(url.host, url.port)
    try:
        writer.write(head)
        for chunk in chunks:
            writer.write(chunk)
            await writer.drain()
        raw = await asyncio.wait_for(reader.read(), timeout=REPLY_WITHIN_S)  # the gateway closes the connection
    finally:
        writer.close()
    status_line, _, rest = raw.partition(b"\r\n")
    header_block, _, body = rest.partition(b"\r\n\r\n")
    headers = dict(line.decode().lower().split(": ", 1) for line in header_block.split(b"\r\n"))
    return int(status_line.split()[1]), headers, body


def assert_refused(status: int, headers: dict[str, str], body: bytes) -> None:
    assert status == 413
    assert headers["content-type"] == "application/json"
    [error] = json.loads(body)["errors"]
    assert error["extensions"] == {"code": "BAD_REQUEST"}
    assert str(LIMIT) in error["message"]


async def test_an_announced_body_over_the_limit_is_refused_before_it_is_sent(url: URL) -> None:
    head = (
        f"POST /graphql HTTP/1.1\r\nHost: {url.host}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {20 * 1024 * 1024}\r\n\r\n"
    ).encode()
    assert_refused(*await exchange(url, head, []))  # not one byte of the 20 MB was sent


async def test_a_chunked_body_is_refused_once_it_passes_the_limit(url: URL) -> None:
    head = (
        f"POST /graphql HTTP/1.1\r\nHost: {url.host}\r\nContent-Type: application/json\r\n"
        "Transfer-Encoding: chunked\r\n\r\n"
    ).encode()
    chunk = b"400\r\n" + b" " * 1024 + b"\r\n"  # 1 KiB each; the third passes the limit, and no end is sent
    assert_refused(*await exchange(url, head, [chunk] * 3))


async def test_a_body_within_the_limit_is_answered(url: URL) -> None:
    document = json.dumps({"query": "{ __typename }", "padding": " " * (LIMIT - 100)}).encode()
    assert len(document) <= LIMIT
    head = (
        f"POST /graphql HTTP/1.1\r\nHost: {url.host}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(document)}\r\nConnection: close\r\n\r\n"
    ).encode()
    status, _, body = await exchange(url, head, [document])
    assert (status, json.loads(body)) == (200, {"data": {"__typename": "Query"}})
