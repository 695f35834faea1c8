"""Dashboards: the figures hold the right numbers for a known portfolio, filters change them,
the tables and CSVs hold the same numbers, and the query count does not grow with the data."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask, render_template
from flask.testing import FlaskClient
from sqlalchemy.orm import selectinload

from pilot_tracker.charts.pilot import pilot_charts_for
from pilot_tracker.dashboards import assets, pilot_charts
from pilot_tracker.dashboards.queries import pilot_dashboard_data
from pilot_tracker.domain.enums import Direction, Gate, Outcome, Rag, SplitMethod, Stage, Theme
from pilot_tracker.domain.money import round_half_up
from pilot_tracker.extensions import db
from pilot_tracker.models import Kpi, Municipality, Participation, Pilot
from pilot_tracker.services.decisions import record_decision
from pilot_tracker.services.reporting import add_kpi, add_measurement, add_status_update
from pilot_tracker.web.chart_texts import FlaskTexts
from tests.conftest import Actors, login_as
from tests.factories import make_pilot

EN = {"Accept-Language": "en"}
TODAY = date.today()


# --- a small known portfolio -------------------------------------------------------------


@dataclass
class Portfolio:
    a: int  # 418, 536, 980 (Pirkanmaa); quick; piloting; savings KPI measured 12 000 €
    b: int  # 418, 091 (091 in Uusimaa); slow; planning; planned for next year
    c: int  # 091 alone; quick; idea; no dates
    shares: dict[int, dict[str, int]]


def _shares(pilot_id: int) -> dict[str, int]:
    rows = db.session.execute(
        sa.select(Participation.municipality_code, Participation.share_cents).where(
            Participation.pilot_id == pilot_id
        )
    )
    return {code: cents for code, cents in rows}


def build_portfolio(actors: Actors) -> Portfolio:
    """Three pilots with known money; call inside an app context."""
    a = make_pilot(
        ("418", "536", "980"),
        vendor=actors.vendor_a,
        name="Sähköinen tilavaraus",
        theme=Theme.FACILITY_BOOKING,
        stage=Stage.PILOTING,
        budget_cents=12_000_000,
        funding_cents=3_000_000,
        estimated_annual_savings_cents=4_500_000,
        start_date=TODAY - timedelta(days=100),
        end_date=TODAY + timedelta(days=200),
    )
    kpi = add_kpi(a, "Säästö", "€/v", Decimal(0), Decimal(40000), Direction.INCREASE, True)
    add_measurement(kpi, TODAY - timedelta(days=40), Decimal(8000))
    add_measurement(kpi, TODAY - timedelta(days=5), Decimal(12000))
    usage = add_kpi(a, "Varaukset", "kpl", Decimal(100), Decimal(200), Direction.INCREASE)
    add_measurement(usage, TODAY - timedelta(days=5), Decimal(180))  # 80 %
    add_kpi(a, "Tyytyväisyys", "", Decimal(3), Decimal(4), Direction.INCREASE)  # unmeasured
    add_status_update(a, Rag.GREEN, 40, "Etenee.", reported_on=TODAY - timedelta(days=3))
    next_year = TODAY.year + 1
    b = make_pilot(
        ("418", "091"),
        method=SplitMethod.EQUAL,
        name="Paikkatietoalusta",
        theme=Theme.GEODATA,
        stage=Stage.PLANNING,
        budget_cents=5_000_001,
        funding_cents=0,
        estimated_annual_savings_cents=10_000_000,
        start_date=date(next_year, 2, 1),
        end_date=date(next_year, 11, 30),
    )
    add_status_update(b, Rag.AMBER, 10, "Viivästyy.", reported_on=TODAY - timedelta(days=45))
    c = make_pilot(
        ("091",),
        name="Lupapalvelu",
        theme=Theme.PERMITS,
        stage=Stage.IDEA,
        budget_cents=1_000_000,
        funding_cents=1_000_000,
    )
    # Funding above the budget (net cost 0): refused since the plausibility rules, but a
    # pilot saved before them may still hold it, and the dashboards must add it up right.
    db.session.execute(
        sa.update(Pilot).where(Pilot.id == c.id).values(external_funding_cents=2_000_000)
    )
    db.session.commit()
    record_decision(a, Gate.MIDPOINT, Outcome.GO, TODAY - timedelta(days=1), "ohjausryhmä", "Hyvä.")
    return Portfolio(a.id, b.id, c.id, {p: _shares(p) for p in (a.id, b.id, c.id)})


@pytest.fixture
def portfolio(app: Flask, actors: Actors) -> Portfolio:
    with app.app_context():
        return build_portfolio(actors)


# --- reading pages -----------------------------------------------------------------------

FIGURE = re.compile(
    r'<script type="application/json" id="chart-(?P<key>[\w-]+)-figure">(?P<json>.*?)</script>',
    re.S,
)


def figures(html: str) -> dict[str, dict[str, Any]]:
    """Every chart's figure on the page, by chart key."""
    return {m["key"]: json.loads(m["json"]) for m in FIGURE.finditer(html)}


class _Tables(HTMLParser):
    """Collects the cells of each chart's data table, by chart key."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.key: str | None = None
        self.in_table = False
        self.cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "section" and (values.get("id") or "").startswith("chart-"):
            self.key = (values["id"] or "")[len("chart-") :]
        elif tag == "table" and "chart-data" in (values.get("class") or "") and self.key:
            self.in_table = True
            self.tables[self.key] = []
        elif tag == "tr" and self.in_table:
            self.tables[self.key].append([])  # type: ignore[index]
        elif tag in ("td", "th") and self.in_table:
            self.cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self.cell is not None and self.key:
            self.tables[self.key][-1].append("".join(self.cell).strip())
            self.cell = None
        elif tag == "table":
            self.in_table = False

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)


def tables(html: str) -> dict[str, list[list[str]]]:
    """Every chart's table (header row first), by chart key."""
    parser = _Tables()
    parser.feed(html)
    return parser.tables


def eur(text: str) -> Decimal:
    """An English money cell ("€1,234.50") as euros."""
    return Decimal(text.replace("€", "").replace(",", ""))


def get_csv(client: FlaskClient, path: str) -> list[list[str]]:
    response = client.get(path, headers=EN)
    assert response.status_code == 200, path
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


@contextmanager
def counting_queries() -> Iterator[list[str]]:
    """The SQL statements (not transaction control) run inside the block."""
    statements: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().split(" ", 1)[0].upper() in ("SELECT", "WITH", "INSERT", "UPDATE"):
            statements.append(statement)

    sa.event.listen(sa.engine.Engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        sa.event.remove(sa.engine.Engine, "before_cursor_execute", record)


def page(client: FlaskClient, path: str) -> str:
    response = client.get(path, headers=EN)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


# --- portfolio ---------------------------------------------------------------------------


def test_portfolio_stage_chart_counts_the_pilots(
    client: FlaskClient, actors: Actors, portfolio: Portfolio
) -> None:
    login_as(client, actors.council)
    stages = figures(page(client, "/dashboard"))["stages"]["data"][0]
    assert stages["y"] == ["Idea", "Planning", "Piloting", "Evaluation", "Scaling", "Stopped"]
    assert stages["x"] == [1, 1, 1, 0, 0, 0]


def test_net_cost_per_municipality_is_the_sum_of_its_shares(
    client: FlaskClient, actors: Actors, portfolio: Portfolio
) -> None:
    login_as(client, actors.coordinator)
    html = page(client, "/dashboard")
    committed_trace, proposed_trace, actual_trace = figures(html)["municipality-costs"]["data"]
    committed_bars = dict(zip(committed_trace["y"], committed_trace["x"], strict=True))
    proposed_bars = dict(zip(proposed_trace["y"], proposed_trace["x"], strict=True))
    # A is piloting (committed); B (planning) and C (an idea) are proposed: apart, not added.
    committed = dict(portfolio.shares[portfolio.a])
    proposed: dict[str, int] = {}
    for pilot in (portfolio.b, portfolio.c):
        for code, cents in portfolio.shares[pilot].items():
            proposed[code] = proposed.get(code, 0) + cents
    codes = {"418": "Lempäälä (418)", "536": "Nokia (536)", "980": "Ylöjärvi (980)"}
    codes["091"] = "Helsinki (091)"
    assert committed_bars == {label: committed.get(c, 0) / 100 for c, label in codes.items()}
    assert proposed_bars == {label: proposed.get(c, 0) / 100 for c, label in codes.items()}
    assert set(actual_trace["x"]) == {0.0}
    # 418 pays its per-capita share of A (23 651.55 €); half of B, whose odd leftover cent
    # goes to the lower code, 091, is proposed.
    assert committed["418"] == 2_365_155 and proposed["418"] == 2_500_000
    assert proposed["091"] == 2_500_001
    # The table and the CSV hold the same numbers.
    rows = tables(html)["municipality-costs"][1:]
    assert {r[0]: (eur(r[3]), eur(r[4])) for r in rows} == {
        c: (Decimal(committed.get(c, 0)) / 100, Decimal(proposed.get(c, 0)) / 100) for c in codes
    }
    csv_rows = get_csv(client, "/dashboard/data/municipality-costs.csv")
    assert csv_rows[0] == [
        "Code",
        "Municipality",
        "Pilots taking part",
        "Committed",
        "Proposed",
        "Actual costs",
    ]
    assert {r[0]: r[3] for r in csv_rows[1:]} == {
        c: f"{committed.get(c, 0) // 100}.{committed.get(c, 0) % 100:02d}" for c in codes
    }
    assert {r[0]: int(r[2]) for r in csv_rows[1:]} == {"418": 2, "536": 1, "980": 1, "091": 2}


def test_summary_cards_total_the_portfolio(
    client: FlaskClient, actors: Actors, portfolio: Portfolio
) -> None:
    login_as(client, actors.admin)
    html = page(client, "/dashboard")
    # Committed (A piloting) and proposed (B planning, C an idea with funding above its
    # budget) side by side, never added: no 140 000.01 € card.
    cards = html[html.index('id="summary-title"') : html.index("</dl>")]
    assert 'Committed net cost</dt><dd class="figure">€90,000.00' in cards
    assert 'Proposed net cost</dt><dd class="figure">€50,000.01' in cards
    assert 'Actual costs</dt><dd class="figure">€0.00' in cards
    assert "€45,000.00" in cards and "€100,000.00" in cards  # estimates apart
    assert "€140,000.01" not in cards and "€145,000.00" not in cards
    assert "€12,000.00" in cards  # realised: the latest value of the savings KPI


def test_the_others_row_counts_each_of_their_pilots_once(
    app: Flask, client: FlaskClient, actors: Actors, portfolio: Portfolio
) -> None:
    # One piloting pilot of 20 further municipalities, with the smallest shares: most of them
    # fall outside the chart's top 15, into "others", where it must count once, not 20 times.
    with app.app_context():
        taken = {"418", "536", "980", "091"}
        codes = db.session.scalars(
            sa.select(Municipality.code)
            .where(Municipality.code.not_in(taken))
            .order_by(Municipality.code)
            .limit(20)
        ).all()
        wide = make_pilot(
            tuple(codes),
            method=SplitMethod.EQUAL,
            name="Laaja kokeilu",
            stage=Stage.PILOTING,
            budget_cents=20_000,
            funding_cents=0,
        )
        participations = db.session.execute(
            sa.select(Participation.municipality_code, Participation.pilot_id)
        ).all()
    login_as(client, actors.council)
    html = page(client, "/dashboard")
    rows = tables(html)["municipality-costs"][1:]
    shown = {r[0] for r in rows if r[0]}
    (others,) = [r for r in rows if not r[0]]
    rest = {code for code, _ in participations} - shown
    assert len(shown) == 15 and len(rest) == 9
    assert others[1] == "Others (9 municipalities)"
    distinct = {pilot for code, pilot in participations if code in rest}
    participating = sum(1 for code, _ in participations if code in rest)
    assert wide.id in distinct and len(distinct) < participating
    assert int(others[2]) == len(distinct)
    csv_rows = get_csv(client, "/dashboard/data/municipality-costs.csv")
    assert csv_rows[-1][:3] == ["", "Others (9 municipalities)", str(len(distinct))]
    # The others' sum is not a bar: the 15 shown are.
    bars = figures(html)["municipality-costs"]["data"][0]["y"]
    assert len(bars) == 15 and not any(label.startswith("Others") for label in bars)
    assert "Not drawn, so that the bars stay readable: the other 9 municipalities" in html


def test_savings_chart_uses_the_latest_value_of_savings_kpis(
    client: FlaskClient, actors: Actors, portfolio: Portfolio
) -> None:
    login_as(client, actors.council)
    html = page(client, "/dashboard")
    quick, slow = figures(html)["savings"]["data"]
    # Committed estimates, proposed estimates (side by side), realised.
    assert quick["y"][:3] == [45_000.0, 0.0, 12_000.0]
    assert slow["y"][:3] == [0.0, 100_000.0, 0.0]
    # The national potential beside the bars (their axis' caption), not a bar on their axis.
    assert "base" not in quick and len(quick["y"]) == 3
    captions = [a["text"] for a in figures(html)["savings"]["layout"]["annotations"]]
    assert captions[0] == "Quick track<br>National potential €7m – €23m a year"
    rows = tables(html)["savings"]
    assert [eur(c) for c in rows[1][1:]] == [45_000, 0, 12_000, 7_000_000, 23_000_000]
    csv_rows = get_csv(client, "/dashboard/data/savings.csv")
    assert csv_rows[1] == ["Quick", "45000.00", "0.00", "12000.00", "7000000.00", "23000000.00"]
    assert csv_rows[2] == ["Slow", "0.00", "100000.00", "0.00", "440000000.00", "680000000.00"]


def test_status_chart_counts_rag_and_stale_pilots(
    client: FlaskClient, actors: Actors, portfolio: Portfolio
) -> None:
    login_as(client, actors.council)
    html = page(client, "/dashboard")
    fresh, stale = figures(html)["status"]["data"]
    # A: green 3 days ago. B: amber 45 days ago, but planning: never stale (PRODUCT.md; the
    # old rule flagged it). C: no status, idea (not stale).
    assert fresh["y"] == [1, 1, 0, 1]
    assert stale["y"] == [0, 0, 0, 0]
    assert tables(html)["status"][2] == ["Amber: at risk", "1", "0", "1"]
    assert "0 of 3 pilots are stale" in html


def test_theme_chart_and_decisions_and_kpi_attainment(
    client: FlaskClient, actors: Actors, portfolio: Portfolio
) -> None:
    login_as(client, actors.council)
    found = figures(page(client, "/dashboard"))
    quick, slow = found["themes"]["data"]
    assert dict(zip(quick["y"], quick["x"], strict=True))["Permit services"] == 1
    assert dict(zip(slow["y"], slow["x"], strict=True))["Geodata management"] == 1
    go = found["decisions"]["data"][0]
    decided = TODAY - timedelta(days=1)
    quarter = f"Q{(decided.month - 1) // 3 + 1} {decided.year}"  # as English writes it
    assert (go["name"], go["x"], go["y"]) == ("Go", [quarter], [1])
    # Säästö 12 000 / 40 000 = 30 %, Varaukset 80 %, Tyytyväisyys unmeasured.
    assert found["kpi-attainment"]["data"][0]["y"] == [1, 0, 0, 1, 0, 1, 0]


def test_timeline_shows_active_dated_pilots(
    client: FlaskClient, actors: Actors, portfolio: Portfolio
) -> None:
    login_as(client, actors.council)
    html = page(client, "/dashboard")
    timeline = figures(html)["timeline"]
    traces = timeline["data"]
    assert [t["name"] for t in traces][:3] == ["Planning", "Piloting", "Decision"]
    labels = {t["y"][0] for t in traces}
    assert labels == {f"Sähköinen tilavaraus #{portfolio.a}", f"Paikkatietoalusta #{portfolio.b}"}
    # Pilot a's decision yesterday, on its row; and a line at today.
    decision = traces[2]
    assert decision["x"] == [(TODAY - timedelta(days=1)).isoformat()]
    assert decision["y"] == [f"Sähköinen tilavaraus #{portfolio.a}"]
    (today,) = timeline["layout"]["shapes"]
    assert today["x0"] == TODAY.isoformat()
    assert traces[-1]["name"] == f"Today ({TODAY.strftime('%d/%m/%Y')})"


def test_filters_change_the_numbers(
    client: FlaskClient, actors: Actors, portfolio: Portfolio
) -> None:
    login_as(client, actors.council)

    def stage_counts(query: str) -> list[int]:
        return figures(page(client, f"/dashboard?{query}"))["stages"]["data"][0]["x"]

    assert stage_counts("theme=geodata") == [0, 1, 0, 0, 0, 0]
    assert stage_counts("track=quick") == [1, 0, 1, 0, 0, 0]
    assert stage_counts("stage=idea") == [1, 0, 0, 0, 0, 0]
    assert stage_counts(f"year={TODAY.year + 1}") == [0, 1, 1, 0, 0, 0]
    # Region Uusimaa (01): pilots with a participant there, and only its municipalities.
    html = page(client, "/dashboard?region=01")
    found = figures(html)
    assert found["stages"]["data"][0]["x"] == [1, 1, 0, 0, 0, 0]
    assert found["municipality-costs"]["data"][0]["y"] == ["Helsinki (091)"]
    # B (planning) is proposed: its share is on the proposed bar, the committed one is 0.
    assert found["municipality-costs"]["data"][0]["x"] == [0.0]
    assert found["municipality-costs"]["data"][1]["x"] == [
        portfolio.shares[portfolio.b]["091"] / 100
    ]
    # The CSV links carry the filters, and the CSV follows them.
    assert "/dashboard/data/stages.csv?region=01" in html
    csv_rows = get_csv(client, "/dashboard/data/stages.csv?theme=geodata")
    assert [r[1] for r in csv_rows[1:]] == ["0", "1", "0", "0", "0", "0"]


def test_an_unknown_filter_value_is_reported_and_not_applied(
    client: FlaskClient, actors: Actors, portfolio: Portfolio
) -> None:
    login_as(client, actors.council)
    html = page(client, "/dashboard?theme=nonsense&stage=idea")
    assert "That choice does not exist; this filter is not applied." in html
    assert figures(html)["stages"]["data"][0]["x"] == [1, 0, 0, 0, 0, 0]


def test_a_filter_that_matches_nothing_shows_empty_charts(
    client: FlaskClient, actors: Actors, portfolio: Portfolio
) -> None:
    login_as(client, actors.council)
    html = page(client, "/dashboard?stage=scaling")
    found = figures(html)
    assert "stages" not in found and "municipality-costs" not in found
    assert "savings" in found  # the national potential is always there
    assert "0 pilots in all" in html


def test_every_chart_has_title_description_table_and_csv(
    client: FlaskClient, actors: Actors, portfolio: Portfolio
) -> None:
    login_as(client, actors.council)
    html = page(client, "/dashboard")
    found = figures(html)
    keys = [
        "stages",
        "themes",
        "municipality-costs",
        "savings",
        "by-year",
        "budget-actual",
        "status",
        "timeline",
        "decisions",
        "kpi-attainment",
    ]
    assert sorted(found) == sorted(keys)
    tabled = tables(html)
    for key in keys:
        assert f'<h2 id="chart-{key}-title">' in html
        assert f'<p id="chart-{key}-desc" class="chart-desc">' in html
        # The plot's height is reserved from its figure, so drawing it moves nothing.
        height = int(found[key]["layout"]["height"])
        assert (
            f'aria-labelledby="chart-{key}-title chart-{key}-desc" style="height: {height}px">'
            in html
        )
        assert tabled[key], key
        assert f'href="/dashboard/data/{key}.csv"' in html
        assert len(get_csv(client, f"/dashboard/data/{key}.csv")) == len(tabled[key])


def test_unknown_portfolio_csv_is_404(client: FlaskClient, actors: Actors) -> None:
    login_as(client, actors.council)
    assert client.get("/dashboard/data/nothing.csv").status_code == 404


def test_pilot_names_cannot_break_out_of_the_figure_data(
    app: Flask, client: FlaskClient, actors: Actors
) -> None:
    with app.app_context():
        make_pilot(
            name="</script><script>alert(1)</script>",
            stage=Stage.PILOTING,
            start_date=TODAY,
            end_date=TODAY + timedelta(days=9),
        )
    login_as(client, actors.council)
    html = page(client, "/dashboard")
    assert "<script>alert(1)" not in html
    assert figures(html)["timeline"]["data"][0]["y"][0].startswith("</script>")


def test_csv_cells_that_look_like_formulas_are_neutralised(
    app: Flask, client: FlaskClient, actors: Actors
) -> None:
    with app.app_context():
        make_pilot(name="=HYPERLINK(1)", stage=Stage.PILOTING, start_date=TODAY, end_date=TODAY)
    login_as(client, actors.council)
    rows = get_csv(client, "/dashboard/data/timeline.csv")
    assert rows[1][0] == "'=HYPERLINK(1)"


def test_the_dashboard_speaks_finnish_by_default(
    client: FlaskClient, actors: Actors, portfolio: Portfolio
) -> None:
    login_as(client, actors.council)
    html = client.get("/dashboard").get_data(as_text=True)
    layout = figures(html)["stages"]["layout"]
    assert layout["separators"] == ",\u00a0"
    assert "90\u00a0000,00\u00a0€" in html


# --- municipality ------------------------------------------------------------------------


def test_municipality_dashboard_totals_its_cost_and_savings_share(
    client: FlaskClient, actors: Actors, portfolio: Portfolio, app: Flask
) -> None:
    with app.app_context():
        population = db.session.get(Municipality, "418").population
    mine = {p: shares["418"] for p, shares in portfolio.shares.items() if "418" in shares}
    cost = sum(mine.values())
    net = {portfolio.a: 9_000_000, portfolio.b: 5_000_001}
    estimated = Fraction(4_500_000 * mine[portfolio.a], net[portfolio.a]) + Fraction(
        10_000_000 * mine[portfolio.b], net[portfolio.b]
    )
    realised = Fraction(1_200_000 * mine[portfolio.a], net[portfolio.a])
    login_as(client, actors.council_tied)
    html = page(client, "/municipalities/418")
    assert "<h1>Lempäälä" in html
    # A (piloting) is committed, B (planning) proposed: side by side, never added.
    cards = html[html.index('id="summary-title"') : html.index("</dl>")]
    assert f"€{Decimal(mine[portfolio.a]) / 100:,.2f}" in cards
    assert f"€{Decimal(mine[portfolio.b]) / 100:,.2f}" in cards
    assert f"€{Decimal(cost) / 100:,.2f}" not in cards
    per_resident = round_half_up(Fraction(mine[portfolio.a], population), 0)
    assert f"€{Decimal(int(per_resident)) / 100:,.2f}" in cards  # on the committed amount
    found = figures(html)
    cost_bars, proposed_bars, est_bars, est_proposed_bars, real_bars = found["savings"]["data"]
    assert cost_bars["y"] == [mine[portfolio.a] / 100, 0.0]  # quick A, slow B
    assert proposed_bars["y"] == [0.0, mine[portfolio.b] / 100]
    b_part = Fraction(10_000_000 * mine[portfolio.b], net[portfolio.b])
    est_cents = [int(round_half_up(v, 0)) for v in (estimated - b_part, b_part)]
    assert est_bars["y"] == [est_cents[0] / 100, 0.0]
    assert est_proposed_bars["y"] == [0.0, est_cents[1] / 100]
    assert real_bars["y"] == [int(round_half_up(realised, 0)) / 100, 0.0]
    # Its pilots by stage, its cost per pilot.
    assert found["stages"]["data"][0]["x"] == [0, 1, 1, 0, 0, 0]
    costs = found["pilot-costs"]["data"][0]
    assert costs["x"] == sorted((v / 100 for v in mine.values()), reverse=True)
    rows = get_csv(client, "/municipalities/418/data/pilot-costs.csv")
    assert sorted(r[1] for r in rows[1:]) == sorted(
        f"{v // 100}.{v % 100:02d}" for v in mine.values()
    )
    assert found["kpi-attainment"]["data"][0]["y"] == [1, 0, 0, 1, 0, 1, 0]


def test_municipality_dashboard_lists_its_pilots_with_status_and_share(
    client: FlaskClient, actors: Actors, portfolio: Portfolio
) -> None:
    login_as(client, actors.council)
    html = page(client, "/municipalities/418")
    section = html[html.index('id="pilots-title"') :]
    rows = re.findall(r"<tr>(.*?)</tr>", section, re.S)[1:]
    assert len(rows) == 2
    # B's half share (25 000.00 €) is larger than A's per-capita share (23 651.55 €).
    assert "Paikkatietoalusta" in rows[0] and "€25,000.00" in rows[0]
    # Amber 45 days ago, but planning: never stale (the old rule said stale).
    assert "Amber: at risk" in rows[0] and "badge-stale" not in rows[0]
    assert "Sähköinen tilavaraus" in rows[1] and "€23,651.55" in rows[1]
    assert "Green: on track" in rows[1] and "badge-stale" not in rows[1]


def test_municipality_dashboard_lists_decisions_due_within_90_days(
    app: Flask, client: FlaskClient, actors: Actors, portfolio: Portfolio
) -> None:
    with app.app_context():
        from pilot_tracker.services.pilots import load_pilot_for_update

        b = load_pilot_for_update(portfolio.b)
        record_decision(
            b, Gate.START, Outcome.CONTINUE, TODAY - timedelta(days=2), "hallitus", "Lisäselvitys.",
            next_review=TODAY + timedelta(days=30),
        )  # fmt: skip
        a = load_pilot_for_update(portfolio.a)
        # An older decision's review is replaced by the newer one, which has none due soon.
        record_decision(
            a, Gate.MIDPOINT, Outcome.CONTINUE, TODAY - timedelta(days=1), "hallitus", "x",
            next_review=TODAY + timedelta(days=120),
        )  # fmt: skip
    login_as(client, actors.council)
    html = page(client, "/municipalities/418")
    due = tables(html)["decisions-due"]
    assert len(due) == 2
    assert due[1][1] == "Paikkatietoalusta"
    assert "1 reviews are due in the next 90 days" in html
    rows = get_csv(client, "/municipalities/418/data/decisions-due.csv")
    assert rows[1][0] == (TODAY + timedelta(days=30)).isoformat()
    assert rows[1][1] == "Paikkatietoalusta"


def test_municipality_without_pilots_shows_empty_dashboard(
    client: FlaskClient, actors: Actors
) -> None:
    login_as(client, actors.council)
    html = page(client, "/municipalities/005")
    assert "The municipality takes part in no pilots yet." in html
    assert figures(html) == {}
    assert "plotly" not in html


@pytest.mark.parametrize("code", ["999", "abc", "0911"])
def test_unknown_municipality_is_404(client: FlaskClient, actors: Actors, code: str) -> None:
    login_as(client, actors.council)
    assert client.get(f"/municipalities/{code}").status_code == 404
    assert client.get(f"/municipalities/{code}/data/stages.csv").status_code == 404


def test_a_tied_council_member_lands_on_their_municipality(
    client: FlaskClient, actors: Actors
) -> None:
    login_as(client, actors.council_tied)
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/municipalities/418")


def test_vendors_see_no_dashboards(client: FlaskClient, actors: Actors) -> None:
    login_as(client, actors.vendor_user)
    for path in ("/dashboard", "/municipalities/418", "/dashboard/data/stages.csv"):
        assert client.get(path).status_code == 403


# --- pilot -------------------------------------------------------------------------------


def test_pilot_dashboard_data_holds_shares_measurements_and_statuses(
    app: Flask, portfolio: Portfolio
) -> None:
    with app.app_context():
        data = pilot_dashboard_data(portfolio.a)
    assert data["pilot"]["net_cost_cents"] == 9_000_000
    assert {p["code"]: p["share_cents"] for p in data["participants"]} == portfolio.shares[
        portfolio.a
    ]
    savings = data["kpis"][0]
    assert savings["name"] == "Säästö" and savings["is_savings"]
    assert [v for _, v in savings["measurements"]] == [Decimal(8000), Decimal(12000)]
    assert data["status_updates"] == [
        {"reported_on": TODAY - timedelta(days=3), "rag": Rag.GREEN, "progress_percent": 40}
    ]


def test_pilot_dashboard_data_raises_for_an_unknown_pilot(app: Flask) -> None:
    with app.app_context(), pytest.raises(LookupError):
        pilot_dashboard_data(999_999)


def test_pilot_dashboard_data_takes_five_queries_whatever_the_pilot_holds(
    app: Flask, portfolio: Portfolio
) -> None:
    with app.app_context():
        with counting_queries() as small:
            pilot_dashboard_data(portfolio.c)
        with counting_queries() as large:
            pilot_dashboard_data(portfolio.a)
    assert len(small) == len(large) == 5


def test_pilot_charts_partial_renders_charts_tables_and_scripts(
    app: Flask, portfolio: Portfolio
) -> None:
    with app.test_request_context("/", headers=EN):
        found = pilot_charts(portfolio.a)
        html = render_template("dashboards/_pilot_charts.html", pilot_charts=found)
    keys = [c.key for c in found]
    assert keys[-2:] == ["cost-shares", "status-history"] and len(keys) == 5
    shares = figures(html)["cost-shares"]["data"][0]
    assert sorted(shares["x"]) == sorted(v / 100 for v in portfolio.shares[portfolio.a].values())
    kpi_key = keys[0]
    assert figures(html)[kpi_key]["layout"]["shapes"][1]["y0"] == 40000.0
    assert f"/dashboard/pilots/{portfolio.a}/data/cost-shares.csv" in html
    assert html.count('<h3 id="chart-') == 5
    assert "vendor/plotly-basic.min.js?v=" in html and "js/charts.js?v=" in html


def test_pilot_chart_csv_follows_pilot_visibility(
    client: FlaskClient, actors: Actors, portfolio: Portfolio
) -> None:
    login_as(client, actors.vendor_user)
    rows = get_csv(client, f"/dashboard/pilots/{portfolio.a}/data/cost-shares.csv")
    assert {r[0]: r[2] for r in rows[1:]} == {
        code: f"{v // 100}.{v % 100:02d}" for code, v in portfolio.shares[portfolio.a].items()
    }
    status = get_csv(client, f"/dashboard/pilots/{portfolio.a}/data/status-history.csv")
    assert status[1] == [(TODAY - timedelta(days=3)).isoformat(), "Green: on track", "40"]
    login_as(client, actors.other_vendor_user)
    assert client.get(f"/dashboard/pilots/{portfolio.a}/data/cost-shares.csv").status_code == 404
    login_as(client, actors.council)
    assert client.get(f"/dashboard/pilots/{portfolio.a}/data/nothing.csv").status_code == 404
    assert client.get("/dashboard/pilots/999999/data/cost-shares.csv").status_code == 404


def test_pilot_kpi_csv_holds_the_measurements(
    app: Flask, client: FlaskClient, actors: Actors, portfolio: Portfolio
) -> None:
    with app.app_context():
        kpi_id = pilot_dashboard_data(portfolio.a)["kpis"][0]["id"]
    login_as(client, actors.coordinator)
    rows = get_csv(client, f"/dashboard/pilots/{portfolio.a}/data/kpi-{kpi_id}.csv")
    assert rows[0] == ["Date", "Value (€/v)", "Progress to target (%)"]
    assert [r[1:] for r in rows[1:]] == [["8000", "20"], ["12000", "30"]]


# --- queries per page --------------------------------------------------------------------


def _add_pilots(actors: Actors, count: int) -> None:
    for i in range(count):
        pilot = make_pilot(
            ("091", "049", "418"),
            vendor=actors.vendor_b,
            name=f"Lisäkokeilu {i}",
            stage=Stage.PILOTING,
            start_date=TODAY,
            end_date=TODAY + timedelta(days=30 + i),
        )
        kpi = add_kpi(pilot, "Säästö", "€", Decimal(0), Decimal(10), Direction.INCREASE, True)
        add_measurement(kpi, TODAY, Decimal(i))
        add_status_update(pilot, Rag.RED, 5, "Hidas.")
        record_decision(
            pilot, Gate.MIDPOINT, Outcome.GO, TODAY, "hallitus", "x",
            next_review=TODAY + timedelta(days=10),
        )  # fmt: skip


def test_query_counts_do_not_grow_with_the_portfolio(
    app: Flask, client: FlaskClient, actors: Actors, portfolio: Portfolio
) -> None:
    paths = ["/dashboard", "/dashboard?region=01&year=2026", "/municipalities/418"]
    login_as(client, actors.council)

    def counts() -> list[int]:
        out = []
        for path in paths:
            with counting_queries() as statements:
                page(client, path)
            out.append(len(statements))
        return out

    before = counts()
    with app.app_context():
        _add_pilots(actors, 6)
    after = counts()
    assert before == after
    # Portfolio: 10 aggregates (the timeline's with its pilots' decisions), the money by
    # commitment and year, the due section (items and counts), the actual costs in all and by
    # year, the "others" row's distinct pilots (asked whatever the size, 0 here). Unfiltered,
    # the money by year and municipality, the budgets, the decisions by month, the KPI
    # attainment and savings are one read of the maintained portfolio totals, and the due
    # counts one grouped read of their totals by day: 15.
    # Municipality: 5, with the due section's
    # items and the reviews' (each page of items carries its counts) and its actual costs by
    # pilot and by year. Both: the names of
    # the municipalities the due items name. Budget against actual: the portfolio's budget
    # and actual by year and its pilots over budget (3), the municipality's pilots with its
    # shares by pilot and year (2); the municipality also its pilots' residents'
    # satisfaction (one grouped query).
    assert after == [15, 20, 14], after


# --- scripts -----------------------------------------------------------------------------

SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.S)


def _bundle(app: Flask) -> Path:
    path = Path(app.static_folder or "") / assets.PLOTLY
    assert path.is_file(), "run `make assets` (npm) to install the plotly.js bundle"
    return path


def test_dashboard_loads_the_hashed_bundle_and_only_same_origin_scripts(
    app: Flask, client: FlaskClient, actors: Actors, portfolio: Portfolio
) -> None:
    digest = hashlib.sha256(_bundle(app).read_bytes()).hexdigest()[:16]
    login_as(client, actors.council)
    html = page(client, "/dashboard")
    tags = SCRIPT_TAG.findall(html)
    sources = [re.search(r'src="([^"]+)"', t).group(1) for t in tags if "src=" in t]  # type: ignore[union-attr]
    # charts.js, and the layout script of every page; charts.js fetches the bundle named on
    # its tag when a chart comes into view.
    charts = [s for s in sources if s != "/static/js/layout.js"]
    assert len(sources) == 2 and "/static/js/layout.js" in sources
    assert len(charts) == 1 and charts[0].startswith("/static/js/charts.js?v=")
    assert f'data-plotly="/static/vendor/plotly-basic.min.js?v={digest}"' in html
    # Every other script element is data, never code (the CSP forbids inline scripts).
    assert all("src=" in t or 'type="application/json"' in t for t in tags)


def test_bundle_is_served_with_a_year_of_caching(app: Flask, client: FlaskClient) -> None:
    digest = hashlib.sha256(_bundle(app).read_bytes()).hexdigest()[:16]
    response = client.get(f"/static/vendor/plotly-basic.min.js?v={digest}")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    response.close()
    # Without the current hash there is no long caching (the URL may be stale).
    response = client.get("/static/vendor/plotly-basic.min.js")
    assert "immutable" not in response.headers.get("Cache-Control", "")
    response.close()


def test_pages_without_charts_load_no_plotly(client: FlaskClient) -> None:
    html = client.get("/about").get_data(as_text=True)
    assert "plotly" not in html and "charts.js" not in html


def test_manifest_hashes_files_and_marks_missing_ones(tmp_path: Path) -> None:
    (tmp_path / "vendor").mkdir()
    (tmp_path / assets.PLOTLY).write_bytes(b"plotly")
    manifest = assets.build_manifest(tmp_path)
    assert manifest[assets.PLOTLY] == hashlib.sha256(b"plotly").hexdigest()[:16]
    assert manifest[assets.CHARTS_JS] is None


def test_without_the_bundle_pages_show_tables_only(
    app: Flask, client: FlaskClient, actors: Actors, portfolio: Portfolio,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    manifest = dict(app.extensions[assets.EXTENSION], **{assets.PLOTLY: None})
    monkeypatch.setitem(app.extensions, assets.EXTENSION, manifest)
    login_as(client, actors.council)
    html = page(client, "/dashboard")
    assert "plotly" not in html and "<table" in html


def test_pilot_charts_from_a_loaded_pilot_match_and_need_no_query(
    app: Flask, portfolio: Portfolio
) -> None:
    with app.test_request_context("/", headers=EN):
        pilot = db.session.scalars(
            sa.select(Pilot)
            .where(Pilot.id == portfolio.a)
            .options(
                selectinload(Pilot.participations).selectinload(Participation.municipality),
                selectinload(Pilot.kpis).selectinload(Kpi.measurements),
                selectinload(Pilot.status_updates),
            )
        ).one()
        t = FlaskTexts()
        with counting_queries() as statements:
            loaded = pilot_charts_for(pilot, t, t.language)
        queried = pilot_charts(portfolio.a)
    assert statements == []
    assert [c.figure for c in loaded] == [c.figure for c in queried]
    assert [c.rows for c in loaded] == [c.rows for c in queried]
