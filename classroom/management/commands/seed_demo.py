"""A demo class to try the instructor's pages with: 30 students with realistic work.

Deterministic: a fixed random seed drives every choice, and times are fixed offsets from the
start of the current hour. Running it again rebuilds the same data instead of adding to it:
the demo students' reading and attempts are deleted and recreated.

Answers go through the quiz app's services (``start_or_resume_attempt``, ``record_answer``,
``finish_attempt``), so every score is graded exactly as a real answer would be.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from classroom.models import Assignment, Enrollment, SchoolClass
from classroom.services import do_make_instructor
from courseware.models import Passage, ReadingProgress, Unit
from quizzes.models import Attempt, Item, QuizPolicy, Response
from quizzes.policies import PRACTICE, AssignedPolicy
from quizzes.samples import likely_answer
from quizzes.services import finish_attempt, record_answer, start_or_resume_attempt
from review.models import SavedWord
from review.services import do_review_card, do_save_word
from words.models import Word

from ...services import save_assignment

SEED = 20260301
TEACHER = "teacher"
TEACHER_PASSWORD = "teach-demo-2026"
TEACHER_NAME = "王老師"
STUDENT_PASSWORD = "learn-demo-2026"
CLASS_NAME = "越南外交政策（示範班）"
CLASS_TERM = "2026 春季"
STUDENT_NAMES = [
    "陳怡君",
    "林冠宇",
    "黃詩涵",
    "張家豪",
    "李佳穎",
    "王柏翰",
    "吳宜蓁",
    "劉承恩",
    "蔡欣妤",
    "楊子睿",
    "許雅婷",
    "鄭宇軒",
    "謝心怡",
    "郭品妍",
    "洪建宏",
    "曾郁晴",
    "邱志明",
    "廖婉婷",
    "賴俊傑",
    "周芷若",
    "葉家瑋",
    "蘇怡萱",
    "莊明哲",
    "呂佩珊",
    "江昱廷",
    "何雨潔",
    "羅子豪",
    "高佳慧",
    "潘冠廷",
    "簡欣潔",
]
# Unit 壹's quiz is graded, due next week: two attempts, the higher counts, the right
# answers after the due date. The others stay practice, due (in reading order) one in the
# past (overdue work) and one in two weeks, so every page has something to show.
GRADED_UNIT = "introduction"
GRADED_DUE_IN_DAYS = 7
DUE_IN_DAYS = [-5, 14, 21]
VISIBLE_FROM_DAYS = [None, -12, -2]
GRADED_RULES = {
    "attempts_allowed": 2,
    "grading_method": QuizPolicy.GradingMethod.HIGHEST,
    "review_moment": QuizPolicy.ReviewMoment.AFTER_DUE,
    "show_correctness": True,
}


class Command(BaseCommand):
    help = "Create (or rebuild) the demo instructor, class, students and their work."

    def handle(self, *args, **options):
        units = list(
            Unit.objects.in_reading_order()
            .annotate(item_count=Count("items", filter=Q(items__archived=False)))
            .filter(item_count__gt=0)[:3]
        )
        if not units:
            raise CommandError(
                "No unit with quiz items: load the course first (python manage.py load_course)."
            )
        now = timezone.now().replace(minute=0, second=0, microsecond=0)
        rng = random.Random(SEED)
        with transaction.atomic():
            teacher = self._teacher()
            school_class = self._school_class(teacher, units, now)
            students = self._students(school_class, now)
            Attempt.objects.filter(student__in=students).delete()
            ReadingProgress.objects.filter(user__in=students).delete()
            SavedWord.objects.filter(student__in=students).delete()
            assignments = list(Assignment.objects.for_class(school_class))
            for index, student in enumerate(students):
                profile = _profile(index, rng)
                for position, assignment in enumerate(assignments):
                    _simulate(student, assignment, position, profile, rng, now)
            words_met = _words_met(units)
            for student in students:
                _save_and_review_words(student, words_met, rng, now)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo class “{school_class.name}” (join code {school_class.join_code}): "
                f"{len(students)} students, {len(assignments)} assignments. "
                f"Sign in as {TEACHER} / {TEACHER_PASSWORD}."
            )
        )

    def _teacher(self):
        teacher, _created = do_make_instructor(
            username=TEACHER, password=TEACHER_PASSWORD, display_name=TEACHER_NAME
        )
        return teacher

    def _school_class(self, teacher, units, now):
        school_class, _created = SchoolClass.objects.get_or_create(
            instructor=teacher, name=CLASS_NAME, defaults={"term": CLASS_TERM}
        )
        school_class.assignments.exclude(unit__in=units).delete()
        # Due at 23:59, local time: what a syllabus says.
        end_of_today = timezone.localtime(now).replace(hour=23, minute=59)
        practice_due = iter(DUE_IN_DAYS)
        for unit, visible_days in zip(units, VISIBLE_FROM_DAYS, strict=False):
            graded = unit.slug == GRADED_UNIT
            due_days = GRADED_DUE_IN_DAYS if graded else next(practice_due)
            assignment, _created = Assignment.objects.update_or_create(
                school_class=school_class,
                unit=unit,
                defaults={
                    "due_at": end_of_today + timedelta(days=due_days),
                    "visible_from": None
                    if visible_days is None
                    else now + timedelta(days=visible_days),
                    "note": "",
                },
            )
            save_assignment(assignment=assignment, policy=GRADED_RULES if graded else None)
        return school_class

    def _students(self, school_class, now):
        User = get_user_model()
        # One hash for all: 30 slow PBKDF2 runs would make the command take a minute.
        password = make_password(STUDENT_PASSWORD)
        students = []
        for number, name in enumerate(STUDENT_NAMES, start=1):
            student, _created = User.objects.update_or_create(
                username=f"student{number:02d}",
                defaults={"first_name": name, "password": password, "is_active": True},
            )
            Enrollment.objects.update_or_create(
                school_class=school_class,
                student=student,
                defaults={
                    "joined_at": now - timedelta(days=20, hours=number),
                    "removed_at": None,
                },
            )
            students.append(student)
        return students


def _profile(index: int, rng: random.Random) -> dict:
    """How a student works. The last students are the ones who need help: they fail
    repeatedly, or they leave the past-due unit undone."""
    number = index + 1
    if number >= 28:  # struggling: several low attempts
        return {
            "ability": rng.uniform(0.1, 0.3),
            "growth": 0.03,
            "diligence": 0.95,
            "persistence": 3,
        }
    if number >= 25:  # fell behind: nothing done on the overdue unit
        return {"ability": rng.uniform(0.5, 0.7), "growth": 0.1, "diligence": 0.0, "persistence": 1}
    return {
        "ability": rng.uniform(0.55, 0.95),
        "growth": 0.12,
        "diligence": rng.uniform(0.8, 1.0),
        "persistence": rng.choice([2, 2, 3]),
    }


def _simulate(student, assignment, position, profile, rng, now: datetime) -> None:
    unit = assignment.unit
    due = assignment.due_at
    # How far along the class is: the past-due unit is done by most, the next by some.
    reach = [1.0, 0.6, 0.25][min(position, 2)]
    diligence = profile["diligence"] if position == 0 else profile["diligence"] * reach
    if position > 0 and profile["diligence"] == 0.0:
        diligence = reach  # the student who skipped the old unit works on the current one
    if rng.random() > diligence:
        if rng.random() < 0.3:
            _read(student, unit, now - timedelta(days=1, hours=rng.randint(0, 20)), done=False)
        return
    start = min(now - timedelta(hours=6), due - timedelta(days=4)) - timedelta(
        hours=rng.randint(0, 48)
    )
    finished_reading = position == 0 or rng.random() < 0.8
    _read(student, unit, start, done=finished_reading)
    if not finished_reading or (position > 0 and rng.random() > reach + 0.2):
        return
    items = list(Item.objects.for_unit(unit).prefetch_related("choices"))
    # Each item is as hard for everyone, the same on every run.
    difficulty = {
        item.pk: random.Random(f"{SEED}-{item.key}").uniform(-0.25, 0.15) for item in items
    }
    when = start + timedelta(hours=2)
    assigned = PRACTICE
    persistence = profile["persistence"]
    if assignment.policy is not None:
        assigned = AssignedPolicy(policy=assignment.policy, due_at=due)
        persistence = min(persistence, assignment.policy.attempts_allowed)
    for number in range(persistence):
        attempt = start_or_resume_attempt(
            student, unit, assigned=assigned, now=when, seed=rng.randrange(1, 2**31 - 1)
        )
        # A graded attempt draws its items from the bank: answer those.
        asked = [item for item in items if item.pk in attempt.item_ids]
        skill = profile["ability"] + profile["growth"] * number
        last = number == persistence - 1
        # Now and then the newest attempt is left half done: "quiz in progress".
        stop_after = len(asked) // 2 if last and position > 0 and rng.random() < 0.25 else None
        for count, item in enumerate(asked):
            if stop_after is not None and count >= stop_after:
                break
            right = rng.random() < min(0.97, max(0.05, skill + difficulty[item.pk]))
            record_answer(
                attempt=attempt, item=item, answer=likely_answer(item, right=right, rng=rng)
            )
        if stop_after is None:
            finish_attempt(attempt=attempt)
        _backdate(attempt, when, finished=stop_after is None)
        attempt.refresh_from_db()
        if stop_after is not None or attempt.is_mastery:
            break
        when += timedelta(hours=rng.randint(5, 30))


def _words_met(units) -> tuple[list, list]:
    """(headword, passage, term) for ``units``' dictionary words of two or more characters, each
    with the first passage it appears in: the glossary's terms, then other words of three or
    more characters."""
    term_of = {
        word.headword: word.term
        for word in Word.objects.filter(
            by_character=False, headword__regex=r"^.{2,}$"
        ).select_related("term")
    }
    met = {}
    passages = (
        Passage.objects.current()
        .filter(unit__in=units)
        .select_related("unit")
        .order_by("unit__order", "order")
    )
    for passage in passages:
        for headword, *_readings in passage.words.get("zh-hant", []):
            if headword in term_of:
                met.setdefault(headword, passage)
    terms = [(word, passage, term_of[word]) for word, passage in met.items() if term_of[word]]
    others = [
        (word, passage, None)
        for word, passage in met.items()
        if term_of[word] is None and len(word) > 2
    ]
    return terms, others


def _save_and_review_words(student, words_met, rng, now: datetime) -> None:
    """Most students save a few words over the past fortnight and review some of them, so My
    words, the due count and the class's most-saved words show something: mostly the
    glossary's terms (what a class finds hard), a few other long words."""
    terms, others = words_met
    if not terms or rng.random() < 0.2:
        return
    chosen = rng.sample(terms, min(len(terms), rng.randint(1, 4)))
    chosen += rng.sample(others, min(len(others), rng.randint(0, 2)))
    for headword, (passage, term) in {word: rest for word, *rest in chosen}.items():
        saved_at = now - timedelta(days=rng.randint(3, 14), hours=rng.randint(0, 8))
        saved, _created = do_save_word(
            student=student, headword=headword, passage=passage, term=term, now=saved_at
        )
        for card in saved.cards.order_by("direction"):
            reviewed_at = saved_at
            for _review in range(rng.randint(0, 3)):
                reviewed_at += timedelta(days=rng.randint(1, 3))
                if reviewed_at >= now:
                    break
                rating = rng.choices([1, 2, 3, 4], weights=[2, 2, 5, 1])[0]
                card = do_review_card(
                    card=card, showing=card.review_count, rating=rating, now=reviewed_at
                ).card


def _read(student, unit, opened_at, *, done: bool) -> None:
    ReadingProgress.objects.update_or_create(
        user=student,
        unit=unit,
        defaults={
            "opened_at": opened_at,
            "read_at": opened_at + timedelta(minutes=35) if done else None,
        },
    )


def _backdate(attempt, started_at, *, finished: bool) -> None:
    """Answers take about a minute each; the attempt ends with its last answer."""
    responses = list(Response.objects.filter(attempt=attempt).order_by("pk"))
    moment = started_at
    for index, response in enumerate(responses):
        moment += timedelta(seconds=40 + (index * 37) % 80)
        response.answered_at = moment
    Response.objects.bulk_update(responses, ["answered_at"])
    Attempt.objects.filter(pk=attempt.pk).update(
        started_at=started_at, finished_at=moment + timedelta(seconds=20) if finished else None
    )
