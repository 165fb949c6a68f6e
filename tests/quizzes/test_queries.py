"""Query counts of the quiz page, the summary and the answer post do not grow with the items."""

import pytest
from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.urls import reverse

from courseware.caching import content_cache
from courseware.layout import LAYOUT_CACHE
from courseware.models import Unit
from quizzes import services
from quizzes.models import Item
from quizzes.panels import unit_panel_context
from quizzes.presentation import form_fields
from quizzes.samples import right_answer
from quizzes.selectors import item_of_attempt

from .conftest import answer_url, item, load_course_with_items, post_answer

pytestmark = pytest.mark.django_db

# Sessions kept in the database cost a query; with CACHE_URL (Redis) they live in the cache.
SESSION_QUERIES = 1 if settings.SESSION_ENGINE == "django.contrib.sessions.backends.db" else 0
# Session and user, the attempt, the items with their choices, passages and footnotes, the
# responses.
QUIZ_PAGE_QUERIES = 7 + SESSION_QUERIES
# …and, once finished, the count of missed items for "practise my mistakes".
SUMMARY_QUERIES = 8 + SESSION_QUERIES
# Session and user, the attempt with its unit and course, then record_answer: on PostgreSQL
# one statement (lock the open attempt, insert, add to its totals); on SQLite the insert and
# the attempt update (RETURNING its totals), in a savepoint under the test's transaction.
ANSWER_QUERIES = (3 if connection.vendor == "postgresql" else 6) + SESSION_QUERIES
# The first answer to an item since the content changed also reads the item, its choices
# and its cited passages and footnotes; later answers find them in the cache.
ITEM_QUERIES = 4


def attempt_over(student, count):
    load_course_with_items(count)
    unit = Unit.objects.get(slug="introduction")
    for attempt in services.Attempt.objects.for_student(student).open():
        services.finish_attempt(attempt=attempt)
    attempt = services.start_or_resume_attempt(student, unit)
    assert attempt.item_count == count
    return attempt


def test_quiz_page_queries_do_not_grow_with_items(
    student_client, student, django_assert_num_queries
):
    small = attempt_over(student, 5)
    post_answer(student_client, small, item("intro-gen-1"), right_answer(item("intro-gen-1")))
    with django_assert_num_queries(QUIZ_PAGE_QUERIES):
        student_client.get(small.get_absolute_url())
    large = attempt_over(student, 20)
    post_answer(student_client, large, item("intro-gen-1"), right_answer(item("intro-gen-1")))
    with django_assert_num_queries(QUIZ_PAGE_QUERIES):
        response = student_client.get(large.get_absolute_url())
    assert response.content.decode().count("<fieldset") == 19


def test_quiz_fragment_queries_do_not_grow_with_items(
    student_client, student, django_assert_num_queries
):
    small = attempt_over(student, 5)
    with django_assert_num_queries(QUIZ_PAGE_QUERIES):
        student_client.get(small.get_absolute_url(), HTTP_HX_REQUEST="true")
    large = attempt_over(student, 20)
    with django_assert_num_queries(QUIZ_PAGE_QUERIES):
        student_client.get(large.get_absolute_url(), HTTP_HX_REQUEST="true")


def test_summary_queries_do_not_grow_with_items(student_client, student, django_assert_num_queries):
    for count in (5, 20):
        attempt = attempt_over(student, count)
        for pk in attempt.item_ids[:3]:
            it = Item.objects.prefetch_related("choices").get(pk=pk)
            services.record_answer(attempt=attempt, item=it, answer=["b"])
        services.finish_attempt(attempt=attempt)
        with django_assert_num_queries(SUMMARY_QUERIES):
            response = student_client.get(attempt.get_absolute_url())
        assert response.content.decode().count('<tr id="summary-item-') == count


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
def test_answer_queries_do_not_grow_with_items(
    student_client, student, django_assert_num_queries, htmx
):
    # The plain post renders the whole page: the page's item queries come on top.
    expected = ANSWER_QUERIES if htmx else ANSWER_QUERIES + 5
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    for count in (5, 20):
        attempt = attempt_over(student, count)
        q2, q3 = item("intro-gen-2"), item("intro-gen-3")
        posts = [
            (answer_url(attempt, q), form_fields(attempt, q, answer))
            for q, answer in [(q2, ["a", "b", "c"]), (q3, right_answer(q3))]
        ]
        # Loading the course started a new content version: nothing of it is cached yet.
        with django_assert_num_queries(expected + ITEM_QUERIES):
            response = student_client.post(*posts[0], **headers)
        assert response.status_code == 200
        assert "quiz-feedback" in response.content.decode()
        item_of_attempt(attempt, q3.pk)  # as another student's answer to it would
        with django_assert_num_queries(expected):
            response = student_client.post(*posts[1], **headers)
        assert "quiz-feedback" in response.content.decode()


def test_the_unit_panel_costs_students_two_queries_once_the_item_count_is_cached(
    rf, student, django_assert_num_queries
):
    from django.contrib.auth.models import AnonymousUser

    for count in (5, 20):
        attempt = attempt_over(student, count)
        services.finish_attempt(attempt=attempt)
        unit = Unit.objects.select_related("course").get(pk=attempt.unit_id)
        request = rf.get("/")
        request.user = student
        # The rules that apply (graded or practice), then the student's attempts.
        with django_assert_num_queries(3):
            context = unit_panel_context(request, unit)
        assert context["item_count"] == count
        with django_assert_num_queries(2):
            assert unit_panel_context(request, unit)["item_count"] == count
        request.user = AnonymousUser()
        with django_assert_num_queries(0):
            assert unit_panel_context(request, unit)["item_count"] == count


def nothing_cached():
    """The course content and the signed-in unit page's layout (courseware.layout) both go."""
    content_cache().clear()
    caches[LAYOUT_CACHE].clear()


def test_unit_page_with_the_panel_does_not_grow_with_items(
    student, django_assert_max_num_queries, django_assert_num_queries
):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(student)
    url = reverse("courseware:unit", kwargs={"slug": "introduction"})
    load_course_with_items(5)
    client.get(url)  # the first visit records reading progress
    nothing_cached()
    with django_assert_max_num_queries(20) as small:
        client.get(url)
    load_course_with_items(20)
    nothing_cached()
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(url)
    assert "The quiz on this unit has 20 questions." in response.content.decode()


def graded_attempt_over(student, count):
    """A graded attempt (under a policy) on a bank of ``count`` items."""
    from quizzes.models import QuizPolicy
    from quizzes.policies import AssignedPolicy

    load_course_with_items(count)
    unit = Unit.objects.get(slug="introduction")
    for open_attempt in services.Attempt.objects.for_student(student).open():
        services.finish_attempt(attempt=open_attempt)
    policy = QuizPolicy.objects.create(attempts_allowed=10)
    return services.start_or_resume_attempt(student, unit, assigned=AssignedPolicy(policy))


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
def test_graded_attempt_page_and_answer_do_not_grow_with_the_bank(
    student_client, student, django_assert_num_queries, htmx
):
    """The policy comes with the attempt (no query of its own): a graded attempt costs what a
    practice one does, whatever the size of the bank."""
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    answer_queries = ANSWER_QUERIES if htmx else ANSWER_QUERIES + 5
    for count in (6, 24):
        attempt = graded_attempt_over(student, count)
        assert attempt.policy_id is not None and attempt.item_count < count
        with django_assert_num_queries(QUIZ_PAGE_QUERIES):
            student_client.get(attempt.get_absolute_url(), **headers)
        first, second = (item_by_pk(pk) for pk in attempt.item_ids[:2])
        item_of_attempt(attempt, first.pk)
        item_of_attempt(attempt, second.pk)
        post_answer(student_client, attempt, first, right_answer(first), htmx=htmx)
        with django_assert_num_queries(answer_queries):
            response = student_client.post(
                answer_url(attempt, second),
                form_fields(attempt, second, right_answer(second)),
                **headers,
            )
        assert "quiz-feedback" in response.content.decode()


def item_by_pk(pk):
    return Item.objects.prefetch_related("choices", "passages__unit").get(pk=pk)
