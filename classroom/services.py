"""Writes that touch more than one row or need care: sign-up (and its limit per address),
joining, removal and re-admission, new codes."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.utils import timezone

from .limits import SIGN_UPS_PER_ADDRESS
from .models import INSTRUCTORS_GROUP, Enrollment, SchoolClass, new_join_code


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
