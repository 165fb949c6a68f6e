"""The course-file loader against random mutations of the real course files.

Every mutated file either loads cleanly, keeping every student's progress and answers, or is
refused with a CourseFileError whose every message names where the fault is, with the
database exactly as it was. Nothing else (no KeyError, TypeError, IntegrityError) may escape.
Mutations are structural (a key deleted, renamed or added, a value of the wrong type, a list
element dropped, repeated or swapped, a value copied from elsewhere in the file) and textual
(bytes deleted, inserted or replaced in the JSON text, invalid UTF-8).
"""

from __future__ import annotations

import copy
import json
import re

import pytest
from django.apps import apps
from django.db import transaction
from django.db.models import CharField, SlugField
from django.db.models.functions import Length
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from classroom.models import Assignment, Enrollment
from courseware.course_file import DEFAULT_COURSE_FILE, CourseFileError, load, read_course_file
from courseware.models import ReadingProgress, Unit
from quizzes import services
from quizzes.grading import grade_answer
from quizzes.models import Attempt, Item, Response, current_choices
from quizzes.samples import right_answer, wrong_answer
from tests.conftest import MINI_COURSE

from .conftest import changed_tables, make_user, snapshot
from .fuzzing import EXAMPLES, FUZZ, mutated

pytestmark = pytest.mark.django_db

COURSE_FILES = [MINI_COURSE] + ([DEFAULT_COURSE_FILE] if DEFAULT_COURSE_FILE.exists() else [])
# Where a fault is: a path into the file, the file itself (JSON syntax, encoding), or, for a
# refused removal, the unit, passage, item or choice by its key. A path quotes the keys it
# passes, which may be any text the file holds where a key belongs, line breaks included.
LOCATION = re.compile(
    r"^(?:"
    r"(?:file|format|course|units|terms|references|tags|items)\b.*?: \S"
    r"|\S+\.json(?: line \d+ column \d+)?: \S"
    r"|(?:Unit|Passage|Quiz item) “[^”]+” is not in the file"
    r"|Choice “[^”]+” of quiz item “[^”]+” is not in the file"
    r")",
    re.DOTALL,
)
SLUG = re.compile(r"[-a-zA-Z0-9_]+")
STUDENT_WORK = (Attempt, Response, ReadingProgress, Enrollment, Assignment)


@st.composite
def mutated_text(draw, original: bytes) -> bytes:
    data = bytearray(original)
    for _step in range(draw(st.integers(min_value=1, max_value=3))):
        start = draw(st.integers(0, len(data)))
        operation = draw(st.sampled_from(["delete", "insert", "replace"]))
        if operation == "delete":
            del data[start : start + draw(st.integers(1, 40))]
        else:
            new = draw(
                st.one_of(
                    st.sampled_from(
                        [b"\xff", b"\xed\xa0\x80", b"\x00", b",", b"}", b"]", b'"', b"NaN", b"\\"]
                    ),
                    # Nesting past the parser's stack, numbers past Python's 4,300 digits.
                    st.sampled_from([b"[" * 5_000, b"9" * 5_000, b"1e999", b"-Infinity"]),
                    st.text(max_size=5).map(lambda s: s.encode("utf-8", "surrogatepass")),
                )
            )
            end = start + (len(new) if operation == "replace" else 0)
            data[start:end] = new
    return bytes(data)


def give_students_work():
    """Two students read the first unit with items and answer in a graded attempt."""
    unit = Unit.objects.current().filter(items__archived=False).order_by("order").first()
    for name, answer in (("fuzz-reader-1", right_answer), ("fuzz-reader-2", wrong_answer)):
        student = make_user(name)
        ReadingProgress.objects.create(user=student, unit=unit)
        attempt = services.start_or_resume_attempt(student, unit)
        for item_id in attempt.item_ids[:2]:
            item = Item.objects.prefetch_related("choices").get(pk=item_id)
            services.record_answer(attempt=attempt, item=item, answer=answer(item))


def assert_refusal_names_locations(error: CourseFileError) -> None:
    assert error.errors, "a refusal without a message"
    for message in error.errors:
        assert LOCATION.match(message), f"no location in {message!r}"


def check_load(load_it) -> str:
    """Run one load in a rolled-back savepoint; return "loaded" or "refused"."""
    with translation.override("en"), transaction.atomic():
        before = snapshot()
        work = {model: snapshot_of(model) for model in STUDENT_WORK}
        try:
            load_it()
        except CourseFileError as error:
            assert_refusal_names_locations(error)
            assert changed_tables(before, snapshot()) == []
            outcome = "refused"
        else:
            # A corrected key regrades the answers to it (issue #14); nothing else changes.
            assert {model: kept_work(model, snapshot_of(model)) for model in STUDENT_WORK} == {
                model: kept_work(model, rows) for model, rows in work.items()
            }
            assert_regraded_consistently(work[Response])
            assert_every_text_fits_its_column()
            outcome = "loaded"
        transaction.set_rollback(True)
    return outcome


def assert_every_text_fits_its_column() -> None:
    """What PostgreSQL enforces and SQLite does not (a load that passes here passes there),
    and slugs whole (a slug ending in a line break loaded once, and broke its URL)."""
    for label in ("courseware", "quizzes"):
        for model in apps.get_app_config(label).get_models():
            for field in model._meta.concrete_fields:
                if isinstance(field, CharField) and field.max_length:
                    too_long = model.objects.annotate(length=Length(field.name)).filter(
                        length__gt=field.max_length
                    )
                    assert not too_long.exists(), f"{model.__name__}.{field.name}"
                if isinstance(field, SlugField):
                    for slug in model.objects.values_list(field.name, flat=True):
                        assert SLUG.fullmatch(slug), f"{model.__name__}.{field.name}: {slug!r}"


def tally(outcomes: list[str]) -> str:
    """For -s runs: how many examples took each path."""
    return ", ".join(f"{outcomes.count(name)} {name}" for name in sorted(set(outcomes)))


def snapshot_of(model) -> list[dict]:
    return list(model.objects.order_by("pk").values())


# What a regrade may change: the answers' scores (the first one kept) and the attempts' points.
REGRADE_COLUMNS = {
    Response: {"score", "is_correct", "score_before_regrade", "regraded_at"},
    Attempt: {"points"},
}


def kept_work(model, rows: list[dict]) -> list[dict]:
    drop = REGRADE_COLUMNS.get(model, set())
    return [{key: value for key, value in row.items() if key not in drop} for row in rows]


def assert_regraded_consistently(responses_before: list[dict]) -> None:
    """Every answer scores what its item's current key gives (the old score kept when it
    changed), and every attempt's points are the sum of its answers' scores."""
    before = {row["id"]: row for row in responses_before}
    for response in Response.objects.select_related("item").prefetch_related("item__choices"):
        grade = grade_answer(response.item.kind, current_choices(response.item), response.answer)
        assert response.score == pytest.approx(grade.score)
        old = before[response.pk]["score"]
        if response.score != pytest.approx(old):
            assert response.score_before_regrade == pytest.approx(old)
    for attempt in Attempt.objects.all():
        total = sum(attempt.responses.values_list("score", flat=True))
        assert attempt.points == pytest.approx(total)


@pytest.fixture(params=COURSE_FILES, ids=lambda path: path.name)
def course_file(request, db):
    with translation.override("en"):
        load(read_course_file(request.param))
    give_students_work()
    return request.param


def test_structural_mutations_load_cleanly_or_name_the_fault(course_file):
    original = read_course_file(course_file)
    outcomes = []

    @FUZZ
    @given(data=mutated(original))
    def run(data):
        outcomes.append(check_load(lambda: load(data)))

    run()
    print(f"{course_file.name}: {tally(outcomes)}")
    assert len(outcomes) >= EXAMPLES // 2


def test_dropping_a_choice_students_chose_is_refused_by_its_location(course_file):
    """What Hypothesis found: this refusal names the choice and its item, a location the
    pattern did not know."""
    data = read_course_file(course_file)
    wrong_picks = [
        (response.item.key, response.answer[0])
        for response in Response.objects.filter(item__kind=Item.Kind.SINGLE, is_correct=False)
        .select_related("item")
        .order_by("pk")
    ]
    for item_key, chosen in wrong_picks:
        item_data = next(item for item in data["items"] if item["key"] == item_key)
        if len(item_data["choices"]) > 3:  # still a valid item without the chosen choice
            item_data["choices"] = [c for c in item_data["choices"] if c["key"] != chosen]
            break
    else:
        pytest.skip("no wrong single-choice answer on an item with choices to spare")
    with pytest.raises(CourseFileError) as refused, translation.override("en"):
        load(data)
    assert_refusal_names_locations(refused.value)
    assert "students chose it" in str(refused.value)


def test_textual_mutations_load_cleanly_or_name_the_fault(course_file, tmp_path):
    original = course_file.read_bytes()
    path = tmp_path / "course.json"

    outcomes = []

    @FUZZ
    @given(raw=mutated_text(original))
    def run(raw):
        path.write_bytes(raw)
        outcomes.append(check_load(lambda: load(read_course_file(path))))

    run()
    print(f"{course_file.name}: {tally(outcomes)}")


def _tag_list(data):
    data["items"][0]["tags"] = [["phase-1945-1975"]]


def _passage_object(data):
    data["items"][0]["passages"] = [{"key": "introduction-1"}]


def _unit_list(data):
    data["items"][0]["unit"] = ["introduction"]


def _reference_object(data):
    data["units"][0]["passages"][0]["citations"][0]["ref"] = {"key": "waltz-1979"}


def _term_list(data):
    data["units"][0]["passages"][0]["terms"] = [["balance-of-power"]]


WRONG_KEY_TYPES = [
    (_tag_list, 'items[0] "intro-q1".tags'),
    (_passage_object, 'items[0] "intro-q1".passages'),
    (_unit_list, 'items[0] "intro-q1".unit'),
    (_reference_object, 'units[0] "introduction".passages[0] "introduction-1".citations[0].ref'),
    (_term_list, 'units[0] "introduction".passages[0] "introduction-1".terms[0]'),
]


@pytest.mark.parametrize(
    ("break_file", "where"),
    WRONG_KEY_TYPES,
    ids=[break_file.__name__.strip("_") for break_file, _where in WRONG_KEY_TYPES],
)
def test_a_list_or_object_where_a_key_belongs_is_refused(mini_course, break_file, where):
    """Found by the property above (a TypeError each, until they were checked)."""
    data = read_course_file(MINI_COURSE)
    break_file(data)
    with translation.override("en"), pytest.raises(CourseFileError) as refused:
        load(data)
    assert_refusal_names_locations(refused.value)
    assert any(message.startswith(where) for message in refused.value.errors)


# A text of each kind the validator reads: translated, plain, a term's forms.
UNSTORABLE_PLACES = [
    (("course", "title", "en"), "course.title.en"),
    (("course", "author"), "course.author"),
    (("terms", 0, "forms", "en", 0), 'terms[0] "balance-of-power".forms.en'),
]


@pytest.mark.parametrize("character", ["\x00", "\ud800"], ids=["NUL", "lone-surrogate"])
@pytest.mark.parametrize(("path", "where"), UNSTORABLE_PLACES, ids=["title", "author", "form"])
def test_text_no_database_can_store_is_refused(mini_course, tmp_path, character, path, where):
    """JSON carries both as escapes (\\u0000, \\ud800): PostgreSQL refuses NUL in text
    (DataError) and no database can encode a lone surrogate (UnicodeEncodeError)."""
    data = read_course_file(MINI_COURSE)
    *parents, last = path
    container = data
    for step in parents:
        container = container[step]
    container[last] = f"before{character}after"
    course_file = tmp_path / "course.json"
    course_file.write_text(json.dumps(data, ensure_ascii=True), encoding="utf-8")
    assert f"before\\u{ord(character):04x}after" in course_file.read_text()  # a JSON escape
    before = snapshot()
    with translation.override("en"), pytest.raises(CourseFileError) as refused:
        load(read_course_file(course_file))
    assert refused.value.errors == [
        f"{where}: contains a NUL character or a lone surrogate, which no database can store"
    ]
    assert changed_tables(before, snapshot()) == []


@pytest.mark.parametrize(
    ("broken", "where"),
    [
        ("[]", "file: "),
        ('{"format": 1}', "file: "),
        ("\xff", "not UTF-8"),
        ('{"format": 1,', "line 1 column 14: malformed JSON"),
    ],
)
def test_hopeless_files_are_refused_by_location(mini_course, tmp_path, broken, where):
    path = tmp_path / "course.json"
    path.write_bytes(broken.encode("latin-1") if broken == "\xff" else broken.encode())
    with translation.override("en"), pytest.raises(CourseFileError) as refused:
        load(read_course_file(path))
    assert_refusal_names_locations(refused.value)
    assert where in str(refused.value)


def test_a_mutation_that_drops_an_answered_item_is_refused(course_file):
    """The property's harder half, shown once on purpose: a refused removal names the item."""
    original = read_course_file(course_file)
    answered = Response.objects.values_list("item__key", flat=True).first()
    data = copy.deepcopy(original)
    data["items"] = [item for item in data["items"] if item["key"] != answered]
    assert check_load(lambda: load(data)) == "refused"
    with translation.override("en"), pytest.raises(CourseFileError) as refused:
        load(data)
    assert f"Quiz item “{answered}”" in str(refused.value)
    assert json.dumps(data)  # the file itself was sound
