"""Real app servers for the deployment tests: gunicorn in a subprocess, spoken to over HTTP.

The client keeps cookies by hand (a production server sets `Secure` cookies, which a cookie
jar would not send back over the plain-http loopback; the tests pass `X-Forwarded-Proto:
https` as the TLS-terminating proxy would, and gunicorn trusts it from 127.0.0.1).
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path

CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


OPENER = urllib.request.build_opener(NoRedirect)


@dataclass
class Answer:
    status: int
    headers: Mapping[str, str]
    set_cookies: list[str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


@dataclass
class Browser:
    """Cookies by hand, `https` as the proxy says, no redirects followed."""

    cookies: dict[str, str] = field(default_factory=dict)
    forwarded_https: bool = True

    def request(self, base: str, path: str, data: dict[str, str] | None = None) -> Answer:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(base + path, data=body, method="POST" if body else "GET")
        if self.cookies:
            req.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        if self.forwarded_https:
            req.add_header("X-Forwarded-Proto", "https")
            # As a browser sends it; Flask-WTF checks it on https (WTF_CSRF_SSL_STRICT).
            req.add_header("Referer", "https://" + base.split("://", 1)[1] + path)
        try:
            with OPENER.open(req, timeout=30) as response:
                answer = Answer(
                    response.status,
                    response.headers,
                    response.headers.get_all("Set-Cookie") or [],
                    response.read(),
                )
        except urllib.error.HTTPError as error:
            answer = Answer(
                error.code, error.headers, error.headers.get_all("Set-Cookie") or [], error.read()
            )
        for header in answer.set_cookies:
            cookie = SimpleCookie()
            cookie.load(header)
            for name, morsel in cookie.items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return answer

    def csrf(self, base: str, path: str = "/login") -> str:
        answer = self.request(base, path)
        match = CSRF_RE.search(answer.text)
        assert answer.status == 200 and match, (path, answer.status)
        return match.group(1)

    def sign_in(self, base: str, email: str, password: str) -> Answer:
        token = self.csrf(base)
        return self.request(
            base, "/login", {"csrf_token": token, "email": email, "password": password}
        )


def wait_until_up(base: str, process: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = process.stdout.read().decode() if process.stdout else ""
            raise AssertionError(f"gunicorn exited with {process.returncode}:\n{output}")
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{base} did not come up in {seconds} s")


@contextmanager
def gunicorn(
    python: Path,
    env: Mapping[str, str],
    cwd: Path,
    workers: int = 1,
    app: str = "wsgi:app",
) -> Iterator[str]:
    """A gunicorn server on a free port (its base URL); stopped and reaped afterwards."""
    port = free_port()
    command = [
        str(python), "-m", "gunicorn", "--bind", f"127.0.0.1:{port}",
        "--workers", str(workers), "--access-logfile", "-", app,
    ]  # fmt: skip
    process = subprocess.Popen(
        command, cwd=cwd, env=dict(env), stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base, process)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout:
            process.stdout.close()


def base_env(**extra: str) -> dict[str, str]:
    """A minimal environment: no inherited Flask or database settings."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "LANG": "C.UTF-8",
    }
    env.update(extra)
    return env
