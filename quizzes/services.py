"""Writes of the quiz: starting attempts, recording answers, finishing.

Every function runs in one transaction and is safe when the same student submits twice at
once (double clicks, two tabs, retries on a flaky classroom network): the database's unique
constraints decide, never a read-then-write in Python.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from config.prepared import statement_cursor
from courseware.models import Unit

from . import signals
from .drawing import draw_items
from .grading import EPSILON, grade_answer
from .models import Attempt, Item, Response, current_choices
from .policies import PRACTICE, AssignedPolicy
from .presentation import AnswerError


class EmptyQuiz(Exception):
    """The unit has no current items: there is nothing to start."""


class AttemptFinished(Exception):
    """The attempt is over and accepts no answers."""


class ItemNotInAttempt(Exception):
    """The item is not one of the attempt's items."""


class NoAttemptsLeft(Exception):
    """Every attempt the graded assignment allows this student has been used."""


class QuizClosed(Exception):
    """The due date has passed on a quiz whose answers show after it: no new attempt."""


class NothingToReopen(Exception):
    """The student has no finished attempt under the policy, or one is open already."""


def _new_seed() -> int:
    # Fits a PostgreSQL integer (PositiveIntegerField).
    return secrets.randbelow(2**31 - 2) + 1


@transaction.atomic
def start_or_resume_attempt(
    student, unit: Unit, *, assigned: AssignedPolicy = PRACTICE, now=None, seed=None
) -> Attempt:
    """The student's open attempt on the unit, or a new one over its current items.

    Under a graded assignment (``assigned.policy``) only an attempt taken under that policy
    is resumed; an open attempt under other rules (practice from before the unit was graded)
    is handed in first. A new graded attempt is refused with NoAttemptsLeft once the student
    has used every attempt allowed, and with QuizClosed past the due date of a quiz whose
    answers show after it.

    The partial unique constraint ``one_open_attempt_per_unit`` makes a racing second start
    fail; it then resumes the attempt the first one created. ``seed`` (shuffles and the
    draw) is random unless given, as the demo data does to come out the same every time.
    """
    now = now or timezone.now()
    attempts = Attempt.objects.for_student(student).for_unit(unit).graded().open()
    existing = attempts.first()
    if existing is not None:
        if existing.policy_id == (assigned.policy.pk if assigned.policy else None):
            return existing
        finish_attempt(attempt=existing)
    if assigned.policy is not None:
        used = Attempt.objects.for_student(student).for_unit(unit).under(assigned.policy).count()
        if used >= assigned.attempts_allowed:
            raise NoAttemptsLeft(unit.slug)
        if assigned.is_closed(now):
            raise QuizClosed(unit.slug)
    seed = seed or _new_seed()
    if assigned.policy is not None:
        item_ids = _draw_for_retake(student, unit, seed)
    else:
        item_ids = list(Item.objects.for_unit(unit).values_list("pk", flat=True))
    if not item_ids:
        raise EmptyQuiz(unit.slug)
    try:
        with transaction.atomic():
            return Attempt.objects.create(
                student=student,
                unit=unit,
                item_ids=item_ids,
                item_count=len(item_ids),
                seed=seed,
                policy=assigned.policy,
                due_at=assigned.due_at if assigned.policy else None,
                started_at=now,
            )
    except IntegrityError:
        return attempts.get()


def _draw_for_retake(student, unit: Unit, seed: int) -> list[int]:
    """A graded attempt's items: every tag of the unit, as few of the student's previous
    attempt's items as the bank allows (``quizzes.drawing``). Two queries."""
    tags: dict[int, set[int]] = {
        pk: set() for pk in Item.objects.for_unit(unit).values_list("pk", flat=True)
    }
    links = Item.tags.through.objects.filter(item__in=list(tags)).values_list("item_id", "tag_id")
    for item_id, tag_id in links:
        tags[item_id].add(tag_id)
    last = (
        Attempt.objects.for_student(student)
        .for_unit(unit)
        .graded()
        .order_by("-started_at", "-pk")
        .values_list("item_ids", flat=True)
        .first()
    )
    return draw_items(list(tags.items()), previous=last or (), rng=random.Random(seed))


@transaction.atomic
def start_practice_attempt(student, unit: Unit) -> Attempt | None:
    """A "practise my mistakes" round: the unit's items the student missed in any graded
    attempt (less than full credit). None when there is nothing to practise.

    An open practice round over exactly those items is resumed rather than duplicated.
    Practice rounds never count towards scores or mastery.
    """
    item_ids = list(Item.objects.for_unit(unit).missed_by(student).values_list("pk", flat=True))
    if not item_ids:
        return None
    open_round = (
        Attempt.objects.for_student(student)
        .for_unit(unit)
        .filter(is_practice=True)
        .open()
        .order_by("-started_at")
        .first()
    )
    if open_round is not None and open_round.item_ids == item_ids:
        return open_round
    return Attempt.objects.create(
        student=student,
        unit=unit,
        is_practice=True,
        item_ids=item_ids,
        item_count=len(item_ids),
        seed=_new_seed(),
    )


def record_answer(*, attempt: Attempt, item: Item, answer: Any) -> Response:
    """Grade and store the answer; return the response (the earlier one on a double submit).

    The ``one_response_per_item`` constraint decides which of two racing submits wins: the
    loser's insert does nothing and it returns the winner's response, changing nothing. Only
    an inserted row adds to the attempt, in one UPDATE whose SET expressions read the row as
    it is in the database, so concurrent answers to different items never overwrite each
    other's points; the same UPDATE sets ``finished_at`` when this was the last unanswered
    item. ``Attempt.points`` therefore always equals the sum of its responses' scores.

    Raises AttemptFinished (storing nothing) if the attempt was already over, and
    ItemNotInAttempt for an item the attempt does not hold. ``answer`` must already have the
    stored shape (see ``quizzes.presentation.parse_answer``); ``item`` should come with its
    choices prefetched.
    """
    if item.pk not in attempt.item_ids:
        raise ItemNotInAttempt(item.pk)
    grade = grade_answer(item.kind, current_choices(item), answer)
    now = timezone.now()
    response = Response(
        attempt=attempt,
        item=item,
        answer=answer,
        score=grade.score,
        is_correct=grade.is_correct,
        answered_at=now,
    )
    store = _store_in_one_statement if connection.vendor == "postgresql" else _store
    stored = store(response, attempt, now)
    if stored is None:
        earlier = Response.objects.filter(attempt=attempt, item=item).first()
        if earlier is None:
            raise AttemptFinished(attempt.pk)
        attempt.refresh_from_db(fields=["points", "answered_count", "finished_at"])
        return earlier
    response.pk = stored
    response._state.adding = False
    if attempt.finished_at is not None:
        _announce_finished(attempt)
    return response


# The statements below are the hot path of every answer. The ORM would need a savepoint
# around its insert (PostgreSQL aborts the transaction on a unique violation) and a second
# SELECT after its UPDATE; both databases run ON CONFLICT and RETURNING (SQLite since 3.35).
# PostgreSQL runs the lock, the insert and the update as one statement (data-modifying
# WITH): one round trip instead of four (BEGIN, INSERT, UPDATE, COMMIT), and a statement is
# a transaction of its own. SQLite, which has no data-modifying WITH and no round trips,
# runs the two statements in a transaction.


def _response_columns(response: Response) -> tuple[list[str], list]:
    fields = [field for field in Response._meta.concrete_fields if not field.primary_key]
    quote = connection.ops.quote_name
    columns = [quote(field.column) for field in fields]
    params = [
        field.get_db_prep_save(field.pre_save(response, True), connection) for field in fields
    ]
    return columns, params


def _conflict_target() -> str:
    quote = connection.ops.quote_name
    meta = Response._meta
    return f"({quote(meta.get_field('attempt').column)}, {quote(meta.get_field('item').column)})"


_ADD_TO_ATTEMPT = (
    "points = points + %s, "
    "answered_count = answered_count + 1, "
    "finished_at = CASE WHEN answered_count + 1 >= item_count THEN %s ELSE NULL END"
)


def _store(response: Response, attempt: Attempt, now) -> int | None:
    """INSERT … ON CONFLICT DO NOTHING, then add the answer to the open attempt, in one
    transaction: the new row's id; None (storing nothing) if the item has an answer or the
    attempt is finished."""
    quote = connection.ops.quote_name
    columns, params = _response_columns(response)
    finished_at = Attempt._meta.get_field("finished_at")
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {quote(Response._meta.db_table)} ({', '.join(columns)}) "
                f"VALUES ({', '.join(['%s'] * len(columns))}) "
                f"ON CONFLICT {_conflict_target()} DO NOTHING "
                f"RETURNING {quote(Response._meta.pk.column)}",
                params,
            )
            inserted = cursor.fetchone()
            if inserted is None:
                return None
            cursor.execute(
                f"UPDATE {quote(Attempt._meta.db_table)} SET {_ADD_TO_ATTEMPT} "
                "WHERE id = %s AND finished_at IS NULL RETURNING points, answered_count",
                [response.score, finished_at.get_db_prep_save(now, connection), attempt.pk],
            )
            totals = cursor.fetchone()
        if totals is None:
            # Finished meanwhile (handed in from another tab): undo the insert.
            transaction.set_rollback(True)
            return None
    _keep_totals(attempt, totals, now)
    return inserted[0]


def _store_in_one_statement(response: Response, attempt: Attempt, now) -> int | None:
    """What ``_store`` does, in one PostgreSQL statement. ``FOR UPDATE`` locks the attempt
    while it is open (waiting for, then re-reading, a row another transaction changes), so
    no hand-in comes between the insert and the update, and a second submit of the item
    waits for the first and then inserts nothing."""
    quote = connection.ops.quote_name
    columns, params = _response_columns(response)
    attempts = quote(Attempt._meta.db_table)
    finished_at = Attempt._meta.get_field("finished_at")
    pk = quote(Response._meta.pk.column)
    with statement_cursor(connection) as cursor:
        cursor.execute(
            f"WITH open_attempt AS (SELECT id FROM {attempts} "
            "WHERE id = %s AND finished_at IS NULL FOR UPDATE), "
            f"inserted AS (INSERT INTO {quote(Response._meta.db_table)} ({', '.join(columns)}) "
            f"SELECT {', '.join(['%s'] * len(columns))} FROM open_attempt "
            f"ON CONFLICT {_conflict_target()} DO NOTHING RETURNING {pk}), "
            f"added AS (UPDATE {attempts} SET {_ADD_TO_ATTEMPT} "
            "WHERE id = %s AND EXISTS (SELECT 1 FROM inserted) "
            "RETURNING points, answered_count) "
            f"SELECT (SELECT {pk} FROM inserted), points, answered_count FROM added",
            [
                attempt.pk,
                *params,
                response.score,
                finished_at.get_db_prep_save(now, connection),
                attempt.pk,
            ],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    _keep_totals(attempt, row[1:], now)
    return row[0]


def _keep_totals(attempt: Attempt, totals, now) -> None:
    attempt.points, attempt.answered_count = float(totals[0]), totals[1]
    attempt.finished_at = now if attempt.answered_count >= attempt.item_count else None


def submit_answer(*, attempt: Attempt, item: Item, read_answer: Callable[[], Any]) -> Response:
    """What a submitted form leaves on record: the answer it holds, just stored, or on a double
    submit (two clicks, two tabs, a retry) the first submit's, whatever the second one says.

    ``read_answer()`` turns the form into the stored shape or raises AnswerError (see
    ``quizzes.presentation.parse_answer``); it is not called once the attempt is finished.
    AnswerError and AttemptFinished reach the caller only when the item has no stored answer.
    """
    try:
        if attempt.is_finished:
            raise AttemptFinished(attempt.pk)
        answer = read_answer()
    except (AnswerError, AttemptFinished):
        earlier = Response.objects.filter(attempt=attempt, item=item).first()
        if earlier is None:
            raise
        return earlier
    return record_answer(attempt=attempt, item=item, answer=answer)


@transaction.atomic
def finish_attempt(*, attempt: Attempt) -> Attempt:
    """Hand the attempt in now; unanswered items count as 0. Finishing twice changes nothing."""
    finished = Attempt.objects.filter(pk=attempt.pk, finished_at__isnull=True).update(
        finished_at=timezone.now()
    )
    attempt.refresh_from_db(fields=["points", "answered_count", "finished_at"])
    if finished:
        _announce_finished(attempt)
    return attempt


def _announce_finished(attempt: Attempt) -> None:
    """Tell listeners (grade passback) once the finish is committed; never for practice."""
    if not attempt.is_practice:
        transaction.on_commit(
            lambda: signals.graded_attempt_finished.send(sender=Attempt, attempt=attempt)
        )


@transaction.atomic
def reopen_last_attempt(*, student, unit: Unit, policy) -> Attempt:
    """Open the student's last finished attempt under the policy again, answers kept, so they
    can finish it (an instructor's decision: a lost connection, a hand-in by mistake).

    NothingToReopen if there is no finished attempt, or one is open already.
    """
    attempts = Attempt.objects.for_student(student).for_unit(unit).graded()
    if attempts.open().exists():
        raise NothingToReopen(unit.slug)
    last = attempts.under(policy).finished().order_by("-started_at", "-pk").first()
    if last is None:
        raise NothingToReopen(unit.slug)
    Attempt.objects.filter(pk=last.pk).update(finished_at=None)
    last.finished_at = None
    return last


def set_due_date(*, policy, due_at, students=None, exclude_students=None) -> int:
    """Keep the due date stored on attempts under ``policy`` in step with the assignment's
    (or one student's extension): the moment "after the due date" reads it."""
    attempts = Attempt.objects.under(policy)
    if students is not None:
        attempts = attempts.filter(student__in=students)
    if exclude_students is not None:
        attempts = attempts.exclude(student__in=exclude_students)
    return attempts.update(due_at=due_at)


@transaction.atomic
def regrade_item(item: Item) -> tuple[int, set[int]]:
    """Grade every stored answer to the item again against its current key (a corrected
    course file): scores, correctness and the attempts' points follow, so every grade and
    mastery read from them does too. The first score is kept in ``score_before_regrade``.

    Returns how many answers changed and the ids of the attempts they belong to. ``item``
    should come with its choices prefetched.
    """
    choices = current_choices(item)
    now = timezone.now()
    changed: list[Response] = []
    delta_by_attempt: dict[int, float] = {}
    for response in Response.objects.filter(item=item).select_for_update():
        grade = grade_answer(item.kind, choices, response.answer)
        if abs(grade.score - response.score) < EPSILON and grade.is_correct == response.is_correct:
            continue
        if response.score_before_regrade is None:
            response.score_before_regrade = response.score
        delta = grade.score - response.score
        delta_by_attempt[response.attempt_id] = delta_by_attempt.get(response.attempt_id, 0) + delta
        response.score, response.is_correct, response.regraded_at = (
            grade.score,
            grade.is_correct,
            now,
        )
        changed.append(response)
    Response.objects.bulk_update(
        changed, ["score", "is_correct", "score_before_regrade", "regraded_at"]
    )
    for attempt_id, delta in delta_by_attempt.items():
        Attempt.objects.filter(pk=attempt_id).update(points=F("points") + delta)
    graded = list(
        Attempt.objects.filter(pk__in=delta_by_attempt, is_practice=False).values_list(
            "pk", flat=True
        )
    )
    if graded:
        transaction.on_commit(
            lambda: signals.graded_attempts_regraded.send(sender=Attempt, attempt_ids=graded)
        )
    return len(changed), set(delta_by_attempt)
