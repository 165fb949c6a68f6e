"""An instructor's say over one student's graded quiz (issue #14): their own due date,
extra attempts, reopening the last attempt; the drill-down shows duration and unanswered
items, and an attempt handed in half empty counts towards "needs help"."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from classroom.models import Assignment, Extension
from classroom.progress import class_progress, student_assignments
from classroom.services import save_assignment
from courseware.models import Unit
from quizzes.models import Attempt, QuizPolicy

from .conftest import make_attempt

pytestmark = pytest.mark.django_db

HEADERS = [{}, {"HTTP_HX_REQUEST": "true"}]
HEADER_IDS = ["plain", "htmx"]


@pytest.fixture
def intro(school_class):
    return Unit.objects.get(slug="introduction")


@pytest.fixture
def assignment(school_class, intro):
    return save_assignment(
        assignment=Assignment.objects.get(school_class=school_class, unit=intro),
        policy={
            "attempts_allowed": 1,
            "grading_method": QuizPolicy.GradingMethod.HIGHEST,
            "review_moment": QuizPolicy.ReviewMoment.AFTER_DUE,
            "show_correctness": True,
        },
    )


@pytest.fixture
def student_client(student):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(student)
    return client


def url(name, assignment, student):
    return reverse(
        f"classroom:{name}",
        kwargs={
            "class_id": assignment.school_class_id,
            "student_id": student.pk,
            "assignment_id": assignment.pk,
        },
    )


def start(client, unit):
    return client.post(reverse("quizzes:start", kwargs={"slug": unit.slug}), follow=True)


def hand_in(client, attempt):
    url = reverse("quizzes:finish", kwargs={"attempt_id": attempt.pk})
    return client.post(url, {"confirm": "1"})


@pytest.mark.parametrize("headers", HEADERS, ids=HEADER_IDS)
def test_an_extra_attempt_lets_the_student_start_again(
    instructor_client, student_client, student, intro, assignment, headers
):
    start(student_client, intro)
    hand_in(student_client, Attempt.objects.get(student=student))
    assert "You have used every attempt" in start(student_client, intro).content.decode()
    response = instructor_client.post(
        url("extension", assignment, student), {"extra_attempts": "1"}, **headers
    )
    assert response.status_code == 200 if headers else 302
    start(student_client, intro)
    assert Attempt.objects.filter(student=student).count() == 2
    hand_in(student_client, Attempt.objects.get(student=student, finished_at__isnull=True))
    assert "You have used every attempt" in start(student_client, intro).content.decode()


@pytest.mark.parametrize("headers", HEADERS, ids=HEADER_IDS)
def test_an_own_due_date_moves_overdue_and_the_review_moment(
    instructor_client, student_client, student, intro, assignment, headers
):
    start(student_client, intro)
    attempt = Attempt.objects.get(student=student)
    hand_in(student_client, attempt)
    assignment.due_at = timezone.now() - timedelta(days=1)
    save_assignment(assignment=assignment, policy={"attempts_allowed": 1})
    attempt.refresh_from_db()
    assert attempt.due_at == assignment.due_at
    grid = class_progress(assignment.school_class)
    column = [c.unit.pk for c in grid.columns].index(intro.pk)
    assert grid.rows[0].cells[column].overdue
    own = timezone.localtime() + timedelta(days=2)
    instructor_client.post(
        url("extension", assignment, student),
        {"due_at": own.strftime("%Y-%m-%dT%H:%M"), "extra_attempts": "0"},
        **headers,
    )
    extension = Extension.objects.get(student=student)
    attempt.refresh_from_db()
    assert attempt.due_at == extension.due_at
    grid = class_progress(assignment.school_class)
    assert not grid.rows[0].cells[column].overdue
    assert not grid.rows[0].needs_help or grid.rows[0].cells[column].struggles >= 2
    home = student_assignments(student)
    mine = next(unit for _class, units in home for unit in units if unit.unit.pk == intro.pk)
    assert not mine.result.overdue
    # The key waits for the student's own date, not the class's.
    summary = student_client.get(attempt.get_absolute_url()).content.decode()
    assert "The right answer is shown after the due date." in summary
    # Taking the extension back restores the class's date.
    instructor_client.post(url("extension", assignment, student), {"extra_attempts": "0"})
    assert not Extension.objects.exists()
    attempt.refresh_from_db()
    assert attempt.due_at == assignment.due_at


def test_a_bad_extension_is_refused_on_the_page(instructor_client, student, assignment):
    response = instructor_client.post(
        url("extension", assignment, student), {"due_at": "soon", "extra_attempts": "99"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Enter a valid date/time." in html
    assert "Ensure this value is less than or equal to 10." in html
    assert not Extension.objects.exists()


@pytest.mark.parametrize("headers", HEADERS, ids=HEADER_IDS)
def test_reopening_the_last_attempt_lets_the_student_finish_it(
    instructor_client, student_client, student, intro, assignment, headers
):
    start(student_client, intro)
    attempt = Attempt.objects.get(student=student)
    hand_in(student_client, attempt)
    instructor_client.post(url("reopen_attempt", assignment, student), **headers)
    attempt.refresh_from_db()
    assert not attempt.is_finished
    response = start(student_client, intro)  # resumes it, no new attempt
    assert response.redirect_chain[-1][0] == attempt.get_absolute_url()
    assert Attempt.objects.filter(student=student).count() == 1
    # A second reopen while it is open is refused, saying why.
    page = instructor_client.post(url("reopen_attempt", assignment, student), follow=True)
    assert "There is no finished attempt to reopen" in page.content.decode()


def test_the_drill_down_shows_duration_unanswered_and_the_needs_help_rule(
    instructor_client, student, intro, school_class
):
    started = timezone.now() - timedelta(hours=2)
    make_attempt(student, intro, [1, None, None, None, None], started_at=started)
    page = instructor_client.get(
        reverse(
            "classroom:student_detail",
            kwargs={"class_id": school_class.pk, "student_id": student.pk},
        )
    ).content.decode()
    assert "10 min 00 s" in page
    assert "4 unanswered" in page
    grid = class_progress(school_class)
    column = [c.unit.pk for c in grid.columns].index(intro.pk)
    assert grid.rows[0].cells[column].struggles == 1


def test_an_attempt_half_answered_counts_as_a_struggle_even_when_its_answers_were_right(
    student, intro, school_class, monkeypatch
):
    from classroom import progress

    monkeypatch.setattr(progress, "STRUGGLE_SCORE", 0.3)
    make_attempt(student, intro, [1, 1, None, None, None])  # 40 %, above 30 %
    make_attempt(student, intro, [1, 1, 1, 1, 1])
    grid = class_progress(school_class)
    column = [c.unit.pk for c in grid.columns].index(intro.pk)
    assert grid.rows[0].cells[column].struggles == 1


def test_other_instructors_cannot_touch_the_student(client, other_instructor, student, assignment):
    client.force_login(other_instructor)
    for name in ("extension", "reopen_attempt"):
        response = client.post(url(name, assignment, student), {"extra_attempts": "3"})
        assert response.status_code == 404
    assert not Extension.objects.exists()
