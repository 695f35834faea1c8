"""Signed-out landing page, `/healthz`, the about page with the data attribution and the
accessibility statement."""

from __future__ import annotations

from datetime import date

from flask import (
    Response,
    current_app,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.wrappers import Response as WResponse

from pilot_tracker.extensions import db
from pilot_tracker.language.i18n import LANG_COOKIE
from pilot_tracker.main import bp
from pilot_tracker.security import local_path


@bp.get("/")
def index() -> str | WResponse:
    """Signed-out landing page; signed-in users go to their home."""
    if current_user.is_authenticated:
        from pilot_tracker.permissions import home_url

        return redirect(home_url(current_user))
    return render_template("main/index.html")


@bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    """200 when the database answers, 503 otherwise."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="unavailable"), 503
    return jsonify(status="ok"), 200


@bp.get("/about")
def about() -> str:
    """What the product is, and the attribution of the data it ships (CC BY 4.0)."""
    return render_template("main/about.html")


# When the accessibility statement was last reviewed against the service (update it with
# each new evaluation); the feedback address comes from ACCESSIBILITY_CONTACT.
ACCESSIBILITY_REVIEWED = date(2026, 11, 27)
DEFAULT_ACCESSIBILITY_CONTACT = "saavutettavuus@kokeilusalkku.example"


@bp.get("/accessibility")
def accessibility() -> str:
    """The accessibility statement (saavutettavuusseloste) Act 306/2019 requires."""
    return render_template(
        "main/accessibility.html",
        contact=current_app.config.get("ACCESSIBILITY_CONTACT") or DEFAULT_ACCESSIBILITY_CONTACT,
        reviewed=ACCESSIBILITY_REVIEWED,
    )


# The controller of the personal data this service handles (GDPR Art. 13(1)(a)); set
# PRIVACY_CONTROLLER and PRIVACY_CONTACT where the service is run.
DEFAULT_PRIVACY_CONTROLLER = "Kokeilusalkku, the joint pilots of the participating municipalities"
DEFAULT_PRIVACY_CONTACT = "tietosuoja@kokeilusalkku.example"


@bp.get("/privacy")
def privacy() -> str:
    """The privacy notice (GDPR Art. 13): controller, purposes, what is stored and what is
    not, retention, the data subject's rights; the feedback form links here."""
    config = current_app.config
    return render_template(
        "main/privacy.html",
        controller=config.get("PRIVACY_CONTROLLER") or DEFAULT_PRIVACY_CONTROLLER,
        contact=config.get("PRIVACY_CONTACT") or DEFAULT_PRIVACY_CONTACT,
    )


@bp.post("/language")
def set_language() -> WResponse:
    """Remember the chosen language in a cookie (and on the profile when signed in)."""
    lang = request.form.get("lang", "")
    target = local_path(request.form.get("next")) or url_for("main.index")
    response = make_response(redirect(target))
    if lang in ("fi", "sv", "en"):
        response.set_cookie(
            LANG_COOKIE,
            lang,
            max_age=365 * 24 * 3600,
            samesite="Lax",
            httponly=True,
            secure=bool(current_app.config["SESSION_COOKIE_SECURE"]),  # Secure in production
        )
        if current_user.is_authenticated:
            current_user.language = lang
            db.session.commit()
    return response
