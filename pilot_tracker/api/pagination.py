"""`?page` and `?per_page` over a select: one count query and one page query."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa

from pilot_tracker.extensions import db


def page_of(
    query: sa.Select[Any],
    args: dict[str, Any],
    shown: Callable[[Sequence[Any]], Sequence[Any]],
) -> dict[str, Any]:
    """`{"items", "page", "per_page", "total"}` for the page schema to dump; `query` must have
    a stable ORDER BY. `shown` gives the page's rows as the item schema dumps them (`list`:
    the models themselves)."""
    page, per_page = args["page"], args["per_page"]
    total = db.session.scalar(
        sa.select(sa.func.count()).select_from(query.order_by(None).subquery())
    )
    rows = db.session.scalars(query.limit(per_page).offset((page - 1) * per_page)).all()
    return {"items": shown(rows), "page": page, "per_page": per_page, "total": total or 0}
