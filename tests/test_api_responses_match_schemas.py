"""Every answer validates against the schema its operation documents: the output schemas
dump the models, and the OpenAPI document is generated from the same schemas."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from jsonschema.exceptions import ValidationError
from openapi_schema_validator import OAS30Validator

from pilot_tracker.domain.enums import SplitMethod
from pilot_tracker.extensions import db
from tests.api_helpers import ApiCaller
from tests.conftest import Actors
from tests.factories import make_pilot

V1 = "/api/v1"


@pytest.fixture
def api(app: Flask, actors: Actors) -> ApiCaller:
    return ApiCaller(app, actors)


def documented_schema(document: dict[str, Any], rule: str, method: str, status: int) -> Any:
    operation = document["paths"][rule][method]
    response = operation["responses"][str(status)]
    return response["content"]["application/json"]["schema"]


def assert_matches(document: dict[str, Any], body: Any, schema: dict[str, Any]) -> None:
    """Valid against the schema, and no property the schema does not name."""
    OAS30Validator({**schema, "components": document["components"]}).validate(body)
    _no_undocumented(document, body, schema)


def _no_undocumented(document: dict[str, Any], body: Any, schema: dict[str, Any]) -> None:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].split("/")[-1]]
    if "allOf" in schema:  # a nullable nested object: `allOf: [$ref]`
        for part in schema["allOf"]:
            _no_undocumented(document, body, part)
        return
    if isinstance(body, dict) and "properties" in schema:
        assert set(body) <= set(schema["properties"]), set(body) - set(schema["properties"])
        for key, value in body.items():
            _no_undocumented(document, value, schema["properties"][key])
    elif isinstance(body, list) and "items" in schema:
        for item in body:
            _no_undocumented(document, item, schema["items"])


def test_the_answers_validate_against_their_documented_schemas(
    app: Flask, api: ApiCaller, actors: Actors
) -> None:
    with app.app_context():
        manual = make_pilot(
            ("418", "536"),
            method=SplitMethod.MANUAL,
            manual={"418": 60, "536": 40},
            vendor=actors.vendor_a,
        )
        hybrid = make_pilot(method=SplitMethod.HYBRID, equal_percent=30)
        manual_id, hybrid_id = manual.id, hybrid.id
        db.session.commit()
    document = api.get(None, f"{V1}/openapi.json").get_json()
    coordinator = "coordinator"
    p = f"{V1}/pilots/{manual_id}"

    kpi = api.post(
        coordinator,
        f"{p}/kpis",
        json={"name": "Varaukset", "baseline": "10.50", "target": 20, "direction": "increase"},
    )
    measurement = api.post(
        coordinator,
        f"{V1}/kpis/{kpi.get_json()['id']}/measurements",
        json={"date": "2026-01-31", "value": "15.2500", "note": "tammikuu"},
    )
    status = api.post(
        coordinator,
        f"{p}/status-updates",
        json={"rag": "amber", "progress_percent": 30, "text": "Viivästyy", "date": "2026-01-31"},
    )
    cost = api.post(
        coordinator,
        f"{p}/costs",
        json={"date": "2026-01-15", "amount_eur": "1000.00", "kind": "vendor_invoice"},
    )
    corrected = api.patch(
        coordinator, f"{V1}/costs/{cost.get_json()['id']}", json={"amount_eur": "800.00"}
    )
    created = api.post(
        coordinator,
        f"{V1}/pilots",
        json={
            "name": "Uusi",
            "theme": "facility_booking",
            "lead_municipality": "418",
            "participants": ["418", "980"],
            "budget_eur": "90000000.00",
        },
    )
    answers = [
        ("/api/v1/pilots/{pilot_id}/kpis", "post", kpi),
        ("/api/v1/kpis/{kpi_id}/measurements", "post", measurement),
        ("/api/v1/pilots/{pilot_id}/status-updates", "post", status),
        ("/api/v1/pilots/{pilot_id}/costs", "post", cost),
        ("/api/v1/costs/{cost_id}", "patch", corrected),
        ("/api/v1/pilots", "post", created),
        ("/api/v1/pilots/{pilot_id}", "get", api.get(coordinator, p)),
        ("/api/v1/pilots/{pilot_id}", "get", api.get("vendor_user", p)),
        ("/api/v1/pilots/{pilot_id}", "get", api.get(coordinator, f"{V1}/pilots/{hybrid_id}")),
        ("/api/v1/pilots", "get", api.get(coordinator, f"{V1}/pilots")),
        ("/api/v1/pilots/{pilot_id}/kpis", "get", api.get(coordinator, f"{p}/kpis")),
        (
            "/api/v1/pilots/{pilot_id}/status-updates",
            "get",
            api.get(coordinator, f"{p}/status-updates"),
        ),
        ("/api/v1/pilots/{pilot_id}/costs", "get", api.get(coordinator, f"{p}/costs")),
        ("/api/v1/pilots/{pilot_id}/decisions", "get", api.get(coordinator, f"{p}/decisions")),
        (
            "/api/v1/municipalities/{code}/billing",
            "get",
            api.get(coordinator, f"{V1}/municipalities/418/billing?from=2026-01-01&to=2026-12-31"),
        ),
        ("/api/v1/municipalities", "get", api.get(coordinator, f"{V1}/municipalities")),
        ("/api/v1/vendors", "get", api.get(coordinator, f"{V1}/vendors")),
        ("/api/v1/public/pilots", "get", api.get(None, f"{V1}/public/pilots")),
    ]
    for rule, method, response in answers:
        assert response.status_code in (200, 201), (rule, method, response.get_json())
        schema = documented_schema(document, rule, method, response.status_code)
        assert_matches(document, response.get_json(), schema)
    # What the checks saw: the answers hold the values the requests sent.
    assert kpi.get_json()["baseline"] == "10.5"
    assert measurement.get_json()["value"] == "15.25"
    assert corrected.get_json()["amount_eur"] == "800.00"
    assert created.get_json()["warnings"]
    billing = api.get(coordinator, f"{V1}/municipalities/418/billing?from=2026-01-01&to=2026-12-31")
    share = {s["code"]: s["share_eur"] for s in corrected.get_json()["shares"]}["418"]
    assert billing.get_json()["total_eur"] == share == "360.00"  # 60 % of the unfunded 75 %


def test_an_undocumented_property_is_caught(app: Flask, api: ApiCaller) -> None:
    document = api.get(None, f"{V1}/openapi.json").get_json()
    schema = documented_schema(document, "/api/v1/vendors", "get", 200)
    body = {"items": [], "page": 1, "per_page": 50, "total": 0}
    assert_matches(document, body, schema)

    with pytest.raises((AssertionError, ValidationError)):
        assert_matches(document, {**body, "extra": 1}, schema)
    with pytest.raises(ValidationError, match="required"):
        assert_matches(document, {"items": []}, schema)
