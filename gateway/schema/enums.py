"""The schema's enums. Access-rule words come from `policy.vocabulary`, so the SDL and the rules agree.

Strawberry makes a Python enum a GraphQL enum in place, so each name here is an alias of the Python
enum itself: a resolver returns a vocabulary member as the GraphQL enum, and mypy checks that it does.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import Enum
from typing import TypeAlias

import strawberry
from strawberry.types.enum import has_enum_definition

from gateway.policy import vocabulary
from gateway.policy.catalog import CATALOG, CATEGORY_SERVICE
from gateway.sources import records


def describe(python_enum: type[Enum], description: str, values: Mapping[str, str], name: str | None = None) -> None:
    """Make `python_enum` a GraphQL enum, with a description for the type and for every value."""
    graphql_enum = strawberry.enum(python_enum, name=name, description=description)
    assert has_enum_definition(graphql_enum)
    definition = graphql_enum.__strawberry_definition__
    missing = {v.name for v in definition.values} - set(values)
    if missing:
        raise ValueError(f"{definition.name}: describe {sorted(missing)}")
    for value in definition.values:
        value.description = values[value.name]


def one_of(members: Iterable[Enum]) -> str:
    """The members' names for a description ("SELF, PARENT or PROXY"), taken from the enum so that
    the text lists every member it means, and keeps doing so."""
    names = [member.name for member in members]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


ConsentLevel: TypeAlias = vocabulary.ConsentLevel
describe(
    ConsentLevel,
    "Samtykkenivå (tilgangsnivå) for the health services on helsenorge.no, lowest first.",
    {
        "NONE": "No consent: the health services are not in use.",
        "BASIS": "Basis: GP, research results, fullmakt notices and the BASIS services' messages.",
        "BASIS_PLUS": "Basis pluss: Basis and journal documents.",
        "FULL": "Full: every service, appointments and digital dialogue included.",
    },
)
RepresentationBasis: TypeAlias = vocabulary.Basis
describe(
    RepresentationBasis,
    "How the viewer may act for a person: as themselves, as a parent, or by fullmakt (proxy).",
    {
        "SELF": "The viewer's own data.",
        "PARENT": "As a parent with parental responsibility for a child under 16.",
        "PROXY": "By a fullmakt the person gave the viewer, limited to its service areas.",
        "ASSIGNED_PROXY": "By a tildelt (assigned) fullmakt, given through the GP for a person over 12 who lacks "
        "the competence to consent, to a nearest relative: limited to its service areas, and ending 5 years after "
        "it took effect at the latest. Its further rights are not public: none are modelled.",
    },
    name="RepresentationBasis",
)
# The bases of acting for someone else, for descriptions: every basis but SELF.
ACTING_FOR_OTHERS = one_of(b for b in RepresentationBasis if b is not RepresentationBasis.SELF)
ServiceArea: TypeAlias = vocabulary.ServiceArea
describe(
    ServiceArea,
    "Fullmakt service areas (tjenesteområder).",
    {
        "REGISTERED_INFORMATION": "Area 1: innsyn i opplysninger registrert om deg (insight into what is registered).",
        "PATIENT_JOURNAL": "Area 2: innsyn i pasientjournalen (the patient journal: journal documents, attachments); "
        "the name is assumed, the public pages list it as one of three areas.",
        "DIGITAL_HEALTH_SERVICES": "Area 3: digitale helsetjenester (digital health services).",
    },
)
ServiceKind: TypeAlias = vocabulary.ServiceKind
describe(
    ServiceKind,
    "Which part of the health service an item comes from.",
    {
        "HOSPITAL": "Specialist health service (sykehus); also what an item of unknown kind is taken to be.",
        "GP": "The GP office (fastlegekontor).",
        "MUNICIPAL": "Municipal health and care services (kommune).",
    },
)
# What each category is; the service it belongs to is added from the catalog, so the two cannot disagree.
_CATEGORY_TEXT = {
    "DIALOG_FASTLEGE": "Digital dialogue with the GP office",
    "FORLOPSKOORDINATOR": "Messages from a care coordinator in Helse Vest",
    "INNKALLING": "Appointment letter, an invitation",
    "TIMEAVTALE": "Appointment notices from hospital, GP or municipality",
    "KOMMUNE": "Municipal health and care services",
    "HELSEUNDERSOKELSE": "Results from health surveys and trials",
    "FASTLEGEBYTTE": "Receipt for a change of GP",
    "FULLMAKT": "Notices and receipts about fullmakt",
    "KJERNEJOURNAL": "A case handler's answer about the summary care record",
}
MessageCategory: TypeAlias = vocabulary.MessageCategory
describe(
    MessageCategory,
    "Innboks message categories, each belonging to one portal service.",
    {c.name: f"{_CATEGORY_TEXT[c.name]} ({CATEGORY_SERVICE[c].value})." for c in vocabulary.MessageCategory},
)
Visibility: TypeAlias = vocabulary.Visibility
describe(
    Visibility,
    "What a parent sees of a service on behalf of a child: FULL, PARTIAL (filtered) or NONE.",
    {
        "FULL": "Everything (but items hidden from guardians).",
        "PARTIAL": "Items filtered one by one; the withheld ones are counted in hiddenCount.",
        "NONE": "Nothing: FORBIDDEN with reason CHILD_AGE.",
    },
)
ServiceName: TypeAlias = vocabulary.Service
describe(
    ServiceName,
    "The portal services of helsenorge.no that every item belongs to (docs/access-rules.md#the-service-catalog).",
    {service.name: rule.description for service, rule in CATALOG.items()},
    name="PortalService",
)


Assurance: TypeAlias = vocabulary.Assurance
describe(
    Assurance,
    "ID-porten level of assurance of the viewer's sign-in.",
    {
        "HIGH": f"{Assurance.HIGH.value}: may see health data.",
        "SUBSTANTIAL": f"{Assurance.SUBSTANTIAL.value}: viewer id only.",
    },
)


Direction: TypeAlias = records.Direction
describe(
    Direction,
    "Whether the person received (IN) or wrote (OUT) a message.",
    {"IN": "From a health contact to the person.", "OUT": "Written by the person, or by a representative for them."},
    name="Direction",
)


ContactRole: TypeAlias = records.ContactRole
describe(
    ContactRole,
    "The role of a health contact for the person.",
    {
        "GP": "Fastlege: the person's general practitioner.",
        "CARE_COORDINATOR": "Forløpskoordinator: coordinates a course of treatment.",
        "SPECIALIST": "A physician or a department of the specialist health service.",
        "NURSE": "A nurse, e.g. home care or the school health service.",
        "OTHER": "Any other role.",
    },
    name="ContactRole",
)


AppointmentStatus: TypeAlias = records.AppointmentStatus
describe(
    AppointmentStatus,
    "FHIR R4 appointment status.",
    {
        "PROPOSED": "Suggested, not yet agreed.",
        "PENDING": "Agreed by some participants, waiting for others.",
        "BOOKED": "Confirmed.",
        "ARRIVED": "The patient has arrived.",
        "FULFILLED": "Took place.",
        "CANCELLED": "Cancelled.",
        "NOSHOW": "The patient did not come.",
        "ENTERED_IN_ERROR": "Registered by mistake.",
        "CHECKED_IN": "The patient has checked in.",
        "WAITLIST": "On a waiting list.",
    },
    name="AppointmentStatus",
)
