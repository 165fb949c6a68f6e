"""The answer path under concurrency: many students, double submits, racing starts.

PostgreSQL only (SQLite serialises writers, which would hide the races):
DATABASE_URL=postgres://postgres@127.0.0.1:5432/app pytest tests/quizzes -m concurrency
"""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections
from django.db.models import Count, Sum
from django.test import Client

from courseware.models import Unit
from quizzes import services
from quizzes.models import Attempt, Item, Response
from quizzes.presentation import form_fields
from quizzes.samples import right_answer, wrong_answer

from .conftest import item

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: set DATABASE_URL=postgres://…")


def run_together(jobs):
    """Run the callables in threads that start at the same moment; return their results."""
    barrier = threading.Barrier(len(jobs))

    def run(job):
        try:
            barrier.wait(timeout=30)
            return job()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        return list(pool.map(run, jobs))


def answer_job(attempt_id, item_key, answer):
    def job():
        attempt = Attempt.objects.get(pk=attempt_id)
        return services.record_answer(attempt=attempt, item=item(item_key), answer=answer).pk

    return job


def assert_points_match_responses():
    """Every attempt's points and answered count equal the sum and count of its responses."""
    rows = Response.objects.values("attempt").annotate(total=Sum("score"), count=Count("pk"))
    totals = {row["attempt"]: row for row in rows}
    for attempt in Attempt.objects.all():
        row = totals.get(attempt.pk, {"total": 0.0, "count": 0})
        assert attempt.answered_count == row["count"]
        assert attempt.points == pytest.approx(row["total"])


def test_racing_double_submits_store_one_response(student, intro):
    attempt = services.start_or_resume_attempt(student, intro)
    q2 = item("intro-q2")
    answers = [["a", "b"], ["a", "b", "c"], ["d"], ["a"]] * 3
    pks = run_together([answer_job(attempt.pk, q2.key, answer) for answer in answers])
    assert len(set(pks)) == 1
    attempt.refresh_from_db()
    response = Response.objects.get()
    assert attempt.answered_count == 1
    assert attempt.points == pytest.approx(response.score)


def test_concurrent_answers_to_every_item_all_count_and_finish_once(student, intro):
    attempt = services.start_or_resume_attempt(student, intro)
    keys = ["intro-q1", "intro-q2", "intro-q3", "intro-q4", "intro-q5"]
    jobs = [answer_job(attempt.pk, key, right_answer(item(key))) for key in keys] * 3
    run_together(jobs)
    attempt.refresh_from_db()
    assert Response.objects.filter(attempt=attempt).count() == 5
    assert attempt.answered_count == 5
    assert attempt.points == pytest.approx(5)
    assert attempt.is_finished


def test_many_students_answering_at_once_keep_points_equal_to_their_responses(
    intro, django_user_model
):
    students = [
        django_user_model.objects.create_user(f"s{n}", password="pw-Student-123") for n in range(40)
    ]
    attempts = [services.start_or_resume_attempt(student, intro) for student in students]
    keys = list(Item.objects.filter(pk__in=attempts[0].item_ids).values_list("key", flat=True))
    jobs = []
    for n, attempt in enumerate(attempts):
        for m, key in enumerate(keys):
            answer = right_answer(item(key)) if (n + m) % 3 else wrong_answer(item(key))
            jobs.append(answer_job(attempt.pk, key, answer))
            if n % 4 == 0:  # a double click
                jobs.append(answer_job(attempt.pk, key, wrong_answer(item(key))))
    # Waves of 40 concurrent writers.
    for start in range(0, len(jobs), 40):
        run_together(jobs[start : start + 40])
    assert_points_match_responses()
    assert Attempt.objects.finished().count() == 40
    assert Response.objects.count() == 40 * len(keys)


def test_racing_starts_open_one_attempt(student, intro):
    def start():
        return services.start_or_resume_attempt(student, Unit.objects.get(pk=intro.pk)).pk

    pks = run_together([start] * 10)
    assert len(set(pks)) == 1
    assert Attempt.objects.count() == 1


def test_racing_double_posts_through_the_view_store_one_response(student, intro):
    attempt = services.start_or_resume_attempt(student, intro)
    q1 = item("intro-q1")
    data = form_fields(attempt, q1, ["a"])

    def post():
        client = Client()
        client.force_login(student)
        response = client.post(
            f"/quiz/attempts/{attempt.pk}/items/{q1.pk}/", data, HTTP_HX_REQUEST="true"
        )
        return response.status_code, "quiz-feedback" in response.content.decode()

    results = run_together([post] * 8)
    assert results == [(200, True)] * 8
    attempt.refresh_from_db()
    assert Response.objects.count() == 1
    assert attempt.answered_count == 1 and attempt.points == 1


def test_answers_racing_a_hand_in_are_stored_whole_or_not_at_all(student, intro):
    """An answer that loses to the hand-in stores nothing (AttemptFinished); one that wins
    counts in the totals: points equal the responses whatever the order."""
    keys = ["intro-q1", "intro-q2", "intro-q3", "intro-q4", "intro-q5"]
    for _round in range(5):
        Attempt.objects.all().delete()
        attempt = services.start_or_resume_attempt(student, intro)

        def answer(key, attempt_id=attempt.pk):
            def job():
                try:
                    return answer_job(attempt_id, key, right_answer(item(key)))()
                except services.AttemptFinished:
                    return None

            return job

        def hand_in(attempt_id=attempt.pk):
            return services.finish_attempt(attempt=Attempt.objects.get(pk=attempt_id)).pk

        run_together([answer(key) for key in keys[:4]] + [hand_in])
        assert_points_match_responses()
        attempt.refresh_from_db()
        assert attempt.is_finished
