"""Rows for the in-app help: open to everyone."""

from tests.matrix import Row, everyone

ROWS = [
    Row("/help", "GET", "/help", everyone(200)),
    Row("/help/<name>", "GET", "/help/coordinator", everyone(200)),
    Row("/help/<name>", "GET", "/help/nobody", everyone(404)),
]
