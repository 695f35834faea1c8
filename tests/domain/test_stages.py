"""Stage rules: every plain update and every decision, with the expected result written out."""

from __future__ import annotations

import itertools

import pytest

from pilot_tracker.domain.enums import Gate, Outcome, Stage
from pilot_tracker.domain.stages import (
    ORDER,
    TransitionError,
    allowed_gates,
    check_plain_update,
    stage_after_decision,
)

IDEA, PLANNING, PILOTING = Stage.IDEA, Stage.PLANNING, Stage.PILOTING
EVALUATION, SCALING, STOPPED = Stage.EVALUATION, Stage.SCALING, Stage.STOPPED
START, MIDPOINT, SCALE_UP = Gate.START, Gate.MIDPOINT, Gate.SCALE_UP
GO, NO_GO, CONTINUE = Outcome.GO, Outcome.NO_GO, Outcome.CONTINUE

# Refusals, as a fragment each message must contain.
FINAL = "final stage"
INTO_SCALING = "only through a go decision at the scale_up gate"
INTO_STOPPED = "only through a no_go decision"
BACKWARD = "cannot move back"
WRONG_GATE = "cannot be made while the pilot is in"
EVALUATE_FIRST = "evaluate the pilot first"
ONLY_CONTINUE = "Only a continue decision can send a pilot back to planning"

OK = None

PLAIN_UPDATES: list[tuple[Stage, Stage, str | None]] = [
    (IDEA, IDEA, OK),
    (IDEA, PLANNING, OK),
    (IDEA, PILOTING, OK),
    (IDEA, EVALUATION, OK),
    (IDEA, SCALING, INTO_SCALING),
    (IDEA, STOPPED, INTO_STOPPED),
    (PLANNING, IDEA, BACKWARD),
    (PLANNING, PLANNING, OK),
    (PLANNING, PILOTING, OK),
    (PLANNING, EVALUATION, OK),
    (PLANNING, SCALING, INTO_SCALING),
    (PLANNING, STOPPED, INTO_STOPPED),
    (PILOTING, IDEA, BACKWARD),
    (PILOTING, PLANNING, BACKWARD),
    (PILOTING, PILOTING, OK),
    (PILOTING, EVALUATION, OK),
    (PILOTING, SCALING, INTO_SCALING),
    (PILOTING, STOPPED, INTO_STOPPED),
    (EVALUATION, IDEA, BACKWARD),
    (EVALUATION, PLANNING, BACKWARD),
    (EVALUATION, PILOTING, BACKWARD),
    (EVALUATION, EVALUATION, OK),
    (EVALUATION, SCALING, INTO_SCALING),
    (EVALUATION, STOPPED, INTO_STOPPED),
    (SCALING, IDEA, FINAL),
    (SCALING, PLANNING, FINAL),
    (SCALING, PILOTING, FINAL),
    (SCALING, EVALUATION, FINAL),
    (SCALING, SCALING, OK),
    (SCALING, STOPPED, FINAL),
    (STOPPED, IDEA, FINAL),
    (STOPPED, PLANNING, FINAL),
    (STOPPED, PILOTING, FINAL),
    (STOPPED, EVALUATION, FINAL),
    (STOPPED, SCALING, FINAL),
    (STOPPED, STOPPED, OK),
]

# (stage, gate, outcome, back_to_planning) → the new stage, or the refusal's message fragment.
DECISIONS: list[tuple[Stage, Gate, Outcome, bool, Stage | str]] = [
    (IDEA, START, GO, False, PILOTING),
    (IDEA, START, GO, True, ONLY_CONTINUE),
    (IDEA, START, NO_GO, False, STOPPED),
    (IDEA, START, NO_GO, True, ONLY_CONTINUE),
    (IDEA, START, CONTINUE, False, IDEA),
    (IDEA, START, CONTINUE, True, PLANNING),
    (IDEA, MIDPOINT, GO, False, WRONG_GATE),
    (IDEA, MIDPOINT, GO, True, WRONG_GATE),
    (IDEA, MIDPOINT, NO_GO, False, WRONG_GATE),
    (IDEA, MIDPOINT, NO_GO, True, WRONG_GATE),
    (IDEA, MIDPOINT, CONTINUE, False, WRONG_GATE),
    (IDEA, MIDPOINT, CONTINUE, True, WRONG_GATE),
    (IDEA, SCALE_UP, GO, False, EVALUATE_FIRST),
    (IDEA, SCALE_UP, GO, True, EVALUATE_FIRST),
    (IDEA, SCALE_UP, NO_GO, False, EVALUATE_FIRST),
    (IDEA, SCALE_UP, NO_GO, True, EVALUATE_FIRST),
    (IDEA, SCALE_UP, CONTINUE, False, EVALUATE_FIRST),
    (IDEA, SCALE_UP, CONTINUE, True, EVALUATE_FIRST),
    (PLANNING, START, GO, False, PILOTING),
    (PLANNING, START, GO, True, ONLY_CONTINUE),
    (PLANNING, START, NO_GO, False, STOPPED),
    (PLANNING, START, NO_GO, True, ONLY_CONTINUE),
    (PLANNING, START, CONTINUE, False, PLANNING),
    (PLANNING, START, CONTINUE, True, PLANNING),
    (PLANNING, MIDPOINT, GO, False, WRONG_GATE),
    (PLANNING, MIDPOINT, GO, True, WRONG_GATE),
    (PLANNING, MIDPOINT, NO_GO, False, WRONG_GATE),
    (PLANNING, MIDPOINT, NO_GO, True, WRONG_GATE),
    (PLANNING, MIDPOINT, CONTINUE, False, WRONG_GATE),
    (PLANNING, MIDPOINT, CONTINUE, True, WRONG_GATE),
    (PLANNING, SCALE_UP, GO, False, EVALUATE_FIRST),
    (PLANNING, SCALE_UP, GO, True, EVALUATE_FIRST),
    (PLANNING, SCALE_UP, NO_GO, False, EVALUATE_FIRST),
    (PLANNING, SCALE_UP, NO_GO, True, EVALUATE_FIRST),
    (PLANNING, SCALE_UP, CONTINUE, False, EVALUATE_FIRST),
    (PLANNING, SCALE_UP, CONTINUE, True, EVALUATE_FIRST),
    (PILOTING, START, GO, False, WRONG_GATE),
    (PILOTING, START, GO, True, WRONG_GATE),
    (PILOTING, START, NO_GO, False, WRONG_GATE),
    (PILOTING, START, NO_GO, True, WRONG_GATE),
    (PILOTING, START, CONTINUE, False, WRONG_GATE),
    (PILOTING, START, CONTINUE, True, WRONG_GATE),
    (PILOTING, MIDPOINT, GO, False, PILOTING),
    (PILOTING, MIDPOINT, GO, True, ONLY_CONTINUE),
    (PILOTING, MIDPOINT, NO_GO, False, STOPPED),
    (PILOTING, MIDPOINT, NO_GO, True, ONLY_CONTINUE),
    (PILOTING, MIDPOINT, CONTINUE, False, PILOTING),
    (PILOTING, MIDPOINT, CONTINUE, True, PLANNING),
    (PILOTING, SCALE_UP, GO, False, EVALUATE_FIRST),
    (PILOTING, SCALE_UP, GO, True, EVALUATE_FIRST),
    (PILOTING, SCALE_UP, NO_GO, False, EVALUATE_FIRST),
    (PILOTING, SCALE_UP, NO_GO, True, EVALUATE_FIRST),
    (PILOTING, SCALE_UP, CONTINUE, False, EVALUATE_FIRST),
    (PILOTING, SCALE_UP, CONTINUE, True, EVALUATE_FIRST),
    (EVALUATION, START, GO, False, WRONG_GATE),
    (EVALUATION, START, GO, True, WRONG_GATE),
    (EVALUATION, START, NO_GO, False, WRONG_GATE),
    (EVALUATION, START, NO_GO, True, WRONG_GATE),
    (EVALUATION, START, CONTINUE, False, WRONG_GATE),
    (EVALUATION, START, CONTINUE, True, WRONG_GATE),
    (EVALUATION, MIDPOINT, GO, False, EVALUATION),
    (EVALUATION, MIDPOINT, GO, True, ONLY_CONTINUE),
    (EVALUATION, MIDPOINT, NO_GO, False, STOPPED),
    (EVALUATION, MIDPOINT, NO_GO, True, ONLY_CONTINUE),
    (EVALUATION, MIDPOINT, CONTINUE, False, EVALUATION),
    (EVALUATION, MIDPOINT, CONTINUE, True, PLANNING),
    (EVALUATION, SCALE_UP, GO, False, SCALING),
    (EVALUATION, SCALE_UP, GO, True, ONLY_CONTINUE),
    (EVALUATION, SCALE_UP, NO_GO, False, STOPPED),
    (EVALUATION, SCALE_UP, NO_GO, True, ONLY_CONTINUE),
    (EVALUATION, SCALE_UP, CONTINUE, False, EVALUATION),
    (EVALUATION, SCALE_UP, CONTINUE, True, PLANNING),
    (SCALING, START, GO, False, FINAL),
    (SCALING, START, GO, True, FINAL),
    (SCALING, START, NO_GO, False, FINAL),
    (SCALING, START, NO_GO, True, FINAL),
    (SCALING, START, CONTINUE, False, FINAL),
    (SCALING, START, CONTINUE, True, FINAL),
    (SCALING, MIDPOINT, GO, False, FINAL),
    (SCALING, MIDPOINT, GO, True, FINAL),
    (SCALING, MIDPOINT, NO_GO, False, FINAL),
    (SCALING, MIDPOINT, NO_GO, True, FINAL),
    (SCALING, MIDPOINT, CONTINUE, False, FINAL),
    (SCALING, MIDPOINT, CONTINUE, True, FINAL),
    (SCALING, SCALE_UP, GO, False, FINAL),
    (SCALING, SCALE_UP, GO, True, FINAL),
    (SCALING, SCALE_UP, NO_GO, False, FINAL),
    (SCALING, SCALE_UP, NO_GO, True, FINAL),
    (SCALING, SCALE_UP, CONTINUE, False, FINAL),
    (SCALING, SCALE_UP, CONTINUE, True, FINAL),
    (STOPPED, START, GO, False, FINAL),
    (STOPPED, START, GO, True, FINAL),
    (STOPPED, START, NO_GO, False, FINAL),
    (STOPPED, START, NO_GO, True, FINAL),
    (STOPPED, START, CONTINUE, False, FINAL),
    (STOPPED, START, CONTINUE, True, FINAL),
    (STOPPED, MIDPOINT, GO, False, FINAL),
    (STOPPED, MIDPOINT, GO, True, FINAL),
    (STOPPED, MIDPOINT, NO_GO, False, FINAL),
    (STOPPED, MIDPOINT, NO_GO, True, FINAL),
    (STOPPED, MIDPOINT, CONTINUE, False, FINAL),
    (STOPPED, MIDPOINT, CONTINUE, True, FINAL),
    (STOPPED, SCALE_UP, GO, False, FINAL),
    (STOPPED, SCALE_UP, GO, True, FINAL),
    (STOPPED, SCALE_UP, NO_GO, False, FINAL),
    (STOPPED, SCALE_UP, NO_GO, True, FINAL),
    (STOPPED, SCALE_UP, CONTINUE, False, FINAL),
    (STOPPED, SCALE_UP, CONTINUE, True, FINAL),
]


def test_order_lists_the_stages_in_the_product_order() -> None:
    assert ORDER == (IDEA, PLANNING, PILOTING, EVALUATION, SCALING, STOPPED)
    assert tuple(Stage) == ORDER


def test_plain_update_table_covers_every_pair_of_stages() -> None:
    pairs = [(current, new) for current, new, _ in PLAIN_UPDATES]
    assert sorted(pairs) == sorted(itertools.product(Stage, Stage))


def test_decision_table_covers_every_combination() -> None:
    keys = [row[:4] for row in DECISIONS]
    assert sorted(keys) == sorted(itertools.product(Stage, Gate, Outcome, (False, True)))


@pytest.mark.parametrize(("current", "new", "refusal"), PLAIN_UPDATES)
def test_plain_update_moves_only_forward_before_any_decision(
    current: Stage, new: Stage, refusal: str | None
) -> None:
    if refusal is None:
        check_plain_update(current, new)
    else:
        with pytest.raises(TransitionError, match=refusal):
            check_plain_update(current, new)


@pytest.mark.parametrize(("current", "gate", "outcome", "back_to_planning", "expected"), DECISIONS)
def test_decision_moves_the_stage_as_the_product_rules_say(
    current: Stage, gate: Gate, outcome: Outcome, back_to_planning: bool, expected: Stage | str
) -> None:
    if isinstance(expected, Stage):
        assert stage_after_decision(current, gate, outcome, back_to_planning) is expected
    else:
        with pytest.raises(TransitionError, match=expected):
            stage_after_decision(current, gate, outcome, back_to_planning)


@pytest.mark.parametrize(
    ("current", "gates"),
    [
        (IDEA, (START,)),
        (PLANNING, (START,)),
        (PILOTING, (MIDPOINT,)),
        (EVALUATION, (MIDPOINT, SCALE_UP)),
        (SCALING, ()),
        (STOPPED, ()),
    ],
)
def test_allowed_gates_per_stage(current: Stage, gates: tuple[Gate, ...]) -> None:
    assert allowed_gates(current) == gates


def test_back_to_planning_defaults_to_false() -> None:
    assert stage_after_decision(PILOTING, MIDPOINT, CONTINUE) is PILOTING


def test_wrong_gate_message_names_the_stage_and_the_open_gates() -> None:
    with pytest.raises(TransitionError) as caught:
        stage_after_decision(PILOTING, START, GO)
    assert caught.value.code == "gate_closed"
    assert caught.value.params == {"gate": START, "stage": PILOTING, "gates": (MIDPOINT,)}
    assert caught.value.message == (
        "A start decision cannot be made while the pilot is in piloting. "
        "Gates open in this stage: midpoint."
    )


def test_scale_up_before_evaluation_says_to_evaluate_first() -> None:
    with pytest.raises(TransitionError) as caught:
        stage_after_decision(PILOTING, SCALE_UP, GO)
    assert "piloting" in caught.value.message
    assert "midpoint" in caught.value.message
    assert caught.value.code == "gate_closed_evaluate_first"
    assert "evaluate the pilot first" in caught.value.message


def test_final_stage_message_names_the_stage() -> None:
    with pytest.raises(TransitionError, match="final stage, stopped"):
        stage_after_decision(STOPPED, SCALE_UP, GO)
    with pytest.raises(TransitionError, match="final stage, scaling"):
        check_plain_update(SCALING, EVALUATION)


def test_backward_update_names_both_stages_and_the_way_back() -> None:
    with pytest.raises(TransitionError) as caught:
        check_plain_update(EVALUATION, PLANNING)
    assert caught.value.message == (
        "A pilot cannot move back from evaluation to planning; only a continue decision "
        "can send it back, and only to planning."
    )


def test_transition_error_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="no_go"):
        check_plain_update(IDEA, STOPPED)


def test_stages_gates_and_outcomes_may_be_given_as_strings() -> None:
    assert stage_after_decision("evaluation", "scale_up", "go") is SCALING  # type: ignore[arg-type]
    check_plain_update("idea", "evaluation")  # type: ignore[arg-type]
    assert allowed_gates("piloting") == (MIDPOINT,)  # type: ignore[arg-type]


@pytest.mark.parametrize("stage", list(Stage))
@pytest.mark.parametrize("gate", list(Gate))
@pytest.mark.parametrize("outcome", list(Outcome))
@pytest.mark.parametrize("back", [False, True])
def test_every_refused_decision_names_the_field_it_concerns(
    stage: Stage, gate: Gate, outcome: Outcome, back: bool
) -> None:
    from pilot_tracker.domain.stages import FINAL as FINAL_STAGES
    from pilot_tracker.domain.stages import refused_field

    try:
        stage_after_decision(stage, gate, outcome, back)
    except TransitionError:
        field = refused_field(stage, gate, outcome, back)
        if stage in FINAL_STAGES or gate not in allowed_gates(stage):
            assert field == "gate"
        else:
            assert field == "back_to_planning" and back and outcome is not Outcome.CONTINUE
