"""The pilot form's logic: participants picked without JavaScript, the cost preview, saving.

The form posts to itself with one of four `action` buttons: `search` lists municipalities
matching the search box as unchecked participant checkboxes, `add` takes the checked ones in,
`preview` computes every participant's share as a save would, and `save` creates or updates
the pilot through the service. Nothing is written before `save`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from pilot_tracker.catalogue import render, render_all
from pilot_tracker.domain.cost_split import CostSplitError, net_cost_cents
from pilot_tracker.domain.enums import Goal, SplitMethod, Stage, Theme, Track, default_track
from pilot_tracker.domain.stages import FINAL, ORDER
from pilot_tracker.language.i18n import current_language
from pilot_tracker.language.i18n import gettext as _
from pilot_tracker.models import Pilot
from pilot_tracker.pilots.costs import ShareRow, preview_shares, share_rows
from pilot_tracker.pilots.decision_support import similar_for_text
from pilot_tracker.pilots.display import ConflictItem, conflict_items, referenced
from pilot_tracker.pilots.forms import (
    CREATE_STAGES,
    SERVICE_FIELD,
    ParticipantInput,
    PilotForm,
    add_service_errors,
)
from pilot_tracker.pilots.queries import (
    coordinator_choices,
    municipalities_by_code,
    picker_options,
    reference_names,
    search_municipalities,
)
from pilot_tracker.services.pilot_filters import vendor_choices
from pilot_tracker.services.pilots import (
    PilotData,
    PilotValidationError,
    StaleVersionError,
    save_new_pilot,
    save_pilot_changes,
)
from pilot_tracker.services.plausibility import UnconfirmedWarnings

THEMES = {t.value for t in Theme}
# For pilot-form.js, which proposes the track when the theme changes (the server does too).
THEME_TRACKS = {t.value: track.value for t in Theme if (track := default_track(t)) is not None}


@dataclass
class PilotFormState:
    """Everything the pilot form shows besides its WTForms fields."""

    participants: ParticipantInput
    rows: list[ShareRow]
    search_hits: list[Any]
    net_cents: int | None
    manual: dict[str, Decimal] | None
    previewed: bool
    general_errors: list[str]
    conflict: list[ConflictItem] | None = None
    # Plausibility warnings of a save not yet confirmed: (message, namesake pilot id or None).
    warnings: list[tuple[str, int | None]] = field(default_factory=list)

    def summary_items(self) -> list[str | tuple[str, str]]:
        """Errors outside the WTForms fields, for the summary (with the anchor to jump to)."""
        p = self.participants
        items: list[str | tuple[str, str]] = list(self.general_errors)
        items += [("participants-section", e) for e in p.errors + p.lead_errors]
        items += [("cost-split", e) for e in p.split_errors]
        return items


def _edit_stages(current: Stage) -> list[Stage]:
    """The stage itself and the forward moves a plain edit may make (decisions do the rest)."""
    if current in FINAL:
        return [current]
    return [
        s
        for s in ORDER[: ORDER.index(Stage.EVALUATION) + 1]
        if ORDER.index(s) >= ORDER.index(current)
    ]


def _method(form: PilotForm) -> SplitMethod | None:
    try:
        return SplitMethod(form.split_method.data)
    except ValueError:
        return None


def _evaluate(form: PilotForm, participants: ParticipantInput, show_errors: bool) -> PilotFormState:
    """Look the participants up, check them and compute the cost shares a save would store."""
    municipalities = municipalities_by_code(participants.codes)
    unknown = [c for c in participants.codes if c not in municipalities]
    if unknown:
        participants.errors.append(
            _("Unknown municipality code(s): %(codes)s.", codes=", ".join(unknown))
        )
        participants.codes = [c for c in participants.codes if c in municipalities]
    method = _method(form)
    manual = None
    if method is SplitMethod.MANUAL and participants.codes:
        manual = participants.manual_percentages()
    equal = form.equal_percent_value() if method is SplitMethod.HYBRID else None
    if show_errors:
        if not participants.codes:
            participants.errors.append(_("Choose at least one participating municipality."))
        elif participants.lead not in participants.codes:
            participants.lead_errors.append(
                _("Choose the lead municipality among the participants.")
            )
    else:
        participants.split_errors.clear()
        participants.manual_errors.clear()
    budget, funding = form.budget.cents(), form.external_funding.cents()
    net = None if budget is None or funding is None else net_cost_cents(budget, funding)
    shares = None
    ready = (
        method is not None
        and (method is not SplitMethod.MANUAL or manual is not None)
        and (method is not SplitMethod.HYBRID or equal is not None)
    )
    if participants.codes and net is not None and ready:
        try:
            shares = preview_shares(
                method,  # type: ignore[arg-type]
                net,
                {c: municipalities[c].population for c in participants.codes},
                manual,
                equal,
            )
        except CostSplitError as exc:
            if show_errors:
                participants.split_errors.append(render(exc.message))
    rows = share_rows(
        {c: municipalities[c] for c in participants.codes},
        shares,
        method or SplitMethod.EQUAL,
        participants.lead,
        manual,
        equal,
    )
    return PilotFormState(
        participants=participants,
        rows=rows,
        search_hits=[],
        net_cents=net,
        manual=manual,
        previewed=shares is not None,
        general_errors=[],
    )


def _pilot_data(form: PilotForm, state: PilotFormState) -> PilotData:
    track = form.track.data
    return PilotData(
        name=(form.name.data or "").strip(),
        summary=(form.summary.data or "").strip(),
        theme=Theme(form.theme.data),
        track=Track(track) if track else None,
        stage=Stage(form.stage.data),
        goals=[Goal(g) for g in form.goals.data or []],
        lead_municipality=state.participants.lead,
        participants=list(state.participants.codes),
        split_method=SplitMethod(form.split_method.data),
        manual_shares=state.manual,
        equal_percent=form.equal_percent_value(),
        external_funding_rate_percent=form.funding_rate_value(),
        budget_cents=form.budget.cents() or 0,
        external_funding_cents=form.external_funding.cents() or 0,
        estimated_annual_savings_cents=form.estimated_annual_savings.cents() or 0,
        vendor_id=form.vendor_id.data,
        coordinator_id=form.coordinator_id.data,
        start_date=form.start_date.data,
        end_date=form.end_date.data,
        is_public=bool(form.is_public.data),
        language=form.language.data or current_language(),
    )


def _check_more(form: PilotForm) -> bool:
    """Rules across fields that WTForms validators cannot see; True when all hold."""
    ok = True
    theme = form.theme.data
    if theme in THEMES and not form.track.data and default_track(Theme(theme)) is None:
        form.track.errors = [
            *form.track.errors,
            _("Choose a track: this theme does not propose one."),
        ]
        ok = False
    start, end = form.start_date.data, form.end_date.data
    if start and end and end < start:
        form.end_date.errors = [
            *form.end_date.errors,
            _("The planned end cannot be before the start."),
        ]
        ok = False
    return ok


def _lines(text: str) -> str:
    return text.replace("\r\n", "\n")


def _save(form: PilotForm, state: PilotFormState, pilot: Pilot | None) -> Response | None:
    """Create or update; None when refused (the errors are on the form and the state)."""
    valid = form.validate()
    valid = _check_more(form) and valid
    if not valid or state.participants.has_errors():
        return None
    data = _pilot_data(form, state)
    # Warnings stop the first save; the form then shows them with a "save anyway" box.
    confirmed = bool(form.confirm_warnings.data)
    try:
        if pilot is None:
            saved = save_new_pilot(data, confirmed=confirmed).pilot
            flash(_("The pilot was created."), "success")
        else:
            expected = form.expected_version()
            if expected is None:
                state.general_errors.append(
                    _("The form did not say which version it edits; open the edit page again.")
                )
                return None
            changes = {k: getattr(data, k) for k in data.__dataclass_fields__ if k != "uid"}
            if data.track is None:
                # Leaving the track to the theme: the service proposes it from the theme.
                del changes["track"]
            if _lines(data.summary) == _lines(pilot.summary):
                # A browser sends a textarea's line breaks as CR LF, whatever was stored.
                changes["summary"] = pilot.summary
            saved = save_pilot_changes(
                pilot, changes, expected_version=expected, confirmed=confirmed
            ).pilot
            if saved.version == expected:
                flash(_("Nothing changed."), "info")
            else:
                flash(_("The changes were saved."), "success")
    except UnconfirmedWarnings as exc:
        state.warnings = [
            (render(w.message), w.params.get("pilot_id") if w.code == "duplicate_name" else None)
            for w in exc.warnings
        ]
        form.confirm_warnings.data = False
        return None
    except StaleVersionError as exc:
        values = {key: (info or {}).get("value") for key, info in exc.changed.items()}
        state.conflict = conflict_items(exc.changed, reference_names(referenced([values])))
        return None
    except PilotValidationError as exc:
        mapped = dict(SERVICE_FIELD)
        errors = dict(exc.errors)
        for key, target in (
            ("participants", state.participants.errors),
            ("lead_municipality", state.participants.lead_errors),
            ("cost_split", state.participants.split_errors),
        ):
            target.extend(render_all(errors.pop(key, [])))
        state.general_errors.extend(add_service_errors(form, errors, mapped))
        return None
    return redirect(url_for("pilots.detail", pilot_id=saved.id))


def pilot_form_page(pilot: Pilot | None) -> str | Response:
    """The create form (pilot None) or the edit form: GET shows it, POST searches, adds,
    previews or saves by its `action` button."""
    form = PilotForm()
    stages = list(CREATE_STAGES) if pilot is None else _edit_stages(pilot.stage)
    form.setup(
        stages,
        vendor_choices(),
        coordinator_choices(keep=pilot.coordinator_id if pilot else None),
    )
    action = None
    if request.method == "GET":
        if pilot is not None:
            form.fill_from(pilot)
            participants = ParticipantInput.from_pilot(pilot)
        else:
            participants = ParticipantInput()
            form.coordinator_id.data = current_user.id
            form.stage.data = Stage.IDEA.value
            # A new pilot is most likely written in the language its author uses the app in.
            form.language.data = current_language()
        state = _evaluate(form, participants, show_errors=False)
    else:
        action = request.form.get("action", "preview")
        if action not in ("search", "add", "preview", "save"):
            action = "preview"
        participants = ParticipantInput.from_formdata(request.form)
        state = _evaluate(form, participants, show_errors=action in ("preview", "save"))
        if action == "save":
            done = _save(form, state, pilot)
            if done is not None:
                return done
        elif action == "search":
            state.search_hits = search_municipalities(
                participants.query, exclude=participants.codes
            )
        elif action == "add":
            form.municipality_q.data = ""
    return render_template(
        "pilots/form.html",
        form=form,
        pilot=pilot,
        state=state,
        action=action,
        theme_tracks=THEME_TRACKS,
        municipality_options=picker_options(),
        # Without JavaScript, any submit (Preview, Search...) lists the similar pilots.
        similar=similar_for_text(
            form.name.data or "",
            form.summary.data or "",
            form.theme.data or "",
            pilot.id if pilot else None,
        )
        if request.method == "POST"
        else None,
    )
