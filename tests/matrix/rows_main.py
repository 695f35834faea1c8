"""Rows for the main and auth blueprints."""

from tests.matrix import Row, everyone, outcomes

ROWS = [
    Row("/", "GET", "/", outcomes(200, 302, 302, 302, 302, 302, 302)),
    Row("/healthz", "GET", "/healthz", everyone(200)),
    Row("/about", "GET", "/about", everyone(200)),
    Row("/language", "POST", "/language", everyone(302), form={"lang": "sv", "next": "/about"}),
    Row("/login", "GET", "/login", outcomes(200, 302, 302, 302, 302, 302, 302)),
    Row(
        "/login",
        "POST",
        "/login",
        outcomes(200, 302, 302, 302, 302, 302, 302),
        form={"email": "nobody@example.com", "password": "wrong password!"},
    ),
    Row("/logout", "POST", "/logout", outcomes("login", 302, 302, 302, 302, 302, 302)),
]
