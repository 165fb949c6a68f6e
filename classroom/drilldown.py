"""One student's record in a class: every attempt on the assigned units, every answer."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone

from quizzes.models import Attempt, Item, Response

from .models import Assignment, SchoolClass
from .progress import UnitResult, unit_results


@dataclass
class StudentUnit:
    assignment: Assignment
    result: UnitResult
    # (attempt, its responses in item order), oldest first; practice rounds included.
    attempts: list[tuple[Attempt, list[Response]]] = field(default_factory=list)


def student_record(
    school_class: SchoolClass, student, *, now: datetime | None = None
) -> list[StudentUnit]:
    """The student's standing, attempts and answers per assigned unit: 6 queries."""
    now = now or timezone.now()
    assignments = list(Assignment.objects.for_class(school_class))
    unit_ids = [assignment.unit_id for assignment in assignments]
    results = unit_results(students=[student.pk], units=unit_ids)
    attempts = list(
        Attempt.objects.for_student(student).filter(unit__in=unit_ids).order_by("started_at", "pk")
    )
    responses = (
        Response.objects.filter(attempt__in=attempts)
        .select_related("item")
        .prefetch_related("item__choices")
        .order_by("attempt_id", "item__order", "answered_at")
    )
    by_attempt: dict[int, list[Response]] = {}
    for response in responses:
        response.answer_lines = describe_answer(response.item, response.answer)
        by_attempt.setdefault(response.attempt_id, []).append(response)
    record = []
    for assignment in assignments:
        result = results.get((student.pk, assignment.unit_id)) or UnitResult()
        record.append(
            StudentUnit(
                assignment=assignment,
                result=result.with_due(assignment.due_at, now),
                attempts=[
                    (attempt, by_attempt.get(attempt.pk, []))
                    for attempt in attempts
                    if attempt.unit_id == assignment.unit_id
                ],
            )
        )
    return record


def describe_answer(item: Item, answer) -> list[str]:
    """A stored answer (choice keys) in the words the student saw, one line per choice.

    Needs ``item.choices`` prefetched.
    """
    choices = {choice.key: choice for choice in item.choices.all()}

    def text(key):
        choice = choices.get(key)
        return choice.text if choice else str(key)

    if isinstance(answer, dict):
        return [
            f"{text(left)} → {choices[right].match if right in choices else right}"
            for left, right in answer.items()
        ]
    if not isinstance(answer, list):
        return [] if answer is None else [str(answer)]
    if item.kind == Item.Kind.ORDERING:
        return [f"{position}. {text(key)}" for position, key in enumerate(answer, start=1)]
    return [text(key) for key in answer]
