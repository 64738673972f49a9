"""Traces (gateway/tracing.py), read from an in-memory exporter: the span tree of the inbox page, the
trace continued from the caller's traceparent into the sandbox's, and nothing in a span that names a
person."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from gateway.app import build_app
from gateway.policy.clock import fixed_clock
from gateway.serving import serving
from gateway.tracing import provider_from_environment
from sandbox import Sandbox
from sandbox.seed import KARI
from tests.e2e.test_inbox_page import INBOX_PAGE
from tests.support import ELEVEN_DIGITS, TEST_NOW, GatewayClient, settings_for

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
TRACEPARENT = f"00-{TRACE_ID}-00f067aa0ba902b7-01"


@pytest.fixture
async def traced(sandbox: Sandbox) -> AsyncIterator[tuple[GatewayClient, InMemorySpanExporter]]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    app = build_app(settings_for(sandbox), clock=fixed_clock(TEST_NOW), tracer_provider=provider)
    async with serving(app) as url, aiohttp.ClientSession() as http:
        yield GatewayClient(url, http), exporter


async def test_the_inbox_page_is_one_trace_from_the_caller_into_the_sources(
    traced: tuple[GatewayClient, InMemorySpanExporter], sandbox: Sandbox
) -> None:
    client, exporter = traced
    token = await client.token(KARI)
    sandbox.reset()
    exporter.clear()
    headers = {"Authorization": f"Bearer {token}", "traceparent": TRACEPARENT}
    async with client.http.post(
        f"{client.url}/graphql", json={"query": INBOX_PAGE, "variables": {"first": 20}}, headers=headers
    ) as resp:
        assert resp.status == 200 and "errors" not in await resp.json()
    finished = list(exporter.get_finished_spans())
    spans = [s for s in finished if format(s.context.trace_id, "032x") == TRACE_ID]
    # The app fetches its upstream tokens as it starts (Sources.warm_up), beside the first requests: a
    # fetch that ends while the page runs is a trace of its own, and nothing else is.
    assert {s.name for s in finished if s not in spans} <= {"POST maskinporten", "POST helseid"}

    # The tree: the caller's trace; POST /graphql; the operation; each upstream request under it.
    (server,) = [s for s in spans if s.kind is SpanKind.SERVER]
    assert server.name == "POST /graphql" and format(server.parent.span_id, "016x") == "00f067aa0ba902b7"
    assert server.attributes["http.response.status_code"] == 200
    (operation,) = [s for s in spans if s.name == "query InboxPage"]
    assert operation.parent.span_id == server.context.span_id
    assert dict(operation.attributes) == {"graphql.operation.type": "query", "graphql.operation.name": "InboxPage"}
    upstream = [s for s in spans if s.kind is SpanKind.CLIENT]
    assert upstream and all(s.parent.span_id == operation.context.span_id for s in upstream)
    sources = {s.attributes["gateway.source"] for s in upstream}
    assert sources == {"registry", "consent", "inbox", "contacts", "appointments"}
    # Folkeregisteret's bulk lookup is a POST (the ids in its body, never in the span); the rest GET.
    methods = {"registry": "POST"}
    assert all(
        s.name == f"{methods.get(s.attributes['gateway.source'], 'GET')} {s.attributes['gateway.source']}"
        for s in upstream
    )
    assert all(s.attributes["http.response.status_code"] == 200 for s in upstream)
    assert len(upstream) == sum(sandbox.control(name).total for name in sources)  # one span per request

    # The sources received the trace: each request's traceparent names it, and its own span.
    seen = [tp for name in sources for tp in sandbox.control(name).traceparents]
    assert len(seen) == len(upstream)
    assert {tp.split("-")[1] for tp in seen} == {TRACE_ID}
    assert {tp.split("-")[2] for tp in seen} == {format(s.context.span_id, "016x") for s in upstream}

    # No span names a person: no query strings (the ids), no variables, no document.
    for span in spans:
        assert not ELEVEN_DIGITS.search(span.name), span.name
        for key, value in span.attributes.items():
            assert not ELEVEN_DIGITS.search(str(value)), (span.name, key, value)
            assert "?" not in str(value) or key != "url.full", (span.name, key, value)


async def test_a_request_without_traceparent_starts_a_trace_and_its_id_is_in_the_access_line(
    traced: tuple[GatewayClient, InMemorySpanExporter], caplog: pytest.LogCaptureFixture
) -> None:
    client, exporter = traced
    with caplog.at_level("INFO", logger="gateway.access"):
        result = await client.execute("{ viewer { id } }", as_pid=KARI)
    assert result["data"]["viewer"]["id"] == KARI
    servers = [s for s in exporter.get_finished_spans() if s.kind is SpanKind.SERVER and s.name == "POST /graphql"]
    (server,) = servers
    assert server.parent is None
    lines = [r for r in caplog.records if getattr(r, "path", None) == "/graphql"]
    assert [r.trace_id for r in lines] == [format(server.context.trace_id, "032x")]  # type: ignore[attr-defined]


def test_tracing_is_off_unless_the_environment_configures_it(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_SDK_DISABLED"):
        monkeypatch.delenv(name, raising=False)
    assert provider_from_environment() is None
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318")
    provider = provider_from_environment()
    assert provider is not None and provider.resource.attributes["service.name"] == "health-gateway"
    provider.shutdown()
    monkeypatch.setenv("OTEL_SDK_DISABLED", "true")
    assert provider_from_environment() is None
