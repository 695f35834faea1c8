"""KPI progress: the share of the way from baseline to target, as a percentage."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from pilot_tracker.domain.enums import Direction
from pilot_tracker.domain.kpi import KpiError, kpi_progress, validate_kpi_definition

D = Decimal
INCREASE, DECREASE = Direction.INCREASE, Direction.DECREASE


@pytest.mark.parametrize(
    ("baseline", "target", "latest", "direction", "progress"),
    [
        # increase: (latest - baseline) / (target - baseline) * 100
        ("100", "200", "150", INCREASE, "50.0"),
        ("100", "200", "100", INCREASE, "0.0"),
        ("100", "200", "200", INCREASE, "100.0"),
        ("100", "200", "250", INCREASE, "150.0"),  # beat the target: not clamped
        ("100", "200", "90", INCREASE, "-10.0"),  # moved the wrong way: not clamped
        ("0", "3", "1", INCREASE, "33.3"),
        ("0", "3", "2", INCREASE, "66.7"),
        ("-10", "10", "0", INCREASE, "50.0"),
        # decrease: (baseline - latest) / (baseline - target) * 100
        ("40", "10", "25", DECREASE, "50.0"),
        ("40", "10", "10", DECREASE, "100.0"),
        ("40", "10", "0", DECREASE, "133.3"),
        ("40", "10", "46", DECREASE, "-20.0"),
        ("12.5", "2.5", "7.5", DECREASE, "50.0"),
    ],
)
def test_progress_follows_the_product_formula(
    baseline: str, target: str, latest: str, direction: Direction, progress: str
) -> None:
    result = kpi_progress(D(baseline), D(target), D(latest), direction)
    assert result is not None
    assert str(result) == progress


@pytest.mark.parametrize(
    ("latest", "progress"),
    [
        ("0.5", "0.1"),  # 0.05 %: a tie, rounded up (banker's rounding would give 0.0)
        ("1.5", "0.2"),  # 0.15 %
        ("2.5", "0.3"),  # 0.25 %
        ("0.4", "0.0"),  # 0.04 %
        ("-0.5", "-0.1"),  # -0.05 %: ties go away from zero
        ("-0.4", "0.0"),  # -0.04 % is shown as 0.0, never -0.0
    ],
)
def test_progress_is_rounded_half_up_to_one_decimal(latest: str, progress: str) -> None:
    result = kpi_progress(D("0"), D("1000"), D(latest), INCREASE)
    assert str(result) == progress


def test_progress_is_computed_exactly_and_rounded_once() -> None:
    baseline, target = D("0"), D(10**30)
    latest = D("499999999999999999999999999.99")  # progress 0.05 % minus 10**-30
    # Decimal arithmetic at its default 28 digits would round up to 0.05 first, then to 0.1.
    naive = ((latest - baseline) / (target - baseline) * 100).quantize(D("0.1"), ROUND_HALF_UP)
    assert naive == D("0.1")
    assert kpi_progress(baseline, target, latest, INCREASE) == D("0.0")


def test_progress_without_a_measurement_is_none() -> None:
    assert kpi_progress(D("100"), D("200"), None, INCREASE) is None


@pytest.mark.parametrize("latest", [None, D("5")])
def test_progress_with_target_equal_to_baseline_is_refused(latest: Decimal | None) -> None:
    with pytest.raises(KpiError, match="must differ from the baseline"):
        kpi_progress(D("5"), D("5.00"), latest, INCREASE)


def test_progress_still_shows_for_a_target_on_the_wrong_side() -> None:
    # Refused when defined, but an existing definition keeps showing numbers.
    assert kpi_progress(D("100"), D("50"), D("75"), INCREASE) == D("50.0")


def test_progress_refuses_non_finite_values() -> None:
    with pytest.raises(KpiError, match="latest value must be a finite number"):
        kpi_progress(D("0"), D("10"), D("NaN"), INCREASE)
    with pytest.raises(KpiError, match="baseline must be a finite number"):
        kpi_progress(D("Infinity"), D("10"), D("1"), INCREASE)


def test_progress_refuses_floats() -> None:
    with pytest.raises(TypeError):
        kpi_progress(D("0"), D("10"), 1.5, INCREASE)  # type: ignore[arg-type]


def test_progress_refuses_an_unknown_direction() -> None:
    with pytest.raises(KpiError, match="increase or decrease"):
        kpi_progress(D("0"), D("10"), D("1"), "sideways")  # type: ignore[arg-type]


def test_direction_may_be_given_as_its_string_value() -> None:
    assert kpi_progress(D("40"), D("10"), D("25"), "decrease") == D("50.0")  # type: ignore[arg-type]


def test_kpi_error_is_a_value_error_with_a_message() -> None:
    with pytest.raises(ValueError, match="must differ") as caught:
        validate_kpi_definition(D("1"), D("1"), INCREASE)
    assert isinstance(caught.value, KpiError)
    assert caught.value.message == str(caught.value)


@pytest.mark.parametrize(
    ("baseline", "target", "direction"),
    [
        ("100", "200", INCREASE),
        ("40", "10", DECREASE),
        ("-5", "0", INCREASE),
        ("0", "-5", DECREASE),
    ],
)
def test_definition_with_target_beyond_baseline_in_its_direction_is_valid(
    baseline: str, target: str, direction: Direction
) -> None:
    validate_kpi_definition(D(baseline), D(target), direction)


@pytest.mark.parametrize("direction", [INCREASE, DECREASE])
def test_definition_with_target_equal_to_baseline_is_refused(direction: Direction) -> None:
    with pytest.raises(KpiError, match="must differ from the baseline"):
        validate_kpi_definition(D("10"), D("10.0"), direction)


def test_definition_to_increase_with_target_below_baseline_is_refused() -> None:
    with pytest.raises(KpiError, match="below the baseline, but the KPI should increase"):
        validate_kpi_definition(D("100"), D("50"), INCREASE)


def test_definition_to_decrease_with_target_above_baseline_is_refused() -> None:
    with pytest.raises(KpiError, match="above the baseline, but the KPI should decrease"):
        validate_kpi_definition(D("50"), D("100"), DECREASE)


amounts = st.decimals(min_value=-(10**9), max_value=10**9, places=2, allow_nan=False)


@given(amounts, amounts, st.sampled_from([INCREASE, DECREASE]))
def test_progress_is_0_at_the_baseline_and_100_at_the_target(
    baseline: Decimal, target: Decimal, direction: Direction
) -> None:
    assume(baseline != target)
    assert kpi_progress(baseline, target, baseline, direction) == D("0.0")
    assert kpi_progress(baseline, target, target, direction) == D("100.0")


@given(amounts, amounts, amounts, amounts)
def test_progress_grows_as_the_value_moves_in_the_kpi_direction(
    baseline: Decimal, target: Decimal, first: Decimal, second: Decimal
) -> None:
    assume(baseline != target)
    direction = INCREASE if target > baseline else DECREASE
    lower, higher = sorted([first, second])
    lower_progress = kpi_progress(baseline, target, lower, direction)
    higher_progress = kpi_progress(baseline, target, higher, direction)
    assert lower_progress is not None and higher_progress is not None
    if direction is INCREASE:
        assert lower_progress <= higher_progress
    else:
        assert lower_progress >= higher_progress
