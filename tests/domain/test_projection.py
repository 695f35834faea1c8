"""Scale-up projection arithmetic, recomputed by hand."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pilot_tracker.domain.projection import ProjectionError, choose_basis, project


def test_projection_recomputed_by_hand() -> None:
    # Savings 45 000 € a year for 93 533 residents (418 + 536 + 980); net cost 90 000 €.
    # Targets: Helsinki 664 028 and Espoo 305 274 → 969 302 residents.
    result = project(4_500_000, 9_000_000, 93_533, {"091": 664_028, "049": 305_274}, "estimated")
    assert result.savings_per_resident == Fraction(45_000, 93_533)
    assert result.net_cost_per_resident == Fraction(90_000, 93_533)
    assert (result.municipalities, result.population) == (2, 969_302)
    # 45 000 × 969 302 / 93 533 = 466 344.3918... €
    assert result.projected_annual_savings_cents == 46_634_439
    # 90 000 × 969 302 / 93 533 = 932 688.7836... €
    assert result.projected_net_cost_cents == 93_268_878


def test_half_cent_rounds_up() -> None:
    # 1 cent per 2 residents onto 1 resident = 0.5 cents → 1 cent.
    assert project(1, 0, 2, {"091": 1}, "realised").projected_annual_savings_cents == 1


def test_empty_target_set_projects_zero() -> None:
    result = project(100_00, 50_00, 10, {}, "estimated")
    assert (result.municipalities, result.population, result.projected_annual_savings_cents) == (
        0,
        0,
        0,
    )


def test_participants_without_residents_are_refused() -> None:
    with pytest.raises(ProjectionError):
        project(100, 100, 0, {"091": 1}, "estimated")


def test_unknown_basis_is_refused() -> None:
    with pytest.raises(ProjectionError):
        project(100, 100, 1, {"091": 1}, "guessed")


def test_basis_prefers_realised_savings() -> None:
    assert choose_basis(12_00, 99_00) == ("realised", 12_00)
    assert choose_basis(0, 99_00) == ("realised", 0)
    assert choose_basis(None, 99_00) == ("estimated", 99_00)


@given(
    savings=st.integers(0, 10**11),
    cost=st.integers(0, 10**11),
    participants=st.integers(1, 700_000),
    targets=st.dictionaries(
        st.from_regex(r"[0-9]{3}", fullmatch=True), st.integers(0, 700_000), max_size=20
    ),
)
def test_projection_is_within_half_a_cent_of_exact(
    savings: int, cost: int, participants: int, targets: dict[str, int]
) -> None:
    result = project(savings, cost, participants, targets, "estimated")
    population = sum(targets.values())
    assert abs(
        result.projected_annual_savings_cents - Fraction(savings * population, participants)
    ) <= Fraction(1, 2)
    assert abs(
        result.projected_net_cost_cents - Fraction(cost * population, participants)
    ) <= Fraction(1, 2)
