"""Rows for the admin blueprint: users for admins, vendors for coordinators and admins."""

from tests.matrix import LOGIN, Row, outcomes

ADMIN_ONLY_200 = outcomes(LOGIN, 403, 403, 403, 403, 403, 200)
ADMIN_ONLY_302 = outcomes(LOGIN, 403, 403, 403, 403, 403, 302)
EDITORS_200 = outcomes(LOGIN, 403, 403, 403, 403, 200, 200)
EDITORS_302 = outcomes(LOGIN, 403, 403, 403, 403, 302, 302)
USER = "/admin/users/{user_council}"

ROWS = [
    Row("/admin/users", "GET", "/admin/users", ADMIN_ONLY_200),
    Row("/admin/users/new", "GET", "/admin/users/new", ADMIN_ONLY_200),
    Row(
        "/admin/users/new",
        "POST",
        "/admin/users/new",
        ADMIN_ONLY_302,
        form={
            "email": "matrix-new@example.com",
            "name": "Matrix",
            "role": "council",
            "municipality_code": "",
            "vendor_id": "",
            "password": "matrix password 2026",
            "confirm": "matrix password 2026",
        },
    ),
    Row("/admin/users/<int:user_id>", "GET", USER, ADMIN_ONLY_200),
    Row(
        "/admin/users/<int:user_id>",
        "POST",
        USER,
        ADMIN_ONLY_302,
        form={"name": "Council", "role": "council", "municipality_code": "091", "vendor_id": ""},
    ),
    Row("/admin/users/<int:user_id>/deactivate", "POST", USER + "/deactivate", ADMIN_ONLY_302),
    Row("/admin/users/<int:user_id>/reactivate", "POST", USER + "/reactivate", ADMIN_ONLY_302),
    Row(
        "/admin/users/<int:user_id>/password",
        "POST",
        USER + "/password",
        ADMIN_ONLY_302,
        form={"reset-password": "matrix password 2026", "reset-confirm": "matrix password 2026"},
    ),
    Row("/admin/vendors", "GET", "/admin/vendors", EDITORS_200),
    Row("/admin/vendors/new", "GET", "/admin/vendors/new", EDITORS_200),
    # An invalid check digit: editors get the form back with the error, nothing is saved.
    Row(
        "/admin/vendors/new",
        "POST",
        "/admin/vendors/new",
        EDITORS_200,
        form={"name": "Matrix Oy", "business_id": "0201256-5", "contact_email": ""},
    ),
    Row("/admin/vendors/<int:vendor_id>", "GET", "/admin/vendors/{vendor_a}", EDITORS_200),
    Row(
        "/admin/vendors/<int:vendor_id>",
        "POST",
        "/admin/vendors/{vendor_a}",
        EDITORS_302,
        form={"name": "Vendor A Oy", "business_id": "0201256-6", "contact_email": ""},
    ),
]
