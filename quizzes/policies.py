"""Which rules a student's quiz on a unit follows, and what an attempt may show when.

The quiz app does not know about classes: the classroom registers a *policy source* (see
``register_policy_source``) that answers "under which graded assignment, if any, does this
student take this unit's quiz?". Without one, or without a graded assignment, the quiz is
practice: instant feedback with the key, unlimited attempts.

Review rules (``QuizPolicy.ReviewMoment``), for attempts taken under a policy:

- after each answer: an answered item shows its key at once; an item left unanswered shows
  its key only after the due date, so handing in an empty attempt reveals nothing;
- after the attempt: every item shows its key once the attempt is handed in;
- after the due date: every item shows its key once the attempt is handed in and the
  student's own due date has passed;
- never: no key is shown.

Before its key shows, an answered item is marked right or wrong only if the policy says so
(``show_correctness``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from .models import Attempt, QuizPolicy


@dataclass(frozen=True)
class AssignedPolicy:
    """The rules for one student on one unit, as the classroom knows them."""

    policy: QuizPolicy | None = None
    # The student's own due date (an extension replaces the class's).
    due_at: datetime | None = None
    # Attempts granted to this student on top of the policy's.
    extra_attempts: int = 0

    @property
    def is_graded(self) -> bool:
        return self.policy is not None

    @property
    def attempts_allowed(self) -> int:
        return self.policy.attempts_allowed + self.extra_attempts if self.policy else 0

    def is_closed(self, now: datetime | None = None) -> bool:
        """Past the due date of a quiz whose key shows after it: no new attempt may start,
        since the finished attempts' keys are open by then."""
        return (
            self.policy is not None
            and self.policy.review_moment == QuizPolicy.ReviewMoment.AFTER_DUE
            and self.due_at is not None
            and (now or timezone.now()) >= self.due_at
        )


PRACTICE = AssignedPolicy()

PolicySource = Callable[[object, object], AssignedPolicy]
_source: PolicySource | None = None


def register_policy_source(source: PolicySource) -> None:
    """``source(student, unit) -> AssignedPolicy``, one query; the classroom registers it."""
    global _source
    _source = source


def assigned_policy(student, unit) -> AssignedPolicy:
    if _source is None or not student.is_authenticated:
        return PRACTICE
    return _source(student, unit)


@dataclass(frozen=True)
class Review:
    """What one item of an attempt may show now."""

    # The right answer, the explanation, per-choice feedback and the passage links.
    key: bool
    # Whether the student's answer is marked right, partly right or wrong.
    correctness: bool


FULL_REVIEW = Review(key=True, correctness=True)


def key_moment_passed(attempt: Attempt, now: datetime | None = None) -> bool:
    """Whether the review moment of every item of the finished attempt has come."""
    policy = attempt.policy
    if policy is None:
        return attempt.is_finished
    if not attempt.is_finished:
        return False
    moment = policy.review_moment
    if moment == QuizPolicy.ReviewMoment.AFTER_ATTEMPT:
        return True
    if moment in (QuizPolicy.ReviewMoment.AFTER_DUE, QuizPolicy.ReviewMoment.AFTER_ANSWER):
        return attempt.due_at is not None and (now or timezone.now()) >= attempt.due_at
    return False


def item_review(attempt: Attempt, *, answered: bool, now: datetime | None = None) -> Review:
    """What an item of the attempt shows now, answered or not."""
    policy = attempt.policy
    if policy is None:
        return FULL_REVIEW
    if (answered and policy.review_moment == QuizPolicy.ReviewMoment.AFTER_ANSWER) or (
        key_moment_passed(attempt, now)
    ):
        return FULL_REVIEW
    return Review(key=False, correctness=policy.show_correctness)


def shows_running_score(attempt: Attempt) -> bool:
    """The running score gives away right and wrong: shown only when answers are marked."""
    policy = attempt.policy
    return (
        policy is None
        or policy.show_correctness
        or policy.review_moment == QuizPolicy.ReviewMoment.AFTER_ANSWER
    )


def mistakes_open(assigned: AssignedPolicy, now: datetime | None = None) -> bool:
    """ "Practise my mistakes" shows the key of the items missed: for a graded quiz, only once
    its answers are shown (after each answer or attempt at once; after the due date then)."""
    policy = assigned.policy
    if policy is None:
        return True
    moment = policy.review_moment
    if moment in (QuizPolicy.ReviewMoment.AFTER_ANSWER, QuizPolicy.ReviewMoment.AFTER_ATTEMPT):
        return True
    if moment == QuizPolicy.ReviewMoment.AFTER_DUE:
        return assigned.due_at is not None and (now or timezone.now()) >= assigned.due_at
    return False


def closes_at_due_date(attempt: Attempt, now: datetime | None = None) -> bool:
    """An open attempt under answers-after-the-due-date rules, past the student's due date:
    it must be handed in, or it could be finished with another attempt's key in view."""
    policy = attempt.policy
    return (
        policy is not None
        and not attempt.is_finished
        and policy.review_moment == QuizPolicy.ReviewMoment.AFTER_DUE
        and attempt.due_at is not None
        and (now or timezone.now()) >= attempt.due_at
    )
