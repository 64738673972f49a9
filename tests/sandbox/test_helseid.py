"""The sandbox's HelseID and the fullmakt source behind it: client credentials with a client assertion
(RFC 7523), tokens bound with DPoP (RFC 9449), HelseID's nonce, and every call's proof checked."""

from __future__ import annotations

import time
import uuid
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization

from gateway.sources.helseid import DpopKey
from sandbox import consent, helseid
from sandbox.seed import KARI

CLIENT = "test-client"
CONSENTS = f"/consents?ids={KARI}"


class Client:
    """A HelseID client of the app under test: its registered key, its DPoP key, HelseID's last nonce."""

    def __init__(self, http: Any, tmp_path: Path) -> None:
        self.http = http
        key_file, self.kid = http.server.app[helseid.HELSEID].new_client(CLIENT, [consent.SCOPE], tmp_path)
        assert key_file.stat().st_mode & 0o077 == 0  # the key is its owner's alone
        self.key = serialization.load_pem_private_key(key_file.read_bytes(), password=None)
        self.dpop = DpopKey()
        self.nonce: str | None = None

    def url(self, path: str) -> str:
        return str(self.http.make_url(path))

    def assertion(self, **changes: Any) -> str:
        now = int(time.time())
        claims = {"iss": CLIENT, "sub": CLIENT, "aud": self.url(helseid.ISSUER_PATH), "iat": now, "exp": now + 60}
        claims = {**claims, "jti": str(uuid.uuid4()), **changes}
        present = {k: v for k, v in claims.items() if v is not None}
        return jwt.encode(present, self.key, algorithm="ES256", headers={"kid": self.kid})

    async def exchange(self, assertion: str | None = None, proof: str | None = None, **form: str) -> tuple[int, Any]:
        data = {
            "grant_type": "client_credentials",
            "scope": consent.SCOPE,
            "client_assertion_type": helseid.CLIENT_ASSERTION,
            "client_assertion": assertion or self.assertion(),
            **form,
        }
        proof = proof or self.dpop.proof("POST", self.url(helseid.TOKEN_PATH), nonce=self.nonce)
        resp = await self.http.post(helseid.TOKEN_PATH, data=data, headers={"DPoP": proof})
        self.nonce = resp.headers.get("DPoP-Nonce", self.nonce)
        return resp.status, await resp.json()

    async def token(self) -> str:
        status, body = await self.exchange()
        if status == 400 and body["error"] == "use_dpop_nonce":
            status, body = await self.exchange()
        assert status == 200, body
        return str(body["access_token"])

    async def consents(self, headers: dict[str, str]) -> tuple[int, str]:
        resp = await self.http.get(CONSENTS, headers=headers)
        return resp.status, resp.headers.get("WWW-Authenticate", "")


async def _client(aiohttp_client: Any, tmp_path: Path) -> Client:
    return Client(await aiohttp_client(consent.create_app()), tmp_path)


async def test_a_token_is_given_after_helseid_s_nonce_and_bound_to_the_proof_s_key(
    aiohttp_client: Any, tmp_path: Path
) -> None:
    client = await _client(aiohttp_client, tmp_path)
    status, body = await client.exchange()
    assert (status, body["error"]) == (400, "use_dpop_nonce") and client.nonce
    status, body = await client.exchange()
    assert status == 200 and body["token_type"] == "DPoP" and body["scope"] == consent.SCOPE
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert claims["cnf"] == {"jkt": helseid.thumbprint(client.dpop.jwk)} and claims["aud"] == helseid.AUDIENCE
    token = body["access_token"]
    headers = {"Authorization": f"DPoP {token}", "DPoP": client.dpop.proof("GET", client.url(CONSENTS), token=token)}
    assert (await client.consents(headers))[0] == 200


async def test_token_requests_are_refused_as_helseid_refuses_them(aiohttp_client: Any, tmp_path: Path) -> None:
    client = await _client(aiohttp_client, tmp_path)
    await client.token()
    used = client.assertion()
    assert (await client.exchange(used))[0] == 200
    now = int(time.time())
    token_url = client.url(helseid.TOKEN_PATH)
    refused = {
        "a replayed assertion": ({"assertion": used}, "invalid_client"),
        "an assertion to another audience": (
            {"assertion": client.assertion(aud="https://helseid-sts.nhn.no")},
            "invalid_client",
        ),
        "an assertion whose sub is not its iss": ({"assertion": client.assertion(sub="someone")}, "invalid_client"),
        "an assertion without sub": ({"assertion": client.assertion(sub=None)}, "invalid_client"),
        "an expired assertion": ({"assertion": client.assertion(iat=now - 300, exp=now - 240)}, "invalid_client"),
        "a scope the client may not have": ({"scope": "nhn:kjernejournal/read"}, "invalid_scope"),
        "no client assertion type": ({"client_assertion_type": ""}, "invalid_client"),
        "another grant": ({"grant_type": "password"}, "unsupported_grant_type"),
        "a proof for another URL": (
            {"proof": client.dpop.proof("POST", client.url("/token"), nonce=client.nonce)},
            "invalid_dpop_proof",
        ),
        "a proof without the nonce": ({"proof": client.dpop.proof("POST", token_url)}, "use_dpop_nonce"),
        "no proof": ({"proof": "not-a-jwt"}, "invalid_dpop_proof"),
    }
    for what, (change, error) in refused.items():
        assertion, proof = change.pop("assertion", None), change.pop("proof", None)
        status, body = await client.exchange(assertion, proof, **change)
        assert (status, body["error"]) == (400, error), what


async def test_every_call_needs_a_bound_token_and_a_fresh_proof_of_itself(aiohttp_client: Any, tmp_path: Path) -> None:
    client = await _client(aiohttp_client, tmp_path)
    token, url = await client.token(), client.url(CONSENTS)
    good = client.dpop.proof("GET", url, token=token)
    assert await client.consents({"Authorization": f"DPoP {token}", "DPoP": good}) == (200, "")
    other_key = DpopKey()
    refused = {
        "no token": ({"Authorization": None}, "invalid_token"),
        "the token as a bearer token": ({"Authorization": f"Bearer {token}"}, "invalid_token"),
        "a replayed proof": ({"DPoP": good}, "invalid_dpop_proof"),
        "no proof": ({"DPoP": None}, "invalid_dpop_proof"),
        "a proof for another method": ({"DPoP": client.dpop.proof("POST", url, token=token)}, "invalid_dpop_proof"),
        "a proof for another URL": (
            {"DPoP": client.dpop.proof("GET", client.url("/proxies"), token=token)},
            "invalid_dpop_proof",
        ),
        "a proof for another token": ({"DPoP": client.dpop.proof("GET", url, token="other")}, "invalid_dpop_proof"),
        "a proof by another key": ({"DPoP": other_key.proof("GET", url, token=token)}, "invalid_dpop_proof"),
    }
    for what, (change, error) in refused.items():
        headers = {"Authorization": f"DPoP {token}", "DPoP": client.dpop.proof("GET", url, token=token), **change}
        status, challenge = await client.consents({k: v for k, v in headers.items() if v is not None})
        assert (status, f'error="{error}"' in challenge) == (401, True), what
    client.http.server.app[helseid.HELSEID].rotate()  # the token is void, as an expired one is
    status, challenge = await client.consents(
        {"Authorization": f"DPoP {token}", "DPoP": client.dpop.proof("GET", url, token=token)}
    )
    assert (status, 'error="invalid_token"' in challenge) == (401, True)


async def test_an_old_proof_is_refused(aiohttp_client: Any, tmp_path: Path, monkeypatch: Any) -> None:
    client = await _client(aiohttp_client, tmp_path)
    token, url = await client.token(), client.url(CONSENTS)
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() - helseid.PROOF_WINDOW_S - 5)
    old = client.dpop.proof("GET", url, token=token)
    monkeypatch.setattr(time, "time", real_time)
    status, challenge = await client.consents({"Authorization": f"DPoP {token}", "DPoP": old})
    assert (status, 'error="invalid_dpop_proof"' in challenge) == (401, True)
