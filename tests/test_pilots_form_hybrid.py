"""The pilot form's hybrid method and funding rate: preview, save, refusal by field."""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from pilot_tracker.domain.cost_split import split_cost
from pilot_tracker.domain.enums import SplitMethod
from pilot_tracker.extensions import db
from pilot_tracker.models import Municipality, Pilot
from tests.conftest import Actors, login_as
from tests.test_pilots_form import fi_money, form_data, pilot_count, post, shares


def _expected(app: Flask) -> dict[str, int]:
    with app.app_context():
        populations = {
            m.code: m.population
            for m in db.session.scalars(
                sa.select(Municipality).where(Municipality.code.in_(["418", "536", "980"]))
            )
        }
    return split_cost(SplitMethod.HYBRID, 9_000_000, populations, equal_percent=Decimal(30))


def test_preview_shows_hybrid_shares_without_saving(
    app: Flask, client: FlaskClient, actors: Actors
) -> None:
    login_as(client, actors.coordinator)
    data = form_data(split_method="hybrid", equal_percent="30", action="preview")
    html = post(client, "/pilots/new", data).get_data(as_text=True)
    for cents in _expected(app).values():
        assert fi_money(cents) in html
    with app.app_context():
        assert pilot_count() == 0


def test_hybrid_pilot_with_a_funding_rate_is_saved(
    app: Flask, client: FlaskClient, actors: Actors
) -> None:
    login_as(client, actors.coordinator)
    data = form_data(split_method="hybrid", equal_percent="30,00", external_funding_rate="85")
    assert post(client, "/pilots/new", data).status_code == 302
    with app.app_context():
        pilot = db.session.scalars(sa.select(Pilot)).one()
        assert pilot.split_method is SplitMethod.HYBRID
        assert (pilot.equal_percent, pilot.external_funding_rate_percent) == (
            Decimal("30.00"),
            Decimal("85.00"),
        )
        assert shares(pilot.id) == _expected(app)


def test_hybrid_without_or_with_a_bad_equal_part_is_refused(
    app: Flask, client: FlaskClient, actors: Actors
) -> None:
    login_as(client, actors.coordinator)
    for value in ("", "101", "30,001", "abc"):
        response = post(
            client, "/pilots/new", form_data(split_method="hybrid", equal_percent=value)
        )
        assert response.status_code in (200, 422)
        assert 'id="equal_percent-error"' in response.get_data(as_text=True), value
    bad_rate = post(client, "/pilots/new", form_data(external_funding_rate="120"))
    assert bad_rate.status_code in (200, 422)
    assert 'id="external_funding_rate-error"' in bad_rate.get_data(as_text=True)
    with app.app_context():
        assert pilot_count() == 0
