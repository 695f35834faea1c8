"""Engine set-up that makes SQLite behave like a real transactional database."""

from __future__ import annotations

import sqlite3
from typing import Any

import sqlalchemy as sa
from flask import Flask
from sqlalchemy.engine import Engine


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
