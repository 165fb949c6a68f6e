"""What ties the learning platform's objects (django-lti's models) to ours.

django-lti keeps the platforms (registrations, deployments), their users, courses (contexts)
and links; a platform user's local account is ``LtiUser.auth_user``. Here: which class an
LMS course enrols its students in, what each link placed in the LMS opens, and the grades
sent back.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from classroom.models import SchoolClass
from courseware.models import Unit


class LtiClass(models.Model):
    """The class of an LMS course (one LTI context): launches from it enrol students here."""

    context = models.OneToOneField(
        "lti_tool.LtiContext", on_delete=models.CASCADE, related_name="school_class_link"
    )
    school_class = models.OneToOneField(
        SchoolClass, on_delete=models.CASCADE, related_name="lti_link"
    )

    class Meta:
        verbose_name = _("LMS course")
        verbose_name_plural = _("LMS courses")

    def __str__(self):
        return str(self.school_class)


class Activity(models.TextChoices):
    READING = "reading", pgettext_lazy("activity", "Reading")
    QUIZ = "quiz", pgettext_lazy("activity", "Quiz")


class LtiActivityQuerySet(models.QuerySet):
    def graded_for(self, student, unit):
        """Links to ``unit`` with a gradebook column, in classes ``student`` is in."""
        return (
            self.filter(unit=unit)
            .exclude(lineitem_url="")
            .filter(
                school_class__enrollments__student=student,
                school_class__enrollments__removed_at__isnull=True,
            )
            .select_related("resource_link__context__deployment__registration")
        )


class LtiActivity(models.Model):
    """A link placed in the LMS (by deep linking) and what it opens: a unit's reading or quiz.

    ``lineitem_url`` is the LMS gradebook column the link's grades go to (AGS), when the
    platform gave one.
    """

    resource_link = models.OneToOneField(
        "lti_tool.LtiResourceLink", on_delete=models.CASCADE, related_name="activity"
    )
    school_class = models.ForeignKey(
        SchoolClass, on_delete=models.CASCADE, related_name="lti_activities"
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="lti_activities")
    activity = models.CharField(_("activity"), max_length=10, choices=Activity.choices)
    lineitem_url = models.URLField(_("line item URL"), max_length=500, blank=True)

    objects = LtiActivityQuerySet.as_manager()

    class Meta:
        verbose_name = _("LMS activity")
        verbose_name_plural = _("LMS activities")

    def __str__(self):
        return f"{self.unit.slug} ({self.activity})"


class LtiScore(models.Model):
    """The last grade sent (or that failed to send) for one student on one activity.

    A new finish that does not change the grade sends nothing; a changed grade (a better
    attempt, a regrade) is sent again. Failed sends are retried by ``lti_send_grades``.
    """

    activity = models.ForeignKey(LtiActivity, on_delete=models.CASCADE, related_name="scores")
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lti_scores"
    )
    # From 0 to 1, as the LMS receives it (scoreGiven over scoreMaximum 1).
    score = models.FloatField()
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["activity", "student"], name="one_lti_score")
        ]
        verbose_name = _("grade sent to the LMS")
        verbose_name_plural = _("grades sent to the LMS")

    def __str__(self):
        return f"{self.student} · {self.activity}: {self.score:.2f}"
