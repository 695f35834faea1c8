"""Rows for the JSON API (bearer tokens: each actor calls with its own; anonymous with none).

World: {pilot_a} is vendor A's (vendor_user's), piloting, version 1; {pilot_b} vendor B's.
Outcomes are checked in the order anonymous, council, council_tied, vendor_user,
other_vendor_user, coordinator, admin, in one transaction: what an earlier actor created
is still there for the later ones.
"""

from pilot_tracker.api.core import ID
from tests.matrix import Row, everyone, outcomes

V1 = "/api/v1"
PILOT = f"{V1}/pilots/<{ID}:pilot_id>"
KPI = f"{V1}/kpis/<{ID}:kpi_id>"
# As a pilot: vendors only their own; another vendor's is 404, exactly like a missing one.
AS_PILOT = outcomes(401, 200, 200, 200, 404, 200, 200)
NEW_PILOT = {
    "name": "Matrix new",
    "theme": "facility_booking",
    "lead_municipality": "418",
    "participants": ["418", "536"],
    "budget_eur": "1000.00",
}
STATUS = {"rag": "green", "progress_percent": 50, "text": "Etenee."}
KPI_BODY = {"name": "Säästö", "unit": "€", "baseline": "0", "target": 100, "direction": "increase"}
MEASUREMENT = {"date": "2025-06-01", "value": "12.5"}
DECISION = {
    "gate": "midpoint",
    "outcome": "continue",
    "date": "2025-06-01",
    "decided_by": "ohjausryhmä",
    "rationale": "Jatketaan.",
}

ROWS = [
    Row(
        f"{V1}/municipalities",
        "GET",
        f"{V1}/municipalities",
        outcomes(401, *[200] * 6),
        bearer=True,
    ),
    Row(
        f"{V1}/vendors",
        "GET",
        f"{V1}/vendors",
        outcomes(401, 200, 200, 403, 403, 200, 200),
        bearer=True,
    ),
    # The coordinator registers the vendor first, so the admin's identical request is refused
    # as a duplicate business ID (422): it got past the role check, which is what this tests.
    Row(
        f"{V1}/vendors",
        "POST",
        f"{V1}/vendors",
        outcomes(401, 403, 403, 403, 403, 201, 422),
        json={"name": "Matrix Oy", "business_id": "0204819-8"},
        bearer=True,
    ),
    Row(f"{V1}/pilots", "GET", f"{V1}/pilots", outcomes(401, *[200] * 6), bearer=True),
    Row(
        f"{V1}/pilots",
        "POST",
        f"{V1}/pilots",
        outcomes(401, 403, 403, 403, 403, 201, 201),
        json=NEW_PILOT,
        bearer=True,
    ),
    Row(PILOT, "GET", f"{V1}/pilots/{{pilot_a}}", AS_PILOT, bearer=True),
    # Renaming to the same name changes nothing, so the version stays 1 for the admin too.
    Row(
        PILOT,
        "PATCH",
        f"{V1}/pilots/{{pilot_a}}",
        outcomes(401, 403, 403, 403, 404, 200, 200),
        json={"version": 1, "name": "Matrix pilot a"},
        bearer=True,
    ),
    Row(
        PILOT,
        "DELETE",
        f"{V1}/pilots/{{pilot_a}}",
        outcomes(401, 403, 403, 403, 404, 403, 204),
        bearer=True,
    ),
    Row(
        f"{PILOT}/status-updates",
        "POST",
        f"{V1}/pilots/{{pilot_a}}/status-updates",
        outcomes(401, 403, 403, 201, 404, 201, 201),
        json=STATUS,
        bearer=True,
    ),
    Row(
        f"{PILOT}/status-updates",
        "GET",
        f"{V1}/pilots/{{pilot_a}}/status-updates",
        AS_PILOT,
        bearer=True,
    ),
    Row(
        f"{PILOT}/kpis",
        "POST",
        f"{V1}/pilots/{{pilot_a}}/kpis",
        outcomes(401, 403, 403, 403, 404, 201, 201),
        json=KPI_BODY,
        bearer=True,
    ),
    Row(f"{PILOT}/kpis", "GET", f"{V1}/pilots/{{pilot_a}}/kpis", AS_PILOT, bearer=True),
    Row(
        f"{KPI}/measurements",
        "POST",
        f"{V1}/kpis/{{kpi_a}}/measurements",
        outcomes(401, 403, 403, 201, 404, 201, 201),
        json=MEASUREMENT,
        bearer=True,
    ),
    Row(
        f"{PILOT}/decisions",
        "POST",
        f"{V1}/pilots/{{pilot_a}}/decisions",
        outcomes(401, 403, 403, 403, 404, 201, 201),
        json=DECISION,
        bearer=True,
    ),
    Row(f"{PILOT}/decisions", "GET", f"{V1}/pilots/{{pilot_a}}/decisions", AS_PILOT, bearer=True),
    Row(
        f"{V1}/portfolio/summary",
        "GET",
        f"{V1}/portfolio/summary",
        outcomes(401, 200, 200, 403, 403, 200, 200),
        bearer=True,
    ),
    Row(f"{V1}/public/pilots", "GET", f"{V1}/public/pilots", everyone(200), bearer=True),
    Row(f"{V1}/openapi.json", "GET", f"{V1}/openapi.json", everyone(200), bearer=True),
]
