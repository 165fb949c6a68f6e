"""Which of a unit's items a graded attempt asks: every tag covered, as few repeats as the
bank allows (Moodle's "random question from a tag", per tag of the unit).

A graded attempt asks two thirds of the unit's bank (rounded down), so that a bank of
1.5 × the quiz's length lets a retake ask at least half of its questions anew. Practice
attempts keep asking the whole bank.

The draw is pure (no database): ``draw_items`` takes the bank as ``(item id, tag ids)``
pairs, the items the student's previous attempt asked, and a random generator.
"""

from __future__ import annotations

import random
from collections.abc import Collection, Sequence

# Share of the bank a graded attempt asks.
QUIZ_SHARE_NUMERATOR, QUIZ_SHARE_DENOMINATOR = 2, 3


def quiz_length(bank_size: int) -> int:
    """How many items a graded attempt asks of a bank this size (at least one)."""
    return max(1, bank_size * QUIZ_SHARE_NUMERATOR // QUIZ_SHARE_DENOMINATOR)


def draw_items(
    bank: Sequence[tuple[int, Collection[int]]],
    *,
    previous: Collection[int] = (),
    rng: random.Random,
    length: int | None = None,
) -> list[int]:
    """Item ids for one attempt, in the bank's order.

    Every tag of the bank is carried by at least one drawn item: a greedy cover, first
    from the items the previous attempt did not ask, then from any. The rest is filled with
    items the previous attempt did not ask, then with those it did; ties are broken by
    ``rng``. Should the cover need more items than ``length``, the attempt is that much
    longer: covering every tag comes first.
    """
    if length is None:
        length = quiz_length(len(bank))
    length = min(length, len(bank))
    previous = set(previous)
    order = {item_id: index for index, (item_id, _tags) in enumerate(bank)}
    tags_of = {item_id: set(tags) for item_id, tags in bank}
    # A random order decides every tie, so equal candidates take turns across attempts.
    shuffled = [item_id for item_id, _tags in bank]
    rng.shuffle(shuffled)
    fresh = [item_id for item_id in shuffled if item_id not in previous]
    seen = [item_id for item_id in shuffled if item_id in previous]

    uncovered = set().union(*tags_of.values()) if tags_of else set()
    chosen: list[int] = []
    for pool in (fresh, fresh + seen):
        while uncovered:
            best = max(
                (item_id for item_id in pool if item_id not in chosen),
                key=lambda item_id: len(tags_of[item_id] & uncovered),
                default=None,
            )
            if best is None or not tags_of[best] & uncovered:
                break
            chosen.append(best)
            uncovered -= tags_of[best]
    for item_id in fresh + seen:
        if len(chosen) >= length:
            break
        if item_id not in chosen:
            chosen.append(item_id)
    return sorted(chosen, key=order.__getitem__)
