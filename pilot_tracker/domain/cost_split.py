"""Splitting a pilot's net cost between municipalities to the cent (largest-remainder method)."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal
from fractions import Fraction

from pilot_tracker.domain.enums import SplitMethod
from pilot_tracker.domain.errors import DomainError, Message
from pilot_tracker.domain.money import MoneyError, cents_to_decimal, parse_hundredths, round_half_up

HUNDRED_PERCENT = Decimal("100.00")
_CODE = re.compile(r"[0-9]{3}")


class CostSplitError(DomainError):
    """A split that cannot be made; `codes` names the municipalities the message is about."""

    def __init__(
        self,
        message: Message,
        *,
        current_sum: Decimal | None = None,
        codes: Iterable[str] = (),
    ) -> None:
        super().__init__(message)
        # Set only when manual percentages do not add up to 100, so a form can show the sum.
        self.current_sum = current_sum
        self.codes: tuple[str, ...] = tuple(codes)


def net_cost_cents(budget_cents: int, funding_cents: int) -> int:
    """Budget minus external funding, never below zero (funding may exceed the budget)."""
    return max(0, budget_cents - funding_cents)


def _check_codes(codes: Iterable[str]) -> None:
    # Ties go to the lower code by string comparison, which equals numeric order only
    # because every code has exactly three digits.
    for code in codes:
        if not isinstance(code, str) or _CODE.fullmatch(code) is None:
            raise CostSplitError(
                Message("municipality_code_shape", code=repr(code)), codes=(str(code),)
            )


def _exact_weight(code: str, weight: int | Decimal | Fraction) -> Fraction:
    if isinstance(weight, bool) or not isinstance(weight, int | Decimal | Fraction):
        raise TypeError(f"weight of {code} must be an int or Decimal, not {type(weight).__name__}")
    if isinstance(weight, Decimal) and not weight.is_finite():
        raise CostSplitError(Message("weight_not_a_number", code=code), codes=(code,))
    if weight < 0:
        raise CostSplitError(Message("weight_negative", code=code), codes=(code,))
    return Fraction(weight)


def largest_remainder(
    total_cents: int, weights: Mapping[str, int | Decimal | Fraction]
) -> dict[str, int]:
    """Cents per code in proportion to `weights`, summing exactly to the total; sorted by code."""
    if isinstance(total_cents, bool) or not isinstance(total_cents, int):
        raise TypeError(f"total_cents must be an int, not {type(total_cents).__name__}")
    if total_cents < 0:
        raise CostSplitError(Message("split_total_negative"))
    _check_codes(weights)
    if not weights:
        if total_cents == 0:
            return {}
        raise CostSplitError(Message("split_no_participants"))
    exact_weights = {code: _exact_weight(code, weights[code]) for code in sorted(weights)}
    total_weight = sum(exact_weights.values(), Fraction(0))
    if total_weight == 0:
        raise CostSplitError(Message("split_all_weights_zero"), codes=exact_weights)
    # Fractions keep the shares exact; a float would misplace cents on large totals.
    exact = {code: total_cents * w / total_weight for code, w in exact_weights.items()}
    shares = {code: math.floor(value) for code, value in exact.items()}
    leftover = total_cents - sum(shares.values())
    # The remainders sum to `leftover` and each is below 1, so more than `leftover` codes have
    # a positive remainder: a zero-weight participant never receives a leftover cent.
    # Equal remainders go to the lower code, as PRODUCT.md requires.
    by_remainder = sorted(exact, key=lambda code: (-(exact[code] - shares[code]), code))
    for code in by_remainder[:leftover]:
        shares[code] += 1
    return shares


def _percentage_error(code: str, error: MoneyError) -> CostSplitError:
    if error.reason == "too_many_decimals":
        message = Message("share_decimals", code=code)
    elif error.reason in ("negative", "too_large"):
        message = Message("share_range", code=code)
    else:
        message = Message("share_not_a_percentage", code=code)
    return CostSplitError(message, codes=(code,))


def parse_manual_percentages(raw: Mapping[str, str | int | Decimal]) -> dict[str, Decimal]:
    """Percentages 0 to 100 (decimal comma allowed) summing to exactly 100.00; sorted by code."""
    _check_codes(raw)
    hundredths: dict[str, int] = {}
    for code in sorted(raw):
        try:
            hundredths[code] = parse_hundredths(raw[code], 100 * 100)
        except MoneyError as error:
            raise _percentage_error(code, error) from None
    # Summed as integers: exactly 100.00 means exactly 10 000 hundredths, no tolerance.
    current_sum = cents_to_decimal(sum(hundredths.values()))
    if current_sum != HUNDRED_PERCENT:
        raise CostSplitError(Message("shares_sum", sum=current_sum), current_sum=current_sum)
    return {code: cents_to_decimal(value) for code, value in hundredths.items()}


def parse_equal_percent(raw: str | int | Decimal) -> Decimal:
    """The equal part of a hybrid split: a percentage 0 to 100 with at most two decimals."""
    try:
        return cents_to_decimal(parse_hundredths(raw, 100 * 100))
    except MoneyError as error:
        if error.reason == "too_many_decimals":
            message = Message("equal_part_decimals")
        else:
            message = Message("equal_part_range")
        raise CostSplitError(message) from None


def _check_populations(populations: Mapping[str, int]) -> None:
    """Every population a whole number, 0 or more (a bool is not one)."""
    for code, population in populations.items():
        if isinstance(population, bool) or not isinstance(population, int) or population < 0:
            raise CostSplitError(Message("population_whole_number", code=code), codes=(code,))


def hybrid_weights(equal_percent: Decimal, populations: Mapping[str, int]) -> dict[str, Fraction]:
    """`e/n + (1 - e) * population/total`, exact: one weight each, rounded once later."""
    e = Fraction(parse_equal_percent(equal_percent)) / 100
    _check_codes(populations)
    _check_populations(populations)
    if not populations:
        return {}
    n = len(populations)
    total = sum(populations.values())
    if total == 0:
        if e != 1:
            raise CostSplitError(Message("hybrid_no_population"), codes=populations)
        return {code: Fraction(1, n) for code in sorted(populations)}
    return {
        code: e / n + (1 - e) * Fraction(populations[code], total) for code in sorted(populations)
    }


def _weights(
    method: SplitMethod | str,
    populations: Mapping[str, int],
    manual: Mapping[str, Decimal] | None,
    equal_percent: Decimal | None = None,
) -> dict[str, int | Decimal | Fraction]:
    try:
        method = SplitMethod(method)
    except ValueError:
        raise CostSplitError(Message("unknown_split_method", method=repr(method))) from None
    _check_codes(populations)
    if method is SplitMethod.EQUAL:
        return dict.fromkeys(sorted(populations), 1)
    if method is SplitMethod.HYBRID:
        if equal_percent is None:
            raise CostSplitError(Message("hybrid_needs_equal_part"))
        return dict(hybrid_weights(equal_percent, populations))
    if method is SplitMethod.PER_CAPITA:
        _check_populations(populations)
        if populations and not any(populations.values()):
            raise CostSplitError(Message("per_capita_no_population"), codes=populations)
        return {code: populations[code] for code in sorted(populations)}
    return _manual_weights(populations, manual)


def _manual_weights(
    populations: Mapping[str, int], manual: Mapping[str, Decimal] | None
) -> dict[str, int | Decimal | Fraction]:
    """The manual percentages, given for exactly the participants of `populations`."""
    if manual is None:
        raise CostSplitError(Message("manual_needs_percentages"))
    missing = sorted(set(populations) - set(manual))
    extra = sorted(set(manual) - set(populations))
    if missing or extra:
        parts = []
        if missing:
            parts.append(Message("manual_missing", codes=tuple(missing)))
        if extra:
            parts.append(Message("manual_extra", codes=tuple(extra), n=len(extra)))
        raise CostSplitError(
            Message("manual_shares_cover", problems=tuple(parts)), codes=missing + extra
        )
    return dict(parse_manual_percentages(manual))


def split_cost(
    method: SplitMethod,
    total_cents: int,
    populations: Mapping[str, int],
    manual: Mapping[str, Decimal] | None = None,
    equal_percent: Decimal | None = None,
) -> dict[str, int]:
    """Each participant's share in cents; the participants are the keys of `populations`."""
    # `manual` is parsed again inside, so shares never come from percentages off 100.
    return largest_remainder(total_cents, _weights(method, populations, manual, equal_percent))


def share_percentages(
    shares_cents: Mapping[str, int],
    method: SplitMethod,
    populations: Mapping[str, int],
    manual: Mapping[str, Decimal] | None = None,
    equal_percent: Decimal | None = None,
) -> dict[str, Decimal]:
    """Display percentages from the weights (half-up, two places); may sum to 99.99 or 100.01."""
    # From the weights rather than the cents so they still mean something at a net cost of 0;
    # `shares_cents` is only checked to name the same participants.
    weights = _weights(method, populations, manual, equal_percent)
    mismatched = sorted(set(shares_cents) ^ set(weights))
    if mismatched:
        raise CostSplitError(Message("shares_differ", codes=tuple(mismatched)), codes=mismatched)
    total_weight = sum((Fraction(w) for w in weights.values()), Fraction(0))
    if total_weight == 0:
        return {}
    return {code: round_half_up(Fraction(w) * 100 / total_weight, 2) for code, w in weights.items()}
