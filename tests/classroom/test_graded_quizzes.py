"""Graded quizzes (issue #14): the cheat that made every score worthless fails, each review
moment and grading method holds, in both languages, plain and with htmx."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from classroom.models import Assignment
from classroom.progress import class_progress
from classroom.services import save_assignment
from courseware.models import Unit
from quizzes.models import Attempt, Item, QuizPolicy
from quizzes.presentation import form_fields
from quizzes.samples import right_answer, wrong_answer

from .conftest import assign, make_attempt

pytestmark = pytest.mark.django_db

Moment = QuizPolicy.ReviewMoment
Method = QuizPolicy.GradingMethod


def make_graded(assignment: Assignment, **rules) -> Assignment:
    values = {
        "attempts_allowed": 2,
        "grading_method": Method.HIGHEST,
        "review_moment": Moment.AFTER_DUE,
        "show_correctness": True,
    }
    values.update(rules)
    return save_assignment(assignment=assignment, policy=values)


@pytest.fixture
def intro(school_class):
    return Unit.objects.get(slug="introduction")


@pytest.fixture
def graded(school_class, intro):
    return make_graded(Assignment.objects.get(school_class=school_class, unit=intro))


@pytest.fixture
def student_client(student):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(student)
    return client


def start(client, unit, **headers):
    return client.post(reverse("quizzes:start", kwargs={"slug": unit.slug}), **headers)


def open_attempt(student, unit) -> Attempt:
    return Attempt.objects.for_student(student).for_unit(unit).open().get()


def hand_in(client, attempt, **headers):
    url = reverse("quizzes:finish", kwargs={"attempt_id": attempt.pk})
    return client.post(url, {"confirm": "1"}, **headers)


def answer(client, attempt, item, given, **headers):
    url = reverse("quizzes:answer", kwargs={"attempt_id": attempt.pk, "item_id": item.pk})
    return client.post(url, form_fields(attempt, item, given), **headers)


def items_of(attempt):
    by_pk = Item.objects.prefetch_related("choices").in_bulk(attempt.item_ids)
    return [by_pk[pk] for pk in attempt.item_ids]


def explanations(attempt) -> list[str]:
    return [item.explanation_en for item in items_of(attempt)]


def assert_no_key(html: str, attempt, *, answered: int = 0) -> None:
    """No right answer, explanation or passage link; answer lines only for the student's own
    ``answered`` answers."""
    assert "<h3>The right answer</h3>" not in html
    for explanation in explanations(attempt):
        assert explanation not in html
    assert "Read it in the text" not in html
    assert html.count('class="answer-lines"') == answered


def assert_key(html: str, attempt) -> None:
    """The summary shows every item's right answer (and the student's own answers)."""
    assert html.count('class="answer-lines"') >= attempt.item_count


# ---------------------------------------------------------------------------------------
# The cheat of the issue, scripted through the views


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_the_cheat_fails_on_a_graded_assignment(student_client, student, intro, graded, htmx):
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    # Start, hand in at once with nothing answered: the summary shows no key.
    start(student_client, intro, **headers)
    first = open_attempt(student, intro)
    hand_in(student_client, first, **headers)
    summary = student_client.get(first.get_absolute_url()).content.decode()
    assert "Score: 0 %" in summary
    assert_no_key(summary, first)
    assert summary.count("The right answer is shown after the due date.") == first.item_count
    # "Practise my mistakes" would show the key: refused before the moment.
    student_client.post(reverse("quizzes:practice", kwargs={"slug": intro.slug}), **headers)
    assert not Attempt.objects.filter(student=student, is_practice=True).exists()
    # Start again and answer: right or wrong only, never the key.
    start(student_client, intro, **headers)
    second = open_attempt(student, intro)
    assert second.pk != first.pk
    item = items_of(second)[0]
    html = answer(student_client, second, item, wrong_answer(item), **headers).content.decode()
    assert "Wrong" in html
    assert_no_key(html, second, answered=1)
    hand_in(student_client, second, **headers)
    summary = student_client.get(second.get_absolute_url()).content.decode()
    assert_no_key(summary, second, answered=1)
    # The third start is refused with a clear message, and no attempt is made.
    response = start(student_client, intro, follow=True)
    assert "You have used every attempt this quiz allows." in response.content.decode()
    assert Attempt.objects.for_student(student).for_unit(intro).count() == 2
    # The grid shows the grade by the chosen method, never 100 %.
    grid = class_progress(graded.school_class)
    cell = grid.rows[0].cells[[c.unit.pk for c in grid.columns].index(intro.pk)]
    assert cell.best == 0 and cell.attempts == 2 and not cell.mastered


def test_earlier_practice_attempts_do_not_count_towards_a_graded_grade(
    student, school_class, intro
):
    make_attempt(student, intro, [1, 1, 1, 1, 1])
    make_graded(Assignment.objects.get(school_class=school_class, unit=intro))
    grid = class_progress(school_class)
    cell = grid.rows[0].cells[[c.unit.pk for c in grid.columns].index(intro.pk)]
    assert cell.best is None and cell.attempts == 0


def test_an_open_practice_attempt_is_handed_in_when_the_unit_becomes_graded(
    student_client, student, school_class, intro
):
    start(student_client, intro)
    practice = open_attempt(student, intro)
    make_graded(Assignment.objects.get(school_class=school_class, unit=intro))
    start(student_client, intro)
    graded_attempt = open_attempt(student, intro)
    assert graded_attempt.pk != practice.pk and graded_attempt.policy is not None
    practice.refresh_from_db()
    assert practice.is_finished


def test_an_unassigned_unit_stays_practice_with_the_key(student_client, student, intro):
    start(student_client, intro)
    attempt = open_attempt(student, intro)
    assert attempt.policy is None
    hand_in(student_client, attempt)
    assert_key(student_client.get(attempt.get_absolute_url()).content.decode(), attempt)


# ---------------------------------------------------------------------------------------
# Review moments


@pytest.mark.parametrize("language", ["en", "zh-hant"])
def test_after_each_answer_shows_the_answered_key_only(student, school_class, intro, language):
    make_graded(
        Assignment.objects.get(school_class=school_class, unit=intro),
        review_moment=Moment.AFTER_ANSWER,
    )
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(student)
    start(client, intro)
    attempt = open_attempt(student, intro)
    first, *rest = items_of(attempt)
    html = answer(client, attempt, first, right_answer(first), HTTP_HX_REQUEST="true")
    explanation = first.explanation_en if language == "en" else first.explanation_zh_hant
    assert explanation in html.content.decode()
    hand_in(client, attempt)
    summary = client.get(attempt.get_absolute_url()).content.decode()
    for item in rest:  # left unanswered: their keys wait for the due date
        text = item.explanation_en if language == "en" else item.explanation_zh_hant
        assert text not in summary


def test_after_the_attempt_shows_every_key_once_handed_in(
    student_client, student, school_class, intro
):
    make_graded(
        Assignment.objects.get(school_class=school_class, unit=intro),
        review_moment=Moment.AFTER_ATTEMPT,
    )
    start(student_client, intro)
    attempt = open_attempt(student, intro)
    item = items_of(attempt)[0]
    html = answer(student_client, attempt, item, right_answer(item)).content.decode()
    assert item.explanation_en not in html and "Right" in html
    hand_in(student_client, attempt)
    assert_key(student_client.get(attempt.get_absolute_url()).content.decode(), attempt)


def test_after_the_due_date_shows_the_key_then_and_closes_the_quiz(
    student_client, student, school_class, intro
):
    assignment = make_graded(Assignment.objects.get(school_class=school_class, unit=intro))
    start(student_client, intro)
    attempt = open_attempt(student, intro)
    hand_in(student_client, attempt)
    assert_no_key(student_client.get(attempt.get_absolute_url()).content.decode(), attempt)
    assignment.due_at = timezone.now() - timedelta(minutes=1)
    save_assignment(assignment=assignment, policy={"review_moment": Moment.AFTER_DUE})
    assert_key(student_client.get(attempt.get_absolute_url()).content.decode(), attempt)
    response = start(student_client, intro, follow=True)
    assert "This quiz closed on its due date." in response.content.decode()
    assert Attempt.objects.for_student(student).count() == 1


def test_never_shows_no_key_even_after_the_due_date(student_client, student, school_class, intro):
    assignment = make_graded(
        Assignment.objects.get(school_class=school_class, unit=intro),
        review_moment=Moment.NEVER,
        show_correctness=False,
    )
    start(student_client, intro)
    attempt = open_attempt(student, intro)
    item = items_of(attempt)[0]
    html = answer(student_client, attempt, item, wrong_answer(item)).content.decode()
    assert "Answer recorded" in html
    assert "Wrong" not in html and "Score so far" not in html
    assignment.due_at = timezone.now() - timedelta(days=1)
    save_assignment(assignment=assignment, policy={"review_moment": Moment.NEVER})
    hand_in(student_client, attempt)
    summary = student_client.get(attempt.get_absolute_url()).content.decode()
    assert_no_key(summary, attempt, answered=1)
    assert "Score: 0 %" in summary  # the student's own score, always


def test_hidden_correctness_marks_no_choice_right_or_wrong(
    student_client, student, school_class, intro
):
    make_graded(
        Assignment.objects.get(school_class=school_class, unit=intro), show_correctness=False
    )
    start(student_client, intro)
    attempt = open_attempt(student, intro)
    for item in items_of(attempt):
        html = answer(
            student_client, attempt, item, right_answer(item), HTTP_HX_REQUEST="true"
        ).content.decode()
        item_part = html.split('id="quiz-summary"')[0]  # the last answer brings the summary
        assert "Answer recorded" in item_part
        assert "Right:" not in item_part and "Wrong:" not in item_part and "✓" not in item_part


# ---------------------------------------------------------------------------------------
# Grading methods, rules shown before starting


@pytest.mark.parametrize(
    ("method", "expected"),
    [(Method.HIGHEST, 0.8), (Method.FIRST, 0.2), (Method.LAST, 0.4), (Method.AVERAGE, 1.4 / 3)],
)
def test_the_grid_grades_by_the_chosen_method(student, school_class, intro, method, expected):
    assignment = make_graded(
        Assignment.objects.get(school_class=school_class, unit=intro),
        grading_method=method,
        attempts_allowed=3,
    )
    now = timezone.now()
    for hours, scores in [(3, [1, 0, 0, 0, 0]), (2, [1, 1, 1, 1, 0]), (1, [1, 1, 0, 0, 0])]:
        attempt = make_attempt(student, intro, scores, started_at=now - timedelta(hours=hours))
        Attempt.objects.filter(pk=attempt.pk).update(policy=assignment.policy)
    grid = class_progress(school_class)
    cell = grid.rows[0].cells[[c.unit.pk for c in grid.columns].index(intro.pk)]
    assert cell.best == pytest.approx(expected)
    assert cell.attempts == 3


@pytest.mark.parametrize(
    ("language", "texts"),
    [
        (
            "en",
            [
                "Attempts: 0 of 2 used.",
                "2 attempts left.",
                "score of your best attempt",
                "shown after the due date",
            ],
        ),
        ("zh-hant", ["已用 0 次，共 2 次", "還剩 2 次", "最高分", "繳交期限之後"]),
    ],
)
def test_the_rules_show_before_starting_in_the_students_language(
    student, graded, intro, language, texts
):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(student)
    html = client.get(intro.get_absolute_url()).content.decode()
    for text in texts:
        assert text in html


def test_the_assignment_form_makes_a_graded_quiz(instructor_client, school_class, intro):
    assignment = Assignment.objects.get(school_class=school_class, unit=intro)
    url = reverse(
        "classroom:assignment_edit",
        kwargs={"class_id": school_class.pk, "assignment_id": assignment.pk},
    )
    data = {
        "edit-unit": intro.pk,
        "edit-due_at": (timezone.localtime() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"),
        "edit-quiz_kind": "graded",
        "edit-attempts_allowed": "3",
        "edit-grading_method": "last",
        "edit-review_moment": "attempt",
    }
    for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
        response = instructor_client.post(url, data, **headers)
        assert response.status_code in (200, 302)
        assignment.refresh_from_db()
        policy = assignment.policy
        assert (policy.attempts_allowed, policy.grading_method, policy.review_moment) == (
            3,
            "last",
            "attempt",
        )
        assert policy.show_correctness is False  # an unticked box
    bad = instructor_client.post(url, {**data, "edit-attempts_allowed": "11"})
    assert "Ensure this value is less than or equal to 10." in bad.content.decode()
    data["edit-quiz_kind"] = "practice"
    instructor_client.post(url, data)
    assignment.refresh_from_db()
    assert assignment.policy is None


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_an_open_attempt_is_handed_in_at_the_due_date(
    student_client, student, school_class, intro, htmx
):
    """Past the due date the other attempts show their keys: an open one is closed first."""
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    assignment = make_graded(Assignment.objects.get(school_class=school_class, unit=intro))
    start(student_client, intro)
    attempt = open_attempt(student, intro)
    assignment.due_at = timezone.now() - timedelta(minutes=1)
    save_assignment(assignment=assignment, policy={"review_moment": Moment.AFTER_DUE})
    item = items_of(attempt)[0]
    html = answer(student_client, attempt, item, right_answer(item), **headers)
    assert "This attempt is finished and accepts no more answers." in html.content.decode()
    attempt.refresh_from_db()
    assert attempt.is_finished and attempt.answered_count == 0


@pytest.mark.parametrize("language", ["en", "zh-hant"])
def test_the_students_attempt_history_shows_each_attempt_and_its_review_when_due(
    student, graded, intro, language
):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(student)
    url = reverse("quizzes:history", kwargs={"slug": intro.slug})
    assert client.get(url).status_code == 200
    start(client, intro)
    attempt = open_attempt(student, intro)
    hand_in(client, attempt)
    start(client, intro)
    html = client.get(url).content.decode()
    assert html.count('class="attempt-history-entry"') == 2
    assert html.count(attempt.get_absolute_url()) == 1
    if language == "en":
        assert "Attempt 2" in html and "Resume" in html
        assert "See your answers" in html and "The right answers come later." in html
        assert "0 % (0 of" in html
    else:
        assert "第 2 次作答" in html and "正確答案稍後公布" in html


def test_the_attempt_history_shows_only_the_students_own_attempts(
    client, student, intro, django_user_model
):
    other_student = django_user_model.objects.create_user("someone-else", password="x-Pass-123")
    services_attempt = Attempt.objects.create(
        student=other_student, unit=intro, item_ids=[], item_count=0
    )
    client.force_login(student)
    html = client.get(reverse("quizzes:history", kwargs={"slug": intro.slug})).content.decode()
    assert services_attempt.get_absolute_url() not in html
    assert "You have not taken this unit's quiz yet." in html


def move_graded_assignment(student, school_class, intro, units):
    """The instructor grades the introduction, the student hands in a perfect attempt under
    those rules, then the assignment is moved to another unit (it keeps its rules)."""
    moved = make_graded(Assignment.objects.get(school_class=school_class, unit=intro))
    taken = make_attempt(student, intro, [1, 1, 1, 1, 1])
    Attempt.objects.filter(pk=taken.pk).update(policy=moved.policy)
    other = next(unit for unit in units if unit != intro)
    Assignment.objects.filter(school_class=school_class, unit=other).delete()
    Assignment.objects.filter(pk=moved.pk).update(unit=other)
    return moved.policy, other


def cells_by_unit(grid):
    return dict(zip([column.unit.pk for column in grid.columns], grid.rows[0].cells, strict=True))


def test_a_graded_assignment_moved_to_another_unit_grades_each_unit_by_its_own_rules(
    student, school_class, intro, units
):
    moved_rules, other = move_graded_assignment(student, school_class, intro, units)
    # The introduction is assigned again, graded by rules of its own.
    new_rules = make_graded(assign(school_class, intro)).policy
    for unit, rules, scores in [
        (intro, new_rules, [1, 1, 1, 1, 0]),
        (other, moved_rules, [1, 0, 0, 0, 0]),
    ]:
        attempt = make_attempt(student, unit, scores, item_count=len(scores))
        Attempt.objects.filter(pk=attempt.pk).update(policy=rules)

    cells = cells_by_unit(class_progress(school_class))

    # The perfect attempt was on the introduction under rules that are now another unit's:
    # it counts for neither; each unit counts the attempt under its own rules.
    assert (cells[intro.pk].attempts, cells[intro.pk].best) == (1, pytest.approx(0.8))
    assert (cells[other.pk].attempts, cells[other.pk].best) == (1, pytest.approx(0.2))


def test_attempts_under_moved_rules_still_count_on_their_unit_assigned_as_practice(
    student, school_class, intro, units
):
    move_graded_assignment(student, school_class, intro, units)
    assign(school_class, intro)  # practice now

    cells = cells_by_unit(class_progress(school_class))

    assert (cells[intro.pk].attempts, cells[intro.pk].best) == (1, 1.0)
