"""The fixed vocabularies of the domain; values are the strings stored and sent over the API."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    COORDINATOR = "coordinator"
    COUNCIL = "council"
    VENDOR = "vendor"


class Theme(StrEnum):
    TRANSPORT_OPTIMISATION = "transport_optimisation"
    PERMITS = "permits"
    FACILITY_BOOKING = "facility_booking"
    FEEDBACK = "feedback"
    E_SERVICES = "e_services"
    CUSTOMER_DATA = "customer_data"
    GEODATA = "geodata"
    PROPERTY_MANAGEMENT = "property_management"
    MOBILE_WORK = "mobile_work"
    OTHER = "other"


class Track(StrEnum):
    QUICK = "quick"
    SLOW = "slow"


class Stage(StrEnum):
    """Pilot stages in lifecycle order; scaling and stopped are final."""

    IDEA = "idea"
    PLANNING = "planning"
    PILOTING = "piloting"
    EVALUATION = "evaluation"
    SCALING = "scaling"
    STOPPED = "stopped"


class Goal(StrEnum):
    ATTRACT_RESIDENTS = "attract_residents"
    CUT_COSTS = "cut_costs"
    USE_RESOURCES_BETTER = "use_resources_better"
    RESIDENT_SATISFACTION = "resident_satisfaction"
    BRAND = "brand"


class SplitMethod(StrEnum):
    EQUAL = "equal"
    PER_CAPITA = "per_capita"
    MANUAL = "manual"
    HYBRID = "hybrid"


class CostKind(StrEnum):
    VENDOR_INVOICE = "vendor_invoice"
    OWN_WORK = "own_work"
    OTHER = "other"


class Direction(StrEnum):
    INCREASE = "increase"
    DECREASE = "decrease"


class Rag(StrEnum):
    GREEN = "green"
    AMBER = "amber"
    RED = "red"


class Gate(StrEnum):
    START = "start"
    MIDPOINT = "midpoint"
    SCALE_UP = "scale_up"


class Outcome(StrEnum):
    GO = "go"
    NO_GO = "no_go"
    CONTINUE = "continue"


# The Ministry of Finance study names examples for these eight themes only. e_services and
# other span both tracks, so guessing would mislabel pilots: the user must pick the track.
_DEFAULT_TRACK: dict[Theme, Track] = {
    Theme.TRANSPORT_OPTIMISATION: Track.QUICK,
    Theme.PERMITS: Track.QUICK,
    Theme.FACILITY_BOOKING: Track.QUICK,
    Theme.FEEDBACK: Track.QUICK,
    Theme.CUSTOMER_DATA: Track.SLOW,
    Theme.GEODATA: Track.SLOW,
    Theme.PROPERTY_MANAGEMENT: Track.SLOW,
    Theme.MOBILE_WORK: Track.SLOW,
}


def default_track(theme: Theme) -> Track | None:
    """The track a theme implies; None for e_services and other, where the user must choose."""
    return _DEFAULT_TRACK.get(Theme(theme))


# Remaining national savings potential per track (low, high) in euros, from the same study.
NATIONAL_POTENTIAL_EUR: dict[Track, tuple[int, int]] = {
    Track.QUICK: (7_000_000, 23_000_000),
    Track.SLOW: (440_000_000, 680_000_000),
}


class TextStatus(StrEnum):
    """A resident's free text: none given, waiting for a coordinator, approved, hidden."""

    NONE = "none"
    PENDING = "pending"
    APPROVED = "approved"
    HIDDEN = "hidden"
