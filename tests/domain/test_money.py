"""Money parsing and formatting: integer cents in, exact strings out, never a float between."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pilot_tracker.domain.money import (
    MAX_CENTS,
    MoneyError,
    cents_to_decimal,
    format_cents,
    parse_eur,
    parse_hundredths,
    round_half_up,
)


@pytest.mark.parametrize(
    ("raw", "cents"),
    [
        ("12500", 1_250_000),
        ("12500.5", 1_250_050),
        ("12500.50", 1_250_050),
        ("12500,50", 1_250_050),
        ("0", 0),
        ("0.01", 1),
        ("007.10", 710),
        ("  42  ", 4_200),
        (12500, 1_250_000),
        (0, 0),
        (Decimal("12500.50"), 1_250_050),
        (Decimal("12500.5"), 1_250_050),
        (Decimal("1.2E+3"), 120_000),
        (Decimal("-0"), 0),
        ("-0,00", 0),
    ],
)
def test_parse_eur_accepts_api_style_numbers(raw: str | int | Decimal, cents: int) -> None:
    assert parse_eur(raw) == cents


@pytest.mark.parametrize(
    "raw",
    [
        "12 500,50",
        "12\u00a0500,50",  # no-break space
        "12\u202f500,50",  # narrow no-break space, what Finnish number formatting emits
        "12\u2009500,50",  # thin space
        "12 500.50",
        "12 500,50 €",
        "12\u00a0500,50\u00a0€",
        "12500,50€",
    ],
)
def test_parse_eur_accepts_finnish_style_with_space_separators(raw: str) -> None:
    assert parse_eur(raw) == 1_250_050


def test_parse_eur_accepts_several_thousands_groups() -> None:
    assert parse_eur("1 234 567,89") == 123_456_789


@pytest.mark.parametrize("raw", ["12.345", "0,001", "12,500", Decimal("1.005"), Decimal("1.000")])
def test_parse_eur_refuses_more_than_two_decimals(raw: str | Decimal) -> None:
    with pytest.raises(MoneyError, match="at most two decimals") as caught:
        parse_eur(raw)
    assert caught.value.reason == "too_many_decimals"


@pytest.mark.parametrize("raw", ["-5", "-0.01", "\u22125,00", -1, Decimal("-0.01")])
def test_parse_eur_refuses_negative_amounts(raw: str | int | Decimal) -> None:
    with pytest.raises(MoneyError, match="must not be negative") as caught:
        parse_eur(raw)
    assert caught.value.reason == "negative"


@pytest.mark.parametrize(
    "raw",
    ["", "   ", "abc", "12a", "1e5", "NaN", "inf", "+5", "5.", ".5", "1,2,3", "12  500", "1 23"],
)
def test_parse_eur_refuses_text_that_is_not_a_number(raw: str) -> None:
    with pytest.raises(MoneyError, match="is not a number") as caught:
        parse_eur(raw)
    assert caught.value.reason == "not_a_number"


def test_parse_eur_refuses_non_ascii_digits() -> None:
    # str.isdigit() and int() accept these; an amount field must not.
    with pytest.raises(MoneyError, match="is not a number"):
        parse_eur("\u0661\u0662")


@pytest.mark.parametrize("raw", [Decimal("NaN"), Decimal("sNaN"), Decimal("Infinity")])
def test_parse_eur_refuses_decimal_nan_and_infinity(raw: Decimal) -> None:
    with pytest.raises(MoneyError, match="finite") as caught:
        parse_eur(raw)
    assert caught.value.reason == "not_finite"


@pytest.mark.parametrize("raw", [12500.5, 0.0, float("nan"), float("inf")])
def test_parse_eur_refuses_floats(raw: float) -> None:
    with pytest.raises(MoneyError, match="not as a floating-point number") as caught:
        parse_eur(raw)  # type: ignore[arg-type]
    assert caught.value.reason == "type"


@pytest.mark.parametrize("raw", [True, False, None, [1]])
def test_parse_eur_refuses_bools_and_other_types(raw: object) -> None:
    with pytest.raises(MoneyError, match="Expected a number") as caught:
        parse_eur(raw)  # type: ignore[arg-type]
    assert caught.value.reason == "type"


def test_parse_eur_accepts_the_maximum_amount() -> None:
    assert parse_eur("100000000000.00") == MAX_CENTS == 10**13


@pytest.mark.parametrize(
    "raw", ["100000000000.01", 10**11 + 1, Decimal("1E+99"), "9" * 5000, "100 000 000 000,01"]
)
def test_parse_eur_refuses_amounts_above_the_maximum(raw: str | int | Decimal) -> None:
    with pytest.raises(MoneyError, match="too large") as caught:
        parse_eur(raw)
    assert caught.value.reason == "too_large"


def test_money_error_is_a_value_error_with_a_message() -> None:
    with pytest.raises(ValueError, match="is not a number") as caught:
        parse_eur("x")
    assert isinstance(caught.value, MoneyError)
    assert caught.value.message == str(caught.value)


def test_parse_hundredths_uses_the_given_maximum() -> None:
    assert parse_hundredths("100", 10_000) == 10_000
    with pytest.raises(MoneyError, match=r"largest accepted is 100\.00"):
        parse_hundredths("100.01", 10_000)


@pytest.mark.parametrize(
    ("cents", "text"),
    [
        (0, "0.00"),
        (1, "0.01"),
        (99, "0.99"),
        (1_250_000, "12500.00"),
        (-5, "-0.05"),
        (-1234, "-12.34"),
    ],
)
def test_format_cents_gives_the_api_string(cents: int, text: str) -> None:
    assert format_cents(cents) == text


@pytest.mark.parametrize(("cents", "text"), [(0, "0.00"), (1_250_050, "12500.50"), (-7, "-0.07")])
def test_cents_to_decimal_has_two_places(cents: int, text: str) -> None:
    value = cents_to_decimal(cents)
    assert value == Decimal(text)
    assert str(value) == text


def test_cents_to_decimal_is_exact_beyond_the_decimal_context_precision() -> None:
    assert str(cents_to_decimal(10**40 + 1)) == f"{10**38}.01"


@pytest.mark.parametrize("bad", [1.5, True, "100"])
def test_format_and_convert_refuse_anything_but_int(bad: object) -> None:
    with pytest.raises(TypeError):
        format_cents(bad)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        cents_to_decimal(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        (Fraction(5, 1000), 2, "0.01"),  # 0.005: a tie rounds up, unlike banker's rounding
        (Fraction(15, 1000), 2, "0.02"),
        (Fraction(25, 1000), 2, "0.03"),
        (Fraction(1, 3), 2, "0.33"),
        (Fraction(2, 3), 2, "0.67"),
        (Fraction(-5, 100), 1, "-0.1"),  # ties go away from zero
        (Fraction(-4, 100), 1, "0.0"),  # no negative zero
        (Decimal("2.45"), 1, "2.5"),
        (7, 2, "7.00"),
        (Fraction(123, 1), 0, "123"),
    ],
)
def test_round_half_up_rounds_ties_away_from_zero(
    value: Fraction | Decimal | int, places: int, expected: str
) -> None:
    assert str(round_half_up(value, places)) == expected


@given(st.integers(min_value=0, max_value=MAX_CENTS))
def test_format_then_parse_round_trips_every_amount(cents: int) -> None:
    assert parse_eur(format_cents(cents)) == cents
    assert parse_eur(cents_to_decimal(cents)) == cents


@given(st.integers(min_value=0, max_value=MAX_CENTS))
def test_finnish_formatting_round_trips(cents: int) -> None:
    euros, rest = divmod(cents, 100)
    finnish = f"{euros:,}".replace(",", "\u202f") + f",{rest:02d}\u00a0€"
    assert parse_eur(finnish) == cents
