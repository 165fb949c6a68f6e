"""The instructor's view of the words a class saved most."""

import pytest
from django.urls import reverse

from review.services import do_save_word
from tests.classroom.conftest import enroll, make_class, make_user


@pytest.fixture
def instructor(django_user_model):
    return make_user(django_user_model, "teacher", name="Teacher", instructor=True)


def test_the_class_sees_its_most_saved_words_and_no_other_class(
    client, django_user_model, instructor, passage
):
    mine, theirs = make_class(instructor), make_class(instructor, name="Class B")
    students = [make_user(django_user_model, f"s{n}") for n in range(3)]
    enroll(mine, *students)
    outsider = make_user(django_user_model, "outsider")
    enroll(theirs, outsider)
    for student in students:
        do_save_word(student=student, headword="越南", passage=passage)
    do_save_word(student=students[0], headword="權力平衡", term=passage.terms.get())
    do_save_word(student=outsider, headword="前言", passage=passage)
    client.force_login(instructor)
    page = client.get(reverse("classroom:saved_words", args=[mine.pk])).content.decode()
    assert page.index("越南") < page.index("權力平衡")
    assert "3 of 3" in page and "1 of 3" in page and "balance of power" in page
    assert "前言" not in page.split("<main")[1]
    assert "s0" not in page.split("<main")[1]  # counts only, never names


def test_other_instructors_and_students_cannot_see_it(client, django_user_model, instructor):
    school_class = make_class(instructor)
    url = reverse("classroom:saved_words", args=[school_class.pk])
    client.force_login(make_user(django_user_model, "other", instructor=True))
    assert client.get(url).status_code == 404
    client.force_login(make_user(django_user_model, "pupil"))
    assert client.get(url).status_code == 403


def test_the_words_page_runs_the_same_queries_for_any_class_size(
    client, django_user_model, instructor, passage
):
    """Session (none with cache sessions), user, groups, class, most saved, their dictionary
    entries, class size: the same at both sizes."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for size in (2, 12):
        school_class = make_class(instructor, name=f"Class of {size}")
        students = [make_user(django_user_model, f"s{size}-{n}") for n in range(size)]
        enroll(school_class, *students)
        for n, student in enumerate(students):
            do_save_word(student=student, headword="越南", passage=passage)
            do_save_word(student=student, headword=f"詞{n}", passage=passage)
        client.force_login(instructor)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("classroom:saved_words", args=[school_class.pk]))
        assert f"{size} of {size}" in response.content.decode()
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 7


def test_the_student_home_shows_how_many_cards_are_due(client, django_user_model, passage):
    student = make_user(django_user_model, "reader")
    client.force_login(student)
    assert "No saved words yet." in client.get(reverse("classroom:home")).content.decode()
    do_save_word(student=student, headword="越南", passage=passage)
    page = client.get(reverse("classroom:home")).content.decode()
    assert "1 word saved." in page and "2 cards due now." in page
    assert reverse("review:session") in page
