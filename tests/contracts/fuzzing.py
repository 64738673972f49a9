"""Schemathesis against the sandbox apps: the checks every answer must pass, and how many cases ran.

An app's answers are held to the document of its source (docs/contracts/): no 5xx, a status the
document lists for the operation, in its content type, a body and headers that match their schemas,
and credentials enforced where the document requires them. Schemathesis calls synchronously
(`requests`), so the apps are served from an event loop in a thread of their own, which such a call
cannot block.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections import Counter
from collections.abc import Iterator

import schemathesis
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from sandbox import Sandbox, start_sandbox
from tests.contracts.documents import DOCUMENTS

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
    ignored_auth,
]

# Cases run, by source and operation ("POST /threads"), for the run's summary (conftest.py).
CASES: Counter[tuple[str, str]] = Counter()


def contract(source: str) -> schemathesis.BaseSchema:
    """The document of `source`, for schemathesis."""
    return schemathesis.openapi.from_path(DOCUMENTS[source])


def call_and_validate(
    case: schemathesis.Case, sandbox: Sandbox, source: str, headers: dict[str, str] | None = None
) -> None:
    """Send the case to the sandbox's app for `source` (with `headers`, its credentials) and hold the
    answer to CHECKS; counted in CASES."""
    CASES[source, case.operation.label] += 1
    case.call_and_validate(base_url=sandbox.urls[source], headers=headers, checks=CHECKS)


@contextlib.contextmanager
def sandbox_in_thread() -> Iterator[Sandbox]:
    """Every sandbox app, served from an event loop of its own in a thread of its own."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="sandbox", daemon=True)
    thread.start()
    try:
        sandbox = asyncio.run_coroutine_threadsafe(start_sandbox(), loop).result()
        try:
            yield sandbox
        finally:
            asyncio.run_coroutine_threadsafe(sandbox.close(), loop).result()
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join()
        loop.close()
