"""Timeavtaler: a subject's appointments (FHIR Appointment) and where they are."""

from __future__ import annotations

import datetime as dt

from gateway.context import GatewayContext
from gateway.errors import BadUserInput
from gateway.resolvers.pagination import Page, SortKey, check_first, instant_key, paginate
from gateway.resolvers.subjects import Subject
from gateway.sources.records import AppointmentRecord


def _appointment_key(appointment: AppointmentRecord) -> SortKey:
    return (instant_key(appointment.start), appointment.id)


def _aware(value: dt.datetime | None, argument: str) -> dt.datetime | None:
    if value is not None and value.tzinfo is None:
        raise BadUserInput(f"`{argument}` needs a time zone offset, e.g. 2026-12-01T00:00:00+01:00.", argument)
    return value


async def appointment_page(
    ctx: GatewayContext,
    subject: Subject,
    *,
    first: int | None,
    after: str | None,
    start: dt.datetime | None,
    end: dt.datetime | None,
) -> Page[AppointmentRecord]:
    """The subject's appointments starting within [start, end], earliest first."""
    check_first(first)
    start, end = _aware(start, "from"), _aware(end, "to")
    if start and end and end < start:
        raise BadUserInput("`to` is before `from`.", "to")
    appointments = await ctx.loaders.appointments_by_window.load((subject.person.id, start, end))
    ordered = sorted(appointments, key=_appointment_key)
    return paginate("Appointment", ordered, key=_appointment_key, descending=False, first=first, after=after)
