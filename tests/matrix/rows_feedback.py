"""Rows for residents' feedback: the public pilot page with its form, short link and QR code,
the privacy notice, coordinators' moderation, and the API's summary and approved texts.

World: {pilot_a} is public (so its public page, form and QR code answer everyone); an
answer id that does not exist (999999) is a 404 for those who may moderate.
"""

from pilot_tracker.api.core import ID
from tests.matrix import LOGIN, Row, everyone, outcomes

V1 = "/api/v1"
PILOT = f"{V1}/pilots/<{ID}:pilot_id>"
MODERATORS = outcomes(LOGIN, 403, 403, 403, 403, 200, 200)

ROWS = [
    Row("/public/pilots/<int:pilot_id>", "GET", "/public/pilots/{pilot_a}", everyone(200)),
    # No token in the form: refused like any other refusal, for everyone alike.
    Row(
        "/public/pilots/<int:pilot_id>/feedback",
        "POST",
        "/public/pilots/{pilot_a}/feedback",
        everyone(422),
        form={"rating": "4", "municipality": "418"},
    ),
    Row("/f/<int:pilot_id>", "GET", "/f/{pilot_a}", everyone(302)),
    Row(
        "/public/pilots/<int:pilot_id>/qr.svg",
        "GET",
        "/public/pilots/{pilot_a}/qr.svg",
        everyone(200),
    ),
    Row("/privacy", "GET", "/privacy", everyone(200)),
    Row("/public/pilots.csv", "GET", "/public/pilots.csv", everyone(200)),
    Row("/public/dataset.jsonld", "GET", "/public/dataset.jsonld", everyone(200)),
    Row("/pilots/<int:pilot_id>/feedback", "GET", "/pilots/{pilot_a}/feedback", MODERATORS),
    Row(
        "/pilots/<int:pilot_id>/feedback/<int:feedback_id>/<action>",
        "POST",
        "/pilots/{pilot_a}/feedback/999999/approve",
        outcomes(LOGIN, 403, 403, 403, 403, 404, 404),
    ),
    Row(
        f"{PILOT}/feedback/summary",
        "GET",
        f"{V1}/pilots/{{pilot_a}}/feedback/summary",
        outcomes(401, 200, 200, 200, 404, 200, 200),
        bearer=True,
    ),
    Row(
        f"{PILOT}/feedback/texts",
        "GET",
        f"{V1}/pilots/{{pilot_a}}/feedback/texts",
        outcomes(401, 403, 403, 403, 404, 200, 200),
        bearer=True,
    ),
]
