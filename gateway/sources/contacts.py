"""The GP registry and care teams (FHIR R4): CareTeam, Practitioner, Organization.

One CareTeam is one relationship between a patient and one health contact; its id is the
contact id that inbox threads name as their counterpart.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from gateway.sources.fhir import FhirSearch, fhir_address, first_phone, human_name, reference_id
from gateway.sources.fhir_codings import FhirCodings, codings_of
from gateway.sources.parsing import comma_list, contract, optional_datetime
from gateway.sources.records import ContactRecord, OrganizationRecord, PractitionerRecord


class ContactsClient:
    def __init__(self, fhir: FhirSearch, codings: FhirCodings) -> None:
        self._fhir = fhir
        self._codings = codings

    async def contacts_by_subjects(self, subject_ids: Sequence[str]) -> dict[str, list[ContactRecord]]:
        resources = await self._fhir.search("CareTeam", {"subject": comma_list(f"Patient/{s}" for s in subject_ids)})
        grouped: dict[str, list[ContactRecord]] = {s: [] for s in subject_ids}
        with contract(self._fhir.source):
            for resource in resources:
                contact = self._contact(resource)
                if contact is not None:
                    grouped.setdefault(contact.subject_id, []).append(contact)
        return grouped

    async def contacts_by_ids(self, ids: Sequence[str]) -> dict[str, ContactRecord]:
        """Contacts by CareTeam id (a federated lookup names the contact, not the patient)."""
        resources = await self._fhir.search("CareTeam", {"_id": comma_list(ids)})
        with contract(self._fhir.source):
            found = (self._contact(resource) for resource in resources)
            return {contact.id: contact for contact in found if contact is not None}

    async def practitioners_by_ids(self, ids: Sequence[str]) -> dict[str, PractitionerRecord]:
        resources = await self._fhir.search("Practitioner", {"_id": comma_list(ids)})
        with contract(self._fhir.source):
            return {
                r["id"]: PractitionerRecord(
                    id=r["id"],
                    name=human_name(r.get("name")) or "Ukjent behandler",
                    phone=first_phone(r.get("telecom")),
                )
                for r in resources
            }

    async def organizations_by_ids(self, ids: Sequence[str]) -> dict[str, OrganizationRecord]:
        resources = await self._fhir.search("Organization", {"_id": comma_list(ids)})
        with contract(self._fhir.source):
            return {
                r["id"]: OrganizationRecord(
                    id=r["id"],
                    name=r.get("name") or "",
                    service_kind=self._codings.service_kind_of(codings_of(r.get("type"))),
                    address=fhir_address(r.get("address")),
                    phone=first_phone(r.get("telecom")),
                )
                for r in resources
            }

    def _contact(self, team: dict[str, Any]) -> ContactRecord | None:
        subject_id = reference_id(team.get("subject"), "Patient")
        if subject_id is None:
            return None
        participant: dict[str, Any] = next(iter(team.get("participant") or ()), {})
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
