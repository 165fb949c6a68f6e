"""Who may open what. Views fetch classes, students and assignments only through these.

Anonymous visitors are sent to sign in; a signed-in user who is not an instructor gets 403
on every instructor page; an instructor asking for someone else's class gets 404, so the
existence of other classes is never revealed.
"""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from config.ids import id_or_404
from courseware.models import Unit

from .models import Assignment, Enrollment, SchoolClass, is_instructor


def instructor_required(view_func):
    """Sign-in first (redirect), then 403 for anyone outside the Instructors group."""

    @wraps(view_func)
    def wrapper(request, *args, **kwargs):
        if not is_instructor(request.user):
            raise PermissionDenied
        return view_func(request, *args, **kwargs)

    return login_required(wrapper)


def get_class_for_instructor(user, class_id) -> SchoolClass:
    return get_object_or_404(SchoolClass.objects.taught_by(user), pk=id_or_404(class_id))


def get_enrollment_for_instructor(user, class_id, student_id) -> Enrollment:
    """A current member of one of the instructor's classes, with the class and the student,
    in one query; removed students are 404 like strangers, and so are other classes."""
    return get_object_or_404(
        Enrollment.objects.active()
        .filter(school_class__in=SchoolClass.objects.taught_by(user))
        .select_related("school_class", "student"),
        school_class_id=id_or_404(class_id),
        student_id=id_or_404(student_id),
    )


def get_any_enrollment_for_instructor(user, class_id, student_id) -> Enrollment:
    """A student of one of the instructor's classes, current or removed (to re-admit them)."""
    return get_object_or_404(
        Enrollment.objects.filter(
            school_class__in=SchoolClass.objects.taught_by(user)
        ).select_related("school_class", "student"),
        school_class_id=id_or_404(class_id),
        student_id=id_or_404(student_id),
    )


def get_assignment_in_class(school_class: SchoolClass, assignment_id) -> Assignment:
    return get_object_or_404(
        Assignment.objects.for_class(school_class), pk=id_or_404(assignment_id)
    )


def get_assigned_unit(school_class: SchoolClass, slug: str) -> Unit:
    """A unit, but only if it is assigned to this class."""
    return get_object_or_404(Unit.objects.filter(assignments__school_class=school_class), slug=slug)
