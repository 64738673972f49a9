"""Norwegian national identity numbers: fødselsnummer and D-number.

Checked before any upstream call, so a typo costs nothing upstream and leaks nothing. Synthetic
test numbers (month + 80, as issued by Skatteetaten's test population and used by the demo
personas) are accepted, as are Helsedirektoratet's synthetic numbers (month + 40).
"""

from __future__ import annotations

import datetime as dt

_WEIGHTS_K1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
_WEIGHTS_K2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)


def mod11_check_digit(digits: list[int], weights: tuple[int, ...]) -> int | None:
    """The mod-11 check digit of `digits` with `weights`, as Norwegian registers compute it (for a
    fødselsnummer, and an organisation number), or None where none exists (a remainder of 1)."""
    remainder = sum(d * w for d, w in zip(digits, weights, strict=False)) % 11
    check = (11 - remainder) % 11
    return None if check == 10 else check


def invalid_reason(value: str) -> str | None:
    """Why `value` is not a fødselsnummer or D-number, or None when it is one."""
    # ASCII digits only: str.isdigit() also takes "²", "١" and "１", which no registry issues.
    if len(value) != 11 or not (value.isascii() and value.isdigit()):
        return "must be 11 digits"
    digits = [int(c) for c in value]
    if (
        mod11_check_digit(digits[:9], _WEIGHTS_K1) != digits[9]
        or mod11_check_digit(digits[:10], _WEIGHTS_K2) != digits[10]
    ):
        return "has wrong check digits"
    day, month, year = int(value[0:2]), int(value[2:4]), int(value[4:6])
    if day > 40:  # D-number: first digit + 4
        day -= 40
    if month > 80:  # synthetic (Skatteetaten test population)
        month -= 80
    elif month > 40:  # synthetic (Helsedirektoratet)
        month -= 40
    try:
        # The century is not checked: 2000 + year is a leap year whenever the birth year may be.
        dt.date(2000 + year, month, day)
    except ValueError:
        return "does not start with a valid date"
    return None


def is_valid(value: str) -> bool:
    return invalid_reason(value) is None
