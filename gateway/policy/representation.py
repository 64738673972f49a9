"""Who may act for whom, decided once per (viewer, subject) per request (docs/access-rules.md#who-may-act-for-whom).

`decide` takes plain facts and the instant; the caller loads them. As the rules say, the
subject's address protection is never told to anyone else (it answers NO_RELATION, as for a
stranger); the viewer's own protection answers CONFIDENTIAL_ADDRESS.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field

from gateway.policy.clock import OSLO, age_on, today_in_oslo
from gateway.policy.vocabulary import AddressProtection, Basis, ConsentLevel, ProxyKind, Reason, ServiceArea

ADULT_AGE = 18
PARENTAL_ACCESS_ENDS_AT = 16
# "Du må være over 16 år for å gi en fullmakt": a fullmakt given younger gives nothing
# (docs/access-rules.md#fullmakt).
FULLMAKT_GRANTOR_MIN_AGE = 16
# A tildelt (assigned) fullmakt: for a person over 12, "maksimalt 5 år av gangen"
# (docs/access-rules.md#tildelt-assigned-fullmakt).
ASSIGNED_GRANTOR_MIN_AGE = 12
ASSIGNED_FOR_AT_MOST_YEARS = 5
YOUTH_ACCESS_FROM = 13


@dataclass(frozen=True, slots=True)
class PersonFacts:
    """What the rules need to know about one person, from the registry and the consent registry."""

    id: str
    birth_date: dt.date
    address_protection: AddressProtection = AddressProtection.UGRADERT
    consent: ConsentLevel = ConsentLevel.NONE
    youth_access: bool = False
    # Any value that is equal for two persons registered at the same address; None when unknown.
    address: Hashable | None = None
    parental_responsibility_for: frozenset[str] = field(default_factory=frozenset)
    responsible_parents: frozenset[str] = field(default_factory=frozenset)
    deceased: bool = False
    # Registered as resident in Norway (Folkeregisteret): a parent who has emigrated has no access.
    resident: bool = True


@dataclass(frozen=True, slots=True)
class ProxyFacts:
    """One fullmakt: `grantee` may act for `grantor` in `areas` while valid_from <= now < valid_to."""

    grantor: str
    grantee: str
    areas: frozenset[ServiceArea]
    valid_from: dt.datetime
    valid_to: dt.datetime | None
    kind: ProxyKind = ProxyKind.ORDINARY

    @property
    def ends(self) -> dt.datetime | None:
        """When it ends: its validTo; an assigned one 5 years after it took effect at the latest."""
        if self.kind is not ProxyKind.ASSIGNED:
            return self.valid_to
        cap = _years_after(self.valid_from, ASSIGNED_FOR_AT_MOST_YEARS)
        return cap if self.valid_to is None else min(self.valid_to, cap)


def _years_after(instant: dt.datetime, years: int) -> dt.datetime:
    """The same wall-clock time `years` later in Oslo; 29 February becomes 1 March in a common year."""
    local = instant.astimezone(OSLO)
    try:
        later = local.replace(year=local.year + years)
    except ValueError:
        later = local.replace(year=local.year + years, month=3, day=1)
    return later.replace(tzinfo=OSLO)


@dataclass(frozen=True, slots=True)
class Allowed:
    """The viewer may act for the subject on this basis, within these limits."""

    basis: Basis
    subject_id: str
    subject_consent: ConsentLevel
    subject_age: int
    subject_protection: AddressProtection
    # A fullmakt's areas; None means every area (SELF and PARENT).
    service_areas: frozenset[ServiceArea] | None = None
    valid_to: dt.datetime | None = None

    @property
    def is_youth(self) -> bool:
        """A 13-15-year-old using the portal as themselves (docs/access-rules.md#youth-access)."""
        return self.basis is Basis.SELF and self.subject_age < PARENTAL_ACCESS_ENDS_AT


@dataclass(frozen=True, slots=True)
class ClientAccess:
    """A service client (client-credentials token with person:read) reading a person
    (docs/access-rules.md#service-clients)."""

    subject_id: str
    subject_consent: ConsentLevel
    subject_age: int
    subject_protection: AddressProtection


@dataclass(frozen=True, slots=True)
class Denied:
    reason: Reason


Access = Allowed | ClientAccess
Decision = Allowed | Denied


def _age(person: PersonFacts, now: dt.datetime) -> int:
    return age_on(person.birth_date, today_in_oslo(now))


def _protected(person: PersonFacts) -> bool:
    return person.address_protection is not AddressProtection.UGRADERT


def decide(
    viewer: PersonFacts,
    subject: PersonFacts,
    now: dt.datetime,
    *,
    proxies: Iterable[ProxyFacts] = (),
    parents: Iterable[PersonFacts] = (),
) -> Decision:
    """How `viewer` may act for `subject` at `now`.

    Args:
        proxies: fullmakter where the viewer is grantee (others are ignored).
        parents: registry facts of the subject's parents with parental responsibility (needed only
            when the viewer is one of them, to see whether one lives at the child's address).
    """
    age = _age(subject, now)

    def allowed(
        basis: Basis, areas: frozenset[ServiceArea] | None = None, valid_to: dt.datetime | None = None
    ) -> Allowed:
        return Allowed(basis, subject.id, subject.consent, age, subject.address_protection, areas, valid_to)

    if viewer.id == subject.id:
        if subject.consent < ConsentLevel.BASIS:
            return Denied(Reason.NO_CONSENT)
        if age < PARENTAL_ACCESS_ENDS_AT and not (subject.youth_access and age >= YOUTH_ACCESS_FROM):
            return Denied(Reason.CHILD_AGE)
        return allowed(Basis.SELF)
    if _protected(viewer):
        return Denied(Reason.CONFIDENTIAL_ADDRESS)
    if _protected(subject) or subject.deceased:
        return Denied(Reason.NO_RELATION)

    reason = Reason.NO_RELATION
    is_parent = subject.id in viewer.parental_responsibility_for or viewer.id in subject.responsible_parents
    if is_parent and viewer.resident:
        if age >= PARENTAL_ACCESS_ENDS_AT:
            reason = Reason.CHILD_AGE
        elif _lives_with_a_responsible_parent(subject, viewer, parents):
            return allowed(Basis.PARENT)

    mine = [
        p for p in proxies if p.grantor == subject.id and p.grantee == viewer.id and _grantor_old_enough(subject, p)
    ]
    active = [p for p in mine if p.valid_from <= now and (p.ends is None or now < p.ends)]
    if active and _age(viewer, now) >= ADULT_AGE:
        areas = frozenset().union(*(p.areas for p in active))
        ends = [p.ends for p in active]
        # An ordinary fullmakt is the basis when there is one; an assigned one alone is ASSIGNED_PROXY.
        ordinary = any(p.kind is ProxyKind.ORDINARY for p in active)
        basis = Basis.PROXY if ordinary else Basis.ASSIGNED_PROXY
        return allowed(basis, areas, None if None in ends else max(e for e in ends if e is not None))
    if reason is Reason.NO_RELATION and any(p.ends is not None and p.ends <= now for p in mine):
        reason = Reason.PROXY_EXPIRED
    return Denied(reason)


def _grantor_old_enough(grantor: PersonFacts, proxy: ProxyFacts) -> bool:
    """Whether the grantor was 16 when the fullmakt took effect (12 for an assigned one); one given
    younger is as if never given."""
    least = ASSIGNED_GRANTOR_MIN_AGE if proxy.kind is ProxyKind.ASSIGNED else FULLMAKT_GRANTOR_MIN_AGE
    return age_on(grantor.birth_date, today_in_oslo(proxy.valid_from)) >= least


def unknown_subject(viewer: PersonFacts) -> Denied:
    """The answer for an id that belongs to no one: exactly a stranger's (for a protected viewer, the
    viewer's own protection answers first), so the answer never tells whether the id belongs to anyone."""
    return Denied(Reason.CONFIDENTIAL_ADDRESS if _protected(viewer) else Reason.NO_RELATION)


def address_key(street: str, postal_code: str, municipality_number: str | None) -> Hashable:
    """Equal for two persons registered at the same address: the same street (in any letter case),
    postal code and municipality."""
    return (street.casefold(), postal_code, municipality_number)


def needs_other_parents(viewer: PersonFacts, subject: PersonFacts) -> bool:
    """Whether `decide` needs the facts of the subject's other responsible parents: the viewer is a
    responsible parent who is not registered at the child's address (the parent rule then asks
    whether another responsible parent is)."""
    is_parent = subject.id in viewer.parental_responsibility_for or viewer.id in subject.responsible_parents
    return is_parent and (viewer.address is None or viewer.address != subject.address)


def _lives_with_a_responsible_parent(child: PersonFacts, viewer: PersonFacts, parents: Iterable[PersonFacts]) -> bool:
    if child.address is None:
        return False
    # Either record may carry the responsibility: the child's responsibleParents or the parent's
    # parentalResponsibilityFor (the registry keeps both; trust whichever says so).
    return any(
        (p.id in child.responsible_parents or child.id in p.parental_responsibility_for or p is viewer)
        and p.address == child.address
        for p in [viewer, *parents]
    )


def client_access(subject: PersonFacts, now: dt.datetime) -> ClientAccess:
    return ClientAccess(subject.id, subject.consent, _age(subject, now), subject.address_protection)
