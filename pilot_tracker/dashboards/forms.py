"""The portfolio's filter form: a GET form, so a filtered view can be shared as a link."""

from __future__ import annotations

from collections.abc import Mapping

from flask_babel import lazy_gettext as _l
from wtforms import Form, SelectField

from pilot_tracker.dashboards.queries import Regions
from pilot_tracker.domain.enums import Stage, Theme, Track
from pilot_tracker.domain.stages import ORDER
from pilot_tracker.language.i18n import gettext as _
from pilot_tracker.language.labels import label, region_name
from pilot_tracker.services.pilot_filters import PilotFilters


class FilterForm(Form):
    """Region, theme, track, stage and year; an empty value means "all"."""

    region = SelectField(_l("Region"), default="")
    theme = SelectField(_l("Theme"), default="")
    track = SelectField(_l("Track"), default="")
    stage = SelectField(_l("Stage"), default="")
    year = SelectField(_l("Year"), default="")


def filter_form(
    args: Mapping[str, str], regions: Regions, years: tuple[int, int]
) -> tuple[FilterForm, PilotFilters]:
    """The form filled from the URL and the filters it holds.

    A value that is not one of the choices (an edited or outdated link) is not applied; the
    field says so, and the rest of the filters still work.
    """
    form = FilterForm(args)
    everything = ("", _("All"))
    form.region.choices = [
        everything,
        *sorted(((c, region_name(c, n)) for c, n in regions.choices), key=lambda r: r[1]),
    ]
    form.theme.choices = [everything, *((t.value, label(t)) for t in Theme)]
    form.track.choices = [everything, *((t.value, label(t)) for t in Track)]
    form.stage.choices = [everything, *((s.value, label(s)) for s in ORDER)]
    form.year.choices = [everything, *((str(y), str(y)) for y in range(years[0], years[1] + 1))]
    values: dict[str, str] = {}
    for field in (form.region, form.theme, form.track, form.stage, form.year):
        allowed = {str(value) for value, _label in field.choices}  # type: ignore[union-attr]
        if field.data and field.data not in allowed:
            field.errors = [_("That choice does not exist; this filter is not applied.")]
            field.data = ""
        values[field.name] = field.data or ""
    filters = PilotFilters(
        region=values["region"],
        theme=Theme(values["theme"]) if values["theme"] else None,
        track=Track(values["track"]) if values["track"] else None,
        stage=Stage(values["stage"]) if values["stage"] else None,
        year=int(values["year"]) if values["year"] else None,
        region_members=regions.members.get(values["region"], ()),
    )
    return form, filters
