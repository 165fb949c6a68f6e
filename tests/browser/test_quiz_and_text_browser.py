"""Moving between a quiz question and the text it points to, and between a citation and its
bibliography entry."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

PASSWORD = "pw-Student-123"


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "en-US"}


def item_section(page, number):
    return page.locator(".quiz-items > li").nth(number - 1).locator("section")


@pytest.fixture
def answered_quiz(page, live_server, live_course, student):
    """A quiz whose first question is answered: its feedback links to paragraph 1."""
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    sign_in(page, live_server, "student", PASSWORD)
    page.goto(f"{live_server.url}/units/introduction/")
    page.get_by_role("button", name="Start the quiz").click()
    page.wait_for_url("**/quiz/attempts/*/")
    first = item_section(page, 1)
    first.get_by_label("The Soviet Union").check()
    first.get_by_role("button", name="Submit answer").click()
    expect(item_section(page, 1)).to_contain_text("Right")
    return page


def test_back_after_a_feedback_link_shows_the_question_answered(answered_quiz):
    page = answered_quiz
    quiz_url = page.url
    page.get_by_role("link", name="I Introduction, paragraph 1").click()
    page.wait_for_url("**/units/introduction/**")
    expect(page.locator("#p-introduction-1")).to_have_class("passage-row kind-paragraph is-target")
    page.go_back()
    page.wait_for_url(quiz_url)
    expect(item_section(page, 1)).to_have_class("quiz-item quiz-feedback kind-single")
    expect(item_section(page, 1)).to_contain_text("Right")
    expect(page.locator("#quiz-progress-bar")).to_have_attribute("value", "1")


def test_the_passage_offers_a_way_back_to_the_question(answered_quiz):
    page = answered_quiz
    page.get_by_role("link", name="I Introduction, paragraph 1").click()
    page.wait_for_url("**/units/introduction/**")
    back = page.get_by_role("link", name="Back to question 1")
    expect(back).to_be_visible()
    back.click()
    page.wait_for_url("**/quiz/attempts/*/#item-*")
    section = item_section(page, 1)
    expect(section).to_contain_text("Right")
    assert page.evaluate("location.hash") == "#" + section.get_attribute("id")


def test_a_way_back_only_leads_to_this_site(page, live_server, live_course):
    page.goto(f"{live_server.url}/units/introduction/?from=//evil.example/&question=1")
    expect(page.locator(".back-to-question")).to_have_count(0)
    page.goto(f"{live_server.url}/units/introduction/?from=/quiz/attempts/1/&question=x")
    expect(page.locator(".back-to-question")).to_have_count(0)


def test_a_citation_lands_on_its_entry_highlighted_with_a_link_back(page, live_server, live_course):
    page.goto(f"{live_server.url}/units/phase-one/")
    cite = page.locator("#reading a.cite").first
    row_id = cite.evaluate("a => a.closest('.passage-row').id")
    cite.click()
    entry = page.locator(cite.get_attribute("href"))
    expect(entry).to_be_in_viewport()
    assert entry.evaluate("li => li.matches(':target')")
    background = entry.evaluate("li => getComputedStyle(li).backgroundColor")
    assert background not in ("rgba(0, 0, 0, 0)", "transparent")
    back = entry.get_by_role("link", name="Back to where it is cited")
    back.click()
    assert page.evaluate("location.hash") == f"#{row_id}"
    expect(page.locator(f"#{row_id}")).to_be_in_viewport()


def test_the_references_are_linked_from_the_navigation_and_the_glossary(
    page, live_server, live_course
):
    page.goto(f"{live_server.url}/glossary/")
    expect(page.locator("main").get_by_role("link", name="References")).to_have_attribute(
        "href", "/references/"
    )
    page.get_by_role("navigation", name="Main").get_by_role("link", name="References").click()
    page.wait_for_url("**/references/")
    expect(page.locator("h1")).to_have_text("References")


def test_the_glossary_filters_as_the_reader_types(page, live_server, live_course):
    page.goto(f"{live_server.url}/glossary/")
    page.evaluate("window.__marker = 'no reload'")
    entries = page.locator(".glossary .term-entry")
    total = entries.count()
    page.get_by_label("Filter the glossary").fill("zzzz")
    expect(page.locator(".glossary .term-entry:visible")).to_have_count(0)
    expect(page.locator("#glossary-count")).to_have_text("Terms shown: 0")
    page.get_by_label("Filter the glossary").fill("權力")
    expect(page.locator(".glossary .term-entry:visible")).to_have_count(1)
    page.get_by_label("Filter the glossary").fill("")
    expect(page.locator(".glossary .term-entry:visible")).to_have_count(total)
    assert page.evaluate("window.__marker") == "no reload"
