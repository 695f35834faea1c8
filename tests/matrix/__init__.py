"""The permission matrix: every route × every actor → the expected outcome.

Each feature keeps its rows in its own module here (`rows_<feature>.py`, a list `ROWS`);
`tests/test_permission_matrix.py` collects them all and fails when a route of the app has
no row. Outcomes: an HTTP status, or LOGIN for a redirect to the sign-in page.

Paths may name objects of the matrix world with placeholders: {pilot_a} (a pilot of vendor
A, vendor_user's vendor), {pilot_b} (vendor B's), {kpi_a}, {kpi_b}, {measurement_a},
{status_a}, {decision_a}, {vendor_a}, {vendor_b}, {user_council}, {token_a}, {code} (418, a
participant of both pilots) and {other_code} (091, in neither).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

LOGIN = "login"
ACTORS = (
    "anonymous",
    "council",
    "council_tied",
    "vendor_user",
    "other_vendor_user",
    "coordinator",
    "admin",
)


@dataclass(frozen=True)
class Row:
    """One route and method, the path to request, and what each actor gets."""

    rule: str
    method: str
    path: str
    expect: dict[str, int | str]
    form: dict[str, Any] | None = None
    json: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    # Bearer-token rows: each actor calls with its own API token instead of a session.
    bearer: bool = False

    def __post_init__(self) -> None:
        missing = set(ACTORS) - set(self.expect)
        if missing:
            raise ValueError(f"{self.method} {self.rule}: no expectation for {sorted(missing)}")


def outcomes(
    anonymous: int | str,
    council: int | str,
    council_tied: int | str,
    vendor_user: int | str,
    other_vendor_user: int | str,
    coordinator: int | str,
    admin: int | str,
) -> dict[str, int | str]:
    """Expectations in the fixed actor order (keyword-only to keep rows readable)."""
    return {
        "anonymous": anonymous,
        "council": council,
        "council_tied": council_tied,
        "vendor_user": vendor_user,
        "other_vendor_user": other_vendor_user,
        "coordinator": coordinator,
        "admin": admin,
    }


def everyone(status: int | str) -> dict[str, int | str]:
    """The same outcome for every actor."""
    return dict.fromkeys(ACTORS, status)
