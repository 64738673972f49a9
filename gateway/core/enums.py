"""Values from outside the process as enum members, read once where they come in.

An upstream's body (sources/parsing.py and the clients), an access-log entry or an inbox event read
back from Redis (core/audit.py, core/events.py): each names members by string, and a string this
process does not know (a new upstream code, an entry a newer replica wrote) is never an error three
layers up. It becomes the member the rules treat most strictly, or it is dropped, with a warning.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from enum import Enum
from typing import Any, TypeVar

E = TypeVar("E", bound=Enum)

log = logging.getLogger(__name__)


def enum_of(source: str, enum: type[E], value: Any, conservative: E, *, by_name: bool = False) -> E:
    """A value from `source` (or, `by_name`, a member's name) as a member of `enum`. An unknown one
    becomes `conservative` (the member the rules treat most strictly) with a warning, so a new code
    hides data instead of failing."""
    try:
        return enum[value] if by_name else enum(value)
    except (KeyError, ValueError):
        # Codes are vocabulary, not personal data: safe to log.
        log.warning("%s: unknown %s %r, taken as %s", source, enum.__name__, value, conservative.name)
        return conservative


def known_members(source: str, enum: type[E], values: Iterable[Any]) -> frozenset[E]:
    """The values that are members of `enum`; unknown ones are dropped with a warning (an unknown
    fullmakt area grants nothing)."""
    members = set()
    for value in values:
        try:
            members.add(enum(value))
        except ValueError:
            log.warning("%s: unknown %s %r ignored", source, enum.__name__, value)
    return frozenset(members)
