"""The plausibility rules: refusals and warnings, at and around every boundary."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from pilot_tracker.domain.plausibility import (
    BUDGET_WARNING_CENTS,
    EARLIEST_MEASUREMENT,
    Finding,
    budget_warnings,
    decision_date_refusal,
    funding_refusal,
    measurement_date_refusal,
    name_key,
    namesake_warning,
    new_findings,
)

TODAY = date(2026, 12, 2)


def test_funding_above_the_budget_is_refused_on_the_funding_field() -> None:
    refusal = funding_refusal(100_00, 100_01)
    assert refusal is not None
    assert (refusal.code, refusal.field) == ("funding_above_budget", "external_funding_cents")
    assert "cannot be larger than the budget" in refusal.message


def test_funding_equal_to_the_budget_or_below_is_allowed() -> None:
    assert funding_refusal(100_00, 100_00) is None
    assert funding_refusal(100_00, 0) is None
    assert funding_refusal(0, 0) is None


@given(st.integers(0, 10**15), st.integers(0, 10**15))
def test_funding_is_refused_exactly_when_it_exceeds_the_budget(budget: int, funding: int) -> None:
    assert (funding_refusal(budget, funding) is not None) == (funding > budget)


def test_a_decision_today_or_earlier_is_allowed_and_tomorrow_refused() -> None:
    assert decision_date_refusal(TODAY, TODAY) is None
    assert decision_date_refusal(TODAY - timedelta(days=3650), TODAY) is None
    refusal = decision_date_refusal(TODAY + timedelta(days=1), TODAY)
    assert refusal is not None and (refusal.code, refusal.field) == ("decision_in_future", "date")


def test_measurement_dates_from_2000_to_today() -> None:
    assert measurement_date_refusal(EARLIEST_MEASUREMENT, TODAY) is None
    assert measurement_date_refusal(TODAY, TODAY) is None
    early = measurement_date_refusal(date(1999, 12, 31), TODAY)
    late = measurement_date_refusal(TODAY + timedelta(days=1), TODAY)
    assert early is not None and early.code == "measurement_too_early"
    assert late is not None and late.code == "measurement_in_future"
    assert measurement_date_refusal(date(1900, 1, 1), TODAY) == Finding(
        "measurement_too_early", "date", {"date": "1900-01-01"}
    )


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)))
def test_a_measurement_is_refused_exactly_outside_2000_to_today(day: date) -> None:
    refused = measurement_date_refusal(day, TODAY) is not None
    assert refused == (day < EARLIEST_MEASUREMENT or day > TODAY)


def test_budget_of_exactly_5_million_is_no_warning_one_cent_more_is() -> None:
    assert budget_warnings(BUDGET_WARNING_CENTS, 0) == []
    assert [f.code for f in budget_warnings(BUDGET_WARNING_CENTS + 1, 0)] == ["budget_large"]


def test_budget_per_resident_warns_above_500_euros() -> None:
    assert budget_warnings(500_00 * 1000, 1000) == []
    found = budget_warnings(500_00 * 1000 + 1, 1000)
    assert [(f.code, f.field) for f in found] == [("budget_per_resident", "budget_cents")]
    assert found[0].params == {"budget_cents": 500_00 * 1000 + 1, "residents": 1000}


def test_no_per_resident_warning_without_residents() -> None:
    assert budget_warnings(1_000_00, 0) == []


def test_a_9_999_999_999_99_euro_typo_gets_both_budget_warnings() -> None:
    found = budget_warnings(999_999_999_999, 93_533)
    assert [f.code for f in found] == ["budget_large", "budget_per_resident"]


@given(st.integers(0, 10**13), st.integers(0, 10**7))
def test_budget_warnings_follow_both_limits(budget: int, residents: int) -> None:
    codes = {f.code for f in budget_warnings(budget, residents)}
    assert ("budget_large" in codes) == (budget > BUDGET_WARNING_CENTS)
    assert ("budget_per_resident" in codes) == (residents > 0 and budget > 500_00 * residents)


def test_names_are_the_same_but_for_case_and_spacing() -> None:
    assert name_key("  Tilavaraus   VERKOSSA ") == name_key("tilavaraus verkossa")
    assert name_key("Älykäs valaistus") == name_key("ÄLYKÄS VALAISTUS")
    assert name_key("Tilavaraus verkossa") != name_key("Tilavaraus verkossa 2")


def test_the_namesake_warning_names_the_other_pilot_with_the_lowest_id() -> None:
    found = namesake_warning(
        "tilavaraus verkossa", [(9, "Tilavaraus  verkossa"), (4, "TILAVARAUS VERKOSSA")]
    )
    assert found == Finding(
        "duplicate_name", "name", {"pilot_id": 4, "name": "TILAVARAUS VERKOSSA"}
    )


def test_no_namesake_warning_for_other_names_or_an_empty_name() -> None:
    assert namesake_warning("Tilavaraus", [(1, "Tilavaraus verkossa")]) is None
    assert namesake_warning("   ", [(1, "   ")]) is None


def test_an_edit_is_warned_only_of_what_the_stored_record_did_not_have() -> None:
    large = Finding("budget_large", "budget_cents", {"budget_cents": 6_000_000_00})
    twin = Finding("duplicate_name", "name", {"pilot_id": 3, "name": "X"})
    assert new_findings([large, twin], [large]) == [twin]
    assert new_findings([large], [large]) == []
    larger = Finding("budget_large", "budget_cents", {"budget_cents": 7_000_000_00})
    assert new_findings([larger], [large]) == [larger]
