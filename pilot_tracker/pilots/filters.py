"""Template filters of the pilot pages: snapshot euros kept as text, KPI values."""

from __future__ import annotations

from decimal import Decimal

from pilot_tracker.domain.money import MoneyError, parse_eur
from pilot_tracker.language import formats
from pilot_tracker.language.i18n import current_language, money
from pilot_tracker.pilots import bp


@bp.app_template_filter("eur_text")
def eur_text(value: str | None) -> str:
    """A snapshot's euro string ("12500.00") as money in the page's language."""
    if value in (None, ""):
        return "–"
    try:
        return money(parse_eur(str(value)))
    except MoneyError:
        return str(value)


@bp.app_template_filter("kpi_number")
def kpi_number(value: Decimal | str | None) -> str:
    """A KPI value with up to four decimals, in the page's language."""
    if value in (None, ""):
        return "–"
    try:
        number = Decimal(str(value))
    except ArithmeticError:
        return str(value)
    return formats.measured(number, current_language())
