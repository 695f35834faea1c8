"""An address that is not one gets one clear message on its field, the same on the admin
forms and in the API (one check: domain.email), and nothing is saved."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from pilot_tracker.extensions import db
from pilot_tracker.models import User, Vendor
from tests.api_helpers import ApiCaller, assert_problem
from tests.conftest import Actors, csrf_token, login_as

# A space inside: the old user check let it through, the forms' WTForms check did not.
BAD = ("maija meikalainen@kunta.fi", "maija@kunta", "maija@localhost")


def _field_errors(html: str, field: str) -> list[str]:
    return re.findall(rf'<p class="error" id="{field}-error">([^<]*)</p>', html)


def _count(app: Flask, model: type) -> int:
    with app.app_context():
        return int(db.session.scalar(sa.select(sa.func.count()).select_from(model)))


@pytest.mark.parametrize("address", BAD)
def test_user_form(app: Flask, client: FlaskClient, actors: Actors, address: str) -> None:
    client.set_cookie("lang", "en")
    login_as(client, actors.admin)
    before = _count(app, User)
    form = {"email": address, "role": "council", "municipality_code": "", "vendor_id": ""}
    response = client.post(
        "/admin/users/new", data={"csrf_token": csrf_token(client, "/profile"), **form}
    )
    assert response.status_code == 200
    errors = _field_errors(response.get_data(as_text=True), "email")
    assert errors == [f"{address} is not an e-mail address."]
    assert _count(app, User) == before


@pytest.mark.parametrize("address", BAD)
def test_vendor_form(app: Flask, client: FlaskClient, actors: Actors, address: str) -> None:
    client.set_cookie("lang", "en")
    login_as(client, actors.admin)
    before = _count(app, Vendor)
    form = {"name": "Uusi Oy", "business_id": "0827616-7", "contact_email": address}
    response = client.post(
        "/admin/vendors/new", data={"csrf_token": csrf_token(client, "/profile"), **form}
    )
    assert response.status_code == 200
    errors = _field_errors(response.get_data(as_text=True), "contact_email")
    assert errors == [f"{address} is not an e-mail address."]
    assert _count(app, Vendor) == before


@pytest.mark.parametrize("address", BAD)
def test_vendor_api(app: Flask, actors: Actors, address: str) -> None:
    body = {"name": "Uusi Oy", "business_id": "0827616-7", "contact_email": address}
    api = ApiCaller(app, actors)
    problem = assert_problem(api.post("admin", "/api/v1/vendors", json=body), 422)
    assert list(problem["errors"]) == ["contact_email"]
    # The API speaks English unless Accept-Language asks for Finnish or Swedish; then the
    # same catalogue entry as the forms'.
    assert problem["errors"]["contact_email"] == [f"{address} is not an e-mail address."]
    problem = assert_problem(
        api.post("admin", "/api/v1/vendors", json=body, headers={"Accept-Language": "fi"}), 422
    )
    assert problem["errors"]["contact_email"] == [f"{address} ei ole sähköpostiosoite."]
    with app.app_context():
        assert db.session.scalar(sa.select(Vendor.id).where(Vendor.name == "Uusi Oy")) is None
