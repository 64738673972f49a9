"""Upstream values become enums where records are built; unknown ones the conservative member, with a warning."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from gateway.policy.vocabulary import (
    AddressProtection,
    ConsentLevel,
    MessageCategory,
    ProxyKind,
    ServiceArea,
    ServiceKind,
)
from gateway.sources.consent import _consent, _proxy
from gateway.sources.fhir_codings import ROLE_CODE, CodingsFileError, FhirCodings
from gateway.sources.inbox import _thread
from gateway.sources.records import ContactRole
from gateway.sources.registry import _person

PERSON = {"id": "12848510058", "name": {"given": "Kari", "family": "Nordmann"}, "birthDate": "1985-04-12"}
THREAD = {"id": "t", "owner": "o", "subject": "s", "lastMessageAt": "2026-01-01T00:00:00+00:00"}
PROXY = {"id": "p", "grantor": "a", "grantee": "b", "validFrom": "2020-01-01T00:00:00+00:00"}


def test_known_values_become_their_members() -> None:
    assert _person({**PERSON, "addressProtection": "FORTROLIG"}).address_protection is AddressProtection.FORTROLIG
    assert _consent({"personId": "x", "level": "BASIS_PLUS", "youthAccess": False}).level is ConsentLevel.BASIS_PLUS
    proxy = _proxy({**PROXY, "serviceAreas": [1, 3], "kind": "ASSIGNED"})
    assert proxy.service_areas == {ServiceArea.REGISTERED_INFORMATION, ServiceArea.DIGITAL_HEALTH_SERVICES}
    assert proxy.kind is ProxyKind.ASSIGNED
    assert _thread({**THREAD, "category": "KOMMUNE"}).category is MessageCategory.KOMMUNE


def test_unknown_values_become_the_strictest_member_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        # An unknown protection shows the address to no one; an unknown consent level opens nothing.
        assert _person({**PERSON, "addressProtection": "HEMMELIG"}).address_protection is (
            AddressProtection.STRENGT_FORTROLIG
        )
        assert _consent({"personId": "x", "level": "SUPER", "youthAccess": True}).level is ConsentLevel.NONE
        # An unknown fullmakt area grants nothing; an unknown kind is taken as the stricter one.
        proxy = _proxy({**PROXY, "serviceAreas": [3, 9], "kind": "NEW"})
        assert proxy.service_areas == {ServiceArea.DIGITAL_HEALTH_SERVICES} and proxy.kind is ProxyKind.ASSIGNED
        # A category of no service: the thread is withheld by the rules.
        assert _thread({**THREAD, "category": "BREV"}).category is None
    warned = " ".join(r.getMessage() for r in caplog.records)
    for value in ("HEMMELIG", "SUPER", "9", "NEW", "BREV"):
        assert value in warned


def test_codings_map_to_service_kinds_and_roles(caplog: pytest.LogCaptureFixture) -> None:
    codings = FhirCodings()
    assert codings.service_kind_of([{"system": ROLE_CODE, "code": "PC"}]) is ServiceKind.GP
    with caplog.at_level(logging.WARNING):
        assert codings.service_kind_of([{"system": ROLE_CODE, "code": "UNKNOWN"}]) is None  # the rules: a hospital
        assert codings.service_kind_of([{"system": ROLE_CODE, "code": "UNKNOWN"}]) is None
    assert [r.getMessage() for r in caplog.records] == [
        f"no service kind for codings {ROLE_CODE}|UNKNOWN: taken as HOSPITAL"
    ]
    assert codings.role_of([{"system": "urn:x", "code": "y"}]) is ContactRole.OTHER


def test_a_codings_file_replaces_entries(tmp_path: Path) -> None:
    path = tmp_path / "codings.json"
    path.write_text(json.dumps({"serviceKind": {"urn:kommune|HJEM": "MUNICIPAL"}}))
    codings = FhirCodings.load(str(path))
    assert codings.service_kind_of([{"system": "urn:kommune", "code": "HJEM"}]) is ServiceKind.MUNICIPAL
    assert codings.role_of([{"system": "http://snomed.info/sct", "code": "62247001"}]) is ContactRole.GP


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ('{"serviceKind": {"a|b": "PRIMARY_CARE"}}', "'PRIMARY_CARE', which is none of HOSPITAL, GP, MUNICIPAL"),
        ('{"contactRole": {"a|b": "DOCTOR"}}', "'DOCTOR'"),
        ('{"atHome": "a|b"}', '"atHome" must be a list'),
        ('{"colours": []}', "expected an object with keys among"),
        ("not json", "GATEWAY_FHIR_CODINGS_FILE"),
    ],
)
def test_a_codings_file_that_does_not_fit_is_one_line_naming_it(tmp_path: Path, content: str, says: str) -> None:
    path = tmp_path / "codings.json"
    path.write_text(content)
    with pytest.raises(CodingsFileError) as refused:
        FhirCodings.load(str(path))
    message = str(refused.value)
    assert message.startswith(f"GATEWAY_FHIR_CODINGS_FILE {path}: ") and "\n" not in message and says in message
