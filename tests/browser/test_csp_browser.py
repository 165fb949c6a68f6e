"""Every page type in Chromium under the real Content-Security-Policy: no violation, no
console error, no request to another origin, and htmx still swapping in place."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.security.conftest import PASSWORD, build_world

pytestmark = pytest.mark.browser

# Registered before any page script runs; DevTools-injected, so the CSP does not apply to it.
WATCH_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "en-US"}


@pytest.fixture
def watched(page):
    """The page, with every CSP report and console error of every page it opens collected."""
    page.add_init_script(WATCH_VIOLATIONS)
    page.reports = []  # (url, what)
    page.on(
        "console",
        lambda message: page.reports.append((page.url, f"console {message.type}: {message.text}"))
        if message.type == "error" or "Content Security Policy" in message.text
        else None,
    )
    page.on("pageerror", lambda error: page.reports.append((page.url, f"error: {error}")))
    return page


def visit(page, url: str, status: int = 200) -> None:
    response = page.goto(url)
    assert response is not None and response.status == status, url
    page.wait_for_load_state("networkidle")
    collect(page)
    if status != 200:  # Chromium logs the page's own status as a failed load: expected here
        page.reports = [
            (where, what)
            for where, what in page.reports
            if not (where == url and f"status of {status}" in what)
        ]


def collect(page) -> None:
    for violation in page.evaluate("window.__cspViolations || []"):
        page.reports.append((page.url, f"CSP: {violation}"))
    page.evaluate("window.__cspViolations = []")


@pytest.fixture
def world(live_course, student):
    return build_world(student)


def item_section(page, number):
    return page.locator(".quiz-items > li").nth(number - 1).locator("section")


def test_every_page_type_runs_under_the_policy(watched, live_server, world, third_party_requests):
    page, base = watched, live_server.url
    class_url = f"{base}/classes/{world.school_class.pk}"

    for path in (
        "/",
        "/units/introduction/",
        "/glossary/",
        "/references/",
        "/units/introduction/print/",
        "/login/",
        "/signup/",
    ):
        visit(page, base + path)
    visit(page, f"{base}/units/no-such-unit/", status=404)

    sign_in(page, live_server, "student", PASSWORD)
    for path in ("/home/", "/account/password/"):
        visit(page, base + path)

    # Reading: "mark as read" is an htmx post that swaps its own block.
    visit(page, f"{base}/units/phase-one/")
    page.evaluate("window.__marker = 'same page'")
    page.get_by_role("button", name="Mark this unit as read").click()
    expect(page.get_by_role("button", name="Mark as unread")).to_be_visible()
    assert page.evaluate("window.__marker") == "same page"

    # The quiz attempt; answering one item through htmx swaps the feedback in place.
    visit(page, f"{base}{world.attempt.get_absolute_url()}")
    page.evaluate("window.__marker = 'same page'")
    section = item_section(page, 2)
    section.locator("input[name=choice]").first.check()
    section.get_by_role("button", name="Submit answer").click()
    expect(item_section(page, 2)).to_have_class("quiz-item quiz-feedback kind-multiple")
    expect(page.locator("#quiz-progress-bar")).to_have_attribute("value", "2")
    assert page.evaluate("window.__marker") == "same page"
    collect(page)

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()
    sign_in(page, live_server, "teacher", PASSWORD)
    for url in (
        f"{base}/home/",
        f"{class_url}/",
        f"{class_url}/progress/",
        f"{class_url}/roster/",
        f"{class_url}/units/introduction/analysis/",
        f"{class_url}/tags/",
        f"{class_url}/students/{world.student.pk}/",
        f"{base}/account/password/",
    ):
        visit(page, url)

    # The progress grid filters through htmx as the instructor types.
    visit(page, f"{class_url}/progress/")
    page.evaluate("window.__marker = 'same page'")
    page.locator("#grid-q").fill("student")
    page.wait_for_load_state("networkidle")
    assert page.evaluate("window.__marker") == "same page"
    collect(page)

    assert page.reports == []
    assert third_party_requests == []


def test_the_watch_sees_a_violation_when_there_is_one(watched, live_server, live_course):
    """The control: an inline script slipped into a page is blocked and reported."""

    def inject(route):
        response = route.fetch()
        body = response.text().replace("</body>", "<script>window.ran = 1</script></body>")
        route.fulfill(response=response, body=body)

    watched.route("**/glossary/", inject)
    visit(watched, f"{live_server.url}/glossary/")
    assert watched.evaluate("window.ran") is None
    assert any("script-src" in what for _url, what in watched.reports)
