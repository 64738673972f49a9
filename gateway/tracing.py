"""Traces (OpenTelemetry): off unless configured, and nothing in them that names a person.

The standard variables configure it, read by the SDK: `OTEL_EXPORTER_OTLP_ENDPOINT` (or
`OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) turns tracing on, exported by OTLP over HTTP; `OTEL_SERVICE_NAME`
(default `health-gateway`), `OTEL_RESOURCE_ATTRIBUTES`, `OTEL_TRACES_SAMPLER` and its argument, the
exporter's headers and timeouts; `OTEL_SDK_DISABLED=true` keeps it off.

The spans of a request:
- `ServerSpans`: one SERVER span per HTTP request or WebSocket connection ("POST /graphql"): method,
  path (never the query string), status. An incoming W3C `traceparent` is its parent.
- `operation_span`: one per GraphQL operation ("query Inbox"): the operation's name and type, never
  its document, variables or arguments. (Strawberry's OpenTelemetryExtension records every resolver's
  arguments, person ids among them, and a span per field: not used.)
- `upstream_trace_config`: one CLIENT span per upstream request, from the aiohttp client
  instrumentation: the source, method, status and the URL without its query (where the ids are); it
  sends `traceparent` upstream, so that the trace continues into the sources.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

import aiohttp
from opentelemetry import propagate, trace
from opentelemetry.trace import SpanKind, Status, StatusCode, Tracer
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from yarl import URL

from gateway.logs import redact

if TYPE_CHECKING:
    # The SDK, the exporter and the aiohttp instrumentation are imported only when tracing is on:
    # a gateway without traces does not hold them in memory (several MB of every worker).
    from opentelemetry.sdk.trace import TracerProvider

TRACER_NAME = "gateway"


def provider_from_environment() -> TracerProvider | None:
    """A provider exporting by OTLP over HTTP when the environment asks for traces, else None."""
    configured = os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT") or os.environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
    if not configured or os.environ.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return None
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import SERVICE_NAME, Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    # Resource.create reads OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES, which win over this default.
    resource = Resource.create({SERVICE_NAME: "health-gateway"} if "OTEL_SERVICE_NAME" not in os.environ else {})
    provider = TracerProvider(resource=resource)
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    return provider


def upstream_trace_config(provider: TracerProvider, base_urls: Mapping[str, str]) -> aiohttp.TraceConfig:
    """Spans of the upstream requests: named "<METHOD> <source>", the URL without its query."""
    from opentelemetry.instrumentation._semconv import _StabilityMode
    from opentelemetry.instrumentation.aiohttp_client import create_trace_config

    prefixes = sorted(((url.rstrip("/"), name) for name, url in base_urls.items()), key=lambda p: -len(p[0]))

    def without_query(url: URL) -> str:
        return redact(str(url.with_query(None).with_fragment(None)))

    def name_the_source(span: trace.Span, params: aiohttp.TraceRequestStartParams) -> None:
        url = str(params.url)
        source = next((name for prefix, name in prefixes if url.startswith(prefix)), "unknown")
        span.update_name(f"{params.method} {source}")
        span.set_attribute("gateway.source", source)

    # The stable HTTP conventions (http.response.status_code, url.full), as the server spans use; what
    # OTEL_SEMCONV_STABILITY_OPT_IN=http gives the instrumentor, which create_trace_config takes as an argument.
    return create_trace_config(
        url_filter=without_query,
        request_hook=name_the_source,
        tracer_provider=provider,
        sem_conv_opt_in_mode=_StabilityMode.HTTP,
    )


@contextlib.contextmanager
def operation_span(tracer: Tracer | None, operation_type: str, name: str | None) -> Iterator[None]:
    """The span of one GraphQL operation, a child of the request's; nothing when tracing is off."""
    if tracer is None:
        yield
        return
    attributes = {"graphql.operation.type": operation_type}
    if name:
        attributes["graphql.operation.name"] = name
    with tracer.start_as_current_span(f"{operation_type} {name or ''}".strip(), attributes=attributes):
        yield


class ServerSpans:
    """The SERVER span of each HTTP request and WebSocket connection, continuing the caller's trace;
    its trace id goes to the access line (`scope["state"]["trace_id"]`)."""

    def __init__(self, app: ASGIApp, tracer: Tracer) -> None:
        self.app = app
        self.tracer = tracer

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        carrier = {key.decode("latin-1"): value.decode("latin-1") for key, value in scope["headers"]}
        method = "WS" if scope["type"] == "websocket" else scope["method"]
        attributes: dict[str, Any] = {"http.request.method": method, "url.path": scope["path"]}
        with self.tracer.start_as_current_span(
            f"{method} {scope['path']}", context=propagate.extract(carrier), kind=SpanKind.SERVER, attributes=attributes
        ) as span:
            scope.setdefault("state", {})["trace_id"] = format(span.get_span_context().trace_id, "032x")

            async def send_noting_status(message: Message) -> None:
                if message["type"] == "http.response.start":
                    span.set_attribute("http.response.status_code", message["status"])
                    if message["status"] >= 500:
                        span.set_status(Status(StatusCode.ERROR))
                await send(message)

            await self.app(scope, receive, send_noting_status)
