"""The consent and proxy (fullmakt) registry."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from gateway.policy.vocabulary import ConsentLevel, ProxyKind, ServiceArea
from gateway.sources.http import JsonHttp
from gateway.sources.parsing import comma_list, datetime_of, enum_of, known_members, optional_datetime, parse_all
from gateway.sources.records import ConsentRecord, ProxyRecord


def _consent(row: dict[str, Any]) -> ConsentRecord:
    # Levels come as names (FULL), not as the numbers that order them.
    level = enum_of("consent", ConsentLevel, row["level"], ConsentLevel.NONE, by_name=True)
    return ConsentRecord(person_id=row["personId"], level=level, youth_access=bool(row["youthAccess"]))


def _proxy(row: dict[str, Any]) -> ProxyRecord:
    return ProxyRecord(
        id=row["id"],
        grantor=row["grantor"],
        grantee=row["grantee"],
        service_areas=known_members("consent", ServiceArea, (int(a) for a in row["serviceAreas"])),
        valid_from=datetime_of(row["validFrom"]),
        valid_to=optional_datetime(row.get("validTo")),
        # An unknown kind is taken as assigned: the kind whose rules are stricter.
        kind=enum_of("consent", ProxyKind, row.get("kind") or "ORDINARY", ProxyKind.ASSIGNED),
    )


class ConsentClient:
    def __init__(self, http: JsonHttp) -> None:
        self._http = http

    async def consents_by_ids(self, ids: Sequence[str]) -> dict[str, ConsentRecord]:
        body = await self._http.get_json(self._http.url("consents"), {"ids": comma_list(ids)})
        return {c.person_id: c for c in parse_all(self._http.source, body.get("consents"), _consent)}

    async def proxies(self, role: Literal["grantee", "grantor"], ids: Sequence[str]) -> list[ProxyRecord]:
        """Every fullmakt, valid or not, where the given persons are grantee (or grantor)."""
        body = await self._http.get_json(self._http.url("proxies"), {role: comma_list(ids)})
        return parse_all(self._http.source, body.get("proxies"), _proxy)
