"""Token verification: the demo issuer and a remote JWKS go through the same checks."""

from __future__ import annotations

import asyncio
import time

import aiohttp
import jwt
import pytest
from aiohttp import web

from gateway.core.auth import ANONYMOUS, DemoIssuer, PrincipalKind, RemoteJwks, TokenVerifier
from gateway.policy.vocabulary import Assurance

KARI = "12848510058"
ISS, AUD = "https://issuer.test", "health-gateway"


@pytest.fixture
def issuer() -> DemoIssuer:
    return DemoIssuer(ISS, AUD)


@pytest.fixture
def verifier(issuer: DemoIssuer) -> TokenVerifier:
    return TokenVerifier(issuer.key, ISS, AUD, leeway_s=0)


async def test_person_token_gives_a_person_principal(issuer: DemoIssuer, verifier: TokenVerifier) -> None:
    principal = await verifier.principal(f"Bearer {issuer.person_token(KARI)}")
    assert principal.kind is PrincipalKind.PERSON
    assert (principal.pid, principal.assurance) == (KARI, Assurance.HIGH)


async def test_substantial_assurance_is_kept(issuer: DemoIssuer, verifier: TokenVerifier) -> None:
    principal = await verifier.principal(f"Bearer {issuer.person_token(KARI, 'idporten-loa-substantial')}")
    assert principal.assurance is Assurance.SUBSTANTIAL


async def test_service_token_gives_a_service_principal(issuer: DemoIssuer, verifier: TokenVerifier) -> None:
    principal = await verifier.principal(f"Bearer {issuer.service_token('journal-app')}")
    assert principal.kind is PrincipalKind.SERVICE
    assert principal.client_id == "journal-app" and "person:read" in principal.scopes
    assert principal.pid is None


async def test_no_header_is_anonymous_without_a_problem(verifier: TokenVerifier) -> None:
    assert await verifier.principal(None) is ANONYMOUS


@pytest.mark.parametrize(
    ("claims", "problem"),
    [
        ({"exp": int(time.time()) - 10}, "token has expired"),
        ({"aud": "someone-else"}, "token is not valid"),
        ({"iss": "https://evil.test"}, "token is not valid"),
        ({"pid": "12345678901"}, "token has no valid pid"),
        ({"pid": "²²²²²²²²²²²"}, "token has no valid pid"),
        ({"pid": "١٢٨٤٨٥١٠٠٥٨"}, "token has no valid pid"),
        ({"acr": "idporten-loa-low"}, "token has an unknown acr"),
        ({"pid": None, "sub": "x"}, "token names neither a person (pid) nor a client (client_id)"),
    ],
)
async def test_bad_claims_are_rejected(issuer: DemoIssuer, verifier: TokenVerifier, claims: dict, problem: str) -> None:
    base = {"sub": KARI, "pid": KARI, "acr": "idporten-loa-high"}
    payload = {k: v for k, v in {**base, **claims}.items() if v is not None}
    principal = await verifier.principal(f"Bearer {issuer.issue(payload)}")
    assert principal.kind is PrincipalKind.ANONYMOUS
    assert principal.problem == problem


async def test_token_signed_by_another_key_is_rejected(verifier: TokenVerifier) -> None:
    forged = DemoIssuer(ISS, AUD).person_token(KARI)
    principal = await verifier.principal(f"Bearer {forged}")
    assert principal.kind is PrincipalKind.ANONYMOUS


async def test_unsigned_token_is_rejected(verifier: TokenVerifier) -> None:
    token = jwt.encode({"pid": KARI, "acr": "idporten-loa-high", "iss": ISS, "aud": AUD, "exp": 2**31}, None, "none")
    assert (await verifier.principal(f"Bearer {token}")).kind is PrincipalKind.ANONYMOUS


@pytest.mark.parametrize("header", ["Basic abc", "Bearer", "Bearer   ", "token"])
async def test_malformed_authorization_header(verifier: TokenVerifier, header: str) -> None:
    principal = await verifier.principal(header)
    assert principal.kind is PrincipalKind.ANONYMOUS and principal.problem


async def test_remote_jwks_is_fetched_over_http_and_cached(aiohttp_server, issuer: DemoIssuer) -> None:
    hits = 0

    async def jwks(request: web.Request) -> web.Response:
        nonlocal hits
        hits += 1
        return web.json_response(issuer.jwks())

    app = web.Application()
    app.router.add_get("/jwks.json", jwks)
    server = await aiohttp_server(app)
    async with aiohttp.ClientSession() as session:
        verifier = TokenVerifier(RemoteJwks(session, str(server.make_url("/jwks.json")), 2.0), ISS, AUD, 0)
        for _ in range(3):
            principal = await verifier.principal(f"Bearer {issuer.person_token(KARI)}")
            assert principal.pid == KARI
        forged = DemoIssuer(ISS, AUD).person_token(KARI)
        assert (await verifier.principal(f"Bearer {forged}")).problem == "token is signed with an unknown key"
    assert hits == 1  # cached, and an unknown kid does not refetch within the back-off


async def test_tokens_arriving_together_at_a_fresh_process_all_wait_for_the_one_key_fetch(
    aiohttp_server, issuer: DemoIssuer
) -> None:
    hits = 0
    asked, answer = asyncio.Event(), asyncio.Event()

    async def jwks(request: web.Request) -> web.Response:
        nonlocal hits
        hits += 1
        asked.set()
        await answer.wait()  # held until every token is waiting for the key set
        return web.json_response(issuer.jwks())

    app = web.Application()
    app.router.add_get("/jwks.json", jwks)
    server = await aiohttp_server(app)
    async with aiohttp.ClientSession() as session:
        verifier = TokenVerifier(RemoteJwks(session, str(server.make_url("/jwks.json")), 10.0), ISS, AUD, 0)
        token = f"Bearer {issuer.person_token(KARI)}"
        checks = [asyncio.ensure_future(verifier.principal(token)) for _ in range(8)]
        await asked.wait()  # the first check's fetch has reached the issuer; the others check meanwhile
        answer.set()
        principals = await asyncio.gather(*checks)
    assert [p.pid for p in principals] == [KARI] * 8
    assert hits == 1


async def test_remote_jwks_down_means_unauthenticated(unused_tcp_port: int, issuer: DemoIssuer) -> None:
    async with aiohttp.ClientSession() as session:
        keys = RemoteJwks(session, f"http://127.0.0.1:{unused_tcp_port}/jwks.json", 1.0)
        principal = await TokenVerifier(keys, ISS, AUD, 0).principal(f"Bearer {issuer.person_token(KARI)}")
    assert principal.kind is PrincipalKind.ANONYMOUS
    assert principal.problem == "the key set of the token issuer is unavailable"


async def test_logins_work_as_soon_as_the_key_set_is_back(aiohttp_server, issuer: DemoIssuer) -> None:
    """An issuer down when the first tokens arrive: the next token after it is back signs in (after
    `retry_s`, seconds in production, 0 here), not 30 s later."""
    up = False

    async def jwks(request: web.Request) -> web.Response:
        return web.json_response(issuer.jwks()) if up else web.Response(status=503)

    app = web.Application()
    app.router.add_get("/jwks.json", jwks)
    server = await aiohttp_server(app)
    async with aiohttp.ClientSession() as session:
        keys = RemoteJwks(session, str(server.make_url("/jwks.json")), 2.0, retry_s=0.0)
        verifier = TokenVerifier(keys, ISS, AUD, 0)
        token = f"Bearer {issuer.person_token(KARI)}"
        assert (await verifier.principal(token)).problem == "the key set of the token issuer is unavailable"
        assert not await keys.ready()
        up = True
        assert (await verifier.principal(token)).pid == KARI
        assert await keys.ready()


async def test_a_rotated_key_is_fetched_when_a_token_names_it(aiohttp_server) -> None:
    old, new = DemoIssuer(ISS, AUD), DemoIssuer(ISS, AUD)
    current = old

    async def jwks(request: web.Request) -> web.Response:
        return web.json_response(current.jwks())

    app = web.Application()
    app.router.add_get("/jwks.json", jwks)
    server = await aiohttp_server(app)
    async with aiohttp.ClientSession() as session:
        verifier = TokenVerifier(
            RemoteJwks(session, str(server.make_url("/jwks.json")), 2.0, refresh_s=0.0), ISS, AUD, 0
        )
        assert (await verifier.principal(f"Bearer {old.person_token(KARI)}")).pid == KARI
        current = new  # the issuer rotates its key
        assert (await verifier.principal(f"Bearer {new.person_token(KARI)}")).pid == KARI
