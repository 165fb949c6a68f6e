"""Production settings, security headers and our own error pages."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "a-long-random-production-secret-key-for-the-check-0123456789-abcdef",
    "ALLOWED_HOSTS": "course.example.org",
    "CSRF_TRUSTED_ORIGINS": "https://course.example.org",
}


# Set for the test run itself (tests/conftest.py), never part of the environment under test.
TEST_RUN_ONLY = {"DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE", "FAST_PASSWORD_HASHER"}
# What bench/run.py sets: production settings over plain HTTP on loopback.
BENCHMARK_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "bench",
    "ALLOWED_HOSTS": "127.0.0.1",
    "SECURE_HTTPS": "false",
}
READ_SETTING = "from django.conf import settings; print(repr({}))"


def manage(*args, env):
    clean = {k: v for k, v in os.environ.items() if k not in TEST_RUN_ONLY}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_refuses_to_start_without_a_secret_when_debug_is_off():
    result = manage("check", env={"DEBUG": "false"})
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_deploy_check_is_clean_in_the_documented_production_environment():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_refuses_to_start_with_the_fast_password_hasher_in_production():
    result = manage("check", env={**PRODUCTION_ENV, "FAST_PASSWORD_HASHER": "1"})
    assert result.returncode != 0
    assert "FAST_PASSWORD_HASHER is for the tests and the local benchmark" in result.stderr


def test_the_loopback_benchmark_may_use_the_fast_password_hasher():
    env = {**BENCHMARK_ENV, "FAST_PASSWORD_HASHER": "1"}
    result = manage("shell", "-c", READ_SETTING.format("settings.PASSWORD_HASHERS"), env=env)
    assert result.returncode == 0, result.stderr
    assert "MD5PasswordHasher" in result.stdout


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("GZIP_LEVEL", "fast", "GZIP_LEVEL must be a whole number, not 'fast'."),
        ("GZIP_LEVEL", "10", "GZIP_LEVEL must be 0 (off) or a gzip level from 1 to 9."),
        ("SIGN_UP_LIMIT_PER_HOUR", "lots", "SIGN_UP_LIMIT_PER_HOUR must be a whole number"),
    ],
)
def test_refuses_to_start_with_a_number_setting_it_cannot_read(name, value, message):
    result = manage("check", env={**PRODUCTION_ENV, name: value})
    assert result.returncode != 0
    assert message in result.stderr


@pytest.mark.parametrize(("value", "disabled"), [("true", True), ("", False)])
def test_server_side_cursors_can_be_disabled_for_pgbouncer(value, disabled):
    env = {
        **PRODUCTION_ENV,
        "DATABASE_URL": "postgres://vnbop@pgbouncer.invalid:6432/vnbop",
        "DISABLE_SERVER_SIDE_CURSORS": value,
    }
    code = READ_SETTING.format('settings.DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"]')
    result = manage("shell", "-c", code, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == repr(disabled)


@pytest.mark.parametrize(
    ("value", "behind_pgbouncer", "prepares"),
    [
        ("", "", True),
        ("false", "", False),
        # PgBouncer in transaction mode keeps prepared statements only from 1.22, when set up
        # for it: off unless asked for.
        ("", "true", False),
        ("true", "true", True),
    ],
)
def test_prepared_statements_are_off_behind_a_pooler_unless_asked_for(
    value, behind_pgbouncer, prepares
):
    env = {
        **PRODUCTION_ENV,
        "DATABASE_URL": "postgres://vnbop@pgbouncer.invalid:6432/vnbop",
        "PREPARED_STATEMENTS": value,
        "DISABLE_SERVER_SIDE_CURSORS": behind_pgbouncer,
    }
    code = (
        "from django.db import connection; from config.prepared import prepares_statements; "
        "print(prepares_statements(connection))"
    )
    result = manage("shell", "-c", code, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == repr(prepares)


@pytest.mark.django_db
def test_pages_send_security_headers(client):
    response = client.get("/healthz")
    csp = response.headers["Content-Security-Policy"]
    assert (
        "script-src 'self'" in csp
        and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    )
    assert "frame-ancestors 'none'" in csp
    assert "http" not in csp  # no third-party origin
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("accept_language", "heading"), [("zh-TW", "找不到這個頁面"), ("en-US", "Page not found")]
)
def test_404_page_is_ours_in_the_users_language(client, accept_language, heading):
    response = client.get("/units/no-such-unit/", HTTP_ACCEPT_LANGUAGE=accept_language)
    assert response.status_code == 404
    html = response.content.decode()
    assert heading in html
    assert "Traceback" not in html and "settings" not in html.lower()


def read_setting(expression: str, env: dict) -> str:
    result = manage("shell", "-c", READ_SETTING.format(expression), env=env)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_debug_left_unset_on_a_server_means_production():
    """Forgetting DEBUG=false on a public host fails closed: production mode, which then
    insists on a real SECRET_KEY."""
    server = {"ALLOWED_HOSTS": "course.example.org"}
    refused = manage("check", env=server)
    assert refused.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in refused.stderr
    with_key = {**server, "SECRET_KEY": PRODUCTION_ENV["SECRET_KEY"]}
    assert read_setting("settings.DEBUG", with_key) == "False"


def test_debug_left_unset_on_this_computer_is_development():
    assert read_setting("settings.DEBUG", {}) == "True"
    assert read_setting("settings.DEBUG", {"ALLOWED_HOSTS": "localhost,127.0.0.1"}) == "True"


def test_the_development_key_never_serves_another_host():
    result = manage("check", env={"DEBUG": "true", "ALLOWED_HOSTS": "192.168.1.20,localhost"})
    assert result.returncode != 0
    assert "The development key may serve only this computer" in result.stderr
    assert "192.168.1.20" in result.stderr


@pytest.mark.parametrize(
    ("name", "value"),
    [("SECURE_HTTPS", "ture"), ("DEBUG", "flase"), ("BEHIND_PROXY", "maybe")],
)
def test_refuses_a_yes_no_setting_it_cannot_read(name, value):
    result = manage("check", env={**PRODUCTION_ENV, name: value})
    assert result.returncode != 0
    assert f"{name} must be one of" in result.stderr and repr(value) in result.stderr


def test_refuses_an_unreadable_hsts_duration():
    result = manage("check", env={**PRODUCTION_ENV, "SECURE_HSTS_SECONDS": "a year"})
    assert result.returncode != 0
    assert "SECURE_HSTS_SECONDS must be a whole number" in result.stderr


@pytest.mark.parametrize(
    "database_url", ["sqlite:////tmp/vnbop-settings-check.sqlite3", "postgres://x@127.0.0.1/x"]
)
def test_database_connections_are_checked_and_sqlite_writers_queue(database_url):
    databases = read_setting("settings.DATABASES['default']", {"DATABASE_URL": database_url})
    assert "'CONN_HEALTH_CHECKS': True" in databases
    sqlite = database_url.startswith("sqlite")
    assert ("'transaction_mode': 'IMMEDIATE'" in databases) is sqlite


def test_the_wsgi_application_keeps_what_it_loaded_out_of_the_collectors_walks():
    # A large class's progress grid builds tens of thousands of objects: the full collections
    # they set off must not walk all of Django again each time (bench/RESULTS.md).
    clean = {k: v for k, v in os.environ.items() if k not in TEST_RUN_ONLY}
    run = subprocess.run(
        [sys.executable, "-c", "import gc, config.wsgi; print(gc.get_freeze_count())"],
        cwd=ROOT,
        env={**clean, **PRODUCTION_ENV},
        capture_output=True,
        text=True,
        check=True,
    )
    assert int(run.stdout) > 10_000
