"""Folkeregisteret: persons by id."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from gateway.policy.vocabulary import AddressProtection
from gateway.sources.http import JsonHttp
from gateway.sources.parsing import address_of, comma_list, date_of, enum_of, parse_all
from gateway.sources.records import PersonRecord


def _person(row: dict[str, Any]) -> PersonRecord:
    return PersonRecord(
        id=row["id"],
        given_name=row["name"]["given"],
        family_name=row["name"]["family"],
        birth_date=date_of(row["birthDate"]),
        address=address_of(row.get("address")),
        # Unknown protection is taken as the strictest: the address is shown to no one.
        address_protection=enum_of(
            "registry",
            AddressProtection,
            row.get("addressProtection") or "UGRADERT",
            AddressProtection.STRENGT_FORTROLIG,
        ),
        parental_responsibility_for=tuple(row.get("parentalResponsibilityFor") or ()),
        responsible_parents=tuple(row.get("responsibleParents") or ()),
        deceased=bool(row.get("deceased", False)),
        # Only "bosatt" is resident; a missing or unknown status is not (a parent's access needs it).
        resident=row.get("status") == "bosatt",
    )


class RegistryClient:
    def __init__(self, http: JsonHttp) -> None:
        self._http = http

    async def persons_by_ids(self, ids: Sequence[str]) -> dict[str, PersonRecord]:
        body = await self._http.get_json(self._http.url("persons"), {"ids": comma_list(ids)})
        return {p.id: p for p in parse_all(self._http.source, body.get("persons"), _person)}
