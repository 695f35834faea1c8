"""Maintained aggregates (`models.aggregate`): computing, keeping current, checking.

The rows of a pilot are a function of its stored data only (never of today):

- `due_entries`: each potential due item of PRODUCT.md "What is due" with the day it starts
  to show and, where fixed, its due date; `services.due` reads them through an index and
  decides overdue vs due at read time.
- `money_by_year`: the pilot's planned net cost and each participant's planned share spread
  over calendar years (`domain.by_year`), per commitment (`domain.commitment`), the whole
  pilot's rows with its budget before funding spread over the same years; stopped pilots
  have none (only their actual costs count, and those are read as recorded).
- `kpi_attainment`: the pilot's KPIs counted per attainment bucket (`domain.kpi`), from the
  progress its page shows (stopped pilots too: the chart counts every KPI).

Keeping them current: a session hook (`install`) collects, in `after_flush`, the pilots
touched by new, changed or deleted ORM objects of the tables the rows depend on, and
refreshes those pilots' rows in `before_commit`, in the same transaction; the readers call
`sync` first so that a flushed but uncommitted change is seen as well. Core statements that
bypass the ORM call `touch`. After bulk loads: `rebuild` (`flask --app wsgi
rebuild-aggregates`); `check` recomputes everything and compares exactly
(`flask --app wsgi check-aggregates`).

`STALE_AFTER_DAYS` is part of a status update's due date: rebuild after changing it.
A rebuild writes the current models' columns, so the migration that back-fills the rows is
the latest one that changes these tables (0022 now): one that changes them again moves the
back-fill to itself.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session

from pilot_tracker.domain.by_year import spread_by_year
from pilot_tracker.domain.commitment import Commitment, commitment
from pilot_tracker.domain.cost_split import net_cost_cents
from pilot_tracker.domain.enums import Direction, Gate, Stage
from pilot_tracker.domain.follow_up import ItemStatus
from pilot_tracker.domain.kpi import KpiError, attainment_bucket, kpi_progress
from pilot_tracker.models import (
    Decision,
    DueEntry,
    FollowUpItem,
    Kpi,
    KpiAttainment,
    Measurement,
    MoneyYear,
    MunicipalDecision,
    Participation,
    Pilot,
    StatusUpdate,
)

REVIEW_DAYS = 90  # a review within this many days is due
STALE_WARNING_DAYS = 7  # a status update is due this many days before the pilot goes stale
FOLLOW_UP_DAYS = 14  # a follow-up item within this many days of its due date is due

# The first day of all: an item shown whatever the day.
ALWAYS = date(1, 1, 1)

REPORTING = (Stage.PILOTING, Stage.EVALUATION)
OPEN_ITEM = (ItemStatus.OPEN, ItemStatus.IN_PROGRESS)
DECIDING = (Stage.IDEA, Stage.PLANNING, Stage.PILOTING, Stage.EVALUATION)

DUE_TABLE = cast(sa.Table, DueEntry.__table__)
MONEY_TABLE = cast(sa.Table, MoneyYear.__table__)
KPI_TABLE = cast(sa.Table, KpiAttainment.__table__)

BATCH = 500  # pilots refreshed per round of queries

_PENDING = "aggregates_pending_pilots"
_PENDING_KPIS = "aggregates_pending_kpis"

# The ORM classes whose rows the aggregates are computed from (cost entries are not among
# them: actual costs are summed as recorded, see services.cost_queries).
_BY_PILOT_ID = (Participation, Decision, MunicipalDecision, Kpi, FollowUpItem, StatusUpdate)


# --- the rows of a pilot -----------------------------------------------------------------


@dataclass(frozen=True)
class _Facts:
    """What the rows of a set of pilots are computed from (one query per table)."""

    pilots: list[Any]
    newest: dict[int, Any]
    members: dict[int, list[Any]]
    decided: set[tuple[int, str, str]]
    kpis: dict[int, list[Any]]
    items: dict[int, list[Any]]


def _load(conn: sa.Connection, ids: list[int]) -> _Facts:
    p = Pilot.__table__.c
    pilots = list(
        conn.execute(
            sa.select(
                p.id,
                p.stage,
                p.start_date,
                p.end_date,
                p.budget_cents,
                p.external_funding_cents,
                p.last_status_on,
                p.piloting_since,
            ).where(p.id.in_(ids))
        )
    )
    d = Decision.__table__.c
    newest: dict[int, Any] = {}
    for row in conn.execute(
        sa.select(d.id, d.pilot_id, d.gate, d.outcome, d.decided_on, d.next_review).where(
            d.pilot_id.in_(ids)
        )
    ):
        best = newest.get(row.pilot_id)
        if best is None or (row.decided_on, row.id) > (best.decided_on, best.id):
            newest[row.pilot_id] = row
    m = Participation.__table__.c
    members: dict[int, list[Any]] = defaultdict(list)
    for member in conn.execute(
        sa.select(m.pilot_id, m.municipality_code, m.share_cents, m.left_on)
        .where(m.pilot_id.in_(ids))
        .order_by(m.pilot_id, m.municipality_code)
    ):
        members[member.pilot_id].append(member)
    md = MunicipalDecision.__table__.c
    decided = {
        (row.pilot_id, row.municipality_code, str(row.gate))
        for row in conn.execute(
            sa.select(md.pilot_id, md.municipality_code, md.gate).where(md.pilot_id.in_(ids))
        )
    }
    k = Kpi.__table__.c
    kpis: dict[int, list[Any]] = defaultdict(list)
    for kpi in conn.execute(
        sa.select(
            k.id,
            k.pilot_id,
            k.name,
            k.latest_on,
            k.baseline,
            k.target,
            k.latest_value,
            k.direction,
        ).where(k.pilot_id.in_(ids))
    ):
        kpis[kpi.pilot_id].append(kpi)
    f = FollowUpItem.__table__.c
    items: dict[int, list[Any]] = defaultdict(list)
    for item in conn.execute(
        sa.select(
            f.id, f.pilot_id, f.title, f.owner_kind, f.owner_municipality_code, f.due_on, f.status
        ).where(f.pilot_id.in_(ids))
    ):
        items[item.pilot_id].append(item)
    return _Facts(pilots, newest, members, decided, kpis, items)


def _minus(day: date, days: int) -> date:
    try:
        return day - timedelta(days=days)
    except OverflowError:
        return ALWAYS


def _plus(day: date, days: int) -> date:
    try:
        return day + timedelta(days=days)
    except OverflowError:
        return date.max


def _next_month(day: date) -> date:
    if day.month == 12:
        return date(day.year + 1, 1, 1) if day.year < date.max.year else date.max
    return date(day.year, day.month + 1, 1)


def _review_gate(stage: Stage) -> str:
    """The gate a review leads to: what the steering group decides next in the stage."""
    if stage in (Stage.IDEA, Stage.PLANNING):
        return Gate.START.value
    if stage is Stage.PILOTING:
        return Gate.MIDPOINT.value
    return Gate.SCALE_UP.value


def _entry(
    pilot_id: int, kind: str, shows_on: date, overdue_from: date, due_on: date | None, **ref: Any
) -> dict[str, Any]:
    return {
        "pilot_id": pilot_id,
        "kind": kind,
        "shows_on": shows_on,
        "overdue_from": overdue_from,
        "due_on": due_on,
        "municipality_code": ref.get("municipality_code"),
        "ref_id": ref.get("ref_id"),
        "ref_text": ref.get("ref_text", ""),
        "ref_code": ref.get("ref_code", ""),
        "ref_date": ref.get("ref_date"),
    }


def due_rows(facts: _Facts, stale_days: int) -> list[dict[str, Any]]:
    """The due entries of the pilots in `facts` (services.due's rules, today left out)."""
    rows: list[dict[str, Any]] = []
    for pilot in facts.pilots:
        pid = pilot.id
        stage = Stage(pilot.stage)
        newest = facts.newest.get(pid)
        review = newest if newest is not None and newest.next_review is not None else None
        if review is not None and stage is not Stage.STOPPED:
            rows.append(
                _entry(
                    pid,
                    "review",
                    _minus(review.next_review, REVIEW_DAYS),
                    _plus(review.next_review, 1),
                    review.next_review,
                    ref_id=review.id,
                    ref_text=str(review.gate),
                    ref_code=str(review.outcome),
                    ref_date=review.decided_on,
                )
            )
        if stage in REPORTING:
            if pilot.end_date is not None:
                rows.append(
                    _entry(
                        pid,
                        "past_end",
                        _plus(pilot.end_date, 1),
                        _plus(pilot.end_date, 1),
                        pilot.end_date,
                        ref_date=pilot.end_date,
                    )
                )
            days = [d for d in (pilot.last_status_on, pilot.piloting_since, pilot.start_date) if d]
            anchor = max(days) if days else None
            if anchor is None:
                rows.append(_entry(pid, "status_update", ALWAYS, ALWAYS, None))
            else:
                rows.append(
                    _entry(
                        pid,
                        "status_update",
                        _plus(anchor, stale_days - STALE_WARNING_DAYS),
                        _plus(anchor, stale_days + 1),
                        _plus(anchor, stale_days),
                        ref_date=anchor,
                    )
                )
            for kpi in facts.kpis.get(pid, []):
                # Due from the month after the latest measurement; overdue once the month
                # after that has begun as well (the previous month was missed too).
                if kpi.latest_on is None:
                    shows, overdue_from = ALWAYS, date.max
                else:
                    shows = _next_month(kpi.latest_on)
                    overdue_from = _next_month(shows)
                rows.append(
                    _entry(
                        pid,
                        "measurement",
                        shows,
                        overdue_from,
                        None,
                        ref_id=kpi.id,
                        ref_text=kpi.name,
                        ref_date=kpi.latest_on,
                    )
                )
        for item in facts.items.get(pid, []):
            if item.status in OPEN_ITEM and item.due_on is not None:
                rows.append(
                    _entry(
                        pid,
                        "follow_up",
                        _minus(item.due_on, FOLLOW_UP_DAYS),
                        _plus(item.due_on, 1),
                        item.due_on,
                        municipality_code=item.owner_municipality_code,
                        ref_id=item.id,
                        ref_text=item.title,
                        ref_code=str(item.owner_kind),
                    )
                )
        if review is not None and stage in DECIDING:
            gate = _review_gate(stage)
            for member in facts.members.get(pid, []):
                if member.left_on is not None:
                    continue
                if (pid, member.municipality_code, gate) in facts.decided:
                    continue
                rows.append(
                    _entry(
                        pid,
                        "municipal_decision",
                        _minus(review.next_review, REVIEW_DAYS),
                        _plus(review.next_review, 1),
                        review.next_review,
                        municipality_code=member.municipality_code,
                        ref_id=review.id,
                        ref_text=gate,
                        ref_date=review.next_review,
                    )
                )
    return rows


def _spread(cents: int, start: date | None, end: date | None) -> dict[int | None, int]:
    if start is None or end is None or end < start:
        return {None: cents}
    return {year: part for year, part in spread_by_year(cents, start, end).items()}


def money_rows(facts: _Facts) -> list[dict[str, Any]]:
    """The money-by-year rows of the pilots in `facts` (every year of a spread, zeros too:
    the range of years shown runs from the first to the last year with planned money)."""
    rows: list[dict[str, Any]] = []
    for pilot in facts.pilots:
        kind = commitment(pilot.stage)
        if kind is Commitment.STOPPED:
            continue
        budget = int(pilot.budget_cents)
        net = net_cost_cents(budget, int(pilot.external_funding_cents))
        budget_parts = _spread(budget, pilot.start_date, pilot.end_date)
        owners: list[tuple[str | None, int]] = [(None, net)]
        owners += [
            (m.municipality_code, int(m.share_cents)) for m in facts.members.get(pilot.id, [])
        ]
        for code, cents in owners:
            for year, part in _spread(cents, pilot.start_date, pilot.end_date).items():
                rows.append(
                    {
                        "pilot_id": pilot.id,
                        "municipality_code": code,
                        "commitment": kind.value,
                        "year": year,
                        "cents": part,
                        # The same years as the net cost's (one span, zeros kept).
                        "budget_cents": budget_parts[year] if code is None else None,
                    }
                )
    return rows


def _bucket(kpi: Any) -> str | None:
    """The KPI's attainment bucket; None where a measured KPI has no progress (a target
    equal to its baseline, which only an old definition can have)."""
    if kpi.latest_value is None:
        return attainment_bucket(None)
    try:
        progress = kpi_progress(
            Decimal(str(kpi.baseline)),
            Decimal(str(kpi.target)),
            Decimal(str(kpi.latest_value)),
            Direction(kpi.direction),
        )
    except (KpiError, ValueError):
        return None
    return attainment_bucket(progress)


def attainment_rows(facts: _Facts) -> list[dict[str, Any]]:
    """The KPI-attainment rows of the pilots in `facts`: one per pilot and bucket it has."""
    rows: list[dict[str, Any]] = []
    for pilot in facts.pilots:
        counts = Counter(_bucket(kpi) for kpi in facts.kpis.get(pilot.id, []))
        counts.pop(None, None)
        rows.extend(
            {"pilot_id": pilot.id, "bucket": bucket, "kpis": n}
            for bucket, n in sorted(counts.items())
        )
    return rows


# --- writing -----------------------------------------------------------------------------


def _stale_days() -> int:
    from pilot_tracker.services.reporting import stale_after_days

    return stale_after_days()


def _batches(ids: Iterable[int], size: int = BATCH) -> Iterator[list[int]]:
    ordered = sorted(set(ids))
    for i in range(0, len(ordered), size):
        yield ordered[i : i + size]


def refresh(conn: sa.Connection, pilot_ids: Iterable[int]) -> None:
    """Replace the aggregate rows of these pilots by their recomputation."""
    stale_days = _stale_days()
    for ids in _batches(pilot_ids):
        conn.execute(sa.delete(DUE_TABLE).where(DUE_TABLE.c.pilot_id.in_(ids)))
        conn.execute(sa.delete(MONEY_TABLE).where(MONEY_TABLE.c.pilot_id.in_(ids)))
        conn.execute(sa.delete(KPI_TABLE).where(KPI_TABLE.c.pilot_id.in_(ids)))
        facts = _load(conn, ids)
        due = due_rows(facts, stale_days)
        money = money_rows(facts)
        attainment = attainment_rows(facts)
        if due:
            conn.execute(sa.insert(DUE_TABLE), due)
        if money:
            conn.execute(sa.insert(MONEY_TABLE), money)
        if attainment:
            conn.execute(sa.insert(KPI_TABLE), attainment)


def all_pilot_ids(conn: sa.Connection) -> list[int]:
    return list(
        conn.execute(sa.select(Pilot.__table__.c.id).order_by(Pilot.__table__.c.id)).scalars()
    )


def rebuild(conn: sa.Connection, progress: Callable[[int], None] | None = None) -> int:
    """Recompute every pilot's rows (after bulk loads); returns the number of pilots."""
    conn.execute(sa.delete(DUE_TABLE))
    conn.execute(sa.delete(MONEY_TABLE))
    conn.execute(sa.delete(KPI_TABLE))
    ids = all_pilot_ids(conn)
    for batch in _batches(ids):
        refresh(conn, batch)
        if progress is not None:
            progress(len(batch))
    return len(ids)


_DUE_FIELDS = (
    "pilot_id",
    "kind",
    "shows_on",
    "overdue_from",
    "due_on",
    "municipality_code",
    "ref_id",
    "ref_text",
    "ref_code",
    "ref_date",
)
_MONEY_FIELDS = ("pilot_id", "municipality_code", "commitment", "year", "cents", "budget_cents")
_KPI_FIELDS = ("pilot_id", "bucket", "kpis")


def _key(row: Any, fields: tuple[str, ...]) -> tuple[Any, ...]:
    get = row.get if isinstance(row, dict) else row._mapping.get
    return tuple(_plain(get(name)) for name in fields)


def _plain(value: Any) -> Any:
    if isinstance(value, str) and len(value) == 10 and value[4] == "-":
        try:
            return date.fromisoformat(value)
        except ValueError:
            return value
    if hasattr(value, "value") and not isinstance(value, (int, str)):
        return value.value
    return value


def check(conn: sa.Connection) -> list[str]:
    """Every difference between the stored rows and a full recomputation (empty: equal)."""
    stale_days = _stale_days()
    expected_due: Counter[tuple[Any, ...]] = Counter()
    expected_money: Counter[tuple[Any, ...]] = Counter()
    expected_kpis: Counter[tuple[Any, ...]] = Counter()
    for ids in _batches(all_pilot_ids(conn)):
        facts = _load(conn, ids)
        expected_due.update(_key(r, _DUE_FIELDS) for r in due_rows(facts, stale_days))
        expected_money.update(_key(r, _MONEY_FIELDS) for r in money_rows(facts))
        expected_kpis.update(_key(r, _KPI_FIELDS) for r in attainment_rows(facts))
    due_table, money_table = DUE_TABLE, MONEY_TABLE
    stored_due = Counter(
        _key(r, _DUE_FIELDS)
        for r in conn.execute(sa.select(*[due_table.c[name] for name in _DUE_FIELDS]))
    )
    stored_money = Counter(
        _key(r, _MONEY_FIELDS)
        for r in conn.execute(sa.select(*[money_table.c[name] for name in _MONEY_FIELDS]))
    )
    stored_kpis = Counter(
        _key(r, _KPI_FIELDS)
        for r in conn.execute(sa.select(*[KPI_TABLE.c[name] for name in _KPI_FIELDS]))
    )
    problems: list[str] = []
    for label, fields, expected, stored in (
        ("due_entries", _DUE_FIELDS, expected_due, stored_due),
        ("money_by_year", _MONEY_FIELDS, expected_money, stored_money),
        ("kpi_attainment", _KPI_FIELDS, expected_kpis, stored_kpis),
    ):
        for row in sorted((expected - stored).elements(), key=repr):
            problems.append(f"{label}: missing {dict(zip(fields, row, strict=True))}")
        for row in sorted((stored - expected).elements(), key=repr):
            problems.append(f"{label}: unexpected {dict(zip(fields, row, strict=True))}")
    return problems


# --- keeping them current ----------------------------------------------------------------


def touch(session: Session, pilot_ids: Iterable[int]) -> None:
    """Mark pilots whose rows a Core statement changed (refreshed at commit or `sync`)."""
    session.info.setdefault(_PENDING, set()).update(int(i) for i in pilot_ids if i is not None)


def _collect(session: Session, flush_context: Any) -> None:
    pilots: set[int] = session.info.setdefault(_PENDING, set())
    kpis: set[int] = session.info.setdefault(_PENDING_KPIS, set())
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Pilot):
            if obj.id is not None:
                pilots.add(obj.id)
        elif isinstance(obj, _BY_PILOT_ID):
            state: Any = sa.inspect(obj)
            if obj.pilot_id is not None:
                pilots.add(obj.pilot_id)
            history = state.attrs.pilot_id.history
            pilots.update(i for i in history.deleted if i is not None)
        elif isinstance(obj, Measurement) and obj.kpi_id is not None:
            kpis.add(obj.kpi_id)


def sync(session: Session) -> None:
    """Refresh the rows of every pilot touched in this transaction so far."""
    if session.new or session.dirty or session.deleted:
        session.flush()
    pilots: set[int] = session.info.get(_PENDING) or set()
    kpis: set[int] = session.info.get(_PENDING_KPIS) or set()
    if not pilots and not kpis:
        return
    conn = session.connection()
    if kpis:
        k = Kpi.__table__.c
        pilots |= set(conn.execute(sa.select(k.pilot_id).where(k.id.in_(sorted(kpis)))).scalars())
    session.info[_PENDING] = set()
    session.info[_PENDING_KPIS] = set()
    refresh(conn, pilots)


def _before_commit(session: Session) -> None:
    sync(session)


_installed = False


def install() -> None:
    """Listen on every ORM session (Flask-SQLAlchemy's, the tests', scripts')."""
    global _installed
    if _installed:
        return
    event.listen(Session, "after_flush", _collect)
    event.listen(Session, "before_commit", _before_commit)
    _installed = True
