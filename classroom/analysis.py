"""Item analysis of a unit's quiz and mastery by tag, for one class.

Item statistics follow Moodle's quiz statistics, as documented in MoodleDocs, "Quiz
statistics calculations" (https://docs.moodle.org/dev/Quiz_statistics_calculations):

* Only the first finished graded attempt of each student counts by default; with "all
  attempts", every attempt counts as if by a different student.
* An item the attempt presented but the student left unanswered scores 0 ("treat omitted
  items as having a score of 0").
* Facility index:  F_i = 100 · mean(x_i(p)) / max x_i. Every item here is marked from 0 to 1,
  so it is the mean item score as a percentage.
* Discrimination index:  D_i = 100 · r(x_i, X_-i), the product-moment correlation between
  the item's score x_i(p) and the score on the rest of the test X_-i(p) = X(p) − x_i(p),
  over the attempts p that presented the item:
      r = C(x_i, X_-i) / √(V(x_i) · V(X_-i))
  with C the covariance and V the variance (the 1/(n−1) factors cancel). It is undefined
  when either variance is 0, for example when every student got the item right.

Items with a facility below 30 % or a discrimination below 20 are flagged for review.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models import Count, Exists, Max, OuterRef, Q, Subquery, Sum, TextField
from django.db.models.functions import Cast, JSONObject
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from courseware.models import Unit
from quizzes.models import Attempt, Choice, Item, Response, Tag, counted_under

from .models import (
    NAME_FIELDS,
    Assignment,
    Enrollment,
    SchoolClass,
    person_name,
    shown_username,
)

REVIEW_FACILITY = 30
REVIEW_DISCRIMINATION = 20


@dataclass
class OptionCount:
    choice: Choice
    count: int
    of: int

    @property
    def share(self) -> float | None:
        return self.count / self.of if self.of else None


@dataclass
class ItemStats:
    item: Item
    presented: int = 0
    answered: int = 0
    # 0 to 100; None when no attempt presented the item.
    facility: float | None = None
    # −100 to 100; None when it cannot be computed (fewer than two attempts, no spread).
    discrimination: float | None = None
    options: list[OptionCount] = field(default_factory=list)

    @property
    def review_reasons(self) -> list[str]:
        reasons = []
        if self.facility is not None and self.facility < REVIEW_FACILITY:
            reasons.append(_("facility below 30 %"))
        if self.discrimination is not None and self.discrimination < REVIEW_DISCRIMINATION:
            reasons.append(_("discrimination below 20"))
        return reasons

    @property
    def unanswered(self) -> int:
        return self.presented - self.answered


@dataclass
class UnitAnalysis:
    unit: Unit
    all_attempts: bool
    attempt_count: int
    student_count: int
    items: list[ItemStats]

    @property
    def flagged_count(self) -> int:
        return sum(1 for stats in self.items if stats.review_reasons)


def correlation(xs: list[float], ys: list[float]) -> float | None:
    """Pearson's r, or None when it is undefined (fewer than two points, or no spread)."""
    n = len(xs)
    if n < 2:
        return None
    mean_x = sum(xs) / n
    mean_y = sum(ys) / n
    cov = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True))
    var_x = sum((x - mean_x) ** 2 for x in xs)
    var_y = sum((y - mean_y) ** 2 for y in ys)
    if var_x < 1e-12 or var_y < 1e-12:
        return None
    return cov / math.sqrt(var_x * var_y)


def analysed_attempts(school_class: SchoolClass, unit: Unit, *, all_attempts: bool):
    """The finished graded attempts of the class's current students on the unit (practice and
    the class's own graded rules: not another class's)."""
    rules = Assignment.objects.graded_rules_of(school_class)
    attempts = (
        Attempt.objects.graded()
        .finished()
        .counted_under(rules)
        .filter(
            unit=unit, student__in=Enrollment.objects.in_class(school_class).values("student_id")
        )
    )
    if not all_attempts:
        # A first attempt has no earlier finished graded attempt by the same student.
        earlier = (
            Attempt.objects.graded()
            .finished()
            .counted_under(rules)
            .filter(unit=unit, student=OuterRef("student"))
            .filter(
                Q(started_at__lt=OuterRef("started_at"))
                | Q(started_at=OuterRef("started_at"), pk__lt=OuterRef("pk"))
            )
        )
        attempts = attempts.filter(~Exists(earlier))
    return attempts


def _option_counts(item: Item, answers: Counter[str]) -> list[OptionCount]:
    """How many answers chose each option. For ordering and matching items, "chose" means
    put the option in its right place, or gave it its right match.

    ``answers`` counts each distinct answer (as stored JSON text)."""
    choices = sorted(item.choices.all(), key=lambda choice: choice.order)
    counts = dict.fromkeys((choice.key for choice in choices), 0)
    for text, times in answers.items():
        answer = json.loads(text) if text else None
        if item.kind == Item.Kind.ORDERING and isinstance(answer, list):
            for position, key in enumerate(answer):
                if position < len(choices) and choices[position].key == key:
                    counts[key] += times
        elif item.kind == Item.Kind.MATCHING and isinstance(answer, dict):
            for key in counts:
                if answer.get(key) == key:
                    counts[key] += times
        elif isinstance(answer, list):
            for key in set(answer):
                if key in counts:
                    counts[key] += times
    total = answers.total()
    return [OptionCount(choice, counts[choice.key], total) for choice in choices]


def item_analysis(
    school_class: SchoolClass, unit: Unit, *, all_attempts: bool = False
) -> UnitAnalysis:
    """Facility, discrimination and option counts for each item of the unit: 4 queries."""
    items = list(Item.objects.for_unit(unit).prefetch_related("choices"))
    attempts = analysed_attempts(school_class, unit, all_attempts=all_attempts)
    presented: dict[int, set[int]] = {}
    students = set()
    for attempt_id, student_id, item_ids in attempts.values_list("pk", "student_id", "item_ids"):
        presented[attempt_id] = set(item_ids or [])
        students.add(student_id)
    scores: dict[int, dict[int, float]] = defaultdict(dict)
    # Answers as JSON text, counted per distinct text: a class gives the same few answers
    # over and over, so each is decoded once rather than once per student.
    answers: dict[int, Counter[str]] = defaultdict(Counter)
    # The ids already fetched, rather than the attempts subquery again (it costs PostgreSQL
    # as much as the first time for a large class).
    responses = Response.objects.filter(attempt_id__in=list(presented)).values_list(
        "attempt_id", "item_id", Cast("answer", TextField()), "score"
    )
    for attempt_id, item_id, answer, score in responses:
        scores[attempt_id][item_id] = score
        answers[item_id][answer] += 1
        presented.setdefault(attempt_id, set()).add(item_id)
    # One pass over the attempts: each item's scores x_i(p), and the rest of the test
    # X(p) − x_i(p), over the attempts that presented it.
    position = {item.pk: index for index, item in enumerate(items)}
    xs: list[list[float]] = [[] for _item in items]
    rests: list[list[float]] = [[] for _item in items]
    for attempt_id, item_ids in presented.items():
        attempt_scores = scores.get(attempt_id, {})
        total = sum(attempt_scores.values())
        for item_id in item_ids:
            index = position.get(item_id)
            if index is None:
                continue  # an item no longer in the unit
            x = attempt_scores.get(item_id, 0.0)
            xs[index].append(x)
            rests[index].append(total - x)

    stats = []
    for index, item in enumerate(items):
        item_xs = xs[index]
        r = correlation(item_xs, rests[index])
        stats.append(
            ItemStats(
                item=item,
                presented=len(item_xs),
                answered=answers[item.pk].total(),
                facility=100 * sum(item_xs) / len(item_xs) if item_xs else None,
                discrimination=100 * r if r is not None else None,
                options=_option_counts(item, answers[item.pk]),
            )
        )
    return UnitAnalysis(
        unit=unit,
        all_attempts=all_attempts,
        attempt_count=len(presented),
        student_count=len(students),
        items=stats,
    )


# ---------------------------------------------------------------------------------------
# The analysis, cached until what it reads changes

# A day: the stamp in the key retires an entry as soon as its data change; this only lets
# entries of units nobody looks at any more leave the cache.
ANALYSIS_TIMEOUT = 24 * 3600


def unit_for_analysis(school_class: SchoolClass, slug: str) -> Unit:
    """The unit, if it is assigned to the class (404 otherwise), with its course and the
    stamp of its analysis (``analysis_stamp``), in one query."""
    attempts = (
        Attempt.objects.graded()
        .finished()
        .counted_under(Assignment.objects.graded_rules_of(school_class))
        .filter(
            unit=OuterRef("pk"),
            student__in=Enrollment.objects.in_class(school_class).values("student_id"),
        )
        .order_by()
        .values("unit")
        .annotate(
            stamp=JSONObject(
                n=Count("pk"), ids=Sum("pk"), last=Max("finished_at"), points=Sum("points")
            )
        )
        .values("stamp")
    )
    return get_object_or_404(
        Unit.objects.filter(assignments__school_class=school_class)
        .select_related("course")
        .annotate(analysis_stamp=Subquery(attempts)),
        slug=slug,
    )


def cached_item_analysis(
    school_class: SchoolClass, unit: Unit, *, all_attempts: bool = False
) -> UnitAnalysis:
    """``item_analysis``, from the cache while the unit's content (its course's content
    version) and the attempts it reads (``unit.analysis_stamp``, from ``unit_for_analysis``)
    are as they were: a large class's analysis decodes every answer of every first attempt,
    and the result only changes when someone hands in."""
    key = json.dumps(
        [
            school_class.pk,
            unit.pk,
            all_attempts,
            unit.course.content_version,
            unit.analysis_stamp,
        ],
        default=str,
        sort_keys=True,
    )
    key = "item-analysis:" + hashlib.sha256(key.encode()).hexdigest()
    analysis = cache.get(key)
    if analysis is None:
        analysis = item_analysis(school_class, unit, all_attempts=all_attempts)
        cache.set(key, analysis, ANALYSIS_TIMEOUT)
    return analysis


# ---------------------------------------------------------------------------------------
# Mastery by tag


@dataclass
class Share:
    correct: int = 0
    total: int = 0

    @property
    def value(self) -> float | None:
        return self.correct / self.total if self.total else None

    @property
    def level(self) -> int | None:
        """0 to 4, for the heat map's shading; the cell also prints the number."""
        return None if self.value is None else min(4, int(self.value * 5))


@dataclass
class TagRow:
    student_id: int | None
    name: str
    username: str
    cells: list[Share]


@dataclass
class TagMastery:
    tags: list[Tag]
    groups: list[tuple[str, int]]  # (group label, number of tags), for the header
    class_row: TagRow
    rows: list[TagRow]


GROUP_ORDER = {value: index for index, value in enumerate(Tag.Group.values)}


def tag_mastery(school_class: SchoolClass) -> TagMastery:
    """The share of correct answers per student and tag, in graded attempts on the units
    assigned to the class, over the tags the assigned units' items carry: 3 queries."""
    assigned_items = Item.objects.current().filter(
        unit__assignments__school_class=school_class, tags=OuterRef("pk")
    )
    tags = sorted(
        Tag.objects.filter(Exists(assigned_items)),
        key=lambda tag: (GROUP_ORDER.get(tag.group, 99), tag.order),
    )
    position = {tag.pk: index for index, tag in enumerate(tags)}
    students = Enrollment.objects.in_class(school_class)
    counts = (
        Response.objects.graded()
        .filter(
            counted_under(Assignment.objects.graded_rules_of(school_class), through="attempt__"),
            attempt__student__in=students.values("student_id"),
            item__unit__assignments__school_class=school_class,
        )
        .order_by()
        .values_list("attempt__student_id", "item__tags")
        .annotate(total=Count("pk"), correct=Count("pk", filter=Q(is_correct=True)))
    )
    per_student: dict[int, list[Share]] = {}
    class_cells = [Share() for _tag in tags]
    for student_id, tag_id, total, correct in counts:
        if tag_id not in position:
            continue
        cells = per_student.setdefault(student_id, [Share() for _tag in tags])
        index = position[tag_id]
        cells[index] = Share(correct, total)
        class_cells[index].correct += correct
        class_cells[index].total += total
    rows = [
        TagRow(
            student_id,
            person_name(*names),
            shown_username(names[-1]),
            per_student.get(student_id) or [Share() for _tag in tags],
        )
        for student_id, *names in students.values_list(
            "student_id", *(f"student__{name}" for name in NAME_FIELDS)
        )
    ]
    rows.sort(key=lambda row: (row.name.casefold(), row.username.casefold()))
    groups: list[tuple[str, int]] = []
    for tag in tags:
        label = Tag.Group(tag.group).label if tag.group in Tag.Group.values else tag.group
        if groups and groups[-1][0] == label:
            groups[-1] = (label, groups[-1][1] + 1)
        else:
            groups.append((label, 1))
    return TagMastery(
        tags=tags,
        groups=groups,
        class_row=TagRow(None, "", "", class_cells),
        rows=rows,
    )
