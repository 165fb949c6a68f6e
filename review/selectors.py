"""Reads of the review deck that pages share."""

from __future__ import annotations

from django.db.models import Case, IntegerField, Value, When
from django.utils import timezone

from .models import Card


def next_card(student, now=None, *, after_word_id: int | None = None) -> Card | None:
    """The card to show now: the most overdue of the student's due cards, with its word and
    where it was met, in one query.

    ``after_word_id``: the word whose card was just graded. Its other direction waits behind
    every other due card: shown straight after, it would be answered by the card before.
    """
    cards = Card.objects.for_student(student).due(now or timezone.now())
    if after_word_id is not None:
        cards = cards.alias(
            just_seen=Case(
                When(saved_word_id=after_word_id, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            )
        ).order_by("just_seen", "due", "pk")
    else:
        cards = cards.in_review_order()
    return cards.select_related("saved_word__passage__unit", "saved_word__term").first()


def deck_counts(student, now=None) -> dict:
    """{"words": …, "due": …} for the student home and the review page, one query."""
    return Card.objects.for_student(student).deck_counts(now)
