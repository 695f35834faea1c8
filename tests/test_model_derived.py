"""Derived values on the models, each delegating to its one rule in domain/."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pilot_tracker.domain.enums import Direction, SplitMethod
from pilot_tracker.domain.kpi import kpi_progress
from pilot_tracker.models import Kpi, Municipality, Participation, Pilot


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


def _pilot(method: SplitMethod, *parts: tuple[str, int, str | None, bool]) -> Pilot:
    """Participants as (code, population, manual percent, has left)."""
    return Pilot(
        split_method=method,
        participations=[
            Participation(
                municipality_code=code,
                municipality=Municipality(code=code, population=population),
                share_cents=0,
                manual_percent=None if manual is None else Decimal(manual),
                left_on=date(2026, 1, 1) if left else None,
            )
            for code, population, manual, left in parts
        ],
    )


def test_manual_shares_are_the_current_participants_percentages() -> None:
    pilot = _pilot(
        SplitMethod.MANUAL,
        ("091", 600_000, "60.00", False),
        ("049", 300_000, None, False),
        ("418", 100_000, "40.00", True),
    )
    # A missing percentage is 0; a municipality that has left has none.
    assert pilot.manual_shares == {"091": Decimal("60.00"), "049": Decimal("0")}
    assert _pilot(SplitMethod.EQUAL, ("091", 600_000, "60.00", False)).manual_shares is None


def test_share_percentages_follow_the_method_of_the_current_participants() -> None:
    parts = (("091", 600_000, "70.00", False), ("049", 200_000, "30.00", False))
    left = ("418", 100_000, None, True)
    assert _pilot(SplitMethod.MANUAL, *parts, left).share_percentages() == {
        "091": Decimal("70.00"),
        "049": Decimal("30.00"),
    }
    assert _pilot(SplitMethod.PER_CAPITA, *parts, left).share_percentages() == {
        "091": Decimal("75.00"),
        "049": Decimal("25.00"),
    }
    assert _pilot(SplitMethod.EQUAL, *parts, left).share_percentages() == {
        "091": Decimal("50.00"),
        "049": Decimal("50.00"),
    }


def test_share_percentages_are_empty_when_the_register_no_longer_fits() -> None:
    zeroed = (("091", 0, None, False), ("049", 0, None, False))
    assert _pilot(SplitMethod.PER_CAPITA, *zeroed).share_percentages() == {}
