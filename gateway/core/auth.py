"""Who is calling: bearer JWTs (OIDC access tokens as from ID-porten) verified against a JWKS.

A person token carries `pid` (the viewer's national id) and `acr` (level of assurance); a
service token (client credentials) carries `client_id` and a `scope` with `person:read` and no
`pid`. In demo mode the gateway is its own issuer: `DemoIssuer` signs tokens and publishes its
key set, and verification goes through the very same code as for a remote JWKS.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

import aiohttp
import jwt
from cryptography.hazmat.primitives.asymmetric import ec

from gateway.policy.national_id import is_valid
from gateway.policy.vocabulary import Assurance

SERVICE_READ_SCOPE = "person:read"
ALGORITHMS = ["RS256", "ES256", "PS256"]


class PrincipalKind(Enum):
    ANONYMOUS = "ANONYMOUS"
    PERSON = "PERSON"
    SERVICE = "SERVICE"


@dataclass(frozen=True, slots=True)
class Principal:
    kind: PrincipalKind
    pid: str | None = None
    assurance: Assurance | None = None
    client_id: str | None = None
    scopes: frozenset[str] = field(default_factory=frozenset)
    # Why a presented token was not accepted; clients see it in the UNAUTHENTICATED message.
    problem: str | None = None
    # When the token stops being valid (epoch seconds); a live subscription ends then.
    expires_at: float | None = None


ANONYMOUS = Principal(PrincipalKind.ANONYMOUS)


class InvalidToken(Exception):
    pass


KeyLookup = Callable[[str | None], Awaitable[jwt.PyJWK]]


class RemoteJwks:
    """Keys from a JWKS URL, cached. An unknown `kid` fetches the set again (a rotated key), at most
    every `refresh_s`; after a failed fetch the next token tries again after `retry_s`, so logins
    work within seconds of the issuer coming back."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        url: str,
        timeout_s: float,
        *,
        refresh_s: float = 5.0,
        retry_s: float = 1.0,
    ) -> None:
        self._session, self._url = session, url
        self._timeout = aiohttp.ClientTimeout(total=timeout_s)
        self._refresh_s, self._retry_s = refresh_s, retry_s
        self._keys: dict[str | None, jwt.PyJWK] = {}
        self._fetched_at = float("-inf")  # the first token always fetches, however young the host
        self._failed = False
        self._lock = asyncio.Lock()

    def _missing(self, kid: str | None) -> bool:
        return kid not in self._keys if kid is not None else not self._keys

    def _due(self) -> bool:
        return time.monotonic() - self._fetched_at >= (self._retry_s if self._failed else self._refresh_s)

    async def __call__(self, kid: str | None) -> jwt.PyJWK:
        # While a fetch is under way, wait for it (a just-started process gets many tokens at once):
        # the others must not find the key set still empty.
        if self._missing(kid) and (self._lock.locked() or self._due()):
            async with self._lock:
                if self._missing(kid) and self._due():
                    await self._refresh()
        try:
            return self._keys[kid] if kid is not None else next(iter(self._keys.values()))
        except (KeyError, StopIteration) as exc:
            raise InvalidToken("token is signed with an unknown key") from exc

    async def ready(self) -> bool:
        """Whether tokens can be checked: the key set is at hand (fetched now when it is not, and due)."""
        if not self._keys and not self._lock.locked():
            async with self._lock:
                if not self._keys and self._due():
                    with contextlib.suppress(InvalidToken):
                        await self._refresh()
        return bool(self._keys)

    async def _refresh(self) -> None:
        self._fetched_at = time.monotonic()
        self._failed = True
        try:
            async with self._session.get(self._url, timeout=self._timeout) as resp:
                resp.raise_for_status()
                jwks = await resp.json(content_type=None)
            keys = jwt.PyJWKSet.from_dict(jwks).keys
        except (aiohttp.ClientError, TimeoutError, ValueError, jwt.PyJWTError) as exc:
            raise InvalidToken("the key set of the token issuer is unavailable") from exc
        self._keys = {key.key_id: key for key in keys}
        self._failed = False


class DemoIssuer:
    """Signs demo tokens with a key made at start-up; never used outside demo mode."""

    def __init__(self, issuer: str, audience: str) -> None:
        self.issuer, self.audience = issuer, audience
        self._private_key = ec.generate_private_key(ec.SECP256R1())
        self._kid = uuid.uuid4().hex[:16]
        public_jwk = jwt.algorithms.ECAlgorithm.to_jwk(self._private_key.public_key(), as_dict=True)
        self._public_jwk = {**public_jwk, "kid": self._kid, "use": "sig", "alg": "ES256"}
        self._public = jwt.PyJWK.from_dict(self._public_jwk)

    def jwks(self) -> dict[str, Any]:
        return {"keys": [self._public_jwk]}

    async def key(self, kid: str | None) -> jwt.PyJWK:
        if kid not in (None, self._kid):
            raise InvalidToken("token is signed with an unknown key")
        return self._public

    def issue(self, claims: Mapping[str, Any], ttl_s: int = 3600) -> str:
        now = int(time.time())
        payload = {
            "iss": self.issuer,
            "aud": self.audience,
            "iat": now,
            "nbf": now,
            "exp": now + ttl_s,
            "jti": uuid.uuid4().hex,
            **claims,
        }
        return jwt.encode(payload, self._private_key, algorithm="ES256", headers={"kid": self._kid})

    def person_token(self, pid: str, acr: str = Assurance.HIGH.value, ttl_s: int = 3600) -> str:
        return self.issue({"sub": pid, "pid": pid, "acr": acr, "scope": "openid"}, ttl_s)

    def service_token(self, client_id: str, scope: str = SERVICE_READ_SCOPE, ttl_s: int = 3600) -> str:
        return self.issue({"sub": client_id, "client_id": client_id, "scope": scope}, ttl_s)


class TokenVerifier:
    def __init__(self, keys: KeyLookup, issuer: str, audience: str, leeway_s: int) -> None:
        self._keys, self._issuer, self._audience, self._leeway = keys, issuer, audience, leeway_s

    async def principal(self, authorization: str | None) -> Principal:
        """The caller behind an Authorization header value; ANONYMOUS (with a problem) if none or bad."""
        if not authorization:
            return ANONYMOUS
        scheme, _, token = authorization.strip().partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return Principal(PrincipalKind.ANONYMOUS, problem="the Authorization header is not a Bearer token")
        try:
            return await self.verify(token.strip())
        except InvalidToken as exc:
            return Principal(PrincipalKind.ANONYMOUS, problem=str(exc))

    async def verify(self, token: str) -> Principal:
        try:
            header = jwt.get_unverified_header(token)
            key = await self._keys(header.get("kid"))
            claims = jwt.decode(
                token,
                key=key,
                algorithms=ALGORITHMS,
                audience=self._audience,
                issuer=self._issuer,
                leeway=self._leeway,
                options={"require": ["exp", "iss", "aud"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise InvalidToken("token has expired") from exc
        except jwt.PyJWTError as exc:
            raise InvalidToken("token is not valid") from exc
        return principal_of(claims)


def principal_of(claims: Mapping[str, Any]) -> Principal:
    scopes = frozenset(str(claims.get("scope") or "").split())
    expires_at = float(claims["exp"]) if isinstance(claims.get("exp"), int | float) else None
    pid = claims.get("pid")
    if pid is not None:
        if not isinstance(pid, str) or not is_valid(pid):
            raise InvalidToken("token has no valid pid")
        try:
            assurance = Assurance(claims.get("acr"))
        except ValueError as exc:
            raise InvalidToken("token has an unknown acr") from exc
        return Principal(PrincipalKind.PERSON, pid=pid, assurance=assurance, scopes=scopes, expires_at=expires_at)
    client_id = claims.get("client_id")
    if isinstance(client_id, str) and client_id:
        return Principal(PrincipalKind.SERVICE, client_id=client_id, scopes=scopes, expires_at=expires_at)
    raise InvalidToken("token names neither a person (pid) nor a client (client_id)")
