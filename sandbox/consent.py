"""The consent and fullmakt source: this project's consent levels, and fullmakter as Helsenorge's
Fullmaktinformasjon API gives them through Norsk helsenett's Fullmakt API
(docs/contracts/fullmakt.openapi.yaml says which fields are public and which are assumed).

    GET  /consents?ids=a,b                  {"consents": [{"personId", "level", "youthAccess"}]}
    POST /personvern/Fullmaktsgivere/v1     {"fullmaktshaverFnr": id, "sektor": "HO-DIT"}
      -> {"fullmaktshaverFnr", "sektor", "fullmaktsgiverFunnet", "fullmaktsgivere": [...]}
    POST /personvern/Fullmaktshavere/v1     {"fullmaktsgiverFnr": id, "sektor": "HO-DIT"}
      -> {"fullmaktsgiverFnr", "sektor", "fullmaktshaverFunnet", "fullmaktshavere": [...]}

Every call needs a HelseID access token for `nhn:fullmakt/read`, bound with DPoP, and a proof of the
call (sandbox/helseid.py, served beside this app); without them the answer is 401. Expired fullmakter
are listed too: judging validity (and saying PROXY_EXPIRED) is the gateway's job.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from aiohttp import web

from sandbox import helseid, seed
from sandbox.control import CONTROL_PREFIX, Handler, install_control
from sandbox.params import bad_request, id_list, iso, json_response
from sandbox.recording import install_recording

SCOPE = helseid.SCOPE
SECTOR = "HO-DIT"
GIVERS_PATH = "/personvern/Fullmaktsgivere/v1"
HOLDERS_PATH = "/personvern/Fullmaktshavere/v1"
# The routes as the sandbox counts them (sandbox/control.py).
CONSENTS_ROUTE = "GET /consents"
GIVERS_ROUTE = f"POST {GIVERS_PATH}"
CONSENTS = web.AppKey("consent_consents", dict[str, seed.Consent])
# A list, so a test can revoke a fullmakt in a running app.
PROXIES = web.AppKey("consent_proxies", list[seed.Proxy])
PERSONS = web.AppKey("consent_persons", dict[str, seed.Person])
_KINDS = {"ORDINARY": "ORDINAER", "ASSIGNED": "TILDELT"}
_FNR = re.compile(r"\d{11}")


def consent_json(c: seed.Consent) -> dict[str, Any]:
    return {"personId": c.person_id, "level": c.level, "youthAccess": c.youth_access}


def _fullmakt(p: seed.Proxy, person: seed.Person, *, masked: bool) -> dict[str, Any]:
    """A fullmakt as a list entry names the other party: a holder by a masked number, a giver by the
    whole (the holder acts for the giver, and must know whom)."""
    number = {"maskertFnr": person.id[:6] + "xxxxx"} if masked else {"fnr": person.id}
    return {
        "fornavn": person.given,
        "mellomnavn": None,
        "etternavn": person.family,
        **number,
        "fullmaktReferanseId": p.id,
        "tjenesteomraader": list(p.service_areas),
        "gyldigFraOgMed": iso(p.valid_from),
        "gyldigTilOgMed": iso(p.valid_to),
        "fullmaktstype": _KINDS[p.kind],
    }


async def get_consents(request: web.Request) -> web.Response:
    consents = request.app[CONSENTS]
    found = [consents[i] for i in id_list(request, "ids") if i in consents]
    return json_response({"consents": [consent_json(c) for c in found]})


async def _asked_about(request: web.Request, key: str) -> str:
    """The one person a fullmakt lookup asks about (its `key`), or 400."""
    try:
        body = await request.json()
    except ValueError:
        raise bad_request("the body must be JSON") from None
    if not isinstance(body, dict) or set(body) != {key, "sektor"}:
        raise bad_request(f"the body must be {{{key!r}: ..., 'sektor': {SECTOR!r}}}")
    if body["sektor"] != SECTOR:
        raise bad_request(f"sektor must be {SECTOR!r}")
    if not isinstance(body[key], str) or not _FNR.fullmatch(body[key]):
        raise bad_request(f"{key} must be a fødselsnummer or D-nummer of 11 digits")
    return str(body[key])


async def fullmaktsgivere(request: web.Request) -> web.Response:
    holder = await _asked_about(request, "fullmaktshaverFnr")
    persons = request.app[PERSONS]
    given = [_fullmakt(p, persons[p.grantor], masked=False) for p in request.app[PROXIES] if p.grantee == holder]
    return json_response(
        {"fullmaktshaverFnr": holder, "sektor": SECTOR, "fullmaktsgiverFunnet": bool(given), "fullmaktsgivere": given}
    )


async def fullmaktshavere(request: web.Request) -> web.Response:
    giver = await _asked_about(request, "fullmaktsgiverFnr")
    persons = request.app[PERSONS]
    holders = [_fullmakt(p, persons[p.grantee], masked=True) for p in request.app[PROXIES] if p.grantor == giver]
    return json_response(
        {
            "fullmaktsgiverFnr": giver,
            "sektor": SECTOR,
            "fullmaktshaverFunnet": bool(holders),
            "fullmaktshavere": holders,
        }
    )


@web.middleware
async def helseid_required(request: web.Request, handler: Handler) -> web.StreamResponse:
    if request.path.startswith((CONTROL_PREFIX, helseid.ISSUER_PATH + "/")):
        return await handler(request)
    return helseid.refusal(request, SCOPE) or await handler(request)


def create_app(
    *,
    consents: Sequence[seed.Consent] | None = None,
    proxies: Sequence[seed.Proxy] | None = None,
    persons: Sequence[seed.Person] | None = None,
) -> web.Application:
    """`persons`: whose names the fullmakt lists give (the source keeps them, as Helsenorge does)."""
    app = web.Application()
    install_control(app)
    install_recording(app, "consent")
    app.middlewares.append(helseid_required)
    helseid.install(app)
    app[CONSENTS] = {c.person_id: c for c in (seed.CONSENTS if consents is None else consents)}
    app[PROXIES] = list(seed.PROXIES if proxies is None else proxies)
    app[PERSONS] = {p.id: p for p in (seed.PERSONS if persons is None else persons)}
    app.router.add_get("/consents", get_consents)
    app.router.add_post(GIVERS_PATH, fullmaktsgivere)
    app.router.add_post(HOLDERS_PATH, fullmaktshavere)
    return app
