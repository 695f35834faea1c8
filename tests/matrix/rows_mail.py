"""Rows for the mail blueprint: password links, reminder settings and unsubscribe, calendar
feeds, the outbox page. Secret-address routes are open to everyone (the secret is the proof),
so an unknown secret is 404 for every actor, signed in or not."""

from tests.matrix import LOGIN, Row, everyone, outcomes

SIGNED_IN_200 = outcomes(LOGIN, 200, 200, 200, 200, 200, 200)
SIGNED_IN_302 = outcomes(LOGIN, 302, 302, 302, 302, 302, 302)
# As the pilot page: vendors see only their own vendor's pilot.
PILOT_A = outcomes(LOGIN, 200, 200, 200, 404, 200, 200)
PILOT_B = outcomes(LOGIN, 200, 200, 404, 200, 200, 200)
UNKNOWN = "not-a-real-secret"

ROWS = [
    Row("/password/forgot", "GET", "/password/forgot", everyone(200)),
    Row(
        "/password/forgot",
        "POST",
        "/password/forgot",
        everyone(302),
        form={"email": "nobody@example.com"},
    ),
    Row("/account/<token>", "GET", f"/account/{UNKNOWN}", everyone(404)),
    Row(
        "/account/<token>",
        "POST",
        f"/account/{UNKNOWN}",
        everyone(404),
        form={"password": "matrix password 2026", "confirm": "matrix password 2026"},
    ),
    Row("/unsubscribe/<token>", "GET", f"/unsubscribe/{UNKNOWN}", everyone(404)),
    Row(
        "/unsubscribe/<token>",
        "POST",
        f"/unsubscribe/{UNKNOWN}",
        everyone(404),
        form={"List-Unsubscribe": "One-Click"},
    ),
    Row("/calendar/<token>.ics", "GET", f"/calendar/{UNKNOWN}.ics", everyone(404)),
    Row("/pilots/<int:pilot_id>/calendar.ics", "GET", "/pilots/{pilot_a}/calendar.ics", PILOT_A),
    Row("/pilots/<int:pilot_id>/calendar.ics", "GET", "/pilots/{pilot_b}/calendar.ics", PILOT_B),
    Row(
        "/profile/notifications",
        "POST",
        "/profile/notifications",
        SIGNED_IN_302,
        form={"notify-status_update": "weekly", "notify-review": "never"},
    ),
    Row("/profile/calendar", "POST", "/profile/calendar", SIGNED_IN_200),
    Row("/profile/calendar/revoke", "POST", "/profile/calendar/revoke", SIGNED_IN_302),
    Row("/admin/outbox", "GET", "/admin/outbox", outcomes(LOGIN, 403, 403, 403, 403, 403, 200)),
]
