"""Writes of an LTI launch: the local account, the class of the LMS course, the activity."""

from __future__ import annotations

import hashlib

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from lti_tool.lti_core.constants import ContextRole
from lti_tool.lti_core.utils import normalize_role
from lti_tool.models import LtiContext, LtiLaunch, LtiUser

from classroom.models import INSTRUCTORS_GROUP, Enrollment, SchoolClass
from courseware.models import Unit

from .models import Activity, LtiActivity, LtiClass

# The LTI role claims (full URIs or short names) that make someone the class's instructor.
TEACHING_ROLES = {ContextRole.INSTRUCTOR, ContextRole.ADMINISTRATOR}


def is_teaching(roles: list[str] | None) -> bool:
    return any(normalize_role(role) in TEACHING_ROLES for role in roles or [])


def _username(lti_user: LtiUser) -> str:
    # The platform's user id can be long and hold any character: a stable digest of it,
    # per registration, never collides with a name people choose at sign-up (no "lti-").
    digest = hashlib.sha256(lti_user.sub.encode("utf-8")).hexdigest()[:20]
    return f"lti-{lti_user.registration_id}-{digest}"


def _display_name(lti_user: LtiUser) -> str:
    name = lti_user.name or " ".join(filter(None, [lti_user.given_name, lti_user.family_name]))
    return name[:150]


def account_for(lti_user: LtiUser):
    """The local account of a platform user: made at the first launch, without a password
    (they only ever sign in through the platform), its name kept up to date."""
    User = get_user_model()
    user = lti_user.auth_user
    # The e-mail address is what people see when the platform sends no name
    # (classroom.models.person_name), never the generated username.
    email = (lti_user.email or "")[:254]
    if user is None:
        user = User(username=_username(lti_user), first_name=_display_name(lti_user), email=email)
        user.set_unusable_password()
        user.save()
        lti_user.auth_user = user
        lti_user.save(update_fields=["auth_user", "datetime_modified"])
        return user
    changed = []
    if _display_name(lti_user) and user.first_name != _display_name(lti_user):
        user.first_name = _display_name(lti_user)
        changed.append("first_name")
    if email and user.email != email:
        user.email = email
        changed.append("email")
    if changed:
        user.save(update_fields=changed)
    return user


def _placeholder_instructor(context: LtiContext):
    """An inactive account that holds a class made by a student's launch until an instructor
    of the LMS course launches (a class must have an instructor)."""
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=f"lti-course-{context.pk}", defaults={"is_active": False}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def class_for(context: LtiContext, *, instructor=None) -> SchoolClass:
    """The class tied to the LMS course, made at its first launch."""
    link = LtiClass.objects.select_related("school_class").filter(context=context).first()
    if link is None:
        school_class = SchoolClass.objects.create(
            name=(context.title or context.label or context.id_on_platform)[:120],
            term=(context.label or "LMS")[:60],
            instructor=instructor or _placeholder_instructor(context),
        )
        LtiClass.objects.create(context=context, school_class=school_class)
        return school_class
    school_class = link.school_class
    if instructor is not None and not school_class.instructor.is_active:
        school_class.instructor = instructor
        school_class.save(update_fields=["instructor"])
    return school_class


def enrol(student, school_class: SchoolClass) -> None:
    """Put the student in the class, re-admitting them if they had been removed."""
    enrollment, created = Enrollment.objects.get_or_create(
        school_class=school_class, student=student
    )
    if not created and enrollment.removed_at is not None:
        enrollment.removed_at = None
        enrollment.save(update_fields=["removed_at"])


@transaction.atomic
def do_lti_sign_in(*, launch: LtiLaunch):
    """The launching platform user's account, in the class of the launch's LMS course.

    Instructors (and administrators) of the LMS course join the Instructors group and teach
    the class; everyone else is enrolled in it.
    """
    user = account_for(launch.user)
    teaching = is_teaching(launch.roles_claim)
    if teaching:
        user.groups.add(Group.objects.get_or_create(name=INSTRUCTORS_GROUP)[0])
    school_class = class_for(launch.context, instructor=user if teaching else None)
    if not teaching:
        enrol(user, school_class)
    return user, school_class


@transaction.atomic
def do_record_activity(
    *, launch: LtiLaunch, school_class: SchoolClass, unit: Unit, activity: str
) -> LtiActivity:
    """What the launched link opens, and the gradebook column its grades go to."""
    if activity not in Activity.values:
        activity = Activity.READING
    ags = launch.ags_claim or {}
    defaults = {"school_class": school_class, "unit": unit, "activity": activity}
    if ags.get("lineitem"):
        defaults["lineitem_url"] = ags["lineitem"]
    record, _created = LtiActivity.objects.update_or_create(
        resource_link=launch.resource_link, defaults=defaults
    )
    return record


@transaction.atomic
def do_sync_roster(*, school_class: SchoolClass, members: list[dict]) -> dict[str, int]:
    """Enrol the LMS course's active learners (Names and Role Provisioning Services data),
    making their accounts; remove nobody (the platform's roster may be partial)."""
    context = school_class.lti_link.context
    context.update_memberships(members)
    counts = {"enrolled": 0, "learners": 0}
    before = set(Enrollment.objects.in_class(school_class).values_list("student_id", flat=True))
    learners = context.memberships.filter(is_learner=True, is_active=True).select_related(
        "user__registration", "user__auth_user"
    )
    for membership in learners:
        user = account_for(membership.user)
        counts["learners"] += 1
        if user.pk not in before:
            enrol(user, school_class)
            counts["enrolled"] += 1
    return counts
