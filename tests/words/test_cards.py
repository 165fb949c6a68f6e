"""Word cards: a word of the Chinese column, its readings, its CC-CEDICT senses and, for a
glossary term, the course's definition first; an htmx GET that caches, and a dictionary page
without JavaScript."""

import pytest
from django.urls import reverse

from courseware.course_file import load, read_course_file
from tests.conftest import MINI_COURSE

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def card(client, headword, **extra):
    return client.get(reverse("words:word", args=[headword]), **{**HTMX, **extra})


def test_a_word_card_for_balance_shows_its_readings_and_a_cc_cedict_sense(client, mini_course):
    response = card(client, "平衡")
    html = response.content.decode()
    assert response.status_code == 200
    assert "píng héng" in html and "ㄆㄧㄥˊ ㄏㄥˊ" in html
    assert "balance" in html and "CC BY-SA 4.0" in html
    assert "<html" not in html  # the card alone


def test_a_glossary_terms_card_shows_the_course_definition_first(client, mini_course):
    html = card(client, "權力平衡").content.decode()
    definition_zh = html.index("國際政治中的權力分配概念。")
    definition_en = html.index("A concept of how power is distributed among states.")
    sense = html.index("power; authority")
    assert definition_zh < sense and definition_en < sense


def test_a_visitors_browser_keeps_the_card_a_day_one_copy_per_language(client, mini_course):
    response = card(client, "平衡")
    assert "public" in response["Cache-Control"] and "max-age=86400" in response["Cache-Control"]
    assert {"Accept-Language", "Cookie", "HX-Request"} <= {
        value.strip() for value in response["Vary"].split(",")
    }


def test_a_signed_in_readers_card_is_never_stored_yet_comes_from_the_servers_cache(
    student_client, mini_course, django_assert_max_num_queries
):
    first = card(student_client, "平衡")
    cache_control = {part.strip() for part in first["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= cache_control and "public" not in cache_control
    assert "csrfmiddlewaretoken" not in first.content.decode()
    # The session, the user and the content versions: the card itself is not made again.
    with django_assert_max_num_queries(3):
        again = card(student_client, "平衡")
    assert again.content == first.content


def test_without_javascript_the_word_is_a_dictionary_page(client, student_client, mini_course):
    html = client.get(reverse("words:word", args=["平衡"])).content.decode()
    assert "<html" in html and "píng héng" in html and "balance" in html
    # The page holds the reader's own header: never kept in a shared cache for a signed-in one.
    response = student_client.get(reverse("words:word", args=["平衡"]))
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize(
    ("language", "title", "definition"),
    [
        ("zh-TW", "權力平衡", "國際政治中的權力分配概念。"),
        ("zh-CN", "权力平衡", "国际政治中的权力分配概念。"),
        ("en", "權力平衡", "A concept of how power is distributed among states."),
    ],
)
def test_the_card_speaks_each_interface_language(client, mini_course, language, title, definition):
    response = card(client, "權力平衡", HTTP_ACCEPT_LANGUAGE=language)
    html = response.content.decode()
    assert f">{title}</span>" in html and definition in html


def test_a_tap_names_the_word_by_where_it_fell(client, mini_course):
    """這是前言第1段，談越南的權力平衡。: 越 is the eighth Han character."""
    url = reverse("words:at", args=["introduction-1", 8])
    html = client.get(url, **HTMX).content.decode()
    assert ">越南</span>" in html and "yuè nán" in html and "Vietnam" in html
    glossary = client.get(reverse("words:at", args=["introduction-1", 11]), **HTMX)
    assert "國際政治中的權力分配概念。" in glossary.content.decode()


def test_a_tap_in_the_simplified_column_gives_the_simplified_word(client, mini_course):
    url = reverse("words:at", args=["introduction-1", 1])
    html = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-CN", **HTMX).content.decode()
    assert '<span lang="zh-Hans">这</span>' in html and "(這)" in html


@pytest.mark.parametrize(
    ("key", "position"), [("introduction-1", 99), ("introduction-1", 0), ("no-such-passage", 1)]
)
def test_a_tap_past_the_text_or_on_no_passage_is_not_found(client, mini_course, key, position):
    assert client.get(reverse("words:at", args=[key, position]), **HTMX).status_code == 404


def test_a_word_not_in_the_course_is_not_found(client, mini_course):
    assert card(client, "電腦").status_code == 404


def test_a_card_is_three_small_queries_then_one_until_the_content_changes(
    client, mini_course, django_assert_max_num_queries, django_assert_num_queries
):
    url = reverse("words:at", args=["introduction-1", 8])
    with django_assert_max_num_queries(3):
        client.get(url, **HTMX)
    with django_assert_num_queries(1):  # the content version, in the cached card's key
        assert "Vietnam" in client.get(url, **HTMX).content.decode()
    with django_assert_max_num_queries(3):
        card(client, "平衡", data={"passage": "introduction-1"})
    # A corrected course: the card is made again from the new content.
    data = read_course_file(MINI_COURSE)
    first = data["units"][0]["passages"][0]["text"]
    first["zh-hant"] = first["zh-hant"].replace("越南", "泰國")
    load(data)
    assert "Thailand" in client.get(url, **HTMX).content.decode()


def test_the_unit_page_offers_word_cards_and_keeps_its_query_budget(
    client, mini_course, django_assert_max_num_queries
):
    url = reverse("courseware:unit", args=["introduction"])
    with django_assert_max_num_queries(10):
        html = client.get(url).content.decode()
    assert 'id="word-card"' in html
    assert reverse("words:unit_words", args=["introduction"]) in html
    with django_assert_max_num_queries(10):
        client.get(url, {"readings": "pinyin"})


def test_a_units_word_list_links_every_word_to_its_page(client, mini_course):
    html = client.get(reverse("words:unit_words", args=["introduction"])).content.decode()
    assert f'href="{reverse("words:word", args=["越南"])}"' in html
    assert "yuè nán" in html and "權力平衡" in html


def test_cards_asked_for_by_anyone_never_push_course_pages_out_of_the_content_cache(
    client, mini_course
):
    """Anyone may ask for any word with any ?passage=: made-up passage keys are answered but
    not kept, and the cards that are kept live in a cache of their own."""
    from django.core.cache import caches

    from courseware.caching import content_cache

    for number in range(50):
        response = card(client, "越南", data={"passage": f"made-up-{number}"})
        assert response.status_code == 200
    assert not caches["word-cards"]._cache
    card(client, "越南", data={"passage": "introduction-1"})
    card(client, "平衡")
    assert len(caches["word-cards"]._cache) == 2
    assert not [key for key in content_cache()._cache if "word-card" in key]


def test_a_simplified_dictionary_page_names_its_word_in_simplified_in_the_title_too(mini_course):
    from django.test import Client

    html = (
        Client(HTTP_ACCEPT_LANGUAGE="zh-CN")
        .get(reverse("words:word", args=["權力平衡"]))
        .content.decode()
    )
    title = html.split("<title>")[1].split("</title>")[0]
    assert "权力平衡" in title and "權力平衡" not in title
