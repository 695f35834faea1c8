"""The outbox: every message is a row written in the caller's transaction, delivered later.

`enqueue` only adds the row; the service that caused the message commits it together with
its own change, so a message exists exactly when its cause does. `deliver` (the `send-mail`
command) claims rows one by one, hands each to the transport and marks it sent at once: a
crash between the handoff and the mark leaves that single row claimed, and after the lease
it is sent again with the same stored `Message-ID`. A failed attempt is retried with a
growing delay; nothing is ever dropped.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import make_msgid
from typing import Any

import sqlalchemy as sa
from flask import current_app

from pilot_tracker.extensions import db, mail
from pilot_tracker.models import OutboxMessage
from pilot_tracker.models.mail import OutboxStatus

# 1, 2, 4 ... minutes, at most six hours between attempts.
FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=6)
MAX_ERROR = 2000


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the `attempts`-th failed attempt (pure)."""
    if attempts < 1:
        return timedelta(0)
    # int ** int is typed Any (a negative exponent gives a float); this one is never negative.
    factor: int = 2 ** min(attempts - 1, 20)
    return min(FIRST_RETRY * factor, LONGEST_RETRY)


def _domain() -> str:
    sender = str(current_app.config.get("MAIL_DEFAULT_SENDER") or "")
    domain = sender.rpartition("@")[2].strip(" >")
    return domain or "localhost"


def enqueue(
    recipient: str,
    subject: str,
    body_text: str,
    body_html: str = "",
    *,
    kind: str,
    headers: dict[str, str] | None = None,
) -> OutboxMessage:
    """Add a message to the outbox in the current transaction (the caller commits)."""
    message = OutboxMessage(
        message_id=make_msgid(idstring=secrets.token_hex(6), domain=_domain()),
        kind=kind,
        recipient=recipient,
        subject=" ".join(subject.split())[:300],
        body_text=body_text,
        body_html=body_html,
        headers=dict(headers or {}),
        status=OutboxStatus.PENDING,
        attempts=0,
        next_attempt_at=datetime.now(UTC),
        last_error="",
    )
    db.session.add(message)
    return message


def _email(row: OutboxMessage, connection: Any) -> Any:
    from flask_mailman import EmailMultiAlternatives

    headers = {"Message-ID": row.message_id, **row.headers}
    email = EmailMultiAlternatives(
        subject=row.subject,
        body=row.body_text,
        from_email=current_app.config.get("MAIL_DEFAULT_SENDER"),
        to=[row.recipient],
        headers=headers,
        connection=connection,
    )
    if row.body_html:
        email.attach_alternative(row.body_html, "text/html")
    return email


def _due_ids(now: datetime, lease: timedelta, limit: int) -> list[int]:
    stale = now - lease
    return list(
        db.session.scalars(
            sa.select(OutboxMessage.id)
            .where(
                sa.or_(
                    sa.and_(
                        OutboxMessage.status == OutboxStatus.PENDING,
                        OutboxMessage.next_attempt_at <= now,
                    ),
                    sa.and_(
                        OutboxMessage.status == OutboxStatus.SENDING,
                        OutboxMessage.claimed_at < stale,
                    ),
                )
            )
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(limit)
        )
    )


def _claim(message_id: int, now: datetime, lease: timedelta) -> str | None:
    """Take one row for this sender (a conditional UPDATE: two senders never both win)."""
    token = secrets.token_hex(16)
    result = db.session.execute(
        sa.update(OutboxMessage)
        .where(
            OutboxMessage.id == message_id,
            sa.or_(
                sa.and_(
                    OutboxMessage.status == OutboxStatus.PENDING,
                    OutboxMessage.next_attempt_at <= now,
                ),
                sa.and_(
                    OutboxMessage.status == OutboxStatus.SENDING,
                    OutboxMessage.claimed_at < now - lease,
                ),
            ),
        )
        .values(status=OutboxStatus.SENDING, claimed_at=now, claim_token=token)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return token if result.rowcount == 1 else None  # type: ignore[attr-defined]


def _after_handoff(row: OutboxMessage) -> None:
    """Called between the transport's acceptance and marking the row sent (a test seam:
    a crash injected here is the worst moment for the sender to die)."""


@dataclass
class DeliveryReport:
    sent: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def deliver(
    *,
    limit: int = 500,
    now: datetime | None = None,
    clock: Callable[[], datetime] | None = None,
) -> DeliveryReport:
    """Send what is due; on a transport failure the message waits for its next attempt and
    the rest of the run stops (the server is probably down), to be tried again later."""
    clock = clock or (lambda: datetime.now(UTC))
    now = now or clock()
    lease = timedelta(seconds=int(current_app.config.get("OUTBOX_LEASE_SECONDS", 600)))
    report = DeliveryReport()
    connection = None
    try:
        for message_id in _due_ids(now, lease, limit):
            token = _claim(message_id, now, lease)
            if token is None:
                continue  # another sender took it
            row = db.session.get(OutboxMessage, message_id, populate_existing=True)
            if row is None or row.claim_token != token:
                continue
            try:
                if connection is None:
                    connection = mail.get_connection(fail_silently=False)
                    connection.open()
                sent = connection.send_messages([_email(row, connection)])
                if not sent:
                    raise RuntimeError("the transport accepted nothing")
            except Exception as exc:  # any transport failure: keep it and try later
                row.status = OutboxStatus.PENDING
                row.attempts += 1
                row.next_attempt_at = now + retry_delay(row.attempts)
                row.claim_token = None
                row.claimed_at = None
                row.last_error = f"{type(exc).__name__}: {exc}"[:MAX_ERROR]
                db.session.commit()
                report.failed += 1
                report.errors.append(f"{row.recipient}: {row.last_error}")
                break
            _after_handoff(row)
            row.status = OutboxStatus.SENT
            row.attempts += 1
            row.sent_at = clock()
            row.claim_token = None
            row.last_error = ""
            db.session.commit()
            report.sent += 1
    finally:
        if connection is not None:
            try:
                connection.close()
            except Exception:  # closing a broken connection must not hide the report
                current_app.logger.warning("closing the mail connection failed", exc_info=True)
    return report


@dataclass(frozen=True)
class OutboxSummary:
    counts: dict[str, int]
    failing: list[OutboxMessage]
    recent: list[OutboxMessage]
    oldest_pending: datetime | None


def summary(limit: int = 50) -> OutboxSummary:
    """For the admin page: counts by state, the messages that failed and are waiting for
    another attempt, and the latest messages."""
    counts = dict.fromkeys((s.value for s in OutboxStatus), 0)
    for status, count in db.session.execute(
        sa.select(OutboxMessage.status, sa.func.count()).group_by(OutboxMessage.status)
    ):
        counts[OutboxStatus(status).value] = count
    failing = list(
        db.session.scalars(
            sa.select(OutboxMessage)
            .where(OutboxMessage.status != OutboxStatus.SENT, OutboxMessage.attempts > 0)
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(limit)
        )
    )
    recent = list(
        db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(limit))
    )
    oldest = db.session.scalar(
        sa.select(sa.func.min(OutboxMessage.created_at)).where(
            OutboxMessage.status != OutboxStatus.SENT
        )
    )
    return OutboxSummary(counts=counts, failing=failing, recent=recent, oldest_pending=oldest)
