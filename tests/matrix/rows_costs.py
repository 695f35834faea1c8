"""Rows for cost entries and billing (issue 17).

Cost entries are the councils' and coordinators': a vendor gets 404 for them even on its own
pilot (as if they did not exist) and 403 for billing. Coordinators and admins record,
correct and delete; councils read. Each row runs the actors in order in one world, so a
deleted entry is gone (404) for the admin after the coordinator.
"""

from pilot_tracker.api.core import ID
from tests.matrix import LOGIN, Row, outcomes

V1 = "/api/v1"
ENTRY = {"date": "2026-01-15", "amount_eur": "100.00", "kind": "vendor_invoice"}
FORM = {"entry_date": "2026-01-15", "amount": "100,00", "kind": "vendor_invoice"}

ROWS = [
    Row(
        "/pilots/<int:pilot_id>/costs/new",
        "GET",
        "/pilots/{pilot_a}/costs/new",
        outcomes(LOGIN, 403, 403, 404, 404, 200, 200),
    ),
    Row(
        "/pilots/<int:pilot_id>/costs/new",
        "POST",
        "/pilots/{pilot_a}/costs/new",
        outcomes(LOGIN, 403, 403, 404, 404, 302, 302),
        form=FORM,
    ),
    Row(
        "/costs/<int:cost_id>/edit",
        "GET",
        "/costs/{cost_a}/edit",
        outcomes(LOGIN, 403, 403, 404, 404, 200, 200),
    ),
    Row(
        "/costs/<int:cost_id>/edit",
        "POST",
        "/costs/{cost_a}/edit",
        outcomes(LOGIN, 403, 403, 404, 404, 302, 302),
        form=FORM,
    ),
    Row(
        "/costs/<int:cost_id>/delete",
        "POST",
        "/costs/{cost_b}/delete",
        outcomes(LOGIN, 403, 403, 404, 404, 302, 404),
        form={},
    ),
    Row(
        "/municipalities/<string:code>/billing",
        "GET",
        "/municipalities/{code}/billing",
        outcomes(LOGIN, 200, 200, 403, 403, 200, 200),
    ),
    Row(
        "/municipalities/<string:code>/billing.csv",
        "GET",
        "/municipalities/{code}/billing.csv",
        outcomes(LOGIN, 200, 200, 403, 403, 200, 200),
    ),
    Row(
        "/municipalities/<string:code>/billing.xlsx",
        "GET",
        "/municipalities/{code}/billing.xlsx",
        outcomes(LOGIN, 200, 200, 403, 403, 200, 200),
    ),
    Row(
        f"{V1}/pilots/<{ID}:pilot_id>/costs",
        "GET",
        f"{V1}/pilots/{{pilot_a}}/costs",
        outcomes(401, 200, 200, 404, 404, 200, 200),
        bearer=True,
    ),
    Row(
        f"{V1}/pilots/<{ID}:pilot_id>/costs",
        "POST",
        f"{V1}/pilots/{{pilot_a}}/costs",
        outcomes(401, 403, 403, 404, 404, 201, 201),
        json=ENTRY,
        bearer=True,
    ),
    Row(
        f"{V1}/costs/<{ID}:cost_id>",
        "PATCH",
        f"{V1}/costs/{{cost_a}}",
        outcomes(401, 403, 403, 404, 404, 200, 200),
        json={"reference": "korjattu"},
        bearer=True,
    ),
    Row(
        f"{V1}/costs/<{ID}:cost_id>",
        "DELETE",
        f"{V1}/costs/{{cost_b}}",
        outcomes(401, 403, 403, 404, 404, 204, 404),
        bearer=True,
    ),
    Row(
        f"{V1}/municipalities/<string:code>/billing",
        "GET",
        f"{V1}/municipalities/{{code}}/billing",
        outcomes(401, 200, 200, 403, 403, 200, 200),
        bearer=True,
    ),
]
