"""Demo mode: the gateway acts as its own ID-porten (docs/access-rules.md#authentication) for the demo personas."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import aiohttp
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from gateway.app_state import AppState
from gateway.core.auth import SERVICE_READ_SCOPE, DemoIssuer
from gateway.core.config import Settings
from gateway.graphiql import Persona
from gateway.policy.national_id import invalid_reason
from gateway.policy.vocabulary import Assurance

TOKEN_TTL_S = 3600
DEMO_CLIENT = "health-gateway-demo"

log = logging.getLogger(__name__)

# The demo personas (docs/personas.md): fixed ids that docs, tests and scripts rely on. The one list of
# them: the sandbox's seed takes its personas from here (sandbox/seed.py), never the other way round.
# A child under 16 may act as themselves only from 13 and with youth access (policy/representation.py);
# any other child's token gets CHILD_AGE, so their notes say "signs in: refused" before anyone tries.
PERSONAS = (
    Persona("12848510058", "Kari Nordmann", "parent of Emma, Jonas and Sofie; fullmakt from Ola"),
    Persona("03894810369", "Ola Nordmann", "gave Kari a fullmakt; Erik's has expired; assigned fullmakt from Jonas"),
    Persona("15861950082", "Emma Nordmann", "signs in: refused, under 13 (age 7); her GP offers digital dialogue"),
    Persona("20821250162", "Jonas Nordmann", "14, youth access; hospital, GP and municipal items"),
    Persona("01880950017", "Sofie Nordmann", "17: her mother has no access"),
    Persona("30819010095", "Nora Hansen", "confidential address (fortrolig); consent BASIS_PLUS"),
    Persona("05918210190", "Per Berg", "parent of Lars and Maja, lives apart from both"),
    Persona("09831750127", "Lars Berg", "signs in: refused, under 13 (age 9); strictly confidential address"),
    Persona("22877510070", "Ingrid Solberg", "consent BASIS only"),
    Persona("14907910130", "Erik Dahl", "expired fullmakt from Ola; area-1 fullmakt from Ingrid"),
    Persona("01921150268", "Maja Berg", "signs in: refused, 14 without youth access; lives with her mother"),
    Persona("14821150036", "Thea Lund", "15, youth access; her fullmakt to Erik, given at 15, gives him nothing"),
    Persona("05858010170", "Anders Lie", "Thea's father, emigrated: no access to her"),
)


def _problem(message: str) -> JSONResponse:
    return JSONResponse({"error": "invalid_request", "error_description": message}, status_code=400)


def _issuer(request: Request) -> DemoIssuer:
    issuer = AppState.of(request).issuer
    assert issuer is not None, "the demo routes are mounted only in demo mode, whose lifespan makes the issuer"
    return issuer


async def issue_token(request: Request) -> JSONResponse:
    """POST {"pid", "acr"} for a person, or {"client_id", "scope"} for a service client."""
    issuer = _issuer(request)
    try:
        body: Any = await request.json()
    except ValueError:
        return _problem("the body must be a JSON object")
    if not isinstance(body, dict):
        return _problem("the body must be a JSON object")
    if "pid" in body:
        pid, acr = body["pid"], body.get("acr", Assurance.HIGH.value)
        if not isinstance(pid, str) or (problem := invalid_reason(pid)):
            return _problem(f"pid is not a valid fødselsnummer or D-number: it {problem or 'must be a string'}")
        if acr not in {a.value for a in Assurance}:
            return _problem(f"acr must be one of {sorted(a.value for a in Assurance)}")
        token = issuer.person_token(pid, acr, TOKEN_TTL_S)
    elif "client_id" in body:
        client_id, scope = body["client_id"], body.get("scope", SERVICE_READ_SCOPE)
        if not isinstance(client_id, str) or not client_id.strip() or not isinstance(scope, str):
            return _problem("client_id and scope must be non-empty strings")
        token = issuer.service_token(client_id.strip(), scope, TOKEN_TTL_S)
    else:
        return _problem('send {"pid": "...", "acr": "..."} or {"client_id": "...", "scope": "person:read"}')
    return JSONResponse({"access_token": token, "token_type": "Bearer", "expires_in": TOKEN_TTL_S})


async def jwks(request: Request) -> JSONResponse:
    return JSONResponse(_issuer(request).jwks())


async def personas(request: Request) -> JSONResponse:
    """The demo personas, for the web app's sign-in picker (as GraphiQL's)."""
    return JSONResponse([{"pid": p.id, "name": p.name, "note": p.note} for p in PERSONAS])


def routes() -> list[Route]:
    return [
        Route("/demo/token", issue_token, methods=["POST"]),
        Route("/demo/jwks.json", jwks),
        Route("/demo/personas", personas),
    ]


async def sandbox_token_clients(settings: Settings, session: aiohttp.ClientSession, keys: Path) -> Settings:
    """Demo mode (the demo command, or `gateway serve` beside `python -m sandbox`): for each issuer with
    no client configured, one made now, its key in `keys`, registered with the issuer the sandbox serves
    beside its source (Maskinporten beside the registry, HelseID beside the fullmakt source:
    sandbox/maskinporten.py, sandbox/helseid.py). Anything else there (a real source): the settings as
    they are, and the source refuses the calls."""
    from sandbox.issuers import ISSUERS  # the sandbox, in demo mode alone
    from sandbox.oauth import client_key

    update: dict[str, Any] = {}
    for issuer in ISSUERS:
        if getattr(settings, f"{issuer.prefix}_token_url"):
            continue
        source_url = settings.url_of(issuer.source)
        key_file, kid, jwk = client_key(keys, issuer.prefix)
        registration = {"client_id": DEMO_CLIENT, "jwk": jwk, "scopes": [getattr(settings, issuer.scope_setting)]}
        try:
            async with session.post(source_url.rstrip("/") + issuer.clients_path, json=registration) as resp:
                resp.raise_for_status()
        except (aiohttp.ClientError, TimeoutError) as exc:
            log.warning(
                "demo: no %s beside the %s (%s); its calls go without a token",
                issuer.prefix,
                issuer.source,
                type(exc).__name__,
            )
            continue
        update |= issuer.client_settings(source_url, DEMO_CLIENT, key_file, kid)
    return settings.model_copy(update=update)
