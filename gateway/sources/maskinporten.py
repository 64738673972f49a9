"""Maskinporten access tokens, for the upstreams that take them (Folkeregisteret).

Digdir's JWT-bearer grant (RFC 7523): the gateway signs a grant with its own private key, registered
with Maskinporten under its client id (`GATEWAY_MASKINPORTEN_*`), and exchanges it for an access token
to the scope an upstream asks for:

    POST {token_url}   grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion=<grant>
    grant: {"aud": Maskinporten's issuer, "iss": client id, "scope", "iat", "exp": iat + 60 s, "jti"}
           signed RS256 or ES256, with `kid` when the key was registered with one

A token is kept until `REFRESH_BEFORE_S` before it expires, and one fetch serves every request that
needs it meanwhile (one in flight per scope, however many requests wait). An upstream that refuses a
token (401) has it dropped (`refused`), so that the next call fetches a fresh one; the caller retries
once. Neither the key nor a token ever reaches a log line or an error's text.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import aiohttp
import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from gateway.sources.errors import UpstreamUnavailable

if TYPE_CHECKING:
    from gateway.core.config import Settings

JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
GRANT_LIFETIME_S = 60
# A token this close to its end is not used: the call it goes with must arrive before it expires.
REFRESH_BEFORE_S = 10.0


@dataclass(frozen=True)
class _Token:
    value: str
    expires_at: float


class MaskinportenTokens:
    """Access tokens of one client, by scope."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        *,
        token_url: str,
        audience: str,
        client_id: str,
        key_file: Path,
        kid: str | None,
        timeout_s: float,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._session = session
        self._token_url = token_url
        self._audience = audience
        self._client_id = client_id
        self._key, self._algorithm = _signing_key(key_file)
        self._headers = {"kid": kid} if kid else None
        self._timeout = aiohttp.ClientTimeout(total=timeout_s)
        self._clock = clock
        self._tokens: dict[str, _Token] = {}
        self._fetching: dict[str, asyncio.Future[_Token]] = {}

    @classmethod
    def configured(
        cls, session: aiohttp.ClientSession, settings: Settings, clock: Callable[[], float] = time.time
    ) -> MaskinportenTokens | None:
        """The client `settings` configure (`GATEWAY_MASKINPORTEN_*`); None when they name no token URL."""
        if not (settings.maskinporten_token_url and settings.maskinporten_key_file):
            return None
        return cls(
            session,
            token_url=settings.maskinporten_token_url,
            audience=settings.maskinporten_issuer(),
            client_id=settings.maskinporten_client_id or "",
            key_file=settings.maskinporten_key_file,
            kid=settings.maskinporten_kid,
            timeout_s=settings.upstream_timeout_s,
            clock=clock,
        )

    async def token(self, scope: str, source: str) -> str:
        """A valid access token for `scope`; raises UpstreamUnavailable naming `source` when Maskinporten
        gives none (the source cannot be called without one)."""
        kept = self._tokens.get(scope)
        if kept is not None and kept.expires_at - REFRESH_BEFORE_S > self._clock():
            return kept.value
        fetching = self._fetching.get(scope)
        if fetching is None:
            fetching = self._fetching[scope] = asyncio.ensure_future(self._fetch(scope))
            fetching.add_done_callback(lambda done: self._fetched(scope, done))
        try:
            # shield: one waiter that is cancelled does not cancel the fetch the others wait for.
            fetched = await asyncio.shield(fetching)
        except (aiohttp.ClientError, TimeoutError, ValueError, KeyError, TypeError) as exc:
            raise UpstreamUnavailable(source, f"no Maskinporten token ({type(exc).__name__})") from None
        return fetched.value

    def _fetched(self, scope: str, done: asyncio.Future[_Token]) -> None:
        self._fetching.pop(scope, None)
        if not done.cancelled():
            done.exception()  # retrieved here: every waiter may have gone before it ended

    def refused(self, scope: str, token: str) -> None:
        """An upstream refused `token`: the next `token(scope)` fetches another."""
        kept = self._tokens.get(scope)
        if kept is not None and kept.value == token:
            del self._tokens[scope]

    async def _fetch(self, scope: str) -> _Token:
        now = self._clock()
        issued_at = int(time.time())  # Maskinporten's time, whatever clock judges the tokens kept
        grant = jwt.encode(
            {
                "aud": self._audience,
                "iss": self._client_id,
                "scope": scope,
                "iat": issued_at,
                "exp": issued_at + GRANT_LIFETIME_S,
                "jti": str(uuid.uuid4()),
            },
            self._key,
            algorithm=self._algorithm,
            headers=self._headers,
        )
        form = {"grant_type": JWT_BEARER, "assertion": grant}
        async with self._session.post(self._token_url, data=form, timeout=self._timeout) as resp:
            body = await resp.json(content_type=None)
            if not isinstance(body, dict):
                raise ValueError(f"Maskinporten answered {resp.status} with no JSON object")
            if resp.status != 200:
                # OAuth's error code only: its description may quote the grant.
                raise ValueError(f"Maskinporten answered {resp.status} {body.get('error', '')}".strip())
        token = _Token(str(body["access_token"]), now + float(body["expires_in"]))
        self._tokens[scope] = token
        return token


def _signing_key(key_file: Path) -> tuple[rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey, str]:
    """The client's private key (PEM, RSA or P-256) and the algorithm its grants are signed with."""
    key = serialization.load_pem_private_key(key_file.read_bytes(), password=None)
    if isinstance(key, rsa.RSAPrivateKey):
        return key, "RS256"
    if isinstance(key, ec.EllipticCurvePrivateKey) and isinstance(key.curve, ec.SECP256R1):
        return key, "ES256"
    raise ValueError("the Maskinporten key must be an RSA or a P-256 private key (PEM)")
