"""API bearer tokens: shown once, stored only as a SHA-256 hash, revocable."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from pilot_tracker.extensions import db
from pilot_tracker.models import ApiToken, User
from pilot_tracker.services import audit

PREFIX = "ks_"
# Writing last_used_at on every request would turn every API read into a write.
LAST_USED_GRANULARITY = timedelta(minutes=5)


def hash_token(plaintext: str) -> str:
    """SHA-256 hex of the token: tokens are long random strings, so no slow hash is needed."""
    return hashlib.sha256(plaintext.encode("utf-8")).hexdigest()


def create_token(user: User, name: str = "", commit: bool = True) -> tuple[ApiToken, str]:
    """A new token for `user`; the plaintext is returned once and never stored."""
    plaintext = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id, name=(name or "").strip()[:100], token_hash=hash_token(plaintext)
    )
    db.session.add(token)
    db.session.flush()
    audit.record(
        "create",
        "api_token",
        token.id,
        new={"user_id": user.id, "name": token.name},
        actor=(user.id, user.email),
    )
    if commit:
        db.session.commit()
    return token, plaintext


def authenticate_token(plaintext: str) -> User | None:
    """The active user owning this unrevoked token, or None."""
    if not plaintext or len(plaintext) > 200:
        return None
    row = db.session.execute(
        sa.select(ApiToken, User)
        .join(User, User.id == ApiToken.user_id)
        .where(ApiToken.token_hash == hash_token(plaintext), ApiToken.revoked_at.is_(None))
    ).first()
    if row is None:
        return None
    token, user = row
    if not user.active:
        return None
    now = datetime.now(UTC)
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_GRANULARITY:
        token.last_used_at = now
        db.session.commit()
    return user


def revoke_token(token: ApiToken, commit: bool = True) -> None:
    """Revoke a token (kept for the record, never usable again)."""
    if token.revoked_at is None:
        token.revoked_at = datetime.now(UTC)
        audit.record(
            "update",
            "api_token",
            token.id,
            old={"revoked_at": None},
            new={"revoked_at": token.revoked_at},
        )
    if commit:
        db.session.commit()
