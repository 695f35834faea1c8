"""Open data over the API: public pilots only, only API.md's fields, CC BY 4.0; OpenAPI."""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask

from pilot_tracker.domain.enums import Gate, Outcome, Stage
from pilot_tracker.services.decisions import record_decision
from tests.api_helpers import ApiCaller
from tests.conftest import Actors
from tests.factories import make_pilot

PUBLIC = "/api/v1/public/pilots"
FIELDS = {
    "name",
    "summary",
    "theme",
    "track",
    "stage",
    "municipalities",
    "vendor_name",
    "budget_eur",
    "net_cost_eur",
    "decision_outcomes",
}


@pytest.fixture
def api(app: Flask, actors: Actors) -> ApiCaller:
    return ApiCaller(app, actors)


@pytest.fixture
def pilots(app: Flask, actors: Actors) -> None:
    with app.app_context():
        shown = make_pilot(
            vendor=actors.vendor_a, name="Avoin", is_public=True, stage=Stage.PLANNING
        )
        record_decision(shown, Gate.START, Outcome.CONTINUE, date(2026, 1, 1), "hallitus", "A")
        record_decision(shown, Gate.START, Outcome.GO, date(2026, 2, 1), "hallitus", "B")
        make_pilot(vendor=actors.vendor_a, name="Salainen", is_public=False)


def test_anyone_sees_only_public_pilots_with_only_the_open_fields(
    api: ApiCaller, pilots: None
) -> None:
    response = api.get(None, PUBLIC)

    assert response.status_code == 200
    body = response.get_json()
    assert body["total"] == 1
    (item,) = body["items"]
    assert set(item) == FIELDS
    assert item["name"] == "Avoin" and item["vendor_name"] == "Vendor A Oy"
    assert item["budget_eur"] == "120000.00" and item["net_cost_eur"] == "90000.00"
    assert item["decision_outcomes"] == ["go", "continue"]
    assert item["stage"] == "piloting"
    assert item["municipalities"][0] == {"code": "418", "name": "Lempäälä"}


def test_open_data_names_its_licence(api: ApiCaller, pilots: None) -> None:
    response = api.get(None, PUBLIC)

    assert response.get_json()["license"] == {
        "name": "CC BY 4.0",
        "url": "https://creativecommons.org/licenses/by/4.0/",
    }
    assert "CC BY 4.0" in response.get_json()["attribution"]
    assert (
        response.headers["Link"] == '<https://creativecommons.org/licenses/by/4.0/>; rel="license"'
    )


def test_public_list_pages(api: ApiCaller, pilots: None) -> None:
    body = api.get(None, f"{PUBLIC}?page=2&per_page=1").get_json()

    assert (body["items"], body["page"], body["total"]) == ([], 2, 1)
    assert api.get(None, f"{PUBLIC}?per_page=0").status_code == 422


def test_openapi_document_describes_every_endpoint_of_api_md(api: ApiCaller) -> None:
    response = api.get(None, "/api/v1/openapi.json")

    assert response.status_code == 200
    document = response.get_json()
    assert document["openapi"].startswith("3.")
    operations = {
        (method.upper(), path)
        for path, item in document["paths"].items()
        for method in item
        if method in ("get", "post", "patch", "delete")
    }
    assert operations >= {
        ("GET", "/api/v1/municipalities"),
        ("GET", "/api/v1/vendors"),
        ("POST", "/api/v1/vendors"),
        ("GET", "/api/v1/pilots"),
        ("POST", "/api/v1/pilots"),
        ("GET", "/api/v1/pilots/{pilot_id}"),
        ("PATCH", "/api/v1/pilots/{pilot_id}"),
        ("DELETE", "/api/v1/pilots/{pilot_id}"),
        ("POST", "/api/v1/pilots/{pilot_id}/status-updates"),
        ("GET", "/api/v1/pilots/{pilot_id}/status-updates"),
        ("POST", "/api/v1/pilots/{pilot_id}/kpis"),
        ("GET", "/api/v1/pilots/{pilot_id}/kpis"),
        ("POST", "/api/v1/kpis/{kpi_id}/measurements"),
        ("POST", "/api/v1/pilots/{pilot_id}/decisions"),
        ("GET", "/api/v1/pilots/{pilot_id}/decisions"),
        ("GET", "/api/v1/portfolio/summary"),
        ("GET", "/api/v1/public/pilots"),
        ("GET", "/api/v1/openapi.json"),
    }
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    problem = document["components"]["responses"]["UNPROCESSABLE_ENTITY"]["content"]
    assert "application/problem+json" in problem


def test_openapi_request_schema_is_the_validating_one(api: ApiCaller) -> None:
    schemas = api.get(None, "/api/v1/openapi.json").get_json()["components"]["schemas"]

    create = schemas["PilotCreate"]
    assert set(create["required"]) == {"name", "theme", "lead_municipality", "participants"}
    assert create["properties"]["participants"]["items"]["pattern"] == "^[0-9]{3}$"
    assert "budget_eur" in create["properties"] and "version" in schemas["PilotPatch"]["properties"]
