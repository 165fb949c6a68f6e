"""Taking a quiz: start or resume, answer item by item (htmx and plain posts), the summary."""

import pytest
from django.test import Client
from django.urls import reverse

from courseware.course_file import load, read_course_file
from quizzes import services
from quizzes.models import Attempt, Item, Response
from quizzes.samples import right_answer, wrong_answer
from tests.conftest import MINI_COURSE

from .conftest import answer_url, item, post_answer

pytestmark = pytest.mark.django_db


def start_url(slug="introduction"):
    return reverse("quizzes:start", kwargs={"slug": slug})


def practice_url(slug="introduction"):
    return reverse("quizzes:practice", kwargs={"slug": slug})


def answer_all(client, attempt, wrong=()):
    """Answer every item of the attempt: right, except the keys in ``wrong`` (answered badly)."""
    for pk in attempt.item_ids:
        it = Item.objects.prefetch_related("choices").get(pk=pk)
        answer = wrong_answer(it) if it.key in wrong else right_answer(it)
        post_answer(client, attempt, it, answer)


# --- starting --------------------------------------------------------------------------


def test_start_redirects_to_a_new_attempt(student_client, student, intro):
    response = student_client.post(start_url())
    attempt = Attempt.objects.get(student=student)
    assert response.status_code == 302
    assert response["Location"] == attempt.get_absolute_url()


def test_start_with_htmx_redirects_the_browser(student_client, student, intro):
    response = student_client.post(start_url(), HTTP_HX_REQUEST="true")
    attempt = Attempt.objects.get(student=student)
    assert response.status_code == 200
    assert response["HX-Redirect"] == attempt.get_absolute_url()


def test_start_resumes_the_open_attempt(student_client, attempt):
    response = student_client.post(start_url())
    assert response["Location"] == attempt.get_absolute_url()
    assert Attempt.objects.count() == 1


def test_start_needs_a_signed_in_student_and_a_post(student_client, intro):
    response = Client().post(start_url())
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("classroom:login"))
    assert student_client.get(start_url()).status_code == 405
    assert not Attempt.objects.exists()


def test_start_on_a_unit_without_items_or_an_unknown_unit_is_404(student_client, phase_one):
    Item.objects.filter(unit=phase_one).update(archived=True)
    assert student_client.post(start_url("phase-one")).status_code == 404
    assert student_client.post(start_url("no-such-unit")).status_code == 404


# --- the quiz page ---------------------------------------------------------------------


def test_quiz_page_shows_every_item_as_a_form(student_client, attempt):
    response = student_client.get(attempt.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" in html
    for pk in attempt.item_ids:
        assert f'id="item-{pk}"' in html
        assert f'hx-post="{reverse("quizzes:answer", args=[attempt.pk, pk])}"' in html
        # Without JavaScript the form posts to the same URL and lands on the item.
        assert f'action="{reverse("quizzes:answer", args=[attempt.pk, pk])}#item-{pk}"' in html
    assert html.count("<fieldset") == 5 and html.count("<legend") == 5
    assert '<progress id="quiz-progress-bar" max="5" value="0">0 / 5</progress>' in html
    assert 'aria-live="polite"' in html
    assert "quizzes/quiz.js" in html


def test_quiz_page_with_htmx_is_the_quiz_fragment(student_client, attempt):
    response = student_client.get(attempt.get_absolute_url(), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert html.lstrip().startswith('<div id="quiz"')
    assert "HX-Request" in response["Vary"]


def test_quiz_page_for_an_htmx_history_restore_is_the_whole_page(student_client, attempt):
    """htmx asks for the page itself when its history cache misses (a reload after going back):
    the fragment alone would replace the whole body."""
    response = student_client.get(
        attempt.get_absolute_url(),
        HTTP_HX_REQUEST="true",
        HTTP_HX_HISTORY_RESTORE_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" in html and "</html>" in html
    assert '<div id="quiz"' in html


def test_quiz_follows_the_interface_language(student_client, attempt):
    zh = student_client.get(attempt.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="zh-TW")
    en = student_client.get(attempt.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en-US")
    assert "越南在冷戰時期依靠哪一國？" in zh.content.decode()
    assert "Which power did Vietnam lean on?" not in zh.content.decode()
    assert "Which power did Vietnam lean on?" in en.content.decode()
    assert "越南在冷戰時期依靠哪一國？" not in en.content.decode()


def test_both_languages_switch_shows_the_other_language_under_each_text(student_client, attempt):
    url = attempt.get_absolute_url()
    html = student_client.get(url, {"both": "1"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Which power did Vietnam lean on?" in html
    assert '<span class="other-language" lang="zh-Hant">越南在冷戰時期依靠哪一國？</span>' in html
    assert '<span class="other-language" lang="zh-Hant">蘇聯</span>' in html
    # The switch is a link (no JavaScript needed) back to the single-language page, and the
    # answer forms keep the setting.
    assert f'href="{url}"' in html
    assert f'hx-post="{answer_url(attempt, item("intro-q1"))}?both=1"' in html
    plain = student_client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "other-language" not in plain
    assert f'href="{url}?both=1"' in plain


def test_another_students_attempt_is_404(client, other_student, attempt):
    client.force_login(other_student)
    assert client.get(attempt.get_absolute_url()).status_code == 404
    assert client.get(attempt.get_absolute_url(), HTTP_HX_REQUEST="true").status_code == 404


def test_quiz_page_needs_sign_in(client, attempt):
    response = client.get(attempt.get_absolute_url())
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("classroom:login"))


# --- answering -------------------------------------------------------------------------


def test_htmx_answer_returns_the_feedback_in_place(student_client, attempt):
    q1 = item("intro-q1")
    response = post_answer(student_client, attempt, q1, ["a"], HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert html.lstrip().startswith(f'<section id="item-{q1.pk}" class="quiz-item quiz-feedback')
    assert "✓" in html and "Right" in html
    assert "The right answer" in html and "The Soviet Union" in html
    assert "The paper says Vietnam leaned on the Soviet Union." in html  # explanation
    assert "Feedback: The Soviet Union" in html  # the chosen choice's feedback
    assert 'href="/units/introduction/#p-introduction-1"' in html
    # Focus goes to the feedback heading; the result is announced.
    assert 'tabindex="-1" data-quiz-focus' in html
    assert '<div id="quiz-announcer" hx-swap-oob="innerHTML">' in html
    assert "HX-Request" in response["Vary"]
    assert Response.objects.get().score == 1


def test_feedback_links_a_cited_footnote(student_client, student, intro):
    """An item citing a footnote points the reader to it on its unit page."""
    data = read_course_file(MINI_COURSE)
    data["items"][0]["footnotes"] = ["1"]
    load(data)
    attempt = services.start_or_resume_attempt(student, intro)
    html = post_answer(
        student_client, attempt, item("intro-q1"), ["b"], HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert 'href="/units/introduction/#p-introduction-1"' in html
    assert '<a href="/units/phase-one/#fn-1">III.1 Phase one, note 1</a>' in html


def test_htmx_answer_updates_progress_and_score_out_of_band(student_client, attempt):
    post_answer(student_client, attempt, item("intro-q1"), ["a"])
    html = post_answer(
        student_client, attempt, item("intro-q2"), ["a", "b"], HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert '<div id="quiz-progress" class="quiz-progress" hx-swap-oob="true">' in html
    assert '<progress id="quiz-progress-bar" max="5" value="2">2 / 5</progress>' in html
    assert "2 of 5 questions answered" in html
    assert "Score so far: 1.67 of 5 points" in html


def test_wrong_answer_feedback_says_wrong_and_shows_the_right_answer(student_client, attempt):
    html = post_answer(
        student_client, attempt, item("intro-q1"), ["b"], HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "✗" in html and "Wrong" in html
    assert "Feedback: France" in html
    right = html.split("The right answer", 1)[1]
    assert "The Soviet Union" in right and "France" not in right


def test_partial_credit_is_shown_as_partly_right(student_client, attempt):
    html = post_answer(
        student_client, attempt, item("intro-q2"), ["a", "b"], HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "Partly right (67 %)" in html


def test_ordering_and_matching_answers_are_graded(student_client, attempt):
    post_answer(student_client, attempt, item("intro-q4"), ["a", "b", "c", "d"])
    post_answer(student_client, attempt, item("intro-q5"), {"a": "a", "b": "c", "c": "b"})
    scores = dict(Response.objects.values_list("item__key", "score"))
    assert scores["intro-q4"] == 1
    assert scores["intro-q5"] == pytest.approx(1 / 3)


def test_plain_answer_returns_the_whole_page_with_the_item_answered(student_client, attempt):
    q3 = item("intro-q3")
    response = post_answer(
        student_client, attempt, q3, ["true"], htmx=False, HTTP_ACCEPT_LANGUAGE="en"
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" in html
    assert "quiz-feedback" in html and "The paper says so." in html
    assert "1 of 5 questions answered" in html
    # The other items are still forms.
    assert html.count("<fieldset") == 4
    assert "data-quiz-focus" not in html


def test_last_answer_brings_the_summary_out_of_band(student_client, attempt):
    *first, last = [item(key) for key in ("intro-q1", "intro-q2", "intro-q3", "intro-q4")] + [
        item("intro-q5")
    ]
    for it in first:
        html = post_answer(student_client, attempt, it, right_answer(it)).content.decode()
        assert "quiz-summary" not in html
    response = post_answer(
        student_client, attempt, last, right_answer(last), HTTP_ACCEPT_LANGUAGE="en"
    )
    html = response.content.decode()
    assert '<div id="quiz-summary" hx-swap-oob="true">' in html
    assert '<div id="quiz-actions" hx-swap-oob="true"></div>' in html
    assert "Your results" in html and "Score: 100 %" in html
    assert "Final score: 5 of 5 points" in html
    attempt.refresh_from_db()
    assert attempt.is_finished


def test_summary_lists_every_item_with_the_answer_and_the_right_one(student_client, attempt):
    answer_all(student_client, attempt, wrong={"intro-q1", "intro-q4"})
    response = student_client.get(attempt.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert "Your results" in html
    assert "Score: 60 %" in html and "3 of 5 points" in html
    assert "Not mastered yet" in html
    assert html.count('<tr id="summary-item-') == 5
    row = html.split(f'<tr id="summary-item-{item("intro-q1").pk}"', 1)[1].split("</tr>", 1)[0]
    assert "France" in row and "The Soviet Union" in row and "Wrong" in row
    assert "<fieldset" not in html  # no forms once finished
    assert 'action="/quiz/units/introduction/start/"' in html  # try again
    assert 'action="/quiz/units/introduction/practice/"' in html
    assert "Practise my mistakes (2 questions)" in html


def test_summary_of_a_perfect_attempt_offers_no_practice(student_client, attempt):
    answer_all(student_client, attempt)
    html = student_client.get(attempt.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en")
    html = html.content.decode()
    assert "Mastered" in html and "Score: 100 %" in html
    assert 'action="/quiz/units/introduction/practice/"' not in html


def test_try_again_starts_a_new_attempt_after_the_summary(student_client, student, attempt):
    answer_all(student_client, attempt)
    response = student_client.post(start_url())
    new = Attempt.objects.for_student(student).open().get()
    assert new != attempt
    assert response["Location"] == new.get_absolute_url()


def test_hand_in_finishes_early_and_shows_unanswered_items(student_client, attempt):
    post_answer(student_client, attempt, item("intro-q1"), ["a"])
    url = reverse("quizzes:finish", kwargs={"attempt_id": attempt.pk})
    response = student_client.post(url, {"confirm": "1"})
    assert response.status_code == 302
    attempt.refresh_from_db()
    assert attempt.is_finished and attempt.score == pytest.approx(0.2)
    html = student_client.get(attempt.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en")
    assert html.content.decode().count("Not answered") >= 4


def test_hand_in_with_htmx_redirects_the_browser(student_client, attempt):
    url = reverse("quizzes:finish", kwargs={"attempt_id": attempt.pk})
    response = student_client.post(url, {"confirm": "1"}, HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"] == attempt.get_absolute_url()


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
def test_hand_in_with_unanswered_items_asks_first_and_changes_nothing(
    student_client, attempt, htmx
):
    post_answer(student_client, attempt, item("intro-q1"), ["a"])
    url = reverse("quizzes:finish", kwargs={"attempt_id": attempt.pk})
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    response = student_client.post(url, HTTP_ACCEPT_LANGUAGE="en", **headers)
    assert response.status_code == 200
    html = response.content.decode()
    assert "4 questions are not answered yet." in html
    assert 'name="confirm" value="1"' in html
    assert "Keep answering" in html
    assert ("<html" in html) is not htmx
    attempt.refresh_from_db()
    assert not attempt.is_finished
    response = student_client.post(url, {"confirm": "1"}, **headers)
    attempt.refresh_from_db()
    assert attempt.is_finished


def test_hand_in_asks_in_chinese_too(student_client, attempt):
    url = reverse("quizzes:finish", kwargs={"attempt_id": attempt.pk})
    html = student_client.post(url, HTTP_ACCEPT_LANGUAGE="zh-hant").content.decode()
    assert "題尚未作答" in html
    assert "Keep answering" not in html


def test_hand_in_of_another_students_attempt_is_404(client, other_student, attempt):
    client.force_login(other_student)
    url = reverse("quizzes:finish", kwargs={"attempt_id": attempt.pk})
    assert client.post(url).status_code == 404
    attempt.refresh_from_db()
    assert not attempt.is_finished


# --- practise my mistakes --------------------------------------------------------------


def test_practise_my_mistakes_starts_a_round_of_the_missed_items(student_client, attempt):
    answer_all(student_client, attempt, wrong={"intro-q1"})
    response = student_client.post(practice_url())
    practice = Attempt.objects.get(is_practice=True)
    assert response["Location"] == practice.get_absolute_url()
    assert practice.item_ids == [item("intro-q1").pk]
    html = student_client.get(practice.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en")
    assert "Practise your mistakes" in html.content.decode()


def test_practise_my_mistakes_with_htmx_redirects_the_browser(student_client, attempt):
    answer_all(student_client, attempt, wrong={"intro-q1"})
    response = student_client.post(practice_url(), HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"] == Attempt.objects.get(is_practice=True).get_absolute_url()


def test_practise_without_mistakes_goes_back_to_the_unit(student_client, attempt):
    answer_all(student_client, attempt)
    response = student_client.post(practice_url(), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302
    assert response["Location"] == reverse("courseware:unit", kwargs={"slug": "introduction"})
    assert not Attempt.objects.filter(is_practice=True).exists()
    page = student_client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en")
    assert "You have no mistakes to practise in this unit." in page.content.decode()
