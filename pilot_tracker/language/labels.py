"""Translated labels for every enum value shown to people."""

from __future__ import annotations

from enum import Enum

from flask_babel import gettext as babel_gettext
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from pilot_tracker.domain.enums import (
    CostKind,
    Direction,
    Gate,
    Goal,
    Outcome,
    Rag,
    Role,
    SplitMethod,
    Stage,
    TextStatus,
    Theme,
    Track,
)
from pilot_tracker.domain.follow_up import ItemStatus, OwnerKind
from pilot_tracker.domain.municipal_decisions import Body
from pilot_tracker.language.i18n import current_language, translations

LABELS: dict[Enum, object] = {
    Role.ADMIN: _l("Administrator"),
    Role.COORDINATOR: _l("Coordinator"),
    Role.COUNCIL: _l("Council member"),
    Role.VENDOR: _l("Vendor"),
    Theme.TRANSPORT_OPTIMISATION: _l("Transport optimisation"),
    Theme.PERMITS: _l("Permit services"),
    Theme.FACILITY_BOOKING: _l("Booking of municipal facilities"),
    Theme.FEEDBACK: _l("Customer feedback"),
    Theme.E_SERVICES: _l("E-services"),
    Theme.CUSTOMER_DATA: _l("Customer data management"),
    Theme.GEODATA: _l("Geodata management"),
    Theme.PROPERTY_MANAGEMENT: _l("Property management"),
    Theme.MOBILE_WORK: _l("Mobile work"),
    Theme.OTHER: _l("Other"),
    Track.QUICK: _l("Quick"),
    Track.SLOW: _l("Slow"),
    Stage.IDEA: _l("Idea"),
    Stage.PLANNING: _l("Planning"),
    Stage.PILOTING: _l("Piloting"),
    Stage.EVALUATION: _l("Evaluation"),
    Stage.SCALING: _l("Scaling"),
    Stage.STOPPED: _l("Stopped"),
    Goal.ATTRACT_RESIDENTS: _l("Attract residents"),
    Goal.CUT_COSTS: _l("Cut costs"),
    Goal.USE_RESOURCES_BETTER: _l("Use resources better"),
    Goal.RESIDENT_SATISFACTION: _l("Resident satisfaction"),
    Goal.BRAND: _l("Municipal brand"),
    SplitMethod.EQUAL: _l("Equal shares"),
    SplitMethod.PER_CAPITA: _l("Per capita"),
    SplitMethod.MANUAL: _l("Manual percentages"),
    SplitMethod.HYBRID: _l("Part equally, the rest per capita"),
    CostKind.VENDOR_INVOICE: _l("Vendor invoice"),
    CostKind.OWN_WORK: _l("Own work"),
    CostKind.OTHER: _l("Other"),
    Direction.INCREASE: _l("Increase"),
    Direction.DECREASE: _l("Decrease"),
    Rag.GREEN: _l("Green: on track"),
    Rag.AMBER: _l("Amber: at risk"),
    Rag.RED: _l("Red: off track"),
    Gate.START: _l("Start"),
    Gate.MIDPOINT: _l("Midpoint"),
    Gate.SCALE_UP: _l("Scale-up"),
    Outcome.GO: _l("Go"),
    Outcome.NO_GO: _l("No-go"),
    Outcome.CONTINUE: _l("Continue"),
    Body.COUNCIL: _l("Municipal council"),
    Body.BOARD: _l("Municipal board"),
    Body.COMMITTEE: _l("Committee"),
    Body.OFFICIAL: _l("Official"),
    ItemStatus.OPEN: _l("Open"),
    ItemStatus.IN_PROGRESS: _l("In progress"),
    ItemStatus.DONE: _l("Done"),
    ItemStatus.DROPPED: _l("Dropped"),
    OwnerKind.VENDOR: _l("Vendor"),
    OwnerKind.MUNICIPALITY: _l("Municipality"),
    OwnerKind.COORDINATOR: _l("Coordinator"),
    TextStatus.NONE: _l("No text"),
    TextStatus.PENDING: _l("Waiting for approval"),
    TextStatus.APPROVED: _l("Approved"),
    TextStatus.HIDDEN: _l("Hidden"),
}


def _msgids() -> dict[Enum, str]:
    """Each label's message id (a plain `lazy_gettext` text translates by it alone)."""
    return {
        key: text._args[0]
        for key, text in LABELS.items()
        if isinstance(text, LazyString)
        and text._func is babel_gettext
        and len(text._args) == 1
        and not text._kwargs
    }


_MSGIDS: dict[Enum, str] = _msgids()


def label(value: Enum | None) -> str:
    """The translated label of an enum value; its raw value if none is defined. Straight
    from the page's catalogue (`i18n.translations`, looked up once per request): a lazy
    text's str() asks Flask-Babel for the domain, the locale and the catalogue each time,
    and a municipality page shows some 250 labels."""
    if value is None:
        return "–"
    msgid = _MSGIDS.get(value)
    if msgid is not None:
        return str(translations().ugettext(msgid))
    text = LABELS.get(value)
    return str(text) if text is not None else str(value.value)


# The regions (maakunnat) by their Statistics Finland code; the register holds only the
# Finnish names, so the other languages' official names live here.
REGION_NAMES: dict[str, dict[str, str]] = {
    "sv": {
        "01": "Nyland",
        "02": "Egentliga Finland",
        "04": "Satakunta",
        "05": "Egentliga Tavastland",
        "06": "Birkaland",
        "07": "Päijänne-Tavastland",
        "08": "Kymmenedalen",
        "09": "Södra Karelen",
        "10": "Södra Savolax",
        "11": "Norra Savolax",
        "12": "Norra Karelen",
        "13": "Mellersta Finland",
        "14": "Södra Österbotten",
        "15": "Österbotten",
        "16": "Mellersta Österbotten",
        "17": "Norra Österbotten",
        "18": "Kajanaland",
        "19": "Lappland",
        "21": "Åland",
    },
    "en": {
        "01": "Uusimaa",
        "02": "Southwest Finland",
        "04": "Satakunta",
        "05": "Kanta-Häme",
        "06": "Pirkanmaa",
        "07": "Päijät-Häme",
        "08": "Kymenlaakso",
        "09": "South Karelia",
        "10": "South Savo",
        "11": "North Savo",
        "12": "North Karelia",
        "13": "Central Finland",
        "14": "South Ostrobothnia",
        "15": "Ostrobothnia",
        "16": "Central Ostrobothnia",
        "17": "North Ostrobothnia",
        "18": "Kainuu",
        "19": "Lapland",
        "21": "Åland",
    },
}


def region_name(code: str | None, finnish: str, language: str | None = None) -> str:
    """A region's name in the page's language; the register's Finnish name otherwise."""
    if language is None:
        language = current_language()
    return REGION_NAMES.get(language, {}).get(code or "", finnish)
