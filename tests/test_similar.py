"""Similar pilots through the database's text search, and the scale-up projection."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from flask import Flask

from pilot_tracker.domain.enums import Direction, SplitMethod, Theme
from pilot_tracker.services.pilots import update_pilot
from pilot_tracker.services.reporting import add_kpi, add_measurement
from pilot_tracker.services.similar import ProjectionInputError, find_similar, scale_up
from tests.conftest import Actors
from tests.factories import make_pilot


@pytest.fixture
def portfolio(app: Flask, actors: Actors) -> dict[str, int]:
    with app.app_context():
        pilots = {
            "permits": make_pilot(
                ("091", "049"),
                name="Sähköiset lupapalvelut",
                summary="Rakennuslupien haku verkossa.",
                theme=Theme.PERMITS,
                vendor=actors.vendor_a,
            ),
            "booking": make_pilot(
                ("418", "536"),
                name="Tilavaraus verkossa",
                summary="Kuntien tilojen varaus ja maksu.",
                theme=Theme.FACILITY_BOOKING,
                vendor=actors.vendor_b,
            ),
            "transport": make_pilot(
                ("418", "980"),
                name="Kotihoidon ajoreitit",
                summary="Kuljetusten optimointi.",
                theme=Theme.TRANSPORT_OPTIMISATION,
                vendor=actors.vendor_a,
            ),
        }
        return {key: p.id for key, p in pilots.items()}


def _names(results: list) -> list[str]:  # type: ignore[type-arg]
    return [r.name for r in results]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("lupapalvelujen", "Sähköiset lupapalvelut"),
        ("tilavarausten", "Tilavaraus verkossa"),
        ("tilavarausjärjestelmä", "Tilavaraus verkossa"),
    ],
)
def test_inflected_and_compound_finnish_finds_its_pilot(
    app: Flask, actors: Actors, portfolio: dict[str, int], query: str, expected: str
) -> None:
    with app.app_context():
        results = find_similar(actors.coordinator, text=query)
    assert _names(results)[:1] == [expected]


def test_unrelated_pilots_rank_below_related(
    app: Flask, actors: Actors, portfolio: dict[str, int]
) -> None:
    with app.app_context():
        results = find_similar(
            actors.coordinator,
            text="Tilavarausjärjestelmä kuntien tiloille verkossa",
            theme="facility_booking",
            municipalities={"418"},
        )
    names = _names(results)
    assert names[0] == "Tilavaraus verkossa"
    if "Kotihoidon ajoreitit" in names:
        scores = {r.name: r.score for r in results}
        assert scores["Kotihoidon ajoreitit"] < scores["Tilavaraus verkossa"]


def test_similar_to_a_pilot_excludes_itself_and_sees_updates(
    app: Flask, actors: Actors, portfolio: dict[str, int]
) -> None:
    with app.app_context():
        from pilot_tracker.extensions import db
        from pilot_tracker.models import Pilot
        from pilot_tracker.services.pilots import load_pilot_for_update

        transport = load_pilot_for_update(portfolio["transport"])
        update_pilot(transport, {"name": "Lupapalvelujen kehittäminen"}, expected_version=1)
        me = db.session.get(Pilot, portfolio["permits"])
        results = find_similar(
            actors.coordinator, text=f"{me.name} {me.summary}", name=me.name, exclude_id=me.id
        )
    assert "Sähköiset lupapalvelut" not in _names(results)
    assert _names(results)[:1] == ["Lupapalvelujen kehittäminen"]


def test_vendor_never_gets_another_vendors_pilot(
    app: Flask, actors: Actors, portfolio: dict[str, int]
) -> None:
    with app.app_context():
        results = find_similar(actors.vendor_user, text="tilavarausten lupapalvelujen ajoreitit")
    assert "Tilavaraus verkossa" not in _names(results)
    assert set(_names(results)) <= {"Sähköiset lupapalvelut", "Kotihoidon ajoreitit"}


def test_results_carry_outcomes_vendor_and_kpi_progress(
    app: Flask, actors: Actors, portfolio: dict[str, int]
) -> None:
    with app.app_context():
        from pilot_tracker.extensions import db
        from pilot_tracker.models import Pilot

        pilot = db.session.get(Pilot, portfolio["booking"])
        kpi = add_kpi(pilot, "Käyttöaste", "%", Decimal(40), Decimal(60), Direction.INCREASE)
        add_measurement(kpi, date(2026, 1, 1), Decimal(50))
        result = find_similar(actors.coordinator, text="tilavaraus")[0]
    assert result.vendor_name == "Vendor B Oy"
    assert result.kpi_progress == [("Käyttöaste", Decimal("50.0"))]


def test_projection_onto_the_region_recomputed_by_hand(app: Flask, actors: Actors) -> None:
    with app.app_context():
        # Lempäälä 24 580 + Nokia 35 346 + Ylöjärvi 33 607 = 93 533 residents (Pirkanmaa, 06).
        pilot = make_pilot(
            ("418", "536", "980"),
            method=SplitMethod.PER_CAPITA,
            budget_cents=12_000_000,
            funding_cents=3_000_000,
            estimated_annual_savings_cents=4_500_000,
        )
        result = scale_up(pilot.id, "region")
        import sqlalchemy as sa

        from pilot_tracker.extensions import db
        from pilot_tracker.models import Municipality

        others = {
            code: pop
            for code, pop in db.session.execute(
                sa.select(Municipality.code, Municipality.population).where(
                    Municipality.region_code == "06",
                    Municipality.code.not_in(["418", "536", "980"]),
                )
            )
        }
    population = sum(others.values())
    assert result.projection.basis == "estimated"
    assert result.participant_population == 93_533
    assert result.projection.population == population
    assert result.projection.municipalities == len(others)
    # By hand: 45 000 € / 93 533 residents × population, and 90 000 € likewise, to the cent.
    expected_savings = (Decimal(45_000) * population / Decimal(93_533)).quantize(Decimal("0.01"))
    expected_cost = (Decimal(90_000) * population / Decimal(93_533)).quantize(Decimal("0.01"))
    assert Decimal(result.projection.projected_annual_savings_cents) / 100 == expected_savings
    assert Decimal(result.projection.projected_net_cost_cents) / 100 == expected_cost
    assert result.national_range_eur == (7_000_000, 23_000_000)


def test_projection_uses_realised_savings_when_measured(app: Flask, actors: Actors) -> None:
    with app.app_context():
        pilot = make_pilot(
            ("418",), estimated_annual_savings_cents=9_999_900, budget_cents=0, funding_cents=0
        )
        kpi = add_kpi(
            pilot, "Säästö", "€/v", Decimal(0), Decimal(50_000), Direction.INCREASE, is_savings=True
        )
        add_measurement(kpi, date(2026, 1, 1), Decimal("24580.00"))
        result = scale_up(pilot.id, codes=["091"])
    # 24 580 € over Lempäälä's 24 580 residents = 1 €/resident → Helsinki's 664 028 residents.
    assert result.projection.basis == "realised"
    assert result.projection.projected_annual_savings_cents == 66_402_800
    assert result.scope == "codes"


def test_projection_refuses_unknown_codes_and_scopes(app: Flask, actors: Actors) -> None:
    with app.app_context():
        pilot = make_pilot(("418",))
        with pytest.raises(ProjectionInputError) as bad_codes:
            scale_up(pilot.id, codes=["091", "000"])
        with pytest.raises(ProjectionInputError) as bad_scope:
            scale_up(pilot.id, scope="galaxy")
    assert "000" in bad_codes.value.errors["codes"][0]
    assert "scope" in bad_scope.value.errors


def test_national_projection_covers_every_other_municipality(app: Flask, actors: Actors) -> None:
    with app.app_context():
        pilot = make_pilot(("418", "536"), theme=Theme.CUSTOMER_DATA)
        result = scale_up(pilot.id, "national")
    assert result.projection.municipalities == 306
    assert result.projection.population == 5_563_970 - 24_580 - 35_346
    assert result.national_range_eur == (440_000_000, 680_000_000)


# --- the search itself -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("lupapalvelujen", "lupapalv"),
        ("tilavarausten", "tilavara"),
        ("tilavarausjärjestelmä", "tilavara"),
        ("ilman", "ilma"),
        ("kotihoito", "kotiho"),
    ],
)
def test_a_words_stem_is_its_first_sixty_percent(word: str, expected: str) -> None:
    from pilot_tracker.services.similar import stem

    assert stem(word) == expected


def test_search_stems_put_the_name_first_and_drop_stems_inside_others() -> None:
    from pilot_tracker.services.similar import search_stems

    stems = search_stems("Tilavaraus", "Tilavaraus verkossa, tilavarausten maksu")

    # "tilava" (the name's "tilavaraus") is inside "tilavara" ("tilavarausten"): kept once.
    assert [s for _word, s, _weight in stems][:1] == ["tilava"]
    assert len({s for _w, s, _x in stems}) == len(stems)
    assert not any(a != b and a in b for _w, a, _x in stems for _v, b, _y in stems)


def test_a_stem_is_found_inside_a_compound(app: Flask, actors: Actors) -> None:
    with app.app_context():
        make_pilot(("049",), name="Rakennuslupapalvelut verkossa", theme=Theme.PERMITS)
        results = find_similar(actors.coordinator, text="lupapalvelujen")
    assert _names(results)[:1] == ["Rakennuslupapalvelut verkossa"]


def test_the_search_follows_new_renamed_and_deleted_pilots(app: Flask, actors: Actors) -> None:
    from pilot_tracker.services.pilots import delete_pilot, load_pilot_for_update

    with app.app_context():
        pilot = make_pilot(("418",), name="Kirjaston etälainaus")
        found_new = _names(find_similar(actors.coordinator, text="etälainauksen kokeilu"))
        renamed = load_pilot_for_update(pilot.id)
        update_pilot(renamed, {"name": "Kirjaston omatoimiaukiolo"}, expected_version=1)
        found_old_name = _names(find_similar(actors.coordinator, text="etälainauksen kokeilu"))
        found_new_name = _names(find_similar(actors.coordinator, text="omatoimiaukiolon laajennus"))
        delete_pilot(load_pilot_for_update(pilot.id))
        found_deleted = _names(find_similar(actors.coordinator, text="omatoimiaukiolon laajennus"))
    assert found_new == ["Kirjaston etälainaus"]
    assert found_old_name == []
    assert found_new_name == ["Kirjaston omatoimiaukiolo"]
    assert found_deleted == []


def test_shared_municipalities_and_theme_rank_an_equal_text_higher(
    app: Flask, actors: Actors
) -> None:
    with app.app_context():
        make_pilot(("091",), name="Palautekanava", theme=Theme.PERMITS)
        near = make_pilot(("418", "536"), name="Palautekanava", theme=Theme.FEEDBACK)
        results = find_similar(
            actors.coordinator,
            text="Palautekanava kuntalaisille",
            theme="feedback",
            municipalities={"418"},
        )
    assert [r.id for r in results][:1] == [near.id]
    assert results[0].score > results[1].score


def test_a_lookup_runs_the_same_queries_however_many_pilots_match(
    app: Flask, actors: Actors
) -> None:
    import sqlalchemy as sa

    from pilot_tracker.extensions import db

    def lookup_statements() -> int:
        seen: list[str] = []

        def record(*args: object) -> None:
            if not str(args[2]).startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
                seen.append(str(args[2]))

        assert actors.coordinator.role  # loaded before counting (commits expire it)
        sa.event.listen(db.session.get_bind(), "before_cursor_execute", record)
        try:
            find_similar(actors.coordinator, text="Palautekanava", municipalities={"418"})
        finally:
            sa.event.remove(db.session.get_bind(), "before_cursor_execute", record)
        return len(seen)

    with app.app_context():
        none = lookup_statements()
        make_pilot(("418",), name="Palautekanava")
        one = lookup_statements()
        for i in range(5):
            pilot = make_pilot(("418", "091"), name=f"Palautekanava {i}")
            add_kpi(pilot, "Vastaukset", "kpl", Decimal(0), Decimal(9), Direction.INCREASE)
        many = lookup_statements()
    # The regions of the given municipality, then the candidates with their municipalities,
    # decisions and KPIs in one statement.
    assert none == one == many == 2
