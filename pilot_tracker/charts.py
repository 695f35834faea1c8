"""Dashboard charts as plain Plotly figure dicts, built from aggregated data.

Pure: plain data in, a `Chart` out; no database, no Flask. A `Chart` carries the figure and
the rows it was drawn from, so the "show as table" alternative and the CSV download hold
exactly the numbers of the chart, and a text description with the headline number.

Figures are plain dicts rather than `plotly.graph_objects`: the first `go.Figure()` of a
process costs about 110 ms of validation, and the JSON is the same. Every trace type used
here (bar, scatter) is in the partial `plotly.js-basic-dist-min` bundle the app serves.

Words and number formats come from a `Texts` object (gettext, enum labels, money and number
formatting in the page's language); `PlainTexts` is an English stand-in for tests and tools.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import Enum
from fractions import Fraction
from typing import Any, Protocol

from pilot_tracker.domain.enums import (
    NATIONAL_POTENTIAL_EUR,
    Direction,
    Outcome,
    Rag,
    Stage,
    Theme,
    Track,
)
from pilot_tracker.domain.kpi import attainment_bucket, kpi_progress
from pilot_tracker.domain.money import round_half_up
from pilot_tracker.domain.stages import ORDER as STAGE_ORDER

# Colours with at least 3:1 contrast on white (WCAG 1.4.11 for graphics); every chart also
# names its categories in text (axis labels, legend, table), so colour is never the only cue.
STAGE_COLOURS: dict[Stage, str] = {
    Stage.IDEA: "#6f6f6f",
    Stage.PLANNING: "#0072b2",
    Stage.PILOTING: "#00477a",
    Stage.EVALUATION: "#a0467d",
    Stage.SCALING: "#1b6e2a",
    Stage.STOPPED: "#b00020",
}
TRACK_COLOURS: dict[Track, str] = {Track.QUICK: "#0072b2", Track.SLOW: "#b34d00"}
OUTCOME_COLOURS: dict[Outcome, str] = {
    Outcome.GO: "#1b6e2a",
    Outcome.NO_GO: "#b00020",
    Outcome.CONTINUE: "#6f6f6f",
}
RAG_COLOURS: dict[Rag | None, str] = {
    Rag.GREEN: "#1b6e2a",
    Rag.AMBER: "#b36b00",
    Rag.RED: "#b00020",
    None: "#6f6f6f",
}
RAG_SYMBOLS: dict[Rag, str] = {Rag.GREEN: "circle", Rag.AMBER: "diamond", Rag.RED: "x"}
ACCENT = "#00477a"
MUTED = "#6f6f6f"

# KPI attainment buckets: progress from baseline (0 %) to target (100 %), not clamped.
ATTAINMENT_BUCKETS: tuple[str, ...] = (
    "none",
    "below_0",
    "0_25",
    "25_50",
    "50_75",
    "75_100",
    "100_plus",
)
ACTIVE_STAGES: tuple[Stage, ...] = (Stage.PLANNING, Stage.PILOTING, Stage.EVALUATION)
MAX_LABEL = 40


class Texts(Protocol):
    """What a chart needs from the page's language; the app passes a Flask-Babel one."""

    separators: str  # Plotly's decimal mark and thousands separator, e.g. ", " in Finnish

    def gettext(self, msgid: str, **variables: Any) -> str: ...

    def label(self, value: Enum | None) -> str: ...

    def money(self, cents: int) -> str: ...

    def number(self, value: int | Decimal | float, digits: int | None = None) -> str: ...

    def day(self, value: date) -> str: ...


class PlainTexts:
    """English without translation: for tests, the benchmark and other tools."""

    separators = ".,"

    def gettext(self, msgid: str, **variables: Any) -> str:
        return msgid % variables if variables else msgid

    def label(self, value: Enum | None) -> str:
        return "–" if value is None else str(value.value)

    def money(self, cents: int) -> str:
        sign = "-" if cents < 0 else ""
        euros, rest = divmod(abs(cents), 100)
        return f"{sign}€{euros:,}.{rest:02d}"

    def number(self, value: int | Decimal | float, digits: int | None = None) -> str:
        if digits is None:
            return f"{value:,}"
        return f"{value:,.{digits}f}"

    def day(self, value: date) -> str:
        return value.isoformat()


@dataclass(frozen=True)
class Column:
    """A table column; `kind` tells the template and the CSV how to write its values.

    Kinds: text, count (int), money (int cents), percent (Decimal), number (Decimal), date.
    """

    key: str
    label: str
    kind: str = "text"


@dataclass(frozen=True)
class Chart:
    """One chart: title, description with the headline number, figure, and its data."""

    key: str
    title: str
    description: str
    figure: dict[str, Any] | None
    columns: tuple[Column, ...]
    rows: tuple[tuple[Any, ...], ...]
    note: str = ""
    # Optional links from the table's `link_column`: per row, the id of what it names
    # (a municipality code or a pilot id, as `link_kind` says) or None.
    link_kind: str = ""
    link_column: str = ""
    links: tuple[str | None, ...] = field(default=())
    # Per row, the language its `link_column` text is written in (a pilot's name), or None:
    # the table marks it with lang= when it differs from the page's (WCAG 3.1.2).
    link_languages: tuple[str | None, ...] = field(default=())

    @property
    def has_data(self) -> bool:
        """True when there is something to draw."""
        return self.figure is not None

    def column_values(self, key: str) -> list[Any]:
        """Every row's value in the column `key` (handy for tests and CSV checks)."""
        index = [c.key for c in self.columns].index(key)
        return [row[index] for row in self.rows]


# --- small helpers -----------------------------------------------------------------------


def euros(cents: int) -> float:
    """Cents as euros for a figure (a float is fine for drawing; tables keep the cents)."""
    return cents / 100


def _short(text: str, limit: int = MAX_LABEL) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def per_resident_cents(total_cents: int, population: int) -> int | None:
    """A cost per resident in cents, rounded half-up; None without a population."""
    if population <= 0:
        return None
    return int(round_half_up(Fraction(total_cents, population), 0))


def percent_of(part: int, whole: int) -> Decimal | None:
    """`part` as a percentage of `whole`, half-up to two places; None when whole is 0."""
    if whole == 0:
        return None
    return round_half_up(Fraction(part * 100, whole), 2)


def _enum_counts(counts: Mapping[Any, int], keys: Iterable[Any]) -> list[int]:
    return [int(counts.get(key, 0)) for key in keys]


def _money_range(t: Texts, low_cents: int, high_cents: int) -> str:
    return f"{t.money(low_cents)} – {t.money(high_cents)}"


def _quantity(t: Texts, value: Decimal, unit: str) -> str:
    """A number with its unit, if it has one: "12.5 pcs"."""
    return f"{t.number(value)} {unit}" if unit else t.number(value)


def _days(days: Iterable[date]) -> list[str]:
    return [day.isoformat() for day in days]


# --- figure parts ------------------------------------------------------------------------


def figure_layout(t: Texts, height: int = 340, **extra: Any) -> dict[str, Any]:
    """A figure's layout in the app's style; `extra` adds keys or replaces these.

    static/js/charts.js fits the layout to the chart's width when it draws (legend, margins,
    width, wrapped labels); these are the values it starts from, and the ones drawn as they
    are where a chart has no width yet.
    """
    layout: dict[str, Any] = {
        "separators": t.separators,
        "height": height,
        "autosize": True,
        "margin": {"l": 10, "r": 20, "t": 20, "b": 40},
        "font": {"family": "system-ui, -apple-system, Segoe UI, Roboto, sans-serif", "size": 13},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "showlegend": False,
        "legend": {"orientation": "h", "y": -0.2},
        "hoverlabel": {"namelength": -1},
    }
    layout.update(extra)
    return layout


def figure_axis(title: str = "", **extra: Any) -> dict[str, Any]:
    """An axis in the app's style, with its title if it has one."""
    axis: dict[str, Any] = {"automargin": True, "gridcolor": "#dddddd", "zerolinecolor": "#888"}
    if title:
        axis["title"] = {"text": title}
    axis.update(extra)
    return axis


# Up to this largest count Plotly would step a count axis by 0.5 or less (it aims at up to
# ten ticks, and charts.js at up to eleven on phones), so such axes step by 1 instead. Above
# it Plotly's own step is a whole number, and charts.js may still thin the ticks on phones.
WHOLE_STEP_UP_TO = 5


def _count_axis(title: str, largest: int) -> dict[str, Any]:
    """A value axis that counts things (pilots, decisions, KPIs): ticks on whole numbers
    only, from 0; `largest` is the longest bar (the largest stack when stacked)."""
    axis = figure_axis(title, rangemode="tozero", tickformat=",d")
    if largest <= WHOLE_STEP_UP_TO:
        axis.update(tick0=0, dtick=1)
    return axis


def _bar(
    categories: Sequence[str],
    values: Sequence[int | float],
    *,
    marker: dict[str, Any],
    horizontal: bool = False,
    name: str | None = None,
    hover_name: str = "",
    money: bool = False,
    text: Sequence[str] | None = None,
) -> dict[str, Any]:
    """A bar trace: `categories` along the x axis (the y axis when `horizontal`), `values`
    across; hovering tells "category, hover_name: value" (in euros when `money`)."""
    along, across = ("y", "x") if horizontal else ("x", "y")
    trace: dict[str, Any] = {"type": "bar"}
    if horizontal:
        trace["orientation"] = "h"
    if name is not None:
        trace["name"] = name
    trace[along] = categories
    trace[across] = values
    if text is not None:
        trace["text"] = text
        trace["textposition"] = "auto"
    trace["marker"] = marker
    category = f"%{{{along}}}, {hover_name}" if hover_name else f"%{{{along}}}"
    value = f"%{{{across}:,.2f}} €" if money else f"%{{{across}}}"
    trace["hovertemplate"] = f"{category}: {value}<extra></extra>"
    return trace


def _grouped_money_bars(
    t: Texts, labels: list[str], series: list[tuple[str, str, list[int], str]]
) -> dict[str, Any]:
    """Vertical bars side by side, one series of cents each (key, name, cents, colour)."""
    bars = [
        _bar(
            labels,
            [euros(c) for c in cents],
            name=name,
            hover_name=name,
            money=True,
            marker={"color": colour},
        )
        for _, name, cents, colour in series
    ]
    return _bar_figure(
        t,
        bars,
        horizontal=False,
        values_axis=figure_axis("€", rangemode="tozero"),
        categories_axis=figure_axis(type="category"),
        barmode="group",
        showlegend=True,
    )


MoneySeries = tuple[str, str, list[int], str]  # key, name, cents by category, colour


def grouped_money_chart(
    t: Texts,
    *,
    key: str,
    title: str,
    description: str,
    category: Column,
    labels: list[str],
    series: list[MoneySeries],
    note: str = "",
    draw: bool | None = None,
) -> Chart:
    """Money series side by side over categories (years, tracks): the bars, and the table
    (and CSV) with the category first and one money column a series. `draw` None: drawn when
    any amount is not zero."""
    if draw is None:
        draw = any(any(cents) for _, _, cents, _ in series)
    return Chart(
        key=key,
        title=title,
        description=description,
        figure=_grouped_money_bars(t, labels, series) if draw else None,
        columns=(category, *(Column(k, name, "money") for k, name, _, _ in series)),
        rows=tuple(
            (label, *(cents[i] for _, _, cents, _ in series)) for i, label in enumerate(labels)
        ),
        note=note,
    )


def _bar_figure(
    t: Texts,
    bars: list[dict[str, Any]],
    *,
    horizontal: bool,
    values_axis: dict[str, Any],
    categories_axis: dict[str, Any],
    **layout: Any,
) -> dict[str, Any]:
    """A figure of bar traces; the values' axis is x when the bars are horizontal."""
    xaxis, yaxis = (values_axis, categories_axis) if horizontal else (categories_axis, values_axis)
    return {"data": bars, "layout": figure_layout(t, **layout, xaxis=xaxis, yaxis=yaxis)}


def _money_bars(
    t: Texts,
    labels: Sequence[str],
    cents: Sequence[int],
    colour: str | list[str],
    *,
    axis_title: str,
    height: int,
    categories_axis: dict[str, Any],
) -> dict[str, Any]:
    """Horizontal bars of amounts in euros, the first at the top."""
    bars = _bar(
        labels, [euros(c) for c in cents], horizontal=True, money=True, marker={"color": colour}
    )
    return _bar_figure(
        t,
        [bars],
        horizontal=True,
        values_axis=figure_axis(axis_title, rangemode="tozero"),
        categories_axis=categories_axis,
        height=height,
    )


def _scatter(mode: str, name: str, x: list[Any], y: list[Any], **style: Any) -> dict[str, Any]:
    return {"type": "scatter", "mode": mode, "name": name, "x": x, "y": y, **style}


def _date_figure(
    t: Texts, data: list[dict[str, Any]], yaxis: dict[str, Any], height: int = 300, **extra: Any
) -> dict[str, Any]:
    """A figure of traces over time: dates along the x axis."""
    layout = figure_layout(t, height=height, xaxis=figure_axis(type="date"), yaxis=yaxis, **extra)
    return {"data": data, "layout": layout}


# --- charts of counts (used by several charts below) -------------------------------------


def _counts_chart(
    t: Texts,
    *,
    key: str,
    title: str,
    description: str,
    category: Column,
    count: Column,
    labels: list[str],
    values: list[int],
    colours: list[str],
    horizontal: bool,
) -> Chart:
    """One bar per category with its count written on it, and the table of the counts.

    Horizontal bars read top down in the categories' order (a funnel); vertical ones left to
    right. No figure when every count is 0.
    """
    figure = None
    if sum(values):
        bars = _bar(
            labels,
            values,
            horizontal=horizontal,
            text=[t.number(v) for v in values],
            marker={"color": colours},
        )
        figure = _bar_figure(
            t,
            [bars],
            horizontal=horizontal,
            values_axis=_count_axis(count.label, max(values)),
            categories_axis=(
                figure_axis(autorange="reversed") if horizontal else figure_axis(type="category")
            ),
        )
    return Chart(
        key=key,
        title=title,
        description=description,
        figure=figure,
        columns=(category, count),
        rows=tuple(zip(labels, values, strict=True)),
    )


@dataclass(frozen=True)
class _Series:
    """One series of a stacked bar chart: its bars, legend entry and table column."""

    column: Column
    name: str  # in the legend
    hover_name: str  # in the hover text, after the category
    values: list[int]
    marker: dict[str, Any]


def _enum_series(
    t: Texts, values: Mapping[Any, list[int]], colours: Mapping[Any, str]
) -> list[_Series]:
    """A series per enum member (a track, an outcome) in the order of `values`."""
    return [
        _Series(
            Column(member.value, t.label(member), "count"),
            t.label(member),
            t.label(member),
            counts,
            {"color": colours[member]},
        )
        for member, counts in values.items()
    ]


def _stacked_counts_chart(
    t: Texts,
    *,
    key: str,
    title: str,
    description: str,
    category: Column,
    labels: list[str],
    series: Sequence[_Series],
    values_title: str,
    horizontal: bool,
    categories_axis: dict[str, Any],
    height: int = 340,
) -> Chart:
    """Counts per category stacked by series, with a legend; the table has a column per
    series and their total. No figure when every count is 0."""
    totals = [sum(column) for column in zip(*(s.values for s in series), strict=True)]
    figure = None
    if sum(totals):
        bars = [
            _bar(
                labels,
                s.values,
                horizontal=horizontal,
                name=s.name,
                hover_name=s.hover_name,
                marker=s.marker,
            )
            for s in series
        ]
        figure = _bar_figure(
            t,
            bars,
            horizontal=horizontal,
            values_axis=_count_axis(values_title, max(totals)),
            categories_axis=categories_axis,
            height=height,
            barmode="stack",
            showlegend=True,
        )
    return Chart(
        key=key,
        title=title,
        description=description,
        figure=figure,
        columns=(
            category,
            *(s.column for s in series),
            Column("total", t.gettext("Total"), "count"),
        ),
        rows=tuple(
            (label, *(s.values[i] for s in series), totals[i]) for i, label in enumerate(labels)
        ),
    )


# --- portfolio ---------------------------------------------------------------------------


def stage_chart(
    counts: Mapping[Stage, int],
    t: Texts,
    *,
    key: str = "stages",
    title: str | None = None,
) -> Chart:
    """Pilots per stage in lifecycle order, as a horizontal bar that reads like a funnel."""
    values = _enum_counts(counts, STAGE_ORDER)
    description = t.gettext(
        "Number of pilots in each stage, from idea through piloting to scaling or stopped. "
        "%(total)s pilots in all, %(piloting)s of them piloting now.",
        total=t.number(sum(values)),
        piloting=t.number(int(counts.get(Stage.PILOTING, 0))),
    )
    return _counts_chart(
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
    return _stacked_counts_chart(
        t,
        key="themes",
        title=t.gettext("Pilots by theme and track"),
        description=description,
        category=Column("theme", t.gettext("Theme")),
        labels=labels,
        series=_enum_series(t, by_track, TRACK_COLOURS),
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


def municipality_cost_chart(items: Sequence[MunicipalityCost], t: Texts, *, top: int = 15) -> Chart:
    """Cost per municipality, committed and proposed side by side with the actual costs:
    the `top` largest by committed cost, the rest summed as one "others" row."""
    ordered = sorted(items, key=lambda m: (-m.committed_cents, -m.proposed_cents, m.code))
    shown = ordered[:top]
    rest = ordered[top:]
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
                sum(m.pilots for m in rest),
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
    if items:
        labels = [f"{row[1]} ({row[0]})" if row[0] else row[1] for row in rows]
        bars = [
            _bar(
                labels,
                [euros(row[index]) for row in rows],
                horizontal=True,
                name=name,
                hover_name=name,
                money=True,
                marker={"color": colour},
            )
            for _, name, index, colour in series
        ]
        figure = _bar_figure(
            t,
            bars,
            horizontal=True,
            values_axis=figure_axis(t.gettext("Net cost (€)"), rangemode="tozero"),
            categories_axis=figure_axis(autorange="reversed"),
            height=max(300, 60 + 48 * len(rows)),
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


def savings_chart(
    by_track: Mapping[Track, TrackSavings],
    t: Texts,
    *,
    potential: Mapping[Track, tuple[int, int]] = NATIONAL_POTENTIAL_EUR,
) -> Chart:
    """Estimated vs realised annual savings per track beside the national potential range.

    One panel per track: the slow track's potential is some thirty times the quick one's, so
    a shared axis would flatten the quick track to nothing.
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
    potential_label = t.gettext("National potential (range)")
    data: list[dict[str, Any]] = []
    layout = figure_layout(t, height=360, barmode="overlay")
    for index, (track, row) in enumerate(zip(tracks, rows, strict=True)):
        suffix = "" if index == 0 else str(index + 1)
        categories = [estimated_label, proposed_label, realised_label, potential_label]
        data.append(
            {
                "type": "bar",
                "name": t.label(track),
                "x": categories,
                "y": [euros(row[1]), euros(row[2]), euros(row[3]), euros(row[5] - row[4])],
                "base": [0, 0, 0, euros(row[4])],
                "marker": {
                    "color": [ACCENT, "#b34d00", "#1b6e2a", "#c9d6e3"],
                    "line": {"color": ACCENT},
                },
                "customdata": [
                    t.money(row[1]),
                    t.money(row[2]),
                    t.money(row[3]),
                    _money_range(t, row[4], row[5]),
                ],
                "hovertemplate": "%{x}: %{customdata}<extra>" + t.label(track) + "</extra>",
                "xaxis": f"x{suffix}",
                "yaxis": f"y{suffix}",
            }
        )
        left = index / len(tracks)
        layout[f"xaxis{suffix}"] = figure_axis(
            domain=[left + 0.06, left + 1 / len(tracks) - 0.04], anchor=f"y{suffix}"
        )
        layout[f"yaxis{suffix}"] = figure_axis(
            t.gettext("€ per year"), anchor=f"x{suffix}", rangemode="tozero"
        )
    layout["annotations"] = [
        {
            "text": t.gettext("%(track)s track", track=t.label(track)),
            "xref": "paper",
            "yref": "paper",
            "x": (index + 0.5) / len(tracks),
            "y": 1.0,
            "yanchor": "bottom",
            "showarrow": False,
            "font": {"size": 14},
        }
        for index, track in enumerate(tracks)
    ]
    layout["margin"] = {"l": 10, "r": 20, "t": 40, "b": 40}
    estimated = sum(row[1] for row in rows)
    proposed = sum(row[2] for row in rows)
    realised = sum(row[3] for row in rows)
    quick_potential = _money_range(t, rows[0][4], rows[0][5])
    slow_potential = _money_range(t, rows[1][4], rows[1][5])
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
    return _stacked_counts_chart(
        t,
        key="status",
        title=t.gettext("Status (RAG) and stale pilots"),
        description=description,
        category=Column("status", t.gettext("Status")),
        labels=[t.label(s) if s else t.gettext("No status yet") for s in statuses],
        series=[
            _Series(
                column=Column("up_to_date", t.gettext("Up to date"), "count"),
                name=t.gettext("Up to date"),
                hover_name=t.gettext("up to date"),
                values=fresh,
                marker={"color": colours},
            ),
            _Series(  # hatched, so that colour is not the only cue
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
    """A pilot's planned period."""

    pilot_id: int
    name: str
    stage: Stage
    start: date
    end: date
    language: str = "fi"  # of the name


def timeline_chart(
    items: Sequence[TimelineItem], total: int, t: Texts, *, stages: Sequence[Stage] = ()
) -> Chart:
    """Planned start → end of pilots, coloured by stage; `total` is how many there were in
    all (the caller shows a bounded number, with a link to the full list)."""
    data = []
    for stage in STAGE_ORDER:
        mine = [item for item in items if item.stage is stage]
        if not mine:
            continue
        # One line per pilot, from its start to its end; None breaks the line between pilots.
        xs: list[str | None] = []
        ys: list[str | None] = []
        for item in mine:
            label = _timeline_label(item)
            xs += [*_days([item.start, item.end]), None]
            ys += [label, label, None]
        data.append(
            _scatter(
                "lines",
                t.label(stage),
                xs,
                ys,
                line={"color": STAGE_COLOURS[stage], "width": 10},
                hovertemplate="%{y}: %{x}<extra>" + t.label(stage) + "</extra>",
            )
        )
    figure = None
    if items:
        figure = _date_figure(
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
        )
    stage_names = ", ".join(t.label(s) for s in stages) if stages else ""
    description = t.gettext(
        "Planned start and end of each pilot (stages: %(stages)s), coloured by stage, "
        "ending soonest first. %(total)s pilots in all.",
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
        ),
        rows=tuple((item.name, t.label(item.stage), item.start, item.end) for item in items),
        note=note,
        link_kind="pilot",
        link_column="pilot",
        links=tuple(str(item.pilot_id) for item in items),
        link_languages=tuple(item.language for item in items),
    )


def _timeline_label(item: TimelineItem) -> str:
    # Names repeat across municipalities, so the id keeps every row of the axis distinct.
    return f"{_short(item.name, 32)} #{item.pilot_id}"


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
    return _stacked_counts_chart(
        t,
        key="decisions",
        title=t.gettext("Decisions per quarter by outcome"),
        description=description,
        category=Column("quarter", t.gettext("Quarter")),
        labels=[f"{year} Q{quarter}" for year, quarter in quarters],
        series=_enum_series(t, series, OUTCOME_COLOURS),
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
    return _counts_chart(
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


# --- municipality ------------------------------------------------------------------------


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
    """A municipality's cost share per pilot: the `top` largest and the rest as "others".

    `items` may be only the largest ones; `total_cents` and `pilots` cover all of them.
    """
    ordered = sorted(items, key=lambda p: (-p.share_cents, p.pilot_id))[:top]
    rows: list[tuple[Any, ...]] = [(p.name, p.share_cents) for p in ordered]
    labels = [f"{_short(p.name, 32)} #{p.pilot_id}" for p in ordered]
    colours = [ACCENT] * len(ordered)
    links: list[str | None] = [str(p.pilot_id) for p in ordered]
    languages: list[str | None] = [p.language for p in ordered]
    rest_count = pilots - len(ordered)
    if rest_count > 0:
        others = t.gettext("Others (%(count)s pilots)", count=t.number(rest_count))
        rows.append((others, total_cents - sum(p.share_cents for p in ordered)))
        labels.append(others)
        colours.append(MUTED)
        links.append(None)
        languages.append(None)
    figure = None
    if pilots:
        figure = _money_bars(
            t,
            labels,
            [row[1] for row in rows],
            colours,
            axis_title=t.gettext("Cost share (€)"),
            height=max(260, 60 + 26 * len(rows)),
            categories_axis=figure_axis(autorange="reversed", type="category"),
        )
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


# --- pilot -------------------------------------------------------------------------------


@dataclass(frozen=True)
class KpiSeries:
    """A KPI's definition and measurements, oldest first."""

    kpi_id: int
    name: str
    unit: str
    baseline: Decimal
    target: Decimal
    direction: Direction
    measurements: Sequence[tuple[date, Decimal]]


def kpi_chart(kpi: KpiSeries, t: Texts) -> Chart:
    """A KPI's measurements over time against its baseline and target lines."""
    points = sorted(kpi.measurements, key=lambda m: m[0])
    progress = [kpi_progress(kpi.baseline, kpi.target, v, kpi.direction) for _, v in points]
    unit = f" {kpi.unit}" if kpi.unit else ""
    baseline = _quantity(t, kpi.baseline, kpi.unit)
    target = _quantity(t, kpi.target, kpi.unit)
    figure = None
    if points:
        lines = [
            (t.gettext("Baseline"), kpi.baseline, MUTED, "dash"),
            (t.gettext("Target"), kpi.target, "#1b6e2a", "dot"),
        ]
        measured = _scatter(
            "lines+markers",
            kpi.name,
            _days(d for d, _ in points),
            [float(v) for _, v in points],
            line={"color": ACCENT, "width": 3},
            marker={"size": 8},
            hovertemplate="%{x}: %{y}" + unit + "<extra></extra>",
        )
        figure = _date_figure(
            t,
            [measured],
            figure_axis(kpi.unit),
            shapes=[
                {
                    "type": "line",
                    "xref": "paper",
                    "x0": 0,
                    "x1": 1,
                    "yref": "y",
                    "y0": float(value),
                    "y1": float(value),
                    "line": {"color": colour, "dash": dash, "width": 2},
                }
                for _, value, colour, dash in lines
            ],
            annotations=[
                {
                    "text": f"{name} {_quantity(t, value, kpi.unit)}",
                    "xref": "paper",
                    "x": 1,
                    "xanchor": "right",
                    "yref": "y",
                    "y": float(value),
                    "yanchor": "bottom",
                    "showarrow": False,
                    "font": {"color": colour},
                }
                for name, value, colour, _ in lines
            ],
        )
        latest_on, latest_value = points[-1]
        latest = _quantity(t, latest_value, kpi.unit)
        latest_progress = progress[-1]
        description = t.gettext(
            "Measurements of %(name)s over time against the baseline %(baseline)s and the "
            "target %(target)s (%(direction)s). Latest %(latest)s on %(day)s: "
            "%(progress)s %% of the way to the target.",
            name=kpi.name,
            baseline=baseline,
            target=target,
            direction=t.label(kpi.direction),
            latest=latest,
            day=t.day(latest_on),
            progress=t.number(latest_progress, 1) if latest_progress is not None else "–",
        )
    else:
        description = t.gettext(
            "%(name)s has no measurements yet (baseline %(baseline)s, target %(target)s).",
            name=kpi.name,
            baseline=baseline,
            target=target,
        )
    return Chart(
        key=f"kpi-{kpi.kpi_id}",
        title=kpi.name,
        description=description,
        figure=figure,
        columns=(
            Column("date", t.gettext("Date"), "date"),
            Column("value", t.gettext("Value") + (f" ({kpi.unit})" if kpi.unit else ""), "number"),
            Column("progress", t.gettext("Progress to target (%)"), "percent"),
        ),
        rows=tuple((d, v, p) for (d, v), p in zip(points, progress, strict=True)),
    )


@dataclass(frozen=True)
class Share:
    """A participant's cost share in a pilot."""

    code: str
    name: str
    share_cents: int


def cost_shares_chart(shares: Sequence[Share], net_cost_cents: int, t: Texts) -> Chart:
    """Each participating municipality's cost share of a pilot, largest first."""
    ordered = sorted(shares, key=lambda s: (-s.share_cents, s.code))
    rows = tuple(
        (s.code, s.name, s.share_cents, percent_of(s.share_cents, net_cost_cents)) for s in ordered
    )
    figure = None
    if ordered:
        figure = _money_bars(
            t,
            [f"{s.name} ({s.code})" for s in ordered],
            [s.share_cents for s in ordered],
            ACCENT,
            axis_title=t.gettext("Cost share (€)"),
            height=max(220, 60 + 28 * len(ordered)),
            categories_axis=figure_axis(autorange="reversed", type="category"),
        )
        description = t.gettext(
            "How the net cost of %(total)s is split between the %(count)s participating "
            "municipalities; the largest share is %(name)s's %(amount)s.",
            total=t.money(net_cost_cents),
            count=t.number(len(ordered)),
            name=ordered[0].name,
            amount=t.money(ordered[0].share_cents),
        )
    else:
        description = t.gettext("The pilot has no participants yet.")
    return Chart(
        key="cost-shares",
        title=t.gettext("Cost shares by municipality"),
        description=description,
        figure=figure,
        columns=(
            Column("code", t.gettext("Code")),
            Column("municipality", t.gettext("Municipality")),
            Column("share", t.gettext("Cost share"), "money"),
            Column("percent", t.gettext("Share of net cost (%)"), "percent"),
        ),
        rows=rows,
        link_kind="municipality",
        link_column="municipality",
        links=tuple(s.code for s in ordered),
    )


@dataclass(frozen=True)
class StatusPoint:
    """One status report."""

    reported_on: date
    rag: Rag
    progress_percent: int


def status_history_chart(updates: Sequence[StatusPoint], t: Texts) -> Chart:
    """Reported progress over time; each report's RAG as a marker shape and in the legend."""
    ordered = sorted(updates, key=lambda u: u.reported_on)
    figure = None
    if ordered:
        # The line joins every report; the markers, one trace per RAG, tell their status.
        data = [
            _scatter(
                "lines",
                t.gettext("Progress"),
                _days(u.reported_on for u in ordered),
                [u.progress_percent for u in ordered],
                line={"color": MUTED, "width": 2},
                hoverinfo="skip",
            )
        ]
        for rag in Rag:
            mine = [u for u in ordered if u.rag is rag]
            if mine:
                data.append(
                    _scatter(
                        "markers",
                        t.label(rag),
                        _days(u.reported_on for u in mine),
                        [u.progress_percent for u in mine],
                        marker={"color": RAG_COLOURS[rag], "symbol": RAG_SYMBOLS[rag], "size": 12},
                        hovertemplate="%{x}: %{y} %<extra>" + t.label(rag) + "</extra>",
                    )
                )
        figure = _date_figure(
            t,
            data,
            figure_axis(t.gettext("Progress (%)"), range=[0, 105]),
            showlegend=True,
        )
        latest = ordered[-1]
        description = t.gettext(
            "Progress reported in each status update, with its RAG status. %(count)s updates; "
            "the latest on %(day)s: %(rag)s, %(progress)s %% done.",
            count=t.number(len(ordered)),
            day=t.day(latest.reported_on),
            rag=t.label(latest.rag),
            progress=t.number(latest.progress_percent),
        )
    else:
        description = t.gettext("No status updates yet.")
    return Chart(
        key="status-history",
        title=t.gettext("Status history"),
        description=description,
        figure=figure,
        columns=(
            Column("date", t.gettext("Date"), "date"),
            Column("status", t.gettext("Status")),
            Column("progress", t.gettext("Progress (%)"), "count"),
        ),
        rows=tuple((u.reported_on, t.label(u.rag), u.progress_percent) for u in ordered),
    )


__all__ = [
    "ATTAINMENT_BUCKETS",
    "Chart",
    "Column",
    "DueDecision",
    "KpiSeries",
    "MunicipalityCost",
    "MunicipalityTrack",
    "PilotCost",
    "PlainTexts",
    "Share",
    "StatusPoint",
    "Texts",
    "TimelineItem",
    "TrackSavings",
    "YearAmounts",
    "attainment_bucket",
    "cost_shares_chart",
    "decisions_chart",
    "decisions_due_table",
    "figure_axis",
    "figure_layout",
    "kpi_attainment_chart",
    "kpi_chart",
    "money_by_year_chart",
    "municipality_cost_chart",
    "municipality_savings_chart",
    "per_resident_cents",
    "percent_of",
    "pilot_cost_chart",
    "rag_chart",
    "savings_chart",
    "stage_chart",
    "status_history_chart",
    "theme_track_chart",
    "timeline_chart",
]
