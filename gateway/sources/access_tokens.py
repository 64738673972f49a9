"""Access tokens that upstreams take, from the issuers that give them: what Maskinporten's client
(sources/maskinporten.py) and HelseID's (sources/helseid.py) have alike.

A client signs its requests to the issuer with its own private key, registered with the issuer under
its client id (`ClientKey`). A token is kept until `REFRESH_BEFORE_S` before it expires, and one fetch
serves every request that needs it meanwhile (one in flight per scope, however many requests wait). An
upstream that refuses a token (401) has it dropped (`refused`), so that the next call fetches a fresh
one; the caller retries once. Neither a key nor a token ever reaches a log line or an error's text.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

import aiohttp
import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from yarl import URL

from gateway.sources.errors import SourceError, UpstreamUnavailable
from gateway.sources.http import Answer, JsonHttp, JsonObject

if TYPE_CHECKING:
    from gateway.core.config import Settings

log = logging.getLogger(__name__)

# A token this close to its end is not used: the call it goes with must arrive before it expires.
REFRESH_BEFORE_S = 10.0
# How long a signed request to the issuer (a grant, a client assertion) is valid.
ASSERTION_LIFETIME_S = 60


@dataclass(frozen=True)
class Token:
    value: str
    expires_at: float


class IssuerRefused(ValueError):
    """The issuer answered with no token. `error` is OAuth's error code; its description is never
    kept (it may quote what was sent)."""

    def __init__(self, message: str, error: str = "") -> None:
        super().__init__(message)
        self.error = error


class ClientKey:
    """A client's private key (PEM, RSA or P-256), registered with an issuer under `client_id`, and
    `kid` when it was registered with one: it signs the client's assertions to that issuer."""

    def __init__(self, client_id: str, key_file: Path, kid: str | None, what: str) -> None:
        self.client_id = client_id
        key = serialization.load_pem_private_key(key_file.read_bytes(), password=None)
        if isinstance(key, rsa.RSAPrivateKey):
            self.algorithm = "RS256"
        elif isinstance(key, ec.EllipticCurvePrivateKey) and isinstance(key.curve, ec.SECP256R1):
            self.algorithm = "ES256"
        else:
            raise ValueError(f"the {what} key must be an RSA or a P-256 private key (PEM)")
        self._key = key
        self._headers = {"kid": kid} if kid else None

    def assertion(self, audience: str, **claims: Any) -> str:
        """A JWT to `audience` with `claims`, issued now, valid ASSERTION_LIFETIME_S, with a fresh `jti`."""
        issued_at = int(time.time())  # the issuer's time, whatever clock judges the tokens kept
        claims = {"aud": audience, "iat": issued_at, "exp": issued_at + ASSERTION_LIFETIME_S, **claims}
        claims["jti"] = str(uuid.uuid4())
        return jwt.encode(claims, self._key, algorithm=self.algorithm, headers=self._headers)


async def token_answer(resp: aiohttp.ClientResponse, issuer: str) -> dict[str, Any]:
    """A token endpoint's answer as its JSON object; IssuerRefused unless it is a 200 with one."""
    body = await resp.json(content_type=None)
    if not isinstance(body, dict):
        raise IssuerRefused(f"{issuer} answered {resp.status} with no JSON object")
    if resp.status != 200:
        error = str(body.get("error", ""))
        raise IssuerRefused(f"{issuer} answered {resp.status} {error}".strip(), error)
    return body


class AccessTokens(ABC):
    """Access tokens of one client of one issuer, by scope; a subclass says how one is fetched.

    `configured` makes one from the settings named `{settings_prefix}_*`: the token endpoint, the
    issuer (the `aud` of the client's assertions; default: `default_audience` of the token URL), the
    client id, its private key's file and the key's id.
    """

    issuer_name: str  # how errors name the issuer: "Maskinporten", "HelseID"
    settings_prefix: str  # "maskinporten", "helseid"

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
        self._client = ClientKey(client_id, key_file, kid, self.issuer_name)
        self._timeout = aiohttp.ClientTimeout(total=timeout_s)
        self._clock = clock
        self._tokens: dict[str, Token] = {}
        self._fetching: dict[str, asyncio.Future[Token]] = {}

    @classmethod
    def configured(
        cls, session: aiohttp.ClientSession, settings: Settings, clock: Callable[[], float] = time.time
    ) -> Self | None:
        """The client `settings` configure; None when they name no token URL (or no key)."""
        prefix = cls.settings_prefix
        token_url, key_file = getattr(settings, f"{prefix}_token_url"), getattr(settings, f"{prefix}_key_file")
        if not (token_url and key_file):
            return None
        return cls(
            session,
            token_url=token_url,
            audience=getattr(settings, f"{prefix}_audience") or cls.default_audience(token_url),
            client_id=getattr(settings, f"{prefix}_client_id") or "",
            key_file=key_file,
            kid=getattr(settings, f"{prefix}_kid"),
            timeout_s=settings.upstream_timeout_s,
            clock=clock,
        )

    @staticmethod
    @abstractmethod
    def default_audience(token_url: str) -> str:
        """The issuer's identifier when the settings name none, from its token endpoint's URL."""

    async def token(self, scope: str, source: str) -> str:
        """A valid access token for `scope`; raises UpstreamUnavailable naming `source` when the issuer
        gives none (the source cannot be called without one)."""
        kept = self._tokens.get(scope)
        if kept is not None and kept.expires_at - REFRESH_BEFORE_S > self._clock():
            return kept.value
        fetching = self._fetching.get(scope)
        if fetching is None:
            fetching = self._fetching[scope] = asyncio.ensure_future(self._fetch_and_keep(scope))
            fetching.add_done_callback(lambda done: self._fetched(scope, done))
        try:
            # shield: one waiter that is cancelled does not cancel the fetch the others wait for.
            fetched = await asyncio.shield(fetching)
        except (aiohttp.ClientError, TimeoutError, ValueError, KeyError, TypeError) as exc:
            raise UpstreamUnavailable(source, f"no {self.issuer_name} token ({type(exc).__name__})") from None
        return fetched.value

    def headers(self, method: str, url: URL, token: str) -> dict[str, str]:
        """What a call of `method` to `url` carries to present `token`: a bearer token by default."""
        return {"Authorization": f"Bearer {token}"}

    def refused(self, scope: str, token: str) -> None:
        """An upstream refused `token`: the next `token(scope)` fetches another."""
        kept = self._tokens.get(scope)
        if kept is not None and kept.value == token:
            del self._tokens[scope]

    def _fetched(self, scope: str, done: asyncio.Future[Token]) -> None:
        self._fetching.pop(scope, None)
        if not done.cancelled():
            done.exception()  # retrieved here: every waiter may have gone before it ended

    async def _fetch_and_keep(self, scope: str) -> Token:
        asked_at = self._clock()
        body = await self._fetch(scope)
        token = self._tokens[scope] = Token(str(body["access_token"]), asked_at + float(body["expires_in"]))
        return token

    @abstractmethod
    async def _fetch(self, scope: str) -> dict[str, Any]:
        """The issuer's token answer for `scope` (`access_token`, `expires_in`), or an error raised."""


async def exchange_with_token(
    http: JsonHttp,
    tokens: AccessTokens | None,
    scope: str,
    method: str,
    url: URL,
    *,
    params: Mapping[str, str] | None = None,
    json: Any = None,
) -> Answer[JsonObject]:
    """`http.exchange` with an access token for `scope` (none when `tokens` is None). A 401 has the
    token dropped and the call made once more with a fresh one, never more: it expired early, or was
    revoked."""
    if tokens is None:
        return await http.exchange(method, url, params=params, json=json)
    token = await tokens.token(scope, http.source)
    answer = await http.exchange(method, url, params=params, json=json, headers=tokens.headers(method, url, token))
    if answer.status == 401:
        tokens.refused(scope, token)
        token = await tokens.token(scope, http.source)
        answer = await http.exchange(method, url, params=params, json=json, headers=tokens.headers(method, url, token))
    return answer


async def warm_up(tokens: AccessTokens | None, scope: str, source: str) -> None:
    """Fetch `source`'s token now, before a request waits for it; without one, say so, and leave it to
    the first call."""
    if tokens is None:
        return
    try:
        await tokens.token(scope, source)
    except SourceError as exc:
        log.warning("%s: no %s token at start (%s); the first call asks again", source, tokens.issuer_name, exc.detail)
