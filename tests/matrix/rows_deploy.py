"""Rows for the routes of the deployment work (web/policy.py): the favicon."""

from tests.matrix import Row, everyone

ROWS = [
    Row("/favicon.ico", "GET", "/favicon.ico", everyone(200)),
]
