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
- `pilot_totals`: the pilot's contribution to each of the portfolio's totals (`total_rows`,
  from the rows above and the pilot's facts), and `portfolio_totals` their sums over every
  pilot: a refresh reads the pilot's old contributions, writes the new ones and adds the
  difference to the sums (an upsert per changed total, in sorted order so that concurrent
  writers lock in the same order). The unfiltered portfolio reads these sums (`totals`).

Keeping them current: a session hook (`install`) collects, in `after_flush`, the pilots
touched by new, changed or deleted ORM objects of the tables the rows depend on, and
refreshes those pilots' rows in `before_commit`, in the same transaction; the readers call
`sync` first so that a flushed but uncommitted change is seen as well. Core statements that
bypass the ORM call `touch`. After bulk loads: `rebuild` (`flask --app wsgi
rebuild-aggregates`); `check` recomputes everything and compares exactly
(`flask --app wsgi check-aggregates`).

`STALE_AFTER_DAYS` is part of a status update's due date: rebuild after changing it.
A rebuild writes the current models' columns, so the migration that back-fills the rows is
the latest one that changes these tables (0023 now): one that changes them again moves the
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
    Municipality,
    Participation,
    Pilot,
    PilotTotal,
    PortfolioTotal,
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
PILOT_TOTALS = cast(sa.Table, PilotTotal.__table__)
TOTALS = cast(sa.Table, PortfolioTotal.__table__)

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
    decisions: dict[int, Counter[tuple[str, str]]]


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
                p.track,
                p.estimated_annual_savings_cents,
            ).where(p.id.in_(ids))
        )
    )
    d = Decision.__table__.c
    newest: dict[int, Any] = {}
    decisions: dict[int, Counter[tuple[str, str]]] = defaultdict(Counter)
    for row in conn.execute(
        sa.select(d.id, d.pilot_id, d.gate, d.outcome, d.decided_on, d.next_review).where(
            d.pilot_id.in_(ids)
        )
    ):
        decisions[row.pilot_id][(_day(row.decided_on).isoformat()[:7], str(row.outcome))] += 1
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
            k.is_savings,
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
    return _Facts(pilots, newest, members, decided, kpis, items, decisions)


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


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


def _reporting_rows(pilot: Any, facts: _Facts, stale_days: int) -> list[dict[str, Any]]:
    """A reporting pilot's entries: past its end, its status update, its measurements."""
    pid = pilot.id
    rows: list[dict[str, Any]] = []
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
    return rows


def _municipal_rows(pid: int, stage: Stage, review: Any, facts: _Facts) -> list[dict[str, Any]]:
    """The current participants' missing decisions on the gate under review."""
    rows: list[dict[str, Any]] = []
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
            rows.extend(_reporting_rows(pilot, facts, stale_days))
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
            rows.extend(_municipal_rows(pid, stage, review, facts))
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


# The portfolio's totals: (measure, key) -> amount. Keys are texts; dates in them are ISO, so
# that a key range is a date range.
MUNICIPALITY_CENTS = "m.cents"  # key "<code>|<commitment>": the participant's planned share
MUNICIPALITY_PILOTS = "m.pilots"  # key "<code>": participations (stopped pilots too)
YEAR_CENTS = "y.cents"  # key "<commitment>|<year or empty>": planned net cost
YEAR_BUDGET = "y.budget"  # key "<commitment>|<year or empty>": planned budget before funding
YEAR_ROWS = "y.rows"  # key "<commitment>|<year or empty>": whole pilots' rows (zeros too)
DECIDED = "decided"  # key "<YYYY-MM>|<outcome>": decisions
ATTAINMENT = "kpi"  # key "<bucket>": KPIs
STAGE_SAVINGS = "s.stage"  # key "<stage>": estimated annual savings, cents (not stopped)
TRACK_SAVINGS = "s.track"  # key "<track>": savings KPIs' latest values, 1/10 000 euros
DUE_SHOWS = "due.shows"  # key "<shows_on>|<kind>": due entries shown from that day
DUE_OVERDUE = "due.over"  # key "<the day it is shown and overdue>|<kind>": overdue entries
SAVINGS_SCALE = 10_000  # Kpi values have 4 decimals: exact as integers of 1/10 000


def _year_key(commitment_: str, year: int | None) -> str:
    return f"{commitment_}|{'' if year is None else year}"


def total_rows(
    facts: _Facts,
    due: list[dict[str, Any]],
    money: list[dict[str, Any]],
    attainment: list[dict[str, Any]],
) -> Counter[tuple[int, str, str]]:
    """Each pilot's contribution to the portfolio's totals: (pilot, measure, key) ->
    amount, from its maintained rows and its facts (zero contributions left out)."""
    out: Counter[tuple[int, str, str]] = Counter()
    for row in money:
        pid, code, kind = row["pilot_id"], row["municipality_code"], row["commitment"]
        if code is None:
            out[pid, YEAR_CENTS, _year_key(kind, row["year"])] += row["cents"]
            out[pid, YEAR_BUDGET, _year_key(kind, row["year"])] += row["budget_cents"] or 0
            out[pid, YEAR_ROWS, _year_key(kind, row["year"])] += 1
        else:
            out[pid, MUNICIPALITY_CENTS, f"{code}|{kind}"] += row["cents"]
    for row in due:
        shows, overdue = row["shows_on"], max(row["shows_on"], row["overdue_from"])
        out[row["pilot_id"], DUE_SHOWS, f"{shows.isoformat()}|{row['kind']}"] += 1
        out[row["pilot_id"], DUE_OVERDUE, f"{overdue.isoformat()}|{row['kind']}"] += 1
    for row in attainment:
        out[row["pilot_id"], ATTAINMENT, row["bucket"]] += row["kpis"]
    for pilot in facts.pilots:
        pid = pilot.id
        for member in facts.members.get(pid, []):
            out[pid, MUNICIPALITY_PILOTS, member.municipality_code] += 1
        for (month, outcome), n in facts.decisions.get(pid, Counter()).items():
            out[pid, DECIDED, f"{month}|{outcome}"] += n
        if str(pilot.stage) != Stage.STOPPED.value and pilot.estimated_annual_savings_cents:
            out[pid, STAGE_SAVINGS, str(pilot.stage)] += int(pilot.estimated_annual_savings_cents)
        for kpi in facts.kpis.get(pid, []):
            if kpi.is_savings and kpi.latest_value is not None:
                value = Decimal(str(kpi.latest_value)) * SAVINGS_SCALE
                out[pid, TRACK_SAVINGS, str(pilot.track)] += int(value)
    return _nonzero(out)


def _nonzero(counter: Counter[Any]) -> Counter[Any]:
    return Counter({key: value for key, value in counter.items() if value != 0})


def _add_to_totals(conn: sa.Connection, delta: dict[tuple[str, str], int]) -> None:
    """Add `delta` to the portfolio's totals (an upsert per total, in key order), then drop
    the totals that reached zero."""
    changed: list[dict[str, Any]] = [
        {"measure": m, "key": k, "amount": v} for (m, k), v in sorted(delta.items()) if v != 0
    ]
    if not changed:
        return
    from sqlalchemy.dialects import postgresql, sqlite

    upsert: Any = (
        postgresql.insert(TOTALS) if conn.dialect.name == "postgresql" else sqlite.insert(TOTALS)
    )
    conn.execute(
        upsert.on_conflict_do_update(
            index_elements=[TOTALS.c.measure, TOTALS.c.key],
            set_={"amount": TOTALS.c.amount + upsert.excluded.amount},
        ),
        changed,
    )
    fallen = [row for row in changed if row["amount"] < 0]
    if fallen:
        conn.execute(
            sa.delete(TOTALS).where(
                TOTALS.c.measure == sa.bindparam("m"),
                TOTALS.c.key == sa.bindparam("k"),
                TOTALS.c.amount == 0,
            ),
            [{"m": row["measure"], "k": row["key"]} for row in fallen],
        )


def _refresh_totals(
    conn: sa.Connection, ids: list[int], new: Counter[tuple[int, str, str]]
) -> None:
    """Replace these pilots' contributions by `new` and add the difference to the sums."""
    t = PILOT_TOTALS.c
    old = {
        (row.pilot_id, row.measure, row.key): int(row.amount)
        for row in conn.execute(
            sa.select(t.pilot_id, t.measure, t.key, t.amount).where(t.pilot_id.in_(ids))
        )
    }
    if old == dict(new):
        return
    delta: dict[tuple[str, str], int] = defaultdict(int)
    for (_, measure, key), amount in new.items():
        delta[measure, key] += amount
    for (_, measure, key), amount in old.items():
        delta[measure, key] -= amount
    conn.execute(sa.delete(PILOT_TOTALS).where(t.pilot_id.in_(ids)))
    if new:
        conn.execute(
            sa.insert(PILOT_TOTALS),
            [{"pilot_id": p, "measure": m, "key": k, "amount": v} for (p, m, k), v in new.items()],
        )
    _add_to_totals(conn, delta)


@dataclass(frozen=True)
class _Totals:
    amounts: dict[str, dict[str, int]]
    names: dict[str, tuple[str, str]]  # municipality code -> (Finnish, Swedish name)


_CACHE = "aggregates_totals"
_DUE_MEASURES = (DUE_SHOWS, DUE_OVERDUE)


def _all_totals(session: Session) -> _Totals:
    """Every total except the due items' by day, with the names of the municipalities the
    totals name: one query, read once per transaction (until this transaction changes them)."""
    sync(session)
    cached = session.info.get(_CACHE)
    transaction = session.get_transaction()
    if cached is not None and transaction is not None and cached[0] is transaction:
        return cast(_Totals, cached[1])
    m = Municipality.__table__.c
    code = sa.func.substr(TOTALS.c.key, 1, 3)
    query = (
        sa.select(TOTALS.c.measure, TOTALS.c.key, TOTALS.c.amount, m.name_fi, m.name_sv)
        .outerjoin(
            Municipality.__table__,
            sa.and_(
                TOTALS.c.measure.in_((MUNICIPALITY_CENTS, MUNICIPALITY_PILOTS)), m.code == code
            ),
        )
        .where(TOTALS.c.measure.not_in(_DUE_MEASURES))
    )
    amounts: dict[str, dict[str, int]] = defaultdict(dict)
    names: dict[str, tuple[str, str]] = {}
    for measure, key, amount, name_fi, name_sv in session.execute(query):
        amounts[measure][key] = int(amount)
        if name_fi is not None:
            names[key[:3]] = (name_fi, name_sv)
    found = _Totals(dict(amounts), names)
    session.info[_CACHE] = (session.get_transaction(), found)
    return found


def totals(session: Session, measure: str) -> dict[str, int]:
    """The portfolio's totals of `measure` by key, current with this transaction's changes."""
    return _all_totals(session).amounts.get(measure, {})


def municipality_names(session: Session) -> dict[str, tuple[str, str]]:
    """(Finnish, Swedish) names of the municipalities in the totals, read with them."""
    return _all_totals(session).names


def due_totals(session: Session, today: date) -> dict[tuple[str, str], int]:
    """(DUE_SHOWS or DUE_OVERDUE, kind) -> how many entries are shown (overdue) `today`:
    one grouped query over the totals by day (every day up to today is below tomorrow's ISO
    text; a key is "<ISO day>|<kind>")."""
    sync(session)
    kind = sa.func.substr(TOTALS.c.key, 12)
    query = (
        sa.select(TOTALS.c.measure, kind, sa.func.sum(TOTALS.c.amount))
        .where(TOTALS.c.measure.in_(_DUE_MEASURES))
        .where(TOTALS.c.key < (today + timedelta(days=1)).isoformat())
        .group_by(TOTALS.c.measure, kind)
    )
    return {(measure, kind_): int(n) for measure, kind_, n in session.execute(query)}


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
        _refresh_totals(conn, ids, total_rows(facts, due, money, attainment))


def all_pilot_ids(conn: sa.Connection) -> list[int]:
    return list(
        conn.execute(sa.select(Pilot.__table__.c.id).order_by(Pilot.__table__.c.id)).scalars()
    )


def rebuild(conn: sa.Connection, progress: Callable[[int], None] | None = None) -> int:
    """Recompute every pilot's rows (after bulk loads); returns the number of pilots."""
    conn.execute(sa.delete(DUE_TABLE))
    conn.execute(sa.delete(MONEY_TABLE))
    conn.execute(sa.delete(KPI_TABLE))
    conn.execute(sa.delete(PILOT_TOTALS))
    conn.execute(sa.delete(TOTALS))
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
    expected_totals: Counter[tuple[Any, ...]] = Counter()
    expected_sums: Counter[tuple[str, str]] = Counter()
    for ids in _batches(all_pilot_ids(conn)):
        facts = _load(conn, ids)
        due, money = due_rows(facts, stale_days), money_rows(facts)
        attainment = attainment_rows(facts)
        expected_due.update(_key(r, _DUE_FIELDS) for r in due)
        expected_money.update(_key(r, _MONEY_FIELDS) for r in money)
        expected_kpis.update(_key(r, _KPI_FIELDS) for r in attainment)
        for (pid, measure, key), amount in total_rows(facts, due, money, attainment).items():
            expected_totals[pid, measure, key, amount] += 1
            expected_sums[measure, key] += amount
    t = PILOT_TOTALS.c
    stored_totals = Counter(
        tuple(row) for row in conn.execute(sa.select(t.pilot_id, t.measure, t.key, t.amount))
    )
    stored_sums = {
        (row.measure, row.key): int(row.amount)
        for row in conn.execute(sa.select(TOTALS.c.measure, TOTALS.c.key, TOTALS.c.amount))
    }
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
    total_fields = ("pilot_id", "measure", "key", "amount")
    for row in sorted((expected_totals - stored_totals).elements(), key=repr):
        problems.append(f"pilot_totals: missing {dict(zip(total_fields, row, strict=True))}")
    for row in sorted((stored_totals - expected_totals).elements(), key=repr):
        problems.append(f"pilot_totals: unexpected {dict(zip(total_fields, row, strict=True))}")
    for measure, key in sorted(set(stored_sums) | {k for k, v in expected_sums.items() if v}):
        want, have = expected_sums.get((measure, key), 0), stored_sums.get((measure, key))
        if have != (want or None):
            problems.append(f"portfolio_totals: {measure} {key} is {have}, expected {want}")
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
    session.info.pop(_CACHE, None)
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
