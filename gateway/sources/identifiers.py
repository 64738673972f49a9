"""Norwegian identifiers of health personnel and organisations, read from FHIR Identifiers.

HL7 Norway's no-basis profiles name them by system (the FHIR codings table holds the systems,
fhir_codings.py): the HPR number of a practitioner (no-basis-Practitioner, slice HPR) and the
organisation number of an organisation (no-basis-Organization, slice ENH). An identifier is chosen
by its system, never by its place: a server lists its own identifiers, and others, beside them, and
a real server may give none at all (then there is no number, which is no error).

A number is kept only in the form its register gives, so that a client can rely on the form: an HPR
number (Helsepersonellregisteret) is digits; an organisation number (Enhetsregisteret) is 9 digits,
the last a mod-11 check digit. Spaces are taken out first ("983 974 724" is how Brønnøysundregistrene
write one). A value of another form is taken as no number, with a warning the first time each kind
and system is met (the value itself is not logged). An identifier whose `use` is "old" (FHIR: no
longer valid) is passed over.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Collection, Iterable
from typing import Any

from gateway.policy.national_id import mod11_check_digit

log = logging.getLogger(__name__)

ORGANIZATION_NUMBER_WEIGHTS = (3, 2, 7, 6, 5, 4, 3, 2)


def _digits(value: str) -> str | None:
    """`value` without spaces, if what is left is ASCII digits."""
    compact = "".join(value.split())
    return compact if compact.isascii() and compact.isdigit() else None


def hpr_number(value: str) -> str | None:
    return _digits(value)


def organization_number(value: str) -> str | None:
    number = _digits(value)
    if number is None or len(number) != 9:
        return None
    digits = [int(c) for c in number]
    return number if mod11_check_digit(digits[:8], ORGANIZATION_NUMBER_WEIGHTS) == digits[8] else None


@functools.lru_cache(maxsize=64)
def _warn_other_form(kind: str, system: str) -> None:
    # Once per kind and system (the cache remembers it): a server's numbers would otherwise warn on every
    # request. Systems are vocabulary, not personal data; the value is not logged.
    log.warning("an identifier of system %s is not an %s in its form: taken as none", system, kind)


def number_of(
    identifiers: Iterable[Any] | None, systems: Collection[str], form: Callable[[str], str | None], kind: str
) -> str | None:
    """The value of the first identifier of one of `systems` (a list of FHIR Identifiers; an element
    that is not one is passed over) that is in `form`; `kind` names the number in the warning."""
    for identifier in identifiers or ():
        if not isinstance(identifier, dict) or identifier.get("system") not in systems:
            continue
        value = identifier.get("value")
        if identifier.get("use") == "old" or not isinstance(value, str):
            continue
        number = form(value)
        if number is not None:
            return number
        _warn_other_form(kind, identifier["system"])
    return None
