"""Security headers on every kind of response, and pages that the CSP lets run unchanged.

tests/test_production.py checks the headers of /healthz; here every page of the access table
(plain and htmx), form posts, CSV downloads, static files and error pages, and the HTML of
every page is read for anything the policy would block: inline scripts, event-handler
attributes, javascript: URLs, htmx attributes that need eval, resources from other origins.
"""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from config.middleware import CONTENT_SECURITY_POLICY
from courseware.course_file import load, read_course_file
from courseware.models import Unit
from quizzes import services
from tests.conftest import MINI_COURSE

from .access_table import ADMIN_ROW, concrete_url, read_table, url_values
from .conftest import ROLES

pytestmark = pytest.mark.django_db

# Rows some role can use; the LTI routes that only a platform's signed request opens refuse
# everyone here with our 403 page, whose headers test_error_pages… checks (tests/lti checks
# the framed responses' own).
ROWS = [
    row
    for row in read_table()
    if row.route != ADMIN_ROW and {"200", "302"} & set(row.outcomes.values())
]


def directives(policy: str) -> dict[str, list[str]]:
    parsed = {}
    for part in policy.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


def test_the_policy_allows_only_our_own_origin():
    policy = directives(CONTENT_SECURITY_POLICY)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]  # no 'unsafe-inline', no 'unsafe-eval'
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    for name, values in policy.items():
        for value in values:
            # Keywords and our own data: images only; never a host, scheme or wildcard.
            assert value.startswith("'") or (name == "img-src" and value == "data:"), value


def assert_security_headers(response, where: str, *, document: bool = True) -> None:
    headers = response.headers
    assert headers.get("Content-Security-Policy") == CONTENT_SECURITY_POLICY, where
    assert headers.get("X-Content-Type-Options") == "nosniff", where
    assert headers.get("Referrer-Policy") == "same-origin", where
    if document:  # WhiteNoise answers static files before the clickjacking middleware
        assert headers.get("X-Frame-Options") == "DENY", where
        assert headers.get("Cross-Origin-Opener-Policy") == "same-origin", where


class PolicyReader(HTMLParser):
    """Collects what in a page the CSP would block or what would reach another origin."""

    RESOURCE_ATTRIBUTES = {
        "script": "src",
        "img": "src",
        "iframe": "src",
        "source": "src",
        "audio": "src",
        "video": "src",
        "embed": "src",
        "link": "href",
        "form": "action",
    }

    def __init__(self):
        super().__init__()
        self.problems: list[str] = []
        self.in_script = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script":
            self.in_script = "src" not in attributes
            if self.in_script:
                self.problems.append("inline <script>")
        for name, value in attrs:
            value = (value or "").strip()
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}>: event-handler attribute")
            if name.startswith(("hx-on", "data-hx-on", "hx-vars")):
                self.problems.append(f"<{tag} {name}>: needs eval")
            if name in ("hx-vals", "hx-headers") and value.startswith("js:"):
                self.problems.append(f"<{tag} {name}>: needs eval")
            if value.lower().startswith("javascript:"):
                self.problems.append(f"<{tag} {name}>: javascript: URL")
            if name.startswith("hx-") and name[3:] in ("get", "post", "put", "patch", "delete"):
                self.check_origin(tag, name, value)
        resource = self.RESOURCE_ATTRIBUTES.get(tag)
        if resource and attributes.get(resource):
            self.check_origin(tag, resource, attributes[resource])

    def check_origin(self, tag, name, value):
        if value.startswith(("http:", "https:", "//")) or (
            ":" in value.split("/")[0] and not value.startswith("data:")
        ):
            self.problems.append(f"<{tag} {name}={value!r}>: another origin")

    def handle_endtag(self, tag):
        if tag == "script":
            self.in_script = False


def policy_problems(html: str) -> list[str]:
    reader = PolicyReader()
    reader.feed(html)
    return reader.problems


def test_the_reader_finds_what_the_policy_blocks():
    html = (
        '<script>alert(1)</script><a href="#" onclick="x()">a</a>'
        '<img src="https://cdn.example/x.png"><button hx-on:click="x()">b</button>'
        '<a href="javascript:x()">c</a><script src="//cdn.example/htmx.js"></script>'
        '<link rel="stylesheet" href="/static/css/app.css"><img src="data:,">'
    )
    assert len(policy_problems(html)) == 6


def first_allowed_role(row) -> str:
    return next(role for role in ROLES if row.outcomes[role] in ("200", "302"))


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
@pytest.mark.parametrize("row", ROWS, ids=[row.id for row in ROWS])
def test_every_response_sends_the_headers(world, row, htmx):
    client = world.client_for(first_allowed_role(row))
    url = concrete_url(row.route, url_values(world))
    extra = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    response = getattr(client, row.method.lower())(url, **extra)
    assert response.status_code < 400, url
    assert_security_headers(response, f"{row.method} {url}")
    if response["Content-Type"].startswith("text/html"):
        html = response.content.decode()
        assert policy_problems(html) == [], f"{row.method} {url}"


def test_error_pages_csv_and_static_files_send_the_headers(world, client):
    assert_security_headers(client.get("/units/no-such-unit/"), "404")
    client.force_login(world.student)
    assert_security_headers(client.get(f"/classes/{world.school_class.pk}/"), "403")
    client.force_login(world.instructor)
    csv = client.get(reverse("classroom:gradebook_csv", args=[world.school_class.pk]))
    assert csv["Content-Type"].startswith("text/csv")
    assert_security_headers(csv, "CSV")
    static = client.get("/static/js/app.js")
    if static.status_code == 200:  # served by WhiteNoise once collectstatic has run
        assert_security_headers(static, "static file", document=False)
        assert "javascript" in static["Content-Type"]


SIGNED_IN_PAGES = [
    (row, role, htmx)
    for row in ROWS
    if row.method == "GET"
    for role in ROLES
    if role != "anonymous" and row.outcomes[role] == "200"
    for htmx in (False, True)
]


@pytest.mark.parametrize(
    ("row", "role", "htmx"),
    SIGNED_IN_PAGES,
    ids=[f"{row.route} · {role}{' · htmx' if htmx else ''}" for row, role, htmx in SIGNED_IN_PAGES],
)
def test_signed_in_pages_and_csvs_are_never_stored_by_a_cache(world, row, role, htmx):
    """A shared computer's back button, a proxy or the disk cache must not keep a student's
    answers or a class's grid: every response to a signed-in user, public pages included."""
    client = world.client_for(role)
    url = concrete_url(row.route, url_values(world))
    response = client.get(url, **({"HTTP_HX_REQUEST": "true"} if htmx else {}))
    assert response.status_code == 200, url
    cache_control = {part.strip() for part in response.get("Cache-Control", "").split(",")}
    assert {"private", "no-store"} <= cache_control, f"{url}: {response.get('Cache-Control')}"
    assert "public" not in cache_control, url


def test_public_pages_keep_their_headers_for_visitors(world, client):
    """What a visitor reads is the same for everyone: no private or no-store added."""
    for row in ROWS:
        if row.method == "GET" and row.who.startswith("everyone"):
            url = concrete_url(row.route, url_values(world))
            response = client.get(url)
            assert "no-store" not in response.get("Cache-Control", ""), url
            assert "private" not in response.get("Cache-Control", ""), url


def test_the_pages_ask_htmx_not_to_run_scripts(world, client):
    html = client.get("/").content.decode()
    assert '"allowScriptTags": false' in html


HOSTILE = '<img src=x onerror="alert(1)"><script>alert(2)</script>'


def test_course_text_is_escaped_on_every_page(db, student, client):
    """Course text is trusted staff input, but a pasted tag must still show as text."""
    data = read_course_file(MINI_COURSE)
    passage = data["units"][0]["passages"][0]
    for language in ("zh-hant", "en"):
        passage["text"][language] += HOSTILE
        data["terms"][0]["definition"][language] += HOSTILE
        data["items"][0]["stem"][language] += HOSTILE
        data["items"][0]["choices"][0]["text"][language] += HOSTILE
    data["units"][0]["title"]["en"] += HOSTILE
    load(data)
    client.force_login(student)
    attempt = services.start_or_resume_attempt(student, Unit.objects.get(slug="introduction"))
    for url in (
        "/",
        "/units/introduction/",
        "/units/introduction/print/",
        "/glossary/",
        attempt.get_absolute_url(),
        "/home/",
    ):
        html = client.get(url).content.decode()
        assert "<img src=x" not in html and "<script>alert" not in html, url
        assert policy_problems(html) == [], url
