"""Writes that touch more than one row or need care: sign-up (and its limit per address),
joining, removal, new codes."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import Enrollment, SchoolClass, new_join_code


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


SIGN_UP_WINDOW = 60 * 60  # seconds: SIGN_UP_LIMIT_PER_HOUR counts per hour


def _sign_ups_key(address: str | None) -> str:
    return f"sign-ups:{address}"


def claim_sign_up(*, address: str | None) -> bool:
    """Count one more sign-up from ``address``; False once this hour's limit is used up.

    A fixed window in the cache (shared by every server once CACHE_URL points at Redis): the
    first sign-up from an address starts its hour. A whole class behind one school address
    signs up within the default limit.
    """
    key = _sign_ups_key(address)
    cache.add(key, 0, timeout=SIGN_UP_WINDOW)
    try:
        count = cache.incr(key)
    except ValueError:  # the window ended between add() and incr()
        cache.add(key, 1, timeout=SIGN_UP_WINDOW)
        count = 1
    return count <= settings.SIGN_UP_LIMIT_PER_HOUR


def forget_sign_ups(*, address: str | None) -> None:
    cache.delete(_sign_ups_key(address))


@transaction.atomic
def do_join_class(*, student, school_class: SchoolClass) -> Enrollment:
    """Enroll the student, or re-admit them if they had been removed (their answers kept)."""
    enrollment, created = Enrollment.objects.select_for_update().get_or_create(
        school_class=school_class, student=student
    )
    if not created and enrollment.removed_at is not None:
        enrollment.removed_at = None
        enrollment.joined_at = timezone.now()
        enrollment.save(update_fields=["removed_at", "joined_at"])
    return enrollment


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
