"""What is due and overdue (PRODUCT.md, "What is due"): one rule for pages, API and reminders.

The rule's data half lives in the maintained table `due_entries` (services/aggregates.py
computes each potential item of every pilot from stored data, kept current with every write):
the day the item starts to show and its due date. Here the items of a user are read with
`shows_on <= today` through an index, scoped by `permissions.scope_pilots` (and by
municipality when asked), and the day decides what is overdue (and the dates that move with
it: a measurement's month, a status update with nothing to count from). Two queries whatever
the portfolio's size (the page, and the counts), each reading only the items shown.

Order: for a council member tied to a municipality, that municipality's pilots first; then
overdue before due; then by date.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from pilot_tracker.domain.enums import Gate, Role, Stage
from pilot_tracker.domain.follow_up import OwnerKind
from pilot_tracker.extensions import db
from pilot_tracker.language.i18n import gettext
from pilot_tracker.language.labels import label
from pilot_tracker.models import DueEntry, Participation, Pilot
from pilot_tracker.permissions import READERS, has_role, scope_pilots
from pilot_tracker.services import aggregates


class DueKind(StrEnum):
    REVIEW = "review"
    PAST_END = "past_end"
    STATUS_UPDATE = "status_update"
    MEASUREMENT = "measurement"
    FOLLOW_UP = "follow_up"
    MUNICIPAL_DECISION = "municipal_decision"


# Reviews and municipal decisions are the councils' and coordinators'; vendors see the rest,
# of their own pilots only.
VENDOR_KINDS: frozenset[DueKind] = frozenset(
    {DueKind.STATUS_UPDATE, DueKind.MEASUREMENT, DueKind.PAST_END, DueKind.FOLLOW_UP}
)


@dataclass(frozen=True)
class DueItem:
    """One thing due on a pilot.

    `ref_id`, `ref_text` and `ref_date` say what it is about, by kind: review — the newest
    decision (its id, gate, outcome and date); status_update — the date the status counts from
    (None when it has none); measurement — the KPI (id, name) and its latest date;
    past_end — the planned end. `municipality` names whose item it is, where one is.
    """

    kind: DueKind
    pilot_id: int
    pilot_name: str
    pilot_language: str
    pilot_stage: Stage
    due_on: date
    overdue: bool
    municipality: str | None = None
    ref_id: int | None = None
    ref_text: str = ""
    ref_code: str = ""
    ref_date: date | None = None


@dataclass(frozen=True)
class DueList:
    """A page of due items and how many there are in all."""

    items: list[DueItem]
    total: int
    overdue_total: int


def _month_end(day: date) -> date:
    first_of_next = (day.replace(day=1) + timedelta(days=32)).replace(day=1)
    return first_of_next - timedelta(days=1)


def kinds_for(user: Any) -> list[DueKind]:
    """The kinds of item `user` is shown (in the rule's order)."""
    if has_role(user, *READERS):
        return list(DueKind)
    if has_role(user, Role.VENDOR):
        return [kind for kind in DueKind if kind in VENDOR_KINDS]
    return []


def _chosen_kinds(user: Any, kinds: Iterable[DueKind] | None) -> list[str]:
    """The kinds of item `user` sees, narrowed to `kinds` if given (values, in kind order)."""
    wanted = set(kinds) if kinds is not None else set(DueKind)
    return [k.value for k in kinds_for(user) if k in wanted]


def _sees_every_pilot(user: Any) -> bool:
    everyone = sa.select(Pilot.id)
    return scope_pilots(everyone, user) is everyone


def _shown(
    user: Any,
    today: date,
    municipality: str | None,
    kinds: Iterable[DueKind] | None,
    pilot_id: int | None = None,
) -> tuple[sa.Select[Any], dict[str, sa.ColumnElement[Any]]] | None:
    """The entries shown to `user` today (no columns yet), and the columns decided by the
    day: the due date, the overdue flag and the rank."""
    chosen = _chosen_kinds(user, kinds)
    if not chosen:
        return None
    e = DueEntry
    overdue = sa.case((e.overdue_from <= today, 1), else_=0)
    # Dates that move with the day (stored as NULL): a measurement is due by this month's
    # end, or was due by the previous month's end once that month was missed as well; a
    # status update with nothing to count from is due today.
    previous_end = today.replace(day=1) - timedelta(days=1)
    due_on = sa.case(
        (e.due_on.is_not(None), e.due_on),
        (
            e.kind == DueKind.MEASUREMENT.value,
            sa.case((e.overdue_from <= today, previous_end), else_=_month_end(today)),
        ),
        else_=today,
    )
    home = _home(user)
    if home:
        mine = (
            sa.select(Participation.pilot_id)
            .where(Participation.pilot_id == e.pilot_id)
            .where(Participation.municipality_code == home)
            .exists()
        )
        rank: Any = sa.case((mine, 0), else_=1)
    else:
        rank = sa.literal(1, sa.Integer)
    query = sa.select().select_from(e).where(e.shows_on <= today)
    if pilot_id is not None:
        query = query.where(e.pilot_id == pilot_id)
    if len(chosen) < len(DueKind):
        query = query.where(e.kind.in_(chosen))
    if has_role(user, Role.VENDOR):
        # A vendor's follow-up items are only those it owns.
        query = query.where(
            sa.or_(e.kind != DueKind.FOLLOW_UP.value, e.ref_code == OwnerKind.VENDOR.value)
        )
    if not _sees_every_pilot(user):  # scoped (a vendor): only the pilots it may see
        query = query.where(e.pilot_id.in_(scope_pilots(sa.select(Pilot.id), user)))
    if municipality:
        query = query.where(
            e.pilot_id.in_(
                sa.select(Participation.pilot_id).where(
                    Participation.municipality_code == municipality
                )
            )
        ).where(
            # Narrowed to one municipality: its own missing decisions only.
            sa.or_(e.kind != DueKind.MUNICIPAL_DECISION.value, e.municipality_code == municipality)
        )
    return query, {"due_on": due_on, "overdue": overdue, "rank": rank}


def due_items(
    user: Any,
    today: date,
    *,
    municipality: str | None = None,
    limit: int = 50,
    offset: int = 0,
    kinds: Iterable[DueKind] | None = None,
    pilot_id: int | None = None,
) -> DueList:
    """The items due for `user` (scoped by permissions.py), `limit` from `offset`, in order;
    `municipality` narrows them to the pilots it takes part in, `kinds` to those kinds,
    `pilot_id` to one pilot."""
    aggregates.sync(db.session())
    shown = _shown(user, today, municipality, kinds, pilot_id)
    if shown is None:
        return DueList([], 0, 0)
    query, by_day = shown
    counted = _counts_of_everything(user, today, municipality, kinds, pilot_id)
    total: int | None
    overdue_total: int | None
    if counted is not None and _home(user) is None:
        total, overdue_total = counted
        page = _bounded_page(
            query, by_day, _chosen_kinds(user, kinds), today, limit, offset, counted[1]
        )
    else:
        # The totals ride on the page's rows (window functions over every shown entry).
        total = overdue_total = None
        page = _sorted_page(query, by_day, limit, offset)
    c = page.c
    entry = _ENTRY
    rows = db.session.execute(
        sa.select(
            page,
            entry.ref_text,
            entry.ref_code,
            entry.ref_date,
            Pilot.name,
            Pilot.language,
            Pilot.stage,
        )
        .join(entry, entry.id == c.id)
        .join(Pilot, Pilot.id == c.pilot_id)
        .order_by(*_order(c.rank, c.overdue, c.due_on, c))
    ).all()
    items = [
        DueItem(
            kind=DueKind(row.kind),
            pilot_id=int(row.pilot_id),
            pilot_name=row.name,
            pilot_language=row.language,
            pilot_stage=Stage(row.stage),
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
    if total is None:
        if rows:
            total, overdue_total = rows[0].total, rows[0].overdue_total
        elif offset:  # past the last entry: the totals are counted on their own
            total, overdue_total = db.session.execute(
                query.add_columns(
                    sa.func.count(), sa.func.coalesce(sa.func.sum(by_day["overdue"]), 0)
                )
            ).one()
        else:
            total = overdue_total = 0
    return DueList(items, int(total), int(overdue_total or 0))


# The page's entries read again for their texts: made once (an alias copies every column).
_ENTRY = aliased(DueEntry, name="entry")


def _home(user: Any) -> str | None:
    """A council member's municipality, whose pilots' items come first; None otherwise."""
    return (getattr(user, "home_code", None) or None) if has_role(user, Role.COUNCIL) else None


def _page_columns(query: Any, by_day: dict[str, Any]) -> Any:
    e = DueEntry
    return query.add_columns(
        e.id.label("id"),
        e.kind.label("kind"),
        e.pilot_id.label("pilot_id"),
        sa.type_coerce(by_day["due_on"], sa.Date).label("due_on"),
        by_day["overdue"].label("overdue"),
        e.municipality_code.label("municipality"),
        e.ref_id.label("ref_id"),
        by_day["rank"].label("rank"),
    )


def _sorted_page(query: Any, by_day: dict[str, Any], limit: int, offset: int) -> Any:
    """The page chosen from every shown entry, sorted (a narrowed set: one municipality's,
    a vendor's, one pilot's, or a council member's with their municipality first), each row
    with the number of shown entries and of overdue ones (`total`, `overdue_total`)."""
    return (
        _page_columns(query, by_day)
        .add_columns(
            sa.func.count().over().label("total"),
            sa.func.sum(by_day["overdue"]).over().label("overdue_total"),
        )
        .order_by(*_order(by_day["rank"], by_day["overdue"], by_day["due_on"]))
        .limit(limit)
        .offset(offset)
        .subquery("due")
    )


def _bounded_page(
    query: Any,
    by_day: dict[str, Any],
    chosen: list[str],
    today: date,
    limit: int,
    offset: int,
    overdue_total: int,
) -> Any:
    """The same page for a user who sees every entry, reading at most `offset + limit`
    entries of each part: overdue before due, then by date, so each kind's overdue entries
    are walked in the order index (kind, due_on, pilot, ref, municipality) from the start.
    An entry without a stored date is due on a date the day decides, the same for all of its
    kind (a measurement's month, a status update's today): those are their own part, walked
    by pilot. The entries not yet overdue are only read when fewer than `offset + limit` are
    overdue, so the walk past the overdue ones is short too. `query` and `by_day` are the
    shown entries and their day-decided columns (`_shown`), `chosen` the kinds."""
    e = DueEntry
    n = offset + limit
    states = [e.overdue_from <= today]
    if overdue_total < n:
        states.append(e.overdue_from > today)
    parts: list[Any] = []
    for kind in chosen:
        for state in states:
            for dated in (e.due_on.is_not(None), e.due_on.is_(None)):
                part = (
                    sa.select(e.id)
                    .where(e.kind == kind, dated, state, e.shows_on <= today)
                    .order_by(e.due_on, e.pilot_id, e.ref_id, e.municipality_code)
                    .limit(n)
                )
                parts.append(sa.select(part.subquery().c.id))
    chosen_ids = sa.union_all(*parts).subquery("chosen")
    return (
        _page_columns(query.where(e.id.in_(sa.select(chosen_ids.c.id))), by_day)
        .order_by(*_order(by_day["rank"], by_day["overdue"], by_day["due_on"]))
        .limit(limit)
        .offset(offset)
        .subquery("due")
    )


def _counts_of_everything(
    user: Any,
    today: date,
    municipality: str | None,
    kinds: Iterable[DueKind] | None,
    pilot_id: int | None,
) -> tuple[int, int] | None:
    """(shown, overdue) for a user who sees every pilot's items, from the maintained
    portfolio totals by day and kind (flat in the portfolio's size); None when the user's
    items are a narrower set (a vendor, one municipality, one pilot), counted from the
    entries themselves."""
    if municipality is not None or pilot_id is not None or has_role(user, Role.VENDOR):
        return None
    if not _sees_every_pilot(user):
        return None
    chosen = set(_chosen_kinds(user, kinds))
    found = aggregates.due_totals(db.session(), today)
    shown = sum(
        n
        for (measure, kind), n in found.items()
        if measure == aggregates.DUE_SHOWS and kind in chosen
    )
    overdue = sum(
        n
        for (measure, kind), n in found.items()
        if measure == aggregates.DUE_OVERDUE and kind in chosen
    )
    return shown, overdue


def _order(rank: Any, overdue: Any, due_on: Any, columns: Any = None) -> list[Any]:
    """Their home municipality's first; overdue before due; by date; then a stable order."""
    cols = columns if columns is not None else None
    e = DueEntry
    tail = (
        [cols.pilot_id, cols.kind, cols.ref_id, cols.municipality]
        if cols is not None
        else [e.pilot_id, e.kind, e.ref_id, e.municipality_code]
    )
    return [rank, overdue.desc(), due_on, *tail]


def _as_date(value: Any) -> date:
    # SQLite's date() answers text; a union column may come back as it was computed.
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def describe(item: DueItem, municipality_name: str, day: Callable[[date | None], str]) -> str:
    """The item in words, in the current language: the pages' "what is due" column and the
    detail line of a reminder digest (rendered in its recipient's language). The
    municipality is named (`municipality_name`, in that language), dates are written by
    `day`."""
    if item.kind is DueKind.REVIEW:
        return gettext(
            "Review planned at the %(gate)s decision of %(date)s",
            gate=label(_gate(item.ref_text)),
            date=day(item.ref_date),
        )
    if item.kind is DueKind.PAST_END:
        return gettext(
            "Planned end %(date)s has passed; still %(stage)s",
            date=day(item.ref_date),
            stage=label(item.pilot_stage),
        )
    if item.kind is DueKind.STATUS_UPDATE:
        if item.ref_date is None:
            return gettext("Status update: none yet, and no planned start")
        return gettext("Status update (the status counts from %(date)s)", date=day(item.ref_date))
    if item.kind is DueKind.MEASUREMENT:
        if item.ref_date is None:
            return gettext("Measurement of %(kpi)s (none yet)", kpi=item.ref_text)
        return gettext(
            "Measurement of %(kpi)s this month (the latest is from %(date)s)",
            kpi=item.ref_text,
            date=day(item.ref_date),
        )
    if item.kind is DueKind.FOLLOW_UP:
        return gettext("Follow-up item: %(title)s", title=item.ref_text)
    if item.kind is DueKind.MUNICIPAL_DECISION:
        return gettext(
            "%(name)s has no decision of its own at the %(gate)s gate",
            name=municipality_name,
            gate=label(_gate(item.ref_text)),
        )
    return item.ref_text


def _gate(value: str) -> Gate | None:
    try:
        return Gate(value)
    except ValueError:
        return None


def detail_text(item: DueItem) -> str:
    """A short English description of the item for the API (pages and digests use
    `describe`, in their reader's language, from the same fields)."""
    ref_date = item.ref_date.isoformat() if item.ref_date else None
    if item.kind is DueKind.REVIEW:
        return f"Review planned at the {item.ref_text} decision of {ref_date}."
    if item.kind is DueKind.PAST_END:
        return f"Planned end {ref_date} has passed; the pilot is still in {item.pilot_stage}."
    if item.kind is DueKind.STATUS_UPDATE:
        if ref_date is None:
            return "No status update, start decision or planned start to count from."
        return f"A status update is due: the status counts from {ref_date}."
    if item.kind is DueKind.MEASUREMENT:
        latest = f"the latest is from {ref_date}" if ref_date else "none recorded yet"
        return f"A measurement of {item.ref_text} this month ({latest})."
    if item.kind is DueKind.FOLLOW_UP:
        return f"Follow-up item: {item.ref_text}."
    if item.kind is DueKind.MUNICIPAL_DECISION:
        return f"{item.municipality} has no decision of its own at the {item.ref_text} gate."
    return item.ref_text


def item_json(item: DueItem) -> dict[str, Any]:
    """The item as GET /api/v1/due answers it (API.md); `municipality` only when set."""
    data: dict[str, Any] = {
        "kind": item.kind.value,
        "pilot_id": item.pilot_id,
        "pilot_name": item.pilot_name,
        "due_on": item.due_on.isoformat(),
        "overdue": item.overdue,
        "detail": detail_text(item),
    }
    if item.municipality:
        data["municipality"] = item.municipality
    return data
