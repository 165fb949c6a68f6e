"""Validate, load and export the course file (docs/course-format.md).

Validation reads the whole file first and collects every fault, each named by where it is
(``units[2] "introduction" › passages[3] "intro-4" › text.en``); nothing is written unless the
whole file is sound. Loading then runs in one transaction and updates rows in place by their
stable keys, so student progress that points at units, passages and items survives
corrections. Loading the same file twice changes nothing.

Other apps add their own top-level sections (the quiz bank adds ``tags`` and ``items``)
through ``register_section``; courseware never imports them.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import models, transaction
from django.utils.translation import gettext as _

from .models import (
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
from .rendering import footnote_keys_in, render_passage

LANGUAGES = ("zh-hant", "en")
FORMAT_VERSION = 1
KEY_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*$")
DEFAULT_COURSE_FILE = Path(__file__).resolve().parent / "content" / "course.json"
# JSON can carry both as escapes (\u0000, \ud800): PostgreSQL refuses NUL in text, and a lone
# surrogate (half of a pair) cannot be encoded as UTF-8 for any database.
UNSTORABLE_CHARACTER = re.compile("[\x00\ud800-\udfff]")


def field_name(name: str, language: str) -> str:
    return f"{name}_{language.replace('-', '_')}"


class CourseFileError(Exception):
    """The file cannot be loaded; ``errors`` name every fault and where it is."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("\n".join(errors))


# --- validation -------------------------------------------------------------------------


@dataclass
class Validator:
    """Collects faults while walking the file; the helpers return cleaned values."""

    errors: list[str] = field(default_factory=list)
    unit_slugs: set[str] = field(default_factory=set)
    passage_keys: set[str] = field(default_factory=set)
    term_keys: set[str] = field(default_factory=set)
    reference_keys: set[str] = field(default_factory=set)

    def error(self, where: str, message: str) -> None:
        self.errors.append(f"{where}: {message}")

    def fields(self, obj: Any, where: str, *, required: set[str], optional: set[str] = frozenset()):
        if not isinstance(obj, dict):
            self.error(where, _("expected an object"))
            return False
        for name in sorted(set(obj) - required - set(optional)):
            self.error(where, _("unknown field “%(field)s”") % {"field": name})
        for name in sorted(required - set(obj)):
            self.error(where, _("missing field “%(field)s”") % {"field": name})
        return True

    def translated(self, value: Any, where: str, *, allow_empty: bool = False) -> bool:
        if not isinstance(value, dict):
            self.error(where, _("expected an object with “zh-hant” and “en”"))
            return False
        ok = True
        for name in sorted(set(value) - set(LANGUAGES)):
            self.error(where, _("unknown language “%(language)s”") % {"language": name})
            ok = False
        for language in LANGUAGES:
            text = value.get(language)
            if not isinstance(text, str) or (not allow_empty and not text.strip()):
                self.error(f"{where}.{language}", _("missing or empty text"))
                ok = False
            elif not self.storable(text, f"{where}.{language}"):
                ok = False
        return ok

    def key(self, value: Any, where: str, seen: set[str]) -> bool:
        if not isinstance(value, str) or not KEY_PATTERN.match(value):
            self.error(where, _("a key must be lowercase letters, digits and hyphens"))
            return False
        if value in seen:
            self.error(where, _("duplicate key “%(key)s”") % {"key": value})
            return False
        seen.add(value)
        return True

    def string(self, value: Any, where: str) -> bool:
        if not isinstance(value, str) or not value.strip():
            self.error(where, _("missing or empty text"))
            return False
        return self.storable(value, where)

    def storable(self, text: str, where: str) -> bool:
        if UNSTORABLE_CHARACTER.search(text):
            self.error(
                where,
                _("contains a NUL character or a lone surrogate, which no database can store"),
            )
            return False
        return True

    def items_of(self, value: Any, where: str) -> list:
        if value is None:
            return []
        if not isinstance(value, list):
            self.error(where, _("expected a list"))
            return []
        return value


@dataclass
class CourseSection:
    """A top-level part of the course file that another app owns."""

    keys: tuple[str, ...]
    validate: Callable[[dict, Validator], None]
    load: Callable[[dict, LoadContext], None]
    export: Callable[[Course], dict]


_sections: list[CourseSection] = []


def register_section(section: CourseSection) -> None:
    if all(existing.keys != section.keys for existing in _sections):
        _sections.append(section)


def read_course_file(path: str | Path) -> dict:
    try:
        raw = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CourseFileError([_("%(path)s: no such file") % {"path": path}]) from None
    except UnicodeDecodeError:
        raise CourseFileError([_("%(path)s: not UTF-8 text") % {"path": path}]) from None
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise CourseFileError(
            [
                _("%(path)s line %(line)s column %(column)s: malformed JSON (%(reason)s)")
                % {"path": path, "line": exc.lineno, "column": exc.colno, "reason": exc.msg}
            ]
        ) from None
    return normalise(data)


def normalise(value: Any) -> Any:
    """NFC everywhere: the PDF's compatibility ideographs (U+F9xx) would break search."""
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, list):
        return [normalise(item) for item in value]
    if isinstance(value, dict):
        return {normalise(key): normalise(item) for key, item in value.items()}
    return value


def validate(data: Any) -> None:
    """Raise CourseFileError naming every fault; return quietly when the file is sound."""
    v = Validator()
    section_keys = {key for section in _sections for key in section.keys}
    top_required = {"format", "course", "units", "terms", "references"}
    if not v.fields(data, "file", required=top_required, optional=section_keys):
        raise CourseFileError(v.errors)
    if data.get("format") != FORMAT_VERSION:
        v.error(
            "format", _("unsupported format (expected %(version)s)") % {"version": FORMAT_VERSION}
        )

    course = data.get("course")
    if v.fields(course, "course", required={"slug", "title", "author", "description", "source"}):
        v.key(course.get("slug"), "course.slug", set())
        v.translated(course.get("title"), "course.title")
        v.string(course.get("author"), "course.author")
        v.translated(course.get("description"), "course.description")
        v.translated(course.get("source"), "course.source")

    terms = v.items_of(data.get("terms"), "terms")
    term_forms: dict[str, dict[str, list[str]]] = {}
    for index, term in enumerate(terms):
        where = f"terms[{index}]"
        if not v.fields(
            term, where, required={"key", "term", "definition", "forms"}, optional={"literal"}
        ):
            continue
        where = f'{where} "{term.get("key")}"'
        v.key(term.get("key"), f"{where}.key", v.term_keys)
        v.translated(term.get("term"), f"{where}.term")
        v.translated(term.get("definition"), f"{where}.definition")
        if "literal" in term:
            v.translated(term["literal"], f"{where}.literal")
        forms = term.get("forms")
        if v.fields(forms, f"{where}.forms", required=set(LANGUAGES)):
            for language in LANGUAGES:
                listed = forms.get(language)
                if (
                    not isinstance(listed, list)
                    or not listed
                    or not all(isinstance(f, str) and f.strip() for f in listed)
                ):
                    v.error(f"{where}.forms.{language}", _("expected a list of the term's forms"))
                else:
                    for form in listed:
                        v.storable(form, f"{where}.forms.{language}")
            term_forms[str(term.get("key"))] = forms

    references = v.items_of(data.get("references"), "references")
    for index, reference in enumerate(references):
        where = f"references[{index}]"
        if not v.fields(reference, where, required={"key", "label", "entry"}):
            continue
        where = f'{where} "{reference.get("key")}"'
        v.key(reference.get("key"), f"{where}.key", v.reference_keys)
        v.string(reference.get("label"), f"{where}.label")
        v.translated(reference.get("entry"), f"{where}.entry")

    units = v.items_of(data.get("units"), "units")
    if not units:
        v.error("units", _("the course has no units"))
    footnote_keys: set[str] = set()
    used_terms: set[str] = set()
    for unit_index, unit in enumerate(units):
        where = f"units[{unit_index}]"
        if not v.fields(
            unit,
            where,
            required={"slug", "kind", "label", "title", "summary", "objectives", "passages"},
            optional={"period", "footnotes"},
        ):
            continue
        where = f'{where} "{unit.get("slug")}"'
        v.key(unit.get("slug"), f"{where}.slug", v.unit_slugs)
        if unit.get("kind") not in Unit.Kind.values:
            v.error(
                f"{where}.kind",
                _("must be one of %(choices)s") % {"choices": ", ".join(Unit.Kind.values)},
            )
        for name in ("label", "title", "summary"):
            v.translated(unit.get(name), f"{where}.{name}")
        if unit.get("period") is not None:
            v.translated(unit["period"], f"{where}.period")
        elif unit.get("kind") == Unit.Kind.PHASE:
            v.error(f"{where}.period", _("a phase unit needs its period"))
        objectives = v.items_of(unit.get("objectives"), f"{where}.objectives")
        if not 2 <= len(objectives) <= 4:
            v.error(f"{where}.objectives", _("give 2 to 4 learning objectives"))
        for index, objective in enumerate(objectives):
            v.translated(objective, f"{where}.objectives[{index}]")

        unit_footnotes: set[str] = set()
        for index, footnote in enumerate(v.items_of(unit.get("footnotes"), f"{where}.footnotes")):
            fwhere = f"{where}.footnotes[{index}]"
            if v.fields(footnote, fwhere, required={"key", "text"}):
                v.key(footnote.get("key"), f"{fwhere}.key", footnote_keys)
                unit_footnotes.add(str(footnote.get("key")))
                v.translated(footnote.get("text"), f"{fwhere}.text")

        passages = v.items_of(unit.get("passages"), f"{where}.passages")
        if not passages:
            v.error(f"{where}.passages", _("a unit needs at least one passage"))
        markers_seen: set[str] = set()
        for index, passage in enumerate(passages):
            pwhere = f"{where}.passages[{index}]"
            if not v.fields(
                passage,
                pwhere,
                required={"key", "kind", "text"},
                optional={"citations", "terms", "notes"},
            ):
                continue
            pwhere = f'{pwhere} "{passage.get("key")}"'
            v.key(passage.get("key"), f"{pwhere}.key", v.passage_keys)
            if passage.get("kind") not in Passage.Kind.values:
                v.error(
                    f"{pwhere}.kind",
                    _("must be one of %(choices)s") % {"choices": ", ".join(Passage.Kind.values)},
                )
            text = passage.get("text")
            if not v.translated(text, f"{pwhere}.text"):
                continue
            markers = {language: footnote_keys_in(text[language]) for language in LANGUAGES}
            if sorted(markers["zh-hant"]) != sorted(markers["en"]):
                v.error(f"{pwhere}.text", _("the two languages have different footnote markers"))
            for marker in markers["zh-hant"]:
                markers_seen.add(marker)
                if marker not in unit_footnotes:
                    v.error(
                        f"{pwhere}.text",
                        _("footnote marker [^%(key)s] has no footnote in this unit")
                        % {"key": marker},
                    )
            for cindex, citation in enumerate(
                v.items_of(passage.get("citations"), f"{pwhere}.citations")
            ):
                cwhere = f"{pwhere}.citations[{cindex}]"
                if not v.fields(citation, cwhere, required={"ref", "text"}):
                    continue
                if not isinstance(ref := citation.get("ref"), str) or ref not in v.reference_keys:
                    v.error(
                        f"{cwhere}.ref",
                        _("unknown reference “%(key)s”") % {"key": citation.get("ref")},
                    )
                if v.translated(citation.get("text"), f"{cwhere}.text"):
                    for language in LANGUAGES:
                        if citation["text"][language] not in text[language]:
                            v.error(
                                f"{cwhere}.text.{language}",
                                _("“%(words)s” does not occur in the passage")
                                % {"words": citation["text"][language]},
                            )
            for tindex, term_key in enumerate(v.items_of(passage.get("terms"), f"{pwhere}.terms")):
                twhere = f"{pwhere}.terms[{tindex}]"
                if not isinstance(term_key, str) or term_key not in term_forms:
                    v.error(twhere, _("unknown glossary term “%(key)s”") % {"key": term_key})
                    continue
                used_terms.add(term_key)
                forms = term_forms[term_key]
                if not any(
                    isinstance(form, str) and form in text.get(language, "")
                    for language in LANGUAGES
                    for form in forms.get(language) or []
                ):
                    v.error(
                        twhere,
                        _("no form of the term “%(key)s” occurs in the passage")
                        % {"key": term_key},
                    )
            for nindex, note in enumerate(v.items_of(passage.get("notes"), f"{pwhere}.notes")):
                nwhere = f"{pwhere}.notes[{nindex}]"
                if v.fields(note, nwhere, required={"kind", "text"}):
                    if note.get("kind") not in PassageNote.Kind.values:
                        v.error(
                            f"{nwhere}.kind",
                            _("must be one of %(choices)s")
                            % {"choices": ", ".join(PassageNote.Kind.values)},
                        )
                    v.translated(note.get("text"), f"{nwhere}.text")
        for unused in sorted(unit_footnotes - markers_seen):
            v.error(
                f"{where}.footnotes", _("footnote “%(key)s” is never referenced") % {"key": unused}
            )

    for term_key in sorted(v.term_keys - used_terms):
        v.error(f'terms "{term_key}"', _("the term occurs in no passage"))

    for section in _sections:
        section.validate(data, v)
    if v.errors:
        raise CourseFileError(v.errors)


# --- loading ----------------------------------------------------------------------------


@dataclass
class LoadContext:
    course: Course
    units: dict[str, Unit]
    passages: dict[str, Passage]
    force: bool
    stats: dict[str, int] = field(default_factory=dict)

    def count(self, name: str, n: int = 1) -> None:
        self.stats[name] = self.stats.get(name, 0) + n

    def refuse(self, message: str) -> None:
        raise CourseFileError([message])


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
    course = Course.objects.filter(slug=course_data["slug"]).first()
    ctx = LoadContext(course=course, units={}, passages={}, force=force)
    course = upsert(
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
    ctx.course = course

    references = {}
    for reference in data["references"]:
        references[reference["key"]] = upsert(
            Reference,
            {"key": reference["key"]},
            {
                "course": course,
                "label": reference["label"],
                **translated_fields("entry", reference["entry"]),
            },
            ctx,
            "references",
        )
    terms = {}
    for term in data["terms"]:
        forms = {language: "\n".join(term["forms"][language]) for language in LANGUAGES}
        terms[term["key"]] = upsert(
            Term,
            {"key": term["key"]},
            {
                "course": course,
                **translated_fields("term", term["term"]),
                **translated_fields("definition", term["definition"]),
                **translated_fields("literal", term.get("literal")),
                **{field_name("forms", language): forms[language] for language in LANGUAGES},
            },
            ctx,
            "terms",
        )

    for order, unit_data in enumerate(data["units"], start=1):
        objectives = joined_lines(unit_data["objectives"])
        unit = upsert(
            Unit,
            {"slug": unit_data["slug"]},
            {
                "course": course,
                "order": order,
                "kind": unit_data["kind"],
                "archived": False,
                **translated_fields("label", unit_data["label"]),
                **translated_fields("title", unit_data["title"]),
                **translated_fields("period", unit_data.get("period")),
                **translated_fields("summary", unit_data["summary"]),
                **{
                    field_name("objectives", language): objectives[language]
                    for language in LANGUAGES
                },
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

    for section in _sections:
        section.load(data, ctx)

    # Removals last: by now every item and citation points at rows that stay.
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
        Unit.objects.filter(course=course, archived=False).exclude(slug__in=ctx.units),
        ctx,
        "units",
        lambda u: _("Unit “%(slug)s”") % {"slug": u.slug},
    )
    Term.objects.filter(course=course).exclude(key__in=terms).delete()
    Reference.objects.filter(course=course).exclude(key__in=references).delete()

    if render_all(course, ctx) or ctx.stats:
        Course.objects.filter(pk=course.pk).mark_content_changed()
    return ctx.stats


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
    """Rebuild every passage's HTML in both languages; save only what changed."""
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
        )
        if getattr(passage, field_name("html", language)) != html:
            updates[field_name("html", language)] = html
    if updates and save:
        Passage.objects.filter(pk=passage.pk).update(**updates)
        for name, value in updates.items():
            setattr(passage, name, value)
    return bool(updates)


# --- export -----------------------------------------------------------------------------


def pair(obj, name: str) -> dict[str, str]:
    return {language: getattr(obj, field_name(name, language)) or "" for language in LANGUAGES}


def split_lines(obj, name: str) -> list[dict[str, str]]:
    per_language = {
        language: (getattr(obj, field_name(name, language)) or "").splitlines()
        for language in LANGUAGES
    }
    return [
        {"zh-hant": zh, "en": en}
        for zh, en in zip(per_language["zh-hant"], per_language["en"], strict=False)
    ]


def export(course: Course | None = None) -> dict:
    course = course or Course.objects.get()
    units = (
        Unit.objects.filter(course=course)
        .current()
        .order_by("order")
        .prefetch_related(
            models.Prefetch("footnotes", Footnote.objects.order_by("key")),
            models.Prefetch(
                "passages",
                Passage.objects.current()
                .order_by("order")
                .prefetch_related(
                    models.Prefetch("notes", PassageNote.objects.order_by("order")),
                    models.Prefetch(
                        "citations", Citation.objects.select_related("reference").order_by("order")
                    ),
                    models.Prefetch("terms", Term.objects.order_by("key")),
                ),
            ),
        )
    )
    data: dict[str, Any] = {
        "format": FORMAT_VERSION,
        "course": {
            "slug": course.slug,
            "title": pair(course, "title"),
            "author": course.author,
            "description": pair(course, "description"),
            "source": pair(course, "source"),
        },
    }
    sections = {}
    for section in _sections:
        sections.update(section.export(course))
    if "tags" in sections:
        data["tags"] = sections.pop("tags")
    data["units"] = [_export_unit(unit) for unit in units]
    data["terms"] = [
        _export_term(term) for term in Term.objects.filter(course=course).order_by("key")
    ]
    data["references"] = [
        {"key": r.key, "label": r.label, "entry": pair(r, "entry")}
        for r in Reference.objects.filter(course=course).order_by("key")
    ]
    data.update(sections)
    return data


def _export_unit(unit: Unit) -> dict:
    out: dict[str, Any] = {
        "slug": unit.slug,
        "kind": unit.kind,
        "label": pair(unit, "label"),
        "title": pair(unit, "title"),
    }
    if unit.period_zh_hant or unit.period_en:
        out["period"] = pair(unit, "period")
    out["summary"] = pair(unit, "summary")
    out["objectives"] = split_lines(unit, "objectives")
    footnotes = list(unit.footnotes.all())
    if footnotes:
        out["footnotes"] = [{"key": f.key, "text": pair(f, "text")} for f in footnotes]
    out["passages"] = [_export_passage(p) for p in unit.passages.all()]
    return out


def _export_passage(passage: Passage) -> dict:
    out: dict[str, Any] = {"key": passage.key, "kind": passage.kind, "text": pair(passage, "text")}
    citations = list(passage.citations.all())
    if citations:
        out["citations"] = [{"ref": c.reference.key, "text": pair(c, "text")} for c in citations]
    terms = list(passage.terms.all())
    if terms:
        out["terms"] = [t.key for t in terms]
    notes = list(passage.notes.all())
    if notes:
        out["notes"] = [{"kind": n.kind, "text": pair(n, "text")} for n in notes]
    return out


def _export_term(term: Term) -> dict:
    out: dict[str, Any] = {
        "key": term.key,
        "term": pair(term, "term"),
        "definition": pair(term, "definition"),
    }
    if term.literal_zh_hant or term.literal_en:
        out["literal"] = pair(term, "literal")
    out["forms"] = {
        language: (getattr(term, field_name("forms", language)) or "").splitlines()
        for language in LANGUAGES
    }
    return out


def dumps(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
