"""One decimal-to-text (domain.text.decimal_text), used by the API, the export files and
the charts' CSVs."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pilot_tracker.domain.text import decimal_text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal("40.0000"), "40"),
        (Decimal("12.50"), "12.5"),
        (Decimal("1E+3"), "1000"),
        (Decimal("0E+3"), "0"),
        (Decimal("-0.00"), "0"),
        (Decimal("-3.5000"), "-3.5"),
        (Decimal("0.0001"), "0.0001"),
        (Decimal("1E-7"), "0.0000001"),
        (Decimal("100"), "100"),
        (7, "7"),
    ],
)
def test_examples(value: Decimal, text: str) -> None:
    assert decimal_text(value) == text


@given(st.decimals(allow_nan=False, allow_infinity=False))
def test_exact_plain_and_without_trailing_zeros(value: Decimal) -> None:
    text = decimal_text(value)
    assert Decimal(text) == value
    assert "E" not in text and "e" not in text
    assert not text.startswith("-0") or text.startswith("-0.")
    if "." in text:
        assert not text.endswith("0") and not text.endswith(".")


def test_more_digits_than_the_decimal_context_keeps_are_not_rounded() -> None:
    value = Decimal("1234567890123456789012345678.9012")
    assert decimal_text(value) == "1234567890123456789012345678.9012"


@pytest.mark.parametrize("value", [Decimal("NaN"), Decimal("Infinity"), Decimal("-Infinity")])
def test_not_a_finite_number_is_refused(value: Decimal) -> None:
    with pytest.raises(ValueError, match="finite"):
        decimal_text(value)


def test_a_float_is_refused() -> None:
    with pytest.raises(TypeError):
        decimal_text(0.1)  # type: ignore[arg-type]
