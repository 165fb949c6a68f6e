"""Saving words and terms to "My words", from a passage in either script or the glossary."""

import pytest
from django.urls import reverse

from review.models import Card, SavedWord

SAVE = reverse("review:save")


def test_a_student_saves_a_word_met_in_a_passage(student_client, student, passage):
    response = student_client.post(
        SAVE, {"headword": "越南", "passage": passage.key, "next": passage.get_absolute_url()}
    )
    assert response.status_code == 302
    assert response["Location"] == passage.get_absolute_url()
    saved = SavedWord.objects.get(student=student)
    assert (saved.headword, saved.passage, saved.term) == ("越南", passage, None)
    cards = Card.objects.filter(saved_word=saved)
    assert sorted(cards.values_list("direction", flat=True)) == ["en-zh", "zh-en"]
    assert Card.objects.for_student(student).due().count() == 2


def test_saving_from_a_simplified_page_keeps_the_traditional_word(client, student, passage):
    client.force_login(student)
    client.post(
        reverse("set_language"), {"language": "zh-hans", "next": "/"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    client.post(SAVE, {"headword": "权力", "passage": passage.key})
    client.post(SAVE, {"headword": "權力", "passage": passage.key})
    assert list(SavedWord.objects.values_list("headword", flat=True)) == ["權力"]
    assert Card.objects.count() == 2


def test_a_glossary_term_is_saved_with_the_course_definition(student_client, student, passage):
    response = student_client.post(SAVE, {"term": "balance-of-power"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "Saved 權力平衡 to your words." in response.content.decode()
    saved = SavedWord.objects.get(student=student)
    assert (saved.headword, saved.term.key, saved.passage) == ("權力平衡", "balance-of-power", None)


def test_a_term_tapped_in_the_text_keeps_its_definition(student_client, student, passage):
    student_client.post(SAVE, {"headword": "权力平衡", "passage": passage.key})
    saved = SavedWord.objects.get(student=student)
    assert (saved.headword, saved.term.key) == ("權力平衡", "balance-of-power")


def test_saving_twice_keeps_one_word_where_it_was_first_met(student_client, student, mini_course):
    first, second = mini_course.units.first().passages.all()[:2]
    student_client.post(SAVE, {"headword": "越南", "passage": first.key})
    response = student_client.post(
        SAVE, {"headword": "越南", "passage": second.key}, HTTP_HX_REQUEST="true"
    )
    assert "越南 is already in your words." in response.content.decode()
    assert SavedWord.objects.get(student=student).passage == first
    assert Card.objects.count() == 2


@pytest.mark.parametrize(
    "data",
    [
        {"headword": "美國", "passage": "PASSAGE"},  # not in that passage
        {"headword": "越南"},  # a word needs the passage it was met in
        {"headword": "<b>越南</b>", "passage": "PASSAGE"},
        {"headword": "越南", "passage": "no-such-passage"},
        {"headword": "越南", "passage": "x" * 70},
        {"term": "no-such-term"},
        {},
    ],
)
def test_what_is_not_a_word_of_the_course_is_refused_and_said(student_client, passage, data):
    data = {k: passage.key if v == "PASSAGE" else v for k, v in data.items()}
    plain = student_client.post(SAVE, {**data, "next": passage.get_absolute_url()}, follow=True)
    assert plain.redirect_chain == [(passage.get_absolute_url(), 302)]
    assert "message-error" in plain.content.decode()
    fragment = student_client.post(SAVE, data, HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200
    assert "error-text" in fragment.content.decode()
    assert (
        "not saved" in fragment.content.decode() or "Nothing to save" in fragment.content.decode()
    )
    assert not SavedWord.objects.exists()


def test_saving_needs_a_signed_in_user_and_a_post(client, student, passage):
    response = client.post(SAVE, {"headword": "越南", "passage": passage.key})
    assert response.status_code == 302 and "/login/" in response["Location"]
    client.force_login(student)
    assert client.get(SAVE).status_code == 405
    assert not SavedWord.objects.exists()


@pytest.mark.parametrize("back", ["https://evil.example/", "//evil.example/", "a b", "home"])
def test_only_a_path_on_this_site_is_followed_back(student_client, passage, back):
    response = student_client.post(SAVE, {"headword": "越南", "passage": passage.key, "next": back})
    assert response["Location"] == reverse("review:my_words")


def test_my_words_lists_where_each_word_was_met_and_removes_one(student_client, passage):
    student_client.post(SAVE, {"headword": "越南", "passage": passage.key})
    student_client.post(SAVE, {"term": "balance-of-power"})
    page = student_client.get(reverse("review:my_words")).content.decode()
    assert "越南" in page and "權力平衡" in page
    assert passage.unit.heading in page and "Saved from the glossary" in page
    assert "2 words saved." in page and "4 cards due now." in page
    saved = SavedWord.objects.get(headword="越南")
    response = student_client.post(
        reverse("review:remove", args=[saved.pk]), HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert "Removed 越南 from your words." in body
    assert 'id="deck-summary"' in body and "1 word saved." in body
    assert list(SavedWord.objects.values_list("headword", flat=True)) == ["權力平衡"]
    assert Card.objects.count() == 2


def test_another_students_word_cannot_be_removed(client, django_user_model, student, passage):
    from review.services import do_save_word

    saved, _ = do_save_word(student=student, headword="越南", passage=passage)
    other = django_user_model.objects.create_user("other", password="pw-Other-123")
    client.force_login(other)
    assert client.post(reverse("review:remove", args=[saved.pk])).status_code == 404
    assert client.post(reverse("review:remove", args=[2**70])).status_code == 404
    assert SavedWord.objects.filter(pk=saved.pk).exists()


def test_my_words_shows_simplified_on_a_simplified_page(student_client, passage):
    student_client.post(
        SAVE, {"headword": "權力", "passage": passage.key}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    page = student_client.get(reverse("review:my_words"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.status_code == 200
    body = page.content.decode()
    assert "权力" in body and "權力" not in body


@pytest.mark.parametrize("words", [1, 8])
def test_my_words_runs_the_same_queries_however_many_words(
    student_client, student, mini_course, words, django_assert_max_num_queries
):
    from courseware.models import Passage
    from review.services import do_save_word

    passages = list(Passage.objects.all())
    for index in range(words):
        do_save_word(student=student, headword=f"字{index}", passage=passages[index % 3])
    with django_assert_max_num_queries(6):
        response = student_client.get(reverse("review:my_words"))
    assert response.content.decode().count('class="saved-word"') == words


def test_a_word_not_of_the_course_is_not_saved(student_client, passage):
    """前言第 is in the text but is no word of it (the words app segments the course)."""
    response = student_client.post(
        SAVE, {"headword": "言第", "passage": passage.key}, HTTP_HX_REQUEST="true"
    )
    assert "not in this passage" in response.content.decode()
    assert not SavedWord.objects.exists()


def test_an_anonymous_tap_on_save_is_asked_to_sign_in(client, passage):
    response = client.post(
        SAVE,
        {"headword": "越南", "passage": passage.key},
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL=f"http://testserver{passage.unit.get_absolute_url()}?x=1",
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert (
        f'href="/login/?next={passage.unit.get_absolute_url().replace("/", "%2F")}%3Fx%3D1"' in body
    )
    assert not SavedWord.objects.exists()


def test_the_word_card_carries_the_save_form_and_no_readers_token(
    client, student_client, student, passage
):
    """The card is cached and shared: the same bytes for everyone, so no CSRF field."""
    url = reverse("words:word", args=["越南"]) + f"?passage={passage.key}"
    card = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert f'hx-post="{SAVE}"' in card
    assert 'name="headword" value="越南"' in card
    assert f'name="passage" value="{passage.key}"' in card
    assert "csrfmiddlewaretoken" not in card
    # The card's own form, as htmx posts it for a signed-in reader, saves the word.
    response = student_client.post(
        SAVE, {"headword": "越南", "passage": passage.key}, HTTP_HX_REQUEST="true"
    )
    assert "Saved 越南 to your words." in response.content.decode()
    assert SavedWord.objects.get(student=student).passage == passage


def test_the_dictionary_page_saves_without_javascript(student_client, student, passage):
    url = reverse("words:word", args=["越南"]) + f"?passage={passage.key}"
    page = student_client.get(url).content.decode()
    assert "csrfmiddlewaretoken" in page and 'name="next"' in page
    response = student_client.post(
        SAVE, {"headword": "越南", "passage": passage.key, "next": url}, follow=True
    )
    assert response.redirect_chain == [(url, 302)]
    assert "Saved 越南 to your words." in response.content.decode()


def test_a_glossary_terms_dictionary_page_saves_the_term(student_client, student, mini_course):
    page = student_client.get(reverse("words:word", args=["權力平衡"])).content.decode()
    assert 'name="term" value="balance-of-power"' in page


def test_every_word_a_simplified_page_offers_can_be_saved(client, student, full_course):
    """Each word of the Simplified text has a card with a Save button. Most are conversions of
    the Traditional text's words, but where the Simplified segmentation cut differently (显
    in the abstract) the card's word is one of its own, and saving it once said it was not
    in the passage."""
    from courseware.models import Passage
    from courseware.simplified import stored_script
    from words.lookup import describe

    client.force_login(student)
    client.post(
        reverse("set_language"), {"language": "zh-hans", "next": "/"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    checked, unsaved = [], []
    for passage in Passage.objects.current():
        with stored_script():
            traditional = passage.text_zh_hant or ""
        for word, pinyin, _zhuyin in passage.words.get("zh-hans", []):
            entry = describe(word) if pinyin else None
            if entry is None or entry.headword in traditional:
                continue
            checked.append((passage.key, word))
            client.post(SAVE, {"headword": word, "passage": passage.key})
            if not SavedWord.objects.filter(student=student, headword=entry.headword).exists():
                unsaved.append((passage.key, word))
    assert ("abs-1", "显") in checked
    assert not unsaved


def test_a_glossary_term_with_a_long_name_is_saved(student_client, student, mini_course):
    """A term's name may be 200 characters; the saved word kept 40 (PostgreSQL refused the
    row, SQLite kept it whole)."""
    from courseware.models import Term

    Term.objects.filter(key="balance-of-power").update(term_zh_hant="權力平衡" * 20)
    student_client.post(SAVE, {"term": "balance-of-power"})
    saved = SavedWord.objects.get(student=student)
    assert saved.headword == "權力平衡" * 20
    assert (
        SavedWord._meta.get_field("headword").max_length
        >= Term._meta.get_field("term_zh_hant").max_length
    )
