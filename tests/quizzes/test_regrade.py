"""A corrected key regrades stored answers on load_course; a dropped choice that students
chose needs --force and keeps showing; an open attempt survives a reload (issue #14)."""

import copy
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import translation

from courseware.course_file import read_course_file
from quizzes import services
from quizzes.models import Attempt, Choice, Item, Response
from quizzes.samples import right_answer
from tests.conftest import MINI_COURSE

from .conftest import item, post_answer

pytestmark = pytest.mark.django_db


def load_file(tmp_path, data, *, force=False) -> str:
    path = tmp_path / "course.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    out = io.StringIO()
    with translation.override("en"):
        call_command("load_course", str(path), force=force, stdout=out)
    return out.getvalue()


def item_data(data, key):
    return next(entry for entry in data["items"] if entry["key"] == key)


def answer(attempt, key, given):
    return services.record_answer(attempt=attempt, item=item(key), answer=given)


def test_a_corrected_key_regrades_scores_attempts_and_mastery(
    mini_course, student, other_student, tmp_path
):
    intro = Item.objects.get(key="intro-q1").unit
    chose_a = services.start_or_resume_attempt(student, intro)
    chose_b = services.start_or_resume_attempt(other_student, intro)
    answer(chose_a, "intro-q1", ["a"])
    answer(chose_b, "intro-q1", ["b"])
    for key in ("intro-q2", "intro-q3", "intro-q4", "intro-q5"):
        for attempt in (chose_a, chose_b):
            answer(attempt, key, right_answer(item(key)))
    chose_a.refresh_from_db()
    chose_b.refresh_from_db()
    assert (chose_a.score, chose_b.score) == (1.0, 0.8)

    data = copy.deepcopy(read_course_file(MINI_COURSE))
    for choice in item_data(data, "intro-q1")["choices"]:  # the key was "a"; it is "b"
        choice["correct"] = choice["key"] == "b"
    report = load_file(tmp_path, data)

    assert "2 answers regraded" in report and "2 attempts regraded" in report
    a = Response.objects.get(attempt=chose_a, item__key="intro-q1")
    b = Response.objects.get(attempt=chose_b, item__key="intro-q1")
    assert (a.score, a.is_correct, a.score_before_regrade) == (0.0, False, 1.0)
    assert (b.score, b.is_correct, b.score_before_regrade) == (1.0, True, 0.0)
    assert a.regraded_at is not None
    chose_a.refresh_from_db()
    chose_b.refresh_from_db()
    assert chose_a.points == pytest.approx(4) and chose_b.points == pytest.approx(5)
    assert chose_b.is_mastery and chose_a.is_mastery  # 80 % and 100 %
    # Loading the same file again regrades nothing.
    assert "regraded" not in load_file(tmp_path, data)


def test_an_ordering_key_corrected_by_reordering_regrades(mini_course, student, tmp_path):
    attempt = services.start_or_resume_attempt(student, item("intro-q4").unit)
    answer(attempt, "intro-q4", ["a", "b", "c", "d"])
    data = copy.deepcopy(read_course_file(MINI_COURSE))
    item_data(data, "intro-q4")["choices"].reverse()
    assert "1 answers regraded" in load_file(tmp_path, data)
    response = Response.objects.get(attempt=attempt)
    assert response.score == 0.0 and response.score_before_regrade == 1.0


def test_a_dropped_choice_that_students_chose_is_refused_then_archived_with_force(
    mini_course, student, tmp_path
):
    attempt = services.start_or_resume_attempt(student, item("intro-q1").unit)
    answer(attempt, "intro-q1", ["c"])
    data = copy.deepcopy(read_course_file(MINI_COURSE))
    entry = item_data(data, "intro-q1")
    dropped_text = next(c for c in entry["choices"] if c["key"] == "c")["text"]["en"]
    entry["choices"] = [c for c in entry["choices"] if c["key"] != "c"] + [
        {
            "key": "d",
            "text": {"zh-hant": "新選項", "en": "A new choice"},
            "correct": False,
            "feedback": {"zh-hant": "不對。", "en": "No."},
        }
    ]
    with pytest.raises(CommandError, match="Choice “c” of quiz item “intro-q1”"):
        load_file(tmp_path, data)
    assert Choice.objects.filter(item__key="intro-q1", key="c", archived=False).exists()

    load_file(tmp_path, data, force=True)
    archived = Choice.objects.get(item__key="intro-q1", key="c")
    assert archived.archived
    services.finish_attempt(attempt=attempt)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(student)
    summary = client.get(attempt.get_absolute_url()).content.decode()
    assert dropped_text in summary  # the student's own answer still reads as they gave it
    # A new attempt neither offers nor grades the archived choice.
    fresh = services.start_or_resume_attempt(student, item("intro-q1").unit)
    page = client.get(fresh.get_absolute_url()).content.decode()
    assert "A new choice" in page and dropped_text not in page


def test_a_reload_keeps_an_open_attempts_items_and_it_finishes_at_full_marks(
    mini_course, student, student_client, tmp_path
):
    attempt = services.start_or_resume_attempt(student, item("intro-q1").unit)
    data = copy.deepcopy(read_course_file(MINI_COURSE))
    data["items"] = [entry for entry in data["items"] if entry["key"] != "intro-q5"]
    report = load_file(tmp_path, data)
    assert "1 items archived (in open attempts)" in report
    dropped = Item.objects.get(key="intro-q5")
    assert dropped.archived and dropped.pk in attempt.item_ids
    page = student_client.get(attempt.get_absolute_url()).content.decode()
    assert page.count("<fieldset") == 5
    for pk in attempt.item_ids:
        entry = Item.objects.prefetch_related("choices").get(pk=pk)
        response = post_answer(student_client, attempt, entry, right_answer(entry))
        assert response.status_code == 200
    attempt.refresh_from_db()
    assert attempt.is_finished and attempt.score == 1.0
    # A new attempt no longer draws the dropped item.
    assert dropped.pk not in services.start_or_resume_attempt(student, dropped.unit).item_ids
    assert Attempt.objects.filter(student=student).count() == 2
