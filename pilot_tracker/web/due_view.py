"""What is due, for the pages: each item's words in the page's language and the link to the
page where it is resolved (if the user may open it, else the pilot's page)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import current_app, url_for

from pilot_tracker.domain.enums import Role
from pilot_tracker.domain.stages import FINAL
from pilot_tracker.extensions import db
from pilot_tracker.language.formats import short_date
from pilot_tracker.language.i18n import current_language, gettext
from pilot_tracker.models import Municipality
from pilot_tracker.permissions import can_edit_pilot, has_role
from pilot_tracker.services.due import DueItem, DueKind, DueList, describe
from pilot_tracker.web.navigation import pilot_url


@dataclass(frozen=True)
class DueRow:
    """One item as a page shows it."""

    kind: str
    what: str
    pilot_id: int
    pilot_name: str
    pilot_language: str
    due_on: str
    overdue: bool
    href: str
    action: str


def _day(value: Any) -> str:
    return short_date(value, current_language()) if value else "–"


def _what(item: DueItem, names: dict[str, str]) -> str:
    code = item.municipality or ""
    return describe(item, names.get(code, code), _day)


def _link(item: DueItem, user: Any) -> tuple[str, str]:
    """(href, action words): the page that resolves the item, if the user may use it."""
    views = current_app.view_functions
    pilot_page = pilot_url(item.pilot_id)
    editor = can_edit_pilot(user)
    reporter = editor or has_role(user, Role.VENDOR)  # a vendor sees only its own pilots
    decides = editor and item.pilot_stage not in FINAL and "pilots.decision_create" in views
    if item.kind in (DueKind.REVIEW, DueKind.PAST_END) and decides:
        return (
            url_for("pilots.decision_create", pilot_id=item.pilot_id),
            gettext("Record a decision"),
        )
    if item.kind is DueKind.STATUS_UPDATE and reporter and "pilots.status_create" in views:
        return (
            url_for("pilots.status_create", pilot_id=item.pilot_id),
            gettext("Post a status update"),
        )
    if item.kind is DueKind.MEASUREMENT and reporter and "pilots.measurement_create" in views:
        return (
            url_for("pilots.measurement_create", pilot_id=item.pilot_id, kpi=item.ref_id),
            gettext("Record a measurement"),
        )
    if item.kind is DueKind.FOLLOW_UP:
        return (
            f"{pilot_page}#item-{item.ref_id}",
            gettext("Update the item"),
        )
    if (
        item.kind is DueKind.MUNICIPAL_DECISION
        and editor
        and "pilots.municipal_decision_create" in views
    ):
        return (
            url_for(
                "pilots.municipal_decision_create",
                pilot_id=item.pilot_id,
                municipality=item.municipality,
            ),
            gettext("Record a municipality's decision"),
        )
    return pilot_page, gettext("Open the pilot")


def due_rows(found: DueList, user: Any) -> list[DueRow]:
    """The items of a due list as the pages show them."""
    rows = []
    names = _municipality_names({i.municipality for i in found.items if i.municipality})
    for item in found.items:
        href, action = _link(item, user)
        rows.append(
            DueRow(
                kind=item.kind.value,
                what=_what(item, names),
                pilot_id=item.pilot_id,
                pilot_name=item.pilot_name,
                pilot_language=item.pilot_language,
                due_on=_day(item.due_on),
                overdue=item.overdue,
                href=href,
                action=action,
            )
        )
    return rows


def _municipality_names(codes: set[str]) -> dict[str, str]:
    """The names of the municipalities the items name, in the page's language: one query,
    also for none (a page's query count does not depend on what is due)."""
    language = current_language()
    rows = db.session.scalars(sa.select(Municipality).where(Municipality.code.in_(codes)))
    return {m.code: m.name(language) for m in rows}
