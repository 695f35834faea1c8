"""Model objects as the API's plain dicts (money as "12500.00", numbers as exact strings)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from pilot_tracker.domain.commitment import commitment
from pilot_tracker.domain.enums import Outcome, SplitMethod
from pilot_tracker.domain.kpi import kpi_progress
from pilot_tracker.domain.money import format_cents
from pilot_tracker.domain.plausibility import Finding
from pilot_tracker.models import (
    CostEntry,
    Decision,
    Kpi,
    Measurement,
    Municipality,
    Pilot,
    StatusUpdate,
    Vendor,
)
from pilot_tracker.services.cost_queries import PilotCostFigures
from pilot_tracker.services.reporting import is_stale

CC_BY = {"name": "CC BY 4.0", "url": "https://creativecommons.org/licenses/by/4.0/"}


def decimal_text(value: Decimal | None) -> str | None:
    """An exact decimal without trailing zeros or exponent: 12.5000 → "12.5"."""
    if value is None:
        return None
    if value == 0:
        return "0"
    return format(value.normalize(), "f")


def municipality(m: Municipality) -> dict[str, Any]:
    return {
        "code": m.code,
        "name_fi": m.name_fi,
        "name_sv": m.name_sv,
        "region_code": m.region_code,
        "region_name": m.region_name,
        "population": m.population,
        "population_year": m.population_year,
    }


def vendor(v: Vendor) -> dict[str, Any]:
    return {
        "id": v.id,
        "name": v.name,
        "business_id": v.business_id,
        "contact_email": v.contact_email,
    }


def status_update(s: StatusUpdate) -> dict[str, Any]:
    return {
        "id": s.id,
        "pilot_id": s.pilot_id,
        "date": s.reported_on,
        "rag": s.rag,
        "progress_percent": s.progress_percent,
        "text": s.text,
        "author_id": s.author_id,
    }


def warnings(found: list[Finding]) -> list[dict[str, Any]]:
    """Plausibility warnings with the API's field names; a namesake by id and name."""
    from pilot_tracker.api.core import API_FIELD
    from pilot_tracker.catalogue import render

    items = []
    for w in found:
        item: dict[str, Any] = {
            "code": w.code,
            "field": API_FIELD.get(w.field, w.field),
            "message": render(w.message),
        }
        if w.code == "duplicate_name":
            item["namesake"] = {"id": w.params["pilot_id"], "name": w.params["name"]}
        items.append(item)
    return items


def pilot(
    p: Pilot,
    latest: StatusUpdate | None,
    today: date,
    costs: PilotCostFigures | None = None,
) -> dict[str, Any]:
    """A pilot loaded with `pilot_options()`; `latest` is its newest status update and
    `costs` its actual-cost figures (None: hidden from this user, e.g. a vendor)."""
    percents = p.share_percentages()
    actual_by_code = (costs.actual_by_code if costs else None) or {}
    forecast_by_code = (costs.forecast_by_code if costs else None) or {}

    def money(cents: int) -> str | None:
        return format_cents(cents) if costs is not None else None

    cost_split: dict[str, Any] = {"method": p.split_method}
    if p.split_method is SplitMethod.MANUAL:
        cost_split["shares"] = {
            part.municipality_code: f"{part.manual_percent or Decimal(0):.2f}"
            for part in p.current_participations
        }
    if p.split_method is SplitMethod.HYBRID:
        cost_split["equal_percent"] = f"{p.equal_percent or Decimal(0):.2f}"
    rate = p.external_funding_rate_percent
    return {
        "id": p.id,
        "uid": p.uid,
        "version": p.version,
        "name": p.name,
        "summary": p.summary,
        "theme": p.theme,
        "track": p.track,
        "stage": p.stage,
        "goals": [g.goal for g in p.goals],
        "lead_municipality": p.lead_municipality_code,
        "participants": [
            {
                "code": part.municipality_code,
                "name": part.municipality.name_fi,
                "share_percent": (
                    str(percents[part.municipality_code])
                    if part.municipality_code in percents
                    else None
                ),
                "share_eur": format_cents(part.share_cents),
                "is_lead": part.municipality_code == p.lead_municipality_code,
                "joined_on": part.joined_on,
                "left_on": part.left_on,
                "actual_eur": money(actual_by_code.get(part.municipality_code, 0)),
                "forecast_eur": money(
                    forecast_by_code.get(part.municipality_code, part.share_cents)
                ),
            }
            for part in p.participations
        ],
        "cost_split": cost_split,
        "budget_eur": format_cents(p.budget_cents),
        "external_funding_eur": format_cents(p.external_funding_cents),
        "external_funding_rate_percent": None if rate is None else f"{rate:.2f}",
        "actual_cost_eur": money(costs.actual_cents if costs else 0),
        "funded_eur": money(costs.funded_cents if costs else 0),
        "estimated_annual_savings_eur": format_cents(p.estimated_annual_savings_cents),
        "net_cost_eur": format_cents(p.net_cost_cents),
        "vendor_id": p.vendor_id,
        "vendor_name": p.vendor.name if p.vendor else None,
        "start_date": p.start_date,
        "end_date": p.end_date,
        "public": p.is_public,
        "latest_status": status_update(latest) if latest else None,
        "stale": is_stale(p, today),
        "commitment": commitment(p.stage).value,
        "created_at": p.created_at,
        "updated_at": p.updated_at,
    }


def kpi(k: Kpi) -> dict[str, Any]:
    progress = kpi_progress(k.baseline, k.target, k.latest_value, k.direction)
    return {
        "id": k.id,
        "pilot_id": k.pilot_id,
        "name": k.name,
        "unit": k.unit,
        "baseline": decimal_text(k.baseline),
        "target": decimal_text(k.target),
        "direction": k.direction,
        "is_savings": k.is_savings,
        "latest_value": decimal_text(k.latest_value),
        "latest_on": k.latest_on,
        "progress_percent": None if progress is None else format(progress, "f"),
    }


def measurement(m: Measurement) -> dict[str, Any]:
    return {
        "id": m.id,
        "kpi_id": m.kpi_id,
        "date": m.measured_on,
        "value": decimal_text(m.value),
        "note": m.note,
        "recorded_by_id": m.recorded_by_id,
    }


def decision(d: Decision) -> dict[str, Any]:
    return {
        "id": d.id,
        "pilot_id": d.pilot_id,
        "gate": d.gate,
        "outcome": d.outcome,
        "date": d.decided_on,
        "decided_by": d.decided_by,
        "rationale": d.rationale,
        "follow_up": d.follow_up,
        "next_review": d.next_review,
        "stage_before": d.stage_before,
        "stage_after": d.stage_after,
        "snapshot": d.snapshot,
        "created_at": d.created_at,
    }


def public_pilot(p: Pilot, outcomes: Iterable[Outcome]) -> dict[str, Any]:
    """Only what API.md opens to everyone: no ids, people, KPIs or cost shares."""
    return {
        "name": p.name,
        "summary": p.summary,
        "theme": p.theme,
        "track": p.track,
        "stage": p.stage,
        "municipalities": [
            {"code": part.municipality_code, "name": part.municipality.name_fi}
            for part in p.participations
        ],
        "vendor_name": p.vendor.name if p.vendor else None,
        "budget_eur": format_cents(p.budget_cents),
        "net_cost_eur": format_cents(p.net_cost_cents),
        "decision_outcomes": list(outcomes),
    }


def by_pilot(rows: Iterable[tuple[int, Any]]) -> Mapping[int, list[Any]]:
    """Group (pilot_id, value) rows, keeping their order."""
    grouped: dict[int, list[Any]] = {}
    for pilot_id, value in rows:
        grouped.setdefault(pilot_id, []).append(value)
    return grouped


def cost(entry: CostEntry) -> dict[str, Any]:
    """A cost entry loaded with its shares."""
    return {
        "id": entry.id,
        "pilot_id": entry.pilot_id,
        "date": entry.entry_date,
        "amount_eur": format_cents(entry.amount_cents),
        "kind": entry.kind,
        "reference": entry.reference,
        "description": entry.description,
        "funded_eur": format_cents(entry.funded_cents),
        "shares": [
            {"code": s.municipality_code, "share_eur": format_cents(s.share_cents)}
            for s in entry.shares
        ],
        "recorded_by_id": entry.recorded_by_id,
        "created_at": entry.created_at,
    }
