"""Rows for the main and auth blueprints (sign-in, sign-out, the profile)."""

from tests.factories import PASSWORD
from tests.matrix import LOGIN, Row, everyone, outcomes

SIGNED_IN_200 = outcomes(LOGIN, 200, 200, 200, 200, 200, 200)
SIGNED_IN_302 = outcomes(LOGIN, 302, 302, 302, 302, 302, 302)

ROWS = [
    Row("/", "GET", "/", outcomes(200, 302, 302, 302, 302, 302, 302)),
    Row("/healthz", "GET", "/healthz", everyone(200)),
    Row("/about", "GET", "/about", everyone(200)),
    Row("/accessibility", "GET", "/accessibility", everyone(200)),
    Row("/language", "POST", "/language", everyone(302), form={"lang": "sv", "next": "/about"}),
    Row("/login", "GET", "/login", outcomes(200, 302, 302, 302, 302, 302, 302)),
    Row(
        "/login",
        "POST",
        "/login",
        outcomes(200, 302, 302, 302, 302, 302, 302),
        form={"email": "nobody@example.com", "password": "wrong password!"},
    ),
    Row("/logout", "POST", "/logout", outcomes(LOGIN, 302, 302, 302, 302, 302, 302)),
    Row("/profile", "GET", "/profile", SIGNED_IN_200),
    Row("/profile", "POST", "/profile", SIGNED_IN_302, form={"name": "Matrix", "language": "en"}),
    Row(
        "/profile/password",
        "POST",
        "/profile/password",
        SIGNED_IN_302,
        form={
            "pw-current_password": PASSWORD,
            "pw-new_password": "matrix password 2026",
            "pw-confirm": "matrix password 2026",
        },
    ),
    Row("/profile/tokens", "POST", "/profile/tokens", SIGNED_IN_200, form={"token-name": "m"}),
    # {token_a} names no token of the caller: revoking someone else's token is a 404 too.
    Row(
        "/profile/tokens/<int:token_id>/revoke",
        "POST",
        "/profile/tokens/{token_a}/revoke",
        outcomes(LOGIN, 404, 404, 404, 404, 404, 404),
    ),
]
