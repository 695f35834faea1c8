"""Status updates, KPIs and measurements over the API."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from flask import Flask

from pilot_tracker.domain.enums import Direction, Rag, Stage
from pilot_tracker.extensions import db
from pilot_tracker.models import Kpi, Measurement, Pilot, StatusUpdate
from pilot_tracker.services.reporting import add_kpi, add_status_update
from tests.api_helpers import ApiCaller, assert_problem
from tests.conftest import Actors
from tests.factories import make_pilot

TOMORROW = (date.today() + timedelta(days=1)).isoformat()


@pytest.fixture
def api(app: Flask, actors: Actors) -> ApiCaller:
    return ApiCaller(app, actors)


@pytest.fixture
def pilot(app: Flask, actors: Actors) -> Pilot:
    with app.app_context():
        return make_pilot(vendor=actors.vendor_a, stage=Stage.PILOTING)


@pytest.fixture
def kpi(app: Flask, pilot: Pilot) -> Kpi:
    with app.app_context():
        return add_kpi(pilot, "Varaukset", "kpl", Decimal(100), Decimal(200), Direction.INCREASE)


def stored(app: Flask, model: type, **where: object) -> list:
    with app.app_context():
        db.session.expire_all()
        return list(db.session.scalars(sa.select(model).filter_by(**where)))


# ---------------------------------------------------------------- status updates


def test_vendor_reports_status_on_its_pilot(app: Flask, api: ApiCaller, pilot: Pilot) -> None:
    body = {"rag": "amber", "progress_percent": 40, "text": "Integraatio viivästyi."}

    response = api.post("vendor_user", f"/api/v1/pilots/{pilot.id}/status-updates", json=body)

    assert response.status_code == 201
    created = response.get_json()
    assert created["rag"] == "amber" and created["date"] == date.today().isoformat()
    (row,) = stored(app, StatusUpdate, pilot_id=pilot.id)
    assert row.text == "Integraatio viivästyi." and row.author_id is not None
    with app.app_context():
        assert db.session.get(Pilot, pilot.id).last_rag is Rag.AMBER  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("actor", "status"), [("council", 403), ("other_vendor_user", 404), ("coordinator", 201)]
)
def test_who_may_report_status(api: ApiCaller, pilot: Pilot, actor: str, status: int) -> None:
    body = {"rag": "green", "progress_percent": 10, "text": "Ok."}

    response = api.post(actor, f"/api/v1/pilots/{pilot.id}/status-updates", json=body)

    assert response.status_code == status


def test_status_update_errors_by_field(app: Flask, api: ApiCaller, pilot: Pilot) -> None:
    body = {"rag": "blue", "progress_percent": 101, "text": "", "date": "2026-13-01"}

    response = api.post("admin", f"/api/v1/pilots/{pilot.id}/status-updates", json=body)

    assert set(assert_problem(response, 422)["errors"]) == {
        "rag",
        "progress_percent",
        "text",
        "date",
    }
    assert stored(app, StatusUpdate, pilot_id=pilot.id) == []


def test_status_update_in_the_future_is_refused(api: ApiCaller, pilot: Pilot) -> None:
    body = {"rag": "green", "progress_percent": 5, "text": "Huominen.", "date": TOMORROW}

    response = api.post("admin", f"/api/v1/pilots/{pilot.id}/status-updates", json=body)

    assert list(assert_problem(response, 422)["errors"]) == ["date"]


def test_progress_must_be_a_whole_number(api: ApiCaller, pilot: Pilot) -> None:
    body = {"rag": "green", "progress_percent": 40.5, "text": "Puolikas."}

    response = api.post("admin", f"/api/v1/pilots/{pilot.id}/status-updates", json=body)

    assert list(assert_problem(response, 422)["errors"]) == ["progress_percent"]


def test_status_updates_list_newest_first(app: Flask, api: ApiCaller, pilot: Pilot) -> None:
    with app.app_context():
        for day, text in ((3, "Kolmas"), (1, "Ensimmäinen"), (2, "Toinen")):
            add_status_update(pilot, Rag.GREEN, day, text, reported_on=date(2026, 1, day))

    body = api.get("vendor_user", f"/api/v1/pilots/{pilot.id}/status-updates").get_json()

    assert [s["text"] for s in body["items"]] == ["Kolmas", "Toinen", "Ensimmäinen"]
    assert body["total"] == 3
    assert_problem(api.get("other_vendor_user", f"/api/v1/pilots/{pilot.id}/status-updates"), 404)


# ---------------------------------------------------------------- KPIs


def test_coordinator_defines_a_kpi(app: Flask, api: ApiCaller, pilot: Pilot) -> None:
    body = {
        "name": "Säästö",
        "unit": "€/v",
        "baseline": 0,
        "target": "25000.50",
        "direction": "increase",
        "is_savings": True,
    }

    response = api.post("coordinator", f"/api/v1/pilots/{pilot.id}/kpis", json=body)

    assert response.status_code == 201
    created = response.get_json()
    assert created["baseline"] == "0" and created["target"] == "25000.5"
    assert created["latest_value"] is None and created["progress_percent"] is None
    (row,) = stored(app, Kpi, pilot_id=pilot.id)
    assert row.is_savings and row.target == Decimal("25000.5")


@pytest.mark.parametrize(
    ("actor", "status"), [("vendor_user", 403), ("council", 403), ("other_vendor_user", 404)]
)
def test_only_editors_define_kpis(api: ApiCaller, pilot: Pilot, actor: str, status: int) -> None:
    body = {"name": "K", "baseline": 0, "target": 1, "direction": "increase"}

    assert_problem(api.post(actor, f"/api/v1/pilots/{pilot.id}/kpis", json=body), status)


def test_kpi_target_equal_to_baseline_is_refused(api: ApiCaller, pilot: Pilot) -> None:
    body = {"name": "K", "baseline": "5", "target": 5, "direction": "increase"}

    response = api.post("admin", f"/api/v1/pilots/{pilot.id}/kpis", json=body)

    assert list(assert_problem(response, 422)["errors"]) == ["target"]


def test_kpi_values_must_be_numbers(api: ApiCaller, pilot: Pilot) -> None:
    body = {"name": "K", "baseline": "viisi", "target": 1.23456, "direction": "sideways"}

    response = api.post("admin", f"/api/v1/pilots/{pilot.id}/kpis", json=body)

    assert set(assert_problem(response, 422)["errors"]) == {"baseline", "target", "direction"}


# ---------------------------------------------------------------- measurements


def test_vendor_measures_and_the_kpi_shows_progress(app: Flask, api: ApiCaller, kpi: Kpi) -> None:
    body = {"date": "2026-01-31", "value": 150.5, "note": "Tammikuu"}

    response = api.post("vendor_user", f"/api/v1/kpis/{kpi.id}/measurements", json=body)

    assert response.status_code == 201
    assert response.get_json()["value"] == "150.5"
    (row,) = stored(app, Measurement, kpi_id=kpi.id)
    assert row.value == Decimal("150.5") and row.note == "Tammikuu"
    listed = api.get("vendor_user", f"/api/v1/pilots/{kpi.pilot_id}/kpis").get_json()
    assert listed["items"][0]["latest_value"] == "150.5"
    assert listed["items"][0]["progress_percent"] == "50.5"
    assert listed["items"][0]["latest_on"] == "2026-01-31"


@pytest.mark.parametrize(
    ("actor", "status"), [("council", 403), ("other_vendor_user", 404), ("admin", 201)]
)
def test_who_may_measure(api: ApiCaller, kpi: Kpi, actor: str, status: int) -> None:
    body = {"date": "2026-01-31", "value": "120"}

    assert api.post(actor, f"/api/v1/kpis/{kpi.id}/measurements", json=body).status_code == status


def test_measurement_errors(app: Flask, api: ApiCaller, kpi: Kpi) -> None:
    future = {"date": TOMORROW, "value": 1}
    missing = {"note": "x" * 2001}

    assert list(
        assert_problem(api.post("admin", f"/api/v1/kpis/{kpi.id}/measurements", json=future), 422)[
            "errors"
        ]
    ) == ["date"]
    assert set(
        assert_problem(api.post("admin", f"/api/v1/kpis/{kpi.id}/measurements", json=missing), 422)[
            "errors"
        ]
    ) == {"date", "value", "note"}
    assert stored(app, Measurement, kpi_id=kpi.id) == []


def test_measurement_of_a_missing_kpi_is_404(api: ApiCaller) -> None:
    body = {"date": "2026-01-01", "value": 1}

    assert_problem(api.post("admin", "/api/v1/kpis/999999/measurements", json=body), 404)
