"""The quiz panel on the unit page: start or resume, the best score and mastery."""

import pytest
from django.test import Client
from django.urls import reverse

from courseware.caching import content_cache
from quizzes import services
from quizzes.models import Item
from quizzes.samples import right_answer, wrong_answer

from .conftest import item

pytestmark = pytest.mark.django_db


def unit_page(client, slug="introduction") -> str:
    url = reverse("courseware:unit", kwargs={"slug": slug})
    return client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()


def finish_with(attempt, right_keys):
    """Answer every item: right for ``right_keys``, wrong (0 points) for the others."""
    for pk in attempt.item_ids:
        it = Item.objects.prefetch_related("choices").get(pk=pk)
        answer = right_answer(it) if it.key in right_keys else wrong_answer(it)
        services.record_answer(attempt=attempt, item=it, answer=answer)


def test_visitors_are_invited_to_sign_in(mini_course):
    html = unit_page(Client())
    assert 'class="quiz-panel"' in html
    assert "The quiz on this unit has 5 questions." in html
    assert f'href="{reverse("classroom:login")}?next=/units/introduction/"' in html
    assert reverse("quizzes:start", kwargs={"slug": "introduction"}) not in html


def test_a_student_can_start_the_quiz(student_client, intro):
    html = unit_page(student_client)
    assert 'action="/quiz/units/introduction/start/"' in html
    assert "Start the quiz" in html
    assert "Your best score" not in html


def test_an_open_attempt_is_resumed(student_client, attempt):
    assert "Resume the quiz" in unit_page(student_client)


def test_the_best_score_and_mastery_are_shown(student_client, student, intro, attempt):
    finish_with(attempt, {"intro-q1", "intro-q2", "intro-q3"})  # 60 %
    html = unit_page(student_client)
    assert "Your best score: 60 %" in html
    assert "Not mastered yet (80 % needed)" in html
    assert "Take the quiz again" in html
    second = services.start_or_resume_attempt(student, intro)
    finish_with(second, {"intro-q1", "intro-q2", "intro-q3", "intro-q4"})  # 80 %
    html = unit_page(student_client)
    assert "Your best score: 80 %" in html
    assert "✓</span> Mastered" in html
    assert "Resume the quiz" not in html


def test_practice_rounds_do_not_count_as_the_best_score(student_client, student, intro, attempt):
    finish_with(attempt, {"intro-q1"})  # 20 %
    practice = services.start_practice_attempt(student, intro)
    finish_with(practice, {"intro-q2", "intro-q3", "intro-q4", "intro-q5"})
    assert "Your best score: 20 %" in unit_page(student_client)


def test_the_panel_is_hidden_on_a_unit_without_items(student_client, phase_one):
    assert 'class="quiz-panel"' in unit_page(student_client, "phase-one")
    Item.objects.filter(unit=phase_one).update(archived=True)
    content_cache().clear()
    assert 'class="quiz-panel"' not in unit_page(student_client, "phase-one")
    assert 'class="quiz-panel"' not in unit_page(Client(), "phase-one")


def test_the_panel_start_button_starts_the_quiz(student_client, student, intro):
    response = student_client.post(reverse("quizzes:start", kwargs={"slug": "introduction"}))
    assert response.status_code == 302
    assert item("intro-q1").pk in student.quiz_attempts.get().item_ids
