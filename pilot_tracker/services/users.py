"""Accounts: creating and changing users, passwords, sign-in checks.

Every change is audited with its old and new values (never the password hash or the session
nonce). Users are never deleted: deactivating one ends all their sessions and API access
while keeping their name on everything they did.
"""

from __future__ import annotations

import secrets
from typing import Any

import sqlalchemy as sa
from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash

from pilot_tracker.domain.email import normalise_email
from pilot_tracker.domain.enums import Role
from pilot_tracker.domain.errors import Message
from pilot_tracker.extensions import db
from pilot_tracker.models import Municipality, User, Vendor
from pilot_tracker.services import audit
from pilot_tracker.services.pilots import PilotValidationError

LANGUAGES = ("fi", "sv", "en")
MAX_NAME = 200


class UserError(PilotValidationError):
    """A user could not be created or changed; `errors` names the field of each message."""

    def __init__(self, errors: dict[str, list[str]] | str, field: str = "form") -> None:
        super().__init__({field: [errors]} if isinstance(errors, str) else errors)

    def __str__(self) -> str:
        return " ".join(message for messages in self.errors.values() for message in messages)


def hash_password(password: str) -> str:
    """Hash with the configured method (scrypt in production)."""
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def password_problem(password: str) -> str | None:
    """Why a password is not acceptable, or None."""
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password) < minimum:
        return Message("password_too_short", minimum=minimum)
    if len(password) > 1024:
        return Message("password_too_long")
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


def _new_nonce() -> str:
    return secrets.token_hex(16)


def _tie_errors(
    role: Role, municipality_code: str | None, vendor_id: int | None
) -> dict[str, list[str]]:
    """What is wrong with a role's ties: only council users have a municipality, and vendor
    users, and only they, have a vendor."""
    errors: dict[str, list[str]] = {}
    if municipality_code is not None:
        if role != Role.COUNCIL:
            errors["municipality_code"] = [Message("municipality_only_for_council")]
        elif db.session.get(Municipality, municipality_code) is None:
            errors["municipality_code"] = [Message("no_such_municipality", code=municipality_code)]
    if role == Role.VENDOR:
        if vendor_id is None:
            errors["vendor_id"] = [Message("vendor_user_needs_vendor")]
        elif db.session.get(Vendor, vendor_id) is None:
            errors["vendor_id"] = [Message("no_such_vendor", id=vendor_id)]
    elif vendor_id is not None:
        errors["vendor_id"] = [Message("vendor_only_for_vendor_user")]
    return errors


def _role(value: Role | str) -> Role:
    try:
        return Role(value)
    except ValueError as exc:
        raise UserError(
            Message("unknown_role", role=value, roles=", ".join(Role)),
            "role",
        ) from exc


def create_user(
    email: str,
    role: Role | str,
    password: str | None,
    *,
    name: str = "",
    municipality_code: str | None = None,
    vendor_id: int | None = None,
    commit: bool = True,
) -> User:
    """Create a user after checking the e-mail, the password and the role's ties; audited.

    `password=None` (an invitation): the account gets a random password nobody knows, and
    the person sets their own through the invitation link.
    """
    email = email.strip().lower()
    name = (name or "").strip()
    role = _role(role)
    errors: dict[str, list[str]] = {}
    if normalise_email(email) is None:
        errors["email"] = [Message("email_invalid", email=email)]
    elif db.session.scalars(sa.select(User.id).where(User.email == email)).first() is not None:
        errors["email"] = [Message("email_taken", email=email)]
    problem = password_problem(password) if password is not None else None
    if problem:
        errors["password"] = [problem]
    if len(name) > MAX_NAME:
        errors["name"] = [Message("name_too_long_max", max=MAX_NAME)]
    errors.update(_tie_errors(role, municipality_code, vendor_id))
    if errors:
        raise UserError(errors)
    user = User(
        email=email,
        name=name,
        role=role,
        password_hash=hash_password(password if password is not None else secrets.token_hex(32)),
        municipality_code=municipality_code,
        vendor_id=vendor_id,
        active=True,
        session_nonce=_new_nonce(),
    )
    db.session.add(user)
    db.session.flush()
    audit.record("create", "user", user.id, new=audit.row_values(user))
    if commit:
        db.session.commit()
    return user


def _save_change(user: User, old: dict[str, Any], commit: bool) -> None:
    db.session.flush()
    audit.record("update", "user", user.id, old=old, new=audit.row_values(user))
    if commit:
        db.session.commit()


def update_user(
    user: User,
    *,
    actor: User | None,
    name: str,
    role: Role | str,
    municipality_code: str | None = None,
    vendor_id: int | None = None,
    commit: bool = True,
) -> User:
    """Change a user's name, role and ties; refuses to let an admin demote themselves."""
    role = _role(role)
    name = (name or "").strip()
    errors = _tie_errors(role, municipality_code, vendor_id)
    if len(name) > MAX_NAME:
        errors["name"] = [Message("name_too_long_max", max=MAX_NAME)]
    if actor is not None and actor.id == user.id and user.role == Role.ADMIN and role != Role.ADMIN:
        errors["role"] = [Message("own_admin_role")]
    if errors:
        raise UserError(errors)
    old = audit.row_values(user)
    user.name = name
    user.role = role
    user.municipality_code = municipality_code
    if role != Role.COUNCIL:
        user.home_municipality_code = None  # a home is a council member's choice only
    user.vendor_id = vendor_id
    _save_change(user, old, commit)
    return user


def deactivate_user(user: User, *, actor: User | None, commit: bool = True) -> User:
    """Deactivate (never delete): the user cannot sign in and every session of theirs ends."""
    if actor is not None and actor.id == user.id:
        raise UserError(Message("own_account_deactivation"), "active")
    old = audit.row_values(user)
    user.active = False
    user.session_nonce = _new_nonce()
    _save_change(user, old, commit)
    return user


def reactivate_user(user: User, *, actor: User | None = None, commit: bool = True) -> User:
    """Let a deactivated user sign in again; sessions from before stay ended."""
    old = audit.row_values(user)
    if not user.active:
        user.active = True
        user.session_nonce = _new_nonce()
    _save_change(user, old, commit)
    return user


def _set_password(user: User, password: str, field: str) -> None:
    problem = password_problem(password)
    if problem:
        raise UserError(problem, field)
    user.password_hash = hash_password(password)
    user.session_nonce = _new_nonce()


def reset_password(
    user: User, new_password: str, *, actor: User | None = None, commit: bool = True
) -> None:
    """Set a new password for someone (an admin's reset); all their sessions end."""
    _set_password(user, new_password, "password")
    # The audit log never holds the hash; the entry records that the reset happened.
    audit.record("reset_password", "user", user.id, old=None, new={"sessions_ended": True})
    if commit:
        db.session.commit()


def set_password_from_link(user: User, password: str, purpose: str) -> None:
    """Set the password through an invitation or reset link; every session of the user ends.

    The caller has checked the link and commits.
    """
    _set_password(user, password, "password")
    audit.record(
        "set_password",
        "user",
        user.id,
        old=None,
        new={"through": purpose, "sessions_ended": True},
        actor=(user.id, user.email),
    )


def change_own_password(
    user: User, current_password: str, new_password: str, *, commit: bool = True
) -> None:
    """Change one's own password after checking the current one; other sessions end.

    The caller signs the current session in again with the new nonce.
    """
    if not check_password_hash(user.password_hash, current_password):
        raise UserError(Message("current_password_wrong"), "current_password")
    if new_password == current_password:
        raise UserError(Message("new_password_same"), "new_password")
    _set_password(user, new_password, "new_password")
    audit.record(
        "change_password",
        "user",
        user.id,
        old=None,
        new={"sessions_ended": True},
        actor=(user.id, user.email),
    )
    if commit:
        db.session.commit()


def can_choose_home(user: User) -> bool:
    """A council member not tied to a municipality may choose one as their home."""
    return user.role == Role.COUNCIL and not user.municipality_code


def update_profile(
    user: User,
    *,
    name: str,
    language: str | None,
    home_municipality_code: str | None = None,
    commit: bool = True,
) -> User:
    """A user's own name and language preference (None: the browser's choice) and, for a
    council member not tied to a municipality, their chosen home (None: the portfolio)."""
    name = (name or "").strip()
    errors: dict[str, list[str]] = {}
    home = home_municipality_code or None
    if home is not None and (
        not can_choose_home(user) or db.session.get(Municipality, home) is None
    ):
        errors["home_municipality_code"] = [Message("home_municipality_choice")]
    if len(name) > MAX_NAME:
        errors["name"] = [Message("name_too_long_max", max=MAX_NAME)]
    if language is not None and language not in LANGUAGES:
        errors["language"] = [Message("language_choice")]
    if errors:
        raise UserError(errors)
    old = audit.row_values(user)
    user.name = name
    user.language = language
    if can_choose_home(user):
        user.home_municipality_code = home
    _save_change(user, old, commit)
    return user
