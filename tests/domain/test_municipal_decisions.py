"""Each municipality's own decision: every stage × gate × outcome × standing, and sequences."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pilot_tracker.domain.cost_split import split_cost
from pilot_tracker.domain.enums import Gate, Outcome, SplitMethod, Stage
from pilot_tracker.domain.municipal_decisions import (
    Effect,
    Membership,
    MunicipalDecisionError,
    Standing,
    apply_effect,
    check_minutes_url,
    check_section,
    decision_effect,
    municipal_gates,
    standing_of,
)

# Written out by hand, independently of the module's table.
OPEN = {
    Stage.IDEA: {Gate.START},
    Stage.PLANNING: {Gate.START},
    Stage.PILOTING: {Gate.START, Gate.MIDPOINT},
    Stage.EVALUATION: {Gate.MIDPOINT, Gate.SCALE_UP},
    Stage.SCALING: {Gate.SCALE_UP},
    Stage.STOPPED: set(),
}


def expected(stage: Stage, gate: Gate, outcome: Outcome, standing: Standing) -> str:
    """The effect's value, or the refusal's code."""
    if gate not in OPEN[stage]:
        return "municipal_gate_closed"
    if standing is Standing.FORMER:
        return "municipality_has_left"
    if standing is Standing.NEWCOMER:
        if gate is not Gate.SCALE_UP:
            return "newcomer_outside_scale_up"
        return "join" if outcome is Outcome.GO else "none"
    if outcome is Outcome.NO_GO:
        return "lead_cannot_leave" if standing is Standing.LEAD else "leave"
    return "none"


COMBINATIONS = list(itertools.product(Stage, Gate, Outcome, Standing))


def test_the_table_covers_every_combination() -> None:
    assert len(COMBINATIONS) == 6 * 3 * 3 * 4


@pytest.mark.parametrize(("stage", "gate", "outcome", "standing"), COMBINATIONS)
def test_decision_effect(stage: Stage, gate: Gate, outcome: Outcome, standing: Standing) -> None:
    want = expected(stage, gate, outcome, standing)
    if want in {effect.value for effect in Effect}:
        assert decision_effect(stage, gate, outcome, standing) is Effect(want)
    else:
        with pytest.raises(MunicipalDecisionError) as raised:
            decision_effect(stage, gate, outcome, standing)
        assert raised.value.code == want


def test_a_closed_gate_names_the_open_ones() -> None:
    with pytest.raises(MunicipalDecisionError) as raised:
        decision_effect(Stage.PLANNING, Gate.SCALE_UP, Outcome.GO, Standing.PARTICIPANT)
    assert raised.value.field == "gate"
    assert raised.value.params == {
        "gate": Gate.SCALE_UP,
        "stage": Stage.PLANNING,
        "open": (Gate.START,),
    }


@pytest.mark.parametrize("stage", list(Stage))
def test_municipal_gates_include_the_steering_groups_open_gates(stage: Stage) -> None:
    from pilot_tracker.domain.stages import allowed_gates

    assert set(allowed_gates(stage)) <= set(municipal_gates(stage))
    assert set(municipal_gates(stage)) == OPEN[stage]


def test_standing() -> None:
    members = {
        "418": Membership("418"),
        "536": Membership("536", None, date(2026, 3, 1)),
        "980": Membership("980", date(2026, 2, 1)),
    }
    assert standing_of("418", "418", members) is Standing.LEAD
    assert standing_of("980", "418", members) is Standing.PARTICIPANT
    assert standing_of("536", "418", members) is Standing.FORMER
    assert standing_of("091", "418", members) is Standing.NEWCOMER


def test_leaving_and_joining_keep_the_history() -> None:
    members = {"418": Membership("418"), "536": Membership("536")}
    left = apply_effect(members, "536", Effect.LEAVE, date(2026, 5, 4))
    assert left["536"] == Membership("536", None, date(2026, 5, 4))
    assert members["536"].left_on is None  # the input is not changed
    joined = apply_effect(left, "091", Effect.JOIN, date(2026, 6, 1))
    assert joined["091"] == Membership("091", date(2026, 6, 1), None)
    assert apply_effect(joined, "418", Effect.NONE, date(2026, 7, 1)) == joined


def test_leaving_on_or_before_the_day_of_joining_is_refused() -> None:
    members = {"091": Membership("091", date(2026, 6, 1))}
    for day in (date(2026, 6, 1), date(2026, 5, 31)):
        with pytest.raises(MunicipalDecisionError) as raised:
            apply_effect(members, "091", Effect.LEAVE, day)
        assert raised.value.code == "leave_before_joining"
    assert apply_effect(members, "091", Effect.LEAVE, date(2026, 6, 2))["091"].left_on == date(
        2026, 6, 2
    )


CODES = ("020", "049", "091", "418", "536", "980")
POPULATIONS = {"020": 16_000, "049": 305_000, "091": 664_000, "418": 24_580, "536": 35_346,
               "980": 33_607}  # fmt: skip


@settings(deadline=None)  # a loaded CI machine must not fail it on time
@given(
    founders=st.sets(st.sampled_from(CODES), min_size=1, max_size=4),
    steps=st.lists(
        st.tuples(
            st.sampled_from(list(Stage)),
            st.sampled_from(list(Gate)),
            st.sampled_from(list(Outcome)),
            st.sampled_from(CODES),
            st.integers(0, 30),
        ),
        max_size=25,
    ),
    net_cost=st.integers(0, 10**9),
    method=st.sampled_from([SplitMethod.EQUAL, SplitMethod.PER_CAPITA]),
)
def test_any_sequence_of_decisions_keeps_the_planned_shares_whole(
    founders: set[str],
    steps: list[tuple[Stage, Gate, Outcome, str, int]],
    net_cost: int,
    method: SplitMethod,
) -> None:
    lead = min(founders)
    members = {code: Membership(code) for code in founders}
    day = date(2026, 1, 1)
    for stage, gate, outcome, code, gap in steps:
        day += timedelta(days=gap)
        standing = standing_of(code, lead, members)
        try:
            effect = decision_effect(stage, gate, outcome, standing)
            members = apply_effect(members, code, effect, day)
        except MunicipalDecisionError:
            continue
        # The lead never leaves; nobody appears or vanishes from the history.
        assert members[lead].is_current
    current = {code: POPULATIONS[code] for code, member in members.items() if member.is_current}
    shares = split_cost(method, net_cost, current)
    assert sum(shares.values()) == net_cost
    assert lead in shares
    assert all(members[code].left_on is None for code in shares)
    assert founders <= set(members)
    for member in members.values():
        if member.joined_on is not None and member.left_on is not None:
            assert member.joined_on < member.left_on


@pytest.mark.parametrize("text", ["45", "§ 45", "45 §", "§45", "12 a", "3/2026", " 7 ", "", "1234"])
def test_sections_as_minutes_write_them(text: str) -> None:
    assert check_section(text) == text.strip()


@pytest.mark.parametrize("text", ["abc", "45; DROP", "§", "12345", "<b>4</b>", "4 5 6"])
def test_other_sections_are_refused(text: str) -> None:
    with pytest.raises(MunicipalDecisionError) as raised:
        check_section(text)
    assert (raised.value.code, raised.value.field) == ("invalid_section", "section")


@pytest.mark.parametrize(
    "url",
    [
        "https://lempaala.cloudnc.fi/fi-FI/Toimielimet/Kunnanhallitus/Kokous_1232026",
        "http://example.org/poytakirja.pdf",
        "HTTPS://Example.org:8443/a?b=c#d",
        "",
    ],
)
def test_minutes_urls_that_are_kept(url: str) -> None:
    assert check_minutes_url(url) == url


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox",
        "//example.org/a",
        "/relative/path",
        "example.org/a",
        "https://",
        "https://user:pw@example.org/",
        "https://example.org/a b",
        "https://example.org/\x00",
        "https://example.org:99999/",
        "ftp://example.org/a",
        "https://[::1",
        "https://example.org/" + "a" * 2000,
    ],
)
def test_minutes_urls_that_are_refused(url: str) -> None:
    with pytest.raises(MunicipalDecisionError) as raised:
        check_minutes_url(url)
    assert (raised.value.code, raised.value.field) == ("invalid_minutes_url", "minutes_url")
