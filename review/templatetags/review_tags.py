import math
from datetime import datetime

from django import template
from django.utils import timezone
from django.utils.translation import ngettext

from courseware.simplified import displayed

register = template.Library()


@register.filter
def chinese(text: str) -> str:
    """A saved word (kept in Traditional) as the page shows Chinese: Simplified on zh-hans."""
    return displayed(text or "")


@register.filter
def time_until_review(due: datetime, now: datetime | None = None) -> str:
    """How long until ``due``, in one unit a student reads at a glance: minutes (rounded up,
    so the one-minute step after Again never reads "0 minutes"), hours, or days.

    Django's ``timeuntil`` rounds down and gives two units ("1 week, 5 days"), and its
    Traditional Chinese says 分 for minutes, which next to a grade reads as points.
    """
    seconds = max(0.0, (due - (now or timezone.now())).total_seconds())
    minutes = max(1, math.ceil(seconds / 60))
    if minutes < 60:
        return ngettext("%(count)s minute", "%(count)s minutes", minutes) % {"count": minutes}
    hours = round(seconds / 3600)
    if hours < 24:
        return ngettext("%(count)s hour", "%(count)s hours", hours) % {"count": hours}
    days = round(seconds / 86400)
    return ngettext("%(count)s day", "%(count)s days", days) % {"count": days}
