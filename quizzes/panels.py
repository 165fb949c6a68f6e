"""The quiz panel on every unit page (registered through ``courseware.extensions``)."""

from courseware.caching import CONTENT_TIMEOUT, content_cache
from courseware.extensions import UnitPanel

from .models import MASTERY_THRESHOLD, Item
from .policies import assigned_policy
from .selectors import unit_quiz_status


def unit_panel_context(request, unit) -> dict | None:
    """Start/resume and the best score (the grade) for a student, with a graded quiz's rules;
    a sign-in prompt for visitors.

    Hidden when the unit has no items. The item count is cached until the content changes, so
    visitors cost no query and students two: the rules that apply, their attempts
    (``unit.course`` should come with the unit).
    """
    item_count = content_cache().get_or_set(
        f"unit-item-count:{unit.pk}:{unit.course.content_version}",
        lambda: Item.objects.for_unit(unit).count(),
        timeout=CONTENT_TIMEOUT,
    )
    if not item_count:
        return None
    context = {
        "unit": unit,
        "item_count": item_count,
        "status": None,
        "mastery_percent": round(MASTERY_THRESHOLD * 100),
    }
    if request.user.is_authenticated:
        # The rules come before the start button: a graded quiz says what it allows.
        assigned = assigned_policy(request.user, unit)
        status = unit_quiz_status(request.user, unit, assigned.policy)
        context["status"] = status
        context["best_percent"] = status.best_percent
        if assigned.policy is not None:
            left = max(0, assigned.attempts_allowed - status.used_count)
            context.update(
                policy=assigned.policy,
                due_at=assigned.due_at,
                attempts_allowed=assigned.attempts_allowed,
                attempts_used=status.used_count,
                attempts_left=left,
                closed=assigned.is_closed(),
                can_start=bool(status.open_attempt_id) or (left and not assigned.is_closed()),
            )
    return context


def panel_shape(context: dict) -> tuple:
    """Everything ``quizzes/unit_panel.html`` shows of a signed-in reader's context but the
    grade and the attempts used (its holes): the panel is rendered once per shape."""
    status, policy = context["status"], context.get("policy")
    return (
        context["unit"].slug,
        context["item_count"],
        context["mastery_percent"],
        status is not None,
        status is not None and status.best_score is None,
        status is not None and status.is_mastery,
        status is not None and bool(status.open_attempt_id),
        status is not None and bool(status.finished_count),
        policy
        and (policy.pk, policy.grading_method, policy.review_moment, policy.show_correctness),
        context.get("due_at"),
        context.get("attempts_allowed"),
        context.get("attempts_left"),
        context.get("closed"),
        bool(context.get("can_start")),
    )


UNIT_PANEL = UnitPanel(
    template="quizzes/unit_panel.html",
    context=unit_panel_context,
    shape=panel_shape,
    holes=("best_percent", "attempts_used"),
)
