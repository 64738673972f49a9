"""A request body over GATEWAY_MAX_BODY_BYTES answers 413 with a JSON error, before it is read in full; then
the rest of it is read and dropped, within bounds, so that a client still sending reads that answer."""

from __future__ import annotations

import asyncio
import contextlib
import http.client
import json
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from yarl import URL

from gateway.app import build_app
from gateway.body_limit import LINGER_BYTES
from gateway.serving import serving
from sandbox import Sandbox
from tests.support import (
    REPLY_WITHIN_S,
    gateway_process,
    process_environment,
    settings_for,
    wait_until_ready,
)

LIMIT = 2048
MIB = 1024 * 1024


@pytest.fixture
async def url(sandbox: Sandbox) -> AsyncIterator[URL]:
    async with serving(build_app(settings_for(sandbox, max_body_bytes=LIMIT))) as base:
        yield URL(base)


async def exchange(url: URL, head: bytes, chunks: list[bytes]) -> tuple[int, dict[str, str], bytes]:
    """Send a raw HTTP/1.1 request (head, then each chunk as it is), and read the answer."""
    reader, writer = await asyncio.open_connection(url.host, url.port)
    try:
        writer.write(head)
        for chunk in chunks:
            writer.write(chunk)
            await writer.drain()
        return await asyncio.wait_for(read_answer(reader), timeout=REPLY_WITHIN_S)
    finally:
        writer.close()


async def read_answer(reader: asyncio.StreamReader) -> tuple[int, dict[str, str], bytes]:
    """The status, headers (lower-cased) and body of one answer, read by its Content-Length."""
    head = await reader.readuntil(b"\r\n\r\n")
    status_line, *header_lines = head[:-4].decode().split("\r\n")
    headers = dict(line.lower().split(": ", 1) for line in header_lines)
    return int(status_line.split()[1]), headers, await reader.readexactly(int(headers["content-length"]))


def assert_refused(status: int, headers: dict[str, str], body: bytes) -> None:
    assert status == 413
    assert (headers["content-type"], headers["connection"]) == ("application/json", "close")
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


async def test_a_body_that_never_ends_is_cut_off(url: URL) -> None:
    """What is dropped after the answer is bounded (LINGER_BYTES): then the gateway closes the connection, and
    the client's writes fail."""
    reader, writer = await asyncio.open_connection(url.host, url.port)
    writer.get_extra_info("socket").setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 64 * 1024)
    writer.write(
        f"POST /graphql HTTP/1.1\r\nHost: {url.host}\r\nContent-Type: application/json\r\n"
        "Transfer-Encoding: chunked\r\n\r\n".encode()
    )
    chunk = b"10000\r\n" + b" " * 0x10000 + b"\r\n"  # 64 KiB each, for ever

    async def send_until_cut_off() -> int:
        sent = 0
        with contextlib.suppress(ConnectionError):
            while True:
                writer.write(chunk)
                await writer.drain()
                sent += 0x10000
        return sent

    sending = asyncio.create_task(send_until_cut_off())
    try:
        assert_refused(*await asyncio.wait_for(read_answer(reader), timeout=REPLY_WITHIN_S))
        sent = await asyncio.wait_for(sending, timeout=REPLY_WITHIN_S)
    finally:
        sending.cancel()
        writer.close()
    # Besides what the gateway read: what the sockets' buffers held when it closed (the client's is kept small).
    assert sent < LIMIT + LINGER_BYTES + 4 * MIB, sent


async def test_a_client_that_stops_sending_is_cut_off(url: URL) -> None:
    """The gateway waits for the rest of the body for LINGER_S at most, then closes the connection."""
    reader, writer = await asyncio.open_connection(url.host, url.port)
    try:
        writer.write(
            f"POST /graphql HTTP/1.1\r\nHost: {url.host}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {4 * LIMIT}\r\n\r\n".encode()
            + b" " * (2 * LIMIT)  # half of it, and no more
        )
        assert_refused(*await asyncio.wait_for(read_answer(reader), timeout=REPLY_WITHIN_S))
        assert await asyncio.wait_for(reader.read(), timeout=REPLY_WITHIN_S) == b""  # closed by the gateway
    finally:
        writer.close()


async def test_a_body_within_the_limit_is_answered(url: URL) -> None:
    document = json.dumps({"query": "{ __typename }", "padding": " " * (LIMIT - 100)}).encode()
    assert len(document) <= LIMIT
    head = (
        f"POST /graphql HTTP/1.1\r\nHost: {url.host}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(document)}\r\nConnection: close\r\n\r\n"
    ).encode()
    status, _, body = await exchange(url, head, [document])
    assert (status, json.loads(body)) == (200, {"data": {"__typename": "Query"}})


class SmallSendBuffer(http.client.HTTPConnection):
    """http.client (what urllib sends with), its socket's send buffer kept small: over loopback the kernel's
    buffers would otherwise take in a few MB of the body at once, and a close would find none of it unread.
    On a real network those bytes are still on their way."""

    def connect(self) -> None:
        super().connect()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 64 * 1024)


def post_whole_body_then_read(url: URL, body: bytes) -> tuple[int, bytes]:
    """POST as urllib and many SDKs do: the head and the whole body sent (one sendall), only then the answer read."""
    connection = SmallSendBuffer(url.host or "", url.port, timeout=REPLY_WITHIN_S)
    try:
        connection.request("POST", "/graphql", body, {"Content-Type": "application/json"})
        resp = connection.getresponse()
        return resp.status, resp.read()
    finally:
        connection.close()


async def test_a_client_that_sends_its_whole_body_before_reading_gets_the_413(
    sandbox: Sandbox, unused_tcp_port: int, tmp_path: Path
) -> None:
    """RFC 9112 section 9.6: a server that closed with the body's rest unread would reset the connection, and
    such a client would meet "connection reset" while it sends, never reading the answer meant for it."""
    env = process_environment(sandbox, unused_tcp_port, GATEWAY_DEMO="true", GATEWAY_MAX_BODY_BYTES=str(MIB))
    url, log = URL(f"http://127.0.0.1:{unused_tcp_port}"), tmp_path / "gateway.log"
    document = json.dumps({"query": "{ __typename }", "padding": " " * (3 * MIB)}).encode()
    async with gateway_process(env, log) as process:
        await wait_until_ready(str(url), process, log, "the gateway")
        status, body = await asyncio.to_thread(post_whole_body_then_read, url, document)
    assert status == 413
    [error] = json.loads(body)["errors"]
    assert error["extensions"] == {"code": "BAD_REQUEST"} and str(MIB) in error["message"]
