"""Reminder settings, one-click unsubscribe and the daily digest run (`send-reminders`).

Each user gets at most one digest a day, of the items due for them whose kind they want
reminded today (daily; weekly ones on Mondays). Each item goes into the reminder log with its
due date, in the same transaction as the digest's outbox row, so it is never reminded twice
for the same due date, however often the command runs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, cast

import sqlalchemy as sa
from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy.exc import IntegrityError

from pilot_tracker.extensions import db
from pilot_tracker.models import NotificationSetting, ReminderLog, User
from pilot_tracker.models.mail import Frequency
from pilot_tracker.services import audit, mail_compose
from pilot_tracker.services.due_items import (
    DueCache,
    DueItem,
    audience_key,
    due_items_for,
    kinds_for,
)

DEFAULT_FREQUENCY = Frequency.DAILY
MONDAY = 0
UNSUBSCRIBE_SALT = "kokeilusalkku-unsubscribe"
REMINDER_LOG = cast(sa.Table, ReminderLog.__table__)  # Core inserts of the log rows


def wanted_today(frequency: Frequency, today: date) -> bool:
    """Daily every day, weekly on Mondays, never never (pure)."""
    if frequency == Frequency.DAILY:
        return True
    if frequency == Frequency.WEEKLY:
        return today.weekday() == MONDAY
    return False


def settings_of(user: User) -> dict[str, Frequency]:
    """Every kind the user's role can be reminded of, with its frequency (default daily)."""
    stored = dict(
        db.session.execute(
            sa.select(NotificationSetting.kind, NotificationSetting.frequency).where(
                NotificationSetting.user_id == user.id
            )
        ).all()
    )
    return {
        kind.value: Frequency(stored.get(kind.value, DEFAULT_FREQUENCY))
        for kind in kinds_for(user.role)
    }


def save_settings(user: User, chosen: Mapping[str, str], commit: bool = True) -> None:
    """Store the user's frequencies; kinds their role has not and unknown values are ignored."""
    old = settings_of(user)
    allowed = {kind.value for kind in kinds_for(user.role)}
    values = {f.value for f in Frequency}
    new = dict(old)
    for kind, frequency in chosen.items():
        if kind in allowed and frequency in values:
            new[kind] = Frequency(frequency)
    for kind, frequency in new.items():
        row = db.session.get(NotificationSetting, (user.id, kind))
        if row is None:
            db.session.add(NotificationSetting(user_id=user.id, kind=kind, frequency=frequency))
        else:
            row.frequency = frequency
    audit.record(
        "update",
        "notification_settings",
        user.id,
        old={k: v.value for k, v in old.items()},
        new={k: v.value for k, v in new.items()},
        actor=(user.id, user.email),
    )
    if commit:
        db.session.commit()


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=UNSUBSCRIBE_SALT)


def unsubscribe_token(user: User) -> str:
    """A signed token naming the user: works signed out, cannot be forged or changed."""
    return str(_serializer().dumps(user.id))


def user_of_unsubscribe_token(token: str) -> User | None:
    """The user a token names, or None for a token that is not ours."""
    if not token or len(token) > 200:
        return None
    try:
        user_id = _serializer().loads(token)
    except BadSignature:
        return None
    if not isinstance(user_id, int):
        return None
    return db.session.get(User, user_id)


def unsubscribe(user: User) -> None:
    """Every kind of reminder off (the one-click unsubscribe of RFC 8058)."""
    save_settings(user, dict.fromkeys(settings_of(user), Frequency.NEVER.value))


def _already_reminded(user: User, items: Iterable[DueItem]) -> set[tuple[str, date]]:
    keys = {item.key for item in items}
    if not keys:
        return set()
    rows = db.session.execute(
        sa.select(ReminderLog.item_key, ReminderLog.due_on).where(
            ReminderLog.user_id == user.id, ReminderLog.item_key.in_(keys)
        )
    )
    return {(key, due_on) for key, due_on in rows}


def _digest_sent(user: User, today: date) -> bool:
    return (
        db.session.scalar(
            sa.select(ReminderLog.id)
            .where(ReminderLog.user_id == user.id, ReminderLog.sent_on == today)
            .limit(1)
        )
        is not None
    )


def items_to_remind(user: User, today: date, cache: DueCache | None = None) -> list[DueItem]:
    """What today's digest of `user` holds: due items of the kinds wanted today that were
    not reminded for the same due date before; none if a digest went out today already.
    `cache` shares the due items between users of the same audience (one run)."""
    if _digest_sent(user, today):
        return []
    settings = settings_of(user)
    wanted = {kind for kind, frequency in settings.items() if wanted_today(frequency, today)}
    if not wanted:
        return []
    due = cache.items_for(user) if cache is not None else due_items_for(user, today)
    items = [item for item in due if item.kind in wanted]
    done = _already_reminded(user, items)
    return [item for item in items if (item.key, item.due_on) not in done]


@dataclass
class ReminderReport:
    users: int = 0
    digests: int = 0
    items: int = 0


def _users_by_audience() -> list[int]:
    """The ids of the active users, those of one audience (`audience_key`) together, so
    that each audience's due items are composed once."""
    rows = db.session.execute(
        sa.select(
            User.id,
            User.role,
            User.vendor_id,
            # A council member's municipality: its tie, or the home it chose (User.home_code).
            sa.func.coalesce(User.municipality_code, User.home_municipality_code).label(
                "home_code"
            ),
        ).where(User.active.is_(True))
    ).all()

    def order(row: Any) -> tuple[str, str, int]:
        kind, value = audience_key(row)
        return (kind, "" if value is None else str(value), row.id)

    return [row.id for row in sorted(rows, key=order)]


def send_reminders(
    today: date,
    *,
    batch: int = 200,
    progress: Callable[[int], None] | None = None,
) -> ReminderReport:
    """Compose today's digests into the outbox, one transaction per user. The users are
    visited by audience so that what is due is read once per vendor, municipality and for
    the coordinators together, not once per user; memory holds one batch of users and the
    due items of the portfolio, whatever the number of users."""
    report = ReminderReport()
    cache = DueCache(today)
    ids = _users_by_audience()
    for start in range(0, len(ids), batch):
        chunk = ids[start : start + batch]
        loaded = {u.id: u for u in db.session.scalars(sa.select(User).where(User.id.in_(chunk)))}
        for user_id in chunk:
            user = loaded.get(user_id)
            if user is None or not user.active:
                continue
            report.users += 1
            items = items_to_remind(user, today, cache)
            if not items:
                continue
            mail_compose.enqueue_digest(user, items, today, unsubscribe_token(user))
            try:
                # The log rows in one statement (Core: no ORM bookkeeping per row), in the
                # digest's transaction.
                db.session.flush()  # the digest's outbox row first
                db.session.connection().execute(
                    sa.insert(REMINDER_LOG),
                    [
                        {
                            "user_id": user.id,
                            "item_key": item.key,
                            "kind": item.kind,
                            "pilot_id": item.pilot_id,
                            "due_on": item.due_on,
                            "sent_on": today,
                        }
                        for item in items
                    ],
                )
                db.session.commit()
            except IntegrityError:
                # Another run reminded the same item meanwhile: its digest stands, not ours.
                db.session.rollback()
                continue
            report.digests += 1
            report.items += len(items)
        # Memory stays bounded: the session holds loaded rows weakly, and each batch's
        # users go out of reference here.
        del loaded
        if progress:
            progress(report.users)
    return report
