"""Actual costs (*toteutuneet kustannukset*): the one seam every money figure reads them from.

The money service, the dashboards and the API call these; the queries themselves are in
services/cost_queries.py over the figures the costs service keeps current.
"""

from __future__ import annotations

from pilot_tracker.services.cost_queries import (
    PilotScope,
    actual_cost_by_pilot,
    actual_cost_by_year,
    actual_cost_cents,
    municipality_actual_by_pilot,
    municipality_actual_by_year,
)

__all__ = [
    "PilotScope",
    "actual_cost_by_pilot",
    "actual_cost_by_year",
    "actual_cost_cents",
    "municipality_actual_by_pilot",
    "municipality_actual_by_year",
]
