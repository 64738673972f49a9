"""HealthContact: a GP, care coordinator, department or service the person has a relationship with."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TypeVar

import strawberry
from aiodataloader import DataLoader

from gateway.policy.access import kind_or_conservative
from gateway.request.context import Info
from gateway.request.decisions import Subject
from gateway.resolvers import entities
from gateway.resolvers.contacts import is_current
from gateway.schema.common import Address, Period
from gateway.schema.enums import ContactRole, ServiceKind
from gateway.sources.records import ContactRecord, OrganizationRecord

T = TypeVar("T")


async def _load_or_none(loader: DataLoader[str, T | None], key: str | None) -> T | None:
    return await loader.load(key) if key else None


@dataclass
class _Loaded:
    organization: OrganizationRecord | None
    practitioner_name: str | None
    practitioner_phone: str | None


@strawberry.federation.type(
    keys=["id"],
    description="A health contact (helsekontakt): fastlege, care coordinator (forløpskoordinator), "
    "hospital department or municipal service. Federation entity with key `id`.",
)
class HealthContact:
    record: strawberry.Private[ContactRecord]
    owner: strawberry.Private[Subject]

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> HealthContact | None:
        """One contact entity: only one the viewer sees in the person's healthContacts (`_entities`
        looks all its representations up together, GatewaySchema.entities_resolver)."""
        found = await entities.contact(info.context, str(id))
        return cls(record=found[1], owner=found[0]) if found else None

    @strawberry.field(description="Stable id of this contact relationship (a FHIR CareTeam id).")
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.record.id)

    @strawberry.field(description="The contact's role for the person.")
    def role(self) -> ContactRole:
        return self.record.role

    @strawberry.field(description="Whether the person can write to this contact (digital dialogue).")
    def offers_digital_dialogue(self) -> bool:
        return self.record.offers_digital_dialogue

    @strawberry.field(description="Whether the relationship lasts today (false for a former GP).")
    def current(self, info: Info) -> bool:
        return is_current(self.record, info.context.now)

    @strawberry.field(description="When the relationship began and, for a former contact, ended.")
    def period(self) -> Period | None:
        if self.record.period_start is None and self.record.period_end is None:
            return None
        return Period(start=self.record.period_start, end=self.record.period_end)

    async def _loaded(self, info: Info) -> _Loaded:
        loaders = info.context.loaders
        # Both usually arrived with the CareTeam (`_include`, primed); otherwise one round trip, not two.
        organization, practitioner = await asyncio.gather(
            _load_or_none(loaders.organization_by_id, self.record.organization_id),
            _load_or_none(loaders.practitioner_by_id, self.record.practitioner_id),
        )
        return _Loaded(
            organization,
            practitioner.name if practitioner else None,
            practitioner.phone if practitioner else None,
        )

    @strawberry.field(description="The practitioner's name, or the department's or service's name.")
    async def name(self, info: Info) -> str:
        loaded = await self._loaded(info)
        return (
            loaded.practitioner_name
            or self.record.name
            or (loaded.organization.name if loaded.organization else None)
            or "Ukjent helsekontakt"
        )

    @strawberry.field(description="Hospital, GP or municipal service (from the organisation's type).")
    async def service_kind(self, info: Info) -> ServiceKind:
        loaded = await self._loaded(info)
        return kind_or_conservative(loaded.organization.service_kind if loaded.organization else None)

    @strawberry.field(description="The organisation (legekontor, hospital, municipality).")
    async def organization(self, info: Info) -> str | None:
        loaded = await self._loaded(info)
        return loaded.organization.name if loaded.organization else None

    @strawberry.field(description="The organisation's visiting address.")
    async def address(self, info: Info) -> Address | None:
        loaded = await self._loaded(info)
        return Address.from_record(loaded.organization.address if loaded.organization else None)

    @strawberry.field(description="Phone number of the contact, else of the organisation.")
    async def phone(self, info: Info) -> str | None:
        loaded = await self._loaded(info)
        return (
            self.record.phone
            or loaded.practitioner_phone
            or (loaded.organization.phone if loaded.organization else None)
        )
