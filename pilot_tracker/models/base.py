"""Declarative base with a constraint naming convention, so migrations name things stably."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Base of every model."""

    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    """Timezone-aware now, evaluated per row (never at import time)."""
    return datetime.now(UTC)


def new_uid() -> str:
    """A random UUID as text: a row's identity in files, the same in every database."""
    return str(uuid.uuid4())


def uid_column() -> Any:
    """The `uid` of a pilot or of a row hanging off it (unique; NULL only in the database's
    eyes: SQLite cannot add a NOT NULL column without rebuilding the table, and migration
    0009 gives every existing row one)."""
    return mapped_column(sa.String(36), default=new_uid, nullable=True, unique=True, index=True)


def enum_column(enum_cls: type, name: str) -> sa.Enum:
    """A portable enum: VARCHAR plus a named CHECK constraint on both databases."""
    return sa.Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
    )


class UTCDateTime(sa.TypeDecorator[datetime]):
    """Stores UTC and always returns an aware datetime, on SQLite as on PostgreSQL."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use an aware one (UTC)")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# Made by migrations outside the ORM: the search structures of 0003 (they differ per
# database) and the expression index of 0007 (lower(name), id), which SQLite cannot reflect.
OUTSIDE_ORM_PREFIXES = (
    "pilot_search_fts",
    "ix_pilots_search_",
    "ix_pilots_name_lower",
    "ix_lessons_search_",
)


def include_in_autogenerate(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    """Autogenerate filter: the objects migrations make outside the ORM are not drift."""
    return not (reflected and name and name.startswith(OUTSIDE_ORM_PREFIXES))
