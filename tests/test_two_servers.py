"""The reference deployment, short: nginx (with deploy/'s proxy settings) in front of two
gunicorn app servers on one SQLite database. A session started on one server is served by the
other; with one server killed, the next requests through nginx still answer 200, from the
survivor. The long version with load and faults is `bench/load.py --lb`."""

from __future__ import annotations

import os
import secrets
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench import lb

EMAIL = "kaksi@example.com"
PASSWORD = "kaksi-palvelinta-2026"


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[lb.Deployment]:
    if lb.nginx_binary() is None:
        pytest.skip("nginx is not installed (apt-get install -y nginx)")
    workdir = tmp_path_factory.mktemp("lb")
    env = {
        **os.environ,
        "APP_CONFIG": "development",
        "DATABASE_URL": f"sqlite:///{workdir / 'app.db'}",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "TRUSTED_PROXIES": "1",
        "RATELIMIT_STORAGE_URI": "memory://",
    }
    env.pop("TEST_DATABASE_URL", None)
    flask = [str(Path(lb.ROOT) / ".venv" / "bin" / "flask"), "--app", "wsgi"]
    subprocess.run([*flask, "db", "upgrade"], cwd=lb.ROOT, env=env, check=True, capture_output=True)
    subprocess.run(
        [*flask, "create-user", EMAIL, "--role", "coordinator", "--password-stdin"],
        cwd=lb.ROOT,
        env=env,
        input=PASSWORD + "\n",
        text=True,
        check=True,
        capture_output=True,
    )
    running = lb.start(env, workdir, servers=2, workers=1)
    try:
        yield running
    finally:
        running.stop()


def test_a_session_crosses_servers_and_the_survivor_answers(deployment: lb.Deployment) -> None:
    first, second = deployment.servers
    session = lb.Session(deployment.port)
    assert session.sign_in(EMAIL, PASSWORD, port=first.port) == 302
    status, page = session.request("GET", "/pilots", port=second.port)
    assert status == 200 and EMAIL in page

    answered = set()
    for _ in range(4):
        status, _ = session.request("GET", "/pilots")
        assert status == 200
        answered.add(session.upstream)
    assert answered == {first.address, second.address}

    first.kill()
    for _ in range(6):
        status, page = session.request("GET", "/pilots")
        assert status == 200 and EMAIL in page
        # nginx names every server it tried: the last one answered.
        assert (session.upstream or "").split(", ")[-1] == second.address
