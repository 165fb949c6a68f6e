"""Writes that touch more than one row or need care: sign-up (and its limit per address),
joining, removal and re-admission, new codes."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.utils import timezone

from quizzes import services as quiz_services
from quizzes.models import QuizPolicy

from .limits import SIGN_UPS_PER_ADDRESS
from .models import (
    INSTRUCTORS_GROUP,
    Assignment,
    Enrollment,
    Extension,
    SchoolClass,
    new_join_code,
)


@transaction.atomic
def do_make_instructor(
    *, username: str, password: str | None = None, email: str = "", display_name: str = ""
):
    """Create an instructor, or make an existing user one. Returns (user, created).

    Given values replace the stored ones; a password left out keeps the user's own (a new
    user without one cannot sign in with a password until one is set).
    """
    User = get_user_model()
    user = User.objects.filter(username=username).first()
    created = user is None
    if created:
        user = User.objects.create_user(
            username=username, email=email, password=password, first_name=display_name
        )
    else:
        if email:
            user.email = email
        if display_name:
            user.first_name = display_name
        if password is not None:
            user.set_password(password)
        user.save()
    user.groups.add(Group.objects.get_or_create(name=INSTRUCTORS_GROUP)[0])
    return user, created


@transaction.atomic
def do_sign_up(*, username: str, display_name: str, password: str, school_class: SchoolClass):
    """Create the student and their enrollment together: both or neither.

    Raises IntegrityError if the username was taken in the meantime.
    """
    user = get_user_model().objects.create_user(
        username=username, password=password, first_name=display_name
    )
    Enrollment.objects.create(school_class=school_class, student=user)
    return user


def claim_sign_up(*, address: str | None) -> bool:
    """Count one more sign-up from ``address``; False once this hour's limit is used up."""
    return SIGN_UPS_PER_ADDRESS.count(str(address)) <= SIGN_UPS_PER_ADDRESS.limit


class RemovedFromClass(Exception):
    """The instructor took this student off the class: only the instructor lets them back."""


@transaction.atomic
def do_join_class(*, student, school_class: SchoolClass) -> Enrollment:
    """Enroll the student with the class's code.

    A student the instructor removed is refused (RemovedFromClass): the code alone must not
    undo the instructor's decision. ``do_readmit_student`` lets them back.
    """
    enrollment, created = Enrollment.objects.select_for_update().get_or_create(
        school_class=school_class, student=student
    )
    if not created and enrollment.removed_at is not None:
        raise RemovedFromClass
    return enrollment


def do_readmit_student(*, enrollment: Enrollment) -> None:
    """The instructor lets a removed student back in; their earlier answers are kept."""
    enrollment.removed_at = None
    enrollment.joined_at = timezone.now()
    enrollment.save(update_fields=["removed_at", "joined_at"])


def do_remove_student(*, enrollment: Enrollment) -> None:
    """Take the student off the class. Their attempts and answers stay stored."""
    enrollment.removed_at = timezone.now()
    enrollment.save(update_fields=["removed_at"])


def do_regenerate_join_code(*, school_class: SchoolClass) -> str:
    """A fresh code; the old one stops working at once."""
    for _try in range(10):
        code = new_join_code()
        try:
            with transaction.atomic():
                school_class.join_code = code
                school_class.save(update_fields=["join_code"])
        except IntegrityError:
            continue
        return code
    raise RuntimeError("could not find a free join code")


@transaction.atomic
def save_assignment(*, assignment: Assignment, policy: dict | None) -> Assignment:
    """Save the assignment with its quiz's rules: ``policy`` (``QuizPolicy`` field values)
    makes it graded, None practice. Attempts taken under the policy keep the student's own
    due date (an extension's, or the assignment's) in step."""
    if policy is None:
        assignment.policy = None
    else:
        rules = assignment.policy or QuizPolicy()
        for name, value in policy.items():
            setattr(rules, name, value)
        rules.full_clean()
        rules.save()
        assignment.policy = rules
    assignment.save()
    if assignment.policy is not None:
        _sync_due_dates(assignment)
    return assignment


def _sync_due_dates(assignment: Assignment) -> None:
    extended = Extension.objects.filter(assignment=assignment, due_at__isnull=False)
    quiz_services.set_due_date(
        policy=assignment.policy,
        due_at=assignment.due_at,
        exclude_students=extended.values("student_id"),
    )
    for student_id, due_at in extended.values_list("student_id", "due_at"):
        quiz_services.set_due_date(policy=assignment.policy, due_at=due_at, students=[student_id])


@transaction.atomic
def do_set_extension(
    *, assignment: Assignment, student, due_at, extra_attempts: int
) -> Extension | None:
    """Give one student their own due date and/or extra attempts on the assignment (None and
    0 take the extension back). Their attempts under a graded quiz follow the new date."""
    if due_at is None and not extra_attempts:
        Extension.objects.filter(assignment=assignment, student=student).delete()
        extension = None
    else:
        extension, _created = Extension.objects.update_or_create(
            assignment=assignment,
            student=student,
            defaults={"due_at": due_at, "extra_attempts": extra_attempts},
        )
    if assignment.policy is not None:
        quiz_services.set_due_date(
            policy=assignment.policy, due_at=due_at or assignment.due_at, students=[student.pk]
        )
    return extension


def do_reopen_last_attempt(*, assignment: Assignment, student):
    """Open the student's last finished attempt on the assignment's quiz again (under its
    rules), answers kept. Raises ``quizzes.services.NothingToReopen``."""
    return quiz_services.reopen_last_attempt(
        student=student, unit=assignment.unit, policy=assignment.policy
    )
