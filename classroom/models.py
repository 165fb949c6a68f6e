import re
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from courseware.models import Unit
from quizzes.models import QuizPolicy

INSTRUCTORS_GROUP = "Instructors"

# No 0/O or 1/I/L: codes are read aloud and copied from a projector.
JOIN_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
JOIN_CODE_LENGTH = 8


# Dates an instructor sets. A mistyped year (0001, 20266) would be stored, and year 1 shifted
# to UTC cannot even be read back by PostgreSQL's driver, taking down every page that shows
# the class; a course is taught in this century.
FIRST_YEAR, LAST_YEAR = 2000, 2100


def validate_course_date(value) -> None:
    if value is not None and not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValidationError(
            _("Choose a date between the years %(first)s and %(last)s."),
            code="date_out_of_range",
            params={"first": FIRST_YEAR, "last": LAST_YEAR},
        )


def new_join_code() -> str:
    return "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


# Accounts made at an LMS launch are named "lti-<registration>-<digest of the platform's id>"
# (lti.services): a key for the database, never a name to show anyone.
GENERATED_USERNAME = re.compile(r"^lti-\d+-[0-9a-f]{20}$")

# The fields person_name reads, for values_list() queries.
NAME_FIELDS = ("first_name", "email", "username")


def person_name(first_name: str, email: str, username: str) -> str:
    """The name to show for an account: the name given at sign-up or by the LMS (kept in
    ``first_name``), else the e-mail address, else the username unless it was generated."""
    if first_name:
        return first_name
    if email:
        return email
    if GENERATED_USERNAME.match(username):
        return _("LMS user %(ref)s") % {"ref": username[-6:]}
    return username


def shown_username(username: str) -> str:
    """The username beside a name: people sign in with it; a generated one means nothing."""
    return "" if GENERATED_USERNAME.match(username) else username


def display_name(user) -> str:
    return person_name(user.first_name, user.email, user.username)


def normalise_join_code(code: str) -> str:
    """Codes are typed from a projector: ignore case, spaces and dashes."""
    return "".join(code.split()).replace("-", "").upper()


def is_instructor(user) -> bool:
    if not user.is_authenticated:
        return False
    cached = getattr(user, "_is_instructor", None)
    if cached is None:
        cached = user.groups.filter(name=INSTRUCTORS_GROUP).exists()
        user._is_instructor = cached
    return cached


class SchoolClassQuerySet(models.QuerySet):
    def taught_by(self, user):
        return self.filter(instructor=user)

    def attended_by(self, user):
        return self.filter(enrollments__student=user, enrollments__removed_at__isnull=True)

    def with_student_count(self):
        return self.annotate(
            student_count=models.Count(
                "enrollments", filter=models.Q(enrollments__removed_at__isnull=True)
            )
        )


class SchoolClass(models.Model):
    name = models.CharField(_("name"), max_length=120)
    term = models.CharField(pgettext_lazy("school term", "term"), max_length=60)
    instructor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="classes_taught"
    )
    join_code = models.CharField(_("join code"), max_length=16, unique=True, default=new_join_code)
    created_at = models.DateTimeField(default=timezone.now)

    objects = SchoolClassQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("class")
        verbose_name_plural = _("classes")

    def __str__(self):
        return f"{self.name} ({self.term})"

    def get_absolute_url(self):
        return reverse("classroom:progress", kwargs={"class_id": self.pk})


class EnrollmentQuerySet(models.QuerySet):
    def active(self):
        return self.filter(removed_at__isnull=True)

    def removed(self):
        return self.filter(removed_at__isnull=False)

    def in_class(self, school_class):
        return self.active().filter(school_class=school_class)

    def by_name(self):
        return self.order_by("student__first_name", "student__username")


class Enrollment(models.Model):
    school_class = models.ForeignKey(
        SchoolClass, on_delete=models.CASCADE, related_name="enrollments"
    )
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrollments"
    )
    joined_at = models.DateTimeField(default=timezone.now)
    # Removing a student keeps the row (and every answer they gave): they can be re-admitted.
    removed_at = models.DateTimeField(null=True, blank=True)

    objects = EnrollmentQuerySet.as_manager()

    class Meta:
        ordering = ["joined_at"]
        constraints = [
            models.UniqueConstraint(fields=["school_class", "student"], name="one_enrollment")
        ]
        verbose_name = _("enrollment")
        verbose_name_plural = _("enrollments")

    def __str__(self):
        return f"{self.student} in {self.school_class}"


class AssignmentQuerySet(models.QuerySet):
    def for_class(self, school_class):
        return (
            self.filter(school_class=school_class)
            .select_related("unit", "policy")
            .order_by("due_at", "unit__order")
        )

    def graded_rules_of(self, school_class):
        """The ids of the class's graded rules (a values queryset, for ``__in``)."""
        return self.filter(school_class=school_class, policy__isnull=False).values("policy_id")

    def visible(self, now=None):
        now = now or timezone.now()
        return self.filter(models.Q(visible_from__isnull=True) | models.Q(visible_from__lte=now))


class Assignment(models.Model):
    school_class = models.ForeignKey(
        SchoolClass, on_delete=models.CASCADE, related_name="assignments"
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="assignments")
    due_at = models.DateTimeField(_("due"), validators=[validate_course_date])
    visible_from = models.DateTimeField(
        _("visible from"), null=True, blank=True, validators=[validate_course_date]
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # The graded quiz's rules; None is a practice quiz. Kept when the assignment becomes
    # practice again or is deleted, for the attempts taken under it.
    policy = models.OneToOneField(
        QuizPolicy,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assignment",
        verbose_name=_("quiz policy"),
    )

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["due_at"]
        constraints = [
            models.UniqueConstraint(fields=["school_class", "unit"], name="unit_assigned_once")
        ]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")

    def __str__(self):
        return f"{self.school_class} · {self.unit.slug}"

    @property
    def is_graded(self) -> bool:
        return self.policy_id is not None


class Extension(models.Model):
    """One student's own terms on an assignment: a later due date, extra attempts, or both."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="extensions")
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="extensions"
    )
    # Replaces the assignment's due date for this student; None keeps the class's.
    due_at = models.DateTimeField(_("own due date"), null=True, blank=True)
    # Graded quizzes: attempts on top of the policy's.
    extra_attempts = models.PositiveSmallIntegerField(_("extra attempts"), default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assignment", "student"], name="one_extension")
        ]
        verbose_name = _("extension")
        verbose_name_plural = _("extensions")

    def __str__(self):
        return f"{self.assignment} · {self.student}"
