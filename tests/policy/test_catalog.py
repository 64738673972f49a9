"""The service catalog and the category table against docs/access-rules.md, row by row
(docs/access-rules.md#the-service-catalog, docs/access-rules.md#message-categories)."""

from __future__ import annotations

import pytest

from gateway.policy.catalog import CATALOG, CATEGORY_SERVICE, CONTACT_LIST_SERVICE
from gateway.policy.vocabulary import MessageCategory, Service

from .design import CATALOG_TABLE, CATEGORY_TABLE, Row


def test_catalog_has_exactly_the_documented_services() -> None:
    assert set(CATALOG) == set(CATALOG_TABLE) == set(Service)


@pytest.mark.parametrize(("service", "row"), list(CATALOG_TABLE.items()), ids=[s.value for s in CATALOG_TABLE])
def test_catalog_row_matches_the_documented_row(service: Service, row: Row) -> None:
    rule = CATALOG[service]
    assert rule.service is service
    assert (
        rule.min_consent,
        rule.proxy_area,
        rule.parent_under_12,
        rule.parent_12_to_16,
        rule.confidential_address,
    ) == (row.min_consent, row.proxy_area, row.parent_under_12, row.parent_12_to_15, row.confidential_address)


@pytest.mark.parametrize(("service", "row"), list(CATALOG_TABLE.items()), ids=[s.value for s in CATALOG_TABLE])
def test_catalog_marks_the_documented_assumed_columns(service: Service, row: Row) -> None:
    assert set(CATALOG[service].assumed) == row.assumed


def test_every_category_has_a_service() -> None:
    assert set(CATEGORY_SERVICE) == set(CATEGORY_TABLE) == set(MessageCategory)


@pytest.mark.parametrize(("category", "service"), list(CATEGORY_TABLE.items()), ids=[c.value for c in CATEGORY_TABLE])
def test_category_service_matches_the_documented_table(category: MessageCategory, service: Service) -> None:
    assert CATEGORY_SERVICE[category] is service


def test_the_contact_list_opens_the_gps_service() -> None:
    """`Person.healthContacts` opens `FASTLEGE`, so a person with consent `BASIS` and an area-1 fullmakt
    see the GP; every other contact is an item of `HELSEKONTAKTER`
    (docs/access-rules.md#where-each-rule-is-enforced)."""
    assert CONTACT_LIST_SERVICE is Service.FASTLEGE
