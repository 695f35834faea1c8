"""Municipal decisions recorded through the service: membership, shares and the audit log."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from flask import Flask

from pilot_tracker.domain.enums import Gate, Outcome, SplitMethod, Stage
from pilot_tracker.domain.municipal_decisions import Body
from pilot_tracker.extensions import db
from pilot_tracker.models import AuditEntry, MunicipalDecision, Participation
from pilot_tracker.services.municipal_decisions import record_municipal_decision
from pilot_tracker.services.pilots import (
    PilotValidationError,
    load_pilot_for_update,
    update_pilot,
)
from tests.factories import make_pilot

TODAY = date(2026, 12, 2)


def _participations(pilot_id: int) -> dict[str, Participation]:
    rows = db.session.scalars(sa.select(Participation).where(Participation.pilot_id == pilot_id))
    return {p.municipality_code: p for p in rows}


def _decide(pilot, code, gate, outcome, on=TODAY, **kwargs):  # type: ignore[no-untyped-def]
    return record_municipal_decision(
        pilot, code, gate, outcome, kwargs.pop("body", Body.BOARD), on, today=TODAY, **kwargs
    )


def test_a_participants_no_go_makes_it_leave_and_the_others_share_the_cost(app: Flask) -> None:
    with app.app_context():
        pilot = make_pilot(("418", "536", "980"), stage=Stage.PLANNING, method=SplitMethod.EQUAL)
        version = pilot.version
        decision = _decide(pilot, "980", Gate.START, Outcome.NO_GO, section="§ 45")
        rows = _participations(pilot.id)
        assert rows["980"].left_on == TODAY
        assert rows["980"].share_cents == 0
        assert rows["418"].share_cents + rows["536"].share_cents == 9_000_000
        assert {rows["418"].share_cents, rows["536"].share_cents} == {4_500_000}
        assert decision.section == "§ 45"
        fresh = load_pilot_for_update(pilot.id)
        assert fresh is not None and fresh.version == version + 1
        entry = db.session.scalars(
            sa.select(AuditEntry)
            .where(AuditEntry.entity == "pilot", AuditEntry.entity_id == str(pilot.id))
            .order_by(AuditEntry.id.desc())
        ).first()
        assert entry is not None and entry.action == "update"
        assert entry.old["participants"]["980"]["share_cents"] == 3_000_000
        assert entry.new["participants"]["980"] == {
            "share_cents": 0,
            "manual_percent": None,
            "joined_on": None,
            "left_on": TODAY.isoformat(),
        }
        created = db.session.scalars(
            sa.select(AuditEntry).where(AuditEntry.entity == "municipal_decision")
        ).one()
        assert created.new["outcome"] == "no_go"


def test_a_newcomers_go_at_scale_up_makes_it_join(app: Flask) -> None:
    with app.app_context():
        pilot = make_pilot(("418", "536"), stage=Stage.EVALUATION, method=SplitMethod.EQUAL)
        _decide(pilot, "091", Gate.SCALE_UP, Outcome.GO, body=Body.COUNCIL)
        rows = _participations(pilot.id)
        assert rows["091"].joined_on == TODAY and rows["091"].left_on is None
        assert sorted(p.share_cents for p in rows.values()) == [3_000_000] * 3


def test_a_newcomers_no_at_scale_up_is_recorded_without_joining(app: Flask) -> None:
    with app.app_context():
        pilot = make_pilot(("418", "536"), stage=Stage.EVALUATION)
        _decide(pilot, "091", Gate.SCALE_UP, Outcome.NO_GO)
        assert "091" not in _participations(pilot.id)
        assert db.session.scalar(sa.select(sa.func.count()).select_from(MunicipalDecision)) == 1


@pytest.mark.parametrize(
    ("stage", "code", "gate", "outcome", "field"),
    [
        (Stage.PLANNING, "418", Gate.START, Outcome.NO_GO, "outcome"),  # the lead
        (Stage.PLANNING, "091", Gate.START, Outcome.GO, "municipality"),  # newcomer
        (Stage.PLANNING, "536", Gate.SCALE_UP, Outcome.GO, "gate"),  # closed gate
        (Stage.STOPPED, "536", Gate.START, Outcome.GO, "gate"),
    ],
)
def test_refused_decisions_change_nothing(
    app: Flask, stage: Stage, code: str, gate: Gate, outcome: Outcome, field: str
) -> None:
    with app.app_context():
        pilot = make_pilot(("418", "536"), stage=Stage.PLANNING)
        if stage is Stage.STOPPED:
            from pilot_tracker.services.decisions import record_decision

            record_decision(pilot, Gate.START, Outcome.NO_GO, TODAY, "ohjausryhmä", "Ei.")
        before = {c: (p.share_cents, p.left_on) for c, p in _participations(pilot.id).items()}
        with pytest.raises(PilotValidationError) as raised:
            _decide(pilot, code, gate, outcome)
        assert list(raised.value.errors) == [field]
        db.session.rollback()
        after = {c: (p.share_cents, p.left_on) for c, p in _participations(pilot.id).items()}
        assert after == before
        assert db.session.scalar(sa.select(sa.func.count()).select_from(MunicipalDecision)) == 0


def test_a_municipality_that_left_cannot_decide_or_be_added_again(app: Flask) -> None:
    with app.app_context():
        pilot = make_pilot(("418", "536", "980"), stage=Stage.PLANNING)
        _decide(pilot, "980", Gate.START, Outcome.NO_GO)
        with pytest.raises(PilotValidationError) as raised:
            _decide(pilot, "980", Gate.START, Outcome.GO)
        assert list(raised.value.errors) == ["municipality"]
        db.session.rollback()
        fresh = load_pilot_for_update(pilot.id)
        assert fresh is not None
        with pytest.raises(PilotValidationError) as raised:
            update_pilot(fresh, {"participants": ["418", "536", "980"]}, fresh.version)
        assert list(raised.value.errors) == ["participants"]


def test_an_edit_keeps_the_municipalities_that_left(app: Flask) -> None:
    with app.app_context():
        pilot = make_pilot(("418", "536", "980"), stage=Stage.PLANNING)
        _decide(pilot, "980", Gate.START, Outcome.NO_GO)
        fresh = load_pilot_for_update(pilot.id)
        assert fresh is not None
        update_pilot(fresh, {"budget_cents": 20_000_000}, fresh.version)
        rows = _participations(pilot.id)
        assert rows["980"].left_on == TODAY and rows["980"].share_cents == 0
        assert rows["418"].share_cents + rows["536"].share_cents == 17_000_000


def test_manual_percentages_of_those_who_stay_are_scaled_to_100(app: Flask) -> None:
    with app.app_context():
        manual = {"418": Decimal("50.00"), "536": Decimal("30.00"), "980": Decimal("20.00")}
        pilot = make_pilot(
            ("418", "536", "980"), stage=Stage.PLANNING, method=SplitMethod.MANUAL, manual=manual
        )
        _decide(pilot, "980", Gate.START, Outcome.NO_GO)
        rows = _participations(pilot.id)
        assert rows["418"].manual_percent == Decimal("62.50")
        assert rows["536"].manual_percent == Decimal("37.50")
        assert rows["418"].share_cents == 5_625_000
        assert rows["536"].share_cents == 3_375_000


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"on": TODAY + timedelta(days=1)}, "date"),
        ({"section": "pykälä neljä"}, "section"),
        ({"minutes_url": "javascript:alert(1)"}, "minutes_url"),
        ({"note": "x" * 10_001}, "note"),
    ],
)
def test_bad_fields_are_refused_on_their_field(app: Flask, kwargs: dict, field: str) -> None:
    with app.app_context():
        pilot = make_pilot(("418", "536"), stage=Stage.PLANNING)
        with pytest.raises(PilotValidationError) as raised:
            _decide(pilot, "536", Gate.START, Outcome.GO, **kwargs)
        assert list(raised.value.errors) == [field]


def test_the_gate_decisions_snapshot_holds_the_municipal_decisions_at_its_gate(
    app: Flask,
) -> None:
    from pilot_tracker.services.decisions import record_decision

    with app.app_context():
        pilot = make_pilot(("418", "536", "980"), stage=Stage.EVALUATION)
        _decide(pilot, "536", Gate.SCALE_UP, Outcome.GO, section="§ 7")
        _decide(pilot, "980", Gate.SCALE_UP, Outcome.NO_GO)
        _decide(pilot, "418", Gate.MIDPOINT, Outcome.GO)
        fresh = load_pilot_for_update(pilot.id)
        assert fresh is not None
        decision = record_decision(fresh, Gate.SCALE_UP, Outcome.GO, TODAY, "ohjausryhmä", "Kyllä.")
        assert decision.snapshot["municipal_decisions"] == [
            {"code": "536", "outcome": "go", "body": "board", "date": TODAY.isoformat(),
             "section": "§ 7"},
            {"code": "980", "outcome": "no_go", "body": "board", "date": TODAY.isoformat(),
             "section": ""},
        ]  # fmt: skip
        # The shares the deciders saw are those after 980 left.
        shares = {p["code"]: p["share_eur"] for p in decision.snapshot["participants"]}
        assert shares["980"] == "0.00"
