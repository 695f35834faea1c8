"""Calendar feeds (RFC 5545, read back with the icalendar library): a secret per-user feed
made and revoked on the profile, stable UIDs, moved events, permissions; each pilot's .ics."""

from __future__ import annotations

import re
from datetime import date, timedelta
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import given
from hypothesis import strategies as st
from icalendar import Calendar

from pilot_tracker.domain.enums import Gate, Outcome, Stage
from pilot_tracker.extensions import db
from pilot_tracker.models import CalendarFeed, Pilot
from pilot_tracker.services.decisions import record_decision
from tests.conftest import Actors, csrf_token, login_as
from tests.factories import make_pilot

TODAY = date.today()


def pilots(app: Flask, actors: Actors) -> tuple[int, int]:
    """Pilot A (vendor A, the coordinator's) and pilot B (vendor B's, also the coordinator's),
    each with a decision naming a review in 20 days and a planned end in 60 days."""
    with app.app_context():
        ids = []
        for key, vendor in (("A", actors.vendor_a), ("B", actors.vendor_b)):
            pilot = make_pilot(
                ("418", "536"),
                vendor=vendor,
                name=f"Kalenterikokeilu {key}",
                stage=Stage.PILOTING,
                coordinator_id=actors.coordinator.id,
                start_date=TODAY - timedelta(days=30),
                end_date=TODAY + timedelta(days=60),
            )
            record_decision(
                pilot,
                Gate.MIDPOINT,
                Outcome.CONTINUE,
                TODAY,
                "ohjausryhmä",
                "Jatketaan.",
                next_review=TODAY + timedelta(days=20),
            )
            ids.append(pilot.id)
        return ids[0], ids[1]


def create_feed(client: FlaskClient) -> str:
    """Create a feed on the profile; the path of its secret address."""
    response = client.post("/profile/calendar", data={"csrf_token": csrf_token(client, "/profile")})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"
    match = re.search(r'value="(https?://[^"]+\.ics)"', response.get_data(as_text=True))
    assert match
    return urlsplit(match.group(1)).path


def events(body: bytes) -> dict[str, tuple[date, str]]:
    calendar = Calendar.from_ical(body)
    assert calendar["VERSION"] == "2.0" and calendar["PRODID"]
    found = {}
    for event in calendar.walk("VEVENT"):
        assert event["DTSTAMP"] and event["DTEND"].dt == event["DTSTART"].dt + timedelta(days=1)
        found[str(event["UID"])] = (event["DTSTART"].dt, str(event["SUMMARY"]))
    return found


def test_a_feed_made_on_the_profile_is_a_calendar_with_stable_uids_that_follow_a_moved_review(
    app: Flask, actors: Actors
) -> None:
    pilot_a, pilot_b = pilots(app, actors)
    client = login_as(app.test_client(), actors.coordinator)
    path = create_feed(client)
    anonymous = app.test_client()  # a calendar application has no session
    first = anonymous.get(path)
    assert first.status_code == 200
    assert first.headers["Content-Type"] == "text/calendar; charset=utf-8"
    one = events(first.data)
    assert one[f"review-{pilot_a}@kokeilusalkku"] == (
        TODAY + timedelta(days=20),
        "Arviointi: Kalenterikokeilu A",
    )
    assert one[f"end-{pilot_b}@kokeilusalkku"][0] == TODAY + timedelta(days=60)
    assert any(uid.startswith("gate-") for uid in one)
    assert events(anonymous.get(path).data) == one  # the same UIDs on every fetch
    with app.app_context():
        record_decision(
            db.session.get(Pilot, pilot_a),  # type: ignore[arg-type]
            Gate.MIDPOINT,
            Outcome.CONTINUE,
            TODAY,
            "ohjausryhmä",
            "Siirretään.",
            next_review=TODAY + timedelta(days=35),
        )
    moved = events(anonymous.get(path).data)
    assert moved[f"review-{pilot_a}@kokeilusalkku"][0] == TODAY + timedelta(days=35)
    assert set(moved) - set(one) == {u for u in moved if u.startswith("gate-")} - set(one)


def test_a_revoked_or_replaced_feed_address_is_404(app: Flask, actors: Actors) -> None:
    pilots(app, actors)
    client = login_as(app.test_client(), actors.coordinator)
    first = create_feed(client)
    second = create_feed(client)  # a new address replaces the old
    anonymous = app.test_client()
    assert anonymous.get(first).status_code == 404
    assert anonymous.get(second).status_code == 200
    response = client.post(
        "/profile/calendar/revoke", data={"csrf_token": csrf_token(client, "/profile")}
    )
    assert response.status_code == 302
    assert anonymous.get(second).status_code == 404


def test_the_feed_token_is_stored_only_as_a_hash(app: Flask, actors: Actors) -> None:
    client = login_as(app.test_client(), actors.council)
    token = create_feed(client).rsplit("/", 1)[1].removesuffix(".ics")
    with app.app_context():
        [stored] = db.session.scalars(sa.select(CalendarFeed.token_hash)).all()
    assert token not in stored and len(stored) == 64


def test_a_vendors_feed_holds_only_its_own_pilots(app: Flask, actors: Actors) -> None:
    pilot_a, pilot_b = pilots(app, actors)
    path = create_feed(login_as(app.test_client(), actors.vendor_user))
    body = app.test_client().get(path)
    found = events(body.data)
    assert f"end-{pilot_a}@kokeilusalkku" in found
    assert not any(str(pilot_b) in uid.split("@")[0].split("-")[-1] for uid in found)
    assert b"Kalenterikokeilu B" not in body.data


def test_a_deactivated_users_feed_is_404(app: Flask, actors: Actors) -> None:
    from pilot_tracker.services.users import deactivate_user

    path = create_feed(login_as(app.test_client(), actors.council))
    with app.app_context():
        deactivate_user(actors.council, actor=None)
    assert app.test_client().get(path).status_code == 404


def test_the_feed_is_in_the_owners_language(app: Flask, actors: Actors) -> None:
    from pilot_tracker.services.users import update_profile

    pilot_a, _b = pilots(app, actors)
    with app.app_context():
        update_profile(actors.coordinator, name="", language="sv")
    path = create_feed(login_as(app.test_client(), actors.coordinator))
    found = events(app.test_client().get(path).data)
    assert found[f"review-{pilot_a}@kokeilusalkku"][1] == "Granskning: Kalenterikokeilu A"


def test_each_pilot_page_offers_its_own_ics_within_the_permissions(
    app: Flask, actors: Actors
) -> None:
    pilot_a, pilot_b = pilots(app, actors)
    vendor = login_as(app.test_client(), actors.vendor_user)
    page = vendor.get(f"/pilots/{pilot_a}").get_data(as_text=True)
    assert f'href="/pilots/{pilot_a}/calendar.ics"' in page
    own = vendor.get(f"/pilots/{pilot_a}/calendar.ics")
    assert own.status_code == 200 and "attachment" in own.headers["Content-Disposition"]
    assert set(events(own.data)) >= {
        f"review-{pilot_a}@kokeilusalkku",
        f"end-{pilot_a}@kokeilusalkku",
    }
    assert vendor.get(f"/pilots/{pilot_b}/calendar.ics").status_code == 404
    assert app.test_client().get(f"/pilots/{pilot_a}/calendar.ics").status_code == 302


@pytest.mark.parametrize("token", ["x", "A" * 43, "A" * 300])
def test_an_unknown_feed_address_is_404(client: FlaskClient, token: str) -> None:
    assert client.get(f"/calendar/{token}.ics").status_code == 404


@given(st.text(min_size=0, max_size=400))
def test_folded_lines_are_at_most_75_octets_and_unfold_to_the_original(text: str) -> None:
    from pilot_tracker.services.calendar import _fold

    line = ("SUMMARY:" + text).encode("utf-8", "surrogatepass")
    folded = _fold(line)
    pieces = folded.split(b"\r\n ")
    assert all(len(piece) <= 75 for piece in pieces[:1]) and all(
        len(piece) <= 74 for piece in pieces[1:]
    )
    assert b"".join(pieces) == line
    if "\ud800" not in text:  # whole characters stay whole
        for piece in pieces:
            piece.decode("utf-8")


def test_a_long_nordic_name_survives_the_feed_intact(app: Flask, actors: Actors) -> None:
    name = "Äänekosken, Närpiön ja Pedersören yhteinen sähköinen tilavarausjärjestelmä " * 2
    with app.app_context():
        pilot = make_pilot(
            ("418", "536"), name=name.strip()[:200], end_date=TODAY + timedelta(days=9)
        )
        pilot_id = pilot.id
    client = login_as(app.test_client(), actors.coordinator)
    body = client.get(f"/pilots/{pilot_id}/calendar.ics").data
    assert max(len(line) for line in body.split(b"\r\n")) <= 75
    found = events(body)
    assert (
        found[f"end-{pilot_id}@kokeilusalkku"][1]
        == f"Suunniteltu päättyminen: {name.strip()[:200]}"
    )
