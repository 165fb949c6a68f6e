"""Exactly once under load: many students answer every item of a unit at the same moment,
some of them twice (a double click, a second tab), through the real view.

Each simulated student is a thread with its own ``django.test.Client`` and its own database
connection. Afterwards every answer must be stored exactly once, every attempt's score must
equal the sum of its responses, and no request may have failed.

The same load runs a second time through two real app servers (gunicorn, production
settings) over the same database and Redis, each tab sending its posts to both servers in
turn, as a load balancer spreads them: a double submission then races between processes of
different servers (tests/app_servers).

PostgreSQL only: SQLite serialises writers, which would hide the races; the two servers
need Redis too. 40 students by default so that CI stays fast; ``BENCH_FULL=1`` runs 200.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/vnbop pytest tests/concurrency
    DATABASE_URL=postgres://… CACHE_URL=redis://… pytest tests/concurrency -m app_servers
"""

import os
import random
import threading

import pytest
from django.conf import settings
from django.db import connection
from django.db.models import Count, Sum
from django.test import Client
from django.urls import reverse

from courseware.models import Unit
from quizzes import services
from quizzes.grading import grade_answer
from quizzes.models import Attempt, Item, Response
from quizzes.presentation import form_fields
from quizzes.samples import likely_answer
from tests.app_servers.servers import Visitor

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]

STUDENTS = 200 if os.environ.get("BENCH_FULL") == "1" else 40
# Every fourth student submits everything twice, from two tabs at once.
DOUBLE_EVERY = 4
# Requests in flight (and connections open) at once: the test database shares PostgreSQL's
# default max_connections of 100 with everything else on the machine.
IN_FLIGHT = 40


@pytest.fixture(autouse=True)
def postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: set DATABASE_URL=postgres://…")


def in_this_process(student, _n):
    """A tab as Django's test client: the view runs in the tab's own thread."""
    client = Client(raise_request_exception=False)
    client.force_login(student)

    def post(_index, url, data):
        response = client.post(url, data, HTTP_HX_REQUEST="true")
        return response.status_code, response.content.decode()

    return post


def through_two_app_servers(servers):
    """A tab as a browser behind the load balancer: its session (created here, in Redis)
    and its posts alternating between the two servers, the double tab starting on the
    other one."""

    def open_tab(student, n):
        client = Client()
        client.force_login(student)
        visitor = Visitor(f"198.51.100.{n % 250 + 1}", csrf_cookie=True)
        visitor.cookies["sessionid"] = client.cookies[settings.SESSION_COOKIE_NAME].value
        order = [servers.first, servers.second] if n % 2 == 0 else [servers.second, servers.first]

        def post(index, url, data):
            response = visitor.post(order[index % 2], url, data, **{"HX-Request": "true"})
            return response.status_code, response.text

        return post

    return open_tab


@pytest.fixture(
    params=[
        pytest.param("one process", id="one-process"),
        pytest.param("two app servers", id="two-app-servers", marks=pytest.mark.app_servers),
    ]
)
def open_tab(request):
    if request.param == "one process":
        return in_this_process
    return through_two_app_servers(request.getfixturevalue("two_app_servers"))


def test_every_answer_is_stored_exactly_once_under_load(mini_course, django_user_model, open_tab):
    rng = random.Random(6)
    unit = Unit.objects.get(slug="introduction")
    items = list(Item.objects.for_unit(unit).prefetch_related("choices"))
    django_user_model.objects.bulk_create(
        django_user_model(username=f"load{n:03d}", password="!") for n in range(STUDENTS)
    )
    students = list(django_user_model.objects.filter(username__startswith="load"))
    attempts = {s.pk: services.start_or_resume_attempt(s, unit) for s in students}

    # One tab per student, two for every fourth: each tab posts every item, in its own order.
    tabs, sent = [], {}
    for n, student in enumerate(students):
        attempt = attempts[student.pk]
        for tab in range(2 if n % DOUBLE_EVERY == 0 else 1):
            posts = []
            for item in items:
                answer = likely_answer(item, right=rng.random() < 0.6, rng=rng)
                sent.setdefault((attempt.pk, item.pk), []).append(answer)
                url = reverse(
                    "quizzes:answer", kwargs={"attempt_id": attempt.pk, "item_id": item.pk}
                )
                posts.append((url, form_fields(attempt, item, answer)))
            rng.shuffle(posts)
            tabs.append((open_tab(student, n + tab), posts))

    start = threading.Barrier(len(tabs))
    slots = threading.BoundedSemaphore(IN_FLIGHT)
    outcomes, lock = [], threading.Lock()

    def run_tab(post, posts):
        try:
            start.wait(timeout=60)
            for index, (url, data) in enumerate(posts):
                with slots:
                    try:
                        outcome = (url, *post(index, url, data))
                    except Exception as exc:  # noqa: BLE001 - any failure is a failed request
                        outcome = (url, 599, repr(exc))
                    finally:
                        connection.close()
                with lock:
                    outcomes.append(outcome)
        finally:
            connection.close()

    threads = [threading.Thread(target=run_tab, args=tab) for tab in tabs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    assert not any(thread.is_alive() for thread in threads)

    # No request failed, and every one showed the item's feedback (the winner's, on a race).
    failed = [(url, status) for url, status, _body in outcomes if status != 200]
    assert failed == []
    assert len(outcomes) == sum(len(posts) for _post, posts in tabs)
    errors = [url for url, _status, body in outcomes if "quiz-error" in body]
    assert errors == []
    assert all("quiz-feedback" in body for _url, _status, body in outcomes)

    # Every answer stored exactly once: one response per (attempt, item), and it is one of
    # the answers that was sent, graded as the grader grades it.
    responses = list(Response.objects.filter(attempt__in=attempts.values()))
    assert len(responses) == len(students) * len(items)
    assert len({(r.attempt_id, r.item_id) for r in responses}) == len(responses)
    by_pk = {item.pk: item for item in items}
    for response in responses:
        assert response.answer in sent[(response.attempt_id, response.item_id)]
        item = by_pk[response.item_id]
        grade = grade_answer(item.kind, item.choices.all(), response.answer)
        assert response.score == pytest.approx(grade.score)
        assert response.is_correct == grade.is_correct

    # Every attempt's score is the sum of its responses, and every attempt finished.
    rows = Attempt.objects.filter(pk__in=[a.pk for a in attempts.values()]).annotate(
        total=Sum("responses__score"), count=Count("responses")
    )
    for attempt in rows:
        assert attempt.answered_count == attempt.count == len(items)
        assert attempt.points == pytest.approx(attempt.total)
        assert attempt.is_finished
