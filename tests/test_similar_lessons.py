"""Lessons learned are searchable by "has someone already piloted this?": a search text that
matches a lesson's text finds the pilot it belongs to (on the form's live search, beside a
pilot and through the API too), within what the user may see, in the same one statement."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Flask

from pilot_tracker.domain.enums import Gate, Outcome, Stage, Theme
from pilot_tracker.extensions import db
from pilot_tracker.services.decisions import record_decision
from pilot_tracker.services.follow_up import record_lesson
from pilot_tracker.services.pilots import load_pilot_for_update
from pilot_tracker.services.similar import find_similar
from tests.conftest import Actors, login_as
from tests.factories import make_pilot

LESSON = (
    "Mobiilivarmenne ja vahva tunnistautuminen kannattaa hankkia yhteisenä: "
    "integraatio kesti puoli vuotta."
)
QUERY = "vahvan tunnistautumisen mobiilivarmenteella"


def _lessoned_pilot(actors: Actors, vendor: Any = None, name: str = "Kotihoidon ajoreitit") -> int:
    """A pilot whose name and summary say nothing of identification; its lesson does."""
    pilot = make_pilot(
        ("418", "980"),
        name=name,
        summary="Kuljetusten optimointi.",
        theme=Theme.TRANSPORT_OPTIMISATION,
        stage=Stage.EVALUATION,
        vendor=vendor or actors.vendor_a,
    )
    record_lesson(pilot, LESSON)
    return pilot.id


def _names(results: list[Any]) -> list[str]:
    return [r.name for r in results]


def test_a_search_matching_a_lesson_finds_the_pilot_it_belongs_to(
    app: Flask, actors: Actors
) -> None:
    with app.app_context():
        pilot = make_pilot(
            ("418", "980"),
            name="Kotihoidon ajoreitit",
            summary="Kuljetusten optimointi.",
            theme=Theme.TRANSPORT_OPTIMISATION,
            stage=Stage.EVALUATION,
        )
        make_pilot(("091",), name="Sähköiset lupapalvelut", summary="Rakennuslupien haku.")
        before = find_similar(actors.coordinator, text=QUERY)
        record_lesson(load_pilot_for_update(pilot.id), LESSON)  # type: ignore[arg-type]
        after = find_similar(actors.coordinator, text=QUERY)
        # Capitalised in the lesson, inflected in the query: found all the same.
        capital = find_similar(actors.coordinator, text="Integraation kesto")
    assert "Kotihoidon ajoreitit" not in _names(before)
    assert _names(after) == ["Kotihoidon ajoreitit"]
    assert _names(capital) == ["Kotihoidon ajoreitit"]


def test_a_lesson_recorded_with_a_decision_is_found_beside_another_pilot(
    app: Flask, actors: Actors
) -> None:
    from pilot_tracker.services.similar import similar_to_pilot

    with app.app_context():
        other = make_pilot(("418",), name="Ajoreitit", stage=Stage.PILOTING)
        decision = record_decision(
            other, Gate.MIDPOINT, Outcome.CONTINUE, other.created_at.date(), "hallitus", "Jatko"
        )
        record_lesson(load_pilot_for_update(other.id), LESSON, decision.id)  # type: ignore[arg-type]
        mine = make_pilot(
            ("536",),
            name="Mobiilivarmenne asiointiin",
            summary="Vahva tunnistautuminen kuntien verkkoasiointiin.",
        )
        found = similar_to_pilot(actors.coordinator, load_pilot_for_update(mine.id))  # type: ignore[arg-type]
    assert "Ajoreitit" in _names(found)


def test_the_lesson_search_keeps_to_what_the_user_may_see(app: Flask, actors: Actors) -> None:
    with app.app_context():
        _lessoned_pilot(actors, vendor=actors.vendor_b, name="Toisen toimittajan reitit")
        own = _lessoned_pilot(actors, vendor=actors.vendor_a, name="Oman toimittajan reitit")
        coordinator = find_similar(actors.coordinator, text=QUERY)
        vendor = find_similar(actors.vendor_user, text=QUERY)
        excluded = find_similar(actors.coordinator, text=QUERY, exclude_id=own)
    assert sorted(_names(coordinator)) == ["Oman toimittajan reitit", "Toisen toimittajan reitit"]
    assert _names(vendor) == ["Oman toimittajan reitit"]
    assert _names(excluded) == ["Toisen toimittajan reitit"]


def test_the_form_search_finds_a_pilot_by_its_lesson(
    app: Flask, client: Any, actors: Actors
) -> None:
    with app.app_context():
        _lessoned_pilot(actors)
    login_as(client, actors.coordinator)
    response = client.get("/pilots/similar", query_string={"name": QUERY, "summary": ""})
    assert response.status_code == 200
    assert "Kotihoidon ajoreitit" in response.get_data(as_text=True)


def test_a_lookup_with_lessons_is_still_one_statement(app: Flask, actors: Actors) -> None:
    def statements() -> int:
        seen: list[str] = []

        def record(*args: object) -> None:
            if not str(args[2]).startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
                seen.append(str(args[2]))

        assert actors.coordinator.role
        sa.event.listen(db.session.get_bind(), "before_cursor_execute", record)
        try:
            find_similar(actors.coordinator, text=QUERY)
        finally:
            sa.event.remove(db.session.get_bind(), "before_cursor_execute", record)
        return len(seen)

    with app.app_context():
        none = statements()
        for i in range(3):
            _lessoned_pilot(actors, name=f"Reitit {i}")
        many = statements()
    assert none == many == 1
