"""Password links, reminder settings and one-click unsubscribe, calendar feeds, outbox page."""

from __future__ import annotations

from datetime import date

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import force_locale
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_user
from werkzeug.wrappers import Response

from pilot_tracker.domain.enums import Role
from pilot_tracker.extensions import csrf, limiter
from pilot_tracker.language.i18n import current_language
from pilot_tracker.language.i18n import gettext as _
from pilot_tracker.mail import bp
from pilot_tracker.mail.forms import ForgotPasswordForm, SetPasswordForm
from pilot_tracker.models.mail import Frequency, LinkPurpose
from pilot_tracker.permissions import ALL_ROLES, home_url, role_required, visible_pilot_or_404
from pilot_tracker.services import account_links, outbox, reminders, sessions
from pilot_tracker.services import calendar as calendar_service
from pilot_tracker.services.mail_compose import base_url, language_of
from pilot_tracker.services.users import UserError
from pilot_tracker.web.forms import attach_errors

CALENDAR_TYPE = "text/calendar; charset=utf-8"


def _limit() -> str:
    """The sign-in limit (`LOGIN_RATE_LIMIT`) applies to reset requests as well."""
    return str(current_app.config["LOGIN_RATE_LIMIT"])


def _account_key() -> str:
    return "account:" + (request.form.get("email") or "").strip().lower()[:254]


def _address_key() -> str:
    return "address:" + get_remote_address()


def _private(response: Response) -> Response:
    """A page or file with a secret in its address: not cached, not sent on as a referrer."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


# --- passwords ---------------------------------------------------------------------------


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(_limit, methods=["POST"], key_func=_address_key, scope="reset-address")
@limiter.limit(_limit, methods=["POST"], key_func=_account_key, scope="reset-account")
def forgot_password() -> str | Response:
    """Ask for a reset link: the same answer whether or not the address has an account."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        account_links.send_password_reset(form.email.data or "")
        flash(
            _(
                "If %(email)s has an account, a link to set a new password is on its way. "
                "It works for 72 hours.",
                email=(form.email.data or "").strip(),
            ),
            "info",
        )
        return redirect(url_for("mail.forgot_password"))
    return render_template("mail/forgot_password.html", form=form)


@bp.route("/account/<token>", methods=["GET", "POST"])
def account_link(token: str) -> Response | tuple[str, int]:
    """Set one's password through an invitation or reset link (404 if it is not usable)."""
    found = account_links.find_link(token)
    if found is None:
        body = render_template("mail/link_invalid.html")
        return _private(current_app.make_response((body, 404)))
    link, user = found
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            changed = account_links.use_link(token, form.password.data or "")
        except UserError as exc:
            attach_errors(form, exc.errors)
        else:
            if changed is None:
                body = render_template("mail/link_invalid.html")
                return _private(current_app.make_response((body, 404)))
            login_user(changed, fresh=True)
            session[sessions.SESSION_KEY] = sessions.start(changed.id)  # server-side session
            if link.purpose == LinkPurpose.INVITATION:
                flash(_("Welcome! Your password is set and you are signed in."), "success")
            else:
                flash(_("Your password was changed. Other sessions were signed out."), "success")
            return redirect(home_url(changed))
    body = render_template(
        "mail/set_password.html",
        form=form,
        user=user,
        invitation=link.purpose == LinkPurpose.INVITATION,
    )
    return _private(current_app.make_response((body, 200)))


# --- reminders ---------------------------------------------------------------------------


@bp.post("/profile/notifications")
@role_required(*ALL_ROLES)
def save_notifications() -> Response:
    """One's own reminder frequency for each kind of due item."""
    user = current_user._get_current_object()
    chosen = {kind: request.form.get(f"notify-{kind}", "") for kind in reminders.settings_of(user)}
    if any(value not in {f.value for f in Frequency} for value in chosen.values()):
        flash(_("Choose daily, weekly or never for each kind of reminder."), "error")
    else:
        reminders.save_settings(user, chosen)
        flash(_("Your reminder settings were saved."), "success")
    return redirect(url_for("auth.profile") + "#notifications")


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # RFC 8058: the mail client posts List-Unsubscribe=One-Click, without a session
def unsubscribe(token: str) -> Response | tuple[str, int]:
    """Stop every reminder; works signed out. GET asks, POST (one click) does it."""
    user = reminders.user_of_unsubscribe_token(token)
    if user is None:
        abort(404)
    if request.method == "POST":
        reminders.unsubscribe(user)
        body = render_template("mail/unsubscribed.html", email=user.email)
        return _private(current_app.make_response((body, 200)))
    body = render_template("mail/unsubscribe.html", email=user.email, token=token)
    return _private(current_app.make_response((body, 200)))


# --- calendars ---------------------------------------------------------------------------


@bp.post("/profile/calendar")
@role_required(*ALL_ROLES)
def create_calendar() -> Response:
    """A new secret feed address, shown on this response only (the old one stops working)."""
    token = calendar_service.create_feed(current_user._get_current_object())
    feed_url = base_url() + url_for("mail.user_calendar", token=token)
    body = render_template("mail/calendar_created.html", feed_url=feed_url)
    return _private(current_app.make_response((body, 200)))


@bp.post("/profile/calendar/revoke")
@role_required(*ALL_ROLES)
def revoke_calendar() -> Response:
    """Revoke one's feed: its address answers 404 from now on."""
    if calendar_service.revoke_feed(current_user._get_current_object()):
        flash(_("Your calendar feed was revoked."), "success")
    return redirect(url_for("auth.profile") + "#calendar")


@bp.get("/calendar/<token>.ics")
def user_calendar(token: str) -> Response:
    """A user's feed by its secret address (no session: calendar applications have none)."""
    user = calendar_service.user_of_feed(token)
    if user is None:
        abort(404)
    language = language_of(user)
    with force_locale(language):
        body = calendar_service.user_feed(user, date.today(), base_url(), language)
    response = current_app.response_class(body, mimetype="text/calendar")
    response.headers["Content-Type"] = CALENDAR_TYPE
    return _private(response)


@bp.get("/pilots/<int:pilot_id>/calendar.ics")
@role_required(*ALL_ROLES)
def pilot_calendar(pilot_id: int) -> Response:
    """One pilot's reviews, gate meetings and planned end (404 for a pilot not visible)."""
    pilot = visible_pilot_or_404(pilot_id, current_user)
    body = calendar_service.pilot_feed(
        pilot, date.today(), base_url(), current_language(), current_user
    )
    response = current_app.response_class(body, mimetype="text/calendar")
    response.headers["Content-Type"] = CALENDAR_TYPE
    response.headers["Content-Disposition"] = f'attachment; filename="pilot-{pilot.id}.ics"'
    response.headers["Cache-Control"] = "private, no-cache"
    return response


# --- outbox ------------------------------------------------------------------------------


@bp.get("/admin/outbox")
@role_required(Role.ADMIN)
def outbox_page() -> str:
    """What the outbox holds: waiting, being sent, sent, and the failures being retried."""
    status_labels = {"pending": _("Waiting"), "sending": _("Being sent"), "sent": _("Sent")}
    return render_template(
        "mail/outbox.html", summary=outbox.summary(), status_labels=status_labels
    )
