"""The content cache hands out the objects it keeps (courseware.caching.SharedObjectsCache):
fast, and safe only while no request changes what it gets. These tests hold both halves."""

import pickle
import time

import pytest
from django.core.cache import caches
from django.urls import reverse

from courseware.caching import CONTENT_CACHE, SharedObjectsCache
from courseware.models import Unit
from quizzes import services
from quizzes.models import Item
from quizzes.samples import right_answer
from tests.quizzes.conftest import post_answer


@pytest.fixture
def shared():
    cache = SharedObjectsCache("test-shared-objects", {"OPTIONS": {"MAX_ENTRIES": 3}})
    cache.clear()
    return cache


def test_a_kept_value_comes_back_as_the_same_object(shared):
    value = {"units": [1, 2, 3]}
    shared.set("key", value)
    assert shared.get("key") is value
    assert shared.get_or_set("key", lambda: "other") is value
    assert shared.get("missing", "default") == "default"


def test_add_incr_expiry_and_the_entry_limit_behave_as_in_locmem(shared):
    assert shared.add("count", 1)
    assert not shared.add("count", 5)
    assert shared.incr("count", 2) == 3
    with pytest.raises(ValueError):
        shared.incr("absent")
    shared.set("brief", "gone soon", timeout=0.01)
    time.sleep(0.02)
    assert shared.get("brief") is None
    for number in range(10):
        shared.set(f"entry-{number}", number)
    assert len(shared._cache) <= 3


def test_the_settings_keep_course_content_as_shared_objects():
    assert isinstance(caches[CONTENT_CACHE], SharedObjectsCache)


def _snapshot() -> dict[str, bytes]:
    cache = caches[CONTENT_CACHE]
    return {key: pickle.dumps(value) for key, value in cache._cache.items()}


def test_reading_and_answering_leave_the_cached_content_as_they_found_it(
    mini_course, student, django_user_model, client
):
    """Everything a student's pages take from the content cache (the reading order's units,
    items with their choices, the item count, rendered fragments) is the same afterwards,
    byte for byte: nothing one request does reaches the next through it."""
    other_student = django_user_model.objects.create_user("other", password="pw-Other-123")
    unit = Unit.objects.get(slug="introduction")
    pages = [reverse("courseware:unit", args=[unit.slug]), reverse("courseware:course")]

    def read_and_answer(who):
        client.force_login(who)
        attempt = services.start_or_resume_attempt(who, unit)
        for language in ("en", "zh-hant", "zh-hans"):
            for path in pages:
                response = client.get(path, HTTP_ACCEPT_LANGUAGE=language)
                assert response.status_code == 200
        for item in Item.objects.filter(pk__in=attempt.item_ids):
            response = post_answer(client, attempt, item, right_answer(item))
            assert response.status_code == 200

    read_and_answer(student)  # every value these pages cache is now in the cache
    before = _snapshot()
    assert len(before) >= 10
    read_and_answer(other_student)  # the same pages and items, from the cache
    after = _snapshot()
    assert set(before) <= set(after)
    assert [key for key in before if before[key] != after[key]] == []
