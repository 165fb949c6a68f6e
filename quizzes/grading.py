"""How answers are scored: pure functions, one per kind of item, no database.

Every function takes the item's choice keys (the stable keys of the course file) and the
student's answer in the shape stored on ``Response.answer``, and returns a score from 0 to 1.
The answer has already been checked for shape (``quizzes.presentation.parse_answer``): these
functions only judge how right it is. An answer is "correct" only with full credit.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

# A unit is mastered when the student's best graded attempt scores at least this.
MASTERY_THRESHOLD = 0.8
# Scores are sums of fractions such as 1/3; compare with a little slack so that 0.7999999…
# from float addition still counts as 80 %.
EPSILON = 1e-9


@dataclass(frozen=True)
class Grade:
    score: float
    is_correct: bool


def _grade(score: float) -> Grade:
    return Grade(score=score, is_correct=score >= 1 - EPSILON)


def grade_single(correct_key: str, answer: Sequence[str]) -> Grade:
    """Single choice: 1 if the one chosen key is the correct one, else 0."""
    return _grade(1.0 if list(answer) == [correct_key] else 0.0)


def grade_multiple(correct_keys: Iterable[str], answer: Sequence[str]) -> Grade:
    """Multiple response, with partial credit.

    (correct choices picked − wrong choices picked) / number of correct choices, floored at 0.
    Picking every choice therefore earns nothing more than picking only the right ones minus
    a penalty for each wrong one; picking nothing right earns 0, never less.
    """
    correct = set(correct_keys)
    picked = set(answer)
    if not correct:
        return _grade(0.0)
    right = len(picked & correct)
    wrong = len(picked - correct)
    return _grade(max(0.0, (right - wrong) / len(correct)))


def grade_ordering(correct_order: Sequence[str], answer: Sequence[str]) -> Grade:
    """Ordering, with partial credit per adjacent pair.

    Each pair of neighbours in the student's sequence earns one point when the first comes
    immediately before the second in the correct sequence. The score is the points over the
    number of neighbouring pairs (n − 1): the correct order scores 1, the reversed order 0,
    and a sequence that is right except for one misplaced block still earns most pairs.
    """
    position = {key: index for index, key in enumerate(correct_order)}
    pairs = len(correct_order) - 1
    if pairs <= 0:
        return _grade(1.0 if list(answer) == list(correct_order) else 0.0)
    right = sum(
        1
        for first, second in zip(answer, answer[1:], strict=False)
        if first in position and position.get(second) == position[first] + 1
    )
    return _grade(right / pairs)


def grade_matching(correct_pairs: Mapping[str, str], answer: Mapping[str, str]) -> Grade:
    """Matching, with partial credit: the share of left-hand entries given their right match."""
    if not correct_pairs:
        return _grade(0.0)
    right = sum(1 for left, match in correct_pairs.items() if answer.get(left) == match)
    return _grade(right / len(correct_pairs))


class ChoiceLike(Protocol):
    key: str
    order: int
    is_correct: bool


def grade_answer(kind: str, choices: Iterable[ChoiceLike], answer: Any) -> Grade:
    """Grade an answer to an item of the given kind (``Item.Kind`` values).

    ``choices`` are the item's choices; their ``order`` is the correct sequence for ordering
    items, and a matching choice's right-hand side belongs to the same choice, so the correct
    match of left ``key`` is ``key`` itself.
    """
    choices = sorted(choices, key=lambda choice: choice.order)
    # An answer of the wrong shape earns nothing rather than failing.
    if kind == "matching" and not isinstance(answer, Mapping):
        answer = {}
    elif kind != "matching" and not isinstance(answer, list | tuple):
        answer = []
    # True or false is a single choice between the keys "true" and "false".
    if kind in ("single", "true_false"):
        correct = next((choice.key for choice in choices if choice.is_correct), None)
        return grade_single(correct, answer) if correct is not None else _grade(0.0)
    if kind == "multiple":
        return grade_multiple([choice.key for choice in choices if choice.is_correct], answer)
    if kind == "ordering":
        return grade_ordering([choice.key for choice in choices], answer)
    if kind == "matching":
        return grade_matching({choice.key: choice.key for choice in choices}, answer)
    raise ValueError(f"unknown item kind {kind!r}")


def is_mastery(score: float | None) -> bool:
    """Mastery of a unit: a best graded attempt of at least 80 %."""
    return score is not None and score >= MASTERY_THRESHOLD - EPSILON


def grade_by_method(scores: Sequence[float], method: str) -> float | None:
    """A graded assignment's grade from its finished attempts' scores, oldest first.

    ``method`` is a ``QuizPolicy.GradingMethod`` value: "highest", "first", "last" or
    "average" (the mean of every attempt, as Moodle's "average grade"). None without scores.
    """
    if not scores:
        return None
    if method == "first":
        return scores[0]
    if method == "last":
        return scores[-1]
    if method == "average":
        return sum(scores) / len(scores)
    if method == "highest":
        return max(scores)
    raise ValueError(f"unknown grading method {method!r}")
