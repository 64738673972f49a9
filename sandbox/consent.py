"""The consent and proxy (fullmakt) registry: `GET /consents?ids=`, `GET /proxies?grantee=|grantor=`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aiohttp import web

from sandbox import seed
from sandbox.control import install_control
from sandbox.params import bad_request, id_list, iso, json_response

CONSENTS = web.AppKey("consent_consents", dict[str, seed.Consent])
# A list, so a test can revoke a fullmakt in a running app.
PROXIES = web.AppKey("consent_proxies", list[seed.Proxy])


def consent_json(c: seed.Consent) -> dict[str, Any]:
    return {"personId": c.person_id, "level": c.level, "youthAccess": c.youth_access}


def proxy_json(p: seed.Proxy) -> dict[str, Any]:
    return {
        "id": p.id,
        "grantor": p.grantor,
        "grantee": p.grantee,
        "serviceAreas": list(p.service_areas),
        "validFrom": iso(p.valid_from),
        "validTo": iso(p.valid_to),
        "kind": p.kind,
    }


async def get_consents(request: web.Request) -> web.Response:
    consents = request.app[CONSENTS]
    found = [consents[i] for i in id_list(request, "ids") if i in consents]
    return json_response({"consents": [consent_json(c) for c in found]})


async def get_proxies(request: web.Request) -> web.Response:
    given = [name for name in ("grantee", "grantor") if name in request.query]
    if len(given) != 1:
        raise bad_request("give exactly one of the query parameters 'grantee' and 'grantor'")
    side = given[0]
    wanted = set(id_list(request, side))
    # Expired ones too: deciding validity (and saying PROXY_EXPIRED) is the gateway's job.
    found = [p for p in request.app[PROXIES] if getattr(p, side) in wanted]
    return json_response({"proxies": [proxy_json(p) for p in found]})


def create_app(
    *, consents: Sequence[seed.Consent] | None = None, proxies: Sequence[seed.Proxy] | None = None
) -> web.Application:
    app = web.Application()
    install_control(app)
    app[CONSENTS] = {c.person_id: c for c in (seed.CONSENTS if consents is None else consents)}
    app[PROXIES] = list(seed.PROXIES if proxies is None else proxies)
    app.router.add_get("/consents", get_consents)
    app.router.add_get("/proxies", get_proxies)
    return app
