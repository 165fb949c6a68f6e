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
    between tests but caches do not, content versions repeat from one test to the next, and
    the sign-up limit per address counts in the cache."""
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
