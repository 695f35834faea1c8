"""Request examples for the OpenAPI document (schemathesis also sends them as test cases)."""

from __future__ import annotations

from typing import Any

# API.md's example pilot; `vendor_id` is left out because ids differ between installations.
PILOT: dict[str, Any] = {
    "name": "Sähköinen tilavaraus",
    "summary": "Kuntien tilojen varaus verkossa",
    "theme": "facility_booking",
    "track": "quick",
    "stage": "planning",
    "goals": ["cut_costs", "resident_satisfaction"],
    "lead_municipality": "418",
    "participants": ["418", "536", "980"],
    "cost_split": {"method": "per_capita"},
    "budget_eur": "120000.00",
    "external_funding_eur": "30000.00",
    "estimated_annual_savings_eur": "45000.00",
    "start_date": "2026-01-15",
    "end_date": "2026-12-31",
    "public": True,
}
PILOT_PATCH = {"version": 1, "budget_eur": "125000.00", "stage": "piloting"}
VENDOR = {
    "name": "Kuntadigi Oy",
    "business_id": "2077474-0",
    "contact_email": "myynti@kuntadigi.example",
}
STATUS_UPDATE = {
    "rag": "amber",
    "progress_percent": 40,
    "text": "Integraatio viivästyi kaksi viikkoa; korjaussuunnitelma tehty.",
    "date": "2026-03-02",
}
KPI = {
    "name": "Vuosisäästö",
    "unit": "€/v",
    "baseline": "0",
    "target": "45000",
    "direction": "increase",
    "is_savings": True,
}
MEASUREMENT = {"date": "2026-03-31", "value": "12000", "note": "Q1"}
DECISION = {
    "gate": "midpoint",
    "outcome": "continue",
    "date": "2026-06-01",
    "decided_by": "kunnanhallitus",
    "rationale": "Käyttöaste kasvaa; jatketaan suunnitelman mukaan.",
    "follow_up": "Toimittaja raportoi kuukausittain.",
    "next_review": "2026-09-01",
}
