"""The course file is checked for everything the database will enforce, in the language of
the command line: keys whole, lengths of columns, nesting and numbers, every removal named."""

from __future__ import annotations

import copy
import json
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from courseware.command_line import terminal_language
from courseware.course_file import CourseFileError, load, read_course_file
from courseware.models import Passage, Unit
from quizzes.models import Attempt, Item, Response
from tests.conftest import MINI_COURSE

pytestmark = pytest.mark.django_db
ROOT = MINI_COURSE.parent.parent.parent


@pytest.fixture
def course_data():
    return read_course_file(MINI_COURSE)


def refusal(data) -> list[str]:
    with translation.override("en"), pytest.raises(CourseFileError) as refused:
        load(data)
    return refused.value.errors


def write(tmp_path, text: str):
    path = tmp_path / "course.json"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("ending", ["\n", "\r\n", " "])
def test_a_key_ending_in_a_line_break_is_refused(course_data, ending):
    """re.match with "$" accepted "introduction\\n": the unit loaded and its URL broke."""
    course_data["units"][0]["slug"] = "introduction" + ending
    for item in course_data["items"]:
        if item["unit"] == "introduction":
            item["unit"] += ending
    errors = refusal(course_data)
    assert any(
        error.startswith('units[0] "introduction')
        and error.endswith(".slug: a key must be lowercase letters, digits and hyphens")
        for error in errors
    ), errors
    assert not Unit.objects.exists()


@pytest.mark.parametrize(
    ("place", "where", "limit"),
    [
        (("units", 0, "title", "en"), 'units[0] "introduction".title.en', 300),
        (("units", 0, "label", "zh-hant"), 'units[0] "introduction".label.zh-hant', 40),
        (("course", "author"), "course.author", 200),
        (("references", 0, "label"), 'references[0] "waltz-1979".label', 200),
    ],
    ids=["unit-title", "unit-label", "author", "reference-label"],
)
def test_a_text_longer_than_its_column_is_refused_on_every_database(
    course_data, place, where, limit
):
    """SQLite ignores a column's length and PostgreSQL enforces it: both refuse it now."""
    *parents, last = place
    container = course_data
    for step in parents:
        container = container[step]
    container[last] = "長" * (limit + 1)
    assert refusal(course_data) == [f"{where}: longer than {limit} characters ({limit + 1})"]
    assert not Unit.objects.exists()


def test_a_key_longer_than_its_column_is_refused(course_data):
    key = "introduction-" + "x" * 60
    course_data["units"][0]["passages"][0]["key"] = key
    errors = refusal(course_data)
    assert f'units[0] "introduction".passages[0] "{key}".key: longer than 60 characters (73)' in (
        errors
    )
    assert not Passage.objects.exists()


def test_text_that_fits_its_column_exactly_loads(course_data):
    course_data["units"][0]["title"]["en"] = "x" * 300
    load(course_data)
    assert Unit.objects.get(slug="introduction").title_en == "x" * 300


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"format": ' + "[" * 100_000 + "]" * 100_000 + "}", "nest more than 20 deep"),
        ('{"format": ' + "[" * 25 + "]" * 25 + "}", "nest more than 20 deep"),
        ('{"format": ' + "9" * 5_000 + "}", "a number longer than 30 characters"),
        ('{"format": 1e999999}', "a number longer than 30 characters, or NaN or Infinity"),
        ('{"format": NaN}', "NaN or Infinity"),
    ],
    ids=["deep-for-the-parser", "deep", "5000-digits", "huge-float", "nan"],
)
def test_deep_nesting_and_huge_numbers_are_refused_naming_the_file(tmp_path, text, message):
    """Before: RecursionError, and ValueError past Python's 4,300-digit limit, escaped."""
    path = write(tmp_path, text)
    with translation.override("en"), pytest.raises(CourseFileError) as refused:
        read_course_file(path)
    [error] = refused.value.errors
    assert error.startswith(f"{path}: ") and message in error


def answer(student, item_key):
    item = Item.objects.get(key=item_key)
    attempt = Attempt.objects.create(
        student=student, unit=item.unit, item_ids=[item.pk], item_count=1, is_practice=True
    )
    Response.objects.create(attempt=attempt, item=item, answer=["a"], score=1, is_correct=True)


def test_every_removal_that_needs_force_is_named_not_only_the_first(course_data, student):
    load(course_data)
    answered = ["intro-q1", "intro-q2", "phase-q1"]
    for key in answered:
        answer(student, key)
    without = copy.deepcopy(course_data)
    without["items"] = [item for item in without["items"] if item["key"] not in answered]
    without["units"] = [unit for unit in without["units"] if unit["slug"] != "phase-one"]
    errors = refusal(without)
    named = [error.split("”")[0] for error in errors]
    assert named == [
        "Quiz item “intro-q1",
        "Quiz item “intro-q2",
        "Quiz item “phase-q1",
        "Unit “phase-one",
    ]
    assert all("--force" in error for error in errors)
    assert Item.objects.filter(key__in=answered, archived=False).count() == 3


@pytest.mark.parametrize(
    ("environ", "language"),
    [
        ({}, "en"),
        ({"LANG": "C.UTF-8"}, "en"),
        ({"LANG": "en_US.UTF-8"}, "en"),
        ({"LANG": "zh_TW.UTF-8"}, "zh-hant"),
        ({"LANG": "zh_HK.Big5-HKSCS"}, "zh-hant"),
        ({"LANG": "zh_CN.UTF-8"}, "zh-hans"),
        ({"LANG": "zh_SG.UTF-8"}, "zh-hans"),
        ({"LANG": "zh_CN.GB18030"}, "zh-hans"),
        ({"LANGUAGE": "zh_Hans", "LANG": "en_US.UTF-8"}, "zh-hans"),
        ({"LANGUAGE": "zh-Hans-CN"}, "zh-hans"),
        ({"LANGUAGE": "zh_Hant_CN"}, "zh-hant"),
        ({"LANGUAGE": "zh_Hant"}, "zh-hant"),
        ({"LANG": "zh_MO.UTF-8"}, "zh-hant"),
        ({"LANG": "zh.UTF-8"}, "zh-hant"),
        ({"LC_ALL": "zh_CN.UTF-8", "LANG": "zh_TW.UTF-8"}, "zh-hans"),
        ({"LANG": "fr_FR.UTF-8"}, "en"),
        ({"LANGUAGE": "zh_TW:en", "LANG": "en_US.UTF-8"}, "zh-hant"),
        ({"LANGUAGE": "fr:zh_TW", "LANG": "en_US.UTF-8"}, "zh-hant"),
        ({"LANGUAGE": "en", "LANG": "zh_TW.UTF-8"}, "en"),
        ({"LC_ALL": "zh_TW.UTF-8", "LANG": "en_US.UTF-8"}, "zh-hant"),
        ({"LC_MESSAGES": "en_GB.UTF-8", "LANG": "zh_TW.UTF-8"}, "en"),
    ],
)
def test_the_command_line_language_is_read_as_gettext_reads_it(environ, language):
    assert terminal_language(environ) == language


def run_load_course(path, **environ):
    clean = {"PATH": "/usr/bin:/bin", "FAST_PASSWORD_HASHER": "1"}
    return subprocess.run(
        [sys.executable, "manage.py", "load_course", str(path)],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
        env={**clean, **environ},
    )


def test_load_course_speaks_the_command_line_language(tmp_path, course_data):
    """Before: always Chinese (LANGUAGE_CODE), whatever the operator's shell said."""
    course_data["units"][0]["title"]["en"] = ""
    path = write(tmp_path, json.dumps(course_data, ensure_ascii=False))
    english = run_load_course(path, LANG="C.UTF-8")
    chinese = run_load_course(path, LANG="zh_TW.UTF-8")
    assert english.returncode == chinese.returncode == 1
    assert f"{path}: not loaded, the database is unchanged." in english.stderr
    assert 'units[0] "introduction".title.en: missing or empty text' in english.stderr
    assert f"{path}：未載入，資料庫沒有變更。" in chinese.stderr
    assert 'units[0] "introduction".title.en: 缺少文字或文字為空' in chinese.stderr


def test_load_course_speaks_simplified_chinese_to_a_mainland_shell(tmp_path, course_data):
    """Before: ``LANG=zh_CN.UTF-8`` got the Traditional messages."""
    course_data["units"][0]["title"]["en"] = ""
    path = write(tmp_path, json.dumps(course_data, ensure_ascii=False))
    simplified = run_load_course(path, LANG="zh_CN.UTF-8")
    assert simplified.returncode == 1
    assert f"{path}：未加载，数据库没有变更。" in simplified.stderr
    assert 'units[0] "introduction".title.en: 缺少文字或文字为空' in simplified.stderr
    traditional = run_load_course(path, LANG="zh_HK.UTF-8")
    assert f"{path}：未載入，資料庫沒有變更。" in traditional.stderr


def test_load_course_in_english_from_call_command(tmp_path, course_data, monkeypatch):
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    monkeypatch.delenv("LANGUAGE", raising=False)
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    course_data["units"][0]["title"]["en"] = "x" * 301
    path = write(tmp_path, json.dumps(course_data))
    with pytest.raises(CommandError, match="title.en: longer than 300 characters"):
        call_command("load_course", str(path))
