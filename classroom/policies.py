"""The classroom's answer to the quiz app: under which graded assignment a student takes a
unit's quiz (registered in ``ClassroomConfig.ready``; see ``quizzes.policies``)."""

from __future__ import annotations

from django.db.models import OuterRef, Subquery

from config.prepared import PreparedQuery
from quizzes.policies import PRACTICE, AssignedPolicy

from .models import Assignment, Extension


def _graded_assignments(student_id, unit_id):
    extension = Extension.objects.filter(assignment=OuterRef("pk"), student_id=student_id)
    return (
        Assignment.objects.filter(
            unit_id=unit_id,
            policy__isnull=False,
            school_class__enrollments__student_id=student_id,
            school_class__enrollments__removed_at__isnull=True,
        )
        .select_related("policy")
        .annotate(
            own_due_at=Subquery(extension.values("due_at")[:1]),
            extra_attempts=Subquery(extension.values("extra_attempts")[:1]),
        )
        .order_by("due_at", "pk")[:1]
    )


# Every unit page a student opens asks this: compiled once (config.prepared).
_graded_assignment = PreparedQuery(_graded_assignments)


def assigned_policy(student, unit) -> AssignedPolicy:
    """The graded assignment of ``unit`` in one of the student's classes, with the student's
    own due date and extra attempts: one query. Graded rules apply from the moment the
    assignment exists, visible or not, so no quiz taken before can show the key. Should two
    classes grade the same unit, the one due first decides.
    """
    found = _graded_assignment.objects(student_id=student.pk, unit_id=unit.pk)
    assignment = found[0] if found else None
    if assignment is None:
        return PRACTICE
    return AssignedPolicy(
        policy=assignment.policy,
        due_at=assignment.own_due_at or assignment.due_at,
        extra_attempts=assignment.extra_attempts or 0,
    )
