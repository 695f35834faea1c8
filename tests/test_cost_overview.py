"""Budget against actual on the municipality page and the portfolio dashboard: actual and
forecast in all and by year, over-budget pilots marked in text, charts with table and CSV;
vendors see no cost figures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import Flask
from flask.testing import FlaskClient

from pilot_tracker.domain.enums import SplitMethod, Stage
from pilot_tracker.services.cost_overview import (
    YearActual,
    YearBudget,
    budget_by_year,
    most_over_budget,
    municipality_costs,
)
from pilot_tracker.services.costs import CostData, record_cost
from tests.conftest import Actors, login_as
from tests.factories import make_pilot
from tests.test_dashboards import figures, get_csv, page, tables

TODAY = date(2026, 12, 2)


@dataclass(frozen=True)
class Two:
    over: int  # 091 and 418 equally, 1 200 € spent of a 1 000 € budget
    within: int  # 091 alone, 1 000 € spent of 5 000 €, planned 2026-01-01 to 2027-12-31


def _two(app: Flask) -> Two:
    with app.app_context():
        over = make_pilot(
            ("091", "418"),
            method=SplitMethod.EQUAL,
            stage=Stage.PILOTING,
            name="Ylittävä kokeilu",
            budget_cents=100_000,
            funding_cents=0,
            start_date=date(2026, 1, 1),
            end_date=date(2026, 12, 31),
        )
        record_cost(over, CostData(date(2026, 3, 1), 120_000))
        within = make_pilot(
            ("091",),
            method=SplitMethod.EQUAL,
            stage=Stage.PILOTING,
            name="Budjetissa pysyvä kokeilu",
            budget_cents=500_000,
            funding_cents=0,
            start_date=date(2026, 1, 1),
            end_date=date(2027, 12, 31),
        )
        record_cost(within, CostData(date(2025, 6, 1), 100_000))
        return Two(over.id, within.id)


def test_municipality_actual_forecast_by_year_and_over_budget(app: Flask) -> None:
    two = _two(app)
    with app.app_context():
        costs = municipality_costs("091", TODAY)
        # Its shares: 600 € of the first (half of 1 200 €), 1 000 € of the second.
        assert costs.actual_cents == 160_000
        # Forecast: the first 600 € (over its 500 € share: nothing left); the second 1 000 €
        # + 4 000 € left of its 5 000 € share.
        assert costs.forecast_cents == 160_000 + 400_000
        # The 4 000 € left are spread over 2026-12-02..2027-12-31 by days: 30 and 365 of
        # 395 days, 3 037 974.68... and 36 962 025.31... cents; the odd cent to 2026.
        assert costs.by_year == [
            YearActual(2025, 100_000, 100_000),
            YearActual(2026, 60_000, 60_000 + 30_380),
            YearActual(2027, 0, 369_620),
        ]
        assert sum(y.forecast_cents for y in costs.by_year) == costs.forecast_cents
        assert [(p.pilot_id, p.planned_cents, p.actual_cents) for p in costs.over_budget] == [
            (two.over, 50_000, 60_000)
        ]
        assert costs.over_budget_ids == {two.over}


def test_portfolio_budget_against_actual_and_most_over_budget(app: Flask) -> None:
    two = _two(app)
    with app.app_context():
        mine = {two.over, two.within}

        def scope(query):  # type: ignore[no-untyped-def]
            from pilot_tracker.models import Pilot

            return query.where(Pilot.id.in_(mine))

        years, unscheduled = budget_by_year(scope)
        # 1 000 € in 2026; 5 000 € over 730 days, 365 in each year: 2 500 € each.
        assert years == [
            YearBudget(2025, 0, 100_000, 0),
            YearBudget(2026, 100_000 + 250_000, 120_000, 0),
            YearBudget(2027, 250_000, 0, 0),
        ]
        assert unscheduled == 0
        items, total = most_over_budget(scope)
        assert total == 1
        assert [(p.pilot_id, p.planned_cents, p.actual_cents, p.over_cents) for p in items] == [
            (two.over, 100_000, 120_000, 20_000)
        ]


def test_the_budget_by_year_is_before_funding_committed_only_and_follows_edits(app: Flask) -> None:
    """The budgets are summed from the maintained rows: a committed pilot's budget before its
    external funding, spread by days; proposed and stopped pilots count nothing; a pilot
    without dates counts as unscheduled; an edit in the same transaction is seen."""

    def everything(query):  # type: ignore[no-untyped-def]
        return query

    with app.app_context():
        funded = make_pilot(
            ("091",),
            stage=Stage.EVALUATION,
            budget_cents=300_000,
            funding_cents=200_000,  # net 1 000 €; the budget before funding is 3 000 €
            start_date=date(2026, 7, 1),
            end_date=date(2027, 6, 30),  # 184 and 181 days
        )
        make_pilot(("091",), stage=Stage.PLANNING, budget_cents=900_000, funding_cents=0)
        stopped = make_pilot(
            ("418",),
            stage=Stage.PILOTING,
            budget_cents=700_000,
            funding_cents=0,
            start_date=date(2026, 1, 1),
            end_date=date(2026, 12, 31),
        )
        make_pilot(
            ("418",),
            stage=Stage.PILOTING,
            budget_cents=40_000,
            funding_cents=0,
            start_date=None,
            end_date=None,
        )
        stopped.stage = Stage.STOPPED  # as a no-go decision leaves it
        years, unscheduled = budget_by_year(everything)
        # 300 000 cents over 365 days: 151 232.87... for 2026, 148 767.12... for 2027.
        assert years == [YearBudget(2026, 151_233, 0, 0), YearBudget(2027, 148_767, 0, 0)]
        assert unscheduled == 40_000
        funded.budget_cents = 365_000
        years, _ = budget_by_year(everything)
        assert years == [YearBudget(2026, 184_000, 0, 0), YearBudget(2027, 181_000, 0, 0)]


def test_municipality_page_marks_over_budget_pilots_in_text(
    app: Flask, client: FlaskClient, actors: Actors
) -> None:
    two = _two(app)
    login_as(client, actors.council)
    html = page(client, "/municipalities/091")
    assert "Forecast" in html
    # Its pilot table says "Over budget" in words beside the pilot that is, not the other.
    rows = {row[0]: row for row in _pilot_table(html)}
    assert "Over budget" in rows["Ylittävä kokeilu"][-1]
    assert "Over budget" not in rows["Budjetissa pysyvä kokeilu"][-1]
    found = figures(html)
    assert "actual-forecast" in found and "over-budget" in found
    tabled = tables(html)
    assert tabled["over-budget"][1][0] == "Ylittävä kokeilu"
    assert f'href="/pilots/{two.over}"' in html
    csv_rows = get_csv(client, "/municipalities/091/data/over-budget.csv")
    assert csv_rows[0] == ["Pilot", "Its planned share", "Actual costs", "Over budget by"]
    assert csv_rows[1][0] == "Ylittävä kokeilu"
    assert [c.replace(",", ".") for c in csv_rows[1][1:]] == ["500.00", "600.00", "100.00"]
    forecast = get_csv(client, "/municipalities/091/data/actual-forecast.csv")
    assert forecast[0] == ["Year", "Actual costs", "Forecast"]
    assert [row[0] for row in forecast[1:]][:2] == ["2025", "2026"]


def test_portfolio_dashboard_has_both_charts_with_tables_and_csv(
    app: Flask, client: FlaskClient, actors: Actors
) -> None:
    two = _two(app)
    login_as(client, actors.coordinator)
    html = page(client, "/dashboard")
    found = figures(html)
    for key in ("budget-actual", "over-budget"):
        assert f'<h2 id="chart-{key}-title">' in html
        assert f'<p id="chart-{key}-desc" class="chart-desc">' in html
        assert key in found
        assert tables(html)[key]
        assert len(get_csv(client, f"/dashboard/data/{key}.csv")) == len(tables(html)[key])
    over = get_csv(client, "/dashboard/data/over-budget.csv")
    assert over[0] == ["Pilot", "Budget", "Actual costs", "Over budget by"]
    assert [row[0] for row in over[1:] if row[0] == "Ylittävä kokeilu"] == ["Ylittävä kokeilu"]
    assert f'href="/pilots/{two.over}"' in html


def test_vendors_see_no_cost_figures(client: FlaskClient, actors: Actors, app: Flask) -> None:
    _two(app)
    login_as(client, actors.vendor_user)
    for path in (
        "/dashboard",
        "/dashboard/data/over-budget.csv",
        "/dashboard/data/budget-actual.csv",
        "/municipalities/091",
        "/municipalities/091/data/over-budget.csv",
        "/municipalities/091/data/actual-forecast.csv",
    ):
        assert client.get(path).status_code == 403, path


def _pilot_table(html: str) -> list[list[str]]:
    """The rows of the 'Its pilots' table (cells as text)."""
    import re

    section = html.split('id="pilots-title"', 1)[1]
    body = section.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", body, re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        rows.append([re.sub(r"<[^>]+>", "", c).strip() for c in cells])
    return rows
