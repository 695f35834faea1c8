"""What is due, for reminders and calendar feeds: the items and who hears of them.

THE ONE PLACE TO PLUG IN `services/due.py`: `due_items_for(user, today)` below is the only
function the reminders read. It is implemented here with a minimal source of its own (reviews,
planned ends, stale status updates); when the shared "what is due" service lands, make this
function return that service's items for the user (mapped to `DueItem`) and delete
`_minimal_source`. Nothing else in the mail code reads due dates for reminders.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Any, Protocol

import sqlalchemy as sa

from pilot_tracker.domain.enums import Role, Stage
from pilot_tracker.extensions import db
from pilot_tracker.models import Decision, Participation, Pilot, User
from pilot_tracker.permissions import scope_pilots
from pilot_tracker.services.reporting import stale_after_days

REVIEW_HORIZON = timedelta(days=90)  # PRODUCT.md: a review within 90 days is due
STATUS_WARNING = timedelta(days=7)  # a status update becoming stale within 7 days is due
OPEN_STAGES = (Stage.PILOTING, Stage.EVALUATION)


class DueKind(StrEnum):
    """Kinds of due items; each has its own reminder setting."""

    STATUS_UPDATE = "status_update"
    MEASUREMENT = "measurement"
    REVIEW = "review"
    PLANNED_END = "planned_end"
    FOLLOW_UP = "follow_up"
    MUNICIPAL_DECISION = "municipal_decision"


# Vendors hear of their own reporting; reviews and municipal decisions are not theirs.
# Council members hear of their municipality's decisions and reviews (PRODUCT.md).
VENDOR_KINDS = (DueKind.STATUS_UPDATE, DueKind.MEASUREMENT, DueKind.FOLLOW_UP, DueKind.PLANNED_END)
COUNCIL_KINDS = (DueKind.REVIEW, DueKind.MUNICIPAL_DECISION)


def kinds_for(role: Role) -> tuple[DueKind, ...]:
    """The kinds a user of this role can be reminded of (the profile shows these)."""
    if role == Role.VENDOR:
        return VENDOR_KINDS
    if role == Role.COUNCIL:
        return COUNCIL_KINDS
    return tuple(DueKind)


class DueItemLike(Protocol):
    """What the reminders need of a due item, whoever produces it (read-only)."""

    @property
    def kind(self) -> str: ...
    @property
    def pilot_id(self) -> int: ...
    @property
    def pilot_name(self) -> str: ...
    @property
    def due_on(self) -> date: ...
    @property
    def overdue(self) -> bool: ...
    @property
    def municipality(self) -> str | None: ...
    @property
    def detail(self) -> str: ...
    @property
    def url(self) -> str | None: ...


@dataclass(frozen=True)
class DueItem:
    """One thing due. `key` names the item across runs (the reminder log's identity);
    `url` is a path on this site where it is resolved (None: the pilot page)."""

    kind: str
    pilot_id: int
    pilot_name: str
    due_on: date
    overdue: bool
    municipality: str | None = None
    detail: str = ""
    url: str | None = None
    ref: str = ""

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.pilot_id}:{self.ref}"[:100]


def audience_pilots(user: User) -> sa.Select[Any]:
    """The ids of the pilots whose due items concern `user`, within what permissions.py
    lets them see: vendors their vendor's, coordinators and admins those they coordinate,
    council members tied to a municipality its pilots (one tied to none: none)."""
    query = sa.select(Pilot.id)
    if user.role in (Role.COORDINATOR, Role.ADMIN):
        query = query.where(Pilot.coordinator_id == user.id)
    elif user.role == Role.COUNCIL:
        query = query.where(
            Pilot.id.in_(
                sa.select(Participation.pilot_id).where(
                    Participation.municipality_code == user.municipality_code
                )
            )
            if user.municipality_code
            else sa.false()
        )
    return scope_pilots(query, user)


def due_items_for(user: User, today: date) -> list[DueItem]:
    """Everything due for `user` on `today`, overdue first, then by date."""
    items = [item for item in _minimal_source(user, today) if item.kind in kinds_for(user.role)]
    return sorted(items, key=lambda i: (not i.overdue, i.due_on, i.pilot_name, i.key))


def latest_reviews(
    pilot_ids: sa.Select[Any], until: date | None = None, since: date | None = None
) -> sa.Select[Any]:
    """Per pilot, the newest decision (by date, then id) when it names a next review (within
    `since`..`until`): rows of decision id, pilot id, review date, gate, pilot name."""
    newest = (
        sa.select(
            Decision.id,
            Decision.pilot_id,
            Decision.next_review,
            Decision.gate,
            sa.func.row_number()
            .over(
                partition_by=Decision.pilot_id,
                order_by=(Decision.decided_on.desc(), Decision.id.desc()),
            )
            .label("rank"),
        )
        .where(Decision.pilot_id.in_(pilot_ids))
        .subquery()
    )
    query = (
        sa.select(newest.c.id, newest.c.pilot_id, newest.c.next_review, newest.c.gate, Pilot.name)
        .join(Pilot, Pilot.id == newest.c.pilot_id)
        .where(newest.c.rank == 1, newest.c.next_review.is_not(None))
    )
    if until is not None:
        query = query.where(newest.c.next_review <= until)
    if since is not None:
        query = query.where(newest.c.next_review >= since)
    return query


def _minimal_source(user: User, today: date) -> list[DueItem]:
    """Reviews (the newest decision's next review: passed → overdue, within 90 days → due),
    planned ends passed while piloting or in evaluation (overdue), and status updates of
    piloting and evaluation pilots older than the stale limit (overdue) or becoming stale
    within 7 days (due). Three queries, whatever the portfolio's size."""
    pilots = audience_pilots(user)
    kinds = kinds_for(user.role)
    items: list[DueItem] = []
    if DueKind.REVIEW in kinds:
        reviews = latest_reviews(pilots, until=today + REVIEW_HORIZON)
        for decision_id, pilot_id, review_on, _gate, name in db.session.execute(reviews):
            items.append(
                DueItem(
                    kind=DueKind.REVIEW,
                    pilot_id=pilot_id,
                    pilot_name=name,
                    due_on=review_on,
                    overdue=review_on < today,
                    ref=str(decision_id),
                )
            )
    if DueKind.PLANNED_END in kinds:
        items += _planned_ends(user, pilots, today)
    if DueKind.STATUS_UPDATE in kinds:
        items += _status_updates(pilots, today)
    return items


def _planned_ends(user: User, pilots: sa.Select[Any], today: date) -> list[DueItem]:
    items: list[DueItem] = []
    ended = sa.select(Pilot.id, Pilot.name, Pilot.end_date).where(
        Pilot.id.in_(pilots), Pilot.stage.in_(OPEN_STAGES), Pilot.end_date < today
    )
    for pilot_id, name, end_date in db.session.execute(ended):
        if end_date is None:  # the query asks for a passed end; never None
            continue
        items.append(
            DueItem(
                kind=DueKind.PLANNED_END,
                pilot_id=pilot_id,
                pilot_name=name,
                due_on=end_date,
                overdue=True,
                url=f"/pilots/{pilot_id}/edit" if user.role != Role.VENDOR else None,
            )
        )
    return items


def _status_updates(pilots: sa.Select[Any], today: date) -> list[DueItem]:
    items: list[DueItem] = []
    stale = timedelta(days=stale_after_days())
    warn_from = today - stale + STATUS_WARNING
    reporting = sa.select(Pilot.id, Pilot.name, Pilot.last_status_on, Pilot.start_date).where(
        Pilot.id.in_(pilots),
        Pilot.stage.in_(OPEN_STAGES),
        sa.or_(
            sa.and_(Pilot.last_status_on.is_(None), Pilot.stage == Stage.PILOTING),
            Pilot.last_status_on <= warn_from,
        ),
    )
    for pilot_id, name, last_on, start in db.session.execute(reporting):
        due_on = (last_on + stale) if last_on else (start or today)
        items.append(
            DueItem(
                kind=DueKind.STATUS_UPDATE,
                pilot_id=pilot_id,
                pilot_name=name,
                due_on=due_on,
                overdue=due_on < today,
                url=f"/pilots/{pilot_id}/status/new",
            )
        )
    return items
