"""The reference deployment (deploy/) on 127.0.0.1, for bench/load.py --lb and its test:
Debian's nginx as a foreground process with a scratch config that includes the deployment's
own proxy settings (deploy/nginx/kokeilusalkku-proxy.conf), in front of gunicorn app servers.

Nothing here listens beyond 127.0.0.1; every process started is stopped by `stop()`.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROXY_CONF = ROOT / "deploy" / "nginx" / "kokeilusalkku-proxy.conf"
UPSTREAM_HEADER = "X-Upstream"  # the scratch config says which app server answered

NGINX_CONF = """\
# Scratch nginx for the two-server test (bench/lb.py); the proxy settings are the
# reference deployment's own (deploy/nginx/kokeilusalkku-proxy.conf).
worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/nginx-error.log warn;
events {{ worker_connections 512; }}
http {{
    access_log off;
    client_body_temp_path {dir}/client_body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    upstream kokeilusalkku {{
{servers}
        keepalive 16;
    }}
    server {{
        listen 127.0.0.1:{port};
        add_header {header} $upstream_addr always;
        location / {{
            include {proxy_conf};
            proxy_pass http://kokeilusalkku;
        }}
    }}
}}
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def nginx_binary() -> str | None:
    return shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx",) if os.access(p, os.X_OK)), None
    )


def wait_for(port: int, path: str = "/healthz", seconds: float = 30) -> None:
    """Until `path` answers 200 on the port (or fail)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        try:
            conn.request("GET", path)
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        finally:
            conn.close()
        time.sleep(0.1)
    raise RuntimeError(f"nothing answers on 127.0.0.1:{port}{path}")


@dataclass
class AppServer:
    """One gunicorn app server (a master and its workers, in a process group of its own)."""

    port: int
    process: subprocess.Popen[bytes]

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def kill(self) -> None:
        """SIGKILL the master and every worker at once: the server dies, nothing cleans up."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=30)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                self.kill()


@dataclass
class Deployment:
    """nginx on `port` in front of `servers`; `workdir` holds its config and logs."""

    workdir: Path
    port: int
    servers: list[AppServer]
    nginx: subprocess.Popen[bytes] | None = None
    logs: list[Path] = field(default_factory=list)

    def stop(self) -> None:
        if self.nginx is not None and self.nginx.poll() is None:
            self.nginx.send_signal(signal.SIGQUIT)
            try:
                self.nginx.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.nginx.kill()
                self.nginx.wait(timeout=5)
        for server in self.servers:
            server.stop()


def start_app_server(env: dict[str, str], port: int, log: Path, workers: int) -> AppServer:
    with log.open("w") as stderr:
        process = subprocess.Popen(
            [
                str(ROOT / ".venv" / "bin" / "gunicorn"),
                "-c",
                "gunicorn.conf.py",
                "--log-level",
                "warning",
                "wsgi:app",
            ],
            cwd=ROOT,
            env={**env, "GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_WORKERS": str(workers)},
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            start_new_session=True,  # its own process group, so that kill() takes the workers too
        )
    return AppServer(port, process)


def start(env: dict[str, str], workdir: Path, servers: int = 2, workers: int = 2) -> Deployment:
    """Start `servers` app servers and nginx in front of them; wait until all answer."""
    nginx = nginx_binary()
    if nginx is None:
        raise RuntimeError("nginx is not installed (apt-get install -y nginx)")
    workdir.mkdir(parents=True, exist_ok=True)
    workdir.chmod(0o755)  # nginx's workers (nobody) write their temp files here
    deployment = Deployment(workdir, free_port(), [])
    try:
        for n in range(servers):
            log = workdir / f"app{n + 1}.log"
            deployment.logs.append(log)
            deployment.servers.append(start_app_server(env, free_port(), log, workers))
        for server in deployment.servers:
            wait_for(server.port)
        lines = "\n".join(
            f"        server {s.address} max_fails=3 fail_timeout=5s;" for s in deployment.servers
        )
        conf = workdir / "nginx.conf"
        conf.write_text(
            NGINX_CONF.format(
                dir=workdir,
                servers=lines,
                port=deployment.port,
                header=UPSTREAM_HEADER,
                proxy_conf=PROXY_CONF,
            )
        )
        deployment.logs.append(workdir / "nginx-error.log")
        with (workdir / "nginx-start.log").open("w") as stderr:
            deployment.nginx = subprocess.Popen(
                [
                    nginx,
                    *("-p", str(workdir), "-e", str(workdir / "nginx-error.log")),
                    *("-c", str(conf), "-g", "daemon off;"),
                ],
                stdout=subprocess.DEVNULL,
                stderr=stderr,
            )
        wait_for(deployment.port, seconds=10)
    except BaseException:
        deployment.stop()
        raise
    return deployment


class Session:
    """A signed-in browser without a browser: cookies by hand (Python's cookie jar would
    withhold a Secure cookie over http) and the sign-in form's CSRF token."""

    def __init__(self, port: int, source: str | None = None) -> None:
        self.port = port
        self.source = source  # a loopback source address: its own sign-in limit counter
        self.cookies: dict[str, str] = {}
        self.upstream: str | None = None

    def request(
        self, method: str, path: str, form: dict[str, str] | None = None, port: int | None = None
    ) -> tuple[int, str]:
        conn = http.client.HTTPConnection(
            "127.0.0.1",
            port or self.port,
            timeout=15,
            source_address=(self.source, 0) if self.source else None,
        )
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            text = response.read().decode(errors="replace")
        finally:
            conn.close()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key.strip()] = rest.split(";", 1)[0]
        self.upstream = response.getheader(UPSTREAM_HEADER)
        return response.status, text

    def csrf_token(self, port: int | None = None) -> str:
        status, page = self.request("GET", "/login", port=port)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
        if status != 200 or not token:
            raise RuntimeError(f"no sign-in form ({status})")
        return token.group(1)

    def sign_in(self, email: str, password: str, port: int | None = None) -> int:
        token = self.csrf_token(port)
        status, _ = self.request(
            "POST",
            "/login",
            {"csrf_token": token, "email": email, "password": password},
            port=port,
        )
        return status
