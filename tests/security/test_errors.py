"""Our own error pages (400, 403, 404, 500), in the reader's language, leaking nothing.

tests/test_production.py already covers the plain 404 of a missing unit; here every status
comes from a view that raises (through the project's own handlers), and from the ways real
requests fail: a forged host, a refused CSRF check, someone else's object.
"""

from contextlib import contextmanager
from unittest import mock

import pytest
from django.db import DatabaseError
from django.test import Client
from django.utils import translation

from .conftest import ACCEPT, assert_in_language
from .error_urls import SECRET

pytestmark = pytest.mark.django_db

MESSAGES = {
    400: ["Bad request", "The request could not be understood. Please go back and try again."],
    403: [
        "You do not have access to this page",
        "Your account cannot open this page. If you think it should, ask your instructor.",
    ],
    404: [
        "Page not found",
        "There is nothing at this address. It may have moved, or the link may be mistyped.",
    ],
    500: [
        "Something went wrong on our side",
        "The error has been logged. Please try again in a moment.",
    ],
}
# Things a debug page or a careless handler shows.
LEAKS = [
    SECRET,
    "Traceback",
    "SECRET_KEY",
    "DATABASES",
    "INSTALLED_APPS",
    "django-insecure",
    "/work/",
    "site-packages",
    ".py",
    "RuntimeError",
    "SuspiciousOperation",
    "PermissionDenied",
    "Http404",
    "DatabaseError",
    "Request Method",
    "exception_value",
]


def assert_our_error_page(response, status: int, language: str) -> None:
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert 'class="error-page"' in html
    assert_in_language(html, language, MESSAGES[status])
    for leak in LEAKS:
        assert leak not in html, f"the {status} page shows {leak!r}"


def visitor(language: str, **kwargs) -> Client:
    return Client(HTTP_ACCEPT_LANGUAGE=ACCEPT[language], raise_request_exception=False, **kwargs)


@pytest.mark.urls("tests.security.error_urls")
@pytest.mark.parametrize("language", ["zh-hant", "en"])
@pytest.mark.parametrize(
    ("path", "status"),
    [("/boom/400/", 400), ("/boom/403/", 403), ("/boom/404/", 404), ("/boom/500/", 500)],
)
def test_a_raising_view_gets_our_error_page(mini_course, path, status, language):
    assert_our_error_page(visitor(language).get(path), status, language)


@pytest.mark.urls("tests.security.error_urls")
@pytest.mark.parametrize("language", ["zh-hant", "en"])
def test_errors_for_signed_in_users_are_ours_too(mini_course, student, language):
    client = visitor(language)
    client.force_login(student)
    for path, status in [("/boom/403/", 403), ("/boom/500/", 500), ("/boom/db/", 500)]:
        assert_our_error_page(client.get(path), status, language)


@pytest.mark.parametrize("language", ["zh-hant", "en"])
def test_a_forged_host_header_gets_our_400(mini_course, language):
    response = visitor(language).get("/", HTTP_HOST="evil.example")
    assert_our_error_page(response, 400, language)
    assert "evil.example" not in response.content.decode()


@pytest.mark.parametrize("language", ["zh-hant", "en"])
def test_another_instructors_class_and_a_students_attempt_get_our_pages(world, language):
    client = visitor(language)
    client.force_login(world.other_instructor)
    assert_our_error_page(client.get(f"/classes/{world.school_class.pk}/roster/"), 404, language)
    client.force_login(world.student)
    assert_our_error_page(client.get(f"/classes/{world.school_class.pk}/roster/"), 403, language)
    assert_our_error_page(client.get(f"/quiz/attempts/{world.other_attempt.pk}/"), 404, language)


def test_a_refused_csrf_check_leaks_nothing(mini_course, student):
    client = visitor("en", enforce_csrf_checks=True)
    client.force_login(student)
    response = client.post("/logout/")
    assert response.status_code == 403
    html = response.content.decode()
    for leak in LEAKS:
        assert leak not in html
    assert client.get("/home/").status_code == 200  # still signed in


CSRF_ADVICE = (
    "The form you sent had expired or came from another site, so nothing was changed. "
    "Reload the page and try again."
)


@pytest.mark.parametrize("language", ["zh-hant", "en"])
def test_a_refused_csrf_check_gets_our_403(mini_course, student, language):
    client = visitor(language, enforce_csrf_checks=True)
    client.force_login(student)
    response = client.post("/logout/")
    assert_our_error_page(response, 403, language)
    assert_in_language(response.content.decode(), language, [CSRF_ADVICE])


def test_a_refused_csrf_check_names_djangos_reason_only_with_debug_on(
    mini_course, student, settings
):
    def refused_logout():
        client = visitor("en", enforce_csrf_checks=True)
        client.force_login(student)
        return client.post("/logout/").content.decode()

    assert "CSRF cookie not set" not in refused_logout()
    settings.DEBUG = True
    assert "CSRF cookie not set" in refused_logout()


@contextmanager
def database_down():
    """The session and the signed-in user cannot be read: what the site's layout needs."""

    def unreachable(*args, **kwargs):
        raise DatabaseError(f"{SECRET} connection refused")

    with (
        mock.patch("django.contrib.auth.get_user", unreachable),
        mock.patch("django.contrib.sessions.backends.db.SessionStore.load", unreachable),
    ):
        yield


@pytest.mark.urls("tests.security.error_urls")
@pytest.mark.parametrize("language", ["zh-hant", "en"])
def test_the_500_page_renders_with_the_database_down(mini_course, student, language):
    client = visitor(language)
    client.force_login(student)
    with database_down():
        response = client.get("/boom/db/")
    assert_our_error_page(response, 500, language)
    # The plain page: no navigation, which would ask the database who is signed in.
    assert "site-header" not in response.content.decode()


@pytest.mark.urls("tests.security.error_urls")
def test_the_500_page_looks_like_the_site_while_the_database_is_up(mini_course, student):
    client = visitor("en")
    client.force_login(student)
    html = client.get("/boom/500/").content.decode()
    assert 'class="site-header"' in html
    assert "Sign out" in html  # the layout knew who is signed in


@pytest.mark.urls("tests.security.error_urls")
def test_the_500_page_is_in_both_languages_when_no_template_renders(mini_course, student):
    client = visitor("en")
    client.force_login(student)
    no_templates = mock.patch(
        "django.template.loader.get_template", side_effect=OSError(f"{SECRET} disk gone")
    )
    with database_down(), no_templates:
        response = client.get("/boom/db/")
    assert response.status_code == 500
    html = response.content.decode()
    for message in MESSAGES[500]:
        assert message in html
        with translation.override("zh-hant"):
            assert translation.gettext(message) in html
    for leak in LEAKS:
        assert leak not in html
