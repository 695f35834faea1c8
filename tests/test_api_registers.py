"""Municipalities and vendors over the API."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import Flask

from pilot_tracker.extensions import db
from pilot_tracker.models import Vendor
from tests.api_helpers import ApiCaller, assert_problem
from tests.conftest import Actors


@pytest.fixture
def api(app: Flask, actors: Actors) -> ApiCaller:
    return ApiCaller(app, actors)


@pytest.mark.parametrize("actor", ["vendor_user", "council", "admin"])
def test_every_signed_in_user_lists_municipalities(api: ApiCaller, actor: str) -> None:
    body = api.get(actor, "/api/v1/municipalities?per_page=200&page=2").get_json()

    assert body["total"] == 308 and len(body["items"]) == 108
    assert set(body["items"][0]) == {
        "code",
        "name_fi",
        "name_sv",
        "region_code",
        "region_name",
        "population",
        "population_year",
    }


def test_municipalities_filter_by_region(api: ApiCaller) -> None:
    body = api.get("council", "/api/v1/municipalities?region=06&per_page=200").get_json()

    assert body["total"] == len(body["items"]) > 0
    assert {m["region_code"] for m in body["items"]} == {"06"}
    assert "418" in [m["code"] for m in body["items"]]


def test_municipality_list_refuses_a_bad_region(api: ApiCaller) -> None:
    errors = assert_problem(api.get("council", "/api/v1/municipalities?region=Pirkanmaa"), 422)

    assert list(errors["errors"]) == ["region"]


@pytest.mark.parametrize(
    ("actor", "status"),
    [("council", 200), ("coordinator", 200), ("vendor_user", 403), ("anonymous", 401)],
)
def test_who_lists_vendors(api: ApiCaller, actor: str, status: int) -> None:
    response = api.get(actor, "/api/v1/vendors")

    assert response.status_code == status
    if status == 200:
        assert [v["name"] for v in response.get_json()["items"]] == ["Vendor A Oy", "Vendor B Oy"]


def test_coordinator_registers_a_vendor(app: Flask, api: ApiCaller) -> None:
    body = {"name": "Kuntadigi Oy", "business_id": "0827616-7", "contact_email": "a@b.fi"}

    response = api.post("coordinator", "/api/v1/vendors", json=body)

    assert response.status_code == 201
    assert response.get_json()["business_id"] == "0827616-7"
    with app.app_context():
        vendor = db.session.scalars(sa.select(Vendor).filter_by(name="Kuntadigi Oy")).one()
        assert vendor.contact_email == "a@b.fi"


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"name": "X Oy", "business_id": "0827616-8"}, {"business_id"}),
        ({"name": "X Oy", "business_id": "0201256-6"}, {"business_id"}),  # Vendor A's
        ({"name": "", "business_id": "12"}, {"name"}),
        ({"business_id": "0827616-7", "contact_email": "not-mail"}, {"name"}),
        ({"name": "X Oy", "business_id": "0827616-7", "contact_email": "no"}, {"contact_email"}),
    ],
)
def test_vendor_errors_by_field(api: ApiCaller, body: dict, fields: set[str]) -> None:
    errors = assert_problem(api.post("admin", "/api/v1/vendors", json=body), 422)["errors"]

    assert set(errors) == fields


@pytest.mark.parametrize("actor", ["council", "vendor_user"])
def test_only_editors_register_vendors(api: ApiCaller, actor: str) -> None:
    body = {"name": "Kuntadigi Oy", "business_id": "0827616-7"}

    assert_problem(api.post(actor, "/api/v1/vendors", json=body), 403)
