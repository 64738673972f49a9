"""gateway/resolvers/appointments.py: a subject's appointments in a window, earliest first, as the rules allow."""

from __future__ import annotations

import datetime as dt

import msgspec
import pytest

from gateway.core.errors import BadUserInput, Forbidden
from gateway.engine import Selection
from gateway.policy.clock import OSLO
from gateway.policy.vocabulary import Reason, ServiceKind
from gateway.request.context import GatewayContext
from gateway.request.decisions import Subject
from gateway.resolvers.appointments import appointment_page, parts_of, visible_appointments
from gateway.resolvers.items import appointment_kind
from gateway.resolvers.pagination import Page
from gateway.sources.errors import SourceError, UpstreamUnavailable
from gateway.sources.records import AppointmentRecord, AppointmentStatus, LocationRecord
from sandbox import Sandbox
from sandbox.seed import (
    AP_EMMA_GP,
    AP_EMMA_HOSPITAL,
    AP_JONAS_GP,
    AP_KARI_GP_PAST,
    AP_KARI_GP_UPCOMING,
    AP_KARI_HOME,
    AP_KARI_HOSPITAL_PAST,
    AP_KARI_HOSPITAL_UPCOMING,
    CT_KARI_GP,
    CT_KARI_GP_FORMER,
    EMMA,
    ERIK,
    INGRID,
    JONAS,
    KARI,
    PR_EIDE,
    PR_HAUGLAND,
    PR_MOE,
)
from tests.request.factory import Contexts

NEW_YEAR = dt.datetime(2026, 1, 1, tzinfo=OSLO)
NEW_YEARS_EVE = dt.datetime(2026, 12, 31, 23, 59, 59, tzinfo=OSLO)


def ids(page: Page[AppointmentRecord]) -> list[str]:
    return [a.id for a in page.items]


@pytest.mark.parametrize(
    ("start", "end", "argument"),
    [
        (dt.datetime(2026, 1, 1), None, "from"),
        (None, dt.datetime(2026, 12, 31), "to"),
        (dt.datetime(2026, 1, 1), NEW_YEARS_EVE, "from"),
        (NEW_YEAR, dt.datetime(2026, 12, 31), "to"),
        (NEW_YEARS_EVE, NEW_YEAR, "to"),  # `to` before `from`
        (dt.datetime(9999, 12, 31, 23, 59, 59, tzinfo=dt.UTC), None, "from"),  # past what FHIR can search by
        (None, dt.datetime(1, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=14))), "to"),
        (dt.datetime(1899, 12, 31, 23, 59, tzinfo=dt.UTC), NEW_YEAR, "from"),
    ],
)
async def test_a_window_without_offset_or_upside_down_is_bad_user_input_before_any_upstream_call(
    contexts: Contexts, sandbox: Sandbox, start: dt.datetime | None, end: dt.datetime | None, argument: str
) -> None:
    ctx, kari = await contexts.subject(KARI, KARI)
    sandbox.reset()
    with pytest.raises(BadUserInput) as exc:
        await appointment_page(ctx, kari, first=10, after=None, start=start, end=end)
    assert exc.value.extensions == {"code": "BAD_USER_INPUT", "argument": argument}
    assert sum(sandbox.total_requests().values()) == 0


async def test_earliest_first_and_paged_by_cursor(contexts: Contexts) -> None:
    ctx, kari = await contexts.subject(KARI, KARI)
    first = await appointment_page(ctx, kari, first=2, after=None, start=None, end=None)
    assert ids(first) == [AP_KARI_HOSPITAL_PAST, AP_KARI_HOME] and first.has_next_page
    rest = await appointment_page(ctx, kari, first=10, after=first.end_cursor, start=None, end=None)
    assert ids(rest) == [AP_KARI_GP_PAST, AP_KARI_GP_UPCOMING, AP_KARI_HOSPITAL_UPCOMING]
    assert not rest.has_next_page and rest.total_count == 5 and rest.hidden_count == 0


async def test_a_window_keeps_the_appointments_starting_in_it(contexts: Contexts) -> None:
    ctx, kari = await contexts.subject(KARI, KARI)
    year = await appointment_page(ctx, kari, first=10, after=None, start=NEW_YEAR, end=NEW_YEARS_EVE)
    assert ids(year) == [AP_KARI_HOME, AP_KARI_GP_PAST, AP_KARI_GP_UPCOMING] and year.total_count == 3
    # The same instants in UTC give the same window.
    utc = await appointment_page(
        ctx, kari, first=10, after=None, start=NEW_YEAR.astimezone(dt.UTC), end=NEW_YEARS_EVE.astimezone(dt.UTC)
    )
    assert ids(utc) == ids(year)
    # Open at either end.
    since = await appointment_page(ctx, kari, first=10, after=None, start=NEW_YEAR, end=None)
    assert ids(since) == [AP_KARI_HOME, AP_KARI_GP_PAST, AP_KARI_GP_UPCOMING, AP_KARI_HOSPITAL_UPCOMING]
    until = await appointment_page(ctx, kari, first=10, after=None, start=None, end=NEW_YEAR)
    assert ids(until) == [AP_KARI_HOSPITAL_PAST]
    assert await visible_appointments(ctx, kari, NEW_YEAR, NEW_YEARS_EVE) == [a for a in year.items]


async def test_the_window_includes_both_ends(contexts: Contexts) -> None:
    ctx, kari = await contexts.subject(KARI, KARI)
    at = dt.datetime(2026, 12, 14, 13, 0, tzinfo=OSLO)  # AP_KARI_GP_UPCOMING starts then
    page = await appointment_page(ctx, kari, first=10, after=None, start=at, end=at)
    assert ids(page) == [AP_KARI_GP_UPCOMING]


async def test_a_parent_of_jonas_who_is_14_sees_his_gp_appointment_only(contexts: Contexts) -> None:
    ctx, jonas = await contexts.subject(KARI, JONAS)
    page = await appointment_page(ctx, jonas, first=10, after=None, start=None, end=None)
    # Not the two hospital ones, not the GP one hidden from guardians.
    assert ids(page) == [AP_JONAS_GP]
    assert (page.total_count, page.hidden_count) == (1, 3)


async def test_a_parent_of_emma_sees_hospital_appointments_but_not_a_hidden_one(contexts: Contexts) -> None:
    ctx, emma = await contexts.subject(KARI, EMMA)
    page = await appointment_page(ctx, emma, first=10, after=None, start=None, end=None)
    assert ids(page) == [AP_EMMA_GP, AP_EMMA_HOSPITAL]
    assert page.hidden_count == 1


@pytest.mark.parametrize(("viewer", "reason"), [(INGRID, Reason.CONSENT_LEVEL), (ERIK, Reason.PROXY_SCOPE)])
async def test_appointments_are_forbidden_where_timeavtaler_is_not_available(
    contexts: Contexts, viewer: str, reason: Reason
) -> None:
    ctx, ingrid = await contexts.subject(viewer, INGRID)
    with pytest.raises(Forbidden) as exc:
        await appointment_page(ctx, ingrid, first=10, after=None, start=None, end=None)
    assert exc.value.reason is reason


# --- the practitioner: the person's health contact with them, as a query that selects it loads it ---------


def _appointment(patient_id: str, practitioner_id: str) -> AppointmentRecord:
    at = dt.datetime(2026, 12, 1, 9, tzinfo=dt.UTC)
    return AppointmentRecord(
        id=f"ap-{practitioner_id}",
        patient_id=patient_id,
        status=AppointmentStatus.BOOKED,
        start=at,
        end=None,
        title="Time",
        service_kind=None,
        practitioner_id=practitioner_id,
        location_id=None,
        hidden_from_guardian=False,
    )


async def _practitioners(ctx: GatewayContext, subject: Subject, *practitioner_ids: str) -> list[str | None]:
    """The contact id each appointment's `practitioner` shows, as a query that selects it loads them."""
    appointments = [_appointment(subject.person.id, p) for p in practitioner_ids]
    _, found = await parts_of(ctx, subject, appointments, Selection({"practitioner": Selection()}))
    shown = [found[a.id] for a in appointments]
    assert not any(isinstance(part, SourceError) for part in shown)
    return [part[0].id if isinstance(part, tuple) else None for part in shown]


async def test_an_appointments_practitioner_is_the_persons_contact_current_first(contexts: Contexts) -> None:
    ctx, kari = await contexts.subject(KARI, KARI)
    assert await _practitioners(ctx, kari, PR_HAUGLAND, PR_EIDE, "pr-nobody") == [
        CT_KARI_GP,
        CT_KARI_GP_FORMER,
        None,
    ]
    # The hospital physician of a 14-year-old is not shown to his parent.
    ctx, jonas = await contexts.subject(KARI, JONAS)
    assert await _practitioners(ctx, jonas, PR_MOE) == [None]


def test_an_appointments_kind_is_its_own_category_else_its_locations() -> None:
    """The kind the item rules judge an appointment by, which its `serviceKind` shows
    (docs/access-rules.md#item-filtering): its own service category, else its location's type, else
    unknown. A location that failed to load fails the kind only when the kind needs it."""
    municipal = LocationRecord("loc-1", "Helsestasjonen", None, False, ServiceKind.MUNICIPAL, None, None)
    failed = UpstreamUnavailable("appointments", "timed out")
    bare = _appointment(KARI, PR_EIDE)
    own = msgspec.structs.replace(bare, service_kind=ServiceKind.GP)
    assert appointment_kind(own, municipal) is ServiceKind.GP
    assert appointment_kind(own, failed) is ServiceKind.GP
    assert appointment_kind(bare, municipal) is ServiceKind.MUNICIPAL
    assert appointment_kind(bare, None) is None
    with pytest.raises(SourceError):
        appointment_kind(bare, failed)
