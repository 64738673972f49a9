"""Hospital, GP and municipal appointment systems (FHIR R4): Appointment and Location."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from gateway.core.enums import enum_of
from gateway.sources.fhir import FhirSearch, fhir_address, reference_id
from gateway.sources.fhir_codings import FhirCodings, codings_of
from gateway.sources.parsing import comma_list, contract, datetime_of, optional_datetime
from gateway.sources.records import AppointmentRecord, AppointmentStatus, LocationRecord


class AppointmentsClient:
    def __init__(self, fhir: FhirSearch, codings: FhirCodings) -> None:
        self._fhir = fhir
        self._codings = codings

    async def appointments_by_patients(
        self, patient_ids: Sequence[str], start: dt.datetime | None = None, end: dt.datetime | None = None
    ) -> dict[str, list[AppointmentRecord]]:
        """Appointments of each patient starting within [start, end], earliest first.

        The server's date search only narrows what comes back; the window itself is applied here, to
        every record. Servers read a bound's fraction of a second differently (Medplum drops it, so
        `ge08:15:00.5` takes an appointment at 08:15:00; FHIR's implicit ranges make `le10:00:00` take
        10:00:00.9), so the bounds sent are the whole seconds around the window, which every server
        reads as covering at least the window.
        """
        params: dict[str, str | list[str]] = {"patient": comma_list(f"Patient/{p}" for p in patient_ids)}
        dates = [f"ge{start.replace(microsecond=0).isoformat()}"] if start else []
        dates += [f"le{_whole_second_at_or_after(end).isoformat()}"] if end else []
        if dates:
            params["date"] = dates
        resources = await self._fhir.search("Appointment", params)
        wanted = set(patient_ids)
        grouped: dict[str, list[AppointmentRecord]] = {p: [] for p in patient_ids}
        with contract(self._fhir.source):
            for resource in resources:
                for record in self._appointments(resource, wanted):
                    if (start is None or record.start >= start) and (end is None or record.start <= end):
                        grouped[record.patient_id].append(record)
        for records in grouped.values():
            records.sort(key=lambda a: (a.start, a.id))
        return grouped

    async def appointments_by_ids(self, ids: Sequence[str]) -> dict[str, AppointmentRecord]:
        """Appointments by id, with their patient (a federated lookup names only the appointment)."""
        resources = (await self._fhir.search_by_ids("Appointment", ids)).matches
        found: dict[str, AppointmentRecord] = {}
        with contract(self._fhir.source):
            for resource in resources:
                actors = [p.get("actor") for p in resource.get("participant") or ()]
                patients = {pid for a in actors if (pid := reference_id(a, "Patient"))}
                # An appointment with several patients is nobody's alone: not resolvable by id.
                if len(patients) == 1:
                    for record in self._appointments(resource, patients):
                        found[record.id] = record
        return found

    async def locations_by_ids(self, ids: Sequence[str]) -> dict[str, LocationRecord]:
        resources = await self._fhir.reference("Location", ids)
        with contract(self._fhir.source):
            return {i: self._location(r) for i, r in resources.items()}

    def _location(self, resource: dict[str, Any]) -> LocationRecord:
        # The organisation is read from the reference alone: its display, and its number where the
        # reference carries one (Reference.identifier), without a request for the Organization.
        managing = resource.get("managingOrganization") or {}
        return LocationRecord(
            id=resource["id"],
            name=resource.get("name") or "",
            address=fhir_address(resource.get("address")),
            at_home=self._codings.is_at_home(codings_of(resource.get("type"))),
            service_kind=self._codings.service_kind_of(codings_of(resource.get("type"))),
            organization_name=managing.get("display"),
            organization_number=self._codings.organization_number_of([managing.get("identifier")]),
        )

    def _appointments(self, resource: dict[str, Any], wanted: set[str]) -> list[AppointmentRecord]:
        actors = [p.get("actor") for p in resource.get("participant") or ()]
        patients = [pid for a in actors if (pid := reference_id(a, "Patient")) in wanted]
        practitioner_id = next((i for a in actors if (i := reference_id(a, "Practitioner"))), None)
        location_id = next((i for a in actors if (i := reference_id(a, "Location"))), None)
        if not resource.get("start"):
            return []  # a proposed appointment without a time is not one a person can attend yet
        service_type: dict[str, Any] = next(iter(resource.get("serviceType") or ()), {})
        return [
            AppointmentRecord(
                id=resource["id"],
                patient_id=patient_id,
                status=enum_of(
                    "appointments", AppointmentStatus, resource.get("status") or "booked", AppointmentStatus.BOOKED
                ),
                start=datetime_of(resource["start"]),
                end=optional_datetime(resource.get("end")),
                title=resource.get("description") or service_type.get("text") or "Timeavtale",
                service_kind=self._codings.service_kind_of(codings_of(resource.get("serviceCategory"))),
                practitioner_id=practitioner_id,
                location_id=location_id,
                hidden_from_guardian=self._codings.hidden_from_guardian(resource.get("meta")),
            )
            for patient_id in patients
        ]


def _whole_second_at_or_after(moment: dt.datetime) -> dt.datetime:
    whole = moment.replace(microsecond=0)
    return whole if whole == moment else whole + dt.timedelta(seconds=1)
