"""On a phone (390 × 844, touch): the quiz fits the screen, glossary cards open with a tap,
footnote markers are buttons, targets are big enough, and a failed answer says so."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import serious_violations, sign_in

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True}
PASSWORD = "pw-Student-123"


@pytest.fixture
def live_full_course(transactional_db):
    """The bundled course, committed for the live server: its matching items have the long
    options that widened the quiz page past the screen (725 px, 1,162 px)."""
    from courseware.course_file import DEFAULT_COURSE_FILE, load, read_course_file

    load(read_course_file(DEFAULT_COURSE_FILE))


@pytest.fixture
def phone(browser, live_server):
    """Opens a page on a touch phone in the given interface language."""
    contexts = []

    def open_page(language="en"):
        context = browser.new_context(**PHONE, locale="en-US")
        context.add_cookies(
            [{"name": "django_language", "value": language, "url": live_server.url}]
        )
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


def page_width(page) -> int:
    """What a phone would scroll: it widens its layout viewport to fit wide content, so
    ``innerWidth`` would grow with the fault; the document's scroll width shows it."""
    return page.evaluate("document.documentElement.scrollWidth")


def start_quiz(page, live_server, slug):
    page.goto(f"{live_server.url}/units/{slug}/")
    page.locator(f"form[action='/quiz/units/{slug}/start/'] button").click()
    page.wait_for_url("**/quiz/attempts/*/")


def item_section(page, number):
    return page.locator(".quiz-items > li").nth(number - 1).locator("section")


@pytest.mark.parametrize("language", ["en", "zh-hant"])
@pytest.mark.parametrize("slug", ["phase-1945-1975", "strategies"])
def test_quizzes_with_matching_items_fit_a_phone(
    phone, live_server, live_full_course, student, slug, language
):
    page = phone(language)
    sign_in(page, live_server, "student", PASSWORD)
    start_quiz(page, live_server, slug)
    assert page_width(page) <= 390
    selects = page.locator(".kind-matching select")
    assert selects.count() > 0
    for box in [select.bounding_box() for select in selects.all()]:
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    # A long match, cut short inside its select, is repeated in full under it.
    select = selects.first
    longest = select.evaluate(
        "s => [...s.options].reduce((a, o) => o.text.length > a.text.length ? o : a).value"
    )
    select.select_option(longest)
    chosen = select.locator("xpath=following-sibling::*[@data-match-chosen]")
    expect(chosen).to_be_visible()
    assert chosen.inner_text() == select.evaluate("s => s.options[s.selectedIndex].text")
    assert page_width(page) <= 390


def test_the_summary_is_a_list_on_a_phone(phone, live_server, live_course, student):
    page = phone("zh-hant")
    sign_in(page, live_server, "student", PASSWORD)
    start_quiz(page, live_server, "introduction")
    page.locator("form[action$='/finish/'] button").click()
    # Nothing answered: the hand-in asks first (issue #14), then hands in.
    page.wait_for_selector("#quiz-hand-in input[name=confirm]", state="attached")
    page.locator("form[action$='/finish/'] button").click()
    page.wait_for_selector(".quiz-summary")
    assert page_width(page) <= 390
    first = page.locator(".summary-table tbody tr").first
    # Each answer is a card the width of the screen, each part labelled, not five columns.
    row = first.bounding_box()
    assert row["width"] > 300
    cells = first.locator("td")
    boxes = [cell.bounding_box() for cell in cells.all()]
    assert all(abs(box["x"] - boxes[0]["x"]) < 2 for box in boxes)  # one above the other
    label = cells.first.evaluate("td => getComputedStyle(td, '::before').content")
    assert label == '"題目"'
    assert serious_violations(page) == []


def test_a_tap_on_a_term_opens_its_card_on_screen_and_a_second_tap_closes_it(
    phone, live_server, live_course
):
    page = phone("zh-hant")
    page.goto(f"{live_server.url}/units/phase-one/")
    tooltip = page.locator("#term-tooltip")
    # In the English column (a term of the Chinese column opens its word card: test_word_cards).
    terms = page.locator("#reading .col-en a.term")
    # The rightmost term on the screen: the card must still fit inside the viewport.
    term = max(terms.all(), key=lambda t: t.bounding_box()["x"])
    term.tap()
    expect(tooltip).to_be_visible()
    expect(tooltip).to_contain_text("balance of power")
    assert page.url.endswith("/units/phase-one/")  # the tap did not follow the link
    box = tooltip.bounding_box()
    viewport = page.evaluate("[document.documentElement.clientWidth, innerHeight]")
    assert box["x"] >= 0 and box["x"] + box["width"] <= viewport[0]
    assert box["y"] >= 0 and box["y"] + box["height"] <= viewport[1]
    term.tap()
    expect(tooltip).to_be_hidden()
    # A tap elsewhere closes it too, and so does Esc.
    term.tap()
    expect(tooltip).to_be_visible()
    page.locator("h1").tap()
    expect(tooltip).to_be_hidden()
    term.tap()
    expect(tooltip).to_be_visible()
    page.keyboard.press("Escape")
    expect(tooltip).to_be_hidden()


def test_a_mouse_still_shows_the_card_on_hover(page, live_server, live_course):
    page.goto(f"{live_server.url}/units/phase-one/")
    term = page.locator("#reading .col-en a.term").first
    term.hover()
    expect(page.locator("#term-tooltip")).to_be_visible()
    term.click()  # a click does not close what the hover opened
    expect(page.locator("#term-tooltip")).to_be_visible()
    page.mouse.move(0, 0)
    page.locator("h1").click()
    expect(page.locator("#term-tooltip")).to_be_hidden()


@pytest.mark.parametrize("key", ["Space", "Enter"])
def test_a_footnote_marker_opens_with_space_and_enter(page, live_server, live_course, key):
    page.goto(f"{live_server.url}/units/phase-one/")
    marker = page.locator("#reading .col-en button[data-footnote]").first
    assert marker.evaluate("element => element.tagName") == "BUTTON"
    expect(marker).to_have_attribute("aria-label", "Note 1")
    marker.focus()
    page.keyboard.press(key)
    expect(marker).to_have_attribute("aria-expanded", "true")
    note = page.locator(".footnote-inline").first
    expect(note).to_be_visible()
    expect(marker).to_have_attribute("aria-controls", note.get_attribute("id"))
    assert page.url.endswith("/units/phase-one/")  # Space did not scroll to the notes list
    expect(marker).to_be_focused()  # focus stays on the marker, which now closes the note
    page.keyboard.press(key)
    expect(marker).to_have_attribute("aria-expanded", "false")
    expect(marker).not_to_have_attribute("aria-controls", re.compile(".*"))
    expect(page.locator(".footnote-inline")).to_have_count(0)


def test_escape_closes_an_open_footnote_and_returns_to_its_marker(page, live_server, live_course):
    page.goto(f"{live_server.url}/units/phase-one/")
    marker = page.locator("#reading .col-en button[data-footnote]").first
    marker.click()
    note = page.locator(".footnote-inline").first
    note.focus()
    page.keyboard.press("Escape")
    expect(page.locator(".footnote-inline")).to_have_count(0)
    expect(marker).to_have_attribute("aria-expanded", "false")
    expect(marker).to_be_focused()


def test_without_javascript_the_notes_are_listed_at_the_end(browser, live_server, live_course):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/units/phase-one/")
    expect(page.locator("#reading button[data-footnote]").first).to_be_visible()
    expect(page.locator("section.footnotes #fn-1")).to_be_visible()
    context.close()


def test_touch_targets_in_the_quiz_and_the_reading_tools_are_44px_high(
    phone, live_server, live_course, student
):
    page = phone("en")
    sign_in(page, live_server, "student", PASSWORD)
    page.goto(f"{live_server.url}/units/introduction/")
    small = page.evaluate(
        """() => [...document.querySelectorAll(
              '.reading-tools button, .reading-tools .mode-button, .reading-tools .print-link')]
            .filter(e => e.getBoundingClientRect().height < 44)
            .map(e => e.textContent.trim())"""
    )
    assert small == []
    start_quiz(page, live_server, "introduction")
    small = page.evaluate(
        """() => [...document.querySelectorAll(
              '.quiz-items button, .quiz-items select, .quiz-items .choice label,'
              + '.quiz-actions button')]
            .filter(e => e.getClientRects().length && e.getBoundingClientRect().height < 44)
            .map(e => e.outerHTML.slice(0, 80))"""
    )
    assert small == []


def answer_first_item(page):
    section = item_section(page, 1)
    section.get_by_label("The Soviet Union").check()
    section.get_by_role("button", name="Submit answer").click()


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "Your answer was not saved: the server had a problem. Please send it again."),
        ("zh-hant", "你的答案沒有儲存：伺服器出了問題。請再送出一次。"),
    ],
)
def test_a_server_error_is_shown_in_the_item_and_the_answer_can_be_sent_again(
    phone, live_server, live_course, student, language, message
):
    page = phone(language)
    sign_in(page, live_server, "student", PASSWORD)
    start_quiz(page, live_server, "introduction")
    failing = {"on": True}

    def server_error(route):
        if failing["on"]:
            route.fulfill(status=500, body="<h1>Server error</h1>", content_type="text/html")
        else:
            route.continue_()

    page.route("**/quiz/attempts/*/items/*/", server_error)
    section = item_section(page, 1)
    section.locator("input[name=choice]").nth(1).check()
    section.locator("button[type=submit]").click()
    failure = section.locator("[data-request-failure]")
    expect(failure).to_have_text(message)
    expect(failure).to_have_attribute("role", "alert")
    # Nothing was swapped: the question and the chosen answer are still there to resend.
    expect(section.locator("input[name=choice]").nth(1)).to_be_checked()
    failing["on"] = False
    section.locator("button[type=submit]").click()
    expect(item_section(page, 1)).to_have_class("quiz-item quiz-feedback kind-single")
    expect(page.locator("#quiz-progress-bar")).to_have_attribute("value", "1")


def test_a_lost_connection_is_shown_in_the_item_and_the_answer_can_be_sent_again(
    page, live_server, live_course, student
):
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    sign_in(page, live_server, "student", PASSWORD)
    start_quiz(page, live_server, "introduction")
    page.context.set_offline(True)
    answer_first_item(page)
    section = item_section(page, 1)
    expect(section.locator("[data-request-failure]")).to_have_text(
        "Your answer could not be sent: there is no connection. "
        "Check your connection and send it again."
    )
    expect(section.get_by_label("The Soviet Union")).to_be_checked()
    page.context.set_offline(False)
    section.get_by_role("button", name="Submit answer").click()
    expect(item_section(page, 1)).to_contain_text("Right")
    expect(page.locator("#quiz-progress-bar")).to_have_attribute("value", "1")


def test_a_failure_elsewhere_is_shown_in_the_page_messages(page, live_server, live_course, student):
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    sign_in(page, live_server, "student", PASSWORD)
    page.goto(f"{live_server.url}/units/phase-one/")
    page.route("**/read/", lambda route: route.fulfill(status=500, body="no"))
    page.get_by_role("button", name="Mark this unit as read").click()
    expect(page.locator(".messages")).to_contain_text(
        "That did not go through: the server had a problem, and nothing was changed."
    )
    expect(page.get_by_role("button", name="Mark this unit as read")).to_be_visible()
