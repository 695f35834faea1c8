"""Money by commitment (PRODUCT.md, "Money: proposed, committed, actual").

A pilot's planned net cost is *proposed* while it is an idea or being planned, *committed*
from its start `go` on (piloting, evaluation, scaling); a *stopped* pilot counts only its
actual costs, the rest of its budget is released. Committed and proposed figures are shown
side by side and never added together.
"""

from __future__ import annotations

from enum import StrEnum

from pilot_tracker.domain.enums import Stage


class Commitment(StrEnum):
    PROPOSED = "proposed"
    COMMITTED = "committed"
    STOPPED = "stopped"


_BY_STAGE: dict[Stage, Commitment] = {
    Stage.IDEA: Commitment.PROPOSED,
    Stage.PLANNING: Commitment.PROPOSED,
    Stage.PILOTING: Commitment.COMMITTED,
    Stage.EVALUATION: Commitment.COMMITTED,
    Stage.SCALING: Commitment.COMMITTED,
    Stage.STOPPED: Commitment.STOPPED,
}

PROPOSED_STAGES: tuple[Stage, ...] = tuple(
    s for s, c in _BY_STAGE.items() if c is Commitment.PROPOSED
)
COMMITTED_STAGES: tuple[Stage, ...] = tuple(
    s for s, c in _BY_STAGE.items() if c is Commitment.COMMITTED
)


def commitment(stage: Stage | str) -> Commitment:
    """Whether a pilot in `stage` is proposed, committed or stopped."""
    return _BY_STAGE[Stage(stage)]


def planned_counts(stage: Stage | str) -> bool:
    """True when the pilot's planned net cost (and estimated savings) count at all: a stopped
    pilot contributes only its actual costs, and no estimated savings."""
    return commitment(stage) is not Commitment.STOPPED
