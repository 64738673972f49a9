"""Who may act for whom: `decide` against docs/access-rules.md, exhaustively over the facts it looks at.

The expectations come from `_documented_decision`, a small oracle written from the table of
docs/access-rules.md#who-may-act-for-whom (its rows named next to each branch), and from literal
rows (the demo personas of docs/personas.md). Ages are literal too: each age point states the age the
documented birthday rule gives at that instant.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass

import pytest

from gateway.policy.clock import OSLO, age_on
from gateway.policy.representation import Allowed, Decision, Denied, PersonFacts, ProxyFacts, decide
from gateway.policy.vocabulary import AddressProtection, Basis, ConsentLevel, ProxyKind, Reason, ServiceArea

D = dt.date
UTC = dt.UTC
DAY = dt.timedelta(days=1)
A1, A3 = ServiceArea.REGISTERED_INFORMATION, ServiceArea.DIGITAL_HEALTH_SERVICES
UGRADERT = AddressProtection.UGRADERT
PROTECTIONS = list(AddressProtection)
CONSENTS = list(ConsentLevel)


def oslo_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=OSLO)


@dataclass(frozen=True)
class AgePoint:
    id: str
    born: dt.date
    now: dt.datetime
    age: int  # the subject's age at `now` in Europe/Oslo, worked out by hand


AGE_POINTS = [
    AgePoint("day-before-12th", D(2014, 6, 15), oslo_midnight(D(2026, 6, 14)), 11),
    AgePoint("12th-birthday", D(2014, 6, 15), oslo_midnight(D(2026, 6, 15)), 12),
    AgePoint("day-after-12th", D(2014, 6, 15), oslo_midnight(D(2026, 6, 16)), 12),
    AgePoint("day-before-13th", D(2013, 6, 15), oslo_midnight(D(2026, 6, 14)), 12),
    AgePoint("13th-birthday", D(2013, 6, 15), oslo_midnight(D(2026, 6, 15)), 13),
    AgePoint("day-after-13th", D(2013, 6, 15), oslo_midnight(D(2026, 6, 16)), 13),
    AgePoint("day-before-16th", D(2010, 6, 15), oslo_midnight(D(2026, 6, 14)), 15),
    AgePoint("16th-birthday", D(2010, 6, 15), oslo_midnight(D(2026, 6, 15)), 16),
    AgePoint("day-after-16th", D(2010, 6, 15), oslo_midnight(D(2026, 6, 16)), 16),
    AgePoint("adult", D(1985, 4, 12), oslo_midnight(D(2026, 11, 26)), 41),
    # the same Oslo midnights given in UTC: summer (CEST, UTC+2) and winter (CET, UTC+1)
    AgePoint("16th-birthday-0000-oslo-as-utc", D(2010, 6, 15), dt.datetime(2026, 6, 14, 22, 0, tzinfo=UTC), 16),
    AgePoint("eve-of-16th-2359-oslo-as-utc", D(2010, 6, 15), dt.datetime(2026, 6, 14, 21, 59, tzinfo=UTC), 15),
    AgePoint("13th-birthday-0000-oslo-winter-utc", D(2013, 1, 10), dt.datetime(2026, 1, 9, 23, 0, tzinfo=UTC), 13),
    AgePoint("eve-of-13th-2359-oslo-winter-utc", D(2013, 1, 10), dt.datetime(2026, 1, 9, 22, 59, tzinfo=UTC), 12),
    # born on 29 February: a year older on 1 March in common years (2025), on 29 February in leap years
    AgePoint("leap-born-12th-28-feb-leap-year", D(2012, 2, 29), oslo_midnight(D(2024, 2, 28)), 11),
    AgePoint("leap-born-12th-29-feb-leap-year", D(2012, 2, 29), oslo_midnight(D(2024, 2, 29)), 12),
    AgePoint("leap-born-13th-28-feb-common-year", D(2012, 2, 29), oslo_midnight(D(2025, 2, 28)), 12),
    AgePoint("leap-born-13th-1-mar-common-year", D(2012, 2, 29), oslo_midnight(D(2025, 3, 1)), 13),
    AgePoint("leap-born-13th-2-mar-common-year", D(2012, 2, 29), oslo_midnight(D(2025, 3, 2)), 13),
    AgePoint("leap-born-16th-28-feb-leap-year", D(2008, 2, 29), oslo_midnight(D(2024, 2, 28)), 15),
    AgePoint("leap-born-16th-29-feb-leap-year", D(2008, 2, 29), oslo_midnight(D(2024, 2, 29)), 16),
    AgePoint("leap-born-17th-1-mar-common-year", D(2008, 2, 29), oslo_midnight(D(2025, 3, 1)), 17),
]


@dataclass(frozen=True)
class Relation:
    """How the viewer stands to the subject (the facts `decide` is given are built from this)."""

    id: str
    kind: str  # "self", "parent", "proxy", "stranger"
    # parent: whether a parent WITH parental responsibility is registered at the child's address
    responsible_parent_at_home: bool = False
    viewer_at_home: bool = False
    other_parent_responsible: bool = True
    viewer_emigrated: bool = False  # "a parent who has emigrated has no access"
    # proxy: the fullmakt subject -> viewer, its validity relative to now (valid_to None: no end)
    valid_from: dt.timedelta = -365 * DAY
    valid_to: dt.timedelta | None = None
    areas: frozenset[ServiceArea] = frozenset({A1, A3})
    grantee_minor: bool = False
    transitive: bool = False
    assigned: bool = False  # a tildelt fullmakt


RELATIONS = [
    Relation("self", "self"),
    Relation("parent-living-with-child", "parent", responsible_parent_at_home=True, viewer_at_home=True),
    Relation("parent-apart-other-responsible-parent-at-home", "parent", responsible_parent_at_home=True),
    Relation("parent-apart-no-responsible-parent-at-home", "parent"),
    Relation("parent-apart-non-responsible-parent-at-home", "parent", other_parent_responsible=False),
    Relation("parent-emigrated-other-parent-at-home", "parent", responsible_parent_at_home=True, viewer_emigrated=True),
    Relation("proxy-active-no-end", "proxy"),
    Relation("proxy-active-area-1-until-tomorrow", "proxy", valid_to=DAY, areas=frozenset({A1})),
    Relation("proxy-active-area-3-until-next-second", "proxy", valid_to=dt.timedelta(seconds=1), areas=frozenset({A3})),
    Relation("proxy-valid-from-exactly-now", "proxy", valid_from=dt.timedelta(0), valid_to=30 * DAY),
    Relation("proxy-expired-yesterday", "proxy", valid_to=-DAY),
    Relation("proxy-valid-to-exactly-now", "proxy", valid_to=dt.timedelta(0)),
    Relation("proxy-not-yet-valid", "proxy", valid_from=DAY, valid_to=30 * DAY),
    Relation("proxy-not-yet-valid-no-end", "proxy", valid_from=dt.timedelta(seconds=1)),
    Relation("proxy-grantee-under-18", "proxy", grantee_minor=True),
    Relation("proxy-transitive", "proxy", transitive=True),
    Relation("assigned-active", "proxy", assigned=True),
    Relation("assigned-past-its-fifth-year", "proxy", assigned=True, valid_from=-6 * 365 * DAY),
    Relation(
        "assigned-valid-to-beyond-five-years", "proxy", assigned=True, valid_from=-4 * 365 * DAY, valid_to=3 * 365 * DAY
    ),
    Relation("assigned-expired-yesterday", "proxy", assigned=True, valid_to=-DAY),
    Relation("stranger", "stranger"),
]


def _documented_decision(
    rel: Relation,
    born: dt.date,
    age: int,
    consent: ConsentLevel,
    youth: bool,
    viewer_protection: AddressProtection,
    subject_protection: AddressProtection,
    now: dt.datetime,
) -> Decision:
    """docs/access-rules.md#who-may-act-for-whom, one row at a time."""

    def allowed(basis: Basis, areas: frozenset[ServiceArea] | None = None, valid_to: dt.datetime | None = None):
        # the subject's own consent level applies, whoever acts (#consent-levels)
        return Allowed(basis, "S", consent, age, subject_protection, areas, valid_to)

    # rows 2-4: the viewer is the subject: NO_CONSENT without consent; under 16, CHILD_AGE unless 13 or
    #    older with youthAccess; else SELF
    if rel.kind == "self":
        if consent < ConsentLevel.BASIS:
            return Denied(Reason.NO_CONSENT)
        if age < 16 and not (youth and age >= 13):
            return Denied(Reason.CHILD_AGE)
        return allowed(Basis.SELF)
    # rows 6 and 7: the viewer's own address protection answers CONFIDENTIAL_ADDRESS; the subject's
    #    answers NO_RELATION, exactly as for a stranger
    if viewer_protection is not UGRADERT:
        return Denied(Reason.CONFIDENTIAL_ADDRESS)
    if subject_protection is not UGRADERT:
        return Denied(Reason.NO_RELATION)
    # rows 9 and 11 (#parents-and-child-age-bands): parental responsibility, the subject under 16, the
    #    viewer registered as resident in Norway (a parent who has emigrated has no access), and a parent
    #    with parental responsibility registered at the child's address: PARENT (else NO_RELATION). From
    #    the 16th birthday the parent has no access at all (CHILD_AGE)
    if rel.kind == "parent" and not rel.viewer_emigrated:
        if age >= 16:
            return Denied(Reason.CHILD_AGE)
        return allowed(Basis.PARENT) if rel.responsible_parent_at_home else Denied(Reason.NO_RELATION)
    # rows 10 and 12 (#fullmakt): an active fullmakt with grantor = subject, grantee = viewer
    #    (validFrom <= now < validTo, or no validTo; viewer at least 18; grantor at least 16 at validFrom,
    #    else it gives nothing and the answer is NO_RELATION): PROXY. An ended one gives PROXY_EXPIRED.
    #    Never transitive. #tildelt-assigned-fullmakt: for a person 12 or older, ending 5 years after
    #    validFrom whatever validTo says (then PROXY_EXPIRED); basis ASSIGNED_PROXY
    given = now + rel.valid_from
    if (
        rel.kind == "proxy"
        and not rel.transitive
        and age_on(born, given.astimezone(OSLO).date()) >= (12 if rel.assigned else 16)
    ):
        valid_to = None if rel.valid_to is None else now + rel.valid_to
        if rel.assigned:
            local = given.astimezone(OSLO)
            fifth = (
                local.replace(year=local.year + 5)
                if (local.month, local.day) != (2, 29)
                else local.replace(year=local.year + 5, month=3, day=1)
            )
            valid_to = fifth if valid_to is None else min(valid_to, fifth)
        active = given <= now and (valid_to is None or now < valid_to)
        if active and not rel.grantee_minor:
            return allowed(Basis.ASSIGNED_PROXY if rel.assigned else Basis.PROXY, rel.areas, valid_to)
        if valid_to is not None and valid_to <= now:
            return Denied(Reason.PROXY_EXPIRED)
    # row 13: otherwise NO_RELATION
    return Denied(Reason.NO_RELATION)


def _facts(
    rel: Relation,
    point: AgePoint,
    consent: ConsentLevel,
    youth: bool,
    viewer_protection: AddressProtection,
    subject_protection: AddressProtection,
) -> tuple[PersonFacts, PersonFacts, list[ProxyFacts], list[PersonFacts]]:
    """The registry facts of one case: viewer, subject, fullmakter and the subject's parents."""
    now = point.now
    is_parent = rel.kind == "parent"
    subject = PersonFacts(
        id="S",
        birth_date=point.born,
        address_protection=subject_protection,
        consent=consent,
        youth_access=youth,
        address="home",
        responsible_parents=frozenset({"V", "P2"} if rel.other_parent_responsible else {"V"})
        if is_parent
        else frozenset({"M1", "M2"}),
    )
    if rel.kind == "self":
        return subject, subject, [], []
    oslo_year = now.astimezone(OSLO).year
    viewer = PersonFacts(
        id="V",
        # a minor grantee is 17 all year (born 1 January); everyone else is an adult
        birth_date=D(oslo_year - 17, 1, 1) if rel.grantee_minor else D(1980, 5, 5),
        address_protection=viewer_protection,
        consent=ConsentLevel.FULL,
        address="home" if rel.viewer_at_home else "flat",
        parental_responsibility_for=frozenset({"S"}) if is_parent else frozenset(),
        resident=not rel.viewer_emigrated,
    )
    parents: list[PersonFacts] = []
    if is_parent:
        other = PersonFacts(
            id="P2",
            birth_date=D(1981, 3, 3),
            consent=ConsentLevel.FULL,
            address="home"
            if (rel.responsible_parent_at_home and not rel.viewer_at_home) or not rel.other_parent_responsible
            else "cabin",
            parental_responsibility_for=frozenset({"S"}) if rel.other_parent_responsible else frozenset(),
        )
        parents = [viewer, other]
    # fullmakter the viewer holds from others, and ones the subject gave others: never relevant
    proxies = [
        ProxyFacts("X", "V", frozenset({A1, A3}), now - 365 * DAY, None),
        ProxyFacts("S", "Y", frozenset({A1, A3}), now - 365 * DAY, None),
    ]
    if rel.kind == "proxy":
        if rel.transitive:  # S -> B and B -> V; V asks for S
            proxies += [
                ProxyFacts("S", "B", frozenset({A1, A3}), now - 365 * DAY, None),
                ProxyFacts("B", "V", frozenset({A1, A3}), now - 365 * DAY, None),
            ]
        else:
            valid_to = None if rel.valid_to is None else now + rel.valid_to
            kind = ProxyKind.ASSIGNED if rel.assigned else ProxyKind.ORDINARY
            proxies.append(ProxyFacts("S", "V", rel.areas, now + rel.valid_from, valid_to, kind))
    return viewer, subject, proxies, parents


@pytest.mark.parametrize("point", AGE_POINTS, ids=[p.id for p in AGE_POINTS])
@pytest.mark.parametrize("rel", RELATIONS, ids=[r.id for r in RELATIONS])
def test_decide_matches_the_documented_table(rel: Relation, point: AgePoint) -> None:
    """Every consent level x youthAccess x viewer protection x subject protection for this relation and age."""
    mismatches = []
    for consent, youth, viewer_protection, subject_protection in itertools.product(
        CONSENTS, (False, True), PROTECTIONS, PROTECTIONS
    ):
        if rel.kind == "self" and viewer_protection is not subject_protection:
            continue  # one person, one address
        viewer, subject, proxies, parents = _facts(rel, point, consent, youth, viewer_protection, subject_protection)
        want = _documented_decision(
            rel, point.born, point.age, consent, youth, viewer_protection, subject_protection, point.now
        )
        got = decide(viewer, subject, point.now, proxies=proxies, parents=parents)
        if got != want:
            mismatches.append(
                f"consent={consent.name} youthAccess={youth} viewer={viewer_protection.value} "
                f"subject={subject_protection.value}: want {want}, got {got}"
            )
    assert not mismatches, f"{len(mismatches)} mismatches, e.g.\n" + "\n".join(mismatches[:8])


# --- literal rows: the demo personas of docs/personas.md, ages as of late 2026 ------------------------

NOW = dt.datetime(2026, 11, 26, 12, 0, tzinfo=OSLO)
FORTROLIG, STRENGT = AddressProtection.FORTROLIG, AddressProtection.STRENGT_FORTROLIG
BERGEN, TRONDHEIM, OSLO_ADDR, ELSEWHERE = "Bergen", "Trondheim", "Oslo", "elsewhere"

KARI = PersonFacts(
    "kari",
    D(1985, 4, 12),
    consent=ConsentLevel.FULL,
    address=BERGEN,
    parental_responsibility_for=frozenset({"emma", "jonas", "sofie"}),
)
OLA = PersonFacts("ola", D(1948, 9, 3), consent=ConsentLevel.FULL, address=ELSEWHERE)
EMMA = PersonFacts(
    "emma", D(2019, 6, 15), consent=ConsentLevel.FULL, address=BERGEN, responsible_parents=frozenset({"kari"})
)
JONAS = PersonFacts(
    "jonas",
    D(2012, 2, 20),
    consent=ConsentLevel.FULL,
    youth_access=True,
    address=BERGEN,
    responsible_parents=frozenset({"kari"}),
)
SOFIE = PersonFacts(
    "sofie", D(2009, 8, 1), consent=ConsentLevel.FULL, address=BERGEN, responsible_parents=frozenset({"kari"})
)
NORA = PersonFacts("nora", D(1990, 1, 30), FORTROLIG, ConsentLevel.BASIS_PLUS, address="secret")
PER = PersonFacts(
    "per",
    D(1982, 11, 5),
    consent=ConsentLevel.FULL,
    address=OSLO_ADDR,
    parental_responsibility_for=frozenset({"lars", "maja"}),
)
LARS = PersonFacts(
    "lars",
    D(2017, 3, 9),
    STRENGT,
    ConsentLevel.FULL,
    address="secret2",
    responsible_parents=frozenset({"per", "mor-l"}),
)
MAJA = PersonFacts(
    "maja",
    D(2011, 12, 1),
    consent=ConsentLevel.FULL,
    address=TRONDHEIM,
    responsible_parents=frozenset({"per", "mor-m"}),
)
MAJAS_MOTHER = PersonFacts("mor-m", D(1984, 2, 2), address=TRONDHEIM, parental_responsibility_for=frozenset({"maja"}))
INGRID = PersonFacts("ingrid", D(1975, 7, 22), consent=ConsentLevel.BASIS, address=ELSEWHERE)
ERIK = PersonFacts("erik", D(1979, 10, 14), consent=ConsentLevel.FULL, address=ELSEWHERE)

LONG_AGO = dt.datetime(2020, 1, 1, tzinfo=OSLO)
FULLMAKTER = [
    ProxyFacts("ola", "kari", frozenset({A1, A3}), LONG_AGO, None),
    ProxyFacts("ola", "erik", frozenset({A1, A3}), LONG_AGO, dt.datetime(2025, 1, 1, tzinfo=OSLO)),
    ProxyFacts("nora", "kari", frozenset({A1, A3}), LONG_AGO, None),  # "must be ignored"
    ProxyFacts("ingrid", "erik", frozenset({A1}), LONG_AGO, None),
]


def _self(p: PersonFacts, age: int) -> Allowed:
    return Allowed(Basis.SELF, p.id, p.consent, age, p.address_protection)


def _parent(p: PersonFacts, age: int) -> Allowed:
    return Allowed(Basis.PARENT, p.id, p.consent, age, p.address_protection)


PERSONA_ROWS = [
    ("kari-self", KARI, KARI, [], _self(KARI, 41)),
    ("kari-for-emma-under-12", KARI, EMMA, [KARI], _parent(EMMA, 7)),
    ("kari-for-jonas-12-15", KARI, JONAS, [KARI], _parent(JONAS, 14)),
    ("kari-for-sofie-17", KARI, SOFIE, [KARI], Denied(Reason.CHILD_AGE)),
    (
        "kari-for-ola-fullmakt",
        KARI,
        OLA,
        [],
        Allowed(Basis.PROXY, "ola", ConsentLevel.FULL, 78, UGRADERT, frozenset({A1, A3})),
    ),
    ("erik-for-ola-expired", ERIK, OLA, [], Denied(Reason.PROXY_EXPIRED)),
    (
        "erik-for-ingrid-area-1",
        ERIK,
        INGRID,
        [],
        Allowed(Basis.PROXY, "ingrid", ConsentLevel.BASIS, 51, UGRADERT, frozenset({A1})),
    ),
    ("kari-for-nora-fortrolig-fullmakt-ignored", KARI, NORA, [], Denied(Reason.NO_RELATION)),
    ("nora-for-kari-viewer-fortrolig", NORA, KARI, [], Denied(Reason.CONFIDENTIAL_ADDRESS)),
    ("per-for-lars-strengt-fortrolig", PER, LARS, [PER], Denied(Reason.NO_RELATION)),
    ("per-for-maja-mother-at-home", PER, MAJA, [PER, MAJAS_MOTHER], _parent(MAJA, 14)),
    ("per-for-maja-unknown-other-parent", PER, MAJA, [PER], Denied(Reason.NO_RELATION)),
    ("kari-for-per-stranger", KARI, PER, [], Denied(Reason.NO_RELATION)),
    ("ola-for-kari-grantor-is-not-grantee", OLA, KARI, [], Denied(Reason.NO_RELATION)),
    ("jonas-self-youth", JONAS, JONAS, [], _self(JONAS, 14)),
    ("maja-self-no-youth-access", MAJA, MAJA, [], Denied(Reason.CHILD_AGE)),
    ("emma-self-under-13", EMMA, EMMA, [], Denied(Reason.CHILD_AGE)),
    ("sofie-self-17", SOFIE, SOFIE, [], _self(SOFIE, 17)),
    ("nora-self-fortrolig", NORA, NORA, [], _self(NORA, 36)),
    ("lars-self-under-13", LARS, LARS, [], Denied(Reason.CHILD_AGE)),
    ("ingrid-self-basis", INGRID, INGRID, [], _self(INGRID, 51)),
]


@pytest.mark.parametrize(
    ("viewer", "subject", "parents", "want"),
    [row[1:] for row in PERSONA_ROWS],
    ids=[row[0] for row in PERSONA_ROWS],
)
def test_decide_for_demo_personas(
    viewer: PersonFacts, subject: PersonFacts, parents: list[PersonFacts], want: Decision
) -> None:
    assert decide(viewer, subject, NOW, proxies=FULLMAKTER, parents=parents) == want


# --- literal rows: boundaries of a fullmakt ----------------------------------------------------------

T = dt.datetime(2026, 6, 15, tzinfo=OSLO)
GRANTOR = PersonFacts("g", D(1950, 1, 1), consent=ConsentLevel.FULL)


def _proxy(areas: set[ServiceArea], valid_to: dt.datetime | None) -> Allowed:
    return Allowed(Basis.PROXY, "g", ConsentLevel.FULL, 76, UGRADERT, frozenset(areas), valid_to)


US = dt.timedelta(microseconds=1)
PROXY_ROWS = [
    # grantee turning 18: "viewer at least 18"
    ("grantee-day-before-18th", D(2008, 6, 16), T, [(T - DAY, None, {A1})], Denied(Reason.NO_RELATION)),
    ("grantee-18th-birthday", D(2008, 6, 15), T, [(T - DAY, None, {A1})], _proxy({A1}, None)),
    # born 29 February 2008: 17 on 28 February 2026 (a common year), 18 on 1 March
    (
        "grantee-leap-born-28-feb",
        D(2008, 2, 29),
        dt.datetime(2026, 2, 28, tzinfo=OSLO),
        [(LONG_AGO, None, {A1})],
        Denied(Reason.NO_RELATION),
    ),
    (
        "grantee-leap-born-1-mar",
        D(2008, 2, 29),
        dt.datetime(2026, 3, 1, tzinfo=OSLO),
        [(LONG_AGO, None, {A1})],
        _proxy({A1}, None),
    ),
    # validFrom <= now < validTo
    ("valid-from-now", D(1980, 1, 1), T, [(T, None, {A3})], _proxy({A3}, None)),
    ("valid-from-a-microsecond-later", D(1980, 1, 1), T, [(T + US, None, {A3})], Denied(Reason.NO_RELATION)),
    ("valid-to-a-microsecond-later", D(1980, 1, 1), T, [(T - DAY, T + US, {A3})], _proxy({A3}, T + US)),
    ("valid-to-now", D(1980, 1, 1), T, [(T - DAY, T, {A3})], Denied(Reason.PROXY_EXPIRED)),
    ("valid-to-now-given-in-utc", D(1980, 1, 1), T, [(T - DAY, T.astimezone(UTC), {A1})], Denied(Reason.PROXY_EXPIRED)),
    # one expired and one active: the active one counts
    ("expired-and-active", D(1980, 1, 1), T, [(T - 9 * DAY, T - DAY, {A3}), (T - DAY, None, {A1})], _proxy({A1}, None)),
    (
        "expired-and-not-yet-valid",
        D(1980, 1, 1),
        T,
        [(T - 9 * DAY, T - DAY, {A3}), (T + DAY, None, {A1})],
        Denied(Reason.PROXY_EXPIRED),
    ),
]


@pytest.mark.parametrize(
    ("grantee_born", "now", "fullmakter", "want"), [row[1:] for row in PROXY_ROWS], ids=[row[0] for row in PROXY_ROWS]
)
def test_fullmakt_boundaries(
    grantee_born: dt.date,
    now: dt.datetime,
    fullmakter: list[tuple[dt.datetime, dt.datetime | None, set[ServiceArea]]],
    want: Decision,
) -> None:
    grantee = PersonFacts("e", grantee_born, consent=ConsentLevel.FULL)
    proxies = [ProxyFacts("g", "e", frozenset(areas), start, end) for start, end, areas in fullmakter]
    assert decide(grantee, GRANTOR, now, proxies=proxies) == want


# --- literal rows: "grantor at least 16 at validFrom" (Du må være over 16 år for å gi en fullmakt) ------

GRANTOR_16 = D(2010, 6, 15)  # 16 on T
GIVEN_YOUNG = [
    ("given-on-16th-birthday", T, None, True),
    ("given-at-2359-the-eve-of-16th", T - dt.timedelta(minutes=1), None, False),
    ("given-the-eve-as-utc-2159", (T - dt.timedelta(minutes=1)).astimezone(UTC), None, False),
    ("given-on-16th-birthday-as-utc", T.astimezone(UTC), None, True),
    ("given-at-15-expired-since", T - 300 * DAY, T + 10 * DAY - 400 * DAY, False),
]


@pytest.mark.parametrize(("given", "ends", "counts"), [row[1:] for row in GIVEN_YOUNG], ids=[r[0] for r in GIVEN_YOUNG])
def test_a_fullmakt_given_before_16_gives_nothing_not_even_proxy_expired(
    given: dt.datetime, ends: dt.datetime | None, counts: bool
) -> None:
    grantor = PersonFacts("g", GRANTOR_16, consent=ConsentLevel.FULL)
    grantee = PersonFacts("e", D(1980, 1, 1), consent=ConsentLevel.FULL)
    now = T + 30 * DAY  # the grantor is 16 now, whenever the fullmakt was given
    decision = decide(grantee, grantor, now, proxies=[ProxyFacts("g", "e", frozenset({A1}), given, ends)])
    if counts:
        assert decision == Allowed(Basis.PROXY, "g", ConsentLevel.FULL, 16, UGRADERT, frozenset({A1}), None)
    else:
        assert decision == Denied(Reason.NO_RELATION)


# --- literal rows: how the parent facts may be stated ------------------------------------------------

CHILD_BORN = D(2016, 5, 5)  # 10 at T


def _child(responsible: set[str]) -> PersonFacts:
    return PersonFacts(
        "c", CHILD_BORN, consent=ConsentLevel.FULL, address="home", responsible_parents=frozenset(responsible)
    )


def _adult(pid: str, address: str, responsible_for: set[str]) -> PersonFacts:
    return PersonFacts(
        pid,
        D(1980, 1, 1),
        consent=ConsentLevel.FULL,
        address=address,
        parental_responsibility_for=frozenset(responsible_for),
    )


PARENT_C = Allowed(Basis.PARENT, "c", ConsentLevel.FULL, 10, UGRADERT)
PARENT_FACT_ROWS = [
    # the relation known from the child's side only, or from the viewer's side only
    ("known-from-child-side-at-home", _adult("v", "home", set()), _child({"v"}), [], PARENT_C),
    ("known-from-viewer-side-at-home", _adult("v", "home", {"c"}), _child(set()), [], PARENT_C),
    # "at least one parent with parental responsibility is registered at the child's address": the other
    # parent's responsibility stated on the child's record, or on the other parent's own record (the
    # `parents` argument is documented as "the subject's parents with parental responsibility")
    (
        "other-parent-at-home-per-child-record",
        _adult("v", "flat", {"c"}),
        _child({"v", "p2"}),
        [_adult("p2", "home", set())],
        PARENT_C,
    ),
    (
        "other-parent-at-home-per-own-record",
        _adult("v", "flat", {"c"}),
        _child({"v"}),
        [_adult("p2", "home", {"c"})],
        PARENT_C,
    ),
    # a parent at the address without parental responsibility does not count
    (
        "other-parent-at-home-without-responsibility",
        _adult("v", "flat", {"c"}),
        _child({"v"}),
        [_adult("p2", "home", set())],
        Denied(Reason.NO_RELATION),
    ),
    # the child's address unknown: nobody is registered at it
    (
        "child-address-unknown",
        _adult("v", "home", {"c"}),
        PersonFacts("c", CHILD_BORN, consent=ConsentLevel.FULL, responsible_parents=frozenset({"v"})),
        [],
        Denied(Reason.NO_RELATION),
    ),
]


@pytest.mark.parametrize(
    ("viewer", "child", "parents", "want"),
    [row[1:] for row in PARENT_FACT_ROWS],
    ids=[row[0] for row in PARENT_FACT_ROWS],
)
def test_parent_facts(viewer: PersonFacts, child: PersonFacts, parents: list[PersonFacts], want: Decision) -> None:
    assert decide(viewer, child, T, proxies=[], parents=[viewer, *parents]) == want


def test_parent_of_16_year_old_with_a_fullmakt_from_the_child_acts_as_proxy() -> None:
    """From the 16th birthday a parent has no access as a parent; a fullmakt the 16-year-old gave still
    counts (docs/access-rules.md#who-may-act-for-whom: row 10 comes before row 11).
    One the child gave before 16 gives nothing: the parent's answer stays CHILD_AGE."""
    parent = _adult("v", "home", {"c"})
    child = PersonFacts(
        "c", D(2010, 6, 15), consent=ConsentLevel.FULL, address="home", responsible_parents=frozenset({"v"})
    )
    proxies = [ProxyFacts("c", "v", frozenset({A1}), T, None)]  # given on the 16th birthday
    assert decide(parent, child, T, proxies=proxies, parents=[parent]) == Allowed(
        Basis.PROXY, "c", ConsentLevel.FULL, 16, UGRADERT, frozenset({A1}), None
    )
    assert decide(parent, child, T, proxies=[], parents=[parent]) == Denied(Reason.CHILD_AGE)
    given_at_9 = [ProxyFacts("c", "v", frozenset({A1}), LONG_AGO, None)]
    assert decide(parent, child, T, proxies=given_at_9, parents=[parent]) == Denied(Reason.CHILD_AGE)


# --- literal rows: a tildelt fullmakt ends 5 years after it took effect (#tildelt-assigned-fullmakt) -----

GIVEN = dt.datetime(2021, 9, 1, 10, 0, tzinfo=OSLO)
FIFTH = dt.datetime(2026, 9, 1, 10, 0, tzinfo=OSLO)
LEAP_GIVEN = dt.datetime(2024, 2, 29, 12, 0, tzinfo=OSLO)
ASSIGNED_ROWS = [
    ("a-second-before-the-fifth-anniversary", GIVEN, None, FIFTH - dt.timedelta(seconds=1), FIFTH),
    ("on-the-fifth-anniversary", GIVEN, None, FIFTH, None),
    ("on-the-fifth-anniversary-as-utc", GIVEN, None, FIFTH.astimezone(UTC), None),
    ("valid-to-before-the-fifth-year", GIVEN, GIVEN + 400 * DAY, GIVEN + 399 * DAY, GIVEN + 400 * DAY),
    ("valid-to-after-the-fifth-year-is-cut", GIVEN, FIFTH + 300 * DAY, FIFTH - DAY, FIFTH),
    ("given-29-february-ends-1-march", LEAP_GIVEN, None, dt.datetime(2029, 2, 28, 23, 0, tzinfo=OSLO),
     dt.datetime(2029, 3, 1, 12, 0, tzinfo=OSLO)),
]  # fmt: skip


@pytest.mark.parametrize(
    ("given", "valid_to", "now", "ends"), [row[1:] for row in ASSIGNED_ROWS], ids=[row[0] for row in ASSIGNED_ROWS]
)
def test_an_assigned_fullmakt_ends_in_its_fifth_year_whatever_valid_to_says(
    given: dt.datetime, valid_to: dt.datetime | None, now: dt.datetime, ends: dt.datetime | None
) -> None:
    grantor = PersonFacts("g", D(1950, 1, 1), consent=ConsentLevel.FULL)
    relative = PersonFacts("e", D(1980, 1, 1), consent=ConsentLevel.FULL)
    assigned = ProxyFacts("g", "e", frozenset({A1}), given, valid_to, ProxyKind.ASSIGNED)
    decision = decide(relative, grantor, now, proxies=[assigned])
    if ends is None:
        assert decision == Denied(Reason.PROXY_EXPIRED)
    else:
        age = age_on(grantor.birth_date, now.astimezone(OSLO).date())
        assert decision == Allowed(Basis.ASSIGNED_PROXY, "g", ConsentLevel.FULL, age, UGRADERT, frozenset({A1}), ends)


def test_an_assigned_fullmakt_beside_an_ordinary_one_acts_as_proxy_with_both_areas() -> None:
    grantor = PersonFacts("g", D(1950, 1, 1), consent=ConsentLevel.FULL)
    relative = PersonFacts("e", D(1980, 1, 1), consent=ConsentLevel.FULL)
    proxies = [
        ProxyFacts("g", "e", frozenset({A1}), T - DAY, None, ProxyKind.ASSIGNED),
        ProxyFacts("g", "e", frozenset({A3}), T - DAY, None),
    ]
    decision = decide(relative, grantor, T, proxies=proxies)
    assert isinstance(decision, Allowed) and decision.basis is Basis.PROXY
    assert decision.service_areas == {A1, A3}
