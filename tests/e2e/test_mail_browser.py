"""The HTML mail passes the rules pages pass: axe-core (WCAG 2.1 A and AA) over each
message kind in Finnish, Swedish and English, opened in the browser as a mail client shows
it; and the mail pages of the app (forgot password, the admins' outbox, a password link)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from tests.e2e.conftest import LANGUAGES, USERS, axe_violations, describe_violations, new_context


def compose(live_app: Any, language: str) -> dict[str, str]:
    """Each kind of HTML message for the demo coordinator in `language` (nothing is kept)."""
    import sqlalchemy as sa

    from pilot_tracker.extensions import db
    from pilot_tracker.models import OutboxMessage, User
    from pilot_tracker.models.mail import LinkPurpose
    from pilot_tracker.services import mail_compose
    from pilot_tracker.services.due_items import DueItem

    today = date.today()
    with live_app.app_context():
        user = db.session.scalars(sa.select(User).where(User.email == USERS["coordinator"])).one()
        user.language = language
        mail_compose.enqueue_account_link(user, LinkPurpose.INVITATION, "e2e-invitation")
        mail_compose.enqueue_account_link(user, LinkPurpose.PASSWORD_RESET, "e2e-reset")
        items = [
            DueItem("review", 1, "Sähköinen tilavaraus", today + timedelta(days=9), False),
            DueItem("status_update", 1, "Sähköinen tilavaraus", today - timedelta(days=3), True),
            DueItem("planned_end", 2, "Kotihoidon reitit", today - timedelta(days=20), True),
        ]
        mail_compose.enqueue_digest(user, items, today, "e2e-unsubscribe")
        messages = {m.kind: m.body_html for m in db.session.new if isinstance(m, OutboxMessage)}
        db.session.rollback()
    return messages


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_html_message_passes_axe_in_every_language(
    browser: Any, live_app: Any, language: str
) -> None:
    messages = compose(live_app, language)
    assert set(messages) == {"invitation", "password_reset", "digest"}
    context = browser.new_context()
    try:
        page = context.new_page()
        problems = []
        for kind, html in messages.items():
            page.set_content(html)
            assert page.locator("html").get_attribute("lang") == language
            assert page.locator("h1").count() == 1
            if violations := axe_violations(page):
                problems.append(describe_violations(f"[{language}] {kind}", violations))
        assert not problems, "\n".join(problems)
    finally:
        context.close()


@pytest.mark.parametrize(
    ("role", "path"),
    [(None, "/password/forgot"), (None, "/account/not-a-real-secret"), ("admin", "/admin/outbox")],
)
def test_the_mail_pages_pass_axe(
    browser: Any, live_server: str, role: str | None, path: str
) -> None:
    context = new_context(browser, live_server, role=role)
    try:
        page = context.new_page()
        page.goto(path)
        violations = axe_violations(page)
        assert not violations, describe_violations(path, violations)
    finally:
        context.close()
