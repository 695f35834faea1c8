"""Values as text in files: the formula rule, plain decimals and column letters.

Pure: the export files (services.exchange), the charts' CSV downloads (web.chart_csv) and
the public CSV all write text cells through `neutralise`, so one rule keeps a pasted
"=HYPERLINK(...)" from running in Excel or LibreOffice, wherever the text comes from; the
API and the files write decimals with `decimal_text`.
"""

from __future__ import annotations

import re
from decimal import Decimal

# A spreadsheet runs a cell starting with = + - @ as a formula, and Excel also after a
# leading tab or carriage return. Apostrophes before such a character count too: the rule
# then adds one more, so that `unneutralise` can always take exactly one away.
_FORMULA_START = re.compile(r"'*[=+\-@\t\r]")
_NEUTRALISED = re.compile(r"'+[=+\-@\t\r]")


def neutralise(text: str) -> str:
    """A leading apostrophe for text a spreadsheet could run as a formula.

    Only for text: numbers are written as numbers (a negative amount is not a formula).
    """
    return "'" + text if _FORMULA_START.match(text) else text


def unneutralise(text: str) -> str:
    """Undo `neutralise` exactly."""
    return text[1:] if _NEUTRALISED.match(text) else text


def column_letters(index: int) -> str:
    """The spreadsheet name of the column at 0-based `index`: 0 → A, 25 → Z, 26 → AA."""
    if index < 0:
        raise ValueError(f"column index must not be negative, got {index}")
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def decimal_text(value: Decimal) -> str:
    """A decimal exactly, without exponent or trailing zeros: 40.0000 → "40", 1E+3 → "1000",
    12.50 → "12.5", -0.00 → "0". The API's, the export files' and the chart CSVs' form."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise TypeError(f"value must be a Decimal, not {type(value).__name__}")
    number = Decimal(value)
    if not number.is_finite():
        raise ValueError(f"{number} is not a finite number")
    if number == 0:
        return "0"
    # format() without a precision writes every digit (no rounding by the decimal context,
    # unlike normalize()); only the zeros after the point go.
    text = format(number, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text
