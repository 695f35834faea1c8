"""Budget against actual across pilots: a municipality's actual and forecast by year and its
pilots over budget; the portfolio's budget against actual by year and its pilots most over
budget.

Over budget (PRODUCT.md, "Actual costs"):
- on a municipality's page, a pilot is over budget for it when **its actual costs to date
  (the sum of its shares of the cost entries) exceed its planned cost share**: that is the
  amount its council committed to, and what it is billed; a municipality can be over its
  share while the pilot as a whole is not (a participant left, so the others share more);
- on the portfolio dashboard, a pilot is over budget when **its actual costs exceed its
  planned budget** (both before external funding, as on the pilot page).

Forecast, as in services/money.py: a committed pilot's actual to date plus what is left of
the planned share (never below zero); a stopped pilot counts only its actual costs; proposed
pilots forecast nothing yet. By year, what is left is spread by days over the rest of the
planned period (from today, or the planned start if later, to the planned end), or falls in
the current year when the period has passed or has no dates, so the years add up to the
forecast.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa

from pilot_tracker.domain.by_year import add_years, spread_by_year
from pilot_tracker.domain.commitment import Commitment, commitment
from pilot_tracker.domain.enums import Stage
from pilot_tracker.extensions import db
from pilot_tracker.models import CostEntry, CostShare, MoneyYear, Participation, Pilot
from pilot_tracker.services import aggregates
from pilot_tracker.services.cost_queries import PilotScope, every_pilot, in_scope

OVER_BUDGET_ROWS = 15


@dataclass(frozen=True)
class OverBudget:
    """A pilot whose actual costs exceed what was planned for them, in cents."""

    pilot_id: int
    name: str
    planned_cents: int
    actual_cents: int
    language: str = "fi"

    @property
    def over_cents(self) -> int:
        return self.actual_cents - self.planned_cents


@dataclass(frozen=True)
class YearActual:
    """One calendar year: the actual costs and the forecast (actual + what is left)."""

    year: int
    actual_cents: int
    forecast_cents: int


@dataclass(frozen=True)
class MunicipalityCosts:
    """A municipality's actual and forecast in all and by year, and its pilots over budget
    (all of them, most over first)."""

    actual_cents: int
    forecast_cents: int
    by_year: list[YearActual]
    over_budget: list[OverBudget]

    @property
    def over_budget_ids(self) -> frozenset[int]:
        return frozenset(p.pilot_id for p in self.over_budget)


def _year(column: Any) -> Any:
    return sa.cast(sa.extract("year", column), sa.Integer)


def _rest_by_year(cents: int, start: date | None, end: date | None, today: date) -> dict[int, int]:
    """What is left of a planned share, spread over the rest of its planned period."""
    if cents <= 0:
        return {}
    if start is None or end is None or end < today or end < start:
        return {today.year: cents}
    return spread_by_year(cents, max(start, today), end)


def municipality_costs(code: str, today: date) -> MunicipalityCosts:
    """Two queries: its participations with their pilots, its shares by pilot and year."""
    pilots = db.session.execute(
        sa.select(
            Pilot.id,
            Pilot.name,
            Pilot.language,
            Pilot.stage,
            Pilot.start_date,
            Pilot.end_date,
            Participation.share_cents,
        )
        .select_from(Participation)
        .join(Pilot, Pilot.id == Participation.pilot_id)
        .where(Participation.municipality_code == code)
    ).all()
    year = _year(CostShare.entry_date)
    actual: dict[int, dict[int, int]] = {}
    for pilot_id, in_year, cents in db.session.execute(
        sa.select(CostShare.pilot_id, year, sa.func.sum(CostShare.share_cents))
        .where(CostShare.municipality_code == code)
        .group_by(CostShare.pilot_id, year)
    ):
        actual.setdefault(pilot_id, {})[int(in_year)] = int(cents)
    actual_years: dict[int, int] = {}
    rest_years: dict[int, int] = {}
    over = []
    forecast = 0
    for pilot_id, name, language, stage, start, end, planned in pilots:
        share = int(planned)
        years = actual.get(pilot_id, {})
        to_date = sum(years.values())
        add_years(actual_years, years)
        kind = commitment(Stage(stage))
        if kind is not Commitment.PROPOSED:
            forecast += to_date
        if kind is Commitment.COMMITTED:
            rest = max(0, share - to_date)
            forecast += rest
            add_years(rest_years, _rest_by_year(rest, start, end, today))
        if to_date > share:
            over.append(OverBudget(pilot_id, name, share, to_date, language))
    span = set(actual_years) | set(rest_years)
    by_year = [
        YearActual(y, actual_years.get(y, 0), actual_years.get(y, 0) + rest_years.get(y, 0))
        for y in (range(min(span), max(span) + 1) if span else ())
    ]
    over.sort(key=lambda p: (-p.over_cents, p.pilot_id))
    return MunicipalityCosts(
        actual_cents=sum(actual_years.values()),
        forecast_cents=forecast,
        by_year=by_year,
        over_budget=over,
    )


# --- the portfolio -----------------------------------------------------------------------


@dataclass(frozen=True)
class YearBudget:
    """One calendar year of the portfolio: the planned budget of its committed pilots
    (before funding, spread by days), its actual costs and the part the funding covered."""

    year: int
    budget_cents: int
    actual_cents: int
    funded_cents: int


def _planned_budgets(scope: PilotScope) -> list[tuple[int | None, int]]:
    """(year or None, committed budget before funding) of the pilots `scope` selects: every
    pilot's from the maintained portfolio totals, a filtered set's summed from its rows."""
    session = db.session()
    if every_pilot(scope):
        prefix = f"{Commitment.COMMITTED.value}|"
        budgets = aggregates.totals(session, aggregates.YEAR_BUDGET)
        # Every year with a row, zero sums too (the range of years is the rows').
        return [
            (int(key[len(prefix) :]) if key[len(prefix) :] else None, budgets.get(key, 0))
            for key in aggregates.totals(session, aggregates.YEAR_ROWS)
            if key.startswith(prefix)
        ]
    aggregates.sync(session)
    planned = (
        sa.select(MoneyYear.year, sa.func.sum(MoneyYear.budget_cents))
        .where(
            MoneyYear.municipality_code.is_(None),
            MoneyYear.commitment == Commitment.COMMITTED.value,
        )
        .group_by(MoneyYear.year)
    )
    planned = scope(planned.join(Pilot, Pilot.id == MoneyYear.pilot_id))
    return [(year, int(cents or 0)) for year, cents in session.execute(planned)]


def budget_by_year(scope: PilotScope) -> tuple[list[YearBudget], int]:
    """The pilots in `scope` by calendar year, and the budget of committed pilots without
    planned dates (in no year). Two queries: the budgets spread by year are summed from the
    maintained rows (services.aggregates), the actual costs from the entries."""
    budgets: dict[int, int] = {}
    unscheduled = 0
    for year_, cents in _planned_budgets(scope):
        if year_ is None:
            unscheduled = int(cents or 0)
        else:
            budgets[int(year_)] = int(cents or 0)
    year = _year(CostEntry.entry_date)
    actual: dict[int, tuple[int, int]] = {
        int(y): (int(a), int(f))
        for y, a, f in db.session.execute(
            sa.select(
                year, sa.func.sum(CostEntry.amount_cents), sa.func.sum(CostEntry.funded_cents)
            )
            .where(in_scope(CostEntry.pilot_id, scope))
            .group_by(year)
        )
    }
    span = set(budgets) | set(actual)
    rows = [
        YearBudget(y, budgets.get(y, 0), *actual.get(y, (0, 0)))
        for y in (range(min(span), max(span) + 1) if span else ())
    ]
    return rows, unscheduled


def most_over_budget(
    scope: PilotScope, limit: int = OVER_BUDGET_ROWS
) -> tuple[list[OverBudget], int]:
    """The pilots in `scope` whose actual costs exceed their budget, most over first (up to
    `limit`), and how many there are in all. One query."""
    totals = (
        sa.select(CostEntry.pilot_id, sa.func.sum(CostEntry.amount_cents).label("actual"))
        .where(in_scope(CostEntry.pilot_id, scope))
        .group_by(CostEntry.pilot_id)
        .subquery()
    )
    over = totals.c.actual - Pilot.budget_cents
    rows = db.session.execute(
        sa.select(
            Pilot.id,
            Pilot.name,
            Pilot.budget_cents,
            totals.c.actual,
            Pilot.language,
            sa.func.count().over(),
        )
        .join(totals, totals.c.pilot_id == Pilot.id)
        .where(totals.c.actual > Pilot.budget_cents)
        .order_by(over.desc(), Pilot.id)
        .limit(limit)
    ).all()
    items = [OverBudget(r[0], r[1], int(r[2]), int(r[3]), r[4]) for r in rows]
    return items, int(rows[0][5]) if rows else 0
