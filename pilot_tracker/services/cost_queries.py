"""Actual costs read in SQL: per pilot, per municipality, per year, and billing.

Each function is one query over cost_entries or cost_shares (the stored figures the costs
service keeps current); `PilotScope` narrows a select over Pilot (filters, the user's scope).
The signatures match services/actuals.py, whose bodies call these.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa

from pilot_tracker.extensions import db
from pilot_tracker.models import CostEntry, CostShare, Pilot

# Any in and out: a scope narrows selects of any columns (Select is variadic in its columns).
PilotScope = Callable[[Any], Any]


def _scoped_ids(scope: PilotScope) -> sa.Select[Any]:
    scoped: sa.Select[Any] = scope(sa.select(Pilot.id))
    return scoped


def every_pilot(scope: PilotScope) -> bool:
    """Whether `scope` selects every pilot (no filter, a user who sees all)."""
    return _scoped_ids(scope).whereclause is None


def in_scope(pilot_id: Any, scope: PilotScope) -> Any:
    """`pilot_id` is one of the pilots in `scope`; always true when the scope is every pilot
    (an entry always has its pilot), so that the whole portfolio's sums do not list every
    pilot's id first."""
    return sa.true() if every_pilot(scope) else pilot_id.in_(_scoped_ids(scope))


def actual_cost_cents(scope: PilotScope) -> int:
    """All cost entries of the pilots in `scope`, in cents (VAT-free)."""
    total = db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(CostEntry.amount_cents), 0)).where(
            in_scope(CostEntry.pilot_id, scope)
        )
    )
    return int(total or 0)


def funded_cents(scope: PilotScope) -> int:
    """The external funding applied to the cost entries of the pilots in `scope`."""
    total = db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(CostEntry.funded_cents), 0)).where(
            in_scope(CostEntry.pilot_id, scope)
        )
    )
    return int(total or 0)


def _year(column: Any) -> Any:
    return sa.cast(sa.extract("year", column), sa.Integer)


def actual_cost_by_year(scope: PilotScope) -> dict[int, int]:
    """The pilots' actual costs by the calendar year of each entry's date."""
    year = _year(CostEntry.entry_date)
    rows = db.session.execute(
        sa.select(year, sa.func.sum(CostEntry.amount_cents))
        .where(in_scope(CostEntry.pilot_id, scope))
        .group_by(year)
        .order_by(year)
    ).all()
    return {int(y): int(cents) for y, cents in rows}


@dataclass(frozen=True)
class PilotActual:
    """A pilot's actual cost and the funding applied to it, in cents."""

    actual_cents: int = 0
    funded_cents: int = 0


def actuals_by_pilot(pilot_ids: Iterable[int]) -> dict[int, PilotActual]:
    """Actual and funded cents per pilot (absent: none), one query."""
    ids = list(pilot_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        sa.select(
            CostEntry.pilot_id,
            sa.func.sum(CostEntry.amount_cents),
            sa.func.sum(CostEntry.funded_cents),
        )
        .where(CostEntry.pilot_id.in_(ids))
        .group_by(CostEntry.pilot_id)
    ).all()
    return {pid: PilotActual(int(a), int(f)) for pid, a, f in rows}


def actual_cost_by_pilot(pilot_ids: Iterable[int]) -> dict[int, int]:
    """Each pilot's actual cost in cents (absent: zero)."""
    return {pid: a.actual_cents for pid, a in actuals_by_pilot(pilot_ids).items()}


def municipality_actual_by_pilot(code: str) -> dict[int, int]:
    """The municipality's shares of each pilot's actual costs, in cents (absent: zero)."""
    rows = db.session.execute(
        sa.select(CostShare.pilot_id, sa.func.sum(CostShare.share_cents))
        .where(CostShare.municipality_code == code)
        .group_by(CostShare.pilot_id)
    ).all()
    return {int(pid): int(cents) for pid, cents in rows}


def municipality_actual_by_year(code: str) -> dict[int, int]:
    """The municipality's shares of actual costs by the year of each entry's date."""
    year = _year(CostShare.entry_date)
    rows = db.session.execute(
        sa.select(year, sa.func.sum(CostShare.share_cents))
        .where(CostShare.municipality_code == code)
        .group_by(year)
        .order_by(year)
    ).all()
    return {int(y): int(cents) for y, cents in rows}


def actual_by_municipality(scope: PilotScope) -> dict[str, int]:
    """Every municipality's shares of the actual costs of the pilots in `scope`."""
    rows = db.session.execute(
        sa.select(CostShare.municipality_code, sa.func.sum(CostShare.share_cents))
        .where(in_scope(CostShare.pilot_id, scope))
        .group_by(CostShare.municipality_code)
        .order_by(CostShare.municipality_code)
    ).all()
    return {code: int(cents) for code, cents in rows}


@dataclass(frozen=True)
class BillingLine:
    """One share of one cost entry, for a municipality's bill."""

    pilot_id: int
    pilot_name: str
    cost_id: int
    on: date
    kind: str
    reference: str
    description: str
    amount_cents: int
    funded_cents: int
    share_cents: int


def billing(code: str, start: date, end: date) -> list[BillingLine]:
    """The municipality's shares of cost entries dated start..end (both included), oldest
    first; one query from the billing index."""
    rows = db.session.execute(
        sa.select(
            CostShare.pilot_id,
            Pilot.name,
            CostEntry.id,
            CostEntry.entry_date,
            CostEntry.kind,
            CostEntry.reference,
            CostEntry.description,
            CostEntry.amount_cents,
            CostEntry.funded_cents,
            CostShare.share_cents,
        )
        .join(CostEntry, CostEntry.id == CostShare.cost_entry_id)
        .join(Pilot, Pilot.id == CostShare.pilot_id)
        .where(
            CostShare.municipality_code == code,
            CostShare.entry_date >= start,
            CostShare.entry_date <= end,
        )
        .order_by(CostShare.entry_date, CostShare.cost_entry_id)
    ).all()
    return [
        BillingLine(
            pilot_id=r[0],
            pilot_name=r[1],
            cost_id=r[2],
            on=r[3],
            kind=r[4].value if hasattr(r[4], "value") else str(r[4]),
            reference=r[5],
            description=r[6],
            amount_cents=int(r[7]),
            funded_cents=int(r[8]),
            share_cents=int(r[9]),
        )
        for r in rows
    ]


def last_quarter(today: date) -> tuple[date, date]:
    """The calendar quarter before the one `today` is in: billing's default period."""
    quarter = (today.month - 1) // 3
    year = today.year
    if quarter == 0:
        year, quarter = year - 1, 4
    start = date(year, 3 * (quarter - 1) + 1, 1)
    end_month = 3 * quarter
    end = date(year + 1, 1, 1) if end_month == 12 else date(year, end_month + 1, 1)
    return start, date.fromordinal(end.toordinal() - 1)


@dataclass(frozen=True)
class PilotCostFigures:
    """What a pilot's page and API body show of its actual costs, in cents."""

    actual_cents: int = 0
    funded_cents: int = 0
    actual_by_code: dict[str, int] | None = None
    forecast_by_code: dict[str, int] | None = None


def pilot_cost_figures(pilots: Iterable[Pilot]) -> dict[int, PilotCostFigures]:
    """Actual, funded, and each participant's actual and forecast; two queries for any
    number of pilots (loaded with their participations and municipalities)."""
    from pilot_tracker.domain.actual_costs import forecast_by_member
    from pilot_tracker.services.costs import members_of, rule_of

    pilots = list(pilots)
    ids = [p.id for p in pilots]
    totals = actuals_by_pilot(ids)
    by_code: dict[int, dict[str, int]] = {}
    if ids:
        rows = db.session.execute(
            sa.select(
                CostShare.pilot_id, CostShare.municipality_code, sa.func.sum(CostShare.share_cents)
            )
            .where(CostShare.pilot_id.in_(ids))
            .group_by(CostShare.pilot_id, CostShare.municipality_code)
        ).all()
        for pid, code, cents in rows:
            by_code.setdefault(pid, {})[code] = int(cents)
    result = {}
    for pilot in pilots:
        actual = by_code.get(pilot.id, {})
        try:
            forecast = forecast_by_member(
                actual,
                members_of(pilot),
                rule_of(pilot),
                pilot.budget_cents,
                pilot.external_funding_cents,
            )
        except ValueError:
            # A register update may have zeroed populations: the forecast is the actual.
            forecast = dict(actual)
        total = totals.get(pilot.id, PilotActual())
        result[pilot.id] = PilotCostFigures(
            total.actual_cents, total.funded_cents, actual, forecast
        )
    return result
