"""GIFT, Moodle's text format, for every kind it can express.

GIFT has multiple choice (with weights for partial credit), true/false and matching, but no
ordering question: ordering items are left out with a comment line that says so. Texts are
HTML (``[html]``) with Moodle's multi-language spans, as in the Moodle XML export.
"""

from __future__ import annotations

from courseware.models import Course

from ..models import Item
from .bank import ExportedItem, item_name, multiple_fraction, tag_name
from .moodle_xml import category_path, multilang, percent

# GIFT's control characters; a backslash makes each literal.
SPECIAL = "\\~=#{}:"


def escape(text: str) -> str:
    for character in SPECIAL:
        text = text.replace(character, "\\" + character)
    # A blank line ends a question in GIFT: keep each text on one line.
    return text.replace("\n", "\\n")


def _feedback(text: str) -> str:
    return f"#{escape(text)}" if text else ""


def _answers(item: ExportedItem) -> list[str]:
    if item.kind == Item.Kind.SINGLE:
        return [
            f"{'=' if choice.is_correct else '~'}{escape(multilang(choice.text))}"
            f"{_feedback(multilang(choice.feedback))}"
            for choice in item.choices
        ]
    if item.kind == Item.Kind.MULTIPLE:
        weight = multiple_fraction(item)
        return [
            f"~%{percent(weight if choice.is_correct else -weight)}%"
            f"{escape(multilang(choice.text))}{_feedback(multilang(choice.feedback))}"
            for choice in item.choices
        ]
    if item.kind == Item.Kind.TRUE_FALSE:
        by_key = {choice.key: choice for choice in item.choices}
        right = "true" if by_key["true"].is_correct else "false"
        wrong = "false" if right == "true" else "true"
        # {TRUE#shown after a wrong answer#shown after a right one}
        return [
            f"{right.upper()}#{escape(multilang(by_key[wrong].feedback))}"
            f"#{escape(multilang(by_key[right].feedback))}"
        ]
    if item.kind == Item.Kind.MATCHING:
        return [
            f"={escape(multilang(choice.text))} -> {escape(multilang(choice.match))}"
            for choice in item.choices
        ]
    raise ValueError(f"GIFT cannot express {item.kind!r} items")


def question(item: ExportedItem) -> str:
    lines = [f"// [id:{item.key}]"]
    lines += [f"// [tag:{tag_name(label)}]" for label in item.tags]
    lines.append(f"::{escape(item_name(item))}::[html]{escape(multilang(item.stem))}{{")
    lines += [f"\t{answer}" for answer in _answers(item)]
    if any(item.explanation.values()):
        lines.append(f"\t####{escape(multilang(item.explanation))}")
    lines.append("}")
    return "\n".join(lines)


def write(items: list[ExportedItem], course: Course) -> bytes:
    blocks = []
    current_category = None
    for item in items:
        path = category_path(course, item)
        if path != current_category:
            blocks.append(f"$CATEGORY: {path}")
            current_category = path
        if item.kind == Item.Kind.ORDERING:
            blocks.append(
                f"// Skipped {item.key}: an ordering item, which GIFT cannot express "
                "(use the Moodle XML or QTI export for it)."
            )
            continue
        blocks.append(question(item))
    return ("\n\n".join(blocks) + "\n").encode("utf-8")
