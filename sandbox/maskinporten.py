"""Maskinporten as the sandbox's registry trusts it: access tokens for a JWT-bearer grant (RFC 7523).

Digdir's Maskinporten issues an organisation's system an access token for a scope, in exchange for a
grant the system signs with a key registered with Maskinporten:

    POST {base}/maskinporten/token
         grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion=<the grant, a JWT>
      -> {"access_token": ..., "token_type": "Bearer", "expires_in": 120, "scope": ...}

The grant is checked as sandbox/oauth.py says, and must name a `scope` the client may have. Refusals
are OAuth's (`{"error": "invalid_grant", "error_description": ...}`, 400).

The access token is a JWT this issuer signs (ES256): `iss`, `client_id`, `scope`, `exp`; the registry
takes a call only with one that is valid for its scope (sandbox/registry.py). `rotate()` (or
`POST /_sandbox/maskinporten/rotate`) makes every token issued so far invalid, as an expired one is.
Clients are registered with `POST /_sandbox/maskinporten/clients {"client_id", "jwk", "scopes"}`.
"""

from __future__ import annotations

from aiohttp import web

from sandbox.oauth import TOKEN_LIFETIME_S, Issuer, install_issuer, oauth_error
from sandbox.params import json_response

# This issuer's path: its identifier (the grants' `aud`, the tokens' `iss`) is the base URL with it.
ISSUER_PATH = "/maskinporten/"
TOKEN_PATH = f"{ISSUER_PATH}token"
CLIENTS_PATH = "/_sandbox/maskinporten/clients"
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"

MASKINPORTEN = web.AppKey("maskinporten", Issuer)


def issuer_of(request: web.Request) -> str:
    """This issuer's identifier, the `aud` of grants and the `iss` of tokens: its base URL."""
    return f"{request.url.origin()}{ISSUER_PATH}"


def grant(maskinporten: Issuer, assertion: str, issuer: str) -> tuple[str, str]:
    """(client id, scope) of a valid grant; raises ValueError saying what is wrong with it."""
    client, claims = maskinporten.client_assertion(assertion, issuer, require=["scope"])
    scope = str(claims["scope"])
    if not set(scope.split()) <= client.scopes:
        raise ValueError("the client may not have this scope")
    return str(claims["iss"]), scope


async def token(request: web.Request) -> web.Response:
    form = await request.post()
    if form.get("grant_type") != JWT_BEARER:
        return oauth_error("grant_type must be urn:ietf:params:oauth:grant-type:jwt-bearer", "unsupported_grant_type")
    assertion = form.get("assertion")
    if not isinstance(assertion, str):
        return oauth_error("assertion is required", "invalid_request")
    maskinporten, issuer = request.app[MASKINPORTEN], issuer_of(request)
    try:
        client_id, scope = grant(maskinporten, assertion, issuer)
    except ValueError as exc:
        return oauth_error(str(exc))
    access_token = maskinporten.issue(client_id, scope, issuer)
    return json_response(
        {"access_token": access_token, "token_type": "Bearer", "expires_in": TOKEN_LIFETIME_S, "scope": scope}
    )


def install(app: web.Application) -> Issuer:
    """Serve the issuer from `app` (the registry's), with its control endpoints."""
    state = Issuer("maskinporten")
    install_issuer(app, MASKINPORTEN, state, CLIENTS_PATH)
    app.router.add_post(TOKEN_PATH, token)
    return state
