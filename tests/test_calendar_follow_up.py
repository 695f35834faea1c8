"""Follow-up items in the calendar feeds (read back with the icalendar library): each open
item with a due date is an event with a stable UID that moves with its due date and leaves
when the item is done or dropped; a vendor's feed and pilot calendar hold only the items it
owns (PRODUCT.md, "What is due"), and only of its own pilots."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from flask import Flask
from flask.testing import FlaskClient
from hypothesis import given
from hypothesis import strategies as st
from icalendar import Calendar

from pilot_tracker.domain.enums import Stage
from pilot_tracker.domain.follow_up import ItemStatus, OwnerKind
from pilot_tracker.extensions import db
from pilot_tracker.models import FollowUpItem
from pilot_tracker.services.follow_up import Owner, create_item, update_item
from pilot_tracker.services.pilots import load_pilot_for_update
from tests.conftest import Actors, csrf_token, login_as
from tests.factories import make_pilot

TODAY = date.today()


def events(body: bytes) -> dict[str, Any]:
    return {str(e["UID"]): e for e in Calendar.from_ical(body).walk("VEVENT")}


def feed_path(client: FlaskClient) -> str:
    response = client.post("/profile/calendar", data={"csrf_token": csrf_token(client, "/profile")})
    match = re.search(r'value="(https?://[^"]+\.ics)"', response.get_data(as_text=True))
    assert match
    return urlsplit(match.group(1)).path


def portfolio(app: Flask, actors: Actors) -> dict[str, int]:
    """Pilot A (vendor A's) with items owned by the vendor, by 536 and by the coordinator,
    one without a due date; pilot B (vendor B's) with a vendor-owned item. All coordinated
    by `actors.coordinator`."""
    with app.app_context():
        ids: dict[str, int] = {}
        for key, vendor in (("a", actors.vendor_a), ("b", actors.vendor_b)):
            pilot = make_pilot(
                ("418", "536"),
                vendor=vendor,
                name=f"Seurantakokeilu {key.upper()}",
                stage=Stage.PILOTING,
                coordinator_id=actors.coordinator.id,
            )
            ids[f"pilot_{key}"] = pilot.id
            ids[f"vendor_{key}"] = create_item(
                pilot, f"Toimittajan tehtävä {key}", Owner(OwnerKind.VENDOR), due_on=TODAY
            ).id
        pilot = load_pilot_for_update(ids["pilot_a"])
        assert pilot is not None
        ids["town_a"] = create_item(
            pilot,
            "Kunnan tehtävä",
            Owner(OwnerKind.MUNICIPALITY, "536"),
            due_on=TODAY + timedelta(days=40),
        ).id
        ids["coordinator_a"] = create_item(
            pilot, "Koordinaattorin tehtävä", Owner(OwnerKind.COORDINATOR), due_on=TODAY
        ).id
        ids["undated_a"] = create_item(pilot, "Ilman päivää", Owner(OwnerKind.VENDOR)).id
        return ids


def uid(item_id: int) -> str:
    return f"follow-up-{item_id}@kokeilusalkku"


def change(app: Flask, item_id: int, **changes: Any) -> None:
    with app.app_context():
        item = db.session.get(FollowUpItem, item_id)
        assert item is not None
        pilot = load_pilot_for_update(item.pilot_id)
        assert pilot is not None
        update_item(pilot, item, changes, author_id=None)


def test_items_are_events_with_stable_uids_that_move_and_leave_when_done_or_dropped(
    app: Flask, actors: Actors
) -> None:
    ids = portfolio(app, actors)
    path = feed_path(login_as(app.test_client(), actors.coordinator))
    anonymous = app.test_client()
    first = events(anonymous.get(path).data)
    wanted = {uid(ids[k]) for k in ("vendor_a", "vendor_b", "town_a", "coordinator_a")}
    assert wanted <= set(first)
    assert uid(ids["undated_a"]) not in first  # no date: nothing to put in a calendar
    town = first[uid(ids["town_a"])]
    assert town["DTSTART"].dt == TODAY + timedelta(days=40)  # upcoming, beyond the 14 days
    assert str(town["SUMMARY"]) == "Jatkotoimenpide: Kunnan tehtävä (Seurantakokeilu A)"
    assert "Nokia" in str(town["DESCRIPTION"])
    assert str(town["URL"]).endswith(f"/pilots/{ids['pilot_a']}#item-{ids['town_a']}")
    assert set(events(anonymous.get(path).data)) == set(first)  # the same UIDs every time

    change(app, ids["town_a"], due_on=TODAY + timedelta(days=50))
    moved = events(anonymous.get(path).data)
    assert set(moved) == set(first)
    assert moved[uid(ids["town_a"])]["DTSTART"].dt == TODAY + timedelta(days=50)

    change(app, ids["town_a"], status=ItemStatus.IN_PROGRESS.value)
    assert uid(ids["town_a"]) in events(anonymous.get(path).data)
    change(app, ids["town_a"], status=ItemStatus.DONE.value)
    change(app, ids["coordinator_a"], status=ItemStatus.DROPPED.value)
    left = events(anonymous.get(path).data)
    assert set(first) - set(left) == {uid(ids["town_a"]), uid(ids["coordinator_a"])}


def test_a_vendors_feed_holds_only_the_items_it_owns_of_its_own_pilots(
    app: Flask, actors: Actors
) -> None:
    ids = portfolio(app, actors)
    body = app.test_client().get(feed_path(login_as(app.test_client(), actors.vendor_user))).data
    found = {u for u in events(body) if u.startswith("follow-up-")}
    assert found == {uid(ids["vendor_a"])}
    for text in (b"Kunnan teht", b"Koordinaattorin", b"Seurantakokeilu B"):
        assert text not in body


def test_the_pilot_calendar_holds_its_items_as_the_user_may_see_them(
    app: Flask, actors: Actors
) -> None:
    ids = portfolio(app, actors)
    path = f"/pilots/{ids['pilot_a']}/calendar.ics"
    coordinator = login_as(app.test_client(), actors.coordinator)
    every = {u for u in events(coordinator.get(path).data) if u.startswith("follow-up-")}
    assert every == {uid(ids[k]) for k in ("vendor_a", "town_a", "coordinator_a")}
    vendor = login_as(app.test_client(), actors.vendor_user)
    own = {u for u in events(vendor.get(path).data) if u.startswith("follow-up-")}
    assert own == {uid(ids["vendor_a"])}
    other = login_as(app.test_client(), actors.other_vendor_user)
    assert other.get(path).status_code == 404


def test_a_feed_in_swedish_names_items_and_meetings_in_swedish(app: Flask, actors: Actors) -> None:
    from pilot_tracker.services.users import update_profile

    ids = portfolio(app, actors)
    with app.app_context():
        update_profile(actors.coordinator, name="", language="sv")
    body = app.test_client().get(feed_path(login_as(app.test_client(), actors.coordinator))).data
    item = events(body)[uid(ids["coordinator_a"])]
    assert str(item["SUMMARY"]) == "Uppföljningsåtgärd: Koordinaattorin tehtävä (Seurantakokeilu A)"
    assert str(item["DESCRIPTION"]).startswith("Ansvarig: koordinatorn.")


@given(
    st.text(
        alphabet=st.characters(blacklist_categories=("Cs", "Cc"), whitelist_characters="\n\r\t"),
        max_size=300,
    )
)
def test_text_values_parse_back_as_written(text: str) -> None:
    from pilot_tracker.services.calendar import CalendarEvent, to_ical

    event = CalendarEvent(
        uid=f"x,{text[:20]};@kokeilusalkku",
        on=TODAY,
        summary=text,
        description=f"\\{text}\\",
        url="https://example.com/pilots/1#item-2",
        pilot_id=1,
    )
    body = to_ical([event], text, "fi", datetime.now(UTC))
    calendar = Calendar.from_ical(body)
    assert str(calendar["X-WR-CALNAME"]) == (" ".join(text.split()) or "Kokeilusalkku")
    [parsed] = calendar.walk("VEVENT")
    plain = text.replace("\r\n", "\n").replace("\r", "\n")
    assert str(parsed["SUMMARY"]) == plain
    assert str(parsed["DESCRIPTION"]) == f"\\{plain}\\"
    assert str(parsed["UID"]) == event.uid.replace("\r\n", "\n").replace("\r", "\n")
    assert parsed["DTSTART"].dt == TODAY and str(parsed["URL"]) == event.url


def test_a_pilot_named_on_two_lines_still_has_its_calendar(app: Flask, actors: Actors) -> None:
    with app.app_context():
        pilot = make_pilot(("418",), name="Kaksi\nriviä", end_date=TODAY + timedelta(days=5))
        pilot_id = pilot.id
    client = login_as(app.test_client(), actors.coordinator)
    response = client.get(f"/pilots/{pilot_id}/calendar.ics")
    assert response.status_code == 200
    calendar = Calendar.from_ical(response.data)
    assert str(calendar["X-WR-CALNAME"]) == "Kaksi riviä"
    [end] = calendar.walk("VEVENT")
    assert str(end["SUMMARY"]) == "Suunniteltu päättyminen: Kaksi\nriviä"
