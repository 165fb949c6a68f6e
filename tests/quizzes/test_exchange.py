"""The item bank exported for other platforms, read back the way each importer reads it.

Moodle XML is compared with the shapes of the files Moodle's own importer tests load
(moodle/moodle: question/format/xml/tests/fixtures/multichoice.xml and truefalse.xml,
question/type/match/tests/fixtures/testquestion.moodle.xml,
question/type/ordering/tests/fixtures/testexport.moodle.xml,
question/format/xml/tests/fixtures/nested_categories_with_questions.xml for idnumber and
categories); GIFT is read back by the small parser below; the QTI package is checked against
the content-packaging rules (every resource's files in the zip, every file in the zip
declared, identifiers unique) and each item against the QTI 2.1 item structure.
"""

from __future__ import annotations

import io
import itertools
import re
import xml.etree.ElementTree as ET
import zipfile
from collections import Counter
from html import unescape

import pytest
from django.core.management import CommandError, call_command

from courseware.course_file import DEFAULT_COURSE_FILE, read_course_file
from courseware.models import Unit
from quizzes import grading
from quizzes.exchange import export_items
from quizzes.exchange.qti import CP, QTI
from quizzes.models import Item

# The bundled course file read directly, so the counts follow the bank as it grows.
BUNDLED_ITEMS = read_course_file(DEFAULT_COURSE_FILE)["items"]
BUNDLED_KINDS = Counter(item["kind"] for item in BUNDLED_ITEMS)

pytestmark = pytest.mark.django_db

# question_bank::fraction_options_full() in Moodle's question/engine/bank.php: the only
# grades its importer accepts (within 0.00001, qformat_default::match_grade_options).
MOODLE_FRACTIONS = [
    0.0,
    1.0,
    0.9,
    0.8333333,
    0.8,
    0.75,
    0.7,
    0.6666667,
    0.6,
    0.5,
    0.4,
    0.3333333,
    0.3,
    0.25,
    0.2,
    0.1666667,
    0.1428571,
    0.125,
    0.1111111,
    0.1,
    0.05,
]
MOODLE_FRACTIONS += [-value for value in MOODLE_FRACTIONS if value] + [-1.0]

# The element order of each question type in Moodle's fixtures (listed in the docstring).
# Ours may add elements (idnumber after hidden, tags at the end) but keeps this order.
FIXTURE_SHAPES = {
    "multichoice": [
        "name",
        "questiontext",
        "generalfeedback",
        "defaultgrade",
        "penalty",
        "hidden",
        "single",
        "shuffleanswers",
        "answernumbering",
        "correctfeedback",
        "partiallycorrectfeedback",
        "incorrectfeedback",
        "answer",
    ],
    "truefalse": [
        "name",
        "questiontext",
        "generalfeedback",
        "defaultgrade",
        "penalty",
        "hidden",
        "idnumber",
        "answer",
    ],
    "matching": [
        "name",
        "questiontext",
        "generalfeedback",
        "defaultgrade",
        "penalty",
        "hidden",
        "shuffleanswers",
        "correctfeedback",
        "partiallycorrectfeedback",
        "incorrectfeedback",
        "subquestion",
    ],
    "ordering": [
        "name",
        "questiontext",
        "generalfeedback",
        "defaultgrade",
        "penalty",
        "hidden",
        "idnumber",
        "layouttype",
        "selecttype",
        "selectcount",
        "gradingtype",
        "showgrading",
        "numberingstyle",
        "correctfeedback",
        "partiallycorrectfeedback",
        "incorrectfeedback",
        "answer",
    ],
}
MOODLE_TYPE = {
    "single": "multichoice",
    "multiple": "multichoice",
    "true_false": "truefalse",
    "matching": "matching",
    "ordering": "ordering",
}
SPAN = re.compile(r'<span lang="(zh_tw|en)" class="multilang">(.*?)</span>', re.S)


def spans(html_text: str) -> dict[str, str]:
    """The two languages of a multi-language text, unescaped."""
    found = {lang: unescape(text) for lang, text in SPAN.findall(html_text)}
    assert set(found) == {"zh_tw", "en"}, html_text
    return {"zh-hant": found["zh_tw"], "en": found["en"]}


def distinct_in_order(tags):
    return [tag for tag, _group in itertools.groupby(tags)]


def is_subsequence(needle, haystack) -> bool:
    it = iter(haystack)
    return all(any(tag == other for other in it) for tag in needle)


def bank():
    """Every current item with its choices, as the database holds it."""
    return {
        item.key: item
        for item in Item.objects.current()
        .prefetch_related("choices", "tags")
        .select_related("unit")
    }


def texts(obj, field):
    return {"zh-hant": getattr(obj, f"{field}_zh_hant"), "en": getattr(obj, f"{field}_en")}


def moodle_grade(fractions: dict[str, float], picked) -> float:
    """Moodle's multichoice with several answers: the picked fractions added, kept in 0..1."""
    return min(1.0, max(0.0, sum(fractions[key] for key in picked)))


def moodle_ordering_next_exclude_last(correct: list[str], response: list[str]) -> float:
    """Moodle's "relative to the next item (excluding last)": for each item but the last
    one in the response, a point if the item after it is the one that follows it in the
    correct order; the score is the points over n − 1."""
    position = {key: index for index, key in enumerate(correct)}
    points = sum(
        1
        for index, key in enumerate(response[:-1])
        if position[response[index + 1]] == position[key] + 1
    )
    return points / (len(correct) - 1)


# ---------------------------------------------------------------------------------------
# Moodle XML


def read_moodle(full_course, unit=None):
    exported = export_items("moodle-xml", course=full_course, unit=unit)
    return ET.fromstring(exported.content), exported


def test_moodle_xml_holds_every_current_item_by_kind_in_one_category_per_unit(full_course):
    quiz, exported = read_moodle(full_course)
    items = bank()
    questions = [q for q in quiz.findall("question") if q.get("type") != "category"]
    categories = [q for q in quiz.findall("question") if q.get("type") == "category"]
    assert quiz.tag == "quiz"
    assert exported.item_count == len(questions) == len(items) == len(BUNDLED_ITEMS)
    assert Counter(q.get("type") for q in questions) == Counter(
        MOODLE_TYPE[item.kind] for item in items.values()
    )
    assert [q.findtext("idnumber") for q in questions] == list(
        Item.objects.current().order_by("unit__order", "order").values_list("key", flat=True)
    )
    assert len(categories) == Unit.objects.filter(items__isnull=False).distinct().count()
    for category in categories:
        path = category.findtext("category/text")
        assert path.startswith("$course$/top/")
        assert len(path.replace("//", "").split("/")) == 4  # $course$/top/course/unit


def test_moodle_xml_questions_are_shaped_like_moodles_own_fixtures(full_course):
    quiz, _ = read_moodle(full_course)
    for question in quiz.findall("question"):
        qtype = question.get("type")
        if qtype == "category":
            assert question.find("category/text") is not None
            continue
        tags = distinct_in_order(child.tag for child in question)
        assert is_subsequence(FIXTURE_SHAPES[qtype], tags), (qtype, tags)
        assert question.find("questiontext").get("format") == "html"
        assert question.find("questiontext/text") is not None
        assert question.find("name/text").text.strip()
        for answer in question.findall("answer"):
            assert answer.find("text") is not None and answer.find("feedback/text") is not None


def test_moodle_xml_carries_both_languages_of_stems_choices_feedback_and_explanations(
    full_course,
):
    quiz, _ = read_moodle(full_course)
    items = bank()
    for question in quiz.findall("question"):
        if question.get("type") == "category":
            continue
        item = items[question.findtext("idnumber")]
        assert spans(question.findtext("questiontext/text")) == texts(item, "stem")
        assert spans(question.findtext("generalfeedback/text")) == texts(item, "explanation")
        choices = list(item.choices.all())
        if item.kind == Item.Kind.MATCHING:
            subquestions = question.findall("subquestion")
            assert [spans(s.findtext("text")) for s in subquestions] == [
                texts(c, "text") for c in choices
            ]
            assert [spans(s.findtext("answer/text")) for s in subquestions] == [
                texts(c, "match") for c in choices
            ]
        elif item.kind == Item.Kind.TRUE_FALSE:
            answers = {a.findtext("text"): a for a in question.findall("answer")}
            for choice in choices:
                assert spans(answers[choice.key].findtext("feedback/text")) == texts(
                    choice, "feedback"
                )
        else:
            answers = question.findall("answer")
            assert [spans(a.findtext("text")) for a in answers] == [
                texts(c, "text") for c in choices
            ]
            if item.kind != Item.Kind.ORDERING:
                assert [spans(a.findtext("feedback/text")) for a in answers] == [
                    texts(c, "feedback") for c in choices
                ]
        tag_names = [t.text for t in question.findall("tags/tag/text")]
        assert len(tag_names) == item.tags.count()
        for tag in item.tags.all():
            # Commas would split a Moodle tag in two: they become spaces.
            en, zh = tag.label_en.replace(",", " "), tag.label_zh_hant.replace(",", " ")
            assert any(en in name and zh in name for name in tag_names)


def test_moodle_fractions_are_on_moodles_list_and_grade_as_we_do(full_course):
    """Every answer's fraction is a grade Moodle's importer accepts, and for every possible
    set of picked choices Moodle's sum of fractions equals quizzes.grading's score."""
    quiz, _ = read_moodle(full_course)
    items = bank()
    seen = Counter()
    for question in quiz.findall("question[@type='multichoice']"):
        item = items[question.findtext("idnumber")]
        choices = list(item.choices.all())
        fractions = [float(a.get("fraction")) / 100 for a in question.findall("answer")]
        for fraction in fractions:
            assert any(abs(fraction - allowed) < 0.00001 for allowed in MOODLE_FRACTIONS)
        by_key = dict(zip([c.key for c in choices], fractions, strict=True))
        if item.kind == Item.Kind.SINGLE:
            assert question.findtext("single") == "true"
            assert sorted(fractions) == [0.0] * (len(choices) - 1) + [1.0]
            assert by_key[next(c.key for c in choices if c.is_correct)] == 1.0
        else:
            assert question.findtext("single") == "false"
            for size in range(len(choices) + 1):
                for picked in itertools.combinations(by_key, size):
                    ours = grading.grade_answer(item.kind, choices, list(picked)).score
                    assert moodle_grade(by_key, picked) == pytest.approx(ours, abs=1e-6)
        seen[item.kind] += 1
    assert seen == {kind: BUNDLED_KINDS[kind] for kind in ("single", "multiple")}


def test_moodle_true_false_answers_are_true_and_false_with_the_right_one_at_100(full_course):
    quiz, _ = read_moodle(full_course)
    items = bank()
    for question in quiz.findall("question[@type='truefalse']"):
        item = items[question.findtext("idnumber")]
        answers = {a.findtext("text"): a.get("fraction") for a in question.findall("answer")}
        correct = next(c.key for c in item.choices.all() if c.is_correct)
        assert answers == {correct: "100", ({"true", "false"} - {correct}).pop(): "0"}


def test_moodle_ordering_lists_the_correct_order_and_grades_by_neighbour_pairs(full_course):
    quiz, _ = read_moodle(full_course)
    items = bank()
    orderings = quiz.findall("question[@type='ordering']")
    assert len(orderings) == BUNDLED_KINDS["ordering"]
    for question in orderings:
        item = items[question.findtext("idnumber")]
        choices = list(item.choices.all())
        answers = question.findall("answer")
        assert [float(a.get("fraction")) for a in answers] == list(range(1, len(choices) + 1))
        assert question.findtext("gradingtype") == "RELATIVE_NEXT_EXCLUDE_LAST"
        assert question.findtext("selecttype") == "ALL"
        correct = [c.key for c in choices]
        for response in itertools.permutations(correct):
            ours = grading.grade_answer("ordering", choices, list(response)).score
            assert moodle_ordering_next_exclude_last(correct, list(response)) == pytest.approx(ours)


def test_moodle_xml_of_one_unit_holds_only_its_items(full_course):
    unit = Unit.objects.get(slug="introduction")
    quiz, exported = read_moodle(full_course, unit)
    keys = [q.findtext("idnumber") for q in quiz.findall("question") if q.get("type") != "category"]
    assert keys == list(Item.objects.for_unit(unit).values_list("key", flat=True))
    assert len(quiz.findall("question[@type='category']")) == 1
    assert exported.filename.endswith("-introduction-items-moodle-xml.xml")


def test_archived_items_are_not_exported(full_course):
    Item.objects.filter(key="intro-q1").update(archived=True)
    quiz, exported = read_moodle(full_course)
    keys = {q.findtext("idnumber") for q in quiz.findall("question")}
    assert "intro-q1" not in keys
    assert exported.item_count == len(BUNDLED_ITEMS) - 1


# ---------------------------------------------------------------------------------------
# GIFT, read back


def gift_split(text: str, separators: str) -> list[tuple[str, str]]:
    """Split at unescaped separator characters: [(separator before, piece)…]."""
    pieces, current, marker, index = [], [], "", 0
    while index < len(text):
        character = text[index]
        if character == "\\" and index + 1 < len(text):
            current.append(text[index : index + 2])
            index += 2
            continue
        if character in separators:
            pieces.append((marker, "".join(current)))
            marker, current = character, []
        else:
            current.append(character)
        index += 1
    pieces.append((marker, "".join(current)))
    return pieces


def gift_unescape(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: "\n" if m[1] == "n" else m[1], text.strip())


def parse_gift(text: str) -> dict:
    """A small GIFT reader: categories, comments ([id:…], [tag:…]), questions by kind."""
    result = {"categories": [], "questions": [], "comments": []}
    category = None
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = block.splitlines()
        comments = [line[2:].strip() for line in lines if line.startswith("//")]
        body = "\n".join(line for line in lines if not line.startswith("//")).strip()
        if body.startswith("$CATEGORY:"):
            category = body.removeprefix("$CATEGORY:").strip()
            result["categories"].append(category)
            continue
        if not body:
            result["comments"] += comments
            continue
        match = re.fullmatch(r"::(?P<name>(?:\\.|[^:])*)::(?:\[html\])?(?P<stem>.*)", body, re.S)
        assert match, block
        stem, answers = _gift_braces(match["stem"])
        idnumber = next(c[4:-1] for c in comments if c.startswith("[id:"))
        tags = [c[5:-1] for c in comments if c.startswith("[tag:")]
        question = {
            "id": idnumber,
            "tags": tags,
            "category": category,
            "name": gift_unescape(match["name"]),
            "stem": gift_unescape(stem),
        }
        question.update(_gift_answers(answers))
        result["questions"].append(question)
    return result


def _gift_braces(text: str) -> tuple[str, str]:
    pieces = gift_split(text, "{}")
    assert [marker for marker, _ in pieces] == ["", "{", "}"], text
    assert not pieces[2][1].strip()
    return pieces[0][1], pieces[1][1]


def _gift_answers(body: str) -> dict:
    general = None
    if "####" in body:
        body, general = body.split("\t####") if "\t####" in body else body.split("####")
        general = gift_unescape(general)
    stripped = body.strip()
    head = stripped.split("#")[0]
    if head in ("TRUE", "FALSE", "T", "F"):
        _, wrong, right = [piece for _marker, piece in gift_split(stripped, "#")]
        return {
            "kind": "truefalse",
            "answer": head in ("TRUE", "T"),
            "general": general,
            "wrong_feedback": gift_unescape(wrong),
            "right_feedback": gift_unescape(right),
        }
    answers = []
    for marker, piece in gift_split(stripped, "=~")[1:]:
        text_part, *feedback = [p for _m, p in gift_split(piece, "#")]
        weight = None
        if marker == "~":
            weighted = re.fullmatch(r"%(-?[\d.]+)%(.*)", text_part, re.S)
            if weighted:
                weight, text_part = float(weighted[1]) / 100, weighted[2]
        answers.append(
            {
                "marker": marker,
                "text": text_part,
                "weight": weight,
                "feedback": gift_unescape(feedback[0]) if feedback else "",
            }
        )
    if all(" -> " in a["text"] and a["marker"] == "=" for a in answers):
        pairs = [a["text"].split(" -> ") for a in answers]
        return {
            "kind": "matching",
            "general": general,
            "pairs": [(gift_unescape(left), gift_unescape(right)) for left, right in pairs],
        }
    for answer in answers:
        answer["text"] = gift_unescape(answer["text"])
    return {"kind": "choice", "answers": answers, "general": general}


def test_gift_reads_back_every_item_but_ordering_with_both_languages(full_course):
    exported = export_items("gift", course=full_course)
    parsed = parse_gift(exported.content.decode("utf-8"))
    items = bank()
    ordering = sorted(key for key, item in items.items() if item.kind == Item.Kind.ORDERING)
    assert (
        len(parsed["questions"])
        == len(items) - len(ordering)
        == len(BUNDLED_ITEMS) - BUNDLED_KINDS["ordering"]
    )
    skipped = [c for c in parsed["comments"] if c.startswith("Skipped")]
    assert sorted(re.match(r"Skipped (\S+):", c)[1] for c in skipped) == ordering
    assert all("GIFT cannot express" in c for c in skipped)
    assert len(parsed["categories"]) == 8
    for question in parsed["questions"]:
        item = items[question["id"]]
        choices = list(item.choices.all())
        assert spans(question["stem"]) == texts(item, "stem")
        assert spans(question["general"]) == texts(item, "explanation")
        assert len(question["tags"]) == item.tags.count()
        if item.kind == Item.Kind.TRUE_FALSE:
            assert question["kind"] == "truefalse"
            right = next(c for c in choices if c.is_correct)
            wrong = next(c for c in choices if not c.is_correct)
            assert question["answer"] == (right.key == "true")
            assert spans(question["right_feedback"]) == texts(right, "feedback")
            assert spans(question["wrong_feedback"]) == texts(wrong, "feedback")
        elif item.kind == Item.Kind.MATCHING:
            assert question["kind"] == "matching"
            assert [(spans(left), spans(right)) for left, right in question["pairs"]] == [
                (texts(c, "text"), texts(c, "match")) for c in choices
            ]
        else:
            assert question["kind"] == "choice"
            answers = question["answers"]
            assert [spans(a["text"]) for a in answers] == [texts(c, "text") for c in choices]
            assert [spans(a["feedback"]) for a in answers] == [
                texts(c, "feedback") for c in choices
            ]
            if item.kind == Item.Kind.SINGLE:
                assert [a["marker"] == "=" for a in answers] == [c.is_correct for c in choices]
            else:
                weights = {c.key: a["weight"] for c, a in zip(choices, answers, strict=True)}
                for weight in weights.values():
                    assert any(abs(weight - allowed) < 0.00001 for allowed in MOODLE_FRACTIONS)
                for size in range(len(choices) + 1):
                    for picked in itertools.combinations(weights, size):
                        ours = grading.grade_answer(item.kind, choices, list(picked)).score
                        assert moodle_grade(weights, picked) == pytest.approx(ours, abs=1e-6)


def test_gift_escapes_its_control_characters_in_content(mini_course):
    """A stem with every GIFT control character still reads back as written."""
    item = Item.objects.filter(kind=Item.Kind.SINGLE).first()
    nasty = "a~b=c#d{e}f:g\\h\nline two"
    Item.objects.filter(pk=item.pk).update(stem_en=nasty)
    parsed = parse_gift(export_items("gift", course=mini_course).content.decode("utf-8"))
    question = next(q for q in parsed["questions"] if q["id"] == item.key)
    assert spans(question["stem"])["en"] == nasty


# ---------------------------------------------------------------------------------------
# QTI 2.1 content package

NCNAME = re.compile(r"[A-Za-z_][\w.-]*")
ITEM_CHILDREN = [
    "responseDeclaration",
    "outcomeDeclaration",
    "templateDeclaration",
    "templateProcessing",
    "stylesheet",
    "itemBody",
    "responseProcessing",
    "modalFeedback",
]


def q(tag):
    return f"{{{QTI}}}{tag}"


def read_package(course, unit=None):
    exported = export_items("qti21", course=course, unit=unit)
    package = zipfile.ZipFile(io.BytesIO(exported.content))
    return package, ET.fromstring(package.read("imsmanifest.xml"))


def test_qti_manifest_declares_every_file_of_the_package_and_nothing_else(full_course):
    package, manifest = read_package(full_course)
    assert manifest.tag == f"{{{CP}}}manifest"
    assert manifest.findtext(f"{{{CP}}}metadata/{{{CP}}}schema") == "QTIv2.1 Package"
    resources = manifest.findall(f"{{{CP}}}resources/{{{CP}}}resource")
    identifiers = [r.get("identifier") for r in resources]
    assert len(identifiers) == len(set(identifiers)) == len(BUNDLED_ITEMS)
    assert all(NCNAME.fullmatch(identifier) for identifier in identifiers)
    declared = []
    for resource in resources:
        assert resource.get("type") == "imsqti_item_xmlv2p1"
        files = [f.get("href") for f in resource.findall(f"{{{CP}}}file")]
        assert resource.get("href") in files
        declared += files
    names = set(package.namelist()) - {"imsmanifest.xml"}
    assert sorted(declared) == sorted(names)
    assert package.testzip() is None


def test_qti_items_are_qti_21_assessment_items_scored_as_we_score(full_course):
    package, manifest = read_package(full_course)
    items = bank()
    interactions = Counter()
    item_identifiers = set()
    for resource in manifest.findall(f"{{{CP}}}resources/{{{CP}}}resource"):
        root = ET.fromstring(package.read(resource.get("href")))
        assert root.tag == q("assessmentItem")
        for attribute in ("identifier", "title", "adaptive", "timeDependent"):
            assert root.get(attribute), attribute
        assert NCNAME.fullmatch(root.get("identifier"))
        item_identifiers.add(root.get("identifier"))
        children = [child.tag.removeprefix(f"{{{QTI}}}") for child in root]
        order = [ITEM_CHILDREN.index(tag) for tag in children]
        assert order == sorted(order), children
        declared = {d.get("identifier") for d in root.findall(q("outcomeDeclaration"))}
        declared |= {d.get("identifier") for d in root.findall(q("responseDeclaration"))}
        assert {"SCORE", "RESPONSE", "FEEDBACK"} <= declared
        for element in root.iter():
            for attribute in ("identifier", "outcomeIdentifier"):
                if element.tag in (
                    q("variable"),
                    q("setOutcomeValue"),
                    q("mapResponse"),
                    q("correct"),
                    q("modalFeedback"),
                    q("feedbackInline"),
                ):
                    name = element.get("outcomeIdentifier") or element.get("identifier")
                    if attribute == "identifier" and element.tag in (
                        q("modalFeedback"),
                        q("feedbackInline"),
                    ):
                        continue
                    assert name in declared, (root.get("identifier"), name)
        item = items[root.get("identifier").removeprefix("item-")]
        choices = list(item.choices.all())
        body = root.find(q("itemBody"))
        interaction = next(child for child in body if child.tag.endswith("Interaction"))
        interactions[interaction.tag.removeprefix(f"{{{QTI}}}")] += 1
        assert interaction.get("responseIdentifier") == "RESPONSE"
        choice_ids = [
            c.get("identifier")
            for c in interaction.iter()
            if c.tag in (q("simpleChoice"), q("simpleAssociableChoice"))
        ]
        assert len(choice_ids) == len(set(choice_ids))
        declaration = root.find(q("responseDeclaration"))
        correct = [v.text for v in declaration.findall(f"{q('correctResponse')}/{q('value')}")]
        for value in correct:
            assert set(value.split()) <= set(choice_ids)
        languages = {el.get("{http://www.w3.org/XML/1998/namespace}lang") for el in body.iter()}
        assert {"zh-Hant", "en"} <= languages
        stem = [p.text for p in body.find(q("div")).findall(q("p"))]
        assert stem == [item.stem_zh_hant, item.stem_en]
        assert [p.text for p in root.find(q("modalFeedback")).findall(q("p"))] == [
            item.explanation_zh_hant,
            item.explanation_en,
        ]
        mapping = {
            e.get("mapKey"): float(e.get("mappedValue"))
            for e in declaration.findall(f"{q('mapping')}/{q('mapEntry')}")
        }
        if item.kind == Item.Kind.MULTIPLE:
            key_of = {f"choice-{c.key}": c.key for c in choices}
            for size in range(len(choices) + 1):
                for picked in itertools.combinations(mapping, size):
                    qti_score = min(1.0, max(0.0, sum(mapping[k] for k in picked)))
                    ours = grading.grade_answer(
                        item.kind, choices, [key_of[k] for k in picked]
                    ).score
                    assert qti_score == pytest.approx(ours, abs=1e-6)
        elif item.kind == Item.Kind.MATCHING:
            assert declaration.get("baseType") == "directedPair"
            assert sum(mapping.values()) == pytest.approx(1.0, abs=1e-6)
            assert sorted(mapping) == sorted(correct)
        elif item.kind == Item.Kind.ORDERING:
            assert declaration.get("cardinality") == "ordered"
            assert correct == [f"choice-{c.key}" for c in choices]
        else:
            assert correct == [f"choice-{c.key}" for c in choices if c.is_correct]
    assert len(item_identifiers) == len(BUNDLED_ITEMS)
    assert interactions == {
        "choiceInteraction": sum(BUNDLED_KINDS[k] for k in ("single", "multiple", "true_false")),
        "matchInteraction": BUNDLED_KINDS["matching"],
        "orderInteraction": BUNDLED_KINDS["ordering"],
    }


# ---------------------------------------------------------------------------------------
# The command


def test_export_items_command_writes_each_format_for_the_course_or_a_unit(mini_course, tmp_path):
    for fmt in ("moodle-xml", "gift", "qti21"):
        path = tmp_path / f"out-{fmt}"
        call_command("export_items", "--format", fmt, "--output", str(path))
        assert path.read_bytes() == export_items(fmt, course=mini_course).content
    path = tmp_path / "intro.xml"
    call_command(
        "export_items", "--format", "moodle-xml", "--unit", "introduction", "--output", str(path)
    )
    quiz = ET.fromstring(path.read_bytes())
    unit = Unit.objects.get(slug="introduction")
    assert len(quiz.findall("question")) == Item.objects.for_unit(unit).count() + 1


def test_export_items_command_prints_text_formats_without_output(mini_course, capsys):
    call_command("export_items", "--format", "gift", "--unit", "introduction")
    assert "$CATEGORY:" in capsys.readouterr().out


def test_export_items_command_refuses_unknown_units_and_a_zip_on_the_terminal(mini_course):
    with pytest.raises(CommandError, match="No unit"):
        call_command("export_items", "--format", "gift", "--unit", "no-such-unit")
    with pytest.raises(CommandError, match="--output"):
        call_command("export_items", "--format", "qti21")


def test_the_qti_package_is_the_same_bytes_whenever_it_is_built(mini_course, monkeypatch):
    """Its zip entries carried the clock's time: two builds a second apart differed, and the
    command's file then did not match the download (a flaky test found it)."""
    import time

    first = export_items("qti21", course=mini_course).content
    later = time.time() + 3600
    monkeypatch.setattr(time, "time", lambda: later)
    monkeypatch.setattr(time, "localtime", lambda seconds=None: time.gmtime(later))
    assert export_items("qti21", course=mini_course).content == first
