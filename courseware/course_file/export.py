"""Writing the course back out in the shape of the course file (``export_course``)."""

from __future__ import annotations

import json
from typing import Any

from django.db import models

from ..models import Citation, Course, Footnote, Passage, PassageNote, Reference, Term, Unit
from .reading import FORMAT_VERSION, LANGUAGES, field_name
from .sections import registered_sections


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
    for section in registered_sections():
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
