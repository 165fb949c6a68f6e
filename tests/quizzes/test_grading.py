"""Grading rules, one kind at a time, including the partial-credit edges."""

from types import SimpleNamespace

import pytest

from quizzes.grading import (
    MASTERY_THRESHOLD,
    grade_answer,
    grade_matching,
    grade_multiple,
    grade_ordering,
    grade_single,
    is_mastery,
)


def test_single_choice_scores_one_for_the_correct_choice():
    assert grade_single("a", ["a"]).score == 1
    assert grade_single("a", ["a"]).is_correct


def test_single_choice_scores_zero_for_a_wrong_or_missing_or_double_answer():
    assert grade_single("a", ["b"]).score == 0
    assert grade_single("a", []).score == 0
    assert grade_single("a", ["a", "b"]).score == 0
    assert not grade_single("a", ["b"]).is_correct


def test_true_false_scores_zero_or_one():
    true_false = [choice("true", 0), choice("false", 1, True)]
    assert grade_answer("true_false", true_false, ["false"]).score == 1
    assert grade_answer("true_false", true_false, ["true"]).score == 0


def test_multiple_response_full_credit_needs_every_right_choice_and_no_wrong_one():
    grade = grade_multiple(["a", "b", "c"], ["a", "b", "c"])
    assert grade.score == 1 and grade.is_correct


def test_multiple_response_gives_partial_credit_for_some_right_choices():
    grade = grade_multiple(["a", "b", "c"], ["a", "b"])
    assert grade.score == pytest.approx(2 / 3)
    assert not grade.is_correct


def test_multiple_response_subtracts_each_wrong_choice():
    # Every choice ticked: 3 right − 1 wrong over 3 correct.
    assert grade_multiple(["a", "b", "c"], ["a", "b", "c", "d"]).score == pytest.approx(2 / 3)
    assert grade_multiple(["a", "b", "c"], ["a", "d"]).score == 0


def test_multiple_response_is_floored_at_zero():
    assert grade_multiple(["a"], ["b", "c", "d"]).score == 0
    assert grade_multiple(["a", "b"], ["a", "c", "d", "e"]).score == 0


def test_multiple_response_with_one_right_choice():
    assert grade_multiple(["b"], ["b"]).score == 1
    assert grade_multiple(["b"], ["b", "c"]).score == 0


def test_ordering_in_the_right_order_scores_one():
    grade = grade_ordering(["a", "b", "c", "d"], ["a", "b", "c", "d"])
    assert grade.score == 1 and grade.is_correct


def test_ordering_reversed_scores_zero():
    assert grade_ordering(["a", "b", "c", "d"], ["d", "c", "b", "a"]).score == 0


def test_ordering_credits_each_adjacent_pair_in_the_right_order():
    # (b,a) ✗ (a,c) ✗ (c,d) ✓ → 1 of 3 pairs.
    assert grade_ordering(["a", "b", "c", "d"], ["b", "a", "c", "d"]).score == pytest.approx(1 / 3)
    # A block moved as a whole keeps its inner pairs: (c,d) ✓ (d,a) ✗ (a,b) ✓.
    assert grade_ordering(["a", "b", "c", "d"], ["c", "d", "a", "b"]).score == pytest.approx(2 / 3)
    # Three entries, the last two swapped: (a,c) ✗ (c,b) ✗.
    assert grade_ordering(["a", "b", "c"], ["a", "c", "b"]).score == 0


def test_matching_credits_each_correct_pair():
    correct = {"a": "a", "b": "b", "c": "c"}
    assert grade_matching(correct, {"a": "a", "b": "b", "c": "c"}).score == 1
    assert grade_matching(correct, {"a": "a", "b": "c", "c": "b"}).score == pytest.approx(1 / 3)
    assert grade_matching(correct, {"a": "b", "b": "c", "c": "a"}).score == 0


def test_matching_counts_a_missing_pair_as_wrong():
    assert grade_matching({"a": "a", "b": "b"}, {"a": "a"}).score == pytest.approx(1 / 2)


def choice(key, order, is_correct=False):
    return SimpleNamespace(key=key, order=order, is_correct=is_correct)


def test_grade_answer_dispatches_on_the_kind_and_reads_the_choices():
    single = [choice("a", 0), choice("b", 1, True), choice("c", 2)]
    assert grade_answer("single", single, ["b"]).score == 1
    assert grade_answer("true_false", [choice("true", 0, True), choice("false", 1)], ["true"])
    multiple = [choice("a", 0, True), choice("b", 1, True), choice("c", 2), choice("d", 3)]
    assert grade_answer("multiple", multiple, ["a"]).score == 0.5
    # Ordering: the choices' order is the correct sequence, whatever order they come in.
    ordering = [choice("z", 2), choice("x", 0), choice("y", 1)]
    assert grade_answer("ordering", ordering, ["x", "y", "z"]).score == 1
    matching = [choice("a", 0), choice("b", 1), choice("c", 2)]
    grade = grade_answer("matching", matching, {"a": "a", "b": "b", "c": "a"})
    assert grade.score == pytest.approx(2 / 3)
    with pytest.raises(ValueError):
        grade_answer("essay", single, ["a"])


def test_mastery_is_a_score_of_at_least_eighty_percent():
    assert MASTERY_THRESHOLD == 0.8
    assert is_mastery(0.8)
    assert is_mastery(4 / 5)
    assert is_mastery(1)
    assert not is_mastery(0.79)
    assert not is_mastery(None)


def test_mastery_tolerates_float_rounding_at_the_threshold():
    assert 0.1 + 0.7 < 0.8  # 0.7999999999999999
    assert is_mastery(0.1 + 0.7)


def test_an_answer_of_the_wrong_shape_earns_nothing():
    matching = [choice("a", 0), choice("b", 1), choice("c", 2)]
    assert grade_answer("matching", matching, ["a", "b", "c"]).score == 0
    assert grade_answer("ordering", matching, {"a": "a"}).score == 0
    assert grade_answer("single", [choice("a", 0, True)], "a").score == 0
