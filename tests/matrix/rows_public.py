"""Rows for the public open-data view: anyone, signed in or not."""

from tests.matrix import Row, everyone

ROWS = [
    Row("/public", "GET", "/public", everyone(200)),
]
