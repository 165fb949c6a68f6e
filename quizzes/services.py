"""Writes of the quiz: starting attempts, recording answers, finishing.

Every function runs in one transaction and is safe when the same student submits twice at
once (double clicks, two tabs, retries on a flaky classroom network): the database's unique
constraints decide, never a read-then-write in Python.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Case, DateTimeField, F, Value, When
from django.utils import timezone

from courseware.models import Unit

from .grading import grade_answer
from .models import Attempt, Item, Response


class EmptyQuiz(Exception):
    """The unit has no current items: there is nothing to start."""


class AttemptFinished(Exception):
    """The attempt is over and accepts no answers."""


class ItemNotInAttempt(Exception):
    """The item is not one of the attempt's items."""


def _new_seed() -> int:
    # Fits a PostgreSQL integer (PositiveIntegerField).
    return secrets.randbelow(2**31 - 2) + 1


@transaction.atomic
def start_or_resume_attempt(student, unit: Unit) -> Attempt:
    """The student's open graded attempt on the unit, or a new one over its current items.

    The partial unique constraint ``one_open_attempt_per_unit`` makes a racing second start
    fail; it then resumes the attempt the first one created.
    """
    attempts = Attempt.objects.for_student(student).for_unit(unit).graded().open()
    existing = attempts.first()
    if existing is not None:
        return existing
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
                seed=_new_seed(),
            )
    except IntegrityError:
        return attempts.get()


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


@transaction.atomic
def record_answer(*, attempt: Attempt, item: Item, answer: Any) -> Response:
    """Grade and store the answer; return the response (the earlier one on a double submit).

    The ``one_response_per_item`` constraint decides which of two racing submits wins: the
    insert runs in a savepoint and the loser returns the winner's response, changing nothing.
    Only an inserted row adds to the attempt, with F() expressions so concurrent answers to
    different items never overwrite each other's points; the same UPDATE sets ``finished_at``
    when this was the last unanswered item. ``Attempt.points`` therefore always equals the sum
    of its responses' scores.

    Raises AttemptFinished (storing nothing) if the attempt was already over, and
    ItemNotInAttempt for an item the attempt does not hold. ``answer`` must already have the
    stored shape (see ``quizzes.presentation.parse_answer``); ``item`` should come with its
    choices prefetched.
    """
    if item.pk not in attempt.item_ids:
        raise ItemNotInAttempt(item.pk)
    grade = grade_answer(item.kind, item.choices.all(), answer)
    now = timezone.now()
    try:
        with transaction.atomic():
            response = Response.objects.create(
                attempt=attempt,
                item=item,
                answer=answer,
                score=grade.score,
                is_correct=grade.is_correct,
                answered_at=now,
            )
    except IntegrityError:
        attempt.refresh_from_db(fields=["points", "answered_count", "finished_at"])
        return Response.objects.get(attempt=attempt, item=item)
    # SET expressions all read the row as it was: answered_count is the count before this one.
    updated = Attempt.objects.filter(pk=attempt.pk, finished_at__isnull=True).update(
        points=F("points") + grade.score,
        answered_count=F("answered_count") + 1,
        finished_at=Case(
            When(answered_count__gte=F("item_count") - 1, then=Value(now)),
            default=Value(None),
            output_field=DateTimeField(),
        ),
    )
    if not updated:
        # Finished meanwhile (handed in from another tab): undo the insert.
        raise AttemptFinished(attempt.pk)
    attempt.refresh_from_db(fields=["points", "answered_count", "finished_at"])
    return response


@transaction.atomic
def finish_attempt(*, attempt: Attempt) -> Attempt:
    """Hand the attempt in now; unanswered items count as 0. Finishing twice changes nothing."""
    Attempt.objects.filter(pk=attempt.pk, finished_at__isnull=True).update(
        finished_at=timezone.now()
    )
    attempt.refresh_from_db(fields=["points", "answered_count", "finished_at"])
    return attempt
