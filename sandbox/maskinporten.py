"""Maskinporten as the sandbox's registry trusts it: access tokens for a JWT-bearer grant (RFC 7523).

Digdir's Maskinporten issues an organisation's system an access token for a scope, in exchange for a
grant the system signs with a key registered with Maskinporten:

    POST {base}/maskinporten/token
         grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion=<the grant, a JWT>
      -> {"access_token": ..., "token_type": "Bearer", "expires_in": 120, "scope": ...}

The grant is checked as Maskinporten documents it: signed (RS256 or ES256) with the key registered for
its `iss` (the client id; `kid` picks among several), `aud` this issuer, `exp` at most 120 s after
`iat`, a `jti` never seen before (a replayed grant is refused), and a `scope` the client may have.
Refusals are OAuth's (`{"error": "invalid_grant", "error_description": ...}`, 400).

The access token is a JWT this issuer signs (ES256): `iss`, `client_id`, `scope`, `exp`; the registry
takes a call only with one that is valid for its scope (sandbox/registry.py). `rotate()` (or
`POST /_sandbox/maskinporten/rotate`) makes every token issued so far invalid, as an expired one is.
Clients are registered in the process (`register_client`) or over HTTP
(`POST /_sandbox/maskinporten/clients {"client_id", "jwk", "scopes"}`): a key from the gateway's
settings, never one in this repository.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jwt
from aiohttp import web
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from sandbox.params import json_response

# This issuer's path: its identifier (the grants' `aud`, the tokens' `iss`) is the base URL with it.
ISSUER_PATH = "/maskinporten/"
TOKEN_PATH = f"{ISSUER_PATH}token"
CLIENTS_PATH = "/_sandbox/maskinporten/clients"
TOKEN_ROUTE = f"POST {TOKEN_PATH}"
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
GRANT_ALGORITHMS = ("RS256", "ES256")
MAX_GRANT_LIFETIME_S = 120
TOKEN_LIFETIME_S = 120


@dataclass
class Client:
    keys: dict[str | None, jwt.PyJWK]  # by kid (None: the one key registered without one)
    scopes: frozenset[str]


@dataclass
class Maskinporten:
    """The issuer's state: its signing key, the registered clients, the grants already used."""

    clients: dict[str, Client] = field(default_factory=dict)
    seen_grants: set[str] = field(default_factory=set)
    _key: ec.EllipticCurvePrivateKey = field(default_factory=lambda: ec.generate_private_key(ec.SECP256R1()))
    tokens_issued: int = 0

    def register_client(self, client_id: str, jwk: dict[str, Any], scopes: Iterable[str]) -> None:
        client = self.clients.setdefault(client_id, Client({}, frozenset()))
        client.keys[jwk.get("kid")] = jwt.PyJWK.from_dict(jwk)
        client.scopes = client.scopes | frozenset(scopes)

    def new_client(self, client_id: str, scopes: Iterable[str], directory: Path) -> tuple[Path, str]:
        """A client made now, for a gateway run against this sandbox (the demo, tests, benchmarks): its
        private key written to a PEM file in `directory` (readable by its owner alone), its public key
        registered. Returns (the key file, the key's id)."""
        key = ec.generate_private_key(ec.SECP256R1())
        kid = secrets.token_hex(6)
        jwk = {**jwt.algorithms.ECAlgorithm.to_jwk(key.public_key(), as_dict=True), "kid": kid}
        self.register_client(client_id, jwk, scopes)
        path = directory / f"maskinporten-{kid}.pem"
        path.touch(mode=0o600)
        pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        path.write_bytes(pem)
        return path, kid

    def rotate(self) -> None:
        """A new signing key: every token issued so far fails verification, as an expired one does."""
        self._key = ec.generate_private_key(ec.SECP256R1())

    def issue(self, client_id: str, scope: str, issuer: str) -> str:
        now = int(time.time())
        self.tokens_issued += 1
        claims = {"iss": issuer, "client_id": client_id, "scope": scope, "iat": now, "exp": now + TOKEN_LIFETIME_S}
        return jwt.encode({**claims, "jti": secrets.token_hex(8)}, self._key, algorithm="ES256")

    def verify(self, token: str, issuer: str, scope: str) -> bool:
        """Whether `token` is one of this issuer's, unexpired, for `scope`."""
        try:
            claims = jwt.decode(
                token, self._key.public_key(), algorithms=["ES256"], issuer=issuer, options={"require": ["exp"]}
            )
        except jwt.PyJWTError:
            return False
        return scope in str(claims.get("scope", "")).split()

    def grant(self, assertion: str, issuer: str) -> tuple[str, str]:
        """(client id, scope) of a valid grant; raises ValueError saying what is wrong with it."""
        try:
            header = jwt.get_unverified_header(assertion)
            unverified = jwt.decode(assertion, options={"verify_signature": False})
        except jwt.PyJWTError as exc:
            raise ValueError("the assertion is not a JWT") from exc
        client = self.clients.get(str(unverified.get("iss")))
        if client is None:
            raise ValueError("unknown client")
        key = client.keys.get(header.get("kid")) or (client.keys.get(None) if len(client.keys) == 1 else None)
        if key is None:
            raise ValueError("no key of the client has this kid")
        try:
            claims = jwt.decode(
                assertion,
                key,
                algorithms=list(GRANT_ALGORITHMS),
                audience=issuer,
                options={"require": ["iss", "aud", "exp", "iat", "jti", "scope"]},
            )
        except jwt.PyJWTError as exc:
            raise ValueError(f"the grant is not valid: {type(exc).__name__}") from exc
        if claims["exp"] - claims["iat"] > MAX_GRANT_LIFETIME_S:
            raise ValueError(f"a grant may live at most {MAX_GRANT_LIFETIME_S} s")
        if claims["jti"] in self.seen_grants:
            raise ValueError("the grant was used before")
        scope = str(claims["scope"])
        if not set(scope.split()) <= client.scopes:
            raise ValueError("the client may not have this scope")
        self.seen_grants.add(claims["jti"])
        return str(claims["iss"]), scope


def client_key(directory: Path) -> tuple[Path, str, dict[str, Any]]:
    """A P-256 key made now: (its private half in a PEM file in `directory`, readable by its owner alone;
    its id; its public half as the JWK a client registers)."""
    key = ec.generate_private_key(ec.SECP256R1())
    kid = secrets.token_hex(6)
    path = directory / f"maskinporten-{kid}.pem"
    path.touch(mode=0o600)
    encoding, key_format = serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8
    path.write_bytes(key.private_bytes(encoding, key_format, serialization.NoEncryption()))
    return path, kid, {**jwt.algorithms.ECAlgorithm.to_jwk(key.public_key(), as_dict=True), "kid": kid}


MASKINPORTEN = web.AppKey("maskinporten", Maskinporten)


def issuer_of(request: web.Request) -> str:
    """This issuer's identifier, the `aud` of grants and the `iss` of tokens: its base URL."""
    return f"{request.url.origin()}{ISSUER_PATH}"


def _refused(description: str, error: str = "invalid_grant") -> web.Response:
    return json_response({"error": error, "error_description": description}, status=400)


async def token(request: web.Request) -> web.Response:
    form = await request.post()
    if form.get("grant_type") != JWT_BEARER:
        return _refused("grant_type must be urn:ietf:params:oauth:grant-type:jwt-bearer", "unsupported_grant_type")
    assertion = form.get("assertion")
    if not isinstance(assertion, str):
        return _refused("assertion is required", "invalid_request")
    maskinporten, issuer = request.app[MASKINPORTEN], issuer_of(request)
    try:
        client_id, scope = maskinporten.grant(assertion, issuer)
    except ValueError as exc:
        return _refused(str(exc))
    access_token = maskinporten.issue(client_id, scope, issuer)
    return json_response(
        {"access_token": access_token, "token_type": "Bearer", "expires_in": TOKEN_LIFETIME_S, "scope": scope}
    )


async def register(request: web.Request) -> web.Response:
    body = await request.json()
    try:
        request.app[MASKINPORTEN].register_client(str(body["client_id"]), dict(body["jwk"]), body["scopes"])
    except (KeyError, TypeError, ValueError, jwt.PyJWTError) as exc:
        return json_response({"error": f"not a client: {exc}"}, status=400)
    return json_response({"registered": body["client_id"]})


async def rotate(request: web.Request) -> web.Response:
    request.app[MASKINPORTEN].rotate()
    return json_response({"rotated": True})


def install(app: web.Application) -> Maskinporten:
    """Serve the issuer from `app` (the registry's), with its control endpoints."""
    app[MASKINPORTEN] = state = Maskinporten()
    app.router.add_post(TOKEN_PATH, token)
    app.router.add_post(CLIENTS_PATH, register)
    app.router.add_post("/_sandbox/maskinporten/rotate", rotate)
    return state
