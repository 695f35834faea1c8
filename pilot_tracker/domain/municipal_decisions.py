"""What one municipality's own decision at a gate does to its membership of a joint pilot.

The steering group's gate decision moves the stage (domain/stages.py); each municipality's
body decides for itself whether it takes part in what the gate opens. A participant's `no_go`
makes it leave on the decision's date; at `scale_up` a `go` from a municipality that is not yet
a participant makes it join on that date. Nothing else changes the membership.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from pilot_tracker.domain.enums import Gate, Outcome, Stage
from pilot_tracker.domain.errors import DomainError


class Body(StrEnum):
    """The municipal body that decided (kunnanvaltuusto, kunnanhallitus, lautakunta, ...)."""

    COUNCIL = "council"
    BOARD = "board"
    COMMITTEE = "committee"
    OFFICIAL = "official"


class Standing(StrEnum):
    """Where a municipality stands towards the pilot when its body decides."""

    LEAD = "lead"
    PARTICIPANT = "participant"
    NEWCOMER = "newcomer"  # has never taken part
    FORMER = "former"  # took part and has left


class Effect(StrEnum):
    NONE = "none"
    LEAVE = "leave"
    JOIN = "join"


class MunicipalDecisionError(DomainError):
    """A refused municipal decision: a stable code, its parameters and the field it concerns."""

    field: str

    def __init__(self, code: str, field: str, params: dict[str, Any] | None = None) -> None:
        super().__init__(code, field=field, **(params or {}))


# The gates a municipality's body may decide at in each stage: the gates open for the
# steering group, and the gate that brought the pilot into its present stage (a council
# often meets after the steering group has said go; newcomers join a pilot being scaled up).
_GATES: dict[Stage, tuple[Gate, ...]] = {
    Stage.IDEA: (Gate.START,),
    Stage.PLANNING: (Gate.START,),
    Stage.PILOTING: (Gate.START, Gate.MIDPOINT),
    Stage.EVALUATION: (Gate.MIDPOINT, Gate.SCALE_UP),
    Stage.SCALING: (Gate.SCALE_UP,),
    Stage.STOPPED: (),
}


def municipal_gates(stage: Stage) -> tuple[Gate, ...]:
    """The gates at which a municipality may record its own decision in this stage."""
    return _GATES[Stage(stage)]


def decision_effect(stage: Stage, gate: Gate, outcome: Outcome, standing: Standing) -> Effect:
    """The membership change a municipality's decision makes; raises MunicipalDecisionError
    when the decision cannot be recorded (gate not open, the lead leaving, a newcomer outside
    scale-up, a municipality that has already left)."""
    stage, gate, outcome, standing = Stage(stage), Gate(gate), Outcome(outcome), Standing(standing)
    gates = _GATES[stage]
    if gate not in gates:
        raise MunicipalDecisionError(
            "municipal_gate_closed", "gate", {"gate": gate, "stage": stage, "open": gates}
        )
    if standing is Standing.FORMER:
        raise MunicipalDecisionError("municipality_has_left", "municipality", {})
    if standing is Standing.NEWCOMER:
        if gate is not Gate.SCALE_UP:
            raise MunicipalDecisionError("newcomer_outside_scale_up", "municipality", {})
        return Effect.JOIN if outcome is Outcome.GO else Effect.NONE
    if outcome is Outcome.NO_GO:
        if standing is Standing.LEAD:
            raise MunicipalDecisionError("lead_cannot_leave", "outcome", {})
        return Effect.LEAVE
    return Effect.NONE


@dataclass(frozen=True)
class Membership:
    """One municipality's time in a pilot: founding members have no `joined_on`."""

    code: str
    joined_on: date | None = None
    left_on: date | None = None

    @property
    def is_current(self) -> bool:
        """Still taking part: the planned shares are split among the current members."""
        return self.left_on is None


def standing_of(code: str, lead_code: str, members: dict[str, Membership]) -> Standing:
    """Where `code` stands among `members` (keyed by code) of a pilot led by `lead_code`."""
    member = members.get(code)
    if member is None:
        return Standing.NEWCOMER
    if not member.is_current:
        return Standing.FORMER
    return Standing.LEAD if code == lead_code else Standing.PARTICIPANT


def apply_effect(
    members: dict[str, Membership], code: str, effect: Effect, on: date
) -> dict[str, Membership]:
    """The membership after `effect` for `code` on `on`; the input is left as it was.

    A leave before the member joined would give it no day in the pilot: refused."""
    result = dict(members)
    if effect is Effect.LEAVE:
        member = result[code]
        if member.joined_on is not None and on <= member.joined_on:
            raise MunicipalDecisionError(
                "leave_before_joining", "date", {"joined_on": member.joined_on}
            )
        result[code] = Membership(code, member.joined_on, on)
    elif effect is Effect.JOIN:
        result[code] = Membership(code, on, None)
    return result


# A section (pykälä) number as minutes write it: "45", "§ 45", "45 §", "12 a", "3/2026".
_SECTION = re.compile(r"(?:§\s*)?[0-9]{1,4}(?:\s*[a-zA-Z])?(?:\s*/\s*[0-9]{4})?(?:\s*§)?")
MAX_URL_LENGTH = 2000


def check_section(section: str) -> str:
    """The section number trimmed, or refused with `invalid_section`; empty is allowed."""
    text = (section or "").strip()
    if text and _SECTION.fullmatch(text) is None:
        raise MunicipalDecisionError("invalid_section", "section", {})
    return text


def check_minutes_url(url: str) -> str:
    """An absolute http(s) URL with a host, trimmed; anything else (javascript:, data:,
    relative paths, credentials in the URL, spaces) refused with `invalid_minutes_url`."""
    text = (url or "").strip()
    if not text:
        return ""
    if len(text) > MAX_URL_LENGTH or any(ch.isspace() or ord(ch) < 32 for ch in text):
        raise MunicipalDecisionError("invalid_minutes_url", "minutes_url", {})
    try:
        parts = urlsplit(text)
        port_ok = parts.port is None or 0 < parts.port < 65536
    except ValueError:
        raise MunicipalDecisionError("invalid_minutes_url", "minutes_url", {}) from None
    if (
        parts.scheme.lower() not in ("http", "https")
        or not parts.hostname
        or parts.username is not None
        or parts.password is not None
        or not port_ok
    ):
        raise MunicipalDecisionError("invalid_minutes_url", "minutes_url", {})
    return text
