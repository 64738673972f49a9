"""HelseID access tokens bound with DPoP (RFC 9449), for the upstreams that take them (the fullmakt
source: Norsk helsenett's Fullmakt API, scope `nhn:fullmakt/read`).

The client credentials grant, with the client authenticated by a JWT signed with its own private key
(RFC 7523 section 2.2, HelseID's "private_key_jwt"), registered with HelseID under its client id
(`GATEWAY_HELSEID_*`):

    POST {token_url}   grant_type=client_credentials&scope=...
                       &client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer
                       &client_assertion=<{"iss" = "sub": client id, "aud": HelseID's issuer, ...}>
    DPoP: <a proof for POST {token_url}>

HelseID binds the token to the key of the proof (its `cnf.jkt`), and asks for a nonce first: it
answers 400 `use_dpop_nonce` with a `DPoP-Nonce` header, and the client sends its proof again with that
nonce. Every call to the upstream then carries the token and a proof of its own (`headers`): the method,
the URL without its query, the token's hash (`ath`), a `jti` never used before. A stolen token is of
no use without the key, which is made when the gateway starts and never leaves its memory.

Tokens are kept, shared and refreshed as sources/access_tokens.py says.
"""

from __future__ import annotations

import base64
import hashlib
import time
import uuid
from typing import Any

import aiohttp
import jwt
from cryptography.hazmat.primitives.asymmetric import ec
from yarl import URL

from gateway.sources.access_tokens import AccessTokens, IssuerRefused, token_answer

CLIENT_ASSERTION = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
USE_DPOP_NONCE = "use_dpop_nonce"


def sha256_b64url(raw: bytes) -> str:
    """SHA-256 of `raw`, base64url without padding: how DPoP writes a hash (RFC 9449, RFC 7638)."""
    return base64.urlsafe_b64encode(hashlib.sha256(raw).digest()).rstrip(b"=").decode("ascii")


def token_hash(token: str) -> str:
    """A proof's `ath`: the hash of the access token it goes with (RFC 9449 section 4.2)."""
    return sha256_b64url(token.encode("ascii"))


class DpopKey:
    """The key a client proves possession of, and the proofs it signs (RFC 9449 section 4)."""

    def __init__(self) -> None:
        self._key = ec.generate_private_key(ec.SECP256R1())
        self.jwk: dict[str, Any] = jwt.algorithms.ECAlgorithm.to_jwk(self._key.public_key(), as_dict=True)
        self._header = {"typ": "dpop+jwt", "jwk": self.jwk}

    def proof(self, method: str, url: URL | str, *, token: str | None = None, nonce: str | None = None) -> str:
        """A proof for one request: `method` to `url` (its query and fragment are left out), with the
        hash of the access token it goes with, and the server's nonce when it asked for one."""
        target = URL(url) if isinstance(url, str) else url
        claims: dict[str, Any] = {
            "jti": uuid.uuid4().hex,
            "htm": method,
            "htu": str(target.with_query(None).with_fragment(None)),
            "iat": int(time.time()),
        }
        if token is not None:
            claims["ath"] = token_hash(token)
        if nonce is not None:
            claims["nonce"] = nonce
        return jwt.encode(claims, self._key, algorithm="ES256", headers=self._header)


class HelseIdTokens(AccessTokens):
    """DPoP-bound access tokens of one HelseID client (`GATEWAY_HELSEID_*`), by scope, and the headers
    that use them."""

    issuer_name = "HelseID"
    settings_prefix = "helseid"

    def __init__(self, session: aiohttp.ClientSession, **client: Any) -> None:
        super().__init__(session, **client)
        self._dpop = DpopKey()
        self._nonce: str | None = None  # HelseID's latest, sent with the next proof to it

    @staticmethod
    def default_audience(token_url: str) -> str:
        # HelseID's issuer is its token endpoint without the path: https://helseid-sts.nhn.no
        return token_url.removesuffix("/connect/token")

    def headers(self, method: str, url: URL, token: str) -> dict[str, str]:
        """The token, and a proof of this call alone."""
        return {"Authorization": f"DPoP {token}", "DPoP": self._dpop.proof(method, url, token=token)}

    async def _fetch(self, scope: str) -> dict[str, Any]:
        client_id = self._client.client_id
        for _ in range(2):  # the second time with the nonce HelseID asked for
            form = {
                "grant_type": "client_credentials",
                "scope": scope,
                "client_assertion_type": CLIENT_ASSERTION,
                # A fresh assertion each time: HelseID takes each `jti` once.
                "client_assertion": self._client.assertion(self._audience, iss=client_id, sub=client_id),
            }
            proof = self._dpop.proof("POST", self._token_url, nonce=self._nonce)
            async with self._session.post(
                self._token_url, data=form, headers={"DPoP": proof}, timeout=self._timeout
            ) as resp:
                if "DPoP-Nonce" in resp.headers:
                    self._nonce = resp.headers["DPoP-Nonce"]
                try:
                    return await token_answer(resp, self.issuer_name)
                except IssuerRefused as refused:
                    if refused.error != USE_DPOP_NONCE or "DPoP-Nonce" not in resp.headers:
                        raise
        raise IssuerRefused(f"{self.issuer_name} asked for a DPoP nonce twice")
