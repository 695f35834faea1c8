"""Rows for the pilots blueprint: the list, the pilot page and every workflow on a pilot.

Order of `outcomes`: anonymous, council, council_tied, vendor_user (pilot_a is theirs),
other_vendor_user, coordinator, admin. A pilot a user may not see is 404 before any role
check, so the other vendor gets 404 even where the pilot's own vendor gets 403.
"""

from datetime import date

from tests.matrix import LOGIN, Row, outcomes

PILOT = "/pilots/<int:pilot_id>"
VIEW = outcomes(LOGIN, 200, 200, 200, 404, 200, 200)
EDIT_PAGE = outcomes(LOGIN, 403, 403, 403, 404, 200, 200)
REPORT_PAGE = outcomes(LOGIN, 403, 403, 200, 404, 200, 200)
# An empty or preview form is shown again (200) to those who may use it.
STATUS = {"rag": "green", "progress_percent": "50", "text": "Etenee.", "reported_on": ""}

ROWS = [
    Row("/pilots", "GET", "/pilots", outcomes(LOGIN, 200, 200, 200, 200, 200, 200)),
    Row(
        "/pilots",
        "GET",
        "/pilots?stale=yes&sort=net_cost&order=desc",
        outcomes(LOGIN, 200, 200, 200, 200, 200, 200),
    ),
    Row(PILOT, "GET", "/pilots/{pilot_a}", VIEW),
    Row(f"{PILOT}/history", "GET", "/pilots/{pilot_a}/history", VIEW),
    Row("/my-pilots", "GET", "/my-pilots", outcomes(LOGIN, 403, 403, 200, 200, 403, 403)),
    Row("/pilots/new", "GET", "/pilots/new", outcomes(LOGIN, 403, 403, 403, 403, 200, 200)),
    Row(
        "/pilots/new",
        "POST",
        "/pilots/new",
        outcomes(LOGIN, 403, 403, 403, 403, 200, 200),
        form={"action": "preview", "participants": ["418"]},
    ),
    Row(f"{PILOT}/edit", "GET", "/pilots/{pilot_a}/edit", EDIT_PAGE),
    Row(f"{PILOT}/edit", "POST", "/pilots/{pilot_a}/edit", EDIT_PAGE, form={"action": "search"}),
    Row(f"{PILOT}/kpis/new", "GET", "/pilots/{pilot_a}/kpis/new", EDIT_PAGE),
    Row(f"{PILOT}/kpis/new", "POST", "/pilots/{pilot_a}/kpis/new", EDIT_PAGE, form={}),
    Row(f"{PILOT}/measurements/new", "GET", "/pilots/{pilot_a}/measurements/new", REPORT_PAGE),
    Row(
        f"{PILOT}/measurements/new",
        "POST",
        "/pilots/{pilot_a}/measurements/new",
        REPORT_PAGE,
        form={"value": "1"},
    ),
    Row(f"{PILOT}/status/new", "GET", "/pilots/{pilot_a}/status/new", REPORT_PAGE),
    Row(
        f"{PILOT}/status/new",
        "POST",
        "/pilots/{pilot_a}/status/new",
        outcomes(LOGIN, 403, 403, 302, 404, 302, 302),
        form={**STATUS, "reported_on": date.today().isoformat()},
    ),
    Row(f"{PILOT}/decisions/new", "GET", "/pilots/{pilot_a}/decisions/new", EDIT_PAGE),
    Row(f"{PILOT}/decisions/new", "POST", "/pilots/{pilot_a}/decisions/new", EDIT_PAGE, form={}),
    Row(
        f"{PILOT}/delete",
        "GET",
        "/pilots/{pilot_a}/delete",
        outcomes(LOGIN, 403, 403, 403, 404, 403, 200),
    ),
    # The admin comes last among the actors, so the deletion does not hide the pilot from others.
    Row(
        f"{PILOT}/delete",
        "POST",
        "/pilots/{pilot_a}/delete",
        outcomes(LOGIN, 403, 403, 403, 404, 403, 302),
        form={},
    ),
]
