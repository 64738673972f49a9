"""The schema's enums. Access-rule words come from `policy.vocabulary`, so the SDL and the rules agree."""

from __future__ import annotations

from enum import Enum

import strawberry

from gateway.policy import vocabulary

ConsentLevel = strawberry.enum(
    vocabulary.ConsentLevel,
    description="Samtykkenivå (tilgangsnivå) for the health services on helsenorge.no, lowest first.",
)
RepresentationBasis = strawberry.enum(
    vocabulary.Basis,
    name="RepresentationBasis",
    description="How the viewer may act for a person: as themselves, as a parent, or by fullmakt (proxy).",
)
ServiceArea = strawberry.enum(
    vocabulary.ServiceArea,
    description=(
        "Fullmakt service areas (tjenesteområder): 1 REGISTERED_INFORMATION, innsyn i opplysninger "
        "registrert om deg; 3 DIGITAL_HEALTH_SERVICES, digitale helsetjenester."
    ),
)
ServiceKind = strawberry.enum(
    vocabulary.ServiceKind, description="Which part of the health service an item comes from."
)
MessageCategory = strawberry.enum(
    vocabulary.MessageCategory,
    description="Innboks message categories, each belonging to one portal service.",
)


@strawberry.enum(description="ID-porten level of assurance of the viewer's sign-in.")
class Assurance(Enum):
    HIGH = "HIGH"
    SUBSTANTIAL = "SUBSTANTIAL"


@strawberry.enum(description="Whether the person received (IN) or wrote (OUT) a message.")
class Direction(Enum):
    IN = "IN"
    OUT = "OUT"


@strawberry.enum(description="The role of a health contact for the person.")
class ContactRole(Enum):
    GP = "GP"
    CARE_COORDINATOR = "CARE_COORDINATOR"
    SPECIALIST = "SPECIALIST"
    NURSE = "NURSE"
    OTHER = "OTHER"


@strawberry.enum(description="FHIR R4 appointment status.")
class AppointmentStatus(Enum):
    PROPOSED = "proposed"
    PENDING = "pending"
    BOOKED = "booked"
    ARRIVED = "arrived"
    FULFILLED = "fulfilled"
    CANCELLED = "cancelled"
    NOSHOW = "noshow"
    ENTERED_IN_ERROR = "entered-in-error"
    CHECKED_IN = "checked-in"
    WAITLIST = "waitlist"


def enum_or(enum: type[Enum], value: str | None, default: Enum) -> Enum:
    """An upstream value as an enum member; an unknown value becomes `default` rather than an error."""
    try:
        return enum(value)
    except ValueError:
        return default


Visibility = strawberry.enum(
    vocabulary.Visibility,
    description="What a parent sees of a service on behalf of a child: FULL, PARTIAL (filtered) or NONE.",
)
ServiceName = strawberry.enum(
    vocabulary.Service,
    name="PortalService",
    description="The portal services of helsenorge.no that every item belongs to (DESIGN.md 4.3).",
)
