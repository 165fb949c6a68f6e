"""Reads of the review deck that pages share."""

from __future__ import annotations

from django.utils import timezone

from .models import Card


def next_card(student, now=None) -> Card | None:
    """The card to show now: the most overdue of the student's due cards, with its word and
    where it was met, in one query."""
    return (
        Card.objects.for_student(student)
        .due(now or timezone.now())
        .in_review_order()
        .select_related("saved_word__passage__unit", "saved_word__term")
        .first()
    )


def deck_counts(student, now=None) -> dict:
    """{"words": …, "due": …} for the student home and the review page, one query."""
    return Card.objects.for_student(student).deck_counts(now)
