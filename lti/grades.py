"""Assignment and Grade Services: a unit's grade goes to the LMS gradebook column.

A quiz link gets the student's best finished graded attempt on the unit (0 to 1); a reading
link gets 1 once the unit is mastered (quizzes.grading.is_mastery). The send happens when a
graded attempt finishes, after its transaction commits; a grade that did not change is not
sent again, a changed one is (a better attempt, or a corrected key regrading answers), and
a failed send is kept for ``lti_send_grades``.
"""

from __future__ import annotations

import logging

from django.contrib.auth import get_user_model
from django.utils import timezone
from lti_tool.models import LtiUser
from pylti1p3.assignments_grades import AssignmentsGradesService
from pylti1p3.exception import LtiException
from pylti1p3.grade import Grade
from pylti1p3.service_connector import ServiceConnector
from requests import RequestException

from courseware.models import Unit
from quizzes.grading import is_mastery
from quizzes.models import Attempt
from quizzes.policies import assigned_policy
from quizzes.selectors import unit_quiz_status

from .models import Activity, LtiActivity, LtiScore

logger = logging.getLogger(__name__)

SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"


def on_graded_attempt_finished(sender, attempt: Attempt, **kwargs) -> None:
    send_unit_grades(student=attempt.student, unit=attempt.unit)


def on_graded_attempts_regraded(sender, attempt_ids, **kwargs) -> None:
    """A corrected key changed scores: each affected student's grade on each affected unit
    goes again (only where it changed; failures are kept for ``lti_send_grades``)."""
    pairs = (
        Attempt.objects.filter(pk__in=attempt_ids).values_list("student_id", "unit_id").distinct()
    )
    students = {
        user.pk: user
        for user in get_user_model().objects.filter(
            pk__in={student_id for student_id, _unit in pairs}
        )
    }
    units = Unit.objects.in_bulk({unit_id for _student, unit_id in pairs})
    for student_id, unit_id in pairs:
        send_unit_grades(student=students[student_id], unit=units[unit_id])


def grade_for(activity: LtiActivity, best: float | None) -> float | None:
    if activity.activity == Activity.QUIZ:
        return best
    return 1.0 if is_mastery(best) else None


def send_unit_grades(*, student, unit, force: bool = False) -> int:
    """Send the student's grade on ``unit`` to every LMS column linked to it; the count sent."""
    activities = list(LtiActivity.objects.graded_for(student, unit))
    if not activities:
        return 0
    # Under a graded assignment, the grade its method gives (issue #14); else the best score.
    best = unit_quiz_status(student, unit, assigned_policy(student, unit).policy).best_score
    sent = 0
    for activity in activities:
        score = grade_for(activity, best)
        if score is None:
            continue
        record = LtiScore.objects.filter(activity=activity, student=student).first()
        if record and not force and record.sent_at and abs(record.score - score) < 1e-9:
            continue
        sent += _send(activity, student, score, record)
    return sent


def _send(activity: LtiActivity, student, score: float, record: LtiScore | None) -> int:
    record = record or LtiScore(activity=activity, student=student, score=score)
    record.score, record.updated_at = score, timezone.now()
    registration = activity.resource_link.context.deployment.registration
    lti_user = LtiUser.objects.filter(registration=registration, auth_user=student).first()
    if lti_user is None:
        record.error, record.sent_at = "no platform account", None
        record.save()
        return 0
    grade = (
        Grade()
        .set_score_given(round(score, 6))
        .set_score_maximum(1)
        .set_timestamp(timezone.now().isoformat())
        .set_activity_progress("Completed")
        .set_grading_progress("FullyGraded")
        .set_user_id(lti_user.sub)
    )
    service = AssignmentsGradesService(
        ServiceConnector(registration.to_registration()),
        {"scope": [SCORE_SCOPE], "lineitem": activity.lineitem_url},
    )
    try:
        service.put_grade(grade)
    except (LtiException, RequestException, ValueError) as error:
        logger.warning("LTI grade for %s on %s not sent: %s", student.pk, activity.pk, error)
        record.error, record.sent_at = str(error)[:2000], None
        record.save()
        return 0
    record.error, record.sent_at = "", timezone.now()
    record.save()
    return 1


def resend_failed() -> int:
    """Send again every grade whose last send failed."""
    sent = 0
    for record in LtiScore.objects.filter(sent_at__isnull=True).select_related(
        "activity__unit", "student"
    ):
        sent += send_unit_grades(student=record.student, unit=record.activity.unit, force=True)
    return sent
