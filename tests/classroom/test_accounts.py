"""Signing in and out, signing up with a join code, joining, passwords, the two homes."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise

from classroom.forms import WRONG_JOIN_CODE
from classroom.models import INSTRUCTORS_GROUP, Enrollment, is_instructor

from .conftest import PASSWORD, assign, enroll, make_attempt, make_class, make_user, read

pytestmark = pytest.mark.django_db
User = get_user_model()
SIGNUP = reverse("classroom:signup")


def signup_data(school_class, **overrides):
    return {
        "username": "newbie",
        "display_name": "林冠宇",
        "password1": "a-Long-pass-phrase-9",
        "password2": "a-Long-pass-phrase-9",
        "join_code": school_class.join_code,
        **overrides,
    }


# --- Sign in and out ---------------------------------------------------------------------


def test_sign_in_goes_home(client, student):
    response = client.post(
        reverse("classroom:login"), {"username": "student", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("classroom:home")


def test_failed_sign_in_says_the_same_for_unknown_and_known_users(client, student):
    url = reverse("classroom:login")
    known = client.post(url, {"username": "student", "password": "wrong"}).content.decode()
    unknown = client.post(url, {"username": "nobody", "password": "wrong"}).content.decode()
    message = "Please enter a correct username and password."
    assert message in known and message in unknown


def test_too_many_failed_sign_ins_are_blocked_with_429(client, student, settings):
    url = reverse("classroom:login")
    statuses = [
        client.post(url, {"username": "student", "password": "wrong"}).status_code
        for _ in range(settings.AXES_FAILURE_LIMIT + 1)
    ]
    assert statuses[-1] == 429
    response = client.post(url, {"username": "student", "password": PASSWORD})
    assert response.status_code == 429
    assert "too many failed attempts" in response.content.decode()


def test_sign_out_is_post_only(student_client):
    url = reverse("classroom:logout")
    assert student_client.get(url).status_code == 405
    assert student_client.post(url).status_code == 302
    assert student_client.get(reverse("classroom:home")).status_code == 302


def test_password_change(student_client, student):
    response = student_client.post(
        reverse("classroom:password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "another-Long-pass-7",
            "new_password2": "another-Long-pass-7",
        },
    )
    assert response["Location"] == reverse("classroom:password_change_done")
    student.refresh_from_db()
    assert student.check_password("another-Long-pass-7")
    assert student_client.get(response["Location"]).status_code == 200


def test_password_change_errors_in_place_with_htmx(student_client, student):
    response = student_client.post(
        reverse("classroom:password_change"),
        {"old_password": "wrong", "new_password1": "x", "new_password2": "y"},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<form id="password-form"')
    assert "Your old password was entered incorrectly." in html
    response = student_client.post(
        reverse("classroom:password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "another-Long-pass-7",
            "new_password2": "another-Long-pass-7",
        },
        HTTP_HX_REQUEST="true",
    )
    assert response["HX-Redirect"] == reverse("classroom:password_change_done")


# --- Sign up -----------------------------------------------------------------------------


def test_sign_up_creates_the_student_and_the_enrollment(client, school_class):
    response = client.post(SIGNUP, signup_data(school_class))
    assert response.status_code == 302 and response["Location"] == reverse("classroom:home")
    user = User.objects.get(username="newbie")
    assert user.first_name == "林冠宇"
    assert Enrollment.objects.in_class(school_class).filter(student=user).exists()
    assert client.get(reverse("classroom:home")).status_code == 200  # signed in


def test_sign_up_with_htmx_redirects_the_page(client, school_class):
    response = client.post(SIGNUP, signup_data(school_class), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response["HX-Redirect"] == reverse("classroom:home")


def test_join_codes_ignore_case_spaces_and_dashes(client, school_class):
    code = school_class.join_code.lower()
    sloppy = f" {code[:4]}-{code[4:]} "
    assert client.post(SIGNUP, signup_data(school_class, join_code=sloppy)).status_code == 302


def test_wrong_join_code_creates_nothing(client, school_class):
    users = User.objects.count()
    response = client.post(SIGNUP, signup_data(school_class, join_code="NOPE2345"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "No class has this join code." in html
    assert User.objects.count() == users
    assert not Enrollment.objects.filter(student__username="newbie").exists()


def test_wrong_join_code_error_is_shown_in_place_with_htmx(client, school_class):
    response = client.post(
        SIGNUP, signup_data(school_class, join_code="NOPE2345"), HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<form id="signup-form"')
    assert "No class has this join code." in html and 'role="alert"' in html


def test_wrong_join_code_error_is_in_the_users_language(client, school_class):
    """The message is translated lazily, per request (the catalogue comes later)."""
    response = client.post(
        SIGNUP, signup_data(school_class, join_code="NOPE2345"), HTTP_ACCEPT_LANGUAGE="zh-TW"
    )
    assert '<html lang="zh-Hant">' in response.content.decode()
    assert isinstance(WRONG_JOIN_CODE, Promise)


def test_taken_username_is_not_revealed_without_a_valid_join_code(client, school_class, student):
    response = client.post(
        SIGNUP, signup_data(school_class, username="student", join_code="NOPE2345")
    )
    html = response.content.decode()
    assert "No class has this join code." in html
    assert "cannot be used" not in html


def test_taken_username_gets_a_generic_message(client, school_class, student):
    response = client.post(SIGNUP, signup_data(school_class, username="STUDENT"))
    html = response.content.decode()
    assert "This username cannot be used. Please choose another one." in html
    assert "already exists" not in html


def test_passwords_must_match_and_pass_the_validators(client, school_class):
    html = client.post(
        SIGNUP, signup_data(school_class, password2="something-else-1")
    ).content.decode()
    assert "The two passwords differ." in html
    html = client.post(
        SIGNUP, signup_data(school_class, password1="12345678", password2="12345678")
    ).content.decode()
    assert "This password is entirely numeric." in html
    assert not User.objects.filter(username="newbie").exists()


def test_signed_in_users_skip_sign_up(student_client):
    assert student_client.get(SIGNUP)["Location"] == reverse("classroom:home")


# --- Join a class later ------------------------------------------------------------------


def test_join_another_class(student_client, student, instructor):
    second = make_class(instructor, name="Second class")
    response = student_client.post(reverse("classroom:join"), {"join_code": second.join_code})
    assert response["Location"] == reverse("classroom:home")
    assert Enrollment.objects.in_class(second).filter(student=student).exists()


def test_join_errors_are_shown_in_place(student_client, school_class):
    url = reverse("classroom:join")
    html = student_client.post(url, {"join_code": "NOPE2345"}, HTTP_HX_REQUEST="true").content
    assert b"No class has this join code." in html and b'id="join-form"' in html
    html = student_client.post(url, {"join_code": school_class.join_code}).content
    assert b"You are already in this class." in html


def _remove(student, school_class):
    enrollment = Enrollment.objects.get(student=student, school_class=school_class)
    enrollment.removed_at = timezone.now()
    enrollment.joined_at = timezone.now() - timedelta(days=30)
    enrollment.save()
    return enrollment


@pytest.mark.parametrize("language", ["zh-hant", "en"])
def test_a_removed_student_cannot_rejoin_with_the_code(
    student_client, student, school_class, language
):
    enrollment = _remove(student, school_class)
    student_client.cookies["django_language"] = language
    response = student_client.post(
        reverse("classroom:join"), {"join_code": school_class.join_code}, HTTP_HX_REQUEST="true"
    )
    enrollment.refresh_from_db()
    assert enrollment.removed_at is not None
    expected = {
        "en": "Your instructor removed you from this class.",
        "zh-hant": "你的老師已將你移出這個班級。",
    }[language]
    assert expected in response.content.decode()


def test_the_instructor_re_admits_a_removed_student(client, instructor, student, school_class):
    enrollment = _remove(student, school_class)
    client.force_login(instructor)
    roster = client.get(reverse("classroom:roster", args=[school_class.pk])).content.decode()
    readmit = reverse("classroom:readmit_student", args=[school_class.pk, student.pk])
    assert f'action="{readmit}"' in roster
    assert client.post(readmit).status_code == 302
    enrollment.refresh_from_db()
    assert enrollment.removed_at is None
    assert enrollment.joined_at > timezone.now() - timedelta(minutes=1)
    # A second click changes nothing.
    joined_at = enrollment.joined_at
    assert client.post(readmit).status_code == 302
    enrollment.refresh_from_db()
    assert enrollment.joined_at == joined_at and enrollment.removed_at is None


def test_only_the_classes_instructor_re_admits(client, django_user_model, student, school_class):
    _remove(student, school_class)
    other = make_user(django_user_model, "other-teacher", instructor=True)
    client.force_login(other)
    readmit = reverse("classroom:readmit_student", args=[school_class.pk, student.pk])
    assert client.post(readmit).status_code == 404


# --- The two homes -----------------------------------------------------------------------


def test_instructor_home_lists_classes_with_student_counts(client, instructor, school_class):
    client.force_login(instructor)
    html = client.get(reverse("classroom:home")).content.decode()
    assert "越南外交 A 班" in html and "Create a class" in html
    assert '<td data-label="Students">1</td>' in html


def test_student_home_lists_assigned_units_by_due_date_with_status(
    student_client, student, school_class, units, instructor
):
    intro, phase = units
    school_class.assignments.filter(unit=phase).update(due_at=timezone.now() + timedelta(days=1))
    school_class.assignments.filter(unit=intro).update(due_at=timezone.now() + timedelta(days=3))
    read(student, phase)
    html = student_client.get(reverse("classroom:home")).content.decode()
    assert html.index("Phase one") < html.index("Introduction")
    assert "Read" in html and "Not started" in html
    assert "Take the quiz" in html and "Start reading" in html
    assert 'action="/quiz/units/phase-one/start/"' in html
    assert "Join another class" in html and "Create a class" not in html


@pytest.mark.parametrize(
    ("setup", "status", "step"),
    [
        (lambda s, u: None, "Not started", "Start reading"),
        (lambda s, u: read(s, u, done=False), "Reading", "Continue reading"),
        (lambda s, u: read(s, u), "Read", "Take the quiz"),
        (
            lambda s, u: make_attempt(s, u, [1, None, None, None, None], finished=False),
            "Quiz in progress",
            "Continue the quiz",
        ),
        (
            lambda s, u: make_attempt(s, u, [1, 1, 0, 0, 0]),
            "Quiz in progress",
            "Try the quiz again",
        ),
        (lambda s, u: make_attempt(s, u, [1, 1, 1, 1, 0]), "Mastered", "Review the unit"),
    ],
)
def test_student_home_status_and_next_step(
    student_client, student, school_class, units, setup, status, step
):
    school_class.assignments.exclude(unit=units[0]).delete()
    setup(student, units[0])
    html = student_client.get(reverse("classroom:home")).content.decode()
    assert f"</span> {status}</span>" in html
    assert f">{step}<" in html


def test_student_home_marks_overdue_units(student_client, student, school_class, units):
    school_class.assignments.filter(unit=units[0]).update(due_at=timezone.now() - timedelta(days=1))
    make_attempt(student, units[0], [1, 1, 0, 0, 0])
    html = student_client.get(reverse("classroom:home")).content.decode()
    assert "</span> Overdue</span>" in html


def test_student_home_hides_assignments_not_yet_visible(student_client, school_class, units):
    school_class.assignments.filter(unit=units[1]).update(
        visible_from=timezone.now() + timedelta(days=2)
    )
    html = student_client.get(reverse("classroom:home")).content.decode()
    assert "Introduction" in html and "Phase one" not in html


def test_student_home_shows_only_the_students_classes(
    student_client, other_class, units, school_class
):
    assign(other_class, units[0])
    html = student_client.get(reverse("classroom:home")).content.decode()
    assert "越南外交 A 班" in html and "Other class" not in html


def test_student_home_shows_their_own_scores_only(
    student_client, student, school_class, units, django_user_model
):
    classmate = make_user(django_user_model, "classmate")
    enroll(school_class, classmate)
    make_attempt(classmate, units[0], [1, 1, 1, 1, 1])
    make_attempt(student, units[0], [1, 1, 0, 0, 0])
    html = student_client.get(reverse("classroom:home")).content.decode()
    assert "best 40%" in html and "100%" not in html


# --- createinstructor --------------------------------------------------------------------


def test_createinstructor_with_password(db):
    call_command(
        "createinstructor", "prof", "--email", "p@example.org", "--password", "Teach-Long-77"
    )
    user = User.objects.get(username="prof")
    assert is_instructor(user) and user.email == "p@example.org"
    assert user.check_password("Teach-Long-77")


def test_createinstructor_prompts_for_the_password(db, monkeypatch):
    answers = iter(["Teach-Long-77", "Teach-Long-77"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    call_command("createinstructor", "prof")
    assert User.objects.get(username="prof").check_password("Teach-Long-77")


def test_createinstructor_rejects_weak_passwords(db):
    with pytest.raises(CommandError):
        call_command("createinstructor", "prof", "--password", "123")
    assert not User.objects.filter(username="prof").exists()


def test_createinstructor_without_a_terminal_reads_the_password_from_the_environment(
    db, monkeypatch
):
    """As createsuperuser --noinput: a deployment script, no terminal, no password in
    the shell's history."""
    monkeypatch.setenv("INSTRUCTOR_PASSWORD", "Teach-Long-77")
    call_command(
        "createinstructor",
        "--username",
        "prof",
        "--email",
        "p@example.org",
        "--password-from-env",
        "--no-input",
    )
    user = User.objects.get(username="prof")
    assert is_instructor(user) and user.check_password("Teach-Long-77")


def test_createinstructor_without_a_terminal_or_password_fails_instead_of_waiting(db):
    with pytest.raises(CommandError, match="INSTRUCTOR_PASSWORD"):
        call_command("createinstructor", "--username", "prof", "--no-input")
    assert not User.objects.filter(username="prof").exists()


def test_createinstructor_names_an_empty_password_variable(db, monkeypatch):
    monkeypatch.delenv("SCHOOL_SECRET", raising=False)
    with pytest.raises(CommandError, match=r"\$SCHOOL_SECRET is not set"):
        call_command("createinstructor", "prof", "--password-from-env", "SCHOOL_SECRET")


def test_createinstructor_promotes_an_existing_user(student):
    call_command("createinstructor", "student")
    assert Group.objects.get(name=INSTRUCTORS_GROUP).user_set.filter(pk=student.pk).exists()
    student.refresh_from_db()
    assert student.check_password(PASSWORD)  # unchanged


@pytest.mark.django_db
def test_an_over_long_username_gets_the_generic_sign_in_error(client):
    """django-axes records failed names in a 255-character column; PostgreSQL would raise."""
    response = client.post(
        reverse("classroom:login"),
        {"username": "x" * 300, "password": "whatever"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert "correct username and password" in response.content.decode()


@pytest.mark.parametrize("htmx", [False, True])
def test_sign_up_keeps_what_was_typed_except_passwords_and_names_the_wrong_field(
    client, school_class, htmx
):
    data = signup_data(school_class, display_name="陳小明", password2="a-different-one-9")
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    html = client.post(reverse("classroom:signup"), data, **headers).content.decode()
    assert 'value="newbie"' in html and 'value="陳小明"' in html
    assert f'value="{school_class.join_code}"' in html
    assert data["password1"] not in html
    # The alert names the wrong field and links to it.
    assert '<li><a href="#id_password2">' in html and '<a href="#id_username">' not in html
    assert not User.objects.filter(username="newbie").exists()


# --- The join link, signed out -------------------------------------------------------------


def test_the_join_link_signed_out_leads_to_sign_up_with_the_code(client, school_class):
    """/join/?code=… asks a signed-out visitor to sign in; that page carries the code to
    sign-up, which fills it in; signing up there joins the class."""
    code = school_class.join_code
    response = client.get(f"{reverse('classroom:join')}?code={code}")
    assert response.status_code == 302
    sign_in_page = client.get(response["Location"]).content.decode()
    signup_url = f"{SIGNUP}?code={code}"
    assert f'href="{signup_url}"' in sign_in_page
    assert code in sign_in_page
    signup_page = client.get(signup_url).content.decode()
    assert f'name="join_code" value="{code}"' in signup_page
    # Signing in instead goes on to the join form, the code still filled in.
    assert "next=%2Fjoin%2F%3Fcode%3D" + code in signup_page
    response = client.post(signup_url, signup_data(school_class))
    assert response.status_code == 302
    user = User.objects.get(username="newbie")
    assert Enrollment.objects.in_class(school_class).filter(student=user).exists()


def test_sign_up_reads_the_code_from_next_too(client, school_class):
    code = school_class.join_code
    html = client.get(SIGNUP, {"next": f"/join/?code={code}"}).content.decode()
    assert f'name="join_code" value="{code}"' in html


def test_a_next_elsewhere_brings_no_code(client, school_class):
    html = client.get(SIGNUP, {"next": "/elsewhere/?code=ABCDEFGH"}).content.decode()
    assert 'value="ABCDEFGH"' not in html
    login = client.get(reverse("classroom:login"), {"next": "/home/"}).content.decode()
    assert f'href="{SIGNUP}"' in login


def test_a_hostile_code_in_the_link_is_escaped(client):
    html = client.get(SIGNUP, {"code": '"><script>x'}).content.decode()
    assert "<script>x" not in html
