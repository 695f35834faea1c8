"""What is due, for reminders and calendar feeds: the items and who hears of them.

`due_items_for(user, today)` is the only function the reminders read: the items of
services/due.py (the one "what is due" rule of PRODUCT.md) for the pilots that concern the
user, with the path where each is resolved and a stable reference for the reminder log.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from functools import cached_property
from typing import TYPE_CHECKING, Any, Protocol

import sqlalchemy as sa

from pilot_tracker.domain.enums import Role, Stage
from pilot_tracker.extensions import db
from pilot_tracker.models import Decision, Participation, Pilot, User
from pilot_tracker.permissions import scope_pilots

if TYPE_CHECKING:
    from pilot_tracker.services import due

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
    @property
    def about(self) -> due.DueItem | None: ...


@dataclass(frozen=True)
class DueItem:
    """One thing due. `key` names the item across runs (the reminder log's identity);
    `url` is a path on this site where it is resolved (None: the pilot page); `about` is
    the item of services/due.py it comes from, which the digest puts in words in its
    recipient's language (`detail` is its English description)."""

    kind: str
    pilot_id: int
    pilot_name: str
    due_on: date
    overdue: bool
    municipality: str | None = None
    detail: str = ""
    url: str | None = None
    ref: str = ""
    about: due.DueItem | None = field(default=None, compare=False, repr=False)

    @cached_property
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
                    Participation.municipality_code == user.home_code
                )
            )
            if user.home_code
            else sa.false()
        )
    return scope_pilots(query, user)


def audience_key(user: Any) -> tuple[str, Any]:
    """Users with the same key are shown the same due items by services/due.py (what they
    may see depends on the role and the vendor or municipality alone): coordinators and
    admins all of them (each then keeps the pilots it coordinates), a vendor's users its
    pilots', a council member its municipality's."""
    if user.role in (Role.COORDINATOR, Role.ADMIN):
        return ("readers", None)
    if user.role == Role.VENDOR:
        return ("vendor", user.vendor_id)
    return ("council", user.home_code)


class DueCache:
    """Due items composed once per audience, not once per user (`send-reminders` visits
    the users grouped by `audience_key`). Holds the current vendor's or municipality's items
    and, once asked for, the whole portfolio's items by pilot for coordinators and admins:
    its memory grows with the portfolio, never with the number of users."""

    def __init__(self, today: date) -> None:
        self.today = today
        self._key: tuple[str, Any] | None = None
        self._items: list[DueItem] = []
        self._by_pilot: dict[int, list[DueItem]] | None = None

    def items_for(self, user: User) -> list[DueItem]:
        key = audience_key(user)
        if key[0] == "readers":
            if self._by_pilot is None:
                self._by_pilot = {}
                for item in _compose(user, self.today, limit=None):
                    self._by_pilot.setdefault(item.pilot_id, []).append(item)
            mine = db.session.scalars(audience_pilots(user))
            items = [item for pilot_id in mine for item in self._by_pilot.get(pilot_id, ())]
            return _ordered(items)[:MAX_ITEMS]
        if key != self._key:
            self._key, self._items = key, _compose(user, self.today, limit=MAX_ITEMS)
        return self._items


def due_items_for(user: User, today: date) -> list[DueItem]:
    """Everything due for `user` on `today`, overdue first, then by date: the items of
    services/due.py (the one "what is due" rule) for the pilots that concern the user."""
    return DueCache(today).items_for(user)


def _ordered(items: list[DueItem]) -> list[DueItem]:
    return sorted(items, key=lambda i: (not i.overdue, i.due_on, i.pilot_name, i.key))


def _compose(user: User, today: date, limit: int | None) -> list[DueItem]:
    """The items of services/due.py for `user`'s audience (all of them when `limit` is
    None), as reminders name them, in digest order."""
    from pilot_tracker.services import due

    kinds = kinds_for(user.role)
    if user.role == Role.COUNCIL and not user.home_code:
        return []
    wanted = [due.DueKind(_SHARED_KIND.get(kind, kind.value)) for kind in kinds]
    found = due.due_items(
        user,
        today,
        municipality=user.home_code if user.role == Role.COUNCIL else None,
        limit=limit if limit is not None else ALL_ITEMS,
        kinds=wanted,
    )
    return _ordered(
        [
            DueItem(
                kind=_MAIL_KIND.get(item.kind.value, item.kind.value),
                pilot_id=item.pilot_id,
                pilot_name=item.pilot_name,
                due_on=item.due_on,
                overdue=item.overdue,
                municipality=item.municipality,
                detail=due.detail_text(item),
                url=_url(item, user),
                # What the item is about and whose it is: unique per user and due date.
                ref=":".join(str(part) for part in (item.ref_id, item.municipality) if part),
                about=item,
            )
            for item in found.items
        ]
    )


# The shared rule calls a passed planned end `past_end`; reminders keep their setting's name.
_SHARED_KIND = {DueKind.PLANNED_END: "past_end"}
_MAIL_KIND = {"past_end": DueKind.PLANNED_END.value}
MAX_ITEMS = 1000  # a digest lists at most this many
ALL_ITEMS = 10**9  # "no limit" for the portfolio-wide query of coordinators and admins


def _url(item: Any, user: User) -> str | None:
    """Where the item is resolved, as a path (None: the pilot page)."""
    kind = item.kind.value
    if kind == "status_update":
        return f"/pilots/{item.pilot_id}/status/new"
    if kind == "measurement":
        return f"/pilots/{item.pilot_id}/measurements/new?kpi={item.ref_id}"
    if kind == "follow_up":
        return f"/pilots/{item.pilot_id}#item-{item.ref_id}"
    if user.role in (Role.COORDINATOR, Role.ADMIN):
        if kind in ("review", "past_end"):
            return f"/pilots/{item.pilot_id}/decisions/new"
        if kind == "municipal_decision":
            return (
                f"/pilots/{item.pilot_id}/municipal-decisions/new?municipality={item.municipality}"
            )
    return None


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
