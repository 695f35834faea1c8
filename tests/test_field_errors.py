"""One message per field error: a bad value gets one clear message next to its field, in
the page's language, not two that contradict each other."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from pilot_tracker.domain.enums import Stage
from pilot_tracker.extensions import db
from pilot_tracker.models import StatusUpdate
from tests.conftest import Actors, csrf_token, login_as
from tests.factories import make_pilot

EXPECTED = {
    "fi": "Anna edistyminen kokonaislukuna väliltä 0–100.",
    "sv": "Ange framstegen som ett heltal mellan 0 och 100.",
    "en": "Enter the progress as a whole number from 0 to 100.",
}


@pytest.mark.parametrize("value", ["50.5", "101", "-1", "puolet"])
@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_a_bad_progress_gets_one_message(
    app: Flask, client: FlaskClient, actors: Actors, lang: str, value: str
) -> None:
    with app.app_context():
        pilot_id = make_pilot(("418",), vendor=actors.vendor_a, stage=Stage.PILOTING).id
    login_as(client, actors.vendor_user)
    client.set_cookie("lang", lang)
    path = f"/pilots/{pilot_id}/status/new"
    response = client.post(
        path,
        data={
            "csrf_token": csrf_token(client, path),
            "rag": "green",
            "progress_percent": value,
            "text": "Etenee.",
            "reported_on": "2026-11-02",
        },
    )
    assert response.status_code == 200
    errors = re.findall(r'<p class="error" id="progress_percent-error">(.*?)</p>', response.text)
    assert errors == [EXPECTED[lang]]
    summary = re.findall(r'<li><a href="#progress_percent">[^<]*</a></li>', response.text)
    assert len(summary) == 1
    with app.app_context():
        assert db.session.query(StatusUpdate).filter_by(pilot_id=pilot_id).count() == 0


def test_the_api_names_a_too_large_number_without_notation(app: Flask, actors: Actors) -> None:
    from pilot_tracker.services.pilots import PilotValidationError
    from pilot_tracker.services.reporting import parse_value

    with app.app_context(), pytest.raises(PilotValidationError) as caught:
        parse_value("1000000000000000", "value")
    assert caught.value.errors == {
        "value": ["Enter a number with at most 15 digits before the decimal point."]
    }
