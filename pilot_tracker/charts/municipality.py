"""A municipality's dashboard charts: its cost share by pilot, its cost against its share of
the savings, money by year (also the portfolio's), reviews due, and its actual costs and
forecast and its pilots over budget (services.cost_overview).

Pure, as every chart module (see charts.base): plain data in, a `Chart` out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import TYPE_CHECKING, Any

from pilot_tracker.charts.base import (
    ACCENT,
    ACTUAL,
    FORECAST,
    MUTED,
    Chart,
    Column,
    Texts,
    figure_axis,
    grouped_money_chart,
    money_bars,
    over_budget_chart,
    per_resident_cents,
    short,
)
from pilot_tracker.domain.enums import Track

if TYPE_CHECKING:
    from pilot_tracker.services.cost_overview import OverBudget, YearActual


@dataclass(frozen=True)
class PilotCost:
    """One pilot's cost share of a municipality."""

    pilot_id: int
    name: str
    share_cents: int
    language: str = "fi"  # of the name


def pilot_cost_chart(
    items: Sequence[PilotCost], total_cents: int, pilots: int, t: Texts, *, top: int = 10
) -> Chart:
    """A municipality's cost share per pilot: the `top` largest as bars, and the rest as an
    "others" row of the table only (drawn, their sum would dwarf every bar).

    `items` may be only the largest ones; `total_cents` and `pilots` cover all of them.
    """
    ordered = sorted(items, key=lambda p: (-p.share_cents, p.pilot_id))[:top]
    rows: list[tuple[Any, ...]] = [(p.name, p.share_cents) for p in ordered]
    labels = [f"{short(p.name, 32)} #{p.pilot_id}" for p in ordered]
    links: list[str | None] = [str(p.pilot_id) for p in ordered]
    languages: list[str | None] = [p.language for p in ordered]
    rest_count = pilots - len(ordered)
    note = ""
    if rest_count > 0:
        others = t.gettext("Others (%(count)s pilots)", count=t.number(rest_count))
        rest_cents = total_cents - sum(p.share_cents for p in ordered)
        rows.append((others, rest_cents))
        links.append(None)
        languages.append(None)
        note = t.gettext(
            "Not drawn, so that the bars stay readable: its shares in the other %(count)s "
            "pilots, %(amount)s together (see the table).",
            count=t.number(rest_count),
            amount=t.money(rest_cents),
        )
    figure = None
    if ordered:
        figure = money_bars(
            t,
            labels,
            [p.share_cents for p in ordered],
            ACCENT,
            axis_title=t.gettext("Cost share (€)"),
            height=max(260, 60 + 26 * len(ordered)),
            categories_axis=figure_axis(autorange="reversed", type="category"),
        )
    if pilots:
        description = t.gettext(
            "The municipality's cost share in each pilot it takes part in, largest first. "
            "%(total)s in all over %(count)s pilots.",
            total=t.money(total_cents),
            count=t.number(pilots),
        )
    else:
        description = t.gettext("The municipality takes part in no pilots that match.")
    return Chart(
        key="pilot-costs",
        title=t.gettext("Cost share by pilot"),
        description=description,
        figure=figure,
        columns=(
            Column("pilot", t.gettext("Pilot")),
            Column("share", t.gettext("Cost share"), "money"),
        ),
        rows=tuple(rows),
        note=note,
        link_kind="pilot",
        link_column="pilot",
        links=tuple(links),
        link_languages=tuple(languages),
    )


@dataclass(frozen=True)
class MunicipalityTrack:
    """A municipality's money on one track: its cost and its share of the savings, for
    committed pilots and (side by side) proposed ones."""

    cost_cents: int  # its shares of committed pilots
    estimated_share_cents: int  # of committed pilots' estimates
    realised_share_cents: int
    proposed_cents: int = 0
    estimated_proposed_share_cents: int = 0


def municipality_savings_chart(
    by_track: Mapping[Track, MunicipalityTrack], population: int, t: Texts
) -> Chart:
    """What the municipality pays per track against its share of the pilots' savings."""
    values = [by_track.get(track, MunicipalityTrack(0, 0, 0)) for track in Track]
    labels = [t.label(track) for track in Track]
    series = [  # column key, name, cents per track, colour
        ("cost", t.gettext("Its committed cost"), [v.cost_cents for v in values], MUTED),
        ("proposed", t.gettext("Its proposed cost"), [v.proposed_cents for v in values], "#b34d00"),
        (
            "estimated_share",
            t.gettext("Its share of estimated annual savings"),
            [v.estimated_share_cents for v in values],
            ACCENT,
        ),
        (
            "estimated_proposed_share",
            t.gettext("Its share of proposed pilots' estimated savings"),
            [v.estimated_proposed_share_cents for v in values],
            "#a0467d",
        ),
        (
            "realised_share",
            t.gettext("Its share of realised annual savings"),
            [v.realised_share_cents for v in values],
            "#1b6e2a",
        ),
    ]
    cost, proposed, estimated, estimated_proposed, realised = (
        sum(cents) for _, _, cents, _ in series
    )
    per_resident = per_resident_cents(cost, population)
    description = t.gettext(
        "The municipality's cost per track beside its share of the pilots' annual savings, "
        "split in the same proportion as the cost; committed and proposed pilots side by "
        "side, stopped pilots only with their actual costs. Committed %(cost)s "
        "(%(per_resident)s per resident), proposed %(proposed)s; its share of the committed "
        "pilots' estimated savings is %(estimated)s a year, of the realised savings "
        "%(realised)s a year.",
        cost=t.money(cost),
        per_resident=t.money(per_resident) if per_resident is not None else "–",
        proposed=t.money(proposed),
        estimated=t.money(estimated),
        realised=t.money(realised),
    )
    return grouped_money_chart(
        t,
        key="savings",
        title=t.gettext("Its cost and its share of savings by track"),
        description=description,
        category=Column("track", t.gettext("Track")),
        labels=labels,
        series=series,
        draw=bool(cost or proposed or estimated or estimated_proposed or realised),
    )


@dataclass(frozen=True)
class DueDecision:
    """A decision whose next review falls in the coming days."""

    pilot_id: int
    pilot_name: str
    next_review: date
    gate: Enum
    outcome: Enum
    decided_on: date
    language: str = "fi"  # of the pilot's name
    overdue: bool = False  # its date has passed with no decision recorded since


def decisions_due_table(items: Sequence[DueDecision], days: int, t: Texts) -> Chart:
    """Reviews overdue and due within `days`: overdue first, then soonest first; a table
    (and CSV) without a figure."""
    ordered = sorted(items, key=lambda d: (not d.overdue, d.next_review, d.pilot_id))
    overdue = sum(1 for d in ordered if d.overdue)
    if overdue:
        description = t.gettext(
            "%(overdue)s reviews are overdue (their date has passed with no decision "
            "recorded since) and %(count)s are due in the next %(days)s days.",
            overdue=t.number(overdue),
            count=t.number(len(ordered) - overdue),
            days=t.number(days),
        )
    elif ordered:
        description = t.gettext(
            "%(count)s reviews are due in the next %(days)s days; the first on %(first)s.",
            count=t.number(len(ordered)),
            days=t.number(days),
            first=t.day(ordered[0].next_review),
        )
    else:
        description = t.gettext(
            "No reviews are due in the next %(days)s days.", days=t.number(days)
        )
    return Chart(
        key="decisions-due",
        title=t.gettext("Decisions overdue and due in the next %(days)s days", days=t.number(days)),
        description=description,
        figure=None,
        columns=(
            Column("next_review", t.gettext("Review due"), "date"),
            Column("pilot", t.gettext("Pilot")),
            Column("gate", t.gettext("Previous gate")),
            Column("outcome", t.gettext("Previous outcome")),
            Column("decided_on", t.gettext("Decided on"), "date"),
            Column("overdue", t.gettext("Overdue")),
        ),
        rows=tuple(
            (
                d.next_review,
                d.pilot_name,
                t.label(d.gate),
                t.label(d.outcome),
                d.decided_on,
                t.gettext("Overdue") if d.overdue else "",
            )
            for d in ordered
        ),
        link_kind="pilot",
        link_column="pilot",
        links=tuple(str(d.pilot_id) for d in ordered),
        link_languages=tuple(d.language for d in ordered),
    )


@dataclass(frozen=True)
class YearAmounts:
    """One calendar year's money: planned for committed and for proposed pilots, actual."""

    year: int
    committed_cents: int
    proposed_cents: int
    actual_cents: int


def money_by_year_chart(
    years: Sequence[YearAmounts],
    unscheduled: tuple[int, int],
    t: Texts,
    *,
    title: str | None = None,
) -> Chart:
    """Planned money by calendar year, committed and proposed side by side (never stacked
    or added), beside the actual costs of each year; `unscheduled` is the (committed,
    proposed) money of pilots without both planned dates."""
    series = [
        ("committed", t.gettext("Committed (planned)"), [y.committed_cents for y in years], ACCENT),
        ("proposed", t.gettext("Proposed (planned)"), [y.proposed_cents for y in years], "#b34d00"),
        ("actual", t.gettext("Actual costs"), [y.actual_cents for y in years], "#1b6e2a"),
    ]
    labels = [str(y.year) for y in years]
    if years:
        busiest = max(years, key=lambda y: (y.committed_cents, -y.year))
        description = t.gettext(
            "Planned net cost spread over the calendar years from each pilot's planned start "
            "to its planned end, by days; committed and proposed pilots side by side (not "
            "added together), with the actual costs of each year. The most committed is "
            "%(year)s with %(amount)s.",
            year=str(busiest.year),
            amount=t.money(busiest.committed_cents),
        )
    else:
        description = t.gettext("Planned net cost by calendar year. No pilot has planned dates.")
    note = ""
    if any(unscheduled):
        note = t.gettext(
            "Without planned dates (in no year): committed %(committed)s, proposed %(proposed)s.",
            committed=t.money(unscheduled[0]),
            proposed=t.money(unscheduled[1]),
        )
    return grouped_money_chart(
        t,
        key="by-year",
        title=title or t.gettext("Planned and actual costs by year"),
        description=description,
        category=Column("year", t.gettext("Year")),
        labels=labels,
        series=series,
        note=note,
    )


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


def municipality_over_budget_chart(
    items: Sequence[OverBudget], t: Texts, *, top: int = 15
) -> Chart:
    """The pilots where the municipality's actual costs exceed its planned share."""
    return over_budget_chart(
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
