"""The reference Innboks web app (web/) in a real browser, through the real gateway and sandbox:
tests/browser/web_app.mjs signs in as demo personas at /app/ and reports what the page shows; where a
step needs the API or the registry to change (a message from another device, a revoked fullmakt) or a
source to slow down or fail (the sandbox's control API), it asks, and this test does it.

Screenshots of each stage are kept as artefacts in $TEST_ARTIFACTS/web-app (default
test-artifacts/web-app). Skipped on a laptop without Node, its packages, Chromium or a built app (the
skip says what to run); never in CI, where .ci/run builds the app.
"""

from __future__ import annotations

import asyncio
import json
import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from gateway.app import WEB_APP, build_app
from gateway.core.audit import MemoryAuditLog
from gateway.core.events import MemoryEventBus
from gateway.core.shared import SharedState
from gateway.policy.clock import fixed_clock
from gateway.serving import serving
from sandbox import Sandbox
from sandbox.consent import PROXIES
from sandbox.inbox import STORE
from sandbox.seed import KARI, OLA
from tests.support import REPOSITORY, TEST_NOW, GatewayClient, browser_script, settings_for

SCRIPT = Path(__file__).with_name("web_app.mjs")
ARTIFACTS = Path(os.environ.get("TEST_ARTIFACTS", REPOSITORY / "test-artifacts")) / "web-app"

SEND = """mutation Send($input: SendMessageInput!) {
  sendMessage(input: $input) { thread { id } userErrors { code } } }"""

CODES = {"UPSTREAM_UNAVAILABLE": "Tjenesten svarer ikke akkurat nå. Prøv igjen senere."}

REASONS = {
    "CHILD_AGE": "Barnets alder gjør at denne tjenesten ikke er tilgjengelig for deg.",
    "NO_RELATION": "Du kan ikke representere denne personen.",
    "PROXY_SCOPE": "Fullmakten din dekker ikke denne tjenesten.",
}


@pytest.fixture
def built() -> None:
    if not (WEB_APP / "index.html").is_file():
        if os.environ.get("CI"):
            pytest.fail("web/dist is missing in CI: .ci/run must build the web app")
        pytest.skip("the web app is not built: run ./scripts/demo once, or `npm ci && npm run build` in web/")


class Demo:
    """The gateway the page talks to, with the in-process event bus, so that the test can wait until
    the page's subscription listens before it sends."""

    def __init__(self, client: GatewayClient, events: MemoryEventBus) -> None:
        self.client = client
        self.events = events


@pytest.fixture
async def demo(sandbox: Sandbox) -> AsyncIterator[Demo]:
    events = MemoryEventBus()
    shared = SharedState(audit_log=MemoryAuditLog(), events=events)
    # Rights are checked again every half second without events: a revoked fullmakt ends the stream soon.
    settings = settings_for(sandbox, subscription_recheck_s=0.5)
    app = build_app(settings, clock=fixed_clock(TEST_NOW), shared=shared)
    async with serving(app) as url, aiohttp.ClientSession() as http:
        yield Demo(GatewayClient(url, http), events)


Step = Callable[[dict[str, Any]], Awaitable[None]]


async def drive(tools: tuple[str, str], url: str, steps: dict[str, Step]) -> dict[str, Any]:
    """Run the browser script, doing each step it asks for; its last line (the result), with the output."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    lines: list[str] = []
    async with browser_script(tools, SCRIPT, url, str(ARTIFACTS)) as process, asyncio.timeout(150):
        assert process.stdin and process.stdout and process.stderr
        while line := (await process.stdout.readline()).decode():
            lines.append(line)
            message = json.loads(line)
            if "await" in message:
                await steps[message["await"]](message)
                process.stdin.write(b"done\n")
                await process.stdin.drain()
        stderr = (await process.stderr.read()).decode()
        await process.wait()
    result = json.loads(lines[-1]) if lines else {}
    result["report"] = f"exit {process.returncode}\nstdout: {''.join(lines)}\nstderr: {stderr}"
    result["exit"] = process.returncode
    return result


async def test_the_innboks_app_in_a_browser(tools: tuple[str, str], built: None, demo: Demo, sandbox: Sandbox) -> None:

    async def send_from_another_device(step: dict[str, Any]) -> None:
        await asyncio.wait_for(demo.events.wait_for_subscribers(KARI), 30)  # the page listens
        variables = {
            "input": {
                "personId": KARI,
                "contactId": "ct-kari-gp",
                "subject": step["subject"],
                "body": "Sendt gjennom API-et mens siden var åpen.",
                "idempotencyKey": str(uuid.uuid4()),
            }
        }
        sent = await demo.client.execute(SEND, variables, as_pid=KARI)
        assert sent["data"]["sendMessage"]["userErrors"] == [], sent

    async def revoke_olas_fullmakt(step: dict[str, Any]) -> None:
        await asyncio.wait_for(demo.events.wait_for_subscribers(OLA), 30)
        proxies = sandbox.apps["consent"][PROXIES]
        proxies[:] = [p for p in proxies if not (p.grantor == OLA and p.grantee == KARI)]

    async def set_faults(step: dict[str, Any]) -> None:
        # The sandbox's control API, as for any client of it: POST /_sandbox/faults on the source's app.
        assert step["source"] == "appointments", step  # the hospital's (and GP's, municipality's) FHIR server
        origin = sandbox.urls[step["source"]].removesuffix("/fhir")
        async with demo.client.http.post(f"{origin}/_sandbox/faults", json=step["faults"]) as resp:
            assert resp.status == 200, await resp.text()

    steps = {"send": send_from_another_device, "revoke": revoke_olas_fullmakt, "faults": set_faults}
    result = await drive(tools, demo.client.url, steps)
    report = result["report"]
    assert result["exit"] == 0 and result["ok"], report
    # Keyboard only: the sign-in is the first stop; Enter opens a thread at its heading; back returns to it.
    assert result["firstTab"] == "persona", report
    assert result["keyboardOpenedFocus"] == "thread-heading", report
    assert result["keyboardBackButton"] == "Tilbake til innboksen" and result["keyboardReturnedTo"], report
    # Kari's 64 threads: the inbox paged to its end (20 a page) and the archive.
    assert result["kariActingFor"] == "Du er logget inn som Kari Nordmann", report
    assert result["kariThreads"] == 64, report
    assert result["kariCount"] == f"{result['kariInboxThreads']} meldingstråder", report
    assert result["kariPages"] == -(-result["kariInboxThreads"] // 20) and result["kariArchivedThreads"] > 0, report
    assert result["axeViolations"] == [], report  # inbox, thread, the form with an error
    assert result["openedMessages"] >= 1 and result["openedThreadRead"], report
    assert result["archivedShownInArchive"] and result["unarchivedBackInInbox"], report
    # A reply whose answer was lost, sent again: one message at the store, shown once.
    assert "Prøv igjen" in result["replyLost"] and result["replySent"] == "Svaret er sendt.", report
    stored = [m for m in sandbox.apps["inbox"][STORE].messages.values() if m.body == result["replyBody"]]
    assert len(stored) == 1 and result["replyShown"] == 1, report
    # A new thread: the empty subject named at its field, then sent.
    assert result["emptySubjectError"] == "Skriv et emne." and result["emptySubjectInvalid"] == "true", report
    assert result["newThreadOpened"], report
    # Live: the message sent through the API appeared; the revoked fullmakt ended the stream, saying why.
    assert result["liveNotice"] == f"Ny melding i «{result['liveSubject']}».", report
    assert result["liveEnded"].endswith(REASONS["NO_RELATION"]), report
    # Acting for children, and the refusals, in the README's words.
    assert result["emmaActingFor"] == "Du representerer Emma (7 år)", report
    assert "Ikke alle meldinger vil være tilgjengelige" in result["emmaNotice"], report
    assert result["jonasContactKinds"] and set(result["jonasContactKinds"]) <= {"GP", "MUNICIPAL"}, report
    assert result["jonasAppointmentKinds"] and set(result["jonasAppointmentKinds"]) <= {"GP", "MUNICIPAL"}, report
    assert result["erikForIngridInbox"] == REASONS["PROXY_SCOPE"] and result["erikForIngridContacts"] > 0, report
    assert result["sofieLink"] == REASONS["CHILD_AGE"], report
    assert result["emmaSignIn"] == REASONS["CHILD_AGE"], report
    # The appointments are a deferred part of the inbox page: with the FHIR source slowed (3 s), the threads
    # showed first, while the appointments said they were loading (the page noted it as it changed; a page
    # that waited for the slow source would have shown both at once), and the appointments came later.
    deferred = result["deferred"]
    assert deferred["loadingWithThreads"] == "Laster timeavtalene …", report
    assert deferred["appointmentsWithThreads"] is False, report
    assert deferred["appointmentsAt"] > deferred["threadsAt"], report
    assert result["deferredThreads"] == 20 and result["deferredAppointments"] >= 1, report
    # The contacts are a deferred part of their own: they came while the appointments were still loading.
    assert result["contactsBeforeAppointments"] == "true", report
    # Left before its deferred part came (the cache has the person, not the part): the Timeavtaler view
    # asks for the appointments itself (the `Appointments` document, by hash) instead of saying "Laster …"
    # for ever.
    assert result["leftWhileLoading"] == "true" and result["leftEarlyAppointments"] >= 1, report
    # A deferred part that failed says why, as the app says it everywhere; the rest of the page is there.
    assert result["failedPart"] == CODES["UPSTREAM_UNAVAILABLE"], report
    assert result["failedPartThreads"] >= 1 and result["failedPartContacts"] >= 1, report
    assert result["afterFailureAppointments"] >= 1, report
    # Every query and mutation went by its hash in the manifest (the gateway trusts the app's documents).
    assert result["requestsWithText"] == [], report
    assert set(result["operationsByHash"]) == {
        "Viewer",
        "Person",
        "Inbox",
        "Thread",
        "MarkThreadRead",
        "ArchiveThread",
        "UnarchiveThread",
        "ReplyToThread",
        "SendMessage",
        "Appointments",
    }, report  # (the Helsekontakter view reads the contacts the inbox page's deferred part put in the cache)
    assert result["consoleErrors"] == [], report
    sizes = [os.stat(path).st_size for path in result["screenshots"]]
    assert len(sizes) == 9 and min(sizes) > 5_000, report
