"""Plausibility rules (PRODUCT.md, "Plausibility"): what is refused and what only warns.

Pure functions, no database. A refusal is a value no pilot, decision or measurement can
have; a warning is a value that is probably a typo or a duplicate, which the user confirms.
Each finding is a code with its parameters and the field it concerns: the service decides
them once, and the web, the API and the importer render them (`pilot_tracker/catalogue.py`
has the templates of their texts).
"""

from __future__ import annotations

import dataclasses
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from pilot_tracker.domain.errors import Cents, Message

# Warnings, not refusals: a regional pilot may really cost this much, but most are typos.
BUDGET_WARNING_CENTS = 5_000_000 * 100  # 5 M€
PER_RESIDENT_WARNING_CENTS = 500 * 100  # 500 € per resident of the participants
# Measurements before this date are typos (1.1.1900 is a spreadsheet's empty date).
EARLIEST_MEASUREMENT = date(2000, 1, 1)


@dataclass(frozen=True)
class Finding:
    """A refusal or a warning: its code, the field it concerns and its values."""

    code: str
    field: str
    params: dict[str, Any] = dataclasses.field(default_factory=dict, compare=True, hash=False)

    @property
    def message(self) -> Message:
        """The finding as a catalogue message (its `str` is the English text)."""
        params = self.params
        if self.code == "budget_large":
            return Message(self.code, budget=Cents(params["budget_cents"]))
        if self.code == "budget_per_resident":
            per_resident = params["budget_cents"] // max(1, params["residents"])
            return Message(self.code, per_resident=Cents(per_resident))
        if self.code == "duplicate_name":
            return Message(self.code, name=params["name"])
        return Message(self.code)


# --- refusals --------------------------------------------------------------------------------


def funding_refusal(budget_cents: int, funding_cents: int) -> Finding | None:
    """External funding larger than the budget is refused (the net cost would be clamped to
    0 and the difference lost); equal is allowed (a fully funded pilot)."""
    if funding_cents > budget_cents:
        return Finding(
            "funding_above_budget",
            "external_funding_cents",
            {"budget_cents": budget_cents, "funding_cents": funding_cents},
        )
    return None


def decision_date_refusal(decided_on: date, today: date) -> Finding | None:
    """A decision is dated today or earlier."""
    if decided_on > today:
        return Finding("decision_in_future", "date", {"date": decided_on.isoformat()})
    return None


def measurement_date_refusal(measured_on: date, today: date) -> Finding | None:
    """A measurement is dated between 2000-01-01 and today, both included."""
    if measured_on > today:
        return Finding("measurement_in_future", "date", {"date": measured_on.isoformat()})
    if measured_on < EARLIEST_MEASUREMENT:
        return Finding("measurement_too_early", "date", {"date": measured_on.isoformat()})
    return None


# --- warnings --------------------------------------------------------------------------------


def budget_warnings(budget_cents: int, residents: int) -> list[Finding]:
    """A budget above 5 M€, and one above 500 € per resident of the participants (not
    judged without residents: a register with no population says nothing per resident)."""
    found = []
    if budget_cents > BUDGET_WARNING_CENTS:
        found.append(Finding("budget_large", "budget_cents", {"budget_cents": budget_cents}))
    if residents > 0 and budget_cents > PER_RESIDENT_WARNING_CENTS * residents:
        found.append(
            Finding(
                "budget_per_resident",
                "budget_cents",
                {"budget_cents": budget_cents, "residents": residents},
            )
        )
    return found


def name_key(name: str) -> str:
    """What makes two names the same: case, accents' encoding and spacing do not count."""
    text = unicodedata.normalize("NFC", name or "").casefold()
    return " ".join(text.split())


def namesake_warning(name: str, others: Iterable[tuple[int, str]]) -> Finding | None:
    """A warning naming the first other pilot (by id) whose name is the same as `name`."""
    key = name_key(name)
    if not key:
        return None
    for pilot_id, other in sorted(others):
        if name_key(other) == key:
            return Finding("duplicate_name", "name", {"pilot_id": pilot_id, "name": other})
    return None


def new_findings(after: list[Finding], before: list[Finding]) -> list[Finding]:
    """The findings of a change that the stored record did not have already (an edit asks
    again only about what it changes)."""
    return [f for f in after if f not in before]
