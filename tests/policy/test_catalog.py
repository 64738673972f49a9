"""The service catalog and the category table against DESIGN 4.3 and section 5, row by row."""

from __future__ import annotations

import pytest

from gateway.policy.catalog import CATALOG, CATEGORY_SERVICE
from gateway.policy.vocabulary import MessageCategory, Service

from .design import CATALOG_4_3, CATEGORY_SERVICE_5, Row


def test_catalog_has_exactly_the_services_of_design() -> None:
    assert set(CATALOG) == set(CATALOG_4_3) == set(Service)


@pytest.mark.parametrize(("service", "row"), list(CATALOG_4_3.items()), ids=[s.value for s in CATALOG_4_3])
def test_catalog_row_matches_design(service: Service, row: Row) -> None:
    rule = CATALOG[service]
    assert rule.service is service
    assert (
        rule.min_consent,
        rule.proxy_area,
        rule.parent_under_12,
        rule.parent_12_to_16,
        rule.confidential_address,
    ) == (row.min_consent, row.proxy_area, row.parent_under_12, row.parent_12_to_15, row.confidential_address)


@pytest.mark.parametrize(("service", "row"), list(CATALOG_4_3.items()), ids=[s.value for s in CATALOG_4_3])
def test_catalog_marks_the_assumed_columns_of_design(service: Service, row: Row) -> None:
    assert set(CATALOG[service].assumed) == row.assumed


def test_every_category_has_a_service() -> None:
    assert set(CATEGORY_SERVICE) == set(CATEGORY_SERVICE_5) == set(MessageCategory)


@pytest.mark.parametrize(
    ("category", "service"), list(CATEGORY_SERVICE_5.items()), ids=[c.value for c in CATEGORY_SERVICE_5]
)
def test_category_service_matches_design_section_5(category: MessageCategory, service: Service) -> None:
    assert CATEGORY_SERVICE[category] is service
