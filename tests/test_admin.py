"""Admin pages: users (create, role and ties, deactivate, reset password) and vendors."""

from __future__ import annotations

import re
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from pilot_tracker.domain.enums import Role
from pilot_tracker.extensions import db
from pilot_tracker.models import AuditEntry, OutboxMessage, User, Vendor
from pilot_tracker.services import users as user_service
from pilot_tracker.services import vendors as vendor_service
from pilot_tracker.services.pilots import PilotValidationError
from tests.conftest import Actors, csrf_token, login_as
from tests.factories import PASSWORD, make_user

NEW_PASSWORD = "a brand new password"


def as_admin(client: FlaskClient, actors: Actors) -> FlaskClient:
    client.set_cookie("lang", "en")
    return login_as(client, actors.admin)


def post(client: FlaskClient, path: str, data: dict[str, Any]) -> Any:
    """Post a form with a CSRF token, as the browser would."""
    return client.post(path, data={"csrf_token": csrf_token(client, "/profile"), **data})


def audit_entries(app: Flask, entity: str, entity_id: int) -> list[AuditEntry]:
    with app.app_context():
        return list(
            db.session.scalars(
                sa.select(AuditEntry)
                .where(AuditEntry.entity == entity, AuditEntry.entity_id == str(entity_id))
                .order_by(AuditEntry.id)
            )
        )


def load_user(app: Flask, user_id: int) -> User:
    with app.app_context():
        user = db.session.get(User, user_id)
        assert user is not None
        return user


def user_form(**overrides: str) -> dict[str, str]:
    form = {"name": "", "role": "council", "municipality_code": "", "vendor_id": ""}
    form.update(overrides)
    return form


# --- users -------------------------------------------------------------------------------


def test_admin_creates_a_user_who_is_invited_to_choose_a_password_and_an_audit_entry(
    app: Flask, client: FlaskClient, actors: Actors
) -> None:
    as_admin(client, actors)
    response = post(
        client,
        "/admin/users/new",
        {
            "email": "Uusi.Kayttaja@Example.com",
            "name": "Uusi Käyttäjä",
            "role": "vendor",
            "municipality_code": "",
            "vendor_id": str(actors.vendor_b.id),
            # Ignored: the admin no longer sets (or sees) the password.
            "password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    with app.app_context():
        user = db.session.scalars(
            sa.select(User).where(User.email == "uusi.kayttaja@example.com")
        ).one()
        assert (user.role, user.vendor_id, user.name) == (
            Role.VENDOR,
            actors.vendor_b.id,
            "Uusi Käyttäjä",
        )
        assert user_service.authenticate("uusi.kayttaja@example.com", NEW_PASSWORD) is None
        [invitation] = db.session.scalars(
            sa.select(OutboxMessage).where(OutboxMessage.recipient == user.email)
        ).all()
        assert invitation.kind == "invitation" and "/account/" in invitation.body_text
    [entry] = audit_entries(app, "user", user.id)
    assert entry.action == "create" and entry.actor_email == "admin@example.com"
    assert entry.new["role"] == "vendor" and entry.new["vendor_id"] == actors.vendor_b.id
    assert "password_hash" not in entry.new and "session_nonce" not in entry.new


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"role": "vendor"}, "A vendor user must be tied to a vendor."),
        ({"municipality_code": "418", "role": "coordinator"}, "Only a council user"),
        ({"email": "admin@example.com"}, "already exists"),
        ({"email": "not-an-address"}, "not-an-address is not an e-mail address."),
    ],
)
def test_user_creation_refusals_are_shown_next_to_the_field_and_save_nothing(
    app: Flask, client: FlaskClient, actors: Actors, overrides: dict[str, str], message: str
) -> None:
    as_admin(client, actors)
    with app.app_context():
        before = db.session.scalar(sa.select(sa.func.count(User.id)))
    form = {
        "email": "candidate@example.com",
        "role": "council",
        "municipality_code": "",
        "vendor_id": "",
        **overrides,
    }
    response = post(client, "/admin/users/new", form)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert re.search(r'<p class="error" id="[a-z_]+-error">[^<]*' + re.escape(message), html)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(User.id))) == before


def test_admin_ties_a_council_user_to_a_municipality_with_old_and_new_values_audited(
    app: Flask, client: FlaskClient, actors: Actors
) -> None:
    as_admin(client, actors)
    path = f"/admin/users/{actors.council.id}"
    response = post(client, path, user_form(name="Valtuutettu", municipality_code="091"))
    assert response.status_code == 302
    assert load_user(app, actors.council.id).municipality_code == "091"
    entry = audit_entries(app, "user", actors.council.id)[-1]
    assert entry.action == "update" and entry.actor_email == "admin@example.com"
    assert entry.old == {"municipality_code": None, "name": ""}
    assert entry.new == {"municipality_code": "091", "name": "Valtuutettu"}
    assert "Municipality: 091" in client.get(path).get_data(as_text=True)  # the history


def test_admin_moves_a_vendor_user_to_another_vendor(
    app: Flask, client: FlaskClient, actors: Actors
) -> None:
    as_admin(client, actors)
    path = f"/admin/users/{actors.vendor_user.id}"
    response = post(client, path, user_form(role="vendor", vendor_id=str(actors.vendor_b.id)))
    assert response.status_code == 302
    assert load_user(app, actors.vendor_user.id).vendor_id == actors.vendor_b.id
    entry = audit_entries(app, "user", actors.vendor_user.id)[-1]
    assert entry.old == {"vendor_id": actors.vendor_a.id}
    assert entry.new == {"vendor_id": actors.vendor_b.id}


def test_changing_a_vendor_user_to_coordinator_requires_dropping_the_vendor(
    app: Flask, client: FlaskClient, actors: Actors
) -> None:
    as_admin(client, actors)
    path = f"/admin/users/{actors.vendor_user.id}"
    kept = post(client, path, user_form(role="coordinator", vendor_id=str(actors.vendor_a.id)))
    assert kept.status_code == 200
    assert "Only a vendor user can be tied to a vendor." in kept.get_data(as_text=True)
    assert load_user(app, actors.vendor_user.id).role == Role.VENDOR
    dropped = post(client, path, user_form(role="coordinator"))
    assert dropped.status_code == 302
    user = load_user(app, actors.vendor_user.id)
    assert (user.role, user.vendor_id) == (Role.COORDINATOR, None)


def test_an_admin_cannot_remove_their_own_admin_role(
    app: Flask, client: FlaskClient, actors: Actors
) -> None:
    as_admin(client, actors)
    before = len(audit_entries(app, "user", actors.admin.id))
    response = post(client, f"/admin/users/{actors.admin.id}", user_form(role="coordinator"))
    assert response.status_code == 200
    assert "You cannot remove your own administrator role." in response.get_data(as_text=True)
    assert load_user(app, actors.admin.id).role == Role.ADMIN
    assert len(audit_entries(app, "user", actors.admin.id)) == before


def test_an_admin_can_demote_another_admin(app: Flask, client: FlaskClient, actors: Actors) -> None:
    with app.app_context():
        other = make_user(Role.ADMIN, email="admin2@example.com")
    as_admin(client, actors)
    response = post(client, f"/admin/users/{other.id}", user_form(role="coordinator"))
    assert response.status_code == 302
    assert load_user(app, other.id).role == Role.COORDINATOR


def test_deactivation_ends_the_users_sessions_and_is_audited(
    app: Flask, client: FlaskClient, actors: Actors
) -> None:
    victim = login_as(app.test_client(), actors.vendor_user)
    assert victim.get("/profile").status_code == 200
    as_admin(client, actors)
    response = post(client, f"/admin/users/{actors.vendor_user.id}/deactivate", {})
    assert response.status_code == 302
    assert load_user(app, actors.vendor_user.id).active is False
    ended = victim.get("/profile")
    assert ended.status_code == 302 and "/login" in ended.headers["Location"]
    entry = audit_entries(app, "user", actors.vendor_user.id)[-1]
    assert (entry.old, entry.new) == ({"active": True}, {"active": False})
    assert "Deactivated" in client.get("/admin/users").get_data(as_text=True)

    response = post(client, f"/admin/users/{actors.vendor_user.id}/reactivate", {})
    assert response.status_code == 302
    assert load_user(app, actors.vendor_user.id).active is True
    entry = audit_entries(app, "user", actors.vendor_user.id)[-1]
    assert (entry.old, entry.new) == ({"active": False}, {"active": True})


def test_an_admin_cannot_deactivate_themselves(
    app: Flask, client: FlaskClient, actors: Actors
) -> None:
    as_admin(client, actors)
    response = post(client, f"/admin/users/{actors.admin.id}/deactivate", {})
    assert response.status_code == 302
    assert load_user(app, actors.admin.id).active is True
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "You cannot deactivate your own account." in page


def test_password_reset_by_an_admin_sends_a_link_and_keeps_the_password(
    app: Flask, client: FlaskClient, actors: Actors
) -> None:
    as_admin(client, actors)
    response = post(client, f"/admin/users/{actors.council.id}/password", {})
    assert response.status_code == 302
    with app.app_context():
        assert user_service.authenticate("council@example.com", PASSWORD) is not None
        [message] = db.session.scalars(
            sa.select(OutboxMessage).where(OutboxMessage.recipient == "council@example.com")
        ).all()
        assert message.kind == "password_reset" and "/account/" in message.body_text
    entry = audit_entries(app, "user", actors.council.id)[-1]
    assert entry.action == "reset_link" and entry.actor_email == "admin@example.com"


def test_user_list_is_paginated_and_filterable(
    app: Flask, client: FlaskClient, actors: Actors
) -> None:
    with app.app_context():
        for n in range(50):
            make_user(Role.COUNCIL, email=f"bulk{n:02d}@example.com")
    as_admin(client, actors)
    first = client.get("/admin/users").get_data(as_text=True)
    second = client.get("/admin/users?page=2").get_data(as_text=True)
    rows = re.compile(r'<th scope="row"><a href="/admin/users/\d+">')
    assert len(rows.findall(first)) == 50
    assert len(rows.findall(second)) == 6  # 56 users in all
    assert "Page 1 of 2" in first and 'rel="next"' in first
    vendors = client.get("/admin/users?role=vendor").get_data(as_text=True)
    assert len(rows.findall(vendors)) == 2 and "Vendor A Oy" in vendors
    found = client.get("/admin/users?q=BULK07").get_data(as_text=True)
    assert len(rows.findall(found)) == 1 and "bulk07@example.com" in found


def test_unknown_user_is_404(client: FlaskClient, actors: Actors) -> None:
    as_admin(client, actors)
    assert client.get("/admin/users/999999").status_code == 404


# --- vendors -----------------------------------------------------------------------------


def test_coordinator_registers_a_vendor_with_a_normalised_business_id(
    app: Flask, client: FlaskClient, actors: Actors
) -> None:
    login_as(client, actors.coordinator)
    response = post(
        client,
        "/admin/vendors/new",
        {"name": " Kuntadigi Oy ", "business_id": "2077474 – 0", "contact_email": "info@kd.fi"},
    )
    assert response.status_code == 302
    with app.app_context():
        vendor = db.session.scalars(sa.select(Vendor).where(Vendor.name == "Kuntadigi Oy")).one()
        assert (vendor.business_id, vendor.contact_email) == ("2077474-0", "info@kd.fi")
    [entry] = audit_entries(app, "vendor", vendor.id)
    assert entry.action == "create" and entry.actor_email == "coordinator@example.com"
    assert entry.new["business_id"] == "2077474-0"
    assert "Kuntadigi Oy" in client.get("/admin/vendors").get_data(as_text=True)


@pytest.mark.parametrize(
    ("business_id", "message"),
    [
        ("0201256-5", "The check digit of 0201256-5 does not match"),
        ("1234", "seven digits, a hyphen and a check digit"),
        ("0101263-6", "Another vendor already has the business ID 0101263-6"),
        ("", "This field is required."),
    ],
)
def test_vendor_with_a_bad_business_id_is_refused_next_to_the_field(
    app: Flask, client: FlaskClient, actors: Actors, business_id: str, message: str
) -> None:
    as_admin(client, actors)
    with app.app_context():
        before = db.session.scalar(sa.select(sa.func.count(Vendor.id)))
    response = post(client, "/admin/vendors/new", {"name": "Uusi Oy", "business_id": business_id})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert re.search(r'<p class="error" id="business_id-error">[^<]*' + re.escape(message), html)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Vendor.id))) == before


def test_editing_a_vendor_records_old_and_new_values(
    app: Flask, client: FlaskClient, actors: Actors
) -> None:
    login_as(client, actors.coordinator)
    path = f"/admin/vendors/{actors.vendor_a.id}"
    assert "0201256-6" in client.get(path).get_data(as_text=True)
    response = post(
        client,
        path,
        {"name": "Vendor A Oyj", "business_id": "0201256-6", "contact_email": "uusi@a.fi"},
    )
    assert response.status_code == 302
    entry = audit_entries(app, "vendor", actors.vendor_a.id)[-1]
    assert entry.action == "update"
    assert entry.old["name"] == "Vendor A Oy" and set(entry.old) == {"contact_email", "name"}
    assert entry.new == {"contact_email": "uusi@a.fi", "name": "Vendor A Oyj"}


def test_vendor_cannot_take_another_vendors_business_id(
    app: Flask, client: FlaskClient, actors: Actors
) -> None:
    as_admin(client, actors)
    response = post(
        client,
        f"/admin/vendors/{actors.vendor_a.id}",
        {"name": "Vendor A Oy", "business_id": actors.vendor_b.business_id},
    )
    assert response.status_code == 200
    with app.app_context():
        assert db.session.get(Vendor, actors.vendor_a.id).business_id == "0201256-6"


def test_vendor_list_is_paginated_and_searchable(
    app: Flask, client: FlaskClient, actors: Actors
) -> None:
    with app.app_context():
        for n in range(51):
            db.session.add(Vendor(name=f"Bulk {n:02d} Oy", business_id=f"B{n:07d}"[:9]))
        db.session.commit()
    login_as(client, actors.coordinator)
    first = client.get("/admin/vendors").get_data(as_text=True)
    rows = re.compile(r'<th scope="row"><a href="/admin/vendors/\d+">')
    assert len(rows.findall(first)) == 50
    assert len(rows.findall(client.get("/admin/vendors?page=2").get_data(as_text=True))) == 3
    found = client.get("/admin/vendors?q=0101263").get_data(as_text=True)
    assert len(rows.findall(found)) == 1 and "Vendor B Oy" in found


def test_vendor_service_is_usable_without_a_request(app: Flask) -> None:
    with app.app_context():
        vendor = vendor_service.create_vendor("Palvelu Oy", "0827616-7", None)
        assert vendor.id is not None
        with pytest.raises(PilotValidationError) as caught:
            vendor_service.create_vendor("Toinen Oy", "0827616-7")
        assert "0827616-7" in caught.value.errors["business_id"][0]


def test_no_audit_entry_ever_holds_a_secret(
    app: Flask, client: FlaskClient, actors: Actors
) -> None:
    as_admin(client, actors)
    post(
        client,
        f"/admin/users/{actors.council.id}/password",
        {"reset-password": NEW_PASSWORD, "reset-confirm": NEW_PASSWORD},
    )
    post(client, f"/admin/users/{actors.council.id}/deactivate", {})
    with app.app_context():
        entries = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.entity == "user")).all()
        hashes = {u.password_hash for u in db.session.scalars(sa.select(User))}
    text = " ".join(f"{e.old} {e.new}" for e in entries)
    assert entries and "password_hash" not in text and "session_nonce" not in text
    assert not any(h in text for h in hashes)
