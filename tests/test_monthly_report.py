"""A vendor's month in one form (issue 19, item 9): the status update and every KPI
measurement that is due, saved together or not at all, each error next to its field."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from pilot_tracker.domain.enums import Direction, Rag, Stage
from pilot_tracker.extensions import db
from pilot_tracker.models import AuditEntry, Kpi, Measurement, Pilot, StatusUpdate
from pilot_tracker.services.pilots import PilotValidationError
from pilot_tracker.services.reporting import (
    add_kpi,
    add_measurement,
    add_status_update,
    record_monthly_report,
)
from tests.conftest import Actors, csrf_token, login_as
from tests.factories import make_pilot


def count(model: Any) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model)) or 0


def month_pilot(actors: Actors) -> dict[str, int]:
    """A piloting pilot of vendor A: two KPIs not measured this month, one measured today,
    and a status update of last month at 40 % amber."""
    today = date.today()
    pilot = make_pilot(vendor=actors.vendor_a, stage=Stage.PILOTING, name="Etäpalvelu")
    add_status_update(pilot, Rag.AMBER, 40, "Alku.", reported_on=today - timedelta(days=35))
    first = add_kpi(pilot, "Varaukset", "kpl", Decimal(0), Decimal(100), Direction.INCREASE)
    add_measurement(first, today.replace(day=1) - timedelta(days=3), Decimal(12))
    second = add_kpi(pilot, "Odotusaika", "min", Decimal(30), Decimal(10), Direction.DECREASE)
    measured = add_kpi(pilot, "Tyytyväisyys", "", Decimal(3), Decimal(4), Direction.INCREASE)
    add_measurement(measured, today, Decimal("3.5"))
    return {"pilot": pilot.id, "first": first.id, "second": second.id, "measured": measured.id}


def page(client: FlaskClient, pilot_id: int) -> str:
    response = client.get(f"/pilots/{pilot_id}/monthly-report")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def form_data(ids: dict[str, int], **values: str) -> dict[str, str]:
    today = date.today().isoformat()
    data = {
        "rag": "green",
        "progress_percent": "55",
        "text": "Käyttöönotto etenee.",
        "reported_on": today,
        "measurements-0-kpi_id": str(ids["first"]),
        "measurements-0-value": "18",
        "measurements-0-measured_on": today,
        "measurements-0-note": "",
        "measurements-1-kpi_id": str(ids["second"]),
        "measurements-1-value": "21,5",
        "measurements-1-measured_on": today,
        "measurements-1-note": "Ruuhkaviikko.",
    }
    data.update(values)
    return data


def post(client: FlaskClient, pilot_id: int, data: dict[str, str]) -> Any:
    token = csrf_token(client, f"/pilots/{pilot_id}/monthly-report")
    return client.post(f"/pilots/{pilot_id}/monthly-report", data={**data, "csrf_token": token})


def test_the_form_offers_the_due_kpis_with_the_last_progress_prefilled(
    app: Flask, client: FlaskClient, actors: Actors
) -> None:
    with app.app_context():
        ids = month_pilot(actors)
    login_as(client, actors.vendor_user)
    html = page(client, ids["pilot"])
    assert f'name="measurements-0-kpi_id" type="hidden" value="{ids["first"]}"' in html
    assert f'name="measurements-1-kpi_id" type="hidden" value="{ids["second"]}"' in html
    assert "measurements-2-" not in html  # the KPI measured today is not due
    assert re.search(r'id="progress_percent"[^>]*value="40"', html)
    assert re.search(r'value="amber"[^>]*checked|checked[^>]*value="amber"', html)
    assert "Arvo (kpl)" in html and "Odotusaika" in html


def test_a_whole_month_is_saved_in_one_go_and_the_vendor_home_shows_what_is_left(
    app: Flask, client: FlaskClient, actors: Actors
) -> None:
    with app.app_context():
        ids = month_pilot(actors)
        before = count(AuditEntry)
    login_as(client, actors.vendor_user)
    response = post(client, ids["pilot"], form_data(ids))
    assert response.status_code == 302 and response.location.endswith("/my-pilots")
    with app.app_context():
        update = db.session.scalars(
            sa.select(StatusUpdate).order_by(StatusUpdate.id.desc()).limit(1)
        ).one()
        assert (update.rag, update.progress_percent, update.author_id) == (
            Rag.GREEN,
            55,
            actors.vendor_user.id,
        )
        values = dict(
            db.session.execute(
                sa.select(Measurement.kpi_id, Measurement.value).where(
                    Measurement.measured_on == date.today()
                )
            ).all()
        )
        assert values == {
            ids["first"]: Decimal(18),
            ids["second"]: Decimal("21.5"),
            ids["measured"]: Decimal("3.5"),
        }
        assert db.session.get(Kpi, ids["second"]).latest_value == Decimal("21.5")
        assert db.session.get(Pilot, ids["pilot"]).last_rag is Rag.GREEN
        assert count(AuditEntry) == before + 3  # one status update, two measurements
    home = client.get("/my-pilots").get_data(as_text=True)
    assert "tilannepäivitys ja 2 mittausta" in home
    due = home[home.index("<main") :]
    assert f"/pilots/{ids['pilot']}/measurements/new" not in due
    assert f"/pilots/{ids['pilot']}/status/new" not in due
    # Nothing is due any more, so the form offers no measurements.
    assert "measurements-0-kpi_id" not in page(client, ids["pilot"])


def test_a_kpi_left_blank_is_not_measured_and_stays_due(
    app: Flask, client: FlaskClient, actors: Actors
) -> None:
    with app.app_context():
        ids = month_pilot(actors)
        before = count(Measurement)
    login_as(client, actors.vendor_user)
    data = form_data(ids, **{"measurements-1-value": "", "measurements-1-measured_on": ""})
    assert post(client, ids["pilot"], data).status_code == 302
    with app.app_context():
        assert count(Measurement) == before + 1
    html = page(client, ids["pilot"])
    assert f'value="{ids["second"]}"' in html and f'value="{ids["first"]}"' not in html


@pytest.mark.parametrize(
    ("change", "field_id", "message"),
    [
        ({"measurements-1-measured_on": "1999-12-31"}, "measurements-1-measured_on", "2000"),
        ({"measurements-0-value": "paljon"}, "measurements-0-value", None),
        ({"text": ""}, "text", None),
        ({"progress_percent": "150"}, "progress_percent", None),
        ({"measurements-1-measured_on": ""}, "measurements-1-measured_on", None),
    ],
)
def test_one_bad_field_saves_nothing_and_is_shown_next_to_its_field(
    app: Flask,
    client: FlaskClient,
    actors: Actors,
    change: dict[str, str],
    field_id: str,
    message: str | None,
) -> None:
    with app.app_context():
        ids = month_pilot(actors)
        counts = (count(StatusUpdate), count(Measurement), count(AuditEntry))
    login_as(client, actors.vendor_user)
    response = post(client, ids["pilot"], form_data(ids, **change))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    with app.app_context():
        assert (count(StatusUpdate), count(Measurement), count(AuditEntry)) == counts
    error = re.search(rf'<p class="error" id="{re.escape(field_id)}-error">([^<]+)</p>', html)
    assert error, html
    assert html.count('class="error"') == 1  # one message, on the field it concerns
    if message:
        assert message in error.group(1)
    assert f'href="#{field_id}"' in html  # the summary links to it
    # What was typed is kept.
    assert "Käyttöönotto etenee." in html or change.get("text") == ""


def test_the_service_keeps_nothing_when_a_late_part_is_refused(app: Flask, actors: Actors) -> None:
    """The status update is valid and flushed first; the second measurement is refused: the
    rollback takes the status update and the first measurement with it."""
    with app.app_context():
        ids = month_pilot(actors)
        pilot = db.session.get(Pilot, ids["pilot"])
        first, second = db.session.get(Kpi, ids["first"]), db.session.get(Kpi, ids["second"])
        counts = (count(StatusUpdate), count(Measurement))

        class Entry:
            def __init__(self, kpi: Kpi, day: date) -> None:
                self.kpi, self.measured_on, self.value, self.note = kpi, day, Decimal(1), ""

        today = date.today()
        with pytest.raises(PilotValidationError) as refused:
            record_monthly_report(
                pilot,
                Rag.RED,
                10,
                "Ongelmia.",
                [Entry(first, today), Entry(second, date(1999, 1, 1))],
                today=today,
            )
        assert list(refused.value.errors) == ["measurements-1-date"]
        assert (count(StatusUpdate), count(Measurement)) == counts
        assert db.session.get(Pilot, ids["pilot"]).last_rag is Rag.AMBER


def test_a_kpi_of_another_pilot_cannot_be_slipped_in(
    app: Flask, client: FlaskClient, actors: Actors
) -> None:
    with app.app_context():
        ids = month_pilot(actors)
        other = make_pilot(vendor=actors.vendor_a, stage=Stage.PILOTING)
        foreign = add_kpi(other, "Vieras", "", Decimal(0), Decimal(1), Direction.INCREASE)
        counts = (count(StatusUpdate), count(Measurement))
    login_as(client, actors.vendor_user)
    data = form_data(ids, **{"measurements-1-kpi_id": str(foreign.id)})
    assert post(client, ids["pilot"], data).status_code == 400
    with app.app_context():
        assert (count(StatusUpdate), count(Measurement)) == counts


def test_who_may_report_the_month(app: Flask, client: FlaskClient, actors: Actors) -> None:
    with app.app_context():
        ids = month_pilot(actors)
        counts = (count(StatusUpdate), count(Measurement))
    for user, status in (
        (actors.other_vendor_user, 404),
        (actors.council, 403),
    ):
        login_as(client, user)
        assert client.get(f"/pilots/{ids['pilot']}/monthly-report").status_code == status
        token = csrf_token(client, "/pilots")
        response = client.post(
            f"/pilots/{ids['pilot']}/monthly-report", data={**form_data(ids), "csrf_token": token}
        )
        assert response.status_code == status
    with app.app_context():
        assert (count(StatusUpdate), count(Measurement)) == counts
    # A coordinator may report too, and is sent back to the pilot page.
    login_as(client, actors.coordinator)
    response = post(client, ids["pilot"], form_data(ids))
    assert response.status_code == 302
    assert response.location.endswith(f"/pilots/{ids['pilot']}#status")


def test_the_vendor_home_links_each_pilot_to_its_monthly_report(
    app: Flask, client: FlaskClient, actors: Actors
) -> None:
    with app.app_context():
        ids = month_pilot(actors)
    login_as(client, actors.vendor_user)
    html = client.get("/my-pilots").get_data(as_text=True)
    assert f'href="/pilots/{ids["pilot"]}/monthly-report"' in html
