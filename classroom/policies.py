"""The classroom's answer to the quiz app: under which graded assignment a student takes a
unit's quiz (registered in ``ClassroomConfig.ready``; see ``quizzes.policies``)."""

from __future__ import annotations

from django.db.models import OuterRef, Subquery

from quizzes.policies import PRACTICE, AssignedPolicy

from .models import Assignment, Extension


def assigned_policy(student, unit) -> AssignedPolicy:
    """The graded assignment of ``unit`` in one of the student's classes, with the student's
    own due date and extra attempts: one query. Graded rules apply from the moment the
    assignment exists, visible or not, so no quiz taken before can show the key. Should two
    classes grade the same unit, the one due first decides.
    """
    extension = Extension.objects.filter(assignment=OuterRef("pk"), student=student)
    assignment = (
        Assignment.objects.filter(
            unit=unit,
            policy__isnull=False,
            school_class__enrollments__student=student,
            school_class__enrollments__removed_at__isnull=True,
        )
        .select_related("policy")
        .annotate(
            own_due_at=Subquery(extension.values("due_at")[:1]),
            extra_attempts=Subquery(extension.values("extra_attempts")[:1]),
        )
        .order_by("due_at", "pk")
        .first()
    )
    if assignment is None:
        return PRACTICE
    return AssignedPolicy(
        policy=assignment.policy,
        due_at=assignment.own_due_at or assignment.due_at,
        extra_attempts=assignment.extra_attempts or 0,
    )
