"""The consent and fullmakt source: consent levels, and the fullmakter persons have been given.

Fullmakter as Helsenorge's Fullmaktinformasjon API gives them, through Norsk helsenett's Fullmakt API,
one person per call (docs/contracts/fullmakt.openapi.yaml):

    POST {base}/personvern/Fullmaktsgivere/v1   {"fullmaktshaverFnr": ..., "sektor": "HO-DIT"}
      -> {"fullmaktsgivere": [{"fnr", "fullmaktReferanseId", "tjenesteomraader", "gyldigFraOgMed",
                               "gyldigTilOgMed", "fullmaktstype", ...}], ...}

Consent levels come from this project's own part of the source, many persons per call:
`GET {base}/consents?ids=a,b`. Every call carries a HelseID token bound with DPoP and a proof of that
call alone (sources/helseid.py); a refused token is fetched again once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from yarl import URL

from gateway.core.enums import enum_of, known_members
from gateway.policy.vocabulary import ConsentLevel, ProxyKind, ServiceArea
from gateway.sources.access_tokens import exchange_with_token, warm_up
from gateway.sources.errors import UpstreamStatusError
from gateway.sources.helseid import HelseIdTokens
from gateway.sources.http import Answer, JsonHttp, JsonObject
from gateway.sources.parsing import comma_list, datetime_of, optional_datetime, parse_all
from gateway.sources.records import ConsentRecord, ProxyRecord

# Helsenorge's sector for the health services' digital citizen services ("Helse og omsorg - digitale
# innbyggertjenester"): the fullmakter the portal's services act on.
SECTOR = "HO-DIT"
_KINDS = {"ORDINAER": "ORDINARY", "TILDELT": "ASSIGNED"}


def _consent(row: dict[str, Any]) -> ConsentRecord:
    # Levels come as names (FULL), not as the numbers that order them.
    level = enum_of("consent", ConsentLevel, row["level"], ConsentLevel.NONE, by_name=True)
    return ConsentRecord(person_id=row["personId"], level=level, youth_access=bool(row["youthAccess"]))


def _given_to(grantee: str) -> Callable[[dict[str, Any]], ProxyRecord]:
    """How an entry of `grantee`'s fullmaktsgivere list reads (the entry names the giver alone)."""

    def proxy(row: dict[str, Any]) -> ProxyRecord:
        return ProxyRecord(
            id=row["fullmaktReferanseId"],
            grantor=row["fnr"],
            grantee=grantee,
            service_areas=known_members("consent", ServiceArea, (int(a) for a in row["tjenesteomraader"])),
            valid_from=datetime_of(row["gyldigFraOgMed"]),
            valid_to=optional_datetime(row.get("gyldigTilOgMed")),
            # An unknown kind is taken as assigned: the kind whose rules are stricter.
            kind=enum_of(
                "consent", ProxyKind, _KINDS.get(row["fullmaktstype"], row["fullmaktstype"]), ProxyKind.ASSIGNED
            ),
        )

    return proxy


class ConsentClient:
    def __init__(self, http: JsonHttp, tokens: HelseIdTokens | None = None, scope: str = "") -> None:
        self._http = http
        self._tokens = tokens
        self._scope = scope
        self._consents_url = http.url("consents")
        self._givers_url = http.url("personvern", "Fullmaktsgivere", "v1")

    async def consents_by_ids(self, ids: Sequence[str]) -> dict[str, ConsentRecord]:
        answer = await self._call("GET", self._consents_url, params={"ids": comma_list(ids)})
        return {c.person_id: c for c in parse_all(self._http.source, answer.body.get("consents"), _consent)}

    async def proxies_by_grantees(self, ids: Sequence[str]) -> list[ProxyRecord]:
        """Every fullmakt, valid or not, given to the persons `ids`: one call per person, as the API takes
        them (a request asks for its viewer's alone)."""
        given = await asyncio.gather(*(self._givers(grantee) for grantee in ids))
        return [proxy for proxies in given for proxy in proxies]

    async def warm_up(self) -> None:
        await warm_up(self._tokens, self._scope, self._http.source)

    async def _givers(self, grantee: str) -> list[ProxyRecord]:
        answer = await self._call("POST", self._givers_url, json={"fullmaktshaverFnr": grantee, "sektor": SECTOR})
        return parse_all(self._http.source, answer.body.get("fullmaktsgivere"), _given_to(grantee))

    async def _call(
        self, method: str, url: URL, *, params: Mapping[str, str] | None = None, json: Any = None
    ) -> Answer[JsonObject]:
        answer = await exchange_with_token(self._http, self._tokens, self._scope, method, url, params=params, json=json)
        if answer.status >= 400:
            # A refused token's OAuth error code says what; any other text may quote who.
            code = str(answer.body.get("error") or "") if answer.status == 401 else ""
            raise UpstreamStatusError(self._http.source, answer.status, code)
        return answer
