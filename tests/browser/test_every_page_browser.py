"""Every page of the URL table (docs/security.md) that a role may open, on a phone and a
desktop, in all three languages: nothing scrolls sideways and axe-core finds nothing serious.
And what a signed-out tab keeps: no page of the signed-in session in htmx's history cache."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import serious_violations, sign_in
from tests.security.access_table import concrete_url, read_table, url_values
from tests.security.conftest import PASSWORD, build_world

pytestmark = pytest.mark.browser

SIZES = {"phone": (390, 844), "desktop": (1280, 800)}
HTML_LANG = {"zh-hant": "zh-Hant", "zh-hans": "zh-Hans", "en": "en"}
# Not pages people read: the load balancer's probe, the admin (staff only; Django's own).
NOT_PAGES = ("/healthz", "/admin/…", "/i18n/setlang/")


def pages_for(role: str, world) -> list[str]:
    values = url_values(world)
    return [
        concrete_url(row.route, values)
        for row in read_table()
        if row.method == "GET" and row.route not in NOT_PAGES and row.outcomes[role] == "200"
    ]


def sideways(page, width: int) -> dict:
    """How far the page scrolls sideways, and which elements stick out (for the message).
    A phone widens its layout viewport to fit wide content, so compare with the screen's
    width, not ``innerWidth``. A grid in its own scroll box does not widen the page."""
    return page.evaluate(
        """(width) => ({
            scrollWidth: document.documentElement.scrollWidth,
            culprits: [...document.querySelectorAll('body *')]
              .filter(e => e.getBoundingClientRect().right > width + 1)
              .slice(0, 3).map(e => e.tagName + '.' + e.className),
        })""",
        width,
    )


@pytest.fixture
def world(live_course, student):
    return build_world(student)


@pytest.mark.parametrize("language", ["zh-hant", "zh-hans", "en"])
@pytest.mark.parametrize("size", SIZES)
def test_no_page_scrolls_sideways_or_has_a_serious_axe_violation(
    browser, live_server, world, size, language
):
    width, height = SIZES[size]
    problems = []
    for role, username in (("anonymous", None), ("student", "student"), ("instructor", "teacher")):
        context = browser.new_context(
            viewport={"width": width, "height": height},
            has_touch=size == "phone",
            is_mobile=size == "phone",
        )
        context.add_cookies(
            [{"name": "django_language", "value": language, "url": live_server.url}]
        )
        page = context.new_page()
        if username:
            sign_in(page, live_server, username, PASSWORD)
        urls = pages_for(role, world)
        assert len(urls) >= 5, role
        for url in urls:
            if "text/html" not in context.request.get(live_server.url + url).headers.get(
                "content-type", ""
            ):
                continue  # a download (CSV, item bank), not a page
            response = page.goto(live_server.url + url)
            assert response.status == 200, (role, url)
            assert page.locator("html").get_attribute("lang") == HTML_LANG[language]
            measured = sideways(page, width)
            if measured["scrollWidth"] > width:
                problems.append((role, url, measured))
            violations = serious_violations(page)
            if violations:
                problems.append((role, url, violations))
        context.close()
    assert problems == []


def test_the_progress_grid_scrolls_in_its_own_box_with_the_names_in_view(
    browser, live_server, world
):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    sign_in(page, live_server, "teacher", PASSWORD)
    page.goto(f"{live_server.url}/classes/{world.school_class.pk}/progress/")
    grid = page.locator("#grid .grid-wrap")  # the scroll box (#grid also holds the pages)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert grid.evaluate("box => box.scrollWidth > box.clientWidth")  # wider than the phone
    name = page.locator("#grid tbody th").first
    before = name.bounding_box()["x"]
    grid.evaluate("box => { box.scrollLeft = box.scrollWidth; }")
    assert abs(name.bounding_box()["x"] - before) < 1  # the first column stays
    context.close()


def test_signing_out_clears_htmx_history_cache(page, live_server, world):
    sign_in(page, live_server, "teacher", PASSWORD)
    page.goto(f"{live_server.url}/classes/{world.school_class.pk}/progress/")
    # Filtering pushes a new URL: htmx saves the page as it was into sessionStorage for Back.
    page.locator("#grid-q").fill("stu")
    page.wait_for_url("**/progress/?*q=stu*")
    cached = page.evaluate("sessionStorage.getItem('htmx-history-cache') || ''")
    assert "grid-caption" in cached  # the control: the grid is there before signing out
    page.locator("form[data-sign-out] button").click()
    page.wait_for_load_state()
    expect(page.locator("body")).to_have_attribute("data-signed-in", "false")
    assert page.evaluate("sessionStorage.getItem('htmx-history-cache')") is None
    # Back to the grid brings the sign-in page from the server, never the cached grid.
    page.go_back()
    page.wait_for_load_state()
    assert "grid-caption" not in page.content()
