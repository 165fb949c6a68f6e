"""Reading pages: the course, a unit side by side, the glossary, the bibliography."""

import copy
import re
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse

from courseware.caching import content_cache
from courseware.course_file import load, read_course_file
from courseware.models import Course, ReadingProgress, Unit
from tests.conftest import MINI_COURSE

pytestmark = pytest.mark.django_db


def unit_url(slug="phase-one"):
    return reverse("courseware:unit", kwargs={"slug": slug})


def course_with_paragraphs(count):
    data = read_course_file(MINI_COURSE)
    template = data["units"][0]["passages"][2]
    data["units"][0]["passages"] = data["units"][0]["passages"][:2] + [
        {**copy.deepcopy(template), "key": f"introduction-{n}"} for n in range(3, count + 1)
    ]
    load(data)


def test_course_page_lists_units_in_order_with_period(client, mini_course):
    response = client.get(reverse("courseware:course"))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index("前言") < html.index("第一階段")
    assert "1945–1975" in html


def test_unit_page_shows_both_languages_side_by_side(client, mini_course):
    response = client.get(unit_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="p-phase-one-1"' in html
    assert "這是第一階段第1段" in html
    assert "This is paragraph 1 of Phase one" in html
    assert 'lang="zh-Hant"' in html and 'lang="en"' in html
    assert 'href="#ref-waltz-1979"' in html
    assert 'id="fn-1"' in html and "Note 1, first paragraph." in html


def test_interface_language_decides_which_column_comes_first(client, mini_course):
    zh = client.get(unit_url(), HTTP_ACCEPT_LANGUAGE="zh-TW").content.decode()
    en = client.get(unit_url(), HTTP_ACCEPT_LANGUAGE="en-US").content.decode()
    assert zh.index('class="passage-col col-zh-hant"') < zh.index('class="passage-col col-en"')
    assert en.index('class="passage-col col-en"') < en.index('class="passage-col col-zh-hant"')
    assert '<html lang="zh-Hant">' in zh and '<html lang="en">' in en
    assert "Learning objectives" in en


def test_unknown_unit_is_404(client, mini_course):
    assert client.get(unit_url("no-such-unit")).status_code == 404


def test_archived_unit_is_404_even_after_it_was_cached(client, mini_course):
    assert client.get(unit_url("phase-one")).status_code == 200
    Unit.objects.filter(slug="phase-one").update(archived=True)
    Course.objects.mark_content_changed()

    assert client.get(unit_url("phase-one")).status_code == 404
    assert client.get(unit_url("introduction")).status_code == 200


def corrected(data, definition):
    data["terms"][0]["definition"]["zh-hant"] = definition
    passage = data["units"][0]["passages"][0]
    passage["text"]["zh-hant"] = f"前言第1段，{definition}（Waltz, 1979: 117）"
    return data


def pages(client) -> list[str]:
    """The unit page (the passage) and the glossary (the definition)."""
    urls = (unit_url("introduction"), reverse("courseware:glossary"))
    return [client.get(url).content.decode() for url in urls]


def test_content_changed_after_a_database_restore_is_not_served_from_before_the_restore(
    client, mini_course
):
    """A backup restored while the app servers run brings back an older content version;
    the next change must not reuse the version of a change the restore undid, which the
    content cache of every process (every app server's) still holds."""
    backup_version = Course.objects.get().content_version
    load(corrected(read_course_file(MINI_COURSE), "還原前的修訂"))
    assert all("還原前的修訂" in page for page in pages(client))  # cached

    # The restore: the backup's content and its version, as pg_restore writes them.
    load(read_course_file(MINI_COURSE))
    Course.objects.update(content_version=backup_version)
    load(corrected(read_course_file(MINI_COURSE), "還原後的修訂"))

    for page in pages(client):
        assert "還原後的修訂" in page
        assert "還原前的修訂" not in page


@pytest.mark.parametrize("mode", ["side", "zh", "en", "stacked"])
def test_reading_mode_works_without_javascript(client, mini_course, mode):
    html = client.get(unit_url(), {"mode": mode}).content.decode()
    assert f'class="reading mode-{mode}"' in html
    assert f'data-mode="{mode}" role="button" aria-pressed="true"' in html


def test_unit_page_queries_do_not_grow_with_paragraphs(client, db, django_assert_num_queries):
    course_with_paragraphs(3)
    content_cache().clear()
    with django_assert_num_queries(8) as small:
        client.get(unit_url("introduction"))
    course_with_paragraphs(40)
    content_cache().clear()
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(unit_url("introduction"))
    assert 'id="p-introduction-40"' in response.content.decode()


def test_cached_unit_page_is_retired_when_the_course_is_reloaded(client, mini_course):
    client.get(unit_url())
    data = read_course_file(MINI_COURSE)
    data["units"][1]["passages"][0]["text"]["en"] = (
        "Revised: the balance of power (Waltz, 1979: 117)"
    )
    load(data)
    assert "Revised: the" in client.get(unit_url()).content.decode()


def test_renamed_unit_shows_in_its_header_and_its_neighbours_pager(client, mini_course):
    client.get(unit_url("phase-one"))
    client.get(unit_url("introduction"))
    data = read_course_file(MINI_COURSE)
    data["units"][1]["title"]["zh-hant"] = "第一階段（修訂）"
    load(data)

    assert "<h1>第一階段（修訂）</h1>" in client.get(unit_url("phase-one")).content.decode()
    assert "第一階段（修訂） <span" in client.get(unit_url("introduction")).content.decode()


def test_signed_in_student_opens_and_marks_a_unit_read(student_client, student, mini_course):
    unit = Unit.objects.get(slug="phase-one")
    student_client.get(unit_url())
    progress = ReadingProgress.objects.get(user=student, unit=unit)
    assert not progress.is_read

    response = student_client.post(reverse("courseware:mark_read", args=["phase-one"]))
    assert response.status_code == 302
    progress.refresh_from_db()
    assert progress.is_read


def test_mark_read_with_htmx_returns_the_status_fragment(student_client, student, mini_course):
    response = student_client.post(
        reverse("courseware:mark_read", args=["phase-one"]), HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="read-status"')
    assert "<html" not in html
    assert 'aria-live="polite"' in html
    assert ReadingProgress.objects.get(user=student).is_read


def test_mark_read_requires_sign_in_and_post(student_client, mini_course):
    url = reverse("courseware:mark_read", args=["phase-one"])
    assert Client().post(url).status_code == 302
    assert ReadingProgress.objects.count() == 0
    assert student_client.get(url).status_code == 405


def test_glossary_lists_terms_with_occurrences(client, mini_course):
    html = client.get(reverse("courseware:glossary")).content.decode()
    assert "權力平衡" in html and "balance of power" in html
    assert "#p-introduction-1" in html


@pytest.mark.parametrize("page", ["courseware:glossary", "courseware:references"])
def test_glossary_and_references_are_served_from_the_cache_until_the_course_changes(
    mini_course, page, django_assert_num_queries
):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.get(reverse(page))
    with django_assert_num_queries(1):  # the course's content version
        cached = client.get(reverse(page)).content.decode()
    data = read_course_file(MINI_COURSE)
    data["terms"][0]["definition"]["en"] = "Redefined after a correction."
    data["references"][0]["entry"]["en"] = "Waltz, Kenneth N. Corrected entry (1979)."
    load(data)
    reloaded = client.get(reverse(page)).content.decode()
    changed = "Redefined after" if page == "courseware:glossary" else "Corrected entry"
    assert changed not in cached and changed in reloaded


def test_references_page_links_back_to_citing_passages(client, mini_course):
    html = client.get(reverse("courseware:references")).content.decode()
    assert 'id="ref-waltz-1979"' in html
    assert "#p-introduction-1" in html


def test_print_view_has_both_columns_and_no_navigation(client, mini_course):
    html = client.get(reverse("courseware:unit_print", args=["phase-one"])).content.decode()
    assert "這是第一階段第1段" in html and "This is paragraph 1 of Phase one" in html
    assert "site-nav" not in html


def glossary_headwords(client, language, query=None):
    import re

    data = {"q": query} if query is not None else {}
    response = client.get(reverse("courseware:glossary"), data, HTTP_ACCEPT_LANGUAGE=language)
    html = response.content.decode()
    pattern = (
        r'<dt><span lang="zh-Hant">([^<]*)</span>'
        if language == "zh-hant"
        else (r'<span lang="en">([^<]*)</span></dt>')
    )
    return re.findall(pattern, html), html


def test_glossary_lists_terms_by_the_headword_of_the_interface_language(client, full_course):
    """Chinese headwords in zhuyin order in Traditional (ㄅㄆㄇㄈ…, as a Taiwanese dictionary),
    pinyin order in Simplified; never Unicode code-point order, which files 中 (ㄓ) before
    北 (ㄅ). English alphabetically."""
    from courseware.models import Term

    zh, html = glossary_headwords(client, "zh-hant")
    en, _html = glossary_headwords(client, "en")
    assert len(zh) == len(en) > 50
    assert "注音" in html
    keys = dict(Term.objects.values_list("term_zh_hant", "zhuyin_key"))
    assert all(keys[word] for word in zh)  # every headword has its readings
    assert [keys[word] for word in zh] == sorted(keys[word] for word in zh)
    bare = [word.lstrip("「“\"'(（") for word in zh]
    assert bare != sorted(bare)  # not the code-point order
    # Zhuyin order by the first syllable's initial: ㄅ before ㄉ before ㄓ before ㄧ.
    initials = [keys[word][0] for word in zh if "\u3105" <= keys[word][0] <= "\u3129"]
    assert initials == sorted(initials) and initials[0] < initials[-1]
    assert [word.casefold() for word in en] == sorted(word.casefold() for word in en)


def test_simplified_glossary_files_headwords_by_pinyin(client, full_course):
    from courseware.models import Term

    response = client.get(reverse("courseware:glossary"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    html = response.content.decode()
    assert "拼音" in html
    keys = dict(Term.objects.values_list("term_en", "pinyin_key"))
    # Each entry's English partner (Simplified headwords are converted on the way out).
    shown = [unescape(word) for word in re.findall(r'<span lang="en">([^<]*)</span></dt>', html)]
    assert len(shown) > 50
    assert [keys[word] for word in shown] == sorted(keys[word] for word in shown)


def test_headword_keys_follow_zhuyin_and_pinyin_not_code_points():
    from courseware.segmenting import headword_keys

    words = ["中國", "越南", "北京", "北", "「基洛」級潛艇", "綠色"]
    by_zhuyin = sorted(words, key=lambda word: headword_keys(word)[0])
    by_pinyin = sorted(words, key=lambda word: headword_keys(word)[1])
    assert by_zhuyin == ["北", "北京", "綠色", "「基洛」級潛艇", "中國", "越南"]
    assert by_pinyin == ["北", "北京", "「基洛」級潛艇", "綠色", "越南", "中國"]
    assert sorted(words) != by_zhuyin


@pytest.mark.parametrize(
    ("language", "query", "expected"),
    [("en", "BALANCE of", "balance of power"), ("zh-hant", "權力平衡", "權力平衡")],
)
def test_glossary_filter_works_as_a_get_without_javascript(
    client, full_course, language, query, expected
):
    everything, _html = glossary_headwords(client, language)
    shown, html = glossary_headwords(client, language, query)
    assert 0 < len(shown) < len(everything)
    assert any(expected in word for word in shown)
    assert f'value="{query}"' in html
    none, html = glossary_headwords(client, language, "zzzz-no-such-term")
    assert none == [] and "empty-state" in html
