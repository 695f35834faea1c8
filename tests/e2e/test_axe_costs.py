"""axe-core on the cost pages in Finnish, Swedish and English, as a coordinator: the cost
entry form (empty, refused with its errors, and editing an entry), the pilot page with its
cost section holding entries and a credit note, and a municipality's billing page for a
period with entries. No violation of the WCAG 2.0 / 2.1 level A and AA rules; on the phone
(Swedish, 360 px) no page scrolls sideways.

The demo portfolio has no cost entries: the module records three on the demo pilot through
the costs service and deletes them when it is done, so the other browser tests see the demo
as it is.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest

from tests.e2e.conftest import (
    DESKTOP,
    PHONE,
    Demo,
    choose_language,
    describe_violations,
    horizontal_overflow,
    new_context,
)
from tests.e2e.test_axe import AXE_CONTEXT, AXE_OPTIONS

VIEWPORTS = {"fi": DESKTOP, "sv": PHONE, "en": DESKTOP}
FORM_FAILED = "cost form submitted with a zero amount"


@dataclass(frozen=True)
class Costs:
    pilot_id: int
    cost_id: int
    code: str
    start: date
    end: date


@pytest.fixture(scope="module")
def costs(live_app: Any, demo: Demo) -> Iterator[Costs]:
    import sqlalchemy as sa

    from pilot_tracker.domain.enums import CostKind
    from pilot_tracker.extensions import db
    from pilot_tracker.models import CostEntry, Participation
    from pilot_tracker.services.costs import CostData, delete_cost, load_entry, record_cost
    from pilot_tracker.services.pilots import load_pilot_for_update

    today = date.today()
    with live_app.app_context():
        pilot = load_pilot_for_update(demo.pilot_id)
        assert pilot is not None
        ids = [
            record_cost(pilot, CostData(today - timedelta(days=days), cents, kind, reference)).id
            for days, cents, kind, reference in (
                (40, 1_250_000, CostKind.VENDOR_INVOICE, "LASKU-1"),
                (20, 300_000, CostKind.OWN_WORK, ""),
                (5, -125_000, CostKind.VENDOR_INVOICE, "HYVITYS-1"),
            )
        ]
        code = db.session.scalar(
            sa.select(Participation.municipality_code)
            .where(Participation.pilot_id == pilot.id)
            .order_by(Participation.municipality_code)
            .limit(1)
        )
        assert code is not None
    yield Costs(demo.pilot_id, ids[0], code, today - timedelta(days=60), today)
    with live_app.app_context():
        for cost_id in reversed(ids):
            entry = load_entry(cost_id)
            if entry is not None:
                delete_cost(entry)
        assert not db.session.scalar(
            sa.select(sa.func.count()).select_from(CostEntry).where(CostEntry.id.in_(ids))
        )


def _visit(page: Any, what: str, costs: Costs) -> str:
    if what == FORM_FAILED:
        page.goto(f"/pilots/{costs.pilot_id}/costs/new")
        page.fill("input[name=amount]", "0")
        with page.expect_navigation():
            page.click("form.narrow button.primary")
        assert page.locator(".error-summary, .field-error, [aria-invalid=true]").count()
        return what
    response = page.goto(what)
    assert response is not None and response.status == 200, f"{what}: {response.status}"
    return what


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_cost_pages_pass_axe_wcag_a_and_aa(
    browser: Any, live_server: str, costs: Costs, lang: str
) -> None:
    from axe_playwright_python.sync_playwright import Axe

    context = new_context(browser, live_server, role="coordinator")
    try:
        context.add_init_script(script=Axe().axe_script)
        choose_language(context, lang)
        page = context.new_page()
        page.set_viewport_size(VIEWPORTS[lang])
        paths = (
            f"/pilots/{costs.pilot_id}/costs/new",
            FORM_FAILED,
            f"/costs/{costs.cost_id}/edit",
            f"/pilots/{costs.pilot_id}",
            f"/municipalities/{costs.code}/billing?start={costs.start.isoformat()}"
            f"&end={costs.end.isoformat()}",
        )
        problems = []
        for path in paths:
            where = f"[{lang}] {_visit(page, path, costs)}"
            if path == f"/pilots/{costs.pilot_id}":
                assert page.locator("#actual-costs").count() == 1, "no cost section"
                assert "LASKU-1" in page.content()
            if "billing" in path:
                assert "LASKU-1" in page.content(), "the billing page lists no entries"
            violations = page.evaluate(
                "([context, options]) => axe.run(context, options)"
                ".then(results => results.violations)",
                [AXE_CONTEXT, AXE_OPTIONS],
            )
            if violations:
                problems.append(describe_violations(where, violations))
            if VIEWPORTS[lang] == PHONE and (overflow := horizontal_overflow(page)):
                problems.append(f"{where}: the page scrolls {overflow} px sideways at 360 px")
        assert not problems, "axe-core found WCAG 2.1 A/AA problems:\n" + "\n".join(problems)
    finally:
        context.close()
