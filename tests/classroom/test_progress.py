"""The class progress grid: statuses, the needs-help rule at its edges, the summary row,
sorting, filtering and searching, and a fixed number of queries whatever the class size."""

import re
import statistics
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from classroom.models import Assignment, Enrollment, Extension
from classroom.progress import UnitResult, UnitStatus, class_progress, percent
from classroom.views import PROGRESS_PAGE_SIZE
from quizzes.models import Item

from .conftest import (
    assign,
    enroll,
    make_attempt,
    make_class,
    make_user,
    populated_class,
    read,
)

pytestmark = pytest.mark.django_db


def progress_url(school_class, **params):
    url = reverse("classroom:progress", args=[school_class.pk])
    return f"{url}?{urlencode(params)}" if params else url


def cell(school_class, student, unit, now=None):
    grid = class_progress(school_class, now=now)
    row = next(row for row in grid.rows if row.student_id == student.pk)
    index = next(i for i, col in enumerate(grid.columns) if col.unit.pk == unit.pk)
    return row, row.cells[index]


# --- The rule, on plain values ----------------------------------------------------------


def test_one_struggle_is_not_enough_two_are():
    assert not UnitResult(attempts=1, struggles=1).needs_help
    assert UnitResult(attempts=2, struggles=2).needs_help


def test_overdue_means_needs_help():
    assert UnitResult(overdue=True).needs_help
    assert not UnitResult().needs_help


def test_status_precedence():
    assert UnitResult().status == UnitStatus.NOT_STARTED
    assert UnitResult(opened=True).status == UnitStatus.READING
    assert UnitResult(opened=True, read=True).status == UnitStatus.READ
    assert UnitResult(read=True, in_progress=True).status == UnitStatus.QUIZ
    assert UnitResult(read=True, attempts=1, best=0.5).status == UnitStatus.QUIZ
    assert UnitResult(attempts=1, best=0.5, overdue=True).status == UnitStatus.OVERDUE
    assert UnitResult(attempts=1, best=0.8).status == UnitStatus.MASTERED


def test_percent_rounds_halves_up():
    assert percent(0.125) == 13
    assert percent(0.8) == 80
    assert percent(2 / 3) == 67
    assert percent(None) is None


# --- The rule, from stored attempts ------------------------------------------------------


def test_an_attempt_of_exactly_60_percent_is_not_a_struggle(school_class, student, units):
    intro = units[0]
    make_attempt(student, intro, [1, 1, 1, 0, 0])  # 3 of 5 = 60 %
    make_attempt(student, intro, [1, 1, 0.9, 0, 0])  # 58 %
    _row, result = cell(school_class, student, intro)
    assert (result.attempts, result.struggles) == (2, 1)
    assert not result.needs_help


def test_two_attempts_below_60_percent_on_one_unit_flag_the_student(school_class, student, units):
    intro = units[0]
    make_attempt(student, intro, [1, 1, 0.9, 0, 0])
    make_attempt(student, intro, [1, 0, 0, 0, 0])
    make_attempt(student, intro, [1, 1, 1, 1, 1])  # mastered later: still flagged
    row, result = cell(school_class, student, intro)
    assert (result.attempts, result.struggles, result.best) == (3, 2, 1.0)
    assert row.needs_help


def test_struggles_on_two_different_units_do_not_add_up(school_class, student, units):
    intro, phase = units
    make_attempt(student, intro, [0, 0, 0, 0, 0])
    make_attempt(student, phase, [0])
    row, _result = cell(school_class, student, intro)
    assert not row.needs_help


def test_float_sums_a_hair_under_60_percent_count_as_60(school_class, student, units):
    intro = units[0]
    # 0.6 + 0.6 + 0.6 in floating point is 1.7999999999999998: still 60 % of 3.
    for _ in range(2):
        make_attempt(student, intro, [0.6, 0.6, 0.6, None, None], item_count=3)
    _row, result = cell(school_class, student, intro)
    assert result.struggles == 0


def test_practice_rounds_and_open_attempts_are_not_struggles(school_class, student, units):
    intro = units[0]
    make_attempt(student, intro, [0, 0, 0, 0, 0], practice=True)
    make_attempt(student, intro, [0, 0, 0, 0, 0], practice=True)
    make_attempt(student, intro, [0, None, None, None, None], finished=False)
    _row, result = cell(school_class, student, intro)
    assert (result.attempts, result.struggles, result.best) == (0, 0, None)
    assert result.in_progress
    assert result.status == UnitStatus.QUIZ


def test_overdue_edges(school_class, student, units):
    intro = units[0]
    assignment = Assignment.objects.get(school_class=school_class, unit=intro)
    now = timezone.now()
    assignment.due_at = now
    assignment.save()
    _row, result = cell(school_class, student, intro, now=now)
    assert not result.overdue  # due right now: not yet overdue
    row, result = cell(school_class, student, intro, now=now + timedelta(seconds=1))
    assert result.overdue and row.needs_help


def test_an_overdue_unit_mastered_at_exactly_80_percent_is_fine(school_class, student, units):
    intro = units[0]
    Assignment.objects.filter(unit=intro).update(due_at=timezone.now() - timedelta(days=1))
    make_attempt(student, intro, [1, 1, 1, 1, 0])  # 80 %
    row, result = cell(school_class, student, intro)
    assert result.mastered and not result.overdue and not row.needs_help


def test_an_overdue_unit_just_under_80_percent_needs_help(school_class, student, units):
    intro = units[0]
    Assignment.objects.filter(unit=intro).update(due_at=timezone.now() - timedelta(days=1))
    make_attempt(student, intro, [1, 1, 1, 0.95, 0])  # 79 %
    row, result = cell(school_class, student, intro)
    assert result.overdue and row.needs_help
    assert result.status == UnitStatus.OVERDUE


# --- The grid ----------------------------------------------------------------------------


@pytest.fixture
def four_students(school_class, student, units, django_user_model):
    """student: 100 % and 60 % on intro; ann: 40 %; bob: read only; cat: nothing."""
    intro = units[0]
    ann = make_user(django_user_model, "ann", name="Ann")
    bob = make_user(django_user_model, "bob", name="Bob")
    cat = make_user(django_user_model, "cat", name="Cat")
    enroll(school_class, ann, bob, cat)
    read(student, intro)
    make_attempt(student, intro, [1, 1, 1, 1, 1])
    make_attempt(student, intro, [1, 1, 1, 0, 0])
    read(ann, intro)
    make_attempt(ann, intro, [1, 1, 0, 0, 0])
    read(bob, intro, done=False)
    return ann, bob, cat


def test_grid_cells_and_summary_row(school_class, student, units, four_students):
    ann, bob, cat = four_students
    grid = class_progress(school_class)
    assert [row.username for row in grid.rows] == ["ann", "bob", "cat", "student"]
    by_name = {row.username: row.cells[0] for row in grid.rows}
    assert (by_name["student"].best, by_name["student"].attempts) == (1.0, 2)
    assert by_name["student"].read and by_name["student"].mastered
    assert (by_name["ann"].best, by_name["ann"].attempts) == (0.4, 1)
    assert by_name["bob"].opened and not by_name["bob"].read
    assert by_name["cat"].status == UnitStatus.NOT_STARTED
    intro_column = grid.columns[0]
    assert (intro_column.mastered, intro_column.students) == (1, 4)
    assert intro_column.completion == 0.25
    # Best scores 1.0 and 0.4: mean 0.7, median 0.7; students without a score are left out.
    assert intro_column.mean == pytest.approx(0.7)
    assert intro_column.median == pytest.approx(0.7)


def test_each_rows_flag_and_mean_are_those_of_its_cells(
    school_class, student, units, four_students, django_user_model
):
    """The grid reads every row's needs-help flag and mean off the scores, and builds cells
    only for the rows it shows: the two must agree, on every due date and extension."""
    ann, bob, cat = four_students
    intro, second = units[0], units[1]
    dan = make_user(django_user_model, "dan", name="Dan")
    enroll(school_class, dan)
    # The second unit has one item.
    make_attempt(dan, second, [0])
    make_attempt(dan, second, [0])
    make_attempt(cat, second, [1])
    make_attempt(ann, second, [1])
    intro_assignment = Assignment.objects.get(school_class=school_class, unit=intro)
    Extension.objects.create(
        assignment=intro_assignment, student=ann, due_at=timezone.now() + timedelta(days=60)
    )
    for days in (0, 30, 90):
        grid = class_progress(school_class, now=timezone.now() + timedelta(days=days))
        for row in grid.rows:
            assert row.needs_help == any(cell.needs_help for cell in row.cells), row.username
            scores = [cell.best for cell in row.cells if cell.best is not None]
            assert row.mean == (statistics.fmean(scores) if scores else None), row.username
        flagged = {row.username for row in grid.rows if row.needs_help}
        # Dan struggled twice. At 30 days the others are overdue on a unit they have not
        # mastered, but Ann, whose own due date on intro is later; at 90 days Ann too.
        assert (
            flagged
            == {
                0: {"dan"},
                30: {"dan", "bob", "cat", "student"},
                90: {"dan", "bob", "cat", "student", "ann"},
            }[days]
        )


def test_page_shows_cells_in_text_and_states_the_rule(
    instructor_client, school_class, four_students
):
    html = instructor_client.get(progress_url(school_class)).content.decode()
    assert "two or more quiz attempts below 60%" in html
    assert "Mastered: 1 of 4 (25%)" in html
    assert "Mean 70% · median 70%" in html
    assert '<i aria-hidden="true">★</i> <b>100%</b> · 2 attempts' in html
    assert "<b>40%</b> · 1 attempt<" in html
    assert "position: sticky" not in html  # styling lives in the stylesheet
    assert 'scope="col"' in html and 'scope="row"' in html and "<caption" in html


def test_removed_students_leave_the_grid(instructor_client, school_class, four_students):
    ann = four_students[0]
    Enrollment.objects.filter(student=ann).update(removed_at=timezone.now())
    grid = class_progress(school_class)
    assert "ann" not in [row.username for row in grid.rows]


def test_sort_by_mean_and_by_needs_help(instructor_client, school_class, units, four_students):
    ann = four_students[0]
    make_attempt(ann, units[0], [0, 0, 0, 0, 0])  # a second struggle: ann needs help
    grid = class_progress(school_class)
    assert [r.username for r in grid.view(sort="mean")] == ["bob", "cat", "ann", "student"]
    assert [r.username for r in grid.view(sort="-mean")] == ["student", "ann", "bob", "cat"]
    assert [r.username for r in grid.view(sort="help")][0] == "ann"
    html = instructor_client.get(progress_url(school_class, sort="mean")).content.decode()
    assert html.index(">Bob<") < html.index(">Cat<") < html.index(">Ann<")
    assert 'aria-sort="ascending"' in html


def test_filter_to_students_who_need_help(instructor_client, school_class, units, four_students):
    ann = four_students[0]
    make_attempt(ann, units[0], [0, 0, 0, 0, 0])
    response = instructor_client.get(progress_url(school_class, help="1"))
    html = response.content.decode()
    assert "Showing 1 of 4 students." in html
    assert ">ann<" in html and ">bob<" not in html


def test_search_works_without_javascript(instructor_client, school_class, four_students):
    html = instructor_client.get(progress_url(school_class, q="BO")).content.decode()
    assert "Showing 1 of 4 students." in html
    assert ">bob<" in html and ">ann<" not in html


def test_search_matches_chinese_display_names(instructor_client, school_class, django_user_model):
    enroll(school_class, make_user(django_user_model, "chen", name="陳怡君"))
    html = instructor_client.get(progress_url(school_class, q="怡君")).content.decode()
    assert "陳怡君" in html and "Showing 1 of 2 students." in html


def test_htmx_gets_the_grid_and_the_count_out_of_band(
    instructor_client, school_class, four_students
):
    response = instructor_client.get(progress_url(school_class, q="ann"), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="grid"')
    assert 'hx-swap-oob="true">Showing 1 of 4 students.' in html
    assert "<header" not in html
    assert response["Vary"].count("HX-Request") == 1


def test_htmx_history_restore_gets_the_whole_page(instructor_client, school_class):
    response = instructor_client.get(
        progress_url(school_class),
        HTTP_HX_REQUEST="true",
        HTTP_HX_HISTORY_RESTORE_REQUEST="true",
    )
    assert "<header" in response.content.decode()


def test_cell_and_name_link_to_the_drill_down(instructor_client, school_class, student):
    html = instructor_client.get(progress_url(school_class)).content.decode()
    detail = reverse("classroom:student_detail", args=[school_class.pk, student.pk])
    assert f'href="{detail}"' in html
    assert f'href="{detail}#u-introduction"' in html


def test_drill_down_shows_every_answer(instructor_client, school_class, student, units):
    make_attempt(
        student,
        units[0],
        [1, 0.5, 0, 1, 1],
        answers=[["a"], ["a", "b"], ["false"], ["a", "b", "c", "d"], {"a": "a"}],
    )
    make_attempt(student, units[0], [0, 0, 0, 0, 0], practice=True)
    url = reverse("classroom:student_detail", args=[school_class.pk, student.pk])
    html = instructor_client.get(url).content.decode()
    assert 'id="u-introduction"' in html
    # Each answer under its question's own words, never the item's internal key.
    for item in Item.objects.for_unit(units[0]):
        assert str(escape(item.stem))[:40] in html
        assert item.key not in html
    assert "partly correct" in html and "wrong" in html and "correct" in html
    assert "Practice round" in html
    assert "score 70% (3.5 of 5)" in html


# --- Queries -----------------------------------------------------------------------------


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize(("small", "large"), [((5, 2), (60, 2)), ((5, 2), (5, 6))])
def test_progress_page_queries_do_not_grow(client, django_user_model, instructor, small, large):
    client.force_login(instructor)
    counts = []
    for students, units in (small, large):
        slug = f"q{students}x{units}"
        school_class, _units = populated_class(
            django_user_model, instructor, students=students, units=units, slug=slug
        )
        counts.append(count_queries(client, progress_url(school_class)))
    assert counts[0] == counts[1]
    assert counts[0] <= 10


@pytest.mark.parametrize(("small", "large"), [((2, 1), (2, 3)), ((2, 1), (6, 1))])
def test_drill_down_queries_do_not_grow(client, django_user_model, instructor, small, large):
    """2 against 6 units, 1 against 3 rounds of attempts per unit."""
    client.force_login(instructor)
    counts = []
    for units, rounds in (small, large):
        school_class, course_units = populated_class(
            django_user_model, instructor, students=1, units=units, slug=f"d{units}x{rounds}"
        )
        student = Enrollment.objects.in_class(school_class).get().student
        for _round in range(rounds - 1):
            for unit in course_units:
                make_attempt(student, unit, [1, 0, 0])
        url = reverse("classroom:student_detail", args=[school_class.pk, student.pk])
        counts.append(count_queries(client, url))
    assert counts[0] == counts[1]


def test_student_home_queries_do_not_grow(django_user_model, instructor, units, student):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(student)
    counts = []
    for number in range(2):
        school_class = make_class(instructor, name=f"Class {number}")
        enroll(school_class, student)
        for unit in units:
            assign(school_class, unit)
            if number == 0:
                read(student, unit)
            else:
                make_attempt(student, unit, [1] * 5)
        counts.append(count_queries(client, reverse("classroom:home")))
    assert counts[0] == counts[1]


def test_progress_page_is_compressed_for_browsers(instructor_client, school_class, four_students):
    response = instructor_client.get(progress_url(school_class), HTTP_ACCEPT_ENCODING="gzip")
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]


def test_the_grid_escapes_a_hostile_display_name(
    instructor_client, school_class, django_user_model
):
    """Display names are typed by students at sign-up; the grid's rows are built in Python
    (``progress_rows``), outside the template engine's autoescaping."""
    hostile = '<img src=x onerror="alert(1)"><script>alert(2)</script>&amp;'
    student = make_user(django_user_model, "mallory", name=hostile)
    enroll(school_class, student)
    html = instructor_client.get(progress_url(school_class)).content.decode()
    assert (
        "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&lt;script&gt;alert(2)&lt;/script&gt;"
        in html
    )
    assert "&amp;amp;" in html
    assert "<script>alert(2)" not in html and "<img src=x" not in html


# --- Optional units: worked on without an assignment -------------------------------------


@pytest.fixture
def class_with_optional_work(instructor, units, student, django_user_model):
    """Only the first unit is assigned; the student also read and took the quiz of the
    second, and a classmate read it halfway."""
    intro, second = units[0], units[1]
    school_class = make_class(instructor, name="Optional work")
    classmate = make_user(django_user_model, "dan", name="Dan")
    enroll(school_class, student, classmate)
    assign(school_class, intro)
    read(student, second)
    make_attempt(student, second, [0])
    make_attempt(student, second, [1])
    read(classmate, second, done=False)
    return school_class


def test_units_worked_on_without_an_assignment_are_optional_columns(
    class_with_optional_work, student, units
):
    grid = class_progress(class_with_optional_work)
    assert [(col.unit, col.optional) for col in grid.columns] == [
        (units[0], False),
        (units[1], True),
    ]
    row = next(row for row in grid.rows if row.student_id == student.pk)
    assert len(row.cells) == 1
    [optional] = row.optional_cells
    assert (optional.best, optional.attempts, optional.read) == (1.0, 2, True)
    assert optional.mastered and not optional.overdue
    # The optional column has a summary like the others, and stays out of the mean.
    assert (grid.columns[1].mastered, grid.columns[1].students) == (1, 2)
    assert row.mean is None


def test_a_unit_nobody_in_the_class_touched_is_no_column(
    instructor, units, student, django_user_model
):
    school_class = make_class(instructor, name="Only the assigned")
    enroll(school_class, student)
    assign(school_class, units[0])
    outsider = make_user(django_user_model, "eve", name="Eve")
    read(outsider, units[1])  # not in this class
    grid = class_progress(school_class)
    assert [col.unit for col in grid.columns] == [units[0]]


@pytest.mark.parametrize(
    ("language", "words"),
    [("en", "optional: not assigned"), ("zh-hant", "自選：未指派"), ("zh-hans", "自选：未指派")],
)
def test_optional_columns_say_so_in_every_language(
    instructor, class_with_optional_work, language, words
):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(instructor)
    html = client.get(progress_url(class_with_optional_work)).content.decode()
    assert words in html
    assert 'class="u opt"' in html
    assert 'class="s-mastered opt"' in html


def test_the_gradebook_marks_optional_columns(instructor_client, class_with_optional_work):
    url = reverse("classroom:gradebook_csv", args=[class_with_optional_work.pk])
    text = b"".join(instructor_client.get(url).streaming_content).decode()
    header, *lines = text.splitlines()
    assert "(optional, not assigned): best score (%)" in header
    assert any(line.endswith(',100,"Mastered"') for line in lines)


def test_progress_page_queries_with_optional_units_do_not_grow(
    client, django_user_model, instructor
):
    """Optional columns cost one query (their units), whatever the size of the class."""
    client.force_login(instructor)
    counts = []
    for students in (2, 40):
        school_class, course_units = populated_class(
            django_user_model, instructor, students=students, units=3, slug=f"opt{students}"
        )
        # Two of the three units unassigned: the students' work on them makes optional columns.
        Assignment.objects.filter(school_class=school_class, unit__in=course_units[1:]).delete()
        with CaptureQueriesContext(connection) as queries:
            html = client.get(progress_url(school_class)).content.decode()
        assert html.count('class="u opt"') == 2
        assert len(re.findall(r'<td class="s-\w+ opt">', html)) == 2 * students
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert counts[0] <= 10


@pytest.fixture
def large_class(django_user_model, instructor, units):
    """105 students named Student 001 … Student 105, one assigned unit, no work yet."""
    school_class = make_class(instructor, name="Large class")
    users = django_user_model.objects.bulk_create(
        [
            django_user_model(username=f"large-{n:03d}", first_name=f"Student {n:03d}")
            for n in range(1, 106)
        ]
    )
    enroll(school_class, *users)
    assign(school_class, units[0])
    return school_class


def _student_rows(html):
    return re.findall(r'<tr(?: class="h")?><th scope="row"><a href="[^"]+">([^<]+)</a>', html)


def test_progress_grid_shows_a_page_of_students_at_a_time(instructor_client, large_class):
    html = instructor_client.get(progress_url(large_class)).content.decode()
    names = _student_rows(html)
    assert len(names) == PROGRESS_PAGE_SIZE == 100
    assert names[0] == "Student 001" and names[-1] == "Student 100"
    assert "Students 1–100 of 105" in html
    assert "Showing 105 of 105 students." in html
    # The summary row still covers the whole class.
    assert "Mastered: 0 of 105" in html
    assert 'rel="next" href="?page=2"' in html and 'rel="prev"' not in html

    html = instructor_client.get(progress_url(large_class, page=2)).content.decode()
    assert _student_rows(html) == [f"Student {n}" for n in range(101, 106)]
    assert "Students 101–105 of 105" in html
    assert 'rel="prev" href="?page=1"' in html and 'rel="next"' not in html


def test_progress_search_and_sort_cover_every_page(instructor_client, large_class):
    html = instructor_client.get(progress_url(large_class, q="Student 104")).content.decode()
    assert _student_rows(html) == ["Student 104"]
    assert "Showing 1 of 105 students." in html
    assert "grid-pages" not in html  # one page: no page links
    # Sorting starts again at the first page.
    html = instructor_client.get(progress_url(large_class, page=2)).content.decode()
    assert 'href="?sort=help"' in html and "page=2&amp;sort" not in html


def test_progress_page_links_work_with_htmx_and_without(instructor_client, large_class):
    html = instructor_client.get(
        progress_url(large_class, page=2), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert html.lstrip().startswith('<div id="grid">')
    assert 'hx-get="?page=1"' in html and 'href="?page=1"' in html
    assert 'hx-swap-oob="true">Showing 105 of 105 students.' in html


def test_progress_page_out_of_range_shows_the_last_page(instructor_client, large_class):
    html = instructor_client.get(progress_url(large_class, page=99)).content.decode()
    assert _student_rows(html)[0] == "Student 101"
    html = instructor_client.get(progress_url(large_class, page="x")).content.decode()
    assert _student_rows(html)[0] == "Student 001"


def test_gradebook_csv_lists_every_student_whatever_the_page(instructor_client, large_class):
    url = reverse("classroom:gradebook_csv", args=[large_class.pk])
    response = instructor_client.get(url)
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    body = raw.decode("utf-8-sig")
    assert all(f"Student {n:03d}" in body for n in range(1, 106))


@pytest.fixture
def graded_elsewhere(instructor, other_instructor, units, student):
    """Instructor B grades the second unit, and the student took B's graded quiz (all right);
    instructor A's class ("Mine") has the student too and assigns only the first unit."""
    from quizzes.models import QuizPolicy

    mine = make_class(instructor, name="Mine")
    theirs = make_class(other_instructor, name="Theirs")
    enroll(mine, student)
    enroll(theirs, student)
    assign(mine, units[0])
    graded = assign(theirs, units[1])
    graded.policy = QuizPolicy.objects.create()
    graded.save(update_fields=["policy"])
    attempt = make_attempt(student, units[1], [1])
    attempt.policy = graded.policy
    attempt.save(update_fields=["policy"])
    return mine, theirs


def test_a_quiz_graded_in_another_class_counts_in_neither_column_of_this_one(
    graded_elsewhere, units
):
    """B's graded attempt is B's business: it is no optional column in A's grid, and it does
    not count on A's practice assignment of the same unit either."""
    mine, theirs = graded_elsewhere
    assert [col.unit for col in class_progress(mine).columns] == [units[0]]
    assign(mine, units[1])
    [row] = class_progress(mine).rows
    assert row.cells[1].best is None and row.cells[1].attempts == 0
    # In B's own grid it is the grade.
    [their_row] = class_progress(theirs).rows
    assert their_row.cells[0].best == 1.0


def test_a_quiz_graded_in_another_class_is_in_none_of_this_classs_reports(
    client, instructor, other_instructor, graded_elsewhere, units, student
):
    """The drill-down, the answers CSV, item analysis and the mastery heat map of A's class
    leave B's graded attempt out, as the grid does; B's own reports have it."""
    from classroom.analysis import item_analysis, tag_mastery

    mine, theirs = graded_elsewhere
    assign(mine, units[1])  # practice here
    client.force_login(instructor)
    detail = client.get(reverse("classroom:student_detail", args=[mine.pk, student.pk]))
    assert detail.status_code == 200
    assert "100%" not in detail.content.decode().split("<main")[1]
    csv_text = b"".join(
        client.get(reverse("classroom:responses_csv", args=[mine.pk])).streaming_content
    ).decode("utf-8-sig")
    assert csv_text.count("\n") == 1  # the header alone
    assert item_analysis(mine, units[1]).attempt_count == 0
    assert all(cell.total == 0 for cell in tag_mastery(mine).class_row.cells)
    # B sees it everywhere.
    assert item_analysis(theirs, units[1]).attempt_count == 1
    assert any(cell.total for cell in tag_mastery(theirs).class_row.cells)
    client.force_login(other_instructor)
    csv_text = b"".join(
        client.get(reverse("classroom:responses_csv", args=[theirs.pk])).streaming_content
    ).decode("utf-8-sig")
    assert csv_text.count("\n") == 2


def test_an_optional_columns_heading_opens_the_unit_not_an_analysis_it_has_none_of(
    instructor_client, class_with_optional_work, units
):
    html = instructor_client.get(progress_url(class_with_optional_work)).content.decode()
    analysis = reverse("classroom:item_analysis", args=[class_with_optional_work.pk, units[1].slug])
    assert analysis not in html
    assert f'href="{units[1].get_absolute_url()}"' in html
    assigned = reverse("classroom:item_analysis", args=[class_with_optional_work.pk, units[0].slug])
    assert assigned in html and instructor_client.get(assigned).status_code == 200
