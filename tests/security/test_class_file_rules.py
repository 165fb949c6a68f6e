"""A class file carries the quiz rules: graded or practice, attempts allowed, grading method,
review moment, students' extensions, reopened attempts and regrade records.

Before: ``export_class`` wrote none of these, so a class moved to another server came back
with practice quizzes and without its students' extensions. Nothing is lost now: what a
student and the instructor see (grades, attempts allowed and left, due dates, rules) is the
same after an export and an import into an empty database.
"""

from __future__ import annotations

import io
import json
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from classroom.class_file import export_class
from classroom.drilldown import student_record
from classroom.models import Assignment, Enrollment, Extension, SchoolClass
from classroom.progress import class_progress, student_assignments
from classroom.services import do_reopen_last_attempt, do_set_extension, save_assignment
from courseware.models import Unit
from quizzes import services
from quizzes.models import Attempt, Choice, Item, QuizPolicy, Response
from quizzes.policies import assigned_policy
from quizzes.samples import right_answer, wrong_answer
from quizzes.selectors import unit_quiz_status

from . import test_class_transfer as transfer
from .conftest import changed_tables, make_user, record_work, snapshot
from .test_class_transfer import (
    empty_the_database_but_the_course,
    mangled_files_import_whole_or_not_at_all,
)

pytestmark = pytest.mark.django_db
# Class A (and C, sharing its instructor and a student) of the transfer tests.
busy_class, sibling_class = transfer.busy_class, transfer.sibling_class
User = get_user_model()
V1_FILE = Path(__file__).resolve().parent.parent / "fixtures" / "class_file_v1.json"
NOW = timezone.now()


def take_graded_attempt(student, unit, *, right: bool) -> Attempt:
    """A whole graded attempt under the rules the student's class sets, handed in."""
    attempt = services.start_or_resume_attempt(
        student, unit, assigned=assigned_policy(student, unit)
    )
    for item in Item.objects.filter(pk__in=attempt.item_ids).prefetch_related("choices"):
        answer = right_answer(item) if right else wrong_answer(item)
        services.record_answer(attempt=attempt, item=item, answer=answer)
    return services.finish_attempt(attempt=attempt)


@pytest.fixture
def graded_class(busy_class):
    """Class A with both units graded under different rules, two students' extensions, a
    reopened attempt and an answer regraded after a corrected key."""
    world = busy_class
    student, classmate = world.student, User.objects.get(username="classmate")
    intro = Assignment.objects.get(pk=world.assignment.pk)
    phase = Assignment.objects.get(school_class=world.school_class, unit=world.other_unit)
    save_assignment(
        assignment=intro,
        policy={
            "attempts_allowed": 3,
            "grading_method": QuizPolicy.GradingMethod.AVERAGE,
            "review_moment": QuizPolicy.ReviewMoment.NEVER,
            "show_correctness": False,
        },
    )
    save_assignment(
        assignment=phase,
        policy={
            "attempts_allowed": 1,
            "grading_method": QuizPolicy.GradingMethod.FIRST,
            "review_moment": QuizPolicy.ReviewMoment.AFTER_ATTEMPT,
            "show_correctness": True,
        },
    )
    do_set_extension(
        assignment=intro,
        student=student,
        due_at=intro.due_at + timedelta(days=5),
        extra_attempts=2,
    )
    do_set_extension(assignment=phase, student=classmate, due_at=None, extra_attempts=1)
    take_graded_attempt(student, world.unit, right=True)
    take_graded_attempt(student, world.unit, right=False)
    do_reopen_last_attempt(assignment=intro, student=student)
    take_graded_attempt(classmate, world.other_unit, right=False)
    take_graded_attempt(classmate, world.other_unit, right=True)  # the extra attempt
    # A corrected key: the first item of the unit now has another right choice.
    item = Item.objects.filter(unit=world.unit).order_by("order").first()
    choices = list(Choice.objects.filter(item=item).order_by("order"))
    right = next(choice for choice in choices if choice.is_correct)
    other = next(choice for choice in choices if not choice.is_correct)
    Choice.objects.filter(pk=right.pk).update(is_correct=False)
    Choice.objects.filter(pk=other.pk).update(is_correct=True)
    changed, _attempts = services.regrade_item(
        Item.objects.prefetch_related("choices").get(pk=item.pk)
    )
    assert changed
    return world


def seen(school_class: SchoolClass) -> dict:
    """What the instructor and each student see of the class, by username and slug."""
    grid = class_progress(school_class, now=NOW)
    instructor = {
        "columns": [(c.unit.slug, c.mastered, c.students, c.mean, c.median) for c in grid.columns],
        "rows": [
            (
                row.username,
                [
                    (
                        slug,
                        optional,
                        cell.best,
                        cell.attempts,
                        cell.in_progress,
                        cell.overdue,
                        cell.status,
                    )
                    for slug, cell, optional in row.linked_cells
                ],
            )
            for row in grid.rows
        ],
    }
    students = {}
    for enrollment in Enrollment.objects.filter(school_class=school_class).select_related(
        "student"
    ):
        student = enrollment.student
        record = [
            (
                entry.assignment.unit.slug,
                entry.result.best,
                entry.result.status,
                entry.due_at,
                entry.attempts_used,
                entry.attempts_allowed,
                entry.has_extension,
                policy_values(entry.assignment.policy),
                [
                    (
                        attempt.started_at,
                        attempt.finished_at,
                        attempt.score,
                        policy_values(attempt.policy),
                        attempt.due_at,
                        [
                            (r.item.key, r.score, r.score_before_regrade, r.regraded_at)
                            for r in responses
                        ],
                    )
                    for attempt, responses in entry.attempts
                ],
            )
            for entry in student_record(school_class, student, now=NOW)
        ]
        home = [
            (
                school_class.name,
                [
                    (
                        unit.unit.slug,
                        unit.status,
                        unit.result.best,
                        unit.assignment.own_due_at,
                        str(unit.next_step().label),
                    )
                    for unit in units
                ],
            )
            for school_class, units in student_assignments(student, now=NOW)
        ]
        quizzes = []
        for unit in Unit.objects.filter(assignments__school_class=school_class):
            rules = assigned_policy(student, unit)
            status = unit_quiz_status(student, unit, rules.policy)
            quizzes.append(
                (
                    unit.slug,
                    rules.is_graded,
                    rules.attempts_allowed,
                    rules.attempts_allowed - status.used_count if rules.is_graded else None,
                    rules.due_at,
                    policy_values(rules.policy),
                    status.best_score,
                    status.open_attempt_id is not None,
                    status.finished_count,
                )
            )
        students[student.username] = {"record": record, "home": home, "quizzes": quizzes}
    return {"instructor": instructor, "students": students}


def policy_values(policy: QuizPolicy | None):
    if policy is None:
        return None
    return (
        policy.attempts_allowed,
        policy.grading_method,
        policy.review_moment,
        policy.show_correctness,
    )


def export_to(school_class, path: Path) -> dict:
    call_command("export_class", str(school_class.pk), output=str(path), stdout=io.StringIO())
    return json.loads(path.read_text(encoding="utf-8"))


def write(path: Path, data: dict) -> Path:
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_grades_rules_and_extensions_survive_a_move_to_an_empty_database(graded_class, tmp_path):
    school_class = graded_class.school_class
    before = seen(school_class)
    # The fixture is what it says: graded rules, extensions, an open (reopened) attempt.
    student = before["students"]["student"]["quizzes"]
    assert student[0][1:4] == (True, 5, 3)  # graded, 3 + 2 extra allowed, 3 left (one open)
    assert before["students"]["classmate"]["quizzes"][1][1:4] == (True, 2, 0)
    assert any(row[7] for row in student)  # the reopened attempt is open
    path = tmp_path / "class.json"
    export_to(school_class, path)

    empty_the_database_but_the_course()
    call_command("import_class", str(path), stdout=io.StringIO())

    restored = SchoolClass.objects.get()
    assert seen(restored) == before
    assert Extension.objects.count() == 2
    assert QuizPolicy.objects.filter(assignment__school_class=restored).count() == 2
    assert QuizPolicy.objects.count() == 2
    assert Response.objects.filter(regraded_at__isnull=False).count() >= 1


def test_a_graded_quiz_comes_back_graded_not_practice(graded_class, tmp_path):
    path = tmp_path / "class.json"
    data = export_to(graded_class.school_class, path)
    assert data["format"] == "vnbop-class/2"
    rules = {policy["key"]: policy for policy in data["policies"]}
    intro = next(a for a in data["assignments"] if a["unit"] == "introduction")
    assert rules[intro["policy"]] == {
        "key": intro["policy"],
        "attempts_allowed": 3,
        "grading_method": "average",
        "review_moment": "never",
        "show_correctness": False,
    }
    assert {(e["student"], e["unit"], e["extra_attempts"]) for e in data["extensions"]} == {
        ("student", "introduction", 2),
        ("classmate", "phase-one", 1),
    }
    empty_the_database_but_the_course()
    call_command("import_class", str(path), stdout=io.StringIO())
    student = User.objects.get(username="student")
    rules = assigned_policy(student, Unit.objects.get(slug="introduction"))
    assert rules.is_graded and rules.attempts_allowed == 5
    assert rules.policy.review_moment == QuizPolicy.ReviewMoment.NEVER


def test_an_old_class_file_without_rules_still_imports_as_practice(mini_course, tmp_path):
    """A file written before the rules were carried (vnbop-class/1) imports as it did."""
    path = Path(shutil.copy(V1_FILE, tmp_path / "old.json"))
    out = io.StringIO()
    call_command("import_class", str(path), stdout=out)
    assert "Imported" in out.getvalue()
    restored = SchoolClass.objects.get()
    assert restored.assignments.count() == 2
    assert not restored.assignments.filter(policy__isnull=False).exists()
    assert not Extension.objects.exists() and not QuizPolicy.objects.exists()
    assert Attempt.objects.count() == 6 and not Attempt.objects.filter(policy__isnull=False)


def test_an_old_file_may_not_carry_the_new_fields_nor_a_new_one_lack_them(graded_class, tmp_path):
    data = export_to(graded_class.school_class, tmp_path / "class.json")
    empty_the_database_but_the_course()
    old = json.loads(V1_FILE.read_text(encoding="utf-8"))
    old["extensions"] = []
    with pytest.raises(CommandError, match="file: unknown field “extensions”"):
        call_command("import_class", str(write(tmp_path / "old.json", old)))
    del data["policies"]
    del data["attempts"][0]["due_at"]
    with pytest.raises(CommandError) as refused:
        call_command("import_class", str(write(tmp_path / "new.json", data)))
    assert "file: missing field “policies”" in str(refused.value)
    assert not SchoolClass.objects.exists()


def faulty_rules(data: dict) -> dict:
    """One fault of each kind in the new fields."""
    data["policies"][0].update(attempts_allowed=11, grading_method="best", review_moment=3)
    data["policies"][1]["show_correctness"] = "yes"
    data["policies"][1]["key"] = data["policies"][0]["key"]
    data["assignments"][0]["policy"] = "no-such-rules"
    data["extensions"][0].update(due_at="1999-12-31T23:00:00+00:00", extra_attempts=-1)
    data["extensions"][1].update(unit="no-such-unit", student="nobody")
    data["extensions"].append(dict(data["extensions"][0], due_at="2101-01-01T00:00:00+00:00"))
    attempt = next(a for a in data["attempts"] if a["policy"])
    attempt.update(policy="gone", due_at="tomorrow")
    response = next(r for a in data["attempts"] for r in a["responses"] if r["regraded_at"])
    response.update(score_before_regrade=1.5, regraded_at="2150-01-01T00:00:00+00:00")
    return data


def test_the_checker_names_every_fault_in_the_rules(graded_class, tmp_path):
    data = faulty_rules(export_to(graded_class.school_class, tmp_path / "class.json"))
    empty_the_database_but_the_course()
    before = snapshot()
    with pytest.raises(CommandError) as refused:
        call_command("import_class", str(write(tmp_path / "bad.json", data)))
    message = str(refused.value)
    for fault in (
        "policies[0].attempts_allowed: out of range (1 to 10)",
        "policies[0].grading_method: must be one of highest, first, last, average",
        "policies[0].review_moment: must be one of answer, attempt, due, never",
        "policies[1].show_correctness: expected true or false",
        "policies[1].key: “",  # the same key twice: appears twice
        "assignments[0].policy: unknown quiz rules “no-such-rules”",
        "extensions[0].due_at: Choose a date between the years 2000 and 2100.",
        "extensions[0].extra_attempts: out of range (0 to 10)",
        "extensions[1].unit: unknown unit “no-such-unit”",
        "extensions[1].student: unknown user “nobody”",
        "extensions[2].due_at: Choose a date between the years 2000 and 2100.",
        "extensions[2]: the same student and unit twice",
        ".policy: unknown quiz rules “gone”",
        ".due_at: expected a date and time with its time zone (ISO 8601)",
        ".score_before_regrade: out of range (0 to 1)",
        ".regraded_at: Choose a date between the years 2000 and 2100.",
    ):
        assert fault in message, fault
    assert changed_tables(before, snapshot()) == []


@pytest.mark.parametrize(
    ("lang", "fault"),
    [
        ("zh_TW.UTF-8", "policies[0].grading_method: 必須是下列其中之一"),
        ("zh_CN.UTF-8", "policies[0].grading_method: 必须是下列其中之一"),
        ("zh_TW.UTF-8", "extensions[0].due_at: 請選擇 2000 年到 2100 年之間的日期。"),
        ("zh_CN.UTF-8", "extensions[0].due_at: 请选择 2000 年到 2100 年之间的日期。"),
        ("zh_TW.UTF-8", "assignments[0].policy: 未知的測驗規則「no-such-rules」"),
        ("zh_CN.UTF-8", "assignments[0].policy: 未知的测验规则「no-such-rules」"),
    ],
)
def test_the_checker_names_faults_in_the_command_line_language(
    graded_class, tmp_path, monkeypatch, lang, fault
):
    data = faulty_rules(export_to(graded_class.school_class, tmp_path / "class.json"))
    empty_the_database_but_the_course()
    for variable in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("LANG", lang)
    with pytest.raises(CommandError) as refused:
        call_command("import_class", str(write(tmp_path / "bad.json", data)))
    assert fault in str(refused.value)


@pytest.mark.parametrize("order", [("a", "c"), ("c", "a")])
def test_two_graded_classes_that_share_a_student_come_back_in_either_order(
    graded_class, sibling_class, tmp_path, order
):
    """The shared student's attempt under class C's rules is in both files: whichever comes
    first, both classes end with their own rules, and each attempt counts where it did."""
    phase = Assignment.objects.get(school_class=sibling_class)
    phase.due_at = timezone.now() + timedelta(days=3)  # before class A's: C's rules apply
    save_assignment(
        assignment=phase,
        policy={
            "attempts_allowed": 4,
            "grading_method": QuizPolicy.GradingMethod.LAST,
            "review_moment": QuizPolicy.ReviewMoment.AFTER_ATTEMPT,
            "show_correctness": True,
        },
    )
    take_graded_attempt(graded_class.student, graded_class.other_unit, right=True)
    classes = {"a": graded_class.school_class, "c": sibling_class}
    before = {name: seen(school_class) for name, school_class in classes.items()}
    assert before["c"]["students"]["student"]["quizzes"][0][1:4] == (True, 4, 3)
    codes = {name: school_class.join_code for name, school_class in classes.items()}
    for name, school_class in classes.items():
        export_to(school_class, tmp_path / f"{name}.json")
    empty_the_database_but_the_course()

    for name in order:
        call_command("import_class", str(tmp_path / f"{name}.json"), stdout=io.StringIO())

    after = {name: seen(SchoolClass.objects.get(join_code=code)) for name, code in codes.items()}
    assert after == before
    assert QuizPolicy.objects.count() == 3  # A's two and C's one, nothing left over


def test_mangled_class_files_with_rules_import_whole_or_not_at_all(graded_class, tmp_path):
    """Random mutations of an export with graded rules, extensions and regrade records."""
    original = export_to(graded_class.school_class, tmp_path / "class.json")
    empty_the_database_but_the_course()
    mangled_files_import_whole_or_not_at_all(original, tmp_path)


def test_an_extension_names_an_assigned_unit_and_an_enrolled_student(graded_class, tmp_path):
    data = export_to(graded_class.school_class, tmp_path / "class.json")
    empty_the_database_but_the_course()
    data["assignments"] = [a for a in data["assignments"] if a["unit"] != "phase-one"]
    data["enrollments"] = [e for e in data["enrollments"] if e["student"] != "student"]
    with pytest.raises(CommandError) as refused:
        call_command("import_class", str(write(tmp_path / "bad.json", data)))
    message = str(refused.value)
    assert "extensions[0].student: “student” is not enrolled in the class" in message
    assert "extensions[1].unit: “phase-one” is not assigned in the class" in message


def test_export_queries_do_not_grow_with_the_class(graded_class):
    """Extensions, rules and regrade records included, the export costs a fixed number of
    queries, whatever the number of students (before: one per person, for the instructor
    mark)."""
    school_class = graded_class.school_class
    intro = Assignment.objects.get(pk=graded_class.assignment.pk)
    counts = []
    for batch in ("a", "b"):
        extra = [make_user(f"extra-{batch}{n}") for n in range(6)]
        for user in extra:
            Enrollment.objects.create(school_class=school_class, student=user)
            do_set_extension(assignment=intro, student=user, due_at=None, extra_attempts=1)
            take_graded_attempt(user, graded_class.unit, right=False)
        record_work([graded_class.other_unit], extra)
        with CaptureQueriesContext(connection) as queries:
            data = export_class(school_class)
        counts.append(len(queries))
    assert len(data["enrollments"]) == 3 + 12 and len(data["extensions"]) == 2 + 12
    assert counts[0] == counts[1] <= 10, counts
