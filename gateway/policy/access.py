"""What an allowed viewer may see of each service and each item (docs/access-rules.md#service-availability,
docs/access-rules.md#item-filtering).

`service_visibility` decides a whole service (a field such as `threads`) once per subject;
`item_visible` decides one item of a list. Both are pure and cheap; callers memoize per request
(`ItemVerdicts`, for the items of one list).

Denial reasons are checked in this order, so the most actionable one is given: the subject's
own confidential address, then the basis (a fullmakt's areas, a child's age), then consent.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from gateway.policy.catalog import CATALOG, CATEGORY_SERVICE, YOUTH_MESSAGE_CATEGORIES, YOUTH_SERVICES
from gateway.policy.clock import age_on, today_in_oslo
from gateway.policy.representation import PARENTAL_ACCESS_ENDS_AT, Access, Allowed, ClientAccess, Denied
from gateway.policy.vocabulary import (
    AddressProtection,
    Basis,
    ConsentLevel,
    MessageCategory,
    Reason,
    Service,
    ServiceKind,
    Visibility,
)

CHILD_PARTIAL_FROM_AGE = 12
NEAR_HOME_KINDS = frozenset({ServiceKind.GP, ServiceKind.MUNICIPAL})
# An item whose kind no coding states is taken as the most restricted kind, so filtering errs on
# the side of hiding (and the schema shows it as such).
UNKNOWN_KIND_IS = ServiceKind.HOSPITAL


def kind_or_conservative(kind: ServiceKind | None) -> ServiceKind:
    return UNKNOWN_KIND_IS if kind is None else kind


def needs_service_kinds(access: Access) -> bool:
    """Whether listing items needs their service kinds (which cost extra upstream calls): only a
    parent of a 12-15-year-old and youth access filter by kind."""
    if not isinstance(access, Allowed):
        return False
    return access.is_youth or (access.basis is Basis.PARENT and access.subject_age >= CHILD_PARTIAL_FROM_AGE)


def judges_each_message(access: Access) -> bool:
    """Whether the messages of a thread are judged one by one: for a parent (a message may be hidden
    from guardians), and for the subject as viewer at any age, youth access included (who never sees a
    thread a parent wrote for them as a child); then a thread's date, unread count and very presence
    come from its visible messages alone. A fullmakt holder's threads are judged as a whole, by their
    category (docs/access-rules.md#threads-and-messages)."""
    return isinstance(access, Allowed) and access.basis in (Basis.PARENT, Basis.SELF)


def written_for_a_child(birth_date: dt.date, sent_at: dt.datetime, sent_on_behalf_of: str | None) -> bool:
    """Whether a representative wrote a message for its subject (born `birth_date`) while the subject was
    under 16: then a parent wrote it (no fullmakt is given before 16, and a parent's access ends at 16),
    and its thread stays the parent's."""
    if sent_on_behalf_of is None:
        return False
    return age_on(birth_date, today_in_oslo(sent_at)) < PARENTAL_ACCESS_ENDS_AT


def self_only_denial(access: Access) -> Denied | None:
    """Why a field only the person themselves may read (the access log,
    docs/access-rules.md#the-access-log) is refused: to a service client and to every representative."""
    if isinstance(access, ClientAccess):
        return Denied(Reason.SERVICE_SCOPE)
    if access.basis is not Basis.SELF:
        return Denied(Reason.NO_RELATION)
    return None


def service_visibility(access: Access, service: Service) -> Visibility | Denied:
    """FULL or PARTIAL (filter items one by one), or why the service is not available."""
    if isinstance(access, ClientAccess):
        return Denied(Reason.SERVICE_SCOPE)
    rule = CATALOG[service]
    visibility = Visibility.FULL
    if access.subject_protection is not AddressProtection.UGRADERT and not rule.confidential_address:
        return Denied(Reason.CONFIDENTIAL_ADDRESS)
    if access.basis.by_fullmakt:
        if rule.proxy_area is None or access.service_areas is None or rule.proxy_area not in access.service_areas:
            return Denied(Reason.PROXY_SCOPE)
    elif access.basis is Basis.PARENT:
        visibility = rule.parent_under_12 if access.subject_age < CHILD_PARTIAL_FROM_AGE else rule.parent_12_to_16
        if visibility is Visibility.NONE:
            return Denied(Reason.CHILD_AGE)
    elif access.is_youth:
        if service not in YOUTH_SERVICES:
            return Denied(Reason.CHILD_AGE)
        visibility = Visibility.PARTIAL
    if access.subject_consent is ConsentLevel.NONE:
        return Denied(Reason.NO_CONSENT)
    if access.subject_consent < rule.min_consent:
        return Denied(Reason.CONSENT_LEVEL)
    return visibility


@dataclass(frozen=True, slots=True)
class Item:
    """The facts of one listed item that the rules look at."""

    service: Service
    kind: ServiceKind | None  # None when unknown: treated as UNKNOWN_KIND_IS, the most restricted
    hidden_from_guardian: bool = False
    category: MessageCategory | None = None  # messages and threads only
    # A parent wrote in this thread on the subject's behalf (while the subject was a child): the thread
    # stays the parent's, never shown to the subject as viewer, at any age.
    via_representative: bool = False


@functools.cache
def category_item(category: MessageCategory | None, kind: ServiceKind | None) -> Item | None:
    """A thread as an item of its category's service (docs/access-rules.md#message-categories); None for a
    category that belongs to no service, whose threads are withheld. (Cached: a few categories and kinds
    make every thread.)"""
    if category is None:
        return None
    return Item(CATEGORY_SERVICE[category], kind, category=category)


def messages_visible(
    visible: Callable[[Item], bool],
    thread: Item,
    hidden_from_guardian: Sequence[bool],
    by_representative: Sequence[bool],
) -> list[bool]:
    """Which of a thread's messages may be shown, judged one by one by `visible` (an
    `ItemVerdicts`): a thread in which a representative wrote for the subject stays the
    representative's as a whole. A thread is shown only when at least one of its messages is."""
    via_representative = any(by_representative)
    # A message differs from its thread only in `hidden_from_guardian`: two verdicts at most.
    verdicts = {
        hidden: visible(Item(thread.service, thread.kind, hidden, thread.category, via_representative))
        for hidden in set(hidden_from_guardian)
    }
    return [verdicts[hidden] for hidden in hidden_from_guardian]


class ItemVerdicts:
    """`item_visible` for one viewer and listing, each distinct item judged once: the items of a list
    repeat a handful of facts (60 threads of a page fall in a few categories and kinds)."""

    __slots__ = ("_access", "_listing", "_verdicts")

    def __init__(self, access: Access, listing: Visibility) -> None:
        self._access = access
        self._listing = listing
        self._verdicts: dict[Item, bool] = {}

    def __call__(self, item: Item) -> bool:
        verdict = self._verdicts.get(item)
        if verdict is None:
            verdict = self._verdicts[item] = item_visible(self._access, self._listing, item)
        return verdict


def item_visible(access: Access, listing: Visibility, item: Item) -> bool:
    """Whether one item of a list shown with `listing` visibility may be shown."""
    if isinstance(access, ClientAccess):
        return False
    near_home = kind_or_conservative(item.kind) in NEAR_HOME_KINDS
    if access.is_youth:
        if not near_home or item.via_representative:
            return False
        if item.category is not None:
            return item.category in YOUTH_MESSAGE_CATEGORIES and _consents_to(access, item.service)
        return item.service in YOUTH_SERVICES and _consents_to(access, item.service)
    if access.basis is Basis.SELF and item.via_representative:
        return False  # "vises ikke for barnet": at any age
    own = service_visibility(access, item.service)
    if isinstance(own, Denied):
        return False
    if access.basis is Basis.PARENT:
        if item.hidden_from_guardian:
            return False
        # 12-15: "only items from GP and municipal services, never hospital ones". Applied
        # under FULL listings too: when unsure, deny.
        if access.subject_age >= CHILD_PARTIAL_FROM_AGE and not near_home:
            return False
    return True


def _consents_to(access: Allowed, service: Service) -> bool:
    return access.subject_consent >= CATALOG[service].min_consent


def address_mask(access: Access) -> Reason | None:
    """Why an address-revealing field of the subject must be null for this viewer, or None
    (docs/access-rules.md#confidential-address-masking).

    Masked for every viewer but the subject; for the STRENGT kinds for the subject too.
    """
    protection = access.subject_protection
    if protection is AddressProtection.UGRADERT:
        return None
    if protection is AddressProtection.FORTROLIG and isinstance(access, Allowed) and access.basis is Basis.SELF:
        return None
    return Reason.CONFIDENTIAL_ADDRESS
