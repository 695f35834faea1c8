"""The pilot page's charts: each KPI against its baseline and target, the cost shares of its
municipalities and its status history; and `pilot_charts_from`, which builds them all from
the pilot's data (dashboards.queries.pilot_dashboard_data, or `pilot_data_from` a pilot
already loaded).

Pure, as every chart module (see charts.base): plain data in, a `Chart` out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from pilot_tracker.charts.base import (
    ACCENT,
    MUTED,
    RAG_COLOURS,
    RAG_SYMBOLS,
    Chart,
    Column,
    Texts,
    date_figure,
    days,
    figure_axis,
    money_bars,
    percent_of,
    quantity,
    scatter,
)
from pilot_tracker.domain.enums import Direction, Rag
from pilot_tracker.domain.kpi import kpi_progress

if TYPE_CHECKING:
    from pilot_tracker.models import Pilot


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
    baseline = quantity(t, kpi.baseline, kpi.unit)
    target = quantity(t, kpi.target, kpi.unit)
    figure = None
    if points:
        lines = [
            (t.gettext("Baseline"), kpi.baseline, MUTED, "dash"),
            (t.gettext("Target"), kpi.target, "#1b6e2a", "dot"),
        ]
        measured = scatter(
            "lines+markers",
            kpi.name,
            days(d for d, _ in points),
            [float(v) for _, v in points],
            line={"color": ACCENT, "width": 3},
            marker={"size": 8},
            hovertemplate="%{x}: %{y}" + unit + "<extra></extra>",
        )
        figure = date_figure(
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
                    "text": f"{name} {quantity(t, value, kpi.unit)}",
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
        latest = quantity(t, latest_value, kpi.unit)
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
        figure = money_bars(
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
            scatter(
                "lines",
                t.gettext("Progress"),
                days(u.reported_on for u in ordered),
                [u.progress_percent for u in ordered],
                line={"color": MUTED, "width": 2},
                hoverinfo="skip",
            )
        ]
        for rag in Rag:
            mine = [u for u in ordered if u.rag is rag]
            if mine:
                data.append(
                    scatter(
                        "markers",
                        t.label(rag),
                        days(u.reported_on for u in mine),
                        [u.progress_percent for u in mine],
                        marker={"color": RAG_COLOURS[rag], "symbol": RAG_SYMBOLS[rag], "size": 12},
                        hovertemplate="%{x}: %{y} %<extra>" + t.label(rag) + "</extra>",
                    )
                )
        figure = date_figure(
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


@dataclass(frozen=True)
class PilotCharts:
    """The pilot page's charts and what the partial needs to link their CSVs."""

    pilot_id: int
    charts: list[Chart]

    def __iter__(self) -> Any:
        return iter(self.charts)

    def get(self, key: str) -> Chart | None:
        """The chart with this key, or None."""
        return next((c for c in self.charts if c.key == key), None)


def pilot_charts_from(data: dict[str, Any], t: Texts, language: str) -> PilotCharts:
    """The pilot's KPI charts, cost shares and status history, from pilot_dashboard_data."""
    pilot = data["pilot"]
    built: list[Chart] = [
        kpi_chart(
            KpiSeries(
                kpi_id=k["id"],
                name=k["name"],
                unit=k["unit"],
                baseline=k["baseline"],
                target=k["target"],
                direction=Direction(k["direction"]),
                measurements=k["measurements"],
            ),
            t,
        )
        for k in data["kpis"]
    ]
    name_key = "name_sv" if language == "sv" else "name_fi"
    built.append(
        cost_shares_chart(
            [Share(p["code"], p[name_key], p["share_cents"]) for p in data["participants"]],
            pilot["net_cost_cents"],
            t,
        )
    )
    built.append(
        status_history_chart(
            [
                StatusPoint(u["reported_on"], Rag(u["rag"]), u["progress_percent"])
                for u in data["status_updates"]
            ],
            t,
        )
    )
    return PilotCharts(pilot_id=pilot["id"], charts=built)


def chart_input(
    pilot: Any,
    net_cost: int,
    participants: Iterable[tuple[str, str, str, int]],
    kpis: Iterable[Any],
    series: Mapping[int, list[tuple[Any, Any]]],
    updates: Iterable[tuple[Any, Any, Any]],
) -> dict[str, Any]:
    """The pilot charts' input (pilot_dashboard_data's shape), from the pilot's columns, its
    net cost, its participants as (code, name_fi, name_sv, share), its KPIs with each one's
    measurements as (date, value) by id, and its status updates as (date, RAG, progress)."""
    return {
        "pilot": {
            "id": pilot.id,
            "name": pilot.name,
            "budget_cents": pilot.budget_cents,
            "external_funding_cents": pilot.external_funding_cents,
            "net_cost_cents": net_cost,
            "estimated_annual_savings_cents": pilot.estimated_annual_savings_cents,
        },
        "participants": [
            {"code": code, "name_fi": fi, "name_sv": sv, "share_cents": share}
            for code, fi, sv, share in participants
        ],
        "kpis": [
            {
                "id": k.id,
                "name": k.name,
                "unit": k.unit,
                "baseline": k.baseline,
                "target": k.target,
                "direction": k.direction,
                "is_savings": k.is_savings,
                "latest_value": k.latest_value,
                "latest_on": k.latest_on,
                "measurements": series[k.id],
            }
            for k in kpis
        ],
        "status_updates": [
            {"reported_on": day, "rag": rag, "progress_percent": progress}
            for day, rag, progress in updates
        ],
    }


def pilot_data_from(pilot: Pilot) -> dict[str, Any]:
    """pilot_dashboard_data's shape from a pilot whose participations (with municipalities),
    KPIs (with measurements) and status updates are loaded already: no query at all."""
    kpis = sorted(pilot.kpis, key=lambda k: k.id)
    return chart_input(
        pilot,
        pilot.net_cost_cents,
        (
            (p.municipality_code, p.municipality.name_fi, p.municipality.name_sv, p.share_cents)
            for p in sorted(pilot.participations, key=lambda p: p.municipality_code)
        ),
        kpis,
        {
            k.id: [
                (m.measured_on, m.value)
                for m in sorted(k.measurements, key=lambda m: (m.measured_on, m.id))
            ]
            for k in kpis
        },
        (
            (u.reported_on, u.rag, u.progress_percent)
            for u in sorted(pilot.status_updates, key=lambda u: (u.reported_on, u.id))
        ),
    )


def pilot_charts_for(pilot: Pilot, t: Texts, language: str) -> PilotCharts:
    """The pilot page's charts from the pilot it has loaded (participations with their
    municipalities, KPIs with measurements, status updates): no extra queries."""
    return pilot_charts_from(pilot_data_from(pilot), t, language)
