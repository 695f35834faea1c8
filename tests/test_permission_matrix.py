"""Every route of the app × every actor → the expected status (see tests/matrix)."""

from __future__ import annotations

import importlib
import pkgutil
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

import tests.matrix as matrix_pkg
from pilot_tracker.domain.enums import Direction, Gate, Outcome, Rag, Stage
from pilot_tracker.extensions import db
from tests.conftest import Actors, login_as
from tests.factories import make_pilot
from tests.matrix import ACTORS, LOGIN, Row


def _all_rows() -> list[Row]:
    rows: list[Row] = []
    for module in pkgutil.iter_modules(matrix_pkg.__path__):
        if module.name.startswith("rows_"):
            rows.extend(importlib.import_module(f"tests.matrix.{module.name}").ROWS)
    return rows


ROWS = _all_rows()
IGNORED_METHODS = {"HEAD", "OPTIONS"}


def test_every_route_has_a_row(app: Flask) -> None:
    routes = {
        (rule.rule, method)
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static"
        for method in (rule.methods or set()) - IGNORED_METHODS
    }
    covered = {(row.rule, row.method) for row in ROWS}
    assert sorted(routes - covered) == [], "routes without a row in tests/matrix"
    assert sorted(covered - routes) == [], "rows for routes that do not exist"


class World:
    """Two pilots of two vendors, with a KPI, a measurement, a status and a decision each."""

    def __init__(self, actors: Actors) -> None:
        from pilot_tracker.services.costs import CostData, record_cost
        from pilot_tracker.services.decisions import record_decision
        from pilot_tracker.services.reporting import add_kpi, add_measurement, add_status_update

        self.actors = actors
        today = date.today()
        ids: dict[str, Any] = {"code": "418", "other_code": "091"}
        for key, vendor in (("a", actors.vendor_a), ("b", actors.vendor_b)):
            pilot = make_pilot(
                ("418", "536", "980"),
                vendor=vendor,
                name=f"Matrix pilot {key}",
                stage=Stage.PILOTING,
                is_public=True,
            )
            kpi = add_kpi(pilot, "Käyttäjät", "kpl", Decimal(0), Decimal(100), Direction.INCREASE)
            measurement = add_measurement(kpi, today - timedelta(days=1), Decimal(40))
            status = add_status_update(pilot, Rag.GREEN, 40, "Etenee.")
            decision = record_decision(
                pilot, Gate.MIDPOINT, Outcome.GO, today, "ohjausryhmä", "Jatketaan."
            )
            cost = record_cost(pilot, CostData(today - timedelta(days=1), 100_000, reference="M"))
            ids.update(
                {
                    f"cost_{key}": cost.id,
                    f"pilot_{key}": pilot.id,
                    f"kpi_{key}": kpi.id,
                    f"measurement_{key}": measurement.id,
                    f"status_{key}": status.id,
                    f"decision_{key}": decision.id,
                    f"vendor_{key}": vendor.id,
                }
            )
        ids.update(_follow_up_items(ids))
        ids.update(_gate_meetings(ids))
        ids["user_council"] = actors.council.id
        ids["token_a"] = 0
        self.ids = ids
        self.tokens: dict[str, str] = {}

    def path(self, row: Row) -> str:
        return row.path.format(**self.ids)

    def token(self, actor: str) -> str | None:
        """An API token of the actor (made once), if the app has tokens yet."""
        if actor == "anonymous":
            return None
        if actor not in self.tokens:
            from pilot_tracker.services import tokens

            user = self.actors.by_name(actor)
            self.tokens[actor] = tokens.create_token(user, name="matrix")[1]  # type: ignore[attr-defined]
        return self.tokens[actor]


def _follow_up_items(ids: dict[str, Any]) -> dict[str, int]:
    """A follow-up item owned by the vendor on each pilot: {item_a}, {item_b}."""
    from pilot_tracker.domain.follow_up import OwnerKind
    from pilot_tracker.services.follow_up import Owner, create_item
    from pilot_tracker.services.pilots import load_pilot_for_update

    items = {}
    for key in ("a", "b"):
        pilot = load_pilot_for_update(ids[f"pilot_{key}"])
        assert pilot is not None
        items[f"item_{key}"] = create_item(pilot, f"Item {key}", Owner(OwnerKind.VENDOR)).id
    return items


def _gate_meetings(ids: dict[str, Any]) -> dict[str, int]:
    """A planned steering-group meeting on each pilot: {meeting_a}, {meeting_b}."""
    from pilot_tracker.domain.enums import Gate
    from pilot_tracker.services.gate_meetings import MeetingData, plan_meeting
    from pilot_tracker.services.pilots import load_pilot_for_update

    meetings = {}
    for key in ("a", "b"):
        pilot = load_pilot_for_update(ids[f"pilot_{key}"])
        assert pilot is not None
        soon = date.today() + timedelta(days=30)
        meetings[f"meeting_{key}"] = plan_meeting(pilot, MeetingData(Gate.MIDPOINT, soon)).id
    return meetings


@pytest.fixture
def world(app: Flask, actors: Actors) -> World:
    with app.app_context():
        return World(actors)


def _call(client: FlaskClient, world: World, row: Row, actor: str) -> Any:
    headers = dict(row.headers)
    if row.bearer:
        login_as(client, None)
        token = world.token(actor)
        if token:
            headers["Authorization"] = f"Bearer {token}"
    else:
        login_as(client, world.actors.by_name(actor))
    kwargs: dict[str, Any] = {"headers": headers}
    if row.json is not None:
        kwargs["json"] = row.json
    elif row.form is not None:
        kwargs["data"] = row.form
    return client.open(world.path(row), method=row.method, **kwargs)


@pytest.mark.parametrize("row", ROWS, ids=lambda r: f"{r.method} {r.path}")
def test_route_outcome_for_every_actor(app: Flask, world: World, row: Row) -> None:
    app.config["WTF_CSRF_ENABLED"] = False  # CSRF has its own tests; this one is about access
    try:
        got = {}
        for actor in ACTORS:
            client = app.test_client()
            response = _call(client, world, row, actor)
            outcome: int | str = response.status_code
            location = response.headers.get("Location", "")
            if response.status_code in (301, 302, 303) and "/login" in location:
                outcome = LOGIN
            got[actor] = outcome
            db.session.rollback()
    finally:
        app.config["WTF_CSRF_ENABLED"] = True
    assert got == row.expect
