"""The follow-up plan with the vendor: who owns an item, its statuses, when it is overdue."""

from __future__ import annotations

from datetime import date
from enum import StrEnum


class OwnerKind(StrEnum):
    VENDOR = "vendor"
    MUNICIPALITY = "municipality"
    COORDINATOR = "coordinator"


class ItemStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    DROPPED = "dropped"


CLOSED_STATUSES = frozenset({ItemStatus.DONE, ItemStatus.DROPPED})
# "Due" in the sense of what is due: within this many days of its due date.
DUE_WITHIN_DAYS = 14


def is_overdue(due_on: date | None, status: ItemStatus, today: date) -> bool:
    """Past its due date and neither done nor dropped."""
    return due_on is not None and due_on < today and ItemStatus(status) not in CLOSED_STATUSES


def is_due_soon(due_on: date | None, status: ItemStatus, today: date) -> bool:
    """Not overdue, still open, and due within 14 days (today included)."""
    if due_on is None or ItemStatus(status) in CLOSED_STATUSES:
        return False
    return today <= due_on and (due_on - today).days <= DUE_WITHIN_DAYS
