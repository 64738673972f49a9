"""The service catalog (docs/access-rules.md#the-service-catalog): the single source of truth for every service's rules.

Read from the public service pages on helsenorge.no ("Mer om tjenesten") in 2026. Where a page
was silent the row is marked `assumed` and follows the nearest documented service. The schema's
directives take their arguments from here, so the table and the SDL cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

from gateway.policy.vocabulary import ConsentLevel, MessageCategory, Service, ServiceArea, ServiceKind, Visibility

A1, A2, A3 = ServiceArea.REGISTERED_INFORMATION, ServiceArea.PATIENT_JOURNAL, ServiceArea.DIGITAL_HEALTH_SERVICES
FULL, PARTIAL, NONE = Visibility.FULL, Visibility.PARTIAL, Visibility.NONE


@dataclass(frozen=True, slots=True)
class ServiceRule:
    service: Service
    description: str
    min_consent: ConsentLevel
    proxy_area: ServiceArea | None  # None: no fullmakt covers this service
    parent_under_12: Visibility
    parent_12_to_16: Visibility
    confidential_address: bool  # available to a person with address protection
    assumed: tuple[str, ...] = ()  # which columns the public page did not state


def _rule(
    service: Service,
    description: str,
    consent: ConsentLevel,
    area: ServiceArea | None,
    under_12: Visibility,
    from_12: Visibility,
    confidential: bool,
    assumed: tuple[str, ...] = (),
) -> ServiceRule:
    return ServiceRule(service, description, consent, area, under_12, from_12, confidential, assumed)


B, BP, F = ConsentLevel.BASIS, ConsentLevel.BASIS_PLUS, ConsentLevel.FULL
S = Service

CATALOG: MappingProxyType[Service, ServiceRule] = MappingProxyType(
    {
        rule.service: rule
        for rule in (
            _rule(S.INNBOKS, "Innboks (reading messages)", B, A3, PARTIAL, PARTIAL, True),
            _rule(S.TIMEAVTALER, "Timeavtaler (appointments)", F, A3, FULL, PARTIAL, True),
            _rule(S.FASTLEGE, "Fastlege (your GP: name, office, list)", B, A1, FULL, FULL, True),
            _rule(
                S.HELSEKONTAKTER,
                "Helsekontakter (all other health contacts)",
                F,
                A3,
                FULL,
                FULL,
                True,
                ("proxy area", "parent under 12", "parent 12-15", "confidential address"),
            ),
            _rule(
                S.DIGITAL_DIALOG,
                "Digital dialog (writing to contacts)",
                F,
                A3,
                FULL,
                NONE,
                True,
                ("proxy area", "parent under 12", "confidential address"),
            ),
            _rule(
                S.PASIENTJOURNAL,
                "Pasientjournal (journal documents, attachments)",
                BP,
                A2,
                FULL,
                NONE,
                True,
                ("proxy area", "confidential address"),
            ),
            _rule(S.FORSKNING, "Forskning (results from health surveys and trials)", B, A1, FULL, FULL, True),
            _rule(
                S.KJERNEJOURNAL,
                "Kjernejournal (case answers about the summary care record)",
                F,
                A1,
                FULL,
                NONE,
                True,
                ("confidential address",),
            ),
            _rule(S.FULLMAKT, "Fullmakt (proxy notices and receipts)", B, None, NONE, NONE, False),
        )
    }
)

# The service each message category belongs to (docs/access-rules.md#message-categories).
CATEGORY_SERVICE: MappingProxyType[MessageCategory, Service] = MappingProxyType(
    {
        MessageCategory.DIALOG_FASTLEGE: S.DIGITAL_DIALOG,
        MessageCategory.FORLOPSKOORDINATOR: S.HELSEKONTAKTER,
        MessageCategory.INNKALLING: S.TIMEAVTALER,
        MessageCategory.TIMEAVTALE: S.TIMEAVTALER,
        MessageCategory.KOMMUNE: S.DIGITAL_DIALOG,
        MessageCategory.HELSEUNDERSOKELSE: S.FORSKNING,
        MessageCategory.FASTLEGEBYTTE: S.FASTLEGE,
        MessageCategory.FULLMAKT: S.FULLMAKT,
        MessageCategory.KJERNEJOURNAL: S.KJERNEJOURNAL,
    }
)

# The contact list (`Person.healthContacts`) opens FASTLEGE: the GP, available with consent BASIS and by
# an area-1 fullmakt; every other contact is an item of HELSEKONTAKTER, shown only where that is too.
CONTACT_LIST_SERVICE = S.FASTLEGE

# Every item belongs to a service (docs/access-rules.md#which-service-an-item-belongs-to).
APPOINTMENT_SERVICE = S.TIMEAVTALER
GP_CONTACT_SERVICE = S.FASTLEGE  # the current and former GPs
OTHER_CONTACT_SERVICE = S.HELSEKONTAKTER
ATTACHMENT_SERVICE = S.PASIENTJOURNAL

# Youth access (docs/access-rules.md#youth-access): inbox messages about appointments and prescriptions. Prescriptions
# are renewed through the GP or municipal dialogue, so those categories count, as long as the
# counterpart is a GP or municipal service (checked with the item's service kind).
YOUTH_MESSAGE_CATEGORIES = frozenset(
    {MessageCategory.INNKALLING, MessageCategory.TIMEAVTALE, MessageCategory.DIALOG_FASTLEGE, MessageCategory.KOMMUNE}
)
YOUTH_SERVICES = frozenset({S.INNBOKS, S.TIMEAVTALER, S.FASTLEGE})


def contact_service(is_gp: bool) -> Service:
    return GP_CONTACT_SERVICE if is_gp else OTHER_CONTACT_SERVICE


def new_thread_category(is_gp: bool, kind: ServiceKind | None) -> MessageCategory:
    """The category of a thread a person starts: dialogue with the GP office, the municipality, or
    (at a hospital) a care coordinator."""
    if is_gp or kind is ServiceKind.GP:
        return MessageCategory.DIALOG_FASTLEGE
    if kind is ServiceKind.MUNICIPAL:
        return MessageCategory.KOMMUNE
    return MessageCategory.FORLOPSKOORDINATOR
