"""The unit page's quiz panel is rendered once per shape (what it shows but the grade and the
attempts used) and each reader's numbers filled in (courseware.layout, quizzes.panels): every
reader gets the panel a whole rendering gives them, practice or graded, whatever their
attempts, in both languages."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from classroom.models import Assignment
from courseware import views
from quizzes.models import Attempt, Item, QuizPolicy
from tests.unit_pages import same_but_tokens, unit_url

from .conftest import assign, enroll, make_attempt, make_class
from .test_graded_quizzes import make_graded

pytestmark = pytest.mark.django_db


def attempt_under(policy, student, unit, scores, *, finished=True):
    attempt = make_attempt(student, unit, scores, finished=finished)
    Attempt.objects.filter(pk=attempt.pk).update(policy=policy)
    return attempt


@pytest.mark.parametrize("language", ["zh-hant", "en"])
def test_every_reader_gets_the_panel_a_whole_rendering_gives(
    school_class, instructor, student, units, django_user_model, monkeypatch, language
):
    intro = units[0]
    count = Item.objects.for_unit(intro).count()
    graded = make_graded(Assignment.objects.get(school_class=school_class, unit=intro))
    policy = graded.policy
    late_class = make_class(instructor, name="Late class")
    late = assign(late_class, intro, due_in_days=-1)
    make_graded(late, review_moment=QuizPolicy.ReviewMoment.AFTER_DUE)

    def reader(name, *, klass=school_class):
        user = django_user_model.objects.create_user(name, password=f"pw-{name}-12345")
        if klass is not None:
            enroll(klass, user)
        return user

    readers = {"graded, nothing yet": student}
    readers["graded, full marks"] = reader("full")
    attempt_under(policy, readers["graded, full marks"], intro, [1] * count)
    readers["graded, 40 %"] = reader("forty")
    attempt_under(policy, readers["graded, 40 %"], intro, [1, 1] + [0] * (count - 2))
    # The same panel as 40 % but for the grade: the kept one, with its own grade.
    readers["graded, 60 %"] = reader("sixty-once")
    attempt_under(policy, readers["graded, 60 %"], intro, [1] * 3 + [0] * (count - 3))
    readers["graded, a second 60 %"] = reader("sixty")
    attempt_under(policy, readers["graded, a second 60 %"], intro, [1] * 3 + [0] * (count - 3))
    attempt_under(policy, readers["graded, a second 60 %"], intro, [0] * count)
    readers["graded, open"] = reader("open")
    attempt_under(policy, readers["graded, open"], intro, [1, None, None], finished=False)
    readers["graded, closed"] = reader("late", klass=late_class)
    readers["practice, nothing yet"] = reader("visitor", klass=None)
    readers["practice, 80 %"] = reader("eighty", klass=None)
    make_attempt(readers["practice, 80 %"], intro, [1] * 4 + [0] * (count - 4))

    clients = {}
    for name, user in readers.items():
        clients[name] = Client(HTTP_ACCEPT_LANGUAGE=language)
        clients[name].force_login(user)
    kept = {name: client.get(unit_url()).content.decode() for name, client in clients.items()}
    again = {name: client.get(unit_url()).content.decode() for name, client in clients.items()}
    monkeypatch.setattr(views, "can_fill_layout", lambda request, mode: False)
    for name, client in clients.items():
        whole = same_but_tokens(client.get(unit_url()).content.decode())
        assert same_but_tokens(kept[name]) == whole, name
        assert same_but_tokens(again[name]) == whole, name
    if language == "en":
        assert "Your grade: 100 %" in kept["graded, full marks"]
        assert "Your grade: 40 %" in kept["graded, 40 %"]
        assert "Your grade: 60 %" in kept["graded, 60 %"]
        assert "Attempts: 2 of 2 used." in kept["graded, a second 60 %"]
        assert "Your grade: 60 %" in kept["graded, a second 60 %"]
        assert "Resume the quiz" in kept["graded, open"]
        assert "closed on its due date" in kept["graded, closed"]
        assert "Your best score: 80 %" in kept["practice, 80 %"]


def quiz_panel(page: str) -> str:
    return same_but_tokens(page[page.index('<section class="quiz-panel"') :].split("</section>")[0])


def test_a_due_date_is_shown_in_the_panel_as_it_is_now(school_class, student, units):
    intro = units[0]
    assignment = Assignment.objects.get(school_class=school_class, unit=intro)
    make_graded(assignment)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(student)
    first = quiz_panel(client.get(unit_url()).content.decode())
    Assignment.objects.filter(pk=assignment.pk).update(due_at=timezone.now() + timedelta(days=40))
    moved = quiz_panel(client.get(unit_url()).content.decode())
    assert "Due: " in first and "Due: " in moved
    assert first != moved, "the kept panel follows the assignment's new due date"
