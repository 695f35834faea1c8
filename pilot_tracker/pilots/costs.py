"""Cost-share rows for the pilot page and the form's preview (pure: no queries, no Flask)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from pilot_tracker.domain.cost_split import CostSplitError, share_percentages, split_cost
from pilot_tracker.domain.enums import SplitMethod
from pilot_tracker.domain.money import round_half_up


@dataclass(frozen=True)
class ShareRow:
    """One participant's share: euros (cents), percent and euros per resident."""

    code: str
    name_fi: str
    name_sv: str
    population: int
    is_lead: bool
    cents: int | None
    percent: Decimal | None
    per_resident: Decimal | None

    def name(self, locale: str = "fi") -> str:
        return self.name_sv if locale == "sv" else self.name_fi


def per_resident(cents: int, population: int) -> Decimal | None:
    """Euros per resident, half-up to the cent; None without a population."""
    if population <= 0:
        return None
    return round_half_up(Fraction(cents, 100 * population), 2)


def share_rows(
    municipalities: Mapping[str, object],
    shares_cents: Mapping[str, int] | None,
    method: SplitMethod,
    lead: str,
    manual: Mapping[str, Decimal] | None = None,
    equal_percent: Decimal | None = None,
    *,
    percents: Mapping[str, Decimal] | None = None,
) -> list[ShareRow]:
    """Rows for `municipalities` (code → Municipality) in code order; `shares_cents` None
    leaves the money columns empty (a split that could not be made). `percents`: a stored
    pilot's (Pilot.share_percentages); otherwise those of the previewed shares."""
    populations = {code: int(m.population) for code, m in municipalities.items()}  # type: ignore[attr-defined]
    if percents is None:
        percents = {}
        if shares_cents is not None:
            try:
                percents = share_percentages(
                    shares_cents, method, populations, manual, equal_percent
                )
            except CostSplitError:
                percents = {}
    rows = []
    for code in sorted(municipalities):
        m = municipalities[code]
        cents = None if shares_cents is None else shares_cents.get(code)
        rows.append(
            ShareRow(
                code=code,
                name_fi=m.name_fi,  # type: ignore[attr-defined]
                name_sv=m.name_sv,  # type: ignore[attr-defined]
                population=populations[code],
                is_lead=code == lead,
                cents=cents,
                percent=percents.get(code),
                per_resident=None if cents is None else per_resident(cents, populations[code]),
            )
        )
    return rows


def preview_shares(
    method: SplitMethod,
    net_cents: int,
    populations: Mapping[str, int],
    manual: Mapping[str, Decimal] | None,
    equal_percent: Decimal | None = None,
) -> dict[str, int]:
    """The shares a save would store; raises CostSplitError as the service would."""
    return split_cost(method, net_cents, populations, manual, equal_percent)
