"""Item analysis and mastery by tag, checked against values worked out by hand."""

import math
import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from classroom.analysis import correlation, item_analysis, tag_mastery
from classroom.models import Enrollment
from courseware.models import Course
from quizzes.models import Attempt, Item

from .conftest import (
    assign,
    build_course,
    enroll,
    make_attempt,
    make_class,
    make_user,
    populated_class,
)

pytestmark = pytest.mark.django_db


def test_correlation_by_hand():
    # x = 1,1,0,0 and y = 2,1,1,0: deviations ±.5 and 1,0,0,−1; C = 1, Vx = 1, Vy = 2.
    assert correlation([1, 1, 0, 0], [2, 1, 1, 0]) == pytest.approx(1 / math.sqrt(2))
    assert correlation([1, 0], [0, 1]) == pytest.approx(-1)


def test_correlation_is_undefined_without_spread_or_data():
    assert correlation([1, 1, 1], [0, 1, 2]) is None
    assert correlation([0, 1], [3, 3]) is None
    assert correlation([1], [1]) is None


@pytest.fixture
def hand_set(instructor, django_user_model):
    """Four students' first attempts on a three-item unit (correct answer "a"):

        student   item 1   item 2   item 3   total
        s1          1        1        1        3
        s2          1        1        0        2
        s3          0 (b)    1        0        1
        s4          0 (c)    0        0        0

    s4 later tries again and gets everything right (only in "all attempts").
    """
    (unit,) = build_course(units=1, items_per_unit=3, slug="hand")
    school_class = make_class(instructor)
    assign(school_class, unit)
    rows = {
        "s1": ([1, 1, 1], [["a"], ["a"], ["a"]]),
        "s2": ([1, 1, 0], [["a"], ["a"], ["b"]]),
        "s3": ([0, 1, 0], [["b"], ["a"], ["b"]]),
        "s4": ([0, 0, 0], [["c"], ["b"], ["c"]]),
    }
    start = timezone.now() - timedelta(days=2)
    students = {}
    for name, (scores, answers) in rows.items():
        student = make_user(django_user_model, name)
        enroll(school_class, student)
        make_attempt(student, unit, scores, answers=answers, started_at=start)
        students[name] = student
    make_attempt(
        students["s4"], unit, [1, 1, 1], answers=[["a"]] * 3, started_at=start + timedelta(days=1)
    )
    return school_class, unit, students


def test_facility_and_discrimination_match_hand_values(hand_set):
    school_class, unit, _students = hand_set
    analysis = item_analysis(school_class, unit)
    assert (analysis.attempt_count, analysis.student_count) == (4, 4)
    first, second, third = analysis.items
    # Item 1: x = 1,1,0,0; rest of test = 2,1,1,0 → r = 1/√2.
    assert first.facility == pytest.approx(50)
    assert first.discrimination == pytest.approx(70.71, abs=0.01)
    # Item 2: x = 1,1,1,0; rest = 2,1,0,0 → C = .75, Vx = .75, Vrest = 2.75 → r = .5222.
    assert second.facility == pytest.approx(75)
    assert second.discrimination == pytest.approx(52.22, abs=0.01)
    # Item 3: x = 1,0,0,0; rest = 2,2,1,0 → C = .75, Vx = .75, Vrest = 2.75 → r = .5222.
    assert third.facility == pytest.approx(25)
    assert third.discrimination == pytest.approx(52.22, abs=0.01)


def test_items_below_the_thresholds_are_flagged(hand_set):
    school_class, unit, _students = hand_set
    analysis = item_analysis(school_class, unit)
    assert [bool(stats.review_reasons) for stats in analysis.items] == [False, False, True]
    assert [str(reason) for reason in analysis.items[2].review_reasons] == ["facility below 30 %"]
    assert analysis.flagged_count == 1


def test_low_discrimination_is_flagged(instructor, django_user_model):
    """The stronger students miss item 1: r(x1, rest) = −1 → flagged."""
    (unit,) = build_course(units=1, items_per_unit=2, slug="neg")
    school_class = make_class(instructor)
    assign(school_class, unit)
    for name, scores in (("p", [0, 1]), ("q", [1, 0])):
        student = make_user(django_user_model, name)
        enroll(school_class, student)
        make_attempt(student, unit, scores)
    first = item_analysis(school_class, unit).items[0]
    assert first.discrimination == pytest.approx(-100)
    assert [str(reason) for reason in first.review_reasons] == ["discrimination below 20"]


def test_option_counts_are_exact(hand_set):
    school_class, unit, _students = hand_set
    first = item_analysis(school_class, unit).items[0]
    counts = {option.choice.key: (option.count, option.of) for option in first.options}
    assert counts == {"a": (2, 4), "b": (1, 4), "c": (1, 4)}
    assert first.options[0].share == 0.5


def test_all_attempts_switch_adds_later_attempts(hand_set):
    school_class, unit, _students = hand_set
    analysis = item_analysis(school_class, unit, all_attempts=True)
    assert (analysis.attempt_count, analysis.student_count) == (5, 4)
    # Item 1 over five attempts: 1,1,0,0,1 → 60 %.
    assert analysis.items[0].facility == pytest.approx(60)
    counts = {option.choice.key: option.count for option in analysis.items[0].options}
    assert counts == {"a": 3, "b": 1, "c": 1}


def test_unanswered_items_score_zero_and_are_counted(instructor, django_user_model):
    (unit,) = build_course(units=1, items_per_unit=2, slug="gap")
    school_class = make_class(instructor)
    assign(school_class, unit)
    for name, scores in (("p", [1, 1]), ("q", [1, None])):
        student = make_user(django_user_model, name)
        enroll(school_class, student)
        make_attempt(student, unit, scores)
    second = item_analysis(school_class, unit).items[1]
    assert (second.presented, second.answered, second.unanswered) == (2, 1, 1)
    assert second.facility == pytest.approx(50)


def test_only_current_students_finished_graded_attempts_count(hand_set, django_user_model):
    school_class, unit, students = hand_set
    make_attempt(students["s1"], unit, [0, 0, 0], practice=True)
    make_attempt(students["s2"], unit, [0, None, None], finished=False)
    stranger = make_user(django_user_model, "stranger")
    make_attempt(stranger, unit, [0, 0, 0])
    Enrollment.objects.filter(student=students["s4"]).update(removed_at=timezone.now())
    analysis = item_analysis(school_class, unit, all_attempts=True)
    assert (analysis.attempt_count, analysis.student_count) == (3, 3)


def test_analysis_page(client, instructor, hand_set):
    school_class, unit, _students = hand_set
    client.force_login(instructor)
    url = reverse("classroom:item_analysis", args=[school_class.pk, unit.slug])
    html = client.get(url).content.decode()
    assert "Moodle" in html
    assert "2 of 4" in html and "50%" in html and "71" in html
    assert "Review: facility below 30 %" in html
    assert "The first finished attempt of each student: 4 attempts by 4 students." in html
    html = client.get(url, {"attempts": "all"}, HTTP_HX_REQUEST="true").content.decode()
    assert html.lstrip().startswith('<div id="analysis"')
    assert "All 5 finished attempts by 4 students" in html


def test_option_counts_for_ordering_and_matching(school_class, student, units, django_user_model):
    """Ordering: right place; matching: right match. intro-q4 orders a,b,c,d; intro-q5
    matches a,b,c to themselves."""
    intro = units[0]
    make_attempt(
        student,
        intro,
        [1, 1, 1, 0.33, 0.33],
        answers=[
            ["b"],
            ["a", "b"],
            ["false"],
            ["a", "c", "b", "d"],
            {"a": "a", "b": "c", "c": "b"},
        ],
    )
    analysis = item_analysis(school_class, intro)
    ordering, matching = analysis.items[3], analysis.items[4]
    assert {o.choice.key: o.count for o in ordering.options} == {"a": 1, "b": 0, "c": 0, "d": 1}
    assert {o.choice.key: o.count for o in matching.options} == {"a": 1, "b": 0, "c": 0}
    multiple = analysis.items[1]
    assert {o.choice.key: o.count for o in multiple.options} == {"a": 1, "b": 1, "c": 0, "d": 0}


def test_item_analysis_queries_do_not_grow(client, django_user_model, instructor):
    """5 against 60 students, 2 against 6 assigned units, 3 against 6 items in the unit;
    first attempts and all attempts."""
    client.force_login(instructor)
    counts = set()
    for students, units, items in ((5, 2, 3), (60, 2, 3), (5, 6, 3), (5, 2, 6)):
        school_class, course_units = populated_class(
            django_user_model,
            instructor,
            students=students,
            units=units,
            items=items,
            slug=f"a{students}x{units}x{items}",
        )
        url = reverse("classroom:item_analysis", args=[school_class.pk, course_units[0].slug])
        for params in ({}, {"attempts": "all"}):
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url, params).status_code == 200
            counts.add(len(queries))
    assert len(counts) == 1


# --- Mastery by tag ----------------------------------------------------------------------


@pytest.fixture
def tagged(school_class, student, units, django_user_model):
    """intro-q1 is tagged phase-1976-1986 and strategy-lean-to-one-side; intro-q3, q4 and
    q5 carry phase-1945-1975. The student gets q1 right, q3 right, q4 and q5 wrong."""
    make_attempt(student, units[0], [1, 0.5, 1, 0.5, 0])
    other = make_user(django_user_model, "other", name="Other")
    enroll(school_class, other)
    make_attempt(other, units[0], [0, 0, 1, 1, 1])
    return other


def test_tag_mastery_by_hand(school_class, student, tagged):
    mastery = tag_mastery(school_class)
    keys = [tag.key for tag in mastery.tags]
    rows = {row.username: row for row in mastery.rows}
    early = keys.index("phase-1945-1975")
    lean = keys.index("strategy-lean-to-one-side")
    # Student: phase 1945–1975 items q3 ✓, q4 ✗ (partial is not correct), q5 ✗ → 1 of 3.
    assert (rows["student"].cells[early].correct, rows["student"].cells[early].total) == (1, 3)
    assert (rows["student"].cells[lean].correct, rows["student"].cells[lean].total) == (1, 1)
    # Other: q3, q4, q5 all right → 3 of 3; class: 4 of 6.
    assert rows["other"].cells[early].value == 1.0
    assert (mastery.class_row.cells[early].correct, mastery.class_row.cells[early].total) == (4, 6)
    # Groups come in the taxonomy's order: phases, strategies, concepts, methods.
    assert [str(label) for label, _span in mastery.groups][:3] == ["Phase", "Strategy", "Concept"]


def test_tag_mastery_page_prints_values(client, instructor, school_class, tagged):
    client.force_login(instructor)
    html = client.get(reverse("classroom:tag_mastery", args=[school_class.pk])).content.decode()
    assert "33%<br><small>1/3</small>" in html
    assert "67%<br><small>4/6</small>" in html
    assert 'scope="colgroup"' in html and "<caption" in html


@pytest.mark.parametrize(("small", "large"), [((5, 2), (60, 2)), ((5, 2), (5, 6))])
def test_tag_mastery_queries_do_not_grow(client, django_user_model, instructor, small, large):
    client.force_login(instructor)
    counts = []
    for students, units in (small, large):
        school_class, _units = populated_class(
            django_user_model,
            instructor,
            students=students,
            units=units,
            slug=f"t{students}x{units}",
        )
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("classroom:tag_mastery", args=[school_class.pk]))
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_item_analysis_numbers_the_questions_instead_of_showing_internal_keys(
    instructor_client, school_class, units
):
    url = reverse("classroom:item_analysis", args=[school_class.pk, units[0].slug])
    html = instructor_client.get(url).content.decode()
    visible = re.sub(r'(id|href|aria-labelledby)="[^"]*"', "", html)
    for item in Item.objects.for_unit(units[0]):
        assert item.key not in visible
    assert "Question 1" in html


def test_the_heat_map_hides_tags_no_assigned_item_carries(
    instructor, units, student, django_user_model
):
    """Only "phase-one" is assigned: its one item is tagged phase-1945-1975, so that is the
    only column (strategies, concepts and methods of other units' items stay out)."""
    school_class = make_class(instructor, name="One unit")
    enroll(school_class, student)
    assign(school_class, units[1])
    make_attempt(student, units[1], [1])
    mastery = tag_mastery(school_class)
    assert [tag.key for tag in mastery.tags] == ["phase-1945-1975"]
    assert [str(label) for label, _span in mastery.groups] == ["Phase"]
    assert mastery.rows[0].cells[0].value == 1.0
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(instructor)
    html = client.get(reverse("classroom:tag_mastery", args=[school_class.pk])).content.decode()
    assert "Leaning to one side" not in html and "Concept" not in html


def test_the_heat_map_of_the_whole_course_keeps_every_carried_tag(school_class, tagged):
    keys = {tag.key for tag in tag_mastery(school_class).tags}
    assert "strategy-lean-to-one-side" in keys and "concept-policy" in keys
    # No item of the course carries these.
    assert "strategy-leverage" not in keys and "method-coalition" not in keys


def test_the_heat_map_of_a_class_without_assignments_says_why_it_is_empty(instructor, student):
    school_class = make_class(instructor, name="Nothing assigned")
    enroll(school_class, student)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(instructor)
    html = client.get(reverse("classroom:tag_mastery", args=[school_class.pk])).content.decode()
    assert "No tag to show yet" in html and "<table" not in html


# ---------------------------------------------------------------------------------------
# The cached analysis (issue 18): reused while nothing it reads changes


def _analysis_page(client, school_class, unit, **params):
    url = reverse("classroom:item_analysis", args=[school_class.pk, unit.slug])
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200
    answers_read = any("quizzes_response" in query["sql"] for query in queries)
    return response.content.decode(), len(queries), answers_read


def test_analysis_is_reused_until_someone_hands_in(client, instructor, hand_set):
    school_class, unit, students = hand_set
    client.force_login(instructor)
    html, first_count, read = _analysis_page(client, school_class, unit)
    assert read and "4 attempts by 4 students" in html
    html, count, read = _analysis_page(client, school_class, unit)
    assert not read and count < first_count
    assert "4 attempts by 4 students" in html
    # A fifth student hands in a first attempt: the page counts it at once.
    fifth = make_user(get_user_model(), "s5")
    enroll(school_class, fifth)
    make_attempt(fifth, unit, [1, 1, 1], answers=[["a"]] * 3)
    html, _count, read = _analysis_page(client, school_class, unit)
    assert read and "5 attempts by 5 students" in html


def test_analysis_is_recomputed_when_a_student_leaves_or_an_attempt_reopens(
    client, instructor, hand_set
):
    school_class, unit, students = hand_set
    client.force_login(instructor)
    _analysis_page(client, school_class, unit, attempts="all")
    Enrollment.objects.filter(student=students["s4"]).update(removed_at=timezone.now())
    html, _count, read = _analysis_page(client, school_class, unit, attempts="all")
    assert read and "All 3 finished attempts by 3 students" in html
    # s3's only attempt opens again (an instructor's reopen): no longer finished.
    Attempt.objects.filter(student=students["s3"]).update(finished_at=None)
    html, _count, read = _analysis_page(client, school_class, unit, attempts="all")
    assert read and "All 2 finished attempts by 2 students" in html


def test_analysis_is_recomputed_when_the_content_changes(client, instructor, hand_set):
    """An admin edit or a course reload (which regrades a corrected key) bumps the content
    version: the next page is computed afresh."""
    school_class, unit, _students = hand_set
    client.force_login(instructor)
    _analysis_page(client, school_class, unit)
    item = Item.objects.for_unit(unit).first()
    corrected = "A corrected question"
    Item.objects.filter(pk=item.pk).update(stem=corrected, stem_en=corrected)
    Course.objects.filter(pk=unit.course_id).mark_content_changed()
    html, _count, read = _analysis_page(client, school_class, unit)
    assert read and "A corrected question" in html
