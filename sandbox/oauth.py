"""What the sandbox's two token issuers, Maskinporten (sandbox/maskinporten.py) and HelseID
(sandbox/helseid.py), have alike: clients registered with their public keys, the JWTs those clients
sign to the issuer, and the access tokens the issuer signs.

A client's JWT is checked as both issuers document it: signed (RS256 or ES256) with a key registered
for its `iss` (the client id; `kid` picks among several), `aud` this issuer, `exp` at most
`MAX_ASSERTION_LIFETIME_S` after `iat`, and a `jti` never seen before (a replayed one is refused).
Clients are registered in the process (`register_client`, `new_client`) or over HTTP (`register`):
a key made at run time, never one in this repository.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import jwt
from aiohttp import web
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from sandbox.params import json_response

IssuerT = TypeVar("IssuerT", bound="Issuer")
CLIENT_ALGORITHMS = ("RS256", "ES256")
MAX_ASSERTION_LIFETIME_S = 120
TOKEN_LIFETIME_S = 120


@dataclass
class Client:
    keys: dict[str | None, jwt.PyJWK]  # by kid (None: the one key registered without one)
    scopes: frozenset[str]


def client_key(directory: Path, prefix: str) -> tuple[Path, str, dict[str, Any]]:
    """A P-256 key made now: (its private half in a PEM file in `directory`, readable by its owner alone;
    its id; its public half as the JWK a client registers)."""
    key = ec.generate_private_key(ec.SECP256R1())
    kid = secrets.token_hex(6)
    path = directory / f"{prefix}-{kid}.pem"
    path.touch(mode=0o600)
    encoding, key_format = serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8
    path.write_bytes(key.private_bytes(encoding, key_format, serialization.NoEncryption()))
    return path, kid, {**jwt.algorithms.ECAlgorithm.to_jwk(key.public_key(), as_dict=True), "kid": kid}


@dataclass
class Issuer:
    """An issuer's state: its signing key, the registered clients, the client JWTs already used."""

    name: str  # "maskinporten", "helseid": the prefix of its clients' key files
    clients: dict[str, Client] = field(default_factory=dict)
    seen_assertions: set[str] = field(default_factory=set)
    _key: ec.EllipticCurvePrivateKey = field(default_factory=lambda: ec.generate_private_key(ec.SECP256R1()))
    tokens_issued: int = 0

    def register_client(self, client_id: str, jwk: dict[str, Any], scopes: Iterable[str]) -> None:
        client = self.clients.setdefault(client_id, Client({}, frozenset()))
        client.keys[jwk.get("kid")] = jwt.PyJWK.from_dict(jwk)
        client.scopes = client.scopes | frozenset(scopes)

    def new_client(self, client_id: str, scopes: Iterable[str], directory: Path) -> tuple[Path, str]:
        """A client made now, for a gateway run against this sandbox (the demo, tests, benchmarks): its
        private key written to a PEM file in `directory`, its public key registered. Returns (the key
        file, the key's id)."""
        path, kid, jwk = client_key(directory, self.name)
        self.register_client(client_id, jwk, scopes)
        return path, kid

    def rotate(self) -> None:
        """A new signing key: every token issued so far fails verification, as an expired one does."""
        self._key = ec.generate_private_key(ec.SECP256R1())

    def issue(self, client_id: str, scope: str, issuer: str, **claims: Any) -> str:
        now = int(time.time())
        self.tokens_issued += 1
        claims = {
            "iss": issuer,
            "client_id": client_id,
            "scope": scope,
            "iat": now,
            "exp": now + TOKEN_LIFETIME_S,
            **claims,
        }
        return jwt.encode({**claims, "jti": secrets.token_hex(8)}, self._key, algorithm="ES256")

    def verify(self, token: str, issuer: str, scope: str, audience: str | None = None) -> dict[str, Any] | None:
        """The claims of `token` when it is one of this issuer's, unexpired, for `scope` (and `audience`,
        when tokens name one); else None."""
        try:
            claims = jwt.decode(
                token,
                self._key.public_key(),
                algorithms=["ES256"],
                issuer=issuer,
                audience=audience,
                options={"require": ["exp", *(["aud"] if audience else [])]},
            )
        except jwt.PyJWTError:
            return None
        return claims if scope in str(claims.get("scope", "")).split() else None

    def client_assertion(self, assertion: str, issuer: str, require: Iterable[str]) -> tuple[Client, dict[str, Any]]:
        """(the client, the claims) of a valid JWT a client signed to this issuer; raises ValueError
        saying what is wrong with it."""
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
                algorithms=list(CLIENT_ALGORITHMS),
                audience=issuer,
                options={"require": ["iss", "aud", "exp", "iat", "jti", *require]},
            )
        except jwt.PyJWTError as exc:
            raise ValueError(f"the assertion is not valid: {type(exc).__name__}") from exc
        if claims["exp"] - claims["iat"] > MAX_ASSERTION_LIFETIME_S:
            raise ValueError(f"an assertion may live at most {MAX_ASSERTION_LIFETIME_S} s")
        if claims["jti"] in self.seen_assertions:
            raise ValueError("the assertion was used before")
        self.seen_assertions.add(claims["jti"])
        return client, claims


def oauth_error(description: str, error: str = "invalid_grant", headers: dict[str, str] | None = None) -> web.Response:
    return json_response({"error": error, "error_description": description}, status=400, headers=headers)


def install_issuer(app: web.Application, key: web.AppKey[IssuerT], issuer: IssuerT, clients_path: str) -> None:
    """Keep `issuer` in `app` under `key`, with its control endpoints: `POST {clients_path}`
    `{"client_id", "jwk", "scopes"}` registers a client, `POST {clients_path}/../rotate` voids every token."""

    async def register(request: web.Request) -> web.Response:
        body = await request.json()
        try:
            request.app[key].register_client(str(body["client_id"]), dict(body["jwk"]), body["scopes"])
        except (KeyError, TypeError, ValueError, jwt.PyJWTError) as exc:
            return json_response({"error": f"not a client: {exc}"}, status=400)
        return json_response({"registered": body["client_id"]})

    async def rotate(request: web.Request) -> web.Response:
        request.app[key].rotate()
        return json_response({"rotated": True})

    app[key] = issuer
    app.router.add_post(clients_path, register)
    app.router.add_post(clients_path.rsplit("/", 1)[0] + "/rotate", rotate)
