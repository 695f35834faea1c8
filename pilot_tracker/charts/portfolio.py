"""The portfolio dashboard's charts: pilots by stage, theme and status, net cost by
municipality, savings against the national potential, the timeline, decisions by quarter,
KPI attainment, and the budget against actual (services.cost_overview).

Pure, as every chart module (see charts.base): plain data in, a `Chart` out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from pilot_tracker.charts.base import (
    ACCENT,
    ACTUAL,
    FORECAST,
    OUTCOME_COLOURS,
    RAG_COLOURS,
    STAGE_COLOURS,
    TRACK_COLOURS,
    Chart,
    Column,
    Series,
    Texts,
    bar,
    bar_figure,
    counts_chart,
    date_figure,
    days,
    enum_counts,
    enum_series,
    euros,
    figure_axis,
    figure_layout,
    grouped_money_chart,
    money_axis,
    money_range,
    over_budget_chart,
    scatter,
    short,
    stacked_counts_chart,
)
from pilot_tracker.domain.enums import NATIONAL_POTENTIAL_EUR, Outcome, Rag, Stage, Theme, Track
from pilot_tracker.domain.kpi import ATTAINMENT_BUCKETS
from pilot_tracker.domain.stages import ORDER as STAGE_ORDER

if TYPE_CHECKING:
    from pilot_tracker.services.cost_overview import OverBudget, YearBudget

ACTIVE_STAGES: tuple[Stage, ...] = (Stage.PLANNING, Stage.PILOTING, Stage.EVALUATION)


def stage_chart(
    counts: Mapping[Stage, int],
    t: Texts,
    *,
    key: str = "stages",
    title: str | None = None,
) -> Chart:
    """Pilots per stage in lifecycle order, as a horizontal bar that reads like a funnel."""
    values = enum_counts(counts, STAGE_ORDER)
    description = t.gettext(
        "Number of pilots in each stage, from idea through piloting to scaling or stopped. "
        "%(total)s pilots in all, %(piloting)s of them piloting now.",
        total=t.number(sum(values)),
        piloting=t.number(int(counts.get(Stage.PILOTING, 0))),
    )
    return counts_chart(
        t,
        key=key,
        title=title or t.gettext("Pilots by stage"),
        description=description,
        category=Column("stage", t.gettext("Stage")),
        count=Column("pilots", t.gettext("Pilots"), "count"),
        labels=[t.label(stage) for stage in STAGE_ORDER],
        values=values,
        colours=[STAGE_COLOURS[s] for s in STAGE_ORDER],
        horizontal=True,
    )


def theme_track_chart(counts: Mapping[tuple[Theme, Track], int], t: Texts) -> Chart:
    """Pilots per theme, stacked by track; themes in their fixed order."""
    themes = list(Theme)
    by_track = {track: [int(counts.get((theme, track), 0)) for theme in themes] for track in Track}
    totals = [sum(column) for column in zip(*by_track.values(), strict=True)]
    labels = [t.label(theme) for theme in themes]
    if sum(totals):
        top = max(range(len(themes)), key=lambda i: (totals[i], -i))
        description = t.gettext(
            "Number of pilots per theme, split into the quick and the slow track. "
            "%(quick)s pilots are on the quick track and %(slow)s on the slow track; "
            "the most common theme is %(theme)s with %(count)s pilots.",
            quick=t.number(sum(by_track[Track.QUICK])),
            slow=t.number(sum(by_track[Track.SLOW])),
            theme=labels[top],
            count=t.number(totals[top]),
        )
    else:
        description = t.gettext("Number of pilots per theme and track. No pilots match.")
    return stacked_counts_chart(
        t,
        key="themes",
        title=t.gettext("Pilots by theme and track"),
        description=description,
        category=Column("theme", t.gettext("Theme")),
        labels=labels,
        series=enum_series(t, by_track, TRACK_COLOURS),
        values_title=t.gettext("Pilots"),
        horizontal=True,
        categories_axis=figure_axis(autorange="reversed"),
        height=380,
    )


@dataclass(frozen=True)
class MunicipalityCost:
    """A municipality's summed cost shares over the pilots it takes part in: of committed
    pilots and of proposed ones (never added), and its actual costs."""

    code: str
    name: str
    committed_cents: int
    pilots: int
    proposed_cents: int = 0
    actual_cents: int = 0


def top_municipalities(
    items: Sequence[MunicipalityCost], top: int
) -> tuple[list[MunicipalityCost], list[MunicipalityCost]]:
    """The `top` largest by committed cost (ties by proposed cost, then code), and the rest:
    the split municipality_cost_chart draws, for the caller to count the rest's pilots."""
    ordered = sorted(items, key=lambda m: (-m.committed_cents, -m.proposed_cents, m.code))
    return ordered[:top], ordered[top:]


def municipality_cost_chart(
    items: Sequence[MunicipalityCost], t: Texts, *, top: int = 15, others_pilots: int | None = None
) -> Chart:
    """Cost per municipality, committed and proposed side by side with the actual costs:
    the `top` largest by committed cost as bars, the rest summed as one "others" row of the
    table only (drawn, their sum would dwarf every bar). `others_pilots` is how many distinct
    pilots the rest take part in: a pilot of several of them counts once."""
    shown, rest = top_municipalities(items, top)
    if rest and others_pilots is None:
        raise ValueError("the others' distinct pilots are needed when some are left out")
    ordered = shown + rest
    rows: list[tuple[Any, ...]] = [
        (m.code, m.name, m.pilots, m.committed_cents, m.proposed_cents, m.actual_cents)
        for m in shown
    ]
    links: list[str | None] = [m.code for m in shown]
    if rest:
        rows.append(
            (
                "",
                t.gettext("Others (%(count)s municipalities)", count=t.number(len(rest))),
                others_pilots,
                sum(m.committed_cents for m in rest),
                sum(m.proposed_cents for m in rest),
                sum(m.actual_cents for m in rest),
            )
        )
        links.append(None)
    committed = sum(m.committed_cents for m in items)
    proposed = sum(m.proposed_cents for m in items)
    series = [  # column key, name, row index, colour
        ("committed", t.gettext("Committed"), 3, ACCENT),
        ("proposed", t.gettext("Proposed"), 4, "#b34d00"),
        ("actual", t.gettext("Actual costs"), 5, "#1b6e2a"),
    ]
    figure = None
    note = ""
    if rest:
        others = rows[-1]
        note = t.gettext(
            "Not drawn, so that the bars stay readable: the other %(count)s municipalities "
            "together, committed %(committed)s, proposed %(proposed)s, actual costs "
            "%(actual)s, in %(pilots)s pilots (see the table).",
            count=t.number(len(rest)),
            committed=t.money(others[3]),
            proposed=t.money(others[4]),
            actual=t.money(others[5]),
            pilots=t.number(others_pilots),
        )
    if items:
        drawn = rows[: len(shown)]
        labels = [f"{row[1]} ({row[0]})" for row in drawn]
        bars = [
            bar(
                labels,
                [euros(row[index]) for row in drawn],
                horizontal=True,
                name=name,
                hover_name=name,
                money=True,
                marker={"color": colour},
            )
            for _, name, index, colour in series
        ]
        figure = bar_figure(
            t,
            bars,
            horizontal=True,
            values_axis=money_axis(
                t,
                t.gettext("Net cost (€)"),
                (euros(row[index]) for row in drawn for _, _, index, _ in series),
            ),
            categories_axis=figure_axis(autorange="reversed"),
            height=max(300, 60 + 48 * len(drawn)),
            barmode="group",
            showlegend=True,
        )
        description = t.gettext(
            "Each municipality's cost shares in the pilots it takes part in (budget less "
            "external funding): committed pilots and proposed ones side by side, never added "
            "together, and its actual costs; a stopped pilot counts only its actual costs. "
            "Committed %(committed)s and proposed %(proposed)s across %(count)s "
            "municipalities; the most committed is %(name)s with %(amount)s.",
            committed=t.money(committed),
            proposed=t.money(proposed),
            count=t.number(len(items)),
            name=ordered[0].name,
            amount=t.money(ordered[0].committed_cents),
        )
    else:
        description = t.gettext("Each municipality's net cost. No pilots match.")
    return Chart(
        key="municipality-costs",
        title=t.gettext("Net cost by municipality"),
        description=description,
        figure=figure,
        columns=(
            Column("code", t.gettext("Code")),
            Column("municipality", t.gettext("Municipality")),
            Column("pilots", t.gettext("Pilots taking part"), "count"),
            *(Column(key, name, "money") for key, name, _, _ in series),
        ),
        rows=tuple(rows),
        note=note,
        link_kind="municipality",
        link_column="municipality",
        links=tuple(links),
    )


@dataclass(frozen=True)
class TrackSavings:
    """Annual savings of a track's pilots: the estimates of committed pilots and of proposed
    ones (side by side, never added; stopped pilots have none) and the measured ones."""

    estimated_cents: int  # committed pilots' estimates
    realised_cents: int
    estimated_proposed_cents: int = 0


def compact_range(t: Texts, low_cents: int, high_cents: int) -> str:
    """A range of euros as the language shortens them: "440 milj. € – 680 milj. €"."""
    return t.compact_money(low_cents / 100) + " – " + t.compact_money(high_cents / 100)


def savings_chart(
    by_track: Mapping[Track, TrackSavings],
    t: Texts,
    *,
    potential: Mapping[Track, tuple[int, int]] = NATIONAL_POTENTIAL_EUR,
) -> Chart:
    """Estimated vs realised annual savings per track, with the national potential range
    written beside each track's bars rather than drawn on their axis.

    One panel per track, each on its own axis: the slow track's potential is some thirty
    times the quick one's, and the potential some hundred times the pilots' savings, so one
    shared axis would flatten the pilots' bars to nothing. The potential is the caption of
    each panel's axis (and in the table), the pilots' bars fill their own panel.
    """
    tracks = list(Track)
    rows = []
    for track in tracks:
        savings = by_track.get(track, TrackSavings(0, 0))
        low, high = potential[track]
        rows.append(
            (
                t.label(track),
                savings.estimated_cents,
                savings.estimated_proposed_cents,
                savings.realised_cents,
                low * 100,
                high * 100,
            )
        )
    estimated_label = t.gettext("Estimated by committed pilots")
    proposed_label = t.gettext("Estimated by proposed pilots")
    realised_label = t.gettext("Realised (latest measurements)")
    data: list[dict[str, Any]] = []
    layout = figure_layout(t, height=380)
    for index, (track, row) in enumerate(zip(tracks, rows, strict=True)):
        suffix = "" if index == 0 else str(index + 1)
        amounts = [euros(row[1]), euros(row[2]), euros(row[3])]
        data.append(
            {
                "type": "bar",
                "name": t.label(track),
                "x": [estimated_label, proposed_label, realised_label],
                "y": amounts,
                "marker": {"color": [ACCENT, "#b34d00", "#1b6e2a"]},
                "customdata": [t.money(row[1]), t.money(row[2]), t.money(row[3])],
                "hovertemplate": "%{x}: %{customdata}<extra>" + t.label(track) + "</extra>",
                "xaxis": f"x{suffix}",
                "yaxis": f"y{suffix}",
            }
        )
        left = index / len(tracks)
        layout[f"xaxis{suffix}"] = figure_axis(
            domain=[left + 0.06, left + 1 / len(tracks) - 0.04], anchor=f"y{suffix}"
        )
        layout[f"yaxis{suffix}"] = money_axis(
            t, t.gettext("€ per year"), amounts, anchor=f"x{suffix}"
        )
    # Each panel's caption: its track, and the track's national potential for reference.
    layout["annotations"] = [
        {
            "text": t.gettext("%(track)s track", track=t.label(track))
            + "<br>"
            + t.gettext(
                "National potential %(range)s a year",
                range=compact_range(t, row[4], row[5]),
            ),
            "xref": "paper",
            "yref": "paper",
            "x": (index + 0.5) / len(tracks),
            "xanchor": "center",
            "y": 1.0,
            "yanchor": "bottom",
            "showarrow": False,
            "font": {"size": 14},
        }
        for index, (track, row) in enumerate(zip(tracks, rows, strict=True))
    ]
    layout["margin"] = {"l": 10, "r": 20, "t": 64, "b": 40}
    estimated = sum(row[1] for row in rows)
    proposed = sum(row[2] for row in rows)
    realised = sum(row[3] for row in rows)
    quick_potential = money_range(t, rows[0][4], rows[0][5])
    slow_potential = money_range(t, rows[1][4], rows[1][5])
    description = t.gettext(
        "Annual savings the pilots estimate, committed and proposed pilots side by side "
        "(stopped pilots count none), and those realised so far (the latest value of each "
        "savings KPI), per track, beside the remaining national savings potential of the "
        "track. Estimated %(estimated)s a year by committed pilots and %(proposed)s by "
        "proposed ones, realised %(realised)s a year. The national potential is %(quick)s on "
        "the quick track and %(slow)s on the slow track.",
        estimated=t.money(estimated),
        proposed=t.money(proposed),
        realised=t.money(realised),
        quick=quick_potential,
        slow=slow_potential,
    )
    return Chart(
        key="savings",
        title=t.gettext("Estimated and realised annual savings by track"),
        description=description,
        figure={"data": data, "layout": layout},
        columns=(
            Column("track", t.gettext("Track")),
            Column("estimated", estimated_label, "money"),
            Column("estimated_proposed", proposed_label, "money"),
            Column("realised", realised_label, "money"),
            Column("potential_low", t.gettext("National potential, low"), "money"),
            Column("potential_high", t.gettext("National potential, high"), "money"),
        ),
        rows=tuple(rows),
    )


def rag_chart(counts: Mapping[tuple[Rag | None, bool], int], t: Texts) -> Chart:
    """Pilots by their latest RAG status, each bar split into up-to-date and stale pilots."""
    statuses: list[Rag | None] = [Rag.GREEN, Rag.AMBER, Rag.RED, None]
    colours = [RAG_COLOURS[s] for s in statuses]
    fresh = [int(counts.get((s, False), 0)) for s in statuses]
    stale = [int(counts.get((s, True), 0)) for s in statuses]
    description = t.gettext(
        "Pilots by their latest status report (green, amber, red), with the stale ones, whose "
        "newest report is over 30 days old or missing while piloting, shown hatched. "
        "%(stale)s of %(total)s pilots are stale; %(red)s are red.",
        stale=t.number(sum(stale)),
        total=t.number(sum(fresh) + sum(stale)),
        red=t.number(fresh[2] + stale[2]),
    )
    return stacked_counts_chart(
        t,
        key="status",
        title=t.gettext("Status (RAG) and stale pilots"),
        description=description,
        category=Column("status", t.gettext("Status")),
        labels=[t.label(s) if s else t.gettext("No status yet") for s in statuses],
        series=[
            Series(
                column=Column("up_to_date", t.gettext("Up to date"), "count"),
                name=t.gettext("Up to date"),
                hover_name=t.gettext("up to date"),
                values=fresh,
                marker={"color": colours},
            ),
            Series(  # hatched, so that colour is not the only cue
                column=Column("stale", t.gettext("Stale"), "count"),
                name=t.gettext("Stale (no update in 30 days)"),
                hover_name=t.gettext("stale"),
                values=stale,
                marker={
                    "color": "#ffffff",
                    "line": {"color": colours, "width": 2},
                    "pattern": {"shape": "/", "fgcolor": colours},
                },
            ),
        ],
        values_title=t.gettext("Pilots"),
        horizontal=False,
        categories_axis=figure_axis(),
    )


@dataclass(frozen=True)
class TimelineItem:
    """A pilot's planned period, the days of its decisions and its next review (that of its
    newest decision, as services.due reads it)."""

    pilot_id: int
    name: str
    stage: Stage
    start: date
    end: date
    language: str = "fi"  # of the name
    decisions: tuple[date, ...] = ()
    next_review: date | None = None


DECISION_MARKER = {"color": "#1a1a1a", "symbol": "diamond", "size": 12}
REVIEW_MARKER = {"color": "#a0467d", "symbol": "triangle-down", "size": 13}
TODAY_LINE = "#b00020"


def timeline_chart(
    items: Sequence[TimelineItem],
    total: int,
    t: Texts,
    *,
    stages: Sequence[Stage] = (),
    today: date | None = None,
) -> Chart:
    """Planned start → end of pilots, coloured by stage, with each pilot's decisions and its
    next review as markers (of their own shape, named in the legend) and a line at `today`;
    `total` is how many there were in all (the caller shows a bounded number, with a link to
    the full list)."""
    data: list[dict[str, Any]] = []
    for stage in STAGE_ORDER:
        mine = [item for item in items if item.stage is stage]
        if not mine:
            continue
        # One line per pilot, from its start to its end; None breaks the line between pilots.
        xs: list[str | None] = []
        ys: list[str | None] = []
        for item in mine:
            label = _timeline_label(item)
            xs += [*days([item.start, item.end]), None]
            ys += [label, label, None]
        data.append(
            scatter(
                "lines",
                t.label(stage),
                xs,
                ys,
                line={"color": STAGE_COLOURS[stage], "width": 10},
                hovertemplate="%{y}: %{x}<extra>" + t.label(stage) + "</extra>",
            )
        )
    for name, marker, points in (
        (
            t.gettext("Decision"),
            DECISION_MARKER,
            [(day, item) for item in items for day in item.decisions],
        ),
        (
            t.gettext("Review due"),
            REVIEW_MARKER,
            [(item.next_review, item) for item in items if item.next_review],
        ),
    ):
        if points:
            data.append(
                scatter(
                    "markers",
                    name,
                    days(day for day, _ in points),
                    [_timeline_label(item) for _, item in points],
                    marker={**marker, "line": {"color": "#ffffff", "width": 1}},
                    hovertemplate="%{y}: %{x}<extra>" + name + "</extra>",
                )
            )
    shapes: list[dict[str, Any]] = []
    if today is not None and items:
        # The line across the whole plot, and a trace along it that names it in the legend
        # (a text beside the line would collide with the pilots' names on a phone).
        line = {"color": TODAY_LINE, "width": 2, "dash": "dash"}
        shapes.append(
            {
                "type": "line",
                "xref": "x",
                "x0": today.isoformat(),
                "x1": today.isoformat(),
                "yref": "paper",
                "y0": 0,
                "y1": 1,
                "line": line,
            }
        )
        name = t.gettext("Today (%(day)s)", day=t.day(today))
        data.append(
            scatter(
                "lines",
                name,
                [today.isoformat(), today.isoformat()],
                [_timeline_label(items[0]), _timeline_label(items[-1])],
                line=line,
                hovertemplate=name + "<extra></extra>",
            )
        )
    figure = None
    if items:
        figure = date_figure(
            t,
            data,
            figure_axis(
                type="category",
                autorange="reversed",
                categoryorder="array",
                categoryarray=[_timeline_label(item) for item in items],
            ),
            height=max(260, 90 + 22 * len(items)),
            showlegend=True,
            legend={"orientation": "h", "y": 1.02, "yanchor": "bottom"},
            margin={"l": 10, "r": 20, "t": 40, "b": 40},
            shapes=shapes,
        )
    stage_names = ", ".join(t.label(s) for s in stages) if stages else ""
    description = t.gettext(
        "Planned start and end of each pilot (stages: %(stages)s), coloured by stage, "
        "ending soonest first, with their decisions, their next reviews and today. "
        "%(total)s pilots in all.",
        stages=stage_names or t.gettext("all"),
        total=t.number(total),
    )
    note = ""
    if total > len(items):
        note = t.gettext(
            "Showing %(shown)s of %(total)s pilots; the pilot list has them all.",
            shown=t.number(len(items)),
            total=t.number(total),
        )
    return Chart(
        key="timeline",
        title=t.gettext("Timeline of pilots"),
        description=description,
        figure=figure,
        columns=(
            Column("pilot", t.gettext("Pilot")),
            Column("stage", t.gettext("Stage")),
            Column("start", t.gettext("Planned start"), "date"),
            Column("end", t.gettext("Planned end"), "date"),
            Column("last_decision", t.gettext("Latest decision"), "date"),
            Column("next_review", t.gettext("Review due"), "date"),
        ),
        rows=tuple(
            (
                item.name,
                t.label(item.stage),
                item.start,
                item.end,
                max(item.decisions, default=None),
                item.next_review,
            )
            for item in items
        ),
        note=note,
        link_kind="pilot",
        link_column="pilot",
        links=tuple(str(item.pilot_id) for item in items),
        link_languages=tuple(item.language for item in items),
    )


def _timeline_label(item: TimelineItem) -> str:
    # Names repeat across municipalities, so the id keeps every row of the axis distinct.
    return f"{short(item.name, 32)} #{item.pilot_id}"


def decisions_chart(counts: Mapping[tuple[int, int, Outcome], int], t: Texts) -> Chart:
    """Decisions per calendar quarter, stacked by outcome; quarters without any show as 0."""
    quarters = _quarter_range([(year, quarter) for year, quarter, _ in counts])
    series = {
        outcome: [int(counts.get((y, q, outcome), 0)) for y, q in quarters] for outcome in Outcome
    }
    description = t.gettext(
        "Go, no-go and continue decisions per quarter. %(total)s decisions: %(go)s go, "
        "%(no_go)s no-go and %(cont)s continue.",
        total=t.number(sum(sum(v) for v in series.values())),
        go=t.number(sum(series[Outcome.GO])),
        no_go=t.number(sum(series[Outcome.NO_GO])),
        cont=t.number(sum(series[Outcome.CONTINUE])),
    )
    return stacked_counts_chart(
        t,
        key="decisions",
        title=t.gettext("Decisions per quarter by outcome"),
        description=description,
        category=Column("quarter", t.gettext("Quarter")),
        labels=[t.quarter(year, quarter) for year, quarter in quarters],
        series=enum_series(t, series, OUTCOME_COLOURS),
        values_title=t.gettext("Decisions"),
        horizontal=False,
        categories_axis=figure_axis(type="category"),
    )


def _quarter_range(quarters: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    present = sorted(set(quarters))
    if not present:
        return []
    (year, quarter), last = present[0], present[-1]
    out = []
    while (year, quarter) <= last:
        out.append((year, quarter))
        year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)
    return out


def kpi_attainment_chart(
    buckets: Mapping[str, int],
    t: Texts,
    *,
    key: str = "kpi-attainment",
    title: str | None = None,
) -> Chart:
    """How far KPIs have got from baseline (0 %) to target (100 %), as a distribution."""
    names = {
        "none": t.gettext("Not measured yet"),
        "below_0": t.gettext("Below baseline (< 0 %)"),
        "0_25": "0–25 %",
        "25_50": "25–50 %",
        "50_75": "50–75 %",
        "75_100": "75–100 %",
        "100_plus": t.gettext("Target reached (≥ 100 %)"),
    }
    colours = {
        "none": "#8a8a8a",
        "below_0": "#b00020",
        "100_plus": "#1b6e2a",
    }
    values = [int(buckets.get(b, 0)) for b in ATTAINMENT_BUCKETS]
    total = sum(values)
    description = t.gettext(
        "KPIs by progress from baseline (0 %%) to target (100 %%), using each KPI's latest "
        "measurement. %(reached)s of %(measured)s measured KPIs have reached their target; "
        "%(unmeasured)s of %(total)s KPIs have no measurement yet.",
        reached=t.number(values[-1]),
        measured=t.number(total - values[0]),
        unmeasured=t.number(values[0]),
        total=t.number(total),
    )
    return counts_chart(
        t,
        key=key,
        title=title or t.gettext("KPI attainment"),
        description=description,
        category=Column("progress", t.gettext("Progress towards target")),
        count=Column("kpis", t.gettext("KPIs"), "count"),
        labels=[names[b] for b in ATTAINMENT_BUCKETS],
        values=values,
        colours=[colours.get(b, ACCENT) for b in ATTAINMENT_BUCKETS],
        horizontal=False,
    )


def portfolio_over_budget_chart(
    items: Sequence[OverBudget], total: int, t: Texts, *, top: int = 15
) -> Chart:
    """The pilots whose actual costs exceed their budget, most over first."""
    return over_budget_chart(
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
