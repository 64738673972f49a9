"""The one table that maps FHIR codings (and identifier systems) to what the gateway needs.

The gateway reads only standard elements, so it works against any FHIR R4 server that uses
these (or configured) codes:

| need                 | element                                                        |
|----------------------|----------------------------------------------------------------|
| service kind         | `Appointment.serviceCategory`, `Organization.type`, `Location.type` codings |
| contact role         | `CareTeam.participant.role` codings                            |
| at the patient's home| `Location.type` coding                                         |
| digital dialogue     | a `meta.tag` coding on the CareTeam                            |
| hidden from guardian | a `meta.security` label (vergeinnsynsreservasjon)              |
| HPR number           | a `Practitioner.identifier` system                             |
| organisation number  | an `Organization.identifier` system, and a Location's `managingOrganization.identifier` |

`GATEWAY_FHIR_CODINGS_FILE` names a JSON file with the same keys as `DEFAULT_CODINGS` to replace
any of them; a coding is written "system|code", an identifier system as it is (a server that still
uses an older system for a number can be named beside the current one). The file is checked when
the gateway starts: a value that names no service kind or role stops the start with one line saying
which (a typo must not quietly turn a GP into a hospital). A resource with codings the table does
not know gets no kind, which the access rules treat as a hospital.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any, TypeVar

from gateway.policy.access import UNKNOWN_KIND_IS
from gateway.policy.vocabulary import ServiceKind
from gateway.sources.identifiers import hpr_number, number_of, organization_number
from gateway.sources.records import ContactRole

E = TypeVar("E", bound=Enum)

log = logging.getLogger(__name__)

ROLE_CODE = "http://terminology.hl7.org/CodeSystem/v3-RoleCode"
SNOMED = "http://snomed.info/sct"

DEFAULT_CODINGS: dict[str, Any] = {
    "serviceKind": {
        f"{ROLE_CODE}|HOSP": "HOSPITAL",
        f"{ROLE_CODE}|PC": "GP",
        f"{ROLE_CODE}|COMM": "MUNICIPAL",
        f"{SNOMED}|22232009": "HOSPITAL",
    },
    "contactRole": {
        f"{SNOMED}|62247001": "GP",
        f"{SNOMED}|768820003": "CARE_COORDINATOR",
        f"{SNOMED}|309343006": "SPECIALIST",
        f"{SNOMED}|106292003": "NURSE",
    },
    "atHome": [f"{ROLE_CODE}|PTRES"],
    "digitalDialogueTag": ["urn:no:helsenorge:fhir:tag|digital-dialogue"],
    "hiddenFromGuardianLabel": ["urn:no:helsenorge:fhir:security|GUARDIAN-RESTRICTED"],
    # Identifier systems (HL7 Norway no-basis-Practitioner slice HPR, no-basis-Organization slice ENH).
    "hprNumberSystems": ["urn:oid:2.16.578.1.12.4.1.4.4"],
    "organizationNumberSystems": ["urn:oid:2.16.578.1.12.4.1.4.101"],
}


@functools.lru_cache(maxsize=1024)
def _warn_unknown_kind(keys: tuple[str, ...]) -> None:
    # Once per distinct set (the cache remembers it): an unmapped code would otherwise warn on every request.
    # Codings are vocabulary, not personal data.
    log.warning("no service kind for codings %s: taken as %s", ", ".join(keys), UNKNOWN_KIND_IS.value)


def _key(coding: Mapping[str, Any]) -> str:
    return f"{coding.get('system', '')}|{coding.get('code', '')}"


def codings_of(concepts: Iterable[Mapping[str, Any]] | None) -> list[Mapping[str, Any]]:
    """The codings of a list of CodeableConcepts."""
    return [coding for concept in concepts or () for coding in concept.get("coding") or ()]


class CodingsFileError(ValueError):
    """GATEWAY_FHIR_CODINGS_FILE cannot be used; the message is one line saying why."""


def _members(table: Mapping[str, Any], key: str, enum: type[E]) -> dict[str, E]:
    values = table[key]
    if not isinstance(values, dict):
        raise CodingsFileError(f'"{key}" must map "system|code" to a name')
    members: dict[str, E] = {}
    for coding, name in values.items():
        if not isinstance(name, str) or name not in enum.__members__:
            names = ", ".join(enum.__members__)
            raise CodingsFileError(f'"{key}": {coding} maps to {name!r}, which is none of {names}')
        members[coding] = enum[name]
    return members


def _codings(table: Mapping[str, Any], key: str, what: str = '"system|code" strings') -> frozenset[str]:
    values = table[key]
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise CodingsFileError(f'"{key}" must be a list of {what}')
    return frozenset(values)


def _systems(table: Mapping[str, Any], key: str) -> frozenset[str]:
    return _codings(table, key, "identifier systems")


@dataclass(frozen=True)
class FhirCodings:
    service_kind: Mapping[str, ServiceKind] = field(
        default_factory=lambda: _members(DEFAULT_CODINGS, "serviceKind", ServiceKind)
    )
    contact_role: Mapping[str, ContactRole] = field(
        default_factory=lambda: _members(DEFAULT_CODINGS, "contactRole", ContactRole)
    )
    at_home: frozenset[str] = frozenset(DEFAULT_CODINGS["atHome"])
    digital_dialogue_tag: frozenset[str] = frozenset(DEFAULT_CODINGS["digitalDialogueTag"])
    hidden_from_guardian_label: frozenset[str] = frozenset(DEFAULT_CODINGS["hiddenFromGuardianLabel"])
    hpr_number_systems: frozenset[str] = frozenset(DEFAULT_CODINGS["hprNumberSystems"])
    organization_number_systems: frozenset[str] = frozenset(DEFAULT_CODINGS["organizationNumberSystems"])

    @classmethod
    def load(cls, path: str | None) -> FhirCodings:
        """The default table, with the entries of the JSON file at `path` replacing its own."""
        if not path:
            return cls()
        try:
            given = json.loads(Path(path).read_text())
        except (OSError, ValueError) as exc:
            raise CodingsFileError(f"GATEWAY_FHIR_CODINGS_FILE {path}: {exc}") from exc
        if not isinstance(given, dict) or not set(given) <= set(DEFAULT_CODINGS):
            keys = ", ".join(DEFAULT_CODINGS)
            raise CodingsFileError(f"GATEWAY_FHIR_CODINGS_FILE {path}: expected an object with keys among {keys}")
        table = {**DEFAULT_CODINGS, **given}
        try:
            return cls(
                service_kind=_members(table, "serviceKind", ServiceKind),
                contact_role=_members(table, "contactRole", ContactRole),
                at_home=_codings(table, "atHome"),
                digital_dialogue_tag=_codings(table, "digitalDialogueTag"),
                hidden_from_guardian_label=_codings(table, "hiddenFromGuardianLabel"),
                hpr_number_systems=_systems(table, "hprNumberSystems"),
                organization_number_systems=_systems(table, "organizationNumberSystems"),
            )
        except CodingsFileError as exc:
            raise CodingsFileError(f"GATEWAY_FHIR_CODINGS_FILE {path}: {exc}") from None

    def service_kind_of(self, codings: Iterable[Mapping[str, Any]]) -> ServiceKind | None:
        """The kind the first known coding names; None (a hospital, to the access rules) when none is
        known, with a warning the first time each unknown set of codings is seen."""
        keys = [_key(c) for c in codings]
        kind = next((self.service_kind[k] for k in keys if k in self.service_kind), None)
        if kind is None and keys:
            _warn_unknown_kind(tuple(keys))
        return kind

    def role_of(self, codings: Iterable[Mapping[str, Any]]) -> ContactRole:
        """The first known role; OTHER when no coding names one."""
        return next((self.contact_role[k] for k in map(_key, codings) if k in self.contact_role), ContactRole.OTHER)

    def is_at_home(self, codings: Iterable[Mapping[str, Any]]) -> bool:
        return any(_key(c) in self.at_home for c in codings)

    def offers_digital_dialogue(self, meta: Mapping[str, Any] | None) -> bool:
        return any(_key(c) in self.digital_dialogue_tag for c in (meta or {}).get("tag") or ())

    def hidden_from_guardian(self, meta: Mapping[str, Any] | None) -> bool:
        return any(_key(c) in self.hidden_from_guardian_label for c in (meta or {}).get("security") or ())

    def hpr_number_of(self, identifiers: Iterable[Any] | None) -> str | None:
        """The HPR number among a Practitioner's identifiers, or None (sources/identifiers.py)."""
        return number_of(identifiers, self.hpr_number_systems, hpr_number, "HPR number")

    def organization_number_of(self, identifiers: Iterable[Any] | None) -> str | None:
        """The organisation number among an Organization's (or a reference's) identifiers, or None."""
        return number_of(identifiers, self.organization_number_systems, organization_number, "organisation number")
