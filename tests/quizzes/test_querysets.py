"""The reads other apps use: best scores per student and unit, missed items, quiz status."""

import pytest

from quizzes import services
from quizzes.models import Attempt, Item, Response
from quizzes.selectors import get_attempt_for_student, missed_item_count, unit_quiz_status

from .conftest import item, right_answer, wrong_answer

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


def test_best_scores_for_takes_the_best_finished_graded_attempt(
    student, other_student, intro, phase_one
):
    finished_attempt(student, intro, {"intro-q1"})  # 20 %
    finished_attempt(student, intro, {"intro-q1", "intro-q2", "intro-q3"})  # 60 %
    finished_attempt(
        student, intro, {"intro-q1", "intro-q2", "intro-q3", "intro-q4", "intro-q5"}, practice=True
    )  # practice: never counts
    finished_attempt(student, phase_one, {"phase-q1"})  # 100 %
    finished_attempt(other_student, intro, {"intro-q1", "intro-q2"})  # 40 %
    finished_attempt(other_student, phase_one, {"phase-q1"}, finish=False)  # open: 1 of 1 …
    open_attempt = services.start_or_resume_attempt(other_student, intro)  # still open

    scores = Attempt.objects.best_scores_for([student, other_student], [intro, phase_one])

    assert scores == {
        (student.pk, intro.pk): pytest.approx(0.6),
        (student.pk, phase_one.pk): 1,
        (other_student.pk, intro.pk): pytest.approx(0.4),
        # phase-one has one item, so answering it finished the attempt.
        (other_student.pk, phase_one.pk): 1,
    }
    assert not open_attempt.is_finished


def test_best_scores_for_accepts_querysets_and_filters_to_them(student, other_student, intro):
    from django.contrib.auth import get_user_model

    finished_attempt(student, intro, {"intro-q1"})
    finished_attempt(other_student, intro, {"intro-q1"})
    users = get_user_model().objects.filter(pk=student.pk)
    scores = Attempt.objects.best_scores_for(users, type(intro).objects.filter(pk=intro.pk))
    assert list(scores) == [(student.pk, intro.pk)]


def test_best_score_is_none_without_a_finished_graded_attempt(student, intro, attempt):
    assert Attempt.objects.for_student(student).for_unit(intro).best_score() is None
    services.finish_attempt(attempt=attempt)
    assert Attempt.objects.for_student(student).for_unit(intro).best_score() == 0


def test_with_score_annotates_the_score_like_the_property(student, intro):
    attempt = finished_attempt(student, intro, {"intro-q1", "intro-q2"})
    annotated = Attempt.objects.with_score().get(pk=attempt.pk)
    assert annotated.score_value == pytest.approx(attempt.score) == pytest.approx(0.4)


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
