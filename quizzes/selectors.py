"""Reads that several views (and the unit-page panel) share, each a fixed number of queries.

Per-row questions (finished, open, missed items) are QuerySet methods in ``quizzes.models``;
this module gathers what one page needs.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from config.ids import id_or_404
from config.prepared import PreparedQuery
from courseware.caching import CONTENT_TIMEOUT, content_cache
from courseware.models import Footnote, Passage, Unit

from .grading import grade_by_method, is_mastery
from .models import (
    Attempt,
    Item,
    Response,
    attempt_score_expression,
)
from .policies import key_moment_passed


def get_attempt_for_student(user, attempt_id: int) -> Attempt:
    """The attempt, if it belongs to ``user``; Http404 otherwise (never 403: no probing)."""
    if not user.is_authenticated:
        raise Http404
    found = _attempt_of_student.objects(attempt_id=id_or_404(attempt_id), student_id=user.pk)
    if not found:
        raise Http404
    return found[0]


# Every answer asks this: compiled once (config.prepared).
_attempt_of_student = PreparedQuery(
    lambda attempt_id, student_id: Attempt.objects.for_student(student_id)
    .select_related("unit__course", "policy")
    .filter(pk=attempt_id)
)


def attempt_items(attempt: Attempt) -> list[Item]:
    """The attempt's items in the order shown, with choices and cited passages and footnotes:
    4 queries."""
    items = {item.pk: item for item in items_with_content().filter(pk__in=attempt.item_ids)}
    return [items[pk] for pk in attempt.item_ids if pk in items]


def items_with_content():
    return Item.objects.prefetch_related(
        "choices",
        Prefetch("passages", Passage.objects.select_related("unit")),
        Prefetch("footnotes", Footnote.objects.select_related("unit")),
    )


def item_of_attempt(attempt: Attempt, item_id: int) -> Item:
    """One of the attempt's items with its choices and cited passages, as ``items_with_content``.

    Cached until the content changes (the key holds the course's content version, which every
    load and admin edit changes): answering is the hottest path, and items change only then.
    Http404 if the attempt does not hold the item.
    """
    if item_id not in attempt.item_ids:
        raise Http404
    key = f"item-content:{item_id}:{attempt.unit.course.content_version}"
    item = content_cache().get(key)
    if item is None:
        item = get_object_or_404(items_with_content(), pk=item_id)
        content_cache().set(key, item, timeout=CONTENT_TIMEOUT)
    return item


def responses_by_item(attempt: Attempt) -> dict[int, Response]:
    return {response.item_id: response for response in attempt.responses.all()}


@dataclass(frozen=True)
class UnitQuizStatus:
    # On a graded quiz: the grade by the policy's method; otherwise the best score.
    best_score: float | None
    open_attempt_id: int | None
    finished_count: int
    # Attempts taken under the graded quiz's policy (open ones included).
    used_count: int = 0

    @property
    def is_mastery(self) -> bool:
        return is_mastery(self.best_score)

    @property
    def best_percent(self) -> int | None:
        return None if self.best_score is None else round(self.best_score * 100)


def _scored_attempts(student_id, unit_id):
    return (
        Attempt.objects.for_student(student_id)
        .for_unit(unit_id)
        .graded()
        .annotate(score_value=attempt_score_expression())
        .order_by("started_at", "pk")
        .values_list("pk", "finished_at", "score_value")
    )


# Asked on every unit page a student opens: compiled once (config.prepared).
_all_scored_attempts = PreparedQuery(_scored_attempts)
_scored_attempts_under = PreparedQuery(
    lambda student_id, unit_id, policy_id: _scored_attempts(student_id, unit_id).under(policy_id)
)


def unit_quiz_status(student, unit: Unit, policy=None) -> UnitQuizStatus:
    """The student's graded attempts on the unit, summed up: one query.

    Under a graded quiz's ``policy`` only its attempts count, and the grade is its method's;
    otherwise the grade is the best score of any graded attempt.
    """
    if policy is not None:
        rows = _scored_attempts_under.rows(
            student_id=student.pk, unit_id=unit.pk, policy_id=policy.pk
        )
    else:
        rows = _all_scored_attempts.rows(student_id=student.pk, unit_id=unit.pk)
    scores = [score for _pk, finished_at, score in rows if finished_at is not None]
    open_ids = [pk for pk, finished_at, _score in rows if finished_at is None]
    if policy is not None:
        best_score = grade_by_method(scores, policy.grading_method)
        open_attempt_id = open_ids[-1] if open_ids else None
    else:
        best_score = max(scores, default=None)
        open_attempt_id = max(open_ids, default=None)
    return UnitQuizStatus(
        best_score=best_score,
        open_attempt_id=open_attempt_id,
        finished_count=len(scores),
        used_count=len(rows) if policy is not None else 0,
    )


@dataclass(frozen=True)
class PastAttempt:
    attempt: Attempt
    number: int
    # Whether the review moment of its items has come (``quizzes.policies``).
    review_open: bool

    @property
    def duration(self):
        if self.attempt.finished_at is None:
            return None
        return self.attempt.finished_at - self.attempt.started_at

    @property
    def score_percent(self) -> int:
        return round(self.attempt.score * 100)


def attempt_history(student, unit: Unit) -> list[PastAttempt]:
    """The student's full attempts on the unit, newest first: one query."""
    attempts = list(
        Attempt.objects.for_student(student)
        .for_unit(unit)
        .graded()
        .select_related("policy")
        .order_by("started_at", "pk")
    )
    now = timezone.now()
    history = [
        PastAttempt(attempt, number, key_moment_passed(attempt, now))
        for number, attempt in enumerate(attempts, start=1)
    ]
    return history[::-1]


def missed_item_count(student, unit: Unit) -> int:
    """How many of the unit's current items "practise my mistakes" would bring back."""
    return Item.objects.for_unit(unit).missed_by(student).count()
