"""Reading state: which units a student has opened and read, and how the page lays out."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import ReadingProgress, Unit

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


def unit_body_cache_key(unit: Unit, language: str) -> str:
    return f"unit-body:{unit.pk}:{language}:{unit.course.content_version}"


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
