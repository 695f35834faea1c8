"""Recording, correcting and deleting cost entries; funding and shares kept current.

Funding is used up oldest first (date, then id), so a change to an entry can move only the
entries at or after it in that order. Recording, editing and deleting an entry therefore
recompute from that point: the funding the earlier entries used (their stored funded parts,
one sum) is the whole state the later ones depend on. A later entry whose funded part stays
the same keeps its shares (its date, amount and the membership did not change), so only the
entries whose funding moved are loaded, written and audited. A change to the funding or the
membership recomputes every entry (recompute_pilot).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from pilot_tracker.domain.actual_costs import (
    Applied,
    Entry,
    Member,
    SplitRule,
    apply_entries,
    apply_funding,
    chronological,
    forecast_by_member,
    funding_rate,
    split_funded,
)
from pilot_tracker.domain.cost_split import CostSplitError
from pilot_tracker.domain.enums import CostKind
from pilot_tracker.domain.errors import Message
from pilot_tracker.domain.money import MAX_CENTS
from pilot_tracker.extensions import db
from pilot_tracker.models import CostEntry, CostShare, Municipality, Participation, Pilot
from pilot_tracker.services import audit

EARLIEST = date(2000, 1, 1)
LATEST = date(2100, 12, 31)
EDITABLE = ("entry_date", "amount_cents", "kind", "reference", "description")

# The messages this service raises (rendered from the catalogue by the web and the API).
MSG_DATE = Message("cost_date_range")
MSG_ZERO = Message("cost_zero")
MSG_TOO_LARGE = Message("amount_too_large")
MSG_NEGATIVE_TOTAL = Message("cost_negative_total")
MSG_NOBODY = Message("cost_nobody_on_date")
MSG_REFERENCE = Message("at_most_100")
MSG_DESCRIPTION = Message("at_most_10000")
MSG_UNCHANGEABLE = Message("field_unchangeable")


class CostValidationError(ValueError):
    """Bad input; `errors` maps each field to its messages. Nothing was changed."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))
        self.errors = errors


@dataclass
class CostData:
    """A cost entry's writable fields; amount in cents, negative for a credit note."""

    entry_date: date
    amount_cents: int
    kind: CostKind = CostKind.VENDOR_INVOICE
    reference: str = ""
    description: str = ""


def members_of(pilot: Pilot) -> list[Member]:
    """The pilot's participations as the domain sees them (needs municipalities loaded)."""
    return [
        Member(
            code=p.municipality_code,
            population=p.municipality.population,
            joined_on=p.joined_on,
            left_on=p.left_on,
            manual_percent=p.manual_percent,
        )
        for p in pilot.participations
    ]


def rule_of(pilot: Pilot) -> SplitRule:
    """The pilot's split method with its equal part."""
    return SplitRule(pilot.split_method, pilot.equal_percent)


def cost_values(entry: CostEntry) -> dict[str, Any]:
    """What the audit log records of an entry: its columns and its shares."""
    values = audit.row_values(entry, exclude=("created_at",))
    values["shares"] = {s.municipality_code: s.share_cents for s in entry.shares}
    return values


def members_query(pilot_id: int) -> list[Member]:
    """The pilot's participations as the domain sees them, in one query (no ORM objects)."""
    rows = db.session.execute(
        sa.select(
            Participation.municipality_code,
            Municipality.population,
            Participation.joined_on,
            Participation.left_on,
            Participation.manual_percent,
        )
        .join(Municipality, Municipality.code == Participation.municipality_code)
        .where(Participation.pilot_id == pilot_id)
        .order_by(Participation.municipality_code)
    )
    return [Member(*row) for row in rows]


def _pilot_of(entry: CostEntry) -> Pilot:
    """The entry's pilot, from the session if it is there."""
    pilot = db.session.get(Pilot, entry.pilot_id)
    assert pilot is not None
    return pilot


def load_pilot_for_costs(pilot_id: int) -> Pilot | None:
    """A pilot with its participations and their municipalities (what a split needs)."""
    return db.session.scalars(
        sa.select(Pilot)
        .where(Pilot.id == pilot_id)
        .options(selectinload(Pilot.participations).selectinload(Participation.municipality))
    ).first()


def load_entries(pilot_id: int, one_query: bool = False) -> list[CostEntry]:
    """The pilot's entries, oldest first (then by id), with their shares (`one_query`:
    joined, for a page counting its queries)."""
    option = joinedload(CostEntry.shares) if one_query else selectinload(CostEntry.shares)
    query = (
        sa.select(CostEntry)
        .where(CostEntry.pilot_id == pilot_id)
        .order_by(CostEntry.entry_date, CostEntry.id)
        .options(option)
    )
    return list(db.session.scalars(query).unique())


def load_entry(cost_id: int) -> CostEntry | None:
    """One entry with its shares and its pilot, or None."""
    return db.session.scalars(
        sa.select(CostEntry)
        .where(CostEntry.id == cost_id)
        .options(selectinload(CostEntry.shares), selectinload(CostEntry.pilot))
    ).first()


def _validate(data: CostData) -> None:
    errors: dict[str, list[str]] = {}
    if not isinstance(data.entry_date, date) or not EARLIEST <= data.entry_date <= LATEST:
        errors["date"] = [MSG_DATE]
    amount = data.amount_cents
    if isinstance(amount, bool) or not isinstance(amount, int):
        errors["amount_eur"] = [MSG_TOO_LARGE]
    elif amount == 0:
        errors["amount_eur"] = [MSG_ZERO]
    elif abs(amount) > MAX_CENTS:
        errors["amount_eur"] = [MSG_TOO_LARGE]
    try:
        CostKind(data.kind)
    except ValueError:
        errors["kind"] = [Message("unknown_cost_kind")]
    if len(data.reference or "") > 100:
        errors["reference"] = [MSG_REFERENCE]
    if len(data.description or "") > 10_000:
        errors["description"] = [MSG_DESCRIPTION]
    if errors:
        raise CostValidationError(errors)


# Stands for an entry not yet written: it sorts after every stored entry of its date.
_NEW_ID = 2**62


def compute(pilot: Pilot, entries: list[Entry]) -> list[Applied]:
    """The funded part and shares of each entry by the rules (nothing is written).

    Raises CostValidationError when an entry has nobody to split it among.
    """
    rate = pilot_rate(pilot)
    if sum(e.amount_cents for e in entries) < 0:
        raise CostValidationError({"amount_eur": [MSG_NEGATIVE_TOTAL]})
    try:
        return apply_entries(
            entries, members_of(pilot), rule_of(pilot), rate, pilot.external_funding_cents
        )
    except CostSplitError as exc:
        message = MSG_NOBODY if not exc.codes else exc.message
        raise CostValidationError({"date": [message]}) from exc


def _as_entry(entry: CostEntry) -> Entry:
    return Entry(entry.id, entry.entry_date, entry.amount_cents)


def _write(entries: list[CostEntry], applied: list[Applied], skip_audit: int | None) -> None:
    """Store the computed figures; audit each stored entry whose figures moved."""
    by_id = {e.id: e for e in entries}
    for item in applied:
        entry = by_id[item.entry.id]
        current = {s.municipality_code: s.share_cents for s in entry.shares}
        unchanged = (
            entry.funded_cents == item.funded_cents
            and current == item.shares
            and all(s.entry_date == entry.entry_date for s in entry.shares)
        )
        if unchanged:
            continue
        before = cost_values(entry)
        entry.funded_cents = item.funded_cents
        existing = {s.municipality_code: s for s in entry.shares}
        rows = []
        for code, cents in item.shares.items():
            share = existing.get(code) or CostShare(municipality_code=code)
            share.share_cents = cents
            share.pilot_id = entry.pilot_id
            share.entry_date = entry.entry_date
            rows.append(share)
        entry.shares = rows
        if entry.id != skip_audit:
            audit.record(
                "recompute",
                "cost_entry",
                entry.id,
                old=before,
                new=cost_values(entry),
                pilot_id=entry.pilot_id,
            )


@dataclass(frozen=True)
class _Later:
    """A stored entry at or after the changed one, as far as its funding needs."""

    entry: Entry
    funded_cents: int


def pilot_rate(pilot: Pilot) -> Fraction:
    """The share of each cost the pilot's funding pays."""
    return funding_rate(
        pilot.external_funding_rate_percent, pilot.budget_cents, pilot.external_funding_cents
    )


def _before(start: tuple[date, int | None]) -> Any:
    """Entries ordered before `start` (date, then id; id None: after all of that date)."""
    on, entry_id = start
    if entry_id is None:
        return CostEntry.entry_date <= on
    return sa.or_(
        CostEntry.entry_date < on, sa.and_(CostEntry.entry_date == on, CostEntry.id < entry_id)
    )


def _at_or_after(on: date, entry_id: int, start: tuple[date, int | None]) -> bool:
    if start[1] is None:
        return on > start[0]
    return (on, entry_id) >= start


def _recompute_from(
    pilot: Pilot,
    start: tuple[date, int | None],
    target: Entry | None,
    target_id: int | None,
    old_amount_cents: int,
) -> tuple[Applied | None, list[Applied]]:
    """The figures of `target` (the new or edited entry, None after a delete) and of the
    stored entries from `start` on whose funded part moves; nothing is written.

    Two queries: the pilot's total and the funding used before `start`; the entries from
    `start` on (id, date, amount, funded). Raises CostValidationError as compute() does.
    """
    total, used = db.session.execute(
        sa.select(
            sa.func.coalesce(sa.func.sum(CostEntry.amount_cents), 0),
            sa.func.coalesce(
                sa.func.sum(sa.case((_before(start), CostEntry.funded_cents), else_=0)), 0
            ),
        ).where(CostEntry.pilot_id == pilot.id)
    ).one()
    new_total = int(total) - old_amount_cents + (target.amount_cents if target else 0)
    if new_total < 0:
        raise CostValidationError({"amount_eur": [MSG_NEGATIVE_TOTAL]})
    rows = db.session.execute(
        sa.select(
            CostEntry.id, CostEntry.entry_date, CostEntry.amount_cents, CostEntry.funded_cents
        )
        .where(CostEntry.pilot_id == pilot.id, CostEntry.entry_date >= start[0])
        .order_by(CostEntry.entry_date, CostEntry.id)
    ).all()
    later = [
        _Later(Entry(i, on, amount), int(funded))
        for i, on, amount, funded in rows
        if _at_or_after(on, i, start) and i != target_id
    ]
    entries = chronological([*(x.entry for x in later), *([target] if target else [])])
    funded = apply_funding(entries, pilot_rate(pilot), pilot.external_funding_cents, int(used))
    moved = [x.entry for x in later if funded[x.entry.id] != x.funded_cents]
    try:
        applied = split_funded(
            chronological([*moved, *([target] if target else [])]),
            funded,
            members_query(pilot.id),
            rule_of(pilot),
        )
    except CostSplitError as exc:
        message = MSG_NOBODY if not exc.codes else exc.message
        raise CostValidationError({"date": [message]}) from exc
    mine = next((a for a in applied if target is not None and a.entry.id == target.id), None)
    return mine, [a for a in applied if a is not mine]


def _write_moved(moved: list[Applied]) -> None:
    """Store (and audit) the later entries whose funding moved, loading only those."""
    if not moved:
        return
    ids = [a.entry.id for a in moved]
    entries = list(
        db.session.scalars(
            sa.select(CostEntry)
            .where(CostEntry.id.in_(ids))
            .options(selectinload(CostEntry.shares))
        )
    )
    _write(entries, moved, skip_audit=None)


def recompute_pilot(pilot_id: int, commit: bool = True) -> None:
    """Bring every entry of a pilot in line with its funding and membership (after a change).

    Raises CostValidationError (nothing written) when an entry could no longer be split.
    """
    pilot = load_pilot_for_costs(pilot_id)
    if pilot is None:
        return
    entries = load_entries(pilot_id)
    if not entries:
        return
    applied = compute(pilot, [_as_entry(e) for e in entries])
    _write(entries, applied, skip_audit=None)
    db.session.flush()
    if commit:
        db.session.commit()


def _clean(data: CostData) -> CostData:
    _validate(data)
    return CostData(
        entry_date=data.entry_date,
        amount_cents=data.amount_cents,
        kind=CostKind(data.kind),
        reference=(data.reference or "").strip(),
        description=(data.description or "").strip(),
    )


def record_cost(
    pilot: Pilot,
    data: CostData,
    recorded_by_id: int | None = None,
    commit: bool = True,
    uid: str | None = None,
) -> CostEntry:
    """Add an entry to `pilot`, funded and split; audited. Raises CostValidationError.

    `uid`: the entry's stable identity when an import brings it (else a new one).

    Only the entries dated after it can move (it orders after every entry of its date).
    """
    data = _clean(data)
    # Computed before anything is written, so a refusal leaves nothing behind; the new entry
    # stands in as _NEW_ID, which orders as its real (highest) id will.
    mine, moved = _recompute_from(
        pilot,
        (data.entry_date, None),
        Entry(_NEW_ID, data.entry_date, data.amount_cents),
        None,
        0,
    )
    assert mine is not None
    entry = CostEntry(
        pilot_id=pilot.id,
        entry_date=data.entry_date,
        amount_cents=data.amount_cents,
        kind=data.kind,
        reference=data.reference,
        description=data.description,
        funded_cents=mine.funded_cents,
        recorded_by_id=recorded_by_id,
        **({"uid": uid} if uid else {}),
        shares=[
            CostShare(
                municipality_code=code,
                pilot_id=pilot.id,
                entry_date=data.entry_date,
                share_cents=cents,
            )
            for code, cents in mine.shares.items()
        ],
    )
    db.session.add(entry)
    _write_moved(moved)
    db.session.flush()
    audit.record("create", "cost_entry", entry.id, new=cost_values(entry), pilot_id=pilot.id)
    if commit:
        db.session.commit()
    return entry


def update_cost(entry: CostEntry, changes: dict[str, Any], commit: bool = True) -> CostEntry:
    """Change an entry (keys of EDITABLE); every entry's figures are recomputed, audited."""
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise CostValidationError({k: [MSG_UNCHANGEABLE] for k in unknown})
    data = _clean(
        CostData(
            entry_date=changes.get("entry_date", entry.entry_date),
            amount_cents=changes.get("amount_cents", entry.amount_cents),
            kind=changes.get("kind", entry.kind),
            reference=changes.get("reference", entry.reference),
            description=changes.get("description", entry.description),
        )
    )
    pilot = _pilot_of(entry)
    target = _with_shares(entry)
    # Moved earlier or later, the entry changes the funding from the earlier of its places.
    start = (min(target.entry_date, data.entry_date), target.id)
    mine, moved = _recompute_from(
        pilot,
        start,
        Entry(target.id, data.entry_date, data.amount_cents),
        target.id,
        target.amount_cents,
    )
    assert mine is not None
    before = cost_values(target)
    target.entry_date = data.entry_date
    target.amount_cents = data.amount_cents
    target.kind = data.kind
    target.reference = data.reference
    target.description = data.description
    _write([target], [mine], skip_audit=target.id)
    _write_moved(moved)
    db.session.flush()
    audit.record(
        "update", "cost_entry", target.id, old=before, new=cost_values(target), pilot_id=pilot.id
    )
    if commit:
        db.session.commit()
    return target


def _with_shares(entry: CostEntry) -> CostEntry:
    """The entry with its shares loaded (one query if they are not)."""
    if "shares" in sa.inspect(entry).unloaded:
        loaded = load_entry(entry.id)
        assert loaded is not None
        return loaded
    return entry


def delete_cost(entry: CostEntry, commit: bool = True) -> None:
    """Delete an entry; the later entries' funding is recomputed; the audit log keeps it."""
    pilot = _pilot_of(entry)
    target = _with_shares(entry)
    _, moved = _recompute_from(
        pilot, (target.entry_date, target.id), None, target.id, target.amount_cents
    )
    audit.record("delete", "cost_entry", target.id, old=cost_values(target), pilot_id=pilot.id)
    db.session.delete(target)
    db.session.flush()
    _write_moved(moved)
    db.session.flush()
    if commit:
        db.session.commit()


@dataclass(frozen=True)
class BudgetLine:
    """One municipality's planned share, actual to date and forecast, in cents."""

    code: str
    name: str
    planned_cents: int
    actual_cents: int
    forecast_cents: int
    joined_on: date | None
    left_on: date | None
    name_sv: str = ""

    def display_name(self, language: str) -> str:
        """The Swedish name in the Swedish interface, else the Finnish."""
        return self.name_sv if language == "sv" and self.name_sv else self.name


@dataclass(frozen=True)
class BudgetAgainstActual:
    """A pilot's planned net cost against its actual costs."""

    budget_cents: int
    planned_net_cents: int
    actual_cents: int
    funded_cents: int
    municipalities_actual_cents: int
    forecast_cents: int
    lines: list[BudgetLine]

    @property
    def over_budget(self) -> bool:
        return self.actual_cents > self.budget_cents


def budget_against_actual(
    pilot: Pilot, entries: list[CostEntry] | None = None
) -> BudgetAgainstActual:
    """The pilot's budget against actual (pilot loaded with participations + municipalities).

    From `entries` (loaded with their shares) when given, else two queries: the entry
    totals and the shares per municipality.
    """
    if entries is not None:
        actual = sum(e.amount_cents for e in entries)
        funded = sum(e.funded_cents for e in entries)
        per_code: dict[str, int] = {}
        for entry in entries:
            for share in entry.shares:
                code = share.municipality_code
                per_code[code] = per_code.get(code, 0) + share.share_cents
        return _summary(pilot, actual, funded, per_code)
    actual, funded = db.session.execute(
        sa.select(
            sa.func.coalesce(sa.func.sum(CostEntry.amount_cents), 0),
            sa.func.coalesce(sa.func.sum(CostEntry.funded_cents), 0),
        ).where(CostEntry.pilot_id == pilot.id)
    ).one()
    rows = dict(
        db.session.execute(
            sa.select(CostShare.municipality_code, sa.func.sum(CostShare.share_cents))
            .where(CostShare.pilot_id == pilot.id)
            .group_by(CostShare.municipality_code)
        ).all()
    )
    return _summary(pilot, int(actual), int(funded), {code: int(c) for code, c in rows.items()})


def _summary(
    pilot: Pilot, actual: int, funded: int, per_code: dict[str, int]
) -> BudgetAgainstActual:
    members = members_of(pilot)
    forecast = forecast_by_member(
        per_code, members, rule_of(pilot), pilot.budget_cents, pilot.external_funding_cents
    )
    lines = [
        BudgetLine(
            code=p.municipality_code,
            name=p.municipality.name_fi,
            name_sv=p.municipality.name_sv,
            planned_cents=p.share_cents,
            actual_cents=per_code.get(p.municipality_code, 0),
            forecast_cents=forecast.get(p.municipality_code, 0),
            joined_on=p.joined_on,
            left_on=p.left_on,
        )
        for p in pilot.participations
    ]
    return BudgetAgainstActual(
        budget_cents=pilot.budget_cents,
        planned_net_cents=pilot.net_cost_cents,
        actual_cents=int(actual),
        funded_cents=int(funded),
        municipalities_actual_cents=int(actual) - int(funded),
        forecast_cents=sum(forecast.values()),
        lines=lines,
    )


def parse_rate(value: Decimal | None) -> Decimal | None:
    """A funding rate as stored: two decimals, or None."""
    return None if value is None else Decimal(value).quantize(Decimal("0.01"))
