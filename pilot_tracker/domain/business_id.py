"""Finnish business IDs (Y-tunnus, NNNNNNN-C): normalising and check-digit validation."""

from __future__ import annotations

import re

from pilot_tracker.domain.errors import Message

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2)
_FORMAT = re.compile(r"(?P<body>[0-9]{7})-(?P<check>[0-9])")
_OLD_FORMAT = re.compile(r"[0-9]{6}-[0-9]")
# Hyphen look-alikes that word processors and PDFs substitute for "-".
_DASHES = str.maketrans(dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2212", "-"))


def normalise_business_id(raw: str) -> str:
    """Remove whitespace, unify dashes, pad a 6-digit old ID with 0; does not validate."""
    compact = "".join(raw.split()).translate(_DASHES)
    if _OLD_FORMAT.fullmatch(compact):
        return "0" + compact
    return compact


def _expected_check_digit(body: str) -> int | None:
    remainder = sum(int(digit) * weight for digit, weight in zip(body, _WEIGHTS, strict=True)) % 11
    if remainder == 1:
        return None  # such numbers are never issued
    return 0 if remainder == 0 else 11 - remainder


def business_id_error(raw: str) -> Message | None:
    """None for a valid business ID, else the message saying what is wrong."""
    normalised = normalise_business_id(raw)
    match = _FORMAT.fullmatch(normalised)
    if match is None:
        return Message("business_id_shape")
    expected = _expected_check_digit(match["body"])
    if expected is None:
        return Message("business_id_never_issued", value=normalised)
    if int(match["check"]) != expected:
        return Message(
            "business_id_check_digit",
            value=normalised,
            body=match["body"],
            expected=expected,
            check=match["check"],
        )
    return None


def is_valid_business_id(raw: str) -> bool:
    """Whether `raw`, once normalised, is a business ID with a correct check digit."""
    return business_id_error(raw) is None
