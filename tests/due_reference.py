"""The full recomputation of what is due, as services/due.py computed it before the
maintained aggregates (a UNION of six sources over every pilot on each request). Kept in the
tests as the reference the aggregate-backed service must agree with, item for item.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from pilot_tracker.domain.enums import Gate, Role, Stage
from pilot_tracker.domain.follow_up import ItemStatus, OwnerKind
from pilot_tracker.extensions import db
from pilot_tracker.models import (
    Decision,
    FollowUpItem,
    Kpi,
    MunicipalDecision,
    Participation,
    Pilot,
)
from pilot_tracker.permissions import READERS, has_role, scope_pilots
from pilot_tracker.services.due import VENDOR_KINDS, DueItem, DueKind, DueList
from pilot_tracker.services.reporting import REPORTING_STAGES, stale_after_days

REVIEW_DAYS = 90  # a review within this many days is due
STALE_WARNING_DAYS = 7  # a status update is due this many days before the pilot goes stale
FOLLOW_UP_DAYS = 14  # a follow-up item within this many days of its due date is due


@dataclass(frozen=True)
class DueContext:
    """What the sources need to know: the day, and the rule's windows."""

    today: date
    review_days: int = REVIEW_DAYS
    stale_warning_days: int = STALE_WARNING_DAYS
    # A vendor's follow-up items are only those it owns (PRODUCT.md, "What is due").
    vendor: bool = False
    # Narrowed to one municipality: its own items only (not the other participants').
    municipality: str | None = None


DueSource = Callable[[DueContext], sa.Select[Any]]
SOURCES: dict[DueKind, DueSource] = {}


def register_source(kind: DueKind, source: DueSource) -> None:
    """Add (or replace) the source of one kind of item."""
    SOURCES[kind] = source


# --- SQL helpers -------------------------------------------------------------------------


def _is_sqlite() -> bool:
    return db.session.get_bind().dialect.name == "sqlite"


def _plus_days(day: Any, days: int) -> sa.ColumnElement[date]:
    """A date column `days` later, in the database's own date arithmetic."""
    if _is_sqlite():
        return sa.type_coerce(sa.func.date(day, f"+{int(days)} days"), sa.Date)
    return sa.type_coerce(day + sa.literal(int(days)), sa.Date)


def _latest_date(*columns: Any) -> sa.ColumnElement[date]:
    """The latest of some nullable date columns (`_NEVER` when all are NULL)."""
    values = [sa.func.coalesce(c, _NEVER) for c in columns]
    name = "max" if _is_sqlite() else "greatest"
    return sa.type_coerce(getattr(sa.func, name)(*values), sa.Date)


_NEVER = date(1, 1, 1)


def _columns(
    kind: DueKind,
    due_on: Any,
    overdue: Any,
    *,
    municipality: Any = None,
    ref_id: Any = None,
    ref_text: Any = None,
    ref_code: Any = None,
    ref_date: Any = None,
) -> list[sa.ColumnElement[Any]]:
    """The columns every source answers, in this order."""
    return [
        sa.literal(kind.value, sa.String).label("kind"),
        Pilot.id.label("pilot_id"),
        Pilot.name.label("pilot_name"),
        Pilot.language.label("pilot_language"),
        Pilot.stage.label("pilot_stage"),
        sa.type_coerce(due_on, sa.Date).label("due_on"),
        sa.case((overdue, 1), else_=0).label("overdue"),
        (municipality if municipality is not None else sa.cast(sa.null(), sa.String)).label(
            "municipality"
        ),
        (ref_id if ref_id is not None else sa.cast(sa.null(), sa.Integer)).label("ref_id"),
        (ref_text if ref_text is not None else sa.cast(sa.literal(""), sa.String)).label(
            "ref_text"
        ),
        (ref_code if ref_code is not None else sa.cast(sa.literal(""), sa.String)).label(
            "ref_code"
        ),
        (ref_date if ref_date is not None else sa.cast(sa.null(), sa.Date)).label("ref_date"),
    ]


# --- the sources -------------------------------------------------------------------------


def _superseded() -> sa.Exists:
    """A decision of the same pilot newer than `Decision` (by date, then id) exists."""
    newer = aliased(Decision)
    return (
        sa.select(newer.id)
        .where(newer.pilot_id == Decision.pilot_id)
        .where(
            sa.or_(
                newer.decided_on > Decision.decided_on,
                sa.and_(newer.decided_on == Decision.decided_on, newer.id > Decision.id),
            )
        )
        .exists()
    )


def reviews(ctx: DueContext) -> sa.Select[Any]:
    """The next review of each pilot's newest decision: overdue once passed (no decision
    recorded since, or it would be the newest), due within `review_days`."""
    superseded = _superseded()
    return (
        sa.select(
            *_columns(
                DueKind.REVIEW,
                Decision.next_review,
                Decision.next_review < ctx.today,
                ref_id=Decision.id,
                ref_text=sa.cast(Decision.gate, sa.String),
                ref_code=sa.cast(Decision.outcome, sa.String),
                ref_date=Decision.decided_on,
            )
        )
        .select_from(Decision)
        .join(Pilot, Pilot.id == Decision.pilot_id)
        .where(Pilot.stage != Stage.STOPPED)
        .where(Decision.next_review.is_not(None))
        .where(Decision.next_review <= ctx.today + timedelta(days=ctx.review_days))
        .where(~superseded)
    )


def past_end(ctx: DueContext) -> sa.Select[Any]:
    """Pilots past their planned end still piloting or in evaluation: overdue."""
    return sa.select(
        *_columns(DueKind.PAST_END, Pilot.end_date, sa.true(), ref_date=Pilot.end_date)
    ).where(Pilot.stage.in_(REPORTING_STAGES), Pilot.end_date < ctx.today)


def status_updates(ctx: DueContext) -> sa.Select[Any]:
    """A status update: overdue when the pilot is stale (reporting.is_stale), due when it
    goes stale within `stale_warning_days`. Due on the last day an update keeps it fresh
    (today for a pilot with no date at all to count from)."""
    days = stale_after_days()
    anchor = _latest_date(Pilot.last_status_on, Pilot.piloting_since, Pilot.start_date)
    due_on = sa.case((anchor == _NEVER, ctx.today), else_=_plus_days(anchor, days))
    return sa.select(
        *_columns(
            DueKind.STATUS_UPDATE,
            due_on,
            anchor < ctx.today - timedelta(days=days),
            ref_date=sa.case((anchor == _NEVER, sa.cast(sa.null(), sa.Date)), else_=anchor),
        )
    ).where(
        Pilot.stage.in_(REPORTING_STAGES),
        anchor <= ctx.today - timedelta(days=days - ctx.stale_warning_days),
    )


def _month_end(day: date) -> date:
    first_of_next = (day.replace(day=1) + timedelta(days=32)).replace(day=1)
    return first_of_next - timedelta(days=1)


def measurements(ctx: DueContext) -> sa.Select[Any]:
    """A KPI of a piloting or evaluated pilot with no measurement dated this calendar
    month: due by the month's end; overdue when the previous month was missed as well."""
    month_start = ctx.today.replace(day=1)
    previous_end = month_start - timedelta(days=1)
    previous_start = previous_end.replace(day=1)
    missed = sa.and_(Kpi.latest_on.is_not(None), Kpi.latest_on < previous_start)
    return (
        sa.select(
            *_columns(
                DueKind.MEASUREMENT,
                sa.case((missed, previous_end), else_=_month_end(ctx.today)),
                missed,
                ref_id=Kpi.id,
                ref_text=Kpi.name,
                ref_date=Kpi.latest_on,
            )
        )
        .select_from(Kpi)
        .join(Pilot, Pilot.id == Kpi.pilot_id)
        .where(Pilot.stage.in_(REPORTING_STAGES))
        .where(sa.or_(Kpi.latest_on.is_(None), Kpi.latest_on < month_start))
    )


def follow_ups(ctx: DueContext) -> sa.Select[Any]:
    """An open follow-up item past its due date (overdue) or due within 14 days; for a
    vendor only the items it owns; `municipality` is the owning municipality's code."""
    soon = ctx.today + timedelta(days=FOLLOW_UP_DAYS)
    query = (
        sa.select(
            *_columns(
                DueKind.FOLLOW_UP,
                FollowUpItem.due_on,
                FollowUpItem.due_on < ctx.today,
                municipality=FollowUpItem.owner_municipality_code,
                ref_id=FollowUpItem.id,
                ref_text=FollowUpItem.title,
                ref_code=sa.cast(FollowUpItem.owner_kind, sa.String),
            )
        )
        .select_from(FollowUpItem)
        .join(Pilot, Pilot.id == FollowUpItem.pilot_id)
        .where(FollowUpItem.status.in_([ItemStatus.OPEN, ItemStatus.IN_PROGRESS]))
        .where(FollowUpItem.due_on.is_not(None), FollowUpItem.due_on <= soon)
    )
    if ctx.vendor:
        query = query.where(FollowUpItem.owner_kind == OwnerKind.VENDOR)
    return query


def municipal_decisions(ctx: DueContext) -> sa.Select[Any]:
    """A current participant with no decision of its own at the gate of a review that is
    due or overdue (the gate open in the pilot's stage): due on the review's date."""
    superseded = _superseded()
    # The gate a review leads to: what the steering group decides next in the stage.
    gate = sa.case(
        (Pilot.stage.in_([Stage.IDEA, Stage.PLANNING]), Gate.START.value),
        (Pilot.stage == Stage.PILOTING, Gate.MIDPOINT.value),
        else_=Gate.SCALE_UP.value,
    )
    # An alias: the union's own filters on Participation must not correlate with it.
    member = aliased(Participation)
    decided = (
        sa.select(MunicipalDecision.id)
        .where(MunicipalDecision.pilot_id == Pilot.id)
        .where(MunicipalDecision.municipality_code == member.municipality_code)
        .where(sa.cast(MunicipalDecision.gate, sa.String) == gate)
        .exists()
    )
    return (
        sa.select(
            *_columns(
                DueKind.MUNICIPAL_DECISION,
                Decision.next_review,
                Decision.next_review < ctx.today,
                municipality=member.municipality_code,
                ref_id=Decision.id,
                ref_text=gate,
                ref_date=Decision.next_review,
            )
        )
        .select_from(Decision)
        .join(Pilot, Pilot.id == Decision.pilot_id)
        .join(member, member.pilot_id == Pilot.id)
        .where(member.left_on.is_(None))
        .where(Pilot.stage.in_([Stage.IDEA, Stage.PLANNING, Stage.PILOTING, Stage.EVALUATION]))
        .where(Decision.next_review.is_not(None))
        .where(Decision.next_review <= ctx.today + timedelta(days=ctx.review_days))
        .where(~superseded)
        .where(~decided)
        .where(member.municipality_code == ctx.municipality if ctx.municipality else sa.true())
    )


register_source(DueKind.REVIEW, reviews)
register_source(DueKind.PAST_END, past_end)
register_source(DueKind.STATUS_UPDATE, status_updates)
register_source(DueKind.MEASUREMENT, measurements)
register_source(DueKind.FOLLOW_UP, follow_ups)
register_source(DueKind.MUNICIPAL_DECISION, municipal_decisions)


# --- putting them together ---------------------------------------------------------------


def kinds_for(user: Any) -> list[DueKind]:
    """The kinds of item `user` is shown (in source order)."""
    if has_role(user, *READERS):
        return list(SOURCES)
    if has_role(user, Role.VENDOR):
        return [kind for kind in SOURCES if kind in VENDOR_KINDS]
    return []


def _union(
    user: Any, ctx: DueContext, municipality: str | None, kinds: Iterable[DueKind] | None
) -> sa.Subquery | None:
    home = getattr(user, "home_code", None) if has_role(user, Role.COUNCIL) else None
    wanted = set(kinds) if kinds is not None else set(DueKind)
    selects = []
    for kind in [k for k in kinds_for(user) if k in wanted]:
        query = scope_pilots(SOURCES[kind](ctx), user)
        if municipality:
            query = query.where(
                Pilot.id.in_(
                    sa.select(Participation.pilot_id).where(
                        Participation.municipality_code == municipality
                    )
                )
            )
        if home:
            mine = (
                sa.select(Participation.pilot_id)
                .where(Participation.pilot_id == Pilot.id)
                .where(Participation.municipality_code == home)
                .exists()
            )
            query = query.add_columns(sa.case((mine, 0), else_=1).label("rank"))
        else:
            query = query.add_columns(sa.literal(1, sa.Integer).label("rank"))
        selects.append(query)
    if not selects:
        return None
    return sa.union_all(*selects).subquery("due")


def due_items(
    user: Any,
    today: date,
    *,
    municipality: str | None = None,
    limit: int = 50,
    offset: int = 0,
    kinds: Iterable[DueKind] | None = None,
) -> DueList:
    """The items due for `user` (scoped by permissions.py), `limit` from `offset`, in order;
    `municipality` narrows them to the pilots it takes part in, `kinds` to those kinds."""
    context = DueContext(today, vendor=has_role(user, Role.VENDOR), municipality=municipality)
    union = _union(user, context, municipality, kinds)
    if union is None:
        return DueList([], 0, 0)
    c = union.c
    rows = db.session.execute(
        sa.select(union)
        .order_by(c.rank, c.overdue.desc(), c.due_on, c.pilot_id, c.kind, c.ref_id)
        .limit(limit)
        .offset(offset)
    ).all()
    counts = db.session.execute(
        sa.select(c.overdue, sa.func.count()).select_from(union).group_by(c.overdue)
    ).all()
    by_overdue = {int(overdue): int(count) for overdue, count in counts}
    items = [
        DueItem(
            kind=DueKind(row.kind),
            pilot_id=int(row.pilot_id),
            pilot_name=row.pilot_name,
            pilot_language=row.pilot_language,
            pilot_stage=Stage(row.pilot_stage),
            due_on=_as_date(row.due_on),
            overdue=bool(row.overdue),
            municipality=row.municipality,
            ref_id=row.ref_id,
            ref_text=row.ref_text or "",
            ref_code=row.ref_code or "",
            ref_date=_as_date(row.ref_date) if row.ref_date is not None else None,
        )
        for row in rows
    ]
    return DueList(items, sum(by_overdue.values()), by_overdue.get(1, 0))


def _as_date(value: Any) -> date:
    # SQLite's date() answers text; a union column may come back as it was computed.
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
