"""seed_demo: a realistic, deterministic demo class that a second run rebuilds, not doubles."""

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, Sum

from classroom.models import SchoolClass, is_instructor
from classroom.progress import UnitStatus, class_progress
from quizzes.models import Attempt, Response

pytestmark = pytest.mark.django_db


def snapshot():
    school_class = SchoolClass.objects.get(instructor__username="teacher")
    grid = class_progress(school_class)
    return {
        row.username: [(cell.status, cell.best, cell.attempts, cell.read) for cell in row.cells]
        for row in grid.rows
    }, (Attempt.objects.count(), Response.objects.count())


def test_seed_demo_needs_the_course(db):
    with pytest.raises(CommandError, match="load_course"):
        call_command("seed_demo")


def test_seed_demo_builds_the_demo_class(mini_course, rf):
    call_command("seed_demo")
    teacher = authenticate(rf.post("/"), username="teacher", password="teach-demo-2026")
    assert teacher is not None and is_instructor(teacher)
    student = authenticate(rf.post("/"), username="student01", password="learn-demo-2026")
    assert student is not None and student.first_name
    school_class = SchoolClass.objects.get(instructor=teacher)
    grid = class_progress(school_class)
    assert len(grid.rows) == 30
    assert {row.username for row in grid.rows} == {f"student{n:02d}" for n in range(1, 31)}
    # The mini course has two units with items; the full course gives three assignments.
    assert len(grid.columns) == 2
    statuses = {cell.status for row in grid.rows for cell in row.cells}
    assert {UnitStatus.MASTERED, UnitStatus.OVERDUE} <= statuses
    assert 0 < grid.help_count < 30
    assert any(cell.struggles >= 2 for row in grid.rows for cell in row.cells)


def test_seed_demo_scores_are_real(mini_course):
    """Every attempt's points are the sum of its graded responses."""
    call_command("seed_demo")
    for attempt in Attempt.objects.annotate(total=Sum("responses__score")):
        assert attempt.points == pytest.approx(attempt.total or 0)
        assert attempt.answered_count == attempt.responses.count()


def test_seed_demo_twice_gives_the_same_data(mini_course):
    call_command("seed_demo")
    first = snapshot()
    call_command("seed_demo")
    assert snapshot() == first
    assert SchoolClass.objects.count() == 1
    assert get_user_model().objects.filter(username__startswith="student").count() == 30


def test_seed_demo_grades_the_introduction_and_keeps_the_rest_practice(mini_course):
    from django.utils import timezone

    from classroom.models import Assignment

    call_command("seed_demo")
    assignments = {a.unit.slug: a for a in Assignment.objects.select_related("unit", "policy")}
    intro = assignments.pop("introduction")
    policy = intro.policy
    assert (policy.attempts_allowed, policy.grading_method, policy.review_moment) == (
        2,
        "highest",
        "due",
    )
    assert intro.due_at > timezone.now()
    assert assignments and all(a.policy is None for a in assignments.values())
    attempts = Attempt.objects.filter(unit=intro.unit, is_practice=False)
    assert attempts.exists() and not attempts.filter(policy__isnull=True).exists()
    per_student = attempts.values("student").annotate(n=Count("pk"))
    assert max(row["n"] for row in per_student) == 2
    # Something still overdue on the class page, and some students still need help.
    grid = class_progress(intro.school_class)
    assert any(cell.status == UnitStatus.OVERDUE for row in grid.rows for cell in row.cells)
    assert 0 < grid.help_count < 30


def test_seed_demo_students_have_saved_and_reviewed_words(full_course, client):
    """My words, the due count and the class's most-saved words show something in the demo;
    every card's schedule comes from its stored reviews."""
    from django.urls import reverse

    from review.models import Card, SavedWord

    call_command("seed_demo")
    savers = SavedWord.objects.values("student").distinct().count()
    assert 15 <= savers < 30
    assert SavedWord.objects.filter(term__isnull=False).exists()
    assert not SavedWord.objects.filter(passage__isnull=True).exists()
    cards = Card.objects.annotate(reviews_stored=Count("reviews"))
    assert all(card.review_count == card.reviews_stored for card in cards)
    assert cards.filter(review_count__gt=0).exists() and cards.filter(review_count=0).exists()

    first = sorted(SavedWord.objects.values_list("student__username", "headword"))
    call_command("seed_demo")
    assert sorted(SavedWord.objects.values_list("student__username", "headword")) == first

    most_saved = SavedWord.objects.values("headword").annotate(n=Count("id")).order_by("-n")[0]
    client.force_login(get_user_model().objects.get(username="teacher"))
    school_class = SchoolClass.objects.get(instructor__username="teacher")
    page = client.get(reverse("classroom:saved_words", args=[school_class.pk]))
    assert most_saved["headword"] in page.content.decode()
