"""Recording, editing and deleting an entry recompute only from that entry on (date, then id)
and write only what moved; the stored figures always equal a full recomputation.

Property tests (hypothesis) on the database: random pilots (method, membership history,
funding amount and rate) and random sequences of invoices, credit notes, edits (amount, and
the date moved earlier or later) and deletes. After every step, every stored entry's funded
part and shares equal what the rules give for all of the pilot's entries at once
(domain/actual_costs.apply_entries), and a full recompute_pilot changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pilot_tracker.domain.actual_costs import Entry, apply_entries
from pilot_tracker.domain.enums import SplitMethod
from pilot_tracker.extensions import db
from pilot_tracker.models import AuditEntry, CostEntry, CostShare, Participation
from pilot_tracker.services.costs import (
    CostData,
    CostValidationError,
    delete_cost,
    load_entry,
    load_pilot_for_costs,
    members_of,
    pilot_rate,
    recompute_pilot,
    record_cost,
    rule_of,
    update_cost,
)
from pilot_tracker.services.pilots import load_pilot_for_update, update_pilot
from tests.factories import make_pilot
from tests.test_pilots_queries import counted

CODES = ("020", "049", "091", "418", "536", "980")
START = date(2025, 1, 1)

PROPERTY = settings(
    max_examples=100,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# One step: ("add", day, cents) | ("edit", which, day or None, cents or None) | ("delete", which)
add = st.tuples(
    st.just("add"),
    st.integers(0, 120),
    st.integers(1, 500_000) | st.integers(-200_000, -1),
)
edit = st.tuples(
    st.just("edit"),
    st.integers(0, 50),
    st.none() | st.integers(0, 120),
    st.none() | st.integers(-100_000, 500_000).filter(bool),
)
delete = st.tuples(st.just("delete"), st.integers(0, 50))


@dataclass(frozen=True)
class History:
    """A pilot drawn at random and the steps done to its entries."""

    codes: list[str]
    windows: dict[str, tuple[date | None, date | None]]
    method: SplitMethod
    budget: int
    funding: int
    rate: int | None  # hundredths of a per cent, or None: planned funding ÷ budget
    steps: list[tuple[Any, ...]]


@st.composite
def histories(draw: st.DrawFn) -> History:
    codes = draw(st.lists(st.sampled_from(CODES), min_size=1, max_size=4, unique=True))
    windows = {}
    for code in codes[1:]:
        # The first participant is a founder who stays, so every date has someone active.
        joined = draw(st.none() | st.integers(0, 80))
        left = draw(st.none() | st.integers(10, 121))
        if joined is not None and left is not None and left <= joined:
            left = joined + 1
        windows[code] = (
            None if joined is None else START + timedelta(joined),
            None if left is None else START + timedelta(left),
        )
    return History(
        codes=codes,
        windows=windows,
        method=draw(st.sampled_from([m for m in SplitMethod if m is not SplitMethod.MANUAL])),
        budget=draw(st.integers(1_500_000, 30_000_000)),
        # Small against the entries, so that it is often used up part way through them.
        funding=draw(st.integers(0, 1_500_000)),
        rate=draw(st.none() | st.integers(0, 10_000)),
        steps=draw(st.lists(st.one_of(add, add, edit, delete), min_size=8, max_size=24)),
    )


def _stored(pilot_id: int) -> dict[int, tuple[int, dict[str, int]]]:
    funded = dict(
        db.session.execute(
            sa.select(CostEntry.id, CostEntry.funded_cents).where(CostEntry.pilot_id == pilot_id)
        ).all()
    )
    shares: dict[int, dict[str, int]] = {i: {} for i in funded}
    for entry_id, code, cents, on in db.session.execute(
        sa.select(
            CostShare.cost_entry_id,
            CostShare.municipality_code,
            CostShare.share_cents,
            CostShare.entry_date,
        ).where(CostShare.pilot_id == pilot_id)
    ):
        shares[entry_id][code] = cents
        assert on == db.session.get(CostEntry, entry_id).entry_date  # type: ignore[union-attr]
    return {i: (funded[i], shares[i]) for i in funded}


def _full(pilot_id: int) -> dict[int, tuple[int, dict[str, int]]]:
    """Every entry computed from scratch by the rules."""
    pilot = load_pilot_for_costs(pilot_id)
    assert pilot is not None
    entries = [
        Entry(i, on, amount)
        for i, on, amount in db.session.execute(
            sa.select(CostEntry.id, CostEntry.entry_date, CostEntry.amount_cents).where(
                CostEntry.pilot_id == pilot_id
            )
        )
    ]
    applied = apply_entries(
        entries, members_of(pilot), rule_of(pilot), pilot_rate(pilot), pilot.external_funding_cents
    )
    return {a.entry.id: (a.funded_cents, a.shares) for a in applied}


def _make(history: History) -> int:
    pilot = make_pilot(
        tuple(history.codes),
        method=history.method,
        budget_cents=history.budget,
        funding_cents=history.funding,
        equal_percent=Decimal("30.00") if history.method is SplitMethod.HYBRID else None,
    )
    if history.rate is not None:
        rate = Decimal(history.rate) / 100
        update_pilot(pilot, {"external_funding_rate_percent": rate}, expected_version=1)
    for participation in db.session.scalars(
        sa.select(Participation).where(Participation.pilot_id == pilot.id)
    ):
        joined, left = history.windows.get(participation.municipality_code, (None, None))
        participation.joined_on, participation.left_on = joined, left
    db.session.flush()
    return pilot.id


@PROPERTY
@given(histories())
def test_incremental_figures_equal_the_full_recomputation(app: Flask, history: History) -> None:
    with app.app_context():
        pilot_id = _make(history)
        pilot = load_pilot_for_update(pilot_id)
        assert pilot is not None
        for step in history.steps:
            ids = [
                i
                for (i,) in db.session.execute(
                    sa.select(CostEntry.id)
                    .where(CostEntry.pilot_id == pilot_id)
                    .order_by(CostEntry.id)
                )
            ]
            try:
                if step[0] == "add":
                    record_cost(pilot, CostData(START + timedelta(step[1]), step[2]))
                elif step[0] == "edit" and ids:
                    entry = load_entry(ids[step[1] % len(ids)])
                    assert entry is not None
                    changes: dict[str, Any] = {}
                    if step[2] is not None:
                        changes["entry_date"] = START + timedelta(step[2])
                    if step[3] is not None:
                        changes["amount_cents"] = step[3]
                    update_cost(entry, changes)
                elif step[0] == "delete" and ids:
                    entry = load_entry(ids[step[1] % len(ids)])
                    assert entry is not None
                    delete_cost(entry)
            except CostValidationError:
                pass  # refused (a credit note below zero in total): nothing was written
            db.session.expire_all()
            assert _stored(pilot_id) == _full(pilot_id)
        audits = db.session.scalar(sa.select(sa.func.count(AuditEntry.id)))
        recompute_pilot(pilot_id)
        # The full recomputation finds nothing to change, so it audits nothing.
        assert db.session.scalar(sa.select(sa.func.count(AuditEntry.id))) == audits


def _half_funded_pilot(app: Flask) -> int:
    """One municipality, 50 % of each cost funded up to 15 000 cents."""
    pilot = make_pilot(
        ("091",), method=SplitMethod.EQUAL, budget_cents=100_000, funding_cents=15_000
    )
    update_pilot(pilot, {"external_funding_rate_percent": Decimal("50.00")}, expected_version=1)
    return pilot.id


def test_a_new_latest_entry_touches_no_earlier_entry(app: Flask) -> None:
    with app.app_context():
        pilot_id = _half_funded_pilot(app)
        pilot = load_pilot_for_update(pilot_id)
        assert pilot is not None
        for day in range(1, 6):
            record_cost(pilot, CostData(date(2026, 1, day), 1_000))
        with counted(app) as statements:
            record_cost(pilot, CostData(date(2026, 2, 1), 1_000))
        writes = [s for s in statements if s.lstrip().upper().startswith(("UPDATE", "DELETE"))]
        assert writes == []
        recomputes = db.session.scalars(
            sa.select(AuditEntry).where(AuditEntry.action == "recompute")
        ).all()
        assert recomputes == []


def test_an_early_change_writes_only_the_entries_whose_funding_moved(app: Flask) -> None:
    with app.app_context():
        pilot_id = _half_funded_pilot(app)
        pilot = load_pilot_for_update(pilot_id)
        assert pilot is not None
        # 50 % of 10 000 each: 5 000, 5 000, 5 000, then the 15 000 are used up: 0, 0.
        entries = [record_cost(pilot, CostData(date(2026, 1, d), 10_000)) for d in range(1, 6)]
        assert [e.funded_cents for e in entries] == [5_000, 5_000, 5_000, 0, 0]
        # A credit note of 4 000 dated before them gives nothing back (nothing funded yet)...
        # an invoice of 4 000 before them takes 2 000: the third gets 3 000, the fourth 0.
        record_cost(pilot, CostData(date(2025, 12, 31), 4_000))
        db.session.expire_all()
        funded = [db.session.get(CostEntry, e.id).funded_cents for e in entries]  # type: ignore[union-attr]
        assert funded == [5_000, 5_000, 3_000, 0, 0]
        moved = db.session.scalars(
            sa.select(AuditEntry.entity_id).where(AuditEntry.action == "recompute")
        ).all()
        assert moved == [str(entries[2].id)]
        # Moving the first invoice after the last: the others move up, it gets nothing.
        first = load_entry(entries[0].id)
        assert first is not None
        update_cost(first, {"entry_date": date(2026, 3, 1)})
        db.session.expire_all()
        funded = [db.session.get(CostEntry, e.id).funded_cents for e in entries]  # type: ignore[union-attr]
        assert funded == [0, 5_000, 5_000, 3_000, 0]
        # The early invoice grows to 20 000 and takes 10 000: the third and fourth lose theirs.
        early = db.session.scalars(
            sa.select(CostEntry).where(CostEntry.entry_date == date(2025, 12, 31))
        ).one()
        update_cost(early, {"amount_cents": 20_000})
        db.session.expire_all()
        funded = [db.session.get(CostEntry, e.id).funded_cents for e in entries]  # type: ignore[union-attr]
        assert funded == [0, 5_000, 0, 0, 0]
        assert _stored(pilot_id) == _full(pilot_id)
        # Deleting it gives the funding back in order: 5 000, 5 000, 5 000 again.
        delete_cost(early)
        db.session.expire_all()
        funded = [db.session.get(CostEntry, e.id).funded_cents for e in entries]  # type: ignore[union-attr]
        assert funded == [0, 5_000, 5_000, 5_000, 0]
        assert _stored(pilot_id) == _full(pilot_id)


def test_recording_takes_the_same_queries_whatever_the_pilot_holds(app: Flask) -> None:
    with app.app_context():
        pilot_id = _half_funded_pilot(app)
        pilot = load_pilot_for_update(pilot_id)
        assert pilot is not None
        counts = []
        for earlier in (2, 30):
            while (
                db.session.scalar(
                    sa.select(sa.func.count(CostEntry.id)).where(CostEntry.pilot_id == pilot_id)
                )
                < earlier
            ):
                record_cost(pilot, CostData(date(2026, 1, 1), 1_000))
            with counted(app) as statements:
                record_cost(pilot, CostData(date(2026, 2, 1), 1_000))
            counts.append(len(statements))
        assert counts[0] == counts[1], counts
