"""Rows for the council features: the municipality directory and the municipality brief
(PDF); readers see them, vendors get 403."""

from tests.matrix import LOGIN, Row, outcomes

READERS_200 = outcomes(LOGIN, 200, 200, 403, 403, 200, 200)
UNKNOWN_404 = outcomes(LOGIN, 404, 404, 403, 403, 404, 404)

ROWS = [
    Row("/municipalities", "GET", "/municipalities", READERS_200),
    Row("/municipalities", "GET", "/municipalities?q=hel", READERS_200),
    Row("/municipalities/<code>/brief.pdf", "GET", "/municipalities/{code}/brief.pdf", READERS_200),
    Row("/municipalities/<code>/brief.pdf", "GET", "/municipalities/999/brief.pdf", UNKNOWN_404),
]
