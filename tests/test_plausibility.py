"""Plausibility (PRODUCT.md): refusals on the web form, the API and the import, each on its
field; warnings as a confirm step on the form, a `warnings` list in the API's answers and a
list in the import's report."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from pilot_tracker.domain.enums import Direction
from pilot_tracker.extensions import db
from pilot_tracker.models import Kpi, Measurement, Pilot
from pilot_tracker.services.importer import import_pilots
from pilot_tracker.services.pilots import PilotValidationError
from pilot_tracker.services.reporting import add_kpi, add_measurement
from tests.api_helpers import API_MD_PILOT, ApiCaller, assert_problem
from tests.conftest import Actors, csrf_token, login_as
from tests.factories import make_pilot
from tests.test_exchange_import import csv
from tests.test_pilots_form import form_data


@pytest.fixture
def api(app: Flask, actors: Actors) -> ApiCaller:
    return ApiCaller(app, actors)


def post(client: FlaskClient, path: str, data: dict[str, Any]) -> Any:
    return client.post(path, data={**data, "csrf_token": csrf_token(client, path)})


def pilot_names() -> list[str]:
    return list(db.session.scalars(sa.select(Pilot.name).order_by(Pilot.id)))


# --- refusals ----------------------------------------------------------------------------


def test_form_refuses_funding_above_the_budget_on_the_funding_field(
    app: Flask, client: FlaskClient, actors: Actors
) -> None:
    login_as(client, actors.coordinator)

    response = post(client, "/pilots/new", form_data(budget="1000", external_funding="1000,01"))

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    error = html.split('id="external_funding-error"')[1].split("</p>")[0]
    assert "Ulkoinen rahoitus ei voi olla kokonaisbudjettia suurempi" in error
    with app.app_context():
        assert pilot_names() == []


def test_api_refuses_funding_above_the_budget_naming_the_field(
    app: Flask, api: ApiCaller, actors: Actors
) -> None:
    body = {**API_MD_PILOT, "vendor_id": None, "external_funding_eur": "120000.01"}

    errors = assert_problem(api.post("coordinator", "/api/v1/pilots", json=body), 422)["errors"]

    assert list(errors) == ["external_funding_eur"]
    assert "cannot be larger than the budget" in errors["external_funding_eur"][0]
    with app.app_context():
        assert pilot_names() == []


def test_api_patch_refuses_funding_above_the_budget_and_changes_nothing(
    app: Flask, api: ApiCaller
) -> None:
    with app.app_context():
        pilot = make_pilot()

    response = api.patch(
        "coordinator",
        f"/api/v1/pilots/{pilot.id}",
        json={"budget_eur": "10000.00", "version": 1},
    )

    assert list(assert_problem(response, 422)["errors"]) == ["external_funding_eur"]
    with app.app_context():
        stored = db.session.get(Pilot, pilot.id)
        assert (stored.budget_cents, stored.version) == (12_000_000, 1)


@pytest.mark.parametrize("day", [date(1900, 1, 1), date(1999, 12, 31)])
def test_a_measurement_before_2000_is_refused_by_the_service(app: Flask, day: date) -> None:
    with app.app_context():
        pilot = make_pilot()
        kpi = add_kpi(pilot, "Varaukset", "kpl", 0, 100, Direction.INCREASE)  # type: ignore[arg-type]
        with pytest.raises(PilotValidationError) as refused:
            add_measurement(kpi, day, 5)  # type: ignore[arg-type]
        assert list(refused.value.errors) == ["date"]
        db.session.rollback()
        assert db.session.scalars(sa.select(Measurement)).all() == []
        assert add_measurement(kpi, date(2000, 1, 1), 5).id  # type: ignore[arg-type]


def test_api_refuses_a_measurement_dated_1_1_1900_on_date(app: Flask, api: ApiCaller) -> None:
    with app.app_context():
        pilot = make_pilot()
        kpi_id = add_kpi(pilot, "Varaukset", "kpl", 0, 100, Direction.INCREASE).id  # type: ignore[arg-type]

    response = api.post(
        "coordinator",
        f"/api/v1/kpis/{kpi_id}/measurements",
        json={"date": "1900-01-01", "value": 5},
    )

    errors = assert_problem(response, 422)["errors"]
    assert list(errors) == ["date"] and "2000" in errors["date"][0]
    with app.app_context():
        assert db.session.get(Kpi, kpi_id).latest_value is None


def test_measurement_form_refuses_1_1_1900_on_its_date(
    app: Flask, client: FlaskClient, actors: Actors
) -> None:
    with app.app_context():
        pilot = make_pilot()
        kpi_id = add_kpi(pilot, "Varaukset", "kpl", 0, 100, Direction.INCREASE).id  # type: ignore[arg-type]
    login_as(client, actors.coordinator)
    path = f"/pilots/{pilot.id}/measurements/new"

    html = post(
        client, path, {"kpi_id": kpi_id, "measured_on": "1900-01-01", "value": "5"}
    ).get_data(as_text=True)

    error = html.split('id="measured_on-error"')[1].split("</p>")[0]
    assert "Mittaus päivätään 1.1.2000 tai myöhemmäksi." in error
    with app.app_context():
        assert db.session.scalars(sa.select(Measurement)).all() == []


# --- warnings: the web form's confirm step ------------------------------------------------


def test_a_huge_budget_is_saved_only_after_save_anyway(
    app: Flask, client: FlaskClient, actors: Actors
) -> None:
    login_as(client, actors.coordinator)
    typo = form_data(budget="9 999 999 999,99", external_funding="0")

    first = post(client, "/pilots/new", typo)

    html = first.get_data(as_text=True).replace("\xa0", " ").replace("\u202f", " ")
    assert first.status_code == 200
    assert "Mitään ei ole vielä tallennettu" in html
    assert "Budjetti 9 999 999 999,99 € on yli 5 000 000 €" in html
    assert "osallistuvien kuntien asukasta kohden" in html
    assert 'name="confirm_warnings"' in html
    with app.app_context():
        assert pilot_names() == []

    second = post(client, "/pilots/new", {**typo, "confirm_warnings": "y"})

    assert second.status_code == 302
    with app.app_context():
        assert db.session.scalars(sa.select(Pilot.budget_cents)).one() == 999_999_999_999


def test_a_plain_pilot_has_no_confirm_step(app: Flask, client: FlaskClient, actors: Actors) -> None:
    login_as(client, actors.coordinator)

    html = client.get("/pilots/new").get_data(as_text=True)
    response = post(client, "/pilots/new", form_data())

    assert 'name="confirm_warnings"' not in html
    assert response.status_code == 302


def test_a_duplicate_name_warns_with_a_link_to_the_namesake(
    app: Flask, client: FlaskClient, actors: Actors
) -> None:
    with app.app_context():
        namesake = make_pilot(name="Sähköinen tilavaraus")
    login_as(client, actors.coordinator)

    html = post(client, "/pilots/new", form_data(name="sähköinen  TILAVARAUS")).get_data(
        as_text=True
    )

    assert "Toisen kokeilun nimi on jo ”Sähköinen tilavaraus”." in html
    assert f'href="/pilots/{namesake.id}">Avaa samanniminen kokeilu</a>' in html
    with app.app_context():
        assert pilot_names() == ["Sähköinen tilavaraus"]


def test_an_edit_asks_only_about_what_it_changes(
    app: Flask, client: FlaskClient, actors: Actors
) -> None:
    with app.app_context():
        pilot = make_pilot(budget_cents=6_000_000_00, funding_cents=0)
    login_as(client, actors.coordinator)
    path = f"/pilots/{pilot.id}/edit"
    edit = form_data(
        name=pilot.name, budget="6000000", external_funding="0", version="1", summary="Uusi"
    )

    # The budget was already above 5 M€: changing the summary saves without a question.
    assert post(client, path, edit).status_code == 302
    # A new namesake is asked about.
    with app.app_context():
        other = make_pilot(name="Toinen nimi")
    response = post(client, path, {**edit, "name": "Toinen nimi", "version": "2"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and f'href="/pilots/{other.id}"' in html
    assert "Budjetti" not in html.split('id="plausibility-warnings"')[1].split("</fieldset>")[0]
    with app.app_context():
        assert db.session.get(Pilot, pilot.id).name != "Toinen nimi"


# --- warnings: the API --------------------------------------------------------------------


def test_api_create_answers_its_warnings_and_saves(app: Flask, api: ApiCaller) -> None:
    with app.app_context():
        namesake = make_pilot(name="Sähköinen tilavaraus")
    body = {**API_MD_PILOT, "vendor_id": None, "budget_eur": "60000000.00"}

    response = api.post("coordinator", "/api/v1/pilots", json=body)

    assert response.status_code == 201
    warnings = response.get_json()["warnings"]
    assert [(w["code"], w["field"]) for w in warnings] == [
        ("budget_large", "budget_eur"),
        ("budget_per_resident", "budget_eur"),
        ("duplicate_name", "name"),
    ]
    assert warnings[2]["namesake"] == {"id": namesake.id, "name": "Sähköinen tilavaraus"}
    assert all(w["message"] for w in warnings)
    with app.app_context():
        assert len(pilot_names()) == 2


def test_api_create_without_anything_implausible_has_no_warnings(api: ApiCaller) -> None:
    response = api.post("coordinator", "/api/v1/pilots", json={**API_MD_PILOT, "vendor_id": None})

    assert response.status_code == 201 and response.get_json()["warnings"] == []
    # A plain read has no warnings field: warnings belong to a save.
    read = api.get("coordinator", response.headers["Location"]).get_json()
    assert "warnings" not in read


def test_api_patch_answers_the_warnings_of_its_change(app: Flask, api: ApiCaller) -> None:
    with app.app_context():
        pilot = make_pilot()

    response = api.patch(
        "coordinator", f"/api/v1/pilots/{pilot.id}", json={"budget_eur": "5000000.01", "version": 1}
    )

    assert response.status_code == 200
    assert [w["code"] for w in response.get_json()["warnings"]] == ["budget_large"]
    with app.app_context():
        assert db.session.get(Pilot, pilot.id).budget_cents == 500_000_001


# --- the import ---------------------------------------------------------------------------

PARTICIPANTS = csv(
    """
pilot_ref;municipality_code
P1;418
P2;536
"""
)


def test_import_refuses_funding_above_the_budget_on_its_cell(app: Flask) -> None:
    pilots = csv(
        """
ref;name;theme;lead_municipality;budget_eur;external_funding_eur
P1;Tilavaraus;facility_booking;418;1000;2000
P2;Lupapalvelu;permits;536;1000;0
"""
    )
    with app.app_context():
        report = import_pilots([("p.csv", pilots), ("o.csv", PARTICIPANTS)], dry_run=False)
        assert pilot_names() == []
    assert not report.imported
    assert [(p.row, p.column) for p in report.problems] == [(2, "external_funding_eur")]


def test_import_refuses_future_decisions_and_measurements_before_2000(app: Flask) -> None:
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    files = [
        ("p.csv", csv("ref;name;theme;stage;lead_municipality\nP1;A;permits;piloting;418")),
        ("o.csv", csv("pilot_ref;municipality_code\nP1;418")),
        ("k.csv", csv("pilot_ref;kpi_ref;name;baseline;target;direction\nP1;K1;M;0;5;increase")),
        ("m.csv", csv("pilot_ref;kpi_ref;date;value\nP1;K1;1900-01-01;3")),
        (
            "d.csv",
            csv(
                "pilot_ref;date;gate;outcome;decided_by;rationale;stage_before;stage_after\n"
                f"P1;{tomorrow};start;go;hallitus;Hyvä;planning;piloting"
            ),
        ),
    ]
    with app.app_context():
        report = import_pilots(files, dry_run=True)
    found = {(p.source, p.row, p.column): p.message for p in report.problems}
    assert "2000" in found[("m.csv", 2, "date")]
    assert "next review" in found[("d.csv", 2, "date")]


def test_import_lists_warnings_and_imports_anyway(app: Flask) -> None:
    with app.app_context():
        make_pilot(name="Lupapalvelu")
    pilots = csv(
        """
ref;name;theme;lead_municipality;budget_eur
P1;Tilavaraus;facility_booking;418;6000000
P2;LUPAPALVELU;permits;536;1000
"""
    )
    with app.app_context():
        report = import_pilots([("p.csv", pilots), ("o.csv", PARTICIPANTS)], dry_run=False)
        assert len(pilot_names()) == 3
    assert report.imported and report.problems == []
    assert [(w.row, w.column, w.finding.code) for w in report.warnings] == [
        (2, "budget_eur", "budget_large"),
        (3, "name", "duplicate_name"),
    ]
    assert "Another pilot is already called “" in str(report.warnings[1])
    assert "(pilot " in str(report.warnings[1])


def test_import_page_lists_the_warnings_of_the_check(
    app: Flask, client: FlaskClient, actors: Actors
) -> None:
    import io

    pilots = csv("ref;name;theme;lead_municipality;budget_eur\nP1;Iso;permits;418;6000000")
    login_as(client, actors.coordinator)
    token = csrf_token(client, "/import")
    response = client.post(
        "/import",
        data={
            "csrf_token": token,
            "files": [
                (io.BytesIO(pilots), "pilots.csv"),
                (io.BytesIO(csv("pilot_ref;municipality_code\nP1;418")), "participants.csv"),
            ],
        },
        content_type="multipart/form-data",
    )
    html = response.get_data(as_text=True).replace("\xa0", " ").replace("\u202f", " ")
    assert "Budjetti 6 000 000,00 € on yli 5 000 000 €" in html
    assert "1 varoitus (tuonti jatkuu varoituksesta huolimatta)" in html
    with app.app_context():
        assert pilot_names() == []
