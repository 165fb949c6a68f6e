"""The quiz panel on every unit page (registered through ``courseware.extensions``)."""

from courseware.extensions import UnitPanel

from .models import MASTERY_THRESHOLD, Item
from .selectors import unit_quiz_status


def unit_panel_context(request, unit) -> dict | None:
    """Start/resume and the best score for a student; a sign-in prompt for visitors.

    Hidden when the unit has no items. One query for visitors, two for students.
    """
    item_count = Item.objects.for_unit(unit).count()
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
