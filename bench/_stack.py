"""What the benchmarks share: the inbox page query, and the sandbox plus gateway running in this process.

Both run on loopback with ephemeral ports, exactly as a frontend would talk to them: the gateway is
served by uvicorn (`gateway.serving.serving`), the client POSTs to /graphql over aiohttp with a demo
token, and the gateway calls every sandbox service (one per row of SOURCES) over HTTP. Nothing
leaves the machine.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator, Coroutine
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import aiohttp

from gateway.app import build_app
from gateway.core.audit import MemoryAuditLog
from gateway.core.config import Settings
from gateway.core.events import MemoryEventBus
from gateway.core.reference_cache import MemoryReferenceCache
from gateway.core.shared import SharedState
from gateway.serving import serving
from gateway.sources import SOURCES
from sandbox import Sandbox, start_sandbox

T = TypeVar("T")

KARI = "12848510058"
SOURCE_NAMES = tuple(source.name for source in SOURCES)

# The 60-thread inbox of the execution-cost issue (variables: {"id": KARI, "first": 60}): 1,208 fields.
PERSON_INBOX = """
query PersonInbox($id: ID!, $first: Int!) {
  person(id: $id) {
    id name { given family } birthDate
    threads(first: $first) { nodes {
      id subject category lastMessageAt unreadCount
      messages(first: 100) { nodes { id body sentAt direction } }
      counterpart { id name }
    } }
  }
}
"""

# The inbox page: Kari's latest threads, each with its newest message and counterpart, her next
# appointments (with where and with whom) and her health contacts.
INBOX_PAGE = """
query InboxPage($person: ID!, $first: Int!) {
  person(id: $person) {
    id
    name { full }
    threads(first: $first) {
      totalCount
      hiddenCount
      pageInfo { hasNextPage endCursor }
      nodes {
        id subject category unreadCount lastMessageAt
        counterpart { id name role serviceKind organization }
        messages(first: 1) { nodes { id sentAt direction body } }
      }
    }
    appointments(first: 20) {
      nodes {
        id start title status serviceKind organization
        location { name atHome }
        practitioner { id name role }
      }
    }
    healthContacts { id name role serviceKind organization }
  }
}
"""


# Where the benchmarks' gateways keep their Maskinporten and HelseID keys: made at run time, gone at its end.
_KEYS = tempfile.TemporaryDirectory(prefix="bench-keys-")


def sandbox_settings(sandbox: Sandbox, **overrides: Any) -> Settings:
    """Demo settings calling the services of `sandbox`, as a client of its Maskinporten and its HelseID."""
    client = sandbox.token_clients(Path(_KEYS.name))
    return Settings(**{"demo": True, **client, **overrides}).with_upstreams(sandbox.urls)


def run_on_uvloop(main: Coroutine[Any, Any, T]) -> T:
    """`asyncio.run` on uvloop when it is installed, the loop uvicorn's "auto" gives the gateway. For the
    sandbox, which stands for upstream servers, and a latency client, which stands for a browser: neither
    spends its time in asyncio's pure-Python loop, and what they spend counts in every latency measured."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(main)
    return uvloop.run(main)


class PageError(RuntimeError):
    """The gateway did not answer the inbox page in full: figures would be meaningless."""


@dataclass(frozen=True)
class Arrival:
    """One upstream request as the sandbox saw it arrive (before any injected latency)."""

    at: float  # time.perf_counter()
    source: str
    route: str


class TimedCounts(Counter[str]):
    """A drop-in for a sandbox Control's `counts` that also notes when each request arrived.

    The sandbox middleware does `control.counts[route] += 1` for every request it serves, so this
    sees every upstream call without changing the sandbox.
    """

    def __init__(self, source: str, arrivals: list[Arrival]) -> None:
        super().__init__()
        self._source = source
        self._arrivals = arrivals

    def __setitem__(self, route: str, count: int) -> None:
        if count > self.get(route, 0):
            self._arrivals.append(Arrival(time.perf_counter(), self._source, route))
        super().__setitem__(route, count)


@dataclass
class Stack:
    sandbox: Sandbox
    url: str
    http: aiohttp.ClientSession
    # The reference data the gateway keeps across requests: clear it for a cold page.
    reference_cache: MemoryReferenceCache
    token: str = ""
    arrivals: list[Arrival] = field(default_factory=list)

    def set_latency(self, ms: float) -> None:
        for name in SOURCE_NAMES:
            self.sandbox.control(name).latency_ms = ms

    def counts(self) -> dict[str, Counter[str]]:
        return {name: Counter(self.sandbox.control(name).counts) for name in SOURCE_NAMES}

    async def inbox_page(self, first: int) -> dict[str, Any]:
        return await inbox_page(self.http, self.url, self.token, first)


async def inbox_page(http: aiohttp.ClientSession, url: str, token: str, first: int) -> dict[str, Any]:
    """Run the inbox page query once; raise if the answer is not a complete, error-free page."""
    async with http.post(
        f"{url}/graphql",
        json={"query": INBOX_PAGE, "variables": {"person": KARI, "first": first}},
        headers={"Authorization": f"Bearer {token}"},
    ) as resp:
        body: dict[str, Any] = await resp.json()
        if resp.status != 200:
            raise PageError(f"gateway answered {resp.status}: {body}")
    if body.get("errors") or not (body.get("data") or {}).get("person"):
        raise PageError(f"the inbox page came back with errors: {body.get('errors')}")
    got = len(body["data"]["person"]["threads"]["nodes"])
    if got != first:
        raise PageError(f"asked for {first} threads, got {got}")
    return body


async def _token(http: aiohttp.ClientSession, url: str, pid: str) -> str:
    async with http.post(f"{url}/demo/token", json={"pid": pid, "acr": "idporten-loa-high"}) as resp:
        if resp.status != 200:
            raise RuntimeError(f"/demo/token answered {resp.status}: {await resp.text()}")
        token: str = (await resp.json())["access_token"]
        return token


@asynccontextmanager
async def running_stack(*, upstream_timeout_s: float = 5.0) -> AsyncIterator[Stack]:
    """The sandbox and the gateway on loopback, a client session, and Kari's token."""
    async with await start_sandbox() as sandbox:
        settings = sandbox_settings(sandbox, upstream_timeout_s=upstream_timeout_s)
        cache = MemoryReferenceCache()
        shared = SharedState(audit_log=MemoryAuditLog(), events=MemoryEventBus(), reference_cache=cache)
        async with serving(build_app(settings, shared=shared)) as url, aiohttp.ClientSession() as http:
            stack = Stack(sandbox, url, http, cache)
            for name in SOURCE_NAMES:
                sandbox.control(name).counts = TimedCounts(name, stack.arrivals)
            stack.token = await _token(http, url, KARI)
            yield stack
