"""Quiz test helpers: the mini course's units and items, answers as a browser posts them
(made up by ``quizzes.samples``, posted as ``quizzes.presentation.form_fields``)."""

import copy

import pytest
from django.urls import reverse

from courseware.course_file import load, read_course_file
from courseware.models import Unit
from quizzes import services
from quizzes.models import Item
from quizzes.presentation import form_fields
from tests.conftest import MINI_COURSE


@pytest.fixture
def intro(mini_course):
    """The unit with one item of each kind: single, multiple, true/false, ordering, matching."""
    return Unit.objects.get(slug="introduction")


@pytest.fixture
def phase_one(mini_course):
    return Unit.objects.get(slug="phase-one")


@pytest.fixture
def attempt(student, intro):
    return services.start_or_resume_attempt(student, intro)


@pytest.fixture
def other_student(django_user_model):
    return django_user_model.objects.create_user("other", password="pw-Other-123")


def load_course_with_items(count: int) -> None:
    """The mini course with ``count`` items in "introduction" (the five kinds, repeated)."""
    data = read_course_file(MINI_COURSE)
    intro_items = [item for item in data["items"] if item["unit"] == "introduction"]
    others = [item for item in data["items"] if item["unit"] != "introduction"]
    items = []
    for n in range(count):
        item = copy.deepcopy(intro_items[n % len(intro_items)])
        item["key"] = f"intro-gen-{n + 1}"
        items.append(item)
    data["items"] = items + others
    load(data)


def item(key: str) -> Item:
    return Item.objects.prefetch_related("choices", "passages__unit").get(key=key)


def answer_url(attempt, item: Item) -> str:
    return reverse("quizzes:answer", kwargs={"attempt_id": attempt.pk, "item_id": item.pk})


def post_answer(client, attempt, item: Item, answer, htmx=True, **extra):
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return client.post(
        answer_url(attempt, item), form_fields(attempt, item, answer), **headers, **extra
    )
