"""Configuration classes, read from the environment.

`create_app` picks one by `APP_CONFIG` (development, testing, production); production refuses
to start without its secrets instead of falling back to a guessable value.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any, ClassVar

BASE_DIR = Path(__file__).resolve().parent
# A checkout (or an editable install) has templates/ and migrations/ beside this file; an
# installed wheel has copies of them inside the package (setup.py), and keeps its instance
# folder where Flask keeps an installed app's: <prefix>/var/kokeilusalkku-instance.
CHECKOUT = (BASE_DIR / "pyproject.toml").is_file()
TOP_DIR = BASE_DIR if CHECKOUT else BASE_DIR / "pilot_tracker" / "_top"
TEMPLATES_DIR = TOP_DIR / "templates"
MIGRATIONS_DIR = TOP_DIR / "migrations"
INSTANCE_DIR = (
    BASE_DIR / "instance" if CHECKOUT else Path(sys.prefix) / "var" / "kokeilusalkku-instance"
)


class ConfigError(RuntimeError):
    """A required setting is missing or unsafe."""


def _sqlite_default() -> str:
    return f"sqlite:///{INSTANCE_DIR / 'kokeilusalkku.db'}"


class Config:
    """Settings shared by every environment."""

    # SECRET_KEY and DATABASE_URL are read from the environment by `create_app`, at start-up
    # rather than at import time.
    SECRET_KEY: str | None = None
    SQLALCHEMY_DATABASE_URI = _sqlite_default()
    # pre_ping: a connection cut by a database restart is replaced instead of failing a request.
    SQLALCHEMY_ENGINE_OPTIONS: ClassVar[dict[str, Any]] = {"pool_pre_ping": True}
    SQLALCHEMY_RECORD_QUERIES = False
    # PostgreSQL plans with random_page_cost 4 unless told otherwise: a cost for spinning disks
    # that makes it read all 10 000 pilots to join a municipality's 200 (5 ms where looking
    # each up by its key takes 1 ms). 1.1 is PostgreSQL's own advice for SSDs and for data
    # that stays in memory; None (or "server" in the environment) leaves the server's setting
    # (set it on the database then, e.g. behind a PgBouncer that refuses start-up options:
    # ALTER DATABASE … SET random_page_cost).
    POSTGRES_RANDOM_PAGE_COST: float | None = 1.1
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the signed session
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    BABEL_DEFAULT_LOCALE = "fi"
    BABEL_DEFAULT_TIMEZONE = "Europe/Helsinki"
    LANGUAGES: ClassVar[tuple[str, ...]] = ("fi", "sv", "en")
    MAX_CONTENT_LENGTH = 5 * 1024 * 1024
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    # If Redis (RATELIMIT_STORAGE_URI) is down, limit in memory rather than fail sign-ins.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    LOGIN_RATE_LIMIT = "10 per minute"
    # Residents' feedback (web/feedback_guard.py): windows of at most a day, so the day's
    # salted address hash is gone from the store within the day.
    FEEDBACK_ADDRESS_LIMIT = "5 per 10 minutes;20 per day"
    FEEDBACK_PILOT_LIMIT = "600 per hour"
    FEEDBACK_MIN_SECONDS = 3
    # A signed-in session ends after this long without a request, and this long after sign-in
    # however busy (services/sessions.py); the environment may set either.
    SESSION_IDLE_MINUTES = 60
    SESSION_LIFETIME_HOURS = 12
    PASSWORD_MIN_LENGTH = 12
    PASSWORD_HASH_METHOD = "scrypt"
    HSTS_ENABLED = False
    REQUIRE_HTTPS = False
    STALE_AFTER_DAYS = 30
    # Mail (MAIL_* in the environment win over these; see pilot_tracker/mail_config.py).
    # Development and `make run` print messages on the console; production sends by SMTP.
    MAIL_BACKEND = "console"
    MAIL_SERVER = "localhost"
    MAIL_PORT = 25
    MAIL_USE_TLS = False
    MAIL_USE_SSL = False
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_DEFAULT_SENDER = "Kokeilusalkku <noreply@kokeilusalkku.invalid>"
    MAIL_TIMEOUT = 30
    MAIL_FILE_PATH = str(INSTANCE_DIR / "mail")
    # Links in messages start with this (e.g. https://kokeilusalkku.example.fi).
    PUBLIC_BASE_URL: str | None = None
    # A message claimed by a sender that died is taken over after this many seconds.
    OUTBOX_LEASE_SECONDS = 600
    # Compressed responses (pilot_tracker/compression.py): br, else gzip; small ones as they are.
    COMPRESS_ALGORITHM: ClassVar[list[str]] = ["br", "gzip"]
    COMPRESS_ALGORITHM_STREAMING: ClassVar[list[str]] = ["br", "gzip"]
    COMPRESS_MIN_SIZE = 500
    COMPRESS_MIMETYPES: ClassVar[list[str]] = [
        "text/html",
        "text/css",
        "text/csv",
        "text/plain",
        "text/javascript",
        "application/javascript",
        "application/json",
        "application/problem+json",
        "image/svg+xml",
    ]


class DevelopmentConfig(Config):
    """Local use: without SECRET_KEY a per-checkout random key is kept in instance/."""

    DEBUG = False


class TestingConfig(Config):
    """The test suite: cheap password hashing, CSRF on (tests fetch tokens like a browser)."""

    TESTING = True
    SECRET_KEY = "test-secret-key-not-for-production"
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"
    RATELIMIT_STORAGE_URI = "memory://"
    MAIL_BACKEND = "locmem"


class ProductionConfig(Config):
    """Production: secrets must come from the environment, cookies only over HTTPS."""

    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    HSTS_ENABLED = True
    PREFERRED_URL_SCHEME = "https"
    REQUIRE_HTTPS = True  # plain http gets a page saying so (web_policy.py)
    MAIL_BACKEND = "smtp"

    @classmethod
    def validate(cls) -> None:
        """Refuse to start without a strong secret and an explicit database."""
        secret = os.environ.get("SECRET_KEY", "")
        if len(secret) < 32:
            raise ConfigError(
                "SECRET_KEY must be set to at least 32 random characters in production "
                '(e.g. python -c "import secrets; print(secrets.token_urlsafe(48))").'
            )
        if not os.environ.get("DATABASE_URL"):
            raise ConfigError("DATABASE_URL must be set in production.")
        if not shared_rate_limit_store() and os.environ.get("GUNICORN_WORKERS") != "1":
            raise ConfigError(
                "RATELIMIT_STORAGE_URI must name a shared store (e.g. redis://host:6379/0) in "
                "production: counted in each worker's memory, the sign-in limit multiplies by "
                "the number of workers and app servers. To run one worker on one server "
                "without it, set GUNICORN_WORKERS=1."
            )


def shared_rate_limit_store() -> bool:
    """Whether `RATELIMIT_STORAGE_URI` names a store every worker and app server shares."""
    uri = os.environ.get("RATELIMIT_STORAGE_URI", "").strip()
    return bool(uri) and not uri.startswith("memory:")


CONFIGS: dict[str, type[Config]] = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}
