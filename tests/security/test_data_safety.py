"""Students' work survives every content load; dropping answered content needs --force and
then archives instead of deleting. tests/courseware/test_loading.py covers the loader's own
rules (idempotence, refusal of an answered item); here it is about the students' side."""

from __future__ import annotations

import copy
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from classroom.models import Assignment, Enrollment
from courseware.course_file import DEFAULT_COURSE_FILE, read_course_file
from courseware.models import Passage, ReadingProgress, Unit
from quizzes.models import Attempt, Item, Response
from tests.conftest import MINI_COURSE

from .conftest import build_world, changed_tables, make_user, record_work, snapshot

pytestmark = pytest.mark.django_db

STUDENT_WORK = (Attempt, Response, ReadingProgress, Enrollment, Assignment)
COURSE_FILES = [MINI_COURSE] + ([DEFAULT_COURSE_FILE] if DEFAULT_COURSE_FILE.exists() else [])


def students_work() -> dict:
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in STUDENT_WORK}


def load_course(tmp_path, data, *, force=False, name="course.json"):
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with translation.override("en"):
        call_command("load_course", str(path), force=force, stdout=io.StringIO())


def corrected(data: dict) -> dict:
    """A typical correction: every text edited, units' passages and items reordered, a new
    item, a tag relabelled, a choice's text and feedback rewritten."""
    fixed = copy.deepcopy(data)
    for unit in fixed["units"]:
        unit["summary"]["en"] += " (revised)"
        unit["passages"].reverse()
        for passage in unit["passages"]:
            passage["text"]["en"] += " Revised."
    fixed["items"].reverse()
    for item in fixed["items"]:
        item["stem"]["en"] += " (revised)"
        item["explanation"]["zh-hant"] += "（修訂）"
        for choice in item["choices"]:
            choice["text"]["en"] += " (revised)"
            if "feedback" in choice:
                choice["feedback"]["en"] = "Revised feedback."
    fixed["tags"][0]["label"]["en"] += " (revised)"
    extra = copy.deepcopy(fixed["items"][0])
    extra["key"] = "security-added-item"
    fixed["items"].append(extra)
    return fixed


@pytest.mark.parametrize("course_path", COURSE_FILES, ids=lambda path: path.name)
def test_progress_and_answers_survive_a_corrected_course(tmp_path, course_path):
    original = read_course_file(course_path)
    load_course(tmp_path, original)
    units = list(Unit.objects.current().filter(items__isnull=False).distinct()[:2])
    students = [make_user(f"reader-{n}") for n in range(3)]
    record_work(units, students)
    assert Response.objects.count() > 0
    before = students_work()
    item_pks = dict(Item.objects.values_list("key", "pk"))

    load_course(tmp_path, corrected(original))

    assert students_work() == before
    assert {key: pk for key, pk in Item.objects.values_list("key", "pk") if key in item_pks} == (
        item_pks
    )
    assert Item.objects.get(key="security-added-item").archived is False
    # And the students' pages still show their work on the corrected text.
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(students[0])
    for attempt in Attempt.objects.filter(student=students[0]):
        response = client.get(attempt.get_absolute_url())
        assert response.status_code == 200
        assert "(revised)" in response.content.decode()
    load_course(tmp_path, original)  # and back: still nothing lost
    assert students_work() == before


@pytest.fixture
def answered(mini_course, student):
    """The world (two classes, attempts on "introduction"), and the student's work on
    "phase-one" too: reading progress and a graded attempt answered in full."""
    world = build_world(student)
    record_work([Unit.objects.get(slug="phase-one")], [student])
    return world


def without_item(data: dict, key: str) -> dict:
    smaller = copy.deepcopy(data)
    smaller["items"] = [item for item in smaller["items"] if item["key"] != key]
    return smaller


def without_unit(data: dict, slug: str) -> dict:
    """The file with the unit gone, and with it its items and the terms only it used."""
    smaller = copy.deepcopy(data)
    unit = next(unit for unit in smaller["units"] if unit["slug"] == slug)
    passages = {passage["key"] for passage in unit["passages"]}
    smaller["units"].remove(unit)
    smaller["items"] = [
        item
        for item in smaller["items"]
        if item["unit"] != slug and not passages & set(item["passages"])
    ]
    used = {key for u in smaller["units"] for p in u["passages"] for key in p.get("terms", [])}
    smaller["terms"] = [term for term in smaller["terms"] if term["key"] in used]
    return smaller


def test_removing_an_answered_item_is_refused_then_archived_with_force(answered, tmp_path):
    data = read_course_file(MINI_COURSE)
    smaller = without_item(data, "phase-q1")
    before = snapshot()

    with pytest.raises(CommandError) as refused:
        load_course(tmp_path, smaller)
    message = str(refused.value)
    assert "Quiz item “phase-q1”" in message and "--force" in message
    assert "database is unchanged" in message
    assert changed_tables(before, snapshot()) == []

    work = students_work()
    load_course(tmp_path, smaller, force=True)
    item = Item.objects.get(key="phase-q1")
    assert item.archived is True
    assert students_work() == work
    assert Response.objects.filter(item=item).exists()
    # Archived: out of new attempts, still in the old ones.
    assert item not in Item.objects.for_unit(item.unit)
    assert_pages_still_work(answered)


def test_removing_a_unit_with_answers_is_refused_then_archived_with_force(answered, tmp_path):
    data = read_course_file(MINI_COURSE)
    smaller = without_unit(data, "phase-one")
    before = snapshot()

    with pytest.raises(CommandError) as refused:
        load_course(tmp_path, smaller)
    message = str(refused.value)
    assert "--force" in message and ("phase-one" in message or "phase-q1" in message)
    assert changed_tables(before, snapshot()) == []

    work = students_work()
    load_course(tmp_path, smaller, force=True)
    unit = Unit.objects.get(slug="phase-one")
    assert unit.archived is True
    assert Item.objects.get(key="phase-q1").archived is True
    assert students_work() == work
    assert unit not in Unit.objects.current()
    assert_pages_still_work(answered)


def test_a_unit_with_reading_progress_only_is_refused_by_name(mini_course, student, tmp_path):
    ReadingProgress.objects.create(user=student, unit=Unit.objects.get(slug="phase-one"))
    with pytest.raises(CommandError) as refused:
        load_course(tmp_path, without_unit(read_course_file(MINI_COURSE), "phase-one"))
    assert "Unit “phase-one”" in str(refused.value) and "--force" in str(refused.value)
    assert Unit.objects.get(slug="phase-one").archived is False


def test_unanswered_content_is_simply_removed(mini_course, tmp_path):
    load_course(tmp_path, without_unit(read_course_file(MINI_COURSE), "phase-one"))
    assert not Unit.objects.filter(slug="phase-one").exists()
    assert not Item.objects.filter(key="phase-q1").exists()
    assert not Passage.objects.filter(unit__slug="phase-one").exists()


def assert_pages_still_work(world) -> None:
    """After archiving: the student's attempts and home, the instructor's class pages."""
    student = Client(HTTP_ACCEPT_LANGUAGE="en")
    student.force_login(world.student)
    for attempt in Attempt.objects.filter(student=world.student):
        assert student.get(attempt.get_absolute_url()).status_code == 200
    assert student.get(reverse("classroom:home")).status_code == 200
    assert student.get(reverse("courseware:course")).status_code == 200
    assert student.get(reverse("courseware:unit", args=["phase-one"])).status_code in (200, 404)
    instructor = Client(HTTP_ACCEPT_LANGUAGE="en")
    instructor.force_login(world.instructor)
    class_id = world.school_class.pk
    for name in ("class_detail", "progress", "tag_mastery", "gradebook_csv", "responses_csv"):
        assert instructor.get(reverse(f"classroom:{name}", args=[class_id])).status_code == 200
    for slug in ("introduction", "phase-one"):
        url = reverse("classroom:item_analysis", args=[class_id, slug])
        assert instructor.get(url).status_code in (200, 404)
    url = reverse("classroom:student_detail", args=[class_id, world.student.pk])
    assert instructor.get(url).status_code == 200
