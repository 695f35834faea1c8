"""Cost entries and billing through the API and the pages; vendors see none of it."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from pilot_tracker.domain.enums import SplitMethod
from pilot_tracker.extensions import db
from pilot_tracker.models import CostEntry
from pilot_tracker.services.costs import CostData, record_cost
from tests.api_helpers import ApiCaller, assert_problem
from tests.conftest import Actors, csrf_token, login_as
from tests.factories import make_pilot

V1 = "/api/v1"


def _pilot(actors: Actors) -> Any:
    return make_pilot(
        ("418", "536"),
        method=SplitMethod.EQUAL,
        budget_cents=1_000_000,
        funding_cents=500_000,
        vendor=actors.vendor_a,
    )


def test_api_records_lists_corrects_and_deletes_an_entry(app: Flask, actors: Actors) -> None:
    api = ApiCaller(app, actors)
    with app.app_context():
        pilot = _pilot(actors)
    body = {
        "date": "2026-02-01",
        "amount_eur": "1000.01",
        "kind": "vendor_invoice",
        "reference": "L1",
    }
    created = api.post("coordinator", f"{V1}/pilots/{pilot.id}/costs", json=body)
    assert created.status_code == 201
    entry = created.get_json()
    # Rate 50 %: 500.005 € half-up 500.01; the rest 500.00 split equally.
    assert entry["funded_eur"] == "500.01"
    assert entry["shares"] == [
        {"code": "418", "share_eur": "250.00"},
        {"code": "536", "share_eur": "250.00"},
    ]
    listed = api.get("council", f"{V1}/pilots/{pilot.id}/costs").get_json()
    assert [i["id"] for i in listed["items"]] == [entry["id"]]
    patched = api.patch("admin", f"{V1}/costs/{entry['id']}", json={"amount_eur": "2000.00"})
    assert patched.status_code == 200
    assert patched.get_json()["funded_eur"] == "1000.00"
    body_after = api.get("council", f"{V1}/pilots/{pilot.id}").get_json()
    assert (body_after["actual_cost_eur"], body_after["funded_eur"]) == ("2000.00", "1000.00")
    assert [p["actual_eur"] for p in body_after["participants"]] == ["500.00", "500.00"]
    assert api.delete("coordinator", f"{V1}/costs/{entry['id']}").status_code == 204
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(CostEntry)) == 0


def test_api_refuses_bad_entries_by_field(app: Flask, actors: Actors) -> None:
    api = ApiCaller(app, actors)
    with app.app_context():
        pilot = _pilot(actors)
    path = f"{V1}/pilots/{pilot.id}/costs"
    for bad, field in (
        ({"date": "2026-02-01", "amount_eur": "0", "kind": "other"}, "amount_eur"),
        ({"date": "2026-02-01", "amount_eur": "-5.00", "kind": "other"}, "amount_eur"),
        ({"date": "1999-02-01", "amount_eur": "5.00", "kind": "other"}, "date"),
        ({"date": "2026-02-01", "amount_eur": "5.00", "kind": "bribe"}, "kind"),
        ({"date": "2026-02-01", "amount_eur": "5.001", "kind": "other"}, "amount_eur"),
    ):
        problem = assert_problem(api.post("coordinator", path, json=bad), 422)
        assert field in problem["errors"], bad
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(CostEntry)) == 0


def test_vendors_get_404_for_costs_and_null_figures(app: Flask, actors: Actors) -> None:
    api = ApiCaller(app, actors)
    with app.app_context():
        pilot = _pilot(actors)
        entry = record_cost(pilot, CostData(date(2026, 1, 1), 1_000))
    assert api.get("vendor_user", f"{V1}/pilots/{pilot.id}/costs").status_code == 404
    assert api.patch("vendor_user", f"{V1}/costs/{entry.id}", json={}).status_code == 404
    body = api.get("vendor_user", f"{V1}/pilots/{pilot.id}").get_json()
    assert body["actual_cost_eur"] is None
    assert body["participants"][0]["actual_eur"] is None
    assert api.get("vendor_user", f"{V1}/municipalities/418/billing").status_code == 403
    assert api.post("council", f"{V1}/pilots/{pilot.id}/costs", json={}).status_code in (403, 422)


def test_api_billing_for_a_period(app: Flask, actors: Actors) -> None:
    api = ApiCaller(app, actors)
    with app.app_context():
        pilot = _pilot(actors)
        entry = record_cost(pilot, CostData(date(2026, 3, 31), 10_000, reference="M3"))
        record_cost(pilot, CostData(date(2026, 4, 1), 10_000))
    got = api.get("council", f"{V1}/municipalities/418/billing?from=2026-01-01&to=2026-03-31")
    assert got.get_json() == {
        "code": "418",
        "from": "2026-01-01",
        "to": "2026-03-31",
        "items": [
            {
                "pilot_id": pilot.id,
                "cost_id": entry.id,
                "date": "2026-03-31",
                "reference": "M3",
                "share_eur": "25.00",
            }
        ],
        "total_eur": "25.00",
    }
    assert api.get("council", f"{V1}/municipalities/999/billing").status_code == 404
    bad = api.get("council", f"{V1}/municipalities/418/billing?from=2026-02-01&to=2026-01-01")
    assert bad.status_code == 422


def test_hybrid_through_the_api(app: Flask, actors: Actors) -> None:
    api = ApiCaller(app, actors)
    body = {
        "name": "Hybridi",
        "theme": "facility_booking",
        "lead_municipality": "418",
        "participants": ["418", "536"],
        "cost_split": {"method": "hybrid", "equal_percent": "30.00"},
        "budget_eur": "1000.00",
        "external_funding_rate_percent": "85.00",
    }
    created = api.post("coordinator", f"{V1}/pilots", json=body)
    assert created.status_code == 201, created.get_json()
    got = created.get_json()
    assert got["cost_split"] == {"method": "hybrid", "equal_percent": "30.00"}
    assert got["external_funding_rate_percent"] == "85.00"
    missing = {**body, "name": "Toinen", "cost_split": {"method": "hybrid"}}
    assert (
        "cost_split.equal_percent"
        in assert_problem(api.post("coordinator", f"{V1}/pilots", json=missing), 422)["errors"]
    )


def _post(client: FlaskClient, path: str, data: dict[str, Any]) -> Any:
    return client.post(path, data={**data, "csrf_token": csrf_token(client, "/pilots")})


def test_pilot_page_shows_costs_to_readers_and_not_to_vendors(
    app: Flask, client: FlaskClient, actors: Actors
) -> None:
    with app.app_context():
        pilot = _pilot(actors)
        record_cost(pilot, CostData(date(2026, 1, 1), 1_000, reference="INV-77"))
    login_as(client, actors.council)
    page = client.get(f"/pilots/{pilot.id}").get_data(as_text=True)
    assert 'id="actual-costs"' in page and "INV-77" in page
    login_as(client, actors.vendor_user)
    page = client.get(f"/pilots/{pilot.id}").get_data(as_text=True)
    assert 'id="actual-costs"' not in page and "INV-77" not in page
    assert client.get(f"/pilots/{pilot.id}/costs/new").status_code == 404


def test_coordinator_records_and_deletes_an_entry_on_the_web(
    app: Flask, client: FlaskClient, actors: Actors
) -> None:
    with app.app_context():
        pilot = _pilot(actors)
    login_as(client, actors.coordinator)
    form = {"entry_date": "2026-02-01", "amount": "1 000,00", "kind": "own_work", "reference": "T1"}
    response = _post(client, f"/pilots/{pilot.id}/costs/new", form)
    assert response.status_code == 302
    with app.app_context():
        entry = db.session.scalars(sa.select(CostEntry)).one()
        assert (entry.amount_cents, entry.funded_cents) == (100_000, 50_000)
        entry_id = entry.id
    refused = _post(client, f"/pilots/{pilot.id}/costs/new", {**form, "amount": "-2000"})
    assert refused.status_code == 422
    assert "negatiivisia" in refused.get_data(as_text=True)
    assert _post(client, f"/costs/{entry_id}/delete", {}).status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(CostEntry)) == 0


def test_billing_page_and_downloads(app: Flask, client: FlaskClient, actors: Actors) -> None:
    with app.app_context():
        pilot = _pilot(actors)
        record_cost(pilot, CostData(date(2026, 3, 1), 10_001, reference="=HYPERLINK()"))
    login_as(client, actors.council_tied)
    page = client.get("/municipalities/418/billing?start=2026-01-01&end=2026-03-31")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "=HYPERLINK()" in text
    csv_bytes = client.get("/municipalities/418/billing.csv?start=2026-01-01&end=2026-03-31").data
    assert csv_bytes.startswith("\ufeff".encode())
    lines = csv_bytes.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("pilot_id;pilot;cost_id;date")
    # 100.01 €, funded 50.01 (half-up), 50.00 € split equally: 25,00 each; formula neutralised.
    assert lines[1].endswith(";100,01;50,01;25,00")
    assert ";'=HYPERLINK()" in lines[1]
    xlsx = client.get("/municipalities/418/billing.xlsx?start=2026-01-01&end=2026-03-31")
    assert xlsx.data[:2] == b"PK"
    login_as(client, actors.vendor_user)
    assert client.get("/municipalities/418/billing").status_code == 403
