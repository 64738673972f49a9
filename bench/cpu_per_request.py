"""CPU time of the gateway process per request, with the gateway served as a person would serve it.

Three processes, so that each one's CPU time is its own:

- the sandbox: this script again (`--serve-sandbox`, on uvloop when it is installed), every upstream on
  an ephemeral loopback port;
- the gateway: `python -m gateway serve` (uvicorn, one worker by default, uvloop and httptools when
  installed), verifying tokens against a key set this process serves, as in production;
- the client: this process, aiohttp with `--in-flight` requests at a time, Kari's token. Like a
  browser it accepts gzip, so the gateway's compression of the answers counts.

Each document is warmed up (`--warmup` requests), then its `--requests` run in `--rounds` rounds
that take turns between the documents. Around each round it reads the CPU time (utime + stime in
/proc/PID/stat) of the gateway's processes, of the sandbox and of this process, and that of the whole
machine (/proc/stat), so that other work on the machine shows ("others"). Every answer must be
complete and error-free, with as many values as the first. The documents:

- PersonInbox: the 60-thread inbox of the execution-cost issue (up to 100 messages per thread);
- InboxPage: the README's inbox page (`_stack.py`: `INBOX_PAGE`, first: 20);
- with `--trusted`, each of them also as a trusted document (GATEWAY_TRUSTED_DOCUMENTS), sent by its
  `documentId` instead of its text, side by side with the same document sent as text.

"fields" counts the leaf values of a response's `data` (scalars and nulls), "keys" every key of every
object (as bench/field_cost.py counts). With `--workers N` the gateway runs N worker processes on one
port (that needs REDIS_URL, which is then passed on) and the CPU time is summed over the supervisor and
all its children. Figures print; nothing is asserted. Linux only (/proc).

    python bench/cpu_per_request.py [--requests 400] [--in-flight 8] [--warmup 40] [--rounds 4] [--workers 1]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import hashlib
import importlib.metadata
import json
import os
import platform
import re
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import uuid4

import aiohttp
import orjson
from _stack import INBOX_PAGE, KARI, PERSON_INBOX, PageError, run_on_uvloop
from aiohttp import web
from field_cost import fields_in
from redis.asyncio import Redis

from gateway.core.auth import DemoIssuer
from sandbox import start_sandbox

SCRIPT = Path(__file__).resolve()
ROOT = SCRIPT.parents[1]
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
# Guards against a hung start or stop, not measures of speed (under valgrind a process runs ~40x slower).
START_WITHIN_S = 300.0
STOP_WITHIN_S = 120.0


@dataclass(frozen=True)
class Document:
    name: str
    query: str
    variables: dict[str, Any]
    threads: int  # the page the answer must hold
    trusted: bool = False  # sent as `documentId` (a trusted document), not as text

    @property
    def document_id(self) -> str:
        return hashlib.sha256(self.query.encode()).hexdigest()

    def as_trusted(self) -> Document:
        return dataclasses.replace(self, name=f"{self.name.split(' (')[0]}, trusted", trusted=True)


DOCUMENTS = (
    Document("PersonInbox (60 threads)", PERSON_INBOX, {"id": KARI, "first": 60}, 60),
    Document("InboxPage (README, 20)", INBOX_PAGE, {"person": KARI, "first": 20}, 20),
)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=400, help="measured requests per document")
    parser.add_argument("--in-flight", type=int, default=8, help="requests sent at a time")
    parser.add_argument("--warmup", type=int, default=40, help="unmeasured requests before each document")
    parser.add_argument("--rounds", type=int, default=4, help="the measured requests run in rounds, by turns")
    parser.add_argument("--workers", type=int, default=1, help="gateway worker processes (more than 1 needs REDIS_URL)")
    parser.add_argument(
        "--trusted",
        action="store_true",
        help="serve the documents as trusted documents too, and measure each sent by documentId beside as text",
    )
    # The sandbox process this script starts: it prints its URLs as JSON and serves until stdin closes.
    parser.add_argument("--serve-sandbox", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if min(args.in_flight, args.workers, args.rounds) < 1 or args.requests < args.rounds or args.warmup < 0:
        parser.error("--in-flight, --workers and --rounds must be at least 1, --requests at least --rounds")
    if args.workers > 1 and not os.environ.get("REDIS_URL"):
        parser.error("--workers above 1 needs REDIS_URL (the gateway refuses more workers without it)")
    return args


# --- the sandbox process ---------------------------------------------------------------------------


async def serve_sandbox() -> None:
    """Print the services' URLs, and the gateway's settings of Maskinporten and HelseID clients made now (its key
    in a file of this process's temporary directory), as one JSON line; serve until stdin closes."""
    with tempfile.TemporaryDirectory(prefix="sandbox-keys-") as keys:
        async with await start_sandbox() as sandbox:
            client = {name: str(value) for name, value in sandbox.token_clients(Path(keys)).items()}
            print(json.dumps({"urls": sandbox.urls, "token_clients": client}), flush=True)
            # Until the benchmark ends, or dies: either way its end of the pipe closes.
            await asyncio.to_thread(sys.stdin.buffer.read)


# --- processes and their CPU time ------------------------------------------------------------------


def _stat(pid: int) -> list[str]:
    """The fields of /proc/PID/stat after the command name (which may hold spaces): [state, ppid, ...]."""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def descendants(pid: int) -> list[int]:
    """`pid` and every process below it."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                parents[int(entry.name)] = int(_stat(int(entry.name))[1])
    found, frontier = [pid], [pid]
    while frontier:
        frontier = [child for child, parent in parents.items() if parent in frontier]
        found += frontier
    return found


def cpu_seconds(pids: list[int]) -> float:
    """User plus system CPU time of these processes (all their threads), in seconds."""
    ticks = 0
    for pid in pids:
        with contextlib.suppress(OSError):  # a process that has ended
            fields = _stat(pid)
            ticks += int(fields[11]) + int(fields[12])  # utime, stime: fields 14 and 15 of stat(5)
    return ticks / CLOCK_TICKS


@contextlib.asynccontextmanager
async def sandbox_process() -> AsyncIterator[tuple[asyncio.subprocess.Process, dict[str, str], dict[str, str]]]:
    """The sandbox in a process of its own: (the process, the services' URLs, the gateway's
    `maskinporten_*` and `helseid_*` settings for clients its issuers know)."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(SCRIPT),
        "--serve-sandbox",
        cwd=ROOT,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    assert process.stdin is not None and process.stdout is not None
    try:
        line = await asyncio.wait_for(process.stdout.readline(), timeout=START_WITHIN_S)
        if not line:
            raise RuntimeError(f"the sandbox exited with {await process.wait()} before it served")
        served = json.loads(line)
        yield process, served["urls"], served["token_clients"]
    finally:
        process.stdin.close()  # it ends by itself
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(process.wait(), timeout=30)
        await _stop(process)


@dataclass
class KeySet:
    """The token issuer's key set as this process serves it, and how many times it has been fetched."""

    issuer: DemoIssuer | None = None
    fetches: int = 0


@contextlib.asynccontextmanager
async def jwks_server(key_set: KeySet) -> AsyncIterator[str]:
    """Serve the key set the gateway verifies tokens with; yields the base URL."""

    async def jwks(request: web.Request) -> web.Response:
        assert key_set.issuer is not None
        key_set.fetches += 1
        return web.json_response(key_set.issuer.jwks())

    app = web.Application()
    app.router.add_get("/jwks.json", jwks)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    try:
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    finally:
        await runner.cleanup()


@dataclass
class Upstreams:
    """The sandbox in a process of its own, and the token issuer whose key set this process serves."""

    process: asyncio.subprocess.Process
    urls: dict[str, str]
    jwks_base: str
    key_set: KeySet
    token_clients: dict[str, str]  # the gateway's maskinporten_* and helseid_* settings

    @property
    def issuer(self) -> DemoIssuer:
        assert self.key_set.issuer is not None
        return self.key_set.issuer

    def gateway_env(self, redis_url: str | None = None, prefix: str = "") -> dict[str, str]:
        tokens = {f"GATEWAY_{name.upper()}": value for name, value in self.token_clients.items()}
        return {**gateway_env(self.urls, self.jwks_base, self.issuer, redis_url, prefix), **tokens}


@contextlib.asynccontextmanager
async def upstreams() -> AsyncIterator[Upstreams]:
    key_set = KeySet()
    async with sandbox_process() as (process, urls, token_clients), jwks_server(key_set) as jwks_base:
        key_set.issuer = DemoIssuer(jwks_base, "health-gateway")
        yield Upstreams(process, urls, jwks_base, key_set, token_clients)


@dataclass
class Gateway:
    process: asyncio.subprocess.Process
    url: str
    log: Path

    def tail(self) -> str:
        return _text(self.log)[-3000:]


def _text(log: Path) -> str:
    return log.read_text(errors="replace")


@contextlib.asynccontextmanager
async def gateway_process(
    env: dict[str, str], workers: int, log: Path, *, wrapper: Sequence[str] = (), checkout: Path = ROOT
) -> AsyncIterator[Gateway]:
    """`python -m gateway serve` of `checkout` (run by `wrapper`, e.g. valgrind, when given) on an
    ephemeral port, which its banner names; stopped with SIGTERM."""
    argv = [*wrapper, sys.executable, "-m", "gateway", "serve", *(["--workers", str(workers)] if workers > 1 else [])]
    with log.open("wb") as stderr:
        process = await asyncio.create_subprocess_exec(
            *argv,
            env={**env, "PYTHONPATH": str(checkout)},
            cwd=checkout,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=stderr,
        )
        assert process.stdout is not None
        stdout = process.stdout
        drain: asyncio.Task[None] | None = None
        try:
            banner = (await asyncio.wait_for(stdout.readline(), timeout=START_WITHIN_S)).decode()
            found = re.search(r"(http://\S+)/graphql", banner)
            if not found:
                raise RuntimeError(f"the gateway did not start: {banner!r}\n{_text(log)}")

            async def discard() -> None:
                # uvicorn's access log goes to stdout: read it, so that the pipe never fills.
                while await stdout.read(65536):
                    pass

            drain = asyncio.create_task(discard())
            yield Gateway(process, found[1], log)
        finally:
            await _stop(process)
            if drain is not None:
                await drain


async def _stop(process: asyncio.subprocess.Process) -> None:
    if process.returncode is None:
        with contextlib.suppress(ProcessLookupError):
            process.terminate()
        try:
            await asyncio.wait_for(process.wait(), timeout=STOP_WITHIN_S)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()


async def wait_ready(http: aiohttp.ClientSession, gateway: Gateway) -> None:
    """Until /readyz answers 200 (from one worker: `sign_in_on_each_worker` waits for the others)."""
    deadline = time.monotonic() + START_WITHIN_S
    while True:
        ready = False
        with contextlib.suppress(aiohttp.ClientError, TimeoutError):
            async with http.get(f"{gateway.url}/readyz") as resp:
                ready = resp.status == 200
        if ready:
            return
        if time.monotonic() > deadline:
            raise RuntimeError(f"the gateway did not start within {START_WITHIN_S} s:\n{gateway.tail()}")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(gateway.process.wait(), timeout=0.2)
        if gateway.process.returncode is not None:
            raise RuntimeError(f"the gateway exited with {gateway.process.returncode}:\n{gateway.tail()}")


async def signed_in(http: aiohttp.ClientSession, gateway: Gateway, key_set: KeySet, workers: int = 1) -> str:
    """Once the gateway answers and each of its workers has fetched the key set: Kari's token."""
    await wait_ready(http, gateway)
    assert key_set.issuer is not None
    token = key_set.issuer.person_token(KARI, ttl_s=24 * 3600)
    await sign_in_on_each_worker(gateway, token, key_set, workers)
    return token


# --- the client --------------------------------------------------------------------------------------


async def sign_in_on_each_worker(gateway: Gateway, token: str, key_set: KeySet, workers: int) -> None:
    """One token at a time until every worker has fetched the key set, and so has started: each on a new
    connection, which the kernel hands to any worker. A worker's first tokens must not arrive together:
    RemoteJwks (gateway/core/auth.py) answers "signed with an unknown key" to those that arrive while its
    first fetch of the key set is under way."""
    deadline = time.monotonic() + START_WITHIN_S
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(force_close=True)) as fresh:
        while key_set.fetches < workers:
            async with fresh.post(
                f"{gateway.url}/graphql", data=b'{"query": "{ viewer { id } }"}', headers=headers
            ) as r:
                answer = orjson.loads(await r.read())
            if r.status != 200 or answer.get("errors"):
                raise PageError(f"signing in: {r.status} {answer}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"{key_set.fetches} of {workers} workers took a request in {START_WITHIN_S} s")


def leaves(value: Any) -> int:
    """Leaf values of a JSON value: scalars and nulls, each element of a list counted."""
    if isinstance(value, dict):
        return sum(leaves(v) for v in value.values())
    if isinstance(value, list):
        return sum(leaves(v) for v in value)
    return 1


async def ask(http: aiohttp.ClientSession, url: str, token: str, document: Document) -> dict[str, Any]:
    """One request; raises PageError unless the answer is complete and error-free."""
    sent = {"documentId": document.document_id} if document.trusted else {"query": document.query}
    body = orjson.dumps({**sent, "variables": document.variables})
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    async with http.post(f"{url}/graphql", data=body, headers=headers) as resp:
        raw = await resp.read()
        if resp.status != 200:
            raise PageError(f"{document.name}: the gateway answered {resp.status}: {raw[:500]!r}")
    answer: dict[str, Any] = orjson.loads(raw)
    person = (answer.get("data") or {}).get("person")
    if answer.get("errors") or not person:
        raise PageError(f"{document.name}: errors {answer.get('errors')}")
    threads = person["threads"]["nodes"]
    if len(threads) != document.threads or any(not thread["messages"]["nodes"] for thread in threads):
        raise PageError(f"{document.name}: asked for {document.threads} threads with messages, got {len(threads)}")
    data: dict[str, Any] = answer["data"]
    return data


async def run(
    http: aiohttp.ClientSession, url: str, token: str, document: Document, requests: int, in_flight: int, fields: int
) -> None:
    """`requests` requests, `in_flight` at a time; each answer must hold `fields` values, as the first did."""
    numbers = iter(range(requests))

    async def client() -> None:
        for _ in numbers:  # one iterator shared by all: each number is taken once
            count = leaves(await ask(http, url, token, document))
            if count != fields:
                raise PageError(f"{document.name}: {count} values, where the first answer had {fields}")

    await asyncio.gather(*(client() for _ in range(in_flight)))


def machine_cpu_seconds() -> tuple[float, float]:
    """User and system CPU time of every process on the machine (all CPUs), and the time the hypervisor
    gave to other machines (steal): `/proc/stat`, in seconds."""
    user, nice, system, *_, steal = (int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9])
    return (user + nice + system) / CLOCK_TICKS, steal / CLOCK_TICKS


@dataclass
class Sample:
    """CPU seconds consumed so far: the gateway's processes, the sandbox, this client, the whole machine."""

    gateway: float
    sandbox: float
    client: float
    machine: float
    steal: float
    at: float

    @classmethod
    def take(cls, gateway_pids: list[int], sandbox_pid: int) -> Sample:
        machine, steal = machine_cpu_seconds()
        return cls(
            cpu_seconds(gateway_pids),
            cpu_seconds([sandbox_pid]),
            time.process_time(),
            machine,
            steal,
            time.perf_counter(),
        )


@dataclass
class Round:
    requests: int
    wall_s: float
    gateway_s: float
    sandbox_s: float
    client_s: float
    others_s: float  # CPU time of every other process meanwhile: a busy machine makes figures noisy
    steal_s: float

    @classmethod
    def between(cls, requests: int, before: Sample, after: Sample) -> Round:
        gateway, sandbox = after.gateway - before.gateway, after.sandbox - before.sandbox
        client, machine = after.client - before.client, after.machine - before.machine
        return cls(
            requests,
            after.at - before.at,
            gateway,
            sandbox,
            client,
            max(0.0, machine - gateway - sandbox - client),
            after.steal - before.steal,
        )


@dataclass
class Row:
    document: Document
    fields: int
    keys: int
    rounds: list[Round]

    def total(self, attribute: str) -> float:
        return float(sum(getattr(r, attribute) for r in self.rounds))

    def per_request_ms(self, attribute: str) -> float:
        return self.total(attribute) / self.total("requests") * 1000

    def gateway_range_ms(self) -> tuple[float, float]:
        each = [r.gateway_s / r.requests * 1000 for r in self.rounds]
        return min(each), max(each)


async def measure(
    http: aiohttp.ClientSession,
    gateway: Gateway,
    gateway_pids: list[int],
    sandbox_pid: int,
    token: str,
    args: argparse.Namespace,
) -> list[Row]:
    """Warm up on each document, then rounds that take turns between the documents, so that a disturbance
    on the machine falls on both rather than on one; the spread over rounds shows how large it was."""
    rows = []
    for document in documents(args):
        sample = await ask(http, gateway.url, token, document)
        rows.append(Row(document, leaves(sample), fields_in(sample), []))
        await run(http, gateway.url, token, document, args.warmup, args.in_flight, rows[-1].fields)
    per_round = [args.requests // args.rounds + (i < args.requests % args.rounds) for i in range(args.rounds)]
    for requests in per_round:
        for row in rows:
            before = Sample.take(gateway_pids, sandbox_pid)
            await run(http, gateway.url, token, row.document, requests, args.in_flight, row.fields)
            row.rounds.append(Round.between(requests, before, Sample.take(gateway_pids, sandbox_pid)))
    return rows


def documents(args: argparse.Namespace) -> tuple[Document, ...]:
    """The documents measured: each as text, and with --trusted each by its id too, side by side."""
    if not args.trusted:
        return DOCUMENTS
    return tuple(d for document in DOCUMENTS for d in (document, document.as_trusted()))


def manifest(path: Path) -> Path:
    """DOCUMENTS as GraphQL Code Generator's persisted-documents.json (id -> document)."""
    path.write_bytes(orjson.dumps({document.document_id: document.query for document in DOCUMENTS}))
    return path


# --- the report ----------------------------------------------------------------------------------------


def cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def print_machine(args: argparse.Namespace, redis_url: str | None) -> None:
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"machine:  {os.cpu_count()} CPUs ({usable} usable by this process), {cpu_model()}")
    print(f"python:   {platform.python_implementation()} {platform.python_version()}; load average {load}")
    print(
        f"run:      {args.requests} requests per document, {args.in_flight} in flight, after {args.warmup} warm-up; "
        f"CPU from /proc/PID/stat at {CLOCK_TICKS} ticks/s"
    )
    print(f"shared:   {'Redis (REDIS_URL)' if redis_url else 'in-process (no REDIS_URL)'}")


def print_gateway(args: argparse.Namespace, pids: list[int]) -> None:
    """The command, and which of its processes have loaded uvloop and httptools (uvicorn's "auto" picks them)."""
    extensions = ", ".join(
        f"{package} {version(package)} (loaded by {loaded_by(pids, package)} of {len(pids)} processes)"
        for package in ("uvloop", "httptools")
    )
    command = f"python -m gateway serve{f' --workers {args.workers}' if args.workers > 1 else ''}"
    print(f"gateway:  {command}; uvicorn {version('uvicorn')}, {extensions}")


def loaded_by(pids: list[int], package: str) -> int:
    """How many of the processes have mapped the package's compiled extension."""
    count = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            count += bool(re.search(rf"/{package}/\S*\.so", Path(f"/proc/{pid}/maps").read_text()))
    return count


COLUMNS = (
    # (heading, unit, width)
    ("document", "", 26),
    ("req/s", "", 6),
    ("gateway CPU", "ms/request", 11),
    ("rounds", "min-max", 11),
    ("fields", "/answer", 7),
    ("keys", "/answer", 7),
    ("gateway CPU", "µs/field", 11),
    ("sandbox", "ms/req", 7),
    ("client", "ms/req", 7),
    ("others", "CPU s", 7),
)


def table_line(cells: tuple[str, ...]) -> str:
    """The cells in COLUMNS' widths: the first left-aligned, the figures right-aligned."""
    aligned = [f"{cells[0]:<{COLUMNS[0][2]}}"]
    aligned += [f"{cell:>{width}}" for cell, (_, _, width) in zip(cells[1:], COLUMNS[1:], strict=True)]
    return " ".join(aligned)


def print_rows(rows: list[Row], args: argparse.Namespace) -> None:
    print()
    print(table_line(tuple(heading for heading, _, _ in COLUMNS)))
    print(table_line(tuple(unit for _, unit, _ in COLUMNS)))
    for row in rows:
        cpu_ms = row.per_request_ms("gateway_s")
        low, high = row.gateway_range_ms()
        values = (
            row.document.name,
            f"{row.total('requests') / row.total('wall_s'):.1f}",
            f"{cpu_ms:.2f}",
            f"{low:.1f}-{high:.1f}",
            str(row.fields),
            str(row.keys),
            f"{cpu_ms * 1000 / row.fields:.2f}",
            f"{row.per_request_ms('sandbox_s'):.2f}",
            f"{row.per_request_ms('client_s'):.2f}",
            f"{row.total('others_s'):.1f}",
        )
        print(table_line(values))
    steal = sum(row.total("steal_s") for row in rows)
    wall = sum(row.total("wall_s") for row in rows)
    print()
    print(f"{args.requests} requests per document, in {args.rounds} rounds taking turns between the documents.")
    print("rounds: the lowest and highest gateway CPU ms/request of a round.")
    print(f"others: CPU seconds of every other process meanwhile (steal: {steal:.1f} s in {wall:.1f} s); about 0 on a")
    print("quiet machine.")
    if args.workers > 1:
        print(f"gateway CPU: summed over the supervisor and its children ({args.workers} workers).")


# --- main ------------------------------------------------------------------------------------------------


def gateway_env(
    urls: dict[str, str], jwks_base: str, issuer: DemoIssuer, redis_url: str | None = None, prefix: str = ""
) -> dict[str, str]:
    """The gateway's environment: the sandbox's URLs, this process's key set, and nothing of the
    developer's own gateway configuration."""
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("GATEWAY_") and k != "REDIS_URL"},
        **{f"GATEWAY_{name.upper()}_URL": url for name, url in urls.items()},
        "GATEWAY_HOST": "127.0.0.1",
        "GATEWAY_PORT": "0",
        "GATEWAY_JWKS_URL": f"{jwks_base}/jwks.json",
        "GATEWAY_ISSUER": issuer.issuer,
        "GATEWAY_AUDIENCE": issuer.audience,
        # Three processes share the cores; a slow answer is not what this measures.
        "GATEWAY_UPSTREAM_TIMEOUT_S": "30",
        **({"REDIS_URL": redis_url, "GATEWAY_REDIS_PREFIX": prefix} if redis_url else {}),
    }


async def main(args: argparse.Namespace) -> None:
    redis_url = os.environ.get("REDIS_URL")
    prefix = f"bench-{uuid4().hex}:"
    print_machine(args, redis_url)
    with tempfile.TemporaryDirectory(prefix="cpu-per-request-") as tmp:
        async with upstreams() as up:
            env = up.gateway_env(redis_url, prefix)
            if args.trusted:
                # Trusted documents beside ad-hoc ones: GraphiQL on (the default) lets both run.
                env["GATEWAY_TRUSTED_DOCUMENTS"] = str(manifest(Path(tmp) / "persisted-documents.json"))
            connector = aiohttp.TCPConnector(limit=args.in_flight)
            async with (
                gateway_process(env, args.workers, Path(tmp) / "gateway.log") as gateway,
                aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=120)) as http,
            ):
                token = await signed_in(http, gateway, up.key_set, args.workers)
                print_gateway(args, descendants(gateway.process.pid))
                pids = descendants(gateway.process.pid)
                try:
                    rows = await measure(http, gateway, pids, up.process.pid, token, args)
                except PageError as exc:
                    raise PageError(f"{exc}\n\nthe gateway's log ends:\n{gateway.tail()}") from None
    print_rows(rows, args)
    if redis_url:
        redis = Redis.from_url(redis_url)
        try:
            found = [key async for key in redis.scan_iter(match=f"{prefix}*")]
            if found:
                await redis.delete(*found)
        finally:
            await redis.aclose()


if __name__ == "__main__":
    arguments = parse_args()
    if arguments.serve_sandbox:
        with contextlib.suppress(KeyboardInterrupt):
            run_on_uvloop(serve_sandbox())
    else:
        try:
            asyncio.run(main(arguments))
        except PageError as exc:
            print(f"\nthe gateway did not answer in full: {exc}", file=sys.stderr)
            sys.exit(2)
