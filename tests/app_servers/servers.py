"""Two real app servers for the tests: gunicorn processes with the production settings, over
the test database and the suite's Redis, reached as nginx would reach them.

Each server listens on a socket this process opens on a free loopback port and hands to
gunicorn (``--bind fd://N``), so no port is guessed and none can be taken in between. A
``Visitor`` is one browser behind the proxy: its own cookies, the site's one host name, the
``X-Forwarded-Proto``/``X-Forwarded-For`` headers nginx sets, and Django's CSRF header on
every POST; it may send each request to either server, as a load balancer does.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from pathlib import Path

import requests
from django.utils.crypto import get_random_string

ROOT = Path(__file__).resolve().parents[2]
HOST = "course.test"
ORIGIN = f"https://{HOST}"
WORKERS = 2
START_TIMEOUT = 60
STOP_TIMEOUT = 10
# Variables of the test run that must not reach a production-like server.
TEST_ONLY = {"DJANGO_ALLOW_ASYNC_UNSAFE", "FAST_PASSWORD_HASHER", "DEBUG", "PYTEST_CURRENT_TEST"}
# The servers' per-account cap on failed sign-ins (production: 20). Every wrong password
# costs a full PBKDF2 hash (Django evens out the time of a wrong guess), about 0.4 s here.
ACCOUNT_CAP = 10


def database_url(settings_dict: dict) -> str:
    """The URL of the database the tests use (the test database, once it is set up)."""
    user = settings_dict.get("USER") or "postgres"
    password = settings_dict.get("PASSWORD") or ""
    credentials = f"{user}:{password}" if password else user
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or "5432"
    return f"postgres://{credentials}@{host}:{port}/{settings_dict['NAME']}"


def production_environment(*, database: str, cache: str, secret_key: str) -> dict[str, str]:
    """What docs/deploy.md gives every app server: DEBUG off, one host, a real key, behind
    the proxy, PostgreSQL and Redis; the real password hasher."""
    env = {name: value for name, value in os.environ.items() if name not in TEST_ONLY}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL=database,
        CACHE_URL=cache,
        SECRET_KEY=secret_key,
        DEBUG="false",
        ALLOWED_HOSTS=HOST,
        BEHIND_PROXY="true",
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
        SIGN_IN_ACCOUNT_LIMIT_PER_HOUR=str(ACCOUNT_CAP),
    )
    return env


def collectstatic(env: dict[str, str]) -> None:
    """With DEBUG off, pages name the hashed static files of the manifest: build it once."""
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=120,
    )


@dataclass
class AppServer:
    name: str
    log_path: Path
    process: subprocess.Popen | None = None
    port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, env: dict[str, str]) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", 0))
        listener.listen(128)
        self.port = listener.getsockname()[1]
        fd = listener.fileno()
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "config.wsgi",
                    "--bind",
                    f"fd://{fd}",
                    "--workers",
                    str(WORKERS),
                    "--timeout",
                    "60",
                    "--graceful-timeout",
                    "5",
                    "--no-control-socket",
                    "--name",
                    self.name,
                ],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                pass_fds=[fd],
                # Its own process group: stop() ends the master and its workers together.
                start_new_session=True,
            )
        listener.close()  # gunicorn holds its own copy

    def wait_until_ready(self) -> None:
        """Until /readyz says the database answers and Redis stores; bounded."""
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited ({self.process.returncode}):\n{self.log()}")
            try:
                response = requests.get(f"{self.url}/readyz", headers=proxy_headers(), timeout=5)
                if response.status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"{self.name} not ready after {START_TIMEOUT} s:\n{self.log()}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        group = os.getpgid(self.process.pid)
        os.killpg(group, signal.SIGTERM)
        try:
            self.process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(group, signal.SIGKILL)
            self.process.wait(timeout=STOP_TIMEOUT)

    def log(self, since: int = 0) -> str:
        try:
            with self.log_path.open("rb") as log:
                log.seek(since)
                return log.read().decode("utf-8", errors="replace")
        except FileNotFoundError:
            return ""

    def log_size(self) -> int:
        try:
            return self.log_path.stat().st_size
        except FileNotFoundError:
            return 0


@dataclass
class AppServers:
    """Two servers of one release, one environment, behind an imaginary load balancer."""

    first: AppServer
    second: AppServer
    secret_key: str = field(default_factory=lambda: secrets.token_urlsafe(50))

    def __iter__(self):
        return iter((self.first, self.second))

    def log_sizes(self) -> list[int]:
        return [server.log_size() for server in self]

    def logs(self, since: list[int] | None = None) -> str:
        since = since or [0, 0]
        return "\n".join(
            f"--- {server.name} (port {server.port}) ---\n{server.log(start) or '(nothing)'}"
            for server, start in zip(self, since, strict=True)
        )


def start_two(*, directory: Path, database: str, cache: str) -> AppServers:
    servers = AppServers(
        AppServer("app-server-1", directory / "app-server-1.log"),
        AppServer("app-server-2", directory / "app-server-2.log"),
    )
    env = production_environment(database=database, cache=cache, secret_key=servers.secret_key)
    collectstatic(env)
    try:
        for server in servers:
            server.start(env)
        for server in servers:
            server.wait_until_ready()
    except BaseException:
        for server in servers:
            server.stop()
        raise
    return servers


def proxy_headers(address: str = "203.0.113.10") -> dict[str, str]:
    """What the nginx of docs/deploy.md sets on every request it passes on."""
    return {"Host": HOST, "X-Forwarded-Proto": "https", "X-Forwarded-For": address}


class Visitor:
    """One browser: its cookies (secure ones included: the proxy speaks HTTPS to it), its
    address, and any server for each request."""

    def __init__(self, address: str = "203.0.113.10", *, language="zh-hant", csrf_cookie=False):
        """``csrf_cookie``: as if it had loaded a page already (any page sets the cookie)."""
        self.address = address
        self.cookies: dict[str, str] = {"django_language": language}
        if csrf_cookie:
            self.cookies["csrftoken"] = get_random_string(32)

    def _headers(self, extra: dict[str, str]) -> dict[str, str]:
        headers = proxy_headers(self.address)
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        headers.update(extra)
        return headers

    def _keep_cookies(self, response: requests.Response) -> None:
        for header in response.raw.headers.getlist("Set-Cookie"):
            for name, morsel in SimpleCookie(header).items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value

    def get(self, server: AppServer, path: str, **headers) -> requests.Response:
        # requests without a Session: no cookie jar of its own, which would withhold the
        # secure cookies from plain HTTP.
        response = requests.get(
            server.url + path, headers=self._headers(headers), allow_redirects=False, timeout=60
        )
        self._keep_cookies(response)
        return response

    def post(self, server: AppServer, path: str, data=None, **headers) -> requests.Response:
        """A form post as the browser makes it: same origin, Django's CSRF cookie echoed in
        its header (the cookie comes with any page; ``get`` one first)."""
        extra = {"Origin": ORIGIN, "X-CSRFToken": self.cookies.get("csrftoken", ""), **headers}
        response = requests.post(
            server.url + path,
            data=data or {},
            headers=self._headers(extra),
            allow_redirects=False,
            timeout=60,
        )
        self._keep_cookies(response)
        return response


class _FormReader(HTMLParser):
    """The fields a browser would submit from the form with ``form_id``, as they are."""

    def __init__(self, form_id: str):
        super().__init__()
        self.form_id, self.inside, self.fields = form_id, False, {}
        self._textarea = self._select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        if not self.inside or not attrs.get("name") and tag != "option":
            return
        if tag == "input" and attrs.get("type") not in {"submit", "button", "file"}:
            if attrs.get("type") not in {"checkbox", "radio"} or "checked" in attrs:
                self.fields[attrs["name"]] = attrs.get("value") or ""
        elif tag == "textarea":
            self._textarea = attrs["name"]
            self.fields[self._textarea] = ""
        elif tag == "select":
            self._select = attrs["name"]
        elif tag == "option" and self._select and "selected" in attrs:
            self.fields[self._select] = attrs.get("value") or ""

    def handle_data(self, data):
        if self._textarea:
            self.fields[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None


def form_values(html: str, form_id: str) -> dict[str, str]:
    reader = _FormReader(form_id)
    reader.feed(html)
    return reader.fields
