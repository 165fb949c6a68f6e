"""The reads other apps use: scores, finished and open attempts, missed items, quiz status."""

import pytest

from quizzes import services
from quizzes.models import Attempt, Item, Response, attempt_score_expression
from quizzes.samples import right_answer, wrong_answer
from quizzes.selectors import get_attempt_for_student, missed_item_count, unit_quiz_status

from .conftest import item

pytestmark = pytest.mark.django_db


def finished_attempt(student, unit, right_keys, *, practice=False, finish=True):
    if practice:
        attempt = services.start_practice_attempt(student, unit)
    else:
        attempt = services.start_or_resume_attempt(student, unit)
    for pk in attempt.item_ids:
        it = Item.objects.prefetch_related("choices").get(pk=pk)
        answer = right_answer(it) if it.key in right_keys else wrong_answer(it)
        services.record_answer(attempt=attempt, item=it, answer=answer)
        if not finish:
            break
    return attempt


def test_best_score_is_the_best_finished_graded_attempt(student, other_student, intro, phase_one):
    finished_attempt(student, intro, {"intro-q1"})  # 20 %
    finished_attempt(student, intro, {"intro-q1", "intro-q2", "intro-q3"})  # 60 %
    finished_attempt(
        student, intro, {"intro-q1", "intro-q2", "intro-q3", "intro-q4", "intro-q5"}, practice=True
    )  # practice: never counts
    finished_attempt(student, phase_one, {"phase-q1"})  # 100 %
    finished_attempt(other_student, intro, {"intro-q1", "intro-q2"})  # 40 %
    open_attempt = services.start_or_resume_attempt(other_student, intro)  # still open

    assert unit_quiz_status(student, intro).best_score == pytest.approx(0.6)
    assert unit_quiz_status(student, phase_one).best_score == 1
    assert unit_quiz_status(other_student, intro).best_score == pytest.approx(0.4)
    assert unit_quiz_status(other_student, phase_one).best_score is None
    assert not open_attempt.is_finished


def test_best_score_is_none_without_a_finished_graded_attempt(student, intro, attempt):
    assert unit_quiz_status(student, intro).best_score is None
    services.finish_attempt(attempt=attempt)
    assert unit_quiz_status(student, intro).best_score == 0


def test_the_score_in_sql_is_the_score_in_python(student, intro):
    attempt = finished_attempt(student, intro, {"intro-q1", "intro-q2"})
    services.start_or_resume_attempt(student, intro)  # no item answered yet
    for row in Attempt.objects.annotate(sql=attempt_score_expression()):
        assert row.sql == pytest.approx(row.score)
    assert attempt.score == pytest.approx(0.4)


def test_finished_and_open_split_the_attempts_as_is_finished_does(student, intro, attempt):
    finished_attempt(student, intro, {"intro-q1"})
    services.start_or_resume_attempt(student, intro)
    finished = set(Attempt.objects.finished())
    still_open = set(Attempt.objects.open())
    assert finished and still_open and not finished & still_open
    assert all(a.is_finished for a in finished) and not any(a.is_finished for a in still_open)
    assert finished | still_open == set(Attempt.objects.all())


def test_missed_items_come_from_graded_attempts_only(student, intro, attempt):
    services.record_answer(attempt=attempt, item=item("intro-q1"), answer=["b"])
    services.record_answer(attempt=attempt, item=item("intro-q2"), answer=["a"])  # partial
    services.record_answer(attempt=attempt, item=item("intro-q3"), answer=["true"])
    practice = services.start_practice_attempt(student, intro)
    services.record_answer(attempt=practice, item=item("intro-q1"), answer=["c"])
    missed = Item.objects.for_unit(intro).missed_by(student)
    assert sorted(missed.values_list("key", flat=True)) == ["intro-q1", "intro-q2"]
    assert missed_item_count(student, intro) == 2
    assert Response.objects.for_student(student).graded().missed().count() == 2
    assert Response.objects.for_unit(intro).count() == 4


def test_unit_quiz_status_sums_up_the_students_attempts(student, intro):
    status = unit_quiz_status(student, intro)
    assert status.best_score is None and status.open_attempt_id is None
    assert not status.is_mastery
    finished_attempt(student, intro, {"intro-q1", "intro-q2", "intro-q3", "intro-q4"})
    open_attempt = services.start_or_resume_attempt(student, intro)
    status = unit_quiz_status(student, intro)
    assert status.best_score == pytest.approx(0.8) and status.best_percent == 80
    assert status.is_mastery
    assert status.open_attempt_id == open_attempt.pk
    assert status.finished_count == 1


def test_get_attempt_for_student_refuses_other_students_and_visitors(
    student, other_student, attempt
):
    from django.contrib.auth.models import AnonymousUser
    from django.http import Http404

    assert get_attempt_for_student(student, attempt.pk) == attempt
    for user in (other_student, AnonymousUser()):
        with pytest.raises(Http404):
            get_attempt_for_student(user, attempt.pk)
    with pytest.raises(Http404):
        get_attempt_for_student(student, attempt.pk + 1000)
