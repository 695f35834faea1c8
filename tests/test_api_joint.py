"""Municipal decisions and follow-up items over the API (API.md, "The joint life")."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from pilot_tracker.domain.enums import Stage
from pilot_tracker.extensions import db
from pilot_tracker.models import FollowUpComment, FollowUpItem, MunicipalDecision, Pilot
from tests.api_helpers import ApiCaller, assert_problem
from tests.conftest import Actors
from tests.factories import make_pilot

TODAY = date.today()


@pytest.fixture
def api(app: Flask, actors: Actors) -> ApiCaller:
    return ApiCaller(app, actors)


def make(app: Flask, actors: Actors, stage: Stage = Stage.EVALUATION, **kwargs: Any) -> Pilot:
    with app.app_context():
        return make_pilot(("418", "536", "980"), vendor=actors.vendor_a, stage=stage, **kwargs)


def decision(**changes: object) -> dict[str, object]:
    return {
        "municipality": "980",
        "gate": "scale_up",
        "outcome": "no_go",
        "body": "council",
        "date": TODAY.isoformat(),
        "section": "§ 45",
        "minutes_url": "https://example.org/poytakirja/45",
        **changes,
    }


def test_a_no_go_leaves_and_two_newcomers_join_over_the_api(
    app: Flask, actors: Actors, api: ApiCaller
) -> None:
    pilot = make(app, actors)
    url = f"/api/v1/pilots/{pilot.id}/municipal-decisions"
    left = api.post("coordinator", url, json=decision())
    assert left.status_code == 201, left.get_json()
    body = left.get_json()
    assert body["municipality"] == "980" and body["section"] == "§ 45"
    people = {p["code"]: p for p in body["pilot"]["participants"]}
    assert people["980"]["left_on"] == TODAY.isoformat()
    assert people["980"]["share_eur"] == "0.00"
    assert people["418"]["joined_on"] is None and people["418"]["left_on"] is None
    for code in ("091", "049"):
        joined = api.post(
            "coordinator", url, json=decision(municipality=code, outcome="go", section="")
        )
        assert joined.status_code == 201, joined.get_json()
    participants = joined.get_json()["pilot"]["participants"]
    current = [p for p in participants if p["left_on"] is None]
    assert sorted(p["code"] for p in current) == ["049", "091", "418", "536"]
    assert sum(int(p["share_eur"].replace(".", "")) for p in current) == 9_000_000
    assert {p["joined_on"] for p in current if p["code"] in ("049", "091")} == {TODAY.isoformat()}
    listed = api.get("council", url).get_json()
    assert listed["total"] == 3
    assert [item["municipality"] for item in listed["items"]][-1] == "980"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"municipality": "418"}, "outcome"),  # the lead cannot leave
        ({"gate": "start"}, "gate"),
        ({"minutes_url": "javascript:alert(1)"}, "minutes_url"),
        ({"date": (TODAY + timedelta(days=1)).isoformat()}, "date"),
        ({"municipality": "999"}, "municipality"),
        ({"body": "parliament"}, "body"),
    ],
)
def test_refusals_name_their_field(
    app: Flask, actors: Actors, api: ApiCaller, changes: dict[str, Any], field: str
) -> None:
    pilot = make(app, actors)
    response = api.post(
        "coordinator", f"/api/v1/pilots/{pilot.id}/municipal-decisions", json=decision(**changes)
    )
    problem = assert_problem(response, 422)
    assert list(problem["errors"]) == [field]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(MunicipalDecision)) == 0


@pytest.mark.parametrize(("actor", "status"), [("council", 403), ("vendor_user", 403)])
def test_only_editors_record_municipal_decisions(
    app: Flask, actors: Actors, api: ApiCaller, actor: str, status: int
) -> None:
    pilot = make(app, actors)
    response = api.post(actor, f"/api/v1/pilots/{pilot.id}/municipal-decisions", json=decision())
    assert response.status_code == status


def test_another_vendor_sees_no_municipal_decisions(
    app: Flask, actors: Actors, api: ApiCaller
) -> None:
    pilot = make(app, actors)
    url = f"/api/v1/pilots/{pilot.id}/municipal-decisions"
    assert api.get("vendor_user", url).status_code == 200
    assert api.get("other_vendor_user", url).status_code == 404


def _item(api: ApiCaller, pilot: Pilot, **changes: Any) -> dict[str, Any]:
    body = {"title": "Raportointi kuukausittain", "owner": {"kind": "vendor"}, **changes}
    response = api.post("coordinator", f"/api/v1/pilots/{pilot.id}/follow-up-items", json=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()  # type: ignore[no-any-return]


def test_follow_up_items_created_listed_and_overdue(
    app: Flask, actors: Actors, api: ApiCaller
) -> None:
    pilot = make(app, actors)
    late = _item(api, pilot, due_on=(TODAY - timedelta(days=3)).isoformat())
    assert late["overdue"] is True and late["status"] == "open"
    assert late["owner"] == {"kind": "vendor", "code": None}
    own = _item(api, pilot, owner={"kind": "municipality", "code": "536"})
    assert own["owner"] == {"kind": "municipality", "code": "536"} and own["overdue"] is False
    listed = api.get("vendor_user", f"/api/v1/pilots/{pilot.id}/follow-up-items").get_json()
    assert [i["id"] for i in listed["items"]] == [late["id"], own["id"]]
    assert (
        api.get("other_vendor_user", f"/api/v1/pilots/{pilot.id}/follow-up-items").status_code
        == 404
    )


@pytest.mark.parametrize(
    ("owner", "field"),
    [
        ({"kind": "municipality", "code": "091"}, "owner"),  # not a participant
        ({"kind": "municipality"}, "owner"),
        ({"kind": "vendor", "code": "418"}, "owner"),
    ],
)
def test_bad_owners_are_refused(
    app: Flask, actors: Actors, api: ApiCaller, owner: dict[str, Any], field: str
) -> None:
    pilot = make(app, actors)
    response = api.post(
        "coordinator",
        f"/api/v1/pilots/{pilot.id}/follow-up-items",
        json={"title": "X", "owner": owner},
    )
    assert list(assert_problem(response, 422)["errors"]) == [field]


def test_the_vendor_closes_its_own_item_and_nothing_else(
    app: Flask, actors: Actors, api: ApiCaller
) -> None:
    pilot = make(app, actors)
    item = _item(api, pilot)
    url = f"/api/v1/follow-up-items/{item['id']}"
    done = api.patch("vendor_user", url, json={"status": "done", "comment": "Toimitettu."})
    assert done.status_code == 200, done.get_json()
    assert done.get_json()["status"] == "done"
    assert [c["text"] for c in done.get_json()["comments"]] == ["Toimitettu."]
    assert api.patch("vendor_user", url, json={"title": "Uusi"}).status_code == 403
    assert api.patch("other_vendor_user", url, json={"status": "open"}).status_code == 404
    assert api.patch("council", url, json={"status": "open"}).status_code == 403
    theirs = _item(api, pilot, owner={"kind": "coordinator"})
    assert (
        api.patch(
            "vendor_user", f"/api/v1/follow-up-items/{theirs['id']}", json={"status": "done"}
        ).status_code
        == 403
    )
    with app.app_context():
        stored = db.session.get(FollowUpItem, item["id"])
        assert stored is not None and stored.title == "Raportointi kuukausittain"
        assert stored.status.value == "done"
        assert db.session.scalar(sa.select(sa.func.count()).select_from(FollowUpComment)) == 1
        other = db.session.get(FollowUpItem, theirs["id"])
        assert other is not None and other.status.value == "open"


def test_editors_change_every_field(app: Flask, actors: Actors, api: ApiCaller) -> None:
    pilot = make(app, actors)
    item = _item(api, pilot)
    response = api.patch(
        "coordinator",
        f"/api/v1/follow-up-items/{item['id']}",
        json={"title": "Laajennus", "due_on": "2027-01-31", "status": "in_progress"},
    )
    assert response.status_code == 200
    assert (response.get_json()["title"], response.get_json()["due_on"]) == (
        "Laajennus",
        "2027-01-31",
    )
    assert (
        api.patch(
            "coordinator", f"/api/v1/follow-up-items/{item['id']}", json={"status": "later"}
        ).status_code
        == 422
    )
    assert api.patch("coordinator", "/api/v1/follow-up-items/999999", json={}).status_code == 404
