"""Federation entity lookups (`_entities`): by id alone, then through the same rules as every path.

An entity is found by its own id, its subject is resolved for the viewer exactly as `person(id:)`
would be, and it is returned only if it is one of the items the viewer sees in the subject's list
(so a service gate, an item filter or a hidden-from-guardian label holds here too).

The representations of one `_entities` call are looked up together, level by level (`EntityBatch`):
every contact's and appointment's record, then every subject's decision, then every subject's
lists, each level starting once the one before has finished for all of them. Looked up one by one,
each entity reached a level when its own answers came back, so the loaders' batches split with the
upstreams' timing and the same representations cost a different number of requests from run to
run. Together, each route of each source is asked once per level, on every run, however many
representations there are (up to the loaders' 100 ids per request; a FHIR search by id names at most
a page of ids, `GATEWAY_FHIR_PAGE_SIZE`, and a larger batch is searched a page of ids at a time, at once).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Literal, Protocol, TypeAlias, TypeVar

from gateway.core.auth import PrincipalKind
from gateway.core.errors import Unauthenticated
from gateway.request.context import GatewayContext
from gateway.request.decisions import Subject
from gateway.resolvers import appointments, contacts
from gateway.sources.loaders import load_by_key
from gateway.sources.records import AppointmentRecord, ContactRecord

T = TypeVar("T")
R = TypeVar("R")

EntityType: TypeAlias = Literal["Person", "HealthContact", "Appointment"]
# A value, or the error its lookup raised: raised again for the entities that need it, and only for them.
Outcome: TypeAlias = T | Exception


class _Identified(Protocol):
    @property
    def id(self) -> str: ...


async def _outcome(awaitable: Awaitable[T]) -> Outcome[T]:
    try:
        return await awaitable
    except Exception as exc:
        return exc


def _value(outcome: Outcome[T]) -> T:
    if isinstance(outcome, Exception):
        raise outcome
    return outcome


def _owners(records: Outcome[dict[str, R | None]], owner: Callable[[R], str]) -> list[str]:
    if isinstance(records, Exception):
        return []
    return list(dict.fromkeys(owner(r) for r in records.values() if r is not None))


class EntityBatch:
    """The entities of one `_entities` call, looked up together on first use; ask it only about the
    keys it was made with."""

    def __init__(self, ctx: GatewayContext, keys: Iterable[tuple[str, str]]) -> None:
        """`keys`: (__typename, id) of each representation."""
        self._ctx = ctx
        self._keys = list(dict.fromkeys(keys))
        self._loading: asyncio.Future[None] | None = None
        self._contacts: Outcome[dict[str, ContactRecord | None]] = {}
        self._appointments: Outcome[dict[str, AppointmentRecord | None]] = {}
        # Subject id -> the ids of the contacts (appointments) the viewer sees in that subject's list.
        self._contacts_shown: dict[str, Outcome[frozenset[str]]] = {}
        self._appointments_shown: dict[str, Outcome[frozenset[str]]] = {}

    async def person(self, person_id: str) -> Subject | None:
        await self._loaded()
        return await self._ctx.decisions.subject(person_id)

    async def contact(self, contact_id: str) -> tuple[Subject, ContactRecord] | None:
        await self._loaded()
        record = _value(self._contacts).get(contact_id)
        if record is None:
            return None
        # Decided in the batch: this awaits a finished answer (or raises the same denial), no request.
        subject = await self._ctx.decisions.required_subject(record.subject_id)
        return (subject, record) if contact_id in _value(self._contacts_shown[subject.person.id]) else None

    async def appointment(self, appointment_id: str) -> tuple[Subject, AppointmentRecord] | None:
        await self._loaded()
        record = _value(self._appointments).get(appointment_id)
        if record is None:
            return None
        subject = await self._ctx.decisions.required_subject(record.patient_id)
        return (subject, record) if appointment_id in _value(self._appointments_shown[subject.person.id]) else None

    async def _loaded(self) -> None:
        principal = self._ctx.principal
        if principal.kind is PrincipalKind.ANONYMOUS:
            # As `person(id:)` answers, for every type: no upstream call, nothing on which ids exist.
            raise Unauthenticated(principal.problem)
        if self._loading is None:
            self._loading = asyncio.ensure_future(self._load())
        await self._loading

    def _ids(self, entity_type: EntityType) -> list[str]:
        return [key for kind, key in self._keys if kind == entity_type]

    async def _load(self) -> None:
        ctx = self._ctx
        self._contacts, self._appointments = await asyncio.gather(
            _outcome(load_by_key(ctx.loaders.contact_by_id, self._ids("HealthContact"))),
            _outcome(load_by_key(ctx.loaders.appointment_by_id, self._ids("Appointment"))),
        )
        contact_owners = _owners(self._contacts, lambda c: c.subject_id)
        appointment_owners = _owners(self._appointments, lambda a: a.patient_id)

        subject_ids = dict.fromkeys([*self._ids("Person"), *contact_owners, *appointment_owners])
        decided = await asyncio.gather(*(_outcome(ctx.decisions.subject(s)) for s in subject_ids))
        subjects = {s.person.id: s for s in decided if isinstance(s, Subject)}

        with_contacts = [subjects[s] for s in contact_owners if s in subjects]
        with_appointments = [subjects[s] for s in appointment_owners if s in subjects]
        listed = await asyncio.gather(
            *(_outcome(contacts.contacts_of(ctx, s, include_former=True)) for s in with_contacts),
            *(_outcome(appointments.visible_appointments(ctx, s, None, None)) for s in with_appointments),
        )
        self._contacts_shown = _shown_ids(with_contacts, listed[: len(with_contacts)])
        self._appointments_shown = _shown_ids(with_appointments, listed[len(with_contacts) :])


def _shown_ids(
    subjects: Sequence[Subject], listed: Sequence[Outcome[Sequence[_Identified]]]
) -> dict[str, Outcome[frozenset[str]]]:
    return {
        subject.person.id: items if isinstance(items, Exception) else frozenset(item.id for item in items)
        for subject, items in zip(subjects, listed, strict=True)
    }
