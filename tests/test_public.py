"""/public: the open-data view of public pilots, for anyone, with only the public fields."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from flask import Flask
from flask.testing import FlaskClient

from pilot_tracker.domain.enums import Direction, Gate, Outcome, Rag, Stage, Theme
from pilot_tracker.public import routes as public_routes
from pilot_tracker.services.decisions import record_decision
from pilot_tracker.services.reporting import add_kpi, add_measurement, add_status_update
from tests.conftest import Actors, login_as
from tests.factories import make_pilot, make_user

YESTERDAY = date.today() - timedelta(days=1)


def public_and_private(actors: Actors) -> None:
    coordinator = make_user("coordinator", email="hidden-coordinator@example.com")
    pilot = make_pilot(
        ("418", "536"),
        vendor=actors.vendor_a,
        name="Avoin tilavaraus",
        summary="Kuntien tilat verkossa.",
        budget_cents=12_000_000,
        funding_cents=3_000_000,
        estimated_annual_savings_cents=7_777_700,
        coordinator_id=coordinator.id,
        stage=Stage.PILOTING,
        is_public=True,
    )
    kpi = add_kpi(pilot, "Hidden KPI name", "kpl", Decimal(0), Decimal(10), Direction.INCREASE)
    add_measurement(kpi, YESTERDAY, Decimal(4), "hidden measurement note")
    add_status_update(pilot, Rag.RED, 20, "hidden status text", YESTERDAY)
    record_decision(pilot, Gate.MIDPOINT, Outcome.CONTINUE, YESTERDAY, "hidden body", "hidden why")
    make_pilot(("091",), name="Salainen kokeilu", is_public=False)


def main_of(html: str) -> str:
    return html.split('<main id="main"', 1)[1].split("</main>", 1)[0]


def test_anyone_sees_public_pilots_without_signing_in(
    app: Flask, client: FlaskClient, actors: Actors
) -> None:
    with app.app_context():
        public_and_private(actors)
    response = client.get("/public")
    assert response.status_code == 200
    html = main_of(response.get_data(as_text=True))
    assert "Avoin tilavaraus" in html
    assert "Salainen kokeilu" not in html


def test_only_the_public_fields_are_shown(app: Flask, client: FlaskClient, actors: Actors) -> None:
    with app.app_context():
        public_and_private(actors)
    client.set_cookie("lang", "en")
    html = main_of(client.get("/public").get_data(as_text=True))
    for shown in (
        "Kuntien tilat verkossa.",  # summary
        "Booking of municipal facilities",  # theme
        "Quick",  # track
        "Piloting",  # stage
        "Lempäälä",
        "Nokia",  # municipalities
        "Vendor A Oy",  # vendor name
        "€120,000.00",  # budget
        "€90,000.00",  # net cost
        "Continue",  # the decision's outcome
    ):
        assert shown in html, shown
    for hidden in (
        "0201256-6",  # vendor's business ID
        "hidden-coordinator@example.com",
        "77,777.00",  # estimated savings
        "€30,000.00",  # external funding
        "Hidden KPI name",
        "hidden measurement note",
        "hidden status text",
        "Red",
        "hidden body",
        "hidden why",
    ):
        assert hidden not in html, hidden


def test_the_page_names_the_cc_by_licence(client: FlaskClient) -> None:
    html = main_of(client.get("/public").get_data(as_text=True))
    assert "CC BY 4.0" in html
    assert 'href="https://creativecommons.org/licenses/by/4.0/" rel="license"' in html


def test_signed_in_users_see_the_same_public_list(
    app: Flask, client: FlaskClient, actors: Actors
) -> None:
    with app.app_context():
        public_and_private(actors)
    login_as(client, actors.admin)
    html = main_of(client.get("/public").get_data(as_text=True))
    assert "Avoin tilavaraus" in html and "Salainen kokeilu" not in html


def test_public_pilots_are_paginated(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(public_routes, "PER_PAGE", 2)
    with app.app_context():
        for n in range(3):
            make_pilot(("418",), name=f"Julkinen {n}", theme=Theme.PERMITS, is_public=True)
    first = main_of(client.get("/public?theme=permits").get_data(as_text=True))
    second = main_of(client.get("/public?theme=permits&page=2").get_data(as_text=True))
    assert first.count("<article") == 2 and second.count("<article") == 1
    assert "Julkinen 0" in first and "Julkinen 2" in second
    assert 'href="/public?theme=permits&amp;page=2"' in first


def test_public_filters_narrow_the_list_and_keep_to_public_pilots(
    app: Flask, client: FlaskClient
) -> None:
    with app.app_context():
        make_pilot(("418",), name="Lupa Lempäälässä", theme=Theme.PERMITS, is_public=True)
        make_pilot(("091",), name="Lupa Helsingissä", theme=Theme.PERMITS, is_public=True)
        make_pilot(("091",), name="Tila Helsingissä", is_public=True)
        make_pilot(("091",), name="Lupa salassa", theme=Theme.PERMITS, is_public=False)
    html = main_of(client.get("/public?theme=permits&municipality=091").get_data(as_text=True))
    assert "Lupa Helsingissä" in html
    for absent in ("Lupa Lempäälässä", "Tila Helsingissä", "Lupa salassa"):
        assert absent not in html
    html = main_of(client.get("/public?q=lempä&theme=nonsense").get_data(as_text=True))
    assert "Lupa Lempäälässä" in html and "Helsingissä" not in html
