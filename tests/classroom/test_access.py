"""Every view against the access matrix: anonymous, a student of the class, a student of
another class, the class's instructor and another instructor."""

import pytest
from django.urls import reverse

from classroom.models import Assignment

from .conftest import make_attempt

pytestmark = pytest.mark.django_db


def instructor_views(school_class, student):
    """(method, url) of every instructor page, form action and export of the class."""
    assignment = Assignment.objects.filter(school_class=school_class).first()
    unit = assignment.unit
    c = school_class.pk
    return [
        ("get", reverse("classroom:class_detail", args=[c])),
        ("get", reverse("classroom:roster", args=[c])),
        ("get", reverse("classroom:progress", args=[c])),
        ("get", reverse("classroom:student_detail", args=[c, student.pk])),
        ("get", reverse("classroom:item_analysis", args=[c, unit.slug])),
        ("get", reverse("classroom:tag_mastery", args=[c])),
        ("get", reverse("classroom:gradebook_csv", args=[c])),
        ("get", reverse("classroom:responses_csv", args=[c])),
        ("get", reverse("classroom:assignment_create", args=[c])),
        ("get", reverse("classroom:assignment_edit", args=[c, assignment.pk])),
        ("post", reverse("classroom:regenerate_code", args=[c])),
        ("post", reverse("classroom:remove_student", args=[c, student.pk])),
        ("post", reverse("classroom:assignment_create", args=[c])),
        ("post", reverse("classroom:assignment_edit", args=[c, assignment.pk])),
        ("post", reverse("classroom:assignment_delete", args=[c, assignment.pk])),
    ]


@pytest.fixture
def matrix(school_class, student, outsider, units):
    make_attempt(student, units[0], [1, 0, 1, 0.5, 1])
    return instructor_views(school_class, student)


def test_anonymous_is_sent_to_sign_in_everywhere(client, matrix):
    for method, url in matrix:
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("classroom:login")), url


def test_student_of_the_class_gets_403_everywhere(student_client, matrix):
    for method, url in matrix:
        assert getattr(student_client, method)(url).status_code == 403, url


def test_student_of_another_class_gets_403_everywhere(client, outsider, matrix):
    client.force_login(outsider)
    for method, url in matrix:
        assert getattr(client, method)(url).status_code == 403, url


def test_another_instructor_gets_404_everywhere(client, other_instructor, matrix):
    client.force_login(other_instructor)
    for method, url in matrix:
        assert getattr(client, method)(url).status_code == 404, url


def test_the_instructor_can_open_every_page(instructor_client, matrix):
    for method, url in matrix:
        response = getattr(instructor_client, method)(url)
        # Form posts without data re-show the form (200) or act and redirect (302).
        assert response.status_code in (200, 302), url


def test_instructor_gets_404_for_a_student_outside_the_class(
    instructor_client, school_class, outsider
):
    url = reverse("classroom:student_detail", args=[school_class.pk, outsider.pk])
    assert instructor_client.get(url).status_code == 404
    url = reverse("classroom:remove_student", args=[school_class.pk, outsider.pk])
    assert instructor_client.post(url).status_code == 404


def test_instructor_gets_404_for_a_unit_not_assigned_to_the_class(instructor_client, school_class):
    Assignment.objects.filter(school_class=school_class, unit__slug="phase-one").delete()
    url = reverse("classroom:item_analysis", args=[school_class.pk, "phase-one"])
    assert instructor_client.get(url).status_code == 404


def test_instructor_gets_404_for_another_class_assignment(
    instructor_client, school_class, other_class, units
):
    other = Assignment.objects.create(
        school_class=other_class, unit=units[0], due_at=school_class.created_at
    )
    for name in ("assignment_edit", "assignment_delete"):
        url = reverse(f"classroom:{name}", args=[school_class.pk, other.pk])
        assert instructor_client.post(url).status_code == 404
    assert Assignment.objects.filter(pk=other.pk).exists()


@pytest.mark.parametrize("name", ["home", "join", "password_change"])
def test_personal_pages_need_sign_in(client, db, name):
    response = client.get(reverse(f"classroom:{name}"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("classroom:login"))


def test_instructors_do_not_join_classes(instructor_client, school_class):
    response = instructor_client.post(
        reverse("classroom:join"), {"join_code": school_class.join_code}
    )
    assert response.status_code == 403


def test_student_home_shows_only_their_own_work(student_client, school_class, outsider, units):
    """Students see only their own attempts: another student's best score never shows."""
    make_attempt(outsider, units[0], [1, 1, 1, 1, 1])
    html = student_client.get(reverse("classroom:home")).content.decode()
    assert "100%" not in html


def test_ids_too_large_for_the_database_are_404(instructor_client, school_class, student):
    huge = 2**63
    urls = [
        reverse("classroom:progress", args=[huge]),
        reverse("classroom:student_detail", args=[school_class.pk, huge]),
        reverse("classroom:assignment_edit", args=[school_class.pk, huge]),
    ]
    for url in urls:
        assert instructor_client.get(url).status_code == 404, url
    url = reverse("classroom:remove_student", args=[school_class.pk, huge])
    assert instructor_client.post(url).status_code == 404
