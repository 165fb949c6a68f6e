"""The course file: validated whole, loaded in one transaction, updated in place by key."""

import copy
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from courseware.course_file import CourseFileError, dumps, export, load, read_course_file
from courseware.models import Passage, ReadingProgress, Term, Unit
from quizzes.models import Item
from tests.conftest import MINI_COURSE

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english_messages():
    """The loader's messages follow the active language; these tests read the English ones."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def course_data():
    return read_course_file(MINI_COURSE)


def database_snapshot():
    """Every row the loader may touch, so a refused load can be shown to change nothing."""
    return {
        "units": list(Unit.objects.values().order_by("pk")),
        "passages": list(Passage.objects.values().order_by("pk")),
        "terms": list(Term.objects.values().order_by("pk")),
        "items": list(Item.objects.values().order_by("pk")),
    }


def write(tmp_path, data, name="course.json"):
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_load_creates_the_course_in_both_languages(course_data):
    load(course_data)
    unit = Unit.objects.get(slug="phase-one")
    assert unit.title_zh_hant == "第一階段" and unit.title_en == "Phase one"
    assert unit.period_en == "1945–1975"
    assert unit.passages.count() == 4
    passage = Passage.objects.get(key="phase-one-2")
    # Footnote markers are buttons (opened in place by reading.js), named in each language.
    assert (
        '<sup class="fn-ref"><button type="button" class="fn-marker" data-footnote="1" '
        'aria-expanded="false" aria-label="Note 1">1</button></sup>'
    ) in passage.html_en
    assert 'aria-label="註 1">1</button>' in passage.html_zh_hant
    assert 'role="button"' not in passage.html_en + passage.html_zh_hant
    first = Passage.objects.get(key="phase-one-1")
    assert '<a class="cite" href="#ref-waltz-1979">Waltz, 1979: 117</a>' in first.html_en
    assert 'data-term="balance-of-power"' in first.html_zh_hant
    assert Item.objects.filter(unit__slug="introduction").count() == 5


def test_loading_the_same_file_twice_changes_nothing(course_data):
    load(course_data)
    before = database_snapshot()
    assert load(read_course_file(MINI_COURSE)) == {}
    assert database_snapshot() == before


def test_corrected_file_updates_rows_in_place_and_keeps_progress(course_data, student):
    load(course_data)
    passage = Passage.objects.get(key="introduction-2")
    unit = Unit.objects.get(slug="introduction")
    ReadingProgress.objects.create(user=student, unit=unit)
    corrected = copy.deepcopy(course_data)
    corrected["units"][0]["passages"][1]["text"]["en"] = (
        "A corrected translation of the balance of power."
    )

    stats = load(corrected)

    assert stats["passages updated"] == 1
    passage.refresh_from_db()
    assert passage.text_en == "A corrected translation of the balance of power."
    assert Passage.objects.get(key="introduction-2").pk == passage.pk
    assert ReadingProgress.objects.filter(user=student, unit=unit).exists()


def test_export_reproduces_the_loaded_file(course_data):
    load(course_data)
    assert export() == course_data
    assert dumps(export()) == MINI_COURSE.read_text(encoding="utf-8")


def test_an_item_may_cite_a_footnote_alone(course_data):
    """An answer held only by a footnote (footnote 1 of "phase-one") is cited by its key."""
    course_data["items"][1]["passages"] = []
    tags = course_data["items"][1].pop("tags")
    course_data["items"][1]["footnotes"] = ["1"]
    course_data["items"][1]["tags"] = tags
    load(course_data)
    item = Item.objects.get(key="intro-q2")
    assert [f.key for f in item.footnotes.all()] == ["1"]
    assert not item.passages.exists()
    assert item.footnotes.get().get_absolute_url() == "/units/phase-one/#fn-1"
    assert export() == course_data

    course_data["items"][1]["passages"] = ["introduction-1"]
    del course_data["items"][1]["footnotes"]
    load(course_data)
    assert not item.footnotes.exists()
    assert export() == course_data


def test_export_command_writes_json(course_data, tmp_path):
    load(course_data)
    out = tmp_path / "out.json"
    call_command("export_course", output=str(out))
    exported = json.loads(out.read_text(encoding="utf-8"))
    assert [u["slug"] for u in exported["units"]] == ["introduction", "phase-one"]
    assert exported["units"][0]["passages"][0]["text"].keys() == {"zh-hant", "en"}
    assert {"key", "unit", "kind", "stem", "choices", "explanation", "passages", "tags"} <= set(
        exported["items"][0]
    )


def _missing_english(data):
    data["units"][0]["passages"][1]["text"]["en"] = ""


def _duplicate_key(data):
    data["units"][1]["passages"][0]["key"] = "introduction-1"


def _dangling_footnote(data):
    data["units"][0]["passages"][0]["text"]["zh-hant"] += "[^9]"
    data["units"][0]["passages"][0]["text"]["en"] += "[^9]"


def _dangling_term(data):
    data["units"][0]["passages"][0]["terms"] = ["no-such-term"]


def _unknown_field(data):
    data["units"][1]["colour"] = "red"


def _dangling_citation(data):
    data["units"][0]["passages"][0]["citations"][0]["ref"] = "nobody-1999"


def _item_without_correct_choice(data):
    for choice in data["items"][0]["choices"]:
        choice["correct"] = False


def _item_citing_unknown_passage(data):
    data["items"][1]["passages"] = ["introduction-99"]


def _item_citing_unknown_footnote(data):
    data["items"][1]["footnotes"] = ["9"]


def _item_citing_nothing(data):
    data["items"][1]["passages"] = []


BAD_FILES = [
    (
        _missing_english,
        'units[0] "introduction".passages[1] "introduction-2".text.en',
        "missing or empty text",
    ),
    (_duplicate_key, 'units[1] "phase-one".passages[0]', "duplicate key “introduction-1”"),
    (_dangling_footnote, '"introduction-1".text', "footnote marker [^9] has no footnote"),
    (_dangling_term, '"introduction-1".terms[0]', "unknown glossary term “no-such-term”"),
    (_unknown_field, "units[1]", "unknown field “colour”"),
    (_dangling_citation, '"introduction-1".citations[0].ref', "unknown reference “nobody-1999”"),
    (
        _item_without_correct_choice,
        'items[0] "intro-q1".choices',
        "exactly one choice must be correct",
    ),
    (
        _item_citing_unknown_passage,
        'items[1] "intro-q2".passages',
        "unknown passage “introduction-99”",
    ),
    (_item_citing_unknown_footnote, 'items[1] "intro-q2".footnotes', "unknown footnote “9”"),
    (
        _item_citing_nothing,
        'items[1] "intro-q2".passages',
        "cite at least one passage or footnote that holds the answer",
    ),
]


@pytest.mark.parametrize(
    ("break_file", "where", "message"),
    BAD_FILES,
    ids=[case[0].__name__.strip("_") for case in BAD_FILES],
)
def test_a_bad_file_names_the_fault_and_changes_nothing(
    course_data, tmp_path, break_file, where, message
):
    load(course_data)
    before = database_snapshot()
    bad = copy.deepcopy(course_data)
    break_file(bad)
    bad["units"][0]["title"]["en"] = "This change must not land"

    with pytest.raises(CommandError) as excinfo:
        call_command("load_course", str(write(tmp_path, bad)))

    assert where in str(excinfo.value)
    assert message in str(excinfo.value)
    assert "database is unchanged" in str(excinfo.value)
    assert database_snapshot() == before


def test_malformed_json_names_line_and_column(course_data, tmp_path):
    load(course_data)
    before = database_snapshot()
    path = tmp_path / "broken.json"
    path.write_text('{"format": 1,\n  "course": {,}\n}', encoding="utf-8")

    with pytest.raises(CommandError) as excinfo:
        call_command("load_course", str(path))

    assert "line 2 column 14: malformed JSON" in str(excinfo.value)
    assert database_snapshot() == before


def test_load_course_exits_with_status_1_on_a_bad_file(tmp_path, course_data):
    bad = copy.deepcopy(course_data)
    _missing_english(bad)
    path = write(tmp_path, bad)
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "manage.py", "load_course", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert '"introduction-2".text.en' in result.stderr


def test_compatibility_ideographs_are_normalised(tmp_path, course_data):
    data = copy.deepcopy(course_data)
    # U+F98A is a compatibility form of 力: it looks the same but breaks search.
    data["units"][0]["passages"][0]["text"]["zh-hant"] = data["units"][0]["passages"][0]["text"][
        "zh-hant"
    ].replace("力", "\uf98a")
    load(read_course_file(write(tmp_path, data)))
    assert "權力平衡" in Passage.objects.get(key="introduction-1").text_zh_hant


def test_removing_an_answered_item_is_refused_without_force(course_data, student):
    from quizzes.models import Attempt, Response

    load(course_data)
    item = Item.objects.get(key="intro-q1")
    attempt = Attempt.objects.create(
        student=student, unit=item.unit, item_ids=[item.pk], item_count=1
    )
    Response.objects.create(attempt=attempt, item=item, answer=["a"], score=1, is_correct=True)
    without_item = copy.deepcopy(course_data)
    without_item["items"] = [i for i in without_item["items"] if i["key"] != "intro-q1"]

    with pytest.raises(CourseFileError) as excinfo:
        load(without_item)
    assert "intro-q1" in str(excinfo.value) and "--force" in str(excinfo.value)
    assert Item.objects.get(key="intro-q1").archived is False

    load(without_item, force=True)
    item.refresh_from_db()
    assert item.archived is True
    assert Response.objects.filter(item=item).count() == 1


def test_loading_again_re_renders_stored_footnote_links_as_buttons(course_data):
    """HTML stored by an earlier version (a link with role="button") is rebuilt on load."""
    load(course_data)
    old = '<sup class="fn-ref"><a href="#fn-1" data-footnote="1" role="button">1</a></sup>'
    Passage.objects.filter(key="phase-one-2").update(html_en=old, html_zh_hant=old)
    load(course_data)
    passage = Passage.objects.get(key="phase-one-2")
    assert '<a href="#fn-1"' not in passage.html_en + passage.html_zh_hant
    assert '<button type="button" class="fn-marker" data-footnote="1"' in passage.html_en
