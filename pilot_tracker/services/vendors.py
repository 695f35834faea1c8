"""Vendors: creating and editing them, with the business ID (Y-tunnus) checked; audited."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from pilot_tracker.domain.business_id import business_id_error, normalise_business_id
from pilot_tracker.domain.email import normalise_email
from pilot_tracker.domain.errors import Message
from pilot_tracker.extensions import db
from pilot_tracker.models import Vendor
from pilot_tracker.services import audit
from pilot_tracker.services.pilots import PilotValidationError

MAX_NAME = 200
_SHAPE = re.compile(r"[0-9]{7}-[0-9]")


def _clean(
    name: str, business_id: str, contact_email: str | None, vendor_id: int | None
) -> tuple[str, str, str | None]:
    """Normalised values, or PilotValidationError naming each bad field."""
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = [Message("vendor_name_required")]
    elif len(name) > MAX_NAME:
        errors["name"] = [Message("name_too_long_max", max=MAX_NAME)]

    normalised = normalise_business_id(business_id or "")
    if not normalised:
        errors["business_id"] = [Message("business_id_required")]
    elif business_id_error(normalised) is not None:
        if _SHAPE.fullmatch(normalised):
            message = Message("business_id_check_digit_short", value=normalised)
        else:
            message = Message("business_id_shape")
        errors["business_id"] = [message]
    else:
        taken = sa.select(Vendor.id).where(Vendor.business_id == normalised)
        if vendor_id is not None:
            taken = taken.where(Vendor.id != vendor_id)
        if db.session.scalars(taken).first() is not None:
            errors["business_id"] = [Message("business_id_taken", value=normalised)]

    email = (contact_email or "").strip() or None
    if email is not None and normalise_email(email) is None:
        errors["contact_email"] = [Message("email_invalid", email=email)]
    if errors:
        raise PilotValidationError(errors)
    return name, normalised, email


@contextmanager
def _duplicate_is_a_field_error(normalised: str) -> Iterator[None]:
    """A concurrent save of the same business ID becomes a field error, not a 500."""
    try:
        yield
    except IntegrityError as exc:
        db.session.rollback()
        raise PilotValidationError(
            {"business_id": [Message("business_id_taken", value=normalised)]}
        ) from exc


def create_vendor(
    name: str, business_id: str, contact_email: str | None = None, *, commit: bool = True
) -> Vendor:
    """A new vendor; the business ID is normalised (`0201256-6`) and must be valid and unique."""
    name, normalised, email = _clean(name, business_id, contact_email, None)
    vendor = Vendor(name=name, business_id=normalised, contact_email=email)
    with _duplicate_is_a_field_error(normalised):
        db.session.add(vendor)
        db.session.flush()
        audit.record("create", "vendor", vendor.id, new=audit.row_values(vendor))
        if commit:
            db.session.commit()
    return vendor


def update_vendor(
    vendor: Vendor,
    *,
    name: str,
    business_id: str,
    contact_email: str | None = None,
    commit: bool = True,
) -> Vendor:
    """Change a vendor's name, business ID or contact e-mail; audited with old and new values."""
    name, normalised, email = _clean(name, business_id, contact_email, vendor.id)
    old = audit.row_values(vendor)
    vendor.name = name
    vendor.business_id = normalised
    vendor.contact_email = email
    with _duplicate_is_a_field_error(normalised):
        db.session.flush()
        audit.record("update", "vendor", vendor.id, old=old, new=audit.row_values(vendor))
        if commit:
            db.session.commit()
    return vendor
