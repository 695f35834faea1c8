"""Rows for decision support (issue 9): similar pilots and the scale-up projection.

The pilot-form lookup is for those who create pilots; the projection's CSV follows the pilot
page (404 for a pilot the user may not see) and then shows portfolio figures only to readers
(403 for a vendor, even on its own pilot). The API's similar pilots are "as pilot"; its
projection is for coordinators, admins and councils (vendors 403 before any pilot lookup).
"""

from pilot_tracker.api.core import ID
from tests.matrix import LOGIN, Row, outcomes

V1 = "/api/v1"
EDITORS_200 = outcomes(LOGIN, 403, 403, 403, 403, 200, 200)

ROWS = [
    Row("/pilots/similar", "GET", "/pilots/similar?name=Matrix+pilot&summary=", EDITORS_200),
    Row(
        "/pilots/<int:pilot_id>/projection.csv",
        "GET",
        "/pilots/{pilot_a}/projection.csv?scope=national",
        outcomes(LOGIN, 200, 200, 403, 404, 200, 200),
    ),
    Row(
        "/pilots/<int:pilot_id>/projection.csv",
        "GET",
        "/pilots/{pilot_b}/projection.csv?codes=091",
        outcomes(LOGIN, 200, 200, 404, 403, 200, 200),
    ),
    Row(
        f"{V1}/pilots/<{ID}:pilot_id>/similar",
        "GET",
        f"{V1}/pilots/{{pilot_a}}/similar",
        outcomes(401, 200, 200, 200, 404, 200, 200),
        bearer=True,
    ),
    Row(
        f"{V1}/pilots/<{ID}:pilot_id>/projection",
        "GET",
        f"{V1}/pilots/{{pilot_a}}/projection?scope=region",
        outcomes(401, 200, 200, 403, 403, 200, 200),
        bearer=True,
    ),
    Row(
        f"{V1}/pilots/<{ID}:pilot_id>/projection",
        "GET",
        f"{V1}/pilots/{{pilot_b}}/projection?codes={{other_code}},049",
        outcomes(401, 200, 200, 403, 403, 200, 200),
        bearer=True,
    ),
]
