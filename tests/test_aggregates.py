"""Maintained aggregates (services/aggregates.py): after any sequence of writes, every row
equals its full recomputation, and the readers answer exactly what the full recomputation
(the UNION of tests/due_reference.py, the spread of services.money._Spread) answers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask import Flask
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from pilot_tracker.domain.commitment import Commitment, commitment
from pilot_tracker.domain.enums import CostKind, Direction, Gate, Outcome, Rag, Stage
from pilot_tracker.domain.follow_up import ItemStatus, OwnerKind
from pilot_tracker.domain.municipal_decisions import Body
from pilot_tracker.extensions import db
from pilot_tracker.models import (
    CostEntry,
    Decision,
    DueEntry,
    FollowUpItem,
    Kpi,
    MunicipalDecision,
    Participation,
    Pilot,
)
from pilot_tracker.services import aggregates, money
from pilot_tracker.services.aggregates import DUE_TABLE, MONEY_TABLE
from pilot_tracker.services.due import due_items
from pilot_tracker.services.reporting import add_kpi, add_measurement, add_status_update
from tests import due_reference
from tests.conftest import Actors
from tests.factories import make_pilot

TODAY = date(2026, 12, 2)
CODES = ("418", "536", "980", "091")

# Function-scoped fixtures are fine here: each example runs inside a savepoint of its own that
# is rolled back at its end (`_example`), so every example starts from the same portfolio (the
# actors alone) and Hypothesis can replay and shrink a failure on its own. Before, the
# examples piled up in one database and each re-checked the whole growing portfolio: a minute
# for 80 examples, and a failure that depended on the examples before it. Each example reads
# the due lists on one of three days (drawn), not on all three. 100 examples (up to some 1 400
# random writes) keep this test near 30 s on the CI profile.
SETTINGS = settings(
    max_examples=min(settings.default.max_examples, 100),
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
)

offsets = st.integers(min_value=-400, max_value=400)
pick = st.integers(min_value=0, max_value=20)
stages = st.sampled_from(list(Stage))

operations = st.one_of(
    st.tuples(
        st.just("create"),
        st.lists(st.sampled_from(CODES), min_size=1, max_size=3, unique=True),
        st.sampled_from([Stage.IDEA, Stage.PLANNING, Stage.PILOTING, Stage.EVALUATION]),
        offsets,
        # The service refuses an end before the start (an edit below may still write one).
        st.integers(min_value=0, max_value=800),
        st.integers(min_value=0, max_value=5_000_000),
        st.integers(min_value=0, max_value=3_000_000),
    ),
    st.tuples(st.just("edit"), pick, stages, offsets, st.integers(0, 800), st.integers(0, 10**7)),
    st.tuples(st.just("undate"), pick),
    st.tuples(st.just("join"), pick, st.sampled_from(CODES), st.integers(0, 10**6)),
    st.tuples(st.just("leave"), pick, offsets),
    st.tuples(st.just("drop_member"), pick),
    st.tuples(
        st.just("decision"),
        pick,
        st.sampled_from(list(Gate)),
        st.sampled_from(list(Outcome)),
        st.integers(0, 300),
        st.one_of(st.none(), offsets),
    ),
    st.tuples(st.just("drop_decision"), pick),
    st.tuples(st.just("municipal"), pick, st.sampled_from(CODES), st.sampled_from(list(Gate))),
    st.tuples(st.just("drop_municipal"), pick),
    st.tuples(st.just("status"), pick, st.integers(0, 120)),
    st.tuples(st.just("kpi"), pick),
    st.tuples(st.just("measure"), pick, st.integers(0, 150)),
    st.tuples(st.just("cost"), pick, st.integers(1, 10**6)),
    st.tuples(
        st.just("follow_up"),
        pick,
        st.one_of(st.none(), offsets),
        st.sampled_from(list(ItemStatus)),
        st.sampled_from([OwnerKind.VENDOR, OwnerKind.COORDINATOR, OwnerKind.MUNICIPALITY]),
    ),
    st.tuples(st.just("close_follow_up"), pick),
    st.tuples(st.just("delete"), pick),
)


def _first(model: Any, pilot_id: int) -> Any:
    return db.session.scalars(
        sa.select(model)
        .where(model.pilot_id == pilot_id)
        .order_by(*model.__table__.primary_key.columns)
    ).first()


def _create(op: tuple[Any, ...], actors: Actors) -> int:
    _, codes, stage, start, length, budget, funding = op
    pilot = make_pilot(
        tuple(codes),
        stage=stage,
        start_date=TODAY + timedelta(days=start),
        end_date=TODAY + timedelta(days=start + length),
        budget_cents=budget,
        funding_cents=min(funding, budget),
        vendor=actors.vendor_a,
    )
    return pilot.id


def _edit(pilot: Pilot, op: tuple[Any, ...]) -> None:
    _, _, stage, start, length, budget = op
    pilot.stage = stage
    pilot.start_date = TODAY + timedelta(days=start)
    pilot.end_date = TODAY + timedelta(days=start + length)
    pilot.budget_cents = budget
    pilot.external_funding_cents = min(pilot.external_funding_cents, budget)
    if stage is Stage.PILOTING and pilot.piloting_since is None:
        pilot.piloting_since = TODAY - timedelta(days=3)


def _undate(pilot: Pilot, op: tuple[Any, ...]) -> None:
    pilot.end_date = None


def _join(pilot: Pilot, op: tuple[Any, ...]) -> None:
    _, _, code, share = op
    db.session.add(Participation(pilot_id=pilot.id, municipality_code=code, share_cents=share))


def _leave(pilot: Pilot, op: tuple[Any, ...]) -> None:
    member = _first(Participation, pilot.id)
    if member is not None:
        member.left_on = TODAY + timedelta(days=op[2])


def _drop_first(model: Any) -> Callable[[Pilot, tuple[Any, ...]], None]:
    """An operation deleting the pilot's first `model` row, if it has one."""

    def drop(pilot: Pilot, op: tuple[Any, ...]) -> None:
        row = _first(model, pilot.id)
        if row is not None:
            db.session.delete(row)

    return drop


def _decision(pilot: Pilot, op: tuple[Any, ...]) -> None:
    _, _, gate, outcome, ago, review = op
    db.session.add(
        Decision(
            pilot_id=pilot.id,
            gate=gate,
            outcome=outcome,
            decided_on=TODAY - timedelta(days=ago),
            decided_by="ohjausryhmä",
            next_review=None if review is None else TODAY + timedelta(days=review),
            stage_before=pilot.stage,
            stage_after=pilot.stage,
            snapshot={},
        )
    )


def _municipal(pilot: Pilot, op: tuple[Any, ...]) -> None:
    _, _, code, gate = op
    db.session.add(
        MunicipalDecision(
            pilot_id=pilot.id,
            municipality_code=code,
            gate=gate,
            outcome=Outcome.GO,
            body=Body.COUNCIL,
            decided_on=TODAY - timedelta(days=2),
        )
    )


def _status(pilot: Pilot, op: tuple[Any, ...]) -> None:
    add_status_update(
        pilot, Rag.GREEN, 10, "Etenee.", reported_on=TODAY - timedelta(days=op[2]), today=TODAY
    )


def _kpi(pilot: Pilot, op: tuple[Any, ...]) -> None:
    add_kpi(pilot, "Käyttäjiä", "kpl", Decimal(0), Decimal(10), Direction.INCREASE)


def _measure(pilot: Pilot, op: tuple[Any, ...]) -> None:
    kpi = _first(Kpi, pilot.id)
    if kpi is not None:
        add_measurement(kpi, TODAY - timedelta(days=op[2]), Decimal(3), today=TODAY)


def _cost(pilot: Pilot, op: tuple[Any, ...]) -> None:
    db.session.add(
        CostEntry(
            pilot_id=pilot.id,
            entry_date=TODAY - timedelta(days=10),
            amount_cents=op[2],
            kind=CostKind.OTHER,
        )
    )


def _follow_up(pilot: Pilot, op: tuple[Any, ...]) -> None:
    _, _, due, status, owner = op
    db.session.add(
        FollowUpItem(
            pilot_id=pilot.id,
            title="Selvitä",
            owner_kind=owner,
            owner_municipality_code="418" if owner is OwnerKind.MUNICIPALITY else None,
            due_on=None if due is None else TODAY + timedelta(days=due),
            status=status,
        )
    )


def _close_follow_up(pilot: Pilot, op: tuple[Any, ...]) -> None:
    item = _first(FollowUpItem, pilot.id)
    if item is not None:
        item.status = ItemStatus.DONE


def _delete(pilot: Pilot, op: tuple[Any, ...]) -> None:
    db.session.delete(pilot)


# Every operation but "create", by its name in `operations`: each writes to the pilot that
# the operation's second element picks.
_WRITES: dict[str, Callable[[Pilot, tuple[Any, ...]], None]] = {
    "edit": _edit,
    "undate": _undate,
    "join": _join,
    "leave": _leave,
    "drop_member": _drop_first(Participation),
    "decision": _decision,
    "drop_decision": _drop_first(Decision),
    "municipal": _municipal,
    "drop_municipal": _drop_first(MunicipalDecision),
    "status": _status,
    "kpi": _kpi,
    "measure": _measure,
    "cost": _cost,
    "follow_up": _follow_up,
    "close_follow_up": _close_follow_up,
    "delete": _delete,
}


def _apply(op: tuple[Any, ...], pilots: list[int], actors: Actors) -> None:
    kind = op[0]
    if kind == "create":
        pilots.append(_create(op, actors))
        return
    if not pilots:
        return
    pilot = db.session.get(Pilot, pilots[op[1] % len(pilots)])
    if pilot is None:
        return
    if kind == "join" and db.session.get(Participation, (pilot.id, op[2])) is not None:
        return  # already a participant: nothing is written
    _WRITES[kind](pilot, op)
    db.session.commit()


def _reference_spread(*, code: str | None) -> money._Spread:
    """The spread by year as it was computed on each request, before the aggregates."""
    spread = money._Spread()
    if code is None:
        rows = db.session.execute(
            sa.select(Pilot.stage, Pilot.net_cost_cents, Pilot.start_date, Pilot.end_date)
        ).all()
    else:
        rows = db.session.execute(
            sa.select(Pilot.stage, Participation.share_cents, Pilot.start_date, Pilot.end_date)
            .join(Participation, Participation.pilot_id == Pilot.id)
            .where(Participation.municipality_code == code)
        ).all()
    for stage, cents, start, end in rows:
        spread.add(commitment(stage), int(cents), start, end)
    return spread


def _identity(item: Any) -> tuple[Any, ...]:
    return (item.pilot_id, item.kind, item.ref_id, item.municipality or "")


def _assert_equal_to_full_recomputation(actors: Actors, today: date) -> None:
    assert aggregates.check(db.session.connection()) == []
    users = [
        actors.coordinator,
        actors.council_tied,
        actors.vendor_user,
        actors.other_vendor_user,
    ]
    for user in users:
        for municipality in (None, "418"):
            got = due_items(user, today, municipality=municipality, limit=1000)
            want = due_reference.due_items(user, today, municipality=municipality, limit=1000)
            assert (got.total, got.overdue_total) == (want.total, want.overdue_total)
            assert sorted(got.items, key=_identity) == sorted(want.items, key=_identity)
            # The same order, up to ties of the reference's own ORDER BY.
            order = [(i.overdue, i.due_on, i.pilot_id, i.kind) for i in got.items]
            assert order == [(i.overdue, i.due_on, i.pilot_id, i.kind) for i in want.items]
            # Short pages (the coordinator's are chosen by walking each part's first
            # entries only) are slices of the whole list.
            for offset in (0, 1, 4):
                page = due_items(user, today, municipality=municipality, limit=3, offset=offset)
                assert page.items == got.items[offset : offset + 3]
            for pilot_id in {i.pilot_id for i in got.items[:3]}:
                one = due_items(
                    user, today, municipality=municipality, limit=1000, pilot_id=pilot_id
                )
                assert one.items == [i for i in got.items if i.pilot_id == pilot_id]
    portfolio = money.portfolio_money(lambda query: query)
    spread = _reference_spread(code=None)
    assert portfolio.by_year == spread.rows(money.actuals.actual_cost_by_year(lambda q: q))
    assert portfolio.unscheduled == spread.unscheduled_pair()
    planned = db.session.execute(
        sa.select(Pilot.stage, Pilot.net_cost_cents).where(Pilot.stage != Stage.STOPPED)
    ).all()
    committed = sum(int(n) for s, n in planned if commitment(s) is Commitment.COMMITTED)
    proposed = sum(int(n) for s, n in planned if commitment(s) is Commitment.PROPOSED)
    assert (portfolio.committed_cents, portfolio.proposed_cents) == (committed, proposed)
    for code in CODES:
        place = money.municipality_money(code, 10_000)
        spread = _reference_spread(code=code)
        actual = money.actuals.municipality_actual_by_year(code)
        assert place.by_year == spread.rows(actual)
        assert place.unscheduled == spread.unscheduled_pair()


@SETTINGS
@given(st.lists(operations, min_size=1, max_size=14), st.sampled_from((0, -45, 70)))
def test_every_aggregate_equals_its_full_recomputation_after_any_writes(
    app: Flask, actors: Actors, ops: list[tuple[Any, ...]], day: int
) -> None:
    """`day`: the due lists are read on the writes' day, 45 days before it (nothing is due
    yet that is due today) or 70 days after (much has become overdue)."""
    with app.app_context(), _example():
        pilots: list[int] = []
        for op in ops:
            _apply(op, pilots, actors)
        _assert_equal_to_full_recomputation(actors, TODAY + timedelta(days=day))


@contextmanager
def _example() -> Iterator[None]:
    """Everything an example writes, undone at its end: a savepoint on the test's connection
    around the session's own savepoints (its commits release those, not this one)."""
    session = db.session()
    assert not session.in_transaction(), "an example starts outside the session's transaction"
    before = set(session.identity_map.keys())
    connection = session.get_bind()
    assert isinstance(connection, sa.Connection)
    savepoint = connection.begin_nested()
    try:
        yield
    finally:
        session.rollback()
        savepoint.rollback()
        session.info.pop(aggregates._CACHE, None)
        # What the example made is gone from the database: out of the session with it (a
        # later example may get the same ids), and the rest is read again.
        for key, obj in list(session.identity_map.items()):
            if key not in before:
                session.expunge(obj)
        session.expire_all()


def test_a_flushed_change_is_seen_before_the_commit(app: Flask, actors: Actors) -> None:
    with app.app_context():
        pilot = make_pilot(("418",), stage=Stage.PILOTING, end_date=TODAY - timedelta(days=3))
        before = due_items(actors.coordinator, TODAY).items
        assert [i.kind.value for i in before if i.pilot_id == pilot.id].count("past_end") == 1
        pilot.stage = Stage.SCALING
        db.session.flush()
        after = due_items(actors.coordinator, TODAY).items
        assert [i for i in after if i.pilot_id == pilot.id and i.kind.value == "past_end"] == []


def test_rebuild_and_check_commands(app: Flask, actors: Actors, runner: Any) -> None:
    with app.app_context():
        pilot = make_pilot(("418", "536"), stage=Stage.PILOTING, end_date=TODAY - timedelta(days=3))
        result = runner.invoke(args=["check-aggregates"])
        assert result.exit_code == 0, result.output
        # Tamper with one stored row: the check names it and fails.
        db.session.execute(
            sa.update(MONEY_TABLE)
            .where(MONEY_TABLE.c.pilot_id == pilot.id)
            .values(cents=MONEY_TABLE.c.cents + 1)
        )
        db.session.execute(
            sa.delete(DUE_TABLE).where(
                DUE_TABLE.c.pilot_id == pilot.id, DUE_TABLE.c.kind == "past_end"
            )
        )
        result = runner.invoke(args=["check-aggregates"])
        assert result.exit_code == 1
        assert "money_by_year: unexpected" in result.output
        assert f"'pilot_id': {pilot.id}" in result.output
        assert "due_entries: missing" in result.output and "past_end" in result.output
        result = runner.invoke(args=["rebuild-aggregates"])
        assert result.exit_code == 0, result.output
        assert "Rebuilt the aggregates of" in result.output
        assert runner.invoke(args=["check-aggregates"]).exit_code == 0
        stored = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(DueEntry)
            .where(DueEntry.pilot_id == pilot.id, DueEntry.kind == "past_end")
        )
        assert stored == 1
