"""Which stage moves a plain update may make and where each gate decision takes a pilot."""

from __future__ import annotations

from pilot_tracker.domain.enums import Gate, Outcome, Stage
from pilot_tracker.domain.errors import DomainError

ORDER: tuple[Stage, ...] = (
    Stage.IDEA,
    Stage.PLANNING,
    Stage.PILOTING,
    Stage.EVALUATION,
    Stage.SCALING,
    Stage.STOPPED,
)
FINAL: frozenset[Stage] = frozenset({Stage.SCALING, Stage.STOPPED})
# The stages a plain update may move forward through; the rest need a decision.
_EDITABLE: tuple[Stage, ...] = ORDER[:4]

_GATES: dict[Stage, tuple[Gate, ...]] = {
    Stage.IDEA: (Gate.START,),
    Stage.PLANNING: (Gate.START,),
    Stage.PILOTING: (Gate.MIDPOINT,),
    Stage.EVALUATION: (Gate.MIDPOINT, Gate.SCALE_UP),
    Stage.SCALING: (),
    Stage.STOPPED: (),
}


class TransitionError(DomainError):
    """A stage move or decision the rules refuse: a catalogue code and its parameters."""


def allowed_gates(current: Stage) -> tuple[Gate, ...]:
    """The gates a decision may be recorded at in this stage; none once a pilot is final."""
    return _GATES[Stage(current)]


def refused_field(current: Stage, gate: Gate, outcome: Outcome, back_to_planning: bool) -> str:
    """The field a refused decision concerns: the gate when it is not open (or the pilot is
    final), the send-back when only that is wrong, else the outcome."""
    current, gate = Stage(current), Gate(gate)
    if current in FINAL or gate not in _GATES[current]:
        return "gate"
    if back_to_planning and Outcome(outcome) is not Outcome.CONTINUE:
        return "back_to_planning"
    return "outcome"


def check_plain_update(current: Stage, new: Stage) -> None:
    """Allow staying put or moving forward between idea and evaluation; raise otherwise."""
    current, new = Stage(current), Stage(new)
    if new is current:
        return
    if current in FINAL:
        raise TransitionError("final_stage_no_change", stage=current)
    if new is Stage.SCALING:
        raise TransitionError("scaling_needs_go")
    if new is Stage.STOPPED:
        raise TransitionError("stopped_needs_no_go")
    if _EDITABLE.index(new) < _EDITABLE.index(current):
        raise TransitionError("cannot_move_back", current=current, new=new)


def stage_after_decision(
    current: Stage, gate: Gate, outcome: Outcome, back_to_planning: bool = False
) -> Stage:
    """The stage after a decision at `gate`; go at midpoint keeps the stage. Raises if refused."""
    current, gate, outcome = Stage(current), Gate(gate), Outcome(outcome)
    if current in FINAL:
        raise TransitionError("final_stage_no_decisions", stage=current)
    gates = _GATES[current]
    if gate not in gates:
        # Scale-up before evaluation also says to evaluate first.
        code = "gate_closed_evaluate_first" if gate is Gate.SCALE_UP else "gate_closed"
        raise TransitionError(code, gate=gate, stage=current, gates=gates)
    if back_to_planning and outcome is not Outcome.CONTINUE:
        # Refused rather than ignored: a form that sends both has misunderstood the decision.
        raise TransitionError("only_continue_back")
    if outcome is Outcome.NO_GO:
        return Stage.STOPPED
    if outcome is Outcome.CONTINUE:
        return Stage.PLANNING if back_to_planning else current
    if gate is Gate.START:
        return Stage.PILOTING
    if gate is Gate.SCALE_UP:
        return Stage.SCALING
    return current
