"""The outbox and its delivery through a real SMTP server: nothing lost, nothing doubled
(but the one message in flight when the sender dies), failures visible to admins."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from config import ConfigError
from pilot_tracker import create_app
from pilot_tracker.extensions import db
from pilot_tracker.models import OutboxMessage
from pilot_tracker.models.mail import OutboxStatus
from pilot_tracker.services import outbox
from tests.conftest import Actors, login_as
from tests.mail_helpers import SmtpServer, smtp_server


@pytest.fixture
def smtp(app: Flask) -> Iterator[SmtpServer]:
    with smtp_server(app) as server:
        yield server


def queue(app: Flask, count: int) -> list[str]:
    """`count` messages in the outbox, committed; their Message-IDs."""
    with app.app_context():
        rows = [
            outbox.enqueue(
                f"person{n}@example.com",
                f"Viesti {n}",
                f"Hei {n}",
                f'<html lang="fi"><body><h1>Hei {n}</h1></body></html>',
                kind="test",
            )
            for n in range(count)
        ]
        db.session.commit()
        return [row.message_id for row in rows]


def statuses(app: Flask) -> dict[str, tuple[OutboxStatus, int]]:
    with app.app_context():
        return {
            row.message_id: (row.status, row.attempts)
            for row in db.session.scalars(sa.select(OutboxMessage))
        }


def deliver(app: Flask, now: datetime | None = None) -> outbox.DeliveryReport:
    with app.app_context():
        return outbox.deliver(now=now)


def test_a_message_reaches_the_smtp_server_with_its_stored_message_id(
    app: Flask, smtp: SmtpServer
) -> None:
    [message_id] = queue(app, 1)
    report = deliver(app)
    assert (report.sent, report.failed) == (1, 0)
    [received] = smtp.inbox.received
    assert received.recipients == ["person0@example.com"]
    assert str(received.message["Message-ID"]).strip() == message_id
    assert received.message["Subject"] == "Viesti 0"
    assert received.text.strip() == "Hei 0" and "<h1>Hei 0</h1>" in received.html
    assert statuses(app)[message_id] == (OutboxStatus.SENT, 1)
    assert deliver(app).sent == 0  # nothing twice


def test_smtp_down_for_a_while_everything_arrives_later_once(
    app: Flask, client: FlaskClient, actors: Actors, smtp: SmtpServer
) -> None:
    ids = queue(app, 3)
    smtp.stop()
    start = datetime.now(UTC)
    report = deliver(app, now=start)
    assert (report.sent, report.failed) == (0, 1)
    assert smtp.inbox.received == []
    with app.app_context():
        first = db.session.scalars(
            sa.select(OutboxMessage).where(OutboxMessage.message_id == ids[0])
        ).one()
        assert first.status == OutboxStatus.PENDING and first.attempts == 1
        assert first.next_attempt_at > start and "Connection" in first.last_error
    # The failure is on the admins' page, with the address and the error.
    page = login_as(client, actors.admin).get("/admin/outbox").get_data(as_text=True)
    assert "person0@example.com" in page and "ConnectionRefusedError" in page
    # Still down at the next run: another message fails, and the run stops there.
    assert deliver(app, now=start + timedelta(seconds=10)).failed == 1
    assert smtp.inbox.received == []
    smtp.start()
    # Back up: what has not failed yet goes; the failed ones wait for their delay.
    assert deliver(app, now=start + timedelta(seconds=30)).sent == 1
    assert deliver(app, now=start + timedelta(hours=1)).sent == 2
    assert sorted(smtp.inbox.message_ids()) == sorted(ids)
    assert deliver(app, now=start + timedelta(days=1)).sent == 0
    assert len(smtp.inbox.received) == 3


def test_a_refusing_server_451_is_retried_and_the_message_arrives_once(
    app: Flask, smtp: SmtpServer
) -> None:
    [message_id] = queue(app, 1)
    smtp.inbox.refuse = True
    start = datetime.now(UTC)
    assert deliver(app, now=start).failed == 1
    assert statuses(app)[message_id] == (OutboxStatus.PENDING, 1)
    smtp.inbox.refuse = False
    assert deliver(app, now=start + timedelta(minutes=5)).sent == 1
    assert smtp.inbox.message_ids() == [message_id]
    assert statuses(app)[message_id] == (OutboxStatus.SENT, 2)


class SenderKilled(BaseException):
    """Stands for the process dying: not an Exception, so nothing in the sender catches it."""


def test_a_sender_killed_after_the_handoff_resends_only_that_message_with_its_message_id(
    app: Flask, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = queue(app, 3)

    def die(row: OutboxMessage) -> None:
        raise SenderKilled(row.message_id)

    monkeypatch.setattr(outbox, "_after_handoff", die)
    start = datetime.now(UTC)
    with pytest.raises(SenderKilled):
        deliver(app, now=start)
    with app.app_context():
        db.session.rollback()  # what the dead process had not committed is gone
    assert smtp.inbox.message_ids() == [ids[0]]
    assert statuses(app)[ids[0]][0] == OutboxStatus.SENDING
    monkeypatch.undo()
    # A new sender right away: the others go, the claimed one waits out its lease.
    assert deliver(app, now=start + timedelta(seconds=1)).sent == 2
    lease = timedelta(seconds=app.config["OUTBOX_LEASE_SECONDS"])
    assert deliver(app, now=start + lease + timedelta(seconds=2)).sent == 1
    received = smtp.inbox.message_ids()
    assert sorted(received) == sorted([ids[0], *ids])  # that one twice, same Message-ID
    assert {status for status, _n in statuses(app).values()} == {OutboxStatus.SENT}


def test_two_senders_never_claim_the_same_message(app: Flask) -> None:
    [message_id] = queue(app, 1)
    now = datetime.now(UTC)
    lease = timedelta(minutes=10)
    with app.app_context():
        row_id = db.session.scalar(
            sa.select(OutboxMessage.id).where(OutboxMessage.message_id == message_id)
        )
        assert outbox._claim(row_id, now, lease) is not None
        assert outbox._claim(row_id, now, lease) is None
        assert outbox._claim(row_id, now + lease + timedelta(seconds=1), lease) is not None


def test_the_retry_delay_grows_and_is_capped() -> None:
    delays = [outbox.retry_delay(n) for n in range(0, 30)]
    assert delays[0] == timedelta(0) and delays[1] == timedelta(minutes=1)
    assert delays[2] == timedelta(minutes=2) and delays[3] == timedelta(minutes=4)
    assert all(a <= b for a, b in itertools.pairwise(delays))
    assert max(delays) == outbox.LONGEST_RETRY == delays[-1]


def test_the_send_mail_command_delivers_and_reports(app: Flask, smtp: SmtpServer) -> None:
    queue(app, 2)
    result = app.test_cli_runner().invoke(args=["send-mail"])
    assert result.exit_code == 0, result.output
    assert "Sent 2, failed 0." in result.output
    assert len(smtp.inbox.received) == 2


def test_the_send_mail_command_fails_visibly_when_smtp_is_down(
    app: Flask, smtp: SmtpServer
) -> None:
    queue(app, 1)
    smtp.stop()
    result = app.test_cli_runner().invoke(args=["send-mail"])
    assert result.exit_code == 1
    assert "failed 1" in result.output


def test_only_admins_see_the_outbox_page(app: Flask, client: FlaskClient, actors: Actors) -> None:
    queue(app, 1)
    assert login_as(client, actors.coordinator).get("/admin/outbox").status_code == 403
    page = login_as(client, actors.admin).get("/admin/outbox")
    assert page.status_code == 200 and "person0@example.com" in page.get_data(as_text=True)


# --- configuration -----------------------------------------------------------------------


def test_mail_settings_come_from_the_environment_over_every_default(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for key, value in {
        "MAIL_BACKEND": "smtp",
        "MAIL_SERVER": "smtp.example.fi",
        "MAIL_PORT": "587",
        "MAIL_USE_TLS": "true",
        "MAIL_USE_SSL": "false",
        "MAIL_USERNAME": "kokeilu",
        "MAIL_PASSWORD": "s3cret",
        "MAIL_DEFAULT_SENDER": "Kokeilusalkku <noreply@example.fi>",
    }.items():
        monkeypatch.setenv(key, value)
    app = create_app("testing")  # whose own default backend is locmem
    state = app.extensions["mailman"]
    assert (state.backend, state.server, state.port) == ("smtp", "smtp.example.fi", 587)
    assert (state.use_tls, state.use_ssl, state.username) == (True, False, "kokeilu")
    assert state.default_sender == "Kokeilusalkku <noreply@example.fi>"


def test_development_prints_mail_on_the_console(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MAIL_BACKEND", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert create_app("development").extensions["mailman"].backend == "console"


@pytest.mark.parametrize(
    ("key", "value"),
    [("MAIL_BACKEND", "pigeon"), ("MAIL_PORT", "twenty-five"), ("MAIL_USE_TLS", "perhaps")],
)
def test_bad_mail_settings_stop_the_start(
    monkeypatch: pytest.MonkeyPatch, key: str, value: str
) -> None:
    monkeypatch.setenv(key, value)
    with pytest.raises(ConfigError, match=key):
        create_app("testing")


def test_tls_and_ssl_together_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAIL_USE_TLS", "1")
    monkeypatch.setenv("MAIL_USE_SSL", "1")
    with pytest.raises(ConfigError, match="not both"):
        create_app("testing")
