"""Decisions over the API: they move the stage by the rules or are refused with 422."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from flask import Flask

from pilot_tracker.domain.enums import Gate, Outcome, Stage
from pilot_tracker.extensions import db
from pilot_tracker.models import Decision, Pilot
from pilot_tracker.services.decisions import record_decision
from tests.api_helpers import ApiCaller, assert_problem
from tests.conftest import Actors
from tests.factories import make_pilot


@pytest.fixture
def api(app: Flask, actors: Actors) -> ApiCaller:
    return ApiCaller(app, actors)


def make(app: Flask, actors: Actors, stage: Stage) -> Pilot:
    with app.app_context():
        return make_pilot(vendor=actors.vendor_a, stage=stage)


def decision(**changes: object) -> dict[str, object]:
    return {
        "gate": "start",
        "outcome": "go",
        "date": "2026-02-01",
        "decided_by": "kunnanhallitus",
        "rationale": "Hyvä suunnitelma.",
        **changes,
    }


def pilot_now(app: Flask, pilot_id: int) -> Pilot:
    with app.app_context():
        db.session.expire_all()
        pilot = db.session.get(Pilot, pilot_id)
        assert pilot is not None
        return pilot


def test_go_at_start_moves_planning_to_piloting(app: Flask, api: ApiCaller, actors: Actors) -> None:
    pilot = make(app, actors, Stage.PLANNING)

    response = api.post("coordinator", f"/api/v1/pilots/{pilot.id}/decisions", json=decision())

    assert response.status_code == 201
    body = response.get_json()
    assert (body["stage_before"], body["stage_after"]) == ("planning", "piloting")
    assert body["snapshot"]["net_cost_eur"] == "90000.00"
    after = pilot_now(app, pilot.id)
    assert after.stage is Stage.PILOTING and after.version == 2


def test_go_at_scale_up_in_evaluation_moves_to_scaling(
    app: Flask, api: ApiCaller, actors: Actors
) -> None:
    pilot = make(app, actors, Stage.EVALUATION)

    response = api.post(
        "admin", f"/api/v1/pilots/{pilot.id}/decisions", json=decision(gate="scale_up")
    )

    assert response.status_code == 201
    assert pilot_now(app, pilot.id).stage is Stage.SCALING


def test_no_go_stops_the_pilot(app: Flask, api: ApiCaller, actors: Actors) -> None:
    pilot = make(app, actors, Stage.PILOTING)

    api.post(
        "admin",
        f"/api/v1/pilots/{pilot.id}/decisions",
        json=decision(gate="midpoint", outcome="no_go"),
    )

    assert pilot_now(app, pilot.id).stage is Stage.STOPPED


def test_continue_can_send_back_to_planning(app: Flask, api: ApiCaller, actors: Actors) -> None:
    pilot = make(app, actors, Stage.PILOTING)
    body = decision(gate="midpoint", outcome="continue", back_to_planning=True)

    assert api.post("admin", f"/api/v1/pilots/{pilot.id}/decisions", json=body).status_code == 201

    assert pilot_now(app, pilot.id).stage is Stage.PLANNING


def test_move_the_rules_refuse_is_422_and_changes_nothing(
    app: Flask, api: ApiCaller, actors: Actors
) -> None:
    pilot = make(app, actors, Stage.PILOTING)

    response = api.post(
        "coordinator", f"/api/v1/pilots/{pilot.id}/decisions", json=decision(gate="scale_up")
    )

    errors = assert_problem(response, 422)["errors"]
    # On the field the refusal concerns: the gate is not open in piloting (named, in English
    # as in Finnish and Swedish, by its label).
    assert list(errors) == ["gate"] and "Scale-up decision" in errors["gate"][0]
    after = pilot_now(app, pilot.id)
    assert after.stage is Stage.PILOTING and after.version == 1
    with app.app_context():
        assert db.session.scalars(sa.select(Decision)).all() == []


def test_decision_on_a_final_pilot_is_422(app: Flask, api: ApiCaller, actors: Actors) -> None:
    pilot = make(app, actors, Stage.EVALUATION)
    api.post("admin", f"/api/v1/pilots/{pilot.id}/decisions", json=decision(gate="scale_up"))

    again = api.post(
        "admin", f"/api/v1/pilots/{pilot.id}/decisions", json=decision(gate="midpoint")
    )

    assert list(assert_problem(again, 422)["errors"]) == ["gate"]


def test_decision_field_errors(api: ApiCaller, app: Flask, actors: Actors) -> None:
    pilot = make(app, actors, Stage.PLANNING)
    body = decision(gate="finish", date="yesterday", decided_by="", next_review="2020-01-01")
    del body["rationale"]

    response = api.post("admin", f"/api/v1/pilots/{pilot.id}/decisions", json=body)

    assert set(assert_problem(response, 422)["errors"]) == {
        "gate",
        "date",
        "decided_by",
        "rationale",
    }


def test_review_before_decision_is_422(api: ApiCaller, app: Flask, actors: Actors) -> None:
    pilot = make(app, actors, Stage.PLANNING)

    response = api.post(
        "admin", f"/api/v1/pilots/{pilot.id}/decisions", json=decision(next_review="2020-01-01")
    )

    assert list(assert_problem(response, 422)["errors"]) == ["next_review"]


@pytest.mark.parametrize(
    ("actor", "status"), [("vendor_user", 403), ("council", 403), ("other_vendor_user", 404)]
)
def test_only_editors_decide(
    app: Flask, api: ApiCaller, actors: Actors, actor: str, status: int
) -> None:
    pilot = make(app, actors, Stage.PLANNING)

    assert_problem(api.post(actor, f"/api/v1/pilots/{pilot.id}/decisions", json=decision()), status)


def test_decisions_list_newest_first_with_snapshots(
    app: Flask, api: ApiCaller, actors: Actors
) -> None:
    pilot = make(app, actors, Stage.PLANNING)
    with app.app_context():
        record_decision(pilot, Gate.START, Outcome.CONTINUE, date(2026, 1, 1), "hallitus", "Odota.")
        record_decision(pilot, Gate.START, Outcome.GO, date(2026, 3, 1), "hallitus", "Aloita.")

    body = api.get("vendor_user", f"/api/v1/pilots/{pilot.id}/decisions").get_json()

    assert [d["rationale"] for d in body["items"]] == ["Aloita.", "Odota."]
    assert all("kpis" in d["snapshot"] for d in body["items"])
    assert_problem(api.get("other_vendor_user", f"/api/v1/pilots/{pilot.id}/decisions"), 404)


def test_decision_dated_after_today_is_422_on_date(
    app: Flask, api: ApiCaller, actors: Actors
) -> None:
    pilot = make(app, actors, Stage.PLANNING)
    tomorrow = (date.today() + timedelta(days=1)).isoformat()

    response = api.post(
        "admin", f"/api/v1/pilots/{pilot.id}/decisions", json=decision(date=tomorrow)
    )

    errors = assert_problem(response, 422)["errors"]
    assert list(errors) == ["date"] and "next review" in errors["date"][0]
    assert pilot_now(app, pilot.id).stage is Stage.PLANNING
    with app.app_context():
        assert db.session.scalars(sa.select(Decision)).all() == []


def test_decision_dated_today_is_recorded(app: Flask, api: ApiCaller, actors: Actors) -> None:
    pilot = make(app, actors, Stage.PLANNING)

    response = api.post(
        "admin",
        f"/api/v1/pilots/{pilot.id}/decisions",
        json=decision(date=date.today().isoformat()),
    )

    assert response.status_code == 201
