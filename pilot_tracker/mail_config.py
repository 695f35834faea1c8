"""Mail settings from the environment: the environment wins over every configuration default."""

from __future__ import annotations

import os
from typing import Any

from flask import Flask

BACKENDS = ("smtp", "console", "file", "locmem")
_BOOLEANS = {"1": True, "true": True, "yes": True, "on": True}
_FALSE = {"0", "false", "no", "off", ""}


def _boolean(name: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value in _BOOLEANS:
        return True
    if value in _FALSE:
        return False
    from config import ConfigError

    raise ConfigError(f"{name} must be true or false, not {raw!r}.")


def apply_environment(app: Flask) -> None:
    """Copy MAIL_* (and the public base URL) from the environment into `app.config`."""
    from config import ConfigError

    env = os.environ
    settings: dict[str, Any] = {}
    for key in ("MAIL_SERVER", "MAIL_USERNAME", "MAIL_PASSWORD", "MAIL_DEFAULT_SENDER"):
        if key in env:
            settings[key] = env[key]
    if "MAIL_FILE_PATH" in env:
        settings["MAIL_FILE_PATH"] = env["MAIL_FILE_PATH"]
    if "PUBLIC_BASE_URL" in env:
        settings["PUBLIC_BASE_URL"] = env["PUBLIC_BASE_URL"]
    if "MAIL_PORT" in env:
        try:
            settings["MAIL_PORT"] = int(env["MAIL_PORT"])
        except ValueError as exc:
            raise ConfigError(
                f"MAIL_PORT must be a port number, not {env['MAIL_PORT']!r}."
            ) from exc
    for key in ("MAIL_USE_TLS", "MAIL_USE_SSL"):
        if key in env:
            settings[key] = _boolean(key, env[key])
    if "MAIL_BACKEND" in env:
        settings["MAIL_BACKEND"] = env["MAIL_BACKEND"].strip().lower()
    app.config.update(settings)
    backend = app.config.get("MAIL_BACKEND")
    if backend not in BACKENDS:
        raise ConfigError(f"MAIL_BACKEND must be one of {', '.join(BACKENDS)}, not {backend!r}.")
    if app.config.get("MAIL_USE_TLS") and app.config.get("MAIL_USE_SSL"):
        raise ConfigError("Set MAIL_USE_TLS (STARTTLS) or MAIL_USE_SSL (TLS), not both.")
