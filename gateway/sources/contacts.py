"""The GP registry and care teams (FHIR R4): CareTeam, Practitioner, Organization.

One CareTeam is one relationship between a patient and one health contact; its id is the
contact id that inbox threads name as their counterpart.

CareTeam searches ask for `_include=CareTeam:participant` (R4's search parameter on
`CareTeam.participant.member`), so the practitioners and organisations come in the same response.
A team reaches its organisation that way only where the organisation is a member too: R4 has no
search parameter on `participant.onBehalfOf` or `managingOrganization`. Whatever does not come
included (or everything, from a server that ignores `_include`) the loaders fetch by id.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from gateway.sources.fhir import FhirSearch, Resource, Searchset, fhir_address, first_phone, human_name, reference_id
from gateway.sources.fhir_codings import FhirCodings, codings_of
from gateway.sources.parsing import comma_list, contract, optional_datetime
from gateway.sources.records import ContactRecord, OrganizationRecord, PractitionerRecord

T = TypeVar("T")

CARE_TEAM_INCLUDES = ("CareTeam:participant",)


@dataclass(frozen=True)
class CareTeams:
    """The contacts of one CareTeam search, and the practitioners and organisations included with them."""

    contacts: list[ContactRecord]
    practitioners: dict[str, PractitionerRecord]
    organizations: dict[str, OrganizationRecord]

    def by_subject(self, subject_ids: Iterable[str]) -> dict[str, list[ContactRecord]]:
        grouped: dict[str, list[ContactRecord]] = {s: [] for s in subject_ids}
        for contact in self.contacts:
            grouped.setdefault(contact.subject_id, []).append(contact)
        return grouped


class ContactsClient:
    def __init__(self, fhir: FhirSearch, codings: FhirCodings) -> None:
        self._fhir = fhir
        self._codings = codings

    async def care_teams_by_subjects(self, subject_ids: Sequence[str]) -> CareTeams:
        params: dict[str, str | list[str]] = {"subject": comma_list(f"Patient/{s}" for s in subject_ids)}
        return self._parsed_care_teams(await self._fhir.search_with_includes("CareTeam", params, CARE_TEAM_INCLUDES))

    async def care_teams_by_ids(self, ids: Sequence[str]) -> CareTeams:
        """By CareTeam id (a federated lookup names the contact, not the patient)."""
        return self._parsed_care_teams(await self._fhir.search_by_ids("CareTeam", ids, CARE_TEAM_INCLUDES))

    async def practitioners_by_ids(self, ids: Sequence[str]) -> dict[str, PractitionerRecord]:
        resources = await self._fhir.reference("Practitioner", ids)
        with contract(self._fhir.source):
            return {i: self._practitioner(r) for i, r in resources.items()}

    async def organizations_by_ids(self, ids: Sequence[str]) -> dict[str, OrganizationRecord]:
        resources = await self._fhir.reference("Organization", ids)
        with contract(self._fhir.source):
            return {i: self._organization(r) for i, r in resources.items()}

    def _parsed_care_teams(self, found: Searchset) -> CareTeams:
        with contract(self._fhir.source):
            contacts = [c for c in map(self._contact, found.matches) if c is not None]
        return CareTeams(
            contacts,
            _parsed(found.included_of("Practitioner"), self._practitioner),
            _parsed(found.included_of("Organization"), self._organization),
        )

    def _practitioner(self, resource: Resource) -> PractitionerRecord:
        return PractitionerRecord(
            id=resource["id"],
            name=human_name(resource.get("name")) or "Ukjent behandler",
            phone=first_phone(resource.get("telecom")),
            hpr_number=self._codings.hpr_number_of(resource.get("identifier")),
        )

    def _organization(self, resource: Resource) -> OrganizationRecord:
        return OrganizationRecord(
            id=resource["id"],
            name=resource.get("name") or "",
            service_kind=self._codings.service_kind_of(codings_of(resource.get("type"))),
            address=fhir_address(resource.get("address")),
            phone=first_phone(resource.get("telecom")),
            organization_number=self._codings.organization_number_of(resource.get("identifier")),
        )

    def _contact(self, team: dict[str, Any]) -> ContactRecord | None:
        subject_id = reference_id(team.get("subject"), "Patient")
        if subject_id is None:
            return None
        participants = [p for p in team.get("participant") or () if isinstance(p, dict)]
        # The professional is the contact; an organisation listed beside them is the one they act for.
        participant: dict[str, Any] = next(
            (p for p in participants if reference_id(p.get("member"), "Practitioner")),
            participants[0] if participants else {},
        )
        member = participant.get("member")
        practitioner_id = reference_id(member, "Practitioner")
        organization_id = reference_id(participant.get("onBehalfOf"), "Organization") or reference_id(
            member, "Organization"
        )
        if organization_id is None:
            managing = next(iter(team.get("managingOrganization") or ()), None)
            organization_id = reference_id(managing, "Organization")
        period = team.get("period") or {}
        end = optional_datetime(period.get("end"))
        return ContactRecord(
            id=team["id"],
            subject_id=subject_id,
            active=team.get("status", "active") == "active",
            period_start=optional_datetime(period.get("start")),
            period_end=end,
            role=self._codings.role_of(codings_of(participant.get("role"))),
            name=(member or {}).get("display") or team.get("name"),
            practitioner_id=practitioner_id,
            organization_id=organization_id,
            phone=first_phone(team.get("telecom")),
            offers_digital_dialogue=self._codings.offers_digital_dialogue(team.get("meta")),
            hidden_from_guardian=self._codings.hidden_from_guardian(team.get("meta")),
        )


def _parsed(resources: list[Resource], parse: Callable[[Resource], T]) -> dict[str, T]:
    parsed: dict[str, T] = {}
    for resource in resources:
        try:
            parsed[resource["id"]] = parse(resource)
        except (KeyError, TypeError, ValueError, AttributeError):
            # Left to the fetch by id, which fails only the fields that need it, not the whole contact list.
            continue
    return parsed
