"""Rows for the dashboards blueprint: readers see dashboards, vendors none (403); the pilot
charts' CSVs follow the pilot page (a vendor's own pilot only, 404 otherwise)."""

from tests.matrix import LOGIN, Row, outcomes

READERS_200 = outcomes(LOGIN, 200, 200, 403, 403, 200, 200)
PILOT_A_200 = outcomes(LOGIN, 200, 200, 200, 404, 200, 200)
PILOT_B_200 = outcomes(LOGIN, 200, 200, 404, 200, 200, 200)

ROWS = [
    Row("/dashboard", "GET", "/dashboard", READERS_200),
    Row("/dashboard", "GET", "/dashboard?region=06&theme=facility_booking&year=2026", READERS_200),
    Row("/dashboard/data/<chart>.csv", "GET", "/dashboard/data/stages.csv", READERS_200),
    Row(
        "/dashboard/data/<chart>.csv",
        "GET",
        "/dashboard/data/nothing.csv",
        outcomes(LOGIN, 404, 404, 403, 403, 404, 404),
    ),
    Row("/municipalities/<code>", "GET", "/municipalities/{code}", READERS_200),
    Row("/municipalities/<code>", "GET", "/municipalities/{other_code}", READERS_200),
    Row(
        "/municipalities/<code>",
        "GET",
        "/municipalities/999",
        outcomes(LOGIN, 404, 404, 403, 403, 404, 404),
    ),
    Row(
        "/municipalities/<code>/data/<chart>.csv",
        "GET",
        "/municipalities/{code}/data/decisions-due.csv",
        READERS_200,
    ),
    Row(
        "/dashboard/pilots/<int:pilot_id>/data/<chart>.csv",
        "GET",
        "/dashboard/pilots/{pilot_a}/data/cost-shares.csv",
        PILOT_A_200,
    ),
    Row(
        "/dashboard/pilots/<int:pilot_id>/data/<chart>.csv",
        "GET",
        "/dashboard/pilots/{pilot_b}/data/kpi-{kpi_b}.csv",
        PILOT_B_200,
    ),
]
