"""Loading a validated course file in one transaction, updating rows in place by key.

Student progress points at units, passages and items, so a corrected file updates those
rows where they are; loading the same file twice changes nothing. Rows the file no longer
has are deleted, or, where students answered or read them, refused unless ``force`` archives
them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import models, transaction
from django.utils.translation import gettext as _

from ..models import (
    Citation,
    Course,
    Footnote,
    Passage,
    PassageNote,
    ReadingProgress,
    Reference,
    Term,
    Unit,
)
from ..rendering import render_passage
from ..segmenting import add_words, headword_keys, passage_words
from ..signals import course_content_loaded
from .reading import LANGUAGES, CourseFileError, field_name
from .sections import registered_sections
from .validation import validate


@dataclass
class LoadContext:
    course: Course
    units: dict[str, Unit]
    passages: dict[str, Passage]
    force: bool
    stats: dict[str, int] = field(default_factory=dict)
    # Removals that need --force: all are collected, so one run names every one of them.
    refusals: list[str] = field(default_factory=list)

    def count(self, name: str, n: int = 1) -> None:
        self.stats[name] = self.stats.get(name, 0) + n

    def refuse(self, message: str) -> None:
        self.refusals.append(message)


def translated_fields(name: str, value: dict | None) -> dict[str, str]:
    value = value or {}
    return {field_name(name, language): value.get(language, "") for language in LANGUAGES}


def joined_lines(values: list[dict]) -> dict[str, str]:
    return {
        language: "\n".join(item[language].strip() for item in values) for language in LANGUAGES
    }


def upsert(model, lookup: dict, values: dict, ctx: LoadContext, label: str):
    """Create or update one row by its stable key; save only what changed."""
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model.objects.create(**lookup, **values)
        ctx.count(f"{label} created")
        return obj
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if changed:
        for name in changed:
            setattr(obj, name, values[name])
        obj.save(update_fields=changed)
        ctx.count(f"{label} updated")
    return obj


def remove_missing(queryset, ctx: LoadContext, label: str, describe) -> None:
    """Delete rows the file no longer has; rows with student data are archived with --force."""
    for obj in queryset:
        has_student_data = False
        try:
            with transaction.atomic():
                if isinstance(obj, Unit) and ReadingProgress.objects.filter(unit=obj).exists():
                    raise models.ProtectedError("reading progress", [obj])
                obj.delete()
            ctx.count(f"{label} deleted")
            continue
        except (models.ProtectedError, models.RestrictedError):
            has_student_data = True
        if has_student_data and not ctx.force:
            ctx.refuse(
                _(
                    "%(what)s is not in the file but students have answers or progress on it; "
                    "it was not removed. Run again with --force to archive it instead."
                )
                % {"what": describe(obj)}
            )
            continue
        if not getattr(obj, "archived", True):
            obj.archived = True
            obj.save(update_fields=["archived"])
            ctx.count(f"{label} archived")


def load(data: dict, *, force: bool = False) -> dict[str, int]:
    """Validate then load ``data``; returns counts of what changed."""
    validate(data)
    with transaction.atomic():
        stats = _load_validated(data, force=force)
    return stats


def _load_validated(data: dict, *, force: bool) -> dict[str, int]:
    course_data = data["course"]
    ctx = LoadContext(
        course=Course.objects.filter(slug=course_data["slug"]).first(),
        units={},
        passages={},
        force=force,
    )
    ctx.course = course = _load_course(course_data, ctx)
    references = _load_references(data["references"], ctx)
    terms = _load_terms(data["terms"], ctx)
    for order, unit_data in enumerate(data["units"], start=1):
        _load_unit(unit_data, order, references, terms, ctx)
    for section in registered_sections():
        section.load(data, ctx)
    _remove_what_the_file_dropped(data, references, terms, ctx)
    if ctx.refusals:
        raise CourseFileError(ctx.refusals)  # rolls the whole load back
    if render_all(course, ctx) or ctx.stats:
        Course.objects.filter(pk=course.pk).mark_content_changed()
    course_content_loaded.send(sender=Course, course=course)
    return ctx.stats


def _load_course(course_data: dict, ctx: LoadContext) -> Course:
    return upsert(
        Course,
        {"slug": course_data["slug"]},
        {
            "author": course_data["author"],
            **translated_fields("title", course_data["title"]),
            **translated_fields("description", course_data["description"]),
            **translated_fields("source", course_data["source"]),
        },
        ctx,
        "courses",
    )


def _load_references(entries: list[dict], ctx: LoadContext) -> dict[str, Reference]:
    references = {}
    for reference in entries:
        references[reference["key"]] = upsert(
            Reference,
            {"key": reference["key"]},
            {
                "course": ctx.course,
                "label": reference["label"],
                **translated_fields("entry", reference["entry"]),
            },
            ctx,
            "references",
        )
    return references


def _load_terms(entries: list[dict], ctx: LoadContext) -> dict[str, Term]:
    terms = {}
    # Headwords are read in their words: the segmenter knows the glossary's forms first.
    add_words(form for term in entries for form in term["forms"].get("zh-hant") or [])
    for term in entries:
        forms = {language: "\n".join(term["forms"][language]) for language in LANGUAGES}
        zhuyin_key, pinyin_key = headword_keys(term["term"].get("zh-hant") or "")
        terms[term["key"]] = upsert(
            Term,
            {"key": term["key"]},
            {
                "course": ctx.course,
                **translated_fields("term", term["term"]),
                **translated_fields("definition", term["definition"]),
                **translated_fields("literal", term.get("literal")),
                **{field_name("forms", language): forms[language] for language in LANGUAGES},
                "zhuyin_key": zhuyin_key,
                "pinyin_key": pinyin_key,
            },
            ctx,
            "terms",
        )
    return terms


def _load_unit(unit_data: dict, order: int, references: dict, terms: dict, ctx) -> None:
    objectives = joined_lines(unit_data["objectives"])
    unit = upsert(
        Unit,
        {"slug": unit_data["slug"]},
        {
            "course": ctx.course,
            "order": order,
            "kind": unit_data["kind"],
            "archived": False,
            **translated_fields("label", unit_data["label"]),
            **translated_fields("title", unit_data["title"]),
            **translated_fields("period", unit_data.get("period")),
            **translated_fields("summary", unit_data["summary"]),
            **{field_name("objectives", language): objectives[language] for language in LANGUAGES},
        },
        ctx,
        "units",
    )
    ctx.units[unit.slug] = unit
    for footnote in unit_data.get("footnotes") or []:
        upsert(
            Footnote,
            {"key": footnote["key"]},
            {"unit": unit, **translated_fields("text", footnote["text"])},
            ctx,
            "footnotes",
        )
    for passage_order, passage_data in enumerate(unit_data["passages"], start=1):
        passage = upsert(
            Passage,
            {"key": passage_data["key"]},
            {
                "unit": unit,
                "order": passage_order,
                "kind": passage_data["kind"],
                "archived": False,
                **translated_fields("text", passage_data["text"]),
            },
            ctx,
            "passages",
        )
        ctx.passages[passage.key] = passage
        _load_passage_annotations(passage, passage_data, references, terms, ctx)


def _remove_what_the_file_dropped(data: dict, references: dict, terms: dict, ctx) -> None:
    """Last, so that by now every item and citation points at rows that stay."""
    remove_missing(
        Passage.objects.exclude(key__in=ctx.passages).filter(archived=False),
        ctx,
        "passages",
        lambda p: _("Passage “%(key)s”") % {"key": p.key},
    )
    Footnote.objects.exclude(
        key__in=[f["key"] for u in data["units"] for f in u.get("footnotes") or []]
    ).delete()
    remove_missing(
        Unit.objects.filter(course=ctx.course, archived=False).exclude(slug__in=ctx.units),
        ctx,
        "units",
        lambda u: _("Unit “%(slug)s”") % {"slug": u.slug},
    )
    Term.objects.filter(course=ctx.course).exclude(key__in=terms).delete()
    Reference.objects.filter(course=ctx.course).exclude(key__in=references).delete()


def _load_passage_annotations(passage, passage_data, references, terms, ctx) -> None:
    wanted_notes = [
        (note["kind"], note["text"]["zh-hant"], note["text"]["en"])
        for note in passage_data.get("notes") or []
    ]
    existing_notes = [
        (note.kind, note.text_zh_hant, note.text_en) for note in passage.notes.order_by("order")
    ]
    if wanted_notes != existing_notes:
        passage.notes.all().delete()
        PassageNote.objects.bulk_create(
            PassageNote(passage=passage, order=order, kind=kind, text_zh_hant=zh, text_en=en)
            for order, (kind, zh, en) in enumerate(wanted_notes)
        )
        ctx.count("passage notes replaced")

    wanted_citations = [
        (c["ref"], c["text"]["zh-hant"], c["text"]["en"])
        for c in passage_data.get("citations") or []
    ]
    existing_citations = [
        (c.reference.key, c.text_zh_hant, c.text_en)
        for c in passage.citations.select_related("reference").order_by("order")
    ]
    if wanted_citations != existing_citations:
        passage.citations.all().delete()
        Citation.objects.bulk_create(
            Citation(
                passage=passage,
                reference=references[ref],
                order=order,
                text_zh_hant=zh,
                text_en=en,
            )
            for order, (ref, zh, en) in enumerate(wanted_citations)
        )
        ctx.count("citations replaced")

    wanted_terms = {terms[key].pk for key in passage_data.get("terms") or []}
    existing_terms = set(passage.terms.values_list("pk", flat=True))
    if wanted_terms != existing_terms:
        passage.terms.set(wanted_terms)
        ctx.count("term links replaced")


def render_all(course: Course, ctx: LoadContext | None = None) -> int:
    """Rebuild every passage's HTML in both languages and its words; save only what changed."""
    teach_glossary(Term.objects.filter(course=course))
    passages = Passage.objects.filter(unit__course=course).prefetch_related(
        "terms", models.Prefetch("citations", Citation.objects.select_related("reference"))
    )
    changed = 0
    for passage in passages:
        if render_passage_html(passage):
            changed += 1
    if ctx is not None and changed:
        ctx.count("passages re-rendered", changed)
    return changed


def teach_glossary(terms) -> None:
    """The segmenter keeps each glossary form whole (權力平衡 one word, not 權力 + 平衡)."""
    add_words(form for term in terms for form in (term.forms_zh_hant or "").splitlines())


# How a footnote marker is read aloud, in the passage's language (zh-hans converts 註 to 注).
NOTE_LABELS = {"zh-hant": "註", "en": "Note"}


def render_passage_html(passage: Passage, *, save: bool = True) -> bool:
    updates = {}
    for language in LANGUAGES:
        text = getattr(passage, field_name("text", language)) or ""
        html = render_passage(
            text,
            citations=[
                (getattr(c, field_name("text", language)), c.reference.key)
                for c in passage.citations.all()
            ],
            terms=[
                (term.key, (getattr(term, field_name("forms", language)) or "").splitlines())
                for term in passage.terms.all()
            ],
            note_label=NOTE_LABELS[language],
        )
        if getattr(passage, field_name("html", language)) != html:
            updates[field_name("html", language)] = html
    words = passage_words(updates.get("html_zh_hant", passage.html_zh_hant))
    if passage.words != words:
        updates["words"] = words
    if updates and save:
        Passage.objects.filter(pk=passage.pk).update(**updates)
        for name, value in updates.items():
            setattr(passage, name, value)
    return bool(updates)
