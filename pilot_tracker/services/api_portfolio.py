"""Reading the portfolio for the API: newest statuses, the summary in SQL (the pilots
narrowed by services.pilot_filters)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from fractions import Fraction
from typing import Any, TypeVarTuple

import sqlalchemy as sa

from pilot_tracker.domain.enums import Stage, Theme, Track
from pilot_tracker.domain.money import format_cents, round_half_up
from pilot_tracker.extensions import db
from pilot_tracker.models import Kpi, Municipality, Participation, Pilot, StatusUpdate
from pilot_tracker.services import due, money
from pilot_tracker.services.pilot_filters import PilotFilters, apply_pilot_filters
from pilot_tracker.services.reporting import stale_clause

# KPI values have four decimals; summed as integers of 1/10 000 the total is exact on
# SQLite too, whose NUMERIC columns hold floats.
_VALUE_SCALE = 10_000
_Columns = TypeVarTuple("_Columns")


def latest_statuses(pilot_ids: Sequence[int]) -> dict[int, StatusUpdate]:
    """The newest status update of each pilot (by date, then id), in one query."""
    if not pilot_ids:
        return {}
    rows = db.session.scalars(
        sa.select(StatusUpdate)
        .join(
            Pilot,
            sa.and_(
                Pilot.id == StatusUpdate.pilot_id,
                Pilot.last_status_on == StatusUpdate.reported_on,
            ),
        )
        .where(StatusUpdate.pilot_id.in_(pilot_ids))
        .order_by(StatusUpdate.pilot_id, StatusUpdate.id)
    )
    return {row.pilot_id: row for row in rows}  # the highest id of the newest day wins


def _int(value: Any) -> int:
    # PostgreSQL sums bigints as numeric (Decimal); SQLite as int; no rows gives NULL.
    return int(value or 0)


def portfolio_summary(user: Any, filters: PilotFilters, today: date) -> dict[str, Any]:
    """Counts and sums over the pilots `user` may see that match `filters`: four queries
    (the fourth is the money by commitment and year, services.money)."""

    def scoped(query: sa.Select[*_Columns]) -> sa.Select[*_Columns]:
        return apply_pilot_filters(query, filters, user, today)

    stale = sa.case((stale_clause(today), 1), else_=0)
    groups = db.session.execute(
        scoped(
            sa.select(
                Pilot.stage,
                Pilot.theme,
                Pilot.track,
                sa.func.count(Pilot.id),
                sa.func.sum(Pilot.budget_cents),
                sa.func.sum(Pilot.external_funding_cents),
                sa.func.sum(Pilot.net_cost_cents),
                sa.func.sum(Pilot.estimated_annual_savings_cents),
                sa.func.sum(stale),
            )
        ).group_by(Pilot.stage, Pilot.theme, Pilot.track)
    ).all()
    by_stage = dict.fromkeys((s.value for s in Stage), 0)
    by_theme = dict.fromkeys((t.value for t in Theme), 0)
    by_track = dict.fromkeys((t.value for t in Track), 0)
    totals = [0, 0, 0, 0, 0]
    for stage, theme, track, count, *sums in groups:
        by_stage[Stage(stage).value] += count
        by_theme[Theme(theme).value] += count
        by_track[Track(track).value] += count
        totals = [a + _int(b) for a, b in zip(totals, sums, strict=True)]
    budget, funding, net, estimated, stale_count = totals

    realised_units = db.session.scalar(
        scoped(
            sa.select(
                sa.func.sum(sa.cast(sa.func.round(Kpi.latest_value * _VALUE_SCALE), sa.BigInteger))
            )
            .select_from(Kpi)
            .join(Pilot, Pilot.id == Kpi.pilot_id)
            .where(Kpi.is_savings.is_(True), Kpi.latest_value.is_not(None))
        )
    )
    realised = round_half_up(Fraction(_int(realised_units), _VALUE_SCALE), 2)

    municipality_rows = db.session.execute(
        scoped(
            sa.select(
                Municipality.code,
                Municipality.name_fi,
                Municipality.population,
                sa.func.count(sa.distinct(Pilot.id)),
                sa.func.sum(Participation.share_cents),
                money.committed_sum(Participation.share_cents),
                money.proposed_sum(Participation.share_cents),
            )
            .select_from(Participation)
            .join(Pilot, Pilot.id == Participation.pilot_id)
            .join(Municipality, Municipality.code == Participation.municipality_code)
        )
        .group_by(Municipality.code, Municipality.name_fi, Municipality.population)
        .order_by(Municipality.code)
    ).all()
    municipalities = []
    for code, name, population, count, share_sum, committed, proposed in municipality_rows:
        cents = _int(share_sum)
        committed_per_resident = money.per_resident_cents(_int(committed), population)
        per_resident = (
            str(round_half_up(Fraction(cents, 100 * population), 2)) if population else None
        )
        municipalities.append(
            {
                "code": code,
                "name": name,
                "pilot_count": count,
                "net_cost_eur": format_cents(cents),
                "eur_per_resident": per_resident,
                "committed_eur": format_cents(_int(committed)),
                "proposed_eur": format_cents(_int(proposed)),
                "committed_eur_per_resident": (
                    format_cents(committed_per_resident)
                    if committed_per_resident is not None
                    else None
                ),
            }
        )

    planned = money.portfolio_money(scoped)
    return {
        "pilot_count": sum(by_stage.values()),
        "by_stage": by_stage,
        "by_theme": by_theme,
        "by_track": by_track,
        "budget_eur": format_cents(budget),
        "external_funding_eur": format_cents(funding),
        "net_cost_eur": format_cents(net),
        "estimated_annual_savings_eur": format_cents(estimated),
        "realised_annual_savings_eur": f"{realised:.2f}",
        "stale_count": stale_count,
        "municipalities": municipalities,
        # Money by commitment (PRODUCT.md): side by side, never added together.
        "committed_net_cost_eur": format_cents(planned.committed_cents),
        "proposed_net_cost_eur": format_cents(planned.proposed_cents),
        "actual_cost_eur": format_cents(planned.actual_cents),
        "committed_estimated_annual_savings_eur": format_cents(planned.estimated_savings.committed),
        "proposed_estimated_annual_savings_eur": format_cents(planned.estimated_savings.proposed),
        "by_year": by_year_json(planned.by_year),
        "unscheduled": unscheduled_json(planned.unscheduled),
    }


def by_year_json(rows: Sequence[money.YearMoney]) -> list[dict[str, Any]]:
    """`by_year` of both summaries (API.md)."""
    return [
        {
            "year": row.year,
            "planned_committed_eur": format_cents(row.planned_committed_cents),
            "planned_proposed_eur": format_cents(row.planned_proposed_cents),
            "actual_eur": format_cents(row.actual_cents),
        }
        for row in rows
    ]


def unscheduled_json(pair: money.Pair) -> dict[str, str]:
    """Planned money of pilots without both a planned start and end (not in `by_year`)."""
    return {
        "planned_committed_eur": format_cents(pair.committed),
        "planned_proposed_eur": format_cents(pair.proposed),
    }


DUE_IN_SUMMARY = 50


def municipality_summary(user: Any, place: Municipality, today: date) -> dict[str, Any]:
    """GET /api/v1/municipalities/{code}/summary (API.md): what the municipality pays,
    committed and proposed side by side, its savings, by year, and what is due."""
    figures = money.municipality_money(place.code, place.population)
    per_resident = figures.committed_per_resident_cents
    due_list = due.due_items(user, today, municipality=place.code, limit=DUE_IN_SUMMARY)
    return {
        "code": place.code,
        "name": place.name_fi,
        "population": place.population,
        "pilot_count": figures.pilot_count,
        "committed_eur": format_cents(figures.committed_cents),
        "proposed_eur": format_cents(figures.proposed_cents),
        "actual_eur": format_cents(figures.actual_cents),
        "forecast_eur": format_cents(figures.forecast_cents),
        "committed_eur_per_resident": (
            format_cents(per_resident) if per_resident is not None else None
        ),
        "estimated_annual_savings_eur": {
            "committed": format_cents(figures.estimated_savings.committed),
            "proposed": format_cents(figures.estimated_savings.proposed),
        },
        "realised_annual_savings_eur": format_cents(figures.realised_savings_cents),
        "by_year": by_year_json(figures.by_year),
        "unscheduled": unscheduled_json(figures.unscheduled),
        "due": [due.item_json(item) for item in due_list.items],
        "due_total": due_list.total,
        "overdue_total": due_list.overdue_total,
    }
