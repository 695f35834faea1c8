"""services/money.py: the pure parts (the portfolio's fast spread, years in order)."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pilot_tracker.domain.by_year import spread_by_year
from pilot_tracker.domain.commitment import Commitment
from pilot_tracker.services.money import Pair, _Spread, per_resident_cents, year_rows

# A busy shared machine can make input generation slow; the rules, not the timing, are tested.
PROPERTY = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(
    st.integers(min_value=0, max_value=10**13),
    st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 1, 1)),
    st.integers(min_value=0, max_value=1200),
)
def test_the_spread_of_a_pilot_is_the_domain_rule(cents: int, start: date, days: int) -> None:
    end = start + timedelta(days=days)
    spread = _Spread()
    spread.add(Commitment.COMMITTED, cents, start, end)
    assert spread.years[Commitment.COMMITTED] == spread_by_year(cents, start, end)


def test_stopped_pilots_add_nothing_and_undated_ones_are_unscheduled() -> None:
    spread = _Spread()
    spread.add(Commitment.STOPPED, 500, date(2026, 1, 1), date(2026, 2, 1))
    spread.add(Commitment.PROPOSED, 700, None, date(2026, 2, 1))
    spread.add(Commitment.COMMITTED, 300, date(2026, 1, 1), None)
    assert spread.rows({}) == []
    assert spread.unscheduled_pair() == Pair(committed=300, proposed=700)


def test_year_rows_fill_the_gaps_between_years() -> None:
    rows = year_rows({2026: 5}, {2028: 7}, {2027: 1})
    assert [
        (r.year, r.planned_committed_cents, r.planned_proposed_cents, r.actual_cents) for r in rows
    ] == [
        (2026, 5, 0, 0),
        (2027, 0, 0, 1),
        (2028, 0, 7, 0),
    ]


def test_per_resident_rounds_half_up_and_needs_a_population() -> None:
    assert per_resident_cents(3, 2) == 2  # 1.5 cents
    assert per_resident_cents(100, 0) is None
