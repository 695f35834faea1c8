"""Scale-up projection: a pilot's savings and net cost per resident, applied to more residents.

Formula (written out on the pilot page too):
  savings per resident = annual savings ÷ population of the participants
  net cost per resident = net cost ÷ population of the participants
  projected annual savings = savings per resident × population of the target municipalities
  projected net cost = net cost per resident × population of the target municipalities
Annual savings are the realised ones (latest value of each savings KPI, summed) when any is
measured, else the pilot's estimate. Exact fractions throughout, rounded half-up to cents once.
Assumptions: savings and costs scale linearly with population; the participants are
representative of the targets; the target municipalities exclude the participants.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

from pilot_tracker.domain.errors import DomainError
from pilot_tracker.domain.money import round_half_up


class ProjectionError(DomainError):
    """The projection cannot be made (e.g. participants with no residents)."""


@dataclass(frozen=True)
class Projection:
    """A projection onto a set of municipalities; money in cents, per-resident exact."""

    basis: str  # "realised" or "estimated"
    savings_per_resident: Fraction  # euros
    net_cost_per_resident: Fraction  # euros
    municipalities: int
    population: int
    projected_annual_savings_cents: int
    projected_net_cost_cents: int


def choose_basis(realised_cents: int | None, estimated_cents: int) -> tuple[str, int]:
    """Realised savings when any savings KPI is measured, else the estimate."""
    if realised_cents is not None:
        return "realised", realised_cents
    return "estimated", estimated_cents


def project(
    annual_savings_cents: int,
    net_cost_cents: int,
    participant_population: int,
    targets: Mapping[str, int],
    basis: str,
) -> Projection:
    """Project per-resident savings and cost onto `targets` (code → population)."""
    if participant_population <= 0:
        raise ProjectionError("projection_no_residents")
    if basis not in ("realised", "estimated"):
        raise ProjectionError("projection_unknown_basis", basis=repr(basis))
    population = sum(targets.values())
    savings_per_resident = Fraction(annual_savings_cents, 100 * participant_population)
    cost_per_resident = Fraction(net_cost_cents, 100 * participant_population)
    return Projection(
        basis=basis,
        savings_per_resident=savings_per_resident,
        net_cost_per_resident=cost_per_resident,
        municipalities=len(targets),
        population=population,
        projected_annual_savings_cents=int(
            round_half_up(savings_per_resident * population * 100, 0)
        ),
        projected_net_cost_cents=int(round_half_up(cost_per_resident * population * 100, 0)),
    )
