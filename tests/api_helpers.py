"""Calling the JSON API in tests: one bearer token per actor, made on first use."""

from __future__ import annotations

from typing import Any

from flask import Flask
from werkzeug.test import TestResponse

from pilot_tracker.services.tokens import create_token
from tests.conftest import Actors

# The example of ../shared/API.md, verbatim except `vendor_id` (set per test).
API_MD_PILOT: dict[str, Any] = {
    "name": "Sähköinen tilavaraus",
    "summary": "Kuntien tilojen varaus verkossa",
    "theme": "facility_booking",
    "track": "quick",
    "stage": "planning",
    "goals": ["cut_costs", "resident_satisfaction"],
    "lead_municipality": "418",
    "participants": ["418", "536", "980"],
    "cost_split": {"method": "per_capita"},
    "budget_eur": "120000.00",
    "external_funding_eur": "30000.00",
    "estimated_annual_savings_eur": "45000.00",
    "vendor_id": 3,
    "start_date": "2026-01-15",
    "end_date": "2026-12-31",
    "public": True,
}


class ApiCaller:
    """`api.get("coordinator", "/api/v1/pilots")`: requests as an actor with its token."""

    def __init__(self, app: Flask, actors: Actors) -> None:
        self.app = app
        self.actors = actors
        self.tokens: dict[str, str] = {}

    def token(self, actor: str) -> str:
        if actor not in self.tokens:
            with self.app.app_context():
                self.tokens[actor] = create_token(self.actors.by_name(actor), name="test")[1]
        return self.tokens[actor]

    def headers(self, actor: str | None, extra: dict[str, str] | None = None) -> dict[str, str]:
        headers = dict(extra or {})
        if actor is not None and actor != "anonymous":
            headers["Authorization"] = f"Bearer {self.token(actor)}"
        return headers

    def call(
        self, method: str, actor: str | None, path: str, *, headers: Any = None, **kwargs: Any
    ) -> TestResponse:
        client = self.app.test_client()
        return client.open(path, method=method, headers=self.headers(actor, headers), **kwargs)

    def get(self, actor: str | None, path: str, **kwargs: Any) -> TestResponse:
        return self.call("GET", actor, path, **kwargs)

    def post(self, actor: str | None, path: str, **kwargs: Any) -> TestResponse:
        return self.call("POST", actor, path, **kwargs)

    def patch(self, actor: str | None, path: str, **kwargs: Any) -> TestResponse:
        return self.call("PATCH", actor, path, **kwargs)

    def delete(self, actor: str | None, path: str, **kwargs: Any) -> TestResponse:
        return self.call("DELETE", actor, path, **kwargs)


def assert_problem(response: TestResponse, status: int) -> dict[str, Any]:
    """The response is problem+json with `status`; returns its body."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == status and body["title"] and body["detail"]
    return body
