"""export_class and import_class: a class leaves one database and arrives whole in another."""

from __future__ import annotations

import io
import json
import stat
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from classroom.models import Assignment, Enrollment, SchoolClass, is_instructor
from courseware.models import ReadingProgress, Unit
from quizzes import services
from quizzes.models import Attempt, Item, QuizPolicy, Response
from quizzes.samples import right_answer

from .conftest import PASSWORD, build_world, changed_tables, make_user, record_work, snapshot
from .fuzzing import FUZZ, mutated

pytestmark = pytest.mark.django_db
User = get_user_model()
COURSE_CONTENT = {
    f"{app}.{name}"
    for app, names in {
        "courseware": [
            "Course",
            "Unit",
            "Passage",
            "Passage_terms",
            "PassageNote",
            "Footnote",
            "Term",
            "Reference",
            "Citation",
        ],
        "quizzes": ["Tag", "Item", "Item_passages", "Item_tags", "Choice"],
    }.items()
    for name in names
}


def natural_state(school_class: SchoolClass) -> dict:
    """The class as its keys see it (usernames, slugs, item keys), without database ids."""
    enrollments = Enrollment.objects.filter(school_class=school_class).select_related("student")
    students = [enrollment.student for enrollment in enrollments]
    people = [school_class.instructor, *students]
    keys = dict(Item.objects.values_list("pk", "key"))
    attempts = Attempt.objects.filter(student__in=students).select_related("student", "unit")
    return {
        "class": (
            school_class.name,
            school_class.term,
            school_class.join_code,
            school_class.created_at,
            school_class.instructor.username,
        ),
        "users": sorted(
            (
                u.username,
                u.first_name,
                u.last_name,
                u.email,
                u.password,
                u.is_active,
                u.is_staff,
                u.is_superuser,
                is_instructor(u),
                u.date_joined,
                u.last_login,
            )
            for u in User.objects.filter(pk__in=[p.pk for p in people])
        ),
        "enrollments": sorted(
            (e.student.username, e.joined_at, str(e.removed_at)) for e in enrollments
        ),
        "assignments": sorted(
            (a.unit.slug, a.due_at, str(a.visible_from), a.note, a.created_at)
            for a in Assignment.objects.filter(school_class=school_class).select_related("unit")
        ),
        "reading": sorted(
            (r.user.username, r.unit.slug, r.opened_at, str(r.read_at))
            for r in ReadingProgress.objects.filter(user__in=students).select_related(
                "user", "unit"
            )
        ),
        "attempts": sorted(
            (
                a.student.username,
                a.unit.slug,
                a.is_practice,
                tuple(keys[pk] for pk in a.item_ids),
                a.seed,
                a.started_at,
                str(a.finished_at),
                a.item_count,
                a.answered_count,
                a.points,
                tuple(
                    (r.item.key, json.dumps(r.answer), r.score, r.is_correct, r.answered_at)
                    for r in a.responses.select_related("item").order_by("item__key")
                ),
            )
            for a in attempts
        ),
    }


@pytest.fixture
def busy_class(mini_course, student):
    """The world's class A, with more going on: a second student with a finished attempt
    and a practice round, a removed student who answered, a note and a visibility date."""
    world = build_world(student)
    school_class = world.school_class
    classmate, leaver = make_user("classmate", first_name="陳怡君"), make_user("leaver")
    for user in (classmate, leaver):
        Enrollment.objects.create(school_class=school_class, student=user)
    record_work([world.unit, world.other_unit], [classmate, leaver])
    practice = services.start_practice_attempt(leaver, world.unit)
    item = Item.objects.prefetch_related("choices").get(pk=practice.item_ids[0])
    services.record_answer(attempt=practice, item=item, answer=right_answer(item))
    Enrollment.objects.filter(student=leaver).update(removed_at=timezone.now())
    Assignment.objects.filter(pk=world.assignment.pk).update(
        note="讀第一段\n", visible_from=timezone.now() - timedelta(days=1)
    )
    return world


def export(reference, tmp_path) -> dict:
    path = tmp_path / "class.json"
    call_command("export_class", str(reference), output=str(path), stdout=io.StringIO())
    return json.loads(path.read_text(encoding="utf-8"))


def empty_the_database_but_the_course():
    """What a fresh server with the course loaded holds: no people, no classes, no work."""
    Response.objects.all().delete()
    Attempt.objects.all().delete()
    ReadingProgress.objects.all().delete()
    SchoolClass.objects.all().delete()  # enrollments, assignments, extensions go with it
    QuizPolicy.objects.all().delete()
    User.objects.all().delete()


def test_a_class_survives_export_and_import_into_an_empty_database(busy_class, tmp_path):
    school_class = busy_class.school_class
    before = natural_state(school_class)
    path = tmp_path / "class.json"
    call_command("export_class", str(school_class.pk), output=str(path), stdout=io.StringIO())
    course_rows = {label: rows for label, rows in snapshot().items() if label in COURSE_CONTENT}
    assert set(course_rows) == COURSE_CONTENT

    empty_the_database_but_the_course()
    out = io.StringIO()
    call_command("import_class", str(path), stdout=out)

    restored = SchoolClass.objects.get()
    assert natural_state(restored) == before
    assert (
        "4 users created, 1 class created, 3 enrollments created, 2 assignments" in out.getvalue()
    )
    # The course itself was not touched.
    assert {
        label: rows for label, rows in snapshot().items() if label in course_rows
    } == course_rows
    # People sign in with their own passwords, and the pages show their work.
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    sign_in = {"username": "student", "password": PASSWORD}
    assert client.post(reverse("classroom:login"), sign_in).status_code == 302
    assert client.get("/home/").status_code == 200
    attempt = Attempt.objects.filter(student__username="student").first()
    assert client.get(attempt.get_absolute_url()).status_code == 200
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.post(reverse("classroom:login"), {**sign_in, "username": "teacher"})
    assert client.get(f"/classes/{restored.pk}/progress/").status_code == 200


def test_the_file_names_things_by_key_and_holds_no_other_class(busy_class, tmp_path):
    data = export(busy_class.school_class.join_code.lower(), tmp_path)
    assert data == export(busy_class.school_class.pk, tmp_path)  # by code or by id
    usernames = {user["username"] for user in data["users"]}
    assert usernames == {"teacher", "student", "classmate", "leaver"}
    assert "outsider" not in json.dumps(data) and "teacher2" not in json.dumps(data)
    assert {a["unit"] for a in data["attempts"]} <= set(Unit.objects.values_list("slug", flat=True))
    keys = set(Item.objects.values_list("key", flat=True))
    for attempt in data["attempts"]:
        assert set(attempt["items"]) <= keys
        assert {response["item"] for response in attempt["responses"]} <= keys
    assert not any("is_staff" in user or "is_superuser" in user for user in data["users"])
    # As a field name (a password hash's random salt may hold the letters "pk").
    assert "id" not in data["class"] and '"pk"' not in json.dumps(data)


def test_the_file_is_private_to_its_owner(busy_class, tmp_path):
    path = tmp_path / "class.json"
    path.write_text("old")
    path.chmod(0o644)
    call_command("export_class", str(busy_class.school_class.pk), output=str(path))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_export_refuses_an_unknown_class(busy_class):
    for reference in ("999999", "NOPE2345", ""):
        with pytest.raises(CommandError, match="No class"):
            call_command("export_class", reference, stdout=io.StringIO())


def test_import_refuses_a_database_that_already_has_the_people(busy_class, tmp_path):
    data = export(busy_class.school_class.pk, tmp_path)
    before = snapshot()
    with pytest.raises(CommandError) as refused:
        call_command("import_class", str(tmp_path / "class.json"))
    message = str(refused.value)
    assert "database is unchanged" in message
    assert "join code" in message
    assert changed_tables(before, snapshot()) == []
    assert data["class"]["join_code"] in message


def test_import_names_units_and_items_this_course_lacks(busy_class, tmp_path):
    data = export(busy_class.school_class.pk, tmp_path)
    empty_the_database_but_the_course()
    data["attempts"][0]["unit"] = "no-such-unit"
    data["attempts"][0]["responses"][0]["item"] = "no-such-item"
    path = tmp_path / "changed.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    before = snapshot()
    with pytest.raises(CommandError) as refused:
        call_command("import_class", str(path))
    message = str(refused.value)
    assert "attempts[0].unit: unknown unit “no-such-unit”" in message
    assert "attempts[0].responses[0].item: unknown item “no-such-item”" in message
    assert changed_tables(before, snapshot()) == []


def test_imported_users_never_become_staff(busy_class, tmp_path):
    data = export(busy_class.school_class.pk, tmp_path)
    empty_the_database_but_the_course()
    data["users"][0]["is_staff"] = True
    path = tmp_path / "staff.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(CommandError, match="unknown field “is_staff”"):
        call_command("import_class", str(path))
    assert not User.objects.exists()


def test_text_no_database_can_store_is_refused_by_location(busy_class, tmp_path):
    data = export(busy_class.school_class.pk, tmp_path)
    empty_the_database_but_the_course()
    data["users"][1]["first_name"] = "a\x00b"
    data["attempts"][0]["responses"][0]["answer"] = ["\ud800"]
    path = tmp_path / "unstorable.json"
    path.write_text(json.dumps(data), encoding="utf-8")  # as the escapes \u0000 and \ud800
    with pytest.raises(CommandError) as refused:
        call_command("import_class", str(path))
    message = str(refused.value)
    assert "users[1].first_name: contains a NUL character or a lone surrogate" in message
    assert "attempts[0].responses[0].answer: contains a NUL character or a lone" in message
    assert not User.objects.exists()


def test_mangled_class_files_import_whole_or_not_at_all(busy_class, tmp_path):
    """Random mutations of a real export: a clean import, or a refusal that names where the
    fault is and changes nothing. Never a traceback, never half a class."""
    original = export(busy_class.school_class.pk, tmp_path)
    empty_the_database_but_the_course()
    mangled_files_import_whole_or_not_at_all(original, tmp_path)


def mangled_files_import_whole_or_not_at_all(original: dict, tmp_path) -> None:
    """Import random mutations of ``original`` into a database with only the course."""
    path = tmp_path / "mangled.json"
    outcomes = []

    @FUZZ
    @given(data=mutated(original), escaped=st.booleans())
    def run(data, escaped):
        # Escaped, NUL and lone surrogates arrive as \u escapes; raw, as bytes no UTF-8 has.
        text = json.dumps(data, ensure_ascii=escaped)
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        with transaction.atomic():
            before = snapshot()
            try:
                call_command("import_class", str(path), stdout=io.StringIO())
            except CommandError as refused:
                lines = str(refused).split("\n")
                assert len(lines) >= 1
                for line in lines[1:]:
                    if line.startswith(f"{path}: "):  # the file itself (NaN, nesting)
                        continue
                    assert line.split(":", 1)[0].split("[")[0].split(".")[0] in (
                        "file",
                        "format",
                        "class",
                        "users",
                        "enrollments",
                        "assignments",
                        "reading",
                        "attempts",
                        "policies",
                        "extensions",
                    ), line
                assert changed_tables(before, snapshot()) == []
                outcomes.append("refused")
            else:
                assert SchoolClass.objects.count() == 1
                outcomes.append("imported")
            transaction.set_rollback(True)

    run()
    print(
        f"class files: {outcomes.count('imported')} imported, {outcomes.count('refused')} refused"
    )
    assert "refused" in outcomes


def test_the_original_survives_its_own_export(busy_class, tmp_path):
    before = natural_state(busy_class.school_class)
    export(busy_class.school_class.pk, tmp_path)
    assert natural_state(busy_class.school_class) == before


@pytest.fixture
def sibling_class(busy_class):
    """Class C: the same instructor as class A, with one of A's students and one of its own;
    the shared student has read and answered more since."""
    world = busy_class
    school_class = SchoolClass.objects.create(instructor=world.instructor, name="C 班", term="2026")
    newcomer = make_user("newcomer", first_name="林小華")
    for user in (world.student, newcomer):
        Enrollment.objects.create(school_class=school_class, student=user)
    Assignment.objects.create(
        school_class=school_class, unit=world.other_unit, due_at=timezone.now()
    )
    record_work([world.other_unit], [newcomer])
    return school_class


def export_both_then_empty(first, second, tmp_path) -> None:
    """Class files a.json and c.json, then a database with only the course left."""
    for school_class, name in ((first, "a.json"), (second, "c.json")):
        path = tmp_path / name
        call_command("export_class", str(school_class.pk), output=str(path), stdout=io.StringIO())
    empty_the_database_but_the_course()


def test_two_classes_that_share_people_are_restored_one_after_the_other(
    busy_class, sibling_class, tmp_path
):
    """Before: the second import was refused, its instructor and shared student "already
    exist". Now users are matched by username and their reading and attempts merged."""
    first, second = busy_class.school_class, sibling_class
    before = {first.name: natural_state(first), second.name: natural_state(second)}
    attempts_before = Attempt.objects.count()
    export_both_then_empty(first, second, tmp_path)

    call_command("import_class", str(tmp_path / "a.json"), stdout=io.StringIO())
    out = io.StringIO()
    call_command("import_class", str(tmp_path / "c.json"), stdout=out)

    after = {c.name: natural_state(c) for c in SchoolClass.objects.all()}
    assert after == before
    assert Attempt.objects.count() <= attempts_before  # nobody's attempt twice
    assert "2 users matched by username" in out.getvalue()
    assert "student, teacher" in out.getvalue()


def test_a_dry_run_reports_what_would_change_and_changes_nothing(
    busy_class, sibling_class, tmp_path
):
    export_both_then_empty(busy_class.school_class, sibling_class, tmp_path)
    call_command("import_class", str(tmp_path / "a.json"), stdout=io.StringIO())
    before = snapshot()

    out = io.StringIO()
    call_command("import_class", str(tmp_path / "c.json"), dry_run=True, stdout=out)

    assert changed_tables(before, snapshot()) == []
    report = out.getvalue()
    assert "would import" in report and "Nothing was changed" in report
    assert "1 users created" in report  # the newcomer
    assert "2 users matched by username" in report
    assert "1 class created" in report
    assert "attempts already here" in report  # the shared student's, from class A's file


def test_a_class_file_cannot_write_into_an_administrators_account(busy_class, tmp_path):
    data = export(busy_class.school_class.pk, tmp_path)
    empty_the_database_but_the_course()
    make_user("student", is_staff=True)
    path = tmp_path / "class.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    before = snapshot()
    with pytest.raises(CommandError, match="is an administrator here"):
        call_command("import_class", str(path))
    assert changed_tables(before, snapshot()) == []


def test_a_class_file_cannot_make_an_existing_student_an_instructor(busy_class, tmp_path):
    data = export(busy_class.school_class.pk, tmp_path)
    empty_the_database_but_the_course()
    make_user("teacher")  # exists here as a student
    path = tmp_path / "class.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(CommandError, match="cannot make one"):
        call_command("import_class", str(path))
    assert not SchoolClass.objects.exists()
