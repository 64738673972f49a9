"""Random small worlds for the property test: persons, consents, fullmakter, contacts, inbox, appointments.

A world is built from the sandbox's own seed dataclasses, so each sandbox service serves it with the
same JSON and FHIR shapes as the demo data. Every value that belongs to a person carries a token
unique in the world (ids, names, streets, message bodies), so a test can search a response for any
trace of a person.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from aiohttp import web
from hypothesis import strategies as st

from sandbox import appointments, consent, contacts, inbox, registry, seed
from tests.support import TEST_NOW

TODAY = TEST_NOW.date()
# Ages around the rules' boundaries (docs/access-rules.md#parents-and-child-age-bands): under 12, 12-15,
# 13 (youth access), 16 (parents lose access), 18 (fullmakt holders), and adults. "Eve" birth dates make
# 12, 13, 16 and 18 year-olds who have that birthday tomorrow.
AGES = (8, 11, 12, 13, 14, 15, 16, 17, 18, 30, 45, 70)
ADULT_AGES = (30, 45, 70)
PROTECTIONS = ("FORTROLIG", "STRENGT_FORTROLIG", "STRENGT_FORTROLIG_UTLAND")
GIVEN = ("Ragnhild", "Torstein", "Solveig", "Gunnar", "Sigrid", "Halvard", "Ingeborg", "Eivind")
FAMILY = ("Aasheim", "Brekkestø", "Dyrdal", "Fjeldstad", "Grimsrud", "Hovland", "Kvamsdal", "Lystrup")
# Street names used by nobody else (organisations and locations have their own), so a street in a
# response can only come from a person's address.
ADDRESSES = (
    seed.Address("Prøvegata 1", "5003", "Bergen", "Bergen", "4601"),
    seed.Address("Testlia 2", "5004", "Bergen", "Bergen", "4601"),
    seed.Address("Forsøksvegen 3", "0150", "Oslo", "Oslo", "0301"),
)

HOSPITALS = (seed.ORG_HAUKELAND, seed.ORG_OUS)
GP_OFFICES = (seed.ORG_KALFARVEIEN, seed.ORG_SENTRUM_BERGEN, seed.ORG_GRUNERLOKKA)
MUNICIPAL = (seed.ORG_BERGEN_HJEMMESYKEPLEIE, seed.ORG_OSLO_HELSESTASJON)
ORG_KIND = {o.id: o.kind for o in seed.ORGANIZATIONS}
GPS = (seed.PR_HAUGLAND, seed.PR_EIDE, seed.PR_LUNDE)
HOSPITAL_DOCTORS = (seed.PR_MOE, seed.PR_STRAND, seed.PR_FOSSE)
NURSES = (seed.PR_NILSEN,)
HOSPITAL_LOCATIONS = (seed.LOC_HAUKELAND_ORTOPEDI, seed.LOC_HAUKELAND_HJERTE)
GP_LOCATIONS = (seed.LOC_KALFARVEIEN, seed.LOC_SENTRUM_BERGEN)
NO_ADDRESS = frozenset({"STRENGT_FORTROLIG", "STRENGT_FORTROLIG_UTLAND"})

_K1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
_K2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)


def _check(digits: list[int], weights: tuple[int, ...]) -> int:
    return (11 - sum(d * w for d, w in zip(digits, weights, strict=False)) % 11) % 11


def synthetic_id(birth: dt.date, individual: int, taken: set[str]) -> str:
    """The first synthetic fødselsnummer (month + 80) from `individual` on whose check digits exist.

    Individual numbers 000-499 are for births in 1900-1999, 500-999 for 2000-2039.
    """
    low = 500 if birth.year >= 2000 else 0
    for step in range(500):
        number = low + (individual + step) % 500
        head = f"{birth.day:02d}{birth.month + 80:02d}{birth.year % 100:02d}{number:03d}"
        digits = [int(c) for c in head]
        k1 = _check(digits, _K1)
        if k1 == 10:
            continue
        k2 = _check([*digits, k1], _K2)
        if k2 == 10:
            continue
        candidate = f"{head}{k1}{k2}"
        if candidate not in taken:
            return candidate
    raise AssertionError(f"no free synthetic id for {birth}")


def age_on(birth: dt.date, day: dt.date = TODAY) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


@st.composite
def birth_dates(draw: st.DrawFn, ages: tuple[int, ...] = AGES) -> dt.date:
    """Born exactly N years before the test day (N today), the day after (N - 1 until tomorrow), or earlier."""
    years = draw(st.sampled_from(ages))
    anniversary = TODAY.replace(year=TODAY.year - years)
    how = draw(st.sampled_from(("birthday", "eve", "earlier")))
    if how == "birthday":
        return anniversary
    if how == "eve":
        return anniversary + dt.timedelta(days=1)
    return anniversary - dt.timedelta(days=draw(st.integers(1, 360)))


@dataclass(frozen=True)
class WorldPerson:
    person: seed.Person
    consent: seed.Consent | None  # None: the consent registry has no record (read as NONE)
    tag: str  # "p0", "p1", ...: prefixes the ids of everything that belongs to the person

    @property
    def id(self) -> str:
        return self.person.id

    @property
    def birth(self) -> dt.date:
        return dt.date.fromisoformat(self.person.birth_date)

    @property
    def age(self) -> int:
        return age_on(self.birth)

    @property
    def protection(self) -> str:
        return self.person.address_protection

    @property
    def protected(self) -> bool:
        return self.protection != "UGRADERT"

    @property
    def registered_address(self) -> seed.Address | None:
        """The address the registry serves: none at all for the STRENGT kinds."""
        return None if self.protection in NO_ADDRESS else self.person.address

    @property
    def consent_level(self) -> str:
        return self.consent.level if self.consent else "NONE"

    @property
    def youth_access(self) -> bool:
        return bool(self.consent and self.consent.youth_access)


@dataclass(frozen=True)
class World:
    persons: tuple[WorldPerson, ...]
    proxies: tuple[seed.Proxy, ...]
    care_teams: tuple[seed.CareTeam, ...]
    locations: tuple[seed.Location, ...]
    appointments: tuple[seed.Appointment, ...]
    threads: tuple[seed.Thread, ...]
    messages: tuple[seed.Message, ...]
    unknown_id: str  # valid check digits, in no registry

    @cached_property
    def by_id(self) -> dict[str, WorldPerson]:
        return {p.id: p for p in self.persons}

    def parents_of(self, child: WorldPerson) -> list[WorldPerson]:
        return [p for p in self.persons if child.id in p.person.parental_responsibility_for]

    def care_team(self, contact_id: str) -> seed.CareTeam | None:
        return next((t for t in self.care_teams if t.id == contact_id), None)

    def contact_kind(self, contact_id: str) -> str | None:
        team = self.care_team(contact_id)
        return ORG_KIND[team.organization] if team else None

    def location(self, location_id: str) -> seed.Location:
        return next(loc for loc in self.locations if loc.id == location_id)

    def apps(self) -> dict[str, web.Application]:
        orgs, pracs = seed.ORGANIZATIONS, seed.PRACTITIONERS
        return {
            "registry": registry.create_app(persons=[p.person for p in self.persons]),
            "consent": consent.create_app(
                consents=[p.consent for p in self.persons if p.consent],
                proxies=self.proxies,
                persons=[p.person for p in self.persons],
            ),
            "inbox": inbox.create_app(threads=self.threads, messages=self.messages),
            "contacts": contacts.create_app(care_teams=self.care_teams, practitioners=pracs, organizations=orgs),
            "appointments": appointments.create_app(
                appointments=self.appointments, locations=self.locations, practitioners=pracs, organizations=orgs
            ),
        }

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        # Hypothesis prints a failing world with this: the short form, not every dataclass field.
        printer.text("World:\n" + self.describe())

    def describe(self) -> str:
        """The world as text, for a failure report."""
        lines = []
        for p in self.persons:
            lines.append(
                f"{p.tag} {p.id} {p.person.given} {p.person.family} born {p.birth} (age {p.age}) "
                f"{p.protection} consent={p.consent_level} youth={p.youth_access} "
                f"address={p.person.address.street if p.person.address else None} "
                f"parent_of={[self.by_id[c].tag for c in p.person.parental_responsibility_for]}"
            )
        for x in self.proxies:
            lines.append(
                f"fullmakt {self.by_id[x.grantor].tag} -> {self.by_id[x.grantee].tag} areas={x.service_areas} "
                f"from {x.valid_from.isoformat()} to {x.valid_to.isoformat() if x.valid_to else None}"
            )
        for t in self.care_teams:
            lines.append(f"{t.id} role={t.role[0]} org={t.organization} ({ORG_KIND[t.organization]}) end={t.end}")
        for th in self.threads:
            msgs = [m for m in self.messages if m.thread_id == th.id]
            flags = [
                f"{m.id}{' hidden' if m.hidden_from_guardian else ''}"
                f"{' onBehalfOf=' + self.by_id[m.sent_on_behalf_of].tag if m.sent_on_behalf_of else ''}"
                f"{' +attachment' if m.attachments else ''}"
                for m in msgs
            ]
            lines.append(f"{th.id} {th.category} counterpart={th.counterpart_contact_id} messages={flags}")
        for a in self.appointments:
            lines.append(f"{a.id} {a.kind} at {a.location}{' GUARDIAN-RESTRICTED' if a.hidden_from_guardian else ''}")
        return "\n".join(lines)


FULLMAKT_VALIDITY = ("open", "until-later", "starts-now", "expired", "ends-now", "not-yet")


def _validity(how: str) -> tuple[dt.datetime, dt.datetime | None]:
    past, future = TEST_NOW - dt.timedelta(days=400), TEST_NOW + dt.timedelta(days=90)
    return {
        "open": (past, None),
        "until-later": (past, future),
        "expired": (past, TEST_NOW - dt.timedelta(days=3)),
        "ends-now": (past, TEST_NOW),  # validFrom <= now < validTo: over at this very instant
        "starts-now": (TEST_NOW, None),
        "not-yet": (TEST_NOW + dt.timedelta(minutes=1), None),
    }[how]


@st.composite
def worlds(draw: st.DrawFn, min_persons: int = 3, max_persons: int = 6) -> World:
    n = draw(st.integers(min_persons, max_persons))
    # One or two adults first, so most worlds have someone who can be a parent or a proxy.
    adults = draw(st.integers(1, 2))
    births = [draw(birth_dates(ADULT_AGES if i < adults else AGES)) for i in range(n)]
    given = draw(st.permutations(GIVEN))[:n]
    family = draw(st.permutations(FAMILY))[:n]
    taken: set[str] = set()
    ids = []
    for birth in births:
        ids.append(synthetic_id(birth, draw(st.integers(0, 499)), taken))
        taken.add(ids[-1])
    protections = [draw(st.sampled_from(("UGRADERT",) * 12 + PROTECTIONS)) for _ in range(n)]
    address_index = [draw(st.sampled_from((0, 0, 1, 1, 2, 2, None))) for _ in range(n)]
    ages = [age_on(b) for b in births]
    children: list[list[str]] = [[] for _ in range(n)]
    for child in range(n):
        if ages[child] >= 18:
            continue
        for parent in range(n):
            if births[parent] < births[child] and draw(st.booleans()):
                children[parent].append(ids[child])
                if draw(st.integers(0, 2)) > 0 and address_index[parent] is not None:
                    address_index[child] = address_index[parent]  # lives with this parent
    persons = []
    for i in range(n):
        address = ADDRESSES[address_index[i]] if address_index[i] is not None else None
        if address is None and protections[i] in NO_ADDRESS:
            address = ADDRESSES[0]  # home care still knows where they live; the registry does not say
        person = seed.Person(
            ids[i],
            given[i],
            family[i],
            births[i].isoformat(),
            address,
            protections[i],  # type: ignore[arg-type]
            parental_responsibility_for=tuple(children[i]),
        )
        level = draw(st.sampled_from(("FULL", "FULL", "BASIS", "BASIS_PLUS", "NONE", None)))
        record = seed.Consent(ids[i], level, draw(st.booleans())) if level else None
        persons.append(WorldPerson(person, record, f"p{i}"))

    proxies = []
    for k in range(draw(st.integers(0, 5))):
        # Mostly to an adult; now and then to a minor (who may not hold a fullmakt).
        grantee = draw(st.sampled_from([i for i in range(n) if ages[i] >= 18] * 3 + list(range(n))))
        grantor = draw(st.sampled_from([i for i in range(n) if i != grantee]))
        areas = tuple(sorted(draw(st.sets(st.sampled_from((1, 3)), max_size=2))))
        valid_from, valid_to = _validity(draw(st.sampled_from(FULLMAKT_VALIDITY)))
        proxies.append(seed.Proxy(f"fm-{k}", ids[grantor], ids[grantee], areas, valid_from, valid_to))

    care_teams: list[seed.CareTeam] = []
    locations: list[seed.Location] = [loc for loc in seed.LOCATIONS if loc.kind != "PTRES"]
    appointment_rows: list[seed.Appointment] = []
    thread_rows: list[seed.Thread] = []
    message_rows: list[seed.Message] = []
    for wp in persons:
        teams = _care_teams(draw, wp)
        care_teams += teams
        home, address = None, wp.person.address
        if address is not None:
            home = seed.Location(
                f"loc-home-{wp.tag}",
                "Hjemme hos pasienten",
                "PTRES",
                seed.ORG_BERGEN_HJEMMESYKEPLEIE,
                wp.person.address,
            )
            locations.append(home)
        appointment_rows += _appointments(draw, wp, teams, home)
        threads, messages = _inbox(draw, wp, teams, ids)
        thread_rows += threads
        message_rows += messages

    unknown = synthetic_id(dt.date(1985, 1, 1), draw(st.integers(0, 499)), taken)
    return World(
        tuple(persons),
        tuple(proxies),
        tuple(care_teams),
        tuple(locations),
        tuple(appointment_rows),
        tuple(thread_rows),
        tuple(message_rows),
        unknown,
    )


def _care_teams(draw: st.DrawFn, wp: WorldPerson) -> list[seed.CareTeam]:
    """A current GP, and maybe a former GP, a hospital contact and a municipal contact."""
    tag = wp.tag
    teams = [
        seed.CareTeam(
            f"ct-{tag}-1",
            wp.id,
            "Fastlege",
            seed.ROLE_GP,
            draw(st.sampled_from(GP_OFFICES)),
            draw(st.sampled_from(GPS)),
            "2021-03-01",
            digital_dialogue=draw(st.booleans()),
        )
    ]
    if draw(st.booleans()):
        teams.append(
            seed.CareTeam(
                f"ct-{tag}-2",
                wp.id,
                "Tidligere fastlege",
                seed.ROLE_GP,
                draw(st.sampled_from(GP_OFFICES)),
                draw(st.sampled_from(GPS)),
                "2012-05-01",
                "2021-02-28",
            )
        )
    if draw(st.booleans()):
        teams.append(
            seed.CareTeam(
                f"ct-{tag}-3",
                wp.id,
                "Poliklinikk",
                draw(st.sampled_from((seed.ROLE_PHYSICIAN, seed.ROLE_CARE_COORDINATOR))),
                draw(st.sampled_from(HOSPITALS)),
                draw(st.sampled_from(HOSPITAL_DOCTORS)),
                "2025-09-01",
                digital_dialogue=draw(st.booleans()),
            )
        )
    if draw(st.booleans()):
        teams.append(
            seed.CareTeam(
                f"ct-{tag}-4",
                wp.id,
                "Kommunal helsetjeneste",
                seed.ROLE_NURSE,
                draw(st.sampled_from(MUNICIPAL)),
                draw(st.sampled_from((None, *NURSES))),
                "2024-01-15",
                digital_dialogue=draw(st.booleans()),
            )
        )
    return teams


def _appointments(
    draw: st.DrawFn, wp: WorldPerson, teams: list[seed.CareTeam], home: seed.Location | None
) -> list[seed.Appointment]:
    rows = []
    kinds = ("HOSP", "PC", "COMM") if home is not None else ("HOSP", "PC")
    for k in range(draw(st.integers(0, 3))):
        kind = draw(st.sampled_from(kinds))
        if kind == "HOSP":
            location, practitioner = draw(st.sampled_from(HOSPITAL_LOCATIONS)), draw(st.sampled_from(HOSPITAL_DOCTORS))
        elif kind == "PC":
            location, practitioner = draw(st.sampled_from(GP_LOCATIONS)), teams[0].practitioner
        else:
            assert home is not None
            location, practitioner = home.id, draw(st.sampled_from((None, *NURSES)))
        start = TEST_NOW + dt.timedelta(days=draw(st.integers(-200, 200)), hours=draw(st.integers(-3, 3)))
        rows.append(
            seed.Appointment(
                f"ap-{wp.tag}-{k + 1}",
                wp.id,
                kind,  # type: ignore[arg-type]
                draw(st.sampled_from(("booked", "fulfilled", "cancelled"))),
                "Time",
                f"Avtale ap-{wp.tag}-{k + 1}",
                start,
                30,
                practitioner,
                location,
                hidden_from_guardian=draw(st.integers(0, 3)) == 3,
            )
        )
    return rows


def _inbox(
    draw: st.DrawFn, wp: WorldPerson, teams: list[seed.CareTeam], ids: list[str]
) -> tuple[list[seed.Thread], list[seed.Message]]:
    threads, messages = [], []
    for k in range(draw(st.integers(0, 4))):
        thread_id = f"th-{wp.tag}-{k + 1}"
        category = draw(st.sampled_from(seed.CATEGORIES))
        counterpart = draw(st.sampled_from(teams)).id
        threads.append(seed.Thread(thread_id, wp.id, f"Emne {thread_id}", category, counterpart, draw(st.booleans())))
        first = TEST_NOW - dt.timedelta(days=draw(st.integers(1, 300)))
        for n in range(draw(st.integers(1, 3))):
            message_id = f"msg-{wp.tag}-{k + 1}-{n + 1}"
            direction = draw(st.sampled_from(("IN", "OUT")))
            sent = first + dt.timedelta(hours=5 * n)
            on_behalf = draw(st.sampled_from(ids)) if direction == "OUT" and draw(st.integers(0, 3)) == 3 else None
            attachments = ()
            if draw(st.integers(0, 2)) == 2:
                attachments = (seed.Attachment(f"att-{wp.tag}-{k + 1}-{n + 1}", "dokument.pdf", seed.PDF, 12_345),)
            messages.append(
                seed.Message(
                    message_id,
                    thread_id,
                    direction,
                    counterpart if direction == "IN" else None,
                    sent,
                    None if direction == "IN" and draw(st.booleans()) else sent + dt.timedelta(hours=1),
                    f"Tekst {message_id}",
                    attachments,
                    hidden_from_guardian=draw(st.integers(0, 3)) == 3,
                    sent_on_behalf_of=on_behalf,
                )
            )
    return threads, messages
