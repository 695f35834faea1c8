"""Recording go / no-go decisions: the stage moves by the rules, the snapshot is frozen."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa

from pilot_tracker.domain.enums import Gate, Outcome, Stage
from pilot_tracker.domain.errors import Message
from pilot_tracker.domain.plausibility import decision_date_refusal
from pilot_tracker.domain.stages import TransitionError, refused_field, stage_after_decision
from pilot_tracker.extensions import db
from pilot_tracker.models import Decision, Kpi, Pilot
from pilot_tracker.services import audit
from pilot_tracker.services.pilots import (
    PilotValidationError,
    RowsValidationError,
    load_pilot_for_update,
)
from pilot_tracker.services.snapshots import decision_snapshot, municipal_snapshot


def decision_errors(
    decided_on: date, decided_by: str, rationale: str, next_review: date | None, today: date
) -> dict[str, list[str]]:
    """The refusals of a decision's own fields, by field (empty: none): who decided, why,
    dated today or earlier, a next review not before it. The stage rules are apart."""
    errors: dict[str, list[str]] = {}
    if not (decided_by or "").strip():
        errors["decided_by"] = [Message("decision_body_required")]
    elif len(decided_by) > 200:
        errors["decided_by"] = [Message("at_most_200")]
    if not (rationale or "").strip():
        errors["rationale"] = [Message("decision_rationale_required")]
    if next_review is not None and next_review < decided_on:
        errors["next_review"] = [Message("next_review_before_decision")]
    refusal = decision_date_refusal(decided_on, today)
    if refusal is not None:
        errors[refusal.field] = [refusal.message]
    return errors


def record_decision(
    pilot: Pilot,
    gate: Gate,
    outcome: Outcome,
    decided_on: date,
    decided_by: str,
    rationale: str,
    follow_up: str = "",
    next_review: date | None = None,
    back_to_planning: bool = False,
    recorded_by_id: int | None = None,
    commit: bool = True,
    today: date | None = None,
) -> Decision:
    """Record a decision on a pilot and move its stage by the rules.

    Raises PilotValidationError, each refusal under the field it concerns (`gate` for a
    gate not open in the pilot's stage or a final stage, `back_to_planning` for a send-back
    with another outcome than continue, `date` for a decision dated after today); nothing
    changes then.
    """
    # Reload with participants and municipalities: the snapshot needs them.
    pilot = load_pilot_for_update(pilot.id) or pilot
    errors = decision_errors(decided_on, decided_by, rationale, next_review, today or date.today())
    try:
        new_stage = stage_after_decision(pilot.stage, gate, outcome, back_to_planning)
    except TransitionError as exc:
        errors.setdefault(refused_field(pilot.stage, gate, outcome, back_to_planning), []).append(
            exc.message
        )
    if errors:
        raise PilotValidationError(errors)
    kpis = list(db.session.scalars(sa.select(Kpi).where(Kpi.pilot_id == pilot.id).order_by(Kpi.id)))
    decision = Decision(
        pilot_id=pilot.id,
        gate=Gate(gate),
        outcome=Outcome(outcome),
        decided_on=decided_on,
        decided_by=decided_by.strip(),
        rationale=rationale.strip(),
        follow_up=(follow_up or "").strip(),
        next_review=next_review,
        stage_before=pilot.stage,
        stage_after=new_stage,
        snapshot={
            **decision_snapshot(pilot, kpis),
            "municipal_decisions": municipal_snapshot(pilot.id, Gate(gate)),
        },
        recorded_by_id=recorded_by_id,
    )
    db.session.add(decision)
    old_stage = pilot.stage
    entered_piloting = new_stage is Stage.PILOTING and old_stage is not Stage.PILOTING
    old_since = pilot.piloting_since
    if new_stage != old_stage:
        pilot.stage = new_stage
        pilot.version = pilot.version + 1
    if entered_piloting:
        # The stale rule counts from the start decision's date (PRODUCT.md).
        pilot.piloting_since = decided_on
    db.session.flush()
    audit.record(
        "create", "decision", decision.id, new=audit.row_values(decision), pilot_id=pilot.id
    )
    if new_stage != old_stage:
        audit.record(
            "update",
            "pilot",
            pilot.id,
            old={
                "stage": old_stage.value,
                **(
                    {"piloting_since": old_since.isoformat() if old_since else None}
                    if entered_piloting
                    else {}
                ),
            },
            new={
                "stage": new_stage.value,
                "version": pilot.version,
                **({"piloting_since": decided_on.isoformat()} if entered_piloting else {}),
            },
            pilot_id=pilot.id,
        )
    if commit:
        db.session.commit()
    return decision


@dataclass(slots=True)
class DecisionRecord:
    """A decision as it was recorded elsewhere (an import): the stages it moved the pilot
    between and the snapshot its deciders saw, kept as they are."""

    gate: Gate
    outcome: Outcome
    decided_on: date
    decided_by: str
    rationale: str
    stage_before: Stage
    stage_after: Stage
    snapshot: dict[str, Any]
    follow_up: str = ""
    next_review: date | None = None
    recorded_by_id: int | None = None
    uid: str | None = None


def add_decision_records(
    pilot: Pilot,
    records: Sequence[DecisionRecord],
    *,
    stage: Stage,
    today: date | None = None,
    commit: bool = True,
) -> Stage | None:
    """Add decisions recorded elsewhere, each checked as `record_decision` checks its fields
    (all or none: RowsValidationError by position; the order of their stages is the
    caller's to check), each audited; then the pilot is moved to `stage`, the one the last
    of them left it in. Returns the stage the pilot had when that moved it, else None."""
    today = today or date.today()
    refused = {
        index: errors
        for index, r in enumerate(records)
        if (
            errors := decision_errors(r.decided_on, r.decided_by, r.rationale, r.next_review, today)
        )
    }
    if refused:
        raise RowsValidationError(refused)
    for r in records:
        decision = Decision(
            pilot_id=pilot.id,
            gate=Gate(r.gate),
            outcome=Outcome(r.outcome),
            decided_on=r.decided_on,
            decided_by=r.decided_by.strip(),
            rationale=r.rationale.strip(),
            follow_up=(r.follow_up or "").strip(),
            next_review=r.next_review,
            stage_before=r.stage_before,
            stage_after=r.stage_after,
            snapshot=r.snapshot,
            recorded_by_id=r.recorded_by_id,
        )
        if r.uid:
            decision.uid = r.uid
        db.session.add(decision)
        db.session.flush()
        audit.record(
            "create", "decision", decision.id, new=audit.row_values(decision), pilot_id=pilot.id
        )
    old = pilot.stage
    if old is stage:
        moved = None
    else:
        moved = old
        pilot.stage = stage
        pilot.version = pilot.version + 1
        db.session.flush()
        audit.record(
            "update",
            "pilot",
            pilot.id,
            old={"stage": old.value},
            new={"stage": stage.value, "version": pilot.version},
            pilot_id=pilot.id,
        )
    if commit:
        db.session.commit()
    return moved
