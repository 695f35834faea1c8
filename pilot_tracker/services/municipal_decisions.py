"""Recording each municipality's own decision: a no_go makes it leave, a newcomer's go at
scale-up makes it join, and the planned shares follow (services/pilots.change_membership)."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from pilot_tracker.domain.enums import Gate, Outcome
from pilot_tracker.domain.errors import Message
from pilot_tracker.domain.municipal_decisions import (
    Body,
    Effect,
    Membership,
    MunicipalDecisionError,
    apply_effect,
    check_minutes_url,
    check_section,
    decision_effect,
    standing_of,
)
from pilot_tracker.extensions import db
from pilot_tracker.models import MunicipalDecision, Municipality, Pilot
from pilot_tracker.services import audit
from pilot_tracker.services.pilots import (
    PilotValidationError,
    change_membership,
    load_pilot_for_update,
)

MAX_NOTE = 10_000


def _refusal(error: MunicipalDecisionError) -> PilotValidationError:
    return PilotValidationError({error.field: [error.message]})


def municipal_decision_fields(
    decided_on: date, section: str, minutes_url: str, note: str, today: date
) -> tuple[dict[str, str], dict[str, list[str]]]:
    """A municipal decision's own fields checked: its section and minutes address as they are
    kept, and the refusals by field (dated today or earlier, a section number, an https
    address of the minutes, a note of at most 10 000 characters)."""
    errors: dict[str, list[str]] = {}
    if decided_on > today:
        errors["date"] = [Message("decision_dated_today_or_earlier")]
    clean: dict[str, str] = {}
    for key, check, value in (
        ("section", check_section, section),
        ("minutes_url", check_minutes_url, minutes_url),
    ):
        try:
            clean[key] = check(value)
        except MunicipalDecisionError as exc:
            errors.setdefault(exc.field, []).append(exc.message)
    if len(note or "") > MAX_NOTE:
        errors["note"] = [Message("at_most_10000")]
    return clean, errors


def record_municipal_decision(
    pilot: Pilot,
    municipality: str,
    gate: Gate,
    outcome: Outcome,
    body: Body,
    decided_on: date,
    section: str = "",
    minutes_url: str = "",
    note: str = "",
    recorded_by_id: int | None = None,
    today: date | None = None,
    commit: bool = True,
) -> MunicipalDecision:
    """Record what `municipality`'s body decided at `gate`; its membership and the planned
    shares change as the rules say. Raises PilotValidationError naming the field; nothing is
    changed then."""
    pilot = load_pilot_for_update(pilot.id) or pilot
    today = today or date.today()
    errors: dict[str, list[str]] = {}
    code = (municipality or "").strip()
    if db.session.get(Municipality, code) is None:
        errors["municipality"] = [Message("choose_registered_municipality")]
    clean, field_errors = municipal_decision_fields(decided_on, section, minutes_url, note, today)
    errors.update(field_errors)
    if errors:
        raise PilotValidationError(errors)
    members = {
        p.municipality_code: Membership(p.municipality_code, p.joined_on, p.left_on)
        for p in pilot.participations
    }
    try:
        effect = decision_effect(
            pilot.stage, gate, outcome, standing_of(code, pilot.lead_municipality_code, members)
        )
        apply_effect(members, code, effect, decided_on)  # refuses a leave before joining
    except MunicipalDecisionError as exc:
        raise _refusal(exc) from None
    decision = MunicipalDecision(
        pilot_id=pilot.id,
        municipality_code=code,
        gate=Gate(gate),
        outcome=Outcome(outcome),
        body=Body(body),
        decided_on=decided_on,
        section=clean["section"],
        minutes_url=clean["minutes_url"],
        note=(note or "").strip(),
        recorded_by_id=recorded_by_id,
    )
    db.session.add(decision)
    if effect is Effect.LEAVE:
        change_membership(pilot, on=decided_on, leaving=code)
    elif effect is Effect.JOIN:
        change_membership(pilot, on=decided_on, joining=code)
    db.session.flush()
    audit.record(
        "create",
        "municipal_decision",
        decision.id,
        new=audit.row_values(decision),
        pilot_id=pilot.id,
    )
    if commit:
        db.session.commit()
    return decision


def decisions_at_gate(pilot_id: int, gate: Gate) -> list[MunicipalDecision]:
    """The municipal decisions at one gate, by municipality code (for the steering group)."""
    return list(
        db.session.scalars(
            sa.select(MunicipalDecision)
            .where(MunicipalDecision.pilot_id == pilot_id, MunicipalDecision.gate == Gate(gate))
            .options(selectinload(MunicipalDecision.municipality))
            .order_by(MunicipalDecision.municipality_code, MunicipalDecision.decided_on)
        )
    )


def municipal_decisions_for(pilot_ids: list[int]) -> dict[int, list[MunicipalDecision]]:
    """The municipal decisions of each pilot, newest first, with their municipalities (one
    query, also for no pilots: the pages' query count does not depend on the data)."""
    result: dict[int, list[MunicipalDecision]] = {pid: [] for pid in pilot_ids}
    rows = db.session.scalars(
        sa.select(MunicipalDecision)
        .where(MunicipalDecision.pilot_id.in_(pilot_ids))
        .options(joinedload(MunicipalDecision.municipality))
        .order_by(MunicipalDecision.decided_on.desc(), MunicipalDecision.id.desc())
    )
    for decision in rows:
        result[decision.pilot_id].append(decision)
    return result


def latest_by_municipality(decisions: list[MunicipalDecision]) -> list[MunicipalDecision]:
    """Each municipality's newest decision among `decisions` (newest first), by code."""
    latest: dict[str, MunicipalDecision] = {}
    for decision in decisions:
        latest.setdefault(decision.municipality_code, decision)
    return [latest[code] for code in sorted(latest)]
