"""Accounts: creating users, passwords, sign-in checks."""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash

from pilot_tracker.domain.enums import Role
from pilot_tracker.extensions import db
from pilot_tracker.models import Municipality, User, Vendor
from pilot_tracker.services import audit


class UserError(ValueError):
    """A user could not be created or changed; the message says why."""


def hash_password(password: str) -> str:
    """Hash with the configured method (scrypt in production)."""
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def password_problem(password: str) -> str | None:
    """Why a password is not acceptable, or None."""
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password) < minimum:
        return f"The password must be at least {minimum} characters long."
    if len(password) > 1024:
        return "The password is too long (at most 1024 characters)."
    return None


# Checked when no account matches, so a wrong e-mail costs as much time as a wrong password.
_DUMMY_HASH: dict[str, str] = {}


def authenticate(email: str, password: str) -> User | None:
    """The active user with this e-mail and password, or None (same cost either way)."""
    user = db.session.scalars(sa.select(User).where(User.email == email.strip().lower())).first()
    if user is None:
        method = current_app.config["PASSWORD_HASH_METHOD"]
        dummy = _DUMMY_HASH.setdefault(method, hash_password(secrets.token_hex(16)))
        check_password_hash(dummy, password)
        return None
    if not check_password_hash(user.password_hash, password) or not user.active:
        return None
    return user


def create_user(
    email: str,
    role: Role | str,
    password: str,
    *,
    name: str = "",
    municipality_code: str | None = None,
    vendor_id: int | None = None,
    commit: bool = True,
) -> User:
    """Create a user after checking the role's ties; audited."""
    email = email.strip().lower()
    try:
        role = Role(role)
    except ValueError as exc:
        raise UserError(f"Unknown role {role!r}; use one of {', '.join(Role)}.") from exc
    if "@" not in email or len(email) > 254:
        raise UserError(f"{email!r} is not an e-mail address.")
    problem = password_problem(password)
    if problem:
        raise UserError(problem)
    if db.session.scalars(sa.select(User.id).where(User.email == email)).first() is not None:
        raise UserError(f"A user with the e-mail {email} already exists.")
    if municipality_code is not None:
        if role != Role.COUNCIL:
            raise UserError("Only a council user can be tied to a municipality.")
        if db.session.get(Municipality, municipality_code) is None:
            raise UserError(f"No municipality has the code {municipality_code!r}.")
    if role == Role.VENDOR:
        if vendor_id is None:
            raise UserError("A vendor user must be tied to a vendor (--vendor ID).")
        if db.session.get(Vendor, vendor_id) is None:
            raise UserError(f"No vendor has the id {vendor_id}.")
    elif vendor_id is not None:
        raise UserError("Only a vendor user can be tied to a vendor.")
    user = User(
        email=email,
        name=name,
        role=role,
        password_hash=hash_password(password),
        municipality_code=municipality_code,
        vendor_id=vendor_id,
        active=True,
        session_nonce=secrets.token_hex(16),
    )
    db.session.add(user)
    db.session.flush()
    audit.record("create", "user", user.id, new=audit.row_values(user))
    if commit:
        db.session.commit()
    return user
