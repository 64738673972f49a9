"""Authentication, input validation and who-may-see-whom over HTTP."""

from __future__ import annotations

import pytest

from sandbox import Sandbox
from sandbox.seed import EMMA, KARI, PER
from tests.support import GatewayClient

UNKNOWN_BUT_VALID = "01018510193"  # passes the mod-11 check, is not in the registry


def _codes(result: dict) -> list[tuple[str, str | None]]:
    return [(e["extensions"]["code"], e["extensions"].get("reason")) for e in result.get("errors", [])]


async def test_without_a_token_data_fields_say_unauthenticated(gateway: GatewayClient, sandbox: Sandbox) -> None:
    result = await gateway.execute(f'{{ person(id: "{KARI}") {{ id }} }}')
    assert result["data"] == {"person": None}
    assert _codes(result) == [("UNAUTHENTICATED", None)]
    result = await gateway.execute("{ viewer { id } }")
    assert result["data"] is None and _codes(result) == [("UNAUTHENTICATED", None)]
    assert sandbox.total_requests() == dict.fromkeys(sandbox.apps, 0)


async def test_introspection_and_typename_need_no_token(gateway: GatewayClient) -> None:
    result = await gateway.execute("{ __typename __schema { queryType { name } } }")
    assert result == {"data": {"__typename": "Query", "__schema": {"queryType": {"name": "Query"}}}}


@pytest.mark.parametrize("query", ["{ viewer { id } }", "{ __typename }"])
@pytest.mark.parametrize(
    ("authorization", "problem"),
    [
        ("Bearer not.a.jwt", "token is not valid"),
        ("Basic a2FyaTpzZWNyZXQ=", "the Authorization header is not a Bearer token"),
    ],
)
async def test_a_token_that_is_not_accepted_is_a_401_for_every_operation(
    gateway: GatewayClient, query: str, authorization: str, problem: str
) -> None:
    """RFC 6750: refused with `WWW-Authenticate: Bearer error="invalid_token"`, never answered as anonymous
    (an expired token is refused the same way: tests/test_auth.py shows it has a problem)."""
    headers = {"Authorization": authorization, "Accept": "application/graphql-response+json"}
    async with gateway.http.post(f"{gateway.url}/graphql", json={"query": query}, headers=headers) as resp:
        body = await resp.json(content_type=None)
    assert resp.status == 401
    assert resp.headers["WWW-Authenticate"].startswith('Bearer error="invalid_token"')
    assert "data" not in body
    assert _codes(body) == [("UNAUTHENTICATED", None)]
    assert problem in body["errors"][0]["message"]


@pytest.mark.parametrize("bad_id", ["123", "12848510059", "abcdefghijk", "32138510058"])
async def test_malformed_ids_are_bad_input_before_any_upstream_call(
    gateway: GatewayClient, sandbox: Sandbox, bad_id: str
) -> None:
    token = await gateway.token(KARI)
    sandbox.reset()
    result = await gateway.execute("query($id: ID!) { person(id: $id) { id } }", {"id": bad_id}, token=token)
    assert result["data"] == {"person": None}
    assert _codes(result) == [("BAD_USER_INPUT", None)]
    assert "fødselsnummer" in result["errors"][0]["message"]
    assert sandbox.total_requests() == dict.fromkeys(sandbox.apps, 0)


async def test_a_stranger_and_a_non_existent_person_answer_alike(gateway: GatewayClient) -> None:
    token = await gateway.token(KARI)
    query = "query($id: ID!) { person(id: $id) { id name { full } } }"
    stranger = await gateway.execute(query, {"id": PER}, token=token)
    missing = await gateway.execute(query, {"id": UNKNOWN_BUT_VALID}, token=token)
    assert _codes(stranger) == _codes(missing) == [("FORBIDDEN", "NO_RELATION")]
    assert stranger["data"] == missing["data"] == {"person": None}
    assert stranger["errors"][0]["message"] == missing["errors"][0]["message"]


async def test_substantial_assurance_sees_only_who_they_are(gateway: GatewayClient) -> None:
    token = await gateway.token(KARI, "idporten-loa-substantial")
    result = await gateway.execute("{ viewer { id assurance } }", token=token)
    assert result == {"data": {"viewer": {"id": KARI, "assurance": "SUBSTANTIAL"}}}
    result = await gateway.execute("{ viewer { id person { id } } }", token=token)
    assert result["data"]["viewer"] == {"id": KARI, "person": None}
    assert _codes(result) == [("FORBIDDEN", "INSUFFICIENT_ASSURANCE")]


async def test_a_child_under_13_cannot_use_the_portal_as_themselves(gateway: GatewayClient) -> None:
    result = await gateway.execute("{ viewer { person { id } } }", as_pid=EMMA)
    assert _codes(result) == [("FORBIDDEN", "CHILD_AGE")]


async def test_viewer_lists_self_first_among_representations(gateway: GatewayClient) -> None:
    result = await gateway.execute(
        "{ viewer { id assurance representations { basis serviceAreas validTo person { id age } } } }", as_pid=KARI
    )
    viewer = result["data"]["viewer"]
    assert viewer["assurance"] == "HIGH"
    assert viewer["representations"][0] == {
        "basis": "SELF",
        "serviceAreas": ["REGISTERED_INFORMATION", "PATIENT_JOURNAL", "DIGITAL_HEALTH_SERVICES"],
        "validTo": None,
        "person": {"id": KARI, "age": 41},
    }


async def test_service_clients_get_no_health_data(gateway: GatewayClient) -> None:
    token = await gateway.service_token()
    result = await gateway.execute(f'{{ person(id: "{KARI}") {{ threads {{ totalCount }} }} }}', token=token)
    assert result["data"] == {"person": {"threads": None}}
    assert _codes(result) == [("FORBIDDEN", "SERVICE_SCOPE")]
