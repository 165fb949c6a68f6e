"""One student's record in a class: every attempt on the assigned units, every answer."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import OuterRef, Subquery
from django.utils import timezone

from quizzes.models import Attempt, Item, Response

from .models import Assignment, Extension, SchoolClass
from .progress import UnitResult, graded_policies, unit_results


@dataclass
class StudentUnit:
    assignment: Assignment
    result: UnitResult
    # The student's own due date: an extension's, or the assignment's.
    due_at: datetime | None = None
    # Graded quizzes: attempts used under the policy, and allowed (extra ones included).
    attempts_used: int = 0
    attempts_allowed: int = 0
    # (attempt, its responses in item order), oldest first; practice rounds included.
    attempts: list[tuple[Attempt, list[Response]]] = field(default_factory=list)

    @property
    def has_extension(self) -> bool:
        return self.assignment.own_due_at is not None or bool(self.assignment.extra_attempts)


def student_record(
    school_class: SchoolClass, student, *, now: datetime | None = None
) -> list[StudentUnit]:
    """The student's standing, attempts and answers per assigned unit: 6 queries, one more
    with a graded assignment."""
    now = now or timezone.now()
    # The student's extension rides along with each assignment: no query of its own.
    extension = Extension.objects.filter(assignment=OuterRef("pk"), student=student)
    assignments = list(
        Assignment.objects.for_class(school_class).annotate(
            own_due_at=Subquery(extension.values("due_at")[:1]),
            extra_attempts=Subquery(extension.values("extra_attempts")[:1]),
        )
    )
    unit_ids = [assignment.unit_id for assignment in assignments]
    results = unit_results(
        students=[student.pk], units=unit_ids, policies=graded_policies(assignments)
    )
    # Not an attempt taken under another class's graded rules: that is the other class's.
    attempts = list(
        Attempt.objects.for_student(student)
        .filter(unit__in=unit_ids)
        .counted_under([a.policy_id for a in assignments if a.policy_id is not None])
        .order_by("started_at", "pk")
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
        due_at = assignment.own_due_at or assignment.due_at
        record.append(
            StudentUnit(
                assignment=assignment,
                due_at=due_at,
                result=result.with_due(due_at, now),
                attempts=[
                    (attempt, by_attempt.get(attempt.pk, []))
                    for attempt in attempts
                    if attempt.unit_id == assignment.unit_id
                ],
                attempts_used=sum(
                    1
                    for attempt in attempts
                    if assignment.policy_id and attempt.policy_id == assignment.policy_id
                ),
                attempts_allowed=(
                    assignment.policy.attempts_allowed + (assignment.extra_attempts or 0)
                    if assignment.policy_id
                    else 0
                ),
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
