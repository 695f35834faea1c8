"""Invitations and password resets: single-use links, stored only as a hash.

An invitation lets a new user set their own password (the admin never knows it); a reset
does the same for a forgotten one. Using a link sets the password, which changes the user's
session nonce and so ends every other session; the link and every other open link of the
same user and purpose stop working.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from pilot_tracker.extensions import db
from pilot_tracker.models import AccountLink, User
from pilot_tracker.models.mail import LinkPurpose
from pilot_tracker.services import audit, mail_compose
from pilot_tracker.services import users as user_service

VALID_FOR = {
    LinkPurpose.INVITATION: timedelta(hours=72),
    LinkPurpose.PASSWORD_RESET: timedelta(hours=72),
}
TOKEN_BYTES = 32
MAX_TOKEN_LENGTH = 100


def hash_token(plaintext: str) -> str:
    """SHA-256 hex: the token is long and random, so a fast hash is enough."""
    return hashlib.sha256(plaintext.encode("utf-8")).hexdigest()


def _new_link(user: User, purpose: LinkPurpose, now: datetime | None = None) -> str:
    """A new link for `user` (in the current transaction); returns the plaintext token."""
    now = now or datetime.now(UTC)
    plaintext = secrets.token_urlsafe(TOKEN_BYTES)
    db.session.add(
        AccountLink(
            user_id=user.id,
            purpose=purpose,
            token_hash=hash_token(plaintext),
            created_at=now,
            expires_at=now + VALID_FOR[purpose],
        )
    )
    return plaintext


def invite_user(
    email: str,
    role: str,
    *,
    name: str = "",
    municipality_code: str | None = None,
    vendor_id: int | None = None,
) -> User:
    """Create a user with no usable password and send the invitation, in one transaction."""
    user = user_service.create_user(
        email,
        role,
        None,
        name=name,
        municipality_code=municipality_code,
        vendor_id=vendor_id,
        commit=False,
    )
    token = _new_link(user, LinkPurpose.INVITATION)
    mail_compose.enqueue_account_link(user, LinkPurpose.INVITATION, token)
    db.session.commit()
    return user


def send_password_reset(email: str) -> None:
    """A reset link to the active user with this e-mail; nothing (and no hint) otherwise."""
    user = db.session.scalars(
        sa.select(User).where(User.email == (email or "").strip().lower()[:254])
    ).first()
    if user is None or not user.active:
        return
    token = _new_link(user, LinkPurpose.PASSWORD_RESET)
    mail_compose.enqueue_account_link(user, LinkPurpose.PASSWORD_RESET, token)
    audit.record("reset_link", "user", user.id, old=None, new={"link_sent": True})
    db.session.commit()


def find_link(plaintext: str, now: datetime | None = None) -> tuple[AccountLink, User] | None:
    """The open link with this token and its active user, or None (unknown, used, expired)."""
    if not plaintext or len(plaintext) > MAX_TOKEN_LENGTH:
        return None
    now = now or datetime.now(UTC)
    row = db.session.execute(
        sa.select(AccountLink, User)
        .join(User, User.id == AccountLink.user_id)
        .where(AccountLink.token_hash == hash_token(plaintext), AccountLink.used_at.is_(None))
    ).first()
    if row is None:
        return None
    link, user = row
    if link.expires_at <= now or not user.active:
        return None
    return link, user


def _close_open_links(user: User, purpose: LinkPurpose, now: datetime) -> None:
    db.session.execute(
        sa.update(AccountLink)
        .where(
            AccountLink.user_id == user.id,
            AccountLink.purpose == purpose,
            AccountLink.used_at.is_(None),
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )


def use_link(plaintext: str, password: str, now: datetime | None = None) -> User | None:
    """Set the password through an open link; None if the link is not usable.

    Raises UserError for an unacceptable password (the link stays usable then).
    """
    found = find_link(plaintext, now)
    if found is None:
        return None
    link, user = found
    now = now or datetime.now(UTC)
    problem = user_service.password_problem(password)
    if problem:
        raise user_service.UserError(problem, "password")
    # Single use even when two requests race: only the one that closes the link goes on.
    closed = db.session.execute(
        sa.update(AccountLink)
        .where(AccountLink.id == link.id, AccountLink.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if closed.rowcount != 1:  # type: ignore[attr-defined]
        db.session.rollback()
        return None
    _close_open_links(user, link.purpose, now)
    user_service.set_password_from_link(user, password, link.purpose.value)
    db.session.commit()
    return user
