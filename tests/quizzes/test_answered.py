"""The feedback an htmx answer gets is rendered once per item, answer, review rules and
language, and each student's own numbers are filled in (quizzes.answered): the same fragment
as rendering it whole, whoever answers, in whichever order."""

import re

import pytest
from django.db.models import F
from django.test import Client

from config.holes import fragments_cache
from quizzes import views
from quizzes.models import Attempt, Item, QuizPolicy, Response
from quizzes.presentation import form_fields
from quizzes.samples import right_answer, wrong_answer
from tests.quizzes.conftest import answer_url

pytestmark = pytest.mark.django_db

Moment = QuizPolicy.ReviewMoment
RULES = {
    "practice": None,
    "key after each answer": {"review_moment": Moment.AFTER_ANSWER},
    "marks, key after the attempt": {"review_moment": Moment.AFTER_ATTEMPT},
    "no marks, key after the due date": {
        "review_moment": Moment.AFTER_DUE,
        "show_correctness": False,
    },
    "no marks, no key": {"review_moment": Moment.NEVER, "show_correctness": False},
}


def client_for(user, language):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def answer(client, attempt, item, given, both):
    url = answer_url(attempt, item) + ("?both=1" if both else "")
    response = client.post(url, form_fields(attempt, item, given), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    return response.content.decode()


def take_back(attempt, item):
    response = Response.objects.get(attempt=attempt, item=item)
    Attempt.objects.filter(pk=attempt.pk).update(
        points=F("points") - response.score, answered_count=F("answered_count") - 1
    )
    response.delete()
    attempt.refresh_from_db()


def open_attempt(student, unit, policy, item_ids):
    """An attempt over ``item_ids`` and one item more, so that answering them does not finish
    it (the last answer brings the summary, rendered whole)."""
    item_ids = [*item_ids, Item.objects.exclude(unit=unit).values_list("pk", flat=True)[0]]
    return Attempt.objects.create(
        student=student,
        unit=unit,
        item_ids=item_ids,
        item_count=len(item_ids),
        seed=7,
        policy=policy,
    )


LANGUAGES = ["zh-hant", "en", "zh-hans"]


@pytest.mark.parametrize("rules", list(RULES))
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("both", [False, True])
def test_the_filled_feedback_is_the_whole_fragment(
    intro, student, other_student, django_user_model, monkeypatch, rules, language, both
):
    policy = QuizPolicy.objects.create(**RULES[rules]) if RULES[rules] else None
    items = list(Item.objects.for_unit(intro).order_by("pk"))
    ids = [item.pk for item in items]
    third_student = django_user_model.objects.create_user("third", password="pw-Third-123")
    fourth_student = django_user_model.objects.create_user("fourth", password="pw-Fourth-123")
    # Each other student has the items in the reverse order and one answer more: the same
    # item and answer with other numbers; one reads in the next language, one with the other
    # setting of "both languages", one as the first does.
    first = open_attempt(student, intro, policy, ids)
    second = open_attempt(other_student, intro, policy, ids[::-1])
    third = open_attempt(third_student, intro, policy, ids[::-1])
    # The fourth reads as the first does and answers as the first does: the first's kept
    # fragment, with the fourth's own numbers.
    fourth = open_attempt(fourth_student, intro, policy, ids[::-1])
    other_language = LANGUAGES[(LANGUAGES.index(language) + 1) % len(LANGUAGES)]
    readers = {
        first: (client_for(student, language), both),
        second: (client_for(other_student, other_language), both),
        third: (client_for(third_student, language), not both),
        fourth: (client_for(fourth_student, language), both),
    }
    attempts = list(readers)
    for attempt in (second, third, fourth):
        answer(
            *readers[attempt][:1], attempt, items[-1], right_answer(items[-1]), readers[attempt][1]
        )

    for index, item in enumerate(items[:-1]):
        # The first student answers right; the others too, or wrong.
        wrong = wrong_answer(item) if index % 2 else right_answer(item)
        given = {
            first: right_answer(item),
            second: right_answer(item),
            third: wrong,
            fourth: right_answer(item),
        }

        def answered(attempt, item=item, given=given):
            client, shows_both = readers[attempt]
            return answer(client, attempt, item, given[attempt], shows_both)

        kept = {attempt: answered(attempt) for attempt in attempts}
        with monkeypatch.context() as whole_render:
            whole_render.setattr(views, "can_fill", lambda attempt, presented: False)
            for attempt in attempts:
                take_back(attempt, item)
                whole = answered(attempt)
                assert kept[attempt] == whole, (rules, language, both, item.kind)
                assert "\x1a" not in kept[attempt]


def test_one_rendering_per_item_and_answer(intro, student, other_student):
    items = list(Item.objects.for_unit(intro).order_by("pk"))
    ids = [item.pk for item in items]
    for who in (student, other_student):
        attempt = open_attempt(who, intro, None, ids)
        client = client_for(who, "en")
        for item in items[:3]:
            answer(client, attempt, item, right_answer(item), both=False)
    assert len(fragments_cache()._cache) == 3


def test_each_student_gets_their_own_numbers_and_progress(intro, student, other_student):
    items = list(Item.objects.for_unit(intro).order_by("pk"))
    ids = [item.pk for item in items]
    first = open_attempt(student, intro, None, ids)
    second = open_attempt(other_student, intro, None, ids[::-1])
    answer(client_for(student, "en"), first, items[0], right_answer(items[0]), both=False)
    client = client_for(other_student, "en")
    answer(client, second, items[1], wrong_answer(items[1]), both=False)
    html = answer(client, second, items[0], right_answer(items[0]), both=False)
    number, total = len(ids), len(ids) + 1  # the other student's last but one
    assert f"Question {number} of {total}:" in html
    assert f'value="2">2 / {total}</progress>' in html
    assert f"Question {number}:" in html and f"2 of {total} questions answered." in html


def test_two_wrong_answers_get_their_own_feedback(intro, student, other_student):
    single = Item.objects.for_unit(intro).get(kind=Item.Kind.SINGLE)
    wrong = [choice for choice in single.choices.order_by("key") if not choice.is_correct][:2]
    ids = list(Item.objects.for_unit(intro).values_list("pk", flat=True))
    html = {}
    for who, choice in zip((student, other_student), wrong, strict=True):
        attempt = open_attempt(who, intro, None, ids)
        html[choice.key] = answer(client_for(who, "en"), attempt, single, [choice.key], False)
    first, second = wrong
    assert first.text_en in html[first.key] and first.text_en not in html[second.key]
    assert second.text_en in html[second.key]


@pytest.mark.parametrize(
    "language, sentence",
    [
        ("en", r"Question \d+: ✓ Right\. 1 of \d+ questions answered\."),
        ("zh-hant", r"第 \d+ 題： ✓ 正確。 已作答 1 / \d+ 題。"),
        ("zh-hans", r"第 \d+ 题： ✓ 正确。 已作答 1 / \d+ 题。"),
    ],
)
def test_the_announcement_is_punctuated_in_the_readers_language(intro, student, language, sentence):
    item = Item.objects.for_unit(intro).get(kind=Item.Kind.SINGLE)
    ids = list(Item.objects.for_unit(intro).values_list("pk", flat=True))
    attempt = open_attempt(student, intro, None, ids)
    html = answer(client_for(student, language), attempt, item, right_answer(item), both=False)
    announcer = re.search(r'<div id="quiz-announcer"[^>]*>(.*?)</div>', html, re.S)[1]
    text = " ".join(re.sub(r"<[^>]+>", "", announcer).split())
    assert re.fullmatch(sentence, text), text


def test_the_passages_to_read_again_are_a_list_without_separators(intro, student):
    """Long links wrap on a phone: a separator between them was left alone on a line (";"
    between two Chinese headings); as list items they need none, in any language."""
    item = Item.objects.for_unit(intro).get(kind=Item.Kind.SINGLE)
    item.passages.set(intro.passages.all()[:2])
    ids = list(Item.objects.for_unit(intro).values_list("pk", flat=True))
    attempt = open_attempt(student, intro, None, ids)
    html = answer(client_for(student, "zh-hant"), attempt, item, wrong_answer(item), both=False)
    passages = re.search(r'<div class="feedback-passages">(.*?)</div>', html, re.S)[1]
    assert len(re.findall(r"<li><a href=", passages)) == 2
    assert ";" not in re.sub(r"<[^>]+>", "", passages)
