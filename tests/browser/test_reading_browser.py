"""A reader in a real browser: modes, glossary tooltips, permalinks, language, accessibility."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import serious_violations

pytestmark = pytest.mark.browser


def test_reader_switches_all_four_modes_without_reload(page, live_server, live_course):
    page.goto(f"{live_server.url}/units/phase-one/")
    page.evaluate("window.__marker = 'still here'")
    reading = page.locator("#reading")
    zh = page.locator("#p-phase-one-1 .col-zh-hant")
    en = page.locator("#p-phase-one-1 .col-en")

    page.get_by_role("button", name="English only").click()
    expect(reading).to_have_class("reading mode-en")
    expect(zh).to_be_hidden()
    expect(en).to_be_visible()

    page.get_by_role("button", name="中文 only").focus()
    page.keyboard.press("Enter")
    expect(reading).to_have_class("reading mode-zh")
    expect(en).to_be_hidden()

    page.get_by_role("button", name="Stacked").click()
    expect(reading).to_have_class("reading mode-stacked")
    zh_box, en_box = zh.bounding_box(), en.bounding_box()
    assert en_box["y"] > zh_box["y"]  # English under its Chinese paragraph

    page.get_by_role("button", name="Side by side").click()
    zh_box, en_box = zh.bounding_box(), en.bounding_box()
    # The interface language (English here) takes the first column.
    assert abs(en_box["y"] - zh_box["y"]) < 2 and en_box["x"] < zh_box["x"]
    assert page.evaluate("window.__marker") == "still here"


def test_reading_mode_is_remembered(page, live_server, live_course):
    page.goto(f"{live_server.url}/units/phase-one/")
    page.get_by_role("button", name="English only").click()
    page.goto(f"{live_server.url}/units/introduction/")
    expect(page.locator("#reading")).to_have_class("reading mode-en")


def test_focusing_a_glossary_term_shows_its_tooltip(page, live_server, live_course):
    page.goto(f"{live_server.url}/units/phase-one/")
    term = page.locator("#p-phase-one-1 .col-zh-hant a.term").first
    term.focus()
    tooltip = page.locator("#term-tooltip")
    expect(tooltip).to_be_visible()
    expect(tooltip).to_contain_text("權力平衡")
    expect(tooltip).to_contain_text("balance of power")
    expect(term).to_have_attribute("aria-describedby", "term-tooltip")
    page.keyboard.press("Escape")
    expect(tooltip).to_be_hidden()


def test_footnote_opens_in_place(page, live_server, live_course):
    page.goto(f"{live_server.url}/units/phase-one/")
    marker = page.locator("#p-phase-one-2 .col-en button[data-footnote]")
    marker.click()
    expect(marker).to_have_attribute("aria-expanded", "true")
    expect(page.locator("#p-phase-one-2 .footnote-inline")).to_contain_text(
        "Note 1, first paragraph."
    )


def test_permalink_scrolls_to_and_highlights_the_paragraph(page, live_server, live_course):
    page.goto(f"{live_server.url}/units/phase-one/#p-phase-one-3")
    row = page.locator("#p-phase-one-3")
    expect(row).to_have_class("passage-row kind-paragraph is-target")
    expect(row).to_be_in_viewport()


def test_reader_switches_the_interface_language(page, live_server, live_course):
    page.context.add_cookies(
        [{"name": "django_language", "value": "zh-hant", "url": live_server.url}]
    )
    page.goto(f"{live_server.url}/units/phase-one/")
    page.get_by_role("button", name="English", exact=True).click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="Learning objectives")).to_be_visible()
    assert page.url.endswith("/units/phase-one/")
    page.get_by_role("button", name="繁體中文").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hant")


@pytest.mark.parametrize("language", ["zh-hant", "en"])
@pytest.mark.parametrize("path", ["/", "/units/phase-one/", "/glossary/"])
def test_reading_pages_have_no_serious_accessibility_violations(
    page, live_server, live_course, third_party_requests, language, path
):
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    page.goto(f"{live_server.url}{path}")
    assert serious_violations(page) == []
    assert third_party_requests == []
