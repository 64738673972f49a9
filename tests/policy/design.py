"""The service catalog and the message categories as docs/access-rules.md states them, copied by hand
(docs/access-rules.md#the-service-catalog, docs/access-rules.md#message-categories): the expectations of the
policy tests.

Nothing here is imported from `gateway.policy` except the vocabulary (the enums are just names), so
these tables are an independent statement of the documented rules, against which the code is checked.
"""

from __future__ import annotations

from typing import NamedTuple

from gateway.policy.vocabulary import ConsentLevel, MessageCategory, Service, ServiceArea, Visibility


class Row(NamedTuple):
    min_consent: ConsentLevel
    proxy_area: ServiceArea | None  # "none": no fullmakt covers the service
    parent_under_12: Visibility
    parent_12_to_15: Visibility
    confidential_address: bool  # "available" / "not available"
    assumed: frozenset[str]  # the columns the row marks "(assumed)"


B, BP, F = ConsentLevel.BASIS, ConsentLevel.BASIS_PLUS, ConsentLevel.FULL
A1, A2, A3 = ServiceArea.REGISTERED_INFORMATION, ServiceArea.PATIENT_JOURNAL, ServiceArea.DIGITAL_HEALTH_SERVICES
FULL, PARTIAL, NONE = Visibility.FULL, Visibility.PARTIAL, Visibility.NONE
AREA, U12, P12, CONF = "proxy area", "parent under 12", "parent 12-15", "confidential address"

# docs/access-rules.md#the-service-catalog:
# | service | min consent | proxy area | parent, child < 12 | parent, child 12-15 | confidential address |
CATALOG_TABLE: dict[Service, Row] = {
    Service.INNBOKS: Row(B, A3, PARTIAL, PARTIAL, True, frozenset()),
    Service.TIMEAVTALER: Row(F, A3, FULL, PARTIAL, True, frozenset()),
    Service.FASTLEGE: Row(B, A1, FULL, FULL, True, frozenset()),
    Service.HELSEKONTAKTER: Row(F, A3, FULL, FULL, True, frozenset({AREA, U12, P12, CONF})),
    Service.DIGITAL_DIALOG: Row(F, A3, FULL, NONE, True, frozenset({AREA, U12, CONF})),
    Service.PASIENTJOURNAL: Row(BP, A2, FULL, NONE, True, frozenset({AREA, CONF})),
    Service.FORSKNING: Row(B, A1, FULL, FULL, True, frozenset()),
    Service.KJERNEJOURNAL: Row(F, A1, FULL, NONE, True, frozenset({CONF})),
    Service.FULLMAKT: Row(B, None, NONE, NONE, False, frozenset()),
}

# docs/access-rules.md#message-categories: | category | what it is | service |
CATEGORY_TABLE: dict[MessageCategory, Service] = {
    MessageCategory.DIALOG_FASTLEGE: Service.DIGITAL_DIALOG,
    MessageCategory.FORLOPSKOORDINATOR: Service.HELSEKONTAKTER,
    MessageCategory.INNKALLING: Service.TIMEAVTALER,
    MessageCategory.TIMEAVTALE: Service.TIMEAVTALER,
    MessageCategory.KOMMUNE: Service.DIGITAL_DIALOG,
    MessageCategory.HELSEUNDERSOKELSE: Service.FORSKNING,
    MessageCategory.FASTLEGEBYTTE: Service.FASTLEGE,
    MessageCategory.FULLMAKT: Service.FULLMAKT,
    MessageCategory.KJERNEJOURNAL: Service.KJERNEJOURNAL,
}

# docs/access-rules.md#youth-access: GP and municipal appointments, the GP, and inbox messages about
# appointments and prescriptions from the GP or municipality (the document names the categories).
YOUTH_SERVICES_TABLE = frozenset({Service.INNBOKS, Service.TIMEAVTALER, Service.FASTLEGE})
YOUTH_CATEGORIES_TABLE = frozenset(
    {
        MessageCategory.INNKALLING,
        MessageCategory.TIMEAVTALE,
        MessageCategory.DIALOG_FASTLEGE,
        MessageCategory.KOMMUNE,
    }
)
