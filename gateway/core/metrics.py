"""Prometheus metrics: one registry for the process, served at /metrics."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

REGISTRY = CollectorRegistry(auto_describe=True)

GRAPHQL_REQUESTS = Counter(
    "gateway_graphql_requests",
    "GraphQL operations executed, by operation type and outcome (ok, error).",
    ["operation", "outcome"],
    registry=REGISTRY,
)
GRAPHQL_LATENCY = Histogram(
    "gateway_graphql_request_seconds",
    "Time to execute one GraphQL operation.",
    ["operation"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
    registry=REGISTRY,
)
UPSTREAM_REQUESTS = Counter(
    "gateway_upstream_requests",
    "HTTP requests to upstream sources, by source and outcome (ok, status, unavailable, circuit_open).",
    ["source", "outcome"],
    registry=REGISTRY,
)
UPSTREAM_LATENCY = Histogram(
    "gateway_upstream_request_seconds",
    "Time of one upstream HTTP request.",
    ["source"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
    registry=REGISTRY,
)
INBOX_EVENTS_DROPPED = Counter(
    "gateway_inbox_events_dropped",
    "Inbox events not delivered: not published (Redis unavailable), or a subscriber too slow to take them.",
    ["stage"],
    registry=REGISTRY,
)
OPERATIONS_SHED = Counter(
    "gateway_operations_shed",
    "GraphQL requests answered 503 at once because the process had as many in flight as it may.",
    registry=REGISTRY,
)
UPSTREAM_CIRCUIT_OPEN = Gauge(
    "gateway_upstream_circuit_open",
    "1 while a source's circuit breaker is open or probing (requests to it fail at once), else 0.",
    ["source"],
    registry=REGISTRY,
)
