"""The fast formatters write exactly what babel writes, in every language, for any value."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from babel.dates import format_date
from babel.numbers import format_currency, format_decimal
from hypothesis import given
from hypothesis import strategies as st

from pilot_tracker.language import formats

LANGUAGES = ("fi", "sv", "en")

# Cents as the database holds them (BIGINT), and decimals of any size and scale the app meets:
# KPI values (NUMERIC(18, 4)), percentages, shares.
cents = st.integers(min_value=-(2**63), max_value=2**63 - 1)
decimals = st.decimals(
    min_value=Decimal("-1e15"), max_value=Decimal("1e15"), allow_nan=False, places=None
)
floats = st.floats(min_value=-1e12, max_value=1e12, allow_nan=False, allow_infinity=False)
languages = st.sampled_from(LANGUAGES)


@given(cents, languages, st.booleans())
def test_money_equals_babel(value: int, language: str, with_symbol: bool) -> None:
    amount = Decimal(value) / 100
    locale = formats.format_locale(language)
    if with_symbol:
        expected = format_currency(amount, "EUR", locale=locale)
    else:
        expected = format_decimal(amount, format="#,##0.00", locale=locale)
    assert formats.money(value, language, with_symbol) == expected


@given(st.one_of(decimals, st.integers(-(10**15), 10**15), floats), languages)
def test_number_with_default_decimals_equals_babel(value: object, language: str) -> None:
    locale = formats.format_locale(language)
    assert formats.number(value, language) == format_decimal(value, locale=locale)  # type: ignore[arg-type]


@given(decimals, languages, st.integers(min_value=0, max_value=4))
def test_number_with_fixed_decimals_equals_babel(
    value: Decimal, language: str, digits: int
) -> None:
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    expected = format_decimal(value, format=pattern, locale=formats.format_locale(language))
    assert formats.number(value, language, digits) == expected


@given(st.one_of(decimals, st.integers(-(10**15), 10**15)), languages)
def test_measured_value_equals_babel(value: object, language: str) -> None:
    expected = format_decimal(value, format="#,##0.####", locale=formats.format_locale(language))  # type: ignore[arg-type]
    assert formats.measured(value, language) == expected  # type: ignore[arg-type]


@given(st.dates(min_value=date(1, 1, 1)), languages)
def test_short_date_equals_babel(value: date, language: str) -> None:
    expected = format_date(value, "short", locale=formats.format_locale(language))
    assert formats.short_date(value, language) == expected


@pytest.mark.parametrize(
    ("language", "cents", "text"),
    [
        ("fi", 2365155, "23\u00a0651,55\u00a0€"),
        ("sv", -123456789, "-1\u00a0234\u00a0567,89\u00a0€"),
        ("en", 5, "€0.05"),
        ("en", -100000, "-€1,000.00"),
    ],
)
def test_money_examples(language: str, cents: int, text: str) -> None:
    assert formats.money(cents, language) == text


@pytest.mark.parametrize(
    ("value", "language", "digits", "text"),
    [
        (Decimal("1234.5678"), "fi", None, "1\u00a0234,568"),
        (Decimal("0.0005"), "fi", None, "0"),  # half to even
        (Decimal("0.0015"), "en", None, "0.002"),
        (Decimal("-0.0001"), "sv", None, "-0"),  # babel keeps the sign of a rounded zero
        (Decimal("1E+3"), "en", 2, "1,000.00"),
        (12, "fi", 1, "12,0"),
        (0.1, "en", None, "0.1"),
    ],
)
def test_number_examples(value: object, language: str, digits: int | None, text: str) -> None:
    assert formats.number(value, language, digits) == text  # type: ignore[arg-type]


def test_dates_as_finland_writes_them() -> None:
    day = date(2026, 1, 5)
    assert [formats.short_date(day, lang) for lang in LANGUAGES] == [
        "5.1.2026",
        "5.1.2026",
        "05/01/2026",
    ]


def test_values_past_the_fast_path_go_to_babel() -> None:
    huge = Decimal("1" * 27 + ".5")  # 28 significant digits: quantizing to 3 places overflows
    with pytest.raises(ArithmeticError):
        format_decimal(huge, locale="fi")  # babel itself cannot either: same behaviour
    with pytest.raises(ArithmeticError):
        formats.number(huge, "fi")
    assert formats.number(Decimal("Infinity"), "en") == format_decimal(
        Decimal("Infinity"), locale="en_GB"
    )


@pytest.mark.parametrize(
    ("pattern", "fields"),
    [
        ("d.M.y", ("d", ".", "M", ".", "y")),
        ("dd/MM/y", ("dd", "/", "MM", "/", "y")),
        ("y-MM-dd", ("y", "-", "MM", "-", "dd")),
        ("EEE d.M.", None),
        ("d. MMMM y", None),
        ("d 'de' M", None),
    ],
)
def test_date_patterns_outside_the_fast_path_are_left_to_babel(
    pattern: str, fields: tuple[str, ...] | None
) -> None:
    assert formats.date_fields(pattern) == fields


@pytest.mark.parametrize(
    ("pattern", "d3"),
    [
        ("d.M.y", "%-d.%-m.%Y"),
        ("LLL y", "%b %Y"),
        ("d MMM y", "%-d %b %Y"),
        ("dd/MM/y", "%d/%m/%Y"),
        ("d. MMMM yy", "%-d. %B %y"),
        ("d 'de' MMMM", "%-d de %B"),
        ("'100%' y", "100%% %Y"),  # a literal percent sign is not a directive
        ("EEE d.M.", None),  # weekdays: left to Plotly's defaults
        ("G y", None),
    ],
)
def test_cldr_date_patterns_become_d3_formats(pattern: str, d3: str | None) -> None:
    assert formats.d3_date_format(pattern) == d3


def test_plotly_locale_names_months_and_formats_ticks_as_each_language_writes_them() -> None:
    fi, sv, en = (formats.plotly_locale(lang)["format"] for lang in LANGUAGES)
    assert fi["shortMonths"][0] == "tammi" and fi["months"][11] == "joulukuu"  # type: ignore[index]
    assert sv["shortMonths"][:3] == ["jan.", "feb.", "mars"]  # type: ignore[index]
    assert en["shortMonths"][8] == "Sept"  # type: ignore[index]
    assert fi["days"][0] == "sunnuntai" and sv["days"][1] == "måndag"  # type: ignore[index]
    assert (fi["month"], fi["dayMonth"], fi["dayMonthYear"]) == ("%b %Y", "%-d.%-m.", "%-d.%-m.%Y")
    assert (en["month"], en["dayMonth"]) == ("%b %Y", "%-d %b")
    assert fi["date"] == "%-d.%-m.%Y" and en["date"] == "%d/%m/%Y"
