"""Small builders for test data, going through the real services."""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Any

from pilot_tracker.domain.enums import Role, SplitMethod, Theme
from pilot_tracker.extensions import db
from pilot_tracker.models import Pilot, User, Vendor
from pilot_tracker.services.pilots import PilotData, create_pilot, load_pilot_for_update
from pilot_tracker.services.users import create_user

PASSWORD = "correct horse battery"
_seq = itertools.count(1)
# Valid Y-tunnus values (check digits computed by the rule in tests/data/SOURCES.md).
VALID_BUSINESS_IDS = ["0201256-6", "0101263-6", "0204819-8", "0827616-7", "2077474-0", "1572860-0"]


def make_vendor(name: str | None = None, business_id: str | None = None) -> Vendor:
    n = next(_seq)
    vendor = Vendor(
        name=name or f"Vendor {n}",
        business_id=business_id or VALID_BUSINESS_IDS[n % len(VALID_BUSINESS_IDS)],
        contact_email=f"vendor{n}@example.com",
    )
    db.session.add(vendor)
    db.session.commit()
    return vendor


def make_user(role: Role | str, **kwargs: Any) -> User:
    n = next(_seq)
    email = kwargs.pop("email", f"{Role(role).value}{n}@example.com")
    return create_user(email, role, kwargs.pop("password", PASSWORD), **kwargs)


def make_pilot(
    participants: tuple[str, ...] = ("418", "536", "980"),
    *,
    method: SplitMethod = SplitMethod.PER_CAPITA,
    budget_cents: int = 12_000_000,
    funding_cents: int = 3_000_000,
    vendor: Vendor | None = None,
    manual: dict[str, Decimal] | None = None,
    **kwargs: Any,
) -> Pilot:
    data = PilotData(
        name=kwargs.pop("name", f"Pilot {next(_seq)}"),
        theme=kwargs.pop("theme", Theme.FACILITY_BOOKING),
        lead_municipality=kwargs.pop("lead", participants[0]),
        participants=list(participants),
        split_method=method,
        manual_shares=manual,
        budget_cents=budget_cents,
        external_funding_cents=funding_cents,
        vendor_id=vendor.id if vendor else None,
        **kwargs,
    )
    pilot = create_pilot(data)
    loaded = load_pilot_for_update(pilot.id)
    assert loaded is not None
    return loaded
