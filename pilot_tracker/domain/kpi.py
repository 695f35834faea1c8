"""KPI progress towards a target, as a percentage of the way from baseline to target."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from pilot_tracker.domain.enums import Direction
from pilot_tracker.domain.errors import DomainError
from pilot_tracker.domain.money import round_half_up


class KpiError(DomainError):
    """A KPI definition or value the progress formula cannot work with."""


_NOT_FINITE = {
    "baseline": "kpi_baseline_not_finite",
    "target": "kpi_target_not_finite",
    "latest value": "kpi_latest_not_finite",
}


def _exact(name: str, value: Decimal) -> Fraction:
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise TypeError(f"{name} must be a Decimal, not {type(value).__name__}")
    if isinstance(value, Decimal) and not value.is_finite():
        raise KpiError(_NOT_FINITE[name])
    return Fraction(value)


def _direction(direction: Direction | str) -> Direction:
    try:
        return Direction(direction)
    except ValueError:
        raise KpiError("kpi_direction", direction=repr(direction)) from None


def validate_kpi_definition(baseline: Decimal, target: Decimal, direction: Direction) -> None:
    """Refuse a target equal to the baseline or on the wrong side of it for the direction."""
    start = _exact("baseline", baseline)
    goal = _exact("target", target)
    direction = _direction(direction)
    if goal == start:
        raise KpiError("kpi_target_equals_baseline")
    if direction is Direction.INCREASE and goal < start:
        raise KpiError("kpi_target_below")
    if direction is Direction.DECREASE and goal > start:
        raise KpiError("kpi_target_above")


def kpi_progress(
    baseline: Decimal, target: Decimal, latest: Decimal | None, direction: Direction
) -> Decimal | None:
    """Percent of the way to target (one place, half-up), not clamped; None if unmeasured."""
    # Below 0 (moved the wrong way) and above 100 (beat the target) are both shown to councils.
    # Only target == baseline is refused here; a target on the wrong side is refused when the
    # KPI is defined (validate_kpi_definition), so an old definition still shows its numbers.
    start = _exact("baseline", baseline)
    goal = _exact("target", target)
    _direction(direction)
    if goal == start:
        raise KpiError("kpi_target_equals_baseline")
    if latest is None:
        return None
    value = _exact("latest value", latest)
    # PRODUCT.md's decrease formula, (baseline - latest) / (baseline - target), is the increase
    # formula with numerator and denominator negated, so one expression serves both.
    share = (value - start) / (goal - start)
    # Exact fractions and one rounding at the end: Decimal division would round twice.
    return round_half_up(share * 100, 1)


# Attainment buckets: how far a KPI has got from its baseline (0 %) to its target (100 %).
ATTAINMENT_BUCKETS: tuple[str, ...] = (
    "none",
    "below_0",
    "0_25",
    "25_50",
    "50_75",
    "75_100",
    "100_plus",
)


def attainment_bucket(progress: Decimal | None) -> str:
    """The attainment bucket of a progress percentage (`kpi_progress`; None: not measured
    yet). A bucket's lower edge belongs to it: 25 % is in 25–50 %."""
    if progress is None:
        return "none"
    if progress < 0:
        return "below_0"
    for upper, name in ((25, "0_25"), (50, "25_50"), (75, "50_75"), (100, "75_100")):
        if progress < upper:
            return name
    return "100_plus"
