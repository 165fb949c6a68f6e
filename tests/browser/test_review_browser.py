"""The review deck in a real browser: save a word from its card, find it in My words, review
it with the grade buttons (or the keys), on a phone and a desktop, in the three languages."""

import pytest
from playwright.sync_api import expect

from review.models import Card, Review
from tests.browser.conftest import serious_violations, sign_in
from tests.browser.test_word_cards_browser import tap_character

pytestmark = pytest.mark.browser

PASSWORD = "pw-Student-123"
SCREENSHOTS = "/tmp/deck-shots"


@pytest.mark.parametrize("language", ["zh-hant", "en", "zh-hans"])
@pytest.mark.parametrize(("size", "touch"), [((390, 844), True), ((1280, 800), False)])
def test_save_a_word_from_its_card_and_review_it(
    browser, live_server, live_course, student, language, size, touch
):
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
    sign_in(page, live_server, "student", PASSWORD)
    page.goto(f"{live_server.url}/units/introduction/")
    page.locator("#p-introduction-1 .col-zh-hant").scroll_into_view_if_needed()
    tap_character(page, touch, "introduction-1", 9)  # 這是前言第1段，談越南…: 越
    card = page.locator("#word-card")
    expect(card).to_be_visible()
    save = card.locator("form.save-word button")
    assert save.bounding_box()["height"] >= 44
    save.click()
    result = card.locator(".save-result")
    expect(result).to_be_visible()
    expect(result).to_contain_text("越南")
    assert Card.objects.filter(saved_word__headword="越南").count() == 2

    page.goto(f"{live_server.url}/my-words/")
    expect(page.locator(".saved-word")).to_have_count(1)
    expect(page.locator(".saved-word")).to_contain_text("yuè nán")
    assert page.evaluate("document.documentElement.scrollWidth") <= size[0]
    assert serious_violations(page) == []
    page.screenshot(path=f"{SCREENSHOTS}/my-words-{language}-{size[0]}.png", full_page=True)

    page.goto(f"{live_server.url}/home/")
    expect(page.locator(".home-deck")).to_contain_text("2")

    page.goto(f"{live_server.url}/my-words/review/")
    answer = page.locator("[data-answer]")
    if touch:
        page.locator("[data-answer] > summary").tap()
    else:
        page.keyboard.press("Space")  # review.js: Space shows the answer
    expect(page.locator(".grades")).to_be_visible()
    grades = page.locator(".grades .grade")
    expect(grades).to_have_count(4)
    for box in [grade.bounding_box() for grade in grades.all()]:
        assert box["height"] >= 44 and box["x"] + box["width"] <= size[0]
    assert page.evaluate("document.documentElement.scrollWidth") <= size[0]
    assert serious_violations(page) == []
    page.screenshot(path=f"{SCREENSHOTS}/review-{language}-{size[0]}.png", full_page=True)
    first = page.locator("#card-heading").inner_text()
    if touch:
        grades.nth(2).tap()  # Good
    else:
        page.keyboard.press("3")  # Good
    announce = page.locator("#review-announce")
    expect(announce).not_to_be_empty()
    expect(page.locator("#card-heading")).not_to_have_text(first)  # the other direction
    assert not answer.evaluate("d => d.open")
    assert Review.objects.get().rating == Review.Rating.GOOD
    assert serious_violations(page) == []
    assert outside == []
    context.close()


@pytest.mark.parametrize("language", ["zh-hant", "en", "zh-hans"])
@pytest.mark.parametrize(("size", "touch"), [((390, 844), True), ((1280, 800), False)])
def test_the_instructor_sees_the_words_the_class_saved(
    browser, live_server, live_course, django_user_model, language, size, touch
):
    from courseware.models import Passage
    from review.services import do_save_word
    from tests.classroom.conftest import enroll, make_class, make_user

    instructor = make_user(django_user_model, "teacher", name="Teacher", instructor=True)
    school_class = make_class(instructor)
    passage = Passage.objects.get(key="introduction-1")
    for n in range(3):
        student = make_user(django_user_model, f"s{n}")
        enroll(school_class, student)
        do_save_word(student=student, headword="權力", passage=passage)
    context = browser.new_context(
        viewport={"width": size[0], "height": size[1]}, has_touch=touch, is_mobile=touch
    )
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = context.new_page()
    sign_in(page, live_server, "teacher", PASSWORD)
    page.goto(f"{live_server.url}/classes/{school_class.pk}/words/")
    row = page.locator(".saved-words-table tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("权力" if language == "zh-hans" else "權力")
    expect(row).to_contain_text("quán lì")
    assert page.evaluate("document.documentElement.scrollWidth") <= size[0]
    assert serious_violations(page) == []
    page.screenshot(path=f"{SCREENSHOTS}/class-words-{language}-{size[0]}.png", full_page=True)
    context.close()
