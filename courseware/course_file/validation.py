"""Validation of the whole course file, one function per section of it.

Every fault is collected, each named by where it is; ``validate`` raises ``CourseFileError``
with all of them, or returns quietly when the file is sound. Sections other apps own are
validated last, so they can see every unit slug and passage key.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from ..models import Citation, Course, Footnote, Passage, PassageNote, Reference, Term, Unit
from ..rendering import footnote_keys_in
from .reading import FORMAT_VERSION, LANGUAGES, CourseFileError, Validator, column_length
from .sections import registered_sections

TOP_LEVEL = {"format", "course", "units", "terms", "references"}


def validate(data: Any) -> None:
    """Raise CourseFileError naming every fault; return quietly when the file is sound."""
    v = Validator()
    sections = registered_sections()
    section_keys = {key for section in sections for key in section.keys}
    if not v.fields(data, "file", required=TOP_LEVEL, optional=section_keys):
        raise CourseFileError(v.errors)
    if data.get("format") != FORMAT_VERSION:
        v.error(
            "format", _("unsupported format (expected %(version)s)") % {"version": FORMAT_VERSION}
        )
    _validate_course(data.get("course"), v)
    term_forms = _validate_terms(data.get("terms"), v)
    _validate_references(data.get("references"), v)
    used_terms = _validate_units(data.get("units"), term_forms, v)
    for term_key in sorted(v.term_keys - used_terms):
        v.error(f'terms "{term_key}"', _("the term occurs in no passage"))
    for section in sections:
        section.validate(data, v)
    if v.errors:
        raise CourseFileError(v.errors)


def _validate_course(course: Any, v: Validator) -> None:
    if v.fields(course, "course", required={"slug", "title", "author", "description", "source"}):
        v.key(course.get("slug"), "course.slug", set(), column=(Course, "slug"))
        v.translated(course.get("title"), "course.title", column=(Course, "title"))
        # Empty when the paper's author is not known: the page says so in its language.
        v.text(
            course.get("author"),
            "course.author",
            max_length=column_length(Course, "author"),
            blank=True,
        )
        v.translated(course.get("description"), "course.description")
        v.translated(course.get("source"), "course.source")


def _validate_terms(value: Any, v: Validator) -> dict[str, dict[str, list[str]]]:
    """Returns each sound term's forms by key, for the passages that link it."""
    term_forms: dict[str, dict[str, list[str]]] = {}
    for index, term in enumerate(v.items_of(value, "terms")):
        where = f"terms[{index}]"
        if not v.fields(
            term, where, required={"key", "term", "definition", "forms"}, optional={"literal"}
        ):
            continue
        where = f'{where} "{term.get("key")}"'
        v.key(term.get("key"), f"{where}.key", v.term_keys, column=(Term, "key"))
        v.translated(term.get("term"), f"{where}.term", column=(Term, "term"))
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
    return term_forms


def _validate_references(value: Any, v: Validator) -> None:
    for index, reference in enumerate(v.items_of(value, "references")):
        where = f"references[{index}]"
        if not v.fields(reference, where, required={"key", "label", "entry"}):
            continue
        where = f'{where} "{reference.get("key")}"'
        v.key(reference.get("key"), f"{where}.key", v.reference_keys, column=(Reference, "key"))
        v.string(reference.get("label"), f"{where}.label", column=(Reference, "label"))
        v.translated(reference.get("entry"), f"{where}.entry")


def _validate_units(value: Any, term_forms: dict, v: Validator) -> set[str]:
    """Returns the keys of the glossary terms some passage links."""
    units = v.items_of(value, "units")
    if not units:
        v.error("units", _("the course has no units"))
    used_terms: set[str] = set()
    for index, unit in enumerate(units):
        _validate_unit(unit, f"units[{index}]", v.footnote_keys, term_forms, used_terms, v)
    return used_terms


def _validate_unit(unit, where, footnote_keys, term_forms, used_terms, v: Validator) -> None:
    if not v.fields(
        unit,
        where,
        required={"slug", "kind", "label", "title", "summary", "objectives", "passages"},
        optional={"period", "footnotes"},
    ):
        return
    where = f'{where} "{unit.get("slug")}"'
    v.key(unit.get("slug"), f"{where}.slug", v.unit_slugs, column=(Unit, "slug"))
    if unit.get("kind") not in Unit.Kind.values:
        v.error(
            f"{where}.kind",
            _("must be one of %(choices)s") % {"choices": ", ".join(Unit.Kind.values)},
        )
    for name in ("label", "title", "summary"):
        v.translated(unit.get(name), f"{where}.{name}", column=(Unit, name))
    if unit.get("period") is not None:
        v.translated(unit["period"], f"{where}.period", column=(Unit, "period"))
    elif unit.get("kind") == Unit.Kind.PHASE:
        v.error(f"{where}.period", _("a phase unit needs its period"))
    objectives = v.items_of(unit.get("objectives"), f"{where}.objectives")
    if not 2 <= len(objectives) <= 4:
        v.error(f"{where}.objectives", _("give 2 to 4 learning objectives"))
    for index, objective in enumerate(objectives):
        v.translated(objective, f"{where}.objectives[{index}]")

    unit_footnotes = _validate_footnotes(unit.get("footnotes"), where, footnote_keys, v)
    passages = v.items_of(unit.get("passages"), f"{where}.passages")
    if not passages:
        v.error(f"{where}.passages", _("a unit needs at least one passage"))
    markers_seen: set[str] = set()
    for index, passage in enumerate(passages):
        markers_seen |= _validate_passage(
            passage, f"{where}.passages[{index}]", unit_footnotes, term_forms, used_terms, v
        )
    for unused in sorted(unit_footnotes - markers_seen):
        v.error(f"{where}.footnotes", _("footnote “%(key)s” is never referenced") % {"key": unused})


def _validate_footnotes(value: Any, where: str, footnote_keys: set[str], v: Validator) -> set[str]:
    """Returns the unit's footnote keys, which its passages' markers must name."""
    unit_footnotes: set[str] = set()
    for index, footnote in enumerate(v.items_of(value, f"{where}.footnotes")):
        fwhere = f"{where}.footnotes[{index}]"
        if v.fields(footnote, fwhere, required={"key", "text"}):
            v.key(footnote.get("key"), f"{fwhere}.key", footnote_keys, column=(Footnote, "key"))
            unit_footnotes.add(str(footnote.get("key")))
            v.translated(footnote.get("text"), f"{fwhere}.text")
    return unit_footnotes


def _validate_passage(passage, where, unit_footnotes, term_forms, used_terms, v) -> set[str]:
    """Returns the footnote markers the passage's text holds."""
    if not v.fields(
        passage, where, required={"key", "kind", "text"}, optional={"citations", "terms", "notes"}
    ):
        return set()
    where = f'{where} "{passage.get("key")}"'
    v.key(passage.get("key"), f"{where}.key", v.passage_keys, column=(Passage, "key"))
    if passage.get("kind") not in Passage.Kind.values:
        v.error(
            f"{where}.kind",
            _("must be one of %(choices)s") % {"choices": ", ".join(Passage.Kind.values)},
        )
    text = passage.get("text")
    if not v.translated(text, f"{where}.text"):
        return set()
    markers = {language: footnote_keys_in(text[language]) for language in LANGUAGES}
    if sorted(markers["zh-hant"]) != sorted(markers["en"]):
        v.error(f"{where}.text", _("the two languages have different footnote markers"))
    for marker in markers["zh-hant"]:
        if marker not in unit_footnotes:
            v.error(
                f"{where}.text",
                _("footnote marker [^%(key)s] has no footnote in this unit") % {"key": marker},
            )
    _validate_citations(passage.get("citations"), where, text, v)
    _validate_passage_terms(passage.get("terms"), where, text, term_forms, used_terms, v)
    _validate_notes(passage.get("notes"), where, v)
    return set(markers["zh-hant"])


def _validate_citations(value: Any, where: str, text: dict, v: Validator) -> None:
    for index, citation in enumerate(v.items_of(value, f"{where}.citations")):
        cwhere = f"{where}.citations[{index}]"
        if not v.fields(citation, cwhere, required={"ref", "text"}):
            continue
        if not isinstance(ref := citation.get("ref"), str) or ref not in v.reference_keys:
            v.error(
                f"{cwhere}.ref", _("unknown reference “%(key)s”") % {"key": citation.get("ref")}
            )
        if v.translated(citation.get("text"), f"{cwhere}.text", column=(Citation, "text")):
            for language in LANGUAGES:
                if citation["text"][language] not in text[language]:
                    v.error(
                        f"{cwhere}.text.{language}",
                        _("“%(words)s” does not occur in the passage")
                        % {"words": citation["text"][language]},
                    )


def _validate_passage_terms(value, where, text, term_forms, used_terms, v: Validator) -> None:
    for index, term_key in enumerate(v.items_of(value, f"{where}.terms")):
        twhere = f"{where}.terms[{index}]"
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
                twhere, _("no form of the term “%(key)s” occurs in the passage") % {"key": term_key}
            )


def _validate_notes(value: Any, where: str, v: Validator) -> None:
    for index, note in enumerate(v.items_of(value, f"{where}.notes")):
        nwhere = f"{where}.notes[{index}]"
        if v.fields(note, nwhere, required={"kind", "text"}):
            if note.get("kind") not in PassageNote.Kind.values:
                v.error(
                    f"{nwhere}.kind",
                    _("must be one of %(choices)s")
                    % {"choices": ", ".join(PassageNote.Kind.values)},
                )
            v.translated(note.get("text"), f"{nwhere}.text")
