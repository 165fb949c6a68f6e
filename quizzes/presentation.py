"""How an item looks inside one attempt, and how a submitted form becomes an answer.

Choices are shuffled per attempt and item from ``Attempt.seed``, so a reload shows the same
order and another attempt a different one. Form values are opaque tokens (an HMAC of the
attempt, the item and the choice key) rather than choice keys: keys such as "a" or the
alphabetical keys of an ordering item would otherwise give the answer away to anyone who
reads the page source. Nothing here reads ``is_correct`` or feedback for an unanswered item;
that only happens in ``feedback_for`` once a response exists.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.utils.crypto import salted_hmac
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from courseware.simplified import chinese_html_lang

from .grading import EPSILON
from .models import Attempt, Choice, Item, Response, current_choices
from .policies import FULL_REVIEW, Review, item_review

LANGUAGE_FIELDS = {"zh-hant": "zh_hant", "en": "en"}
# An ordering item has a few entries; a position with more digits than this is no position.
MAX_POSITION_DIGITS = 6
# Reshuffles before giving up on avoiding the correct order (only ever needed for n = 2).
MAX_RESHUFFLES = 20


class AnswerError(Exception):
    """The submitted form is not a complete answer; ``message`` tells the student why."""

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


@dataclass(frozen=True)
class Text:
    """A translated text in the interface language, with the other language beside it."""

    text: str
    lang: str
    other: str
    other_lang: str

    def __str__(self):
        return self.text


def html_lang(language: str) -> str:
    """The lang attribute of a text: Chinese is shown in Simplified to a zh-hans reader."""
    return "en" if language == "en" else chinese_html_lang()


def bilingual(obj, name: str) -> Text:
    """Read ``<name>_zh_hant`` and ``<name>_en`` explicitly: the plain field falls back."""
    current = "en" if (get_language() or "").startswith("en") else "zh-hant"
    other = "zh-hant" if current == "en" else "en"
    text = getattr(obj, f"{name}_{LANGUAGE_FIELDS[current]}") or ""
    other_text = getattr(obj, f"{name}_{LANGUAGE_FIELDS[other]}") or ""
    if not text:  # untranslated: show the other language as the main text
        return Text(other_text, html_lang(other), "", html_lang(current))
    return Text(text, html_lang(current), other_text, html_lang(other))


def choice_token(attempt: Attempt, item: Item, key: str, side: str = "choice") -> str:
    value = f"{attempt.pk}:{attempt.seed}:{item.pk}:{side}:{key}"
    return salted_hmac("quizzes.presentation.choice", value).hexdigest()[:12]


@dataclass
class PresentedChoice:
    token: str
    text: Text
    # Set when re-showing a form after an error, so the student keeps what they chose.
    checked: bool = False
    position: int = 0
    selected_match: str = ""
    # The choice's key, which the page never shows (the token stands for it): how
    # ``parse_answer`` reads a token back without computing it again.
    key: str = ""


@dataclass
class PresentedMatch:
    token: str
    text: Text
    key: str = ""


@dataclass
class PresentedItem:
    item: Item
    number: int
    stem: Text
    choices: list[PresentedChoice]
    # Matching items: the right-hand options, shuffled.
    matches: list[PresentedMatch] = field(default_factory=list)
    response: Response | None = None
    feedback: Feedback | None = None
    error: str = ""

    @property
    def kind(self) -> str:
        return self.item.kind

    @property
    def positions(self) -> range:
        return range(1, len(self.choices) + 1)


@dataclass(frozen=True)
class AnswerLine:
    """One line of an answer: a choice (with its feedback), an entry in a sequence, or a
    matching pair (``detail`` is the right-hand side). ``is_right`` says whether this line is
    right: a correct choice, an entry in its correct place, a correct pair."""

    text: Text
    detail: Text | None
    is_right: bool


@dataclass
class Feedback:
    # False for an item left unanswered in a finished attempt: only the solution is shown.
    answered: bool
    # What the attempt's review rules let this item show now (``quizzes.policies``): without
    # ``key`` the right answer, explanation, choice feedback and passages are left empty;
    # without ``correctness`` the marks too.
    review: Review
    score: float
    is_correct: bool
    is_partial: bool
    percent: int
    explanation: Text
    your_answer: list[AnswerLine]
    right_answer: list[AnswerLine]
    passages: list  # Passage objects with unit loaded: links to the unit page #p-<key>
    footnotes: list  # Footnote objects with unit loaded: links to the unit page #fn-<key>


def _choices(item: Item) -> list[Choice]:
    return current_choices(item)


def _every_choice_by_key(item: Item) -> dict[str, Choice]:
    """Archived choices too: a stored answer that named one still shows its text."""
    return {choice.key: choice for choice in item.choices.all()}


def _shuffle(rng: random.Random, values: list, avoid: list | None = None) -> list:
    """Shuffle ``values``; when ``avoid`` is given, never return exactly that order."""
    shuffled = list(values)
    for _attempt in range(MAX_RESHUFFLES):
        rng.shuffle(shuffled)
        if avoid is None or shuffled != avoid or len(values) < 2:
            return shuffled
    return shuffled[1:] + shuffled[:1]


def _rng(attempt: Attempt, item: Item) -> random.Random:
    return random.Random(f"{attempt.seed}:{item.pk}")


def present_item(
    attempt: Attempt,
    item: Item,
    number: int,
    response: Response | None = None,
    *,
    reveal: bool = False,
    review: Review = FULL_REVIEW,
) -> PresentedItem:
    """The item as shown in this attempt. ``reveal`` (finished attempts only) shows the
    item left unanswered as such; ``review`` says how much of the solution it shows."""
    choices = _choices(item)
    # Shuffle from a fixed starting order (by key) so that the result does not depend on
    # how the database happened to return the rows.
    by_key = sorted(choices, key=lambda choice: choice.key)
    rng = _rng(attempt, item)
    if item.kind == Item.Kind.TRUE_FALSE:
        shown = sorted(choices, key=lambda choice: choice.key != "true")
    elif item.kind == Item.Kind.ORDERING:
        shown = _shuffle(rng, by_key, avoid=choices)
    elif item.kind == Item.Kind.MATCHING:
        shown = choices
    else:
        shown = _shuffle(rng, by_key)
    presented = PresentedItem(
        item=item,
        number=number,
        stem=bilingual(item, "stem"),
        choices=[
            PresentedChoice(
                token=choice_token(attempt, item, choice.key),
                text=bilingual(choice, "text"),
                position=index,
                key=choice.key,
            )
            for index, choice in enumerate(shown, start=1)
        ],
    )
    if item.kind == Item.Kind.MATCHING:
        right = _shuffle(rng, by_key, avoid=choices)
        presented.matches = [
            PresentedMatch(
                token=choice_token(attempt, item, choice.key, side="match"),
                text=bilingual(choice, "match"),
                key=choice.key,
            )
            for choice in right
        ]
    if response is not None or reveal:
        presented.response = response
        presented.feedback = feedback_for(item, response, review)
    return presented


def parse_answer(presented: PresentedItem, data) -> Any:
    """Turn the submitted form into the stored answer shape, or raise ``AnswerError``.

    Also marks the student's choices on ``presented`` so an error keeps them on screen.
    """
    item = presented.item
    # Every current choice, as present_item gave it its token.
    by_token = {choice.token: choice for choice in presented.choices}
    key_of = {token: choice.key for token, choice in by_token.items()}

    if item.kind in (Item.Kind.SINGLE, Item.Kind.TRUE_FALSE, Item.Kind.MULTIPLE):
        tokens = [token for token in data.getlist("choice") if token]
        for token in tokens:
            if token in by_token:
                by_token[token].checked = True
        if not tokens:
            if item.kind == Item.Kind.MULTIPLE:
                raise AnswerError(_("Choose at least one answer."))
            raise AnswerError(_("Choose an answer."))
        if any(token not in key_of for token in tokens):
            raise AnswerError(_("That answer is not one of the choices. Choose again."))
        keys = sorted({key_of[token] for token in tokens})
        if item.kind != Item.Kind.MULTIPLE and len(keys) != 1:
            raise AnswerError(_("Choose only one answer."))
        return keys

    if item.kind == Item.Kind.ORDERING:
        count = len(key_of)
        error = AnswerError(
            _("Give each entry a different position from 1 to %(count)s.") % {"count": count}
        )
        posted = {name for name in data if name.startswith("position-")}
        if posted != {f"position-{token}" for token in key_of}:
            raise error
        positions = {}
        for token in key_of:
            value = data.get(f"position-{token}", "")
            # Decimal digits of any script (an IME may type "３"), as int() reads them; not
            # "²", which isdigit() passes and int() refuses, nor more digits than a position
            # can have (int() refuses 4,300).
            if not value.isdecimal() or len(value) > MAX_POSITION_DIGITS:
                raise error
            positions[token] = int(value)
            if token in by_token:
                by_token[token].position = positions[token]
        if sorted(positions.values()) != list(range(1, count + 1)):
            presented.choices.sort(key=lambda choice: choice.position)
            raise error
        return [key_of[token] for token in sorted(positions, key=positions.get)]

    if item.kind == Item.Kind.MATCHING:
        match_key_of = {match.token: match.key for match in presented.matches}
        answer, missing, unknown = {}, False, False
        for token, key in key_of.items():
            value = data.get(f"match-{token}", "")
            if token in by_token:
                by_token[token].selected_match = value
            if not value:
                missing = True
            elif value not in match_key_of:
                unknown = True
            else:
                answer[key] = match_key_of[value]
        if missing:
            raise AnswerError(_("Choose a match for every entry."))
        if unknown:
            raise AnswerError(_("That answer is not one of the choices. Choose again."))
        return answer

    raise AnswerError(_("This question cannot be answered."))


def form_fields(attempt: Attempt, item: Item, answer: Any) -> dict[str, str | list[str]]:
    """The form a browser posts for ``answer`` (in the stored shape): the inverse of
    ``parse_answer``. For the benchmark and the tests, which answer as a browser does."""
    if item.kind == Item.Kind.ORDERING:
        return {
            f"position-{choice_token(attempt, item, key)}": str(position)
            for position, key in enumerate(answer, start=1)
        }
    if item.kind == Item.Kind.MATCHING:
        return {
            f"match-{choice_token(attempt, item, left)}": choice_token(
                attempt, item, right, side="match"
            )
            for left, right in answer.items()
        }
    return {"choice": [choice_token(attempt, item, key) for key in answer]}


class Result(NamedTuple):
    """How an answer did, as far as ``review`` lets it show (``review.correctness``)."""

    answered: bool
    score: float
    is_correct: bool
    is_partial: bool
    percent: int


def result_of(response: Response | None, review: Review = FULL_REVIEW) -> Result:
    answered = response is not None
    marked = answered and review.correctness
    score = response.score if marked else 0.0
    is_correct = marked and response.is_correct
    return Result(
        answered=answered,
        score=score,
        is_correct=is_correct,
        is_partial=not is_correct and score > EPSILON,
        percent=round(score * 100),
    )


def feedback_for(item: Item, response: Response | None, review: Review = FULL_REVIEW) -> Feedback:
    """What the student sees once the item is answered (or, with no response, once the
    attempt is over): the only place that reads which choices are right. Before the review
    moment nothing of the key leaves this function (``review``)."""
    if not review.key:
        return _feedback_without_key(item, response, review)
    choices = _choices(item)
    by_key = _every_choice_by_key(item)
    answer = response.answer if response is not None else None
    yours = _your_answer(item, answer, choices, by_key, with_key=True)
    if item.kind == Item.Kind.MATCHING:
        right = [
            AnswerLine(bilingual(choice, "text"), bilingual(choice, "match"), True)
            for choice in choices
        ]
    elif item.kind == Item.Kind.ORDERING:
        right = [AnswerLine(bilingual(choice, "text"), None, True) for choice in choices]
    else:
        right = [
            AnswerLine(bilingual(choice, "text"), None, True)
            for choice in choices
            if choice.is_correct
        ]
    return Feedback(
        review=review,
        **result_of(response, review)._asdict(),
        explanation=bilingual(item, "explanation"),
        your_answer=yours if response is not None else [],
        right_answer=right,
        passages=sorted(item.passages.all(), key=lambda p: (p.unit.order, p.order)),
        footnotes=sorted(item.footnotes.all(), key=lambda f: (f.unit.order, f.key)),
    )


def _your_answer(item: Item, answer, choices, by_key, *, with_key: bool) -> list[AnswerLine]:
    """The student's answer line by line. ``with_key``: each line marked right or wrong and
    a picked choice's own feedback; without it, no mark and no feedback, and picked choices
    in the order of their keys, so that nothing follows the key."""
    if item.kind == Item.Kind.MATCHING:
        pairs = answer if isinstance(answer, dict) else {}
        return [
            AnswerLine(
                bilingual(choice, "text"),
                bilingual(by_key[pairs[choice.key]], "match")
                if pairs.get(choice.key) in by_key
                else None,
                with_key and pairs.get(choice.key) == choice.key,
            )
            for choice in choices
        ]
    if item.kind == Item.Kind.ORDERING:
        keys = [key for key in answer if key in by_key] if isinstance(answer, list) else []
        if not with_key:
            return [AnswerLine(bilingual(by_key[key], "text"), None, False) for key in keys]
        return [
            AnswerLine(bilingual(by_key[key], "text"), None, key == choice.key)
            for key, choice in zip(keys, choices, strict=False)
        ]
    picked = set(answer) if isinstance(answer, list) else set()
    if not with_key:
        return [
            AnswerLine(bilingual(choice, "text"), None, False)
            for choice in sorted(by_key.values(), key=lambda choice: choice.key)
            if choice.key in picked
        ]
    return [
        AnswerLine(bilingual(choice, "text"), bilingual(choice, "feedback"), choice.is_correct)
        for choice in sorted(by_key.values(), key=lambda choice: choice.order)
        if choice.key in picked
    ]


def _feedback_without_key(item: Item, response: Response | None, review: Review) -> Feedback:
    """The student's own answer, as they gave it, with no mark that would tell the key
    (unless ``review.correctness``: then only the item's overall result)."""
    answer = response.answer if response is not None else None
    yours = _your_answer(item, answer, _choices(item), _every_choice_by_key(item), with_key=False)
    result = result_of(response, review)
    return Feedback(
        review=review,
        **result._asdict(),
        explanation=None,
        your_answer=yours if result.answered else [],
        right_answer=[],
        passages=[],
        footnotes=[],
    )


def present_attempt(attempt: Attempt, items: list[Item], responses: dict) -> list[PresentedItem]:
    entries = []
    for number, item in enumerate(items, start=1):
        response = responses.get(item.pk)
        review = item_review(attempt, answered=response is not None)
        entries.append(
            present_item(attempt, item, number, response, reveal=attempt.is_finished, review=review)
        )
    return entries
