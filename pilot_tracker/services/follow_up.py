"""The follow-up plan with the vendor (its items and their comments) and lessons learned."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from pilot_tracker.domain.enums import Stage
from pilot_tracker.domain.errors import Message
from pilot_tracker.domain.follow_up import CLOSED_STATUSES, ItemStatus, OwnerKind
from pilot_tracker.domain.follow_up import is_overdue as item_overdue
from pilot_tracker.extensions import db
from pilot_tracker.models import Decision, Pilot
from pilot_tracker.models.follow_up import FollowUpComment, FollowUpItem, Lesson
from pilot_tracker.services import audit
from pilot_tracker.services.pilots import PilotValidationError

MAX_TITLE = 200
MAX_TEXT = 10_000
# What the pilot's vendor may change on the items it owns; everything else is an editor's.
VENDOR_FIELDS = frozenset({"status", "comment"})
EDITOR_FIELDS = frozenset({"status", "comment", "title", "description", "due_on", "owner"})


@dataclass(frozen=True)
class Owner:
    """Who answers for an item: the vendor, one participating municipality or the coordinator."""

    kind: OwnerKind
    code: str | None = None


def is_overdue(item: FollowUpItem, today: date) -> bool:
    """Past its due date and neither done nor dropped (domain/follow_up.py)."""
    return item_overdue(item.due_on, item.status, today)


def items_of(pilot_id: int) -> list[FollowUpItem]:
    """The pilot's follow-up items with their comments: open ones first, then by due date."""
    closed = sa.case((FollowUpItem.status.in_(list(CLOSED_STATUSES)), 1), else_=0)
    # The comments join into the same query: one query whatever the plan holds.
    return list(
        db.session.scalars(
            sa.select(FollowUpItem)
            .where(FollowUpItem.pilot_id == pilot_id)
            .options(joinedload(FollowUpItem.comments))
            .order_by(closed, FollowUpItem.due_on.is_(None), FollowUpItem.due_on, FollowUpItem.id)
        ).unique()
    )


def _check_owner(pilot: Pilot, owner: Owner, errors: dict[str, list[str]]) -> None:
    # The participations are read only for a municipality owner (they may not be loaded).
    current = (
        {p.municipality_code for p in pilot.current_participations}
        if owner.kind is OwnerKind.MUNICIPALITY
        else set()
    )
    errors.update(owner_errors(owner, current, has_vendor=pilot.vendor_id is not None))


def owner_errors(owner: Owner, current: set[str], *, has_vendor: bool) -> dict[str, list[str]]:
    """The refusals of an item's owner (under `owner`): a municipality owner is one of the
    `current` participants, only a municipality owner names one, a vendor owner needs the
    pilot to have a vendor."""
    if owner.kind is OwnerKind.MUNICIPALITY:
        if owner.code not in current:
            return {"owner": [Message("owner_not_participant")]}
    elif owner.code:
        return {"owner": [Message("only_municipality_owner_names")]}
    elif owner.kind is OwnerKind.VENDOR and not has_vendor:
        return {"owner": [Message("no_vendor_to_own")]}
    return {}


def item_text_errors(title: str | None, description: str | None) -> dict[str, list[str]]:
    """The refusals of an item's title and description (None: not given)."""
    errors: dict[str, list[str]] = {}
    _check_texts(title, description, errors)
    return errors


def comment_errors(text: str) -> dict[str, list[str]]:
    """The refusals of a comment on an item (under `comment`)."""
    if len(text or "") > MAX_TEXT:
        return {"comment": [Message("at_most_10000")]}
    return {}


def _check_texts(title: str | None, description: str | None, errors: dict[str, list[str]]) -> None:
    if title is not None:
        if not title.strip():
            errors["title"] = [Message("item_title_required")]
        elif len(title) > MAX_TITLE:
            errors["title"] = [Message("at_most_200")]
    if description is not None and len(description) > MAX_TEXT:
        errors["description"] = [Message("at_most_10000")]


def create_item(
    pilot: Pilot,
    title: str,
    owner: Owner,
    description: str = "",
    due_on: date | None = None,
    decision_id: int | None = None,
    commit: bool = True,
) -> FollowUpItem:
    """Add an item to the pilot's follow-up plan (editors); PilotValidationError names each
    bad field, and nothing is saved then. `pilot` needs its participations loaded."""
    errors: dict[str, list[str]] = {}
    _check_texts(title, description, errors)
    _check_owner(pilot, owner, errors)
    if decision_id is not None:
        decision = db.session.get(Decision, decision_id)
        if decision is None or decision.pilot_id != pilot.id:
            errors["decision_id"] = [Message("no_such_decision")]
    if errors:
        raise PilotValidationError(errors)
    item = FollowUpItem(
        pilot_id=pilot.id,
        title=title.strip(),
        description=(description or "").strip(),
        owner_kind=owner.kind,
        owner_municipality_code=owner.code if owner.kind is OwnerKind.MUNICIPALITY else None,
        due_on=due_on,
        status=ItemStatus.OPEN,
        decision_id=decision_id,
        comments=[],
    )
    audit.add_new(item, "follow_up_item", pilot.id, commit)
    return item


def _check_changes(pilot: Pilot, changes: dict[str, Any]) -> None:
    """Raise PilotValidationError for bad values in an item's `changes`; the status becomes
    an ItemStatus in place."""
    errors: dict[str, list[str]] = {}
    if "status" in changes:
        try:
            changes["status"] = ItemStatus(changes["status"])
        except ValueError:
            errors["status"] = [Message("item_status_choice")]
    _check_texts(changes.get("title"), changes.get("description"), errors)
    comment = changes.get("comment")
    if comment is not None:
        errors.update(comment_errors(comment))
    owner = changes.get("owner")
    if owner is not None:
        _check_owner(pilot, owner, errors)
    if errors:
        raise PilotValidationError(errors)


def update_item(
    pilot: Pilot,
    item: FollowUpItem,
    changes: dict[str, Any],
    author_id: int | None,
    allowed: frozenset[str] = EDITOR_FIELDS,
    commit: bool = True,
) -> FollowUpItem:
    """Change an item's fields and/or add a comment. A field outside `allowed` raises
    PermissionError (the caller answers 403); bad values raise PilotValidationError."""
    refused = sorted(set(changes) - allowed)
    if refused:
        raise PermissionError(", ".join(refused))
    _check_changes(pilot, changes)
    comment = changes.get("comment")
    owner = changes.get("owner")
    before = audit.row_values(item)
    for key in ("status", "title", "description", "due_on"):
        if key in changes:
            value = changes[key]
            setattr(item, key, value.strip() if isinstance(value, str) else value)
    if owner is not None:
        item.owner_kind = owner.kind
        item.owner_municipality_code = owner.code if owner.kind is OwnerKind.MUNICIPALITY else None
    after = audit.row_values(item)
    if after != before:
        audit.record(
            "update",
            "follow_up_item",
            item.id,
            old={k: v for k, v in before.items() if after[k] != v},
            new={k: v for k, v in after.items() if before[k] != v},
            pilot_id=pilot.id,
        )
    if comment is not None and comment.strip():
        note = FollowUpComment(item_id=item.id, text=comment.strip(), author_id=author_id)
        audit.add_new(note, "follow_up_comment", pilot.id, commit=False)
    db.session.flush()
    if commit:
        db.session.commit()
    return item


def delete_item(pilot: Pilot, item: FollowUpItem, commit: bool = True) -> None:
    """Remove an item (editors); the audit log keeps it."""
    audit.record("delete", "follow_up_item", item.id, old=audit.row_values(item), pilot_id=pilot.id)
    db.session.delete(item)
    if commit:
        db.session.commit()


def record_lesson(
    pilot: Pilot,
    text: str,
    decision_id: int | None = None,
    recorded_by_id: int | None = None,
    commit: bool = True,
) -> Lesson:
    """What the pilot taught: what worked, what did not, what another municipality should
    know. Recorded at evaluation or with a decision."""
    errors = lesson_errors(text, decision_id is not None, pilot.stage)
    if errors:
        raise PilotValidationError(errors)
    lesson = Lesson(
        pilot_id=pilot.id, decision_id=decision_id, text=text.strip(), recorded_by_id=recorded_by_id
    )
    audit.add_new(lesson, "lesson", pilot.id, commit)
    return lesson


def lesson_errors(text: str, with_decision: bool, stage: Stage) -> dict[str, list[str]]:
    """The refusals of a lesson (under `lesson`): a text of at most 10 000 characters,
    recorded with a decision or from evaluation on."""
    errors: dict[str, list[str]] = {}
    if not (text or "").strip():
        errors["lesson"] = [Message("lesson_text_required")]
    elif len(text) > MAX_TEXT:
        errors["lesson"] = [Message("at_most_10000")]
    if not with_decision and stage.value not in ("evaluation", "scaling", "stopped"):
        errors.setdefault("lesson", []).append(Message("lessons_when"))
    return errors


def lessons_of(pilot_ids: list[int]) -> dict[int, list[Lesson]]:
    """Lessons learned per pilot, newest first, in one query."""
    result: dict[int, list[Lesson]] = {pid: [] for pid in pilot_ids}
    for lesson in db.session.scalars(
        sa.select(Lesson)
        .where(Lesson.pilot_id.in_(pilot_ids))
        .order_by(Lesson.created_at.desc(), Lesson.id.desc())
    ):
        result[lesson.pilot_id].append(lesson)
    return result
