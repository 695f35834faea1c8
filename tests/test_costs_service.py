"""Cost entries: funding and shares stored, recomputed on every change, audited; billing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa
from flask import Flask

from pilot_tracker.domain.enums import CostKind, SplitMethod
from pilot_tracker.extensions import db
from pilot_tracker.models import AuditEntry, CostEntry, CostShare, Municipality, Pilot
from pilot_tracker.services import cost_queries
from pilot_tracker.services.costs import (
    CostData,
    CostValidationError,
    budget_against_actual,
    delete_cost,
    load_entry,
    load_pilot_for_costs,
    record_cost,
    update_cost,
)
from pilot_tracker.services.pilots import load_pilot_for_update, update_pilot
from tests.factories import make_pilot

A, B, C, D = "020", "049", "091", "418"


def _shares(cost_id: int) -> dict[str, int]:
    return dict(
        db.session.execute(
            sa.select(CostShare.municipality_code, CostShare.share_cents).where(
                CostShare.cost_entry_id == cost_id
            )
        ).all()
    )


def _funded(cost_id: int) -> int:
    return db.session.get(CostEntry, cost_id).funded_cents  # type: ignore[union-attr]


def _populations(values: dict[str, int]) -> None:
    """Round populations, so the hand computations below stay readable."""
    for code, population in values.items():
        municipality = db.session.get(Municipality, code)
        assert municipality is not None
        municipality.population = population
    db.session.flush()


def test_entry_is_funded_at_the_rate_and_split_by_the_method(app: Flask) -> None:
    with app.app_context():
        pilot = make_pilot(
            (A, B), method=SplitMethod.EQUAL, budget_cents=100_000, funding_cents=50_000
        )
        entry = record_cost(
            pilot, CostData(date(2026, 3, 1), 10_001, CostKind.VENDOR_INVOICE, "L-1")
        )
        # Rate = 50 000 / 100 000 = 50 %: 5 000.5 cents, half-up 5 001; 5 000 left, 2 500 each.
        assert _funded(entry.id) == 5_001
        assert _shares(entry.id) == {A: 2_500, B: 2_500}
        audit = db.session.scalars(
            sa.select(AuditEntry).where(AuditEntry.entity == "cost_entry")
        ).all()
        assert [(a.action, a.new["shares"]) for a in audit] == [("create", {A: 2_500, B: 2_500})]


def test_editing_an_early_entry_moves_the_funding_of_later_ones(app: Flask) -> None:
    with app.app_context():
        pilot = make_pilot(
            (A,), method=SplitMethod.EQUAL, budget_cents=100_000, funding_cents=10_000
        )
        update_pilot(pilot, {"external_funding_rate_percent": Decimal("50.00")}, expected_version=1)
        first = record_cost(pilot, CostData(date(2026, 1, 1), 10_000))
        second = record_cost(pilot, CostData(date(2026, 2, 1), 10_000))
        assert (_funded(first.id), _funded(second.id)) == (5_000, 5_000)
        update_cost(load_entry(first.id), {"amount_cents": 16_000})  # type: ignore[arg-type]
        # The first now takes 8 000 of the 10 000, leaving the second 2 000.
        assert (_funded(first.id), _funded(second.id)) == (8_000, 2_000)
        assert _shares(second.id) == {A: 8_000}
        actions = db.session.scalars(
            sa.select(AuditEntry.action)
            .where(AuditEntry.entity == "cost_entry", AuditEntry.entity_id == str(second.id))
            .order_by(AuditEntry.id)
        ).all()
        assert actions == ["create", "recompute"]
        delete_cost(load_entry(first.id))  # type: ignore[arg-type]
        assert _funded(second.id) == 5_000
        assert db.session.get(CostEntry, first.id) is None


def test_credit_note_cannot_make_the_total_negative(app: Flask) -> None:
    with app.app_context():
        pilot = make_pilot((A,), method=SplitMethod.EQUAL, budget_cents=100_000, funding_cents=0)
        record_cost(pilot, CostData(date(2026, 1, 1), 1_000))
        with pytest.raises(CostValidationError) as caught:
            record_cost(pilot, CostData(date(2026, 1, 2), -1_001, CostKind.OTHER))
        assert "amount_eur" in caught.value.errors
        assert db.session.scalar(sa.select(sa.func.count()).select_from(CostEntry)) == 1
        credit = record_cost(pilot, CostData(date(2026, 1, 2), -1_000, CostKind.OTHER))
        assert _shares(credit.id) == {A: -1_000}


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (CostData(date(1999, 12, 31), 100), "date"),
        (CostData(date(2026, 1, 1), 0), "amount_eur"),
        (CostData(date(2026, 1, 1), 10**13 + 1), "amount_eur"),
        (CostData(date(2026, 1, 1), 100, reference="x" * 101), "reference"),
    ],
)
def test_bad_entries_are_refused(app: Flask, data: CostData, field: str) -> None:
    with app.app_context():
        pilot = make_pilot((A,), budget_cents=100, funding_cents=0)
        with pytest.raises(CostValidationError) as caught:
            record_cost(pilot, data)
        assert field in caught.value.errors


def test_members_share_only_costs_dated_while_they_take_part(app: Flask) -> None:
    with app.app_context():
        pilot = make_pilot((A, B), method=SplitMethod.EQUAL, budget_cents=100_000, funding_cents=0)
        loaded = load_pilot_for_costs(pilot.id)
        assert loaded is not None
        by_code = {p.municipality_code: p for p in loaded.participations}
        by_code[B].joined_on = date(2026, 2, 1)
        by_code[B].left_on = date(2026, 3, 1)
        db.session.flush()
        before = record_cost(pilot, CostData(date(2026, 1, 31), 100))
        during = record_cost(pilot, CostData(date(2026, 2, 28), 100))
        after = record_cost(pilot, CostData(date(2026, 3, 1), 100))
        assert _shares(before.id) == {A: 100}
        assert _shares(during.id) == {A: 50, B: 50}
        assert _shares(after.id) == {A: 100}


def test_changing_the_method_recomputes_every_entry(app: Flask) -> None:
    with app.app_context():
        _populations({A: 1_000, B: 3_000})
        pilot = make_pilot((A, B), method=SplitMethod.EQUAL, budget_cents=100_000, funding_cents=0)
        entry = record_cost(pilot, CostData(date(2026, 1, 1), 1_000))
        assert _shares(entry.id) == {A: 500, B: 500}
        update_pilot(
            load_pilot_for_update(pilot.id),  # type: ignore[arg-type]
            {"split_method": SplitMethod.HYBRID, "equal_percent": Decimal("50.00")},
            expected_version=1,
        )
        # Weights 0.5/2 + 0.5·1/4 = 0.375 and 0.625.
        assert _shares(entry.id) == {A: 375, B: 625}


def test_budget_against_actual_and_forecast(app: Flask) -> None:
    with app.app_context():
        pilot = make_pilot(
            (A, B), method=SplitMethod.EQUAL, budget_cents=10_000, funding_cents=2_000
        )
        record_cost(pilot, CostData(date(2026, 1, 1), 5_000))
        loaded = load_pilot_for_costs(pilot.id)
        assert loaded is not None
        summary = budget_against_actual(loaded)
        # Rate 20 %: funded 1 000, municipalities 4 000 (2 000 each); planned net 8 000,
        # 4 000 left, 2 000 more each.
        assert (summary.actual_cents, summary.funded_cents) == (5_000, 1_000)
        assert summary.municipalities_actual_cents == 4_000
        assert [
            (line.code, line.planned_cents, line.actual_cents, line.forecast_cents)
            for line in summary.lines
        ] == [
            (A, 4_000, 2_000, 4_000),
            (B, 4_000, 2_000, 4_000),
        ]
        assert summary.forecast_cents == 8_000
        assert not summary.over_budget


def test_queries_sum_per_pilot_municipality_and_year(app: Flask) -> None:
    with app.app_context():
        pilot = make_pilot((A, B), method=SplitMethod.EQUAL, budget_cents=10_000, funding_cents=0)
        other = make_pilot((B,), method=SplitMethod.EQUAL, budget_cents=10_000, funding_cents=0)
        record_cost(pilot, CostData(date(2025, 12, 31), 200))
        record_cost(pilot, CostData(date(2026, 1, 1), 400))
        record_cost(other, CostData(date(2026, 6, 1), 1_000))
        everything = lambda q: q  # noqa: E731
        only_first = lambda q: q.where(Pilot.id == pilot.id)  # noqa: E731
        assert cost_queries.actual_cost_cents(everything) >= 1_600
        assert cost_queries.actual_cost_cents(only_first) == 600
        assert cost_queries.actual_cost_by_year(only_first) == {2025: 200, 2026: 400}
        assert cost_queries.actual_cost_by_pilot([pilot.id, other.id]) == {
            pilot.id: 600,
            other.id: 1_000,
        }
        assert cost_queries.municipality_actual_by_pilot(B) == {pilot.id: 300, other.id: 1_000}
        assert cost_queries.municipality_actual_by_year(B) == {2025: 100, 2026: 1_200}
        lines = cost_queries.billing(B, date(2026, 1, 1), date(2026, 12, 31))
        assert [(x.pilot_id, x.share_cents) for x in lines] == [(pilot.id, 200), (other.id, 1_000)]


def test_last_quarter() -> None:
    assert cost_queries.last_quarter(date(2026, 1, 5)) == (date(2025, 10, 1), date(2025, 12, 31))
    assert cost_queries.last_quarter(date(2026, 12, 2)) == (date(2026, 7, 1), date(2026, 9, 30))
    assert cost_queries.last_quarter(date(2026, 4, 1)) == (date(2026, 1, 1), date(2026, 3, 31))


def test_scenario_470k_project_85_percent_grant_capped_at_400k(app: Flask) -> None:
    """Four municipalities, 30 % equal / 70 % per capita, twelve invoices and a credit note.

    Populations 10 000, 20 000, 30 000, 40 000 (Σ 100 000). Weights e/n + (1 − e)·pop/Σpop
    with e = 0.30, n = 4: A 0.075 + 0.07 = 0.145, B 0.075 + 0.14 = 0.215,
    C 0.075 + 0.21 = 0.285, D 0.075 + 0.28 = 0.355 (Σ 1).

    Invoices of 41 000,00 € on the 15th of each month of 2026; a credit note of −5 000,01 € on
    2026-05-20. Funding 85 % of each entry, at most 400 000 € in all:
    - each invoice: 0.85 × 41 000,00 = 34 850,00 funded, 6 150,00 for the municipalities;
    - Jan–May: 5 × 34 850,00 = 174 250,00 used;
    - credit note: 0.85 × 5 000,01 = 4 250,0085 → 4 250,01, negated: 170 999,99 used;
      174 250,00 − 4 250,01 = 169 999,99 used; its unfunded part
      −(5 000,01 − 4 250,01) = −750,00;
    - Jun–Nov: 169 999,99 + 6 × 34 850,00 = 379 099,99 used; 20 900,01 left;
    - Dec: 34 850,00 wanted, 20 900,01 left → funded 20 900,01, unfunded 20 099,99.
    Shares of 6 150,00 (exact): A 891,75, B 1 322,25, C 1 752,75, D 2 183,25.
    Shares of −750,00 (exact): A −108,75, B −161,25, C −213,75, D −266,25.
    Shares of 20 099,99 = 2 009 999 cents: exact 291 449.855, 432 149.785, 572 849.715,
    713 549.645; floors sum to 2 009 996, 3 cents left to the largest remainders A, B, C:
    A 2 914,50, B 4 321,50, C 5 728,50, D 7 135,49.
    Quarters:
    - Q1 = 3 invoices: A 2 675,25, B 3 966,75, C 5 258,25, D 6 549,75;
    - Q2 = 3 invoices + credit: A 2 566,50, B 3 805,50, C 5 044,50, D 6 283,50;
    - Q3 = Q1;
    - Q4 = 2 invoices + Dec: A 1 783,50 + 2 914,50 = 4 698,00, B 2 644,50 + 4 321,50 =
      6 966,00, C 3 505,50 + 5 728,50 = 9 234,00, D 4 366,50 + 7 135,49 = 11 501,99.
    """
    with app.app_context():
        _populations({A: 10_000, B: 20_000, C: 30_000, D: 40_000})
        pilot = make_pilot(
            (A, B, C, D),
            method=SplitMethod.HYBRID,
            equal_percent=Decimal("30.00"),
            budget_cents=47_000_000,
            funding_cents=40_000_000,
            external_funding_rate_percent=Decimal("85.00"),
        )
        for month in range(1, 13):
            record_cost(pilot, CostData(date(2026, month, 15), 4_100_000, reference=f"INV-{month}"))
        credit = record_cost(
            pilot, CostData(date(2026, 5, 20), -500_001, CostKind.VENDOR_INVOICE, "CR-1")
        )
        assert _funded(credit.id) == -425_001
        quarters = {
            1: (date(2026, 1, 1), date(2026, 3, 31)),
            2: (date(2026, 4, 1), date(2026, 6, 30)),
            3: (date(2026, 7, 1), date(2026, 9, 30)),
            4: (date(2026, 10, 1), date(2026, 12, 31)),
        }
        expected = {
            1: {A: 267_525, B: 396_675, C: 525_825, D: 654_975},
            2: {A: 256_650, B: 380_550, C: 504_450, D: 628_350},
            3: {A: 267_525, B: 396_675, C: 525_825, D: 654_975},
            4: {A: 469_800, B: 696_600, C: 923_400, D: 1_150_199},
        }
        for quarter, (start, end) in quarters.items():
            bills = {
                code: sum(line.share_cents for line in cost_queries.billing(code, start, end))
                for code in (A, B, C, D)
            }
            assert bills == expected[quarter], quarter
        funded = db.session.scalar(
            sa.select(sa.func.sum(CostEntry.funded_cents)).where(CostEntry.pilot_id == pilot.id)
        )
        assert funded == 40_000_000
        # Every quarter's bills add up to its entries' unfunded amounts.
        total_unfunded = 11 * 615_000 - 75_000 + 2_009_999
        assert sum(sum(q.values()) for q in expected.values()) == total_unfunded
