"""By year: a planned amount spread over calendar years by days, to the cent."""

from __future__ import annotations

import math
from datetime import date, timedelta
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pilot_tracker.domain.by_year import SpreadError, add_years, days_by_year, spread_by_year
from pilot_tracker.domain.commitment import (
    COMMITTED_STAGES,
    PROPOSED_STAGES,
    Commitment,
    commitment,
    planned_counts,
)
from pilot_tracker.domain.cost_split import largest_remainder
from pilot_tracker.domain.enums import Stage

# A busy shared machine can make input generation slow; the rules, not the timing, are tested.
PROPERTY = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])

starts = st.dates(min_value=date(1999, 1, 1), max_value=date(2040, 12, 31))
lengths = st.integers(min_value=0, max_value=3 * 366 + 40)
amounts = st.integers(min_value=0, max_value=10**13)


def exact_shares(cents: int, start: date, end: date) -> dict[int, Fraction]:
    """The exact share of each year, counted day by day (independent of the implementation)."""
    days: dict[int, int] = {}
    day = start
    while day <= end:
        days[day.year] = days.get(day.year, 0) + 1
        day += timedelta(days=1)
    total = sum(days.values())
    return {year: Fraction(cents * n, total) for year, n in days.items()}


@PROPERTY
@given(amounts, starts, lengths)
def test_years_add_up_exactly_and_each_is_within_a_cent(cents: int, start: date, n: int) -> None:
    end = start + timedelta(days=n)
    years = spread_by_year(cents, start, end)
    exact = exact_shares(cents, start, end)
    assert list(years) == sorted(exact)
    assert sum(years.values()) == cents
    for year, share in years.items():
        assert abs(share - exact[year]) < 1
        assert share in (math.floor(exact[year]), math.ceil(exact[year]))


@PROPERTY
@given(amounts, starts, lengths)
def test_leftover_cents_go_to_the_largest_remainders_ties_to_the_earlier_year(
    cents: int, start: date, n: int
) -> None:
    end = start + timedelta(days=n)
    years = spread_by_year(cents, start, end)
    exact = exact_shares(cents, start, end)
    rounded_up = [y for y in years if years[y] > math.floor(exact[y])]
    kept_down = [y for y in years if years[y] == math.floor(exact[y]) and exact[y] % 1]
    for up in rounded_up:
        for down in kept_down:
            up_rem, down_rem = exact[up] % 1, exact[down] % 1
            assert up_rem > down_rem or (up_rem == down_rem and up < down)


@PROPERTY
@given(amounts, starts)
def test_a_one_day_pilot_puts_everything_in_its_year(cents: int, day: date) -> None:
    assert spread_by_year(cents, day, day) == {day.year: cents}


def test_ties_go_to_the_earlier_year() -> None:
    # 31 Dec 2025 – 1 Jan 2026: one day each, so one cent of an odd sum is a tie.
    assert spread_by_year(1, date(2025, 12, 31), date(2026, 1, 1)) == {2025: 1, 2026: 0}
    assert spread_by_year(101, date(2025, 12, 31), date(2026, 1, 1)) == {2025: 51, 2026: 50}


def test_over_new_year_by_days() -> None:
    # 1 Dec 2026 – 31 Jan 2027: 31 days in each year.
    assert spread_by_year(6_200, date(2026, 12, 1), date(2027, 1, 31)) == {2026: 3_100, 2027: 3_100}
    # 1 Nov 2026 – 31 Jan 2027: 61 days and 31 days of 92; 100 € = 66.30… and 33.69…
    assert spread_by_year(10_000, date(2026, 11, 1), date(2027, 1, 31)) == {
        2026: 6_630,
        2027: 3_370,
    }


def test_leap_years_count_their_366_days() -> None:
    assert days_by_year(date(2027, 7, 1), date(2029, 6, 30)) == {2027: 184, 2028: 366, 2029: 181}
    assert days_by_year(date(2028, 2, 28), date(2028, 3, 1)) == {2028: 3}
    # 731 days over three years: 184, 366 and 181 of them.
    years = spread_by_year(731_00, date(2027, 7, 1), date(2029, 6, 30))
    assert years == {2027: 184_00, 2028: 366_00, 2029: 181_00}


def test_a_whole_leap_year_and_a_day() -> None:
    # 2028 has 366 days, 1 Jan 2029 one: 367 days.
    assert spread_by_year(367, date(2028, 1, 1), date(2029, 1, 1)) == {2028: 366, 2029: 1}


def test_zero_is_spread_as_zeros() -> None:
    assert spread_by_year(0, date(2026, 6, 1), date(2027, 6, 1)) == {2026: 0, 2027: 0}


def test_end_before_start_and_negative_amounts_are_refused() -> None:
    with pytest.raises(SpreadError):
        spread_by_year(100, date(2026, 2, 1), date(2026, 1, 31))
    with pytest.raises(SpreadError):
        spread_by_year(-1, date(2026, 1, 1), date(2026, 2, 1))


@PROPERTY
@given(st.lists(st.integers(min_value=0, max_value=10**9), min_size=1, max_size=6), starts, lengths)
def test_a_municipalitys_years_add_up_to_its_share(weights: list[int], start: date, n: int) -> None:
    """Share first (the cost split), then its years: each participant's years sum to its share."""
    if not any(weights):
        weights = [1, *weights[1:]]
    net = 12_345_678
    shares = largest_remainder(net, {f"{i:03d}": w for i, w in enumerate(weights)})
    end = start + timedelta(days=n)
    total: dict[int, int] = {}
    for share in shares.values():
        years = spread_by_year(share, start, end)
        assert sum(years.values()) == share
        add_years(total, years)
    assert sum(total.values()) == net


def test_add_years_sums_in_place() -> None:
    total = {2026: 5}
    add_years(total, {2026: 1, 2027: 2})
    assert total == {2026: 6, 2027: 2}


@pytest.mark.parametrize(
    ("stage", "expected"),
    [
        (Stage.IDEA, Commitment.PROPOSED),
        (Stage.PLANNING, Commitment.PROPOSED),
        (Stage.PILOTING, Commitment.COMMITTED),
        (Stage.EVALUATION, Commitment.COMMITTED),
        (Stage.SCALING, Commitment.COMMITTED),
        (Stage.STOPPED, Commitment.STOPPED),
    ],
)
def test_commitment_by_stage(stage: Stage, expected: Commitment) -> None:
    assert commitment(stage) is expected
    assert commitment(stage.value) is expected
    assert planned_counts(stage) is (expected is not Commitment.STOPPED)


def test_every_stage_is_in_exactly_one_commitment() -> None:
    assert set(PROPOSED_STAGES) == {Stage.IDEA, Stage.PLANNING}
    assert set(COMMITTED_STAGES) == {Stage.PILOTING, Stage.EVALUATION, Stage.SCALING}
    assert not set(PROPOSED_STAGES) & set(COMMITTED_STAGES)
