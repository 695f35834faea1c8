"""Frozen pictures of a pilot: what deciders saw, and what a deletion removed."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from pilot_tracker.domain.enums import Gate
from pilot_tracker.domain.money import format_cents
from pilot_tracker.extensions import db
from pilot_tracker.models import Kpi, MunicipalDecision, Participation, Pilot
from pilot_tracker.services import audit, feedback
from pilot_tracker.services.pilots import pilot_options, pilot_values


def decision_snapshot(pilot: Pilot, kpis: list[Kpi]) -> dict[str, Any]:
    """KPIs (latest value and progress) and costs (shares) as they are now."""
    percents = pilot.share_percentages()
    return {
        "stage": pilot.stage.value,
        "budget_eur": format_cents(pilot.budget_cents),
        "external_funding_eur": format_cents(pilot.external_funding_cents),
        "net_cost_eur": format_cents(pilot.net_cost_cents),
        "estimated_annual_savings_eur": format_cents(pilot.estimated_annual_savings_cents),
        "split_method": pilot.split_method.value,
        "equal_percent": None if pilot.equal_percent is None else f"{pilot.equal_percent:.2f}",
        "participants": [
            {
                "code": p.municipality_code,
                "name": p.municipality.name_fi,
                "share_eur": format_cents(p.share_cents),
                "share_percent": str(percents.get(p.municipality_code, "")),
            }
            for p in pilot.participations
        ],
        "kpis": [
            {
                "id": k.id,
                "name": k.name,
                "unit": k.unit,
                "baseline": str(k.baseline),
                "target": str(k.target),
                "direction": k.direction.value,
                "is_savings": k.is_savings,
                "latest_value": None if k.latest_value is None else str(k.latest_value),
                "latest_on": None if k.latest_on is None else k.latest_on.isoformat(),
                "progress_percent": _progress(k),
            }
            for k in kpis
        ],
        # The residents' satisfaction KPI as the deciders saw it (ratings only, no text).
        "resident_satisfaction": feedback.as_plain(
            feedback.summary(pilot.id, {p.municipality_code for p in pilot.current_participations})
        ),
    }


def municipal_snapshot(pilot_id: int, gate: Gate) -> list[dict[str, Any]]:
    """Each municipality's own decisions at `gate` so far, as the steering group saw them."""
    rows = db.session.scalars(
        sa.select(MunicipalDecision)
        .where(MunicipalDecision.pilot_id == pilot_id, MunicipalDecision.gate == Gate(gate))
        .order_by(MunicipalDecision.municipality_code, MunicipalDecision.decided_on)
    )
    return [
        {
            "code": d.municipality_code,
            "outcome": d.outcome.value,
            "body": d.body.value,
            "date": d.decided_on.isoformat(),
            "section": d.section,
        }
        for d in rows
    ]


def _progress(kpi: Kpi) -> str | None:
    value = kpi.progress_percent
    return None if value is None else str(value)


def pilot_full_record(pilot_id: int) -> dict[str, Any]:
    """Everything a pilot holds, for the audit entry of its deletion."""
    pilot = db.session.scalars(
        sa.select(Pilot)
        .where(Pilot.id == pilot_id)
        .options(
            *pilot_options(),
            selectinload(Pilot.kpis).selectinload(Kpi.measurements),
            selectinload(Pilot.status_updates),
            selectinload(Pilot.decisions),
        )
    ).one()
    record = pilot_values(pilot)
    record["kpis"] = [
        {
            **audit.row_values(k),
            "measurements": [audit.row_values(m) for m in k.measurements],
        }
        for k in pilot.kpis
    ]
    record["status_updates"] = [audit.row_values(s) for s in pilot.status_updates]
    record["decisions"] = [audit.row_values(d) for d in pilot.decisions]
    return record


__all__ = ["Participation", "decision_snapshot", "pilot_full_record"]
