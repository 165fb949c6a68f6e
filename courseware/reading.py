"""The reading pages' reads and writes: the course's units and content, which units a reader
has opened and read, and how the page lays out."""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from config.prepared import PreparedQuery

from .caching import CONTENT_TIMEOUT, content_cache
from .models import Course, Passage, PassageNote, ReadingProgress, Term, Unit
from .readings import annotate
from .simplified import displays_simplified, to_simplified

READING_MODES = [
    ("side", _("Side by side")),
    ("zh", _("中文 only")),
    ("en", _("English only")),
    ("stacked", _("Stacked")),
]
MODE_KEYS = {key for key, _label in READING_MODES}
DEFAULT_MODE = "side"


def reading_mode(request) -> str:
    """The layout asked for in the URL (pages work without JavaScript), else side by side."""
    mode = request.GET.get("mode", "")
    return mode if mode in MODE_KEYS else DEFAULT_MODE


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


def the_course() -> Course:
    """The course the site teaches (the first one loaded); Http404 before any is loaded."""
    return get_object_or_404(Course.objects.all()[:1])


def unit_body(unit: Unit, readings: str = "off") -> dict:
    """Everything of the unit page that depends only on the content: passages with their
    notes, footnotes, glossary terms and cited references; with ``readings`` (pinyin or
    zhuyin), each passage's Chinese with ruby readings as ``ruby_html``."""
    passages = (
        Passage.objects.current()
        .filter(unit=unit)
        .order_by("order")
        # The stored words are read only to put readings on the page.
        .defer(*([] if readings in ("pinyin", "zhuyin") else ["words"]))
        .prefetch_related(Prefetch("notes", PassageNote.objects.order_by("order")))
    )
    terms = Term.objects.filter(passages__unit=unit).distinct().order_by("key")
    references = (
        unit.course.references.filter(citations__passage__unit=unit).distinct().order_by("label")
    )
    body = {
        "passages": list(passages),
        "footnotes": list(unit.footnotes.all()),
        "terms": list(terms),
        "references": list(references),
    }
    if readings in ("pinyin", "zhuyin"):
        script = "zh-hans" if displays_simplified() else "zh-hant"
        for passage in body["passages"]:
            passage.ruby_html = annotate(
                passage.html_zh_hant, readings, passage.words.get(script, [])
            )
    return body


LEADING_MARKS = re.compile(r"^[\W_]+")


def glossary_terms(*, language: str = "en", query: str = "") -> list[Term]:
    """Terms with the current passages they appear in (in reading order), listed by their
    headword in the interface language, keeping those whose headwords or definitions (either
    language) contain ``query``, case folded."""
    terms = Term.objects.prefetch_related(
        Prefetch(
            "passages",
            Passage.objects.current().select_related("unit").order_by("unit__order", "order"),
        )
    )
    # Either script finds a term in either: both sides are compared in Simplified.
    needle = to_simplified(query).casefold()
    if needle:
        terms = [term for term in terms if needle in _searchable(term)]
    # English alphabetically, past any opening quote; Chinese by the headword's readings,
    # zhuyin order in Traditional, pinyin order in Simplified (Term.zhuyin_key, pinyin_key).
    if language == "en":
        return sorted(terms, key=lambda term: LEADING_MARKS.sub("", term.term_en or "").casefold())
    order = "pinyin_key" if language == "zh-hans" else "zhuyin_key"
    return sorted(terms, key=lambda term: (getattr(term, order), term.term_zh_hant or ""))


def _searchable(term: Term) -> str:
    fields = ("term_zh_hant", "term_en", "definition_zh_hant", "definition_en")
    fields += ("literal_zh_hant", "literal_en")
    return to_simplified(" ".join(getattr(term, name) or "" for name in fields)).casefold()


def bibliography(course: Course):
    """The course's references with the passages that cite them."""
    return course.references.order_by("label").prefetch_related(
        Prefetch("citations__passage", Passage.objects.select_related("unit"))
    )


@dataclass(frozen=True)
class ReadingState:
    """A reader's progress through a course's current units."""

    progress: dict[int, ReadingProgress] = field(default_factory=dict)  # by unit id
    unit_count: int = 0

    @property
    def read_count(self) -> int:
        """Units read: the one count of the course page, the unit page and its button."""
        return sum(1 for row in self.progress.values() if row.is_read)


def reading_state(user, units: Iterable[Unit]) -> ReadingState:
    """``user``'s progress on ``units`` (a course's current units): one query, none for a
    visitor."""
    units = list(units)
    if not user.is_authenticated:
        return ReadingState(unit_count=len(units))
    wanted = {unit.pk for unit in units}
    # Every row of the reader (one per unit ever opened, a course's worth), kept if wanted:
    # one SQL text for any list of units, compiled once (config.prepared).
    rows = _progress_of_reader.objects(user_id=user.pk)
    return ReadingState({row.unit_id: row for row in rows if row.unit_id in wanted}, len(units))


_progress_of_reader = PreparedQuery(
    lambda user_id: ReadingProgress.objects.for_user(user_id).order_by()
)


def open_unit(user, unit: Unit, units: list[Unit]) -> tuple[ReadingProgress, ReadingState]:
    """Record that ``user`` opened ``unit``; their progress on it and on ``units``.

    One query once the unit has been opened before: this unit's row comes with the others.
    """
    state = reading_state(user, units)
    return state.progress.get(unit.pk) or record_unit_opened(user, unit), state


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
