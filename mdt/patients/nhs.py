"""NHS numbers: typed with spaces or dashes, checked with the Modulus 11 rule, kept as digits."""

from __future__ import annotations

import re

import nhs_number


class InvalidNhsNumber(ValueError):
    """The message says what is wrong, for the person who typed it."""


def parse_nhs_number(raw: str) -> str:
    typed = (raw or "").strip()
    digits = re.sub(r"[\s-]", "", typed)
    if not digits:
        raise InvalidNhsNumber("Enter the NHS number")
    if not digits.isdigit():
        raise InvalidNhsNumber("An NHS number has only digits (spaces and dashes are fine)")
    if len(digits) != 10:
        raise InvalidNhsNumber(f"An NHS number has 10 digits; this has {len(digits)}")
    check = nhs_number.calculate_checksum(digits[:9])
    if check == 10:
        raise InvalidNhsNumber(
            "This is not a valid NHS number: no NHS number starts with these nine digits"
        )
    if not nhs_number.is_valid(digits):
        raise InvalidNhsNumber(
            "This is not a valid NHS number: the last digit (the check digit) "
            "does not match. Check it against the person's record"
        )
    return digits


def display(digits: str) -> str:
    return f"{digits[:3]} {digits[3:6]} {digits[6:]}"
