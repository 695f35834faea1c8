"""Rows for the council features: the municipality directory and the municipality brief
(print and PDF); readers see them, vendors get 403."""

from tests.matrix import LOGIN, Row, outcomes

READERS_200 = outcomes(LOGIN, 200, 200, 403, 403, 200, 200)

ROWS = [
    Row("/municipalities", "GET", "/municipalities", READERS_200),
    Row("/municipalities", "GET", "/municipalities?q=hel", READERS_200),
]
