"""Derived values on the models, each delegating to its one rule in domain/."""

from __future__ import annotations

from decimal import Decimal

from pilot_tracker.domain.enums import Direction
from pilot_tracker.domain.kpi import kpi_progress
from pilot_tracker.models import Kpi


def _kpi(baseline: str, target: str, latest: str | None, direction: Direction) -> Kpi:
    return Kpi(
        baseline=Decimal(baseline),
        target=Decimal(target),
        latest_value=None if latest is None else Decimal(latest),
        direction=direction,
    )


def test_kpi_progress_is_the_domain_formula_of_the_latest_value() -> None:
    assert _kpi("10", "20", "15", Direction.INCREASE).progress_percent == Decimal("50.0")
    assert _kpi("100", "40", "70", Direction.DECREASE).progress_percent == Decimal("50.0")
    # Not clamped: the wrong way and past the target are shown as they are.
    assert _kpi("10", "20", "5", Direction.INCREASE).progress_percent == Decimal("-50.0")
    assert _kpi("10", "20", "25", Direction.INCREASE).progress_percent == Decimal("150.0")
    kpi = _kpi("0", "3", "1", Direction.INCREASE)
    assert kpi.progress_percent == kpi_progress(
        kpi.baseline, kpi.target, kpi.latest_value, kpi.direction
    )
    assert kpi.progress_percent == Decimal("33.3")


def test_kpi_progress_is_none_unmeasured_or_without_a_usable_target() -> None:
    assert _kpi("10", "20", None, Direction.INCREASE).progress_percent is None
    assert _kpi("10", "10", "12", Direction.INCREASE).progress_percent is None
