"""Retakes are not the same quiz (issue #14): each graded attempt covers every tag of the
unit and repeats as little of the previous attempt as the bank allows."""

import random
from collections import defaultdict

import pytest

from courseware.models import Unit
from quizzes import services
from quizzes.drawing import draw_items, quiz_length
from quizzes.models import Item, QuizPolicy
from quizzes.policies import AssignedPolicy

DRAWS = 200


def bank_of(unit) -> list[tuple[int, set[int]]]:
    tags = defaultdict(set)
    for item in Item.objects.for_unit(unit).prefetch_related("tags"):
        tags[item.pk] = {tag.pk for tag in item.tags.all()}
    return list(tags.items())


def tags_of(bank, item_ids) -> set[int]:
    by_id = dict(bank)
    return set().union(*(by_id[item_id] for item_id in item_ids))


def check_draws(bank, rng) -> None:
    every_tag = tags_of(bank, [item_id for item_id, _tags in bank])
    previous: list[int] = []
    for _draw in range(DRAWS):
        drawn = draw_items(bank, previous=previous, rng=rng)
        assert len(drawn) == len(set(drawn)) >= quiz_length(len(bank))
        assert tags_of(bank, drawn) == every_tag
        if previous:
            assert len(set(drawn) & set(previous)) <= len(drawn) / 2
        previous = drawn


def test_a_draw_covers_every_tag_and_repeats_at_most_half_on_a_fixture():
    # Nine items, four tags, each tag on at least two items: a quiz of six.
    bank = [
        (1, {10}),
        (2, {10, 11}),
        (3, {11}),
        (4, {12}),
        (5, {12, 13}),
        (6, {13}),
        (7, {10}),
        (8, {11, 12}),
        (9, {13}),
    ]
    assert quiz_length(len(bank)) == 6
    check_draws(bank, random.Random(1))


def test_a_tag_on_one_item_only_is_asked_every_time():
    bank = [(1, {10}), (2, {11}), (3, {11}), (4, {11}), (5, {11}), (6, {11})]
    rng = random.Random(2)
    previous: list[int] = []
    for _draw in range(50):
        previous = draw_items(bank, previous=previous, rng=rng)
        assert 1 in previous


def test_a_cover_longer_than_the_quiz_makes_the_quiz_longer():
    bank = [(n, {n}) for n in range(1, 7)]  # six tags, one item each
    assert draw_items(bank, rng=random.Random(3)) == [1, 2, 3, 4, 5, 6]


def test_draws_come_in_the_banks_order_and_vary():
    bank = [(n, {1}) for n in range(1, 10)]
    draws = {tuple(draw_items(bank, rng=random.Random(seed))) for seed in range(20)}
    assert len(draws) > 1
    assert all(list(draw) == sorted(draw) for draw in draws)


@pytest.mark.django_db
def test_every_unit_of_the_real_bank_covers_every_tag_and_renews_half(full_course):
    units = [unit for unit in Unit.objects.current() if Item.objects.for_unit(unit).exists()]
    assert units
    for unit in units:
        bank = bank_of(unit)
        check_draws(bank, random.Random(unit.slug))


@pytest.mark.django_db
def test_a_graded_retake_draws_through_the_service(full_course, student):
    unit = Unit.objects.get(slug="introduction")
    assigned = AssignedPolicy(policy=QuizPolicy.objects.create(attempts_allowed=10))
    bank = bank_of(unit)
    first = services.start_or_resume_attempt(student, unit, assigned=assigned)
    services.finish_attempt(attempt=first)
    second = services.start_or_resume_attempt(student, unit, assigned=assigned)
    for attempt in (first, second):
        assert attempt.item_count == len(attempt.item_ids) < len(bank)
        assert tags_of(bank, attempt.item_ids) == tags_of(bank, [pk for pk, _tags in bank])
    assert len(set(first.item_ids) & set(second.item_ids)) <= len(second.item_ids) / 2
    # Practice keeps asking the whole bank.
    services.finish_attempt(attempt=second)
    practice = services.start_or_resume_attempt(student, unit)
    assert practice.item_count == len(bank)
