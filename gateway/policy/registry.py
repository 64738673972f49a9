"""What Folkeregisteret's entries mean for the rules, decided here and nowhere else
(docs/access-rules.md#what-folkeregisterets-entries-mean).

The registry source hands over the current entries as the registry states them (sources/registry.py);
these rules turn them into the facts `representation.decide` reads:

- **Deceased**: the current status is `doed`, or a death (`doedsfall`) is registered as current. Either
  is enough: no one acts for a deceased person (`PersonFacts.deceased`).
- **Resident**: only a current status `bosatt`, and no death registered. `utflyttet`, `ikkeBosatt`,
  `forsvunnet`, `doed`, a status this code does not know, and no current status entry at all are not: a
  parent who is not resident has no access to a child's data (when unsure, deny).
- **No current name or birth date**: the document identifies no one the rules can judge (an age decides
  most of them). The source leaves such a person out, so the gateway treats them as the registry not
  knowing them: `person` is null for every viewer, and no one is anyone's parent through them.
"""

from __future__ import annotations

RESIDENT = "bosatt"
DECEASED = "doed"


def is_deceased(status: str | None, death_registered: bool) -> bool:
    return death_registered or status == DECEASED


def is_resident(status: str | None, death_registered: bool) -> bool:
    return status == RESIDENT and not death_registered


def identifiable(has_current_name: bool, has_current_birth_date: bool) -> bool:
    return has_current_name and has_current_birth_date
