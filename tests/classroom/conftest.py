"""Factories for the classroom tests: instructors, classes, assignments, attempts."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone, translation

from classroom.models import INSTRUCTORS_GROUP, Assignment, Enrollment, SchoolClass
from courseware.models import Course, ReadingProgress, Unit
from quizzes.models import Attempt, Choice, Item, Response, Tag

PASSWORD = "pw-Student-123"


def make_user(django_user_model, username, *, name="", instructor=False):
    user = django_user_model.objects.create_user(username, password=PASSWORD, first_name=name)
    if instructor:
        user.groups.add(Group.objects.get_or_create(name=INSTRUCTORS_GROUP)[0])
    return user


def make_class(instructor, name="Class A", term="2026 Spring"):
    return SchoolClass.objects.create(instructor=instructor, name=name, term=term)


def enroll(school_class, *students):
    for student in students:
        Enrollment.objects.create(school_class=school_class, student=student)


def assign(school_class, unit, *, due_in_days=7, visible_from=None, note=""):
    return Assignment.objects.create(
        school_class=school_class,
        unit=unit,
        due_at=timezone.now() + timedelta(days=due_in_days),
        visible_from=visible_from,
        note=note,
    )


def read(student, unit, *, done=True):
    return ReadingProgress.objects.create(
        user=student, unit=unit, read_at=timezone.now() if done else None
    )


def make_attempt(
    student,
    unit,
    scores,
    *,
    answers=None,
    finished=True,
    practice=False,
    started_at=None,
    item_count=None,
):
    """An attempt over the unit's items with the given item scores (None: unanswered).

    Attempt.points is the sum of the scores, as the quiz services keep it.
    """
    items = list(Item.objects.for_unit(unit))
    started_at = started_at or timezone.now() - timedelta(hours=1)
    attempt = Attempt.objects.create(
        student=student,
        unit=unit,
        is_practice=practice,
        item_ids=[item.pk for item in items],
        item_count=len(items) if item_count is None else item_count,
        answered_count=sum(1 for score in scores if score is not None),
        points=sum(score for score in scores if score is not None),
        started_at=started_at,
        finished_at=started_at + timedelta(minutes=10) if finished else None,
    )
    for index, (item, score) in enumerate(zip(items, scores, strict=False)):
        if score is None:
            continue
        answer = answers[index] if answers else ["a"]
        Response.objects.create(
            attempt=attempt,
            item=item,
            answer=answer,
            score=score,
            is_correct=score >= 1,
            answered_at=started_at + timedelta(minutes=index + 1),
        )
    return attempt


def build_course(units=2, items_per_unit=3, slug="built"):
    """A course made in code, for tests that need many units: single-choice items a/b/c,
    "a" correct."""
    course = Course.objects.create(slug=slug, title=f"Course {slug}")
    shared = Tag.objects.create(key=f"{slug}-phase", group=Tag.Group.PHASE, label="Phase")
    made = []
    for number in range(1, units + 1):
        unit = Unit.objects.create(
            course=course,
            slug=f"{slug}-unit-{number}",
            order=number,
            kind=Unit.Kind.SECTION,
            label=str(number),
            title=f"Unit {number}",
            summary="Summary",
            objectives="Objective",
        )
        own = Tag.objects.create(
            key=f"{slug}-concept-{number}", group=Tag.Group.CONCEPT, label=f"Concept {number}"
        )
        for item_number in range(1, items_per_unit + 1):
            item = Item.objects.create(
                unit=unit,
                key=f"{slug}-u{number}-q{item_number}",
                order=item_number,
                kind=Item.Kind.SINGLE,
                stem=f"Question {item_number}",
                explanation="Because.",
            )
            item.tags.set([shared, own])
            for order, key in enumerate("abc"):
                Choice.objects.create(
                    item=item, key=key, order=order, text=f"Choice {key}", is_correct=key == "a"
                )
        made.append(unit)
    return made


@pytest.fixture(autouse=True)
def in_english():
    """Code outside requests (labels, reasons) in English too."""
    with translation.override("en"):
        yield


@pytest.fixture
def client():
    """Pages in English, so that the assertions hold once the Chinese catalogue exists."""
    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def instructor(django_user_model):
    return make_user(django_user_model, "teacher", name="王老師", instructor=True)


@pytest.fixture
def other_instructor(django_user_model):
    return make_user(django_user_model, "teacher2", name="李老師", instructor=True)


@pytest.fixture
def units(mini_course):
    return list(Unit.objects.in_reading_order())


@pytest.fixture
def school_class(instructor, units, student):
    school_class = make_class(instructor, name="越南外交 A 班")
    enroll(school_class, student)
    for unit in units:
        assign(school_class, unit)
    return school_class


@pytest.fixture
def other_class(other_instructor, units, django_user_model):
    other_class = make_class(other_instructor, name="Other class", term="2026")
    outsider = make_user(django_user_model, "outsider", name="Outsider")
    enroll(other_class, outsider)
    return other_class


@pytest.fixture
def outsider(other_class, django_user_model):
    return django_user_model.objects.get(username="outsider")


@pytest.fixture
def instructor_client(client, instructor):
    client.force_login(instructor)
    return client


def populated_class(django_user_model, instructor, *, students, units, items=3, slug="big"):
    """A class of `students` students, `units` assigned units, each student with reading,
    two finished attempts and an open one on every unit: for query-count tests."""
    course_units = build_course(units=units, items_per_unit=items, slug=slug)
    school_class = make_class(instructor, name=f"Class {slug}")
    users = django_user_model.objects.bulk_create(
        [
            django_user_model(username=f"{slug}-s{n:03d}", first_name=f"學生{n}")
            for n in range(students)
        ]
    )
    enroll(school_class, *users)
    for number, unit in enumerate(course_units):
        assign(school_class, unit, due_in_days=number - 1)
        for user in users:
            read(user, unit, done=number % 2 == 0)
            make_attempt(user, unit, [1, 0, 1][:items] + [0] * (items - 3))
            make_attempt(user, unit, [1] * items)
            make_attempt(user, unit, [1] + [None] * (items - 1), finished=False)
    return school_class, course_units
