"""Every reader in a real browser: Simplified Chinese through the switch, readings above the
characters on a phone and a desktop, accessibility and no third-party request."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import serious_violations

pytestmark = pytest.mark.browser


def test_the_switch_cycles_through_all_three_languages(page, live_server, live_course):
    page.context.add_cookies(
        [{"name": "django_language", "value": "zh-hant", "url": live_server.url}]
    )
    page.goto(f"{live_server.url}/units/introduction/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hant")
    page.get_by_role("button", name="简体中文").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    expect(page.locator("#p-introduction-1 .col-zh-hant")).to_contain_text("这是前言第1段")
    page.get_by_role("button", name="English", exact=True).click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_role("button", name="繁體中文").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hant")
    expect(page.locator("#p-introduction-1 .col-zh-hant")).to_contain_text("這是前言第1段")


def test_the_traditional_original_is_one_click_from_simplified(page, live_server, live_course):
    page.context.add_cookies(
        [{"name": "django_language", "value": "zh-hans", "url": live_server.url}]
    )
    page.goto(f"{live_server.url}/units/introduction/")
    page.get_by_role("button", name="阅读繁体原文").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hant")
    assert page.url.endswith("/units/introduction/")


@pytest.mark.parametrize("size", [(390, 844), (1280, 800)])
@pytest.mark.parametrize("language", ["zh-hant", "zh-hans", "en"])
def test_readings_switch_to_zhuyin_and_stay(browser, live_server, live_course, size, language):
    context = browser.new_context(viewport={"width": size[0], "height": size[1]})
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = context.new_page()
    outside = []
    page.on(
        "request",
        lambda request: None if request.url.startswith(live_server.url) else outside.append(1),
    )
    page.goto(f"{live_server.url}/units/introduction/")
    expect(page.locator(".col-zh-hant ruby")).to_have_count(0)
    page.locator(".readings-button", has_text="注音").click()
    first = page.locator("#p-introduction-1 .col-zh-hant ruby").first
    expect(first).to_be_visible()
    expect(page.locator("#p-introduction-1 .col-zh-hant rt").first).to_have_text("ㄓㄜˋ")
    assert page.evaluate("document.documentElement.scrollWidth") <= size[0]
    assert serious_violations(page) == []
    # The next unit remembers it, as the layout is remembered.
    page.goto(f"{live_server.url}/units/phase-one/")
    expect(page.locator(".col-zh-hant ruby").first).to_be_visible()
    # A glossary term inside the readings opens its word card, the course's definition in it.
    term = page.locator(".col-zh-hant a.term").first
    term.focus()
    term.press("Enter")
    expect(page.locator("#word-card .word-term")).to_be_visible()
    assert outside == []
    context.close()
