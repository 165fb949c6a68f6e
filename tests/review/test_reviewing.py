"""Reviewing: FSRS schedules each grade, and one showing is graded once."""

import random
import re
import threading
from datetime import timedelta

import fsrs
import pytest
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from review import scheduling
from review.models import Card, Review, SavedWord
from review.services import do_review_card, do_save_word


@pytest.fixture
def saved(student, passage):
    word, _ = do_save_word(student=student, headword="越南", passage=passage)
    return word


def fsrs_says(card_before: Card, rating: fsrs.Rating, now, seed: int):
    """What fsrs's own Scheduler makes of the card, built by hand from the stored fields."""
    random.seed(seed)
    card = fsrs.Card(
        card_id=1,
        state=fsrs.State(card_before.state),
        step=card_before.step,
        stability=card_before.stability,
        difficulty=card_before.difficulty,
        due=card_before.due,
        last_review=card_before.last_review,
    )
    scheduler = fsrs.Scheduler(
        desired_retention=scheduling.DESIRED_RETENTION,
        learning_steps=scheduling.LEARNING_STEPS,
        relearning_steps=scheduling.RELEARNING_STEPS,
        maximum_interval=scheduling.MAXIMUM_INTERVAL_DAYS,
    )
    return scheduler.review_card(card, rating, review_datetime=now)[0]


def test_a_card_graded_good_is_due_when_fsrs_says(student_client, saved):
    card = saved.cards.get(direction=Card.Direction.ZH_EN)
    now = timezone.now()
    for showing in range(4):  # new, learning, then into review (where fuzzing applies)
        before = Card.objects.get(pk=card.pk)
        expected = fsrs_says(before, fsrs.Rating.Good, now, seed=showing)
        random.seed(showing)
        do_review_card(card=before, showing=showing, rating=Review.Rating.GOOD, now=now)
        after = Card.objects.get(pk=card.pk)
        assert after.due == expected.due
        assert after.due > now
        assert (after.state, after.step) == (int(expected.state), expected.step)
        assert after.stability == pytest.approx(expected.stability)
        assert after.difficulty == pytest.approx(expected.difficulty)
        assert after.review_count == showing + 1
        now = after.due + timedelta(hours=1)  # reviewed an hour after it fell due
    assert after.state == Card.State.REVIEW
    assert after.due - after.last_review >= timedelta(days=1)


def test_again_brings_a_card_back_sooner_than_easy(saved):
    now = timezone.now()
    again, easy = saved.cards.all()
    do_review_card(card=again, showing=0, rating=Review.Rating.AGAIN, now=now)
    do_review_card(card=easy, showing=0, rating=Review.Rating.EASY, now=now)
    again.refresh_from_db()
    easy.refresh_from_db()
    assert now < again.due < easy.due


def test_reviewing_through_the_page_moves_the_card_and_shows_the_next(student_client, saved):
    page = student_client.get(reverse("review:session")).content.decode()
    card = Card.objects.in_review_order().first()
    assert "2 cards due" in page
    assert f'action="{reverse("review:grade", args=[card.pk])}"' in page
    assert 'name="showing" value="0"' in page
    response = student_client.post(
        reverse("review:grade", args=[card.pk]),
        {"showing": 0, "rating": Review.Rating.GOOD},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Good: next review of that card in" in body
    assert 'hx-swap-oob="true"' in body and "1 card due" in body
    card.refresh_from_db()
    assert card.review_count == 1 and card.due > timezone.now()
    assert Review.objects.get().rating == Review.Rating.GOOD


def test_the_same_grade_posted_twice_stores_one_review(student_client, saved):
    card = saved.cards.first()
    url = reverse("review:grade", args=[card.pk])
    student_client.post(url, {"showing": 0, "rating": Review.Rating.GOOD}, HTTP_HX_REQUEST="true")
    due = Card.objects.get(pk=card.pk).due
    again = student_client.post(url, {"showing": 0, "rating": Review.Rating.EASY})
    assert again.status_code == 302
    assert Review.objects.filter(card=card).count() == 1
    card.refresh_from_db()
    assert (card.review_count, card.due) == (1, due)
    assert Review.objects.get().rating == Review.Rating.GOOD


def test_a_stale_card_object_is_not_graded_twice(saved):
    """Two requests that loaded the card before either graded it."""
    first, second = Card.objects.get(pk=saved.cards.first().pk), saved.cards.first()
    one = do_review_card(card=first, showing=0, rating=Review.Rating.GOOD)
    two = do_review_card(card=second, showing=0, rating=Review.Rating.AGAIN)
    assert (one.stored, two.stored) == (True, False)
    assert two.review.pk == one.review.pk
    assert Review.objects.count() == 1


def test_the_database_refuses_a_second_review_of_one_showing(saved):
    card = saved.cards.first()
    Review.objects.create(card=card, showing=0, direction=card.direction, rating=3)
    with pytest.raises(IntegrityError), transaction.atomic():
        Review.objects.create(card=card, showing=0, direction=card.direction, rating=4)


@pytest.mark.parametrize(
    "data", [{"showing": 0, "rating": 5}, {"showing": -1, "rating": 3}, {"rating": 3}, {}]
)
def test_a_bad_grade_is_said_and_stores_nothing(student_client, saved, data):
    card = saved.cards.first()
    response = student_client.post(
        reverse("review:grade", args=[card.pk]), data, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert "Choose Again, Hard, Good or Easy." in response.content.decode()
    assert not Review.objects.exists()


def test_a_showing_not_yet_shown_is_refused(student_client, saved):
    card = saved.cards.first()
    response = student_client.post(
        reverse("review:grade", args=[card.pk]), {"showing": 5, "rating": 3}, HTTP_HX_REQUEST="true"
    )
    assert "This card has changed since it was shown." in response.content.decode()
    assert not Review.objects.exists()


def test_another_students_card_is_404(client, django_user_model, saved):
    other = django_user_model.objects.create_user("other", password="pw-Other-123")
    client.force_login(other)
    card = saved.cards.first()
    response = client.post(reverse("review:grade", args=[card.pk]), {"showing": 0, "rating": 3})
    assert response.status_code == 404
    assert not Review.objects.exists()


def test_both_directions_show_the_sentence_the_word_was_met_in(student_client, saved):
    zh_en = saved.cards.get(direction=Card.Direction.ZH_EN)
    zh_en.due = timezone.now() - timedelta(days=1)
    zh_en.save()
    page = student_client.get(reverse("review:session")).content.decode()
    assert "Chinese → English" in page
    assert "這是前言第1段，談<mark>越南</mark>的權力平衡。" in page
    assert "yuè nán" in page
    do_review_card(card=zh_en, showing=0, rating=Review.Rating.EASY)
    page = student_client.get(reverse("review:session")).content.decode()
    assert "English → Chinese" in page
    assert "這是前言第1段，談" in page and "＿＿" in page


def test_a_term_card_shows_the_course_definition(student_client, student, passage):
    do_save_word(student=student, headword="權力平衡", term=passage.terms.get())
    page = student_client.get(reverse("review:session")).content.decode()
    assert "balance of power" in page
    assert "A concept of how power is distributed among states." in page


def test_nothing_due_says_so(student_client, saved):
    Card.objects.update(due=timezone.now() + timedelta(days=2))
    page = student_client.get(reverse("review:session")).content.decode()
    assert "Nothing to review now" in page
    assert Card.objects.for_student(saved.student).deck_counts() == {"words": 1, "due": 0}


@pytest.mark.parametrize("words", [1, 10])
def test_the_review_page_runs_the_same_queries_however_big_the_deck(
    student_client, student, mini_course, words, django_assert_max_num_queries
):
    from courseware.models import Passage

    passages = list(Passage.objects.all())
    for index in range(words):
        do_save_word(student=student, headword=f"詞{index}", passage=passages[index % 2])
    with django_assert_max_num_queries(6):
        assert student_client.get(reverse("review:session")).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_two_tabs_grading_one_showing_at_once_store_one_review(mini_course, student, passage):
    """A double submit from two connections at the same moment. Meaningful on PostgreSQL,
    where the two transactions really overlap (SQLite serialises them at BEGIN)."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: set DATABASE_URL=postgres://…")
    saved, _ = do_save_word(student=student, headword="越南", passage=passage)
    card = saved.cards.first()
    url = reverse("review:grade", args=[card.pk])
    start, statuses = threading.Barrier(4), []

    def grade(rating):
        client = Client(raise_request_exception=False)
        client.force_login(student)
        try:
            start.wait(timeout=30)
            response = client.post(url, {"showing": 0, "rating": rating}, HTTP_HX_REQUEST="true")
            statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=grade, args=(r,)) for r in (1, 2, 3, 4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert statuses == [200, 200, 200, 200]
    assert Review.objects.filter(card=card).count() == 1
    card.refresh_from_db()
    assert card.review_count == 1
    assert SavedWord.objects.count() == 1


def test_a_card_met_before_a_footnote_shows_its_sentence_without_the_marker(
    student_client, student, mini_course
):
    """「…權力平衡。[^1]」: the marker is the source file's, not something a reader sees."""
    from courseware.models import Passage

    passage = Passage.objects.get(key="phase-one-2")
    do_save_word(student=student, headword="越南", passage=passage)
    for card in Card.objects.all():
        page = student_client.get(reverse("review:session")).content.decode()
        assert "的權力平衡。" in page and "[^" not in page
        do_review_card(card=card, showing=0, rating=Review.Rating.EASY)


def test_the_other_direction_of_a_word_just_graded_waits_behind_the_rest(
    student_client, student, passage
):
    """Both cards of a new word are due at once; shown one after the other, the second is
    answered by the first."""
    do_save_word(student=student, headword="越南", passage=passage)
    do_save_word(student=student, headword="權力", passage=passage)
    first = Card.objects.in_review_order().first()
    for headers in ({"HTTP_HX_REQUEST": "true"}, {}):
        card = Card.objects.for_student(student).due().in_review_order().first()
        response = student_client.post(
            reverse("review:grade", args=[card.pk]),
            {"showing": card.review_count, "rating": Review.Rating.EASY},
            follow=True,
            **headers,
        )
        shown = Card.objects.get(
            pk=re.search(r'/my-words/review/(\d+)/"', response.content.decode()).group(1)
        )
        assert shown.saved_word_id != card.saved_word_id
    assert first.saved_word.headword == "越南"


def test_an_english_front_never_names_the_chinese_it_asks_for(student_client, student, passage):
    from courseware.models import Term

    Term.objects.filter(key="balance-of-power").update(
        definition_en="Called 權力平衡 in the paper; 均勢 in older texts."
    )
    do_save_word(student=student, headword="權力平衡", term=passage.terms.get())
    Card.objects.filter(direction=Card.Direction.ZH_EN).update(due=timezone.now() + timedelta(1))
    page = student_client.get(reverse("review:session")).content.decode()
    front, back = page.split('<details class="answer"')
    assert "English → Chinese" in front
    assert "Called ＿＿ in the paper; ＿＿ in older texts." in front
    assert "權力平衡" not in front.split("<main")[1] and "均勢" not in front
    assert "均勢" in back


@pytest.mark.parametrize(
    ("seconds", "language", "said"),
    [
        (59.5, "en", "1 minute"),
        (600, "en", "10 minutes"),
        (5 * 3600 + 60, "en", "5 hours"),
        (12 * 86400 + 3600, "en", "12 days"),
        (59.5, "zh-hant", "1 分鐘"),
        (12 * 86400, "zh-hant", "12 天"),
        (3 * 3600, "zh-hans", "3 小时"),
    ],
)
def test_the_next_review_is_said_in_one_unit_never_zero(seconds, language, said):
    from django.utils import translation

    from review.templatetags.review_tags import time_until_review

    now = timezone.now()
    with translation.override(language):
        assert time_until_review(now + timedelta(seconds=seconds), now) == said


def test_a_dictionary_sense_that_cites_the_word_hides_its_reading_too():
    from review.faces import Face

    face = Face(
        headword="显",
        pinyin="xiǎn",
        english="variant of 顯|显[xian3]; to show",
        definition="",
        context=None,
        english_paragraph="",
        unit=None,
        place_url="",
    )
    assert face.english_front == "variant of ＿＿; to show"
