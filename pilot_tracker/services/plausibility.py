"""The plausibility warnings of a pilot (PRODUCT.md, "Plausibility"), decided in one place.

The rules are pure (`domain/plausibility.py`); this module gives them what they need from the
database (the pilots with the same name). `services/pilots.py` calls it on every create and
update; the web form turns the warnings into a confirm step, the API lists them in its
answer and the importer in its report.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from pilot_tracker.domain.plausibility import Finding, budget_warnings, namesake_warning
from pilot_tracker.extensions import db
from pilot_tracker.models import Pilot


class UnconfirmedWarnings(Exception):
    """The save raises warnings the user has not confirmed; nothing was written."""

    def __init__(self, warnings: list[Finding]) -> None:
        super().__init__("; ".join(w.message for w in warnings))
        self.warnings = warnings


def namesakes(name: str, exclude_id: int | None) -> list[tuple[int, str]]:
    """Other pilots whose name is the same but for case (one indexed query: lower(name))."""
    text = " ".join((name or "").split())
    if not text:
        return []
    query = sa.select(Pilot.id, Pilot.name).where(
        sa.func.lower(Pilot.name) == sa.func.lower(sa.literal(text))
    )
    if exclude_id is not None:
        query = query.where(Pilot.id != exclude_id)
    return [(pilot_id, other) for pilot_id, other in db.session.execute(query.limit(5))]


def pilot_warnings(
    name: str, budget_cents: int, populations: Iterable[int], pilot_id: int | None
) -> list[Finding]:
    """The warnings a pilot with these values raises (`pilot_id`: its own, not a namesake)."""
    found = budget_warnings(budget_cents, sum(populations))
    namesake = namesake_warning(name, namesakes(name, pilot_id))
    if namesake is not None:
        found.append(namesake)
    return found
