"""Restore a class written by ``export_class`` into a database that has the course loaded.

The whole file is checked first, and every fault is named by where it is
(``attempts[3].responses[0].item: unknown item "intro-q9"``); nothing is written unless the
whole file is sound and fits this database: no username or join code of the file may exist
here already, and every unit and item it names must. Then users, the class, enrollments,
assignments, reading progress, attempts and responses are created in one transaction.
Imported users are never staff: the admin stays out of reach of a class file.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from classroom.models import (
    INSTRUCTORS_GROUP,
    Assignment,
    Enrollment,
    SchoolClass,
)
from courseware.models import ReadingProgress, Unit
from quizzes.models import Attempt, Item, Response

from .export_class import FORMAT

MAX_SEED = 2**31 - 1
# Valid in JSON (the escapes \u0000, \ud800) but storable in no database: PostgreSQL
# refuses NUL in text, and a lone surrogate cannot be encoded as UTF-8 at all.
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
UNSTORABLE_MESSAGE = "contains NUL or a lone surrogate, which cannot be stored"


def _strings_in(value: Any, found: list[str]) -> None:
    if isinstance(value, str):
        found.append(value)
    elif isinstance(value, list):
        for item in value:
            _strings_in(item, found)
    elif isinstance(value, dict):
        for key, item in value.items():
            found.append(key)
            _strings_in(item, found)


def shown(value: Any) -> str:
    """A value from the file, quoted for a one-line message: JSON escapes line breaks."""
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 80 else text[:77] + "…"


class ClassFileError(Exception):
    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("\n".join(errors))


class Reader:
    """Walks the file, collecting faults; the helpers return cleaned values (or None)."""

    def __init__(self):
        self.errors: list[str] = []

    def error(self, where: str, message: str) -> None:
        self.errors.append(f"{where}: {message}")

    def object(self, value: Any, where: str, required: set[str], optional=frozenset()) -> bool:
        if not isinstance(value, dict):
            self.error(where, "expected an object")
            return False
        for name in sorted(set(value) - required - set(optional)):
            self.error(where, f"unknown field {shown(name)}")
        for name in sorted(required - set(value)):
            self.error(where, f"missing field “{name}”")
        return not (required - set(value))

    def items_of(self, value: Any, where: str) -> list:
        if not isinstance(value, list):
            self.error(where, "expected a list")
            return []
        return value

    def text(self, value: Any, where: str, *, max_length: int, blank: bool = True) -> str | None:
        if not isinstance(value, str) or (not blank and not value.strip()):
            self.error(where, "expected text" if blank else "expected non-empty text")
            return None
        if len(value) > max_length:
            self.error(where, f"longer than {max_length} characters")
            return None
        if UNSTORABLE.search(value):
            self.error(where, UNSTORABLE_MESSAGE)
            return None
        return value

    def json_value(self, value: Any, where: str) -> Any:
        """Any JSON (an answer), as long as every string in it can be stored."""
        strings = []
        _strings_in(value, strings)
        if any(UNSTORABLE.search(text) for text in strings):
            self.error(where, UNSTORABLE_MESSAGE)
            return None
        return value

    def flag(self, value: Any, where: str) -> bool | None:
        if not isinstance(value, bool):
            self.error(where, "expected true or false")
            return None
        return value

    def number(self, value: Any, where: str, *, low=None, high=None, whole=False):
        kinds = (int,) if whole else (int, float)
        if isinstance(value, bool) or not isinstance(value, kinds) or value != value:
            self.error(where, "expected a whole number" if whole else "expected a number")
            return None
        if (low is not None and value < low) or (high is not None and value > high):
            self.error(where, f"out of range ({low} to {high})")
            return None
        return value

    def moment(self, value: Any, where: str, *, optional: bool = False) -> datetime | None:
        if value is None and optional:
            return None
        parsed = None
        if isinstance(value, str):
            try:
                parsed = parse_datetime(value)
            except ValueError:
                parsed = None
        if parsed is None or timezone.is_naive(parsed):
            self.error(where, "expected a date and time with its time zone (ISO 8601)")
            return None
        return parsed


def read_class_file(data: Any) -> dict:
    """Check the whole file against itself and this database; return it cleaned."""
    r = Reader()
    top = {"format", "class", "users", "enrollments", "assignments", "attempts"}
    if not r.object(data, "file", top, optional={"reading"}):
        raise ClassFileError(r.errors)
    if data["format"] != FORMAT:
        r.error("format", f"expected “{FORMAT}”")

    users = _read_users(r, data["users"])
    school_class = _read_class(r, data["class"], users)
    units = {unit.slug: unit for unit in Unit.objects.all()}
    items = {item.key: item for item in Item.objects.all()}

    enrollments, enrolled = [], set()
    for index, entry in enumerate(r.items_of(data["enrollments"], "enrollments")):
        where = f"enrollments[{index}]"
        if not r.object(entry, where, {"student", "joined_at", "removed_at"}):
            continue
        student = _user_ref(r, entry["student"], f"{where}.student", users)
        if student in enrolled:
            r.error(f"{where}.student", f"{shown(student)} is enrolled twice")
        enrolled.add(student)
        enrollments.append(
            {
                "student": student,
                "joined_at": r.moment(entry["joined_at"], f"{where}.joined_at"),
                "removed_at": r.moment(entry["removed_at"], f"{where}.removed_at", optional=True),
            }
        )

    assignments, assigned = [], set()
    for index, entry in enumerate(r.items_of(data["assignments"], "assignments")):
        where = f"assignments[{index}]"
        fields = {"unit", "due_at", "visible_from", "note", "created_at"}
        if not r.object(entry, where, fields):
            continue
        unit = _unit_ref(r, entry["unit"], f"{where}.unit", units)
        if unit is not None and unit.slug in assigned:
            r.error(f"{where}.unit", f"“{unit.slug}” is assigned twice")
        if unit is not None:
            assigned.add(unit.slug)
        assignments.append(
            {
                "unit": unit,
                "due_at": r.moment(entry["due_at"], f"{where}.due_at"),
                "visible_from": r.moment(
                    entry["visible_from"], f"{where}.visible_from", optional=True
                ),
                "note": r.text(entry["note"], f"{where}.note", max_length=10_000),
                "created_at": r.moment(entry["created_at"], f"{where}.created_at"),
            }
        )

    reading, read_pairs = [], set()
    for index, entry in enumerate(r.items_of(data.get("reading", []), "reading")):
        where = f"reading[{index}]"
        if not r.object(entry, where, {"student", "unit", "opened_at", "read_at"}):
            continue
        student = _user_ref(r, entry["student"], f"{where}.student", users)
        unit = _unit_ref(r, entry["unit"], f"{where}.unit", units)
        if unit is not None and (student, unit.slug) in read_pairs:
            r.error(where, "the same student and unit twice")
        if unit is not None:
            read_pairs.add((student, unit.slug))
        reading.append(
            {
                "student": student,
                "unit": unit,
                "opened_at": r.moment(entry["opened_at"], f"{where}.opened_at"),
                "read_at": r.moment(entry["read_at"], f"{where}.read_at", optional=True),
            }
        )

    attempts, open_graded = [], set()
    for index, entry in enumerate(r.items_of(data["attempts"], "attempts")):
        where = f"attempts[{index}]"
        attempt = _read_attempt(r, entry, where, users, units, items)
        if attempt is None:
            continue
        if not attempt["is_practice"] and attempt["finished_at"] is None and attempt["unit"]:
            key = (attempt["student"], attempt["unit"].slug)
            if key in open_graded:
                r.error(where, "a second open graded attempt on the same unit")
            open_graded.add(key)
        attempts.append(attempt)

    _check_fits_this_database(r, users, school_class)
    if r.errors:
        raise ClassFileError(r.errors)
    return {
        "users": users,
        "class": school_class,
        "enrollments": enrollments,
        "assignments": assignments,
        "reading": reading,
        "attempts": attempts,
    }


def _read_users(r: Reader, value: Any) -> dict[str, dict]:
    users: dict[str, dict] = {}
    fields = {
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
    for index, entry in enumerate(r.items_of(value, "users")):
        where = f"users[{index}]"
        if not r.object(entry, where, fields):
            continue
        username = r.text(entry["username"], f"{where}.username", max_length=150, blank=False)
        if username is None:
            continue
        if username.casefold() in {name.casefold() for name in users}:
            r.error(f"{where}.username", f"{shown(username)} appears twice")
            continue
        users[username] = {
            "username": username,
            "first_name": r.text(entry["first_name"], f"{where}.first_name", max_length=150),
            "last_name": r.text(entry["last_name"], f"{where}.last_name", max_length=150),
            "email": r.text(entry["email"], f"{where}.email", max_length=254),
            "password": r.text(entry["password"], f"{where}.password", max_length=128),
            "is_active": r.flag(entry["is_active"], f"{where}.is_active"),
            "instructor": r.flag(entry["instructor"], f"{where}.instructor"),
            "date_joined": r.moment(entry["date_joined"], f"{where}.date_joined"),
            "last_login": r.moment(entry["last_login"], f"{where}.last_login", optional=True),
        }
    return users


def _read_class(r: Reader, value: Any, users: dict) -> dict:
    fields = {"name", "term", "join_code", "created_at", "instructor"}
    if not r.object(value, "class", fields):
        return {}
    instructor = _user_ref(r, value["instructor"], "class.instructor", users)
    if instructor in users and users[instructor]["instructor"] is False:
        r.error("class.instructor", f"{shown(instructor)} is not marked as an instructor")
    return {
        "name": r.text(value["name"], "class.name", max_length=120, blank=False),
        "term": r.text(value["term"], "class.term", max_length=60),
        "join_code": r.text(value["join_code"], "class.join_code", max_length=16, blank=False),
        "created_at": r.moment(value["created_at"], "class.created_at"),
        "instructor": instructor,
    }


def _read_attempt(r, entry, where, users, units, items) -> dict | None:
    fields = {
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
    if not r.object(entry, where, fields):
        return None
    attempt_items = []
    for index, key in enumerate(r.items_of(entry["items"], f"{where}.items")):
        item = _item_ref(r, key, f"{where}.items[{index}]", items)
        if item is not None:
            attempt_items.append(item)
    keys = {item.key for item in attempt_items}
    responses, answered = [], set()
    for index, response in enumerate(r.items_of(entry["responses"], f"{where}.responses")):
        rwhere = f"{where}.responses[{index}]"
        if not r.object(response, rwhere, {"item", "answer", "score", "is_correct", "answered_at"}):
            continue
        item = _item_ref(r, response["item"], f"{rwhere}.item", items)
        if item is not None and item.key not in keys:
            r.error(f"{rwhere}.item", f"“{item.key}” is not one of the attempt's items")
        if item is not None and item.key in answered:
            r.error(f"{rwhere}.item", f"“{item.key}” is answered twice")
        if item is not None:
            answered.add(item.key)
        responses.append(
            {
                "item": item,
                "answer": r.json_value(response["answer"], f"{rwhere}.answer"),
                "score": r.number(response["score"], f"{rwhere}.score", low=0, high=1),
                "is_correct": r.flag(response["is_correct"], f"{rwhere}.is_correct"),
                "answered_at": r.moment(response["answered_at"], f"{rwhere}.answered_at"),
            }
        )
    return {
        "student": _user_ref(r, entry["student"], f"{where}.student", users),
        "unit": _unit_ref(r, entry["unit"], f"{where}.unit", units),
        "is_practice": r.flag(entry["is_practice"], f"{where}.is_practice"),
        "items": attempt_items,
        "seed": r.number(entry["seed"], f"{where}.seed", low=0, high=MAX_SEED, whole=True),
        "started_at": r.moment(entry["started_at"], f"{where}.started_at"),
        "finished_at": r.moment(entry["finished_at"], f"{where}.finished_at", optional=True),
        "item_count": r.number(
            entry["item_count"], f"{where}.item_count", low=0, high=MAX_SEED, whole=True
        ),
        "answered_count": r.number(
            entry["answered_count"], f"{where}.answered_count", low=0, high=MAX_SEED, whole=True
        ),
        "points": r.number(entry["points"], f"{where}.points", low=0, high=MAX_SEED),
        "responses": responses,
    }


def _user_ref(r: Reader, value: Any, where: str, users: dict) -> str | None:
    if not isinstance(value, str) or value not in users:
        r.error(where, f"unknown user {shown(value)}")
        return None
    return value


def _unit_ref(r: Reader, value: Any, where: str, units: dict) -> Unit | None:
    if not isinstance(value, str) or value not in units:
        r.error(where, f"unknown unit {shown(value)}")
        return None
    return units[value]


def _item_ref(r: Reader, value: Any, where: str, items: dict) -> Item | None:
    if not isinstance(value, str) or value not in items:
        r.error(where, f"unknown item {shown(value)}")
        return None
    return items[value]


def _check_fits_this_database(r: Reader, users: dict, school_class: dict) -> None:
    User = get_user_model()
    for username in users:
        if User.objects.filter(username__iexact=username).exists():
            r.error("users", f"{shown(username)} already exists in this database")
    code = school_class.get("join_code")
    if code and SchoolClass.objects.filter(join_code=code).exists():
        r.error("class.join_code", f"a class with the join code {shown(code)} already exists")


@transaction.atomic
def restore_class(data: dict) -> SchoolClass:
    User = get_user_model()
    people = {}
    instructors = Group.objects.get_or_create(name=INSTRUCTORS_GROUP)[0]
    for username, fields in data["users"].items():
        user = User(
            username=username,
            first_name=fields["first_name"],
            last_name=fields["last_name"],
            email=fields["email"],
            password=fields["password"],
            is_active=fields["is_active"],
            date_joined=fields["date_joined"],
            last_login=fields["last_login"],
        )
        user.save()
        if fields["instructor"]:
            user.groups.add(instructors)
        people[username] = user
    details = data["class"]
    school_class = SchoolClass.objects.create(
        name=details["name"],
        term=details["term"],
        join_code=details["join_code"],
        created_at=details["created_at"],
        instructor=people[details["instructor"]],
    )
    Enrollment.objects.bulk_create(
        Enrollment(
            school_class=school_class,
            student=people[entry["student"]],
            joined_at=entry["joined_at"],
            removed_at=entry["removed_at"],
        )
        for entry in data["enrollments"]
    )
    Assignment.objects.bulk_create(
        Assignment(school_class=school_class, **entry) for entry in data["assignments"]
    )
    ReadingProgress.objects.bulk_create(
        ReadingProgress(
            user=people[entry["student"]],
            unit=entry["unit"],
            opened_at=entry["opened_at"],
            read_at=entry["read_at"],
        )
        for entry in data["reading"]
    )
    for entry in data["attempts"]:
        attempt = Attempt.objects.create(
            student=people[entry["student"]],
            unit=entry["unit"],
            is_practice=entry["is_practice"],
            item_ids=[item.pk for item in entry["items"]],
            seed=entry["seed"],
            started_at=entry["started_at"],
            finished_at=entry["finished_at"],
            item_count=entry["item_count"],
            answered_count=entry["answered_count"],
            points=entry["points"],
        )
        Response.objects.bulk_create(
            Response(attempt=attempt, **response) for response in entry["responses"]
        )
    return school_class


class Command(BaseCommand):
    help = (
        "Restore a class written by export_class into this database (the course must be "
        "loaded; none of the file's users or its join code may exist here yet)."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="The JSON file export_class wrote.")

    def handle(self, *args, path, **options):
        try:
            raw = Path(path).read_text(encoding="utf-8")
            data = json.loads(raw)
        except FileNotFoundError:
            raise CommandError(f"{path}: no such file") from None
        except UnicodeDecodeError:
            raise CommandError(f"{path}: not UTF-8 text") from None
        except json.JSONDecodeError as error:
            raise CommandError(
                f"{path} line {error.lineno} column {error.colno}: malformed JSON ({error.msg})"
            ) from None
        try:
            cleaned = read_class_file(data)
        except ClassFileError as error:
            raise CommandError(
                f"{path}: not imported, the database is unchanged.\n" + "\n".join(error.errors)
            ) from None
        school_class = restore_class(cleaned)
        answered = sum(len(attempt["responses"]) for attempt in cleaned["attempts"])
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {school_class.name} ({school_class.term}) as class "
                f"{school_class.pk}: {len(cleaned['users'])} users, "
                f"{len(cleaned['enrollments'])} enrollments, "
                f"{len(cleaned['assignments'])} assignments, {len(cleaned['attempts'])} "
                f"attempts, {answered} responses."
            )
        )
