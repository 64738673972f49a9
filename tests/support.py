"""Helpers the tests share: a GraphQL client over real HTTP, settings for a running sandbox, and the
handling of gateway processes the tests start."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import inspect
import json
import re
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

from gateway.core.config import Settings
from gateway.policy.clock import OSLO
from sandbox import Sandbox, seed

REPOSITORY = Path(__file__).resolve().parents[1]
# A fødselsnummer or D-number as it would show in a log line or a span: 11 digits not inside a longer run.
ELEVEN_DIGITS = re.compile(r"(?<!\d)\d{11}(?!\d)")

# Tests stand on a fixed day so ages and validity do not drift with the calendar.
TEST_NOW = dt.datetime(2026, 11, 26, 12, 0, tzinfo=OSLO)


# A client that reads parts in the current proposal's format (by id): what graphql-core gives.
BY_ID = "multipart/mixed;incrementalSpec=v0.2, application/json;q=0.5"


@dataclass
class GatewayClient:
    """Talks to a running gateway the way a frontend does: HTTP POST /graphql with a bearer token."""

    url: str
    http: aiohttp.ClientSession

    async def token(self, pid: str, acr: str = "idporten-loa-high") -> str:
        async with self.http.post(f"{self.url}/demo/token", json={"pid": pid, "acr": acr}) as resp:
            assert resp.status == 200, await resp.text()
            return (await resp.json())["access_token"]

    async def service_token(self, client_id: str = "federation-test", scope: str = "person:read") -> str:
        async with self.http.post(f"{self.url}/demo/token", json={"client_id": client_id, "scope": scope}) as resp:
            assert resp.status == 200, await resp.text()
            return (await resp.json())["access_token"]

    async def execute(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        token: str | None = None,
        as_pid: str | None = None,
    ) -> dict[str, Any]:
        if as_pid is not None:
            token = await self.token(as_pid)
        # As a current frontend asks: the GraphQL-over-HTTP media type first, the legacy one as a fallback.
        headers = {"Accept": "application/graphql-response+json, application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        async with self.http.post(
            f"{self.url}/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        ) as resp:
            text = await resp.text()
            assert resp.content_type == "application/graphql-response+json", (resp.status, resp.content_type, text)
            body = json.loads(text)
            # 200 once execution started (the body has `data`, maybe null); 400 for a request error.
            assert resp.status == (200 if "data" in body else 400), (resp.status, text)
            return body

    async def parts(self, query: str | None, variables: dict[str, Any] | None = None, **options: Any) -> list[Any]:
        """The answer's parts, as a client that reads incremental delivery gets them (one: a whole answer);
        `options` as `stream_parts` takes them."""
        return [part async for part in self.stream_parts(query, variables, **options)]

    async def stream_parts(
        self,
        query: str | None,
        variables: dict[str, Any] | None = None,
        *,
        token: str | None = None,
        accept: str = BY_ID,
        body: dict[str, Any] | None = None,
    ) -> AsyncIterator[dict[str, Any]]:
        """Each part as it arrives: multipart/mixed or Server-Sent Events as the gateway chose, or one
        JSON answer. `body`: sent as it is, in place of `query` and `variables`."""
        headers = {"Accept": accept, **({"Authorization": f"Bearer {token}"} if token else {})}
        sent = body if body is not None else {"query": query, "variables": variables or {}}
        async with self.http.post(f"{self.url}/graphql", json=sent, headers=headers) as resp:
            assert resp.status == 200, (resp.status, await resp.text())
            if resp.content_type == "multipart/mixed":
                async for part in read_multipart(resp.content):
                    yield part
            elif resp.content_type == "text/event-stream":
                async for part in read_events(resp.content):
                    yield part
            else:
                yield json.loads(await resp.text())


async def read_multipart(content: aiohttp.StreamReader) -> AsyncIterator[dict[str, Any]]:
    """The JSON parts of a multipart/mixed body with the boundary `-`, each as soon as it is whole."""
    buffer = b""
    async for chunk in content.iter_any():
        buffer += chunk
        while True:
            start = buffer.find(b"\r\n\r\n")
            end = buffer.find(b"\r\n---", start)
            if start < 0 or end < 0:
                break
            yield json.loads(buffer[start + 4 : end])
            buffer = buffer[end + len(b"\r\n---") :]
    assert buffer == b"--\r\n", buffer  # the closing delimiter, after the last part


async def read_events(content: aiohttp.StreamReader) -> AsyncIterator[dict[str, Any]]:
    """The `next` events' data of a Server-Sent Events body, until its `complete` event."""
    buffer = b""
    async for chunk in content.iter_any():
        buffer += chunk.replace(b"\r\n", b"\n")
        while b"\n\n" in buffer:
            event, buffer = buffer.split(b"\n\n", 1)
            fields = dict(line.partition(b":")[::2] for line in event.split(b"\n"))
            if fields.get(b"event", b"").strip() == b"complete":
                return
            assert fields.get(b"event", b"").strip() == b"next", event
            yield json.loads(fields[b"data"])
    raise AssertionError("the event stream ended without a complete event")


def seeded_numbers(typename: str, item_id: str) -> dict[str, str | None]:
    """The national numbers the sandbox serves with one health contact (its practitioner's HPR number, its
    organisation's number) or appointment (the number of the organisation that runs its place), by the
    names of their GraphQL fields."""
    organizations = {o.id: o for o in seed.ORGANIZATIONS}
    if typename == "HealthContact":
        team = next(t for t in seed.CARE_TEAMS if t.id == item_id)
        practitioner = next((p for p in seed.PRACTITIONERS if p.id == team.practitioner), None)
        return {
            "hprNumber": practitioner.hpr if practitioner else None,
            "organizationNumber": organizations[team.organization].organization_number,
        }
    appointment = next(a for a in seed.APPOINTMENTS if a.id == item_id)
    location = next(loc for loc in seed.LOCATIONS if loc.id == appointment.location)
    return {"organizationNumber": organizations[location.organization].organization_number}


# The keys the tests' gateways sign their Maskinporten grants and HelseID assertions with: made at run
# time, gone at its end.
_KEYS = tempfile.TemporaryDirectory(prefix="gateway-test-keys-")


def settings_for(sandbox: Sandbox, **overrides: Any) -> Settings:
    urls = {f"{name}_url": url for name, url in sandbox.urls.items()}
    # With REDIS_URL set (CI) the gateway shares state through Redis: each test keeps to its own keys.
    isolated = {"redis_prefix": f"test-{uuid.uuid4().hex}:"}
    tokens = sandbox.token_clients(Path(_KEYS.name))
    return Settings(**{"demo": True, **urls, **isolated, **tokens, **overrides})


@contextlib.asynccontextmanager
async def gateway_for(sandbox: Sandbox, **overrides: Any) -> AsyncIterator[GatewayClient]:
    """A gateway of its own, with settings of its own (`overrides`), over the running sandbox, on the
    tests' fixed day as the `gateway` fixture."""
    from gateway.app import build_app  # the app imports the whole gateway: only when a test serves one
    from gateway.policy.clock import fixed_clock
    from gateway.serving import serving

    app = build_app(settings_for(sandbox, **overrides), clock=fixed_clock(TEST_NOW))
    async with serving(app) as url, aiohttp.ClientSession() as http:
        yield GatewayClient(url, http)


def redis_url_or_skip() -> str:
    """REDIS_URL for tests that need a real Redis: skipped on a laptop without one, never in CI."""
    import os

    import pytest

    url = os.environ.get("REDIS_URL")
    if not url:
        if os.environ.get("CI"):
            pytest.fail("REDIS_URL is not set in CI: .ci/run must start Redis and export it")
        pytest.skip("set REDIS_URL (e.g. redis://127.0.0.1:6379/0) to run the Redis tests")
    return url


INBOX_EVENTS = """subscription Live($p: ID!) { inboxEvents(personId: $p) {
  kind at thread { id subject unreadCount archived } message { id body sentOnBehalfOf { id } } } }"""

# Only a guard against a test hanging forever, never a measure of speed: generous, so that a loaded
# machine is slow rather than failing.
REPLY_WITHIN_S = 60.0


async def until(condition: Callable[[], Awaitable[bool] | bool], within_s: float = REPLY_WITHIN_S) -> None:
    """Return once `condition` holds, asking it again every 10 ms: for state that announces no change
    (a sandbox's request counts, Redis's subscriptions)."""
    async with asyncio.timeout(within_s):
        while True:
            held = condition()
            if await held if inspect.isawaitable(held) else held:
                return
            await asyncio.sleep(0.01)


class LiveSubscription:
    """One graphql-transport-ws connection with one subscription, read message by message."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws
        # What the server sent while the test waited for the subscription to start (a refusal), for next().
        self._early: list[dict[str, Any]] = []

    @classmethod
    async def open(
        cls, http: aiohttp.ClientSession, base_url: str, token: str | None, person_id: str, query: str = INBOX_EVENTS
    ) -> LiveSubscription:
        ws = await http.ws_connect(base_url.replace("http", "ws", 1) + "/graphql", protocols=("graphql-transport-ws",))
        payload = {"Authorization": f"Bearer {token}"} if token else {}
        await ws.send_json({"type": "connection_init", "payload": payload})
        ack = await ws.receive_json(timeout=REPLY_WITHIN_S)
        assert ack["type"] == "connection_ack", ack
        await ws.send_json({"id": "1", "type": "subscribe", "payload": {"query": query, "variables": {"p": person_id}}})
        return cls(ws)

    async def started(self, listening: Awaitable[object], within_s: float = REPLY_WITHIN_S) -> None:
        """Return once `listening` is done (the server's stream now receives what is published), or once the
        server has answered first, as it does when it refuses the subscription; that answer is kept for next()."""
        waiting = asyncio.ensure_future(listening)
        answer = asyncio.ensure_future(self.ws.receive_json())
        try:
            done, _ = await asyncio.wait((waiting, answer), timeout=within_s, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (waiting, answer):
                task.cancel()
            # A cancelled receive leaves the message unread and the connection usable once it has unwound.
            await asyncio.gather(waiting, answer, return_exceptions=True)
        if answer in done:
            self._early.append(answer.result())
        elif waiting in done:
            waiting.result()
        else:
            raise AssertionError(f"the subscription neither started nor was answered within {within_s} s")

    async def next(self, within_s: float = REPLY_WITHIN_S) -> dict[str, Any]:
        if self._early:
            return self._early.pop(0)
        return await self.ws.receive_json(timeout=within_s)

    async def ping(self) -> None:
        """The server answers with a pong; whatever it sent before it read the ping arrives first."""
        await self.ws.send_json({"type": "ping"})

    async def close(self) -> None:
        await self.ws.close()


def require_tool(path_or_name: str, install_hint: str) -> str:
    """A tool the JS/browser conformance tests need: skipped on a laptop without it, never in CI."""
    import os
    import shutil

    import pytest

    found = shutil.which(path_or_name)
    if found is None:
        if os.environ.get("CI"):
            pytest.fail(f"{path_or_name} is missing in CI: {install_hint}")
        pytest.skip(f"{path_or_name} is not installed: {install_hint}")
    return found


def require_node_modules() -> str:
    """node, and the packages of package-lock.json (`npm ci`), for the conformance tests."""
    import os
    from pathlib import Path

    import pytest

    node = require_tool("node", "install Node.js 20 or newer, then run `npm ci` in the repository")
    root = Path(__file__).resolve().parents[1]
    if not (root / "node_modules" / "@apollo" / "gateway").is_dir():
        if os.environ.get("CI"):
            pytest.fail("node_modules is missing in CI: .ci/run must run `npm ci`")
        pytest.skip("the Node packages are not installed: run `npm ci` in the repository")
    return node


@contextlib.asynccontextmanager
async def gateway_process(
    env: dict[str, str], log: Path, *args: str, command: str = "serve"
) -> AsyncIterator[asyncio.subprocess.Process]:
    """`python -m gateway <command> *args` (`serve` unless told) in the repository, its output (stdout and
    stderr) in `log`; stopped with SIGTERM, as a service manager stops it, when the block ends."""
    import sys

    with log.open("wb") as log_file:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "gateway",
            command,
            *args,
            env=env,
            cwd=REPOSITORY,
            stdin=asyncio.subprocess.DEVNULL,
            # A file, not a pipe: nobody reads a pipe while the test runs, and a full one blocks the gateway.
            stdout=log_file,
            stderr=log_file,
        )
        try:
            yield process
        finally:
            await stop_process(process)


def process_environment(sandbox: Sandbox, port: int, **settings: str) -> dict[str, str]:
    """The environment of a gateway process over the test's sandbox, on `port`, with `settings`; nothing
    of the developer's own gateway configuration leaks in."""
    import os

    tokens = sandbox.token_clients(Path(_KEYS.name))
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("GATEWAY_") and k != "REDIS_URL"},
        **{f"GATEWAY_{name.upper()}_URL": url for name, url in sandbox.urls.items()},
        **{f"GATEWAY_{name.upper()}": str(value) for name, value in tokens.items()},
        "GATEWAY_HOST": "127.0.0.1",
        "GATEWAY_PORT": str(port),
        # The sandbox answers from the test process, which a loaded machine slows down too.
        "GATEWAY_UPSTREAM_TIMEOUT_S": "30",
        "PYTHONUNBUFFERED": "1",
        **settings,
    }


@contextlib.asynccontextmanager
async def browser_script(tools: tuple[str, str], script: Path, *args: str) -> AsyncIterator[asyncio.subprocess.Process]:
    """`node <script> *args` from the repository, Debian's Chromium in $CHROMIUM (`tools`: node and
    chromium), its standard streams piped; stopped if it still runs when the block ends."""
    import os

    node, chromium = tools
    process = await asyncio.create_subprocess_exec(
        node,
        str(script),
        *args,
        cwd=REPOSITORY,
        env={**os.environ, "CHROMIUM": chromium},
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        yield process
    finally:
        await stop_process(process)


async def run_node(script: Path, *arguments: str, timeout_s: float = 120) -> Any:
    """What a Node script of the tests prints, as JSON; it runs from the repository's root (its
    node_modules), without blocking this event loop, where the gateway and the sandbox serve."""
    process = await asyncio.create_subprocess_exec(
        require_node_modules(),
        str(script),
        *arguments,
        cwd=Path(__file__).parents[1],
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=timeout_s)
    finally:
        await stop_process(process)
    assert process.returncode == 0, stderr.decode()
    return json.loads(stdout)


async def stop_process(process: asyncio.subprocess.Process) -> None:
    """SIGTERM, then SIGKILL if it has not ended within 30 s; returns once it has ended."""
    if process.returncode is None:
        with contextlib.suppress(ProcessLookupError):
            process.terminate()
        try:
            await asyncio.wait_for(process.wait(), timeout=30)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()


async def next_ws_message(ws: aiohttp.ClientWebSocketResponse, within_s: float = REPLY_WITHIN_S) -> dict[str, Any]:
    """The next graphql-transport-ws message, answering the server's pings on the way."""

    async def message() -> dict[str, Any]:
        while True:
            msg = await ws.receive()
            assert msg.type == aiohttp.WSMsgType.TEXT, f"expected a text frame, got {msg.type}: {msg.data!r}"
            data: dict[str, Any] = json.loads(msg.data)
            if data.get("type") != "ping":
                return data
            await ws.send_json({"type": "pong"})

    return await asyncio.wait_for(message(), timeout=within_s)


# A guard against a hung start, not a measure of speed: generous, so a loaded machine is slow, not failing.
READY_WITHIN_S = 90.0


def log_tail(log: Path) -> str:
    return log.read_text(errors="replace")[-5000:]


async def fail_if_exited(process: asyncio.subprocess.Process, log: Path, name: str) -> None:
    """Fail at once if the process has exited; else wait on it a moment, so that an exit is seen as it happens."""
    import pytest

    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(process.wait(), timeout=0.2)
    if process.returncode is not None:
        pytest.fail(f"{name} exited with {process.returncode}:\n{log_tail(log)}")


async def wait_until_ready(url: str, process: asyncio.subprocess.Process, log: Path, name: str) -> None:
    """Until `url` answers /readyz (its upstreams and Redis reachable); fails at once if the process exits."""
    import pytest

    deadline = time.monotonic() + READY_WITHIN_S
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as http:
        while True:
            with contextlib.suppress(aiohttp.ClientError, TimeoutError):
                async with http.get(f"{url}/readyz") as resp:
                    if resp.status == 200:
                        return
            if time.monotonic() > deadline:
                pytest.fail(f"{name} not ready after {READY_WITHIN_S} s:\n{log_tail(log)}")
            await fail_if_exited(process, log, name)
