"""Engine set-up that makes SQLite behave like a real transactional database."""

from __future__ import annotations

import sqlite3
from typing import Any

import sqlalchemy as sa
from flask import Flask, has_request_context, request
from flask_sqlalchemy import SQLAlchemy
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy.engine import Engine
from werkzeug.routing import IntegerConverter, Map

# The largest id an INTEGER primary key holds on both databases.
MAX_ID = 2**31 - 1
# Past any real list; keeps OFFSET (page × at most 200 rows) inside a 32-bit integer.
MAX_PAGE = 1_000_000


class DatabaseIdConverter(IntegerConverter):
    """`<int:...>` in URLs: 0 to MAX_ID unless a rule says otherwise.

    A larger number is a 404 like any unknown id; unbounded, it overflowed the query's
    parameter (a 500: on SQLite past 2^63, on PostgreSQL past 2^31).
    """

    def __init__(
        self,
        map: Map,
        fixed_digits: int = 0,
        min: int | None = None,
        max: int | None = MAX_ID,
        signed: bool = False,
    ) -> None:
        super().__init__(map, fixed_digits, min, max, signed)


class PagedSQLAlchemy(SQLAlchemy):
    """Flask-SQLAlchemy whose `paginate` keeps the URL's `?page=` to at most MAX_PAGE.

    A larger page is as empty (or as 404) as any page past the last one; unbounded, its
    OFFSET overflowed the database's integer (a 500).
    """

    def paginate(
        self, select: sa.Select[Any], *, page: int | None = None, **kwargs: Any
    ) -> Pagination:
        if page is None and has_request_context():
            try:
                if int(request.args.get("page", 1)) > MAX_PAGE:
                    page = MAX_PAGE
            except (TypeError, ValueError):
                pass  # Flask-SQLAlchemy's own handling of a page that is not a number
        return super().paginate(select, page=page, **kwargs)


def configure_engine_options(app: Flask) -> None:
    """Per-dialect engine options; SQLite in memory needs one shared connection."""
    uri: str = app.config["SQLALCHEMY_DATABASE_URI"]
    options: dict[str, Any] = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    if uri.startswith("sqlite"):
        options.setdefault("connect_args", {})
        options["connect_args"].setdefault("timeout", 15)
        if uri in ("sqlite://", "sqlite:///:memory:"):
            options["poolclass"] = sa.pool.StaticPool
            options["connect_args"]["check_same_thread"] = False
    elif uri.startswith("postgresql"):
        cost = app.config.get("POSTGRES_RANDOM_PAGE_COST")
        if cost is not None and str(cost).strip().lower() != "server":
            # A libpq start-up option: every connection of the pool plans with it.
            options.setdefault("connect_args", {})
            options["connect_args"].setdefault("options", f"-c random_page_cost={float(cost)}")
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


@sa.event.listens_for(Engine, "connect")
def _sqlite_on_connect(dbapi_connection: Any, connection_record: Any) -> None:
    """Foreign keys on, WAL for concurrent readers, and let SQLAlchemy own BEGIN.

    pysqlite's own implicit transaction handling breaks SAVEPOINT and transactional DDL;
    turning it off and emitting BEGIN ourselves (below) is the documented remedy.
    """
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA busy_timeout = 15000")
    mode = cursor.execute("PRAGMA journal_mode").fetchone()
    if mode and mode[0] not in ("memory", "wal"):
        cursor.execute("PRAGMA journal_mode = WAL")
    cursor.close()


@sa.event.listens_for(Engine, "begin")
def _sqlite_on_begin(conn: sa.Connection) -> None:
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN")
