"""Actual costs (*toteutuneet kustannukset*): the one place every figure reads them from.

Cost entries do not exist yet (they come with the cost-entry work, PRODUCT.md "Actual
costs"): until then every pilot's actual cost is 0 € and these functions return zero without
asking the database. The cost-entry work replaces only their bodies; the money service, the
dashboards and the API call nothing else for actual costs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import sqlalchemy as sa

# Narrows a select over Pilot to the pilots a figure covers (filters, the user's scope).
PilotScope = Callable[[sa.Select[Any]], sa.Select[Any]]


def actual_cost_cents(scope: PilotScope) -> int:
    """All cost entries of the pilots in `scope`, in cents (VAT-free). Zero until cost
    entries exist."""
    return 0


def actual_cost_by_year(scope: PilotScope) -> dict[int, int]:
    """The pilots' actual costs by the calendar year of each entry's date. Empty (zero)
    until cost entries exist."""
    return {}


def actual_cost_by_pilot(pilot_ids: Iterable[int]) -> dict[int, int]:
    """Each pilot's actual cost in cents (absent: zero). Empty until cost entries exist."""
    return {}


def municipality_actual_by_pilot(code: str) -> dict[int, int]:
    """The municipality's shares of each pilot's actual costs, in cents (absent: zero).
    Empty until cost entries exist."""
    return {}


def municipality_actual_by_year(code: str) -> dict[int, int]:
    """The municipality's shares of actual costs by the year of each entry's date. Empty
    until cost entries exist."""
    return {}
