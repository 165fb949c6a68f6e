"""IMS QTI 2.1 content package: ``imsmanifest.xml`` and one assessmentItem file per item.

Canvas, Blackboard and most other platforms import this. Scoring follows ours where QTI can
say it: single choice and true/false all or nothing; multiple response and matching by a
mapping (+1/n per right choice or pair, −1/n per wrong choice, bounded to 0..1), as in
quizzes.grading. Ordering is all or nothing: QTI's response processing has no rule for our
partial credit by neighbour pairs.
"""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
import zipfile

from courseware.models import Course

from ..models import Item
from .bank import QTI_LANGUAGES, ExportedItem, course_title, item_name, multiple_fraction

QTI = "http://www.imsglobal.org/xsd/imsqti_v2p1"
QTI_XSD = "http://www.imsglobal.org/xsd/qti/qtiv2p1/imsqti_v2p1.xsd"
CP = "http://www.imsglobal.org/xsd/imscp_v1p1"
CP_XSD = "http://www.imsglobal.org/xsd/imscp_v1p1.xsd"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
ITEM_RESOURCE_TYPE = "imsqti_item_xmlv2p1"

CHOICE_KINDS = (Item.Kind.SINGLE, Item.Kind.MULTIPLE, Item.Kind.TRUE_FALSE)


def item_identifier(item: ExportedItem) -> str:
    # Identifiers are XML names: a key may start with a digit, so give it a prefix.
    return f"item-{item.key}"


def choice_identifier(key: str) -> str:
    return f"choice-{key}"


def match_identifiers(key: str) -> tuple[str, str]:
    return f"left-{key}", f"right-{key}"


def item_path(item: ExportedItem) -> str:
    return f"items/{item.key}.xml"


def _q(tag: str) -> str:
    return f"{{{QTI}}}{tag}"


def _el(parent: ET.Element, tag: str, attributes: dict | None = None, text=None) -> ET.Element:
    element = ET.SubElement(parent, _q(tag), attributes or {})
    if text is not None:
        element.text = text
    return element


def _bilingual(parent: ET.Element, texts: dict[str, str], block: bool) -> None:
    """Both languages, each marked with xml:lang: paragraphs in a block, spans inline."""
    for index, (language, code) in enumerate(QTI_LANGUAGES.items()):
        if block:
            _el(parent, "p", {XML_LANG: code}, texts.get(language, ""))
        else:
            if index:
                _el(parent, "br")
            _el(parent, "span", {XML_LANG: code}, texts.get(language, ""))


def _response_declaration(root, item: ExportedItem) -> None:
    if item.kind == Item.Kind.MATCHING:
        cardinality, base_type = "multiple", "directedPair"
        correct = [" ".join(match_identifiers(choice.key)) for choice in item.choices]
    elif item.kind == Item.Kind.ORDERING:
        cardinality, base_type = "ordered", "identifier"
        correct = [choice_identifier(choice.key) for choice in item.choices]
    else:
        cardinality = "multiple" if item.kind == Item.Kind.MULTIPLE else "single"
        base_type = "identifier"
        correct = [choice_identifier(c.key) for c in item.choices if c.is_correct]
    declaration = _el(
        root,
        "responseDeclaration",
        {"identifier": "RESPONSE", "cardinality": cardinality, "baseType": base_type},
    )
    correct_response = _el(declaration, "correctResponse")
    for value in correct:
        _el(correct_response, "value", text=value)
    if item.kind == Item.Kind.MULTIPLE:
        weight = multiple_fraction(item)
        mapping = _el(
            declaration, "mapping", {"lowerBound": "0", "upperBound": "1", "defaultValue": "0"}
        )
        for choice in item.choices:
            value = weight if choice.is_correct else -weight
            _el(
                mapping,
                "mapEntry",
                {"mapKey": choice_identifier(choice.key), "mappedValue": f"{value:.7f}"},
            )
    elif item.kind == Item.Kind.MATCHING:
        weight = 1 / len(item.choices)
        mapping = _el(
            declaration, "mapping", {"lowerBound": "0", "upperBound": "1", "defaultValue": "0"}
        )
        for value in correct:
            _el(mapping, "mapEntry", {"mapKey": value, "mappedValue": f"{weight:.7f}"})


def _outcome_declarations(root, item: ExportedItem) -> None:
    score = _el(
        root,
        "outcomeDeclaration",
        {"identifier": "SCORE", "cardinality": "single", "baseType": "float"},
    )
    _el(_el(score, "defaultValue"), "value", text="0")
    maxscore = _el(
        root,
        "outcomeDeclaration",
        {"identifier": "MAXSCORE", "cardinality": "single", "baseType": "float"},
    )
    _el(_el(maxscore, "defaultValue"), "value", text="1")
    _el(
        root,
        "outcomeDeclaration",
        {"identifier": "FEEDBACK", "cardinality": "single", "baseType": "identifier"},
    )
    if item.kind in CHOICE_KINDS:
        cardinality = "multiple" if item.kind == Item.Kind.MULTIPLE else "single"
        _el(
            root,
            "outcomeDeclaration",
            {"identifier": "CHOICE_FEEDBACK", "cardinality": cardinality, "baseType": "identifier"},
        )


def _item_body(root, item: ExportedItem) -> None:
    body = _el(root, "itemBody")
    stem = _el(body, "div", {"class": "stem"})
    _bilingual(stem, item.stem, block=True)
    if item.kind in CHOICE_KINDS:
        interaction = _el(
            body,
            "choiceInteraction",
            {
                "responseIdentifier": "RESPONSE",
                "shuffle": "false" if item.kind == Item.Kind.TRUE_FALSE else "true",
                "maxChoices": "0" if item.kind == Item.Kind.MULTIPLE else "1",
            },
        )
        for choice in item.choices:
            simple = _el(interaction, "simpleChoice", {"identifier": choice_identifier(choice.key)})
            _bilingual(simple, choice.text, block=False)
            if any(choice.feedback.values()):
                feedback = _el(
                    simple,
                    "feedbackInline",
                    {
                        "outcomeIdentifier": "CHOICE_FEEDBACK",
                        "identifier": choice_identifier(choice.key),
                        "showHide": "show",
                    },
                )
                _bilingual(feedback, choice.feedback, block=False)
    elif item.kind == Item.Kind.ORDERING:
        interaction = _el(
            body, "orderInteraction", {"responseIdentifier": "RESPONSE", "shuffle": "true"}
        )
        for choice in item.choices:
            simple = _el(interaction, "simpleChoice", {"identifier": choice_identifier(choice.key)})
            _bilingual(simple, choice.text, block=False)
    elif item.kind == Item.Kind.MATCHING:
        count = str(len(item.choices))
        interaction = _el(
            body,
            "matchInteraction",
            {"responseIdentifier": "RESPONSE", "shuffle": "true", "maxAssociations": count},
        )
        lefts, rights = _el(interaction, "simpleMatchSet"), _el(interaction, "simpleMatchSet")
        for choice in item.choices:
            left, right = match_identifiers(choice.key)
            left_choice = _el(
                lefts, "simpleAssociableChoice", {"identifier": left, "matchMax": "1"}
            )
            _bilingual(left_choice, choice.text, block=False)
            right_choice = _el(
                rights, "simpleAssociableChoice", {"identifier": right, "matchMax": "1"}
            )
            _bilingual(right_choice, choice.match, block=False)


def _set(parent, identifier: str) -> ET.Element:
    return _el(parent, "setOutcomeValue", {"identifier": identifier})


def _response_processing(root, item: ExportedItem) -> None:
    processing = _el(root, "responseProcessing")
    condition = _el(processing, "responseCondition")
    if item.kind in (Item.Kind.MULTIPLE, Item.Kind.MATCHING):
        # As QTI's map_response template: nothing answered scores 0, else the mapping's sum.
        when_empty = _el(condition, "responseIf")
        _el(_el(when_empty, "isNull"), "variable", {"identifier": "RESPONSE"})
        _el(_set(when_empty, "SCORE"), "baseValue", {"baseType": "float"}, "0")
        otherwise = _el(condition, "responseElse")
        _el(_set(otherwise, "SCORE"), "mapResponse", {"identifier": "RESPONSE"})
    else:
        # As QTI's match_correct template.
        when_right = _el(condition, "responseIf")
        match = _el(when_right, "match")
        _el(match, "variable", {"identifier": "RESPONSE"})
        _el(match, "correct", {"identifier": "RESPONSE"})
        _el(_set(when_right, "SCORE"), "baseValue", {"baseType": "float"}, "1")
        otherwise = _el(condition, "responseElse")
        _el(_set(otherwise, "SCORE"), "baseValue", {"baseType": "float"}, "0")
    # The explanation is shown after every answer; a choice's own feedback after picking it.
    _el(_set(processing, "FEEDBACK"), "baseValue", {"baseType": "identifier"}, "EXPLANATION")
    if item.kind in CHOICE_KINDS:
        _el(_set(processing, "CHOICE_FEEDBACK"), "variable", {"identifier": "RESPONSE"})


def item_document(item: ExportedItem) -> bytes:
    ET.register_namespace("", QTI)
    ET.register_namespace("xsi", XSI)
    root = ET.Element(
        _q("assessmentItem"),
        {
            f"{{{XSI}}}schemaLocation": f"{QTI} {QTI_XSD}",
            "identifier": item_identifier(item),
            "title": item_name(item),
            "adaptive": "false",
            "timeDependent": "false",
        },
    )
    _response_declaration(root, item)
    _outcome_declarations(root, item)
    _item_body(root, item)
    _response_processing(root, item)
    if any(item.explanation.values()):
        feedback = _el(
            root,
            "modalFeedback",
            {"outcomeIdentifier": "FEEDBACK", "identifier": "EXPLANATION", "showHide": "show"},
        )
        _bilingual(feedback, item.explanation, block=True)
    ET.indent(root)
    return ET.tostring(root, encoding="UTF-8", xml_declaration=True)


def manifest(items: list[ExportedItem], course: Course) -> bytes:
    ET.register_namespace("", CP)
    ET.register_namespace("xsi", XSI)
    root = ET.Element(
        f"{{{CP}}}manifest",
        {
            "identifier": f"manifest-{course.slug}",
            f"{{{XSI}}}schemaLocation": f"{CP} {CP_XSD}",
        },
    )
    metadata = ET.SubElement(root, f"{{{CP}}}metadata")
    ET.SubElement(metadata, f"{{{CP}}}schema").text = "QTIv2.1 Package"
    ET.SubElement(metadata, f"{{{CP}}}schemaversion").text = "1.0.0"
    ET.SubElement(root, f"{{{CP}}}organizations")
    resources = ET.SubElement(root, f"{{{CP}}}resources")
    for item in items:
        resource = ET.SubElement(
            resources,
            f"{{{CP}}}resource",
            {
                "identifier": f"resource-{item.key}",
                "type": ITEM_RESOURCE_TYPE,
                "href": item_path(item),
            },
        )
        ET.SubElement(resource, f"{{{CP}}}file", {"href": item_path(item)})
    ET.indent(root)
    return ET.tostring(root, encoding="UTF-8", xml_declaration=True)


# Every entry carries this date rather than the clock's: the same bank gives the same bytes
# (a download can be compared with an earlier one, and a test with the command's output).
ENTRY_DATE = (1980, 1, 1, 0, 0, 0)


def _entry(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=ENTRY_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def write(items: list[ExportedItem], course: Course) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr(_entry("imsmanifest.xml"), manifest(items, course))
        for item in items:
            package.writestr(_entry(item_path(item)), item_document(item))
    return buffer.getvalue()


__all__ = ["write", "manifest", "item_document", "course_title"]
