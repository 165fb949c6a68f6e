"""Checking a class file against itself and against this database before anything is written.

Every fault is named by where it is (``attempts[3].responses[0].item: unknown item
“intro-q9”``). A file fits this database when every unit and item it names exists here and
its join code does not. Its users may exist already (a second class that shares an
instructor or students): they are matched by username, never changed, and never an
administrator or, unless they already are one, an instructor.

Version 2 (``vnbop-class/2``) adds the quiz rules: ``policies`` (each graded quiz's rules,
named by a key that assignments and attempts refer to), ``extensions`` (a student's own due
date and extra attempts), an attempt's rules and own due date, and an answer's regrade
record. A version 1 file has none of these and imports as it always did: practice quizzes.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from courseware.file_checks import Faults, FileFaults, read_json_file, shown
from courseware.models import Unit
from quizzes.models import Attempt, Item, QuizPolicy

from ..models import FIRST_YEAR, LAST_YEAR, SchoolClass, is_instructor

FORMAT = "vnbop-class/2"
# Every version this importer reads; a file names its own.
VERSIONS = {"vnbop-class/1": 1, FORMAT: 2}
TOP_FIELDS = {"format", "class", "users", "enrollments", "assignments", "attempts"}
POLICY_FIELDS = {"key", "attempts_allowed", "grading_method", "review_moment", "show_correctness"}
EXTENSION_FIELDS = {"student", "unit", "due_at", "extra_attempts"}
ASSIGNMENT_FIELDS = {"unit", "due_at", "visible_from", "note", "created_at"}
RESPONSE_FIELDS = {"item", "answer", "score", "is_correct", "answered_at"}
# What version 2 adds, where.
V2_FIELDS = {
    "file": {"policies", "extensions"},
    "assignment": {"policy"},
    "attempt": {"policy", "due_at"},
    "response": {"score_before_regrade", "regraded_at"},
}
MAX_SEED = 2**31 - 1
USER_FIELDS = {
    "username",
    "first_name",
    "last_name",
    "email",
    "password",
    "is_active",
    "instructor",
    "date_joined",
    "last_login",
}
ATTEMPT_FIELDS = {
    "student",
    "unit",
    "is_practice",
    "items",
    "seed",
    "started_at",
    "finished_at",
    "item_count",
    "answered_count",
    "points",
    "responses",
}


class ClassFileError(FileFaults):
    """The class file cannot be imported; ``errors`` name every fault and where it is."""


class Reader(Faults):
    """Walks the file, collecting faults; the helpers return cleaned values (or None)."""

    # The file's format version: which fields it has.
    version: int = 2

    def has(self, what: str) -> set[str]:
        """The fields that the file's version adds to ``what``."""
        return V2_FIELDS[what] if self.version >= 2 else set()

    def entries(self, value: Any, where: str, required: set[str]):
        """(where, entry) for each element of a list that is an object with these fields."""
        for index, entry in enumerate(self.items_of(value, where, optional=False)):
            here = f"{where}[{index}]"
            if self.fields(entry, here, required=required, complete=True):
                yield here, entry

    def once(self, key: Any, seen: set, where: str, message: str) -> None:
        """A fault when ``key`` was seen before in the same list."""
        if key in seen:
            self.error(where, message)
        seen.add(key)

    def string(self, value: Any, where: str, *, max_length: int, blank: bool = True):
        return value if self.text(value, where, max_length=max_length, blank=blank) else None

    def answer(self, value: Any, where: str) -> Any:
        return value if self.storable_json(value, where) else None

    def flag(self, value: Any, where: str) -> bool | None:
        if not isinstance(value, bool):
            self.error(where, _("expected true or false"))
            return None
        return value

    def number(self, value: Any, where: str, *, low: int, high: int, whole: bool = False):
        kinds = (int,) if whole else (int, float)
        if isinstance(value, bool) or not isinstance(value, kinds) or value != value:
            self.error(where, _("expected a whole number") if whole else _("expected a number"))
            return None
        if not low <= value <= high:
            self.error(where, _("out of range (%(low)s to %(high)s)") % {"low": low, "high": high})
            return None
        return value

    def choice(self, value: Any, where: str, choices) -> str | None:
        """One of a field's choices (``TextChoices``), by its stored value."""
        if not isinstance(value, str) or value not in choices.values:
            self.error(
                where, _("must be one of %(choices)s") % {"choices": ", ".join(choices.values)}
            )
            return None
        return value

    def moment(
        self, value: Any, where: str, *, optional: bool = False, course_date: bool = False
    ) -> datetime | None:
        """``course_date``: a date an instructor sets, within the years a course is taught
        (as ``classroom.models.validate_course_date``)."""
        if value is None and optional:
            return None
        parsed = None
        if isinstance(value, str):
            try:
                parsed = parse_datetime(value)
            except ValueError:
                parsed = None
        if parsed is None or timezone.is_naive(parsed):
            self.error(where, _("expected a date and time with its time zone (ISO 8601)"))
            return None
        if course_date and not FIRST_YEAR <= parsed.year <= LAST_YEAR:
            self.error(
                where,
                _("Choose a date between the years %(first)s and %(last)s.")
                % {"first": FIRST_YEAR, "last": LAST_YEAR},
            )
            return None
        return parsed

    def reference(self, value: Any, where: str, known: dict, message: str):
        """A user, unit or item named by its key; ``message`` names what was unknown."""
        if not isinstance(value, str) or value not in known:
            self.error(where, message % {"key": shown(value)})
            return None
        return known[value]


def read_class_file(path: str | Path) -> dict:
    """Read and check the whole file; return it cleaned, or raise ClassFileError."""
    return check_class_file(read_json_file(path, ClassFileError))


def check_class_file(data: Any) -> dict:
    """Check the whole file against itself and this database; return it cleaned."""
    r = Reader()
    # The fields a file must have depend on its version; an unknown one is read as current.
    version = VERSIONS.get(data.get("format")) if isinstance(data, dict) else None
    r.version = version or VERSIONS[FORMAT]
    top = TOP_FIELDS | r.has("file")
    if not r.fields(data, "file", required=top, optional={"reading"}, complete=True):
        raise ClassFileError(r.errors)
    if version is None:
        r.error("format", _("expected “%(format)s”") % {"format": FORMAT})

    users = _read_users(r, data["users"])
    usernames = {name: name for name in users}
    units = {unit.slug: unit for unit in Unit.objects.all()}
    items = {item.key: item for item in Item.objects.all()}
    refs = {
        "user": lambda value, where: r.reference(
            value, where, usernames, _("unknown user “%(key)s”")
        ),
        "unit": lambda value, where: r.reference(value, where, units, _("unknown unit “%(key)s”")),
        "item": lambda value, where: r.reference(value, where, items, _("unknown item “%(key)s”")),
    }
    policies = _read_policies(r, data.get("policies", []))
    known_policies = {key: key for key in policies}
    refs["policy"] = lambda value, where: (
        None
        if value is None
        else r.reference(value, where, known_policies, _("unknown quiz rules “%(key)s”"))
    )
    cleaned = {
        "users": users,
        "class": _read_class(r, data["class"], users, refs),
        "enrollments": _read_enrollments(r, data["enrollments"], refs),
        "policies": policies,
        "assignments": _read_assignments(r, data["assignments"], refs),
        "reading": _read_reading(r, data.get("reading", []), refs),
        "attempts": _read_attempts(r, data["attempts"], refs),
    }
    cleaned["extensions"] = _read_extensions(r, data.get("extensions", []), refs, cleaned)
    _check_fits_this_database(r, cleaned)
    if r.errors:
        raise ClassFileError(r.errors)
    return cleaned


def _read_users(r: Reader, value: Any) -> dict[str, dict]:
    users: dict[str, dict] = {}
    for where, entry in r.entries(value, "users", USER_FIELDS):
        username = r.string(entry["username"], f"{where}.username", max_length=150, blank=False)
        if username is None:
            continue
        if username.casefold() in {name.casefold() for name in users}:
            r.error(f"{where}.username", _("“%(name)s” appears twice") % {"name": shown(username)})
            continue
        users[username] = {
            "username": username,
            "first_name": r.string(entry["first_name"], f"{where}.first_name", max_length=150),
            "last_name": r.string(entry["last_name"], f"{where}.last_name", max_length=150),
            "email": r.string(entry["email"], f"{where}.email", max_length=254),
            "password": r.string(entry["password"], f"{where}.password", max_length=128),
            "is_active": r.flag(entry["is_active"], f"{where}.is_active"),
            "instructor": r.flag(entry["instructor"], f"{where}.instructor"),
            "date_joined": r.moment(entry["date_joined"], f"{where}.date_joined"),
            "last_login": r.moment(entry["last_login"], f"{where}.last_login", optional=True),
            "where": where,
        }
    return users


def _read_class(r: Reader, value: Any, users: dict, refs: dict) -> dict:
    fields = {"name", "term", "join_code", "created_at", "instructor"}
    if not r.fields(value, "class", required=fields, complete=True):
        return {}
    instructor = refs["user"](value["instructor"], "class.instructor")
    if instructor in users and users[instructor]["instructor"] is False:
        r.error(
            "class.instructor",
            _("“%(name)s” is not marked as an instructor") % {"name": shown(instructor)},
        )
    return {
        "name": r.string(value["name"], "class.name", max_length=120, blank=False),
        "term": r.string(value["term"], "class.term", max_length=60),
        "join_code": r.string(value["join_code"], "class.join_code", max_length=16, blank=False),
        "created_at": r.moment(value["created_at"], "class.created_at"),
        "instructor": instructor,
    }


def _read_enrollments(r: Reader, value: Any, refs: dict) -> list[dict]:
    enrollments, enrolled = [], set()
    for where, entry in r.entries(value, "enrollments", {"student", "joined_at", "removed_at"}):
        student = refs["user"](entry["student"], f"{where}.student")
        message = _("“%(name)s” is enrolled twice") % {"name": student}
        r.once(student, enrolled, f"{where}.student", message)
        enrollments.append(
            {
                "student": student,
                "joined_at": r.moment(entry["joined_at"], f"{where}.joined_at"),
                "removed_at": r.moment(entry["removed_at"], f"{where}.removed_at", optional=True),
            }
        )
    return enrollments


def _read_policies(r: Reader, value: Any) -> dict[str, dict]:
    """``{key: QuizPolicy field values}``: the rules of the graded quizzes the file names."""
    policies: dict[str, dict] = {}
    for where, entry in r.entries(value, "policies", POLICY_FIELDS):
        key = r.string(entry["key"], f"{where}.key", max_length=200, blank=False)
        if key is not None and key in policies:
            r.error(f"{where}.key", _("“%(name)s” appears twice") % {"name": shown(key)})
            key = None
        attempts = {"low": QuizPolicy.MIN_ATTEMPTS, "high": QuizPolicy.MAX_ATTEMPTS, "whole": True}
        values = {
            "attempts_allowed": r.number(
                entry["attempts_allowed"], f"{where}.attempts_allowed", **attempts
            ),
            "grading_method": r.choice(
                entry["grading_method"], f"{where}.grading_method", QuizPolicy.GradingMethod
            ),
            "review_moment": r.choice(
                entry["review_moment"], f"{where}.review_moment", QuizPolicy.ReviewMoment
            ),
            "show_correctness": r.flag(entry["show_correctness"], f"{where}.show_correctness"),
        }
        if key is not None:
            policies[key] = values
    return policies


def _read_extensions(r: Reader, value: Any, refs: dict, cleaned: dict) -> list[dict]:
    """A student's own terms on one of the class's assignments."""
    enrolled = {entry["student"] for entry in cleaned["enrollments"]}
    assigned = {entry["unit"].slug for entry in cleaned["assignments"] if entry["unit"]}
    extensions, extended = [], set()
    for where, entry in r.entries(value, "extensions", EXTENSION_FIELDS):
        student = refs["user"](entry["student"], f"{where}.student")
        unit = refs["unit"](entry["unit"], f"{where}.unit")
        if student is not None and student not in enrolled:
            r.error(
                f"{where}.student",
                _("“%(name)s” is not enrolled in the class") % {"name": shown(student)},
            )
        if unit is not None and unit.slug not in assigned:
            r.error(
                f"{where}.unit",
                _("“%(slug)s” is not assigned in the class") % {"slug": unit.slug},
            )
        if unit is not None:
            r.once((student, unit.slug), extended, where, _("the same student and unit twice"))
        due_at = r.moment(entry["due_at"], f"{where}.due_at", optional=True, course_date=True)
        extra = r.number(
            entry["extra_attempts"],
            f"{where}.extra_attempts",
            low=0,
            high=QuizPolicy.MAX_ATTEMPTS,
            whole=True,
        )
        if entry["due_at"] is None and extra == 0:
            r.error(where, _("neither an own due date nor extra attempts"))
        extensions.append({"student": student, "unit": unit, "due_at": due_at, "extra": extra})
    return extensions


def _read_assignments(r: Reader, value: Any, refs: dict) -> list[dict]:
    assignments, assigned = [], set()
    fields = ASSIGNMENT_FIELDS | r.has("assignment")
    for where, entry in r.entries(value, "assignments", fields):
        unit = refs["unit"](entry["unit"], f"{where}.unit")
        if unit is not None:
            message = _("“%(slug)s” is assigned twice") % {"slug": unit.slug}
            r.once(unit.slug, assigned, f"{where}.unit", message)
        assignments.append(
            {
                "unit": unit,
                "due_at": r.moment(entry["due_at"], f"{where}.due_at", course_date=True),
                "visible_from": r.moment(
                    entry["visible_from"], f"{where}.visible_from", optional=True, course_date=True
                ),
                "note": r.string(entry["note"], f"{where}.note", max_length=10_000),
                "created_at": r.moment(entry["created_at"], f"{where}.created_at"),
                "policy": refs["policy"](entry.get("policy"), f"{where}.policy"),
            }
        )
    return assignments


def _read_reading(r: Reader, value: Any, refs: dict) -> list[dict]:
    reading, read_pairs = [], set()
    for where, entry in r.entries(value, "reading", {"student", "unit", "opened_at", "read_at"}):
        student = refs["user"](entry["student"], f"{where}.student")
        unit = refs["unit"](entry["unit"], f"{where}.unit")
        if unit is not None:
            message = _("the same student and unit twice")
            r.once((student, unit.slug), read_pairs, where, message)
        reading.append(
            {
                "student": student,
                "unit": unit,
                "opened_at": r.moment(entry["opened_at"], f"{where}.opened_at"),
                "read_at": r.moment(entry["read_at"], f"{where}.read_at", optional=True),
            }
        )
    return reading


def _read_attempts(r: Reader, value: Any, refs: dict) -> list[dict]:
    attempts, open_graded = [], set()
    for where, entry in r.entries(value, "attempts", ATTEMPT_FIELDS | r.has("attempt")):
        attempt = _read_attempt(r, entry, where, refs)
        if not attempt["is_practice"] and attempt["finished_at"] is None and attempt["unit"]:
            message = _("a second open graded attempt on the same unit")
            r.once((attempt["student"], attempt["unit"].slug), open_graded, where, message)
        attempts.append(attempt)
    return attempts


def _read_attempt(r: Reader, entry: dict, where: str, refs: dict) -> dict:
    attempt_items = []
    for index, key in enumerate(r.items_of(entry["items"], f"{where}.items", optional=False)):
        item = refs["item"](key, f"{where}.items[{index}]")
        if item is not None:
            attempt_items.append(item)
    keys = {item.key for item in attempt_items}
    responses, answered = [], set()
    fields = RESPONSE_FIELDS | r.has("response")
    for rwhere, response in r.entries(entry["responses"], f"{where}.responses", fields):
        item = refs["item"](response["item"], f"{rwhere}.item")
        if item is not None and item.key not in keys:
            r.error(
                f"{rwhere}.item",
                _("“%(key)s” is not one of the attempt's items") % {"key": item.key},
            )
        if item is not None:
            message = _("“%(key)s” is answered twice") % {"key": item.key}
            r.once(item.key, answered, f"{rwhere}.item", message)
        responses.append(
            {
                "item": item,
                "answer": r.answer(response["answer"], f"{rwhere}.answer"),
                "score": r.number(response["score"], f"{rwhere}.score", low=0, high=1),
                "is_correct": r.flag(response["is_correct"], f"{rwhere}.is_correct"),
                "answered_at": r.moment(response["answered_at"], f"{rwhere}.answered_at"),
                **_read_regrade(r, response, rwhere),
            }
        )
    count = {"low": 0, "high": MAX_SEED, "whole": True}
    is_practice = r.flag(entry["is_practice"], f"{where}.is_practice")
    policy = refs["policy"](entry.get("policy"), f"{where}.policy")
    if is_practice and policy is not None:
        r.error(f"{where}.policy", _("a practice round is never under quiz rules"))
    return {
        "where": where,
        "student": refs["user"](entry["student"], f"{where}.student"),
        "unit": refs["unit"](entry["unit"], f"{where}.unit"),
        "is_practice": is_practice,
        "policy": policy,
        "due_at": r.moment(entry.get("due_at"), f"{where}.due_at", optional=True, course_date=True),
        "items": attempt_items,
        "seed": r.number(entry["seed"], f"{where}.seed", **count),
        "started_at": r.moment(entry["started_at"], f"{where}.started_at"),
        "finished_at": r.moment(entry["finished_at"], f"{where}.finished_at", optional=True),
        "item_count": r.number(entry["item_count"], f"{where}.item_count", **count),
        "answered_count": r.number(entry["answered_count"], f"{where}.answered_count", **count),
        "points": r.number(entry["points"], f"{where}.points", low=0, high=MAX_SEED),
        "responses": responses,
    }


def _read_regrade(r: Reader, response: dict, where: str) -> dict:
    """The first score of an answer regraded after a corrected key, and when: both or
    neither."""
    before = response.get("score_before_regrade")
    regraded_at = response.get("regraded_at")
    if (before is None) != (regraded_at is None):
        r.error(where, _("score_before_regrade and regraded_at go together"))
    return {
        "score_before_regrade": None
        if before is None
        else r.number(before, f"{where}.score_before_regrade", low=0, high=1),
        "regraded_at": r.moment(
            regraded_at, f"{where}.regraded_at", optional=True, course_date=True
        ),
    }


def _check_fits_this_database(r: Reader, cleaned: dict) -> None:
    """Existing users are matched (never an administrator, never made an instructor); the
    join code must be free; an attempt already here must be the same attempt."""
    User = get_user_model()
    existing = {}
    for username, fields in cleaned["users"].items():
        user = User.objects.filter(username__iexact=username).first()
        if user is None:
            continue
        where = f"{fields['where']}.username"
        if user.is_staff or user.is_superuser:
            r.error(
                where,
                _("“%(name)s” is an administrator here: a class file cannot add to that account")
                % {"name": shown(username)},
            )
        elif fields["instructor"] and not is_instructor(user):
            r.error(
                where,
                _("“%(name)s” exists here and is not an instructor: a class file cannot make one")
                % {"name": shown(username)},
            )
        existing[username] = user
    cleaned["existing_users"] = existing
    code = cleaned["class"].get("join_code")
    if code and SchoolClass.objects.filter(join_code=code).exists():
        r.error(
            "class.join_code",
            _("a class with the join code “%(code)s” already exists") % {"code": shown(code)},
        )
    for attempt in cleaned["attempts"]:
        _match_existing_attempt(r, attempt, existing)


def _match_existing_attempt(r: Reader, attempt: dict, existing: dict) -> None:
    """An attempt of an existing student is the same attempt when it started on the same unit
    at the same moment (two exports of classes that share the student both hold it)."""
    attempt["existing"] = None
    user = existing.get(attempt["student"])
    if user is None or attempt["unit"] is None or attempt["started_at"] is None:
        return
    mine = Attempt.objects.filter(student=user, unit=attempt["unit"])
    same = mine.filter(started_at=attempt["started_at"]).first()
    if same is not None:
        if same.item_ids != [item.pk for item in attempt["items"]]:
            r.error(
                attempt["where"],
                _("an attempt that started at the same moment here holds other items"),
            )
        attempt["existing"] = same
    elif (
        attempt["is_practice"] is False
        and attempt["finished_at"] is None
        and mine.filter(is_practice=False, finished_at__isnull=True).exists()
    ):
        r.error(
            attempt["where"],
            _("the student already has an open graded attempt on this unit here"),
        )
