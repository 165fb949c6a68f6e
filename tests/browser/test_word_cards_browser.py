"""Word cards in a real browser: a tap on a word of the Chinese column opens its card inside
the viewport, on a phone and on a desktop, in the three interface languages."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import serious_violations

pytestmark = pytest.mark.browser


def open_unit(browser, live_server, language, size, *, touch, readings="off"):
    context = browser.new_context(
        viewport={"width": size[0], "height": size[1]}, has_touch=touch, is_mobile=touch
    )
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = context.new_page()
    outside = []
    page.on(
        "request",
        lambda request: None if request.url.startswith(live_server.url) else outside.append(1),
    )
    page.goto(f"{live_server.url}/units/introduction/?readings={readings}")
    return context, page, outside


def tap_character(page, touch, passage, index):
    """Tap (or click) the ``index``-th character of a passage's Chinese text."""
    box = page.evaluate(
        """([key, index]) => {
            const p = document.querySelector(`#p-${key} .col-zh-hant p`);
            const walker = document.createTreeWalker(p, NodeFilter.SHOW_TEXT, {acceptNode: n =>
                n.parentNode.closest("rt") ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT});
            let node, seen = 0;
            while ((node = walker.nextNode())) {
                if (index < seen + node.data.length) {
                    const range = document.createRange();
                    range.setStart(node, index - seen); range.setEnd(node, index - seen + 1);
                    const r = range.getBoundingClientRect();
                    return {x: r.left + r.width / 2, y: r.top + r.height / 2};
                }
                seen += node.data.length;
            }
        }""",
        [passage, index],
    )
    if touch:
        page.touchscreen.tap(box["x"], box["y"])
    else:
        page.mouse.click(box["x"], box["y"])


def card_inside_viewport(page, width, height):
    box = page.locator("#word-card").bounding_box()
    return (
        box["x"] >= 0
        and box["x"] + box["width"] <= width
        and box["y"] + box["height"] <= (page.evaluate("window.scrollY") + height)
    )


@pytest.mark.parametrize(
    ("language", "word"), [("zh-hant", "越南"), ("en", "越南"), ("zh-hans", "越南")]
)
@pytest.mark.parametrize(("size", "touch"), [((390, 844), True), ((1280, 800), False)])
def test_tapping_a_word_opens_its_card_inside_the_viewport(
    browser, live_server, live_course, language, word, size, touch
):
    context, page, outside = open_unit(browser, live_server, language, size, touch=touch)
    page.locator("#p-introduction-1 .col-zh-hant").scroll_into_view_if_needed()
    tap_character(page, touch, "introduction-1", 9)  # 這是前言第1段，談越南…: 越
    card = page.locator("#word-card")
    expect(card).to_be_visible()
    expect(card.locator(".word-card-title")).to_contain_text(word)
    expect(card).to_contain_text("yuè nán")
    expect(card).to_contain_text("Vietnam")
    assert card_inside_viewport(page, *size)
    assert page.evaluate("document.documentElement.scrollWidth") <= size[0]
    assert serious_violations(page) == []
    # A second tap on the same word closes it; a tap on another opens that one; Esc closes.
    tap_character(page, touch, "introduction-1", 10)  # 南, the same word
    expect(card).to_be_hidden()
    tap_character(page, touch, "introduction-1", 0)
    expect(card.locator(".word-card-title")).to_contain_text(
        "這" if language != "zh-hans" else "这"
    )
    page.keyboard.press("Escape")
    expect(card).to_be_hidden()
    assert outside == []
    context.close()


def test_a_glossary_term_opens_its_definition_first_and_english_terms_work_as_before(
    browser, live_server, live_course
):
    context, page, _outside = open_unit(browser, live_server, "zh-hant", (390, 844), touch=True)
    term = page.locator("#p-introduction-1 .col-zh-hant a.term")
    term.scroll_into_view_if_needed()
    term.tap()
    card = page.locator("#word-card")
    expect(card.locator(".word-term")).to_contain_text("國際政治中的權力分配概念。")
    expect(page.locator("#term-tooltip")).to_be_hidden()
    assert card_inside_viewport(page, 390, 844)
    page.locator("#p-introduction-3 .col-en p").first.tap()  # a tap elsewhere closes it
    expect(card).to_be_hidden()
    page.locator("#p-introduction-1 .col-en a.term").tap()
    expect(page.locator("#term-tooltip")).to_be_visible()
    expect(card).to_be_hidden()
    context.close()


def test_words_tap_with_zhuyin_on_and_the_keyboard_reaches_the_close_button(
    browser, live_server, live_course
):
    context, page, _outside = open_unit(
        browser, live_server, "zh-hant", (390, 844), touch=True, readings="zhuyin"
    )
    page.locator("#p-introduction-1 .col-zh-hant ruby", has_text="越").tap()
    card = page.locator("#word-card")
    expect(card).to_contain_text("ㄩㄝˋ ㄋㄢˊ")
    assert card_inside_viewport(page, 390, 844)
    assert serious_violations(page) == []
    term = page.locator("#p-introduction-1 .col-zh-hant a.term")
    term.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#word-card .word-card-close")).to_be_focused()
    page.keyboard.press("Escape")
    expect(card).to_be_hidden()
    expect(term).to_be_focused()
    context.close()


def test_without_javascript_the_unit_links_to_its_words_and_each_word_to_its_page(
    browser, live_server, live_course
):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(f"{live_server.url}/units/introduction/")
    page.locator(".unit-words-link a").click()
    page.locator(".unit-words a", has_text="越南").first.click()
    expect(page.locator("h1")).to_have_text("越南")
    expect(page.locator("main")).to_contain_text("Vietnam")
    context.close()


@pytest.mark.parametrize("failure", ["offline", "server error"])
def test_a_card_that_cannot_load_says_so_where_the_reader_tapped(
    browser, live_server, live_course, failure
):
    """On a phone the page's message region is a screen or more away from the word."""
    context, page, _outside = open_unit(browser, live_server, "en", (390, 844), touch=True)

    def is_card(url):
        return "/words/" in url and "/static/" not in url

    if failure == "offline":
        page.route(is_card, lambda route: route.abort("internetdisconnected"))
    else:
        page.route(is_card, lambda route: route.fulfill(status=500, body="broken"))
    page.locator("#p-introduction-1 .col-zh-hant").scroll_into_view_if_needed()
    tap_character(page, True, "introduction-1", 9)
    card = page.locator("#word-card")
    expect(card).to_be_visible()
    expect(card).to_contain_text("did not go through")
    assert card_inside_viewport(page, 390, 844)
    context.close()
