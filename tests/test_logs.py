"""The log format and its guards (gateway/logs.py); the whole process is read in e2e/test_log_privacy.py."""

from __future__ import annotations

import logging
import sys

import orjson
import pytest
from starlette.datastructures import Headers

from gateway.logs import JsonFormatter, redact, request_id, trace_id
from tests.support import GatewayClient

TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJwaWQiOiIxMjM0NTY3ODkwMSJ9.c2lnbmF0dXJl"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("person 12848510058 denied", "person [national-id] denied"),
        ("ids=12848510058,20821250162", "ids=[national-id],[national-id]"),
        ("a D-number 52848510058.", "a D-number [national-id]."),
        ("123456789012 has 12 digits", "123456789012 has 12 digits"),
        ("1284851005 has 10", "1284851005 has 10"),
        (f"token {TOKEN} seen", "token [token] seen"),
        ("Authorization: Bearer abc.def", "Authorization: Bearer [token]"),
    ],
)
def test_redact_masks_national_ids_and_tokens(text: str, expected: str) -> None:
    assert redact(text) == expected


def test_a_record_is_one_json_object_masked_in_message_fields_and_traceback() -> None:
    try:
        raise ValueError("no person 12848510058")
    except ValueError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed for %s", ("12848510058",), None)
        record.exc_info = sys.exc_info()
    record.path = "/graphql"
    record.status = 200
    entry = orjson.loads(JsonFormatter().format(record))
    assert entry["message"] == "failed for [national-id]" and entry["level"] == "error"
    assert "12848510058" not in entry["error"] and "ValueError" in entry["error"]
    assert (entry["path"], entry["status"]) == ("/graphql", 200)


@pytest.mark.parametrize(
    ("given", "kept"),
    [("abc-123", True), ("12848510058", False), ("a" * 129, False), ("has space", False), ("", False)],
)
def test_a_request_id_is_kept_only_when_it_names_no_one(given: str, kept: bool) -> None:
    made = request_id(Headers({"x-request-id": given}))
    assert (made == given) is kept and made


def test_a_request_id_the_gateway_makes_is_never_masked_in_its_own_line() -> None:
    made = {request_id(Headers({})) for _ in range(2000)}
    assert len(made) == 2000 and all(redact(rid) == rid for rid in made)


def test_the_trace_id_comes_from_a_w3c_traceparent() -> None:
    parent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    assert trace_id(Headers({"traceparent": parent})) == "4bf92f3577b34da6a3ce929d0e0e4736"
    assert trace_id(Headers({"traceparent": "nonsense"})) is None
    assert trace_id(Headers({})) is None


async def test_each_answer_carries_its_request_id(gateway: GatewayClient) -> None:
    async with gateway.http.get(f"{gateway.url}/healthz", headers={"X-Request-ID": "probe-1"}) as resp:
        assert resp.headers["X-Request-ID"] == "probe-1"
    async with gateway.http.get(f"{gateway.url}/healthz") as resp:
        assert len(resp.headers["X-Request-ID"]) == 32


async def test_a_get_with_a_national_id_in_its_variables_writes_an_access_line_without_it(
    gateway: GatewayClient, caplog: pytest.LogCaptureFixture
) -> None:
    token = await gateway.token("12848510058")
    params = {"query": "query Me($id: ID!) { person(id: $id) { id } }", "variables": '{"id": "12848510058"}'}
    headers = {"Authorization": f"Bearer {token}"}
    async with gateway.http.get(f"{gateway.url}/graphql", params=params, headers=headers) as resp:
        assert resp.status == 200
    (line,) = [r for r in caplog.records if r.name == "gateway.access" and getattr(r, "path", "") == "/graphql"]
    assert line.getMessage() == "GET /graphql 200" and line.operation == "Me"  # type: ignore[attr-defined]
