"""Planned gate meetings: entered on the pilot page (validated, audited) and through the API,
shown on the pilot page, and in the calendar feeds as events with stable UIDs that move with
the meeting and leave when it is cancelled (read back with the icalendar library)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from icalendar import Calendar

from pilot_tracker.domain.enums import Gate, Stage
from pilot_tracker.extensions import db
from pilot_tracker.models import AuditEntry, GateMeeting
from pilot_tracker.services.gate_meetings import MeetingData, plan_meeting
from tests.conftest import Actors, csrf_token, login_as
from tests.factories import make_pilot

TODAY = date.today()
SOON = TODAY + timedelta(days=21)


def a_pilot(app: Flask, actors: Actors, vendor: Any = None, **kwargs: Any) -> int:
    """A pilot in planning (its start gate open), 418 leading with 536 and 980."""
    with app.app_context():
        pilot = make_pilot(
            ("418", "536", "980"),
            vendor=vendor or actors.vendor_a,
            name=kwargs.pop("name", "Kokouskokeilu"),
            stage=kwargs.pop("stage", Stage.PLANNING),
            coordinator_id=actors.coordinator.id,
            **kwargs,
        )
        return pilot.id


def post_form(client: FlaskClient, path: str, **fields: str) -> Any:
    data = {"csrf_token": csrf_token(client, path), **fields}
    return client.post(path, data=data)


def feed_events(body: bytes) -> dict[str, Any]:
    calendar = Calendar.from_ical(body)
    return {str(e["UID"]): e for e in calendar.walk("VEVENT")}


def feed_path(client: FlaskClient) -> str:
    response = client.post("/profile/calendar", data={"csrf_token": csrf_token(client, "/profile")})
    match = re.search(r'value="(https?://[^"]+\.ics)"', response.get_data(as_text=True))
    assert match
    return urlsplit(match.group(1)).path


def meetings(app: Flask) -> list[GateMeeting]:
    with app.app_context():
        return list(db.session.scalars(sa.select(GateMeeting).order_by(GateMeeting.id)))


def audits(app: Flask, entity_id: int) -> list[str]:
    with app.app_context():
        return list(
            db.session.scalars(
                sa.select(AuditEntry.action)
                .where(AuditEntry.entity == "gate_meeting")
                .where(AuditEntry.entity_id == str(entity_id))
                .order_by(AuditEntry.id)
            )
        )


def test_a_coordinator_plans_moves_and_cancels_a_meeting_and_the_feed_follows(
    app: Flask, actors: Actors
) -> None:
    pilot_id = a_pilot(app, actors)
    client = login_as(app.test_client(), actors.coordinator)
    page = client.get(f"/pilots/{pilot_id}").get_data(as_text=True)
    assert f'href="/pilots/{pilot_id}/meetings/new"' in page
    assert "Yhtään päätöspisteen kokousta ei ole suunniteltu." in page
    response = post_form(
        client,
        f"/pilots/{pilot_id}/meetings/new",
        gate="start",
        who="",
        body="",
        meets_on=SOON.isoformat(),
        starts_at="13:30",
        place="Kunnantalo, sali 2",
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/pilots/{pilot_id}#meetings")
    [meeting] = meetings(app)
    assert (meeting.gate, meeting.meets_on, meeting.starts_at) == (Gate.START, SOON, time(13, 30))
    assert meeting.municipality_code is None and meeting.body is None
    assert meeting.created_by_id == actors.coordinator.id
    page = client.get(f"/pilots/{pilot_id}").get_data(as_text=True)
    assert "Ohjausryhmä" in page and "Kunnantalo, sali 2" in page and "klo 13.30" in page

    path = feed_path(client)
    anonymous = app.test_client()
    first = feed_events(anonymous.get(path).data)
    uid = f"meeting-{meeting.id}@kokeilusalkku"
    event = first[uid]
    # 13.30 Finnish time, as UTC (EET +2 in winter, EEST +3 in summer), two hours long.
    expected = datetime.combine(SOON, time(13, 30), tzinfo=_helsinki()).astimezone(UTC)
    assert event["DTSTART"].dt == expected and event["DTSTART"].dt.utcoffset() == timedelta(0)
    assert event["DTEND"].dt - event["DTSTART"].dt == timedelta(hours=2)
    assert str(event["SUMMARY"]) == "Päätöspisteen kokous (suunniteltu): Kokouskokeilu"
    assert "Kunnantalo, sali 2" in str(event["DESCRIPTION"])
    assert feed_events(anonymous.get(path).data).keys() == first.keys()  # stable

    later = SOON + timedelta(days=7)
    response = post_form(
        client,
        f"/meetings/{meeting.id}/edit",
        gate="start",
        who="536",
        body="board",
        meets_on=later.isoformat(),
        starts_at="",
        place="",
    )
    assert response.status_code == 302
    moved = feed_events(anonymous.get(path).data)
    assert set(moved) == set(first)  # the same UID: the calendar moves the event
    assert moved[uid]["DTSTART"].dt == later  # an all-day event now
    assert str(moved[uid]["DESCRIPTION"]) == "Päätöspiste Käynnistys: Nokia (Kunnanhallitus)."
    [changed] = meetings(app)
    assert (changed.municipality_code, changed.body, changed.starts_at) == ("536", "board", None)

    page = client.get(f"/pilots/{pilot_id}").get_data(as_text=True)
    assert f'action="/meetings/{meeting.id}/cancel"' in page
    response = post_form(client, f"/meetings/{meeting.id}/cancel")
    assert response.status_code == 302
    assert meetings(app) == []
    assert uid not in feed_events(anonymous.get(path).data)
    assert audits(app, meeting.id) == ["create", "update", "delete"]


def _helsinki() -> Any:
    from zoneinfo import ZoneInfo

    return ZoneInfo("Europe/Helsinki")


def test_the_form_refuses_what_the_rules_refuse_and_saves_nothing(
    app: Flask, actors: Actors
) -> None:
    pilot_id = a_pilot(app, actors)
    client = login_as(app.test_client(), actors.coordinator)
    path = f"/pilots/{pilot_id}/meetings/new"
    cases = [  # the field, the error it shows (in Finnish), what is sent
        (
            "meets_on",
            "Suunniteltu kokous on tänään tai myöhemmin",
            {"meets_on": (TODAY - timedelta(days=1)).isoformat()},
        ),
        (
            "meets_on",
            "Suunnittele kokous enintään viiden vuoden päähän",
            {"meets_on": (TODAY + timedelta(days=6 * 366)).isoformat()},
        ),
        ("body", "Toimielin merkitään vain kunnan kokoukselle", {"body": "council"}),
        ("gate", "", {"gate": "scale_up"}),  # not open in planning: not a choice
        ("meets_on", "", {"meets_on": "31.2.2027"}),
        ("starts_at", "", {"starts_at": "25:61"}),
        ("place", "", {"place": "x" * 201}),
    ]
    for field, message, fields in cases:
        data = {"gate": "start", "who": "", "body": "", "meets_on": SOON.isoformat(), **fields}
        response = post_form(client, path, **data)
        assert response.status_code == 200, fields
        html = response.get_data(as_text=True)
        error = re.search(rf'<p class="error" id="{field}-error">([^<]*)</p>', html)
        assert error, (field, fields)
        assert message in error.group(1)
        assert f'id="{field}" aria-invalid="true"' in html or 'aria-invalid="true"' in html
    # A municipality that is not a participant is not a choice at all.
    response = post_form(client, path, gate="start", who="091", meets_on=SOON.isoformat())
    assert response.status_code == 200
    assert meetings(app) == []


def test_a_stopped_pilot_has_no_gate_to_plan_a_meeting_for(app: Flask, actors: Actors) -> None:
    pilot_id = a_pilot(app, actors)
    with app.app_context():
        from pilot_tracker.domain.enums import Outcome
        from pilot_tracker.services.decisions import record_decision
        from pilot_tracker.services.pilots import load_pilot_for_update

        pilot = load_pilot_for_update(pilot_id)
        assert pilot is not None
        record_decision(pilot, Gate.START, Outcome.NO_GO, TODAY, "ohjausryhmä", "Ei jatketa.")
        assert pilot.stage is Stage.STOPPED
    client = login_as(app.test_client(), actors.coordinator)
    page = client.get(f"/pilots/{pilot_id}").get_data(as_text=True)
    assert f"/pilots/{pilot_id}/meetings/new" not in page
    response = post_form(client, f"/pilots/{pilot_id}/meetings/new", meets_on=SOON.isoformat())
    assert response.status_code == 200 and meetings(app) == []


def test_vendors_see_meetings_but_may_not_plan_them(app: Flask, actors: Actors) -> None:
    pilot_id = a_pilot(app, actors)
    with app.app_context():
        from pilot_tracker.services.pilots import load_pilot_for_update

        pilot = load_pilot_for_update(pilot_id)
        assert pilot is not None
        meeting = plan_meeting(pilot, MeetingData(Gate.START, SOON, place="Sali 2"))
        meeting_id = meeting.id
    vendor = login_as(app.test_client(), actors.vendor_user)
    page = vendor.get(f"/pilots/{pilot_id}").get_data(as_text=True)
    assert "Sali 2" in page and f"/meetings/{meeting_id}/edit" not in page
    assert vendor.get(f"/pilots/{pilot_id}/meetings/new").status_code == 403
    assert vendor.get(f"/meetings/{meeting_id}/edit").status_code == 403
    other = login_as(app.test_client(), actors.other_vendor_user)
    assert other.get(f"/meetings/{meeting_id}/edit").status_code == 404
    assert other.get(f"/pilots/{pilot_id}/meetings/new").status_code == 404
    assert len(meetings(app)) == 1


def test_a_council_members_feed_holds_the_steering_groups_meetings_and_its_own(
    app: Flask, actors: Actors
) -> None:
    pilot_id = a_pilot(app, actors)
    with app.app_context():
        from pilot_tracker.domain.municipal_decisions import Body
        from pilot_tracker.services.pilots import load_pilot_for_update

        pilot = load_pilot_for_update(pilot_id)
        assert pilot is not None
        ids = {
            who: plan_meeting(
                pilot,
                MeetingData(Gate.START, SOON, municipality=code, body=Body.BOARD if code else None),
            ).id
            for who, code in (("steering", None), ("own", "418"), ("other", "536"))
        }
    tied = feed_events(
        app.test_client().get(feed_path(login_as(app.test_client(), actors.council_tied))).data
    )
    assert {
        f"meeting-{ids['steering']}@kokeilusalkku",
        f"meeting-{ids['own']}@kokeilusalkku",
    } <= set(tied)
    assert f"meeting-{ids['other']}@kokeilusalkku" not in tied
    coordinator = feed_events(
        app.test_client().get(feed_path(login_as(app.test_client(), actors.coordinator))).data
    )
    assert {f"meeting-{i}@kokeilusalkku" for i in ids.values()} <= set(coordinator)
    own = coordinator[f"meeting-{ids['own']}@kokeilusalkku"]
    assert "Lempäälä" in str(own["DESCRIPTION"]) and "Kunnanhallitus" in str(own["DESCRIPTION"])


# --- the API --------------------------------------------------------------------------


def _bearer(app: Flask, user: Any) -> dict[str, str]:
    from pilot_tracker.services.tokens import create_token

    with app.app_context():
        return {"Authorization": f"Bearer {create_token(user, name='t')[1]}"}


def test_the_api_plans_lists_moves_and_cancels_meetings(app: Flask, actors: Actors) -> None:
    pilot_id = a_pilot(app, actors)
    client = app.test_client()
    coordinator = _bearer(app, actors.coordinator)
    created = client.post(
        f"/api/v1/pilots/{pilot_id}/gate-meetings",
        json={"gate": "start", "date": SOON.isoformat(), "time": "09:00", "place": "Teams"},
        headers=coordinator,
    )
    assert created.status_code == 201, created.json
    body = created.json
    assert body["municipality"] is None and body["time"] == "09:00" and body["body"] is None
    listed = client.get(f"/api/v1/pilots/{pilot_id}/gate-meetings", headers=coordinator).json
    assert listed["total"] == 1 and listed["items"][0]["id"] == body["id"]
    later = (SOON + timedelta(days=3)).isoformat()
    patched = client.patch(
        f"/api/v1/gate-meetings/{body['id']}",
        json={"date": later, "municipality": "980", "body": "council"},
        headers=coordinator,
    )
    assert patched.status_code == 200, patched.json
    assert (patched.json["date"], patched.json["municipality"], patched.json["time"]) == (
        later,
        "980",
        "09:00",
    )
    refused = client.post(
        f"/api/v1/pilots/{pilot_id}/gate-meetings",
        json={"gate": "start", "date": (TODAY - timedelta(days=1)).isoformat()},
        headers=coordinator,
    )
    assert refused.status_code == 422 and "meets_on" in refused.json["errors"]
    refused = client.post(
        f"/api/v1/pilots/{pilot_id}/gate-meetings",
        json={"gate": "start", "date": SOON.isoformat(), "municipality": "091"},
        headers=coordinator,
    )
    assert refused.status_code == 422 and "municipality" in refused.json["errors"]
    vendor = _bearer(app, actors.vendor_user)
    assert client.get(f"/api/v1/pilots/{pilot_id}/gate-meetings", headers=vendor).status_code == 200
    assert (
        client.post(
            f"/api/v1/pilots/{pilot_id}/gate-meetings",
            json={"gate": "start", "date": SOON.isoformat()},
            headers=vendor,
        ).status_code
        == 403
    )
    other = _bearer(app, actors.other_vendor_user)
    assert client.get(f"/api/v1/pilots/{pilot_id}/gate-meetings", headers=other).status_code == 404
    assert client.delete(f"/api/v1/gate-meetings/{body['id']}", headers=other).status_code == 404
    assert client.delete(f"/api/v1/gate-meetings/{body['id']}", headers=vendor).status_code == 403
    gone = client.delete(f"/api/v1/gate-meetings/{body['id']}", headers=coordinator)
    assert gone.status_code == 204 and meetings(app) == []
    assert audits(app, body["id"]) == ["create", "update", "delete"]
