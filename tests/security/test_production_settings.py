"""What the documented production environment turns on, setting by setting.

tests/test_production.py runs `check --deploy`; this reads the settings that check does not
cover (or covers only as warnings), in a fresh process with that environment.
"""

import json

from tests.test_production import PRODUCTION_ENV, manage

READ_SETTINGS = """
import json
from django.conf import settings as s
print(json.dumps({name: getattr(s, name, None) for name in %r}, default=str))
"""
NAMES = [
    "DEBUG",
    "DEBUG_PROPAGATE_EXCEPTIONS",
    "ALLOWED_HOSTS",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "CSRF_COOKIE_SECURE",
    "LANGUAGE_COOKIE_SECURE",
    "LANGUAGE_COOKIE_HTTPONLY",
    "X_FRAME_OPTIONS",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY",
    "PASSWORD_HASHERS",
    "AXES_ENABLED",
    "AUTH_PASSWORD_VALIDATORS",
]


def production_settings(**extra) -> dict:
    # The test run itself sets FAST_PASSWORD_HASHER (tests/conftest.py): not production's.
    env = {**PRODUCTION_ENV, "FAST_PASSWORD_HASHER": "", **extra}
    result = manage("shell", "-c", READ_SETTINGS % NAMES, env=env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_production_environment_turns_every_protection_on():
    s = production_settings()
    assert s["DEBUG"] is False and s["DEBUG_PROPAGATE_EXCEPTIONS"] is False
    assert s["ALLOWED_HOSTS"] == ["course.example.org"]
    assert s["SECURE_SSL_REDIRECT"] and s["SECURE_HSTS_SECONDS"] >= 31_536_000
    assert s["SECURE_HSTS_INCLUDE_SUBDOMAINS"]
    assert s["SESSION_COOKIE_SECURE"] and s["CSRF_COOKIE_SECURE"] and s["LANGUAGE_COOKIE_SECURE"]
    assert s["SESSION_COOKIE_HTTPONLY"] and s["LANGUAGE_COOKIE_HTTPONLY"]
    assert s["X_FRAME_OPTIONS"] == "DENY" and s["SECURE_CONTENT_TYPE_NOSNIFF"]
    assert s["SECURE_REFERRER_POLICY"] == "same-origin"
    assert s["AXES_ENABLED"] and len(s["AUTH_PASSWORD_VALIDATORS"]) == 4
    # The default, slow hasher: the fast one is for tests and the benchmark only.
    assert not any("MD5" in hasher for hasher in s["PASSWORD_HASHERS"])


def test_no_wildcard_host_without_being_asked():
    s = production_settings(ALLOWED_HOSTS="")
    assert s["ALLOWED_HOSTS"] == []
