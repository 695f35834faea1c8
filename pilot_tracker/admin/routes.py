"""`/admin/users` (admins) and `/admin/vendors` (coordinators and admins)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from pilot_tracker.admin import bp
from pilot_tracker.admin.forms import (
    PasswordResetForm,
    UserCreateForm,
    UserEditForm,
    VendorForm,
    role_choices,
)
from pilot_tracker.catalogue import render
from pilot_tracker.domain.enums import Role
from pilot_tracker.extensions import db
from pilot_tracker.language.i18n import current_language
from pilot_tracker.language.i18n import gettext as _
from pilot_tracker.models import AuditEntry, Municipality, User, Vendor
from pilot_tracker.permissions import EDITORS, role_required
from pilot_tracker.services import account_links
from pilot_tracker.services import users as user_service
from pilot_tracker.services import vendors as vendor_service
from pilot_tracker.services.pilots import PilotValidationError
from pilot_tracker.web.forms import attach_errors

PER_PAGE = 50
HISTORY_LENGTH = 20


def _like(text: str) -> str:
    """A LIKE pattern matching `text` anywhere, with its wildcards taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _history(entity: str, entity_id: int) -> list[AuditEntry]:
    """The newest audit entries of one record."""
    return list(
        db.session.scalars(
            sa.select(AuditEntry)
            .where(AuditEntry.entity == entity, AuditEntry.entity_id == str(entity_id))
            .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
            .limit(HISTORY_LENGTH)
        )
    )


def _set_tie_choices(form: UserEditForm) -> None:
    """Roles, municipalities (in the page's language) and vendors to choose from."""
    form.role.choices = role_choices()
    language = current_language()
    municipalities = db.session.execute(
        sa.select(Municipality.code, Municipality.name_fi, Municipality.name_sv)
    ).all()
    named = sorted(
        (
            (code, name_sv if language == "sv" else name_fi)
            for code, name_fi, name_sv in municipalities
        ),
        key=lambda pair: pair[1],
    )
    form.municipality_code.choices = [SelectChoice("", _("None"))] + [
        SelectChoice(code, f"{name} ({code})") for code, name in named
    ]
    vendors = db.session.execute(sa.select(Vendor.id, Vendor.name).order_by(Vendor.name)).all()
    form.vendor_id.choices = [SelectChoice("", _("None"))] + [
        SelectChoice(str(vid), name) for vid, name in vendors
    ]


def _ties(form: UserEditForm) -> dict[str, Any]:
    vendor = form.vendor_id.data or ""
    return {
        "municipality_code": form.municipality_code.data or None,
        "vendor_id": int(vendor) if vendor.isdigit() else None,
    }


def _user_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


# --- users -------------------------------------------------------------------------------


@bp.get("/users")
@role_required(Role.ADMIN)
def users() -> str:
    """Every user, by e-mail, 50 a page; filter by text and role."""
    q = request.args.get("q", "").strip()
    role = request.args.get("role", "")
    query = (
        sa.select(User)
        .options(selectinload(User.municipality), selectinload(User.vendor))
        .order_by(User.email)
    )
    if q:
        pattern = _like(q.lower())
        query = query.where(
            sa.or_(
                User.email.like(pattern, escape="\\"),
                sa.func.lower(User.name).like(pattern, escape="\\"),
            )
        )
    if role in {r.value for r in Role}:
        query = query.where(User.role == Role(role))
    page = db.paginate(query, per_page=PER_PAGE, max_per_page=200, error_out=False)
    args = {k: v for k, v in (("q", q), ("role", role)) if v}
    roles = [(choice.value, choice.label) for choice in role_choices()]
    return render_template("admin/users.html", page=page, q=q, role=role, roles=roles, args=args)


@bp.route("/users/new", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def new_user() -> str | Response:
    """Create a user and send them an invitation to choose their own password."""
    form = UserCreateForm()
    _set_tie_choices(form)
    if form.validate_on_submit():
        try:
            user = account_links.invite_user(
                form.email.data or "",
                form.role.data or "",
                name=form.name.data or "",
                **_ties(form),
            )
        except PilotValidationError as exc:
            db.session.rollback()
            attach_errors(form, exc.errors)
        else:
            flash(
                _(
                    "The user %(email)s was created and an invitation sent to that address.",
                    email=user.email,
                ),
                "success",
            )
            return redirect(url_for("admin.edit_user", user_id=user.id))
    return render_template("admin/user_new.html", form=form)


def _user_page(user: User, form: UserEditForm | None = None, **extra: Any) -> str:
    if form is None:
        form = UserEditForm(
            formdata=None,
            name=user.name,
            role=user.role.value,
            municipality_code=user.municipality_code or "",
            vendor_id=str(user.vendor_id or ""),
        )
        _set_tie_choices(form)
    return render_template(
        "admin/user_edit.html",
        user=user,
        form=form,
        reset_form=extra.pop("reset_form", None) or PasswordResetForm(prefix="reset"),
        history=_history("user", user.id),
        is_self=user.id == current_user.id,
        **extra,
    )


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def edit_user(user_id: int) -> str | Response:
    """Change a user's name, role and ties; nobody can remove their own admin role."""
    user = _user_or_404(user_id)
    if request.method == "GET":
        return _user_page(user)
    form = UserEditForm()
    _set_tie_choices(form)
    if form.validate_on_submit():
        try:
            user_service.update_user(
                user,
                actor=current_user._get_current_object(),
                name=form.name.data or "",
                role=form.role.data or "",
                **_ties(form),
            )
        except PilotValidationError as exc:
            attach_errors(form, exc.errors)
        else:
            flash(_("The user %(email)s was saved.", email=user.email), "success")
            return redirect(url_for("admin.edit_user", user_id=user.id))
    return _user_page(user, form)


@bp.post("/users/<int:user_id>/deactivate")
@role_required(Role.ADMIN)
def deactivate_user(user_id: int) -> Response:
    """Deactivate (never delete): the user's sessions and API tokens stop working."""
    user = _user_or_404(user_id)
    try:
        user_service.deactivate_user(user, actor=current_user._get_current_object())
    except PilotValidationError as exc:
        for messages in exc.errors.values():
            for message in messages:
                flash(render(message), "error")
    else:
        flash(_("%(email)s was deactivated and signed out.", email=user.email), "success")
    return redirect(url_for("admin.edit_user", user_id=user.id))


@bp.post("/users/<int:user_id>/reactivate")
@role_required(Role.ADMIN)
def reactivate_user(user_id: int) -> Response:
    """Let a deactivated user sign in again."""
    user = _user_or_404(user_id)
    user_service.reactivate_user(user, actor=current_user._get_current_object())
    flash(_("%(email)s can sign in again.", email=user.email), "success")
    return redirect(url_for("admin.edit_user", user_id=user.id))


@bp.post("/users/<int:user_id>/password")
@role_required(Role.ADMIN)
def reset_password(user_id: int) -> str | Response:
    """Send the user a link to choose a new password (the admin never sees it)."""
    user = _user_or_404(user_id)
    form = PasswordResetForm(prefix="reset")
    if form.validate_on_submit():
        if not user.active:
            flash(_("%(email)s is deactivated; reactivate them first.", email=user.email), "error")
        else:
            account_links.send_password_reset(user.email)
            flash(
                _("A link to choose a new password was sent to %(email)s.", email=user.email),
                "success",
            )
        return redirect(url_for("admin.edit_user", user_id=user.id))
    return _user_page(user, reset_form=form)


# --- vendors -----------------------------------------------------------------------------


@bp.get("/vendors")
@role_required(*EDITORS)
def vendors() -> str:
    """Every vendor by name, 50 a page; filter by name or business ID."""
    q = request.args.get("q", "").strip()
    query = sa.select(Vendor).order_by(Vendor.name, Vendor.id)
    if q:
        pattern = _like(q.lower())
        query = query.where(
            sa.or_(
                sa.func.lower(Vendor.name).like(pattern, escape="\\"),
                Vendor.business_id.like(pattern, escape="\\"),
            )
        )
    page = db.paginate(query, per_page=PER_PAGE, max_per_page=200, error_out=False)
    return render_template("admin/vendors.html", page=page, q=q, args={"q": q} if q else {})


@bp.route("/vendors/new", methods=["GET", "POST"])
@role_required(*EDITORS)
def new_vendor() -> str | Response:
    """Register a vendor; the business ID's check digit is validated."""
    form = VendorForm()
    if form.validate_on_submit():
        try:
            vendor = vendor_service.create_vendor(
                form.name.data or "", form.business_id.data or "", form.contact_email.data
            )
        except PilotValidationError as exc:
            attach_errors(form, exc.errors)
        else:
            flash(_("The vendor %(name)s was created.", name=vendor.name), "success")
            return redirect(url_for("admin.vendors"))
    return render_template("admin/vendor_form.html", form=form, vendor=None, history=[])


@bp.route("/vendors/<int:vendor_id>", methods=["GET", "POST"])
@role_required(*EDITORS)
def edit_vendor(vendor_id: int) -> str | Response:
    """Change a vendor's name, business ID or contact e-mail."""
    vendor = db.session.get(Vendor, vendor_id)
    if vendor is None:
        abort(404)
    form = VendorForm(obj=vendor)
    if form.validate_on_submit():
        try:
            vendor_service.update_vendor(
                vendor,
                name=form.name.data or "",
                business_id=form.business_id.data or "",
                contact_email=form.contact_email.data,
            )
        except PilotValidationError as exc:
            attach_errors(form, exc.errors)
        else:
            flash(_("The vendor %(name)s was saved.", name=vendor.name), "success")
            return redirect(url_for("admin.vendors"))
    return render_template(
        "admin/vendor_form.html", form=form, vendor=vendor, history=_history("vendor", vendor.id)
    )
