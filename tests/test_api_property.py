"""Property-based API test: schemathesis generates requests from the app's own OpenAPI
document, valid ones and invalid ones, and every response must be no 5xx and match the
document (status code, content type, headers, body schema).

Bounded and repeatable for CI: a few examples per operation, derandomized, no example
database; it runs as the admin, whose token reaches every operation.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from pilot_tracker.domain.enums import Direction, Stage
from pilot_tracker.services.costs import CostData, record_cost
from pilot_tracker.services.reporting import add_kpi
from tests.api_helpers import ApiCaller
from tests.conftest import Actors
from tests.factories import make_pilot

EXAMPLES_PER_OPERATION = 12
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
SETTINGS = settings(
    max_examples=EXAMPLES_PER_OPERATION,
    derandomize=True,
    database=None,
    deadline=None,
    phases=[Phase.explicit, Phase.generate, Phase.shrink],
    suppress_health_check=list(HealthCheck),
)


def _follow_up_item(pilot_id: int) -> int:
    from pilot_tracker.domain.follow_up import OwnerKind
    from pilot_tracker.services.follow_up import Owner, create_item
    from pilot_tracker.services.pilots import load_pilot_for_update

    pilot = load_pilot_for_update(pilot_id)
    assert pilot is not None
    return create_item(pilot, "Raportointi", Owner(OwnerKind.VENDOR)).id


def _gate_meeting(pilot_id: int) -> int:
    """A planned steering-group meeting of the pilot (the gate-meeting operations)."""
    from datetime import timedelta

    from pilot_tracker.services.gate_meetings import MeetingData, open_gates, plan_meeting
    from pilot_tracker.services.pilots import load_pilot_for_update

    pilot = load_pilot_for_update(pilot_id)
    assert pilot is not None
    soon = date.today() + timedelta(days=30)
    return plan_meeting(pilot, MeetingData(open_gates(pilot)[0], soon)).id


def _order(operation: Any) -> tuple[int, str]:
    # Deleting last keeps the known pilot there for the other operations.
    return (operation.method.upper() == "DELETE", operation.label)


@pytest.mark.parametrize(
    "mode", [schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE]
)
def test_generated_requests_get_no_5xx_and_responses_match_the_document(
    app: Flask, actors: Actors, mode: schemathesis.GenerationMode
) -> None:
    with app.app_context():
        pilot = make_pilot(vendor=actors.vendor_a, stage=Stage.PILOTING, is_public=True)
        kpi = add_kpi(pilot, "Säästö", "€", 0, 100, Direction.INCREASE, True)  # type: ignore[arg-type]
        item = _follow_up_item(pilot.id)
        cost = record_cost(pilot, CostData(date(2026, 1, 15), 100_000))
        meeting = _gate_meeting(pilot.id)
    known = {
        "meeting_id": meeting,
        "pilot_id": pilot.id,
        "kpi_id": kpi.id,
        "item_id": item,
        "cost_id": cost.id,
        "code": "418",
    }
    # Schemathesis asks for gzip like `requests`, but its WSGI transport does not decode it
    # (tests/test_compression.py covers compression): the bodies are checked as sent plain.
    headers = ApiCaller(app, actors).headers("admin", {"Accept-Encoding": "identity"})
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = sorted((result.ok() for result in schema.get_all_operations()), key=_order)
    assert len(operations) >= 17  # all of API.md but the document itself

    def aim_at_known(case: Any) -> Any:
        for name in case.path_parameters or {}:
            case.path_parameters[name] = known[name]
        return case

    def run(strategy: Any, max_examples: int) -> None:
        @settings(SETTINGS, max_examples=max_examples)
        @given(case=strategy)
        def call(case: Any) -> None:
            response = case.call(headers=headers)
            case.validate_response(response, checks=CHECKS, headers=headers)

        call()

    for operation in operations:
        # The document's own request examples first, aimed at records that exist.
        examples = operation.get_strategies_from_examples()
        if examples and mode is schemathesis.GenerationMode.POSITIVE:
            run(st.one_of(examples).map(aim_at_known), 2)
        strategies = [operation.as_strategy(generation_mode=mode)]
        names = {p.name for p in operation.path_parameters}
        if names:
            # Half the generated cases aim at records that exist, so the happy paths run too.
            fixed = {name: known[name] for name in names}
            strategies.append(operation.as_strategy(generation_mode=mode, path_parameters=fixed))
        run(st.one_of(strategies), EXAMPLES_PER_OPERATION)
