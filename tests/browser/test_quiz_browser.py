"""A student takes a quiz in a real browser: htmx swaps, focus, keyboard ordering, no-JS posts."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import serious_violations, sign_in

pytestmark = pytest.mark.browser

ORDER = ["1945", "1975", "1979", "1991"]


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "en-US"}


@pytest.fixture
def quiz_page(page, live_server, live_course, student):
    sign_in(page, live_server, "student", "pw-Student-123")
    page.goto(f"{live_server.url}/units/introduction/")
    page.get_by_role("button", name="Start the quiz").click()
    page.wait_for_url("**/quiz/attempts/*/")
    return page


def item_section(page, number):
    return page.locator(".quiz-items > li").nth(number - 1).locator("section")


def test_an_answer_is_swapped_in_place_with_focus_and_announcement(quiz_page, console_errors):
    page = quiz_page
    page.evaluate("window.__marker = 'no reload'")
    first = item_section(page, 1)
    first.get_by_label("The Soviet Union").check()
    first.get_by_role("button", name="Submit answer").click()
    feedback = item_section(page, 1)
    expect(feedback).to_have_class("quiz-item quiz-feedback kind-single")
    expect(feedback.locator("h2")).to_be_focused()
    expect(feedback).to_contain_text("Right")
    expect(feedback.get_by_role("link", name="I Introduction, paragraph 1")).to_have_attribute(
        "href", "/units/introduction/#p-introduction-1"
    )
    expect(page.locator("#quiz-announcer")).to_contain_text("Question 1:")
    expect(page.locator("#quiz-progress-bar")).to_have_attribute("value", "1")
    expect(page.locator(".quiz-score")).to_contain_text("Score so far: 1 of 5 points")
    assert page.evaluate("window.__marker") == "no reload"
    assert serious_violations(page) == []
    assert console_errors == []


def test_an_empty_answer_shows_an_error_and_focuses_it(quiz_page):
    page = quiz_page
    item_section(page, 5).get_by_role("button", name="Submit answer").click()
    error = item_section(page, 5).locator(".quiz-error")
    expect(error).to_contain_text("Choose a match for every entry.")
    expect(error).to_be_focused()


def test_ordering_with_the_keyboard(quiz_page):
    page = quiz_page
    section = item_section(page, 4)
    entries = section.locator(".ordering-entry .ordering-text")
    for target, year in enumerate(ORDER):
        while entries.nth(target).inner_text() != year:
            position = entries.all_inner_texts().index(year)
            button = section.get_by_role("button", name=f"Move “{year}” up")
            button.focus()
            page.keyboard.press("Enter")
            expect(button).to_be_focused()
            expect(entries.nth(position - 1)).to_have_text(year)
    assert entries.all_inner_texts() == ORDER
    values = section.locator("select[data-position]").evaluate_all(
        "selects => selects.map(s => s.value)"
    )
    assert values == ["1", "2", "3", "4"]
    expect(section.locator("[data-ordering-status]")).to_contain_text("is now in position")
    section.get_by_role("button", name="Submit answer").click()
    expect(item_section(page, 4)).to_contain_text("Right")


def test_the_last_answer_brings_the_summary(quiz_page):
    page = quiz_page
    for number in (1, 2, 3, 4, 5):
        section = item_section(page, number)
        if number <= 3:
            section.locator("input[name=choice]").first.check()
        elif number == 5:
            for select in section.locator("select").all():
                select.select_option(index=1)
        # The ordering item (4) is answered as shown: its positions are already complete.
        section.get_by_role("button", name="Submit answer").click()
        expect(item_section(page, number).locator("h2")).to_be_focused()
        expect(item_section(page, number)).to_contain_text("The right answer")
    expect(page.locator(".quiz-summary")).to_contain_text("Your results")
    expect(page.locator("#quiz-actions")).to_be_empty()
    expect(page.get_by_role("button", name="Try again")).to_be_visible()
    assert serious_violations(page) == []


def test_the_quiz_works_without_javascript(browser, live_server, live_course, student):
    context = browser.new_context(java_script_enabled=False, locale="en-US")
    page = context.new_page()
    sign_in(page, live_server, "student", "pw-Student-123")
    page.goto(f"{live_server.url}/units/introduction/")
    page.get_by_role("button", name="Start the quiz").click()
    item_section(page, 3).get_by_label("True").check()
    item_section(page, 3).get_by_role("button", name="Submit answer").click()
    page.wait_for_load_state()
    assert page.url.endswith("#item-" + page.url.split("#item-")[1])
    expect(item_section(page, 3)).to_contain_text("Right")
    expect(page.locator("#quiz-progress-bar")).to_have_attribute("value", "1")
    # Ordering falls back to the position selects; the move buttons stay hidden.
    expect(item_section(page, 4).locator(".ordering-move").first).to_be_hidden()
    context.close()


def test_both_languages_switch_without_a_reload(quiz_page):
    page = quiz_page
    page.evaluate("window.__marker = 'no reload'")
    page.get_by_role("link", name="Show both languages").click()
    expect(page.locator(".other-language").first).to_be_visible()
    expect(page.locator(".quiz-items")).to_contain_text("越南在冷戰時期依靠哪一國？")
    assert page.url.endswith("?both=1")
    assert page.evaluate("window.__marker") == "no reload"
    page.get_by_role("link", name="Show the interface language only").click()
    expect(page.locator(".other-language")).to_have_count(0)
