"""Who may do what: route decorators for roles, `can_*` checks for objects, query scoping.

Views, templates and the API all ask this module; nothing else decides access. A pilot that
a user may not see is answered with 404, exactly as if it did not exist.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any, TypeVar, TypeVarTuple

import sqlalchemy as sa
from flask import abort, current_app, url_for
from flask_login import current_user

from pilot_tracker.domain.enums import Role
from pilot_tracker.extensions import db, login_manager
from pilot_tracker.models import Pilot, User

F = TypeVar("F", bound=Callable[..., Any])

EDITORS = (Role.ADMIN, Role.COORDINATOR)
READERS = (Role.ADMIN, Role.COORDINATOR, Role.COUNCIL)
ALL_ROLES = (Role.ADMIN, Role.COORDINATOR, Role.COUNCIL, Role.VENDOR)


def role_required(*roles: Role) -> Callable[[F], F]:
    """Signed-out → sign-in page (or 401 for the API); signed-in with another role → 403."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


def has_role(user: Any, *roles: Role) -> bool:
    """True for a signed-in, active user with one of `roles`."""
    return bool(getattr(user, "is_authenticated", False)) and user.role in roles


def can_view_pilot(user: Any, pilot: Pilot) -> bool:
    """Readers see every pilot; a vendor only its own vendor's; nobody else any (signed in)."""
    if has_role(user, *READERS):
        return True
    if has_role(user, Role.VENDOR):
        return user.vendor_id is not None and pilot.vendor_id == user.vendor_id
    return False


def can_edit_pilot(user: Any, pilot: Pilot | None = None) -> bool:
    """Coordinators and admins create and edit pilots and their KPIs and decisions."""
    return has_role(user, *EDITORS)


def can_delete_pilot(user: Any, pilot: Pilot | None = None) -> bool:
    """Only admins delete, and the audit log keeps what was deleted."""
    return has_role(user, Role.ADMIN)


def can_report_on(user: Any, pilot: Pilot) -> bool:
    """Status updates and measurements: the pilot's vendor, coordinators and admins."""
    if has_role(user, *EDITORS):
        return True
    return has_role(user, Role.VENDOR) and pilot.vendor_id == user.vendor_id


def can_view_costs(user: Any, pilot: Pilot | None = None) -> bool:
    """Cost entries, actual costs and billing: coordinators, admins and councils; no vendor."""
    return has_role(user, *READERS)


def can_edit_costs(user: Any, pilot: Pilot | None = None) -> bool:
    """Cost entries are recorded, corrected and deleted by coordinators and admins."""
    return has_role(user, *EDITORS)


def can_manage_users(user: Any) -> bool:
    """Users and the municipality register belong to admins."""
    return has_role(user, Role.ADMIN)


def can_manage_vendors(user: Any) -> bool:
    """Vendors are registered by coordinators and admins."""
    return has_role(user, *EDITORS)


def can_read_portfolio(user: Any) -> bool:
    """Dashboards and summaries across pilots: not for vendors."""
    return has_role(user, *READERS)


_Columns = TypeVarTuple("_Columns")


class Public:
    """Anyone, signed in or not, reading the open data (`/public`, the public API): the
    pilots marked public and nothing else. Has no role, so every `can_*` says no."""

    is_authenticated = False


PUBLIC = Public()


def pilot_scope(user: Any) -> sa.ColumnElement[bool] | None:
    """The condition on `Pilot` of what `user` may see; None for every pilot (readers)."""
    if isinstance(user, Public):
        return Pilot.is_public.is_(True)
    if has_role(user, *READERS):
        return None
    if has_role(user, Role.VENDOR) and user.vendor_id is not None:
        return Pilot.vendor_id == user.vendor_id
    return sa.false()


def scope_pilots(query: sa.Select[*_Columns], user: Any) -> sa.Select[*_Columns]:
    """Limit a select over `Pilot` to what `user` may see (vendors: their own only)."""
    condition = pilot_scope(user)
    return query if condition is None else query.where(condition)


def visible_pilot_or_404(pilot_id: int, user: Any, options: Iterable[Any] = ()) -> Pilot:
    """The pilot if `user` may see it; 404 otherwise (never reveal that it exists)."""
    query = scope_pilots(sa.select(Pilot).where(Pilot.id == pilot_id), user).options(*options)
    pilot = db.session.scalars(query).first()
    if pilot is None:
        abort(404)
    return pilot


def home_url(user: User) -> str:
    """Where a user lands after signing in."""
    views = current_app.view_functions
    if user.role == Role.COUNCIL and user.home_code and "dashboards.municipality" in views:
        return url_for("dashboards.municipality", code=user.home_code)
    if user.role == Role.VENDOR and "pilots.vendor_home" in views:
        return url_for("pilots.vendor_home")
    if user.role in READERS and "dashboards.portfolio" in views:
        return url_for("dashboards.portfolio")
    if "pilots.index" in views:
        return url_for("pilots.index")
    return url_for("main.about")


def can_work_on_follow_up(user: Any, pilot: Pilot, owner_kind: str) -> bool:
    """Status and comments of a follow-up item: editors on every item; the pilot's vendor on
    the items the vendor owns."""
    if has_role(user, *EDITORS):
        return True
    return (
        has_role(user, Role.VENDOR)
        and user.vendor_id is not None
        and pilot.vendor_id == user.vendor_id
        and owner_kind == "vendor"
    )
