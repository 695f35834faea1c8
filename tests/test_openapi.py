"""The OpenAPI document is one a generator can use: every operation named and tagged by the
rule of pilot_tracker/api/openapi.py, nullable objects typed, every header documented, and
the document valid OpenAPI 3 (openapi-spec-validator).

The checks walk the whole served document, so an endpoint added later is checked too.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from openapi_spec_validator import validate

from pilot_tracker import create_app
from pilot_tracker.api.openapi import (
    OPERATION_IDS,
    UNAVAILABLE_RETRY_SECONDS,
    operation_id,
    resource_tag,
)
from pilot_tracker.extensions import db
from tests.api_helpers import API_MD_PILOT, ApiCaller
from tests.conftest import Actors

V1 = "/api/v1"
METHODS = ("get", "post", "put", "patch", "delete")


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    response = app.test_client().get(f"{V1}/openapi.json")
    assert response.status_code == 200
    return response.get_json()  # type: ignore[no-any-return]


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]


def resolve(document: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        kind, name = node["$ref"].split("/")[-2:]
        node = document["components"][kind][name]
    return node


# ---------------------------------------------------------------- names and tags


def test_every_operation_has_a_unique_operation_id_and_one_documented_tag(
    document: dict[str, Any],
) -> None:
    ops = operations(document)
    ids = Counter(op.get("operationId") for _m, _p, op in ops)
    declared = {tag["name"] for tag in document["tags"]}

    assert len(ops) >= 20
    assert None not in ids
    assert [name for name, count in ids.items() if count > 1] == []
    for method, path, op in ops:
        assert op["operationId"][:1].islower() and op["operationId"].isalnum(), (method, path)
        assert len(op["tags"]) == 1 and op["tags"][0] in declared, (method, path)
    # Only resource tags are declared (no leftover blueprint names), each one used.
    assert declared == {op["tags"][0] for _m, _p, op in ops}


def test_the_contracts_operations_get_the_names_of_the_rule(document: dict[str, Any]) -> None:
    ops = operations(document)
    names = {(m.upper(), p): (op["operationId"], op["tags"][0]) for m, p, op in ops}

    assert {key: names[key] for key in EXPECTED if key in names} == EXPECTED
    assert set(EXPECTED) - set(names) == set()


EXPECTED = {
    ("GET", f"{V1}/municipalities"): ("listMunicipalities", "municipalities"),
    ("GET", f"{V1}/vendors"): ("listVendors", "vendors"),
    ("POST", f"{V1}/vendors"): ("createVendor", "vendors"),
    ("GET", f"{V1}/pilots"): ("listPilots", "pilots"),
    ("POST", f"{V1}/pilots"): ("createPilot", "pilots"),
    ("GET", f"{V1}/pilots/{{pilot_id}}"): ("getPilot", "pilots"),
    ("PATCH", f"{V1}/pilots/{{pilot_id}}"): ("updatePilot", "pilots"),
    ("DELETE", f"{V1}/pilots/{{pilot_id}}"): ("deletePilot", "pilots"),
    ("POST", f"{V1}/pilots/{{pilot_id}}/status-updates"): ("createStatusUpdate", "status-updates"),
    ("GET", f"{V1}/pilots/{{pilot_id}}/status-updates"): ("listStatusUpdates", "status-updates"),
    ("POST", f"{V1}/pilots/{{pilot_id}}/kpis"): ("createKpi", "kpis"),
    ("GET", f"{V1}/pilots/{{pilot_id}}/kpis"): ("listKpis", "kpis"),
    ("POST", f"{V1}/kpis/{{kpi_id}}/measurements"): ("createMeasurement", "measurements"),
    ("POST", f"{V1}/pilots/{{pilot_id}}/decisions"): ("createDecision", "decisions"),
    ("GET", f"{V1}/pilots/{{pilot_id}}/decisions"): ("listDecisions", "decisions"),
    ("GET", f"{V1}/portfolio/summary"): ("getPortfolioSummary", "portfolio"),
    ("GET", f"{V1}/public/pilots"): ("listPublicPilots", "public"),
    ("GET", f"{V1}/pilots/{{pilot_id}}/similar"): ("listSimilarPilots", "pilots"),
    ("GET", f"{V1}/pilots/{{pilot_id}}/projection"): ("getPilotProjection", "pilots"),
    ("GET", f"{V1}/openapi.json"): ("getOpenApiDocument", "openapi"),
}


@pytest.mark.parametrize(
    ("method", "path", "name", "tag"),
    [
        # Endpoints of API.md's "joint life" section get their names from the rule alone.
        ("POST", "/pilots/{pilot_id}/costs", "createCost", "costs"),
        ("GET", "/pilots/{pilot_id}/costs", "listCosts", "costs"),
        ("PATCH", "/costs/{cost_id}", "updateCost", "costs"),
        ("DELETE", "/costs/{cost_id}", "deleteCost", "costs"),
        ("PUT", "/costs/{cost_id}", "replaceCost", "costs"),
        ("GET", "/municipalities/{code}/billing", "getMunicipalityBilling", "municipalities"),
        ("GET", "/municipalities/{code}/summary", "getMunicipalitySummary", "municipalities"),
        (
            "POST",
            "/pilots/{pilot_id}/municipal-decisions",
            "createMunicipalDecision",
            "municipal-decisions",
        ),
        ("GET", "/pilots/{pilot_id}/follow-up-items", "listFollowUpItems", "follow-up-items"),
        ("PATCH", "/follow-up-items/{item_id}", "updateFollowUpItem", "follow-up-items"),
        ("GET", "/due", "listDueItems", "due"),
        ("GET", "/municipalities/{code}", "getMunicipality", "municipalities"),
        ("GET", "/categories", "listCategories", "categories"),
        ("POST", "/pilots/{pilot_id}/archive", "createPilotArchive", "pilots"),
    ],
)
def test_the_rule_names_endpoints_it_has_never_seen(
    method: str, path: str, name: str, tag: str
) -> None:
    assert (operation_id(method, V1 + path), resource_tag(method, V1 + path)) == (name, tag)


def test_the_rule_refuses_a_path_without_a_resource() -> None:
    with pytest.raises(ValueError, match="no resource"):
        operation_id("GET", f"{V1}/{{pilot_id}}")


def test_overrides_are_few_and_named_in_the_rules_style() -> None:
    assert len(OPERATION_IDS) <= 5
    assert all(name[:1].islower() and name.isalnum() for name in OPERATION_IDS.values())


# ---------------------------------------------------------------- types


def test_latest_status_is_a_status_update_or_null(document: dict[str, Any]) -> None:
    latest = document["components"]["schemas"]["Pilot"]["properties"]["latest_status"]

    assert latest == {
        "anyOf": [
            {"$ref": "#/components/schemas/StatusUpdate"},
            {"type": "object", "nullable": True, "enum": [None]},
        ]
    }
    assert "latest_status" in document["components"]["schemas"]["Pilot"]["required"]


def _walk(node: Any) -> Any:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def test_no_schema_anywhere_is_an_untyped_nullable_object(document: dict[str, Any]) -> None:
    # apispec's default for a nullable nested schema admits any object: none is left.
    loose = [
        node
        for node in _walk(document["components"]["schemas"])
        if node.get("type") == "object" and node.get("nullable") and node.get("enum") != [None]
    ]
    assert loose == []


# ---------------------------------------------------------------- headers


def _header_parameters(document: dict[str, Any], op: dict[str, Any]) -> dict[str, Any]:
    found = [resolve(document, p) for p in op.get("parameters", [])]
    return {p["name"]: p for p in found if p["in"] == "header"}


def _response(document: dict[str, Any], op: dict[str, Any], code: str) -> dict[str, Any]:
    return resolve(document, op["responses"][code])


def test_every_post_with_a_token_documents_idempotency_key_and_replayed(
    document: dict[str, Any],
) -> None:
    posts = [(p, op) for m, p, op in operations(document) if m == "post"]

    assert len(posts) >= 6
    for path, op in posts:
        key = _header_parameters(document, op)["Idempotency-Key"]
        assert key["required"] is False and key["schema"]["maxLength"] == 200, path
        success = [c for c in op["responses"] if c.startswith("2")]
        assert success, path
        for code in success:
            headers = _response(document, op, code)["headers"]
            assert headers["Idempotent-Replayed"]["schema"]["enum"] == ["true"], path


def test_pilot_responses_document_etag_location_and_patch_if_match(
    document: dict[str, Any],
) -> None:
    pilots = document["paths"][f"{V1}/pilots"]
    pilot = document["paths"][f"{V1}/pilots/{{pilot_id}}"]

    created = _response(document, pilots["post"], "201")["headers"]
    assert created["Location"]["required"] and created["ETag"]["required"]
    for method in ("get", "patch"):
        etag = _response(document, pilot[method], "200")["headers"]["ETag"]
        assert etag["required"] and etag["schema"]["pattern"] == '^"[0-9]+"$'
    if_match = _header_parameters(document, pilot["patch"])["If-Match"]
    assert if_match["required"] is False and "version" in if_match["description"]
    assert "If-Match" not in _header_parameters(document, pilot["get"])


def test_every_operation_documents_503_with_retry_after_and_401_its_challenge(
    document: dict[str, Any],
) -> None:
    for method, path, op in operations(document):
        unavailable = _response(document, op, "503")
        assert unavailable["headers"]["Retry-After"]["schema"]["type"] == "integer", path
        if "401" in op["responses"]:
            assert "WWW-Authenticate" in _response(document, op, "401")["headers"], path
        if op.get("security") != []:
            assert "401" in op["responses"], (method, path)


def test_the_document_is_valid_openapi(document: dict[str, Any]) -> None:
    validate(document)


# ---------------------------------------------------------------- what the headers promise


def test_an_api_503_says_when_to_retry(tmp_path: Path) -> None:
    # The database file's folder does not exist: every query fails, as in an outage.
    url = f"sqlite:///{tmp_path / 'missing' / 'db.sqlite'}"
    app: Flask = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url})
    try:
        response = app.test_client().get(
            f"{V1}/pilots", headers={"Authorization": "Bearer kokeilu_whatever"}
        )
        assert response.status_code == 503
        assert response.mimetype == "application/problem+json"
        assert response.headers["Retry-After"] == str(UNAVAILABLE_RETRY_SECONDS)
    finally:
        with app.app_context():
            db.engine.dispose()


def test_a_replayed_create_carries_the_location_and_etag_it_documents(
    app: Flask, actors: Actors
) -> None:
    api = ApiCaller(app, actors)
    body = {**API_MD_PILOT, "vendor_id": actors.vendor_a.id}
    key = {"Idempotency-Key": "openapi-replay-1"}

    first = api.post("coordinator", f"{V1}/pilots", json=body, headers=key)
    again = api.post("coordinator", f"{V1}/pilots", json=body, headers=key)

    assert (first.status_code, again.status_code) == (201, 201)
    assert "Idempotent-Replayed" not in first.headers
    assert again.headers["Idempotent-Replayed"] == "true"
    for name in ("Location", "ETag"):
        assert again.headers[name] == first.headers[name] != ""
    assert first.headers["ETag"] == f'"{first.get_json()["version"]}"'
