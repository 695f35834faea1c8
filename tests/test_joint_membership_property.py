"""Membership over time through the services, as stored: after every step of any sequence of
municipal decisions (joins, leaves, decisions that change nothing, refusals) and budget
edits, the planned shares of the current participants add up to the net cost exactly, and
nobody who left has a planned share or a percentage. Every split method, both databases."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pilot_tracker.domain.enums import Gate, Outcome, SplitMethod, Stage
from pilot_tracker.domain.municipal_decisions import Body
from pilot_tracker.extensions import db
from pilot_tracker.models import Participation, Pilot
from pilot_tracker.services.municipal_decisions import record_municipal_decision
from pilot_tracker.services.pilots import PilotValidationError, load_pilot_for_update, update_pilot
from tests.factories import make_pilot

CODES = ("418", "536", "980", "091", "049", "092")
FOUNDERS = ("418", "536", "980")
MANUAL = {"418": Decimal("50.00"), "536": Decimal("33.33"), "980": Decimal("16.67")}

STEP = st.one_of(
    st.tuples(
        st.just("decide"),
        st.sampled_from([Gate.SCALE_UP, Gate.SCALE_UP, Gate.MIDPOINT]),
        st.sampled_from([Outcome.GO, Outcome.NO_GO, Outcome.GO, Outcome.NO_GO, Outcome.CONTINUE]),
        st.sampled_from(CODES),
        st.integers(0, 40),
    ),
    st.tuples(st.just("budget"), st.integers(0, 50_000_000), st.integers(0, 100)),
)


def _check(pilot_id: int) -> None:
    pilot = db.session.get(Pilot, pilot_id)
    assert pilot is not None
    db.session.refresh(pilot)
    rows = list(
        db.session.scalars(sa.select(Participation).where(Participation.pilot_id == pilot_id))
    )
    current = [p for p in rows if p.left_on is None]
    assert sum(p.share_cents for p in current) == pilot.net_cost_cents
    assert pilot.lead_municipality_code in {p.municipality_code for p in current}
    for p in rows:
        if p.left_on is not None:
            assert (p.share_cents, p.manual_percent) == (0, None), p.municipality_code
            assert p.joined_on is None or p.joined_on < p.left_on
    if pilot.split_method is SplitMethod.MANUAL:
        assert sum((p.manual_percent or Decimal(0)) for p in current) == 100


@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    method=st.sampled_from(list(SplitMethod)),
    steps=st.lists(STEP, min_size=4, max_size=12),
)
def test_after_any_joins_leaves_and_decisions_the_planned_shares_stay_whole(
    app: Flask, method: SplitMethod, steps: list[tuple[object, ...]]
) -> None:
    with app.app_context():
        pilot = make_pilot(
            FOUNDERS,
            method=method,
            manual=MANUAL if method is SplitMethod.MANUAL else None,
            equal_percent=Decimal("30.00") if method is SplitMethod.HYBRID else None,
            stage=Stage.EVALUATION,
            budget_cents=9_000_001,
            funding_cents=1_000_000,
        )
        day = date.today() - timedelta(days=400)
        _check(pilot.id)
        for step in steps:
            loaded = load_pilot_for_update(pilot.id)
            assert loaded is not None
            try:
                if step[0] == "decide":
                    _kind, gate, outcome, code, gap = step
                    day = min(date.today(), day + timedelta(days=int(gap)))  # type: ignore[arg-type]
                    record_municipal_decision(
                        loaded,
                        str(code),
                        gate,  # type: ignore[arg-type]
                        outcome,  # type: ignore[arg-type]
                        Body.COUNCIL,
                        day,
                    )
                else:
                    _kind, budget, funded = step
                    changes = {
                        "budget_cents": int(budget),  # type: ignore[call-overload]
                        "external_funding_cents": int(budget) * int(funded) // 100,  # type: ignore[call-overload]
                    }
                    update_pilot(loaded, changes, loaded.version)
            except PilotValidationError:
                db.session.rollback()
            _check(pilot.id)
        db.session.rollback()
