"""Integrity and bad input: nothing gives the answer away, and nothing malformed is stored."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from quizzes import services
from quizzes.models import Attempt, Item, Response
from quizzes.presentation import choice_token, form_fields
from quizzes.samples import right_answer

from .conftest import answer_url, item, post_answer

pytestmark = pytest.mark.django_db

EXPLANATIONS = [
    "本文說越南依靠蘇聯。",
    "The paper says Vietnam leaned on the Soviet Union.",
    "三種意義。",
    "Three meanings.",
    "The paper says so.",
    "By year.",
    "See the paper.",
]


def section(html: str, it: Item) -> str:
    return html.split(f'<section id="item-{it.pk}"', 1)[1].split("</section>", 1)[0]


def shown_ordering(html: str, it: Item) -> list[str]:
    pattern = r'class="ordering-text"[^>]*><span lang="en">([^<]+)</span>'
    return re.findall(pattern, section(html, it))


def shown_matches(html: str, it: Item) -> list[str]:
    """The right-hand options of the first select, in the order offered."""
    first_select = section(html, it).split("<select", 2)[1]
    return re.findall(r'<option value="[0-9a-f]+"[^>]*>([^<]+)</option>', first_select)


def shown_choices(html: str, it: Item) -> list[str]:
    pattern = r'<label for="choice-[0-9a-f]+"><span lang="en">([^<]+)</span>'
    return re.findall(pattern, section(html, it))


def page(client, attempt, **params) -> str:
    response = client.get(attempt.get_absolute_url(), params, HTTP_ACCEPT_LANGUAGE="en")
    return response.content.decode()


def with_seed(attempt, seed):
    Attempt.objects.filter(pk=attempt.pk).update(seed=seed)
    attempt.refresh_from_db()
    return attempt


# --- nothing reveals the answer --------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "zh-TW"])
def test_the_quiz_page_reveals_no_answer(student_client, attempt, language):
    html = student_client.get(
        attempt.get_absolute_url(), {"both": "1"}, HTTP_ACCEPT_LANGUAGE=language
    ).content.decode()
    assert "correct" not in html.lower()  # no is_correct markers, no "correct" classes
    assert "quiz-feedback" not in html and "data-quiz-focus" not in html
    assert "Feedback:" not in html and "回饋" not in html  # choice feedback
    for explanation in EXPLANATIONS:
        assert explanation not in html
    assert "#p-introduction" not in html  # the supporting passage is part of the feedback


def test_form_values_are_opaque_tokens_not_choice_keys(student_client, attempt):
    quiz = page(student_client, attempt).split('<ol class="quiz-items">', 1)[1]
    choices = re.findall(r'name="choice" id="[^"]+" value="([^"]*)"', quiz)
    options = re.findall(r'<option value="([^"]*)"', quiz)
    names = re.findall(r'name="((?:position|match)-[^"]*)"', quiz)
    assert len(choices) == 3 + 4 + 2 and names
    for value in choices + [name.split("-", 1)[1] for name in names]:
        assert re.fullmatch(r"[0-9a-f]{12}", value)
    # Options are match tokens, the positions 1 to 4, and the empty "choose a match".
    assert all(re.fullmatch(r"[0-9a-f]{12}|[1-4]|", value) for value in options)


def test_matching_options_are_shuffled_and_never_in_the_right_order(student_client, attempt):
    q5 = item("intro-q5")
    in_order = ["China", "the Soviet Union", "ASEAN"]
    orders = set()
    for seed in range(1, 25):
        shown = shown_matches(page(student_client, with_seed(attempt, seed)), q5)
        assert sorted(shown) == sorted(in_order)
        assert shown != in_order
        orders.add(tuple(shown))
    assert len(orders) > 1


def test_ordering_entries_are_shuffled_and_never_in_the_right_order(student_client, attempt):
    q4 = item("intro-q4")
    in_order = ["1945", "1975", "1979", "1991"]
    orders = set()
    for seed in range(1, 25):
        shown = shown_ordering(page(student_client, with_seed(attempt, seed)), q4)
        assert sorted(shown) == in_order
        assert shown != in_order
        orders.add(tuple(shown))
    assert len(orders) > 1
    # Submitting the positions as shown (untouched) is therefore never full marks.


def test_choices_are_shuffled_per_attempt(student_client, attempt):
    q2 = item("intro-q2")
    orders = {
        tuple(shown_choices(page(student_client, with_seed(attempt, seed)), q2))
        for seed in range(1, 7)
    }
    assert len(orders) > 1


def test_the_shuffle_is_stable_within_an_attempt(student_client, attempt):
    first, second = page(student_client, attempt), page(student_client, attempt)
    for key in ("intro-q1", "intro-q2"):
        assert shown_choices(first, item(key)) == shown_choices(second, item(key))
    assert shown_ordering(first, item("intro-q4")) == shown_ordering(second, item("intro-q4"))
    assert shown_matches(first, item("intro-q5")) == shown_matches(second, item("intro-q5"))
    # A reload after answering another item keeps the order too.
    post_answer(student_client, attempt, item("intro-q1"), ["a"])
    third = page(student_client, attempt)
    assert shown_matches(third, item("intro-q5")) == shown_matches(first, item("intro-q5"))


def test_an_error_fragment_reveals_no_answer(student_client, attempt):
    q4 = item("intro-q4")
    html = student_client.post(
        answer_url(attempt, q4), {}, HTTP_HX_REQUEST="true", HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "correct" not in html.lower()
    assert "By year." not in html and "#p-" not in html


# --- one answer per item ---------------------------------------------------------------


def test_a_double_submit_returns_the_same_feedback_and_stores_nothing_new(student_client, attempt):
    q1 = item("intro-q1")
    first = post_answer(student_client, attempt, q1, ["a"], HTTP_ACCEPT_LANGUAGE="en")
    second = post_answer(student_client, attempt, q1, ["b"], HTTP_ACCEPT_LANGUAGE="en")
    assert second.status_code == 200
    feedback = section(second.content.decode(), q1)
    assert feedback == section(first.content.decode(), q1)
    assert "Right" in feedback
    assert Response.objects.count() == 1
    attempt.refresh_from_db()
    assert attempt.answered_count == 1 and attempt.points == 1


def test_a_double_submit_of_the_last_item_still_shows_its_feedback(student_client, attempt):
    for pk in attempt.item_ids:
        it = item(Item.objects.get(pk=pk).key)
        post_answer(student_client, attempt, it, right_answer(it))
    q5 = item("intro-q5")
    again = post_answer(student_client, attempt, q5, {"a": "b", "b": "a", "c": "c"})
    assert "quiz-feedback" in again.content.decode()
    assert Response.objects.count() == 5


# --- whose attempt, which item ---------------------------------------------------------


def test_answering_in_another_students_attempt_is_404(client, other_student, attempt):
    client.force_login(other_student)
    q1 = item("intro-q1")
    assert post_answer(client, attempt, q1, ["a"]).status_code == 404
    assert post_answer(client, attempt, q1, ["a"], htmx=False).status_code == 404
    assert not Response.objects.exists()


def test_answering_with_an_item_of_another_unit_is_404(student_client, attempt):
    assert post_answer(student_client, attempt, item("phase-q1"), ["a"]).status_code == 404
    assert not Response.objects.exists()


def test_answering_with_an_item_not_in_the_attempt_is_404(student_client, student, intro, attempt):
    # An item of the same unit, but archived before this attempt started.
    Item.objects.filter(key="intro-q1").update(archived=True)
    services.finish_attempt(attempt=attempt)
    newer = services.start_or_resume_attempt(student, intro)
    Item.objects.filter(key="intro-q1").update(archived=False)
    assert post_answer(student_client, newer, item("intro-q1"), ["a"]).status_code == 404
    url = reverse("quizzes:answer", kwargs={"attempt_id": newer.pk, "item_id": 999999})
    assert student_client.post(url, {}, HTTP_HX_REQUEST="true").status_code == 404
    assert not Response.objects.exists()


def test_answering_needs_sign_in_and_a_post(student_client, attempt):
    url = answer_url(attempt, item("intro-q1"))
    assert student_client.get(url).status_code == 405
    response = Client().post(url, {"choice": "x"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("classroom:login"))
    assert not Response.objects.exists()


# --- malformed and empty answers -------------------------------------------------------


def post_raw(client, attempt, it, data, htmx=True, language="en"):
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return client.post(answer_url(attempt, it), data, HTTP_ACCEPT_LANGUAGE=language, **headers)


def assert_error(response, message, language="en"):
    with translation.override(language):
        expected = translation.gettext(message)
    html = response.content.decode()
    assert response.status_code == 200
    assert expected in html
    assert 'class="quiz-error"' in html
    assert not Response.objects.exists()
    return html


def test_a_missing_choice_is_an_error_fragment(student_client, attempt):
    response = post_raw(student_client, attempt, item("intro-q1"), {})
    html = assert_error(response, "Choose an answer.")
    assert "<html" not in html
    assert "data-quiz-focus" in html  # focus goes to the error
    assert '<div id="quiz-announcer" hx-swap-oob="innerHTML">' in html


def test_the_error_is_in_the_students_language(student_client, attempt):
    response = post_raw(student_client, attempt, item("intro-q1"), {}, language="zh-TW")
    assert_error(response, "Choose an answer.", language="zh-hant")


def test_an_unknown_choice_id_is_an_error(student_client, attempt):
    response = post_raw(student_client, attempt, item("intro-q1"), {"choice": "a"})
    assert_error(response, "That answer is not one of the choices. Choose again.")


def test_a_choice_of_another_item_is_an_error(student_client, attempt):
    other = choice_token(attempt, item("intro-q2"), "a")
    response = post_raw(student_client, attempt, item("intro-q1"), {"choice": other})
    assert_error(response, "That answer is not one of the choices. Choose again.")


def test_two_choices_for_a_single_choice_item_is_an_error(student_client, attempt):
    q1 = item("intro-q1")
    data = form_fields(attempt, q1, ["a", "b"])
    assert_error(post_raw(student_client, attempt, q1, data), "Choose only one answer.")


def test_an_empty_multiple_response_is_an_error(student_client, attempt):
    response = post_raw(student_client, attempt, item("intro-q2"), {"choice": ""})
    assert_error(response, "Choose at least one answer.")


def test_a_missing_true_false_answer_is_an_error(student_client, attempt):
    assert_error(post_raw(student_client, attempt, item("intro-q3"), {}), "Choose an answer.")


ORDERING_ERROR = "Give each entry a different position from 1 to %(count)s."


def ordering_error(count=4):
    return ORDERING_ERROR % {"count": count}


@pytest.mark.parametrize(
    "change",
    [
        "missing position",
        "extra position",
        "repeated position",
        "out of range",
        "not a number",
        # int() reads these, or refuses them with an error of its own: never a 500.
        "superscript digit",
        "Arabic-Indic digit",
        "full-width digit",
        "5,000 digits",
        "past 64 bits",
    ],
)
def test_a_wrong_set_of_ordering_positions_is_an_error(student_client, attempt, change):
    q4 = item("intro-q4")
    data = form_fields(attempt, q4, ["a", "b", "c", "d"])
    names = sorted(data)
    if change == "missing position":
        del data[names[0]]
    elif change == "extra position":
        data["position-0123456789ab"] = "5"
    elif change == "repeated position":
        data[names[0]] = data[names[1]]
    elif change == "out of range":
        data[names[0]] = "7"
    elif change == "superscript digit":
        data[names[0]] = "²"
    elif change == "Arabic-Indic digit":  # another entry's position, in other digits
        data[names[0]] = chr(0x0660 + int(data[names[1]]))
    elif change == "full-width digit":
        data[names[0]] = chr(0xFF10 + int(data[names[1]]))
    elif change == "5,000 digits":
        data[names[0]] = "1" * 5_000
    elif change == "past 64 bits":
        data[names[0]] = str(10**30)
    else:
        data[names[0]] = "first"
    response = post_raw(student_client, attempt, q4, data)
    with translation.override("en"):
        expected = translation.gettext(ORDERING_ERROR) % {"count": 4}
    assert expected == ordering_error()
    assert expected in response.content.decode()
    assert response.status_code == 200
    assert not Response.objects.exists()


def test_positions_in_full_width_digits_are_read_as_an_ime_types_them(student_client, attempt):
    q4 = item("intro-q4")
    data = form_fields(attempt, q4, ["a", "b", "c", "d"])
    data = {name: chr(ord("\uff10") + int(value)) for name, value in data.items()}
    response = post_raw(student_client, attempt, q4, data)
    assert response.status_code == 200
    assert Response.objects.get().answer == ["a", "b", "c", "d"]


def test_a_missing_match_is_an_error_that_keeps_the_other_choices(student_client, attempt):
    q5 = item("intro-q5")
    data = form_fields(attempt, q5, {"a": "a", "b": "b", "c": "c"})
    kept = data[f"match-{choice_token(attempt, q5, 'a')}"]
    data[f"match-{choice_token(attempt, q5, 'c')}"] = ""
    response = post_raw(student_client, attempt, q5, data)
    html = assert_error(response, "Choose a match for every entry.")
    assert f'<option value="{kept}" selected>' in html


def test_an_unknown_match_is_an_error(student_client, attempt):
    q5 = item("intro-q5")
    data = form_fields(attempt, q5, {"a": "a", "b": "b", "c": "c"})
    data[f"match-{choice_token(attempt, q5, 'c')}"] = "ffffffffffff"
    response = post_raw(student_client, attempt, q5, data)
    assert_error(response, "That answer is not one of the choices. Choose again.")


def test_a_plain_post_with_an_error_returns_the_whole_page_with_the_error(student_client, attempt):
    q1 = item("intro-q1")
    html = assert_error(post_raw(student_client, attempt, q1, {}, htmx=False), "Choose an answer.")
    assert "<html" in html
    assert f'aria-describedby="item-{q1.pk}-error"' in html
    assert html.count("<fieldset") == 5


# --- finished attempts -----------------------------------------------------------------


def test_a_finished_attempt_accepts_no_answers(student_client, attempt):
    services.finish_attempt(attempt=attempt)
    for htmx in (True, False):
        response = post_answer(
            student_client, attempt, item("intro-q1"), ["a"], htmx=htmx, HTTP_ACCEPT_LANGUAGE="en"
        )
        assert response.status_code == 200
        assert "This attempt is finished and accepts no more answers." in response.content.decode()
    assert not Response.objects.exists()
    attempt.refresh_from_db()
    assert attempt.answered_count == 0 and attempt.points == 0
