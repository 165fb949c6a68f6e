"""The quiz panel on every unit page (registered through ``courseware.extensions``)."""

from courseware.caching import CONTENT_TIMEOUT, content_cache
from courseware.extensions import UnitPanel

from .models import MASTERY_THRESHOLD, Item
from .selectors import unit_quiz_status


def unit_panel_context(request, unit) -> dict | None:
    """Start/resume and the best score for a student; a sign-in prompt for visitors.

    Hidden when the unit has no items. The item count is cached until the content changes, so
    visitors cost no query and students one (``unit.course`` should come with the unit).
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
        context["status"] = unit_quiz_status(request.user, unit)
    return context


UNIT_PANEL = UnitPanel(template="quizzes/unit_panel.html", context=unit_panel_context)
