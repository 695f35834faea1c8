"""Rows for a vendor's month in one form (issue 19, item 9): who may report on a pilot."""

from datetime import date

from tests.matrix import LOGIN, Row, outcomes

MONTHLY = "/pilots/<int:pilot_id>/monthly-report"
# The status update alone (no measurement entries): saved, then back home or to the pilot.
REPORT = {
    "rag": "green",
    "progress_percent": "50",
    "text": "Etenee.",
    "reported_on": date.today().isoformat(),
}

ROWS = [
    Row(
        MONTHLY,
        "GET",
        "/pilots/{pilot_a}/monthly-report",
        outcomes(LOGIN, 403, 403, 200, 404, 200, 200),
    ),
    Row(
        MONTHLY,
        "POST",
        "/pilots/{pilot_a}/monthly-report",
        outcomes(LOGIN, 403, 403, 302, 404, 302, 302),
        form=REPORT,
    ),
]
