"""Writing the audit log: who, when, what, old and new values."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from enum import Enum
from typing import Any

import sqlalchemy as sa
from flask import has_request_context
from flask_login import current_user

from pilot_tracker.extensions import db
from pilot_tracker.models import AuditEntry
from pilot_tracker.models.base import Base


def jsonable(value: Any) -> Any:
    """A JSON-safe copy: Decimals as strings (exact), dates and times ISO, enums by value."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [jsonable(v) for v in value]
    return value


def row_values(obj: Base, exclude: tuple[str, ...] = ()) -> dict[str, Any]:
    """The column values of a model instance (no relationships, nothing lazy)."""
    mapper = sa.inspect(obj).mapper
    return {
        col.key: jsonable(getattr(obj, col.key))
        for col in mapper.column_attrs
        if col.key not in exclude
    }


SECRET_FIELDS = ("password_hash", "session_nonce", "token_hash")


def _actor() -> tuple[int | None, str | None]:
    if has_request_context() and getattr(current_user, "is_authenticated", False):
        return current_user.id, current_user.email
    return None, None


def record(
    action: str,
    entity: str,
    entity_id: Any,
    old: dict[str, Any] | None = None,
    new: dict[str, Any] | None = None,
    pilot_id: int | None = None,
    actor: tuple[int | None, str | None] | None = None,
) -> AuditEntry | None:
    """Add an entry to the session (committed with the change it describes).

    An update that changed nothing is not logged; secrets are never logged.
    """
    old = {k: v for k, v in (old or {}).items() if k not in SECRET_FIELDS} or None
    new = {k: v for k, v in (new or {}).items() if k not in SECRET_FIELDS} or None
    if action == "update" and old is not None and new is not None:
        changed = {k for k in set(old) | set(new) if old.get(k) != new.get(k)}
        if not changed:
            return None
        old = {k: old.get(k) for k in sorted(changed)}
        new = {k: new.get(k) for k in sorted(changed)}
    actor_id, actor_email = actor if actor is not None else _actor()
    entry = AuditEntry(
        action=action,
        entity=entity,
        entity_id=str(entity_id),
        pilot_id=pilot_id,
        old=jsonable(old),
        new=jsonable(new),
        actor_id=actor_id,
        actor_email=actor_email,
    )
    db.session.add(entry)
    return entry


def add_new(obj: Base, entity: str, pilot_id: int | None = None, commit: bool = True) -> None:
    """Add a new record, flush it for its id, log its creation and (by default) commit."""
    db.session.add(obj)
    db.session.flush()
    identity = sa.inspect(obj).identity
    assert identity is not None  # flushed above
    record("create", entity, identity[0], new=row_values(obj), pilot_id=pilot_id)
    if commit:
        db.session.commit()
