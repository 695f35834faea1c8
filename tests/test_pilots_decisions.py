"""Go / no-go decisions, deletion and the audit trail, through the web pages."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from pilot_tracker.domain.enums import Direction, Gate, Outcome, Stage
from pilot_tracker.extensions import db
from pilot_tracker.models import AuditEntry, Decision, Kpi, Participation, Pilot
from pilot_tracker.services.pilots import update_pilot
from pilot_tracker.services.reporting import add_kpi, add_measurement
from tests.conftest import Actors, csrf_token, login_as
from tests.factories import make_pilot


def post(client: FlaskClient, path: str, data: dict[str, Any]) -> Any:
    return client.post(path, data={**data, "csrf_token": csrf_token(client, "/pilots")})


def decision(**overrides: Any) -> dict[str, Any]:
    data = {
        "gate": "start",
        "outcome": "go",
        "decided_on": date.today().isoformat(),
        "decided_by": "kunnanhallitus",
        "rationale": "Hyvä suunnitelma.",
        "follow_up": "Toimittaja aloittaa tammikuussa.",
        "next_review": (date.today() + timedelta(days=90)).isoformat(),
    }
    data.update(overrides)
    return data


def test_go_at_start_moves_a_planned_pilot_to_piloting_with_a_snapshot(
    app: Flask, client: FlaskClient, actors: Actors
) -> None:
    with app.app_context():
        pilot = make_pilot(stage=Stage.PLANNING)
        kpi = add_kpi(pilot, "Varaukset", "kpl", Decimal(0), Decimal(200), Direction.INCREASE)
        add_measurement(kpi, date.today(), Decimal(50))
    login_as(client, actors.coordinator)
    response = post(client, f"/pilots/{pilot.id}/decisions/new", decision())
    assert response.status_code == 302
    with app.app_context():
        saved = db.session.get(Pilot, pilot.id)
        assert saved.stage is Stage.PILOTING
        d = db.session.scalars(sa.select(Decision)).one()
        assert (d.gate, d.outcome, d.decided_by) == (Gate.START, Outcome.GO, "kunnanhallitus")
        assert d.follow_up == "Toimittaja aloittaa tammikuussa."
        assert d.next_review == date.today() + timedelta(days=90)
        assert d.recorded_by_id == actors.coordinator.id
        assert d.snapshot["net_cost_eur"] == "90000.00"
        assert d.snapshot["kpis"][0]["progress_percent"] == "25.0"
        assert {p["code"] for p in d.snapshot["participants"]} == {"418", "536", "980"}
    # The pilot page shows the decision beside what the deciders saw.
    html = client.get(f"/pilots/{pilot.id}").get_data(as_text=True)
    assert "Mitä päättäjät näkivät" in html and "kunnanhallitus" in html
    assert "25 %" in html  # the snapshot's KPI progress


def test_disallowed_stage_move_is_refused_with_the_reason(
    app: Flask, client: FlaskClient, actors: Actors
) -> None:
    with app.app_context():
        pilot = make_pilot(stage=Stage.PILOTING)
    login_as(client, actors.coordinator)
    response = post(
        client, f"/pilots/{pilot.id}/decisions/new", decision(gate="scale_up", outcome="go")
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert (
        "Päätöspisteen ”Laajentaminen” päätöstä ei voi tehdä, "
        "kun kokeilun vaihe on ”Kokeilu käynnissä”." in html
    )
    assert "Tässä vaiheessa avoimet päätöspisteet: Väliarviointi." in html
    with app.app_context():
        assert db.session.get(Pilot, pilot.id).stage is Stage.PILOTING
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Decision)) == 0


def test_continue_can_send_a_pilot_back_to_planning(
    app: Flask, client: FlaskClient, actors: Actors
) -> None:
    with app.app_context():
        pilot = make_pilot(stage=Stage.EVALUATION)
    login_as(client, actors.admin)
    post(
        client,
        f"/pilots/{pilot.id}/decisions/new",
        decision(gate="midpoint", outcome="continue", back_to_planning="y"),
    )
    with app.app_context():
        assert db.session.get(Pilot, pilot.id).stage is Stage.PLANNING


def test_back_to_planning_with_go_is_refused(
    app: Flask, client: FlaskClient, actors: Actors
) -> None:
    with app.app_context():
        pilot = make_pilot(stage=Stage.EVALUATION)
    login_as(client, actors.coordinator)
    response = post(
        client,
        f"/pilots/{pilot.id}/decisions/new",
        decision(gate="scale_up", outcome="go", back_to_planning="y"),
    )
    assert "Vain jatkamispäätös voi palauttaa kokeilun suunnitteluun." in response.get_data(
        as_text=True
    )
    with app.app_context():
        assert db.session.get(Pilot, pilot.id).stage is Stage.EVALUATION


def test_no_go_stops_the_pilot_and_then_no_decision_is_possible(
    app: Flask, client: FlaskClient, actors: Actors
) -> None:
    with app.app_context():
        pilot = make_pilot(stage=Stage.EVALUATION)
    login_as(client, actors.coordinator)
    post(client, f"/pilots/{pilot.id}/decisions/new", decision(gate="scale_up", outcome="no_go"))
    response = post(
        client, f"/pilots/{pilot.id}/decisions/new", decision(gate="midpoint", outcome="go")
    )
    assert "viimeisessä vaiheessaan" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Pilot, pilot.id).stage is Stage.STOPPED
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Decision)) == 1


def test_decision_without_body_and_rationale_is_refused(
    app: Flask, client: FlaskClient, actors: Actors
) -> None:
    with app.app_context():
        pilot = make_pilot(stage=Stage.PLANNING)
    login_as(client, actors.coordinator)
    response = post(
        client, f"/pilots/{pilot.id}/decisions/new", decision(decided_by="", rationale=" ")
    )
    html = response.get_data(as_text=True)
    assert 'id="decided_by-error"' in html and 'id="rationale-error"' in html
    with app.app_context():
        assert db.session.get(Pilot, pilot.id).stage is Stage.PLANNING


def test_vendor_may_not_record_decisions(app: Flask, client: FlaskClient, actors: Actors) -> None:
    with app.app_context():
        own = make_pilot(vendor=actors.vendor_a, stage=Stage.PLANNING)
        other = make_pilot(vendor=actors.vendor_b, stage=Stage.PLANNING)
    login_as(client, actors.vendor_user)
    assert post(client, f"/pilots/{own.id}/decisions/new", decision()).status_code == 403
    assert post(client, f"/pilots/{other.id}/decisions/new", decision()).status_code == 404
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Decision)) == 0


# --- delete ----------------------------------------------------------------------------------


def test_delete_asks_for_confirmation_first(
    app: Flask, client: FlaskClient, actors: Actors
) -> None:
    with app.app_context():
        pilot = make_pilot(name="Poistettava")
        add_kpi(pilot, "K", "", Decimal(0), Decimal(1), Direction.INCREASE)
    login_as(client, actors.admin)
    html = client.get(f"/pilots/{pilot.id}/delete").get_data(as_text=True)
    assert "Poistetaanko Poistettava?" in html and "mittarit (1)" in html
    with app.app_context():
        assert db.session.get(Pilot, pilot.id) is not None


def test_admin_deletes_and_the_audit_log_keeps_the_record(
    app: Flask, client: FlaskClient, actors: Actors
) -> None:
    with app.app_context():
        pilot = make_pilot(name="Poistettava")
        add_kpi(pilot, "K", "", Decimal(0), Decimal(1), Direction.INCREASE)
        pilot_id = pilot.id
    login_as(client, actors.admin)
    response = post(client, f"/pilots/{pilot_id}/delete", {})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Pilot, pilot_id) is None
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Kpi)) == 0
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Participation)) == 0
        entry = db.session.scalars(
            sa.select(AuditEntry).where(AuditEntry.action == "delete", AuditEntry.entity == "pilot")
        ).one()
        assert entry.old["name"] == "Poistettava" and entry.old["kpis"][0]["name"] == "K"
        assert entry.actor_email == "admin@example.com"
    assert client.get(f"/pilots/{pilot_id}").status_code == 404


def test_coordinator_may_not_delete(app: Flask, client: FlaskClient, actors: Actors) -> None:
    with app.app_context():
        pilot = make_pilot()
    login_as(client, actors.coordinator)
    assert post(client, f"/pilots/{pilot.id}/delete", {}).status_code == 403
    with app.app_context():
        assert db.session.get(Pilot, pilot.id) is not None


# --- the pilot page and its history ----------------------------------------------------------


def test_pilot_page_shows_shares_per_resident_and_method(
    app: Flask, client: FlaskClient, actors: Actors
) -> None:
    with app.app_context():
        pilot = make_pilot(("418", "536", "980"), budget_cents=12_000_000, funding_cents=3_000_000)
    login_as(client, actors.council)
    html = client.get(f"/pilots/{pilot.id}").get_data(as_text=True)
    assert "Asukasluvun mukaan" in html
    # Lempäälä: 23 651,55 € of 90 000 € is 26,28 %; 23 651,55 € / 24 580 residents = 0,96 €.
    assert "26,28" in html and "0,96 €" in html
    assert "23\xa0651,55\xa0€" in html


def test_history_shows_who_changed_what(app: Flask, client: FlaskClient, actors: Actors) -> None:
    with app.app_context():
        pilot = make_pilot(name="Vanha nimi")
        update_pilot(pilot, {"name": "Uusi nimi"}, expected_version=1)
    login_as(client, actors.coordinator)
    html = client.get(f"/pilots/{pilot.id}").get_data(as_text=True)
    history = html[html.index('id="history"') :]
    assert "Kokeilu muutettu" in history and "Vanha nimi" in history and "Uusi nimi" in history
    assert "Kokeilu luotu" in history
    full = client.get(f"/pilots/{pilot.id}/history").get_data(as_text=True)
    assert "Vanha nimi" in full and "Uusi nimi" in full


def test_stale_pilot_is_flagged_on_its_page(
    app: Flask, client: FlaskClient, actors: Actors
) -> None:
    with app.app_context():
        pilot = make_pilot(stage=Stage.PILOTING)
    login_as(client, actors.coordinator)
    html = client.get(f"/pilots/{pilot.id}").get_data(as_text=True)
    assert "badge-stale" in html and "sillä ei ole vielä tilannepäivitystä" in html


def test_other_vendors_pilot_page_is_404(app: Flask, client: FlaskClient, actors: Actors) -> None:
    with app.app_context():
        pilot = make_pilot(vendor=actors.vendor_b)
    login_as(client, actors.vendor_user)
    assert client.get(f"/pilots/{pilot.id}").status_code == 404
    assert client.get(f"/pilots/{pilot.id}/history").status_code == 404


def test_history_names_vendors_and_municipalities_instead_of_ids(
    app: Flask, client: FlaskClient, actors: Actors
) -> None:
    with app.app_context():
        pilot = make_pilot(("418", "536"))
        update_pilot(
            pilot, {"vendor_id": actors.vendor_a.id, "lead_municipality": "536"}, expected_version=1
        )
    login_as(client, actors.coordinator)
    html = client.get(f"/pilots/{pilot.id}/history").get_data(as_text=True)
    assert "Vendor A Oy" in html
    assert "Lempäälä (418)" in html and "Nokia (536)" in html


def test_decision_form_offers_only_the_gates_open_in_the_stage(
    app: Flask, client: FlaskClient, actors: Actors
) -> None:
    with app.app_context():
        piloting = make_pilot(stage=Stage.PILOTING)
        evaluation = make_pilot(stage=Stage.EVALUATION, name="Arvioitava kokeilu")
    login_as(client, actors.coordinator)

    html = client.get(f"/pilots/{piloting.id}/decisions/new").get_data(as_text=True)
    gates = re.findall(
        r'<option[^>]*value="([a-z_]+)"', html.split('id="gate"')[1].split("</select>")[0]
    )
    assert gates == ["midpoint"]
    html = client.get(f"/pilots/{evaluation.id}/decisions/new").get_data(as_text=True)
    gates = re.findall(
        r'<option[^>]*value="([a-z_]+)"', html.split('id="gate"')[1].split("</select>")[0]
    )
    assert gates == ["midpoint", "scale_up"]


def test_decision_form_of_a_final_pilot_says_why_and_has_no_form(
    app: Flask, client: FlaskClient, actors: Actors
) -> None:
    with app.app_context():
        pilot = make_pilot(stage=Stage.EVALUATION)
    login_as(client, actors.coordinator)
    post(client, f"/pilots/{pilot.id}/decisions/new", decision(gate="scale_up", outcome="no_go"))

    html = client.get(f"/pilots/{pilot.id}/decisions/new").get_data(as_text=True)

    assert "Kokeilu on viimeisessä vaiheessaan (Lopetettu)" in html
    assert 'id="no-open-gates"' in html
    assert 'name="gate"' not in html


def test_a_refused_gate_is_shown_once_on_the_gate_field(
    app: Flask, client: FlaskClient, actors: Actors
) -> None:
    with app.app_context():
        pilot = make_pilot(stage=Stage.PILOTING)
    login_as(client, actors.coordinator)

    html = post(
        client, f"/pilots/{pilot.id}/decisions/new", decision(gate="scale_up", outcome="go")
    ).get_data(as_text=True)

    reason = "Päätöspisteen ”Laajentaminen” päätöstä ei voi tehdä"
    # Once beside the gate field and once in the summary that links to it; nowhere else.
    assert html.count(reason) == 2
    gate_error = html.split('id="gate-error"')[1].split("</p>")[0]
    assert reason in gate_error
    assert 'id="outcome-error"' not in html
    assert '<a href="#gate">' in html


def test_a_decision_dated_after_today_is_refused_on_its_date(
    app: Flask, client: FlaskClient, actors: Actors
) -> None:
    with app.app_context():
        pilot = make_pilot(stage=Stage.PLANNING)
    login_as(client, actors.coordinator)
    next_year = date.today().replace(year=date.today().year + 1, month=1, day=1)

    response = post(
        client,
        f"/pilots/{pilot.id}/decisions/new",
        decision(decided_on=next_year.isoformat(), next_review=""),
    )

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    date_error = html.split('id="decided_on-error"')[1].split("</p>")[0]
    assert "tuleva kokous on seuraava arviointi" in date_error
    with app.app_context():
        assert db.session.get(Pilot, pilot.id).stage is Stage.PLANNING
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Decision)) == 0
