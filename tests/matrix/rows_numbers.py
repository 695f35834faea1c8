"""Rows for the municipality summary and what is due (issue 13): the summary is for readers
(vendors 403, an unknown code 404); GET /due answers every signed-in user, scoped."""

from tests.matrix import Row, outcomes

V1 = "/api/v1"

ROWS = [
    Row(
        f"{V1}/municipalities/<code>/summary",
        "GET",
        f"{V1}/municipalities/{{code}}/summary",
        outcomes(401, 200, 200, 403, 403, 200, 200),
        bearer=True,
    ),
    Row(
        f"{V1}/municipalities/<code>/summary",
        "GET",
        f"{V1}/municipalities/999/summary",
        outcomes(401, 404, 404, 403, 403, 404, 404),
        bearer=True,
    ),
    Row(f"{V1}/due", "GET", f"{V1}/due", outcomes(401, *[200] * 6), bearer=True),
    Row(
        f"{V1}/due",
        "GET",
        f"{V1}/due?municipality={{code}}",
        outcomes(401, *[200] * 6),
        bearer=True,
    ),
    Row(
        f"{V1}/due",
        "GET",
        f"{V1}/due?municipality=4",
        outcomes(401, *[422] * 6),
        bearer=True,
    ),
]
