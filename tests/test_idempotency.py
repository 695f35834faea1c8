"""Idempotency-Key: a retried POST returns the first result and writes nothing twice."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from pilot_tracker.domain.enums import Direction, Stage
from pilot_tracker.extensions import db
from pilot_tracker.models import Decision, Kpi, Measurement, Pilot, StatusUpdate
from pilot_tracker.services.reporting import add_kpi
from tests.api_helpers import API_MD_PILOT, ApiCaller
from tests.conftest import Actors
from tests.factories import make_pilot


@pytest.fixture
def api(app: Flask, actors: Actors) -> ApiCaller:
    return ApiCaller(app, actors)


@pytest.fixture
def pilot_ids(app: Flask, actors: Actors) -> dict[str, int]:
    with app.app_context():
        pilot = make_pilot(vendor=actors.vendor_a, stage=Stage.PILOTING)
        kpi = add_kpi(pilot, "Käyttäjät", "kpl", Decimal(0), Decimal(100), Direction.INCREASE)
        return {"pilot": pilot.id, "kpi": kpi.id}


def _count(app: Flask, model: type) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model)) or 0


def _posts(ids: dict[str, int], vendor_id: int) -> list[tuple[str, dict[str, Any], type]]:
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    return [
        (
            f"/api/v1/pilots/{ids['pilot']}/status-updates",
            {"rag": "amber", "progress_percent": 40, "text": "Viivästys"},
            StatusUpdate,
        ),
        (
            f"/api/v1/kpis/{ids['kpi']}/measurements",
            {"date": yesterday, "value": "12.5"},
            Measurement,
        ),
        (
            f"/api/v1/pilots/{ids['pilot']}/kpis",
            {
                "name": "Säästö",
                "unit": "€/v",
                "baseline": 0,
                "target": 1000,
                "direction": "increase",
            },
            Kpi,
        ),
        (
            f"/api/v1/pilots/{ids['pilot']}/decisions",
            {
                "gate": "midpoint",
                "outcome": "continue",
                "date": yesterday,
                "decided_by": "ohjausryhmä",
                "rationale": "Lisää dataa.",
            },
            Decision,
        ),
        ("/api/v1/pilots", {**API_MD_PILOT, "vendor_id": vendor_id}, Pilot),
    ]


@pytest.mark.parametrize("index", range(5))
def test_retry_with_the_same_key_returns_the_first_result_and_writes_once(
    app: Flask, api: ApiCaller, actors: Actors, pilot_ids: dict[str, int], index: int
) -> None:
    path, body, model = _posts(pilot_ids, actors.vendor_a.id)[index]
    before = _count(app, model)
    first = api.post("coordinator", path, json=body, headers={"Idempotency-Key": "retry-1"})
    second = api.post("coordinator", path, json=body, headers={"Idempotency-Key": "retry-1"})
    assert first.status_code == 201, first.get_json()
    assert (second.status_code, second.get_json()) == (201, first.get_json())
    assert second.headers.get("Idempotent-Replayed") == "true"
    assert second.headers.get("Location") == first.headers.get("Location")
    assert _count(app, model) == before + 1


def test_different_keys_write_twice(app: Flask, api: ApiCaller, pilot_ids: dict[str, int]) -> None:
    path = f"/api/v1/pilots/{pilot_ids['pilot']}/status-updates"
    body = {"rag": "green", "progress_percent": 10, "text": "Hyvin menee"}
    for key in ("a", "b"):
        assert (
            api.post("vendor_user", path, json=body, headers={"Idempotency-Key": key}).status_code
            == 201
        )
    assert _count(app, StatusUpdate) == 2


def test_same_key_for_a_different_request_is_refused(
    app: Flask, api: ApiCaller, pilot_ids: dict[str, int]
) -> None:
    path = f"/api/v1/pilots/{pilot_ids['pilot']}/status-updates"
    body = {"rag": "green", "progress_percent": 10, "text": "Ensimmäinen"}
    assert (
        api.post("coordinator", path, json=body, headers={"Idempotency-Key": "k"}).status_code
        == 201
    )
    other = api.post(
        "coordinator", path, json={**body, "text": "Toinen"}, headers={"Idempotency-Key": "k"}
    )
    assert other.status_code == 422
    assert other.mimetype == "application/problem+json"
    assert "Idempotency-Key" in other.get_json()["errors"]
    assert _count(app, StatusUpdate) == 1


def test_keys_belong_to_their_user(app: Flask, api: ApiCaller, pilot_ids: dict[str, int]) -> None:
    path = f"/api/v1/pilots/{pilot_ids['pilot']}/status-updates"
    body = {"rag": "green", "progress_percent": 10, "text": "Sama avain"}
    for actor in ("coordinator", "vendor_user"):
        response = api.post(actor, path, json=body, headers={"Idempotency-Key": "shared"})
        assert response.status_code == 201
        assert "Idempotent-Replayed" not in response.headers
    assert _count(app, StatusUpdate) == 2


def test_a_refused_request_is_not_remembered(
    app: Flask, api: ApiCaller, pilot_ids: dict[str, int]
) -> None:
    path = f"/api/v1/pilots/{pilot_ids['pilot']}/status-updates"
    bad = api.post(
        "coordinator",
        path,
        json={"rag": "purple", "progress_percent": 10, "text": "x"},
        headers={"Idempotency-Key": "fix-me"},
    )
    assert bad.status_code == 422
    fixed = api.post(
        "coordinator",
        path,
        json={"rag": "red", "progress_percent": 10, "text": "x"},
        headers={"Idempotency-Key": "fix-me"},
    )
    assert fixed.status_code == 201
    assert _count(app, StatusUpdate) == 1


@pytest.mark.parametrize("key", ["", " ", "x" * 201])
def test_unusable_keys_are_refused(
    app: Flask, api: ApiCaller, pilot_ids: dict[str, int], key: str
) -> None:
    path = f"/api/v1/pilots/{pilot_ids['pilot']}/status-updates"
    body = {"rag": "green", "progress_percent": 10, "text": "x"}
    response = api.post("coordinator", path, json=body, headers={"Idempotency-Key": key})
    assert response.status_code == 422
    assert _count(app, StatusUpdate) == 0
