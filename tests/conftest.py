import os
from pathlib import Path

import pytest

os.environ.setdefault("FAST_PASSWORD_HASHER", "1")
# Playwright's sync API runs an event loop in the main thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

FIXTURES = Path(__file__).parent / "fixtures"
MINI_COURSE = FIXTURES / "mini_course.json"


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    """Settings are loaded before this file runs, so the environment switch comes too late."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with every cache empty (Redis included): the database rolls back
    between tests but caches do not (rows, and with them cache keys, come back with the same
    ids), and the sign-up limit per address counts in the cache."""
    from django.core.cache import caches

    for cache in caches.all():
        cache.clear()


@pytest.fixture
def mini_course(db):
    """A two-unit course with passages, a footnote, a term, a citation and one item per kind."""
    from courseware.course_file import load, read_course_file
    from courseware.models import Course

    load(read_course_file(MINI_COURSE))
    return Course.objects.get(slug="mini-course")


@pytest.fixture
def full_course(db):
    """The bundled course file: the whole paper and its item bank."""
    from courseware.course_file import DEFAULT_COURSE_FILE, load, read_course_file
    from courseware.models import Course

    load(read_course_file(DEFAULT_COURSE_FILE))
    return Course.objects.get()


@pytest.fixture
def student(db, django_user_model):
    return django_user_model.objects.create_user("student", password="pw-Student-123")


@pytest.fixture
def student_client(client, student):
    client.force_login(student)
    return client


# --- Two app servers (tests/app_servers) ---------------------------------------------------


def _not_postgresql_and_redis() -> str | None:
    """Why two app servers cannot share this run's database and cache, if they cannot."""
    from django.conf import settings
    from django.db import connection

    if connection.vendor != "postgresql":
        return "two app servers need one shared database: set DATABASE_URL=postgres://…"
    if not settings.CACHE_URL.startswith(("redis://", "rediss://")):
        return "two app servers share sessions and limits through Redis: set CACHE_URL=redis://…"
    return None


@pytest.fixture(scope="session")
def app_servers(django_db_setup, tmp_path_factory):
    """Two gunicorn servers (production settings) over the test database and this run's
    Redis, started once for the session and always stopped."""
    from django.conf import settings
    from django.db import connection

    from tests.app_servers.servers import database_url, start_two

    reason = _not_postgresql_and_redis()
    if reason and os.environ.get("APP_SERVERS_REQUIRED") == "1":  # .ci/run's pass for them
        pytest.fail(reason)
    if reason:
        pytest.skip(reason)
    servers = start_two(
        directory=tmp_path_factory.mktemp("app-servers"),
        database=database_url(connection.settings_dict),
        cache=settings.CACHE_URL,
    )
    try:
        yield servers
    finally:
        for server in servers:
            server.stop()


@pytest.fixture
def two_app_servers(app_servers, transactional_db, settings, request):
    """The two servers for one test, whose rows they must see committed. This process signs
    sessions and the quiz's choice tokens with their key; on failure the test's report shows
    what they logged meanwhile."""
    settings.SECRET_KEY = app_servers.secret_key
    request.node.app_servers_logs = (app_servers, app_servers.log_sizes())
    return app_servers


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    logged = getattr(item, "app_servers_logs", None)
    if logged is not None and report.failed:
        servers, since = logged
        report.sections.append(("app servers' logs", servers.logs(since)))
