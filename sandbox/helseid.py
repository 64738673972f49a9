"""HelseID as the sandbox's fullmakt source trusts it: access tokens bound with DPoP (RFC 9449) for the
client credentials grant, the client authenticated by a JWT it signs (RFC 7523 section 2.2).

Norsk helsenett's HelseID issues a system an access token for a scope; its Fullmakt API takes only a
token bound to a key the caller proves it holds, call by call:

    POST {base}/helseid/connect/token   DPoP: <proof for this POST>
         grant_type=client_credentials&scope=nhn:fullmakt/read
         &client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer
         &client_assertion=<{"iss" = "sub": client id, "aud": this issuer, ...}>
      -> {"access_token": ..., "token_type": "DPoP", "expires_in": 120, "scope": ...}

As HelseID does, the token endpoint wants the server's nonce in the proof: without it (or with an old
one) it answers 400 `use_dpop_nonce` and the nonce in a `DPoP-Nonce` header. The client assertion is
checked as sandbox/oauth.py says. The token is a JWT this issuer signs, with `cnf.jkt`, the thumbprint
(RFC 7638) of the proof's key.

A call to the fullmakt source (`refusal`) carries `Authorization: DPoP <token>` and a `DPoP` proof of
that call: signed by the key the token is bound to, `htm` and `htu` the call's method and URL without
its query, `iat` within `PROOF_WINDOW_S` of now, `ath` the token's hash, and a `jti` never seen before.
A replayed proof is refused, as every other flaw is: 401 with `WWW-Authenticate: DPoP error=...`.
`rotate()` (or `POST /_sandbox/helseid/rotate`) voids every token issued so far and makes a new nonce.
"""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

import jwt
from aiohttp import web

from gateway.sources.helseid import DpopKey, sha256_b64url, token_hash
from sandbox.oauth import TOKEN_LIFETIME_S, Issuer, install_issuer, oauth_error
from sandbox.params import json_response

# This issuer's path: its identifier (the assertions' `aud`, the tokens' `iss`) is the base URL with it.
ISSUER_PATH = "/helseid"
TOKEN_PATH = f"{ISSUER_PATH}/connect/token"
CLIENTS_PATH = "/_sandbox/helseid/clients"
CLIENT_ASSERTION = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
# The Fullmakt API's audience and scope, as Norsk helsenett names them.
AUDIENCE = "nhn:fullmakt"
SCOPE = "nhn:fullmakt/read"
# The tokens' `helseid://claims/client/claims/orgnr_parent`: the calling organisation (a synthetic number).
ORGNR_PARENT = "999999999"
PROOF_ALGORITHMS = ("ES256", "RS256", "PS256")
# How far a proof's `iat` may be from now, either way (RFC 9449 section 11.1 leaves it to the server).
PROOF_WINDOW_S = 60
_CHALLENGE = f'algs="{" ".join(PROOF_ALGORITHMS)}"'


def thumbprint(jwk: dict[str, Any]) -> str:
    """A public JWK's SHA-256 thumbprint (RFC 7638): its required members, sorted, without whitespace."""
    required = {"EC": ("crv", "kty", "x", "y"), "RSA": ("e", "kty", "n")}[jwk["kty"]]
    canonical = json.dumps({name: jwk[name] for name in required}, separators=(",", ":"), sort_keys=True)
    return sha256_b64url(canonical.encode())


@dataclass
class HelseId(Issuer):
    """The issuer, with what DPoP adds: the nonce its token endpoint wants, and the proofs already used."""

    nonce: str = field(default_factory=lambda: secrets.token_urlsafe(16))
    seen_proofs: dict[str, float] = field(default_factory=dict)  # jti -> when it may be forgotten

    def rotate(self) -> None:
        super().rotate()
        self.nonce = secrets.token_urlsafe(16)

    def proof(self, proof: str, method: str, url: str, *, token: str | None = None) -> dict[str, Any]:
        """The claims of a valid proof for `method` to `url` (and `token`, when it goes with one), its
        `jti` now used; raises ValueError saying what is wrong with it."""
        try:
            header = jwt.get_unverified_header(proof)
            public = dict(header["jwk"])
        except (jwt.PyJWTError, KeyError, TypeError, ValueError) as exc:
            raise ValueError("the proof is no JWT with a jwk in its header") from exc
        if header.get("typ") != "dpop+jwt" or header.get("alg") not in PROOF_ALGORITHMS:
            raise ValueError("the proof must have typ dpop+jwt and an asymmetric alg")
        if "d" in public:
            raise ValueError("the proof's jwk is a private key")
        try:
            key = jwt.PyJWK.from_dict(public)
            claims = jwt.decode(
                proof, key, algorithms=list(PROOF_ALGORITHMS), options={"require": ["jti", "htm", "htu", "iat"]}
            )
        except jwt.PyJWTError as exc:
            raise ValueError(f"the proof is not valid: {type(exc).__name__}") from exc
        if claims["htm"] != method or claims["htu"] != url:
            raise ValueError("the proof is for another request")
        now = time.time()
        if abs(now - float(claims["iat"])) > PROOF_WINDOW_S:
            raise ValueError("the proof is too old or from the future")
        if token is not None and claims.get("ath") != token_hash(token):
            raise ValueError("the proof is for another token")
        self._forget_old_proofs(now)
        if claims["jti"] in self.seen_proofs:
            raise ValueError("the proof was used before")
        self.seen_proofs[claims["jti"]] = now + 2 * PROOF_WINDOW_S
        claims["jkt"] = thumbprint(public)
        return claims

    def _forget_old_proofs(self, now: float) -> None:
        # A proof older than the window is refused for its age anyway: its jti need not be kept.
        if len(self.seen_proofs) > 4096:
            self.seen_proofs = {jti: until for jti, until in self.seen_proofs.items() if until > now}


HELSEID = web.AppKey("helseid", HelseId)


def issuer_of(request: web.Request) -> str:
    """This issuer's identifier, the `aud` of client assertions and the `iss` of tokens."""
    return f"{request.url.origin()}{ISSUER_PATH}"


def _target(request: web.Request) -> str:
    """The request's URL as a proof's `htu` names it: without query and fragment."""
    return str(request.url.with_query(None))


async def token(request: web.Request) -> web.Response:
    helseid, issuer = request.app[HELSEID], issuer_of(request)
    form = await request.post()
    if form.get("grant_type") != "client_credentials":
        return oauth_error("grant_type must be client_credentials", "unsupported_grant_type")
    assertion = form.get("client_assertion")
    if form.get("client_assertion_type") != CLIENT_ASSERTION or not isinstance(assertion, str):
        return oauth_error("a client assertion (private_key_jwt) is required", "invalid_client")
    try:
        proof = helseid.proof(request.headers.get("DPoP", ""), "POST", _target(request))
    except ValueError as exc:
        return oauth_error(str(exc), "invalid_dpop_proof")
    if proof.get("nonce") != helseid.nonce:
        return oauth_error("the proof must carry the server's nonce", "use_dpop_nonce", {"DPoP-Nonce": helseid.nonce})
    try:
        client, claims = helseid.client_assertion(assertion, issuer, require=["sub"])
    except ValueError as exc:
        return oauth_error(str(exc), "invalid_client")
    if claims["sub"] != claims["iss"]:
        return oauth_error("the assertion's sub must be its iss, the client id", "invalid_client")
    scope = str(form.get("scope") or "")
    if not scope or not set(scope.split()) <= client.scopes:
        return oauth_error("the client may not have this scope", "invalid_scope")
    bound = {"aud": AUDIENCE, "cnf": {"jkt": proof["jkt"]}, "helseid://claims/client/claims/orgnr_parent": ORGNR_PARENT}
    access_token = helseid.issue(str(claims["iss"]), scope, issuer, **bound)
    return json_response(
        {"access_token": access_token, "token_type": "DPoP", "expires_in": TOKEN_LIFETIME_S, "scope": scope}
    )


def _unauthorized(error: str, description: str) -> web.Response:
    challenge = f'DPoP error="{error}", {_CHALLENGE}'
    body = {"error": error, "error_description": description}
    return json_response(body, status=401, headers={"WWW-Authenticate": challenge})


def refusal(request: web.Request, scope: str) -> web.Response | None:
    """None when the call carries a valid DPoP-bound token for `scope` and a valid proof of itself;
    else the 401 that refuses it."""
    helseid, issuer = request.app[HELSEID], issuer_of(request)
    scheme, _, access_token = request.headers.get("Authorization", "").partition(" ")
    if scheme != "DPoP" or not access_token:
        return _unauthorized("invalid_token", "a DPoP-bound HelseID access token is required (Authorization: DPoP)")
    claims = helseid.verify(access_token, issuer, scope, AUDIENCE)
    if claims is None or "jkt" not in (claims.get("cnf") or {}):
        return _unauthorized("invalid_token", f"the token is not valid for {scope}")
    proofs = request.headers.getall("DPoP", [])
    if len(proofs) != 1:
        return _unauthorized("invalid_dpop_proof", "exactly one DPoP proof is required")
    try:
        proof = helseid.proof(proofs[0], request.method, _target(request), token=access_token)
    except ValueError as exc:
        return _unauthorized("invalid_dpop_proof", str(exc))
    if proof["jkt"] != claims["cnf"]["jkt"]:
        return _unauthorized("invalid_dpop_proof", "the proof is signed by a key the token is not bound to")
    return None


def caller_authorization(app: web.Application, base_url: str, key: DpopKey, method: str, url: str) -> dict[str, str]:
    """The headers `app`'s fullmakt source takes for one call of `method` to `url`, for a caller other
    than a gateway (a test, a tool) that holds `key`: a token issued now and bound to that key, and a
    fresh proof of the call. `base_url`: where `app` is served (its issuer's identifier starts there)."""
    bound = {"aud": AUDIENCE, "cnf": {"jkt": thumbprint(key.jwk)}}
    token = app[HELSEID].issue("sandbox-caller", SCOPE, base_url.rstrip("/") + ISSUER_PATH, **bound)
    return {"Authorization": f"DPoP {token}", "DPoP": key.proof(method, url, token=token)}


def install(app: web.Application) -> HelseId:
    """Serve the issuer from `app` (the fullmakt source's), with its control endpoints."""
    state = HelseId("helseid")
    install_issuer(app, HELSEID, state, CLIENTS_PATH)
    app.router.add_post(TOKEN_PATH, token)
    return state
