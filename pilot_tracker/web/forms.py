"""Form helpers shared by the blueprints."""

from __future__ import annotations

from typing import Any

from flask import flash
from wtforms.fields.choices import SelectChoice

from pilot_tracker.catalogue import render, render_all
from pilot_tracker.language.labels import label


def enum_choices(values: Any, empty: Any = None) -> list[SelectChoice]:
    """Options for an enum's values with their translated labels (and an empty first one)."""
    choices = [SelectChoice(value="", label=str(empty))] if empty is not None else []
    return choices + [SelectChoice(value=v.value, label=label(v)) for v in values]


def attach_errors(form: Any, errors: dict[str, list[str]]) -> None:
    """A service's field errors next to the fields they name; any others as a flash."""
    for key, messages in errors.items():
        field = form._fields.get(key)
        if field is None or field.type in ("CSRFTokenField", "HiddenField"):
            for message in messages:
                flash(render(message), "error")
            continue
        field.errors = [*field.errors, *render_all(messages)]
