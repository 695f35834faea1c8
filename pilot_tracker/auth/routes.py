"""`/login` and `/logout`."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from pilot_tracker.auth import bp
from pilot_tracker.auth.forms import LoginForm
from pilot_tracker.permissions import home_url
from pilot_tracker.services import users as user_service


def _safe_next(target: str | None) -> str | None:
    """Only same-site relative paths, so the sign-in cannot redirect elsewhere."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return None


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | Response | tuple[str, int]:
    """Sign in; the same message whether the account exists or not."""
    if current_user.is_authenticated:
        return redirect(home_url(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        user = user_service.authenticate(form.email.data or "", form.password.data or "")
        if user is not None:
            login_user(user)
            flash(_("You are signed in."), "success")
            return redirect(_safe_next(request.args.get("next")) or home_url(user))
        form.password.errors.append(_("Wrong e-mail or password."))
        return render_template("auth/login.html", form=form), 200
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@login_required
def logout() -> Response:
    """Sign out (POST with a CSRF token, so no page can sign someone out)."""
    logout_user()
    flash(_("You have signed out."), "info")
    return redirect(url_for("main.index"))
