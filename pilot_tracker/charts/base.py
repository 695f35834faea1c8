"""The charts' building blocks: `Chart` and `Column` (a figure with the rows it was drawn
from), the `Texts` a chart takes its words and number formats from, the app's colours, and
the figure parts every chart module composes (layout, axes, bars, lines, counts charts).

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
from math import ceil, floor
from typing import TYPE_CHECKING, Any, Protocol

from pilot_tracker.domain.enums import Outcome, Rag, Stage, Track
from pilot_tracker.domain.money import round_half_up
from pilot_tracker.language import formats

if TYPE_CHECKING:
    from pilot_tracker.services.cost_overview import OverBudget

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
ACTUAL = "#1b6e2a"  # actual costs
FORECAST = "#b34d00"
OVER = "#a4262c"  # over budget

MAX_LABEL = 40


class Texts(Protocol):
    """What a chart needs from the page's language; the app passes a Flask-Babel one."""

    separators: str  # Plotly's decimal mark and thousands separator, e.g. ", " in Finnish

    def gettext(self, msgid: str, **variables: Any) -> str: ...

    def label(self, value: Enum | None) -> str: ...

    def money(self, cents: int) -> str: ...

    def number(self, value: int | Decimal | float, digits: int | None = None) -> str: ...

    def day(self, value: date) -> str: ...

    def compact_money(self, euros: float) -> str: ...

    def quarter(self, year: int, number: int) -> str: ...


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

    def compact_money(self, euros: float) -> str:
        return formats.compact_money(euros, "en")

    def quarter(self, year: int, number: int) -> str:
        return formats.quarter(year, number, "en")


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


def short(text: str, limit: int = MAX_LABEL) -> str:
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


def enum_counts(counts: Mapping[Any, int], keys: Iterable[Any]) -> list[int]:
    return [int(counts.get(key, 0)) for key in keys]


def money_range(t: Texts, low_cents: int, high_cents: int) -> str:
    return f"{t.money(low_cents)} – {t.money(high_cents)}"


def quantity(t: Texts, value: Decimal, unit: str) -> str:
    """A number with its unit, if it has one: "12.5 pcs"."""
    return f"{t.number(value)} {unit}" if unit else t.number(value)


def days(days: Iterable[date]) -> list[str]:
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


def nice_ticks(low: float, high: float, intervals: int = 5) -> list[float]:
    """Round tick values from at or below `low` (at most 0) to at or above `high`: steps of
    1, 2 or 5 times a power of ten, the smallest that needs no more than about `intervals`
    of them (so from two to six). Exact fractions, so no tick reads 0.30000000000000004."""
    low, high = min(low, 0.0), max(high, 0.0)
    if high == low:
        high = low + 1
    raw = Fraction(high - low) / intervals
    power = Fraction(10) ** _power_of_ten(raw)
    step = next(m * power for m in (1, 2, 5, 10) if raw <= m * power)
    first = floor(Fraction(low) / step)
    last = ceil(Fraction(high) / step)
    return [float(i * step) for i in range(first, last + 1)]


def _power_of_ten(value: Fraction) -> int:
    """The power of ten at or below a positive `value`, exactly (no float rounding)."""
    power = 0
    while Fraction(10) ** (power + 1) <= value:
        power += 1
    while Fraction(10) ** power > value:
        power -= 1
    return power


def money_axis(t: Texts, title: str, euro_values: Iterable[float], **extra: Any) -> dict[str, Any]:
    """A value axis of euros with round ticks written as the language shortens money
    (`1,5 milj. €`, `1,5 mn €`, `€1.5m`): Plotly's own "1.5M" or Finnish "0,5B" (for a
    billion, G in SI) reads as no language does, so the texts are made here."""
    values = list(euro_values)
    ticks = nice_ticks(min(values, default=0.0), max(values, default=0.0))
    # A little room past the last tick, so that its label stays inside the plot's edge.
    headroom = (ticks[-1] - ticks[0]) * 0.04
    return figure_axis(
        title,
        tickmode="array",
        tickvals=ticks,
        ticktext=[t.compact_money(v) for v in ticks],
        range=[ticks[0], ticks[-1] + headroom],
        **extra,
    )


# Up to this largest count Plotly would step a count axis by 0.5 or less (it aims at up to
# ten ticks, and charts.js at up to eleven on phones), so such axes step by 1 instead. Above
# it Plotly's own step is a whole number, and charts.js may still thin the ticks on phones.
WHOLE_STEP_UP_TO = 5


def count_axis(title: str, largest: int) -> dict[str, Any]:
    """A value axis that counts things (pilots, decisions, KPIs): ticks on whole numbers
    only, from 0; `largest` is the longest bar (the largest stack when stacked)."""
    axis = figure_axis(title, rangemode="tozero", tickformat=",d")
    if largest <= WHOLE_STEP_UP_TO:
        axis.update(tick0=0, dtick=1)
    return axis


def bar(
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
        bar(
            labels,
            [euros(c) for c in cents],
            name=name,
            hover_name=name,
            money=True,
            marker={"color": colour},
        )
        for _, name, cents, colour in series
    ]
    return bar_figure(
        t,
        bars,
        horizontal=False,
        values_axis=money_axis(t, "", (euros(c) for _, _, cents, _ in series for c in cents)),
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


def bar_figure(
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


def money_bars(
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
    bars = bar(
        labels, [euros(c) for c in cents], horizontal=True, money=True, marker={"color": colour}
    )
    return bar_figure(
        t,
        [bars],
        horizontal=True,
        values_axis=money_axis(t, axis_title, (euros(c) for c in cents)),
        categories_axis=categories_axis,
        height=height,
    )


def scatter(mode: str, name: str, x: list[Any], y: list[Any], **style: Any) -> dict[str, Any]:
    return {"type": "scatter", "mode": mode, "name": name, "x": x, "y": y, **style}


def date_figure(
    t: Texts, data: list[dict[str, Any]], yaxis: dict[str, Any], height: int = 300, **extra: Any
) -> dict[str, Any]:
    """A figure of traces over time: dates along the x axis."""
    layout = figure_layout(t, height=height, xaxis=figure_axis(type="date"), yaxis=yaxis, **extra)
    return {"data": data, "layout": layout}


# --- charts of counts (used by several charts below) -------------------------------------


def counts_chart(
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
        bars = bar(
            labels,
            values,
            horizontal=horizontal,
            text=[t.number(v) for v in values],
            marker={"color": colours},
        )
        figure = bar_figure(
            t,
            [bars],
            horizontal=horizontal,
            values_axis=count_axis(count.label, max(values)),
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
class Series:
    """One series of a stacked bar chart: its bars, legend entry and table column."""

    column: Column
    name: str  # in the legend
    hover_name: str  # in the hover text, after the category
    values: list[int]
    marker: dict[str, Any]


def enum_series(
    t: Texts, values: Mapping[Any, list[int]], colours: Mapping[Any, str]
) -> list[Series]:
    """A series per enum member (a track, an outcome) in the order of `values`."""
    return [
        Series(
            Column(member.value, t.label(member), "count"),
            t.label(member),
            t.label(member),
            counts,
            {"color": colours[member]},
        )
        for member, counts in values.items()
    ]


def stacked_counts_chart(
    t: Texts,
    *,
    key: str,
    title: str,
    description: str,
    category: Column,
    labels: list[str],
    series: Sequence[Series],
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
            bar(
                labels,
                s.values,
                horizontal=horizontal,
                name=s.name,
                hover_name=s.hover_name,
                marker=s.marker,
            )
            for s in series
        ]
        figure = bar_figure(
            t,
            bars,
            horizontal=horizontal,
            values_axis=count_axis(values_title, max(totals)),
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


# --- pilots over budget (a portfolio's and a municipality's) ---------------------------


def over_budget_chart(
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
    """Pilots over budget, most over first: the `top` of them (of `total`) as bars of how
    much over, the table with their planned and actual costs (services.cost_overview)."""
    shown = list(items)[:top]
    figure = None
    if shown:
        figure = money_bars(
            t,
            [f"{short(p.name, 32)} #{p.pilot_id}" for p in shown],
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
