"""KPIs, measurements, status updates and the vendor's home page, through the web pages."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from pilot_tracker.domain.enums import Direction, Rag, Stage
from pilot_tracker.extensions import db
from pilot_tracker.models import AuditEntry, Kpi, Measurement, Pilot, StatusUpdate
from pilot_tracker.services.reporting import add_kpi, add_measurement, add_status_update
from tests.conftest import Actors, csrf_token, login_as
from tests.factories import make_pilot


def post(client: FlaskClient, path: str, data: dict[str, Any]) -> Any:
    return client.post(path, data={**data, "csrf_token": csrf_token(client, "/pilots")})


def count(model: Any) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model)) or 0


def refused(
    app: Flask,
    client: FlaskClient,
    user: Any,
    path: str,
    data: dict[str, Any],
    status: int,
    model: Any,
) -> str:
    """`user` posts `data` to `path`: answered `status`, and no `model` row was written.
    Returns the page's text."""
    login_as(client, user)
    response = post(client, path, data)
    assert response.status_code == status
    with app.app_context():
        assert count(model) == 0
    return response.get_data(as_text=True)


def red_status() -> dict[str, str]:
    """A red status update of today, as the form sends it."""
    return {
        "rag": "red",
        "progress_percent": "5",
        "text": "x",
        "reported_on": date.today().isoformat(),
    }


def pilot_with_kpi(actors: Actors, vendor: Any = None, **kwargs: Any) -> tuple[int, int]:
    pilot = make_pilot(vendor=vendor or actors.vendor_a, **kwargs)
    kpi = add_kpi(pilot, "Verkkovaraukset", "%", Decimal(10), Decimal(60), Direction.INCREASE)
    return pilot.id, kpi.id


# --- KPIs ------------------------------------------------------------------------------------


def test_coordinator_defines_a_kpi(app: Flask, client: FlaskClient, actors: Actors) -> None:
    with app.app_context():
        pilot = make_pilot()
    login_as(client, actors.coordinator)
    response = post(
        client,
        f"/pilots/{pilot.id}/kpis/new",
        {
            "name": "Asiakastyytyväisyys",
            "unit": "1–5",
            "baseline": "3,2",
            "target": "4.5",
            "direction": "increase",
            "is_savings": "",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        kpi = db.session.scalars(sa.select(Kpi)).one()
        assert (kpi.pilot_id, kpi.name, kpi.baseline, kpi.target) == (
            pilot.id,
            "Asiakastyytyväisyys",
            Decimal("3.2"),
            Decimal("4.5"),
        )
        assert kpi.direction is Direction.INCREASE and not kpi.is_savings


def test_kpi_with_target_on_the_wrong_side_is_refused(
    app: Flask, client: FlaskClient, actors: Actors
) -> None:
    with app.app_context():
        pilot = make_pilot()
    data = {
        "name": "Kulut",
        "unit": "€",
        "baseline": "100",
        "target": "100",
        "direction": "decrease",
    }
    html = refused(app, client, actors.coordinator, f"/pilots/{pilot.id}/kpis/new", data, 200, Kpi)
    assert "Tavoitteen on poikettava lähtötasosta" in html


def test_vendor_may_not_define_kpis(app: Flask, client: FlaskClient, actors: Actors) -> None:
    with app.app_context():
        pilot = make_pilot(vendor=actors.vendor_a)
    data = {"name": "K", "baseline": "0", "target": "1", "direction": "increase"}
    refused(app, client, actors.vendor_user, f"/pilots/{pilot.id}/kpis/new", data, 403, Kpi)


# --- measurements ----------------------------------------------------------------------------


def test_pilots_vendor_records_a_measurement(
    app: Flask, client: FlaskClient, actors: Actors
) -> None:
    with app.app_context():
        pilot_id, kpi_id = pilot_with_kpi(actors)
    login_as(client, actors.vendor_user)
    day = date.today() - timedelta(days=2)
    response = post(
        client,
        f"/pilots/{pilot_id}/measurements/new",
        {"kpi_id": str(kpi_id), "measured_on": day.isoformat(), "value": "35,5", "note": "syksy"},
    )
    assert response.status_code == 302
    with app.app_context():
        measurement = db.session.scalars(sa.select(Measurement)).one()
        assert (measurement.kpi_id, measurement.value, measurement.measured_on) == (
            kpi_id,
            Decimal("35.5"),
            day,
        )
        assert measurement.recorded_by_id == actors.vendor_user.id
        kpi = db.session.get(Kpi, kpi_id)
        assert kpi.latest_value == Decimal("35.5") and kpi.latest_on == day
        entry = db.session.scalars(
            sa.select(AuditEntry).where(AuditEntry.entity == "measurement")
        ).one()
        assert entry.pilot_id == pilot_id and entry.actor_email == "vendor-a@example.com"


def test_measurement_dated_in_the_future_is_refused(
    app: Flask, client: FlaskClient, actors: Actors
) -> None:
    with app.app_context():
        pilot_id, kpi_id = pilot_with_kpi(actors)
    tomorrow = date.today() + timedelta(days=1)
    data = {"kpi_id": str(kpi_id), "measured_on": tomorrow.isoformat(), "value": "20"}
    path = f"/pilots/{pilot_id}/measurements/new"
    html = refused(app, client, actors.coordinator, path, data, 200, Measurement)
    assert "Päivämäärä ei voi olla tulevaisuudessa." in html


def test_non_numeric_measurement_is_refused(
    app: Flask, client: FlaskClient, actors: Actors
) -> None:
    with app.app_context():
        pilot_id, kpi_id = pilot_with_kpi(actors)
    data = {"kpi_id": str(kpi_id), "measured_on": date.today().isoformat(), "value": "paljon"}
    path = f"/pilots/{pilot_id}/measurements/new"
    html = refused(app, client, actors.coordinator, path, data, 200, Measurement)
    assert "Anna luku, esim. 12,5." in html and 'id="value-error"' in html


def test_measurement_for_a_kpi_of_another_pilot_is_refused(
    app: Flask, client: FlaskClient, actors: Actors
) -> None:
    with app.app_context():
        pilot_id, _kpi = pilot_with_kpi(actors)
        _other_pilot, other_kpi = pilot_with_kpi(actors)
    data = {"kpi_id": str(other_kpi), "measured_on": date.today().isoformat(), "value": "1"}
    path = f"/pilots/{pilot_id}/measurements/new"
    refused(app, client, actors.coordinator, path, data, 200, Measurement)


def test_other_vendor_recording_a_measurement_gets_404_and_nothing_changes(
    app: Flask, client: FlaskClient, actors: Actors
) -> None:
    with app.app_context():
        pilot_id, kpi_id = pilot_with_kpi(actors)
    path = f"/pilots/{pilot_id}/measurements/new"
    login_as(client, actors.other_vendor_user)
    assert client.get(path).status_code == 404
    data = {"kpi_id": str(kpi_id), "measured_on": date.today().isoformat(), "value": "1"}
    refused(app, client, actors.other_vendor_user, path, data, 404, Measurement)
    with app.app_context():
        assert db.session.get(Kpi, kpi_id).latest_value is None


def test_measurement_form_preselects_the_kpi_from_the_link(
    app: Flask, client: FlaskClient, actors: Actors
) -> None:
    with app.app_context():
        pilot = make_pilot(vendor=actors.vendor_a)
        add_kpi(pilot, "Eka", "", Decimal(0), Decimal(1), Direction.INCREASE)
        second = add_kpi(pilot, "Toka", "", Decimal(0), Decimal(1), Direction.INCREASE)
    login_as(client, actors.vendor_user)
    html = client.get(f"/pilots/{pilot.id}/measurements/new?kpi={second.id}").get_data(as_text=True)
    assert f'<option selected value="{second.id}">Toka</option>' in html


# --- status updates --------------------------------------------------------------------------


def test_pilots_vendor_posts_a_status_update(
    app: Flask, client: FlaskClient, actors: Actors
) -> None:
    with app.app_context():
        pilot = make_pilot(vendor=actors.vendor_a, stage=Stage.PILOTING)
    login_as(client, actors.vendor_user)
    response = post(
        client,
        f"/pilots/{pilot.id}/status/new",
        {
            "rag": "amber",
            "progress_percent": "45",
            "text": "Integraatio viivästyy.",
            "reported_on": date.today().isoformat(),
        },
    )
    assert response.status_code == 302
    with app.app_context():
        update = db.session.scalars(sa.select(StatusUpdate)).one()
        assert (update.rag, update.progress_percent, update.author_id) == (
            Rag.AMBER,
            45,
            actors.vendor_user.id,
        )
        saved = db.session.get(Pilot, pilot.id)
        assert saved.last_rag is Rag.AMBER and saved.last_status_on == date.today()


def test_status_update_with_progress_over_100_is_refused(
    app: Flask, client: FlaskClient, actors: Actors
) -> None:
    with app.app_context():
        pilot = make_pilot(vendor=actors.vendor_a)
    data = {"rag": "green", "progress_percent": "120", "text": "Hyvin menee.", "reported_on": ""}
    path = f"/pilots/{pilot.id}/status/new"
    refused(app, client, actors.coordinator, path, data, 200, StatusUpdate)


def test_other_vendor_posting_a_status_gets_404_and_nothing_changes(
    app: Flask, client: FlaskClient, actors: Actors
) -> None:
    with app.app_context():
        pilot = make_pilot(vendor=actors.vendor_a)
    path = f"/pilots/{pilot.id}/status/new"
    user = actors.other_vendor_user
    refused(app, client, user, path, red_status(), 404, StatusUpdate)
    with app.app_context():
        assert db.session.get(Pilot, pilot.id).last_rag is None


def test_council_may_not_post_status_updates(
    app: Flask, client: FlaskClient, actors: Actors
) -> None:
    with app.app_context():
        pilot = make_pilot(vendor=actors.vendor_a)
    path = f"/pilots/{pilot.id}/status/new"
    refused(app, client, actors.council, path, red_status(), 403, StatusUpdate)


# --- the vendor's home -----------------------------------------------------------------------


def test_vendor_home_lists_own_pilots_with_what_is_due(
    app: Flask, client: FlaskClient, actors: Actors
) -> None:
    today = date.today()
    with app.app_context():
        quiet = make_pilot(vendor=actors.vendor_a, name="Hiljainen", stage=Stage.PILOTING)
        add_status_update(quiet, Rag.GREEN, 10, "Alku.", reported_on=today - timedelta(days=31))
        kpi = add_kpi(quiet, "Kuukausimittari", "", Decimal(0), Decimal(10), Direction.INCREASE)
        add_measurement(kpi, today.replace(day=1) - timedelta(days=1), Decimal(3))
        fresh = make_pilot(vendor=actors.vendor_a, name="Ajantasainen", stage=Stage.PILOTING)
        add_status_update(fresh, Rag.GREEN, 50, "Hyvin.", reported_on=today)
        done = add_kpi(fresh, "Mitattu", "", Decimal(0), Decimal(10), Direction.INCREASE)
        add_measurement(done, today, Decimal(5))
        make_pilot(vendor=actors.vendor_b, name="Toisen toimittajan")
    login_as(client, actors.vendor_user)
    html = client.get("/my-pilots").get_data(as_text=True)
    assert "Hiljainen" in html and "Ajantasainen" in html
    assert "Toisen toimittajan" not in html
    assert f"/pilots/{quiet.id}/status/new" in html  # status older than 30 days
    assert f"/pilots/{quiet.id}/measurements/new?kpi={kpi.id}" in html  # none this month
    assert f"/pilots/{fresh.id}/status/new" not in html
    assert f"kpi={done.id}" not in html
    due = html[html.index('class="due-table') : html.index("</table>")]
    assert due.count("<tr class=") == 2  # the status update and the measurement of Hiljainen
    assert "Ajantasainen" not in due


def test_vendor_home_is_for_vendors(client: FlaskClient, actors: Actors) -> None:
    login_as(client, actors.coordinator)
    assert client.get("/my-pilots").status_code == 403


def test_vendor_lands_on_their_home_after_signing_in(client: FlaskClient, actors: Actors) -> None:
    login_as(client, actors.vendor_user)
    assert client.get("/").headers["Location"].endswith("/my-pilots")


# --- what the pilot page shows of them -------------------------------------------------------


def test_pilot_page_shows_kpi_progress_toward_target(
    app: Flask, client: FlaskClient, actors: Actors
) -> None:
    with app.app_context():
        pilot = make_pilot()
        kpi = add_kpi(pilot, "Verkkovaraukset", "%", Decimal(10), Decimal(60), Direction.INCREASE)
        add_measurement(kpi, date.today() - timedelta(days=3), Decimal(20))
        add_measurement(kpi, date.today(), Decimal(35))
        cost = add_kpi(pilot, "Kulut", "€", Decimal(1000), Decimal(500), Direction.DECREASE)
        add_measurement(cost, date.today(), Decimal(900))
        add_kpi(pilot, "Mittaamaton", "", Decimal(0), Decimal(1), Direction.INCREASE)
    login_as(client, actors.council)
    html = client.get(f"/pilots/{pilot.id}").get_data(as_text=True)
    kpis = html[html.index('id="kpis"') : html.index('id="status"')]
    assert "50,0 %" in kpis  # (35 − 10) / (60 − 10)
    assert "20,0 %" in kpis  # (1000 − 900) / (1000 − 500)
    assert "ei mitattu" in kpis


def test_pilot_page_lists_status_updates_newest_first(
    app: Flask, client: FlaskClient, actors: Actors
) -> None:
    today = date.today()
    with app.app_context():
        pilot = make_pilot(vendor=actors.vendor_a)
        add_status_update(pilot, Rag.RED, 10, "Vanhin.", reported_on=today - timedelta(days=20))
        add_status_update(pilot, Rag.GREEN, 60, "Uusin.", reported_on=today)
        add_status_update(
            pilot, Rag.AMBER, 30, "Keskimmäinen.", reported_on=today - timedelta(days=9)
        )
    login_as(client, actors.vendor_user)
    html = client.get(f"/pilots/{pilot.id}").get_data(as_text=True)
    assert html.index("Uusin.") < html.index("Keskimmäinen.") < html.index("Vanhin.")
