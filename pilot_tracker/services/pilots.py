"""Creating, changing and deleting pilots; cost shares are recomputed on every change."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from pilot_tracker.domain.cost_split import CostSplitError, net_cost_cents, split_cost
from pilot_tracker.domain.enums import Goal, SplitMethod, Stage, Theme, Track, default_track
from pilot_tracker.domain.errors import Message
from pilot_tracker.domain.money import MAX_CENTS
from pilot_tracker.domain.plausibility import Finding, funding_refusal, new_findings
from pilot_tracker.domain.stages import TransitionError, check_plain_update
from pilot_tracker.extensions import db
from pilot_tracker.models import Municipality, Participation, Pilot, PilotGoal, User, Vendor
from pilot_tracker.services import audit
from pilot_tracker.services.plausibility import UnconfirmedWarnings, pilot_warnings

WRITABLE = (
    "name",
    "summary",
    "theme",
    "track",
    "stage",
    "goals",
    "lead_municipality",
    "participants",
    "split_method",
    "manual_shares",
    "equal_percent",
    "external_funding_rate_percent",
    "budget_cents",
    "external_funding_cents",
    "estimated_annual_savings_cents",
    "vendor_id",
    "coordinator_id",
    "start_date",
    "end_date",
    "is_public",
    "language",
)

HUNDREDTH = Decimal("0.01")

# The languages a pilot's name and summary may be written in (pages mark them with lang=).
TEXT_LANGUAGES = ("fi", "sv", "en")


class PilotValidationError(ValueError):
    """Bad input; `errors` maps each field to its messages. Nothing was changed."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))
        self.errors = errors


class RowsValidationError(PilotValidationError):
    """Bad input in some of many rows given at once (a bulk service function): `rows` maps
    each refused row's position to its errors by field. Nothing was changed."""

    def __init__(self, rows: dict[int, dict[str, list[str]]]) -> None:
        super().__init__({f"{i}-{k}": v for i, errors in rows.items() for k, v in errors.items()})
        self.rows = rows


class StaleVersionError(Exception):
    """Someone saved the pilot after the editor loaded it; nothing was changed."""

    def __init__(self, pilot: Pilot, changed: dict[str, Any]) -> None:
        super().__init__(f"pilot {pilot.id} is at version {pilot.version}")
        self.pilot = pilot
        self.current_version = pilot.version
        self.changed = changed


@dataclass
class PilotData:
    """Every writable field of a pilot, in domain types (money in cents)."""

    name: str
    theme: Theme
    lead_municipality: str
    participants: list[str]
    summary: str = ""
    track: Track | None = None
    stage: Stage = Stage.IDEA
    goals: list[Goal] = field(default_factory=list)
    split_method: SplitMethod = SplitMethod.EQUAL
    manual_shares: dict[str, Decimal] | None = None
    equal_percent: Decimal | None = None  # hybrid only: the part shared equally
    external_funding_rate_percent: Decimal | None = None  # None: funding ÷ budget
    budget_cents: int = 0
    external_funding_cents: int = 0
    estimated_annual_savings_cents: int = 0
    vendor_id: int | None = None
    coordinator_id: int | None = None
    start_date: date | None = None
    end_date: date | None = None
    is_public: bool = False
    language: str = "fi"  # of the name and summary
    # Only when creating: the uid the pilot has elsewhere (an import keeps the file's).
    uid: str | None = None


def pilot_options() -> list[Any]:
    """Loader options for a pilot with its goals and participants (fixed query count)."""
    return [
        selectinload(Pilot.goals),
        selectinload(Pilot.participations).selectinload(Participation.municipality),
        selectinload(Pilot.lead_municipality),
        selectinload(Pilot.vendor),
        selectinload(Pilot.coordinator),
    ]


def pilot_values(pilot: Pilot) -> dict[str, Any]:
    """What the audit log records of a pilot: its columns, goals and shares."""
    values = audit.row_values(pilot, exclude=("created_at", "updated_at"))
    values["goals"] = sorted(g.goal.value for g in pilot.goals)
    values["participants"] = {
        p.municipality_code: {
            "share_cents": p.share_cents,
            "manual_percent": audit.jsonable(p.manual_percent),
            "joined_on": audit.jsonable(p.joined_on),
            "left_on": audit.jsonable(p.left_on),
        }
        for p in pilot.participations
    }
    return values


Errors = dict[str, list[str]]


def _validate(data: PilotData) -> tuple[dict[str, Municipality], dict[str, int]]:
    """Check every field; returns the participants' municipalities and their shares."""
    errors = field_errors(data)
    codes = list(dict.fromkeys(data.participants))
    municipalities = {
        m.code: m
        for m in db.session.scalars(sa.select(Municipality).where(Municipality.code.in_(codes)))
    }
    unknown = [c for c in codes if c not in municipalities]
    if unknown:
        _add(errors, "participants", Message("unknown_municipality_codes", codes=tuple(unknown)))
    if data.vendor_id is not None and db.session.get(Vendor, data.vendor_id) is None:
        _add(errors, "vendor_id", Message("no_such_vendor", id=data.vendor_id))
    if data.coordinator_id is not None and db.session.get(User, data.coordinator_id) is None:
        _add(errors, "coordinator_id", Message("no_such_user", id=data.coordinator_id))
    shares: dict[str, int] = {}
    if not errors.get("participants") and "budget_cents" not in errors:
        try:
            shares = split_cost(
                data.split_method,
                net_cost_cents(data.budget_cents, data.external_funding_cents),
                {c: municipalities[c].population for c in codes},
                data.manual_shares if data.split_method is SplitMethod.MANUAL else None,
                data.equal_percent if data.split_method is SplitMethod.HYBRID else None,
            )
        except CostSplitError as exc:
            _add(errors, "cost_split", exc.message)
    if errors:
        raise PilotValidationError(errors)
    return municipalities, shares


def _add(errors: Errors, key: str, message: str) -> None:
    errors.setdefault(key, []).append(message)


def field_errors(data: PilotData) -> Errors:
    """The refusals of a pilot's fields that need no database, by field (empty: none): its
    texts, track, participants list, money, dates and funding rate."""
    errors: Errors = {}
    for check in (_text_errors, _participant_errors, _money_errors, _other_errors):
        for key, messages in check(data).items():
            errors.setdefault(key, []).extend(messages)
    return errors


def _text_errors(data: PilotData) -> Errors:
    errors: Errors = {}
    name = (data.name or "").strip()
    if not name:
        _add(errors, "name", Message("name_required"))
    elif len(name) > 200:
        _add(errors, "name", Message("name_too_long"))
    if len(data.summary or "") > 10_000:
        _add(errors, "summary", Message("summary_too_long"))
    if data.language not in TEXT_LANGUAGES:
        _add(errors, "language", Message("text_language"))
    if data.track is None and default_track(data.theme) is None:
        _add(errors, "track", Message("track_required"))
    return errors


def _participant_errors(data: PilotData) -> Errors:
    errors: Errors = {}
    codes = list(dict.fromkeys(data.participants))
    if len(codes) != len(data.participants):
        _add(errors, "participants", Message("municipality_twice"))
    if not codes:
        _add(errors, "participants", Message("participants_required"))
    if len(codes) > 308:
        _add(errors, "participants", Message("too_many_participants"))
    if data.lead_municipality not in codes:
        _add(errors, "lead_municipality", Message("lead_not_participant"))
    return errors


def _money_errors(data: PilotData) -> Errors:
    errors: Errors = {}
    for key in ("budget_cents", "external_funding_cents", "estimated_annual_savings_cents"):
        value = getattr(data, key)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            _add(errors, key, Message("zero_or_more"))
        elif value > MAX_CENTS:
            _add(errors, key, Message("amount_too_large"))
    if not errors.get("budget_cents") and not errors.get("external_funding_cents"):
        refusal = funding_refusal(data.budget_cents, data.external_funding_cents)
        if refusal is not None:
            _add(errors, refusal.field, refusal.message)
    return errors


def _other_errors(data: PilotData) -> Errors:
    errors: Errors = {}
    if data.start_date and data.end_date and data.end_date < data.start_date:
        _add(errors, "end_date", Message("end_before_start"))
    rate = data.external_funding_rate_percent
    if rate is not None and (
        not isinstance(rate, Decimal)
        or not rate.is_finite()
        or not 0 <= rate <= 100
        or rate != rate.quantize(HUNDREDTH)
    ):
        _add(errors, "external_funding_rate_percent", Message("funding_rate_range"))
    return errors


def _apply(pilot: Pilot, data: PilotData, shares: dict[str, int]) -> None:
    pilot.name = data.name.strip()
    pilot.summary = (data.summary or "").strip()
    pilot.theme = data.theme
    pilot.track = data.track or default_track(data.theme)  # type: ignore[assignment]
    pilot.stage = data.stage
    pilot.lead_municipality_code = data.lead_municipality
    pilot.split_method = data.split_method
    pilot.equal_percent = (
        Decimal(data.equal_percent).quantize(HUNDREDTH)
        if data.split_method is SplitMethod.HYBRID and data.equal_percent is not None
        else None
    )
    rate = data.external_funding_rate_percent
    pilot.external_funding_rate_percent = None if rate is None else rate.quantize(HUNDREDTH)
    pilot.budget_cents = data.budget_cents
    pilot.external_funding_cents = data.external_funding_cents
    pilot.estimated_annual_savings_cents = data.estimated_annual_savings_cents
    pilot.vendor_id = data.vendor_id
    pilot.coordinator_id = data.coordinator_id
    pilot.start_date = data.start_date
    pilot.end_date = data.end_date
    pilot.is_public = bool(data.is_public)
    pilot.language = data.language
    wanted_goals = sorted(set(data.goals))
    if [g.goal for g in pilot.goals] != wanted_goals:
        pilot.goals = [PilotGoal(goal=g) for g in wanted_goals]
    existing = {p.municipality_code: p for p in pilot.participations}
    manual = data.manual_shares if data.split_method is SplitMethod.MANUAL else None
    new_list = []
    for code, cents in shares.items():
        participation = existing.get(code) or Participation(municipality_code=code)
        participation.share_cents = cents
        # Stored as NUMERIC(5, 2): kept in that form here too, so the audit log records
        # 50.00 (not "50") and sending the same percentage again is no change.
        participation.manual_percent = Decimal(manual[code]).quantize(HUNDREDTH) if manual else None
        new_list.append(participation)
    # Municipalities that have left keep their row (their dates and their history) with no
    # planned share: the planned cost is always split among the current participants.
    for code, participation in existing.items():
        if code not in shares and participation.left_on is not None:
            participation.share_cents = 0
            participation.manual_percent = None
            new_list.append(participation)
    pilot.participations = sorted(new_list, key=lambda p: p.municipality_code)


@dataclass
class Saved:
    """A saved pilot and the plausibility warnings its save raised."""

    pilot: Pilot
    warnings: list[Finding]


def create_pilot(data: PilotData, commit: bool = True) -> Pilot:
    """Validate and create a pilot with its shares; audited. Raises PilotValidationError."""
    return save_new_pilot(data, commit=commit).pilot


def save_new_pilot(data: PilotData, *, confirmed: bool = True, commit: bool = True) -> Saved:
    """Validate and create a pilot with its shares; audited. Raises PilotValidationError,
    and UnconfirmedWarnings when it raises warnings and `confirmed` is false (nothing is
    written then)."""
    if data.stage not in (Stage.IDEA, Stage.PLANNING, Stage.PILOTING, Stage.EVALUATION):
        raise PilotValidationError({"stage": [Message("new_pilot_final_stage")]})
    municipalities, shares = _validate(data)
    warnings = pilot_warnings(
        data.name, data.budget_cents, (m.population for m in municipalities.values()), None
    )
    if warnings and not confirmed:
        raise UnconfirmedWarnings(warnings)
    pilot = Pilot(goals=[], participations=[], kpis=[], status_updates=[], decisions=[])
    if data.uid:
        pilot.uid = data.uid
    _apply(pilot, data, shares)
    db.session.add(pilot)
    db.session.flush()
    audit.record("create", "pilot", pilot.id, new=pilot_values(pilot), pilot_id=pilot.id)
    if commit:
        db.session.commit()
    return Saved(pilot, warnings)


def data_from_pilot(pilot: Pilot) -> PilotData:
    """The current values of a pilot as input data (the base of a partial update)."""
    current = pilot.current_participations
    manual = pilot.manual_shares
    return PilotData(
        name=pilot.name,
        summary=pilot.summary,
        theme=pilot.theme,
        track=pilot.track,
        stage=pilot.stage,
        goals=[g.goal for g in pilot.goals],
        lead_municipality=pilot.lead_municipality_code,
        participants=[p.municipality_code for p in current],
        split_method=pilot.split_method,
        manual_shares=manual,
        equal_percent=pilot.equal_percent,
        external_funding_rate_percent=pilot.external_funding_rate_percent,
        budget_cents=pilot.budget_cents,
        external_funding_cents=pilot.external_funding_cents,
        estimated_annual_savings_cents=pilot.estimated_annual_savings_cents,
        vendor_id=pilot.vendor_id,
        coordinator_id=pilot.coordinator_id,
        start_date=pilot.start_date,
        end_date=pilot.end_date,
        is_public=pilot.is_public,
        language=pilot.language,
    )


def former_codes(pilot: Pilot) -> set[str]:
    """The municipalities that took part in the pilot and have left it."""
    return {p.municipality_code for p in pilot.participations if p.left_on is not None}


def load_pilot_for_update(pilot_id: int) -> Pilot | None:
    """A pilot with what an update touches, or None."""
    return db.session.scalars(
        sa.select(Pilot).where(Pilot.id == pilot_id).options(*pilot_options())
    ).first()


def update_pilot(
    pilot: Pilot, changes: dict[str, Any], expected_version: int, commit: bool = True
) -> Pilot:
    """`save_pilot_changes`, confirmed; the pilot."""
    return save_pilot_changes(pilot, changes, expected_version, commit=commit).pilot


def save_pilot_changes(
    pilot: Pilot,
    changes: dict[str, Any],
    expected_version: int,
    *,
    confirmed: bool = True,
    commit: bool = True,
) -> Saved:
    """Apply `changes` (keys of WRITABLE) if the editor saw `expected_version`.

    Raises StaleVersionError (with what changed since) or PilotValidationError; either way
    nothing is written. Changes to the values the pilot already has write nothing either: the
    version stays (the caller can tell by it). The stage moves only forward to evaluation
    here; decisions do the rest. The warnings are those the stored pilot did not raise
    already (an edit asks only about what it changes); unconfirmed, they raise
    UnconfirmedWarnings and nothing is written.
    """
    unknown = sorted(set(changes) - set(WRITABLE))
    if unknown:
        raise PilotValidationError({k: [Message("field_unchangeable")] for k in unknown})
    if pilot.version != expected_version:
        raise StaleVersionError(pilot, changes_since(pilot, expected_version))
    before = pilot_values(pilot)
    data = _changed_data(pilot, changes)
    municipalities, shares = _validate(data)
    warnings = _new_warnings(pilot, data, municipalities)
    if warnings and not confirmed:
        raise UnconfirmedWarnings(warnings)
    old_stage = pilot.stage
    _apply(pilot, data, shares)
    if pilot.stage is Stage.PILOTING and old_stage is not Stage.PILOTING:
        pilot.piloting_since = date.today()  # entered piloting by a plain update
    if pilot_values(pilot) == before:
        # Nothing the audit log would record changed (the same values, participants and
        # shares): the row is not written, the version stays and no entry is made.
        return Saved(pilot, [])
    pilot.version = expected_version + 1
    _flush_version(pilot, expected_version)
    _recompute_costs(pilot)
    after = pilot_values(pilot)
    audit.record("update", "pilot", pilot.id, old=before, new=after, pilot_id=pilot.id)
    if commit:
        db.session.commit()
    return Saved(pilot, warnings)


def _changed_data(pilot: Pilot, changes: dict[str, Any]) -> PilotData:
    """The pilot's data with `changes` applied; refuses a stage a plain update cannot reach
    and a former participant rejoining."""
    data = data_from_pilot(pilot)
    if "theme" in changes and "track" not in changes:
        # A new theme proposes its track, unless the caller chose one.
        data.track = default_track(Theme(changes["theme"])) or data.track
    for key, value in changes.items():
        setattr(data, key, value)
    if data.split_method is not SplitMethod.MANUAL:
        data.manual_shares = None
    if data.split_method is not SplitMethod.HYBRID:
        data.equal_percent = None
    if data.stage != pilot.stage:
        try:
            check_plain_update(pilot.stage, data.stage)
        except TransitionError as exc:
            raise PilotValidationError({"stage": [exc.message]}) from exc
    if former_codes(pilot) & set(data.participants):
        raise PilotValidationError({"participants": [Message("participant_rejoining")]})
    return data


def _new_warnings(
    pilot: Pilot, data: PilotData, municipalities: dict[str, Municipality]
) -> list[Finding]:
    """The warnings the changed pilot raises that the stored one did not."""
    warnings = pilot_warnings(
        data.name, data.budget_cents, (m.population for m in municipalities.values()), pilot.id
    )
    if not warnings:
        return warnings
    stored = pilot_warnings(
        pilot.name,
        pilot.budget_cents,
        (p.municipality.population for p in pilot.current_participations),
        pilot.id,
    )
    return new_findings(warnings, stored)


def _flush_version(pilot: Pilot, expected_version: int) -> None:
    """Write the pilot; someone else's save in between is a StaleVersionError."""
    try:
        db.session.flush()
    except StaleDataError as exc:
        db.session.rollback()
        fresh = load_pilot_for_update(pilot.id)
        if fresh is None:
            raise
        raise StaleVersionError(fresh, changes_since(fresh, expected_version)) from exc


def change_membership(
    pilot: Pilot, *, on: date, leaving: str | None = None, joining: str | None = None
) -> None:
    """`leaving` leaves the pilot on `on`, or `joining` joins it on `on`; the planned shares
    are split again among the current participants, and the change is audited with the old
    and new shares and dates. Raises PilotValidationError (nothing changed then).

    With a manual split the percentages of those who stay are scaled back up to 100 % in
    proportion (to the hundredth, by the largest-remainder rule); a newcomer starts at 0 %,
    for the coordinator to set.
    """
    before = pilot_values(pilot)
    data = data_from_pilot(pilot)
    by_code = {p.municipality_code: p for p in pilot.participations}
    if leaving is not None:
        if leaving == pilot.lead_municipality_code:
            raise PilotValidationError({"municipality": [Message("lead_cannot_leave")]})
        data.participants = [c for c in data.participants if c != leaving]
        if data.manual_shares is not None:
            data.manual_shares = _rescaled_percentages(
                {c: v for c, v in data.manual_shares.items() if c != leaving}
            )
    if joining is not None:
        data.participants = [*data.participants, joining]
        if data.manual_shares is not None:
            data.manual_shares = {**data.manual_shares, joining: Decimal("0.00")}
    _municipalities, shares = _validate(data)
    if leaving is not None:
        by_code[leaving].left_on = on
    _apply(pilot, data, shares)
    if joining is not None:
        next(p for p in pilot.participations if p.municipality_code == joining).joined_on = on
    pilot.version = pilot.version + 1
    db.session.flush()
    # Costs dated from the day of leaving (or before joining) are shared among the others.
    _recompute_costs(pilot)
    audit.record(
        "update", "pilot", pilot.id, old=before, new=pilot_values(pilot), pilot_id=pilot.id
    )


def _rescaled_percentages(kept: dict[str, Decimal]) -> dict[str, Decimal]:
    from pilot_tracker.domain.cost_split import largest_remainder

    if not kept:
        return {}
    if not any(kept.values()):
        hundredths = largest_remainder(10_000, dict.fromkeys(kept, 1))
    else:
        hundredths = largest_remainder(10_000, kept)
    return {code: Decimal(value) / 100 for code, value in hundredths.items()}


def _recompute_costs(pilot: Pilot) -> None:
    """Funding, method and participants move every cost entry's figures: recompute them."""
    from pilot_tracker.services.costs import CostValidationError, recompute_pilot

    try:
        recompute_pilot(pilot.id, commit=False)
    except CostValidationError as exc:
        db.session.rollback()
        raise PilotValidationError({"participants": exc.errors.get("date", [])}) from exc


def changes_since(pilot: Pilot, version: int) -> dict[str, Any]:
    """What others changed after `version`, from the audit log (for the conflict message)."""
    from pilot_tracker.models import AuditEntry

    entries = db.session.scalars(
        sa.select(AuditEntry)
        .where(AuditEntry.entity == "pilot", AuditEntry.entity_id == str(pilot.id))
        .where(AuditEntry.action == "update")
        .order_by(AuditEntry.id)
    ).all()
    changed: dict[str, Any] = {}
    for entry in entries:
        new = entry.new or {}
        if int(new.get("version", 0)) > version:
            for key, value in new.items():
                if key != "version":
                    changed[key] = {"value": value, "by": entry.actor_email, "at": entry.at}
    return changed


def delete_pilot(pilot: Pilot, commit: bool = True) -> None:
    """Delete a pilot and what belongs to it; the audit log keeps the whole record."""
    from pilot_tracker.services.snapshots import pilot_full_record

    record = pilot_full_record(pilot.id)
    audit.record("delete", "pilot", pilot.id, old=record, pilot_id=pilot.id)
    db.session.delete(pilot)
    if commit:
        db.session.commit()
