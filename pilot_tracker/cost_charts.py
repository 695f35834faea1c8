"""Budget against actual charts (services/cost_overview.py): a municipality's actual and
forecast by year and its pilots over budget; the portfolio's budget against actual by year
and its pilots most over budget. Each chart has its title, description, table and CSV, as
every chart in pilot_tracker/charts.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pilot_tracker.charts import (
    ACCENT,
    Chart,
    Column,
    Texts,
    _money_bars,
    _short,
    figure_axis,
    grouped_money_chart,
)
from pilot_tracker.services.cost_overview import OverBudget, YearActual, YearBudget

ACTUAL = "#1b6e2a"
FORECAST = "#b34d00"
OVER = "#a4262c"


def actual_forecast_by_year_chart(
    years: Sequence[YearActual], actual_cents: int, forecast_cents: int, t: Texts
) -> Chart:
    """A municipality's actual costs and forecast by calendar year."""
    series = [
        ("actual", t.gettext("Actual costs"), [y.actual_cents for y in years], ACTUAL),
        ("forecast", t.gettext("Forecast"), [y.forecast_cents for y in years], FORECAST),
    ]
    labels = [str(y.year) for y in years]
    description = t.gettext(
        "Its shares of the pilots' cost entries by the year of each entry, and the forecast: "
        "the actual costs plus what is left of its planned share of each committed pilot, "
        "spread over the rest of the pilot's planned period. Actual costs %(actual)s, "
        "forecast %(forecast)s in all.",
        actual=t.money(actual_cents),
        forecast=t.money(forecast_cents),
    )
    return grouped_money_chart(
        t,
        key="actual-forecast",
        title=t.gettext("Its actual costs and forecast by year"),
        description=description,
        category=Column("year", t.gettext("Year")),
        labels=labels,
        series=series,
    )


def _over_budget_chart(
    items: Sequence[OverBudget],
    total: int,
    t: Texts,
    *,
    key: str,
    title: str,
    planned_label: str,
    description: str,
    empty: str,
    top: int,
) -> Chart:
    shown = list(items)[:top]
    figure = None
    if shown:
        figure = _money_bars(
            t,
            [f"{_short(p.name, 32)} #{p.pilot_id}" for p in shown],
            [p.over_cents for p in shown],
            OVER,
            axis_title=t.gettext("Over budget (€)"),
            height=max(260, 60 + 26 * len(shown)),
            categories_axis=figure_axis(autorange="reversed", type="category"),
        )
    rows: tuple[tuple[Any, ...], ...] = tuple(
        (p.name, p.planned_cents, p.actual_cents, p.over_cents) for p in shown
    )
    note = ""
    if total > len(shown):
        note = t.gettext(
            "The %(shown)s most over budget of %(total)s.",
            shown=t.number(len(shown)),
            total=t.number(total),
        )
    return Chart(
        key=key,
        title=title,
        description=description if total else empty,
        figure=figure,
        columns=(
            Column("pilot", t.gettext("Pilot")),
            Column("planned", planned_label, "money"),
            Column("actual", t.gettext("Actual costs"), "money"),
            Column("over", t.gettext("Over budget by"), "money"),
        ),
        rows=rows,
        note=note,
        link_kind="pilot",
        link_column="pilot",
        links=tuple(str(p.pilot_id) for p in shown),
        link_languages=tuple(p.language for p in shown),
    )


def municipality_over_budget_chart(
    items: Sequence[OverBudget], t: Texts, *, top: int = 15
) -> Chart:
    """The pilots where the municipality's actual costs exceed its planned share."""
    return _over_budget_chart(
        items,
        len(items),
        t,
        key="over-budget",
        title=t.gettext("Its pilots over budget"),
        planned_label=t.gettext("Its planned share"),
        description=t.gettext(
            "Pilots where its actual costs to date exceed its planned cost share, most over "
            "first: %(count)s pilots, %(amount)s over in all.",
            count=t.number(len(items)),
            amount=t.money(sum(p.over_cents for p in items)),
        ),
        empty=t.gettext("In no pilot do its actual costs exceed its planned cost share."),
        top=top,
    )


def portfolio_over_budget_chart(
    items: Sequence[OverBudget], total: int, t: Texts, *, top: int = 15
) -> Chart:
    """The pilots whose actual costs exceed their budget, most over first."""
    return _over_budget_chart(
        items,
        total,
        t,
        key="over-budget",
        title=t.gettext("The pilots most over budget"),
        planned_label=t.gettext("Budget"),
        description=t.gettext(
            "Pilots whose actual costs exceed their planned budget (both before external "
            "funding), most over first. %(count)s pilots are over budget.",
            count=t.number(total),
        ),
        empty=t.gettext("No pilot's actual costs exceed its planned budget."),
        top=top,
    )


def budget_actual_by_year_chart(years: Sequence[YearBudget], unscheduled: int, t: Texts) -> Chart:
    """The committed pilots' planned budget by year beside the actual costs and funding."""
    series = [
        ("budget", t.gettext("Budget (committed pilots)"), [y.budget_cents for y in years], ACCENT),
        ("actual", t.gettext("Actual costs"), [y.actual_cents for y in years], ACTUAL),
        ("funded", t.gettext("Of which funded"), [y.funded_cents for y in years], FORECAST),
    ]
    labels = [str(y.year) for y in years]
    description = t.gettext(
        "The planned budget of the committed pilots (before external funding) spread over "
        "the years of their planned period by days, beside the actual costs of each year and "
        "the part of them external funding covered. Budget %(budget)s, actual %(actual)s in "
        "all.",
        budget=t.money(sum(y.budget_cents for y in years) + unscheduled),
        actual=t.money(sum(y.actual_cents for y in years)),
    )
    note = ""
    if unscheduled:
        note = t.gettext(
            "Budget of committed pilots without planned dates (in no year): %(amount)s.",
            amount=t.money(unscheduled),
        )
    return grouped_money_chart(
        t,
        key="budget-actual",
        title=t.gettext("Budget against actual by year"),
        description=description,
        category=Column("year", t.gettext("Year")),
        labels=labels,
        series=series,
        note=note,
    )
