"""The one table that maps FHIR codings to what the gateway needs.

The gateway reads only standard elements, so it works against any FHIR R4 server that uses
these (or configured) codes:

| need                 | element                                                        |
|----------------------|----------------------------------------------------------------|
| service kind         | `Appointment.serviceCategory`, `Organization.type`, `Location.type` codings |
| contact role         | `CareTeam.participant.role` codings                            |
| at the patient's home| `Location.type` coding                                         |
| digital dialogue     | a `meta.tag` coding on the CareTeam                            |
| hidden from guardian | a `meta.security` label (vergeinnsynsreservasjon)              |

`GATEWAY_FHIR_CODINGS_FILE` names a JSON file with the same keys as `DEFAULT_CODINGS` to replace
any of them; a coding is written "system|code".
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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
}


def _key(coding: Mapping[str, Any]) -> str:
    return f"{coding.get('system', '')}|{coding.get('code', '')}"


def codings_of(concepts: Iterable[Mapping[str, Any]] | None) -> list[Mapping[str, Any]]:
    """The codings of a list of CodeableConcepts."""
    return [coding for concept in concepts or () for coding in concept.get("coding") or ()]


@dataclass(frozen=True)
class FhirCodings:
    service_kind: Mapping[str, str] = field(default_factory=lambda: DEFAULT_CODINGS["serviceKind"])
    contact_role: Mapping[str, str] = field(default_factory=lambda: DEFAULT_CODINGS["contactRole"])
    at_home: frozenset[str] = frozenset(DEFAULT_CODINGS["atHome"])
    digital_dialogue_tag: frozenset[str] = frozenset(DEFAULT_CODINGS["digitalDialogueTag"])
    hidden_from_guardian_label: frozenset[str] = frozenset(DEFAULT_CODINGS["hiddenFromGuardianLabel"])

    @classmethod
    def load(cls, path: str | None) -> FhirCodings:
        if not path:
            return cls()
        table = {**DEFAULT_CODINGS, **json.loads(Path(path).read_text())}
        return cls(
            service_kind=dict(table["serviceKind"]),
            contact_role=dict(table["contactRole"]),
            at_home=frozenset(table["atHome"]),
            digital_dialogue_tag=frozenset(table["digitalDialogueTag"]),
            hidden_from_guardian_label=frozenset(table["hiddenFromGuardianLabel"]),
        )

    def service_kind_of(self, codings: Iterable[Mapping[str, Any]]) -> str | None:
        return next((self.service_kind[k] for k in map(_key, codings) if k in self.service_kind), None)

    def role_of(self, codings: Iterable[Mapping[str, Any]]) -> str | None:
        return next((self.contact_role[k] for k in map(_key, codings) if k in self.contact_role), None)

    def is_at_home(self, codings: Iterable[Mapping[str, Any]]) -> bool:
        return any(_key(c) in self.at_home for c in codings)

    def offers_digital_dialogue(self, meta: Mapping[str, Any] | None) -> bool:
        return any(_key(c) in self.digital_dialogue_tag for c in (meta or {}).get("tag") or ())

    def hidden_from_guardian(self, meta: Mapping[str, Any] | None) -> bool:
        return any(_key(c) in self.hidden_from_guardian_label for c in (meta or {}).get("security") or ())
