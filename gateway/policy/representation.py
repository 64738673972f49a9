"""Who may act for whom (DESIGN.md 4.2), decided once per (viewer, subject) per request."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from gateway.policy.clock import age_on, today_in_oslo
from gateway.policy.vocabulary import AddressProtection, Basis, ConsentLevel, Reason, ServiceArea


@dataclass(frozen=True, slots=True)
class PersonFacts:
    """What the rules need to know about one person, from the registry and consent records."""

    id: str
    birth_date: dt.date
    address_protection: AddressProtection
    consent: ConsentLevel
    youth_access: bool = False


@dataclass(frozen=True, slots=True)
class Allowed:
    """The viewer may act for the subject on this basis, within these limits."""

    basis: Basis
    subject_id: str
    subject_consent: ConsentLevel
    subject_age: int
    subject_protection: AddressProtection
    # None means every area: only a fullmakt limits the areas.
    service_areas: frozenset[ServiceArea] | None = None
    valid_to: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class Denied:
    reason: Reason


Decision = Allowed | Denied

ADULT_AGE = 18
PARENTAL_ACCESS_ENDS_AT = 16
YOUTH_ACCESS_FROM = 13


def decide(viewer_id: str, subject: PersonFacts, now: dt.datetime) -> Decision:
    """The representation of `subject` by the viewer `viewer_id` at `now` (Europe/Oslo)."""
    age = age_on(subject.birth_date, today_in_oslo(now))
    if viewer_id != subject.id:
        return Denied(Reason.NO_RELATION)
    if subject.consent < ConsentLevel.BASIS:
        return Denied(Reason.NO_CONSENT)
    if age < PARENTAL_ACCESS_ENDS_AT and not (subject.youth_access and age >= YOUTH_ACCESS_FROM):
        return Denied(Reason.CHILD_AGE)
    return Allowed(Basis.SELF, subject.id, subject.consent, age, subject.address_protection)
