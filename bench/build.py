"""The benchmark's data, built through the app's own models.

``build_class`` makes the large class once: an instructor, 300 students, 8 assigned units, the
students' reading and every item of those units answered over 1–3 finished attempts (about
150,000 responses). Answers are graded by ``quizzes.grading.grade_answer``, the function the
quiz itself uses, and each attempt's ``points``, ``item_count``, ``answered_count`` and
``finished_at`` agree with its responses, as ``quizzes.services.record_answer`` leaves them.

``prepare_answer_load`` runs before every measurement: separate load students (outside the
class, so the class pages do not change while answers are posted) get fresh open attempts, and
every (attempt, item) pair becomes one line of the POST list that wrk replays, so each request
stores a new answer.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import timedelta
from importlib import import_module
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.db.models import Count, Q, Sum
from django.middleware.csrf import _get_new_csrf_string, _mask_cipher_secret
from django.urls import reverse
from django.utils import timezone

from classroom.models import INSTRUCTORS_GROUP, Assignment, Enrollment, SchoolClass
from courseware.course_file import load
from courseware.models import ReadingProgress, Unit
from quizzes.grading import grade_answer
from quizzes.models import Attempt, Item, Response
from quizzes.presentation import form_fields
from quizzes.samples import likely_answer

from .course import bench_course

SEED = 20260306
CLASS_NAME = "Benchmark class"
TEACHER = "bench-teacher"
STUDENT_PREFIX = "bench-s"
LOAD_PREFIX = "bench-load-"
PASSWORD = "bench-Password-2026"
BATCH = 5000
FAMILY = "陳林黃張李王吳劉蔡楊許鄭謝郭洪曾邱廖賴周葉蘇莊呂江何羅高潘簡"
GIVEN = "怡君冠宇詩涵家豪佳穎柏翰宜蓁承恩欣妤子睿雅婷宇軒心怡品妍建宏郁晴志明婉婷俊傑芷若"


@dataclass
class Sessions:
    """Signed-in sessions made the way ``django.contrib.auth.login`` makes them, and one CSRF
    secret: the cookie holds it, the X-CSRFToken header a masked copy, as htmx sends."""

    csrf_secret: str
    csrf_token: str

    @classmethod
    def new(cls) -> Sessions:
        secret = _get_new_csrf_string()
        return cls(secret, _mask_cipher_secret(secret))

    def session_for(self, user) -> str:
        store = import_module(settings.SESSION_ENGINE).SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.save()
        return store.session_key

    def cookie(self, session_key: str) -> str:
        return (
            f"{settings.SESSION_COOKIE_NAME}={session_key}; "
            f"{settings.CSRF_COOKIE_NAME}={self.csrf_secret}"
        )


def _name(number: int) -> str:
    family = FAMILY[number % len(FAMILY)]
    given = GIVEN[(number * 2) % len(GIVEN) : (number * 2) % len(GIVEN) + 2]
    return f"{family}{given}"


# ---------------------------------------------------------------------------------------
# The large class


def _users(prefix: str, count: int, password: str, start: int = 1) -> list:
    User = get_user_model()
    names = [f"{prefix}{number:03d}" for number in range(start, start + count)]
    existing = set(User.objects.filter(username__in=names).values_list("username", flat=True))
    User.objects.bulk_create(
        [
            User(username=name, first_name=_name(number), password=password)
            for number, name in enumerate(names, start=start)
            if name not in existing
        ],
        batch_size=BATCH,
    )
    return list(User.objects.filter(username__in=names).order_by("username"))


def _load_course(*, units: int, items_per_unit: int) -> tuple[list[Unit], str]:
    data, origin = bench_course(units=units, items_per_unit=items_per_unit)
    load(data)
    assigned = list(
        Unit.objects.in_reading_order()
        .annotate(item_total=Count("items", filter=Q(items__archived=False)))
        .filter(item_total__gt=0)[:units]
    )
    return assigned, origin


def setup_class(*, units: int, items_per_unit: int, log) -> BenchClass:
    """Load the course, make the instructor, the (empty) class and its assignments."""
    assigned, origin = _load_course(units=units, items_per_unit=items_per_unit)
    log(f"course: {origin}")
    if len(assigned) < units:
        raise SystemExit(f"only {len(assigned)} units have quiz items; {units} are needed")
    now = timezone.now().replace(second=0, microsecond=0)
    User = get_user_model()
    with transaction.atomic():
        teacher, _created = User.objects.get_or_create(
            username=TEACHER,
            defaults={"first_name": "基準老師", "password": make_password(PASSWORD)},
        )
        teacher.groups.add(Group.objects.get_or_create(name=INSTRUCTORS_GROUP)[0])
        school_class, _created = SchoolClass.objects.get_or_create(
            instructor=teacher, name=CLASS_NAME, defaults={"term": "2026 春季"}
        )
        # Five units already due, three still open: the grid shows overdue work.
        for position, unit in enumerate(assigned):
            Assignment.objects.update_or_create(
                school_class=school_class,
                unit=unit,
                defaults={"due_at": now + timedelta(days=7 * (position - 4))},
            )
    return BenchClass(school_class, teacher, assigned, None, origin)


def build_class(*, students: int, units: int, items_per_unit: int, log) -> dict:
    """Load the course and build the large class; return what was built."""
    bench = setup_class(units=units, items_per_unit=items_per_unit, log=log)
    built = add_students(bench, students, log=log)
    return {**built, "origin": bench.origin}


def _answer_pool(item, rng: random.Random) -> tuple[list, list]:
    """A few right and wrong answers to the item, each as (JSON text, score, is_correct),
    graded by ``quizzes.grading.grade_answer`` as the quiz grades them."""
    pools = ([], [])
    for right, pool in ((True, pools[0]), (False, pools[1])):
        seen = set()
        for _ in range(1 if right else 8):
            answer = likely_answer(item, right=right, rng=rng)
            text = json.dumps(answer, ensure_ascii=False, sort_keys=True)
            if text in seen:
                continue
            seen.add(text)
            grade = grade_answer(item.kind, item.choices.all(), answer)
            pool.append((text, float(grade.score), grade.is_correct))
    return pools


def _next_id(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # noqa: S608 (our names)
        return cursor.fetchone()[0] + 1


def _write(table: str, columns: list[str], rows: list[tuple]) -> None:
    """Rows into a table: PostgreSQL's COPY, or executemany elsewhere (SQLite)."""
    if not rows:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            names = ", ".join(columns)
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",  # noqa: S608
                rows,
            )


def _reset_sequences(tables: list[str]) -> None:
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
            )


def add_students(bench: BenchClass, count: int, *, log) -> dict:
    """``count`` more students in the class, each with reading progress on every assigned unit
    and 1–3 finished attempts per unit answering every item (~500 answers a student).

    Written as raw rows (COPY on PostgreSQL): a 3,000-student class is 1.5 million answers.
    The rows are what the app would have written: answers graded by ``grade_answer``, each
    attempt's ``points`` the sum of its answers' scores and ``answered_count`` their number.
    Students already in the class keep their work, so a class can grow size by size.
    """
    User = get_user_model()
    school_class, assigned = bench.school_class, bench.units
    start = Enrollment.objects.filter(school_class=school_class).count() + 1
    rng = random.Random(f"{SEED}-{start}")
    now = timezone.now().replace(second=0, microsecond=0)
    password = make_password(PASSWORD)
    items = {
        unit.pk: list(Item.objects.for_unit(unit).prefetch_related("choices")) for unit in assigned
    }
    pool_rng = random.Random(SEED)
    pools = {
        item.pk: _answer_pool(item, pool_rng)
        for unit_items in items.values()
        for item in unit_items
    }
    item_ids_json = {
        pk: json.dumps([item.pk for item in unit_items]) for pk, unit_items in items.items()
    }
    # Every item is as hard for everyone: between 25 points easier and 25 harder.
    difficulty = {
        item.pk: random.Random(f"{SEED}-{item.key}").uniform(-0.25, 0.25)
        for unit_items in items.values()
        for item in unit_items
    }
    user_id = _next_id(User._meta.db_table)
    attempt_id = _next_id(Attempt._meta.db_table)
    users, enrollments, reading, attempts, responses = [], [], [], [], []
    joined = now - timedelta(60)
    for number in range(start, start + count):
        users.append(
            (
                user_id,
                password,
                False,
                f"{STUDENT_PREFIX}{number:04d}",
                _name(number),
                "",
                "",
                False,
                True,
                joined,
            )
        )
        enrollments.append((school_class.pk, user_id, joined))
        ability = min(0.95, max(0.25, rng.gauss(0.62, 0.15)))
        for position, unit in enumerate(assigned):
            opened = now - timedelta(days=7 * (8 - position), hours=rng.randint(0, 96))
            reading.append((user_id, unit.pk, opened, opened + timedelta(minutes=40)))
            started = opened + timedelta(hours=2)
            unit_items = items[unit.pk]
            for attempt_number in range(rng.randint(1, 3)):
                skill = ability + 0.1 * attempt_number
                moment, points = started, 0.0
                for index, item in enumerate(unit_items):
                    right = rng.random() < min(0.97, max(0.05, skill + difficulty[item.pk]))
                    pool = pools[item.pk][0 if right else 1] or pools[item.pk][0]
                    text, score, correct = pool[rng.randrange(len(pool))]
                    moment += timedelta(seconds=40 + (index * 37) % 80)
                    points += score
                    responses.append((attempt_id, item.pk, text, score, correct, moment))
                attempts.append(
                    (
                        attempt_id,
                        user_id,
                        unit.pk,
                        False,
                        item_ids_json[unit.pk],
                        rng.randrange(1, 2**31 - 1),
                        started,
                        moment + timedelta(seconds=20),
                        len(unit_items),
                        len(unit_items),
                        points,
                    )
                )
                attempt_id += 1
                started += timedelta(hours=rng.randint(6, 48))
        user_id += 1
    with transaction.atomic():
        _write(
            User._meta.db_table,
            [
                "id",
                "password",
                "is_superuser",
                "username",
                "first_name",
                "last_name",
                "email",
                "is_staff",
                "is_active",
                "date_joined",
            ],
            users,
        )
        _write(
            Enrollment._meta.db_table, ["school_class_id", "student_id", "joined_at"], enrollments
        )
        _write(
            ReadingProgress._meta.db_table, ["user_id", "unit_id", "opened_at", "read_at"], reading
        )
        _write(
            Attempt._meta.db_table,
            [
                "id",
                "student_id",
                "unit_id",
                "is_practice",
                "item_ids",
                "seed",
                "started_at",
                "finished_at",
                "item_count",
                "answered_count",
                "points",
            ],
            attempts,
        )
        _write(
            Response._meta.db_table,
            ["attempt_id", "item_id", "answer", "score", "is_correct", "answered_at"],
            responses,
        )
        _reset_sequences([User._meta.db_table, Attempt._meta.db_table])
    analyse()
    log(
        f"class: +{count} students (now {start + count - 1}), +{len(attempts)} attempts, "
        f"+{len(responses)} responses"
    )
    return {"attempts": len(attempts), "responses": len(responses)}


def analyse() -> None:
    """Fresh planner statistics, as autovacuum would have them in production."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


@dataclass
class BenchClass:
    school_class: SchoolClass
    teacher: object
    units: list[Unit]
    reader: object
    origin: str = ""

    @property
    def analysis_unit(self) -> Unit:
        return self.units[0]


def find_class() -> BenchClass:
    """The class ``build_class`` made (for --skip-build)."""
    User = get_user_model()
    teacher = User.objects.get(username=TEACHER)
    school_class = SchoolClass.objects.get(instructor=teacher, name=CLASS_NAME)
    units = [assignment.unit for assignment in Assignment.objects.for_class(school_class)]
    units.sort(key=lambda unit: unit.order)
    reader = (
        Enrollment.objects.in_class(school_class).select_related("student").by_name().first()
    ).student
    return BenchClass(school_class, teacher, units, reader)


# ---------------------------------------------------------------------------------------
# Fresh open attempts for the answer POSTs


@dataclass
class AnswerPost:
    path: str
    body: str
    cookie: str
    attempt_id: int
    item_id: int

    @property
    def list_line(self) -> str:
        """Its line in the list bench/answer.lua reads: path, body and cookie, tab-separated."""
        return f"{self.path}\t{self.body}\t{self.cookie}\n"


def prepare_answer_load(
    bench: BenchClass, sessions: Sessions, *, pairs: int, log
) -> list[AnswerPost]:
    """At least ``pairs`` unanswered (attempt, item) pairs, interleaved so that consecutive
    requests go to different students, as in a classroom where everyone answers at once."""
    rng = random.Random(SEED + 1)
    units = bench.units
    items = {
        unit.pk: list(Item.objects.for_unit(unit).prefetch_related("choices")) for unit in units
    }
    per_student = sum(len(unit_items) for unit_items in items.values())
    count = max(1, -(-pairs // per_student))
    loaders = _users(LOAD_PREFIX, count, make_password(PASSWORD))
    # Earlier runs' answers go: every pair is unanswered again.
    Attempt.objects.filter(student__username__startswith=LOAD_PREFIX).delete()
    attempts = Attempt.objects.bulk_create(
        [
            Attempt(
                student=student,
                unit=unit,
                item_ids=[item.pk for item in items[unit.pk]],
                item_count=len(items[unit.pk]),
                seed=rng.randrange(1, 2**31 - 1),
            )
            for student in loaders
            for unit in units
        ]
    )
    cookies = {student.pk: sessions.cookie(sessions.session_for(student)) for student in loaders}
    queues = [(attempt, items[attempt.unit_id]) for attempt in attempts]
    posts = []
    for index in range(max(len(unit_items) for unit_items in items.values())):
        for attempt, unit_items in queues:
            if index >= len(unit_items):
                continue
            item = unit_items[index]
            answer = likely_answer(item, right=rng.random() < 0.7, rng=rng)
            posts.append(
                AnswerPost(
                    path=reverse(
                        "quizzes:answer", kwargs={"attempt_id": attempt.pk, "item_id": item.pk}
                    ),
                    body=urlencode(form_fields(attempt, item, answer), doseq=True),
                    cookie=cookies[attempt.student_id],
                    attempt_id=attempt.pk,
                    item_id=item.pk,
                )
            )
    analyse()
    log(
        f"answer load: {len(loaders)} load students, {len(attempts)} open attempts, "
        f"{len(posts)} unanswered (attempt, item) pairs"
    )
    return posts


def unanswer(posts: list[AnswerPost]) -> int:
    """Take back the answers of these (attempt, item) pairs, the attempts' totals with them (an
    attempt their answers finished is open again), so that the same POSTs can be sent again
    (the callgrind runs, bench/instructions.py). Returns how many answers it took back."""
    pairs = Q()
    for post in posts:
        pairs |= Q(attempt_id=post.attempt_id, item_id=post.item_id)
    with transaction.atomic():
        _deleted, by_model = Response.objects.filter(pairs).delete()
        attempts = Attempt.objects.filter(pk__in={post.attempt_id for post in posts}).annotate(
            n=Count("responses"), total=Sum("responses__score")
        )
        for attempt in attempts:
            attempt.answered_count, attempt.points = attempt.n, attempt.total or 0.0
            if attempt.answered_count < attempt.item_count:
                attempt.finished_at = None
            attempt.save(update_fields=["answered_count", "points", "finished_at"])
    return by_model.get(Response._meta.label, 0)


def load_answers_stored() -> int:
    return Response.objects.filter(attempt__student__username__startswith=LOAD_PREFIX).count()


def check_load_attempts() -> list[str]:
    """Every load attempt's points and counts equal its responses' (what record_answer keeps)."""
    faults = []
    rows = (
        Attempt.objects.filter(student__username__startswith=LOAD_PREFIX)
        .annotate(n=Count("responses"), total=Sum("responses__score"))
        .values_list("pk", "points", "answered_count", "n", "total")
    )
    for pk, points, answered, n, total in rows:
        if answered != n or abs(points - (total or 0.0)) > 1e-6:
            faults.append(f"attempt {pk}: points {points} / {total}, answered {answered} / {n}")
    return faults
