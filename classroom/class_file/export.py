"""Writing one class as JSON: its instructor and roster, assignments, reading and every answer.

Everything is named by a stable key, never by a database id: users by username, units by
slug, items by key, a graded quiz's rules by the class's join code and the unit's slug. The
file holds password hashes (so that people can sign in after a restore): it is written
readable by its owner only, and should be kept like a password.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db.models import Prefetch
from django.utils.translation import gettext as _

from courseware.models import ReadingProgress
from quizzes.models import Attempt, Item, QuizPolicy, Response

from ..models import (
    INSTRUCTORS_GROUP,
    Assignment,
    Enrollment,
    Extension,
    SchoolClass,
    normalise_join_code,
)
from .checking import FORMAT, ClassFileError


def find_class(reference: str) -> SchoolClass:
    """A class by id or by join code (as typed: case, spaces and dashes ignored)."""
    code = normalise_join_code(reference)
    by_code = SchoolClass.objects.filter(join_code=code).first() if code else None
    by_id = SchoolClass.objects.filter(pk=int(reference)).first() if reference.isdigit() else None
    if by_code and by_id and by_code != by_id:
        raise ClassFileError(
            [
                _("“%(reference)s” is both a class id and another class's join code.")
                % {"reference": reference}
            ]
        )
    found = by_code or by_id
    if found is None:
        raise ClassFileError(
            [_("No class has the id or join code “%(reference)s”.") % {"reference": reference}]
        )
    return found


def moment(value) -> str | None:
    return value.isoformat() if value is not None else None


def export_class(school_class: SchoolClass) -> dict:
    """The class as a dict of plain values: a fixed number of queries, whatever its size."""
    enrollments = list(
        Enrollment.objects.filter(school_class=school_class)
        .select_related("student")
        .order_by("joined_at", "pk")
    )
    students = [enrollment.student for enrollment in enrollments]
    people = [school_class.instructor] + [s for s in students if s != school_class.instructor]
    instructors = set(
        get_user_model()
        .objects.filter(pk__in=[person.pk for person in people], groups__name=INSTRUCTORS_GROUP)
        .values_list("pk", flat=True)
    )
    item_keys = dict(Item.objects.values_list("pk", "key"))
    attempts = list(
        Attempt.objects.filter(student__in=students)
        .select_related(
            "student", "unit", "policy__assignment__school_class", "policy__assignment__unit"
        )
        .prefetch_related(
            Prefetch("responses", Response.objects.select_related("item").order_by("pk"))
        )
        .order_by("started_at", "pk")
    )
    assignments = list(
        Assignment.objects.filter(school_class=school_class)
        .select_related("unit", "policy")
        .order_by("due_at", "pk")
    )
    # The rules of the class's graded quizzes, and of any other an attempt was taken under
    # (another class's, or rules kept after the quiz became practice again).
    policies: dict[int, dict] = {}
    for assignment in assignments:
        if assignment.policy is not None:
            policies[assignment.policy.pk] = _policy(
                assignment.policy, assignment, school_class, len(policies)
            )
    for attempt in attempts:
        policy = attempt.policy
        if policy is not None and policy.pk not in policies:
            owner = getattr(policy, "assignment", None)
            policies[policy.pk] = _policy(policy, owner, school_class, len(policies))
    keys = {pk: policy["key"] for pk, policy in policies.items()}
    return {
        "format": FORMAT,
        "class": {
            "name": school_class.name,
            "term": school_class.term,
            "join_code": school_class.join_code,
            "created_at": moment(school_class.created_at),
            "instructor": school_class.instructor.username,
        },
        "users": [_user(person, person.pk in instructors) for person in people],
        "enrollments": [
            {
                "student": enrollment.student.username,
                "joined_at": moment(enrollment.joined_at),
                "removed_at": moment(enrollment.removed_at),
            }
            for enrollment in enrollments
        ],
        "policies": list(policies.values()),
        "assignments": [
            {
                "unit": assignment.unit.slug,
                "due_at": moment(assignment.due_at),
                "visible_from": moment(assignment.visible_from),
                "note": assignment.note,
                "created_at": moment(assignment.created_at),
                "policy": keys.get(assignment.policy_id),
            }
            for assignment in assignments
        ],
        "extensions": [
            {
                "student": extension.student.username,
                "unit": extension.assignment.unit.slug,
                "due_at": moment(extension.due_at),
                "extra_attempts": extension.extra_attempts,
            }
            for extension in Extension.objects.filter(
                assignment__school_class=school_class, student__in=students
            )
            .select_related("student", "assignment__unit")
            .order_by("assignment__due_at", "assignment__pk", "student__username")
        ],
        "reading": [
            {
                "student": progress.user.username,
                "unit": progress.unit.slug,
                "opened_at": moment(progress.opened_at),
                "read_at": moment(progress.read_at),
            }
            for progress in ReadingProgress.objects.filter(user__in=students)
            .select_related("user", "unit")
            .order_by("user__username", "unit__order", "pk")
        ],
        "attempts": [_attempt(attempt, item_keys, keys) for attempt in attempts],
    }


def _policy(policy: QuizPolicy, owner, school_class: SchoolClass, number: int) -> dict:
    """A graded quiz's rules, keyed by the join code of the class whose assignment (``owner``)
    sets them and the unit's slug, so that two class files that share a student name the same
    rules alike; rules no assignment sets any more are numbered."""
    if owner is not None:
        key = f"{owner.school_class.join_code}/{owner.unit.slug}"
    else:
        key = f"{school_class.join_code}/rules-{number + 1}"
    return {
        "key": key,
        "attempts_allowed": policy.attempts_allowed,
        "grading_method": policy.grading_method,
        "review_moment": policy.review_moment,
        "show_correctness": policy.show_correctness,
    }


def _user(user, instructor: bool) -> dict:
    # Never is_staff / is_superuser: a class file must not be a way to make an administrator.
    return {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "password": user.password,
        "is_active": user.is_active,
        "instructor": instructor,
        "date_joined": moment(user.date_joined),
        "last_login": moment(user.last_login),
    }


def _attempt(attempt: Attempt, item_keys: dict[int, str], policy_keys: dict[int, str]) -> dict:
    return {
        "student": attempt.student.username,
        "unit": attempt.unit.slug,
        "is_practice": attempt.is_practice,
        "policy": policy_keys.get(attempt.policy_id),
        "due_at": moment(attempt.due_at),
        "items": [item_keys[pk] for pk in attempt.item_ids if pk in item_keys],
        "seed": attempt.seed,
        "started_at": moment(attempt.started_at),
        "finished_at": moment(attempt.finished_at),
        "item_count": attempt.item_count,
        "answered_count": attempt.answered_count,
        "points": attempt.points,
        "responses": [
            {
                "item": response.item.key,
                "answer": response.answer,
                "score": response.score,
                "is_correct": response.is_correct,
                "answered_at": moment(response.answered_at),
                "score_before_regrade": response.score_before_regrade,
                "regraded_at": moment(response.regraded_at),
            }
            for response in attempt.responses.all()
        ],
    }


def write_private(path: Path, text: str) -> None:
    """Create (or truncate) the file readable and writable by its owner only."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.chmod(path, 0o600)


def dumps(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
