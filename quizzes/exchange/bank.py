"""The item bank as every export format reads it: plain data, both languages side by side."""

from __future__ import annotations

from dataclasses import dataclass, field

from courseware.course_file import pair
from courseware.models import Course, Unit

from ..models import Item, current_choices

# Our languages as each target names them. Moodle's multi-language filter uses Moodle's
# language-pack codes (Traditional Chinese is "zh_tw"); QTI uses BCP 47 tags (xml:lang).
MOODLE_LANGUAGES = {"zh-hant": "zh_tw", "en": "en"}
QTI_LANGUAGES = {"zh-hant": "zh-Hant", "en": "en"}


@dataclass(frozen=True)
class ExportedChoice:
    key: str
    text: dict[str, str]
    match: dict[str, str]  # matching items: the right-hand side of this pair
    feedback: dict[str, str]
    is_correct: bool


@dataclass(frozen=True)
class ExportedItem:
    key: str
    kind: str
    number: int  # position in its unit, from 1
    stem: dict[str, str]
    explanation: dict[str, str]
    # For ordering items the choices are in the correct order.
    choices: list[ExportedChoice]
    tags: list[dict[str, str]]
    unit_slug: str
    unit_order: int
    unit_heading: dict[str, str]
    correct_count: int = field(default=0)


def _heading(unit: Unit) -> dict[str, str]:
    labels, titles = pair(unit, "label"), pair(unit, "title")
    return {
        language: title if labels[language] == title else f"{labels[language]} {title}".strip()
        for language, title in titles.items()
    }


def exported_items(course: Course, unit: Unit | None = None) -> list[ExportedItem]:
    """The current items of the course's current units (or of one unit), in reading order.

    Three queries whatever the bank's size: items with their units, choices, tags.
    """
    items = (
        Item.objects.current()
        .filter(unit__course=course, unit__archived=False)
        .select_related("unit")
        .prefetch_related("choices", "tags")
        .order_by("unit__order", "order", "pk")
    )
    if unit is not None:
        items = items.filter(unit=unit)
    exported = []
    for item in items:
        choices = [
            ExportedChoice(
                key=choice.key,
                text=pair(choice, "text"),
                match=pair(choice, "match"),
                feedback=pair(choice, "feedback"),
                is_correct=choice.is_correct,
            )
            for choice in current_choices(item)
        ]
        exported.append(
            ExportedItem(
                key=item.key,
                kind=item.kind,
                number=item.order,
                stem=pair(item, "stem"),
                explanation=pair(item, "explanation"),
                choices=choices,
                tags=[pair(tag, "label") for tag in item.tags.all()],
                unit_slug=item.unit.slug,
                unit_order=item.unit.order,
                unit_heading=_heading(item.unit),
                correct_count=sum(1 for choice in choices if choice.is_correct),
            )
        )
    return exported


def course_title(course: Course) -> dict[str, str]:
    return pair(course, "title")


def short(text: str, length: int) -> str:
    """The start of a text for a name, cut at ``length`` characters with an ellipsis."""
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def item_name(item: ExportedItem) -> str:
    """A question's name in the target's bank: its place in the course and its stem's start,
    in both languages (names are not run through Moodle's multi-language filter by default,
    so they carry plain text, not spans)."""
    return (
        f"{item.unit_order:02d}.{item.number:02d} "
        f"{short(item.stem['zh-hant'], 24)} | {short(item.stem['en'], 48)}"
    )


def tag_name(label: dict[str, str]) -> str:
    """A tag in both languages; commas would split it into two tags in Moodle."""
    return f"{label['en']} / {label['zh-hant']}".replace(",", " ")


def multiple_fraction(item: ExportedItem) -> float:
    """The weight of each choice of a multiple-response item, from our grading rule
    (quizzes.grading.grade_multiple): (right picked − wrong picked) / number right, floored
    at 0. So each right choice is worth +1/n and each wrong one −1/n, and Moodle, which adds
    the fractions of the picked choices and floors the sum at 0, gives the same score."""
    return 1 / item.correct_count if item.correct_count else 0.0
