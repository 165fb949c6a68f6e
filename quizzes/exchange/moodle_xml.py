"""Moodle XML (Moodle's question/format/xml), one category per unit.

The shapes follow the files Moodle's own tests import: question/format/xml/tests/fixtures/
multichoice.xml and truefalse.xml, question/type/match/tests/fixtures/testquestion.moodle.xml
and question/type/ordering/tests/fixtures/testexport.moodle.xml. Texts carry both languages
as Moodle's multi-language filter spans, so a Moodle with that filter on shows each student
their own language.
"""

from __future__ import annotations

import html
import xml.etree.ElementTree as ET

from courseware.models import Course

from ..models import Item
from .bank import (
    MOODLE_LANGUAGES,
    ExportedItem,
    course_title,
    item_name,
    multiple_fraction,
    tag_name,
)


def multilang(texts: dict[str, str]) -> str:
    """``<span lang="zh_tw" class="multilang">…</span><span lang="en" …>…</span>`` (HTML)."""
    if not any(texts.values()):
        return ""
    return "".join(
        f'<span lang="{code}" class="multilang">{_escape(texts.get(language, ""))}</span>'
        for language, code in MOODLE_LANGUAGES.items()
    )


def _escape(text: str) -> str:
    # Course texts are plain text: escape them as HTML (quotes are safe outside attributes).
    return html.escape(text, quote=False)


def percent(fraction: float) -> str:
    """A fraction as Moodle writes it: a percentage to 7 significant decimals ("33.33333").
    Moodle's importer accepts only its list of grades (question_bank::fraction_options_full),
    within 0.00001; 1/n for n up to 10 is on that list."""
    return f"{fraction * 100:.5f}".rstrip("0").rstrip(".") or "0"


def category_path(course: Course, item: ExportedItem) -> str:
    """``$course$/top/<course>/<unit>``; Moodle escapes a "/" inside a name as "//"."""
    titles = course_title(course)
    course_name = f"{titles['zh-hant']} · {titles['en']}"
    unit_name = f"{item.unit_order:02d} {item.unit_heading['zh-hant']} · {item.unit_heading['en']}"
    return "/".join(
        ["$course$", "top", *(name.replace("/", "//") for name in (course_name, unit_name))]
    )


def _text(parent: ET.Element, tag: str, text: str, **attributes) -> ET.Element:
    element = ET.SubElement(parent, tag, attributes)
    ET.SubElement(element, "text").text = text
    return element


def _simple(parent: ET.Element, tag: str, text: str) -> None:
    ET.SubElement(parent, tag).text = text


def _answer(parent, fraction: str, text: str, feedback: str, fmt: str = "html") -> None:
    answer = ET.SubElement(parent, "answer", {"fraction": fraction, "format": fmt})
    ET.SubElement(answer, "text").text = text
    _text(answer, "feedback", feedback, format="html")


def _combined_feedback(question: ET.Element) -> None:
    for tag in ("correctfeedback", "partiallycorrectfeedback", "incorrectfeedback"):
        _text(question, tag, "", format="html")


def _question(quiz: ET.Element, item: ExportedItem, qtype: str) -> ET.Element:
    question = ET.SubElement(quiz, "question", {"type": qtype})
    _text(question, "name", item_name(item))
    _text(question, "questiontext", multilang(item.stem), format="html")
    _text(question, "generalfeedback", multilang(item.explanation), format="html")
    _simple(question, "defaultgrade", "1.0000000")
    # One try per question in our quizzes, so no penalty for retries.
    _simple(question, "penalty", "0.0000000")
    _simple(question, "hidden", "0")
    # The stable key: re-importing the file into the same bank finds the question by it.
    _simple(question, "idnumber", item.key)
    return question


def _tags(question: ET.Element, item: ExportedItem) -> None:
    if not item.tags:
        return
    tags = ET.SubElement(question, "tags")
    for label in item.tags:
        _text(tags, "tag", tag_name(label))


def _multichoice(quiz, item: ExportedItem) -> None:
    question = _question(quiz, item, "multichoice")
    single = item.kind == Item.Kind.SINGLE
    _simple(question, "single", "true" if single else "false")
    _simple(question, "shuffleanswers", "true")
    _simple(question, "answernumbering", "abc")
    _combined_feedback(question)
    weight = multiple_fraction(item)
    for choice in item.choices:
        if single:
            fraction = 1.0 if choice.is_correct else 0.0
        else:
            fraction = weight if choice.is_correct else -weight
        _answer(question, percent(fraction), multilang(choice.text), multilang(choice.feedback))
    _tags(question, item)


def _truefalse(quiz, item: ExportedItem) -> None:
    question = _question(quiz, item, "truefalse")
    by_key = {choice.key: choice for choice in item.choices}
    for key in ("true", "false"):
        choice = by_key[key]
        _answer(
            question,
            "100" if choice.is_correct else "0",
            key,
            multilang(choice.feedback),
            fmt="moodle_auto_format",
        )
    _tags(question, item)


def _matching(quiz, item: ExportedItem) -> None:
    question = _question(quiz, item, "matching")
    _simple(question, "shuffleanswers", "true")
    _combined_feedback(question)
    # Moodle gives each subquestion an equal share, as quizzes.grading.grade_matching does.
    for choice in item.choices:
        subquestion = ET.SubElement(question, "subquestion", {"format": "html"})
        ET.SubElement(subquestion, "text").text = multilang(choice.text)
        _text(subquestion, "answer", multilang(choice.match))
    _tags(question, item)


def _ordering(quiz, item: ExportedItem) -> None:
    question = _question(quiz, item, "ordering")
    _simple(question, "layouttype", "VERTICAL")
    _simple(question, "selecttype", "ALL")
    _simple(question, "selectcount", "0")
    # Our rule (quizzes.grading.grade_ordering): a point for each neighbour pair in the right
    # order, over n − 1 pairs. Moodle's name for it: "next item, excluding the last".
    _simple(question, "gradingtype", "RELATIVE_NEXT_EXCLUDE_LAST")
    _simple(question, "showgrading", "SHOW")
    _simple(question, "numberingstyle", "none")
    _combined_feedback(question)
    # An ordering answer's "fraction" is its position in the correct order, from 1.
    for position, choice in enumerate(item.choices, start=1):
        _answer(question, f"{position}.0000000", multilang(choice.text), multilang(choice.feedback))
    _tags(question, item)


WRITERS = {
    Item.Kind.SINGLE: _multichoice,
    Item.Kind.MULTIPLE: _multichoice,
    Item.Kind.TRUE_FALSE: _truefalse,
    Item.Kind.MATCHING: _matching,
    Item.Kind.ORDERING: _ordering,
}


def write(items: list[ExportedItem], course: Course) -> bytes:
    quiz = ET.Element("quiz")
    current_category = None
    for item in items:
        path = category_path(course, item)
        if path != current_category:
            category = ET.SubElement(quiz, "question", {"type": "category"})
            _text(category, "category", path)
            _text(category, "info", multilang(item.unit_heading), format="html")
            current_category = path
        WRITERS[item.kind](quiz, item)
    ET.indent(quiz)
    return ET.tostring(quiz, encoding="UTF-8", xml_declaration=True) + b"\n"
