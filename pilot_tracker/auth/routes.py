"""`/login`, `/logout` and the user's own `/profile` (name, language, password, API tokens)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from pilot_tracker import mail_texts
from pilot_tracker.auth import bp
from pilot_tracker.auth.forms import (
    LoginForm,
    PasswordChangeForm,
    ProfileForm,
    TokenForm,
)
from pilot_tracker.extensions import db, limiter
from pilot_tracker.language.i18n import gettext as _
from pilot_tracker.models import ApiToken, Municipality
from pilot_tracker.permissions import ALL_ROLES, home_url, role_required
from pilot_tracker.security import local_path
from pilot_tracker.services import calendar as calendar_service
from pilot_tracker.services import reminders, sessions
from pilot_tracker.services import tokens as token_service
from pilot_tracker.services import users as user_service
from pilot_tracker.web.forms import attach_errors


def _login_limit() -> str:
    """`LOGIN_RATE_LIMIT`, read per request so an operator's (or a test's) setting applies."""
    return str(current_app.config["LOGIN_RATE_LIMIT"])


def _account_key() -> str:
    """The account being tried, so one account cannot be guessed at from many addresses."""
    return "account:" + (request.form.get("email") or "").strip().lower()[:254]


def _address_key() -> str:
    return "address:" + get_remote_address()


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], key_func=_address_key, scope="login-address")
@limiter.limit(_login_limit, methods=["POST"], key_func=_account_key, scope="login-account")
def login() -> str | Response | tuple[str, int]:
    """Sign in; the same message whether the account exists or not (429 past the limit)."""
    if current_user.is_authenticated:
        return redirect(home_url(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        user = user_service.authenticate(form.email.data or "", form.password.data or "")
        if user is not None:
            login_user(user)
            session[sessions.SESSION_KEY] = sessions.start(user.id)
            flash(_("You are signed in."), "success")
            # Only a path on this site, so the sign-in cannot redirect elsewhere.
            return redirect(local_path(request.args.get("next")) or home_url(user))
        form.password.errors.append(_("Wrong e-mail or password."))
        return render_template("auth/login.html", form=form), 200
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@login_required
def logout() -> Response:
    """Sign out (POST with a CSRF token, so no page can sign someone out); the session's
    server-side row goes, so a copy of the cookie opens nothing on any app server."""
    key = session.pop(sessions.SESSION_KEY, None)
    sessions.end(key if isinstance(key, str) else None)
    logout_user()
    flash(_("You have signed out."), "info")
    return redirect(url_for("main.index"))


def _profile_page(status: int = 200, **forms: Any) -> tuple[str, int]:
    """The profile page with all its forms; `forms` replaces the ones that carry errors."""
    user = current_user._get_current_object()
    profile_form = forms.pop("profile_form", None) or ProfileForm(
        formdata=None,
        name=user.name,
        language=user.language or "",
        home_municipality_code=user.home_municipality_code or "",
    )
    _home_choices(profile_form, user)
    tokens = db.session.scalars(
        sa.select(ApiToken)
        .where(ApiToken.user_id == user.id)
        .order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc(), ApiToken.id.desc())
    ).all()
    context = {
        "profile_form": profile_form,
        "password_form": forms.pop("password_form", None) or PasswordChangeForm(prefix="pw"),
        "token_form": forms.pop("token_form", None) or TokenForm(prefix="token", formdata=None),
        "tokens": tokens,
        "notification_settings": {k: v.value for k, v in reminders.settings_of(user).items()},
        "notification_labels": mail_texts.kind_labels(),
        "frequency_choices": mail_texts.frequency_choices(),
        "calendar_feed": calendar_service.active_feed(user),
        **forms,
    }
    return render_template("auth/profile.html", **context), status


def _home_choices(form: ProfileForm, user: Any) -> None:
    """The home municipality choices (all 308 by name), or no field at all for users who
    cannot choose one (services.users.can_choose_home)."""
    if not user_service.can_choose_home(user):
        del form.home_municipality_code
        return
    from pilot_tracker.language.i18n import current_language
    from pilot_tracker.services.municipalities import name_order

    language = current_language()
    places = db.session.scalars(sa.select(Municipality)).all()
    form.home_municipality_code.choices = [
        SelectChoice("", _("None: the portfolio dashboard is my home page")),
        *(
            SelectChoice(m.code, f"{m.name(language)} ({m.code})")
            for m in sorted(places, key=lambda m: name_order(m.name(language)))
        ),
    ]


@bp.route("/profile", methods=["GET", "POST"])
@role_required(*ALL_ROLES)
def profile() -> Response | tuple[str, int]:
    """One's own name and language, password and API tokens."""
    form = ProfileForm()
    user = current_user._get_current_object()
    if request.method == "POST":
        home = form.home_municipality_code.data or None
        _home_choices(form, user)
        if form.validate_on_submit():
            try:
                user_service.update_profile(
                    user,
                    name=form.name.data or "",
                    language=form.language.data or None,
                    home_municipality_code=home if user_service.can_choose_home(user) else None,
                )
            except user_service.UserError as exc:
                attach_errors(form, exc.errors)
            else:
                flash(_("Your profile was saved."), "success")
                return redirect(url_for("auth.profile"))
        return _profile_page(profile_form=form)
    return _profile_page()


@bp.post("/profile/password")
@role_required(*ALL_ROLES)
def change_password() -> Response | tuple[str, int]:
    """Change one's own password; every other session of the user ends, this one continues."""
    form = PasswordChangeForm(prefix="pw")
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            user_service.change_own_password(
                user, form.current_password.data or "", form.new_password.data or ""
            )
        except user_service.UserError as exc:
            attach_errors(form, exc.errors)
        else:
            login_user(user, fresh=True)  # the session now carries the new nonce
            flash(_("Your password was changed. Other sessions were signed out."), "success")
            return redirect(url_for("auth.profile"))
    return _profile_page(password_form=form)


@bp.post("/profile/tokens")
@role_required(*ALL_ROLES)
def create_token() -> Response | tuple[str, int]:
    """A new API token, shown on this one response only (never stored in plain text)."""
    form = TokenForm(prefix="token")
    if not form.validate_on_submit():
        return _profile_page(token_form=form)
    _token, plaintext = token_service.create_token(
        current_user._get_current_object(), name=form.name.data or ""
    )
    body, status = _profile_page(new_token=plaintext, new_token_name=form.name.data)
    response = current_app.make_response((body, status))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/profile/tokens/<int:token_id>/revoke")
@role_required(*ALL_ROLES)
def revoke_token(token_id: int) -> Response:
    """Revoke one of one's own tokens; anybody else's answers 404."""
    token = db.session.scalars(
        sa.select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == current_user.id)
    ).first()
    if token is None:
        abort(404)
    token_service.revoke_token(token)
    flash(_("The token %(name)s was revoked.", name=token.name or token.id), "success")
    return redirect(url_for("auth.profile"))
