"""Limits and sessions that hold across app servers: two real gunicorn servers, one Redis.

Two gunicorn processes run the production configuration against one SQLite file and Redis
database 1 (with a key prefix of their own); requests alternate between them as a load
balancer would spread them. The sign-in limit (10 per minute) lets exactly 10 wrong
passwords through in all, then answers 429 on both; a session started on one server works
on the other, and signing out on one ends it on both.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from flask_migrate import upgrade

from pilot_tracker import create_app
from pilot_tracker.domain.enums import Role
from pilot_tracker.extensions import db
from pilot_tracker.services.users import create_user
from tests.server_helpers import Browser, base_env, gunicorn

ROOT = Path(__file__).resolve().parents[1]
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/1")
EMAIL = "limits@example.com"
PASSWORD = "correct horse battery staple"


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    """A key prefix of this test's own in Redis db 1; its keys are deleted afterwards."""
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.RedisError as exc:  # in CI a skip fails the run (REQUIRE_ALL_TESTS)
        pytest.skip(f"Redis is not reachable at {REDIS_URL}: {exc}")
    prefix = f"kokeilu-test-{uuid.uuid4().hex[:12]}"
    yield prefix
    for key in client.scan_iter(f"*{prefix}*"):
        client.delete(key)
    client.close()


@pytest.fixture
def database(tmp_path: Path) -> str:
    """A migrated SQLite file with one coordinator."""
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        create_user(EMAIL, Role.COORDINATOR, PASSWORD)
        db.engine.dispose()
    return url


def production_env(database: str, **extra: str) -> dict[str, str]:
    return base_env(
        APP_CONFIG="production",
        SECRET_KEY="s" * 48,
        DATABASE_URL=database,
        PYTHONPATH=str(ROOT),
        **extra,
    )


def test_the_sign_in_limit_is_exact_over_two_app_servers(
    database: str, redis_prefix: str, tmp_path: Path
) -> None:
    env = production_env(
        database, RATELIMIT_STORAGE_URI=REDIS_URL, RATELIMIT_KEY_PREFIX=redis_prefix
    )
    with ExitStack() as stack:
        servers = [
            stack.enter_context(gunicorn(Path(sys.executable), env, cwd=tmp_path)) for _ in range(2)
        ]
        browser = Browser()
        statuses = []
        for attempt in range(12):
            server = servers[attempt % 2]  # round robin, as the balancer spreads them
            answer = browser.sign_in(server, EMAIL, f"wrong password, attempt {attempt}")
            statuses.append(answer.status)
        assert statuses == [200] * 10 + [429, 429]


def test_a_session_is_one_session_on_every_app_server(
    database: str, redis_prefix: str, tmp_path: Path
) -> None:
    env = production_env(
        database, RATELIMIT_STORAGE_URI=REDIS_URL, RATELIMIT_KEY_PREFIX=redis_prefix
    )
    with (
        gunicorn(Path(sys.executable), env, cwd=tmp_path) as first,
        gunicorn(Path(sys.executable), env, cwd=tmp_path) as second,
    ):
        browser = Browser()
        assert browser.sign_in(first, EMAIL, PASSWORD).status == 302
        copied = Browser(cookies=dict(browser.cookies))
        assert browser.request(second, "/pilots").status == 200  # served by the other one
        token = browser.csrf(second, "/profile")
        assert browser.request(second, "/logout", {"csrf_token": token}).status == 302
        for server in (first, second):
            replay = copied.request(server, "/pilots")
            assert replay.status == 302 and "/login" in replay.headers["Location"]


def test_production_without_a_shared_store_refuses_to_start(database: str, tmp_path: Path) -> None:
    command = [sys.executable, "-m", "gunicorn", "--bind", "127.0.0.1:0", "--workers", "2"]
    done = subprocess.run(
        [*command, "wsgi:app"],
        cwd=tmp_path,
        env=production_env(database, GUNICORN_WORKERS="2"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert "RATELIMIT_STORAGE_URI must name a shared store" in done.stdout + done.stderr


@pytest.mark.parametrize(
    ("store", "workers", "starts"),
    [
        (None, None, False),
        ("memory://", None, False),
        ("memory://", "4", False),
        (None, "1", True),  # one worker on one server, configured explicitly
        ("redis://127.0.0.1:6379/1", None, True),
    ],
)
def test_production_needs_a_shared_store_unless_one_worker(
    monkeypatch: pytest.MonkeyPatch, store: str | None, workers: str | None, starts: bool
) -> None:
    from config import ConfigError

    monkeypatch.setenv("SECRET_KEY", "x" * 48)
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    for name, value in (("RATELIMIT_STORAGE_URI", store), ("GUNICORN_WORKERS", workers)):
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    if starts:
        assert create_app("production").config["RATELIMIT_STORAGE_URI"] == (store or "memory://")
    else:
        with pytest.raises(ConfigError, match="RATELIMIT_STORAGE_URI must name a shared store"):
            create_app("production")
