"""Maskinporten access tokens, for the upstreams that take them (Folkeregisteret).

Digdir's JWT-bearer grant (RFC 7523): the gateway signs a grant with its own private key, registered
with Maskinporten under its client id (`GATEWAY_MASKINPORTEN_*`), and exchanges it for an access token
to the scope an upstream asks for:

    POST {token_url}   grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion=<grant>
    grant: {"aud": Maskinporten's issuer, "iss": client id, "scope", "iat", "exp": iat + 60 s, "jti"}
           signed RS256 or ES256, with `kid` when the key was registered with one

Tokens are kept, shared and refreshed as sources/access_tokens.py says.
"""

from __future__ import annotations

from typing import Any

from gateway.sources.access_tokens import AccessTokens, token_answer

JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"


class MaskinportenTokens(AccessTokens):
    """Access tokens of one Maskinporten client (`GATEWAY_MASKINPORTEN_*`), by scope."""

    issuer_name = "Maskinporten"
    settings_prefix = "maskinporten"

    @staticmethod
    def default_audience(token_url: str) -> str:
        # Maskinporten's issuer is its token endpoint without the last segment: https://maskinporten.no/
        return token_url.rsplit("/", 1)[0] + "/"

    async def _fetch(self, scope: str) -> dict[str, Any]:
        grant = self._client.assertion(self._audience, iss=self._client.client_id, scope=scope)
        form = {"grant_type": JWT_BEARER, "assertion": grant}
        async with self._session.post(self._token_url, data=form, timeout=self._timeout) as resp:
            return await token_answer(resp, self.issuer_name)
