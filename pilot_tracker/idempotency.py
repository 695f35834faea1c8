"""Idempotent API writes: a retried request with the same Idempotency-Key header gets the
first response back and writes nothing twice.

How it stays exact: the view runs with the session's commits turned into flushes, so its
writes and the stored response commit together in one transaction. Two identical requests
racing each other both run, but only one can insert the (user, key) record; the loser's
transaction, its write included, is rolled back and it answers with the winner's response.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any, TypeVar

import sqlalchemy as sa
from flask import Response, current_app, make_response, request
from sqlalchemy.exc import IntegrityError

from pilot_tracker.extensions import db
from pilot_tracker.models import IdempotencyRecord
from pilot_tracker.web.errors import problem

F = TypeVar("F", bound=Callable[..., Any])
HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 200
REPLAYED_HEADERS = ("Location", "ETag", "Content-Type")


def _fingerprint() -> str:
    digest = hashlib.sha256()
    digest.update(request.method.encode())
    digest.update(b"\0" + request.path.encode() + b"\0")
    digest.update(request.get_data(cache=True))
    return digest.hexdigest()


def _replay(record: IdempotencyRecord, fingerprint: str) -> Response:
    if record.request_hash != fingerprint:
        return problem(
            422,
            "Idempotency-Key reused",
            "This Idempotency-Key was already used for a different request.",
            errors={HEADER: ["Use a new key for a different request."]},
        )
    response = Response(record.body, status=record.status_code)
    for name, value in (record.headers or {}).items():
        response.headers[name] = value
    response.headers["Idempotent-Replayed"] = "true"
    return response


def _stored(user_id: int, key: str) -> IdempotencyRecord | None:
    return db.session.scalars(
        sa.select(IdempotencyRecord).where(
            IdempotencyRecord.user_id == user_id, IdempotencyRecord.key == key
        )
    ).first()


@contextmanager
def commits_deferred() -> Iterator[None]:
    """Within the block, `db.session.commit()` only flushes; the caller commits once."""
    session = db.session()
    original = session.commit
    session.commit = session.flush  # type: ignore[method-assign]
    try:
        yield
    finally:
        session.commit = original  # type: ignore[method-assign]


def idempotent(user_of_request: Callable[[], Any]) -> Callable[[F], F]:
    """Decorate a POST view; `user_of_request()` names the authenticated user (or None)."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            key = request.headers.get(HEADER)
            if key is None or request.method != "POST":
                return view(*args, **kwargs)
            user = user_of_request()
            if user is None:
                return view(*args, **kwargs)  # the view answers 401 itself
            key = key.strip()
            # Printable only: a NUL could not even be looked up in PostgreSQL (it was a 500).
            if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
                return problem(
                    422,
                    "Invalid Idempotency-Key",
                    f"The key must have 1 to {MAX_KEY_LENGTH} printable characters.",
                    errors={HEADER: [f"1 to {MAX_KEY_LENGTH} printable characters."]},
                )
            fingerprint = _fingerprint()
            user_id = user.id
            existing = _stored(user_id, key)
            if existing is not None:
                return _replay(existing, fingerprint)
            try:
                with commits_deferred():
                    response = make_response(view(*args, **kwargs))
            except Exception:
                db.session.rollback()
                raise
            if response.status_code >= 500:
                db.session.rollback()
                return response
            db.session.add(
                IdempotencyRecord(
                    user_id=user_id,
                    key=key,
                    method=request.method,
                    path=request.path,
                    request_hash=fingerprint,
                    status_code=response.status_code,
                    body=response.get_data(as_text=True),
                    headers={
                        h: response.headers[h] for h in REPLAYED_HEADERS if h in response.headers
                    },
                )
            )
            try:
                db.session.commit()
            except IntegrityError:
                # A concurrent request with the same key won: undo ours, answer with its result.
                db.session.rollback()
                winner = _stored(user_id, key)
                if winner is None:
                    raise
                current_app.logger.info("idempotent replay after a race on key %s", key)
                return _replay(winner, fingerprint)
            return response

        return wrapped  # type: ignore[return-value]

    return decorator
