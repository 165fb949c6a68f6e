"""Answers made up rather than given: the demo class, the benchmark and the tests answer
through these, in the shape stored on ``Response.answer`` (turn one into the form a browser
posts with ``quizzes.presentation.form_fields``)."""

from __future__ import annotations

import random
from typing import Any

from .models import Choice, Item, current_choices


def _choices(item: Item) -> list[Choice]:
    # Sorted in Python: ``item.choices`` is usually prefetched.
    return current_choices(item)


def right_answer(item: Item) -> Any:
    """The full-credit answer."""
    keys = [choice.key for choice in _choices(item)]
    if item.kind == Item.Kind.ORDERING:
        return keys
    if item.kind == Item.Kind.MATCHING:
        return {key: key for key in keys}
    return sorted(choice.key for choice in _choices(item) if choice.is_correct)


def wrong_answer(item: Item) -> Any:
    """An answer that earns nothing: a wrong choice, the reversed order, every match shifted."""
    choices = _choices(item)
    keys = [choice.key for choice in choices]
    if item.kind == Item.Kind.ORDERING:
        return list(reversed(keys))
    if item.kind == Item.Kind.MATCHING:
        return dict(zip(keys, keys[1:] + keys[:1], strict=True))
    return [next(choice.key for choice in choices if not choice.is_correct)]


def likely_answer(item: Item, *, right: bool, rng: random.Random) -> Any:
    """The right answer, or a mistake a student would make: partly right for the kinds that
    give partial credit (a choice missed or added, two neighbours swapped, two matches
    crossed), a wrong choice otherwise."""
    if right:
        return right_answer(item)
    choices = _choices(item)
    keys = [choice.key for choice in choices]
    correct = [choice.key for choice in choices if choice.is_correct]
    wrong = [choice.key for choice in choices if not choice.is_correct]
    if item.kind in (Item.Kind.SINGLE, Item.Kind.TRUE_FALSE):
        return [rng.choice(wrong)] if wrong else correct[:1]
    if item.kind == Item.Kind.MULTIPLE:
        picked = set(correct)
        if len(picked) > 1 and rng.random() < 0.5:
            picked.discard(rng.choice(sorted(picked)))
        if wrong:
            picked.add(rng.choice(wrong))
        return sorted(picked)
    if item.kind == Item.Kind.ORDERING:
        i = rng.randrange(len(keys) - 1)
        keys[i], keys[i + 1] = keys[i + 1], keys[i]
        return keys
    if item.kind == Item.Kind.MATCHING:
        pairs = {key: key for key in keys}
        first, second = rng.sample(keys, 2)
        pairs[first], pairs[second] = second, first
        return pairs
    raise ValueError(f"unknown item kind {item.kind!r}")
