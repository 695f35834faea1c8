"""Rows for planned gate meetings (web pages and API) and the pilot calendar with them.

World: {pilot_a} (vendor A's, piloting; 418 leads, 536 and 980 take part), {pilot_b} (vendor
B's) and {meeting_a}, {meeting_b}: a planned steering-group meeting at the midpoint gate on
each. Editors plan, move and cancel; every reader of the pilot sees its meetings. The
coordinator comes before the admin, so a cancelled meeting is gone (404) for the admin.
"""

from datetime import date, timedelta

from pilot_tracker.api.core import ID
from tests.matrix import LOGIN, Row, outcomes

V1 = "/api/v1"
SOON = (date.today() + timedelta(days=40)).isoformat()
MEETING = {"gate": "midpoint", "who": "", "body": "", "meets_on": SOON, "starts_at": "10:00"}
# Coordinators' forms: a vendor may see its pilot but not use them; another vendor gets 404.
EDIT_PAGE = outcomes(LOGIN, 403, 403, 403, 404, 200, 200)
EDIT_SAVE = outcomes(LOGIN, 403, 403, 403, 404, 302, 302)

ROWS = [
    Row("/pilots/<int:pilot_id>/meetings/new", "GET", "/pilots/{pilot_a}/meetings/new", EDIT_PAGE),
    Row(
        "/pilots/<int:pilot_id>/meetings/new",
        "POST",
        "/pilots/{pilot_a}/meetings/new",
        EDIT_SAVE,
        form=MEETING,
    ),
    Row(
        "/pilots/<int:pilot_id>/meetings/new",
        "POST",
        "/pilots/{pilot_b}/meetings/new",
        outcomes(LOGIN, 403, 403, 404, 403, 302, 302),
        form=MEETING,
    ),
    Row("/meetings/<int:meeting_id>/edit", "GET", "/meetings/{meeting_a}/edit", EDIT_PAGE),
    Row(
        "/meetings/<int:meeting_id>/edit",
        "POST",
        "/meetings/{meeting_a}/edit",
        EDIT_SAVE,
        form=MEETING,
    ),
    Row(
        "/meetings/<int:meeting_id>/edit",
        "GET",
        "/meetings/{meeting_b}/edit",
        outcomes(LOGIN, 403, 403, 404, 403, 200, 200),
    ),
    Row(
        "/meetings/<int:meeting_id>/cancel",
        "POST",
        "/meetings/{meeting_a}/cancel",
        outcomes(LOGIN, 403, 403, 403, 404, 302, 404),
        form={},
    ),
    Row(
        f"{V1}/pilots/<{ID}:pilot_id>/gate-meetings",
        "GET",
        f"{V1}/pilots/{{pilot_a}}/gate-meetings",
        outcomes(401, 200, 200, 200, 404, 200, 200),
        bearer=True,
    ),
    Row(
        f"{V1}/pilots/<{ID}:pilot_id>/gate-meetings",
        "POST",
        f"{V1}/pilots/{{pilot_a}}/gate-meetings",
        outcomes(401, 403, 403, 403, 404, 201, 201),
        json={"gate": "midpoint", "date": SOON},
        bearer=True,
    ),
    Row(
        f"{V1}/gate-meetings/<{ID}:meeting_id>",
        "PATCH",
        f"{V1}/gate-meetings/{{meeting_a}}",
        outcomes(401, 403, 403, 403, 404, 200, 200),
        json={"date": SOON, "time": "09:30"},
        bearer=True,
    ),
    Row(
        f"{V1}/gate-meetings/<{ID}:meeting_id>",
        "DELETE",
        f"{V1}/gate-meetings/{{meeting_b}}",
        outcomes(401, 403, 403, 404, 403, 204, 404),
        bearer=True,
    ),
]
