"""Per-request batched loaders: one upstream call per source per level of a query.

A `Loaders` is made for each request (never shared: its caches hold one viewer's data) and each
loader is created on first use, inside the running loop (aiodataloader binds the loop when made).

A CareTeam search brings the teams' practitioners and organisations along (`_include`); the two
contact loaders prime `practitioner_by_id` and `organization_by_id` with them, so a contact's name,
organisation and service kind cost no request of their own. Only what arrived is primed: anything
else (all of it, from a server that ignores `_include`) is fetched by id as before.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import defaultdict
from collections.abc import Awaitable, Callable, Hashable, Iterable, Mapping, Sequence
from functools import cached_property
from typing import Any, TypeVar

from aiodataloader import DataLoader

from gateway.sources import Sources
from gateway.sources.contacts import CareTeams
from gateway.sources.records import (
    AppointmentRecord,
    ConsentRecord,
    ContactRecord,
    LocationRecord,
    MessageRecord,
    OrganizationRecord,
    PersonRecord,
    PractitionerRecord,
    ProxyRecord,
    ThreadRecord,
)

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

# The sandbox and most real registries cap a comma-separated id list at 100.
MAX_BATCH = 100

AppointmentWindow = tuple[str, dt.datetime | None, dt.datetime | None]


async def load_by_key(loader: DataLoader[K, V], keys: Iterable[K]) -> dict[K, V]:
    """Each of `keys` (once each) with what `loader` answers for it, in one batch."""
    wanted = list(dict.fromkeys(keys))
    return dict(zip(wanted, await loader.load_many(wanted), strict=True))


class BatchLoader(DataLoader[K, V]):
    """aiodataloader's DataLoader, whose `load_many` awaits its keys' futures one after another
    instead of gathering them. They resolve together, in one batch, so only the first await waits,
    where a gather adds a callback and a turn of the event loop for each key (a page asks for the
    messages of every thread at once)."""

    def load_many(self, keys: Iterable[K]) -> Awaitable[list[V]]:  # type: ignore[override]  # awaited alike
        # The keys are queued now, as aiodataloader's own does: two `load_many` called before either
        # is awaited go out in the same batch window.
        return _in_turn([self.load(key) for key in keys])


async def _in_turn(futures: list[asyncio.Future[V]]) -> list[V]:
    try:
        return [await future for future in futures]
    except BaseException:
        # As a gather would: the other keys' errors (a failed batch fails every key) are seen, so
        # none is reported as never retrieved.
        for future in futures:
            future.add_done_callback(_retrieved)
        raise


def _retrieved(future: asyncio.Future[Any]) -> None:
    if not future.cancelled():
        future.exception()


class Abandoned(Exception):
    """A batch cancelled because nobody waits for its answer any more (the client went away)."""


class _Batches:
    """A request's batches being fetched; once closed, no new one is fetched."""

    __slots__ = ("closed", "fetching")

    def __init__(self) -> None:
        self.fetching: set[asyncio.Task[Any]] = set()
        self.closed = False


def _loader(fetch: Callable[[list[K]], Awaitable[Mapping[K, V]]], missing: V, batches: _Batches) -> DataLoader[K, V]:
    # `missing` is shared by every key without an answer: keep it immutable (None or ()).
    async def load(keys: list[K]) -> list[V]:
        if batches.closed:
            raise Abandoned()
        # aiodataloader runs each batch in a task of its own, which nothing else cancels.
        task = asyncio.current_task()
        if task is not None:
            batches.fetching.add(task)
        try:
            found = await fetch(keys)
        except asyncio.CancelledError:
            # By `Loaders.close`: aiodataloader fails the batch's keys on an Exception only, and would
            # leave whatever waits on them waiting for ever.
            raise Abandoned() from None
        finally:
            if task is not None:
                batches.fetching.discard(task)
        return [found.get(key, missing) for key in keys]

    return BatchLoader(load, max_batch_size=MAX_BATCH)


def _by(items: Sequence[ProxyRecord], attribute: str) -> dict[str, tuple[ProxyRecord, ...]]:
    grouped: dict[str, list[ProxyRecord]] = defaultdict(list)
    for item in items:
        grouped[getattr(item, attribute)].append(item)
    return {key: tuple(values) for key, values in grouped.items()}


class Loaders:
    """One request's loaders. Each loader's fetch holds what it calls, never the Loaders: a cycle
    through them would keep the request's records until the garbage collector came by."""

    def __init__(self, sources: Sources) -> None:
        self._sources = sources
        self._batches = _Batches()

    def close(self) -> None:
        """No more upstream calls for this request: the batches being fetched are cancelled (their
        upstream calls with them), and any later one fails at once (Abandoned)."""
        batches = self._batches
        batches.closed = True
        for task in list(batches.fetching):
            task.cancel()

    @cached_property
    def person_by_id(self) -> DataLoader[str, PersonRecord | None]:
        return _loader(self._sources.registry.persons_by_ids, missing=None, batches=self._batches)

    @cached_property
    def consent_by_person_id(self) -> DataLoader[str, ConsentRecord | None]:
        return _loader(self._sources.consent.consents_by_ids, missing=None, batches=self._batches)

    @cached_property
    def proxies_by_grantee(self) -> DataLoader[str, tuple[ProxyRecord, ...]]:
        consent = self._sources.consent

        async def fetch(ids: list[str]) -> dict[str, tuple[ProxyRecord, ...]]:
            return _by(await consent.proxies_by_grantees(ids), "grantee")

        return _loader(fetch, missing=(), batches=self._batches)

    @cached_property
    def threads_by_owner(self) -> DataLoader[str, Sequence[ThreadRecord]]:
        return _loader(self._sources.inbox.threads_by_owners, missing=(), batches=self._batches)

    @cached_property
    def messages_by_thread(self) -> DataLoader[str, Sequence[MessageRecord]]:
        return _loader(self._sources.inbox.messages_by_threads, missing=(), batches=self._batches)

    @cached_property
    def contacts_by_subject(self) -> DataLoader[str, Sequence[ContactRecord]]:
        contacts, primed = self._sources.contacts, self._priming()

        async def fetch(ids: list[str]) -> dict[str, list[ContactRecord]]:
            return primed(await contacts.care_teams_by_subjects(ids)).by_subject(ids)

        return _loader(fetch, missing=(), batches=self._batches)

    @cached_property
    def contact_by_id(self) -> DataLoader[str, ContactRecord | None]:
        contacts, primed = self._sources.contacts, self._priming()

        async def fetch(ids: list[str]) -> dict[str, ContactRecord]:
            found = primed(await contacts.care_teams_by_ids(ids))
            return {contact.id: contact for contact in found.contacts}

        return _loader(fetch, missing=None, batches=self._batches)

    def _priming(self) -> Callable[[CareTeams], CareTeams]:
        """What primes the practitioner and organisation loaders with a CareTeam search's includes."""
        practitioners, organizations = self.practitioner_by_id, self.organization_by_id

        def primed(found: CareTeams) -> CareTeams:
            for practitioner in found.practitioners.values():
                practitioners.prime(practitioner.id, practitioner)
            for organization in found.organizations.values():
                organizations.prime(organization.id, organization)
            return found

        return primed

    @cached_property
    def practitioner_by_id(self) -> DataLoader[str, PractitionerRecord | None]:
        return _loader(self._sources.contacts.practitioners_by_ids, missing=None, batches=self._batches)

    @cached_property
    def organization_by_id(self) -> DataLoader[str, OrganizationRecord | None]:
        return _loader(self._sources.contacts.organizations_by_ids, missing=None, batches=self._batches)

    @cached_property
    def appointments_by_window(self) -> DataLoader[AppointmentWindow, Sequence[AppointmentRecord]]:
        """Keyed by (patient id, from, to): one search per distinct window, all patients in it."""
        appointments = self._sources.appointments

        async def fetch(keys: list[AppointmentWindow]) -> dict[AppointmentWindow, list[AppointmentRecord]]:
            windows: dict[tuple[dt.datetime | None, dt.datetime | None], list[str]] = defaultdict(list)
            for patient_id, start, end in keys:
                windows[(start, end)].append(patient_id)
            searches = [
                appointments.appointments_by_patients(patients, start, end)
                for (start, end), patients in windows.items()
            ]
            found: dict[AppointmentWindow, list[AppointmentRecord]] = {}
            for (start, end), by_patient in zip(windows, await asyncio.gather(*searches), strict=True):
                found.update({(p, start, end): records for p, records in by_patient.items()})
            return found

        return _loader(fetch, missing=(), batches=self._batches)

    @cached_property
    def appointment_by_id(self) -> DataLoader[str, AppointmentRecord | None]:
        return _loader(self._sources.appointments.appointments_by_ids, missing=None, batches=self._batches)

    @cached_property
    def location_by_id(self) -> DataLoader[str, LocationRecord | None]:
        return _loader(self._sources.appointments.locations_by_ids, missing=None, batches=self._batches)
