"""A joint pilot's whole life, decided by each municipality for itself: three start it, at the
scale-up one says no and leaves and two newcomers join. The API, the pilot page, the five
municipalities' pages and the decision proposals agree to the cent (both databases)."""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from pypdf import PdfReader

from pilot_tracker.domain.cost_split import split_cost
from pilot_tracker.domain.enums import SplitMethod
from pilot_tracker.language.formats import money
from tests.api_helpers import API_MD_PILOT, ApiCaller
from tests.conftest import Actors, login_as

POPULATIONS = {"418": 24_580, "536": 35_346, "980": 33_607, "091": 664_028, "049": 305_274}


@pytest.fixture
def api(app: Flask, actors: Actors) -> ApiCaller:
    return ApiCaller(app, actors)


def _municipal(api: ApiCaller, pilot_id: int, code: str, gate: str, outcome: str, on: date) -> Any:
    response = api.post(
        "coordinator",
        f"/api/v1/pilots/{pilot_id}/municipal-decisions",
        json={"municipality": code, "gate": gate, "outcome": outcome, "body": "council",
              "date": on.isoformat(), "section": "§ 1"},
    )  # fmt: skip
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _steering(api: ApiCaller, pilot_id: int, gate: str, on: date) -> None:
    response = api.post(
        "coordinator",
        f"/api/v1/pilots/{pilot_id}/decisions",
        json={"gate": gate, "outcome": "go", "date": on.isoformat(),
              "decided_by": "ohjausryhmä", "rationale": "Kyllä."},
    )  # fmt: skip
    assert response.status_code == 201, response.get_json()


def test_three_start_one_leaves_two_join_and_every_view_agrees(
    app: Flask, actors: Actors, api: ApiCaller, client
) -> None:  # type: ignore[no-untyped-def]
    from pilot_tracker.extensions import db
    from pilot_tracker.models import Municipality

    with app.app_context():
        populations = {
            m.code: m.population
            for m in db.session.query(Municipality).filter(Municipality.code.in_(POPULATIONS))
        }
    today = date.today()
    start = today - timedelta(days=200)
    body = {**API_MD_PILOT, "vendor_id": actors.vendor_a.id, "stage": "planning"}
    created = api.post("coordinator", "/api/v1/pilots", json=body)
    assert created.status_code == 201, created.get_json()
    pilot_id = created.get_json()["id"]
    for code in ("418", "536", "980"):
        _municipal(api, pilot_id, code, "start", "go", start)
    _steering(api, pilot_id, "start", start + timedelta(days=1))
    version = api.get("coordinator", f"/api/v1/pilots/{pilot_id}").get_json()["version"]
    moved = api.patch(
        "coordinator",
        f"/api/v1/pilots/{pilot_id}",
        json={"stage": "evaluation", "version": version},
    )
    assert moved.status_code == 200, moved.get_json()
    _municipal(api, pilot_id, "980", "scale_up", "no_go", today - timedelta(days=2))
    _municipal(api, pilot_id, "091", "scale_up", "go", today - timedelta(days=1))
    last = _municipal(api, pilot_id, "049", "scale_up", "go", today)
    _steering(api, pilot_id, "scale_up", today)

    current = ["049", "091", "418", "536"]
    expected = split_cost(SplitMethod.PER_CAPITA, 9_000_000, {c: populations[c] for c in current})
    assert sum(expected.values()) == 9_000_000
    pilot = api.get("council", f"/api/v1/pilots/{pilot_id}").get_json()
    assert pilot["stage"] == "scaling"
    by_code = {p["code"]: p for p in pilot["participants"]}
    assert by_code["980"]["left_on"] == (today - timedelta(days=2)).isoformat()
    assert by_code["980"]["share_eur"] == "0.00"
    assert by_code["091"]["joined_on"] == (today - timedelta(days=1)).isoformat()
    for code in current:
        assert by_code[code]["share_eur"] == f"{expected[code] / 100:.2f}"
    assert {p["code"] for p in last["pilot"]["participants"]} == set(POPULATIONS)

    login_as(client, actors.coordinator)
    client.set_cookie("lang", "fi")
    page = client.get(f"/pilots/{pilot_id}").get_data(as_text=True)
    for code in current:
        assert money(expected[code], "fi") in page
    for code in current:
        html = client.get(f"/municipalities/{code}").get_data(as_text=True)
        assert money(expected[code], "fi") in html, code
    assert client.get("/municipalities/980").status_code == 200

    # The API's summary of each of the five: what it has committed to, to the cent; the one
    # that left has no planned share any more.
    for code in current:
        summary = api.get("council", f"/api/v1/municipalities/{code}/summary").get_json()
        assert summary["committed_eur"] == f"{expected[code] / 100:.2f}", code
    left = api.get("council", "/api/v1/municipalities/980/summary").get_json()
    assert left["committed_eur"] == "0.00"
    assert pilot["name"] in client.get("/municipalities/980").get_data(as_text=True)

    # A proposal for each current participant at the scale-up gate (now scaling: its gate),
    # with its share to the cent; none for the municipality that left.
    for code in current:
        pdf = client.get(f"/pilots/{pilot_id}/proposal/{code}.pdf")
        assert pdf.status_code == 200, code
        text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
        share = money(expected[code], "fi").replace("\xa0", " ")
        assert share in text.replace("\xa0", " "), code
    assert client.get(f"/pilots/{pilot_id}/proposal/980.pdf").status_code == 404
