"""The scale-up projection as a chart: plain data in, a Plotly figure dict and its table out.

Pure like every chart module (it uses charts.base's `Chart`, `Column` and `Texts`, so the
pilot page draws it with the dashboards' chart partial, "show as table" and CSV included):
no database, no Flask. The arithmetic is domain.projection's; this module only lays it out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from pilot_tracker.charts.base import (
    Chart,
    Column,
    Texts,
    euros,
    figure_layout,
    money_axis,
)
from pilot_tracker.domain.money import round_half_up

SAVINGS_COLOUR = "#1b6e2a"  # 3:1 or more on white, like the dashboards' colours
COST_COLOUR = "#00477a"
POTENTIAL_COLOUR = "#c9d6e3"
POTENTIAL_LINE = "#6f6f6f"


@dataclass(frozen=True)
class Scenario:
    """One row of the projection: the participants as they are, or a projection onto more."""

    key: str  # "participants", "region", "national" or "codes"
    label: str
    municipalities: int
    population: int
    annual_savings_cents: int
    net_cost_cents: int


def per_resident(cents: int, population: int) -> Decimal | None:
    """Euros per resident, rounded half-up to cents; None without residents."""
    if population <= 0:
        return None
    return round_half_up(Fraction(cents, 100 * population), 2)


def projection_chart(
    scenarios: Sequence[Scenario],
    basis: str,
    potential_eur: tuple[int, int],
    track_label: str,
    t: Texts,
) -> Chart:
    """Annual savings and net cost of each scenario beside the track's national potential.

    `basis` is "realised" or "estimated" (domain.projection.choose_basis); the savings are
    labelled with it everywhere, so an estimate never reads as a measurement.
    """
    if basis == "realised":
        savings_label = t.gettext("Annual savings (realised)")
    else:
        savings_label = t.gettext("Annual savings (estimated)")
    cost_label = t.gettext("Net cost")
    potential_label = t.gettext(
        "National savings potential of the %(track)s track", track=track_label
    )
    low_cents, high_cents = potential_eur[0] * 100, potential_eur[1] * 100
    rows: list[tuple[Any, ...]] = [
        (
            s.label,
            s.municipalities,
            s.population,
            s.annual_savings_cents,
            s.net_cost_cents,
            per_resident(s.annual_savings_cents, s.population),
        )
        for s in scenarios
    ]
    rows.append(
        (t.gettext("%(what)s, low", what=potential_label), None, None, low_cents, None, None)
    )
    rows.append(
        (t.gettext("%(what)s, high", what=potential_label), None, None, high_cents, None, None)
    )
    labels = [s.label for s in scenarios]
    potential_category = t.gettext("National potential (%(track)s track)", track=track_label)
    figure = {
        "data": [
            {
                "type": "bar",
                "name": savings_label,
                "x": labels,
                "y": [euros(s.annual_savings_cents) for s in scenarios],
                "marker": {"color": SAVINGS_COLOUR},
                "customdata": [t.money(s.annual_savings_cents) for s in scenarios],
                "hovertemplate": "%{x}: %{customdata}<extra>" + savings_label + "</extra>",
            },
            {
                "type": "bar",
                "name": cost_label,
                "x": labels,
                "y": [euros(s.net_cost_cents) for s in scenarios],
                "marker": {"color": COST_COLOUR},
                "customdata": [t.money(s.net_cost_cents) for s in scenarios],
                "hovertemplate": "%{x}: %{customdata}<extra>" + cost_label + "</extra>",
            },
            {
                "type": "bar",
                "name": potential_label,
                "x": [potential_category],
                "y": [euros(high_cents - low_cents)],
                "base": [euros(low_cents)],
                "marker": {
                    "color": POTENTIAL_COLOUR,
                    "line": {"color": POTENTIAL_LINE, "width": 1},
                },
                "customdata": [f"{t.money(low_cents)} – {t.money(high_cents)}"],
                "hovertemplate": "%{x}: %{customdata}<extra></extra>",
            },
        ],
        "layout": figure_layout(
            t,
            height=380,
            barmode="group",
            showlegend=True,
            legend={"orientation": "h", "y": -0.25},
            xaxis={"automargin": True, "type": "category"},
            yaxis=money_axis(
                t,
                "",
                [euros(s.annual_savings_cents) for s in scenarios]
                + [euros(s.net_cost_cents) for s in scenarios]
                + [euros(high_cents)],
            ),
        ),
    }
    return Chart(
        key="projection",
        title=t.gettext("Scale-up projection"),
        description=_description(scenarios, basis, potential_eur, track_label, t),
        figure=figure,
        columns=(
            Column("scenario", t.gettext("Scenario")),
            Column("municipalities", t.gettext("Municipalities"), "count"),
            Column("residents", t.gettext("Residents"), "count"),
            Column("annual_savings", savings_label, "money"),
            Column("net_cost", cost_label, "money"),
            Column("savings_per_resident", t.gettext("Savings per resident (€)"), "number"),
        ),
        rows=tuple(rows),
    )


def _description(
    scenarios: Sequence[Scenario],
    basis: str,
    potential_eur: tuple[int, int],
    track_label: str,
    t: Texts,
) -> str:
    own = next((s for s in scenarios if s.key == "participants"), None)
    national = next((s for s in scenarios if s.key == "national"), None)
    potential = f"{t.money(potential_eur[0] * 100)} – {t.money(potential_eur[1] * 100)}"
    if basis == "realised":
        start = t.gettext(
            "The pilot's realised annual savings and its net cost, per resident of its "
            "participants, projected onto more municipalities in proportion to their residents."
        )
    else:
        start = t.gettext(
            "The pilot's estimated annual savings (nothing is measured yet) and its net cost, "
            "per resident of its participants, projected onto more municipalities in "
            "proportion to their residents."
        )
    parts = [start]
    if own is not None:
        parts.append(
            t.gettext(
                "Now: %(savings)s a year for a net cost of %(cost)s in %(count)s "
                "municipalities with %(residents)s residents.",
                savings=t.money(own.annual_savings_cents),
                cost=t.money(own.net_cost_cents),
                count=t.number(own.municipalities),
                residents=t.number(own.population),
            )
        )
    if national is not None:
        parts.append(
            t.gettext(
                "Scaled to the whole country: %(savings)s a year for a net cost of %(cost)s.",
                savings=t.money(national.annual_savings_cents),
                cost=t.money(national.net_cost_cents),
            )
        )
    parts.append(
        t.gettext(
            "The remaining national savings potential of the %(track)s track is %(range)s.",
            track=track_label,
            range=potential,
        )
    )
    return " ".join(parts)
