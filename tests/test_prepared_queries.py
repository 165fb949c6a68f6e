"""config.prepared: a QuerySet compiled once per connection gives what the ORM gives, with
each call's own values, and refuses a query that depends on anything but its parameters."""

import gc
import threading
import weakref

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, connections
from django.db.models import Count
from django.db.models.query import ModelIterable
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from config.prepared import PreparedQuery
from courseware.models import ReadingProgress, Unit
from quizzes import services
from quizzes.models import Attempt, Item, Response, attempt_score_expression

pytestmark = pytest.mark.django_db


def attempts_of(student_id, unit_id):
    return (
        Attempt.objects.filter(student_id=student_id, unit_id=unit_id)
        .annotate(score_value=attempt_score_expression())
        .order_by("pk")
        .values_list("pk", "started_at", "finished_at", "score_value")
    )


@pytest.fixture
def two_students_attempts(mini_course, student, django_user_model):
    other = django_user_model.objects.create_user("other", password="pw-Other-123")
    units = list(Unit.objects.order_by("order"))
    for who in (student, other):
        for unit in units:
            services.start_or_resume_attempt(who, unit)
    return student, other, units


def test_rows_equal_the_orms_for_every_set_of_values(two_students_attempts):
    student, other, units = two_students_attempts
    prepared = PreparedQuery(attempts_of)
    for who in (student, other):
        for unit in units:
            expected = list(attempts_of(who.pk, unit.pk))
            assert expected, "each student has an attempt on each unit"
            assert prepared.rows(student_id=who.pk, unit_id=unit.pk) == expected


def test_values_come_back_converted_as_the_orm_converts_them(two_students_attempts):
    student, _other, units = two_students_attempts
    ((_pk, started_at, finished_at, score),) = PreparedQuery(attempts_of).rows(
        student_id=student.pk, unit_id=units[0].pk
    )
    assert started_at.tzinfo is not None  # a datetime on SQLite too, not its text
    assert finished_at is None
    assert score == 0.0


def test_objects_come_with_select_related_rows_and_annotations(two_students_attempts):
    student, _other, units = two_students_attempts
    prepared = PreparedQuery(
        lambda student_id: Attempt.objects.filter(student_id=student_id)
        .select_related("unit__course", "policy")
        .annotate(responses_count=Count("responses"))
        .order_by("pk")
    )
    attempts = prepared.objects(student_id=student.pk)
    assert [attempt.unit.slug for attempt in attempts] == [unit.slug for unit in units]
    with CaptureQueriesContext(connection) as queries:
        assert {attempt.unit.course.slug for attempt in attempts} == {"mini-course"}
        assert [attempt.policy for attempt in attempts] == [None, None]
        assert [attempt.responses_count for attempt in attempts] == [0, 0]
    assert len(queries) == 0
    attempts[0].finished_at = timezone.now()
    attempts[0].save(update_fields=["finished_at"])  # a full instance, bound to its database
    assert Attempt.objects.get(pk=attempts[0].pk).finished_at is not None


def test_one_query_per_call_and_compiled_once(two_students_attempts, monkeypatch):
    student, _other, units = two_students_attempts
    built = []

    def build(student_id, unit_id):
        built.append((student_id, unit_id))
        return attempts_of(student_id, unit_id)

    prepared = PreparedQuery(build)
    with CaptureQueriesContext(connection) as queries:
        for unit in units * 3:
            prepared.rows(student_id=student.pk, unit_id=unit.pk)
    assert len(queries) == 6
    assert len(built) == 2  # two sets of markers, once: never the real values


def test_each_language_has_its_own_compilation():
    """modeltranslation names the active language's columns."""
    prepared = PreparedQuery(lambda unit_id: Unit.objects.filter(pk=unit_id).order_by("title"))
    with translation.override("en"):
        prepared.objects(unit_id=1)
        kept = connections["default"].prepared_queries[(prepared, "en", ModelIterable)]
        assert 'ORDER BY "courseware_unit"."title_en"' in kept.sql.replace("`", '"')
    with translation.override("zh-hant"):
        prepared.objects(unit_id=1)
    kept = connections["default"].prepared_queries
    assert {language for query, language, _kind in kept if query is prepared} == {"en", "zh-hant"}


def test_a_query_that_reads_the_clock_is_refused():
    prepared = PreparedQuery(
        lambda user_id: ReadingProgress.objects.filter(
            user_id=user_id, opened_at__lte=timezone.now()
        ).values_list("pk")
    )
    with pytest.raises(ImproperlyConfigured, match="besides its parameters"):
        prepared.rows(user_id=1)


def test_a_parameter_that_does_not_reach_the_database_is_refused():
    prepared = PreparedQuery(lambda user_id: ReadingProgress.objects.values_list("pk"))
    with pytest.raises(ImproperlyConfigured, match="user_id"):
        prepared.rows(user_id=1)


def test_values_must_be_integers_and_all_given(two_students_attempts):
    student, _other, units = two_students_attempts
    prepared = PreparedQuery(attempts_of)
    with pytest.raises(TypeError):
        prepared.rows(student_id=str(student.pk), unit_id=units[0].pk)
    with pytest.raises(TypeError):
        prepared.rows(student_id=student.pk)


def test_the_kind_of_queryset_must_match_the_call():
    prepared = PreparedQuery(lambda user_id: ReadingProgress.objects.filter(user_id=user_id))
    with pytest.raises(ImproperlyConfigured, match="values_list"):
        prepared.rows(user_id=1)
    assert prepared.objects(user_id=1) == []


@pytest.mark.django_db(transaction=True)
def test_a_threads_connection_is_freed_with_its_compiled_queries():
    """Servers that start a thread per request (runserver, the browser tests' live server)
    get a new connection object per thread: the compiled SQL must go with it, not keep it."""
    prepared = PreparedQuery(lambda user_id: ReadingProgress.objects.filter(user_id=user_id))
    wrappers = []

    def request_in_a_thread():
        prepared.objects(user_id=1)
        wrappers.append(weakref.ref(connections["default"]))
        connections.close_all()

    for _ in range(3):
        thread = threading.Thread(target=request_in_a_thread)
        thread.start()
        thread.join()
    gc.collect()
    assert [wrapper() for wrapper in wrappers] == [None, None, None]


def prepared_statements() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [statement for (statement,) in cursor.fetchall()]


postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="prepared statements of PostgreSQL"
)


@postgresql_only
def test_on_postgresql_each_query_is_planned_once_per_connection(two_students_attempts):
    """The database parses and plans the SQL once, then runs it with each call's values."""
    student, other, units = two_students_attempts
    prepared = PreparedQuery(attempts_of)
    pairs = [(who.pk, unit.pk) for who in (student, other) for unit in units]
    with CaptureQueriesContext(connection) as queries:
        rows = [prepared.rows(student_id=who, unit_id=unit) for who, unit in pairs]
    assert rows == [list(attempts_of(who, unit)) for who, unit in pairs]
    assert len(queries) == len(pairs), "each run is counted like any query"
    assert f'"student_id" = {other.pk}' in queries[-1]["sql"], "and logged with its values"
    ours = [statement for statement in prepared_statements() if "score_value" in statement]
    assert len(ours) == 1
    assert all("$1" in statement for statement in prepared_statements()), (
        "Django's own queries, their values inlined, are never prepared"
    )
    assert "$1" in ours[0], "the values are parameters, not part of the statement"


@postgresql_only
def test_an_answer_is_one_prepared_statement(two_students_attempts):
    student, _other, units = two_students_attempts
    attempt = Attempt.objects.for_student(student).for_unit(units[0]).get()
    items = {item.pk: item for item in Item.objects.filter(pk__in=attempt.item_ids)}
    for item_id in attempt.item_ids[:2]:
        services.record_answer(attempt=attempt, item=items[item_id], answer=["a"])
    answers = [statement for statement in prepared_statements() if "open_attempt" in statement]
    assert len(answers) == 1
    assert Response.objects.filter(attempt=attempt).count() == 2


@postgresql_only
def test_without_prepared_statements_nothing_is_prepared(two_students_attempts, monkeypatch):
    """PREPARED_STATEMENTS=false (a pooler that cannot keep them): plain queries, same rows."""
    student, _other, units = two_students_attempts
    options = {
        name: value
        for name, value in connection.settings_dict["OPTIONS"].items()
        if name != "prepare_threshold"
    }
    monkeypatch.setitem(connection.settings_dict, "OPTIONS", options)
    prepared = PreparedQuery(attempts_of)
    assert prepared.rows(student_id=student.pk, unit_id=units[0].pk) == list(
        attempts_of(student.pk, units[0].pk)
    )
    assert not [statement for statement in prepared_statements() if "score_value" in statement]
