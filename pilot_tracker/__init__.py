"""Kokeilusalkku: the application factory reads as a table of contents."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask

from config import (
    CONFIGS,
    INSTANCE_DIR,
    MIGRATIONS_DIR,
    TEMPLATES_DIR,
    Config,
    ConfigError,
    ProductionConfig,
)

__all__ = ["ConfigError", "create_app"]


def create_app(config_name: str | None = None, test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app; `config_name` defaults to `APP_CONFIG` or development."""
    name = config_name or os.environ.get("APP_CONFIG", "development")
    if name not in CONFIGS:
        raise ConfigError(f"APP_CONFIG must be one of {', '.join(CONFIGS)}, not {name!r}")
    config_cls: type[Config] = CONFIGS[name]
    if config_cls is ProductionConfig:
        ProductionConfig.validate()

    app = Flask(
        __name__,
        template_folder=str(TEMPLATES_DIR),
        instance_path=str(INSTANCE_DIR),
    )
    app.config.from_object(config_cls)
    # Read at call time, not import time, so tests and CLI can set the environment late.
    if name != "testing" and os.environ.get("DATABASE_URL"):
        app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
    if name == "testing" and os.environ.get("TEST_DATABASE_URL"):
        app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["TEST_DATABASE_URL"]
    if os.environ.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = os.environ["SECRET_KEY"]
    # Optional settings an operator may give in the environment.
    for key in (
        "RATELIMIT_STORAGE_URI",
        "RATELIMIT_KEY_PREFIX",
        "LOGIN_RATE_LIMIT",
        "ACCESSIBILITY_CONTACT",
        "PRIVACY_CONTROLLER",
        "PRIVACY_CONTACT",
        "FEEDBACK_ADDRESS_LIMIT",
        "FEEDBACK_PILOT_LIMIT",
        "SESSION_IDLE_MINUTES",
        "SESSION_LIFETIME_HOURS",
        "POSTGRES_RANDOM_PAGE_COST",
    ):
        if os.environ.get(key):
            app.config[key] = os.environ[key]
    from pilot_tracker.mail_config import apply_environment as apply_mail_environment

    apply_mail_environment(app)
    if test_config:
        app.config.update(test_config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _development_secret()

    from pilot_tracker.database import configure_engine_options

    configure_engine_options(app)
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_request_hooks(app)
    register_template_helpers(app)
    register_commands(app)
    return app


def _development_secret() -> str:
    """A per-checkout random key kept under instance/, so dev sessions survive restarts."""
    path = Path(INSTANCE_DIR) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def register_extensions(app: Flask) -> None:
    """Bind the extensions created in `extensions.py`."""
    from pilot_tracker import compression
    from pilot_tracker.extensions import babel, csrf, db, limiter, login_manager, mail, migrate
    from pilot_tracker.language import i18n

    # First, so that its after-request hook runs last, on the finished response.
    compression.register(app)
    db.init_app(app)
    from pilot_tracker.services import aggregates

    aggregates.install()  # maintained aggregates follow every ORM write
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR), render_as_batch=True)
    csrf.init_app(app)
    babel.init_app(
        app,
        locale_selector=i18n.select_locale,
        default_translation_directories=str(Path(__file__).parent / "translations"),
    )
    limiter.init_app(app)
    mail.init_app(app)
    login_manager.init_app(app)
    from pilot_tracker.api.core import TOKEN_ONLY_BLUEPRINTS, user_from_token
    from pilot_tracker.auth.loader import configure as configure_login

    configure_login(
        app, login_manager, request_loader=user_from_token, sessionless=TOKEN_ONLY_BLUEPRINTS
    )


def register_blueprints(app: Flask) -> None:
    """One blueprint per feature."""
    from pilot_tracker.database import DatabaseIdConverter

    # Before any rule is added: `<int:...>` ids stay within what the database holds.
    app.url_map.converters["int"] = DatabaseIdConverter
    from pilot_tracker.admin import bp as admin_bp
    from pilot_tracker.auth import bp as auth_bp
    from pilot_tracker.costs import bp as costs_bp
    from pilot_tracker.dashboards import bp as dashboards_bp
    from pilot_tracker.exchange import bp as exchange_bp
    from pilot_tracker.help import bp as help_bp
    from pilot_tracker.mail import bp as mail_bp
    from pilot_tracker.main import bp as main_bp
    from pilot_tracker.pilots import bp as pilots_bp
    from pilot_tracker.public import bp as public_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(pilots_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(dashboards_bp)
    app.register_blueprint(exchange_bp)
    app.register_blueprint(public_bp)
    app.register_blueprint(costs_bp)
    app.register_blueprint(mail_bp)
    app.register_blueprint(help_bp)

    from pilot_tracker.api import register as register_api

    register_api(app)


def register_errorhandlers(app: Flask) -> None:
    """HTML error pages, or problem+json under /api/."""
    from pilot_tracker.web.errors import register

    register(app)


def register_request_hooks(app: Flask) -> None:
    """Security headers on every response."""
    from pilot_tracker.security import register
    from pilot_tracker.web import policy

    register(app)
    policy.register(app)


def register_template_helpers(app: Flask) -> None:
    """Formatting filters and globals for templates."""
    from pilot_tracker.web.templating import register_template_helpers as register_helpers

    register_helpers(app)


def register_commands(app: Flask) -> None:
    """`flask --app wsgi ...` commands."""
    from pilot_tracker.cli import register

    register(app)
