"""Writes of the review deck: saving and removing words, grading a card.

Each runs in one transaction and is safe when the same student sends it twice at once (a
double tap, two tabs, a retry on a flaky network): unique constraints decide, never a
read-then-write in Python alone.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from courseware.models import Passage, Term

from .models import Card, Review, SavedWord
from .scheduling import next_state


@transaction.atomic
def do_save_word(
    *, student, headword: str, passage: Passage | None = None, term: Term | None = None, now=None
) -> tuple[SavedWord, bool]:
    """The student's saved word ``headword`` (Traditional) with its two cards, due at once;
    (word, True) if this call saved it, (word, False) if it was saved already (where it was
    first met stays)."""
    existing = SavedWord.objects.filter(student=student, headword=headword).first()
    if existing is not None:
        return existing, False
    now = now or timezone.now()
    try:
        with transaction.atomic():
            saved = SavedWord.objects.create(
                student=student, headword=headword, passage=passage, term=term, saved_at=now
            )
    except IntegrityError:  # saved by a request that raced this one
        return SavedWord.objects.get(student=student, headword=headword), False
    Card.objects.bulk_create(
        Card(saved_word=saved, direction=direction, due=now) for direction in Card.Direction
    )
    return saved, True


@transaction.atomic
def do_remove_word(*, saved_word: SavedWord) -> None:
    """The word, its cards and their reviews go."""
    saved_word.delete()


@dataclass(frozen=True)
class Graded:
    card: Card
    review: Review
    # False when this showing had been graded already: nothing was stored this time.
    stored: bool


@transaction.atomic
def do_review_card(*, card: Card, showing: int, rating: int, now=None) -> Graded:
    """Grade the card's showing number ``showing`` (its review_count when it was shown) and
    schedule it with FSRS. A showing graded already (the same form sent twice) is not graded
    again: the first grade stands and is returned with stored=False."""
    now = now or timezone.now()
    # The row is locked (PostgreSQL) or the database is (SQLite, IMMEDIATE) until commit, so a
    # concurrent second request reads the count this one leaves.
    card = Card.objects.select_for_update().select_related("saved_word").get(pk=card.pk)
    if card.review_count != showing:
        return _earlier_grade(card, showing)
    try:
        with transaction.atomic():
            review = Review.objects.create(
                card=card, showing=showing, direction=card.direction, rating=rating, reviewed_at=now
            )
    except IntegrityError:  # the constraint one_review_per_showing: graded by a racing request
        return _earlier_grade(card, showing)
    for field, value in next_state(card, rating, now).items():
        setattr(card, field, value)
    card.review_count = showing + 1
    card.save(
        update_fields=[
            "state",
            "step",
            "stability",
            "difficulty",
            "due",
            "last_review",
            "review_count",
        ]
    )
    return Graded(card=card, review=review, stored=True)


class NoSuchShowing(Exception):
    """The form names a showing the card has not had yet (a forged or stale form)."""


def _earlier_grade(card: Card, showing: int) -> Graded:
    review = Review.objects.filter(card=card, showing=showing).first()
    if review is None:
        raise NoSuchShowing
    return Graded(card=card, review=review, stored=False)
