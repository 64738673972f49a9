"""The sandbox's Maskinporten: a JWT-bearer grant (RFC 7523) checked as Digdir documents it."""

from __future__ import annotations

import time
import uuid
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization

from sandbox import maskinporten, registry

CLIENT = "test-client"


async def _client_and_key(aiohttp_client: Any, tmp_path: Path) -> tuple[Any, Any, str]:
    app = registry.create_app()
    client = await aiohttp_client(app)
    key_file, kid = app[maskinporten.MASKINPORTEN].new_client(CLIENT, [registry.SCOPE], tmp_path)
    assert key_file.stat().st_mode & 0o077 == 0  # the key is its owner's alone
    key = serialization.load_pem_private_key(key_file.read_bytes(), password=None)
    return client, key, kid


def _grant(client: Any, key: Any, kid: str, **changes: Any) -> str:
    now = int(time.time())
    claims = {
        "aud": str(client.make_url(maskinporten.ISSUER_PATH)),
        "iss": CLIENT,
        "scope": registry.SCOPE,
        "iat": now,
        "exp": now + 60,
        "jti": str(uuid.uuid4()),
        **changes,
    }
    return jwt.encode({k: v for k, v in claims.items() if v is not None}, key, algorithm="ES256", headers={"kid": kid})


async def _exchange(client: Any, assertion: str, grant_type: str = maskinporten.JWT_BEARER) -> tuple[int, Any]:
    resp = await client.post(maskinporten.TOKEN_PATH, data={"grant_type": grant_type, "assertion": assertion})
    return resp.status, await resp.json()


async def test_a_valid_grant_gets_a_token_the_registry_takes(aiohttp_client: Any, tmp_path: Path) -> None:
    client, key, kid = await _client_and_key(aiohttp_client, tmp_path)
    status, body = await _exchange(client, _grant(client, key, kid))
    assert status == 200 and body["token_type"] == "Bearer" and body["scope"] == registry.SCOPE
    assert 0 < body["expires_in"] <= 120
    resp = await client.get(
        f"{registry.FREG_API}/personer/12848510058", headers={"Authorization": f"Bearer {body['access_token']}"}
    )
    assert resp.status == 200


async def test_grants_are_refused_as_maskinporten_refuses_them(aiohttp_client: Any, tmp_path: Path) -> None:
    client, key, kid = await _client_and_key(aiohttp_client, tmp_path)
    used = _grant(client, key, kid)
    assert (await _exchange(client, used))[0] == 200
    now = int(time.time())
    refused = {
        "replayed": used,
        "for another audience": _grant(client, key, kid, aud="https://maskinporten.no/"),
        "of an unknown client": _grant(client, key, kid, iss="someone-else"),
        "for a scope the client may not have": _grant(client, key, kid, scope="nhn:fullmakt/read"),
        "living longer than 120 s": _grant(client, key, kid, exp=now + 600),
        "expired": _grant(client, key, kid, iat=now - 300, exp=now - 240),
        "without a jti": _grant(client, key, kid, jti=None),
        "not a JWT": "not-a-jwt",
    }
    for what, assertion in refused.items():
        status, body = await _exchange(client, assertion)
        assert (status, body["error"]) == (400, "invalid_grant"), what
    status, body = await _exchange(client, _grant(client, key, kid), grant_type="client_credentials")
    assert (status, body["error"]) == (400, "unsupported_grant_type")


async def test_a_grant_signed_with_another_key_is_refused(aiohttp_client: Any, tmp_path: Path) -> None:
    client, _, kid = await _client_and_key(aiohttp_client, tmp_path)
    stranger = serialization.load_pem_private_key(
        client.server.app[maskinporten.MASKINPORTEN].new_client("other", [], tmp_path)[0].read_bytes(), password=None
    )
    status, body = await _exchange(client, _grant(client, stranger, kid))
    assert (status, body["error"]) == (400, "invalid_grant")
