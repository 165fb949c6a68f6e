"""Classes, join codes, the roster and assignments: every form works as htmx and as a
plain POST, and shows its errors in place."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from classroom.models import Assignment, Enrollment, SchoolClass
from quizzes.models import Attempt, Response

from .conftest import make_attempt, make_class, populated_class

pytestmark = pytest.mark.django_db


def local(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


# --- Classes -----------------------------------------------------------------------------


def test_create_class_plain_post(instructor_client, instructor):
    response = instructor_client.post(
        reverse("classroom:class_create"), {"name": "A 班", "term": "2026 Spring"}
    )
    school_class = SchoolClass.objects.get(name="A 班")
    assert school_class.instructor == instructor
    assert response["Location"] == reverse("classroom:class_detail", args=[school_class.pk])


def test_create_class_with_htmx(instructor_client):
    response = instructor_client.post(
        reverse("classroom:class_create"), {"name": "B", "term": "T"}, HTTP_HX_REQUEST="true"
    )
    school_class = SchoolClass.objects.get(name="B")
    assert response["HX-Redirect"] == reverse("classroom:class_detail", args=[school_class.pk])


def test_create_class_errors_in_place(instructor_client):
    url = reverse("classroom:class_create")
    response = instructor_client.post(url, {"name": "", "term": "T"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<form id="class-form"')
    assert "This field is required." in html
    html = instructor_client.post(url, {"name": "", "term": "T"}).content.decode()
    assert "<header" in html and "This field is required." in html
    assert not SchoolClass.objects.exists()


def test_class_page_shows_the_join_code(instructor_client, school_class):
    html = instructor_client.get(
        reverse("classroom:class_detail", args=[school_class.pk])
    ).content.decode()
    assert school_class.join_code in html


def test_regenerate_join_code_plain_and_htmx(instructor_client, school_class):
    url = reverse("classroom:regenerate_code", args=[school_class.pk])
    old = school_class.join_code
    response = instructor_client.post(url)
    school_class.refresh_from_db()
    assert school_class.join_code != old
    assert response["Location"] == reverse("classroom:class_detail", args=[school_class.pk])
    response = instructor_client.post(url, HTTP_HX_REQUEST="true")
    newer = SchoolClass.objects.get(pk=school_class.pk).join_code
    html = response.content.decode()
    assert newer != school_class.join_code
    assert html.lstrip().startswith('<div id="join-code"') and newer in html
    assert 'role="status"' in html


def test_old_join_code_stops_working(school_class, instructor_client):
    old = school_class.join_code
    instructor_client.post(reverse("classroom:regenerate_code", args=[school_class.pk]))
    response = Client(HTTP_ACCEPT_LANGUAGE="en").post(
        reverse("classroom:signup"),
        {
            "username": "late",
            "display_name": "Late",
            "password1": "a-Long-pass-phrase-9",
            "password2": "a-Long-pass-phrase-9",
            "join_code": old,
        },
    )
    assert b"No class has this join code." in response.content


# --- Roster ------------------------------------------------------------------------------


def test_roster_shows_joined_dates(instructor_client, school_class, student):
    enrollment = Enrollment.objects.get(student=student)
    html = instructor_client.get(reverse("classroom:roster", args=[school_class.pk])).content
    assert timezone.localtime(enrollment.joined_at).strftime("%Y-%m-%d %H:%M").encode() in html


def test_removing_a_student_keeps_their_answers(instructor_client, school_class, student, units):
    make_attempt(student, units[0], [1, 1, 0, 0, 1])
    url = reverse("classroom:remove_student", args=[school_class.pk, student.pk])
    response = instructor_client.post(url)
    assert response["Location"] == reverse("classroom:roster", args=[school_class.pk])
    assert Enrollment.objects.get(student=student).removed_at is not None
    assert Attempt.objects.filter(student=student).count() == 1
    assert Response.objects.filter(attempt__student=student).count() == 5
    html = instructor_client.get(reverse("classroom:roster", args=[school_class.pk])).content
    assert b"student-%d" % student.pk not in html


def test_removing_a_student_with_htmx_replaces_the_row(instructor_client, school_class, student):
    url = reverse("classroom:remove_student", args=[school_class.pk, student.pk])
    html = instructor_client.post(url, HTTP_HX_REQUEST="true").content.decode()
    assert html.lstrip().startswith(f'<tr id="student-{student.pk}" class="removed">')
    assert "Their answers are kept." in html


def test_removed_student_no_longer_sees_the_class(school_class, instructor_client, student):
    instructor_client.post(reverse("classroom:remove_student", args=[school_class.pk, student.pk]))
    student_client = Client(HTTP_ACCEPT_LANGUAGE="en")
    student_client.force_login(student)
    html = student_client.get(reverse("classroom:home")).content.decode()
    assert "越南外交 A 班" not in html


# --- Assignments -------------------------------------------------------------------------


@pytest.fixture
def bare_class(school_class):
    school_class.assignments.all().delete()
    return school_class


def assignment_data(unit, **overrides):
    return {
        "unit": unit.pk,
        "due_at": local(timezone.now() + timedelta(days=7)),
        "visible_from": "",
        "note": "讀完再做測驗",
        **overrides,
    }


def test_assign_a_unit_plain(instructor_client, bare_class, units):
    url = reverse("classroom:assignment_create", args=[bare_class.pk])
    response = instructor_client.post(url, assignment_data(units[0]))
    assert response["Location"] == reverse("classroom:class_detail", args=[bare_class.pk])
    assignment = Assignment.objects.get(school_class=bare_class)
    assert assignment.unit == units[0] and assignment.note == "讀完再做測驗"
    assert assignment.visible_from is None


def test_assign_a_unit_with_htmx_returns_the_section(instructor_client, bare_class, units):
    url = reverse("classroom:assignment_create", args=[bare_class.pk])
    response = instructor_client.post(url, assignment_data(units[0]), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="assignments"')
    assert "I Introduction assigned." in html and 'role="status"' in html


def test_assignment_errors_in_place(instructor_client, bare_class, units):
    url = reverse("classroom:assignment_create", args=[bare_class.pk])
    late = local(timezone.now() + timedelta(days=9))
    data = assignment_data(units[0], visible_from=late)
    html = instructor_client.post(url, data, HTTP_HX_REQUEST="true").content.decode()
    assert html.lstrip().startswith('<div id="assignments"')
    assert "The unit must become visible before it is due." in html
    html = instructor_client.post(url, {"unit": "", "due_at": ""}).content.decode()
    assert "<header" in html and html.count("This field is required.") == 2
    assert not Assignment.objects.exists()


def test_a_unit_is_assigned_once(instructor_client, school_class, units):
    url = reverse("classroom:assignment_create", args=[school_class.pk])
    html = instructor_client.post(url, assignment_data(units[0])).content.decode()
    assert "Select a valid choice." in html
    assert Assignment.objects.filter(school_class=school_class).count() == 2


def test_edit_an_assignment(instructor_client, school_class, units):
    assignment = Assignment.objects.get(school_class=school_class, unit=units[0])
    url = reverse("classroom:assignment_edit", args=[school_class.pk, assignment.pk])
    html = instructor_client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert html.lstrip().startswith('<div id="assignments"') and 'name="edit-due_at"' in html
    due = timezone.now() + timedelta(days=20)
    data = {
        "edit-unit": units[0].pk,
        "edit-due_at": local(due),
        "edit-visible_from": local(timezone.now()),
        "edit-note": "New note",
    }
    html = instructor_client.post(url, data, HTTP_HX_REQUEST="true").content.decode()
    assert "I Introduction updated." in html
    assignment.refresh_from_db()
    assert assignment.note == "New note" and assignment.visible_from is not None
    assert local(assignment.due_at) == local(due)


def test_edit_errors_in_place_and_plain_page(instructor_client, school_class, units):
    assignment = Assignment.objects.get(school_class=school_class, unit=units[0])
    url = reverse("classroom:assignment_edit", args=[school_class.pk, assignment.pk])
    data = {"edit-unit": units[0].pk, "edit-due_at": "not a date", "edit-note": ""}
    html = instructor_client.post(url, data).content.decode()
    assert "<header" in html and "Enter a valid date/time." in html
    assert 'name="edit-due_at"' in html


def test_delete_an_assignment_keeps_answers(instructor_client, school_class, student, units):
    make_attempt(student, units[0], [1, 1, 1, 1, 1])
    assignment = Assignment.objects.get(school_class=school_class, unit=units[0])
    url = reverse("classroom:assignment_delete", args=[school_class.pk, assignment.pk])
    html = instructor_client.post(url, HTTP_HX_REQUEST="true").content.decode()
    assert "is no longer assigned" in html
    assert not Assignment.objects.filter(pk=assignment.pk).exists()
    assert Attempt.objects.filter(student=student).count() == 1
    response = instructor_client.post(url)
    assert response.status_code == 404


def test_roster_and_class_list_queries_do_not_grow(
    django_user_model, instructor_client, instructor
):
    counts = []
    for students in (3, 30):
        school_class, _units = populated_class(
            django_user_model, instructor, students=students, units=1, slug=f"r{students}"
        )
        make_class(instructor, name=f"Extra {students}")
        with CaptureQueriesContext(connection) as roster:
            instructor_client.get(reverse("classroom:roster", args=[school_class.pk]))
        with CaptureQueriesContext(connection) as home:
            instructor_client.get(reverse("classroom:home"))
        with CaptureQueriesContext(connection) as detail:
            instructor_client.get(reverse("classroom:class_detail", args=[school_class.pk]))
        counts.append((len(roster), len(home), len(detail)))
    assert counts[0] == counts[1]


@pytest.mark.parametrize(
    ("due_at", "language", "message"),
    [
        ("0001-01-01T00:00", "en", "Choose a date between the years 2000 and 2100."),
        ("1999-12-31T23:00", "en", "Choose a date between the years 2000 and 2100."),
        ("2101-01-01T08:00", "zh-hant", "請選擇 2000 年到 2100 年之間的日期。"),
    ],
)
def test_a_due_date_outside_2000_to_2100_is_refused_in_the_users_language(
    instructor_client, bare_class, units, due_at, language, message
):
    """A due date in year 1 was stored, and then no page of the class could be read back
    (PostgreSQL's driver cannot shift year 1 to UTC)."""
    instructor_client.cookies["django_language"] = language
    url = reverse("classroom:assignment_create", args=[bare_class.pk])
    response = instructor_client.post(url, assignment_data(units[0], due_at=due_at))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Assignment.objects.exists()


def test_visible_from_is_kept_to_the_same_years(instructor_client, bare_class, units):
    url = reverse("classroom:assignment_create", args=[bare_class.pk])
    data = assignment_data(units[0], visible_from="0001-01-01T00:00")
    html = instructor_client.post(url, data).content.decode()
    assert "Choose a date between the years 2000 and 2100." in html
    assert 'min="2000-01-01T00:00"' in html and 'max="2100-12-31T23:59"' in html
    assert not Assignment.objects.exists()


def test_a_date_at_the_edge_of_the_range_is_accepted(instructor_client, bare_class, units):
    url = reverse("classroom:assignment_create", args=[bare_class.pk])
    instructor_client.post(url, assignment_data(units[0], due_at="2100-12-31T20:00"))
    assert Assignment.objects.get(school_class=bare_class).due_at.year == 2100


def test_a_due_date_in_the_past_asks_for_confirmation(instructor_client, bare_class, units):
    url = reverse("classroom:assignment_create", args=[bare_class.pk])
    past = local(timezone.now() - timedelta(days=2))
    html = instructor_client.post(
        url, assignment_data(units[0], due_at=past), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "This due date is in the past" in html
    assert 'type="checkbox" name="confirm_past_due"' in html
    assert f'value="{past}"' in html  # what was typed stays
    assert not Assignment.objects.exists()
    data = assignment_data(units[0], due_at=past, confirm_past_due="on")
    instructor_client.post(url, data, HTTP_HX_REQUEST="true")
    assert Assignment.objects.get(school_class=bare_class).due_at < timezone.now()


def test_a_future_due_date_asks_nothing_and_the_checkbox_stays_hidden(
    instructor_client, bare_class, units
):
    url = reverse("classroom:class_detail", args=[bare_class.pk])
    html = instructor_client.get(url).content.decode()
    assert 'type="hidden" name="confirm_past_due"' in html
    assert "checkbox" not in html.split('name="confirm_past_due"')[0][-80:]


def test_editing_an_overdue_assignment_without_moving_its_date_asks_nothing(
    instructor_client, school_class, units
):
    assignment = Assignment.objects.get(school_class=school_class, unit=units[0])
    assignment.due_at = timezone.now() - timedelta(days=3)
    assignment.save()
    url = reverse("classroom:assignment_edit", args=[school_class.pk, assignment.pk])
    data = {
        "edit-unit": units[0].pk,
        "edit-due_at": local(assignment.due_at),
        "edit-visible_from": "",
        "edit-note": "A note added later",
    }
    instructor_client.post(url, data, HTTP_HX_REQUEST="true")
    assignment.refresh_from_db()
    assert assignment.note == "A note added later"
