"""The pilot list's filter form, shared with the export page (the same query parameters):
read from the URL, translated into the one `PilotFilters` (services.pilot_filters)."""

from __future__ import annotations

from enum import Enum
from typing import Any

from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.form import Form
from wtforms.validators import Length, Optional
from wtforms.widgets import Select

from pilot_tracker.domain.enums import Rag, Stage, Theme, Track
from pilot_tracker.language.i18n import gettext as _
from pilot_tracker.language.labels import region_name
from pilot_tracker.services.pilot_filters import NO_STATUS, FilterChoices, PilotFilters
from pilot_tracker.web.forms import enum_choices

SORTS = ("name", "stage", "net_cost", "participants", "start_date", "last_status", "updated")


class FastSelect(Select):
    """wtforms' Select, each plain option written with one format instead of html_params()
    (the list's filters have some 400 options): the same HTML, attribute for attribute."""

    @classmethod
    def render_option(cls, choice: Any, **kwargs: Any) -> Markup:
        if kwargs or choice.render_kw or isinstance(choice.value, bool):
            return super().render_option(choice, **kwargs)
        value = escape(choice.value).replace(Markup('"'), Markup("&quot;"))
        label = escape(choice.label or choice.value)
        if choice.selected:
            return Markup(f'<option selected value="{value}">{label}</option>')
        return Markup(f'<option value="{value}">{label}</option>')


def _select(text: Any) -> SelectField:
    return SelectField(text, validators=[Optional()], widget=FastSelect())


class FilterForm(Form):
    """The pilot list's search, filters and sorting, all in the URL (GET, no CSRF)."""

    q = StringField(_l("Search name and summary"), validators=[Length(max=200)])
    theme = _select(_l("Theme"))
    track = _select(_l("Track"))
    stage = _select(_l("Stage"))
    region = _select(_l("Region"))
    municipality = _select(_l("Municipality"))
    vendor = _select(_l("Vendor"))
    rag = _select(_l("Latest status"))
    stale = _select(_l("Stale"))
    sort = _select(_l("Sort by"))
    order = _select(_l("Order"))

    def setup(self, choices: FilterChoices) -> None:
        """The choices of the selects (services.pilot_filters.filter_choices)."""
        self._region_members = choices.region_members
        regions, municipalities, vendors = choices.regions, choices.municipalities, choices.vendors
        anything = _l("Any")
        self.theme.choices = enum_choices(Theme, empty=anything)
        self.track.choices = enum_choices(Track, empty=anything)
        self.stage.choices = enum_choices(Stage, empty=anything)
        self.rag.choices = [
            *enum_choices(Rag, empty=anything),
            SelectChoice(NO_STATUS, _("No status yet")),
        ]
        self.stale.choices = [
            SelectChoice("", str(anything)),
            SelectChoice("yes", _("Stale only")),
            SelectChoice("no", _("Not stale")),
        ]
        named = sorted(
            (SelectChoice(code, region_name(code, name)) for code, name in regions),
            key=lambda c: c.label,
        )
        self.region.choices = [SelectChoice("", str(anything)), *named]
        self.municipality.choices = [SelectChoice("", str(anything))] + [
            SelectChoice(code, f"{name} ({code})") for code, name in municipalities
        ]
        self.vendor.choices = [SelectChoice("", str(anything))] + [
            SelectChoice(str(i), name) for i, name in vendors or []
        ]
        sort_labels = {
            "name": _("Name"),
            "stage": _("Stage"),
            "net_cost": _("Net cost"),
            "participants": _("Participants"),
            "start_date": _("Planned start"),
            "last_status": _("Latest status"),
            "updated": _("Last changed"),
        }
        self.sort.choices = [SelectChoice(key, sort_labels[key]) for key in SORTS]
        self.order.choices = [
            SelectChoice("asc", _("Ascending")),
            SelectChoice("desc", _("Descending")),
        ]

    def value(self, name: str) -> str:
        """A filter's value if it is one of its choices, else "" (a bad URL filters nothing)."""
        f = self[name]
        data = f.data or ""
        if f.type == "StringField":
            return str(data).strip()
        allowed = {c.value for c in f.choices}
        return data if data in allowed else ""

    def enum_value(self, name: str, enum_cls: type[Enum]) -> Any:
        raw = self.value(name)
        return enum_cls(raw) if raw else None

    def filters(self) -> PilotFilters:
        """The filters the form holds; a value not among its choices filters nothing."""
        vendor, rag, stale, region = (self.value(n) for n in ("vendor", "rag", "stale", "region"))
        return PilotFilters(
            q=self.value("q")[:200],
            theme=self.enum_value("theme", Theme),
            track=self.enum_value("track", Track),
            stage=self.enum_value("stage", Stage),
            region=region,
            region_members=self._region_members.get(region, ()),
            municipality=self.value("municipality"),
            vendor_id=int(vendor) if vendor else None,
            rag=NO_STATUS if rag == NO_STATUS else (Rag(rag) if rag else None),
            stale={"yes": True, "no": False}.get(stale),
        )
