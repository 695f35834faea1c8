"""Actual costs: external funding applied to cost entries and the rest split among members.

Pure rules (PRODUCT.md, "Actual costs"): each entry is funded at a rate, half-up to the cent,
until the funding's amount is used up, oldest entry first (then by id); a credit note is
funded and split as its absolute value would be, negated; the unfunded part of an entry is
split among the participants active on its date by the pilot's method, largest remainder.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction

from pilot_tracker.domain.cost_split import (
    CostSplitError,
    hybrid_weights,
    largest_remainder,
    net_cost_cents,
)
from pilot_tracker.domain.enums import SplitMethod
from pilot_tracker.domain.errors import Message


@dataclass(frozen=True)
class Member:
    """A participant over time: active from `joined_on` (None: from the start) to `left_on`."""

    code: str
    population: int
    joined_on: date | None = None
    left_on: date | None = None
    manual_percent: Decimal | None = None

    def active_on(self, day: date) -> bool:
        """joined_on <= day < left_on; founders (joined_on None) from the beginning."""
        if self.joined_on is not None and day < self.joined_on:
            return False
        return self.left_on is None or day < self.left_on


@dataclass(frozen=True)
class Entry:
    """A cost entry as the rules see it: its order key and amount in cents (negative: credit)."""

    id: int
    on: date
    amount_cents: int


@dataclass(frozen=True)
class SplitRule:
    """A pilot's cost-split method with what it needs."""

    method: SplitMethod
    equal_percent: Decimal | None = None


@dataclass(frozen=True)
class Applied:
    """One entry after the rules: the funded part and each active member's share, in cents."""

    entry: Entry
    funded_cents: int
    shares: dict[str, int]

    @property
    def unfunded_cents(self) -> int:
        return self.entry.amount_cents - self.funded_cents


def funding_rate(
    rate_percent: Decimal | None, budget_cents: int, external_funding_cents: int
) -> Fraction:
    """The share of each cost the funding pays: the rate, or planned funding ÷ budget (≤ 1)."""
    if rate_percent is not None:
        rate = Fraction(rate_percent) / 100
    elif budget_cents <= 0:
        rate = Fraction(0)
    else:
        rate = Fraction(external_funding_cents, budget_cents)
    return min(max(rate, Fraction(0)), Fraction(1))


def _half_up(value: Fraction) -> int:
    """A non-negative exact value rounded half-up to a whole cent."""
    return int(value + Fraction(1, 2))


def chronological(entries: Iterable[Entry]) -> list[Entry]:
    """Oldest first, then by id: the order funding is used up in."""
    return sorted(entries, key=lambda e: (e.on, e.id))


def apply_funding(
    entries: Iterable[Entry], rate: Fraction, amount_cents: int, used_cents: int = 0
) -> dict[int, int]:
    """Funded cents per entry id; the total stays between 0 and `amount_cents`.

    An invoice takes rate × amount (half-up) or what is left of the funding, whichever is
    less. A credit note takes what its absolute value would take at that point, negated
    (never more than has been funded so far), so it gives back what it corrects.

    `used_cents`: what the entries before these (in the same order) were funded in all, so
    that the entries from a point on can be funded again without the earlier ones: the
    whole state of the funding at a point is how much of it has been used.
    """
    cap = max(0, amount_cents)
    remaining = min(cap, max(0, cap - used_cents))
    funded: dict[int, int] = {}
    for entry in chronological(entries):
        wanted = min(_half_up(rate * abs(entry.amount_cents)), abs(entry.amount_cents))
        if entry.amount_cents >= 0:
            part = min(wanted, remaining)
            remaining -= part
            funded[entry.id] = part
        else:
            used = max(0, amount_cents) - remaining
            part = min(wanted, remaining, used)
            remaining += part
            funded[entry.id] = -part
    return funded


def member_weights(
    rule: SplitRule, members: Sequence[Member]
) -> dict[str, int | Decimal | Fraction]:
    """The weights of these members by the pilot's method (manual: their percentages)."""
    populations = {m.code: m.population for m in members}
    if rule.method is SplitMethod.EQUAL:
        return dict.fromkeys(sorted(populations), 1)
    if rule.method is SplitMethod.PER_CAPITA:
        if populations and not any(populations.values()):
            raise CostSplitError(Message("per_capita_no_population"), codes=populations)
        return {code: populations[code] for code in sorted(populations)}
    if rule.method is SplitMethod.HYBRID:
        if rule.equal_percent is None:
            raise CostSplitError(Message("hybrid_needs_equal_part"))
        exact = hybrid_weights(rule.equal_percent, populations)
        # The same proportions as whole numbers (times the common denominator): the split is
        # identical and the largest-remainder arithmetic stays on small integers.
        denominator = math.lcm(*(w.denominator for w in exact.values())) if exact else 1
        return {code: int(w * denominator) for code, w in exact.items()}
    # Manual: the members' own percentages. Among a subset (someone left) they no longer add
    # up to 100, so they are weights here; if they are all 0 the subset shares equally.
    weights = {
        m.code: m.manual_percent or Decimal(0) for m in sorted(members, key=lambda m: m.code)
    }
    if weights and not any(weights.values()):
        return dict.fromkeys(weights, 1)
    return dict(weights)


def split_signed(cents: int, rule: SplitRule, members: Sequence[Member]) -> dict[str, int]:
    """Split `cents` (negative: a credit) among `members`; a credit mirrors an invoice."""
    if cents == 0:
        return dict.fromkeys(sorted(m.code for m in members), 0)
    if not members:
        raise CostSplitError(Message("cost_nobody_on_date"))
    shares = largest_remainder(abs(cents), member_weights(rule, members))
    return shares if cents > 0 else {code: -value for code, value in shares.items()}


def active_members(members: Iterable[Member], day: date) -> list[Member]:
    """The members who take part in a cost dated `day`."""
    return sorted((m for m in members if m.active_on(day)), key=lambda m: m.code)


def apply_entries(
    entries: Iterable[Entry],
    members: Sequence[Member],
    rule: SplitRule,
    rate: Fraction,
    funding_cents: int,
    used_cents: int = 0,
) -> list[Applied]:
    """Every entry, oldest first, with its funded part and its members' shares.

    `used_cents`: the funding the entries before these used (see apply_funding); 0 when
    `entries` are all of the pilot's.
    """
    ordered = chronological(entries)
    funded = apply_funding(ordered, rate, funding_cents, used_cents)
    return split_funded(ordered, funded, members, rule)


def split_funded(
    entries: Iterable[Entry],
    funded: Mapping[int, int],
    members: Sequence[Member],
    rule: SplitRule,
) -> list[Applied]:
    """The entries with their funded part (`funded` by id) and the rest split among the
    members active on each entry's date, in the given order."""
    ordered = list(entries)
    # Weights once per set of active members (membership changes rarely, entries often).
    weights: dict[tuple[str, ...], dict[str, int | Decimal | Fraction]] = {}
    result = []
    for entry in ordered:
        unfunded = entry.amount_cents - funded[entry.id]
        active = active_members(members, entry.on)
        key = tuple(m.code for m in active)
        if key not in weights and active:
            weights[key] = member_weights(rule, active)
        if unfunded == 0 or not active:
            shares = split_signed(unfunded, rule, active)
        else:
            cents = largest_remainder(abs(unfunded), weights[key])
            shares = cents if unfunded > 0 else {c: -v for c, v in cents.items()}
        result.append(Applied(entry=entry, funded_cents=funded[entry.id], shares=shares))
    return result


def actual_by_member(applied: Iterable[Applied]) -> dict[str, int]:
    """Each municipality's actual cost to date: the sum of its shares."""
    totals: dict[str, int] = {}
    for item in applied:
        for code, cents in item.shares.items():
            totals[code] = totals.get(code, 0) + cents
    return dict(sorted(totals.items()))


def forecast_by_member(
    actual: Mapping[str, int],
    members: Sequence[Member],
    rule: SplitRule,
    budget_cents: int,
    external_funding_cents: int,
) -> dict[str, int]:
    """Actual to date + a share of what is left of the planned net cost (≥ 0), per member.

    What is left is split among the current participants (not left) by the pilot's method;
    a municipality that left keeps its actual costs as its forecast.
    """
    spent = sum(actual.values())
    left = max(0, net_cost_cents(budget_cents, external_funding_cents) - spent)
    current = sorted((m for m in members if m.left_on is None), key=lambda m: m.code)
    rest = largest_remainder(left, member_weights(rule, current)) if current else {}
    codes = sorted(set(actual) | {m.code for m in members})
    return {code: actual.get(code, 0) + rest.get(code, 0) for code in codes}
