"""Every URL of the project against the five roles, as docs/security.md says.

The table in docs/security.md is the specification: a URL pattern missing from it, a row for
a URL that no longer exists, and any cell that the running app contradicts all fail here.
"""

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from .access_table import (
    ADMIN_ROW,
    CONVERTER,
    concrete_url,
    project_routes,
    read_table,
    url_values,
)
from .conftest import ROLES

pytestmark = pytest.mark.django_db

TABLE = read_table()
CASES = [(row, role) for row in TABLE if row.route != ADMIN_ROW for role in ROLES]


def test_every_url_pattern_is_in_the_table():
    listed = {row.route for row in TABLE}
    routes = project_routes()
    assert routes - listed == set(), "URL patterns missing from docs/security.md"
    assert listed - routes == set(), "docs/security.md lists URLs that do not exist"


def test_the_table_uses_only_known_outcomes_and_methods():
    known = {"200", "302", "sign-in", "admin sign-in", "403", "404"}
    for row in TABLE:
        assert row.method in {"GET", "POST"}, row.id
        assert set(row.outcomes.values()) <= known, row.id
    ids = [row.id for row in TABLE]
    assert len(ids) == len(set(ids)), "a URL and method appear twice"


def check_outcome(response, outcome: str, where: str) -> None:
    status = response.status_code
    location = response.get("Location", "")
    if outcome == "sign-in":
        assert status == 302, where
        assert location.startswith(reverse("classroom:login") + "?next="), where
    elif outcome == "admin sign-in":
        assert status == 302, where
        assert location.startswith(reverse("admin:login") + "?next="), where
    elif outcome == "302":
        assert status == 302, where
        assert not location.startswith(reverse("classroom:login")), where
    else:
        assert status == int(outcome), f"{where}: {status}"
        if status in (403, 404):
            # Refusals are our own page, with nothing of the thing refused.
            assert 'class="error-page"' in response.content.decode(), where


@pytest.mark.parametrize(("row", "role"), CASES, ids=[f"{row.id} · {role}" for row, role in CASES])
def test_each_role_gets_what_the_table_says(world, row, role):
    client = world.client_for(role)
    url = concrete_url(row.route, url_values(world))
    response = getattr(client, row.method.lower())(url)
    check_outcome(response, row.outcomes[role], f"{row.method} {url} as {role}")


def unlisted_methods():
    """(route, method, a role allowed on the route) for each method the table leaves out."""
    listed: dict[str, dict[str, dict]] = {}
    for row in TABLE:
        if row.route != ADMIN_ROW:
            listed.setdefault(row.route, {})[row.method] = row.outcomes
    cases = []
    for route, methods in sorted(listed.items()):
        outcomes = next(iter(methods.values()))
        # Routes no signed-in role uses (the LTI platform's) are tried anonymously.
        allowed = next((role for role in ROLES if outcomes[role] in ("200", "302")), "anonymous")
        for method in ("GET", "POST"):
            if method not in methods:
                cases.append((route, method, allowed))
    return cases


@pytest.mark.parametrize(
    ("route", "method", "role"),
    unlisted_methods(),
    ids=[f"{method} {route}" for route, method, _role in unlisted_methods()],
)
def test_methods_not_in_the_table_are_refused(world, route, method, role):
    """Even for someone allowed to use the URL: sign-out by GET, answers by GET, ..."""
    client = world.client_for(role)
    response = getattr(client, method.lower())(concrete_url(route, url_values(world)))
    assert response.status_code == 405


def admin_urls(world) -> list[str]:
    """The index, every changelist, every add form staff may use, two change forms."""
    request = RequestFactory().get("/admin/")
    request.user = world.staff
    urls = [reverse("admin:index")]
    for model, model_admin in admin.site._registry.items():
        info = (model._meta.app_label, model._meta.model_name)
        urls.append(reverse("admin:{}_{}_changelist".format(*info)))
        if model_admin.has_add_permission(request):
            urls.append(reverse("admin:{}_{}_add".format(*info)))
    urls.append(reverse("admin:classroom_schoolclass_change", args=[world.school_class.pk]))
    urls.append(reverse("admin:quizzes_attempt_change", args=[world.attempt.pk]))
    return urls


@pytest.mark.parametrize("role", ROLES)
def test_admin_is_staff_only(world, role):
    expected = next(row for row in TABLE if row.route == ADMIN_ROW).outcomes[role]
    client = world.client_for(role)
    for url in admin_urls(world):
        check_outcome(client.get(url), expected, f"GET {url} as {role}")
    # A POST (say, a forged change form) is refused the same way and changes nothing.
    url = reverse("admin:classroom_schoolclass_change", args=[world.school_class.pk])
    check_outcome(client.post(url, {"name": "hijacked"}), expected, f"POST {url} as {role}")
    world.school_class.refresh_from_db()
    assert world.school_class.name == "A 班"


def test_staff_can_use_the_admin(world, client):
    client.force_login(world.staff)
    for url in admin_urls(world):
        assert client.get(url).status_code == 200, url


def id_cases():
    """(row, parameter, value): every id in every URL, replaced by one no row can have."""
    cases = []
    for row in TABLE:
        for match in CONVERTER.finditer(row.route):
            if match["converter"] == "int":
                for value in (0, 2**63, 10**30):
                    cases.append((row, match["name"], value))
            elif match["converter"] == "slug":
                cases.append((row, match["name"], "no-such-unit"))
    return cases


@pytest.mark.parametrize(
    ("row", "name", "value"),
    id_cases(),
    ids=[f"{row.id} {name}={value}" for row, name, value in id_cases()],
)
def test_ids_of_nothing_are_404_for_those_allowed(world, row, name, value):
    """Past 64 bits included: SQLite cannot even bind such a number (a 500, once)."""
    role = next(role for role in ROLES if row.outcomes[role] in ("200", "302"))
    values = {**url_values(world), name: value}
    response = getattr(world.client_for(role), row.method.lower())(concrete_url(row.route, values))
    assert response.status_code == 404


GET_CASES = [case for case in CASES if case[0].method == "GET"]


@pytest.mark.parametrize(
    ("row", "role"), GET_CASES, ids=[f"HEAD {row.route} · {role}" for row, role in GET_CASES]
)
def test_head_answers_wherever_get_does(world, row, role):
    """HEAD is GET without the body (RFC 9110): monitors and link checkers send it."""
    client = world.client_for(role)
    url = concrete_url(row.route, url_values(world))
    response = client.head(url)
    check_outcome_of_head(response, row.outcomes[role], f"HEAD {url} as {role}")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert body == b"", url


def check_outcome_of_head(response, outcome: str, where: str) -> None:
    status = response.status_code
    location = response.get("Location", "")
    if outcome in ("sign-in", "admin sign-in", "302"):
        assert status == 302, f"{where}: {status}"
        login = reverse("admin:login" if outcome == "admin sign-in" else "classroom:login")
        assert location.startswith(login) == (outcome != "302"), where
    else:
        assert status == int(outcome), f"{where}: {status}"
