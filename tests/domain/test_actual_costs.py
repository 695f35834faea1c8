"""Actual costs: funding at a rate, shares among the members active on each entry's date."""

from __future__ import annotations

import math
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pilot_tracker.domain.actual_costs import (
    Entry,
    Member,
    SplitRule,
    active_members,
    actual_by_member,
    apply_entries,
    apply_funding,
    forecast_by_member,
    funding_rate,
    split_signed,
)
from pilot_tracker.domain.cost_split import (
    CostSplitError,
    hybrid_weights,
    parse_equal_percent,
    share_percentages,
    split_cost,
)
from pilot_tracker.domain.enums import SplitMethod

START = date(2026, 1, 1)
CODES = ["020", "049", "091", "418", "536", "980"]


# --- hybrid ---------------------------------------------------------------------------


def test_hybrid_weight_is_equal_part_plus_population_part() -> None:
    weights = hybrid_weights(Decimal("30.00"), {"091": 3, "049": 1})
    assert weights == {
        "049": Fraction(3, 10) / 2 + Fraction(7, 10) * Fraction(1, 4),
        "091": Fraction(3, 10) / 2 + Fraction(7, 10) * Fraction(3, 4),
    }
    assert sum(weights.values()) == 1


def test_hybrid_at_the_ends_is_equal_or_per_capita() -> None:
    populations = {"418": 24_580, "536": 35_346, "980": 33_607}
    assert split_cost(SplitMethod.HYBRID, 9_000_000, populations, equal_percent=Decimal(0)) == (
        split_cost(SplitMethod.PER_CAPITA, 9_000_000, populations)
    )
    assert split_cost(
        SplitMethod.HYBRID, 9_000_001, populations, equal_percent=Decimal(100)
    ) == split_cost(SplitMethod.EQUAL, 9_000_001, populations)


def test_hybrid_needs_its_percentage_and_a_valid_one() -> None:
    with pytest.raises(CostSplitError):
        split_cost(SplitMethod.HYBRID, 100, {"091": 1})
    for bad in ("100.01", "-1", "30.001", "abc"):
        with pytest.raises(CostSplitError):
            parse_equal_percent(bad)
    assert parse_equal_percent("30,5") == Decimal("30.50")


def test_hybrid_with_no_population_only_when_all_equal() -> None:
    with pytest.raises(CostSplitError):
        hybrid_weights(Decimal(30), {"091": 0, "049": 0})
    assert split_cost(SplitMethod.HYBRID, 3, {"091": 0, "049": 0}, equal_percent=Decimal(100)) == {
        "049": 2,
        "091": 1,
    }


def test_hybrid_display_percentages_come_from_the_weights() -> None:
    populations = {"091": 3, "049": 1}
    shares = split_cost(SplitMethod.HYBRID, 100, populations, equal_percent=Decimal(30))
    assert share_percentages(
        shares, SplitMethod.HYBRID, populations, equal_percent=Decimal(30)
    ) == {"049": Decimal("32.50"), "091": Decimal("67.50")}


@given(
    total=st.integers(0, 10**11),
    populations=st.dictionaries(
        st.sampled_from(CODES), st.integers(1, 700_000), min_size=1, max_size=6
    ),
    hundredths=st.integers(0, 10_000),
)
def test_hybrid_is_one_rounding_of_the_exact_weight(
    total: int, populations: dict[str, int], hundredths: int
) -> None:
    equal = Decimal(hundredths) / 100
    shares = split_cost(SplitMethod.HYBRID, total, populations, equal_percent=equal)
    assert sum(shares.values()) == total
    e = Fraction(hundredths, 10_000)
    pop_total = sum(populations.values())
    for code, share in shares.items():
        exact = total * (e / len(populations) + (1 - e) * Fraction(populations[code], pop_total))
        # One rounding: within a cent of the exact value. Two roundings added together (the
        # equal part and the per-capita part each to the cent) could be off by up to two.
        assert math.floor(exact) <= share <= math.ceil(exact)


# --- funding rate and funding applied -------------------------------------------------


def test_rate_is_given_or_planned_funding_over_budget() -> None:
    assert funding_rate(Decimal("85.00"), 100, 0) == Fraction(85, 100)
    assert funding_rate(None, 470_000_00, 400_000_00) == Fraction(40, 47)
    assert funding_rate(None, 0, 0) == 0


def test_funding_is_half_up_until_used_up_oldest_first() -> None:
    entries = [
        Entry(2, date(2026, 2, 1), 101),  # 85.85 -> 86
        Entry(1, date(2026, 1, 1), 1_001),  # 850.85 -> 851
        Entry(3, date(2026, 3, 1), 1_000),  # 850, but only 63 left
        Entry(4, date(2026, 4, 1), 1_000),  # nothing left
    ]
    funded = apply_funding(entries, Fraction(85, 100), 1_000)
    assert funded == {1: 851, 2: 86, 3: 63, 4: 0}


def test_same_date_entries_are_funded_by_id() -> None:
    entries = [Entry(7, START, 1_000), Entry(5, START, 1_000)]
    assert apply_funding(entries, Fraction(1, 2), 600) == {5: 500, 7: 100}


def test_credit_note_mirrors_what_its_absolute_value_would_get() -> None:
    entries = [Entry(1, START, 10_000), Entry(2, START + timedelta(1), -2_000)]
    funded = apply_funding(entries, Fraction(85, 100), 100_000)
    assert funded == {1: 8_500, 2: -1_700}
    # With the funding used up, a credit note gets none of it back either.
    used_up = apply_funding(entries, Fraction(85, 100), 8_500)
    assert used_up == {1: 8_500, 2: 0}


def test_credit_note_gives_back_no_more_than_was_funded() -> None:
    entries = [Entry(1, START, -1_000), Entry(2, START + timedelta(1), 1_000)]
    assert apply_funding(entries, Fraction(1, 2), 10_000) == {1: 0, 2: 500}


# --- membership over time -------------------------------------------------------------


def test_active_from_joined_on_to_the_day_before_left_on() -> None:
    m = Member("091", 1, joined_on=date(2026, 3, 1), left_on=date(2026, 6, 1))
    assert not m.active_on(date(2026, 2, 28))
    assert m.active_on(date(2026, 3, 1))
    assert m.active_on(date(2026, 5, 31))
    assert not m.active_on(date(2026, 6, 1))
    founder = Member("049", 1)
    assert founder.active_on(date(1990, 1, 1))


def test_credit_split_mirrors_an_invoice() -> None:
    members = [Member("091", 2), Member("049", 1)]
    rule = SplitRule(SplitMethod.PER_CAPITA)
    assert split_signed(-100, rule, members) == {
        code: -cents for code, cents in split_signed(100, rule, members).items()
    }


def test_manual_percentages_among_remaining_members_are_weights() -> None:
    members = [
        Member("091", 1, manual_percent=Decimal(50)),
        Member("049", 1, manual_percent=Decimal(30), left_on=date(2026, 2, 1)),
        Member("418", 1, manual_percent=Decimal(20)),
    ]
    active = active_members(members, date(2026, 3, 1))
    assert split_signed(700, SplitRule(SplitMethod.MANUAL), active) == {"091": 500, "418": 200}


def test_entry_with_nobody_active_cannot_be_split() -> None:
    members = [Member("091", 1, joined_on=date(2026, 5, 1))]
    with pytest.raises(CostSplitError):
        apply_entries([Entry(1, START, 100)], members, SplitRule(SplitMethod.EQUAL), Fraction(0), 0)


def test_forecast_adds_what_is_left_among_current_members() -> None:
    members = [Member("091", 1), Member("049", 1, left_on=date(2026, 2, 1))]
    rule = SplitRule(SplitMethod.EQUAL)
    applied = apply_entries([Entry(1, START, 1_000)], members, rule, Fraction(0), 0)
    actual = actual_by_member(applied)
    assert actual == {"049": 500, "091": 500}
    assert forecast_by_member(actual, members, rule, 10_000, 2_000) == {
        "049": 500,
        "091": 500 + 7_000,
    }
    # Over budget: nothing is left, the forecast is the actual.
    assert forecast_by_member(actual, members, rule, 900, 0) == actual


# --- properties over random pilots ----------------------------------------------------


@st.composite
def pilots(draw: st.DrawFn) -> tuple[list[Member], SplitRule, list[Entry], Fraction, int]:
    codes = draw(st.lists(st.sampled_from(CODES), min_size=1, max_size=6, unique=True))
    members = []
    for index, code in enumerate(codes):
        # The first member is a founder who never leaves, so every date has someone active.
        joined = None if index == 0 else draw(st.none() | st.integers(0, 400))
        left = None if index == 0 else draw(st.none() | st.integers(1, 500))
        joined_on = None if joined is None else START + timedelta(joined)
        left_on = None if left is None else START + timedelta(left)
        if joined_on and left_on and left_on <= joined_on:
            left_on = joined_on + timedelta(1)
        members.append(
            Member(
                code,
                draw(st.integers(1, 700_000)),
                joined_on,
                left_on,
                Decimal(draw(st.integers(0, 100))),
            )
        )
    method = draw(st.sampled_from(list(SplitMethod)))
    equal = Decimal(draw(st.integers(0, 10_000))) / 100
    entries = [
        Entry(
            i + 1, START + timedelta(draw(st.integers(0, 500))), draw(st.integers(-(10**7), 10**8))
        )
        for i in range(draw(st.integers(0, 25)))
    ]
    rate = Fraction(draw(st.integers(0, 10_000)), 10_000)
    funding = draw(st.integers(0, 10**9))
    return members, SplitRule(method, equal), entries, rate, funding


@settings(max_examples=150, deadline=None)
@given(pilots())
def test_every_entry_is_funded_part_plus_shares_within_membership(
    pilot: tuple[list[Member], SplitRule, list[Entry], Fraction, int],
) -> None:
    members, rule, entries, rate, funding = pilot
    applied = apply_entries(entries, members, rule, rate, funding)
    by_code = {m.code: m for m in members}
    total_funded = 0
    for item in applied:
        amount = item.entry.amount_cents
        assert item.funded_cents + sum(item.shares.values()) == amount
        # Funding has the entry's sign and never more than the entry.
        assert abs(item.funded_cents) <= abs(amount)
        assert item.funded_cents * amount >= 0
        for code, share in item.shares.items():
            assert by_code[code].active_on(item.entry.on)
            assert share * amount >= 0
        total_funded += item.funded_cents
        # At no point has more than the funding's amount been used, nor less than nothing.
        assert 0 <= total_funded <= funding
    unfunded = sum(item.unfunded_cents for item in applied)
    assert sum(actual_by_member(applied).values()) == unfunded


@settings(max_examples=100, deadline=None)
@given(pilots(), st.integers(0, 500), st.integers(0, 500))
def test_billing_of_a_period_adds_up_to_its_unfunded_amounts(
    pilot: tuple[list[Member], SplitRule, list[Entry], Fraction, int], a: int, b: int
) -> None:
    members, rule, entries, rate, funding = pilot
    start, end = START + timedelta(min(a, b)), START + timedelta(max(a, b))
    applied = apply_entries(entries, members, rule, rate, funding)
    in_period = [item for item in applied if start <= item.entry.on <= end]
    bills = {m.code: 0 for m in members}
    for item in in_period:
        for code, share in item.shares.items():
            bills[code] += share
    assert sum(bills.values()) == sum(item.unfunded_cents for item in in_period)


@settings(max_examples=100, deadline=None)
@given(pilots(), st.data())
def test_only_date_and_id_order_the_entries(
    pilot: tuple[list[Member], SplitRule, list[Entry], Fraction, int], data: st.DataObject
) -> None:
    members, rule, entries, rate, funding = pilot
    if not entries:
        return
    index = data.draw(st.integers(0, len(entries) - 1))
    edited = list(entries)
    old = edited[index]
    edited[index] = Entry(old.id, old.on, data.draw(st.integers(-(10**6), 10**7)))
    # Order of the input does not matter: only (date, id) does.
    assert apply_entries(list(reversed(edited)), members, rule, rate, funding) == (
        apply_entries(edited, members, rule, rate, funding)
    )
