"""CSV exports: UTF-8 with a BOM, Chinese intact, one row per student or per answer."""

import csv
import io

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from classroom.models import Assignment, Enrollment

from .conftest import enroll, make_attempt, make_user, populated_class, read

pytestmark = pytest.mark.django_db


def download(client, name, school_class, **headers):
    response = client.get(reverse(f"classroom:{name}", args=[school_class.pk]), **headers)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


@pytest.fixture
def graded(school_class, student, units, django_user_model):
    student.first_name = "陳怡君"
    student.save()
    read(student, units[0])
    make_attempt(
        student,
        units[0],
        [1, 1, 1, 1, 0],
        answers=[["a"], ["a", "c"], ["true"], ["a", "b", "c", "d"], {"a": "b", "b": "a"}],
    )
    make_attempt(student, units[0], [1, 0, 1, 0, 0])
    idle = make_user(django_user_model, "idle", name='=HYPERLINK("x")')
    enroll(school_class, idle)
    return idle


def test_gradebook_has_a_row_per_student_and_two_columns_per_unit(
    client, instructor, school_class, graded
):
    client.force_login(instructor)
    rows = download(client, "gradebook_csv", school_class)
    header = rows[0]
    assert header[:2] == ["Username", "Name"]
    assert header[2] == "I Introduction: best score (%)"
    assert header[3] == "I Introduction: status"
    assert len(header) == 2 + 2 * 2
    by_user = {row[0]: row for row in rows[1:]}
    assert by_user["student"][1:4] == ["陳怡君", "80", "Mastered"]
    assert by_user["student"][5] == "Not started"
    assert by_user["idle"][2:4] == ["", "Not started"]


def test_gradebook_in_chinese_keeps_chinese_intact(client, instructor, school_class, graded):
    client.force_login(instructor)
    rows = download(client, "gradebook_csv", school_class, HTTP_ACCEPT_LANGUAGE="zh-TW")
    assert rows[0][2].startswith("壹 前言")
    assert "陳怡君" in [row[1] for row in rows[1:]]


def test_text_that_a_spreadsheet_would_run_as_a_formula_is_defused(
    client, instructor, school_class, graded
):
    client.force_login(instructor)
    rows = download(client, "gradebook_csv", school_class)
    names = [row[1] for row in rows[1:]]
    assert '\'=HYPERLINK("x")' in names


def test_responses_has_a_row_per_answer(client, instructor, school_class, graded, student):
    client.force_login(instructor)
    rows = download(client, "responses_csv", school_class)
    header, answers = rows[0], rows[1:]
    assert header == [
        "Username",
        "Name",
        "Unit",
        "Attempt",
        "Practice",
        "Question number",
        "Question",
        "Answer",
        "Choice keys",
        "Correct",
        "Score",
        "Time",
    ]
    assert len(answers) == 10
    first = answers[0]
    assert first[:3] == ["student", "陳怡君", "I Introduction"]
    assert first[4:11] == [
        "no",
        "1",
        "Which power did Vietnam lean on?",
        "The Soviet Union",
        "a",
        "yes",
        "1.0",
    ]
    # Each answer under the number the student saw it as, its text beside its choice keys.
    assert [row[5] for row in answers[:5]] == ["1", "2", "3", "4", "5"]
    assert answers[1][7:9] == ["A policy; A system", "a, c"]
    assert answers[4][7] == "1945–75 → the Soviet Union; 1976–86 → China"
    assert answers[4][9] == "no"
    assert timezone.localtime().strftime("%Y-") in first[11]
    # No internal key (unit slug, item key, choice key) reaches the reader.
    assert not {"introduction", "intro-q1"} & {cell for row in answers for cell in row}


def test_responses_leave_out_other_units_and_removed_students(
    client, instructor, school_class, graded, student, units, django_user_model
):
    Assignment.objects.filter(school_class=school_class, unit=units[1]).delete()
    make_attempt(student, units[1], [1])
    gone = make_user(django_user_model, "gone")
    enroll(school_class, gone)
    make_attempt(gone, units[0], [1, 1, 1, 1, 1])
    Enrollment.objects.filter(student=gone).update(removed_at=timezone.now())
    client.force_login(instructor)
    rows = download(client, "responses_csv", school_class)
    assert {row[2] for row in rows[1:]} == {"I Introduction"}
    assert {row[0] for row in rows[1:]} == {"student"}


def test_an_answer_to_an_item_a_corrected_course_file_moved_stays_in_its_attempts_unit(
    client, instructor, school_class, graded, student, units
):
    """A course file corrected mid-term may move an item to another unit, even one this class
    was never assigned: the download broke off at that answer (its item was not among the
    assigned units' items), after the header had been sent."""
    from quizzes.models import Item

    Assignment.objects.filter(school_class=school_class, unit=units[1]).delete()
    moved = Item.objects.for_unit(units[0]).first()
    Item.objects.filter(pk=moved.pk).update(unit=units[1])
    client.force_login(instructor)
    rows = download(client, "responses_csv", school_class)
    assert len(rows) == 11
    assert {row[2] for row in rows[1:]} == {"I Introduction"}
    assert sum(1 for row in rows[1:] if row[6] == moved.stem) == 2


SIMPLIFIED = {"HTTP_ACCEPT_LANGUAGE": "zh-CN,zh;q=0.9"}


@pytest.mark.parametrize("how", ["accept_language", "cookie"])
def test_the_csvs_follow_a_simplified_interface(
    client, instructor, school_class, graded, student, units, settings, how
):
    """Before: the streamed CSVs bypassed SimplifiedContentMiddleware, so a zh-hans reader's
    download held the Traditional unit titles, questions and answers."""
    make_attempt(student, units[1], [1], answers=[["a"]])
    client.force_login(instructor)
    if how == "cookie":
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
        headers = {"HTTP_ACCEPT_LANGUAGE": "zh-TW"}
    else:
        headers = SIMPLIFIED
    gradebook = download(client, "gradebook_csv", school_class, **headers)
    assert "第一阶段" in gradebook[0][4] and "階段" not in gradebook[0][4]
    assert "陳怡君" in [row[1] for row in gradebook[1:]]  # a name is the student's own
    responses = download(client, "responses_csv", school_class, **headers)
    text = "\n".join(",".join(row) for row in responses)
    assert "第一阶段" in text and "第一階段" not in text
    assert "越南在冷战时期依靠哪一国？" in text and "冷戰" not in text
    assert "苏联" in text and "蘇聯" not in text
    assert "陳怡君" in text
    # The Traditional interface keeps the Traditional text.
    client.cookies.pop(settings.LANGUAGE_COOKIE_NAME, None)
    traditional = download(client, "responses_csv", school_class, HTTP_ACCEPT_LANGUAGE="zh-TW")
    text = "\n".join(",".join(row) for row in traditional)
    assert "第一階段" in text and "越南在冷戰時期依靠哪一國？" in text and "蘇聯" in text


@pytest.mark.parametrize("name", ["gradebook_csv", "responses_csv"])
@pytest.mark.parametrize(("small", "large"), [((5, 2), (60, 2)), ((5, 2), (5, 6))])
def test_export_queries_do_not_grow(client, django_user_model, instructor, name, small, large):
    client.force_login(instructor)
    counts = []
    for students, units in (small, large):
        school_class, _units = populated_class(
            django_user_model,
            instructor,
            students=students,
            units=units,
            slug=f"e{students}x{units}",
        )
        with CaptureQueriesContext(connection) as queries:
            response = client.get(
                reverse(f"classroom:{name}", args=[school_class.pk]), **SIMPLIFIED
            )
            b"".join(response.streaming_content)
        counts.append(len(queries))
    assert counts[0] == counts[1]


@pytest.mark.parametrize("name", ["progress", "gradebook_csv", "responses_csv"])
def test_the_large_pages_follow_gzip_level(settings, client, instructor, school_class, name):
    """They used Django's gzip_page, which compresses at level 6 whatever GZIP_LEVEL says:
    GZIP_LEVEL=0 (the proxy compresses) must leave them alone too."""
    url = reverse(f"classroom:{name}", args=[school_class.pk])
    client.force_login(instructor)
    compressed = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
    assert compressed.status_code == 200
    if len(b"".join(compressed)) >= 200:  # shorter responses are never compressed
        assert compressed["Content-Encoding"] == "gzip"
    settings.GZIP_LEVEL = 0
    plain = Client()
    plain.force_login(instructor)
    response = plain.get(url, HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200
    assert "Content-Encoding" not in response


HOSTILE_NAMES = [
    'Ann;=HYPERLINK("http://x")',
    "Bob,@SUM(1+1)*cmd|' /C calc'!A0",
    "Cy\n=2+3",
    'Di; "=4+4',
    " =5+5",
    "\t=6+6",
    "Eve,+7",
    "Fay;-8+8",
]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cells_as_any_spreadsheet_may_split_them(body: str) -> list[str]:
    """Every piece a spreadsheet could take for a cell: split on either separator or a line
    break, our quotes ignored (as when the file's separator is not the locale's)."""
    pieces = []
    for line in body.splitlines():
        for by_comma in line.split(","):
            pieces += by_comma.split(";")
    return [piece.lstrip(' "') for piece in pieces]


@pytest.mark.parametrize("name", ["gradebook_csv", "responses_csv"])
def test_no_separator_or_line_break_in_a_cell_can_start_a_formula(
    client, instructor, school_class, graded, django_user_model, units, name
):
    """Before: only a formula at the very start was defused, so "Ann;=HYPERLINK(…)" became a
    formula in a spreadsheet that splits on ";" (the list separator where the decimal mark
    is a comma), and text was not quoted."""
    for index, hostile in enumerate(HOSTILE_NAMES):
        user = make_user(django_user_model, f"hostile{index}", name=hostile)
        enroll(school_class, user)
        make_attempt(user, units[0], [1, 0, 1, 0, 0])
    client.force_login(instructor)
    response = client.get(reverse(f"classroom:{name}", args=[school_class.pk]))
    body = b"".join(response.streaming_content).decode("utf-8-sig")

    for piece in cells_as_any_spreadsheet_may_split_them(body):
        assert not piece.startswith(FORMULA_STARTS), piece
    rows = list(csv.reader(io.StringIO(body)))
    names = {row[1] for row in rows[1:]}
    assert 'Ann;\'=HYPERLINK("http://x")' in names  # still readable, one cell
    assert "Cy\n'=2+3" in names
    # Text is quoted: a separator or line break inside stays inside its cell.
    assert '"hostile0","Ann;\'=HYPERLINK(""http://x"")"' in body
    assert '"hostile2","Cy\n\'=2+3"' in body


def test_numbers_stay_numbers_and_ordinary_text_is_unchanged(
    client, instructor, school_class, graded
):
    client.force_login(instructor)
    response = client.get(reverse("classroom:gradebook_csv", args=[school_class.pk]))
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert '"student","陳怡君",80,"Mastered"' in body
