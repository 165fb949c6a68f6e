"""Starting attempts, recording answers, practice rounds, finishing."""

import pytest
from django.db.models import Sum

from quizzes import services
from quizzes.models import Attempt, Item, Response
from quizzes.samples import right_answer
from quizzes.selectors import unit_quiz_status

from .conftest import item

pytestmark = pytest.mark.django_db


def test_start_creates_a_graded_attempt_over_the_units_current_items(student, intro):
    attempt = services.start_or_resume_attempt(student, intro)
    keys = list(Item.objects.filter(pk__in=attempt.item_ids).values_list("key", flat=True))
    assert sorted(keys) == ["intro-q1", "intro-q2", "intro-q3", "intro-q4", "intro-q5"]
    assert attempt.item_ids == list(Item.objects.for_unit(intro).values_list("pk", flat=True))
    assert attempt.item_count == 5
    assert not attempt.is_practice and not attempt.is_finished
    assert attempt.seed > 0


def test_start_resumes_the_open_attempt(student, intro, attempt):
    assert services.start_or_resume_attempt(student, intro) == attempt
    assert Attempt.objects.count() == 1


def test_start_after_finishing_begins_a_new_attempt_with_a_new_seed(student, intro, attempt):
    services.finish_attempt(attempt=attempt)
    again = services.start_or_resume_attempt(student, intro)
    assert again != attempt
    assert Attempt.objects.for_student(student).open().get() == again


def test_start_refuses_a_unit_without_items(student, phase_one):
    Item.objects.filter(unit=phase_one).update(archived=True)
    with pytest.raises(services.EmptyQuiz):
        services.start_or_resume_attempt(student, phase_one)
    assert not Attempt.objects.exists()


def test_archived_items_are_left_out_of_new_attempts(student, intro):
    Item.objects.filter(key="intro-q1").update(archived=True)
    attempt = services.start_or_resume_attempt(student, intro)
    assert attempt.item_count == 4
    assert Item.objects.get(key="intro-q1").pk not in attempt.item_ids


def test_record_answer_stores_the_graded_response_and_adds_to_the_attempt(attempt):
    q2 = item("intro-q2")
    response = services.record_answer(attempt=attempt, item=q2, answer=["a", "b"])
    assert response.score == pytest.approx(2 / 3)
    assert response.is_correct is False
    assert response.answer == ["a", "b"]
    attempt.refresh_from_db()
    assert attempt.answered_count == 1
    assert attempt.points == pytest.approx(2 / 3)
    assert not attempt.is_finished


def test_record_answer_twice_returns_the_first_response_and_changes_nothing(attempt):
    q1 = item("intro-q1")
    first = services.record_answer(attempt=attempt, item=q1, answer=["a"])
    second = services.record_answer(attempt=attempt, item=q1, answer=["b"])
    assert second.pk == first.pk
    assert second.answer == ["a"] and second.score == 1
    attempt.refresh_from_db()
    assert attempt.answered_count == 1 and attempt.points == 1
    assert Response.objects.count() == 1


def test_the_last_answer_finishes_the_attempt(attempt):
    for pk in attempt.item_ids:
        it = Item.objects.prefetch_related("choices").get(pk=pk)
        services.record_answer(attempt=attempt, item=it, answer=right_answer(it))
    assert attempt.is_finished
    assert attempt.answered_count == attempt.item_count == 5
    assert attempt.score == 1 and attempt.is_mastery
    assert Attempt.objects.get(pk=attempt.pk).finished_at == attempt.finished_at


def test_points_always_equal_the_sum_of_the_response_scores(attempt):
    answers = {"intro-q1": ["b"], "intro-q2": ["a", "d"], "intro-q3": ["true"]}
    for key, answer in answers.items():
        services.record_answer(attempt=attempt, item=item(key), answer=answer)
    services.record_answer(attempt=attempt, item=item("intro-q4"), answer=["b", "a", "c", "d"])
    services.record_answer(attempt=attempt, item=item("intro-q4"), answer=["a", "b", "c", "d"])
    attempt.refresh_from_db()
    total = Response.objects.filter(attempt=attempt).aggregate(total=Sum("score"))["total"]
    assert attempt.points == pytest.approx(total)
    assert attempt.answered_count == Response.objects.filter(attempt=attempt).count() == 4


def test_a_finished_attempt_accepts_no_answers(attempt):
    services.finish_attempt(attempt=attempt)
    with pytest.raises(services.AttemptFinished):
        services.record_answer(attempt=attempt, item=item("intro-q1"), answer=["a"])
    assert not Response.objects.exists()
    attempt.refresh_from_db()
    assert attempt.answered_count == 0 and attempt.points == 0


def test_an_answer_racing_a_hand_in_is_rolled_back(attempt):
    """The attempt was finished from another tab after this request loaded it."""
    stale = Attempt.objects.get(pk=attempt.pk)
    services.finish_attempt(attempt=attempt)
    with pytest.raises(services.AttemptFinished):
        services.record_answer(attempt=stale, item=item("intro-q1"), answer=["a"])
    assert not Response.objects.exists()


def test_an_item_outside_the_attempt_is_refused(attempt):
    with pytest.raises(services.ItemNotInAttempt):
        services.record_answer(attempt=attempt, item=item("phase-q1"), answer=["a"])
    assert not Response.objects.exists()


def test_finish_is_idempotent_and_counts_unanswered_items_as_zero(attempt):
    services.record_answer(attempt=attempt, item=item("intro-q1"), answer=["a"])
    services.finish_attempt(attempt=attempt)
    finished_at = attempt.finished_at
    services.finish_attempt(attempt=attempt)
    assert attempt.finished_at == finished_at
    assert attempt.score == pytest.approx(1 / 5)


def test_practice_gathers_the_items_missed_in_any_graded_attempt(student, intro, attempt):
    services.record_answer(attempt=attempt, item=item("intro-q1"), answer=["b"])  # wrong
    services.record_answer(attempt=attempt, item=item("intro-q2"), answer=["a"])  # partial
    services.record_answer(attempt=attempt, item=item("intro-q3"), answer=["true"])  # right
    services.finish_attempt(attempt=attempt)
    second = services.start_or_resume_attempt(student, intro)
    services.record_answer(attempt=second, item=item("intro-q1"), answer=["a"])  # right now
    services.record_answer(attempt=second, item=item("intro-q4"), answer=["d", "c", "b", "a"])

    practice = services.start_practice_attempt(student, intro)

    keys = list(Item.objects.filter(pk__in=practice.item_ids).values_list("key", flat=True))
    assert sorted(keys) == ["intro-q1", "intro-q2", "intro-q4"]
    assert practice.is_practice and practice.item_count == 3


def test_practice_is_none_without_mistakes(student, intro, attempt):
    services.record_answer(attempt=attempt, item=item("intro-q1"), answer=["a"])
    assert services.start_practice_attempt(student, intro) is None


def test_practice_resumes_an_open_round_over_the_same_items(student, intro, attempt):
    services.record_answer(attempt=attempt, item=item("intro-q1"), answer=["b"])
    first = services.start_practice_attempt(student, intro)
    assert services.start_practice_attempt(student, intro) == first
    services.record_answer(attempt=attempt, item=item("intro-q3"), answer=["false"])
    assert services.start_practice_attempt(student, intro) != first


def test_practice_mistakes_do_not_feed_later_practice_or_scores(student, intro, attempt):
    services.record_answer(attempt=attempt, item=item("intro-q1"), answer=["b"])
    practice = services.start_practice_attempt(student, intro)
    services.record_answer(attempt=practice, item=item("intro-q1"), answer=["a"])
    assert practice.is_finished
    assert unit_quiz_status(student, intro).best_score is None
    # A practice round answered wrongly adds no new "mistake".
    services.finish_attempt(attempt=attempt)
    again = services.start_practice_attempt(student, intro)
    assert [Item.objects.get(pk=pk).key for pk in again.item_ids] == ["intro-q1"]


def test_practice_does_not_block_a_graded_attempt(student, intro, attempt):
    services.record_answer(attempt=attempt, item=item("intro-q1"), answer=["b"])
    services.start_practice_attempt(student, intro)
    assert services.start_or_resume_attempt(student, intro) == attempt


def test_a_refused_submit_returns_the_items_stored_answer(student, intro, attempt):
    """A double submit (two clicks, two tabs) keeps and shows the first answer, whatever the
    second one says: a form that is no answer, or an attempt finished meanwhile."""
    from quizzes.presentation import AnswerError

    q1 = item("intro-q1")
    first = services.submit_answer(attempt=attempt, item=q1, read_answer=lambda: ["a"])

    def no_answer():
        raise AnswerError("Choose an answer.")

    assert services.submit_answer(attempt=attempt, item=q1, read_answer=no_answer) == first
    assert services.submit_answer(attempt=attempt, item=q1, read_answer=lambda: ["b"]) == first
    services.finish_attempt(attempt=attempt)
    assert services.submit_answer(attempt=attempt, item=q1, read_answer=no_answer) == first
    assert Response.objects.filter(attempt=attempt).count() == 1


def test_a_refused_submit_without_a_stored_answer_says_why(student, intro, attempt):
    from quizzes.presentation import AnswerError

    def no_answer():
        raise AnswerError("Choose an answer.")

    with pytest.raises(AnswerError):
        services.submit_answer(attempt=attempt, item=item("intro-q1"), read_answer=no_answer)
    services.finish_attempt(attempt=attempt)
    with pytest.raises(services.AttemptFinished):
        services.submit_answer(attempt=attempt, item=item("intro-q2"), read_answer=lambda: ["a"])
    assert not Response.objects.filter(attempt=attempt).exists()
