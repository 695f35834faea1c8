"""Messages composed in the recipient's language: plain text and accessible HTML.

Each message is rendered from templates/mail/ with the recipient's language forced, links
made absolute from `PUBLIC_BASE_URL` (or the request's own address while serving one), and
written to the outbox in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from functools import lru_cache
from typing import Any, NamedTuple

import sqlalchemy as sa
from flask import current_app, has_request_context, render_template, request, url_for
from flask_babel import force_locale, ngettext

from pilot_tracker.extensions import db
from pilot_tracker.language import formats
from pilot_tracker.language.i18n import gettext as _
from pilot_tracker.models import Municipality, User
from pilot_tracker.models.mail import LinkPurpose
from pilot_tracker.services import due, outbox
from pilot_tracker.services.due_items import DueItemLike

DEFAULT_BASE_URL = "http://127.0.0.1:5000"


def language_of(user: User) -> str:
    """The user's chosen language, else the product's default (Finnish)."""
    supported = current_app.config["LANGUAGES"]
    if user.language in supported:
        return str(user.language)
    return str(current_app.config["BABEL_DEFAULT_LOCALE"])


def base_url() -> str:
    """Where links in messages point: `PUBLIC_BASE_URL`, else the request's own root."""
    configured = current_app.config.get("PUBLIC_BASE_URL")
    if configured:
        return str(configured).rstrip("/")
    if has_request_context():
        return request.url_root.rstrip("/")
    return DEFAULT_BASE_URL


def absolute(path: str) -> str:
    """A path on this site as a full URL for a message."""
    return base_url() + path


@contextmanager
def in_language(language: str) -> Iterator[None]:
    """Render in `language`, inside a request context so url_for and babel work (the CLI
    has none of its own)."""
    if has_request_context():
        with force_locale(language):
            yield
        return
    with current_app.test_request_context(base_url=base_url()), force_locale(language):
        yield


def _render(name: str, **context: Any) -> tuple[str, str]:
    text = render_template(f"mail/{name}.txt", **context)
    html = render_template(f"mail/{name}.html", **context)
    return text, html


def enqueue_account_link(user: User, purpose: LinkPurpose, token: str) -> None:
    """An invitation or a reset link, in the user's language."""
    language = language_of(user)
    with in_language(language):
        link = absolute(url_for("mail.account_link", token=token))
        if purpose == LinkPurpose.INVITATION:
            subject = _("You have been invited to Kokeilusalkku")
            name = "invitation"
        else:
            subject = _("Set a new password for Kokeilusalkku")
            name = "password_reset"
        text, html = _render(name, user=user, link=link, language=language, subject=subject)
    outbox.enqueue(user.email, subject, text, html, kind=purpose.value)


def _titles() -> dict[str, str]:
    """The link text of each kind of item, in the current language."""
    return {
        "status_update": _("Status update of %(pilot)s"),
        "measurement": _("KPI measurement of %(pilot)s"),
        "review": _("Review of %(pilot)s"),
        "planned_end": _("Planned end of %(pilot)s has passed"),
        "follow_up": _("Follow-up item of %(pilot)s"),
        "municipal_decision": _("Municipal decision on %(pilot)s"),
        "": _("Due on %(pilot)s"),
    }


def item_title(item: DueItemLike, titles: dict[str, str] | None = None) -> str:
    """What is due, in the current language (the link text of the item)."""
    titles = titles or _titles()
    return titles.get(item.kind, titles[""]) % {"pilot": item.pilot_name}


class DigestRow(NamedTuple):
    """One line of a digest, every text ready (the templates only place them)."""

    title: str
    when: str
    url: str
    overdue: bool
    municipality: str
    detail: str


@lru_cache(maxsize=4096)
def _short_date(value: date, language: str) -> str:
    return formats.short_date(value, language)


def _municipality_names(items: Sequence[DueItemLike], language: str) -> dict[str, str]:
    """The names, in `language`, of the municipalities the items name (one query)."""
    codes = {item.municipality for item in items if item.municipality}
    if not codes:
        return {}
    found = db.session.scalars(sa.select(Municipality).where(Municipality.code.in_(codes)))
    return {m.code: m.name(language) for m in found}


def _detail(item: DueItemLike, names: dict[str, str], language: str) -> str:
    """The item's detail line in the current language (its English words when it was not
    composed from an item of services/due.py)."""
    if item.about is None:
        return item.detail
    code = item.municipality or ""
    return due.describe(
        item.about, names.get(code, code), lambda day: _short_date(day, language) if day else "–"
    )


def _rows(items: Sequence[DueItemLike], language: str) -> list[DigestRow]:
    """The digest's rows: each item's title, when it is due, its detail line and its link,
    each fixed text translated once per digest (not once per item: a vendor's digest has
    hundreds), the municipalities named in the digest's language."""
    titles = _titles()
    names = _municipality_names(items, language)
    overdue_since, due_on = _("overdue since %(day)s"), _("due %(day)s")
    root = base_url()
    pilot_path = url_for("pilots.detail", pilot_id=0).rsplit("/", 1)[0]
    return [
        DigestRow(
            title=item_title(item, titles),
            when=(overdue_since if item.overdue else due_on)
            % {"day": _short_date(item.due_on, language)},
            url=root + (item.url or f"{pilot_path}/{item.pilot_id}"),
            overdue=item.overdue,
            municipality=names.get(item.municipality or "", item.municipality or ""),
            detail=_detail(item, names, language),
        )
        for item in items
    ]


def enqueue_digest(
    user: User, items: Sequence[DueItemLike], today: date, unsubscribe_token: str
) -> None:
    """The day's reminder digest with one-click unsubscribe headers (RFC 8058)."""
    language = language_of(user)
    with in_language(language):
        unsubscribe = absolute(url_for("mail.unsubscribe", token=unsubscribe_token))
        settings = absolute(url_for("auth.profile") + "#notifications")
        rows = _rows(items, language)
        groups = [
            (heading, group)
            for heading, group in (
                (_("Overdue"), [row for row in rows if row.overdue]),
                (_("Due"), [row for row in rows if not row.overdue]),
            )
            if group
        ]
        overdue = sum(1 for item in items if item.overdue)
        subject = ngettext(
            "Kokeilusalkku: %(num)s thing due (%(overdue)s overdue)",
            "Kokeilusalkku: %(num)s things due (%(overdue)s overdue)",
            len(items),
            overdue=overdue,
        )
        text, html = _render(
            "digest",
            user=user,
            groups=groups,
            today=today,
            language=language,
            subject=subject,
            unsubscribe=unsubscribe,
            settings=settings,
        )
    outbox.enqueue(
        user.email,
        subject,
        text,
        html,
        kind="digest",
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
