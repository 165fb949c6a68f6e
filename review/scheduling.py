"""FSRS, the scheduler: every parameter of it in this one place, and the conversion between
our Card rows and ``fsrs.Card``.

FSRS (Free Spaced Repetition Scheduler, the ``fsrs`` package) is the open, maintained
algorithm Anki ships. The defaults are its published ones (parameters fitted on a large
review collection); the learning steps are Anki's. A course runs for a term, so no interval
goes past a year. Fuzzing spreads cards saved together over neighbouring days.
"""

from __future__ import annotations

import functools
from datetime import UTC, datetime, timedelta

import fsrs

from .models import Card, Review

DESIRED_RETENTION = 0.9
LEARNING_STEPS = (timedelta(minutes=1), timedelta(minutes=10))
RELEARNING_STEPS = (timedelta(minutes=10),)
MAXIMUM_INTERVAL_DAYS = 365
ENABLE_FUZZING = True


@functools.cache
def scheduler() -> fsrs.Scheduler:
    return fsrs.Scheduler(
        desired_retention=DESIRED_RETENTION,
        learning_steps=LEARNING_STEPS,
        relearning_steps=RELEARNING_STEPS,
        maximum_interval=MAXIMUM_INTERVAL_DAYS,
        enable_fuzzing=ENABLE_FUZZING,
    )


def _utc(moment: datetime | None) -> datetime | None:
    # fsrs accepts datetime.timezone.utc only (a database may hand back another UTC tzinfo).
    return moment.astimezone(UTC) if moment is not None else None


def to_fsrs(card: Card) -> fsrs.Card:
    return fsrs.Card(
        card_id=card.pk or 0,
        state=fsrs.State(card.state),
        step=card.step,
        stability=card.stability,
        difficulty=card.difficulty,
        due=_utc(card.due),
        last_review=_utc(card.last_review),
    )


def next_state(card: Card, rating: int, now: datetime) -> dict:
    """The card's fields after a review graded ``rating`` at ``now``, as FSRS schedules."""
    scheduled, _log = scheduler().review_card(
        to_fsrs(card), fsrs.Rating(Review.Rating(rating)), review_datetime=_utc(now)
    )
    return {
        "state": int(scheduled.state),
        "step": scheduled.step,
        "stability": scheduled.stability,
        "difficulty": scheduled.difficulty,
        "due": scheduled.due,
        "last_review": scheduled.last_review,
    }
