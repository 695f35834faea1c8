"""Rows for municipal decisions and the follow-up plan (web pages and API).

World: {pilot_a} (vendor A's, piloting; 418 leads, 536 and 980 take part) and {item_a}, a
follow-up item of pilot A owned by vendor A; {item_b} likewise of pilot B.
"""

from pilot_tracker.api.core import ID
from tests.matrix import LOGIN, Row, outcomes

V1 = "/api/v1"
PILOT = f"{V1}/pilots/<{ID}:pilot_id>"
AS_PILOT = outcomes(401, 200, 200, 200, 404, 200, 200)
EDITORS_201 = outcomes(401, 403, 403, 403, 404, 201, 201)

WEB_PILOT = "/pilots/<int:pilot_id>"
# Coordinators' forms: a vendor may see its pilot but not use them; another vendor gets 404.
EDIT_PAGE = outcomes(LOGIN, 403, 403, 403, 404, 200, 200)

ROWS = [
    Row(
        f"{WEB_PILOT}/municipal-decisions/new",
        "GET",
        "/pilots/{pilot_a}/municipal-decisions/new",
        EDIT_PAGE,
    ),
    Row(
        f"{WEB_PILOT}/municipal-decisions/new",
        "POST",
        "/pilots/{pilot_a}/municipal-decisions/new",
        EDIT_PAGE,
        form={},
    ),
    Row(f"{WEB_PILOT}/follow-up/new", "GET", "/pilots/{pilot_a}/follow-up/new", EDIT_PAGE),
    Row(
        f"{WEB_PILOT}/follow-up/new", "POST", "/pilots/{pilot_a}/follow-up/new", EDIT_PAGE, form={}
    ),
    Row(f"{WEB_PILOT}/lessons/new", "GET", "/pilots/{pilot_a}/lessons/new", EDIT_PAGE),
    Row(f"{WEB_PILOT}/lessons/new", "POST", "/pilots/{pilot_a}/lessons/new", EDIT_PAGE, form={}),
    # The proposal shows costs: readers only; the pilot's vendor 403, another vendor 404.
    Row(
        f"{WEB_PILOT}/proposal/<code>",
        "GET",
        "/pilots/{pilot_a}/proposal/418",
        outcomes(LOGIN, 200, 200, 403, 404, 200, 200),
    ),
    Row(
        f"{WEB_PILOT}/proposal/<code>.pdf",
        "GET",
        "/pilots/{pilot_a}/proposal/418.pdf",
        outcomes(LOGIN, 200, 200, 403, 404, 200, 200),
    ),
    # The pilot's vendor works on the items it owns; the others of its pilot are 403.
    Row(
        "/follow-up/<int:item_id>",
        "POST",
        "/follow-up/{item_a}",
        outcomes(LOGIN, 403, 403, 302, 404, 302, 302),
        form={"status": "in_progress"},
    ),
    Row(
        f"{PILOT}/municipal-decisions",
        "GET",
        f"{V1}/pilots/{{pilot_a}}/municipal-decisions",
        AS_PILOT,
        bearer=True,
    ),
    Row(
        f"{PILOT}/municipal-decisions",
        "POST",
        f"{V1}/pilots/{{pilot_a}}/municipal-decisions",
        EDITORS_201,
        json={
            "municipality": "536",
            "gate": "midpoint",
            "outcome": "go",
            "body": "board",
            "date": "2025-06-01",
        },
        bearer=True,
    ),
    Row(
        f"{PILOT}/follow-up-items",
        "GET",
        f"{V1}/pilots/{{pilot_a}}/follow-up-items",
        AS_PILOT,
        bearer=True,
    ),
    Row(
        f"{PILOT}/follow-up-items",
        "POST",
        f"{V1}/pilots/{{pilot_a}}/follow-up-items",
        EDITORS_201,
        json={"title": "Matrix item", "owner": {"kind": "coordinator"}},
        bearer=True,
    ),
    # The pilot's vendor may set the status of its own item; another vendor gets 404.
    Row(
        f"{V1}/follow-up-items/<{ID}:item_id>",
        "PATCH",
        f"{V1}/follow-up-items/{{item_a}}",
        outcomes(401, 403, 403, 200, 404, 200, 200),
        json={"status": "in_progress"},
        bearer=True,
    ),
]
