"""Where each student stands on each assigned unit: the progress grid and the student's home.

Whatever the size of the class, the grid costs a fixed handful of queries: the assignments,
the enrollments, one GROUP BY over attempts (best score, attempt counts) and one over
reading progress. Everything else (status, overdue, needs help, sorting, filtering, the
summary row) is assembled in Python from those result sets, and each cell's UnitResult only
for the rows on show.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import cached_property
from operator import itemgetter

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Case, Count, F, Q, TextChoices, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from courseware.models import READ, ReadingProgress, Unit
from quizzes.grading import EPSILON, grade_by_method, is_mastery
from quizzes.models import (
    FINISHED,
    OPEN,
    Attempt,
    QuizPolicy,
    attempt_score_expression,
    best_score_expression,
    counted_under,
)

from .models import (
    NAME_FIELDS,
    Assignment,
    Enrollment,
    Extension,
    SchoolClass,
    person_name,
    shown_username,
)

# The needs-help rule, stated on the progress page. An attempt scoring below STRUGGLE_SCORE
# is a struggle; STRUGGLES_FOR_HELP struggles on one unit, or one overdue unit that is not
# mastered, flag the student.
STRUGGLE_SCORE = 0.6
STRUGGLES_FOR_HELP = 2


class UnitStatus(TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    READING = "reading", _("Reading")
    READ = "read", _("Read")
    QUIZ = "quiz", _("Quiz in progress")
    MASTERED = "mastered", _("Mastered")
    OVERDUE = "overdue", _("Overdue")


def is_overdue(best: float | None, due_at: datetime, now: datetime) -> bool:
    """Past the due date and not mastered."""
    return now > due_at and not is_mastery(best)


@dataclass(slots=True)
class UnitResult:
    """One student's standing on one unit."""

    opened: bool = False
    read: bool = False
    # The grade (0 to 1): on a graded assignment by its policy's method over the attempts
    # taken under it, otherwise the best finished attempt; None before the first one.
    best: float | None = None
    # Finished graded attempts, and how many of them scored below STRUGGLE_SCORE.
    attempts: int = 0
    struggles: int = 0
    in_progress: bool = False
    # Past the due date and not mastered; set against an assignment by `with_due`.
    overdue: bool = False

    @property
    def mastered(self) -> bool:
        return is_mastery(self.best)

    @property
    def needs_help(self) -> bool:
        return self.struggles >= STRUGGLES_FOR_HELP or self.overdue

    @property
    def status(self) -> UnitStatus:
        if self.mastered:
            return UnitStatus.MASTERED
        if self.overdue:
            return UnitStatus.OVERDUE
        if self.in_progress or self.attempts:
            return UnitStatus.QUIZ
        if self.read:
            return UnitStatus.READ
        if self.opened:
            return UnitStatus.READING
        return UnitStatus.NOT_STARTED

    def mark_due(self, due_at: datetime, now: datetime) -> UnitResult:
        """Overdue (``is_overdue``), marked in place; returns itself."""
        self.overdue = is_overdue(self.best, due_at, now)
        return self

    def with_due(self, due_at: datetime, now: datetime) -> UnitResult:
        """A copy marked against this due date, for a result that several rows share."""
        return replace(self).mark_due(due_at, now)


@dataclass(slots=True)
class Standings:
    """Per (student, unit) pair, the two queries' rows as they came: the attempt figures
    ``(best, finished, struggles, open)`` and whether read (1) or only opened (0).

    Kept as rows, not as a ``UnitResult`` per pair: the grid of a large class reads every
    pair's score and flags but shows only a page of students' cells (``result``)."""

    scores: dict[tuple[int, int], tuple]
    reading: dict[tuple[int, int], int]

    def result(self, key: tuple[int, int]) -> UnitResult:
        """The pair's standing (empty when the student never opened the unit)."""
        is_read = self.reading.get(key)
        score = self.scores.get(key)
        if score is None:
            return UnitResult(is_read is not None, bool(is_read))
        best, finished, struggles, open_count = score
        return UnitResult(
            is_read is not None, bool(is_read), best, finished, struggles, open_count > 0
        )

    def unit_ids(self) -> set[int]:
        return set(map(itemgetter(1), self.scores)) | set(map(itemgetter(1), self.reading))


def unit_results(
    *, students, units, policies: dict[int, QuizPolicy] | None = None
) -> dict[tuple[int, int], UnitResult]:
    """``{(student_id, unit_id): UnitResult}`` of the pairs with a reading or an attempt
    (see ``standings``)."""
    standing = standings(students=students, units=units, policies=policies)
    return {key: standing.result(key) for key in standing.scores.keys() | standing.reading}


def standings(*, students, units, policies: dict[int, QuizPolicy] | None = None) -> Standings:
    """Where the students stand on the units, in two queries, three with graded units.

    ``students`` and ``units`` are anything ``__in`` accepts: ids, instances or a values
    queryset (then a subquery); ``units=None`` means every unit. ``policies`` maps the unit
    ids of graded assignments to their policy: there only the attempts taken under it count,
    graded by its method. Elsewhere what the class counts (``counted_under``): attempts under
    no policy, or under one of ``policies`` (an assignment moved to another unit keeps its
    policy); an attempt taken under some other class's graded rules is that class's grade,
    not this one's. Pairs with no reading and no attempt are absent.
    """
    policies = policies or {}
    # An attempt handed in with under half its items answered is a struggle too (its score
    # is below half anyway; said here so the rule survives a change of STRUGGLE_SCORE).
    struggle = FINISHED & (
        Q(score__lt=STRUGGLE_SCORE - EPSILON) | Q(answered_count__lt=F("item_count") / 2.0)
    )
    by_unit = {} if units is None else {"unit__in": units}
    # A graded unit counts only the attempts under its own policy; any other unit what the
    # class counts (practice, or its graded rules: an assignment moved to another unit
    # keeps its policy, so attempts under it can lie on a unit that is no longer graded).
    counted = counted_under([policy.pk for policy in policies.values()])
    if policies:
        counted = (counted & ~Q(unit__in=list(policies))) | _under_own_rules(policies)
    rows = (
        Attempt.objects.graded()
        .filter(counted, student__in=students, **by_unit)
        .alias(score=attempt_score_expression())
        .order_by()
        .values_list("student_id", "unit_id")
        .annotate(
            best=best_score_expression(),
            finished=Count("pk", filter=FINISHED),
            struggles=Count("pk", filter=struggle),
            open=Count("pk", filter=OPEN),
        )
    )
    scores = {(row[0], row[1]): row[2:] for row in raw_rows(rows)}
    if policies:
        _grade_by_policy(scores, students=students, policies=policies)
    # Whether read, not when: a datetime per row would cost a conversion per row.
    reading = (
        ReadingProgress.objects.filter(user__in=students, **by_unit)
        .annotate(is_read=Case(When(READ, then=1), default=0))
        .values_list("user_id", "unit_id", "is_read")
    )
    return Standings(scores, {(user, unit): is_read for user, unit, is_read in raw_rows(reading)})


def raw_rows(queryset) -> list[tuple]:
    """A ``values_list`` queryset's rows as the database driver returns them.

    Django runs a converter over every value of every row (a float for a float, an int for a
    count); for the grid's two queries, 2 × 24,000 rows in a 3,000-student class, that was
    about a quarter of the page's time, for values the driver already gives as Python numbers
    (SQLite's booleans come as 0 and 1, which the callers read as such)."""
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:  # filtered by an empty list: the ORM would not ask either
        return []
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _grade_by_policy(scores, *, students, policies: dict[int, QuizPolicy]) -> None:
    """Replace the best score of graded units by the grade their policy's method gives."""
    unit_of_policy = {policy.pk: unit_id for unit_id, policy in policies.items()}
    by_pair: dict[tuple[int, int], list[float]] = {}
    rows = (
        Attempt.objects.graded()
        .finished()
        .filter(_under_own_rules(policies), student__in=students)
        .annotate(score_value=attempt_score_expression())
        .order_by("started_at", "pk")
        .values_list("student_id", "policy_id", "score_value")
    )
    for student_id, policy_id, score in rows:
        by_pair.setdefault((student_id, unit_of_policy[policy_id]), []).append(score)
    for key, values in by_pair.items():
        grade = grade_by_method(values, policies[key[1]].grading_method)
        scores[key] = (grade, *scores[key][1:])


def _under_own_rules(policies: dict[int, QuizPolicy]) -> Q:
    """Attempts on each graded unit taken under that unit's policy."""
    return Q.create(
        [Q(unit_id=unit_id, policy_id=policy.pk) for unit_id, policy in policies.items()],
        connector=Q.OR,
    )


def graded_policies(assignments) -> dict[int, QuizPolicy]:
    """``{unit_id: policy}`` of the graded ones among the assignments (policy loaded)."""
    return {a.unit_id: a.policy for a in assignments if a.policy is not None}


def own_due_dates(assignments, students=None) -> dict[tuple[int, int], datetime]:
    """``{(assignment_id, student_id): due}`` of the extensions on these assignments."""
    extensions = Extension.objects.filter(assignment__in=assignments, due_at__isnull=False)
    if students is not None:
        extensions = extensions.filter(student__in=students)
    return {
        (assignment_id, student_id): due_at
        for assignment_id, student_id, due_at in extensions.values_list(
            "assignment_id", "student_id", "due_at"
        )
    }


def percent(value: float | None) -> int | None:
    """A share (0 to 1) as a whole percentage, halves rounded up (not to even)."""
    if value is None:
        return None
    return int(value * 100 + 0.5 + EPSILON)


# ---------------------------------------------------------------------------------------
# The instructor's grid


@dataclass
class Column:
    """A unit of the grid with the class summary for it: an assigned unit, or an optional one
    (not assigned, but some students read it or took its quiz: no due date, and it counts
    towards neither the needs-help flag nor the mean)."""

    unit: Unit
    assignment: Assignment | None = None
    mastered: int = 0
    students: int = 0
    mean: float | None = None
    median: float | None = None

    @property
    def optional(self) -> bool:
        return self.assignment is None

    @property
    def completion(self) -> float | None:
        return self.mastered / self.students if self.students else None


@dataclass(frozen=True)
class GridCells:
    """Builds a row's cells when they are read. The needs-help flag and the mean of every
    row, the sorts and the summary row read the scores directly (``class_progress``); only
    the rows on show, or exported, need their cells."""

    standing: Standings
    # (assignment_id, unit_id, due_at) of each assigned column, in order.
    plan: list[tuple[int, int, datetime]]
    optional_unit_ids: list[int]
    own_due: dict[tuple[int, int], datetime]
    now: datetime

    def assigned(self, student_id: int) -> list[UnitResult]:
        return [
            self.standing.result((student_id, unit_id)).mark_due(
                self.own_due.get((assignment_id, student_id), due_at), self.now
            )
            for assignment_id, unit_id, due_at in self.plan
        ]

    def optional(self, student_id: int) -> list[UnitResult]:
        return [self.standing.result((student_id, unit)) for unit in self.optional_unit_ids]


@dataclass
class Row:
    student_id: int
    name: str
    # The username shown beside the name ("" for an account made by an LMS launch).
    username: str
    # Any assigned cell with STRUGGLES_FOR_HELP struggles or overdue (UnitResult.needs_help).
    needs_help: bool
    # The mean of the best scores on the assigned units this student has taken a quiz on.
    mean: float | None
    # The slugs of the columns' units, shared by every row: cells link to them.
    unit_slugs: list[str]
    grid_cells: GridCells = field(repr=False, compare=False)

    @cached_property
    def cells(self) -> list[UnitResult]:
        """One per assigned unit, in the order of the grid's columns."""
        return self.grid_cells.assigned(self.student_id)

    @cached_property
    def optional_cells(self) -> list[UnitResult]:
        """One per optional unit, after them."""
        return self.grid_cells.optional(self.student_id)

    @property
    def linked_cells(self):
        """(slug, cell, optional) for every column."""
        flags = [False] * len(self.cells) + [True] * len(self.optional_cells)
        return zip(self.unit_slugs, self.cells + self.optional_cells, flags, strict=True)


def _name_key(row: Row):
    return (row.name.casefold(), row.username.casefold())


def _mean(row: Row) -> float:
    # Students with no score sort as the lowest.
    return -1.0 if row.mean is None else row.mean


# Each sort breaks ties by name.
SORTS = {
    "name": _name_key,
    "mean": lambda row: (_mean(row), *_name_key(row)),
    "-mean": lambda row: (-_mean(row), *_name_key(row)),
    "help": lambda row: (not row.needs_help, *_name_key(row)),
}
DEFAULT_SORT = "name"


@dataclass
class ProgressGrid:
    school_class: SchoolClass
    columns: list[Column]
    rows: list[Row]
    now: datetime

    @property
    def help_count(self) -> int:
        return sum(1 for row in self.rows if row.needs_help)

    def view(self, *, sort: str = DEFAULT_SORT, query: str = "", help_only: bool = False):
        """The rows to show: matching the search, maybe only those who need help, sorted."""
        rows: Iterable[Row] = self.rows
        needle = query.strip().casefold()
        if needle:
            rows = [
                row
                for row in rows
                if needle in row.name.casefold() or needle in row.username.casefold()
            ]
        if help_only:
            rows = [row for row in rows if row.needs_help]
        return sorted(rows, key=SORTS.get(sort, SORTS[DEFAULT_SORT]))


def class_progress(school_class: SchoolClass, *, now: datetime | None = None) -> ProgressGrid:
    """Every current student of the class against every assigned unit, then the units some
    of them worked on without an assignment (optional columns): five queries, six with
    optional units, whatever the size of the class."""
    now = now or timezone.now()
    assignments = list(Assignment.objects.for_class(school_class))
    # Sorted in Python (by name, or as asked), so not by the database.
    enrollments = (
        Enrollment.objects.in_class(school_class)
        .order_by()
        .values_list("student_id", *(f"student__{name}" for name in NAME_FIELDS))
    )
    # Over every unit: what students did on units nobody assigned shows as optional columns.
    standing = standings(
        students=Enrollment.objects.in_class(school_class).values("student_id"),
        units=None,
        policies=graded_policies(assignments),
    )
    optional_ids = standing.unit_ids() - {assignment.unit_id for assignment in assignments}
    optional_units = (
        list(Unit.objects.in_reading_order().filter(pk__in=optional_ids)) if optional_ids else []
    )
    own_due = own_due_dates(assignments) if assignments else {}
    slugs = [assignment.unit.slug for assignment in assignments]
    slugs += [unit.slug for unit in optional_units]
    plan = [(assignment.pk, assignment.unit_id, assignment.due_at) for assignment in assignments]
    grid_cells = GridCells(standing, plan, [unit.pk for unit in optional_units], own_due, now)
    # The best scores of each column, for the summary row.
    assigned_bests: list[list[float]] = [[] for _ in assignments]
    optional_bests: list[list[float]] = [[] for _ in optional_units]
    scores = standing.scores
    rows = []
    for student_id, *names in enrollments:
        # The rules of UnitResult (overdue, needs_help) over the bare scores: a cell object
        # per student and unit is built only for the rows on show.
        needs_help = False
        bests = []
        for index, (assignment_id, unit_id, due_at) in enumerate(plan):
            if own_due:
                due_at = own_due.get((assignment_id, student_id), due_at)
            score = scores.get((student_id, unit_id))
            best = None if score is None else score[0]
            if best is not None:
                bests.append(best)
                assigned_bests[index].append(best)
            if (score is not None and score[2] >= STRUGGLES_FOR_HELP) or is_overdue(
                best, due_at, now
            ):
                needs_help = True
        for index, unit in enumerate(optional_units):
            score = scores.get((student_id, unit.pk))
            if score is not None and score[0] is not None:
                optional_bests[index].append(score[0])
        rows.append(
            Row(
                student_id,
                person_name(*names),
                shown_username(names[-1]),
                needs_help,
                statistics.fmean(bests) if bests else None,
                slugs,
                grid_cells,
            )
        )
    rows.sort(key=_name_key)
    columns = [
        _summary(Column(assignment.unit, assignment), bests, len(rows))
        for assignment, bests in zip(assignments, assigned_bests, strict=True)
    ]
    columns += [
        _summary(Column(unit), bests, len(rows))
        for unit, bests in zip(optional_units, optional_bests, strict=True)
    ]
    return ProgressGrid(school_class=school_class, columns=columns, rows=rows, now=now)


def _summary(column: Column, bests: list[float], students: int) -> Column:
    column.mastered = sum(map(is_mastery, bests))  # a cell without a score is not mastered
    column.students = students
    column.mean = statistics.fmean(bests) if bests else None
    column.median = statistics.median(bests) if bests else None
    return column


# ---------------------------------------------------------------------------------------
# The student's home


@dataclass
class AssignedUnit:
    assignment: Assignment
    result: UnitResult

    @property
    def unit(self) -> Unit:
        return self.assignment.unit

    @property
    def status(self) -> UnitStatus:
        return self.result.status

    def next_step(self) -> NextStep:
        """The one button on the student's home."""
        result, unit = self.result, self.unit
        if result.mastered:
            return NextStep(_("Review the unit"), unit.get_absolute_url())
        if result.in_progress:
            return NextStep(_("Continue the quiz"), quiz_start_url(unit), post=True)
        if result.attempts:
            return NextStep(_("Try the quiz again"), quiz_start_url(unit), post=True)
        if result.read:
            return NextStep(_("Take the quiz"), quiz_start_url(unit), post=True)
        if result.opened:
            return NextStep(_("Continue reading"), unit.get_absolute_url())
        return NextStep(_("Start reading"), unit.get_absolute_url())


@dataclass(frozen=True)
class NextStep:
    label: str
    url: str
    # Starting (or resuming) a quiz is a POST to the quiz app; reading is a plain link.
    post: bool = False


def quiz_start_url(unit: Unit) -> str:
    return reverse("quizzes:start", kwargs={"slug": unit.slug})


def student_assignments(
    student, *, now: datetime | None = None
) -> list[tuple[SchoolClass, list[AssignedUnit]]]:
    """The student's classes, each with its visible assigned units by due date: 4 queries."""
    now = now or timezone.now()
    assignments = list(
        Assignment.objects.visible(now)
        .filter(school_class__in=SchoolClass.objects.attended_by(student), unit__archived=False)
        .select_related("unit", "school_class", "policy")
        .order_by("due_at", "unit__order")
    )
    own_due = own_due_dates(assignments, students=[student.pk]) if assignments else {}
    classes = {
        school_class.pk: (school_class, [])
        for school_class in SchoolClass.objects.attended_by(student).order_by("name")
    }
    results = unit_results(
        students=[student.pk],
        units={assignment.unit_id for assignment in assignments},
        policies=graded_policies(assignments),
    )
    empty = UnitResult()
    for assignment in assignments:
        result = results.get((student.pk, assignment.unit_id), empty)
        due_at = own_due.get((assignment.pk, student.pk), assignment.due_at)
        assignment.own_due_at = due_at
        classes[assignment.school_class_id][1].append(
            AssignedUnit(assignment, result.with_due(due_at, now))
        )
    return list(classes.values())
