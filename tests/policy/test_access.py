"""Service and item visibility and address masking against docs/access-rules.md
(docs/access-rules.md#service-availability, docs/access-rules.md#item-filtering,
docs/access-rules.md#confidential-address-masking).

`service_visibility` is checked for every service x basis x consent level x subject protection against
`_documented_service`, an oracle written from the catalog table (docs/access-rules.md#the-service-catalog,
copied by hand into `design.py`) and the order of the service-availability table. `item_visible` and
`address_mask` are checked against literal tables: each scenario names the items the documented rules
let it see; every other item is hidden.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass

import pytest

from gateway.policy.access import (
    Item,
    ItemVerdicts,
    address_mask,
    category_item,
    item_visible,
    judges_each_message,
    messages_visible,
    self_only_denial,
    service_visibility,
    written_for_a_child,
)
from gateway.policy.clock import OSLO
from gateway.policy.representation import Access, Allowed, ClientAccess, Denied
from gateway.policy.vocabulary import (
    AddressProtection,
    Basis,
    ConsentLevel,
    MessageCategory,
    Reason,
    Service,
    ServiceArea,
    ServiceKind,
    Visibility,
)

from .design import CATALOG_TABLE, CATEGORY_TABLE, YOUTH_SERVICES_TABLE

A1, A2, A3 = ServiceArea.REGISTERED_INFORMATION, ServiceArea.PATIENT_JOURNAL, ServiceArea.DIGITAL_HEALTH_SERVICES
NONE_C, BASIS, BASIS_PLUS, FULL_C = ConsentLevel.NONE, ConsentLevel.BASIS, ConsentLevel.BASIS_PLUS, ConsentLevel.FULL
FULL, PARTIAL, NONE = Visibility.FULL, Visibility.PARTIAL, Visibility.NONE
UGRADERT, FORTROLIG = AddressProtection.UGRADERT, AddressProtection.FORTROLIG
STRENGT, UTLAND = AddressProtection.STRENGT_FORTROLIG, AddressProtection.STRENGT_FORTROLIG_UTLAND
GP, MUNICIPAL, HOSPITAL = ServiceKind.GP, ServiceKind.MUNICIPAL, ServiceKind.HOSPITAL


@dataclass(frozen=True)
class Viewer:
    """A basis as `decide` would grant it (or a service client), for any subject consent and protection."""

    id: str
    basis: Basis | None  # None: a service client
    age: int
    areas: frozenset[ServiceArea] | None = None

    def access(self, consent: ConsentLevel, protection: AddressProtection = UGRADERT) -> Access:
        if self.basis is None:
            return ClientAccess("S", consent, self.age, protection)
        return Allowed(self.basis, "S", consent, self.age, protection, self.areas)


SELF_ADULT = Viewer("self-adult", Basis.SELF, 40)
SELF_16 = Viewer("self-16", Basis.SELF, 16)
YOUTH_13 = Viewer("youth-13", Basis.SELF, 13)
YOUTH_15 = Viewer("youth-15", Basis.SELF, 15)
PARENT_5 = Viewer("parent-child-5", Basis.PARENT, 5)
PARENT_11 = Viewer("parent-child-11", Basis.PARENT, 11)
PARENT_12 = Viewer("parent-child-12", Basis.PARENT, 12)
PARENT_15 = Viewer("parent-child-15", Basis.PARENT, 15)
PROXY_1 = Viewer("proxy-area-1", Basis.PROXY, 70, frozenset({A1}))
PROXY_3 = Viewer("proxy-area-3", Basis.PROXY, 70, frozenset({A3}))
PROXY_13 = Viewer("proxy-areas-1-3", Basis.PROXY, 70, frozenset({A1, A3}))
PROXY_2 = Viewer("proxy-area-2", Basis.PROXY, 70, frozenset({A2}))
PROXY_123 = Viewer("proxy-areas-1-2-3", Basis.PROXY, 70, frozenset({A1, A2, A3}))
ASSIGNED_13 = Viewer("assigned-areas-1-3", Basis.ASSIGNED_PROXY, 70, frozenset({A1, A3}))
CLIENT = Viewer("service-client", None, 40)
VIEWERS = [
    SELF_ADULT,
    SELF_16,
    YOUTH_13,
    YOUTH_15,
    PARENT_5,
    PARENT_11,
    PARENT_12,
    PARENT_15,
    PROXY_1,
    PROXY_3,
    PROXY_13,
    PROXY_2,
    PROXY_123,
    ASSIGNED_13,
    CLIENT,
]


# --- service_visibility ---------------------------------------------------------------------------


def _documented_service(
    viewer: Viewer, service: Service, consent: ConsentLevel, protection: AddressProtection
) -> Visibility | Denied:
    row = CATALOG_TABLE[service]
    # row 1 of #service-availability: a service client sees nothing of the health services (SERVICE_SCOPE)
    if viewer.basis is None:
        return Denied(Reason.SERVICE_SCOPE)
    # row 2: the catalog's "confidential address" column (a person at a confidential address sees no FULLMAKT)
    if protection is not UGRADERT and not row.confidential_address:
        return Denied(Reason.CONFIDENTIAL_ADDRESS)
    visibility = FULL
    # row 3: under PROXY or ASSIGNED_PROXY the fullmakt must name the area (FULLMAKT: proxy area "none")
    if viewer.basis in (Basis.PROXY, Basis.ASSIGNED_PROXY):
        if row.proxy_area is None or row.proxy_area not in (viewer.areas or ()):
            return Denied(Reason.PROXY_SCOPE)
    # row 4: under PARENT, by the child's age: FULL, PARTIAL, NONE (denied, reason CHILD_AGE)
    elif viewer.basis is Basis.PARENT:
        visibility = row.parent_under_12 if viewer.age < 12 else row.parent_12_to_15
        if visibility is NONE:
            return Denied(Reason.CHILD_AGE)
    # row 5: self access under 16 is youth access (#youth-access)
    elif viewer.age < 16:
        if service not in YOUTH_SERVICES_TABLE:
            return Denied(Reason.CHILD_AGE)
        visibility = PARTIAL
    # rows 6 and 7: the subject's own consent level applies (#consent-levels)
    if consent is NONE_C:
        return Denied(Reason.NO_CONSENT)
    if consent < row.min_consent:
        return Denied(Reason.CONSENT_LEVEL)
    return visibility


@pytest.mark.parametrize("protection", [UGRADERT, FORTROLIG, STRENGT], ids=lambda p: p.value)
@pytest.mark.parametrize("consent", list(ConsentLevel), ids=lambda c: f"consent-{c.name}")
@pytest.mark.parametrize("service", list(Service), ids=lambda s: s.value)
@pytest.mark.parametrize("viewer", VIEWERS, ids=lambda v: v.id)
def test_service_visibility(
    viewer: Viewer, service: Service, consent: ConsentLevel, protection: AddressProtection
) -> None:
    want = _documented_service(viewer, service, consent, protection)
    assert service_visibility(viewer.access(consent, protection), service) == want


# literal rows, for reading: the demo personas (docs/personas.md) and the examples of
# docs/access-rules.md#which-service-an-item-belongs-to
SERVICE_ROWS = [
    ("ingrid-basis-gp", SELF_ADULT, BASIS, UGRADERT, Service.FASTLEGE, FULL),
    ("ingrid-basis-inbox", SELF_ADULT, BASIS, UGRADERT, Service.INNBOKS, FULL),
    ("ingrid-basis-no-appointments", SELF_ADULT, BASIS, UGRADERT, Service.TIMEAVTALER, Denied(Reason.CONSENT_LEVEL)),
    ("ingrid-basis-no-journal", SELF_ADULT, BASIS, UGRADERT, Service.PASIENTJOURNAL, Denied(Reason.CONSENT_LEVEL)),
    ("ingrid-basis-cannot-write", SELF_ADULT, BASIS, UGRADERT, Service.DIGITAL_DIALOG, Denied(Reason.CONSENT_LEVEL)),
    ("nora-basis-plus-journal", SELF_ADULT, BASIS_PLUS, FORTROLIG, Service.PASIENTJOURNAL, FULL),
    (
        "nora-fortrolig-no-fullmakt",
        SELF_ADULT,
        BASIS_PLUS,
        FORTROLIG,
        Service.FULLMAKT,
        Denied(Reason.CONFIDENTIAL_ADDRESS),
    ),
    ("erik-area-1-gp-of-ingrid", PROXY_1, BASIS, UGRADERT, Service.FASTLEGE, FULL),
    ("erik-area-1-not-ingrids-inbox", PROXY_1, BASIS, UGRADERT, Service.INNBOKS, Denied(Reason.PROXY_SCOPE)),
    ("kari-for-ola-no-fullmakt-service", PROXY_13, FULL_C, UGRADERT, Service.FULLMAKT, Denied(Reason.PROXY_SCOPE)),
    ("kari-for-emma-inbox-partial", PARENT_5, FULL_C, UGRADERT, Service.INNBOKS, PARTIAL),
    ("kari-for-emma-appointments", PARENT_5, FULL_C, UGRADERT, Service.TIMEAVTALER, FULL),
    ("kari-for-emma-fullmakt", PARENT_5, FULL_C, UGRADERT, Service.FULLMAKT, Denied(Reason.CHILD_AGE)),
    ("kari-for-jonas-appointments", PARENT_15, FULL_C, UGRADERT, Service.TIMEAVTALER, PARTIAL),
    ("kari-for-jonas-journal", PARENT_15, FULL_C, UGRADERT, Service.PASIENTJOURNAL, Denied(Reason.CHILD_AGE)),
    ("kari-for-jonas-dialog", PARENT_12, FULL_C, UGRADERT, Service.DIGITAL_DIALOG, Denied(Reason.CHILD_AGE)),
    ("kari-for-jonas-summary-record", PARENT_12, FULL_C, UGRADERT, Service.KJERNEJOURNAL, Denied(Reason.CHILD_AGE)),
    ("jonas-youth-inbox", YOUTH_15, FULL_C, UGRADERT, Service.INNBOKS, PARTIAL),
    ("jonas-youth-gp", YOUTH_15, FULL_C, UGRADERT, Service.FASTLEGE, PARTIAL),
    ("jonas-youth-appointments", YOUTH_13, FULL_C, UGRADERT, Service.TIMEAVTALER, PARTIAL),
    ("jonas-youth-contacts", YOUTH_13, FULL_C, UGRADERT, Service.HELSEKONTAKTER, Denied(Reason.CHILD_AGE)),
    ("jonas-youth-dialog", YOUTH_13, FULL_C, UGRADERT, Service.DIGITAL_DIALOG, Denied(Reason.CHILD_AGE)),
    ("client-inbox", CLIENT, FULL_C, UGRADERT, Service.INNBOKS, Denied(Reason.SERVICE_SCOPE)),
    ("parent-child-consent-none", PARENT_5, NONE_C, UGRADERT, Service.FASTLEGE, Denied(Reason.NO_CONSENT)),
    ("proxy-subject-consent-basis", PROXY_13, BASIS, UGRADERT, Service.TIMEAVTALER, Denied(Reason.CONSENT_LEVEL)),
]


@pytest.mark.parametrize(
    ("viewer", "consent", "protection", "service", "want"),
    [row[1:] for row in SERVICE_ROWS],
    ids=[row[0] for row in SERVICE_ROWS],
)
def test_service_visibility_examples(
    viewer: Viewer, consent: ConsentLevel, protection: AddressProtection, service: Service, want: Visibility | Denied
) -> None:
    assert service_visibility(viewer.access(consent, protection), service) == want


# --- item_visible ---------------------------------------------------------------------------------

KINDS = {"gp": GP, "municipal": MUNICIPAL, "hospital": HOSPITAL, "unknown": None}
NEAR = ("gp", "municipal")
C = MessageCategory


def _msg(category: MessageCategory, kind: ServiceKind | None, *, hidden: bool = False, via: bool = False) -> Item:
    return Item(CATEGORY_TABLE[category], kind, hidden, category, via)


ITEMS: dict[str, Item] = {
    **{f"appt-{k}": Item(Service.TIMEAVTALER, kind) for k, kind in KINDS.items()},
    "gp": Item(Service.FASTLEGE, GP),
    **{f"contact-{k}": Item(Service.HELSEKONTAKTER, kind) for k, kind in KINDS.items() if k != "gp"},
    "attachment-gp": Item(Service.PASIENTJOURNAL, GP),
    "attachment-hospital": Item(Service.PASIENTJOURNAL, HOSPITAL),
    **{f"msg-{c.value}-{k}": _msg(c, kind) for c in MessageCategory for k, kind in KINDS.items()},
    # hiddenFromGuardian ("vergeinnsynsreservasjon")
    "appt-gp-hidden": Item(Service.TIMEAVTALER, GP, hidden_from_guardian=True),
    "appt-hospital-hidden": Item(Service.TIMEAVTALER, HOSPITAL, hidden_from_guardian=True),
    "msg-TIMEAVTALE-gp-hidden": _msg(C.TIMEAVTALE, GP, hidden=True),
    "msg-FASTLEGEBYTTE-gp-hidden": _msg(C.FASTLEGEBYTTE, GP, hidden=True),
    "attachment-gp-hidden": Item(Service.PASIENTJOURNAL, GP, hidden_from_guardian=True),
    # a parent wrote in this thread for the subject as a child: "vises ikke for barnet", at any age
    "msg-TIMEAVTALE-gp-via-rep": _msg(C.TIMEAVTALE, GP, via=True),
    "msg-DIALOG_FASTLEGE-municipal-via-rep": _msg(C.DIALOG_FASTLEGE, MUNICIPAL, via=True),
}


def msgs(categories: list[MessageCategory] | tuple[MessageCategory, ...], kinds=tuple(KINDS)) -> set[str]:
    return {f"msg-{c.value}-{k}" for c in categories for k in kinds}


def named(*names: str) -> set[str]:
    return set(names)


ALL = set(ITEMS)
HIDDEN = {name for name in ITEMS if name.endswith("-hidden")}
WRITTEN_FOR_THE_CHILD = {name for name in ITEMS if name.endswith("-via-rep")}
FULLMAKT_MSGS = msgs([C.FULLMAKT])

# a child under 12 (consent FULL): "every item whose own service is available for the age band"
UNDER_12 = ALL - HIDDEN - FULLMAKT_MSGS
# 12-15 (consent FULL) under PARTIAL: GP and municipal items of services whose 12-15 column is not NONE
# (TIMEAVTALER, FASTLEGE, HELSEKONTAKTER, FORSKNING; not DIGITAL_DIALOG, PASIENTJOURNAL, KJERNEJOURNAL, FULLMAKT)
FROM_12_PARTIAL = named("appt-gp", "appt-municipal", "gp", "contact-municipal", "msg-TIMEAVTALE-gp-via-rep") | msgs(
    [C.INNKALLING, C.TIMEAVTALE, C.FASTLEGEBYTTE, C.HELSEUNDERSOKELSE, C.FORLOPSKOORDINATOR], NEAR
)
# 12-15 under a FULL listing too: "never hospital ones" holds whatever the listing's visibility
FROM_12_FULL = FROM_12_PARTIAL
# youth access: "GP and municipal appointments, the GP, and inbox messages about appointments and
# prescriptions from the GP or municipality; nothing a parent sent or received on the child's behalf"
YOUTH = named("appt-gp", "appt-municipal", "appt-gp-hidden", "gp", "msg-TIMEAVTALE-gp-hidden") | msgs(
    [C.INNKALLING, C.TIMEAVTALE, C.DIALOG_FASTLEGE, C.KOMMUNE], NEAR
)
# consent BASIS: "sees her GP and the inbox messages of BASIS services (GP-change receipts, fullmakt
# notices, research results) but no appointments, no other contacts and no appointment letters"
BASIS_SELF = named("gp", "msg-FASTLEGEBYTTE-gp-hidden") | msgs([C.FASTLEGEBYTTE, C.HELSEUNDERSOKELSE, C.FULLMAKT])
ATTACHMENTS = named("attachment-gp", "attachment-hospital", "attachment-gp-hidden")
# proxy areas: 1 = FASTLEGE, FORSKNING, KJERNEJOURNAL; 2 = PASIENTJOURNAL (journal documents: the
# attachments); 3 = INNBOKS, TIMEAVTALER, HELSEKONTAKTER, DIGITAL_DIALOG; FULLMAKT has none
AREA_1 = named("gp", "msg-FASTLEGEBYTTE-gp-hidden") | msgs([C.FASTLEGEBYTTE, C.HELSEUNDERSOKELSE, C.KJERNEJOURNAL])
AREA_2 = ATTACHMENTS
AREA_3 = ALL - AREA_1 - AREA_2 - FULLMAKT_MSGS

ITEM_SCENARIOS: list[tuple[str, Access, Visibility, set[str]]] = [
    ("parent-child-5-partial", PARENT_5.access(FULL_C), PARTIAL, UNDER_12),
    ("parent-child-5-full", PARENT_5.access(FULL_C), FULL, UNDER_12),
    ("parent-child-11-partial", PARENT_11.access(FULL_C), PARTIAL, UNDER_12),
    ("parent-child-11-full", PARENT_11.access(FULL_C), FULL, UNDER_12),
    (
        "parent-child-5-consent-basis",
        PARENT_5.access(BASIS),
        PARTIAL,
        named("gp") | msgs([C.FASTLEGEBYTTE, C.HELSEUNDERSOKELSE]),
    ),
    (
        "parent-child-11-consent-basis-plus",
        PARENT_11.access(BASIS_PLUS),
        FULL,
        named("gp", "attachment-gp", "attachment-hospital") | msgs([C.FASTLEGEBYTTE, C.HELSEUNDERSOKELSE]),
    ),
    ("parent-child-12-partial", PARENT_12.access(FULL_C), PARTIAL, FROM_12_PARTIAL),
    ("parent-child-15-partial", PARENT_15.access(FULL_C), PARTIAL, FROM_12_PARTIAL),
    ("parent-child-12-full", PARENT_12.access(FULL_C), FULL, FROM_12_FULL),
    ("parent-child-15-full", PARENT_15.access(FULL_C), FULL, FROM_12_FULL),
    (
        "parent-child-12-consent-basis",
        PARENT_12.access(BASIS),
        PARTIAL,
        named("gp") | msgs([C.FASTLEGEBYTTE, C.HELSEUNDERSOKELSE], NEAR),
    ),
    ("youth-13", YOUTH_13.access(FULL_C), PARTIAL, YOUTH),
    ("youth-15", YOUTH_15.access(FULL_C), PARTIAL, YOUTH),
    ("youth-15-full-listing", YOUTH_15.access(FULL_C), FULL, YOUTH),
    ("youth-13-consent-basis", YOUTH_13.access(BASIS), PARTIAL, named("gp")),
    ("youth-15-fortrolig", YOUTH_15.access(FULL_C, FORTROLIG), PARTIAL, YOUTH),
    ("self-adult", SELF_ADULT.access(FULL_C), FULL, ALL - WRITTEN_FOR_THE_CHILD),
    ("self-16", SELF_16.access(FULL_C), FULL, ALL - WRITTEN_FOR_THE_CHILD),
    ("self-adult-consent-basis", SELF_ADULT.access(BASIS), FULL, BASIS_SELF),
    ("self-adult-consent-basis-plus", SELF_ADULT.access(BASIS_PLUS), FULL, BASIS_SELF | ATTACHMENTS),
    ("self-fortrolig", SELF_ADULT.access(FULL_C, FORTROLIG), FULL, ALL - FULLMAKT_MSGS - WRITTEN_FOR_THE_CHILD),
    ("self-strengt-fortrolig", SELF_ADULT.access(FULL_C, STRENGT), FULL, ALL - FULLMAKT_MSGS - WRITTEN_FOR_THE_CHILD),
    (
        "self-strengt-fortrolig-utland",
        SELF_ADULT.access(FULL_C, UTLAND),
        FULL,
        ALL - FULLMAKT_MSGS - WRITTEN_FOR_THE_CHILD,
    ),
    (
        "self-fortrolig-basis-plus",
        SELF_ADULT.access(BASIS_PLUS, FORTROLIG),
        FULL,
        (BASIS_SELF | ATTACHMENTS) - FULLMAKT_MSGS,
    ),
    ("proxy-area-1", PROXY_1.access(FULL_C), FULL, AREA_1),
    ("proxy-area-3", PROXY_3.access(FULL_C), FULL, AREA_3),
    # A fullmakt for areas 1 and 3 shows the messages without their journal documents (area 2).
    ("proxy-areas-1-3", PROXY_13.access(FULL_C), FULL, ALL - FULLMAKT_MSGS - AREA_2),
    ("proxy-areas-1-3-partial-listing", PROXY_13.access(FULL_C), PARTIAL, ALL - FULLMAKT_MSGS - AREA_2),
    ("proxy-area-2", PROXY_2.access(FULL_C), FULL, AREA_2),
    ("proxy-areas-1-2-3", PROXY_123.access(FULL_C), FULL, ALL - FULLMAKT_MSGS),
    ("proxy-areas-1-3-consent-basis", PROXY_13.access(BASIS), FULL, BASIS_SELF - FULLMAKT_MSGS),
    ("proxy-area-1-consent-basis", PROXY_1.access(BASIS), FULL, BASIS_SELF - FULLMAKT_MSGS),
    ("service-client", CLIENT.access(FULL_C), FULL, set()),
]


@pytest.mark.parametrize(
    ("access", "listing", "item", "shown"),
    [
        pytest.param(access, listing, ITEMS[name], name in shown, id=f"{scenario}-{name}")
        for scenario, access, listing, shown in ITEM_SCENARIOS
        for name in ITEMS
    ],
)
def test_item_visible(access: Access, listing: Visibility, item: Item, shown: bool) -> None:
    assert item_visible(access, listing, item) is shown


def test_item_scenarios_name_only_known_items() -> None:
    for scenario, _access, _listing, shown in ITEM_SCENARIOS:
        assert shown <= ALL, scenario


@pytest.mark.parametrize("listing", [FULL, PARTIAL], ids=lambda v: f"listing-{v.value}")
@pytest.mark.parametrize("viewer", [PARENT_5, PARENT_11, PARENT_12, PARENT_15], ids=lambda v: v.id)
def test_hidden_from_guardian_is_never_shown_to_a_parent(viewer: Viewer, listing: Visibility) -> None:
    """Every item of every service and kind, marked hiddenFromGuardian: none is shown to a PARENT."""
    for consent, service, kind, category in itertools.product(
        list(ConsentLevel), list(Service), list(KINDS.values()), [None, *MessageCategory]
    ):
        item = Item(service, kind, True, category)
        assert item_visible(viewer.access(consent), listing, item) is False, (consent, service, kind, category)


# --- threads: their category's service, their messages judged one by one ---------------------------


def test_a_thread_of_a_category_of_no_service_is_no_item() -> None:
    assert category_item(None, ServiceKind.GP) is None
    item = category_item(MessageCategory.KOMMUNE, ServiceKind.MUNICIPAL)
    assert item == Item(Service.DIGITAL_DIALOG, ServiceKind.MUNICIPAL, category=MessageCategory.KOMMUNE)


# docs/access-rules.md#threads-and-messages: "for a parent and for the subject as viewer, a thread's
# messages are judged one by one; for a fullmakt holder the thread is judged as a whole by its category".
JUDGED_BY_MESSAGE = {SELF_ADULT, SELF_16, YOUTH_13, YOUTH_15, PARENT_5, PARENT_11, PARENT_12, PARENT_15}


@pytest.mark.parametrize("viewer", VIEWERS, ids=lambda v: v.id)
def test_who_has_a_threads_messages_judged_one_by_one(viewer: Viewer) -> None:
    assert judges_each_message(viewer.access(FULL_C)) is (viewer in JUDGED_BY_MESSAGE)


def test_messages_are_judged_one_by_one_and_a_representatives_thread_stays_theirs() -> None:
    thread = category_item(MessageCategory.DIALOG_FASTLEGE, ServiceKind.GP)
    assert thread is not None
    # A parent of a 5-year-old: only the message hidden from guardians is withheld.
    parent = PARENT_5.access(ConsentLevel.FULL)
    judged = messages_visible(ItemVerdicts(parent, PARTIAL), thread, [False, True, False], [False, False, False])
    assert judged == [True, False, True]
    # Jonas (13-15) as himself: a thread in which a parent wrote for him is withheld whole, whichever message it was.
    youth = YOUTH_13.access(ConsentLevel.FULL)
    assert messages_visible(ItemVerdicts(youth, PARTIAL), thread, [False, False], [False, False]) == [True, True]
    assert messages_visible(ItemVerdicts(youth, PARTIAL), thread, [False, False], [False, True]) == [False, False]


# --- self_only_denial: the access log ------------------------------------------------------------


# docs/access-rules.md#the-access-log: "only the person may read their own log: a representative gets
# NO_RELATION, a service client SERVICE_SCOPE".
@pytest.mark.parametrize("viewer", VIEWERS, ids=lambda v: v.id)
def test_only_the_person_themselves_reads_their_access_log(viewer: Viewer) -> None:
    want = (
        Denied(Reason.SERVICE_SCOPE)
        if viewer.basis is None
        else None
        if viewer.basis is Basis.SELF
        else Denied(Reason.NO_RELATION)
    )
    assert self_only_denial(viewer.access(FULL_C)) == want


# --- address_mask ---------------------------------------------------------------------------------

CA = Reason.CONFIDENTIAL_ADDRESS
MASK_VIEWERS = [SELF_ADULT, YOUTH_13, PARENT_5, PARENT_15, PROXY_13, PROXY_1, CLIENT]
# "For a subject with address protection the field is masked (null) for every viewer but the subject;
# for STRENGT_* it is null for the subject too." Service clients: "every address-revealing field of a
# person with address protection is masked for it".
MASKS = {
    UGRADERT: {v.id: None for v in MASK_VIEWERS},
    FORTROLIG: {v.id: (None if v.basis is Basis.SELF else CA) for v in MASK_VIEWERS},
    STRENGT: {v.id: CA for v in MASK_VIEWERS},
    UTLAND: {v.id: CA for v in MASK_VIEWERS},
}


@pytest.mark.parametrize(
    ("viewer", "protection", "want"),
    [pytest.param(v, p, MASKS[p][v.id], id=f"{p.value}-{v.id}") for p in AddressProtection for v in MASK_VIEWERS],
)
def test_address_mask(viewer: Viewer, protection: AddressProtection, want: Reason | None) -> None:
    assert address_mask(viewer.access(FULL_C, protection)) == want


@pytest.mark.parametrize(
    ("sent_at", "on_behalf_of", "want"),
    [
        (dt.datetime(2026, 6, 14, 23, 59, tzinfo=OSLO), "parent", True),  # the eve of the 16th birthday
        (dt.datetime(2026, 6, 14, 22, 0, tzinfo=dt.UTC), "parent", False),  # 00:00 on it, in Oslo
        (dt.datetime(2026, 6, 15, 0, 0, tzinfo=OSLO), "proxy", False),  # from 16: a fullmakt holder
        (dt.datetime(2020, 1, 1, tzinfo=OSLO), None, False),  # written by the subject
    ],
    ids=["eve-of-16th", "16th-birthday-as-utc", "on-16th-birthday", "own-message"],
)
def test_a_message_written_on_a_childs_behalf_is_one_sent_before_16(
    sent_at: dt.datetime, on_behalf_of: str | None, want: bool
) -> None:
    assert written_for_a_child(dt.date(2010, 6, 15), sent_at, on_behalf_of) is want
