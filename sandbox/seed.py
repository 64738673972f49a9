"""The demo data every sandbox service is seeded with (docs/personas.md).

Plain frozen dataclasses, no randomness and no dates relative to now, so docs, tests and scripts can
rely on every id and timestamp. The two FHIR services both read ORGANIZATIONS and PRACTITIONERS from
here, which is what lets an appointment's practitioner be matched to the patient's CareTeam.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from gateway.demo_tokens import PERSONAS as PERSONA_BAR

OSLO = ZoneInfo("Europe/Oslo")

AddressProtection = Literal["UGRADERT", "FORTROLIG", "STRENGT_FORTROLIG", "STRENGT_FORTROLIG_UTLAND"]
ConsentLevel = Literal["NONE", "BASIS", "BASIS_PLUS", "FULL"]
ServiceKind = Literal["HOSP", "PC", "COMM"]
Direction = Literal["IN", "OUT"]

CATEGORIES: tuple[str, ...] = (
    "DIALOG_FASTLEGE",
    "FORLOPSKOORDINATOR",
    "INNKALLING",
    "TIMEAVTALE",
    "KOMMUNE",
    "HELSEUNDERSOKELSE",
    "FASTLEGEBYTTE",
    "FULLMAKT",
    "KJERNEJOURNAL",
)

# Personas (docs/personas.md#the-personas).
KARI = "12848510058"
OLA = "03894810369"
EMMA = "15861950082"
JONAS = "20821250162"
SOFIE = "01880950017"
NORA = "30819010095"
PER = "05918210190"
LARS = "09831750127"
INGRID = "22877510070"
ERIK = "14907910130"
MAJA = "01921150268"
THEA = "14821150036"
ANDERS = "05858010170"
# Not personas: the mothers the personas' facts need (docs/personas.md#people-who-are-not-personas); Maja's
# lives with her, so Per may represent Maja.
HANNE = "15838410135"
TONE = "07868812006"
LIV = "08888220071"

# The personas are one list, the persona bar's (gateway/demo_tokens.py: id, name and what to try), and
# the seed takes their ids from it: a persona added there is a persona here, and tests/sandbox/test_seed.py
# fails until the registry holds them under the name the bar shows. It is that way round because the
# gateway in production must never import the sandbox (it names sandbox apps by string,
# gateway/core/upstreams.py), while the sandbox may import the gateway.
PERSONAS: tuple[str, ...] = tuple(persona.id for persona in PERSONA_BAR)


def at(text: str) -> datetime:
    """A fixed local Oslo time from "YYYY-MM-DD HH:MM"."""
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=OSLO)


# --- registry --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Address:
    street: str
    postal_code: str
    city: str
    municipality: str
    municipality_number: str
    country: str = "NO"


@dataclass(frozen=True)
class Person:
    id: str
    given: str
    family: str
    birth_date: str
    address: Address | None
    address_protection: AddressProtection = "UGRADERT"
    parental_responsibility_for: tuple[str, ...] = ()
    deceased: bool = False
    # Folkeregisteret's status: "bosatt" (resident), "utflyttet" (emigrated), ...
    status: str = "bosatt"


KALFARVEIEN = Address("Kalfarveien 31", "5018", "Bergen", "Bergen", "4601")
FJELLVEIEN = Address("Fjellveien 12", "5019", "Bergen", "Bergen", "4601")
MOLLENDAL = Address("Møllendalsveien 8", "5009", "Bergen", "Bergen", "4601")
THERESES_GATE = Address("Thereses gate 14", "0358", "Oslo", "Oslo", "0301")
STORGATA = Address("Storgata 5", "0155", "Oslo", "Oslo", "0301")
TRONDHEIMSVEIEN = Address("Trondheimsveien 100", "0565", "Oslo", "Oslo", "0301")
BOGSTADVEIEN = Address("Bogstadveien 20", "0355", "Oslo", "Oslo", "0301")
MARKVEIEN = Address("Markveien 35", "0554", "Oslo", "Oslo", "0301")

PERSONS: tuple[Person, ...] = (
    Person(KARI, "Kari", "Nordmann", "1985-04-12", KALFARVEIEN, parental_responsibility_for=(EMMA, JONAS, SOFIE)),
    Person(OLA, "Ola", "Nordmann", "1948-09-03", FJELLVEIEN),
    Person(EMMA, "Emma", "Nordmann", "2019-06-15", KALFARVEIEN),
    Person(JONAS, "Jonas", "Nordmann", "2012-02-20", KALFARVEIEN),
    Person(SOFIE, "Sofie", "Nordmann", "2009-08-01", KALFARVEIEN),
    Person(NORA, "Nora", "Hansen", "1990-01-30", THERESES_GATE, "FORTROLIG"),
    Person(PER, "Per", "Berg", "1982-11-05", STORGATA, parental_responsibility_for=(LARS, MAJA)),
    Person(LARS, "Lars", "Berg", "2017-03-09", None, "STRENGT_FORTROLIG"),
    Person(INGRID, "Ingrid", "Solberg", "1975-07-22", MOLLENDAL),
    Person(ERIK, "Erik", "Dahl", "1979-10-14", BOGSTADVEIEN),
    Person(MAJA, "Maja", "Berg", "2011-12-01", TRONDHEIMSVEIEN),
    Person(THEA, "Thea", "Lund", "2011-02-14", MARKVEIEN),
    # Thea's parents: her mother, with whom she lives, and her father, who has emigrated (no access).
    Person(LIV, "Liv", "Lund", "1982-08-08", MARKVEIEN, parental_responsibility_for=(THEA,)),
    Person(ANDERS, "Anders", "Lie", "1980-05-05", None, parental_responsibility_for=(THEA,), status="utflyttet"),
    Person(HANNE, "Hanne", "Berg", "1984-03-15", TRONDHEIMSVEIEN, parental_responsibility_for=(MAJA,)),
    Person(TONE, "Tone", "Vik", "1988-06-07", None, "STRENGT_FORTROLIG", parental_responsibility_for=(LARS,)),
)

# --- consent ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Consent:
    person_id: str
    level: ConsentLevel
    youth_access: bool = False


@dataclass(frozen=True)
class Proxy:
    id: str
    grantor: str
    grantee: str
    service_areas: tuple[int, ...]
    valid_from: datetime
    valid_to: datetime | None
    kind: Literal["ORDINARY", "ASSIGNED"] = "ORDINARY"


# Tone has no record on purpose: the consent service omits such persons (the gateway reads NONE).
CONSENTS: tuple[Consent, ...] = (
    Consent(KARI, "FULL"),
    Consent(OLA, "FULL"),
    Consent(EMMA, "FULL"),
    Consent(JONAS, "FULL", youth_access=True),
    Consent(SOFIE, "FULL"),
    Consent(NORA, "BASIS_PLUS"),
    Consent(PER, "FULL"),
    Consent(LARS, "FULL"),
    Consent(INGRID, "BASIS"),
    Consent(ERIK, "FULL"),
    Consent(MAJA, "FULL"),
    Consent(THEA, "FULL", youth_access=True),
    Consent(LIV, "FULL"),
    Consent(ANDERS, "FULL"),
    Consent(HANNE, "FULL"),
)


def _reference(name: str) -> str:
    """A fullmakt's reference id (fullmaktReferanseId), a UUID as Helsenorge's are; the same each run."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"sandbox:fullmakt:{name}"))


PROXY_OLA_KARI = _reference("ola-kari")
PROXY_OLA_ERIK = _reference("ola-erik")
PROXY_NORA_KARI = _reference("nora-kari")
PROXY_INGRID_ERIK = _reference("ingrid-erik")
# Given at 15: "Du må være over 16 år for å gi en fullmakt", so it gives Erik nothing.
PROXY_THEA_ERIK = _reference("thea-erik")
# Tildelt (assigned) through the GP to their grandfather: Jonas's from his 12th year, for 5 years at most;
# Sofie's, from 2021, ended in its fifth year.
PROXY_JONAS_OLA = _reference("jonas-ola-tildelt")
PROXY_SOFIE_OLA = _reference("sofie-ola-tildelt")

PROXIES: tuple[Proxy, ...] = (
    Proxy(PROXY_OLA_KARI, OLA, KARI, (1, 3), at("2024-03-01 09:00"), None),
    Proxy(PROXY_OLA_ERIK, OLA, ERIK, (1, 3), at("2023-01-10 10:00"), at("2025-06-30 23:59")),
    Proxy(PROXY_NORA_KARI, NORA, KARI, (1, 3), at("2024-05-20 14:30"), None),
    Proxy(PROXY_INGRID_ERIK, INGRID, ERIK, (1,), at("2025-02-01 08:00"), None),
    Proxy(PROXY_THEA_ERIK, THEA, ERIK, (1, 3), at("2026-09-01 10:00"), None),
    Proxy(PROXY_JONAS_OLA, JONAS, OLA, (1, 3), at("2024-03-01 10:00"), None, "ASSIGNED"),
    Proxy(PROXY_SOFIE_OLA, SOFIE, OLA, (1, 3), at("2021-09-01 10:00"), at("2027-09-01 10:00"), "ASSIGNED"),
)

# --- contacts: organizations, practitioners, care teams --------------------------------------------


@dataclass(frozen=True)
class Organization:
    id: str
    name: str
    kind: ServiceKind
    phone: str
    line: str
    postal_code: str
    city: str
    district: str
    part_of: str | None = None
    # Organisasjonsnummer (Enhetsregisteret): 9 digits, the last a mod-11 check digit (weights 3 2 7 6 5 4 3 2).
    # Synthetic: these begin with 1, where every real one begins with 8 or 9, so none names a real
    # organisation. None: the server gives none, as a real one may not.
    organization_number: str | None = None


@dataclass(frozen=True)
class Practitioner:
    id: str
    given: tuple[str, ...]
    family: str
    prefix: str | None
    phone: str
    # HPR number (helsepersonellnummer, Helsepersonellregisteret): a number of 7 to 9 digits; these are
    # synthetic, of 7. None: the server gives none, as a real one may not.
    hpr: str | None

    @property
    def display_name(self) -> str:
        return " ".join((*self.given, self.family))


ORG_HAUKELAND = "org-haukeland"
ORG_HAUKELAND_BUK = "org-haukeland-buk"
ORG_OUS = "org-ous"
ORG_KALFARVEIEN = "org-kalfarveien-legesenter"
ORG_SENTRUM_BERGEN = "org-sentrum-legekontor"
ORG_LAKSEVAG = "org-laksevag-legesenter"
ORG_GRUNERLOKKA = "org-grunerlokka-legesenter"
ORG_MAJORSTUEN = "org-majorstuen-legesenter"
ORG_BERGEN_HJEMMESYKEPLEIE = "org-bergen-hjemmesykepleie"
ORG_BERGEN_HELSESTASJON = "org-bergen-helsestasjon"
ORG_OSLO_HELSESTASJON = "org-oslo-helsestasjon"

ORGANIZATIONS: tuple[Organization, ...] = (
    Organization(
        ORG_HAUKELAND,
        "Haukeland universitetssjukehus",
        "HOSP",
        "+47 55 97 50 00",
        "Jonas Lies vei 65",
        "5021",
        "Bergen",
        "Bergen",
        organization_number="102000102",
    ),
    Organization(
        ORG_HAUKELAND_BUK,
        "Barne- og ungdomsklinikken, Haukeland universitetssjukehus",
        "HOSP",
        "+47 55 97 52 00",
        "Haukelandsveien 22",
        "5021",
        "Bergen",
        "Bergen",
        part_of=ORG_HAUKELAND,
        organization_number="102000242",
    ),
    Organization(
        ORG_OUS,
        "Oslo universitetssykehus",
        "HOSP",
        "+47 915 02 770",
        "Sognsvannsveien 20",
        "0372",
        "Oslo",
        "Oslo",
        organization_number="102000315",
    ),
    Organization(
        ORG_KALFARVEIEN,
        "Kalfarveien legesenter",
        "PC",
        "+47 55 30 20 10",
        "Kalfarveien 2",
        "5018",
        "Bergen",
        "Bergen",
        organization_number="102000382",
    ),
    Organization(
        ORG_SENTRUM_BERGEN,
        "Sentrum legekontor Bergen",
        "PC",
        "+47 55 21 44 00",
        "Olav Kyrres gate 11",
        "5014",
        "Bergen",
        "Bergen",
        organization_number="102000455",
    ),
    Organization(
        ORG_LAKSEVAG,
        "Laksevåg legesenter",
        "PC",
        "+47 55 34 66 00",
        "Damsgårdsveien 170",
        "5162",
        "Laksevåg",
        "Bergen",
        organization_number="102000528",
    ),
    Organization(
        ORG_GRUNERLOKKA,
        "Grünerløkka legesenter",
        "PC",
        "+47 22 35 60 00",
        "Thorvald Meyers gate 30",
        "0555",
        "Oslo",
        "Oslo",
        organization_number="102000595",
    ),
    Organization(
        ORG_MAJORSTUEN,
        "Majorstuen legesenter",
        "PC",
        "+47 22 60 10 20",
        "Kirkeveien 64",
        "0364",
        "Oslo",
        "Oslo",
        organization_number="102000668",
    ),
    Organization(
        ORG_BERGEN_HJEMMESYKEPLEIE,
        "Bergen kommune, hjemmesykepleien Årstad",
        "COMM",
        "+47 53 03 12 00",
        "Inndalsveien 28",
        "5063",
        "Bergen",
        "Bergen",
        organization_number="102000730",
    ),
    Organization(
        ORG_BERGEN_HELSESTASJON,
        "Bergen kommune, helsestasjon og skolehelsetjeneste Bergenhus",
        "COMM",
        "+47 53 03 21 50",
        "Christies gate 3",
        "5015",
        "Bergen",
        "Bergen",
        organization_number="102000803",
    ),
    Organization(
        ORG_OSLO_HELSESTASJON,
        "Oslo kommune, helsestasjon og skolehelsetjeneste Grünerløkka",
        "COMM",
        "+47 21 80 21 80",
        "Helgesens gate 16",
        "0553",
        "Oslo",
        "Oslo",
        organization_number="102000870",
    ),
)

PR_HAUGLAND = "pr-anne-haugland"
PR_EIDE = "pr-morten-eide"
PR_RASMUSSEN = "pr-eva-rasmussen"
PR_LUNDE = "pr-siri-lunde"
PR_BAKKE = "pr-jon-bakke"
PR_FOSSE = "pr-linn-fosse"
PR_AAS = "pr-henrik-aas"
PR_MOE = "pr-kristin-moe"
PR_STRAND = "pr-ole-strand"
PR_NILSEN = "pr-tove-nilsen"

PRACTITIONERS: tuple[Practitioner, ...] = (
    Practitioner(PR_HAUGLAND, ("Anne",), "Haugland", "Dr.", "+47 55 30 20 11", "9144851"),
    Practitioner(PR_EIDE, ("Morten",), "Eide", "Dr.", "+47 55 21 44 01", "9011245"),
    Practitioner(PR_RASMUSSEN, ("Eva", "Marie"), "Rasmussen", "Dr.", "+47 55 34 66 01", "9283712"),
    Practitioner(PR_LUNDE, ("Siri",), "Lunde", "Dr.", "+47 22 35 60 01", "9355120"),
    Practitioner(PR_BAKKE, ("Jon",), "Bakke", "Dr.", "+47 22 60 10 21", "9470033"),
    Practitioner(PR_FOSSE, ("Linn",), "Fosse", None, "+47 55 97 51 10", "9512874"),
    Practitioner(PR_AAS, ("Henrik",), "Aas", "Dr.", "+47 55 97 52 10", "9633401"),
    Practitioner(PR_MOE, ("Kristin",), "Moe", "Dr.", "+47 55 97 53 20", "9701556"),
    Practitioner(PR_STRAND, ("Ole",), "Strand", "Dr.", "+47 915 02 800", "9822017"),
    Practitioner(PR_NILSEN, ("Tove",), "Nilsen", None, "+47 53 03 12 10", "9900412"),
)

ROLE_GP = ("62247001", "General practitioner")
ROLE_CARE_COORDINATOR = ("768820003", "Care coordinator")
ROLE_PHYSICIAN = ("309343006", "Physician")
ROLE_NURSE = ("106292003", "Professional nurse")


@dataclass(frozen=True)
class CareTeam:
    """One relationship between a patient and one health contact; its id is the "contact id"."""

    id: str
    patient: str
    name: str
    role: tuple[str, str]
    organization: str
    practitioner: str | None  # None: the organization itself is the contact
    start: str
    end: str | None = None
    digital_dialogue: bool = False

    @property
    def active(self) -> bool:
        return self.end is None


CT_KARI_GP = "ct-kari-gp"
CT_KARI_GP_FORMER = "ct-kari-gp-former"
CT_KARI_COORDINATOR = "ct-kari-coordinator"
CT_KARI_HOSPITAL = "ct-kari-hospital"
CT_KARI_HOMECARE = "ct-kari-homecare"
CT_OLA_GP = "ct-ola-gp"
CT_OLA_GP_FORMER = "ct-ola-gp-former"
CT_OLA_HOMECARE = "ct-ola-homecare"
CT_OLA_HOSPITAL = "ct-ola-hospital"
CT_EMMA_GP = "ct-emma-gp"
CT_EMMA_HOSPITAL = "ct-emma-hospital"
CT_EMMA_HELSESTASJON = "ct-emma-helsestasjon"
CT_JONAS_GP = "ct-jonas-gp"
CT_JONAS_COORDINATOR = "ct-jonas-coordinator"
CT_JONAS_HOSPITAL = "ct-jonas-hospital"
CT_JONAS_SCHOOLNURSE = "ct-jonas-schoolnurse"
CT_SOFIE_GP = "ct-sofie-gp"
CT_NORA_GP = "ct-nora-gp"
CT_NORA_GP_FORMER = "ct-nora-gp-former"
CT_PER_GP = "ct-per-gp"
CT_PER_GP_FORMER = "ct-per-gp-former"
CT_LARS_GP = "ct-lars-gp"
CT_INGRID_GP = "ct-ingrid-gp"
CT_INGRID_GP_FORMER = "ct-ingrid-gp-former"
CT_INGRID_HOSPITAL = "ct-ingrid-hospital"
CT_ERIK_GP = "ct-erik-gp"
CT_ERIK_GP_FORMER = "ct-erik-gp-former"
CT_MAJA_GP = "ct-maja-gp"
CT_MAJA_HOSPITAL = "ct-maja-hospital"
CT_MAJA_SCHOOLNURSE = "ct-maja-schoolnurse"

_GP, _CC, _MD, _RN = ROLE_GP, ROLE_CARE_COORDINATOR, ROLE_PHYSICIAN, ROLE_NURSE

CARE_TEAMS: tuple[CareTeam, ...] = (
    CareTeam(CT_KARI_GP, KARI, "Fastlege", _GP, ORG_KALFARVEIEN, PR_HAUGLAND, "2021-03-01", digital_dialogue=True),
    CareTeam(
        CT_KARI_GP_FORMER,
        KARI,
        "Tidligere fastlege",
        _GP,
        ORG_SENTRUM_BERGEN,
        PR_EIDE,
        "2012-05-01",
        "2021-02-28",
    ),
    CareTeam(
        CT_KARI_COORDINATOR,
        KARI,
        "Forløpskoordinator, Helse Vest",
        _CC,
        ORG_HAUKELAND,
        PR_FOSSE,
        "2025-09-15",
        digital_dialogue=True,
    ),
    CareTeam(CT_KARI_HOSPITAL, KARI, "Ortopedisk poliklinikk", _MD, ORG_HAUKELAND, PR_MOE, "2025-09-01"),
    CareTeam(
        CT_KARI_HOMECARE,
        KARI,
        "Hjemmesykepleien Årstad",
        _RN,
        ORG_BERGEN_HJEMMESYKEPLEIE,
        PR_NILSEN,
        "2026-01-10",
        digital_dialogue=True,
    ),
    CareTeam(CT_OLA_GP, OLA, "Fastlege", _GP, ORG_SENTRUM_BERGEN, PR_EIDE, "2019-01-01"),
    CareTeam(
        CT_OLA_GP_FORMER,
        OLA,
        "Tidligere fastlege",
        _GP,
        ORG_LAKSEVAG,
        PR_RASMUSSEN,
        "2001-01-01",
        "2018-12-31",
    ),
    CareTeam(
        CT_OLA_HOMECARE,
        OLA,
        "Hjemmesykepleien Årstad",
        _RN,
        ORG_BERGEN_HJEMMESYKEPLEIE,
        PR_NILSEN,
        "2024-10-01",
        digital_dialogue=True,
    ),
    CareTeam(CT_OLA_HOSPITAL, OLA, "Hjerteavdelingen", _MD, ORG_HAUKELAND, None, "2025-02-01"),
    CareTeam(CT_EMMA_GP, EMMA, "Fastlege", _GP, ORG_KALFARVEIEN, PR_HAUGLAND, "2021-03-01", digital_dialogue=True),
    CareTeam(CT_EMMA_HOSPITAL, EMMA, "Barne- og ungdomsklinikken", _MD, ORG_HAUKELAND_BUK, PR_AAS, "2026-02-01"),
    CareTeam(
        CT_EMMA_HELSESTASJON,
        EMMA,
        "Helsestasjonen Bergenhus",
        _RN,
        ORG_BERGEN_HELSESTASJON,
        None,
        "2019-06-20",
        digital_dialogue=True,
    ),
    CareTeam(CT_JONAS_GP, JONAS, "Fastlege", _GP, ORG_KALFARVEIEN, PR_HAUGLAND, "2021-03-01", digital_dialogue=True),
    CareTeam(
        CT_JONAS_COORDINATOR,
        JONAS,
        "Forløpskoordinator, Helse Vest",
        _CC,
        ORG_HAUKELAND_BUK,
        PR_FOSSE,
        "2025-11-01",
        digital_dialogue=True,
    ),
    CareTeam(CT_JONAS_HOSPITAL, JONAS, "Barne- og ungdomsklinikken", _MD, ORG_HAUKELAND_BUK, PR_AAS, "2025-10-15"),
    CareTeam(
        CT_JONAS_SCHOOLNURSE,
        JONAS,
        "Skolehelsetjenesten Bergenhus",
        _RN,
        ORG_BERGEN_HELSESTASJON,
        None,
        "2018-08-15",
        digital_dialogue=True,
    ),
    CareTeam(CT_SOFIE_GP, SOFIE, "Fastlege", _GP, ORG_KALFARVEIEN, PR_HAUGLAND, "2021-03-01", digital_dialogue=True),
    CareTeam(CT_NORA_GP, NORA, "Fastlege", _GP, ORG_GRUNERLOKKA, PR_LUNDE, "2022-08-01", digital_dialogue=True),
    CareTeam(
        CT_NORA_GP_FORMER,
        NORA,
        "Tidligere fastlege",
        _GP,
        ORG_MAJORSTUEN,
        PR_BAKKE,
        "2014-09-01",
        "2022-07-31",
    ),
    CareTeam(CT_PER_GP, PER, "Fastlege", _GP, ORG_MAJORSTUEN, PR_BAKKE, "2016-04-01"),
    CareTeam(
        CT_PER_GP_FORMER,
        PER,
        "Tidligere fastlege",
        _GP,
        ORG_GRUNERLOKKA,
        PR_LUNDE,
        "2008-01-01",
        "2016-03-31",
    ),
    CareTeam(CT_LARS_GP, LARS, "Fastlege", _GP, ORG_GRUNERLOKKA, PR_LUNDE, "2017-04-01", digital_dialogue=True),
    CareTeam(CT_INGRID_GP, INGRID, "Fastlege", _GP, ORG_LAKSEVAG, PR_RASMUSSEN, "2025-03-01", digital_dialogue=True),
    CareTeam(
        CT_INGRID_GP_FORMER,
        INGRID,
        "Tidligere fastlege",
        _GP,
        ORG_KALFARVEIEN,
        PR_HAUGLAND,
        "2010-01-01",
        "2025-02-28",
    ),
    CareTeam(CT_INGRID_HOSPITAL, INGRID, "Ortopedisk poliklinikk", _MD, ORG_HAUKELAND, PR_MOE, "2026-01-20"),
    CareTeam(CT_ERIK_GP, ERIK, "Fastlege", _GP, ORG_MAJORSTUEN, PR_BAKKE, "2020-06-01", digital_dialogue=True),
    CareTeam(
        CT_ERIK_GP_FORMER,
        ERIK,
        "Tidligere fastlege",
        _GP,
        ORG_GRUNERLOKKA,
        PR_LUNDE,
        "2005-02-01",
        "2020-05-31",
    ),
    CareTeam(CT_MAJA_GP, MAJA, "Fastlege", _GP, ORG_GRUNERLOKKA, PR_LUNDE, "2012-01-15", digital_dialogue=True),
    CareTeam(CT_MAJA_HOSPITAL, MAJA, "Barneavdelingen", _MD, ORG_OUS, PR_STRAND, "2026-03-01"),
    CareTeam(
        CT_MAJA_SCHOOLNURSE,
        MAJA,
        "Skolehelsetjenesten Grünerløkka",
        _RN,
        ORG_OSLO_HELSESTASJON,
        None,
        "2017-08-15",
        digital_dialogue=True,
    ),
)

# --- inbox -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Attachment:
    id: str
    name: str
    content_type: str
    size: int


@dataclass(frozen=True)
class Message:
    id: str
    thread_id: str
    direction: Direction
    sender_contact_id: str | None
    sent_at: datetime
    read_at: datetime | None
    body: str
    attachments: tuple[Attachment, ...] = ()
    hidden_from_guardian: bool = False
    sent_on_behalf_of: str | None = None


@dataclass(frozen=True)
class Thread:
    id: str
    owner: str
    subject: str
    category: str
    counterpart_contact_id: str
    archived: bool = False


@dataclass(frozen=True)
class _Msg:
    """A message as written in the tables below; ids, sender and readAt are derived from it."""

    direction: Direction
    sent: str
    body: str
    read: bool = True
    attachment: tuple[str, str, int] | None = None
    hidden: bool = False
    on_behalf_of: str | None = None


@dataclass
class _Inbox:
    threads: list[Thread] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)

    def add(
        self,
        thread_id: str,
        owner: str,
        category: str,
        counterpart: str,
        subject: str,
        msgs: list[_Msg],
        archived: bool = False,
    ) -> None:
        self.threads.append(Thread(thread_id, owner, subject, category, counterpart, archived))
        for n, m in enumerate(msgs, start=1):
            sent = at(m.sent)
            msg_id = f"{thread_id.replace('th-', 'msg-', 1)}-{n}"
            attachments: tuple[Attachment, ...] = ()
            if m.attachment:
                name, content_type, size = m.attachment
                attachments = (Attachment(f"att-{msg_id.removeprefix('msg-')}", name, content_type, size),)
            self.messages.append(
                Message(
                    id=msg_id,
                    thread_id=thread_id,
                    direction=m.direction,
                    sender_contact_id=counterpart if m.direction == "IN" else None,
                    sent_at=sent,
                    # OUT messages are the person's own and so always read.
                    read_at=sent + timedelta(hours=3) if m.read or m.direction == "OUT" else None,
                    body=m.body,
                    attachments=attachments,
                    hidden_from_guardian=m.hidden,
                    sent_on_behalf_of=m.on_behalf_of,
                )
            )


PDF = "application/pdf"

# Notable thread ids the gateway tests use.
TH_EMMA_HIDDEN = "th-emma-hidden"
TH_EMMA_FULLMAKT = "th-emma-fullmakt"
TH_EMMA_DIALOG = "th-emma-dialog"
TH_EMMA_TIMEAVTALE = "th-emma-timeavtale"
TH_EMMA_INNKALLING = "th-emma-innkalling"
TH_JONAS_INNKALLING = "th-jonas-innkalling"
TH_JONAS_HOSPITAL_TIME = "th-jonas-hospital-time"
TH_JONAS_DIALOG = "th-jonas-dialog"
TH_JONAS_DIALOG_PARENT = "th-jonas-dialog-parent"
TH_JONAS_GP_TIME = "th-jonas-gp-time"
TH_JONAS_KOMMUNE = "th-jonas-kommune"
TH_JONAS_FORLOP = "th-jonas-forlop"
TH_NORA_FULLMAKT = "th-nora-fullmakt"
TH_INGRID_FASTLEGEBYTTE = "th-ingrid-fastlegebytte"
TH_INGRID_HELSEUNDERSOKELSE = "th-ingrid-helseundersokelse"
TH_INGRID_DIALOG = "th-ingrid-dialog"
TH_INGRID_TIMEAVTALE = "th-ingrid-timeavtale"


def _hand_written(inbox: _Inbox) -> None:
    add, M = inbox.add, _Msg
    # Ola
    add(
        "th-ola-timeavtale",
        OLA,
        "TIMEAVTALE",
        CT_OLA_HOMECARE,
        "Nye tider for hjemmesykepleie",
        [
            M("IN", "2026-10-02 08:15", "Fra neste uke kommer vi mandag og torsdag formiddag.", read=False),
        ],
    )
    add(
        "th-ola-kommune",
        OLA,
        "KOMMUNE",
        CT_OLA_HOMECARE,
        "Spørsmål om medisindosett",
        [
            M("OUT", "2026-09-14 18:40", "Kan dere ta med ny dosett ved neste besøk?", on_behalf_of=KARI),
            M("IN", "2026-09-15 09:05", "Ja, vi tar den med på torsdag."),
        ],
    )
    add(
        "th-ola-fullmakt",
        OLA,
        "FULLMAKT",
        CT_OLA_GP,
        "Kvittering: fullmakt til Kari Nordmann",
        [
            M(
                "IN",
                "2024-03-01 09:01",
                "Du har gitt Kari Nordmann fullmakt til å bruke helsetjenester på dine vegne.",
            ),
        ],
    )
    add(
        "th-ola-fastlegebytte",
        OLA,
        "FASTLEGEBYTTE",
        CT_OLA_GP,
        "Kvittering for bytte av fastlege",
        [
            M("IN", "2018-12-20 12:00", "Du har fått ny fastlege fra 1. januar 2019: Morten Eide."),
        ],
    )
    add(
        "th-ola-innkalling",
        OLA,
        "INNKALLING",
        CT_OLA_HOSPITAL,
        "Innkalling til kontroll, hjerteavdelingen",
        [
            M(
                "IN",
                "2026-11-03 10:30",
                "Du er innkalt til kontroll.",
                read=False,
                attachment=("innkalling-hjerteavdelingen.pdf", PDF, 48213),
            ),
        ],
    )

    # Emma (under 12)
    add(
        TH_EMMA_HIDDEN,
        EMMA,
        "DIALOG_FASTLEGE",
        CT_EMMA_GP,
        "Oppfølging etter konsultasjon",
        [
            M("IN", "2026-08-21 13:10", "Melding som foresatte ikke skal se.", read=False, hidden=True),
        ],
    )
    add(
        TH_EMMA_FULLMAKT,
        EMMA,
        "FULLMAKT",
        CT_EMMA_GP,
        "Kvittering: foreldretilgang registrert",
        [
            M(
                "IN",
                "2025-06-16 08:00",
                "Foreldre med foreldreansvar har nå tilgang til Emmas helsetjenester.",
            ),
        ],
    )
    add(
        TH_EMMA_DIALOG,
        EMMA,
        "DIALOG_FASTLEGE",
        CT_EMMA_GP,
        "Utslett på armene",
        [
            M(
                "OUT",
                "2026-09-02 19:20",
                "Emma har fått utslett på begge armene. Bør vi komme inn?",
                on_behalf_of=KARI,
            ),
            M(
                "IN",
                "2026-09-03 10:45",
                "Send gjerne et bilde, eller bestill time.",
                read=False,
                attachment=("rad-om-eksem.pdf", PDF, 120553),
            ),
        ],
    )
    add(
        TH_EMMA_TIMEAVTALE,
        EMMA,
        "TIMEAVTALE",
        CT_EMMA_GP,
        "Timebekreftelse hos fastlege",
        [
            M("IN", "2026-11-10 09:00", "Bekreftet time 15. desember kl. 10.00 hos Anne Haugland."),
        ],
    )
    add(
        TH_EMMA_INNKALLING,
        EMMA,
        "INNKALLING",
        CT_EMMA_HOSPITAL,
        "Innkalling til allergiutredning",
        [
            M(
                "IN",
                "2026-10-20 11:00",
                "Emma er innkalt til allergitest.",
                attachment=("innkalling.pdf", PDF, 51234),
            ),
            M("IN", "2026-10-22 14:00", "Tilleggsopplysning til barnet.", read=False, hidden=True),
        ],
    )

    # Jonas (12-15, youth access)
    add(
        TH_JONAS_INNKALLING,
        JONAS,
        "INNKALLING",
        CT_JONAS_HOSPITAL,
        "Innkalling til poliklinikk",
        [
            M(
                "IN",
                "2026-10-05 10:00",
                "Du er innkalt til Barne- og ungdomsklinikken.",
                attachment=("innkalling-buk.pdf", PDF, 60211),
            ),
        ],
    )
    add(
        TH_JONAS_HOSPITAL_TIME,
        JONAS,
        "TIMEAVTALE",
        CT_JONAS_HOSPITAL,
        "Endret time ved Haukeland",
        [
            M("IN", "2026-11-12 15:30", "Timen din er flyttet til 14. januar kl. 09.30.", read=False),
        ],
    )
    add(
        TH_JONAS_DIALOG,
        JONAS,
        "DIALOG_FASTLEGE",
        CT_JONAS_GP,
        "Spørsmål om resept",
        [
            M("OUT", "2026-10-28 21:10", "Kan jeg få fornyet resepten på astmamedisinen?"),
            M("IN", "2026-10-29 11:20", "Resepten er fornyet.", read=False),
        ],
    )
    add(
        TH_JONAS_DIALOG_PARENT,
        JONAS,
        "DIALOG_FASTLEGE",
        CT_JONAS_GP,
        "Attest til idrettslaget",
        [
            M("OUT", "2026-08-10 17:00", "Jonas trenger en helseattest til fotballaget.", on_behalf_of=KARI),
            M("IN", "2026-08-12 09:30", "Attesten er klar til henting."),
        ],
    )
    add(
        TH_JONAS_GP_TIME,
        JONAS,
        "TIMEAVTALE",
        CT_JONAS_GP,
        "Timebekreftelse hos fastlege",
        [
            M("IN", "2026-11-20 08:45", "Bekreftet time 8. desember kl. 14.15."),
        ],
    )
    add(
        TH_JONAS_KOMMUNE,
        JONAS,
        "KOMMUNE",
        CT_JONAS_SCHOOLNURSE,
        "Vaksinasjon i skolen",
        [
            M("IN", "2026-09-01 12:00", "Vaksinasjon mot HPV gis på skolen 20. september.", read=False),
        ],
    )
    add(
        TH_JONAS_FORLOP,
        JONAS,
        "FORLOPSKOORDINATOR",
        CT_JONAS_COORDINATOR,
        "Din forløpskoordinator",
        [
            M("IN", "2025-11-02 10:00", "Hei, jeg er din forløpskoordinator og kan svare på spørsmål."),
            M("OUT", "2025-11-03 16:30", "Takk! Når får jeg svar på prøvene?"),
            M("IN", "2025-11-04 09:15", "Svaret kommer innen to uker.", read=False),
        ],
    )

    # Sofie
    add(
        "th-sofie-dialog",
        SOFIE,
        "DIALOG_FASTLEGE",
        CT_SOFIE_GP,
        "Prevensjonsveiledning",
        [
            M("OUT", "2026-09-18 20:05", "Jeg ønsker en samtale om prevensjon."),
            M("IN", "2026-09-19 10:00", "Velkommen, bestill en time på nett.", read=False),
        ],
    )
    add(
        "th-sofie-timeavtale",
        SOFIE,
        "TIMEAVTALE",
        CT_SOFIE_GP,
        "Timebekreftelse",
        [
            M("IN", "2026-10-01 08:00", "Bekreftet time 7. oktober kl. 15.00."),
        ],
    )

    # Nora (FORTROLIG, BASIS_PLUS)
    add(
        TH_NORA_FULLMAKT,
        NORA,
        "FULLMAKT",
        CT_NORA_GP,
        "Kvittering: fullmakt til Kari Nordmann",
        [
            M("IN", "2024-05-20 14:31", "Du har gitt Kari Nordmann fullmakt."),
        ],
    )
    add(
        "th-nora-dialog",
        NORA,
        "DIALOG_FASTLEGE",
        CT_NORA_GP,
        "Sykemelding",
        [
            M("OUT", "2026-10-06 07:50", "Jeg trenger forlenget sykemelding."),
            M(
                "IN",
                "2026-10-06 13:20",
                "Sykemeldingen er forlenget til 20. oktober.",
                read=False,
                attachment=("sykemelding.pdf", PDF, 30456),
            ),
        ],
    )
    add(
        "th-nora-fastlegebytte",
        NORA,
        "FASTLEGEBYTTE",
        CT_NORA_GP,
        "Kvittering for bytte av fastlege",
        [
            M("IN", "2022-07-15 09:00", "Du har fått ny fastlege fra 1. august 2022: Siri Lunde."),
        ],
    )
    add(
        "th-nora-helseundersokelse",
        NORA,
        "HELSEUNDERSOKELSE",
        CT_NORA_GP,
        "Resultater fra HUNT-studien",
        [
            M("IN", "2026-05-12 10:00", "Takk for at du deltok. Her er resultatene dine.", read=False),
        ],
    )

    # Per
    add(
        "th-per-fastlegebytte",
        PER,
        "FASTLEGEBYTTE",
        CT_PER_GP,
        "Kvittering for bytte av fastlege",
        [
            M("IN", "2016-03-20 09:00", "Du har fått ny fastlege fra 1. april 2016: Jon Bakke."),
        ],
    )
    add(
        "th-per-timeavtale",
        PER,
        "TIMEAVTALE",
        CT_PER_GP,
        "Timebekreftelse",
        [
            M("IN", "2026-11-02 08:30", "Bekreftet time 3. desember kl. 08.00.", read=False),
        ],
    )
    add(
        "th-per-helseundersokelse",
        PER,
        "HELSEUNDERSOKELSE",
        CT_PER_GP,
        "Resultater fra helseundersøkelse",
        [
            M("IN", "2025-12-01 10:00", "Resultatene fra undersøkelsen er klare."),
        ],
    )

    # Lars (STRENGT_FORTROLIG)
    add(
        "th-lars-timeavtale",
        LARS,
        "TIMEAVTALE",
        CT_LARS_GP,
        "Timebekreftelse",
        [
            M("IN", "2026-10-14 08:00", "Bekreftet time 21. oktober kl. 13.00."),
        ],
    )
    add(
        "th-lars-dialog",
        LARS,
        "DIALOG_FASTLEGE",
        CT_LARS_GP,
        "Øreverk",
        [
            M("OUT", "2026-09-09 19:00", "Lars har hatt øreverk i tre dager.", on_behalf_of=TONE),
            M("IN", "2026-09-10 09:40", "Kom innom i morgen kl. 09.", read=False),
        ],
    )

    # Ingrid (BASIS): two BASIS-service threads, the rest she must not see.
    add(
        TH_INGRID_FASTLEGEBYTTE,
        INGRID,
        "FASTLEGEBYTTE",
        CT_INGRID_GP,
        "Kvittering for bytte av fastlege",
        [
            M("IN", "2025-02-15 09:00", "Du har fått ny fastlege fra 1. mars 2025: Eva Marie Rasmussen."),
        ],
    )
    add(
        TH_INGRID_HELSEUNDERSOKELSE,
        INGRID,
        "HELSEUNDERSOKELSE",
        CT_INGRID_GP,
        "Resultat fra Tromsøundersøkelsen",
        [
            M("IN", "2026-06-03 10:00", "Resultatet ditt fra undersøkelsen er klart.", read=False),
        ],
    )
    add(
        TH_INGRID_DIALOG,
        INGRID,
        "DIALOG_FASTLEGE",
        CT_INGRID_GP,
        "Blodprøvesvar",
        [
            M("OUT", "2026-04-02 08:10", "Har dere fått svar på blodprøvene?"),
            M(
                "IN",
                "2026-04-03 12:30",
                "Svarene er normale, se vedlegg.",
                attachment=("blodprover.pdf", PDF, 22890),
            ),
        ],
    )
    add(
        TH_INGRID_TIMEAVTALE,
        INGRID,
        "TIMEAVTALE",
        CT_INGRID_GP,
        "Timebekreftelse",
        [
            M("IN", "2026-11-25 08:00", "Bekreftet time 2. desember kl. 11.30.", read=False),
        ],
    )
    add(
        "th-ingrid-innkalling",
        INGRID,
        "INNKALLING",
        CT_INGRID_HOSPITAL,
        "Innkalling til ortopedisk poliklinikk",
        [
            M(
                "IN",
                "2026-01-22 10:00",
                "Du er innkalt til undersøkelse av kneet.",
                attachment=("innkalling-ortopedi.pdf", PDF, 44120),
            ),
        ],
    )
    add(
        "th-ingrid-kjernejournal",
        INGRID,
        "KJERNEJOURNAL",
        CT_INGRID_GP,
        "Svar på henvendelse om kjernejournal",
        [
            M("IN", "2025-10-10 13:00", "Vi har rettet opplysningene i kjernejournalen din."),
        ],
    )

    # Erik
    add(
        "th-erik-fullmakt",
        ERIK,
        "FULLMAKT",
        CT_ERIK_GP,
        "Du har fått fullmakt fra Ingrid Solberg",
        [
            M("IN", "2025-02-01 08:01", "Ingrid Solberg har gitt deg fullmakt for innsyn.", read=False),
        ],
    )
    add(
        "th-erik-dialog",
        ERIK,
        "DIALOG_FASTLEGE",
        CT_ERIK_GP,
        "Ryggsmerter",
        [
            M("OUT", "2026-07-07 09:00", "Jeg har fått vondt i ryggen igjen."),
            M("IN", "2026-07-07 15:00", "Bestill en time, så ser vi på det."),
            M("OUT", "2026-07-08 08:00", "Takk, det gjør jeg."),
        ],
    )
    add(
        "th-erik-timeavtale",
        ERIK,
        "TIMEAVTALE",
        CT_ERIK_GP,
        "Timebekreftelse",
        [
            M("IN", "2026-07-09 08:00", "Bekreftet time 14. juli kl. 10.15.", read=False),
        ],
        archived=True,
    )

    # Maja (12-15, no youth access)
    add(
        "th-maja-timeavtale",
        MAJA,
        "TIMEAVTALE",
        CT_MAJA_GP,
        "Timebekreftelse hos fastlege",
        [
            M("IN", "2026-10-30 08:00", "Bekreftet time 6. november kl. 14.00."),
        ],
    )
    add(
        "th-maja-kommune",
        MAJA,
        "KOMMUNE",
        CT_MAJA_SCHOOLNURSE,
        "Helsesykepleier på skolen",
        [
            M("IN", "2026-09-05 11:00", "Helsesykepleier har åpen dør tirsdager kl. 11-13.", read=False),
        ],
    )
    add(
        "th-maja-innkalling",
        MAJA,
        "INNKALLING",
        CT_MAJA_HOSPITAL,
        "Innkalling til barneavdelingen",
        [
            M(
                "IN",
                "2026-11-18 10:00",
                "Maja er innkalt til kontroll.",
                attachment=("innkalling-ous.pdf", PDF, 39877),
            ),
        ],
    )


_KARI_COUNTERPART = {
    "DIALOG_FASTLEGE": CT_KARI_GP,
    "FORLOPSKOORDINATOR": CT_KARI_COORDINATOR,
    "INNKALLING": CT_KARI_HOSPITAL,
    "TIMEAVTALE": CT_KARI_HOSPITAL,
    "KOMMUNE": CT_KARI_HOMECARE,
    "HELSEUNDERSOKELSE": CT_KARI_GP,
    "FASTLEGEBYTTE": CT_KARI_GP,
    "FULLMAKT": CT_KARI_GP,
    "KJERNEJOURNAL": CT_KARI_GP,
}
_KARI_SUBJECTS = {
    "DIALOG_FASTLEGE": ("Spørsmål til fastlegen", "Fornyelse av resept", "Prøvesvar", "Vondt i halsen"),
    "FORLOPSKOORDINATOR": ("Plan for behandlingen", "Neste steg i forløpet"),
    "INNKALLING": ("Innkalling til poliklinikk", "Innkalling til MR"),
    "TIMEAVTALE": ("Timebekreftelse", "Påminnelse om time", "Endret time"),
    "KOMMUNE": ("Hjemmesykepleie etter operasjon", "Spørsmål om hjelpemidler"),
    "HELSEUNDERSOKELSE": ("Resultater fra helseundersøkelse",),
    "FASTLEGEBYTTE": ("Kvittering for bytte av fastlege",),
    "FULLMAKT": ("Kvittering: fullmakt fra Ola Nordmann", "Påminnelse om fullmakt"),
    "KJERNEJOURNAL": ("Svar på henvendelse om kjernejournal",),
}
# Categories where the person writes too; the rest are notices from the service.
_DIALOGUE = {"DIALOG_FASTLEGE", "FORLOPSKOORDINATOR", "KOMMUNE"}
KARI_GENERATED_THREADS = 64


def _kari_generated(inbox: _Inbox) -> None:
    start = at("2025-01-06 08:00")
    for i in range(KARI_GENERATED_THREADS):
        category = CATEGORIES[i % len(CATEGORIES)]
        subjects = _KARI_SUBJECTS[category]
        subject = f"{subjects[(i // len(CATEGORIES)) % len(subjects)]} ({i + 1})"
        count = 1 + (i * 7) % 4
        first = start + timedelta(days=11 * i, hours=(i * 5) % 9)
        unread_tail = i % 5 == 0
        msgs = []
        for n in range(count):
            direction: Direction = "IN"
            if category in _DIALOGUE:
                direction = "OUT" if n % 2 == 0 else "IN"
            sent = first + timedelta(hours=20 * n + n * n)
            last = n == count - 1
            msgs.append(
                _Msg(
                    direction=direction,
                    sent=sent.strftime("%Y-%m-%d %H:%M"),
                    body=f"{subject}: melding {n + 1} av {count}.",
                    read=not (last and unread_tail),
                    attachment=("vedlegg.pdf", PDF, 10_000 + 137 * i) if i % 6 == 2 and n == 0 else None,
                )
            )
        inbox.add(
            f"th-kari-{i + 1:03d}",
            KARI,
            category,
            _KARI_COUNTERPART[category],
            subject,
            msgs,
            archived=i % 13 == 12,
        )


def _build_inbox() -> _Inbox:
    inbox = _Inbox()
    _kari_generated(inbox)
    _hand_written(inbox)
    return inbox


_INBOX = _build_inbox()
THREADS: tuple[Thread, ...] = tuple(_INBOX.threads)
MESSAGES: tuple[Message, ...] = tuple(_INBOX.messages)

# --- appointments ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Location:
    id: str
    name: str
    kind: Literal["HOSP", "PC", "PTRES"]
    organization: str
    address: Address


@dataclass(frozen=True)
class Appointment:
    id: str
    patient: str
    kind: ServiceKind
    status: str
    service_type: str
    description: str
    start: datetime
    minutes: int
    # None: booked with a department rather than a named practitioner.
    practitioner: str | None
    location: str
    hidden_from_guardian: bool = False

    @property
    def end(self) -> datetime:
        return self.start + timedelta(minutes=self.minutes)


def _org_address(org_id: str) -> Address:
    org = next(o for o in ORGANIZATIONS if o.id == org_id)
    return Address(org.line, org.postal_code, org.city, org.district, "4601" if org.city == "Bergen" else "0301")


LOC_HAUKELAND_ORTOPEDI = "loc-haukeland-ortopedi"
LOC_HAUKELAND_BUK = "loc-haukeland-buk"
LOC_HAUKELAND_HJERTE = "loc-haukeland-hjerte"
LOC_KALFARVEIEN = "loc-kalfarveien-legesenter"
LOC_SENTRUM_BERGEN = "loc-sentrum-legekontor"
LOC_LAKSEVAG = "loc-laksevag-legesenter"
LOC_HOME_KARI = "loc-home-kari"
LOC_HOME_OLA = "loc-home-ola"

LOCATIONS: tuple[Location, ...] = (
    Location(
        LOC_HAUKELAND_ORTOPEDI,
        "Haukeland universitetssjukehus, Ortopedisk poliklinikk",
        "HOSP",
        ORG_HAUKELAND,
        _org_address(ORG_HAUKELAND),
    ),
    Location(
        LOC_HAUKELAND_BUK,
        "Haukeland universitetssjukehus, Barne- og ungdomsklinikken",
        "HOSP",
        ORG_HAUKELAND_BUK,
        _org_address(ORG_HAUKELAND_BUK),
    ),
    Location(
        LOC_HAUKELAND_HJERTE,
        "Haukeland universitetssjukehus, Hjerteavdelingen",
        "HOSP",
        ORG_HAUKELAND,
        _org_address(ORG_HAUKELAND),
    ),
    Location(LOC_KALFARVEIEN, "Kalfarveien legesenter", "PC", ORG_KALFARVEIEN, _org_address(ORG_KALFARVEIEN)),
    Location(
        LOC_SENTRUM_BERGEN,
        "Sentrum legekontor Bergen",
        "PC",
        ORG_SENTRUM_BERGEN,
        _org_address(ORG_SENTRUM_BERGEN),
    ),
    Location(LOC_LAKSEVAG, "Laksevåg legesenter", "PC", ORG_LAKSEVAG, _org_address(ORG_LAKSEVAG)),
    # Home visits carry the patient's registry address (a masked field for protected persons).
    Location(LOC_HOME_KARI, "Hjemme hos pasienten", "PTRES", ORG_BERGEN_HJEMMESYKEPLEIE, KALFARVEIEN),
    Location(LOC_HOME_OLA, "Hjemme hos pasienten", "PTRES", ORG_BERGEN_HJEMMESYKEPLEIE, FJELLVEIEN),
)

AP_KARI_HOSPITAL_PAST = "ap-kari-hospital-1"
AP_KARI_HOSPITAL_UPCOMING = "ap-kari-hospital-2"
AP_KARI_GP_PAST = "ap-kari-gp-1"
AP_KARI_GP_UPCOMING = "ap-kari-gp-2"
AP_KARI_HOME = "ap-kari-home-1"
AP_OLA_GP = "ap-ola-gp-1"
AP_OLA_HOME_PAST = "ap-ola-home-1"
AP_OLA_HOME_UPCOMING = "ap-ola-home-2"
AP_OLA_HOSPITAL = "ap-ola-hospital-1"
AP_EMMA_GP = "ap-emma-gp-1"
AP_EMMA_HOSPITAL_HIDDEN = "ap-emma-hospital-1"
AP_EMMA_HOSPITAL = "ap-emma-hospital-2"
AP_JONAS_HOSPITAL = "ap-jonas-hospital-1"
AP_JONAS_GP = "ap-jonas-gp-1"
AP_JONAS_GP_HIDDEN = "ap-jonas-gp-2"
AP_JONAS_HOSPITAL_PAST = "ap-jonas-hospital-2"
AP_INGRID_GP = "ap-ingrid-gp-1"
AP_INGRID_HOSPITAL = "ap-ingrid-hospital-1"
AP_INGRID_GP_PAST = "ap-ingrid-gp-2"

_A = Appointment
APPOINTMENTS: tuple[Appointment, ...] = (
    _A(
        AP_KARI_HOSPITAL_PAST,
        KARI,
        "HOSP",
        "fulfilled",
        "Ortopedi",
        "Undersøkelse av skulder",
        at("2025-10-07 09:00"),
        45,
        PR_MOE,
        LOC_HAUKELAND_ORTOPEDI,
    ),
    _A(
        AP_KARI_HOSPITAL_UPCOMING,
        KARI,
        "HOSP",
        "booked",
        "Ortopedi",
        "Kontroll etter operasjon",
        at("2027-01-19 10:30"),
        30,
        PR_MOE,
        LOC_HAUKELAND_ORTOPEDI,
    ),
    _A(
        AP_KARI_GP_PAST,
        KARI,
        "PC",
        "fulfilled",
        "Fastlegetime",
        "Konsultasjon",
        at("2026-03-16 08:15"),
        20,
        PR_HAUGLAND,
        LOC_KALFARVEIEN,
    ),
    _A(
        AP_KARI_GP_UPCOMING,
        KARI,
        "PC",
        "booked",
        "Fastlegetime",
        "Årlig kontroll",
        at("2026-12-14 13:00"),
        20,
        PR_HAUGLAND,
        LOC_KALFARVEIEN,
    ),
    _A(
        AP_KARI_HOME,
        KARI,
        "COMM",
        "fulfilled",
        "Hjemmesykepleie",
        "Sårstell etter operasjon",
        at("2026-01-12 11:00"),
        30,
        PR_NILSEN,
        LOC_HOME_KARI,
    ),
    _A(
        AP_OLA_GP,
        OLA,
        "PC",
        "cancelled",
        "Fastlegetime",
        "Blodtrykkskontroll",
        at("2026-06-02 10:00"),
        20,
        PR_EIDE,
        LOC_SENTRUM_BERGEN,
    ),
    _A(
        AP_OLA_HOME_PAST,
        OLA,
        "COMM",
        "fulfilled",
        "Hjemmesykepleie",
        "Medisinutdeling",
        at("2026-10-08 09:00"),
        30,
        PR_NILSEN,
        LOC_HOME_OLA,
    ),
    _A(
        AP_OLA_HOME_UPCOMING,
        OLA,
        "COMM",
        "booked",
        "Hjemmesykepleie",
        "Medisinutdeling",
        at("2026-12-03 09:00"),
        30,
        PR_NILSEN,
        LOC_HOME_OLA,
    ),
    _A(
        AP_OLA_HOSPITAL,
        OLA,
        "HOSP",
        "proposed",
        "Kardiologi",
        "Kontroll, hjerteavdelingen",
        at("2027-02-09 08:30"),
        60,
        None,
        LOC_HAUKELAND_HJERTE,
    ),
    _A(
        AP_EMMA_GP,
        EMMA,
        "PC",
        "booked",
        "Fastlegetime",
        "Kontroll av eksem",
        at("2026-12-15 10:00"),
        20,
        PR_HAUGLAND,
        LOC_KALFARVEIEN,
    ),
    _A(
        AP_EMMA_HOSPITAL_HIDDEN,
        EMMA,
        "HOSP",
        "fulfilled",
        "Barnemedisin",
        "Samtale med barnet",
        at("2026-09-22 13:00"),
        45,
        PR_AAS,
        LOC_HAUKELAND_BUK,
        hidden_from_guardian=True,
    ),
    _A(
        AP_EMMA_HOSPITAL,
        EMMA,
        "HOSP",
        "booked",
        "Barnemedisin",
        "Allergitest",
        at("2027-01-11 08:30"),
        90,
        PR_AAS,
        LOC_HAUKELAND_BUK,
    ),
    _A(
        AP_JONAS_HOSPITAL,
        JONAS,
        "HOSP",
        "booked",
        "Barnemedisin",
        "Lungefunksjonstest",
        at("2027-01-14 09:30"),
        60,
        PR_AAS,
        LOC_HAUKELAND_BUK,
    ),
    _A(
        AP_JONAS_HOSPITAL_PAST,
        JONAS,
        "HOSP",
        "fulfilled",
        "Barnemedisin",
        "Første samtale",
        at("2025-11-20 10:00"),
        60,
        PR_AAS,
        LOC_HAUKELAND_BUK,
    ),
    _A(
        AP_JONAS_GP,
        JONAS,
        "PC",
        "booked",
        "Fastlegetime",
        "Astmakontroll",
        at("2026-12-08 14:15"),
        20,
        PR_HAUGLAND,
        LOC_KALFARVEIEN,
    ),
    _A(
        AP_JONAS_GP_HIDDEN,
        JONAS,
        "PC",
        "booked",
        "Fastlegetime",
        "Samtale",
        at("2027-03-02 15:00"),
        30,
        PR_HAUGLAND,
        LOC_KALFARVEIEN,
        hidden_from_guardian=True,
    ),
    _A(
        AP_INGRID_GP,
        INGRID,
        "PC",
        "booked",
        "Fastlegetime",
        "Konsultasjon",
        at("2026-12-02 11:30"),
        20,
        PR_RASMUSSEN,
        LOC_LAKSEVAG,
    ),
    _A(
        AP_INGRID_GP_PAST,
        INGRID,
        "PC",
        "fulfilled",
        "Fastlegetime",
        "Blodprøver",
        at("2026-03-30 08:00"),
        15,
        PR_RASMUSSEN,
        LOC_LAKSEVAG,
    ),
    _A(
        AP_INGRID_HOSPITAL,
        INGRID,
        "HOSP",
        "booked",
        "Ortopedi",
        "Undersøkelse av kne",
        at("2027-02-23 12:00"),
        30,
        PR_MOE,
        LOC_HAUKELAND_ORTOPEDI,
    ),
)


# --- a larger inbox, for cost and load tests -------------------------------------------------------


def inbox_with_kari_threads(count: int) -> tuple[tuple[Thread, ...], tuple[Message, ...]]:
    """The seeded threads and messages, plus generated ones so that Kari has `count` threads.

    For tests and benchmarks at sizes the demo does not need; the seed itself stays as it is. The
    generated threads go to Kari's own contacts (by category, as her seeded ones do), carry one or
    two messages and are all older than the seed's, so the newest page of her inbox is unchanged.
    """
    have = sum(1 for t in THREADS if t.owner == KARI)
    inbox = _Inbox()
    start = at("2020-01-06 08:00")
    for i in range(max(0, count - have)):
        category = CATEGORIES[i % len(CATEGORIES)]
        subject = f"{_KARI_SUBJECTS[category][0]} (arkiv {i + 1})"
        first = start + timedelta(hours=7 * i)
        opening: Direction = "OUT" if category in _DIALOGUE else "IN"
        msgs = [_Msg(opening, first.strftime("%Y-%m-%d %H:%M"), f"{subject}.")]
        if i % 2:
            later = (first + timedelta(hours=3)).strftime("%Y-%m-%d %H:%M")
            msgs.append(_Msg("IN", later, f"Svar: {subject}.", read=i % 7 != 1))
        inbox.add(f"th-kari-x{i + 1:04d}", KARI, category, _KARI_COUNTERPART[category], subject, msgs)
    return THREADS + tuple(inbox.threads), MESSAGES + tuple(inbox.messages)


# A mix of entity representations for `_entities`: Kari's own, her children's (Jonas 14, Emma 7),
# Ola's (by fullmakt), and some she may not see: her daughter Sofie (17), a stranger's contact, a
# contact withheld by service kind and an appointment withheld from a guardian. The federation tests
# and bench/upstream_calls.py ask for these together.
SAMPLE_REPRESENTATIONS: tuple[dict[str, str], ...] = (
    *({"__typename": "Person", "id": p} for p in (KARI, JONAS, EMMA, OLA, SOFIE)),
    *(
        {"__typename": "HealthContact", "id": c}
        for c in (CT_KARI_GP, CT_KARI_HOSPITAL, CT_JONAS_GP, CT_JONAS_HOSPITAL, CT_EMMA_GP, CT_PER_GP)
    ),
    *(
        {"__typename": "Appointment", "id": a}
        for a in (AP_KARI_GP_UPCOMING, AP_JONAS_GP, AP_JONAS_GP_HIDDEN, AP_EMMA_GP, AP_OLA_GP)
    ),
)
