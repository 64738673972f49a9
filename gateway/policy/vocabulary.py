"""The words of the access rules (docs/access-rules.md), as plain enums.

The schema exposes these same enums, so a value in the SDL and a value in a decision are one
thing.
"""

from __future__ import annotations

from enum import Enum, IntEnum


class ConsentLevel(IntEnum):
    """Samtykkenivå ("tilgangsnivå") on helsenorge.no; ordered, so levels compare."""

    NONE = 0
    BASIS = 1
    BASIS_PLUS = 2
    FULL = 3


class Assurance(Enum):
    """ID-porten level of assurance (`acr`)."""

    HIGH = "idporten-loa-high"
    SUBSTANTIAL = "idporten-loa-substantial"


class AddressProtection(Enum):
    UGRADERT = "UGRADERT"
    FORTROLIG = "FORTROLIG"
    STRENGT_FORTROLIG = "STRENGT_FORTROLIG"
    STRENGT_FORTROLIG_UTLAND = "STRENGT_FORTROLIG_UTLAND"


class Basis(Enum):
    """How the viewer may act for the subject."""

    SELF = "SELF"
    PARENT = "PARENT"
    PROXY = "PROXY"
    ASSIGNED_PROXY = "ASSIGNED_PROXY"

    @property
    def by_fullmakt(self) -> bool:
        """Acting by a fullmakt, ordinary or tildelt: limited to its service areas."""
        return self in (Basis.PROXY, Basis.ASSIGNED_PROXY)


class ProxyKind(Enum):
    """An ordinary fullmakt, or one assigned (tildelt) through the GP."""

    ORDINARY = "ORDINARY"
    ASSIGNED = "ASSIGNED"


class ServiceArea(IntEnum):
    """Fullmakt service areas ("tjenesteområder")."""

    REGISTERED_INFORMATION = 1
    PATIENT_JOURNAL = 2
    DIGITAL_HEALTH_SERVICES = 3


class ServiceKind(Enum):
    HOSPITAL = "HOSPITAL"
    GP = "GP"
    MUNICIPAL = "MUNICIPAL"


class Reason(Enum):
    """Why a field is denied or masked; stable codes clients may switch on."""

    NO_RELATION = "NO_RELATION"
    NO_CONSENT = "NO_CONSENT"
    CONSENT_LEVEL = "CONSENT_LEVEL"
    PROXY_SCOPE = "PROXY_SCOPE"
    PROXY_EXPIRED = "PROXY_EXPIRED"
    CHILD_AGE = "CHILD_AGE"
    CONFIDENTIAL_ADDRESS = "CONFIDENTIAL_ADDRESS"
    INSUFFICIENT_ASSURANCE = "INSUFFICIENT_ASSURANCE"
    SERVICE_SCOPE = "SERVICE_SCOPE"


class MessageCategory(Enum):
    """Innboks message categories (docs/access-rules.md#message-categories)."""

    DIALOG_FASTLEGE = "DIALOG_FASTLEGE"
    FORLOPSKOORDINATOR = "FORLOPSKOORDINATOR"
    INNKALLING = "INNKALLING"
    TIMEAVTALE = "TIMEAVTALE"
    KOMMUNE = "KOMMUNE"
    HELSEUNDERSOKELSE = "HELSEUNDERSOKELSE"
    FASTLEGEBYTTE = "FASTLEGEBYTTE"
    FULLMAKT = "FULLMAKT"
    KJERNEJOURNAL = "KJERNEJOURNAL"


class Service(Enum):
    """Portal services (docs/access-rules.md#the-service-catalog): every item belongs to exactly one."""

    INNBOKS = "INNBOKS"
    TIMEAVTALER = "TIMEAVTALER"
    FASTLEGE = "FASTLEGE"
    HELSEKONTAKTER = "HELSEKONTAKTER"
    DIGITAL_DIALOG = "DIGITAL_DIALOG"
    PASIENTJOURNAL = "PASIENTJOURNAL"
    FORSKNING = "FORSKNING"
    KJERNEJOURNAL = "KJERNEJOURNAL"
    FULLMAKT = "FULLMAKT"


class Visibility(Enum):
    """What a parent sees of a service on behalf of a child of an age band."""

    FULL = "FULL"
    PARTIAL = "PARTIAL"  # items filtered one by one (docs/access-rules.md#item-filtering)
    NONE = "NONE"
