"""The security suite's world: two classes, five roles, attempts and answers on both sides.

Every test that needs "someone else's object" finds it here: the other class, its student's
attempt, the other instructor's assignment. Built with the services the app itself uses.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone, translation
from django.utils.html import escape

from classroom.models import INSTRUCTORS_GROUP, Assignment, Enrollment, SchoolClass
from courseware.models import ReadingProgress, Unit
from quizzes import services
from quizzes.models import Attempt, Item
from quizzes.samples import right_answer, wrong_answer
from review.models import Card, SavedWord
from review.services import do_save_word

# Hypothesis caches Unicode tables and constants on disk: keep them out of the working tree.
os.environ.setdefault(
    "HYPOTHESIS_STORAGE_DIRECTORY", str(Path(tempfile.gettempdir()) / "vnbop-hypothesis")
)

PASSWORD = "pw-Student-123"


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


ROLES = ("anonymous", "student", "other_student", "instructor", "other_instructor")
ROLE_TITLES = {
    "anonymous": "anonymous",
    "student": "student",
    "other_student": "other class's student",
    "instructor": "instructor",
    "other_instructor": "other instructor",
}


@dataclass
class World:
    student: object
    other_student: object
    instructor: object
    other_instructor: object
    staff: object
    school_class: SchoolClass
    other_class: SchoolClass
    unit: Unit
    other_unit: Unit
    assignment: Assignment
    other_assignment: Assignment
    attempt: Attempt
    # An item of ``attempt`` that is still unanswered: answering it is a legitimate post.
    item: Item
    other_attempt: Attempt
    # A word the student saved, and one of its review cards.
    saved_word: SavedWord
    card: Card
    other_saved_word: SavedWord

    def user(self, role: str):
        return None if role == "anonymous" else getattr(self, role)

    def client_for(self, role: str, **kwargs) -> Client:
        client = Client(**kwargs)
        user = self.user(role)
        if user is not None:
            client.force_login(user)
        return client


def make_user(username: str, *, instructor: bool = False, **extra):
    user = get_user_model().objects.create_user(username, password=PASSWORD, **extra)
    if instructor:
        user.groups.add(Group.objects.get_or_create(name=INSTRUCTORS_GROUP)[0])
    return user


def build_world(student) -> World:
    """Needs the mini course loaded. ``student`` is the project-wide ``student`` fixture."""
    intro = Unit.objects.get(slug="introduction")
    phase_one = Unit.objects.get(slug="phase-one")
    instructor = make_user("teacher", instructor=True, first_name="王老師")
    other_instructor = make_user("teacher2", instructor=True, first_name="李老師")
    other_student = make_user("outsider", first_name="Outsider")
    staff = make_user("admin", is_staff=True, is_superuser=True)

    school_class = SchoolClass.objects.create(instructor=instructor, name="A 班", term="2026")
    other_class = SchoolClass.objects.create(instructor=other_instructor, name="B", term="2026")
    Enrollment.objects.create(school_class=school_class, student=student)
    Enrollment.objects.create(school_class=other_class, student=other_student)
    due = timezone.now() + timedelta(days=7)
    assignment = Assignment.objects.create(school_class=school_class, unit=intro, due_at=due)
    Assignment.objects.create(school_class=school_class, unit=phase_one, due_at=due)
    other_assignment = Assignment.objects.create(school_class=other_class, unit=intro, due_at=due)

    attempts = {}
    for user in (student, other_student):
        ReadingProgress.objects.create(user=user, unit=intro, read_at=timezone.now())
        attempt = services.start_or_resume_attempt(user, intro)
        first = Item.objects.prefetch_related("choices").get(pk=attempt.item_ids[0])
        services.record_answer(attempt=attempt, item=first, answer=right_answer(first))
        attempts[user.pk] = attempt
    attempt = attempts[student.pk]
    saved_word, _ = do_save_word(student=student, headword="越南", passage=intro.passages.first())
    other_saved_word, _ = do_save_word(
        student=other_student, headword="越南", passage=intro.passages.first()
    )
    return World(
        student=student,
        other_student=other_student,
        instructor=instructor,
        other_instructor=other_instructor,
        staff=staff,
        school_class=school_class,
        other_class=other_class,
        unit=intro,
        other_unit=phase_one,
        assignment=assignment,
        other_assignment=other_assignment,
        attempt=attempt,
        item=Item.objects.get(pk=attempt.item_ids[1]),
        other_attempt=attempts[other_student.pk],
        saved_word=saved_word,
        card=saved_word.cards.first(),
        other_saved_word=other_saved_word,
    )


def record_work(units, students):
    """Each student reads every unit and answers every item of it through the quiz services:
    the first student right (attempt finished), the others wrong, the last one half-way."""
    for number, student in enumerate(students):
        for unit in units:
            ReadingProgress.objects.get_or_create(user=student, unit=unit)
            attempt = services.start_or_resume_attempt(student, unit)
            item_ids = attempt.item_ids if number < len(students) - 1 else attempt.item_ids[:1]
            for item_id in item_ids:
                item = Item.objects.prefetch_related("choices").get(pk=item_id)
                answer = right_answer(item) if number == 0 else wrong_answer(item)
                services.record_answer(attempt=attempt, item=item, answer=answer)


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    """tests/conftest.py sets FAST_PASSWORD_HASHER after pytest-django has read the settings,
    so PBKDF2 is still on; the suite creates many users, so switch here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(mini_course, student) -> World:
    return build_world(student)


def project_models():
    """Every table of the project and of the packages it installs, many-to-many included."""
    return [model for model in apps.get_models(include_auto_created=True) if not model._meta.proxy]


def snapshot(exclude: dict | None = None, ignore: dict | None = None) -> dict[str, list[dict]]:
    """Every row of every table, except the rows ``exclude`` ({model: Q}) allows to change.

    Rows that the exclusion filters match are left out before and after, so a legitimate
    change to them (or a new row among them) does not count; anything else does. ``ignore``
    ({model: {field names}}) leaves out columns that change as a side effect (last_login).
    """
    exclude, ignore = exclude or {}, ignore or {}
    state = {}
    # modeltranslation rewrites values() for the active language: fix it for a fair compare.
    with translation.override("en"):
        for model in project_models():
            state[model._meta.label] = _rows(model, exclude.get(model), ignore.get(model, ()))
    return state


def _rows(model, excluded, ignored) -> list[dict]:
    rows = model._default_manager.all()
    if excluded is not None:
        rows = rows.exclude(excluded)
    values = list(rows.order_by("pk").values())
    for name in ignored:
        for row in values:
            row.pop(name, None)
    return values


def changed_tables(before: dict, after: dict) -> list[str]:
    return [label for label in before if before[label] != after[label]]


HTML_LANG = {"zh-hant": 'lang="zh-Hant"', "zh-hans": 'lang="zh-Hans"', "en": 'lang="en"'}
ACCEPT = {"zh-hant": "zh-TW,zh;q=0.9", "zh-hans": "zh-CN,zh;q=0.9", "en": "en-US,en;q=0.9"}


def translated(msgid: str, language: str) -> str | None:
    """The message in ``language``; None while the catalogue has no translation for it."""
    with translation.override(language):
        text = translation.gettext(msgid)
    if language != "en" and text == msgid:
        return None
    return text


def assert_in_language(html: str, language: str, msgids=()) -> None:
    """The page is in ``language``: its html lang, and each message once it is translated.

    The Chinese catalogue is being written alongside this suite: a message without a
    translation yet is only checked through the lang attribute.
    """
    assert f"<html {HTML_LANG[language]}>" in html
    for msgid in msgids:
        text = translated(msgid, language)
        if text is not None:
            assert escape(text) in html, f"{msgid!r} is not on the page in {language}"
