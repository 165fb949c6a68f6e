"""The course's words, stored when the course is loaded, and the lookup API other apps use."""

import json

import pytest

from courseware.course_file import load, read_course_file
from tests.conftest import MINI_COURSE
from words import cedict
from words.lookup import describe
from words.models import Word

pytestmark = pytest.mark.django_db


def test_a_word_of_the_text_has_its_readings_and_cc_cedict_senses(mini_course):
    entry = describe("越南")
    assert (entry.headword, entry.simplified) == ("越南", "越南")
    assert (entry.pinyin, entry.zhuyin) == ("yuè nán", "ㄩㄝˋ ㄋㄢˊ")
    assert "Vietnam" in entry.senses
    assert entry.term is None


def test_a_glossary_term_is_one_word_with_its_term_and_the_entries_of_its_parts(mini_course):
    entry = describe("權力平衡")
    assert entry.term.key == "balance-of-power"
    assert entry.zhuyin == "ㄑㄩㄢˊ ㄌㄧˋ ㄆㄧㄥˊ ㄏㄥˊ"
    # CC-CEDICT has no 權力平衡: its words 權力 and 平衡 speak for it, and have cards too.
    assert entry.by_character
    assert [sense.headword for sense in entry.entries] == ["權力", "平衡"]
    part = describe("平衡")
    assert (part.pinyin, part.zhuyin) == ("píng héng", "ㄆㄧㄥˊ ㄏㄥˊ")
    assert "balance" in part.senses


def test_a_word_is_found_by_its_simplified_spelling(mini_course):
    assert describe("权力平衡").headword == "權力平衡"
    assert describe("这").headword == "這"


def test_a_word_not_in_the_course_is_none(mini_course):
    assert describe("電腦") is None
    assert describe("") is None
    assert describe("x" * 500) is None


def test_describe_is_one_query(mini_course, django_assert_num_queries):
    with django_assert_num_queries(1):
        describe("權力平衡")


def test_a_corrected_course_drops_the_words_it_no_longer_has(mini_course, tmp_path):
    data = read_course_file(MINI_COURSE)
    for unit in data["units"]:
        for passage in unit["passages"]:
            passage["text"]["zh-hant"] = passage["text"]["zh-hant"].replace("越南", "泰國")
    load(data)
    assert describe("越南") is None
    assert "Thailand" in describe("泰國").senses
    assert Word.objects.filter(headword="權力平衡").count() == 1


@pytest.mark.parametrize(
    ("numbered", "marked"),
    [
        ("yin2 hang2", "yín háng"),
        ("lu:e4", "lüè"),
        ("nu:3", "nǚ"),
        ("gou3", "gǒu"),
        ("xiong2", "xióng"),
        ("de5", "de"),
        ("Yue4 nan2", "Yuè nán"),
        ("huai4", "huài"),
        ("liu2", "liú"),
    ],
)
def test_numbered_pinyin_gets_tone_marks(numbered, marked):
    assert cedict.tone_marks(numbered) == marked


def test_the_dictionary_file_is_cc_cedict_under_cc_by_sa():
    import gzip

    with gzip.open(cedict.data_path(), "rt", encoding="utf-8") as lines:
        header = "".join(next(lines) for _ in range(30))
    assert "CC-CEDICT" in header and "creativecommons.org/licenses/by-sa/4.0" in header
    assert json.dumps(cedict.entries_for("平衡"), ensure_ascii=False).count("balance") == 1
