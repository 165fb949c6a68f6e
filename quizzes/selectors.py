"""Reads that several views (and the unit-page panel) share, each a fixed number of queries.

Per-row questions (finished, open, missed items) are QuerySet methods in ``quizzes.models``;
this module gathers what one page needs.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Max, Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404

from config.ids import id_or_404
from courseware.caching import CONTENT_TIMEOUT, content_cache
from courseware.models import Footnote, Passage, Unit

from .grading import is_mastery
from .models import FINISHED, OPEN, Attempt, Item, Response, best_score_expression


def get_attempt_for_student(user, attempt_id: int) -> Attempt:
    """The attempt, if it belongs to ``user``; Http404 otherwise (never 403: no probing)."""
    if not user.is_authenticated:
        raise Http404
    try:
        return (
            Attempt.objects.for_student(user)
            .select_related("unit__course")
            .get(pk=id_or_404(attempt_id))
        )
    except Attempt.DoesNotExist:
        raise Http404 from None


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
    load and admin edit bumps): answering is the hottest path, and items change only then.
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
    best_score: float | None
    open_attempt_id: int | None
    finished_count: int

    @property
    def is_mastery(self) -> bool:
        return is_mastery(self.best_score)

    @property
    def best_percent(self) -> int | None:
        return None if self.best_score is None else round(self.best_score * 100)


def unit_quiz_status(student, unit: Unit) -> UnitQuizStatus:
    """The student's graded attempts on the unit, summed up in one query."""
    row = (
        Attempt.objects.for_student(student)
        .for_unit(unit)
        .graded()
        .aggregate(
            best_score=best_score_expression(),
            open_attempt_id=Max("pk", filter=OPEN),
            finished_count=Count("pk", filter=FINISHED),
        )
    )
    return UnitQuizStatus(**row)


def missed_item_count(student, unit: Unit) -> int:
    """How many of the unit's current items "practise my mistakes" would bring back."""
    return Item.objects.for_unit(unit).missed_by(student).count()
