"""Decision proposals (päätösesitys): the page and its PDF for one municipality at one gate."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from flask import Flask
from pypdf import PdfReader

from pilot_tracker.domain.enums import Direction, Gate, Outcome, SplitMethod, Stage
from pilot_tracker.domain.municipal_decisions import Body
from pilot_tracker.services.municipal_decisions import record_municipal_decision
from pilot_tracker.services.pilots import load_pilot_for_update
from pilot_tracker.services.reporting import add_kpi, add_measurement
from tests.conftest import Actors, login_as
from tests.factories import make_pilot

TODAY = date.today()


@pytest.fixture
def pilot_id(app: Flask, actors: Actors) -> int:
    """90 000 € net split per capita among 418, 536 and 980 (API.md's example), in
    evaluation, with a KPI at 40 % and 536's board having said go at scale-up."""
    with app.app_context():
        pilot = make_pilot(
            ("418", "536", "980"),
            vendor=actors.vendor_a,
            stage=Stage.EVALUATION,
            method=SplitMethod.PER_CAPITA,
            name="Sähköinen tilavaraus",
            estimated_annual_savings_cents=4_500_000,
        )
        kpi = add_kpi(pilot, "Varaukset verkossa", "%", Decimal(0), Decimal(50), Direction.INCREASE)
        add_measurement(kpi, TODAY, Decimal(20))
        fresh = load_pilot_for_update(pilot.id)
        assert fresh is not None
        record_municipal_decision(
            fresh, "536", Gate.SCALE_UP, Outcome.GO, Body.BOARD, TODAY, section="§ 45"
        )
        return pilot.id


def test_the_proposal_page_has_the_municipalitys_figures(
    app: Flask, actors: Actors, client, pilot_id: int
) -> None:  # type: ignore[no-untyped-def]
    login_as(client, actors.council_tied)
    client.set_cookie("lang", "en")
    html = client.get(f"/pilots/{pilot_id}/proposal/418").get_data(as_text=True)
    money = html[html.index('id="proposal-money"') : html.index('id="proposal-kpis"')]
    assert "Lempäälä" in money
    assert "€23,651.55" in money  # API.md: 418's share of the 90 000 € net cost
    assert "€0.00" in money  # no actual costs yet, so a go commits it to all of its share
    assert "€0.96" in money  # 23 651,55 € ÷ 24 580 residents
    ask = html[html.index('id="proposal-ask"') : html.index('id="proposal-money"')]
    assert "Scale-up" in ask  # the gate open in evaluation
    others = html[html.index('id="proposal-others"') : html.index('id="proposal-similar"')]
    assert "Nokia" in others and "§ 45" in others  # 536's board said go
    assert "40.0 %" in html  # the KPI's progress: 20 of 50


def test_the_pdf_is_tagged_in_its_language_and_holds_the_share(
    app: Flask, actors: Actors, client, pilot_id: int
) -> None:  # type: ignore[no-untyped-def]
    login_as(client, actors.coordinator)
    response = client.get(f"/pilots/{pilot_id}/proposal/418.pdf?gate=scale_up")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "private, no-store"
    reader = PdfReader(io.BytesIO(response.data))
    text = "".join(page.extract_text() for page in reader.pages).replace("\xa0", " ")
    assert "23 651,55 €" in text  # Finnish, the default language
    assert "Lempäälä" in text and "Laajentaminen" in text
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root
    assert str(root["/Lang"]) == "fi"
    assert "Päätösesitys" in str(reader.metadata.title)


def test_a_newcomer_sees_what_joining_would_cost(
    app: Flask, actors: Actors, client, pilot_id: int
) -> None:  # type: ignore[no-untyped-def]
    login_as(client, actors.coordinator)
    client.set_cookie("lang", "en")
    html = client.get(f"/pilots/{pilot_id}/proposal/091").get_data(as_text=True)
    assert "joins the pilot" in html and "Planned share if it joins" in html


@pytest.mark.parametrize(
    ("actor", "path", "status"),
    [
        ("vendor_user", "/pilots/{id}/proposal/418", 403),
        ("other_vendor_user", "/pilots/{id}/proposal/418", 404),
        ("council", "/pilots/{id}/proposal/999", 404),
        ("council", "/pilots/{id}/proposal/091", 200),  # a newcomer, at scale-up
        ("council", "/pilots/{id}/proposal/091?gate=midpoint", 404),  # newcomers join only then
        ("council", "/pilots/{id}/proposal/536?gate=midpoint", 200),
        ("council", "/pilots/{id}/proposal/418?gate=nonsense", 200),  # the default gate
        ("council", "/pilots/999999/proposal/418", 404),
    ],
)
def test_who_gets_a_proposal(
    app: Flask, actors: Actors, client, pilot_id: int, actor: str, path: str, status: int
) -> None:  # type: ignore[no-untyped-def]
    login_as(client, actors.by_name(actor))
    assert client.get(path.format(id=pilot_id)).status_code == status
