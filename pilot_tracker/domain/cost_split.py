"""Splitting a pilot's net cost between municipalities to the cent (largest-remainder method)."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal
from fractions import Fraction

from pilot_tracker.domain.enums import SplitMethod
from pilot_tracker.domain.money import MoneyError, cents_to_decimal, parse_hundredths, round_half_up

HUNDRED_PERCENT = Decimal("100.00")
_CODE = re.compile(r"[0-9]{3}")


class CostSplitError(ValueError):
    """A split that cannot be made; `codes` names the municipalities the message is about."""

    def __init__(
        self,
        message: str,
        *,
        current_sum: Decimal | None = None,
        codes: Iterable[str] = (),
    ) -> None:
        super().__init__(message)
        self.message = message
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
                f"Municipality codes have three digits, such as 091; got {code!r}.",
                codes=(str(code),),
            )


def _exact_weight(code: str, weight: int | Decimal | Fraction) -> Fraction:
    if isinstance(weight, bool) or not isinstance(weight, int | Decimal | Fraction):
        raise TypeError(f"weight of {code} must be an int or Decimal, not {type(weight).__name__}")
    if isinstance(weight, Decimal) and not weight.is_finite():
        raise CostSplitError(f"The weight of {code} is not a number.", codes=(code,))
    if weight < 0:
        raise CostSplitError(f"The weight of {code} must not be negative.", codes=(code,))
    return Fraction(weight)


def largest_remainder(
    total_cents: int, weights: Mapping[str, int | Decimal | Fraction]
) -> dict[str, int]:
    """Cents per code in proportion to `weights`, summing exactly to the total; sorted by code."""
    if isinstance(total_cents, bool) or not isinstance(total_cents, int):
        raise TypeError(f"total_cents must be an int, not {type(total_cents).__name__}")
    if total_cents < 0:
        raise CostSplitError("The cost to split must not be negative.")
    _check_codes(weights)
    if not weights:
        if total_cents == 0:
            return {}
        raise CostSplitError("There are no participants to split the cost between.")
    exact_weights = {code: _exact_weight(code, weights[code]) for code in sorted(weights)}
    total_weight = sum(exact_weights.values(), Fraction(0))
    if total_weight == 0:
        raise CostSplitError(
            "Every participant's weight is 0 (for example a population of 0), "
            "so there is nothing to split the cost by.",
            codes=exact_weights,
        )
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
        message = f"The share of {code} has more than two decimals; use at most two, e.g. 33.33."
    elif error.reason in ("negative", "too_large"):
        message = f"The share of {code} must be between 0 and 100 %."
    else:
        message = f"The share of {code} must be a percentage from 0 to 100, e.g. 33.33."
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
        raise CostSplitError(
            f"The shares add up to {current_sum} %; they must add up to exactly 100.00 %.",
            current_sum=current_sum,
        )
    return {code: cents_to_decimal(value) for code, value in hundredths.items()}


def parse_equal_percent(raw: str | int | Decimal) -> Decimal:
    """The equal part of a hybrid split: a percentage 0 to 100 with at most two decimals."""
    try:
        return cents_to_decimal(parse_hundredths(raw, 100 * 100))
    except MoneyError as error:
        if error.reason == "too_many_decimals":
            message = "The equal part has more than two decimals; use at most two, e.g. 30.00."
        else:
            message = "The equal part must be a percentage from 0 to 100, e.g. 30.00."
        raise CostSplitError(message) from None


def hybrid_weights(equal_percent: Decimal, populations: Mapping[str, int]) -> dict[str, Fraction]:
    """`e/n + (1 - e) * population/total`, exact: one weight each, rounded once later."""
    e = Fraction(parse_equal_percent(equal_percent)) / 100
    _check_codes(populations)
    for code, population in populations.items():
        if isinstance(population, bool) or not isinstance(population, int) or population < 0:
            raise CostSplitError(
                f"The population of {code} must be a whole number of 0 or more.", codes=(code,)
            )
    if not populations:
        return {}
    n = len(populations)
    total = sum(populations.values())
    if total == 0:
        if e != 1:
            raise CostSplitError(
                "A hybrid split needs populations for its per-capita part, but every "
                "participant's population is 0; update the municipality register or "
                "choose another method.",
                codes=populations,
            )
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
        raise CostSplitError(f"Unknown cost-split method {method!r}.") from None
    _check_codes(populations)
    if method is SplitMethod.EQUAL:
        return dict.fromkeys(sorted(populations), 1)
    if method is SplitMethod.HYBRID:
        if equal_percent is None:
            raise CostSplitError("A hybrid split needs the percentage shared equally.")
        return dict(hybrid_weights(equal_percent, populations))
    if method is SplitMethod.PER_CAPITA:
        for code, population in populations.items():
            if isinstance(population, bool) or not isinstance(population, int) or population < 0:
                raise CostSplitError(
                    f"The population of {code} must be a whole number of 0 or more.",
                    codes=(code,),
                )
        if populations and not any(populations.values()):
            raise CostSplitError(
                "A per-capita split needs populations, but every participant's population "
                "is 0; update the municipality register or choose another method.",
                codes=populations,
            )
        return {code: populations[code] for code in sorted(populations)}
    if manual is None:
        raise CostSplitError("A manual split needs a percentage for every participant.")
    missing = sorted(set(populations) - set(manual))
    extra = sorted(set(manual) - set(populations))
    if missing or extra:
        parts = []
        if missing:
            parts.append(f"no percentage is given for {', '.join(missing)}")
        if extra:
            verb = "is" if len(extra) == 1 else "are"
            parts.append(f"{', '.join(extra)} {verb} not a participant")
        raise CostSplitError(
            f"The manual shares must cover exactly the participants: {'; '.join(parts)}.",
            codes=missing + extra,
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
        raise CostSplitError(
            f"The shares and the participants differ for {', '.join(mismatched)}.",
            codes=mismatched,
        )
    total_weight = sum((Fraction(w) for w in weights.values()), Fraction(0))
    if total_weight == 0:
        return {}
    return {code: round_half_up(Fraction(w) * 100 / total_weight, 2) for code, w in weights.items()}
