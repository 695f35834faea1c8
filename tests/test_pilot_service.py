"""Pilot service: shares stored to the cent, recomputed on change, versions guard edits."""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa
from flask import Flask

from pilot_tracker.domain.enums import SplitMethod, Stage, Theme, Track
from pilot_tracker.extensions import db
from pilot_tracker.models import AuditEntry, Participation, Pilot
from pilot_tracker.services.pilots import (
    PilotValidationError,
    StaleVersionError,
    delete_pilot,
    load_pilot_for_update,
    update_pilot,
)
from tests.factories import make_pilot


def _shares(pilot_id: int) -> dict[str, int]:
    return dict(
        db.session.execute(
            sa.select(Participation.municipality_code, Participation.share_cents).where(
                Participation.pilot_id == pilot_id
            )
        ).all()
    )


def test_per_capita_shares_match_the_api_example(app: Flask) -> None:
    with app.app_context():
        pilot = make_pilot(("418", "536", "980"), budget_cents=12_000_000, funding_cents=3_000_000)
        assert _shares(pilot.id) == {"418": 2_365_155, "536": 3_401_088, "980": 3_233_757}
        assert pilot.track is Track.QUICK


def test_changing_budget_recomputes_shares(app: Flask) -> None:
    with app.app_context():
        pilot = make_pilot(
            ("418", "536", "980"), method=SplitMethod.EQUAL, budget_cents=100, funding_cents=0
        )
        assert _shares(pilot.id) == {"418": 34, "536": 33, "980": 33}
        update_pilot(pilot, {"budget_cents": 200}, expected_version=1)
        assert _shares(pilot.id) == {"418": 67, "536": 67, "980": 66}
        assert db.session.get(Pilot, pilot.id).version == 2


def test_changing_participants_recomputes_and_removes_shares(app: Flask) -> None:
    with app.app_context():
        pilot = make_pilot(
            ("418", "536", "980"), method=SplitMethod.EQUAL, budget_cents=90_000, funding_cents=0
        )
        update_pilot(pilot, {"participants": ["418", "536"]}, expected_version=1)
        assert _shares(pilot.id) == {"418": 45_000, "536": 45_000}


def test_manual_split_not_summing_to_100_is_refused_and_nothing_saved(app: Flask) -> None:
    with app.app_context():
        with pytest.raises(PilotValidationError) as info:
            make_pilot(
                ("418", "536"),
                method=SplitMethod.MANUAL,
                manual={"418": Decimal("50.00"), "536": Decimal("49.99")},
            )
        assert "99.99" in info.value.errors["cost_split"][0]
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Pilot)) == 0


def test_lead_must_be_a_participant(app: Flask) -> None:
    with app.app_context(), pytest.raises(PilotValidationError) as info:
        make_pilot(("536", "980"), lead="418")
    assert "lead_municipality" in info.value.errors


def test_unknown_municipality_is_refused(app: Flask) -> None:
    with app.app_context(), pytest.raises(PilotValidationError) as info:
        make_pilot(("418", "000"))
    assert "000" in info.value.errors["participants"][0]


def test_theme_without_default_track_needs_a_track(app: Flask) -> None:
    with app.app_context(), pytest.raises(PilotValidationError) as info:
        make_pilot(theme=Theme.OTHER)
    assert "track" in info.value.errors


def test_stale_version_is_refused_and_changes_nothing(app: Flask) -> None:
    with app.app_context():
        pilot = make_pilot()
        update_pilot(pilot, {"name": "First editor"}, expected_version=1)
        with pytest.raises(StaleVersionError) as info:
            update_pilot(pilot, {"name": "Second editor"}, expected_version=1)
        assert info.value.current_version == 2
        assert info.value.changed["name"]["value"] == "First editor"
        assert db.session.get(Pilot, pilot.id).name == "First editor"


def test_plain_update_cannot_move_to_scaling(app: Flask) -> None:
    with app.app_context():
        pilot = make_pilot(stage=Stage.EVALUATION)
        with pytest.raises(PilotValidationError) as info:
            update_pilot(pilot, {"stage": Stage.SCALING}, expected_version=1)
        assert "go decision" in info.value.errors["stage"][0]
        assert db.session.get(Pilot, pilot.id).stage is Stage.EVALUATION


def test_update_is_audited_with_old_and_new_values(app: Flask) -> None:
    with app.app_context():
        pilot = make_pilot(name="Vanha nimi")
        update_pilot(pilot, {"name": "Uusi nimi"}, expected_version=1)
        entry = db.session.scalars(
            sa.select(AuditEntry).where(AuditEntry.action == "update", AuditEntry.entity == "pilot")
        ).one()
        assert entry.old["name"] == "Vanha nimi" and entry.new["name"] == "Uusi nimi"


def test_delete_keeps_the_whole_record_in_the_audit_log(app: Flask) -> None:
    with app.app_context():
        pilot = make_pilot(name="Poistettava")
        pilot_id = pilot.id
        delete_pilot(pilot)
        assert db.session.get(Pilot, pilot_id) is None
        assert _shares(pilot_id) == {}
        entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "delete")).one()
        assert entry.old["name"] == "Poistettava"
        assert set(entry.old["participants"]) == {"418", "536", "980"}


def test_a_manual_percentage_without_decimals_is_stored_audited_and_compared_as_stored(
    app: Flask,
) -> None:
    """50 and 50.00 are the same share: the audit log says 50.00 as the database holds it,
    and sending 50 again changes nothing (no version, no entry)."""
    halves = {"418": Decimal("50"), "536": Decimal("50")}
    with app.app_context():
        pilot = make_pilot(("418", "536"), method=SplitMethod.MANUAL, manual=halves)
        created = db.session.scalars(
            sa.select(AuditEntry).where(AuditEntry.action == "create")
        ).one()
        assert created.new["participants"]["418"]["manual_percent"] == "50.00"
        db.session.commit()
        pilot = load_pilot_for_update(pilot.id)
        assert pilot is not None
        update_pilot(pilot, {"manual_shares": dict(halves)}, expected_version=1)
        db.session.expire_all()
        stored = db.session.get(Pilot, pilot.id)
        assert stored is not None and stored.version == 1
        updates = sa.select(sa.func.count()).where(AuditEntry.action == "update")
        assert db.session.scalar(updates) == 0
