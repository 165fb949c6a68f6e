"""Reading state: which units a student has opened and read, and how the page lays out."""

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .caching import CONTENT_TIMEOUT, content_cache
from .models import Course, ReadingProgress, Unit

READING_MODES = [
    ("side", _("Side by side")),
    ("zh", _("中文 only")),
    ("en", _("English only")),
    ("stacked", _("Stacked")),
]
MODE_KEYS = {key for key, _label in READING_MODES}


def reading_mode(request) -> str:
    """The layout asked for in the URL (pages work without JavaScript), else side by side."""
    mode = request.GET.get("mode", "")
    return mode if mode in MODE_KEYS else "side"


def column_languages(interface_language: str) -> list[str]:
    """The interface language's column comes first."""
    return ["en", "zh-hant"] if interface_language == "en" else ["zh-hant", "en"]


def unit_in_reading_order(slug: str) -> tuple[Unit, list[Unit]] | None:
    """The current unit with this slug (its course attached) and its course's current units
    in reading order; None if there is no such unit.

    One small query (every course's content version): the units are cached until the content
    changes. Whole rows: modeltranslation rewrites ``only()`` to the active language's
    columns, and the cached list serves both languages.
    """
    units = content_cache().get_or_set(
        f"current-units:{Course.objects.content_stamp()}",
        lambda: list(Unit.objects.in_reading_order().select_related("course")),
        timeout=CONTENT_TIMEOUT,
    )
    unit = next((unit for unit in units if unit.slug == slug), None)
    if unit is None:
        return None
    return unit, [other for other in units if other.course_id == unit.course_id]


@dataclass(frozen=True)
class ReadingState:
    progress: ReadingProgress
    read_count: int


def open_unit(user, unit: Unit, units: list[Unit]) -> ReadingState:
    """Record that ``user`` opened ``unit``; with how many of ``units`` they have read.

    One query once the unit has been opened before: this unit's row comes with the others.
    """
    rows = {
        row.unit_id: row
        for row in ReadingProgress.objects.for_user(user).filter(
            unit_id__in=[other.pk for other in units]
        )
    }
    progress = rows.get(unit.pk) or record_unit_opened(user, unit)
    return ReadingState(progress, sum(1 for row in rows.values() if row.is_read))


def record_unit_opened(user, unit: Unit) -> ReadingProgress:
    progress = ReadingProgress.objects.filter(user=user, unit=unit).first()
    if progress is None:
        ReadingProgress.objects.bulk_create(
            [ReadingProgress(user=user, unit=unit)], ignore_conflicts=True
        )
        progress = ReadingProgress.objects.get(user=user, unit=unit)
    return progress


def mark_unit_read(user, unit: Unit, *, read: bool = True) -> ReadingProgress:
    progress = record_unit_opened(user, unit)
    wanted = timezone.now() if read else None
    if read and progress.read_at:
        return progress
    progress.read_at = wanted
    progress.save(update_fields=["read_at"])
    return progress
