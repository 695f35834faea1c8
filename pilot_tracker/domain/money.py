"""Money as integer cents: parsing user and API input, formatting for the API, exact rounding."""

from __future__ import annotations

import re
from decimal import Decimal
from fractions import Fraction

from pilot_tracker.domain.errors import Cents, DomainError, Message

# 100 000 000 000.00 €: far above any municipal pilot, low enough that a typo with extra
# digits is caught and sums over many pilots stay well inside a 64-bit integer column.
MAX_CENTS = 10**13

# Thousands separators people paste: space, no-break space, narrow no-break space (what
# Finnish number formatting emits) and thin space.
_GROUP_SEPARATORS = " \u00a0\u202f\u2009"
_NUMBER = re.compile(
    r"(?P<sign>[-\u2212])?"  # U+2212 is the minus sign Finnish formatting uses
    r"(?P<int>[0-9]{1,3}(?:[" + _GROUP_SEPARATORS + r"][0-9]{3})+|[0-9]+)"
    r"(?:[.,](?P<frac>[0-9]+))?"
)


class MoneyError(DomainError):
    """A value that is not an acceptable amount: the message's code, and `reason`, the kind
    of problem (callers that word their own message go by it)."""

    def __init__(self, message: Message, reason: str) -> None:
        super().__init__(message)
        # One of: type, not_a_number, not_finite, too_many_decimals, negative, too_large.
        self.reason = reason


def parse_hundredths(value: str | int | Decimal, maximum: int) -> int:
    """A number of at most two decimals as hundredths (0 to `maximum`): cents or percent/100."""
    # Floats are refused: a float has already lost the exact decimal value the user typed.
    if isinstance(value, bool):
        raise MoneyError(Message("money_boolean"), "type")
    if isinstance(value, int):
        hundredths = value * 100
    elif isinstance(value, Decimal):
        hundredths = _hundredths_from_decimal(value, maximum)
    elif isinstance(value, str):
        hundredths = _hundredths_from_text(value, maximum)
    elif isinstance(value, float):
        raise MoneyError(Message("money_float"), "type")
    else:
        raise MoneyError(Message("money_type"), "type")
    if hundredths < 0:
        raise MoneyError(Message("value_negative"), "negative")
    if hundredths > maximum:
        raise MoneyError(Message("value_too_large", max=cents_to_decimal(maximum)), "too_large")
    return hundredths


def _hundredths_from_decimal(value: Decimal, maximum: int) -> int:
    if not value.is_finite():
        raise MoneyError(Message("value_not_finite"), "not_finite")
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)  # finite, so never the 'n'/'N'/'F' markers
    if exponent < -2:
        raise MoneyError(Message("value_decimals"), "too_many_decimals")
    # Clamp before scaling: a huge exponent such as 1E+99 would otherwise be rounded by the
    # decimal context; anything past the maximum is refused by the caller anyway.
    if abs(value) > maximum:
        return maximum + 1 if value > 0 else -1
    return int(value.scaleb(2))


def _hundredths_from_text(text: str, maximum: int) -> int:
    cleaned = text.strip()
    # Accept the way the product itself shows money ("1 234,50 €") so it can be pasted back.
    cleaned = cleaned.removesuffix("€").rstrip(_GROUP_SEPARATORS)
    match = _NUMBER.fullmatch(cleaned)
    if match is None:
        raise MoneyError(Message("not_a_number", value=text), "not_a_number")
    frac = match["frac"] or ""
    if len(frac) > 2:
        # "12,500" lands here: in Finnish the comma is the decimal mark, so say so.
        raise MoneyError(Message("decimal_comma"), "too_many_decimals")
    digits = match["int"]
    for separator in _GROUP_SEPARATORS:
        digits = digits.replace(separator, "")
    digits = digits.lstrip("0")
    # Python refuses int() of very long digit strings; anything this long is too large anyway.
    if len(digits) > len(str(maximum)):
        hundredths = maximum + 1
    else:
        hundredths = int(digits or "0") * 100 + int(frac.ljust(2, "0"))
    # "-0" and "-0,00" are zero, not a negative amount.
    return -hundredths if match["sign"] else hundredths


def parse_eur(value: str | int | Decimal) -> int:
    """Euros from a form or the API (int, Decimal or text, Finnish or API style) as cents."""
    try:
        return parse_hundredths(value, MAX_CENTS)
    except MoneyError as error:
        if error.reason == "negative":
            raise MoneyError(Message("amount_negative"), error.reason) from None
        if error.reason == "too_large":
            raise MoneyError(
                Message("amount_too_large_max", max=Cents(MAX_CENTS)), error.reason
            ) from None
        raise


def format_cents(cents: int) -> str:
    """Cents in the API's form: "12500.00", "-0.05"; no thousands separators."""
    if isinstance(cents, bool) or not isinstance(cents, int):
        raise TypeError(f"cents must be an int, not {type(cents).__name__}")
    sign = "-" if cents < 0 else ""
    euros, rest = divmod(abs(cents), 100)
    return f"{sign}{euros}.{rest:02d}"


def cents_to_decimal(cents: int) -> Decimal:
    """Cents as a Decimal euro amount with exactly two places (for Numeric columns, math)."""
    if isinstance(cents, bool) or not isinstance(cents, int):
        raise TypeError(f"cents must be an int, not {type(cents).__name__}")
    # Built from text, which is exact whatever the decimal context's precision.
    return Decimal(f"{cents}E-2")


def round_half_up(value: Fraction | Decimal | int, places: int = 2) -> Decimal:
    """Round exactly, ties away from zero; e.g. round_half_up(Fraction(cents, 100 * residents))."""
    scaled = Fraction(value) * 10**places
    magnitude = int(abs(scaled) + Fraction(1, 2))  # int() floors a non-negative Fraction
    signed = -magnitude if scaled < 0 else magnitude  # a rounded-away -0.04 becomes 0, not -0
    return Decimal(f"{signed}E-{places}")
