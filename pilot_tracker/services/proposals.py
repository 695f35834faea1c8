"""A decision proposal (päätösesitys) for one municipality at one gate: the figures its body
decides on, computed once here for the printable page and its PDF."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from fractions import Fraction

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from pilot_tracker.domain.cost_split import CostSplitError, split_cost
from pilot_tracker.domain.enums import Gate, SplitMethod
from pilot_tracker.domain.feedback import Satisfaction
from pilot_tracker.domain.money import round_half_up
from pilot_tracker.domain.municipal_decisions import municipal_gates
from pilot_tracker.domain.projection import Projection, choose_basis, project
from pilot_tracker.extensions import db
from pilot_tracker.models import Kpi, MunicipalDecision, Municipality, Participation, Pilot
from pilot_tracker.services import feedback
from pilot_tracker.services.similar import SimilarPilot, realised_savings_cents, similar_to_pilot


class ProposalError(LookupError):
    """No proposal can be made: `reason` is `no_gate` (the pilot is stopped) or
    `not_a_participant` (the municipality neither takes part nor could join at this gate)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class KpiLine:
    name: str
    unit: str
    baseline: Decimal
    target: Decimal
    latest: Decimal | None
    progress: Decimal | None


@dataclass
class Proposal:
    """Every figure of a proposal; money in cents."""

    pilot: Pilot
    municipality: Municipality
    gate: Gate
    is_participant: bool
    as_of: datetime
    kpis: list[KpiLine]
    planned_share_cents: int | None  # None: a newcomer under a manual split
    actual_share_cents: int
    remaining_commitment_cents: int | None
    per_resident: Decimal | None
    decisions: list[MunicipalDecision]
    similar: list[SimilarPilot]
    projection: Projection | None
    populations: dict[str, int] = field(default_factory=dict)
    satisfaction: Satisfaction | None = None  # the residents' satisfaction KPI


def actual_share_cents(pilot_id: int, code: str) -> int:
    """The municipality's part of the pilot's actual costs to date (services/cost_queries)."""
    from pilot_tracker.services.cost_queries import municipality_actual_by_pilot

    return municipality_actual_by_pilot(code).get(pilot_id, 0)


def _kpi_lines(kpis: list[Kpi]) -> list[KpiLine]:
    lines = []
    for k in kpis:
        lines.append(
            KpiLine(k.name, k.unit, k.baseline, k.target, k.latest_value, k.progress_percent)
        )
    return lines


def _planned_share(pilot: Pilot, municipality: Municipality, joining: bool) -> int | None:
    """Its planned share now, or for a newcomer the share it would have if it joined."""
    current = pilot.current_participations
    if not joining:
        return next(p.share_cents for p in current if p.municipality_code == municipality.code)
    if pilot.split_method is SplitMethod.MANUAL:
        return None  # percentages are agreed, not computed: the coordinator sets them
    populations = {p.municipality_code: p.municipality.population for p in current}
    populations[municipality.code] = municipality.population
    try:
        return split_cost(pilot.split_method, pilot.net_cost_cents, populations)[municipality.code]
    except CostSplitError:
        return None


def build_proposal(user: object, pilot_id: int, code: str, gate: Gate | None) -> Proposal:
    """The proposal for `code` at `gate` (default: the latest gate open for municipalities).

    A fixed number of queries: the pilot with participants and KPIs, the municipality, the
    municipal decisions, the similar pilots, the residents' satisfaction. Raises
    LookupError for an unknown municipality or pilot, ProposalError when there is nothing
    to decide."""
    pilot = db.session.scalars(
        sa.select(Pilot)
        .where(Pilot.id == pilot_id)
        .options(
            selectinload(Pilot.participations).selectinload(Participation.municipality),
            selectinload(Pilot.kpis),
            selectinload(Pilot.goals),
            selectinload(Pilot.vendor),
            selectinload(Pilot.lead_municipality),
        )
    ).first()
    municipality = db.session.get(Municipality, code)
    if pilot is None or municipality is None:
        raise LookupError(code)
    gates = municipal_gates(pilot.stage)
    if not gates:
        raise ProposalError("no_gate")
    gate = Gate(gate) if gate in gates else gates[-1]
    current = {p.municipality_code for p in pilot.current_participations}
    ever = {p.municipality_code for p in pilot.participations}
    is_participant = code in current
    if not is_participant and (code in ever or gate is not Gate.SCALE_UP):
        raise ProposalError("not_a_participant")
    planned = _planned_share(pilot, municipality, joining=not is_participant)
    actual = actual_share_cents(pilot.id, code) if is_participant else 0
    remaining = None if planned is None else max(0, planned - actual)
    per_resident = None
    if planned is not None and municipality.population > 0:
        per_resident = round_half_up(Fraction(planned, 100 * municipality.population), 2)
    decisions = list(
        db.session.scalars(
            sa.select(MunicipalDecision)
            .where(MunicipalDecision.pilot_id == pilot.id)
            .options(selectinload(MunicipalDecision.municipality))
            .order_by(MunicipalDecision.decided_on.desc(), MunicipalDecision.id.desc())
        )
    )
    populations = {
        p.municipality_code: p.municipality.population for p in pilot.current_participations
    }
    basis, savings = choose_basis(
        realised_savings_cents(pilot.kpis), pilot.estimated_annual_savings_cents
    )
    projection = None
    participant_population = sum(populations.values())
    if participant_population > 0:
        projection = project(
            savings,
            pilot.net_cost_cents,
            participant_population,
            {code: municipality.population},
            basis,
        )
    return Proposal(
        pilot=pilot,
        municipality=municipality,
        gate=gate,
        is_participant=is_participant,
        as_of=datetime.now(UTC),
        kpis=_kpi_lines(list(pilot.kpis)),
        planned_share_cents=planned,
        actual_share_cents=actual,
        remaining_commitment_cents=remaining,
        per_resident=per_resident,
        decisions=decisions,
        similar=similar_to_pilot(user, pilot),
        projection=projection,
        populations=populations,
        satisfaction=feedback.summary(pilot.id, current),
    )
