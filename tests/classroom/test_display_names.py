"""People are shown by their name wherever an instructor reads about them; an account made
by an LMS launch (username "lti-<registration>-<digest>") never shows its username."""

import pytest
from django.test import Client
from django.urls import reverse

from classroom.models import person_name, shown_username

from .conftest import enroll, make_attempt, read

pytestmark = pytest.mark.django_db

GENERATED = "lti-3-0123456789abcdef0123"


@pytest.fixture
def platform_students(school_class, units, django_user_model):
    """Three LMS accounts: one with a name, one with only an e-mail, one with neither."""
    named = django_user_model.objects.create_user(f"{GENERATED[:-1]}a", first_name="林小明")
    mailed = django_user_model.objects.create_user(f"{GENERATED[:-1]}b", email="kim@school.example")
    bare = django_user_model.objects.create_user(f"{GENERATED[:-1]}c")
    enroll(school_class, named, mailed, bare)
    for user in (named, mailed, bare):
        read(user, units[0])
        make_attempt(user, units[0], [1, 1, 0, 0, 0])
    return named, mailed, bare


def test_person_name_prefers_the_name_then_the_email():
    assert person_name("林小明", "x@y.z", GENERATED) == "林小明"
    assert person_name("", "x@y.z", GENERATED) == "x@y.z"
    assert person_name("", "", "alice") == "alice"
    bare = person_name("", "", GENERATED)
    assert GENERATED not in bare and bare.endswith(GENERATED[-6:])
    assert shown_username(GENERATED) == "" and shown_username("alice") == "alice"


def _class_wide(client, school_class):
    args = [school_class.pk]
    for name in ("roster", "progress", "tag_mastery"):
        response = client.get(reverse(f"classroom:{name}", args=args))
        assert response.status_code == 200, name
        yield name, response.content.decode()
    for name in ("gradebook_csv", "responses_csv"):
        response = client.get(reverse(f"classroom:{name}", args=args))
        yield name, b"".join(response.streaming_content).decode()


@pytest.mark.parametrize("language", ["en", "zh-hant"])
def test_platform_accounts_show_names_not_generated_usernames(
    instructor, school_class, platform_students, language
):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(instructor)
    for where, text in _class_wide(client, school_class):
        assert GENERATED[:-1] not in text, where
        assert "林小明" in text, where
        assert "kim@school.example" in text, where
    named, mailed, bare = platform_students
    expected = [(named, "林小明"), (mailed, "kim@school.example"), (bare, bare.username[-6:])]
    for student, name in expected:
        url = reverse("classroom:student_detail", args=[school_class.pk, student.pk])
        html = client.get(url).content.decode()
        assert GENERATED[:-1] not in html
        assert f"{name} · {school_class.name}" in html


def test_a_platform_student_is_welcomed_by_name(units, django_user_model):
    student = django_user_model.objects.create_user(GENERATED, email="kim@school.example")
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(student)
    html = client.get(reverse("classroom:home")).content.decode()
    assert "Welcome, kim@school.example" in html
    assert GENERATED not in html


def test_usernames_people_chose_still_show(instructor_client, school_class, student):
    html = instructor_client.get(reverse("classroom:roster", args=[school_class.pk])).content
    assert b">student<" in html
