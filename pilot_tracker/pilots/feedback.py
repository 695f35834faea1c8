"""Moderating residents' feedback on a pilot (coordinators, admins): approve, hide, delete."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from pilot_tracker.language.i18n import gettext as _
from pilot_tracker.permissions import EDITORS, role_required, visible_pilot_or_404
from pilot_tracker.pilots import bp
from pilot_tracker.services import feedback

DONE = {
    "approve": lambda: _("The text is approved and now shown with the pilot."),
    "hide": lambda: _("The text is hidden and erased; the rating still counts."),
    "delete": lambda: _("The answer is deleted, its rating included."),
}


@bp.get("/pilots/<int:pilot_id>/feedback")
@role_required(*EDITORS)
def feedback_moderation(pilot_id: int) -> str:
    """Texts waiting for approval and those approved, with the satisfaction KPI."""
    pilot = visible_pilot_or_404(pilot_id, current_user)
    pending, approved, hidden = feedback.for_moderation(pilot.id)
    codes = feedback.current_codes(pilot.id)
    return render_template(
        "pilots/feedback.html",
        pilot=pilot,
        pending=pending,
        approved=approved,
        hidden=hidden,
        satisfaction=feedback.summary(pilot.id, codes),
        names=feedback.municipality_names(codes),
    )


@bp.post("/pilots/<int:pilot_id>/feedback/<int:feedback_id>/<action>")
@role_required(*EDITORS)
def feedback_moderate(pilot_id: int, feedback_id: int, action: str) -> Response:
    """Approve, hide or delete one answer (audited); 404 for another pilot's answer or an
    unknown action."""
    pilot = visible_pilot_or_404(pilot_id, current_user)
    if action not in feedback.ACTIONS or feedback.moderate(pilot.id, feedback_id, action) is None:
        abort(404)
    flash(DONE[action](), "success")
    return redirect(url_for("pilots.feedback_moderation", pilot_id=pilot.id), 303)
